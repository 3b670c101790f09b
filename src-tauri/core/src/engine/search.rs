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

/// Candidates an expression is evaluated on in one page before it returns what it has: about
/// half a second on two cores for 1–10 KiB JSON bodies (each is loaded, parsed and evaluated).
pub const SCAN_BUDGET: usize = 10_000;
/// Most threads evaluating an expression at once (each on a read connection of its own).
const MAX_WORKERS: usize = 4;
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

/// Evaluates `expr` on each capture of `ids` (in order), split over the machine's cores.
fn evaluate_all(readers: &Readers, expr: &Filter, ids: &[CaptureId]) -> Result<Vec<bool>> {
    let one = |part: &[CaptureId]| -> Result<Vec<bool>> {
        readers.with(|c| part.iter().map(|&id| evaluate(c, expr, id).map_err(|e| readers.error(e))).collect())
    };
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(MAX_WORKERS);
    if workers < 2 || ids.len() < 32 {
        return one(ids);
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = ids.chunks(ids.len().div_ceil(workers)).map(|part| s.spawn(move || one(part))).collect();
        let mut out = Vec::with_capacity(ids.len());
        for h in handles {
            out.extend(h.join().map_err(|_| Error::Internal("an expression worker failed".into()))??);
        }
        Ok(out)
    })
}

