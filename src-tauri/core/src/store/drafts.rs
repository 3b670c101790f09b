//! The `replay_drafts` table: one saved edit per capture (its JSON is the engine's business),
//! kept across restarts until the request is sent or the user discards it.

use rusqlite::{params, Connection, OptionalExtension};

use crate::model::CaptureId;

/// The saved draft of `capture_id` as `(json, saved_at_us)`.
pub fn get(conn: &Connection, capture_id: CaptureId) -> rusqlite::Result<Option<(String, i64)>> {
    conn.query_row("SELECT draft, saved_at_us FROM replay_drafts WHERE capture_id = ?1", [capture_id], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
    .optional()
}

pub fn set(conn: &Connection, capture_id: CaptureId, json: &str, saved_at_us: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO replay_drafts (capture_id, draft, saved_at_us) VALUES (?1, ?2, ?3)
         ON CONFLICT (capture_id) DO UPDATE SET draft = ?2, saved_at_us = ?3",
        params![capture_id, json, saved_at_us],
    )?;
    Ok(())
}

/// Forgets the draft; false when there was none.
pub fn delete(conn: &Connection, capture_id: CaptureId) -> rusqlite::Result<bool> {
    Ok(conn.execute("DELETE FROM replay_drafts WHERE capture_id = ?1", [capture_id])? > 0)
}
