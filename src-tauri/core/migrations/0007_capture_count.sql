-- 0007: the number of stored captures, kept exact by triggers in the same transaction as every
-- insert and delete (any process, any connection), so that retention and the list's total read
-- one row instead of counting the table. Append-only: never edit once landed.
CREATE TABLE capture_count (
    only  INTEGER PRIMARY KEY CHECK (only = 1),
    n     INTEGER NOT NULL
);
INSERT INTO capture_count (only, n) SELECT 1, count(*) FROM captures;
CREATE TRIGGER capture_count_insert AFTER INSERT ON captures
BEGIN
    UPDATE capture_count SET n = n + 1 WHERE only = 1;
END;
CREATE TRIGGER capture_count_delete AFTER DELETE ON captures
BEGIN
    UPDATE capture_count SET n = n - 1 WHERE only = 1;
END;
