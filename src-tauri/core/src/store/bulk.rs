//! Many captures inserted at once, outside the receiver's writer: an import, or a benchmark's
//! or test's seeded history. Each goes through [`captures::insert`], like a received capture
//! (duplicate flag, full-text index, row count), in transactions of at most [`BULK_STEP`]
//! captures so that the receiver's writer is never locked out for long. It must not judge
//! signatures or notice events: callers pass each capture's verdict in.

use rusqlite::TransactionBehavior;

use super::{captures, Store};
use crate::error::Result;
use crate::model::{CaptureId, CaptureSignature, NewCapture};

/// Captures per transaction.
pub const BULK_STEP: usize = 2000;

impl Store {
    /// Inserts every capture, in order, and returns their ids. A failure stops at the
    /// transaction it happened in: the steps before it are stored, that one is not.
    pub fn insert_captures(&self, items: &[(NewCapture, CaptureSignature)]) -> Result<Vec<CaptureId>> {
        let mut ids = Vec::with_capacity(items.len());
        for step in items.chunks(BULK_STEP) {
            let stored = self.with(|conn| {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let mut stored = Vec::with_capacity(step.len());
                for (capture, signature) in step {
                    stored.push(captures::insert(&tx, capture, signature)?.0);
                }
                tx.commit()?;
                Ok(stored)
            })?;
            ids.extend(stored);
        }
        Ok(ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EventKeys, HeaderList, Via};

    fn capture(i: usize) -> NewCapture {
        let body = format!("{{\"id\":\"evt_{}\",\"n\":{i}}}", i % 3).into_bytes();
        NewCapture {
            received_at_us: 1_700_000_000_000_000 + i as i64,
            endpoint: "default".into(),
            method: "POST".into(),
            path: "/hook".into(),
            query: String::new(),
            url: "http://127.0.0.1/hook".into(),
            headers: HeaderList::default(),
            body_size: body.len() as u64,
            body,
            body_over_limit: false,
            content_type: Some("application/json".into()),
            remote_addr: "127.0.0.1:1".into(),
            via: Via::Local,
            forwarded_for: None,
            event: EventKeys { id: Some(format!("test:{}", i % 3)), event_type: None },
            duplicate_of: None,
        }
    }

    #[test]
    fn inserts_in_steps_in_order_with_duplicate_flags() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("h.db")).unwrap();
        let n = BULK_STEP + 5;
        let items: Vec<_> = (0..n).map(|i| (capture(i), CaptureSignature::default())).collect();
        let ids = store.insert_captures(&items).unwrap();
        assert_eq!(ids.len(), n);
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(store.with(|c| captures::count(c)).unwrap(), n as u64);
        let third = store.with(|c| captures::get(c, ids[3])).unwrap().unwrap();
        assert_eq!(third.data.body, items[3].0.body);
        assert_eq!(third.data.duplicate_of, Some(ids[0]));
    }
}
