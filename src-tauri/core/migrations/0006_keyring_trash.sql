-- 0006: keyring entries Hookloupe no longer refers to but could not delete at the time
-- (keyring locked or not answering). Swept at the next start with a keyring. Append-only.
CREATE TABLE keyring_trash (
    keyring_ref TEXT PRIMARY KEY
);
