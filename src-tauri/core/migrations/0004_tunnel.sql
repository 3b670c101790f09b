-- 0004: tunnel provenance of captures, and credentials kept apart from settings.
ALTER TABLE captures ADD COLUMN via TEXT NOT NULL DEFAULT 'local';   -- 'local' | 'tunnel'
ALTER TABLE captures ADD COLUMN forwarded_for TEXT;                  -- original client, from the tunnel's forwarding header only
CREATE TABLE credentials (
    name   TEXT PRIMARY KEY,   -- e.g. 'ngrok.authtoken'
    value  TEXT NOT NULL
);
