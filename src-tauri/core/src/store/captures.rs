//! The `captures` table: insert (used by the writer), page, get, delete, clear, retention, and
//! the event-key lookups behind duplicate flags and diff partners.

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};

use super::signatures::{enum_text, parse_enum, scheme_text};
use crate::model::{Capture, CaptureId, CaptureSignature, EventKeys, HeaderList, NewCapture, Via};
use crate::signature::{ReasonCode, SchemeId, VerdictStatus};

/// One row of the capture list, as stored (no headers, no body); `ipc` makes the wire form.
#[derive(Debug, Clone, PartialEq)]
pub struct CaptureHead {
    pub id: CaptureId,
    pub received_at_us: i64,
    pub endpoint: String,
    pub method: String,
    pub path: String,
    pub query: String,
    pub body_size: u64,
    pub body_over_limit: bool,
    pub content_type: Option<String>,
    pub remote_addr: String,
    pub event_type: Option<String>,
    pub duplicate_of: Option<CaptureId>,
    pub verdict: Option<VerdictHead>,
    pub detected_scheme: Option<SchemeId>,
    pub via: String,
    pub forwarded_for: Option<String>,
    /// How its forwards stand (the worst of them), when it has any that went or will go.
    pub forward: Option<ForwardMark>,
    /// Kept whatever retention says.
    pub pinned: bool,
}

/// How a capture's forwards stand, worst first: one failed; one still queued; all succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForwardMark {
    Failed,
    Open,
    Succeeded,
}

/// The stored verdict columns of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerdictHead {
    pub status: VerdictStatus,
    pub reason: ReasonCode,
    pub scheme: SchemeId,
    pub matched_secret_index: Option<u32>,
}

pub const DEFAULT_PAGE: u32 = 100;
pub const MAX_PAGE: u32 = 1000;

/// Inserts `c` (and its words into the full-text index); returns its id and the capture it duplicates (same endpoint and event id), if any.
pub(crate) fn insert(
    tx: &Transaction,
    c: &NewCapture,
    sig: &CaptureSignature,
) -> rusqlite::Result<(CaptureId, Option<CaptureId>)> {
    let duplicate_of = match &c.event.id {
        Some(event_id) => first_with_event_id(tx, &c.endpoint, event_id)?,
        None => None,
    };
    let mut stmt = tx.prepare_cached(
        "INSERT INTO captures (received_at_us, endpoint, method, path, query, url, headers, body,
                               body_size, body_over_limit, content_type, remote_addr,
                               event_id, event_type, duplicate_of, event_indexed, via, forwarded_for, text_indexed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, 1, ?16, ?17, 1)",
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
        c.event.id,
        c.event.event_type,
        duplicate_of,
        c.via.as_str(),
        c.forwarded_for,
    ])?;
    let id = tx.last_insert_rowid();
    // Its words, in the same transaction: whoever inserts (the writer, an import) indexes.
    super::capture_text::index(tx, id, c)?;
    if *sig != CaptureSignature::default() {
        set_signature(tx, id, sig)?;
    }
    Ok((id, duplicate_of))
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


fn first_with_event_id(conn: &Connection, endpoint: &str, event_id: &str) -> rusqlite::Result<Option<CaptureId>> {
    conn.query_row(
        "SELECT min(id) FROM captures WHERE endpoint = ?1 AND event_id = ?2",
        params![endpoint, event_id],
        |r| r.get(0),
    )
}

pub(super) const SUMMARY_COLS: &str = "id, received_at_us, endpoint, method, path, query, body_size, body_over_limit,
     content_type, remote_addr, event_type, duplicate_of, verdict_status, verdict_reason, verdict_scheme,
     verdict_secret_index, detected_scheme, via, forwarded_for,
     (SELECT MIN(CASE state WHEN 'failed' THEN 1 WHEN 'pending' THEN 2 WHEN 'scheduled' THEN 2 WHEN 'sending' THEN 2
                 WHEN 'succeeded' THEN 3 END) FROM forwards WHERE forwards.capture_id = captures.id),
     pinned";

