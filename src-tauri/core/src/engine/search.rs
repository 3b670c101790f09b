//! Finding captures: the list page for a [`CaptureFilter`] (chips, full text, a CEL
//! expression), its count, the ids an export takes, pins, saved filters, and the background
//! backfill of the full-text index. SQL is `store::search`'s; the expression language is
//! `query`'s; this module decides how they combine and bounds the work of one call.
//!
//! Without an expression a page is one SQL query and the total is exact. With one, SQL
//! candidates (the chips and words) are taken newest first in batches, each loaded and
//! evaluated, until the page is full or [`SCAN_BUDGET`] candidates were looked at: then the page
//! is `partial`, `next_before` is the last capture looked at, and the caller asks again from
//! there. An evaluation error (a missing field…) is no match. `total` is `null` then: counting
//! means evaluating every candidate, which [`Engine::count_matches`] does on request.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::{Engine, Inner};
use crate::error::{Error, Result};
use crate::event::Event;
use crate::ipc::{CaptureFilter, CapturePage, ListCapturesReq, SavedFilterView};
use crate::model::CaptureId;
use crate::query::{self, Filter, Subject};
use crate::store::search::{self as sql, Readers, Sql};
use crate::store::{capture_text, captures, saved_filters};

/// Candidates an expression is evaluated on in one page before it returns what it has.
pub const SCAN_BUDGET: usize = 20_000;
/// Candidates taken from SQL at a time while evaluating an expression.
const CANDIDATE_BATCH: u32 = 500;
/// Pause between backfill steps, so the capture writer gets the lock in between.
const BACKFILL_PAUSE: Duration = Duration::from_millis(20);
/// Longest name of a saved filter.
const MAX_NAME: usize = 100;

/// The engine's search state: read connections of their own, and whether a backfill runs.
pub(crate) struct SearchState {
    pub(crate) readers: Readers,
    backfilling: AtomicBool,
}

impl SearchState {
    pub(crate) fn new(path: &std::path::Path) -> SearchState {
        SearchState { readers: Readers::new(path), backfilling: AtomicBool::new(false) }
    }
}

/// A filter checked and compiled: its SQL part and its expression.
struct Plan {
    sql: Sql,
    expr: Option<Filter>,
}

/// Checks a filter and compiles its expression (a parse error says where: line, column).
fn plan(filter: &CaptureFilter) -> Result<Plan> {
    let mut f = filter.clone();
    f.endpoint = f.endpoint.map(|e| e.trim().to_owned()).filter(|e| !e.is_empty());
    f.method = f.method.map(|m| m.trim().to_ascii_uppercase()).filter(|m| !m.is_empty());
    f.event_type = f.event_type.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    f.via = f.via.map(|v| v.trim().to_ascii_lowercase()).filter(|v| !v.is_empty());
    if let Some(v) = &f.via {
        if !matches!(v.as_str(), "local" | "tunnel" | "import") {
            return Err(Error::InvalidInput(format!("via {v:?}: use local, tunnel or import")));
        }
    }
    let expr = match f.query.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        None => None,
        Some(src) => Some(query::parse(src).map_err(|e| Error::InvalidInput(format!("query: {e}")))?),
    };
    Ok(Plan { sql: Sql::of(&f), expr })
}

/// Whether the capture `id` matches `expr` (an evaluation error, or a capture gone, is no match).
fn evaluate(conn: &rusqlite::Connection, expr: &Filter, id: CaptureId) -> rusqlite::Result<bool> {
    Ok(match captures::get(conn, id)? {
        Some(c) => expr.matches(&Subject::of(&c)).is_match(),
        None => false,
    })
}

/// Every match of `plan`, oldest first (an expression evaluated on every candidate).
fn all_matches(conn: &rusqlite::Connection, plan: &Plan) -> rusqlite::Result<Vec<CaptureId>> {
    let Some(expr) = &plan.expr else {
        return sql::all_ids(conn, &plan.sql);
    };
    let mut out = Vec::new();
    let mut before = CaptureId::MAX;
    loop {
        let batch = sql::candidate_ids(conn, &plan.sql, before, CANDIDATE_BATCH)?;
        let Some(&last) = batch.last() else { break };
        for id in batch {
            if evaluate(conn, expr, id)? {
                out.push(id);
            }
        }
        before = last;
    }
    out.reverse();
    Ok(out)
}

impl Engine {
    /// Ids of every capture matching `filter`, oldest first (what an export writes).
    pub async fn matching_ids(&self, filter: CaptureFilter) -> Result<Vec<CaptureId>> {
        self.blocking(move |i| {
            let plan = plan(&filter)?;
            let r = &i.search.readers;
            r.with(|c| all_matches(c, &plan).map_err(|e| r.error(e)))
        })
        .await
    }

    /// How many captures match `filter`, the expression evaluated on every candidate.
    pub async fn count_matches(&self, filter: CaptureFilter) -> Result<u64> {
        self.blocking(move |i| {
            let plan = plan(&filter)?;
            let r = &i.search.readers;
            r.with(|c| {
                if plan.expr.is_none() {
                    return sql::count(c, &plan.sql).map_err(|e| r.error(e));
                }
                all_matches(c, &plan).map(|ids| ids.len() as u64).map_err(|e| r.error(e))
            })
        })
        .await
    }

