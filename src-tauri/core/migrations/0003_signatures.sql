-- 0003: signature verification. Append-only: never edit once landed; add 0003_….sql.
-- An endpoint's scheme (snake_case scheme id, NULL = none configured) and its options.
ALTER TABLE endpoints ADD COLUMN signature_scheme TEXT;
ALTER TABLE endpoints ADD COLUMN signature_options TEXT NOT NULL DEFAULT '{}'; -- JSON {"name": "value"}

-- Secrets live in their own table, never in settings (the OS keyring is a later step).
-- Several per endpoint for rotation; `idx` is the order shown and reported as matched_secret_index.
CREATE TABLE endpoint_secrets (
    endpoint  TEXT    NOT NULL,
    idx       INTEGER NOT NULL,
    secret    TEXT    NOT NULL,
    PRIMARY KEY (endpoint, idx)
);

-- The verdict computed at capture time (and recomputed when the endpoint's config changes).
-- All NULL when nothing could be judged (no scheme and no signature recognised).
ALTER TABLE captures ADD COLUMN verdict_status TEXT;          -- valid | invalid | expired | unsigned | no_secret
ALTER TABLE captures ADD COLUMN verdict_reason TEXT;          -- reason code
ALTER TABLE captures ADD COLUMN verdict_scheme TEXT;          -- scheme id
ALTER TABLE captures ADD COLUMN verdict_secret_index INTEGER; -- which secret matched
ALTER TABLE captures ADD COLUMN verdict TEXT;                 -- the full Verdict as JSON
ALTER TABLE captures ADD COLUMN detected_scheme TEXT;         -- guessed provider when the endpoint has no scheme
