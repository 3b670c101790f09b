//! The SQL of export and import: captures read by id in batches with their provenance, and
//! imported captures stored in one transaction per batch (through [`captures::insert`], so they
//! are indexed, counted and flagged as duplicates like received ones) with their provenance
//! (migration 0011). It must not judge signatures, read files or publish events.

use rusqlite::{params_from_iter, Connection, OptionalExtension, TransactionBehavior};

use super::captures;
use crate::model::{Capture, CaptureId, CaptureSignature, NewCapture};
use crate::share::{ImportSource, Provenance};

/// Most ids read in one statement (SQLite's default limit of parameters is far above).
pub const READ_BATCH: usize = 500;

/// The captures with these ids (in id order; ids that are gone are skipped), each with where it
/// was imported from when it was.
pub fn get_many(conn: &Connection, ids: &[CaptureId]) -> rusqlite::Result<Vec<(Capture, Option<Provenance>)>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(READ_BATCH) {
        let marks = vec!["?"; chunk.len()].join(",");
        let cols = captures::CAPTURE_COLS;
        let sql = format!(
            "SELECT {cols}, import_source, import_via
             FROM captures WHERE id IN ({marks}) ORDER BY id"
        );
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(chunk.iter()), |r| {
            let capture = captures::capture_row(r)?;
            let source: Option<String> = r.get(20)?;
            let provenance = source
                .as_deref()
                .and_then(ImportSource::parse)
                .map(|source| Ok::<_, rusqlite::Error>(Provenance { source, original_via: r.get(21)? }))
                .transpose()?;
            Ok((capture, provenance))
        })?;
        for row in rows {
            out.push(row?);
        }
    }
    Ok(out)
}

/// Where a stored capture was imported from, if it was.
pub fn provenance(conn: &Connection, id: CaptureId) -> rusqlite::Result<Option<Provenance>> {
    let row: Option<(Option<String>, Option<String>)> = conn
        .query_row("SELECT import_source, import_via FROM captures WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(row.and_then(|(s, via)| s.as_deref().and_then(ImportSource::parse).map(|source| Provenance { source, original_via: via })))
}

/// One imported capture ready to store: the capture (via = import), its verdict, its provenance.
pub type ImportRow = (NewCapture, CaptureSignature, Provenance);

/// Stores `rows` in one transaction (all or none), then trims the history to `retention` (0 =
/// keep all) in the same commit as the writer does; returns the new ids in order.
pub fn import_batch(conn: &mut Connection, rows: &[ImportRow], retention: u64) -> rusqlite::Result<Vec<CaptureId>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut ids = Vec::with_capacity(rows.len());
    {
        let mut mark = tx.prepare_cached("UPDATE captures SET import_source = ?2, import_via = ?3 WHERE id = ?1")?;
        for (capture, signature, provenance) in rows {
            let (id, _) = captures::insert(&tx, capture, signature)?;
            mark.execute(rusqlite::params![id, provenance.source.as_str(), provenance.original_via])?;
            ids.push(id);
        }
    }
    captures::enforce_retention(&tx, retention)?;
    tx.commit()?;
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EventKeys, HeaderList, Via};

    fn capture(body: &[u8]) -> NewCapture {
        NewCapture {
            received_at_us: 5,
            endpoint: "default".into(),
            method: "POST".into(),
            path: "/p".into(),
            query: String::new(),
            url: "http://h/p".into(),
            headers: HeaderList(vec![("X-B".into(), vec![0xff]), ("x-a".into(), b"1".to_vec())]),
            body: body.to_vec(),
            body_size: body.len() as u64,
            body_over_limit: false,
            content_type: None,
            remote_addr: String::new(),
            via: Via::Import,
            forwarded_for: None,
            event: EventKeys::default(),
            duplicate_of: None,
        }
    }

    #[test]
    fn imports_with_provenance_and_reads_back_in_batches() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(&dir.path().join("s.db")).unwrap();
        let prov = Provenance { source: ImportSource::Har, original_via: Some("tunnel".into()) };
        let rows: Vec<ImportRow> =
            (0..(READ_BATCH + 3)).map(|i| (capture(&[i as u8, 0xfe]), CaptureSignature::default(), prov.clone())).collect();
        let ids = store.with(|c| import_batch(c, &rows, 0)).unwrap();
        assert_eq!(ids.len(), rows.len());
        let back = store.with(|c| get_many(c, &ids)).unwrap();
        assert_eq!(back.len(), rows.len());
        for ((c, p), (orig, ..)) in back.iter().zip(&rows) {
            assert_eq!(c.data.body, orig.body);
            assert_eq!(c.data.headers, orig.headers);
            assert_eq!(c.data.via, Via::Import);
            assert_eq!(p.as_ref(), Some(&prov));
        }
        assert_eq!(store.with(|c| provenance(c, ids[0])).unwrap(), Some(prov));
        assert_eq!(store.with(|c| get_many(c, &[ids[1], 999_999])).unwrap().len(), 1);
    }
}
