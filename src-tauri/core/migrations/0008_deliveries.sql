-- 0008: the delivery log (every replay attempt, later every forward attempt) and replay drafts.
-- Append-only: never edit once landed.

-- One row per attempt. The request is stored exactly as written on the wire; the response as
-- received (body up to the limit). `capture_id` is not a foreign key: an attempt outlives the
-- capture it was made from (retention, deletes).
CREATE TABLE deliveries (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    capture_id           INTEGER NOT NULL,
    kind                 TEXT    NOT NULL,            -- 'replay' | 'forward'
    started_at_us        INTEGER NOT NULL,            -- Unix time, microseconds
    duration_us          INTEGER NOT NULL,
    method               TEXT    NOT NULL,
    url                  TEXT    NOT NULL,
    request_headers      BLOB    NOT NULL,            -- "name: value\r\n" per header, wire order
    request_body         BLOB    NOT NULL,
    resigned             INTEGER NOT NULL DEFAULT 0,
    insecure             INTEGER NOT NULL DEFAULT 0,
    outcome              TEXT    NOT NULL,            -- 'response' | 'failed' | 'cancelled'
    status               INTEGER,
    reason               TEXT,
    response_headers     BLOB,
    response_body        BLOB,
    response_size        INTEGER,
    response_truncated   INTEGER NOT NULL DEFAULT 0,
    error_code           TEXT,                        -- stable SendFailure code
    error_message        TEXT
);
CREATE INDEX deliveries_capture ON deliveries (capture_id, id);
CREATE INDEX deliveries_outcome ON deliveries (outcome, status, id);

-- The user's edit of a capture, kept until sent or discarded (JSON of ipc::ReplayDraft).
CREATE TABLE replay_drafts (
    capture_id   INTEGER PRIMARY KEY,
    draft        TEXT    NOT NULL,
    saved_at_us  INTEGER NOT NULL
);
