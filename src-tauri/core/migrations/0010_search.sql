-- 0010: finding captures. Append-only: never edit once landed.

-- Full-text index of what a capture says (src/search/text.rs decides the text): contentless, so
-- the text is not stored twice, with delete support so a capture's row can go; rowid = captures.id.
-- Filled by store::captures::insert in the capture's own transaction; rows stored before this
-- migration (text_indexed = 0) are indexed by a bounded background backfill.
CREATE VIRTUAL TABLE capture_text USING fts5(
    text,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
-- Deletes, clear and retention remove the text in the same transaction.
CREATE TRIGGER capture_text_delete AFTER DELETE ON captures
BEGIN
    DELETE FROM capture_text WHERE rowid = old.id;
END;

ALTER TABLE captures ADD COLUMN text_indexed INTEGER NOT NULL DEFAULT 0;  -- 1 once in capture_text
CREATE INDEX captures_text_pending ON captures (id) WHERE text_indexed = 0;

-- Pinned captures are never removed by retention (few rows: a partial index).
ALTER TABLE captures ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
CREATE INDEX captures_pinned ON captures (id) WHERE pinned = 1;

-- The list's chips, each served by an index in id order (keyset paging newest first). The capture
-- path pays for each on insert, so the rare ones are partial (only their rows cost anything).
CREATE INDEX captures_received ON captures (received_at_us);
CREATE INDEX captures_verdict ON captures (verdict_status, id);
CREATE INDEX captures_type ON captures (event_type, id) WHERE event_type IS NOT NULL;
CREATE INDEX captures_duplicate ON captures (id) WHERE duplicate_of IS NOT NULL;
CREATE INDEX captures_via ON captures (via, id) WHERE via <> 'local';

-- Filters the user named (JSON of ipc::CaptureFilter).
CREATE TABLE saved_filters (
    name           TEXT PRIMARY KEY,
    filter         TEXT NOT NULL,
    created_at_us  INTEGER NOT NULL
);
