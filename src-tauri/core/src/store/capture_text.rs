//! The full-text index `capture_text` (FTS5, contentless with delete support, rowid = capture
//! id; migration 0010): adding a capture's words, and the backfill of captures stored before
//! the index existed. Which words is [`crate::search::text`]'s business; removing a capture's
//! row is a trigger's (deletes, clear and retention stay in step in their own transaction).
//!
//! Backfill: a capture whose `text_indexed` is 0 (stored before migration 0010, or inserted by
//! something other than [`super::captures::insert`]) is indexed by [`backfill_step`], newest
//! first, [`BACKFILL_STEP`] rows per transaction; the engine runs steps on a thread of its own
//! from the moment it opens until none is left (see `engine::search`). A partial index makes
//! "is anything left?" free once done.

use rusqlite::{params, Connection, TransactionBehavior};

use crate::model::{CaptureId, HeaderList, NewCapture};
use crate::search::text::{text_of, Indexed};

/// Captures indexed per backfill transaction: small enough that the capture writer, which
/// waits for the lock meanwhile, is held up for tens of milliseconds at most.
pub const BACKFILL_STEP: u32 = 2000;

/// Adds the words of capture `id` to the index (inside the caller's transaction).
pub(crate) fn index(conn: &Connection, id: CaptureId, c: &NewCapture) -> rusqlite::Result<()> {
    let text = text_of(Indexed {
        path: &c.path,
        query: &c.query,
        headers: &c.headers,
        body: &c.body,
        content_type: c.content_type.as_deref(),
    });
    conn.prepare_cached("INSERT INTO capture_text (rowid, text) VALUES (?1, ?2)")?.execute(params![id, text])?;
    Ok(())
}

/// True while some capture is not indexed yet (a lookup in a partial index).
pub fn pending(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row("SELECT EXISTS (SELECT 1 FROM captures WHERE text_indexed = 0)", [], |r| r.get(0))
}

/// Indexes up to [`BACKFILL_STEP`] unindexed captures, newest first, in one transaction;
/// returns how many (0: nothing left).
pub fn backfill_step(conn: &mut Connection) -> rusqlite::Result<usize> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    type Row = (CaptureId, String, String, Vec<u8>, Vec<u8>, Option<String>);
    let rows: Vec<Row> = {
        let mut stmt = tx.prepare_cached(
            "SELECT id, path, query, headers, body, content_type FROM captures
             WHERE text_indexed = 0 ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([BACKFILL_STEP], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (id, path, query, headers, body, content_type) in &rows {
        let headers = HeaderList::decode(headers);
        let text = text_of(Indexed { path, query, headers: &headers, body, content_type: content_type.as_deref() });
        tx.prepare_cached("INSERT INTO capture_text (rowid, text) VALUES (?1, ?2)")?.execute(params![id, text])?;
        tx.prepare_cached("UPDATE captures SET text_indexed = 1 WHERE id = ?1")?.execute([id])?;
    }
    tx.commit()?;
    Ok(rows.len())
}
