//! Embedded, append-only schema migrations tracked by SQLite's `user_version`.
//!
//! Migration N is `MIGRATIONS[N-1]`; a database at version V gets every migration after V,
//! each in its own transaction. Landed migrations are never edited, only appended to.

use rusqlite::Connection;

const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/0001_init.sql"),
    include_str!("../../migrations/0002_diff.sql"),
    include_str!("../../migrations/0003_signatures.sql"),
    include_str!("../../migrations/0004_tunnel.sql"),
    include_str!("../../migrations/0005_keyring.sql"),
    include_str!("../../migrations/0006_keyring_trash.sql"),
    include_str!("../../migrations/0007_capture_count.sql"),
    include_str!("../../migrations/0008_deliveries.sql"),
    include_str!("../../migrations/0009_forwarding.sql"),
    include_str!("../../migrations/0010_search.sql"),
    include_str!("../../migrations/0011_import.sql"),
    include_str!("../../migrations/0012_search_chips.sql"),
];

pub(super) fn run(conn: &Connection) -> rusqlite::Result<()> {
    let current = conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))? as usize;
    if current > MIGRATIONS.len() {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ERROR),
            Some(format!(
                "the database schema (version {current}) is newer than this Hookloupe understands ({}); update Hookloupe",
                MIGRATIONS.len()
            )),
        ));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        conn.execute_batch(&format!(
            "BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {};\nCOMMIT;",
            i + 1
        ))
        .inspect_err(|_| {
            let _ = conn.execute_batch("ROLLBACK");
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrates_once_and_is_idempotent() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        super::run(&conn).unwrap();
        super::run(&conn).unwrap();
        let v: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        assert_eq!(v as usize, super::MIGRATIONS.len());
        let n: i64 = conn.query_row("SELECT count(*) FROM endpoints WHERE name='default'", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 1);
    }
}