fn verdict_head(r: &Row, first: usize) -> rusqlite::Result<Option<VerdictHead>> {
    let status: Option<String> = r.get(first)?;
    let reason: Option<String> = r.get(first + 1)?;
    let scheme: Option<String> = r.get(first + 2)?;
    let index: Option<i64> = r.get(first + 3)?;
    Ok(match (status.as_deref().and_then(parse_enum), reason.as_deref().and_then(parse_enum), scheme.as_deref().and_then(parse_enum)) {
        (Some(status), Some(reason), Some(scheme)) => {
            Some(VerdictHead { status, reason, scheme, matched_secret_index: index.map(|i| i as u32) })
        }
        _ => None,
    })
}

pub(super) fn summary(r: &Row) -> rusqlite::Result<CaptureHead> {
    Ok(CaptureHead {
        id: r.get(0)?,
        received_at_us: r.get(1)?,
        endpoint: r.get(2)?,
        method: r.get(3)?,
        path: r.get(4)?,
        query: r.get(5)?,
        body_size: r.get::<_, i64>(6)? as u64,
        body_over_limit: r.get(7)?,
        content_type: r.get(8)?,
        remote_addr: r.get(9)?,
        event_type: r.get(10)?,
        duplicate_of: r.get(11)?,
        verdict: verdict_head(r, 12)?,
        detected_scheme: r.get::<_, Option<String>>(16)?.as_deref().and_then(parse_enum),
        via: r.get(17)?,
        forwarded_for: r.get(18)?,
        forward: match r.get::<_, Option<i64>>(19)? {
            Some(1) => Some(ForwardMark::Failed),
            Some(2) => Some(ForwardMark::Open),
            Some(3) => Some(ForwardMark::Succeeded),
            _ => None,
        },
        pinned: r.get(20)?,
    })
}

/// The columns [`capture_row`] reads, in its order; more may follow them in a SELECT.
pub(crate) const CAPTURE_COLS: &str = "id, received_at_us, endpoint, method, path, query, url, headers, body, body_size,
     body_over_limit, content_type, remote_addr, event_id, event_type, duplicate_of, verdict, detected_scheme,
     via, forwarded_for";

/// A whole stored capture from a row that starts with [`CAPTURE_COLS`].
pub(crate) fn capture_row(r: &Row) -> rusqlite::Result<Capture> {
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
            event: EventKeys { id: r.get(13)?, event_type: r.get(14)? },
            duplicate_of: r.get(15)?,
            via: Via::parse(&r.get::<_, String>(18)?),
            forwarded_for: r.get(19)?,
        },
        signature: CaptureSignature {
            verdict: r.get::<_, Option<String>>(16)?.and_then(|j| serde_json::from_str(&j).ok()),
            detected: r.get::<_, Option<String>>(17)?.as_deref().and_then(parse_enum),
        },
    })
}

pub fn get(conn: &Connection, id: CaptureId) -> rusqlite::Result<Option<Capture>> {
    conn.query_row(&format!("SELECT {CAPTURE_COLS} FROM captures WHERE id = ?1"), [id], capture_row).optional()
}

pub fn delete(conn: &Connection, id: CaptureId) -> rusqlite::Result<bool> {
    Ok(conn.execute("DELETE FROM captures WHERE id = ?1", [id])? > 0)
}

pub fn clear(conn: &Connection, endpoint: Option<&str>) -> rusqlite::Result<usize> {
    conn.execute("DELETE FROM captures WHERE (?1 IS NULL OR endpoint = ?1)", [endpoint])
}

