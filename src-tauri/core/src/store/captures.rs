//! The `captures` table: insert (used by the writer), page, get, delete, clear, retention.

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};

use super::signatures::{enum_text, parse_enum, scheme_text};
use crate::ipc::{rfc3339_us, CaptureSummary, VerdictSummary};
use crate::model::{Capture, CaptureId, CaptureSignature, HeaderList, NewCapture};

pub const DEFAULT_PAGE: u32 = 100;
pub const MAX_PAGE: u32 = 1000;

pub(crate) fn insert(tx: &Transaction, c: &NewCapture, sig: &CaptureSignature) -> rusqlite::Result<CaptureId> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO captures (received_at_us, endpoint, method, path, query, url, headers, body,
                               body_size, body_over_limit, content_type, remote_addr)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?;
    stmt.execute(params![
        c.received_at_us,
        c.endpoint,
        c.method,
        c.path,
        c.query,
        c.url,
        c.headers.encode(),
        c.body,
        c.body_size as i64,
        c.body_over_limit,
        c.content_type,
        c.remote_addr,
    ])?;
    let id = tx.last_insert_rowid();
    if *sig != CaptureSignature::default() {
        set_signature(tx, id, sig)?;
    }
    Ok(id)
}

/// Stores a capture's verdict (and detected scheme); false when the capture is gone.
pub fn set_signature(conn: &Connection, id: CaptureId, sig: &CaptureSignature) -> rusqlite::Result<bool> {
    let v = sig.verdict.as_ref();
    let n = conn.prepare_cached(
        "UPDATE captures SET verdict_status = ?2, verdict_reason = ?3, verdict_scheme = ?4,
                verdict_secret_index = ?5, verdict = ?6, detected_scheme = ?7
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        v.map(|v| enum_text(&v.status)),
        v.map(|v| enum_text(&v.reason)),
        v.map(|v| scheme_text(v.scheme)),
        v.and_then(|v| v.matched_secret_index).map(i64::from),
        v.and_then(|v| serde_json::to_string(v).ok()),
        sig.detected.map(scheme_text),
    ])?;
    Ok(n > 0)
}

/// Ids of one endpoint's captures older than `before`, newest first (for re-evaluation).
pub fn ids_of_endpoint(
    conn: &Connection,
    endpoint: &str,
    before: CaptureId,
    limit: u32,
) -> rusqlite::Result<Vec<CaptureId>> {
    let mut stmt =
        conn.prepare_cached("SELECT id FROM captures WHERE endpoint = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3")?;
    let ids = stmt.query_map(params![endpoint, before, limit], |r| r.get(0))?.collect();
    ids
}

const SUMMARY_COLS: &str = "id, received_at_us, endpoint, method, path, query, body_size, body_over_limit, content_type,
     remote_addr, verdict_status, verdict_reason, verdict_scheme, verdict_secret_index, detected_scheme";

fn verdict_summary(r: &Row, first: usize) -> rusqlite::Result<Option<VerdictSummary>> {
    let status: Option<String> = r.get(first)?;
    let reason: Option<String> = r.get(first + 1)?;
    let scheme: Option<String> = r.get(first + 2)?;
    let index: Option<i64> = r.get(first + 3)?;
    Ok(match (status.as_deref().and_then(parse_enum), reason.as_deref().and_then(parse_enum), scheme.as_deref().and_then(parse_enum)) {
        (Some(status), Some(reason), Some(scheme)) => {
            Some(VerdictSummary { status, reason, scheme, matched_secret_index: index.map(|i| i as u32) })
        }
        _ => None,
    })
}

fn summary(r: &Row) -> rusqlite::Result<CaptureSummary> {
    let us: i64 = r.get(1)?;
    Ok(CaptureSummary {
        id: r.get(0)?,
        received_at: rfc3339_us(us),
        received_at_us: us,
        endpoint: r.get(2)?,
        method: r.get(3)?,
        path: r.get(4)?,
        query: r.get(5)?,
        body_size: r.get::<_, i64>(6)? as u64,
        body_over_limit: r.get(7)?,
        content_type: r.get(8)?,
        remote_addr: r.get(9)?,
        verdict: verdict_summary(r, 10)?,
        detected_scheme: r.get::<_, Option<String>>(14)?.as_deref().and_then(parse_enum),
    })
}

