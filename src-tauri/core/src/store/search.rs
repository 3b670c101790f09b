//! The SQL of finding captures: a [`CaptureFilter`]'s chips and full-text words as one query,
//! keyset-paged newest first (`id < before ORDER BY id DESC LIMIT n`), its exact count, and the
//! read connections such scans run on. Expressions (CEL) are not evaluated here: the engine
//! takes candidates from [`candidate_ids`] and evaluates them.
//!
//! Rows are large (bodies inline, later columns in overflow pages), so chips are never checked by
//! reading rows in bulk (migrations 0010, 0012): any combination of chips is paged and counted from
//! `captures_chips`, an index holding every chip column in id order; a rare chip (pins,
//! duplicates, tunnel/import, a selection, forward failed) or a lone endpoint, verdict or event
//! type uses its own smaller index instead. Full text is taken from FTS5 in rowid order
//! (`rowid < ? ORDER BY rowid DESC`, which FTS5 serves from its index), each candidate looked up
//! by id in `captures_chips` for the chips. The unfiltered count is the `capture_count` row.
//!
//! [`Readers`] is a small pool of connections of its own, so a long scan never holds the
//! [`super::Store`] mutex that other reads and the window use (WAL lets readers run alongside
//! the writer and each other).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection};

use crate::error::{Error, Result};
use crate::ipc::{CaptureFilter, VerdictChip};
use crate::model::CaptureId;

/// Connections kept open for searches when idle.
const IDLE_READERS: usize = 4;

/// A small pool of read connections on the database.
pub struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl Readers {
    pub fn new(path: &Path) -> Readers {
        Readers { path: path.to_owned(), idle: Mutex::new(Vec::new()) }
    }

    /// Runs `f` on an idle connection (opening one when none is), then keeps it for the next.
    pub fn with<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let conn = match conn {
            Some(c) => c,
            None => super::connect(&self.path)?,
        };
        let out = f(&conn);
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < IDLE_READERS {
                idle.push(conn);
            }
        }
        out
    }

    /// Maps a SQLite error of a search to the user-facing error.
    pub fn error(&self, e: rusqlite::Error) -> Error {
        Error::from_sqlite(&self.path, e)
    }
}

/// The SQL part of a filter: the chips and the FTS5 expression (already made safe by
/// [`crate::search::words`]). Build with [`Sql::of`].
#[derive(Debug, Clone, Default)]
pub struct Sql {
    /// Conditions on `c` (the captures), joined with AND.
    conds: Vec<String>,
    params: Vec<Value>,
    fts: Option<String>,
    /// A chip with a small partial index of its own (pinned, duplicates, tunnel/import, a
    /// selection, forward failed), or a lone chip with its own `(column, id)` index: then the
    /// planner's choice of index is best. Otherwise the chips are read from `captures_chips`.
    own_index: bool,
}

fn verdict_text(v: VerdictChip) -> Option<&'static str> {
    match v {
        VerdictChip::Valid => Some("valid"),
        VerdictChip::Invalid => Some("invalid"),
        VerdictChip::Expired => Some("expired"),
        VerdictChip::Unsigned => Some("unsigned"),
        VerdictChip::NoSecret => Some("no_secret"),
        VerdictChip::None => None,
    }
}

impl Sql {
    /// The chips of `filter` and its full-text words (the expression, `query`, is not SQL).
    pub fn of(filter: &CaptureFilter) -> Sql {
        let mut s = Sql { fts: filter.search.as_deref().and_then(crate::search::words::match_expression), ..Sql::default() };
        let lone_indexed = [filter.endpoint.is_some(), filter.verdict.is_some(), filter.event_type.is_some()];
        if let Some(e) = &filter.endpoint {
            s.cond("c.endpoint = ?", [Value::Text(e.clone())]);
        }
        if let Some(m) = &filter.method {
            s.cond("c.method = ?", [Value::Text(m.clone())]);
        }
        match filter.verdict {
            None => {}
            Some(v) => match verdict_text(v) {
                Some(t) => s.cond("c.verdict_status = ?", [Value::Text(t.into())]),
                None => s.cond("c.verdict_status IS NULL", []),
            },
        }
        if let Some(t) = &filter.event_type {
            s.cond("c.event_type = ?", [Value::Text(t.clone())]);
        }
        if filter.duplicates {
            s.cond("c.duplicate_of IS NOT NULL", []);
        }
        if filter.forward_failed {
            s.cond("c.id IN (SELECT capture_id FROM forwards WHERE state = 'failed')", []);
        }
        if let Some(via) = &filter.via {
            // Spelled out for the partial index (via <> 'local'), which a parameter cannot use.
            if via == "local" {
                s.cond("c.via = 'local'", []);
            } else {
                s.cond("c.via = ? AND c.via <> 'local'", [Value::Text(via.clone())]);
            }
        }
        if let Some(since) = filter.since_us {
            s.cond("c.received_at_us >= ?", [Value::Integer(since)]);
        }
        if let Some(until) = filter.until_us {
            s.cond("c.received_at_us < ?", [Value::Integer(until)]);
        }
        if filter.pinned {
            s.cond("c.pinned = 1", []);
        }
        if let Some(ids) = &filter.ids {
            let list = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
            s.cond("c.id IN (SELECT value FROM json_each(?))", [Value::Text(list)]);
        }
        let rare = filter.pinned
            || filter.duplicates
            || filter.forward_failed
            || filter.ids.is_some()
            || filter.via.as_deref().is_some_and(|v| v != "local");
        s.own_index = rare || (s.conds.len() == 1 && lone_indexed.iter().any(|b| *b));
        s
    }