/// `(count, highest id)`: a cheap fingerprint of the table, to notice other processes' writes.
pub fn fingerprint(conn: &Connection) -> rusqlite::Result<(i64, i64)> {
    conn.query_row(
        "SELECT (SELECT n FROM capture_count WHERE only = 1), coalesce((SELECT max(id) FROM captures), 0)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// How many captures are stored: one row kept exact by triggers (migration 0007), not a scan.
pub fn count(conn: &Connection) -> rusqlite::Result<u64> {
    conn.query_row("SELECT n FROM capture_count WHERE only = 1", [], |r| r.get::<_, i64>(0)).map(|n| n.max(0) as u64)
}

/// Captures removed by retention in one transaction: a history far over the limit (retention
/// just lowered, a database from elsewhere) is trimmed in steps, so no commit — and no sender
/// waiting on it — stalls on a huge delete.
pub const RETENTION_STEP: u64 = 4096;

/// Deletes the oldest unpinned captures beyond the newest `max` unpinned ones, at most
/// [`RETENTION_STEP`] of them; returns how many were removed (call again while it returns a full
/// step). Pinned captures are never removed and do not count against the limit.
///
/// Reads the exact count from `capture_count` and the pinned count from its partial index (few
/// rows), and deletes only the excess, oldest first, by walking the start of the primary key
/// (stepping over pinned rows): the cost is the number of rows removed (plus the pinned rows
/// among the oldest), never the size of the history.
pub(crate) fn enforce_retention(conn: &Connection, max: u64) -> rusqlite::Result<usize> {
    if max == 0 {
        return Ok(0);
    }
    let pinned: i64 = conn.prepare_cached("SELECT count(*) FROM captures WHERE pinned = 1")?.query_row([], |r| r.get(0))?;
    let excess = count(conn)?.saturating_sub(pinned.max(0) as u64).saturating_sub(max).min(RETENTION_STEP);
    if excess == 0 {
        return Ok(0);
    }
    conn.prepare_cached(
        "DELETE FROM captures WHERE id IN (SELECT id FROM captures WHERE pinned = 0 ORDER BY id LIMIT ?1)",
    )?
    .execute([excess as i64])
}

/// Pins or unpins a capture; false when there is no such capture.
pub fn set_pinned(conn: &Connection, id: CaptureId, pinned: bool) -> rusqlite::Result<bool> {
    Ok(conn.prepare_cached("UPDATE captures SET pinned = ?2 WHERE id = ?1")?.execute(params![id, pinned])? > 0)
}

/// Summaries of these captures, newest first (missing ids are skipped).
pub fn heads(conn: &Connection, ids: &[CaptureId]) -> rusqlite::Result<Vec<CaptureHead>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {SUMMARY_COLS} FROM captures WHERE id = ?1"))?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(h) = stmt.query_row([id], summary).optional()? {
            out.push(h);
        }
    }
    out.sort_by_key(|h| std::cmp::Reverse(h.id));
    Ok(out)
}

/// The latest capture before `id` on `endpoint` with this event type.
pub fn previous_of_type(
    conn: &Connection,
    endpoint: &str,
    event_type: &str,
    id: CaptureId,
) -> rusqlite::Result<Option<CaptureHead>> {
    let sql = format!(
        "SELECT {SUMMARY_COLS} FROM captures
         WHERE endpoint = ?1 AND event_type = ?2 AND id < ?3 ORDER BY id DESC LIMIT 1"
    );
    conn.query_row(&sql, params![endpoint, event_type, id], summary).optional()
}

/// The latest capture before `id` on `endpoint` with the same method and path (for deliveries
/// without a recognisable event type).
pub fn previous_same_route(
    conn: &Connection,
    endpoint: &str,
    method: &str,
    path: &str,
    id: CaptureId,
) -> rusqlite::Result<Option<CaptureHead>> {
    let sql = format!(
        "SELECT {SUMMARY_COLS} FROM captures
         WHERE endpoint = ?1 AND method = ?2 AND path = ?3 AND id < ?4 ORDER BY id DESC LIMIT 1"
    );
    conn.query_row(&sql, params![endpoint, method, path, id], summary).optional()
}