/// Newest first, optionally older than `before` and on one endpoint. Returns the page and the
/// `before` value for the next page.
pub fn page(
    conn: &Connection,
    limit: Option<u32>,
    before: Option<CaptureId>,
    endpoint: Option<&str>,
) -> rusqlite::Result<(Vec<CaptureSummary>, Option<CaptureId>)> {
    let limit = limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
    let sql = format!(
        "SELECT {SUMMARY_COLS} FROM captures
         WHERE id < ?1 AND (?2 IS NULL OR endpoint = ?2)
         ORDER BY id DESC LIMIT ?3"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut items: Vec<CaptureSummary> = stmt
        .query_map(params![before.unwrap_or(i64::MAX), endpoint, limit + 1], summary)?
        .collect::<rusqlite::Result<_>>()?;
    let next = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|c| c.id)
    } else {
        None
    };
    Ok((items, next))
}

pub fn get(conn: &Connection, id: CaptureId) -> rusqlite::Result<Option<Capture>> {
    conn.query_row(
        "SELECT id, received_at_us, endpoint, method, path, query, url, headers, body, body_size,
                body_over_limit, content_type, remote_addr, verdict, detected_scheme
         FROM captures WHERE id = ?1",
        [id],
        |r| {
            Ok(Capture {
                id: r.get(0)?,
                data: NewCapture {
                    received_at_us: r.get(1)?,
                    endpoint: r.get(2)?,
                    method: r.get(3)?,
                    path: r.get(4)?,
                    query: r.get(5)?,
                    url: r.get(6)?,
                    headers: HeaderList::decode(&r.get::<_, Vec<u8>>(7)?),
                    body: r.get(8)?,
                    body_size: r.get::<_, i64>(9)? as u64,
                    body_over_limit: r.get(10)?,
                    content_type: r.get(11)?,
                    remote_addr: r.get(12)?,
                },
                signature: CaptureSignature {
                    verdict: r.get::<_, Option<String>>(13)?.and_then(|j| serde_json::from_str(&j).ok()),
                    detected: r.get::<_, Option<String>>(14)?.as_deref().and_then(parse_enum),
                },
            })
        },
    )
    .optional()
}

pub fn delete(conn: &Connection, id: CaptureId) -> rusqlite::Result<bool> {
    Ok(conn.execute("DELETE FROM captures WHERE id = ?1", [id])? > 0)
}

pub fn clear(conn: &Connection, endpoint: Option<&str>) -> rusqlite::Result<usize> {
    conn.execute("DELETE FROM captures WHERE (?1 IS NULL OR endpoint = ?1)", [endpoint])
}

/// `(count, highest id)`: a cheap fingerprint of the table, to notice other processes' writes.
pub fn fingerprint(conn: &Connection) -> rusqlite::Result<(i64, i64)> {
    conn.query_row("SELECT count(*), coalesce(max(id), 0) FROM captures", [], |r| Ok((r.get(0)?, r.get(1)?)))
}

pub fn count(conn: &Connection) -> rusqlite::Result<u64> {
    conn.query_row("SELECT count(*) FROM captures", [], |r| r.get::<_, i64>(0)).map(|n| n as u64)
}

/// Keeps the newest `max` captures and deletes the rest; returns how many were removed.
pub(crate) fn enforce_retention(conn: &Connection, max: u64) -> rusqlite::Result<usize> {
    if max == 0 {
        return Ok(0);
    }
    conn.execute(
        "DELETE FROM captures WHERE id <= (SELECT id FROM captures ORDER BY id DESC LIMIT 1 OFFSET ?1)",
        [max as i64],
    )
}
