//! The `forwards` table: the outbox. One row per (capture, rule), enqueued by the capture
//! writer inside the capture's own commit; the worker claims the oldest open row of each rule
//! (a lease, so two processes never send the same attempt and a dead worker's claim expires),
//! and each attempt is appended to the delivery log in the same transaction as the row's new
//! state — an attempt recorded as succeeded is never made again.
//! Every change moves `updated_at_ms` forward by at least 1 ms, even within one millisecond,
//! so it is the row's version (a window holding two views of a row keeps the later one).
//! Times are unix milliseconds passed in; this module must not decide what happens next (that
//! is [`crate::forward::policy`]).

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};

use super::deliveries::{self, Delivery};
use crate::model::CaptureId;

pub const DEFAULT_PAGE: u32 = 100;
pub const MAX_PAGE: u32 = 1000;

/// States a row can be in. The first three are open.
pub const PENDING: &str = "pending";
pub const SCHEDULED: &str = "scheduled";
pub const SENDING: &str = "sending";
pub const SUCCEEDED: &str = "succeeded";
pub const FAILED: &str = "failed";
pub const FILTERED: &str = "filtered";
pub const SKIPPED_DUPLICATE: &str = "skipped_duplicate";
pub const CANCELLED: &str = "cancelled";

const OPEN: &str = "('pending', 'scheduled', 'sending')";

/// One outbox row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardRow {
    pub id: i64,
    pub capture_id: CaptureId,
    pub rule_id: i64,
    pub url: String,
    pub event_id: Option<String>,
    pub state: String,
    /// The filter, only-valid and duplicate checks were made (or skipped by "send anyway").
    pub decided: bool,
    /// Attempts made in the current round (a retry by hand starts a new round).
    pub attempts: u32,
    pub queued_at_ms: i64,
    pub next_at_ms: Option<i64>,
    pub lease_until_ms: Option<i64>,
    pub updated_at_ms: i64,
    pub last_delivery_id: Option<i64>,
    pub detail: Option<String>,
}

const COLS: &str = "id, capture_id, rule_id, url, event_id, state, decided, attempts, queued_at_ms, next_at_ms,
     lease_until_ms, updated_at_ms, last_delivery_id, detail";

fn row(r: &Row) -> rusqlite::Result<ForwardRow> {
    Ok(ForwardRow {
        id: r.get(0)?,
        capture_id: r.get(1)?,
        rule_id: r.get(2)?,
        url: r.get(3)?,
        event_id: r.get(4)?,
        state: r.get(5)?,
        decided: r.get(6)?,
        attempts: r.get::<_, i64>(7)?.max(0) as u32,
        queued_at_ms: r.get(8)?,
        next_at_ms: r.get(9)?,
        lease_until_ms: r.get(10)?,
        updated_at_ms: r.get(11)?,
        last_delivery_id: r.get(12)?,
        detail: r.get(13)?,
    })
}

/// A forward to enqueue with its capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewForward {
    pub rule_id: i64,
    pub url: String,
    /// When the first attempt is due (queued + the policy's first wait).
    pub due_at_ms: i64,
}

/// Enqueues one forward of `capture_id` (inside the capture's transaction); returns its id.
pub(crate) fn enqueue(
    tx: &Transaction,
    capture_id: CaptureId,
    event_id: Option<&str>,
    f: &NewForward,
    now_ms: i64,
) -> rusqlite::Result<i64> {
    tx.prepare_cached(
        "INSERT INTO forwards (capture_id, rule_id, url, event_id, state, queued_at_ms, next_at_ms, updated_at_ms)
         VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?6, ?5)",
    )?
    .execute(params![capture_id, f.rule_id, f.url, event_id, now_ms, f.due_at_ms])?;
    Ok(tx.last_insert_rowid())
}

