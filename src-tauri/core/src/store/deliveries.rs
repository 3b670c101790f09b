//! The `deliveries` table: the delivery log. One row per attempt (a replay, or one attempt
//! of a forward): the request exactly as written on the wire, and the response as received
//! or the failure. Rows are only appended (an attempt is history); they outlive the capture they
//! were made from. Row types are this module's own; the engine converts them to wire types.

use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::model::{CaptureId, HeaderList};

pub const DEFAULT_PAGE: u32 = 100;
pub const MAX_PAGE: u32 = 1000;

/// What the list of an attempt shows (no headers, no bodies).
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryHead {
    pub id: i64,
    pub capture_id: CaptureId,
    /// `replay` or `forward`.
    pub kind: String,
    pub started_at_us: i64,
    pub duration_us: i64,
    pub method: String,
    pub url: String,
    pub resigned: bool,
    pub insecure: bool,
    /// `response`, `failed` or `cancelled`.
    pub outcome: String,
    pub status: Option<u16>,
    pub reason: Option<String>,
    pub response_size: Option<u64>,
    pub response_truncated: bool,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// The outbox row a forward attempt belongs to, and which attempt of it this is (1-based).
    pub forward_id: Option<i64>,
    pub attempt: Option<u32>,
}

/// One attempt in full.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// `head.id` is ignored on insert.
    pub head: DeliveryHead,
    pub request_headers: HeaderList,
    pub request_body: Vec<u8>,
    pub response_headers: Option<HeaderList>,
    pub response_body: Option<Vec<u8>>,
}

/// Which attempts a page holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcomes {
    All,
    /// Answered 2xx.
    Success,
    /// Answered with another status.
    Other,
    /// Failed or cancelled.
    Failed,
}

/// Appends an attempt; returns its id.
pub fn insert(conn: &Connection, d: &Delivery) -> rusqlite::Result<i64> {
    let h = &d.head;
    conn.prepare_cached(
        "INSERT INTO deliveries (capture_id, kind, started_at_us, duration_us, method, url, request_headers,
                                 request_body, resigned, insecure, outcome, status, reason, response_headers,
                                 response_body, response_size, response_truncated, error_code, error_message,
                                 forward_id, attempt)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
    )?
    .execute(params![
        h.capture_id,
        h.kind,
        h.started_at_us,
        h.duration_us,
        h.method,
        h.url,
        d.request_headers.encode(),
        d.request_body,
        h.resigned,
        h.insecure,
        h.outcome,
        h.status,
        h.reason,
        d.response_headers.as_ref().map(HeaderList::encode),
        d.response_body,
        h.response_size.map(|n| n as i64),
        h.response_truncated,
        h.error_code,
        h.error_message,
        h.forward_id,
        h.attempt,
    ])?;
    Ok(conn.last_insert_rowid())
}

const HEAD_COLS: &str = "id, capture_id, kind, started_at_us, duration_us, method, url, resigned, insecure, outcome,
     status, reason, response_size, response_truncated, error_code, error_message, forward_id, attempt";

fn head(r: &Row) -> rusqlite::Result<DeliveryHead> {
    Ok(DeliveryHead {
        id: r.get(0)?,
        capture_id: r.get(1)?,
        kind: r.get(2)?,
        started_at_us: r.get(3)?,
        duration_us: r.get(4)?,
        method: r.get(5)?,
        url: r.get(6)?,
        resigned: r.get(7)?,
        insecure: r.get(8)?,
        outcome: r.get(9)?,
        status: r.get(10)?,
        reason: r.get(11)?,
        response_size: r.get::<_, Option<i64>>(12)?.map(|n| n.max(0) as u64),
        response_truncated: r.get(13)?,
        error_code: r.get(14)?,
        error_message: r.get(15)?,
        forward_id: r.get(16)?,
        attempt: r.get(17)?,
    })
}

pub fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<Delivery>> {
    let sql = format!("SELECT {HEAD_COLS}, request_headers, request_body, response_headers, response_body FROM deliveries WHERE id = ?1");
    conn.query_row(&sql, [id], |r| {
        Ok(Delivery {
            head: head(r)?,
            request_headers: HeaderList::decode(&r.get::<_, Vec<u8>>(18)?),
            request_body: r.get(19)?,
            response_headers: r.get::<_, Option<Vec<u8>>>(20)?.map(|h| HeaderList::decode(&h)),
            response_body: r.get(21)?,
        })
    })
    .optional()
}

/// The attempts of one forward, oldest first.
pub fn of_forward(conn: &Connection, forward_id: i64) -> rusqlite::Result<Vec<DeliveryHead>> {
    let sql = format!("SELECT {HEAD_COLS} FROM deliveries WHERE forward_id = ?1 ORDER BY id");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([forward_id], head)?.collect();
    rows
}

/// Attempts newest first, optionally of one capture, older than `before`, with these outcomes.
/// Returns the page and the `before` value of the next page.
pub fn page(
    conn: &Connection,
    capture_id: Option<CaptureId>,
    outcomes: Outcomes,
    limit: Option<u32>,
    before: Option<i64>,
) -> rusqlite::Result<(Vec<DeliveryHead>, Option<i64>)> {
    let limit = limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
    let outcome_sql = match outcomes {
        Outcomes::All => "1",
        Outcomes::Success => "outcome = 'response' AND status BETWEEN 200 AND 299",
        Outcomes::Other => "outcome = 'response' AND NOT (status BETWEEN 200 AND 299)",
        Outcomes::Failed => "outcome != 'response'",
    };
    let sql = format!(
        "SELECT {HEAD_COLS} FROM deliveries
         WHERE id < ?1 AND (?2 IS NULL OR capture_id = ?2) AND {outcome_sql}
         ORDER BY id DESC LIMIT ?3"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut items: Vec<DeliveryHead> =
        stmt.query_map(params![before.unwrap_or(i64::MAX), capture_id, limit + 1], head)?.collect::<rusqlite::Result<_>>()?;
    let next = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|d| d.id)
    } else {
        None
    };
    Ok((items, next))
}
