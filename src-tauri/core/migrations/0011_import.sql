-- 0011: provenance of imported captures (via = 'import'). Append-only: never edit once landed.
-- import_source: the format they came in (`jsonl`, `har`, `curl`); import_via: how they first
-- reached a Hookloupe (`local`, `tunnel`) when the file said. NULL for captures received here.
ALTER TABLE captures ADD COLUMN import_source TEXT;
ALTER TABLE captures ADD COLUMN import_via TEXT;