/// The head of each rule's queue: its oldest open row. Rows behind a head wait for it (capture
/// order per target).
pub fn heads(conn: &Connection) -> rusqlite::Result<Vec<ForwardRow>> {
    let sql = format!(
        "SELECT {COLS} FROM forwards WHERE id IN (SELECT MIN(id) FROM forwards WHERE state IN {OPEN} GROUP BY rule_id)
         ORDER BY id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([], row)?.collect();
    rows
}

/// Claims a due head for one attempt until `lease_until_ms`. False when another worker (or an
/// action of the user) changed it since it was read.
///
/// A claim need not survive a crash (a lost claim only means the attempt is made again), so it
/// is committed without its own fsync (`synchronous=NORMAL` for this one statement): in WAL mode
/// the next `FULL` commit — the attempt's record — makes it durable with everything before it.
pub fn claim(conn: &Connection, head: &ForwardRow, lease_until_ms: i64, now_ms: i64) -> rusqlite::Result<bool> {
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    let n = conn.execute(
        "UPDATE forwards SET state = 'sending', lease_until_ms = ?4, updated_at_ms = MAX(?5, updated_at_ms + 1)
         WHERE id = ?1 AND state = ?2 AND updated_at_ms = ?3",
        params![head.id, head.state, head.updated_at_ms, lease_until_ms, now_ms],
    );
    let restored = conn.pragma_update(None, "synchronous", "FULL");
    let n = n?;
    restored?;
    Ok(n == 1)
}

/// Makes a claim last longer (the rate limit made the attempt wait).
pub fn extend(conn: &Connection, id: i64, lease_until_ms: i64) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "UPDATE forwards SET lease_until_ms = ?2 WHERE id = ?1 AND state = 'sending'",
        params![id, lease_until_ms],
    )? == 1)
}

/// Ends a claimed row without an attempt (filtered, skipped, or a request that cannot be
/// built). False when the user cancelled it meanwhile.
pub fn close(conn: &Connection, id: i64, state: &str, detail: &str, now_ms: i64) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "UPDATE forwards SET state = ?2, detail = ?3, decided = 1, next_at_ms = NULL, lease_until_ms = NULL, updated_at_ms = MAX(?4, updated_at_ms + 1)
         WHERE id = ?1 AND state = 'sending'",
        params![id, state, detail, now_ms],
    )? == 1)
}

/// What an attempt leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AfterAttempt<'a> {
    /// `succeeded`, `failed`, `cancelled` or `scheduled`.
    pub state: &'a str,
    pub next_at_ms: Option<i64>,
    pub detail: Option<String>,
}

/// Appends the attempt to the delivery log and moves the row on, in one transaction (the
/// checks are then done for good: `decided`). Returns
/// the delivery id, and whether the row moved (false: cancelled by the user meanwhile; the
/// attempt is kept in the log all the same).
pub fn record_attempt(
    conn: &mut Connection,
    forward_id: i64,
    attempt: &Delivery,
    after: &AfterAttempt,
    now_ms: i64,
) -> rusqlite::Result<(i64, bool)> {
    let tx = conn.transaction()?;
    let delivery_id = deliveries::insert(&tx, attempt)?;
    let n = tx.execute(
        "UPDATE forwards SET state = ?2, next_at_ms = ?3, detail = ?4, attempts = attempts + 1, last_delivery_id = ?5,
             lease_until_ms = NULL, updated_at_ms = MAX(?6, updated_at_ms + 1), decided = 1
         WHERE id = ?1 AND state = 'sending'",
        params![forward_id, after.state, after.next_at_ms, after.detail, delivery_id, now_ms],
    )?;
    if n == 0 {
        tx.execute("UPDATE forwards SET last_delivery_id = ?2 WHERE id = ?1", params![forward_id, delivery_id])?;
    }
    tx.commit()?;
    Ok((delivery_id, n == 1))
}

/// The first capture whose event `event_id` this rule forwarded with success, if any.
pub fn first_success(conn: &Connection, rule_id: i64, event_id: &str) -> rusqlite::Result<Option<CaptureId>> {
    conn.query_row(
        "SELECT MIN(capture_id) FROM forwards WHERE rule_id = ?1 AND event_id = ?2 AND state = 'succeeded'",
        params![rule_id, event_id],
        |r| r.get(0),
    )
}

pub fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<ForwardRow>> {
    conn.query_row(&format!("SELECT {COLS} FROM forwards WHERE id = ?1"), [id], row).optional()
}

/// Which rows a page holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum States<'a> {
    All,
    /// pending, scheduled and sending.
    Open,
    One(&'a str),
}

/// Rows newest first, optionally of one capture, older than `before`.
pub fn page(
    conn: &Connection,
    states: States,
    capture_id: Option<CaptureId>,
    limit: Option<u32>,
    before: Option<i64>,
) -> rusqlite::Result<(Vec<ForwardRow>, Option<i64>)> {
    let limit = limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
    let (state_sql, state) = match states {
        States::All => ("1".to_string(), None),
        States::Open => (format!("state IN {OPEN}"), None),
        States::One(s) => ("state = ?4".to_string(), Some(s)),
    };
    let sql = format!(
        "SELECT {COLS} FROM forwards WHERE id < ?1 AND (?2 IS NULL OR capture_id = ?2) AND {state_sql}
         ORDER BY id DESC LIMIT ?3"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let before = before.unwrap_or(i64::MAX);
    let mut items: Vec<ForwardRow> = match state {
        Some(s) => stmt.query_map(params![before, capture_id, limit + 1, s], row)?.collect::<rusqlite::Result<_>>()?,
        None => stmt.query_map(params![before, capture_id, limit + 1], row)?.collect::<rusqlite::Result<_>>()?,
    };
    let next = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|f| f.id)
    } else {
        None
    };
    Ok((items, next))
}