/// Every match of `plan`, oldest first (an expression evaluated on every candidate).
fn all_matches(readers: &Readers, plan: &Plan) -> Result<Vec<CaptureId>> {
    let Some(expr) = &plan.expr else {
        return readers.with(|c| sql::all_ids(c, &plan.sql).map_err(|e| readers.error(e)));
    };
    let mut out = Vec::new();
    let mut before = CaptureId::MAX;
    loop {
        let batch = readers.with(|c| sql::candidate_ids(c, &plan.sql, before, CANDIDATE_BATCH).map_err(|e| readers.error(e)))?;
        let Some(&last) = batch.last() else { break };
        let hits = evaluate_all(readers, expr, &batch)?;
        out.extend(batch.iter().zip(hits).filter(|(_, hit)| *hit).map(|(id, _)| *id));
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
            all_matches(&i.search.readers, &plan)
        })
        .await
    }

    /// How many captures match `filter`, the expression evaluated on every candidate.
    pub async fn count_matches(&self, filter: CaptureFilter) -> Result<u64> {
        self.blocking(move |i| {
            let plan = plan(&filter)?;
            let r = &i.search.readers;
            if plan.expr.is_none() {
                return r.with(|c| sql::count(c, &plan.sql).map_err(|e| r.error(e)));
            }
            all_matches(r, &plan).map(|ids| ids.len() as u64)
        })
        .await
    }

    /// A page of captures matching `req.filter`, newest first, older than `req.before`.
    pub async fn list_captures(&self, req: ListCapturesReq) -> Result<CapturePage> {
        self.blocking(move |i| {
            let plan = plan(&req.filter)?;
            let limit = req.limit.unwrap_or(captures::DEFAULT_PAGE).clamp(1, captures::MAX_PAGE);
            let before = req.before.unwrap_or(CaptureId::MAX);
            page(&i.search.readers, &plan, before, limit)
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
fn page(readers: &Readers, plan: &Plan, before: CaptureId, limit: u32) -> Result<CapturePage> {
    let db = |f: &dyn Fn(&rusqlite::Connection) -> rusqlite::Result<_>| readers.with(|c| f(c).map_err(|e| readers.error(e)));
    let (ids, next_before, partial, total) = match &plan.expr {
        None => {
            let mut ids = readers.with(|c| sql::candidate_ids(c, &plan.sql, before, limit + 1).map_err(|e| readers.error(e)))?;
            let next = if ids.len() > limit as usize {
                ids.truncate(limit as usize);
                ids.last().copied()
            } else {
                None
            };
            (ids, next, false, Some(db(&|c| sql::count(c, &plan.sql))?))
        }
        Some(expr) => {
            let mut ids = Vec::new();
            let mut cursor = before;
            let mut scanned = 0;
            let (mut full, mut spent) = (false, false);
            'scan: while !full && !spent {
                // Small batches while few matches are missing, so a dense match costs little.
                let want = ((limit as usize - ids.len()) * 2).clamp(64, CANDIDATE_BATCH as usize);
                let want = want.min(SCAN_BUDGET - scanned) as u32;
                let batch = readers.with(|c| sql::candidate_ids(c, &plan.sql, cursor, want).map_err(|e| readers.error(e)))?;
                if batch.is_empty() {
                    break;
                }
                let hits = evaluate_all(readers, expr, &batch)?;
                for (id, hit) in batch.into_iter().zip(hits) {
                    cursor = id;
                    scanned += 1;
                    if hit {
                        ids.push(id);
                        if ids.len() == limit as usize {
                            full = true;
                            break 'scan;
                        }
                    }
                }
                spent = scanned >= SCAN_BUDGET;
            }
            (ids, (full || spent).then_some(cursor), spent && !full, None)
        }
    };
    let (items, stored) = readers.with(|c| {
        let heads = captures::heads(c, &ids).map_err(|e| readers.error(e))?;
        Ok((heads, captures::count(c).map_err(|e| readers.error(e))?))
    })?;
    Ok(CapturePage { items: items.into_iter().map(Into::into).collect(), next_before, total, stored, partial })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CaptureSignature, EventKeys, HeaderList, NewCapture, Via};

    fn capture(i: usize) -> NewCapture {
        let body = format!(r#"{{"n":{i},"type":"{}"}}"#, if i == 3 { "rare.event" } else { "common" });
        NewCapture {
            received_at_us: i as i64,
            endpoint: "default".into(),
            method: "POST".into(),
            path: "/p".into(),
            query: String::new(),
            url: "http://127.0.0.1/p".into(),
            headers: HeaderList::default(),
            body_size: body.len() as u64,
            body: body.into_bytes(),
            body_over_limit: false,
            content_type: Some("application/json".into()),
            remote_addr: "127.0.0.1:1".into(),
            via: Via::Local,
            forwarded_for: None,
            event: EventKeys::default(),
            duplicate_of: None,
        }
    }

    /// An expression that matches one old capture: pages stop at the budget (partial, with
    /// where to go on), and asking again from there reaches it; the count sees it at once.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_expression_scan_stops_at_its_budget_and_resumes() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(crate::Config { keyring: crate::KeyringMode::Off, ..crate::Config::new(dir.path().to_owned()) }).unwrap();
        let n = SCAN_BUDGET + 500;
        engine
            .inner
            .store
            .with(|c| {
                let tx = c.transaction()?;
                for i in 0..n {
                    captures::insert(&tx, &capture(i), &CaptureSignature::default())?;
                }
                tx.commit()
            })
            .unwrap();
        let filter = CaptureFilter { query: Some(r#"type == "rare.event""#.into()), ..Default::default() };
        let first = engine.list_captures(ListCapturesReq { limit: Some(10), before: None, filter: filter.clone() }).await.unwrap();
        assert!(first.items.is_empty() && first.partial && first.total.is_none(), "{first:?}");
        assert_eq!(first.stored, n as u64);
        let resume = first.next_before.expect("where to go on");
        assert_eq!(resume, (n - SCAN_BUDGET) as i64 + 1, "the last capture looked at");
        let second = engine.list_captures(ListCapturesReq { limit: Some(10), before: Some(resume), filter: filter.clone() }).await.unwrap();
        assert_eq!(second.items.len(), 1);
        assert_eq!((second.next_before, second.partial), (None, false));
        assert_eq!(engine.count_matches(filter.clone()).await.unwrap(), 1);
        assert_eq!(engine.matching_ids(filter).await.unwrap(), [second.items[0].id]);
        // A parse error says where.
        let bad = CaptureFilter { query: Some("type ==".into()), ..Default::default() };
        let e = engine.list_captures(ListCapturesReq { limit: None, before: None, filter: bad }).await.unwrap_err();
        assert!(matches!(&e, Error::InvalidInput(m) if m.starts_with("query: ") && m.contains("line 1, column")), "{e}");
        // Saved filters: the expression must parse; saved ones come back by name.
        let f = CaptureFilter { query: Some("n > 1".into()), verdict: Some(crate::ipc::VerdictChip::Invalid), ..Default::default() };
        engine.save_filter(SavedFilterView { name: " big ones ".into(), filter: f.clone() }).await.unwrap();
        assert_eq!(engine.saved_filters().await.unwrap(), [SavedFilterView { name: "big ones".into(), filter: f }]);
        let refused = SavedFilterView { name: "x".into(), filter: CaptureFilter { query: Some("(".into()), ..Default::default() } };
        assert!(engine.save_filter(refused).await.is_err());
        engine.remove_filter("big ones".into()).await.unwrap();
        assert!(matches!(engine.remove_filter("big ones".into()).await, Err(Error::NotFound(_))));
    }
}