    /// A page of captures matching `req.filter`, newest first, older than `req.before`.
    pub async fn list_captures(&self, req: ListCapturesReq) -> Result<CapturePage> {
        self.blocking(move |i| {
            let plan = plan(&req.filter)?;
            let limit = req.limit.unwrap_or(captures::DEFAULT_PAGE).clamp(1, captures::MAX_PAGE);
            let before = req.before.unwrap_or(CaptureId::MAX);
            let r = &i.search.readers;
            r.with(|c| page(c, &plan, before, limit).map_err(|e| r.error(e)))
        })
        .await
    }

    /// Pins (`true`) or unpins a capture: retention never removes a pinned one.
    pub async fn set_pinned(&self, id: CaptureId, pinned: bool) -> Result<()> {
        self.blocking(move |i| {
            if !i.store.with(|c| captures::set_pinned(c, id, pinned))? {
                return Err(Error::NotFound(format!("no capture with id {id}")));
            }
            let _ = i.events.send(Event::CapturesChanged);
            Ok(())
        })
        .await
    }

    /// The saved filters, by name.
    pub async fn saved_filters(&self) -> Result<Vec<SavedFilterView>> {
        self.blocking(|i| i.store.with(|c| saved_filters::list(c))).await
    }

    /// Saves a filter under its name (replacing one of that name); its expression must parse.
    pub async fn save_filter(&self, view: SavedFilterView) -> Result<SavedFilterView> {
        let name = view.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
            return Err(Error::InvalidInput(format!("a filter's name is one line of 1 to {MAX_NAME} characters")));
        }
        let view = SavedFilterView { name, filter: view.filter };
        self.blocking(move |i| {
            plan(&view.filter)?;
            let now = chrono::Utc::now().timestamp_micros();
            i.store.with(|c| saved_filters::save(c, &view, now))?;
            Ok(view)
        })
        .await
    }

    pub async fn remove_filter(&self, name: String) -> Result<()> {
        self.blocking(move |i| {
            if !i.store.with(|c| saved_filters::remove(c, &name))? {
                return Err(Error::NotFound(format!("no saved filter named {name:?}")));
            }
            Ok(())
        })
        .await
    }
}

/// One page: SQL alone, or SQL candidates evaluated within [`SCAN_BUDGET`].
fn page(conn: &rusqlite::Connection, plan: &Plan, before: CaptureId, limit: u32) -> rusqlite::Result<CapturePage> {
    let stored = captures::count(conn)?;
    let (ids, next_before, partial, total) = match &plan.expr {
        None => {
            let mut ids = sql::candidate_ids(conn, &plan.sql, before, limit + 1)?;
            let next = if ids.len() > limit as usize {
                ids.truncate(limit as usize);
                ids.last().copied()
            } else {
                None
            };
            (ids, next, false, Some(sql::count(conn, &plan.sql)?))
        }
        Some(expr) => {
            let mut ids = Vec::new();
            let mut cursor = before;
            let mut scanned = 0;
            let (mut full, mut spent) = (false, false);
            'scan: loop {
                let batch = sql::candidate_ids(conn, &plan.sql, cursor, CANDIDATE_BATCH)?;
                if batch.is_empty() {
                    break;
                }
                for id in batch {
                    cursor = id;
                    scanned += 1;
                    if evaluate(conn, expr, id)? {
                        ids.push(id);
                        if ids.len() == limit as usize {
                            full = true;
                            break 'scan;
                        }
                    }
                    if scanned >= SCAN_BUDGET {
                        spent = true;
                        break 'scan;
                    }
                }
            }
            ((ids), (full || spent).then_some(cursor), spent, None)
        }
    };
    let items = captures::heads(conn, &ids)?.into_iter().map(Into::into).collect();
    Ok(CapturePage { items, next_before, total, stored, partial })
}

impl Inner {
    /// Starts indexing, on a thread of its own, the captures stored before the full-text index
    /// existed (newest first, one bounded transaction per step, pausing between steps so
    /// captures are never held up for long). Returns at once; does nothing when none is left
    /// or a backfill already runs. Opened again after a restart, an engine picks up where the
    /// last one stopped (each step commits), so nothing stays unindexed for long.
    pub(super) fn start_text_backfill(&self) -> Result<()> {
        if !self.store.with(|c| capture_text::pending(c))? {
            return Ok(());
        }
        if self.search.backfilling.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        let path = self.config.db_path();
        let events = self.events.clone();
        let mut conn = crate::store::connect(&path)?;
        let spawned = std::thread::Builder::new().name("hookloupe-text-backfill".into()).spawn(move || {
            let mut indexed = 0usize;
            let mut failures = 0;
            loop {
                match capture_text::backfill_step(&mut conn) {
                    Ok(0) => break,
                    Ok(n) => {
                        indexed += n;
                        failures = 0;
                    }
                    Err(e) => {
                        failures += 1;
                        if failures > 5 {
                            tracing::warn!("indexing the text of older captures stopped: {e}");
                            break;
                        }
                    }
                }
                std::thread::sleep(BACKFILL_PAUSE);
            }
            if indexed > 0 {
                tracing::info!("indexed the text of {indexed} older captures");
                let _ = events.send(Event::CapturesChanged);
            }
        });
        spawned.map(|_| ()).map_err(|e| Error::io("cannot start the text backfill thread", e))
    }
}
