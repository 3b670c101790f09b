//! The `keyring_trash` table: names of OS keyring entries that nothing refers to any more but
//! that could not be deleted when they were dropped (keyring locked or not answering). The
//! engine sweeps them at the next start with a keyring. Holds names only, never values.

use rusqlite::{Connection, OptionalExtension};

pub fn add(conn: &Connection, keys: &[String]) -> rusqlite::Result<()> {
    for key in keys {
        conn.execute("INSERT OR IGNORE INTO keyring_trash (keyring_ref) VALUES (?1)", [key])?;
    }
    Ok(())
}

pub fn list(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT keyring_ref FROM keyring_trash ORDER BY keyring_ref")?;
    let keys = stmt.query_map([], |r| r.get(0))?.collect();
    keys
}

/// Forgets `key` once deleted, unless something refers to it again.
pub fn remove(conn: &Connection, key: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM keyring_trash WHERE keyring_ref = ?1", [key])?;
    Ok(())
}

/// Whether a secret or credential still names `key` (then it must not be deleted).
pub fn in_use(conn: &Connection, key: &str) -> rusqlite::Result<bool> {
    let used = conn
        .query_row(
            "SELECT 1 FROM endpoint_secrets WHERE keyring_ref = ?1 UNION SELECT 1 FROM credentials WHERE keyring_ref = ?1",
            [key],
            |_| Ok(()),
        )
        .optional()?;
    Ok(used.is_some())
}
