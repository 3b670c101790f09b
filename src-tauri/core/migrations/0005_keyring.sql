-- 0005: secrets in the OS keyring. Append-only: never edit once landed; add 0006_….sql.
-- When `keyring_ref` is set, the value lives in the OS keyring under that entry name
-- (service 'dev.hookloupe.app') and the value column holds ''. NULL: the value is here
-- (no keyring answered, or HOOKLOUPE_KEYRING=off).
ALTER TABLE endpoint_secrets ADD COLUMN keyring_ref TEXT;
ALTER TABLE credentials ADD COLUMN keyring_ref TEXT;
