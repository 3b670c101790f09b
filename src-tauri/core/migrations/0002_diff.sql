-- 0002: payload diff. Event keys on captures (for duplicate flags and diff partners) and
-- per-endpoint ignore rules. Append-only: never edit once landed.

-- Identity of the event a delivery carries, "kind:value" (e.g. "stripe_id:evt_1"), and its
-- type (e.g. "invoice.paid"); computed from headers and body when the capture is stored.
ALTER TABLE captures ADD COLUMN event_id TEXT;
ALTER TABLE captures ADD COLUMN event_type TEXT;
-- The oldest earlier capture on the same endpoint with the same event_id (a duplicate delivery).
ALTER TABLE captures ADD COLUMN duplicate_of INTEGER;
-- 1 once event_id / event_type / duplicate_of were computed; rows stored before this
-- migration are filled in by the engine when it opens the database.
ALTER TABLE captures ADD COLUMN event_indexed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX captures_event_id ON captures (endpoint, event_id, id) WHERE event_id IS NOT NULL;
CREATE INDEX captures_event_type ON captures (endpoint, event_type, id) WHERE event_type IS NOT NULL;
CREATE INDEX captures_not_indexed ON captures (id) WHERE event_indexed = 0;

-- Diff ignore rules saved for an endpoint (absent: the defaults of its provider scheme).
CREATE TABLE diff_rules (
    endpoint        TEXT PRIMARY KEY,
    ignore_paths    TEXT NOT NULL DEFAULT '[]',   -- JSON array of path patterns
    ignore_headers  TEXT NOT NULL DEFAULT '[]',   -- JSON array of header-name globs
    array_key       TEXT                          -- match arrays of objects by this key
);