    /// The captures as the query reads them: through `captures_chips` (every chip column, in
    /// id order: nothing read from the large rows) unless a better index of its own applies.
    fn captures(&self) -> &'static str {
        if self.conds.is_empty() || (self.own_index && self.fts.is_none()) {
            "captures c"
        } else {
            "captures c INDEXED BY captures_chips"
        }
    }

    fn cond<const N: usize>(&mut self, sql: &str, params: [Value; N]) {
        self.conds.push(sql.to_owned());
        self.params.extend(params);
    }

    /// True when nothing narrows the set (every capture matches).
    pub fn is_everything(&self) -> bool {
        self.conds.is_empty() && self.fts.is_none()
    }

    /// The FTS5 expression, when there are words.
    pub fn fts(&self) -> Option<&str> {
        self.fts.as_deref()
    }

    fn where_chips(&self) -> String {
        self.conds.iter().map(|c| format!(" AND ({c})")).collect()
    }
}

/// Ids of matching captures older than `before`, newest first, at most `limit`.
pub fn candidate_ids(conn: &Connection, sql: &Sql, before: CaptureId, limit: u32) -> rusqlite::Result<Vec<CaptureId>> {
    let (text, params) = page_query(sql, before, limit);
    let mut stmt = conn.prepare_cached(&text)?;
    let ids = stmt.query_map(params_from_iter(params), |r| r.get(0))?.collect();
    ids
}

/// The SQL and parameters of [`candidate_ids`].
fn page_query(sql: &Sql, before: CaptureId, limit: u32) -> (String, Vec<Value>) {
    let (chips, captures) = (sql.where_chips(), sql.captures());
    let mut params: Vec<Value> = Vec::with_capacity(sql.params.len() + 3);
    let text = match sql.fts() {
        // CROSS JOIN keeps FTS5 the outer loop: it walks its index newest first, and each
        // candidate is checked against the chips by id.
        Some(m) => {
            params.push(Value::Text(m.to_owned()));
            params.push(Value::Integer(before));
            params.extend(sql.params.iter().cloned());
            format!(
                "SELECT t.rowid FROM capture_text t CROSS JOIN {captures} ON c.id = t.rowid
                 WHERE t.capture_text MATCH ? AND t.rowid < ?{chips} ORDER BY t.rowid DESC LIMIT ?"
            )
        }
        None => {
            params.push(Value::Integer(before));
            params.extend(sql.params.iter().cloned());
            format!("SELECT c.id FROM {captures} WHERE c.id < ?{chips} ORDER BY c.id DESC LIMIT ?")
        }
    };
    params.push(Value::Integer(limit as i64));
    (text, params)
}

/// Ids of every matching capture, oldest first.
pub fn all_ids(conn: &Connection, sql: &Sql) -> rusqlite::Result<Vec<CaptureId>> {
    let (chips, captures) = (sql.where_chips(), sql.captures());
    let mut params: Vec<Value> = Vec::new();
    let text = match sql.fts() {
        Some(m) => {
            params.push(Value::Text(m.to_owned()));
            params.extend(sql.params.iter().cloned());
            format!(
                "SELECT t.rowid FROM capture_text t CROSS JOIN {captures} ON c.id = t.rowid
                 WHERE t.capture_text MATCH ?{chips} ORDER BY t.rowid"
            )
        }
        None => {
            params.extend(sql.params.iter().cloned());
            format!("SELECT c.id FROM {captures} WHERE 1{chips} ORDER BY c.id")
        }
    };
    let mut stmt = conn.prepare_cached(&text)?;
    let ids = stmt.query_map(params_from_iter(params), |r| r.get(0))?.collect();
    ids
}

/// How many captures match (exactly): the `capture_count` row when nothing narrows the set.
pub fn count(conn: &Connection, sql: &Sql) -> rusqlite::Result<u64> {
    if sql.is_everything() {
        return super::captures::count(conn);
    }
    let (chips, captures) = (sql.where_chips(), sql.captures());
    let mut params: Vec<Value> = Vec::new();
    let text = match sql.fts() {
        Some(m) if sql.conds.is_empty() => {
            params.push(Value::Text(m.to_owned()));
            "SELECT count(*) FROM capture_text WHERE capture_text MATCH ?".to_owned()
        }
        Some(m) => {
            params.push(Value::Text(m.to_owned()));
            params.extend(sql.params.iter().cloned());
            format!(
                "SELECT count(*) FROM capture_text t CROSS JOIN {captures} ON c.id = t.rowid
                 WHERE t.capture_text MATCH ?{chips}"
            )
        }
        None => {
            params.extend(sql.params.iter().cloned());
            format!("SELECT count(*) FROM {captures} WHERE 1{chips}")
        }
    };
    let n: i64 = conn.prepare_cached(&text)?.query_row(params_from_iter(params), |r| r.get(0))?;
    Ok(n.max(0) as u64)
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