/// Other captures on `endpoint` carrying the same event id (oldest first, at most `limit`).
pub fn same_event_id(
    conn: &Connection,
    endpoint: &str,
    event_id: &str,
    except: CaptureId,
    limit: u32,
) -> rusqlite::Result<Vec<CaptureHead>> {
    let sql = format!(
        "SELECT {SUMMARY_COLS} FROM captures
         WHERE endpoint = ?1 AND event_id = ?2 AND id != ?3 ORDER BY id LIMIT ?4"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![endpoint, event_id, except, limit], summary)?;
    rows.collect()
}

/// The latest capture stored on `endpoint` (to guess its provider scheme).
pub fn latest_on_endpoint(conn: &Connection, endpoint: &str) -> rusqlite::Result<Option<Capture>> {
    let id: Option<CaptureId> =
        conn.query_row("SELECT max(id) FROM captures WHERE endpoint = ?1", [endpoint], |r| r.get(0))?;
    match id {
        Some(id) => get(conn, id),
        None => Ok(None),
    }
}

/// Fills event keys and duplicate flags for captures stored before they existed, `batch` rows
/// at a time, computing the keys with `keys`. Returns how many rows were filled.
pub(crate) fn backfill_event_keys(
    conn: &mut Connection,
    batch: u32,
    keys: impl Fn(&HeaderList, &[u8]) -> EventKeys,
) -> rusqlite::Result<usize> {
    let mut total = 0;
    loop {
        let pending: bool =
            conn.query_row("SELECT EXISTS (SELECT 1 FROM captures WHERE event_indexed = 0)", [], |r| r.get(0))?;
        if !pending {
            return Ok(total);
        }
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let rows: Vec<(CaptureId, Vec<u8>, Vec<u8>)> = {
            let mut stmt =
                tx.prepare_cached("SELECT id, headers, body FROM captures WHERE event_indexed = 0 ORDER BY id LIMIT ?1")?;
            let rows = stmt.query_map([batch], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        if rows.is_empty() {
            tx.commit()?;
            return Ok(total);
        }
        for (id, headers, body) in &rows {
            let k = keys(&HeaderList::decode(headers), body);
            tx.execute(
                "UPDATE captures SET event_id = ?2, event_type = ?3, event_indexed = 1,
                     duplicate_of = CASE WHEN ?2 IS NULL THEN NULL ELSE
                         (SELECT min(d.id) FROM captures d
                          WHERE d.endpoint = captures.endpoint AND d.event_id = ?2 AND d.id < captures.id) END
                 WHERE id = ?1",
                params![id, k.id, k.event_type],
            )?;
        }
        total += rows.len();
        tx.commit()?;
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;
    use crate::model::EventKeys;

    fn capture(headers: Vec<(String, Vec<u8>)>, body: Vec<u8>, query: String) -> NewCapture {
        NewCapture {
            received_at_us: 1,
            endpoint: "default".into(),
            method: "POST".into(),
            path: "/p".into(),
            query,
            url: "http://127.0.0.1/p".into(),
            headers: HeaderList(headers),
            body_size: body.len() as u64,
            body,
            body_over_limit: false,
            content_type: None,
            remote_addr: "127.0.0.1:1".into(),
            via: Via::Local,
            forwarded_for: None,
            event: EventKeys::default(),
            duplicate_of: None,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Whatever the body and the header list (names in any case, repeated, values any bytes
        /// but CR/LF), what is read back is exactly what was stored.
        #[test]
        fn store_then_read_is_byte_exact(
            body in proptest::collection::vec(any::<u8>(), 0..8192),
            headers in proptest::collection::vec(
                ("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,24}", proptest::collection::vec(any::<u8>().prop_filter("no CR/LF", |b| *b != b'\r' && *b != b'\n'), 0..64)),
                0..24,
            ),
            query in ".{0,64}",
        ) {
            let dir = tempfile::tempdir().unwrap();
            let store = crate::store::Store::open(&dir.path().join("p.db")).unwrap();
            let new = capture(headers, body, query);
            let id = store
                .with(|c| {
                    let tx = c.transaction()?;
                    let (id, _) = insert(&tx, &new, &CaptureSignature::default())?;
                    tx.commit()?;
                    Ok(id)
                })
                .unwrap();
            let back = store.with(|c| get(c, id)).unwrap().unwrap();
            prop_assert_eq!(&back.data.body, &new.body);
            prop_assert_eq!(&back.data.headers, &new.headers);
            prop_assert_eq!(&back.data.query, &new.query);
        }
    }
}