/// "Retry now": a closed row starts a new round of attempts (a filtered or skipped one is sent
/// anyway), a scheduled one is due at once. False when the row is missing or being sent.
pub fn retry(conn: &Connection, id: i64, now_ms: i64) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "UPDATE forwards SET
             attempts = CASE WHEN state = 'scheduled' THEN attempts ELSE 0 END,
             state = CASE WHEN state = 'scheduled' THEN 'scheduled' ELSE 'pending' END,
             decided = 1, next_at_ms = ?2, lease_until_ms = NULL, updated_at_ms = MAX(?2, updated_at_ms + 1),
             detail = CASE WHEN state = 'scheduled' THEN detail ELSE 'retried by hand' END
         WHERE id = ?1 AND state != 'sending'",
        params![id, now_ms],
    )? == 1)
}

/// "Retry all failed": every failed row starts a new round; returns how many.
pub fn retry_failed(conn: &Connection, now_ms: i64) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE forwards SET state = 'pending', attempts = 0, decided = 1, next_at_ms = ?1, lease_until_ms = NULL,
             updated_at_ms = MAX(?1, updated_at_ms + 1), detail = 'retried by hand'
         WHERE state = 'failed'",
        [now_ms],
    )
}

/// Cancels an open row (an attempt in flight still finishes and is logged). False when the row
/// is missing or already closed.
pub fn cancel(conn: &Connection, id: i64, now_ms: i64) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        &format!(
            "UPDATE forwards SET state = 'cancelled', detail = 'cancelled by hand', next_at_ms = NULL, lease_until_ms = NULL,
                 updated_at_ms = MAX(?2, updated_at_ms + 1)
             WHERE id = ?1 AND state IN {OPEN}"
        ),
        params![id, now_ms],
    )? == 1)
}

/// How many rows are in each open state, and how many failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub pending: u64,
    pub scheduled: u64,
    pub sending: u64,
    pub failed: u64,
}

pub fn counts(conn: &Connection) -> rusqlite::Result<Counts> {
    let mut stmt = conn.prepare_cached(
        "SELECT state, COUNT(*) FROM forwards WHERE state IN ('pending', 'scheduled', 'sending', 'failed') GROUP BY state",
    )?;
    let mut c = Counts::default();
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    for r in rows {
        let (state, n) = r?;
        let n = n.max(0) as u64;
        match state.as_str() {
            PENDING => c.pending = n,
            SCHEDULED => c.scheduled = n,
            SENDING => c.sending = n,
            _ => c.failed = n,
        }
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(conn: &Connection, id: i64) -> i64 {
        get(conn, id).unwrap().unwrap().updated_at_ms
    }

    /// Changes within one millisecond still order: the window keeps the later view of a row
    /// (a retry's answer can reach it after the success that followed).
    #[test]
    fn every_change_moves_the_version_forward_within_one_millisecond() {
        let conn = Connection::open_in_memory().unwrap();
        crate::store::migrate::run(&conn).unwrap();
        conn.execute(
            "INSERT INTO forwards (capture_id, rule_id, url, state, queued_at_ms, next_at_ms, updated_at_ms)
             VALUES (1, 1, 'http://127.0.0.1:9/', 'pending', 1000, 1000, 1000)",
            [],
        )
        .unwrap();
        let id = conn.last_insert_rowid();
        let now = 1000;
        let head = get(&conn, id).unwrap().unwrap();
        assert!(claim(&conn, &head, now + 30_000, now).unwrap());
        assert_eq!(version(&conn, id), 1001);
        assert!(close(&conn, id, "failed", "answered 500", now).unwrap());
        assert_eq!(version(&conn, id), 1002);
        assert!(retry(&conn, id, now).unwrap());
        assert_eq!(version(&conn, id), 1003);
        assert!(cancel(&conn, id, now).unwrap());
        assert_eq!(version(&conn, id), 1004);
        // A later clock is taken as it is.
        assert!(retry(&conn, id, 5000).unwrap());
        assert_eq!(version(&conn, id), 5000);
    }
}
