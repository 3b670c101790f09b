-- 0012: the list's chips read from one index. Append-only: never edit once landed.
-- Rows are large (bodies of kilobytes, and the columns added since 0001 sit after the body, in
-- overflow pages), so a chip must never be checked by reading rows in bulk: captures_chips holds
-- every chip column in id order, so any combination of chips is paged (newest first) and counted
-- from this index alone, and the full-text join looks captures up in it by id. It is appended at
-- its end on every insert (ids only grow). It replaces captures_received, which could serve only
-- the time chip and cost every insert a write in the middle of a second tree.
CREATE INDEX captures_chips ON captures (id, endpoint, method, via, verdict_status, event_type, received_at_us, pinned, duplicate_of);
DROP INDEX captures_received;
