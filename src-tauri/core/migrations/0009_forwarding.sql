-- 0009: forwarding. Forward rules, and the outbox: one row per (capture, rule), enqueued in the
-- capture's own commit, so an acknowledged capture never loses its forwards.
-- Append-only: never edit once landed.

-- A rule sends the captures of one endpoint (or, with endpoint NULL, of every endpoint: the
-- rules `hookloupe listen --forward-to` makes) to one target URL.
CREATE TABLE forward_rules (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint            TEXT,                         -- NULL: every endpoint
    url                 TEXT    NOT NULL,
    keep_path           INTEGER NOT NULL DEFAULT 0,
    enabled             INTEGER NOT NULL DEFAULT 1,
    filter              TEXT,                         -- CEL source, NULL: every capture
    transform           TEXT    NOT NULL DEFAULT 'none', -- 'none' | 'slack' | 'template'
    template            TEXT,                         -- minijinja source when transform = 'template'
    content_type        TEXT,                         -- of a transformed body
    resign              INTEGER NOT NULL DEFAULT 0,
    only_valid          INTEGER NOT NULL DEFAULT 0,
    skip_duplicates     INTEGER NOT NULL DEFAULT 0,
    timeout_ms          INTEGER NOT NULL,
    attempts            INTEGER NOT NULL,
    backoff_ms          TEXT    NOT NULL,             -- comma-separated milliseconds
    rate                TEXT,                         -- '1/s', NULL: unlimited
    insecure            INTEGER NOT NULL DEFAULT 0,
    answer              INTEGER NOT NULL DEFAULT 0,   -- answer the provider with this target's response
    answer_deadline_ms  INTEGER NOT NULL DEFAULT 5000,
    session_owner       TEXT,                         -- listen --forward-to: the process that owns it
    created_at_us       INTEGER NOT NULL
);

-- The outbox. Open states: 'pending' (first attempt due at next_at_ms), 'scheduled' (a retry
-- due at next_at_ms), 'sending' (claimed by a worker until lease_until_ms; an expired lease
-- means that worker died and the attempt is made again). Closed: 'succeeded', 'failed',
-- 'filtered', 'skipped_duplicate', 'cancelled'. `capture_id` is not a foreign key: the row
-- keeps its history after the capture is deleted.
CREATE TABLE forwards (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    capture_id        INTEGER NOT NULL,
    rule_id           INTEGER NOT NULL,
    url               TEXT    NOT NULL,               -- the rule's target when queued (display)
    event_id          TEXT,                           -- the capture's event id (skip duplicates)
    state             TEXT    NOT NULL,
    decided           INTEGER NOT NULL DEFAULT 0,     -- filter / only-valid / duplicate checks done
    attempts          INTEGER NOT NULL DEFAULT 0,
    queued_at_ms      INTEGER NOT NULL,
    next_at_ms        INTEGER,
    lease_until_ms    INTEGER,
    updated_at_ms     INTEGER NOT NULL,
    last_delivery_id  INTEGER,
    detail            TEXT                            -- why filtered, skipped or failed
);
CREATE INDEX forwards_open ON forwards (rule_id, id) WHERE state IN ('pending', 'scheduled', 'sending');
CREATE INDEX forwards_capture ON forwards (capture_id);
CREATE INDEX forwards_state ON forwards (state, id);
CREATE INDEX forwards_event ON forwards (rule_id, event_id) WHERE state = 'succeeded';

-- Forward attempts in the delivery log name their forward and attempt number.
ALTER TABLE deliveries ADD COLUMN forward_id INTEGER;
ALTER TABLE deliveries ADD COLUMN attempt INTEGER;
CREATE INDEX deliveries_forward ON deliveries (forward_id, id) WHERE forward_id IS NOT NULL;
