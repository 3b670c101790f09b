-- 0001: captures, endpoints, settings. Append-only: never edit once landed; add 0002_….sql.
CREATE TABLE captures (
    id               INTEGER PRIMARY KEY AUTOINCREMENT, -- sorts by arrival; never reused
    received_at_us   INTEGER NOT NULL,                  -- Unix time, microseconds
    endpoint         TEXT    NOT NULL,
    method           TEXT    NOT NULL,
    path             TEXT    NOT NULL,
    query            TEXT    NOT NULL,                  -- raw, without '?'
    url              TEXT    NOT NULL,
    headers          BLOB    NOT NULL,                  -- "name: value\r\n" per header, arrival order
    body             BLOB    NOT NULL,                  -- exact bytes received
    body_size        INTEGER NOT NULL,
    body_over_limit  INTEGER NOT NULL DEFAULT 0,
    content_type     TEXT,
    remote_addr      TEXT    NOT NULL
);
CREATE INDEX captures_endpoint_id ON captures (endpoint, id);

CREATE TABLE endpoints (
    name               TEXT PRIMARY KEY,
    path_prefix        TEXT NOT NULL UNIQUE,
    response_status    INTEGER NOT NULL DEFAULT 200,
    response_headers   TEXT NOT NULL DEFAULT '[]',       -- JSON [[name, value], ...]
    response_body      TEXT NOT NULL DEFAULT '',
    response_delay_ms  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO endpoints (name, path_prefix) VALUES ('default', '/');

CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
INSERT INTO settings (key, value) VALUES ('retention.max_captures', '100000');
