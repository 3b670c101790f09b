//! The `saved_filters` table: filters the user named (JSON of [`CaptureFilter`]).

use rusqlite::{params, Connection};

use crate::ipc::{CaptureFilter, SavedFilterView};

/// Every saved filter, by name. A row whose JSON no longer reads is skipped.
pub fn list(conn: &Connection) -> rusqlite::Result<Vec<SavedFilterView>> {
    let mut stmt = conn.prepare_cached("SELECT name, filter FROM saved_filters ORDER BY name")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (name, json) = row?;
        match serde_json::from_str::<CaptureFilter>(&json) {
            Ok(filter) => out.push(SavedFilterView { name, filter }),
            Err(e) => tracing::warn!("saved filter {name:?} does not read ({e}); skipped"),
        }
    }
    Ok(out)
}

/// Saves `view` under its name (replacing one of that name).
pub fn save(conn: &Connection, view: &SavedFilterView, now_us: i64) -> rusqlite::Result<()> {
    let json = serde_json::to_string(&view.filter).unwrap_or_else(|_| "{}".into());
    conn.execute(
        "INSERT INTO saved_filters (name, filter, created_at_us) VALUES (?1, ?2, ?3)
         ON CONFLICT (name) DO UPDATE SET filter = excluded.filter",
        params![view.name, json, now_us],
    )?;
    Ok(())
}

/// Removes a saved filter; false when there is none of that name.
pub fn remove(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    Ok(conn.execute("DELETE FROM saved_filters WHERE name = ?1", [name])? > 0)
}
