//! The single capture writer: group commit, then acknowledge.
//!
//! Receivers hand captures over a bounded channel to one thread that owns a connection. It
//! takes whatever is queued (up to [`MAX_BATCH`]), commits it in one transaction
//! (`synchronous=FULL`), then publishes [`Event::Captured`] and acknowledges each capture.
//! The HTTP handler replies only after its acknowledgement, so a 2xx means the capture is on
//! disk; when a commit fails every capture of the batch gets the error (and the sender a 503).
//! Retention runs after each commit. This module must not decide HTTP responses.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tokio::sync::{broadcast, mpsc, oneshot};

use super::{captures, connect};
use crate::error::{Error, Result};
use crate::event::{Event, StorageTrouble};

/// The writer's current trouble, shared with the engine (for a window that opens late).
pub type TroubleSlot = Arc<std::sync::Mutex<Option<StorageTrouble>>>;
use crate::model::{Capture, CaptureSignature, NewCapture};

/// Most captures committed in one transaction.
pub const MAX_BATCH: usize = 512;
/// Captures queued before receivers wait (back-pressure rather than unbounded memory).
const QUEUE: usize = 4096;

struct Job {
    capture: NewCapture,
    signature: CaptureSignature,
    ack: oneshot::Sender<Result<Arc<Capture>>>,
}

/// A cheap, cloneable handle to the writer thread. The thread stops when every handle is dropped.
#[derive(Clone)]
pub struct CaptureWriter {
    tx: mpsc::Sender<Job>,
}

impl CaptureWriter {
    /// Opens the writer's own connection on `path` and starts the thread.
    /// `retention` holds the maximum number of captures to keep (0 = keep everything).
    pub fn start(
        path: &Path,
        events: broadcast::Sender<Event>,
        retention: Arc<AtomicU64>,
        trouble: TroubleSlot,
    ) -> Result<CaptureWriter> {
        let mut conn = connect(path)?;
        if conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
            return Err(Error::ReadOnly { path: path.display().to_string() });
        }
        let (tx, mut rx) = mpsc::channel::<Job>(QUEUE);
        let path: PathBuf = path.to_owned();
        std::thread::Builder::new()
            .name("hookloupe-writer".into())
            .spawn(move || {
                let mut batch = Vec::with_capacity(MAX_BATCH);
                while let Some(first) = rx.blocking_recv() {
                    batch.push(first);
                    while batch.len() < MAX_BATCH {
                        match rx.try_recv() {
                            Ok(job) => batch.push(job),
                            Err(_) => break,
                        }
                    }
                    commit(&mut conn, &path, &mut batch, &events, &retention, &trouble);
                }
            })
            .map_err(|e| Error::io("cannot start the capture writer thread", e))?;
        Ok(CaptureWriter { tx })
    }

    /// Stores `capture` with its signature verdict durably; resolves once its batch is committed.
    pub async fn write(&self, capture: NewCapture, signature: CaptureSignature) -> Result<Arc<Capture>> {
        let (ack, done) = oneshot::channel();
        self.tx
            .send(Job { capture, signature, ack })
            .await
            .map_err(|_| Error::Internal("the capture writer has stopped".into()))?;
        done.await.map_err(|_| Error::Internal("the capture writer stopped before committing".into()))?
    }
}

fn commit(
    conn: &mut rusqlite::Connection,
    path: &Path,
    batch: &mut Vec<Job>,
    events: &broadcast::Sender<Event>,
    retention: &AtomicU64,
    trouble: &TroubleSlot,
) {
    // Per capture: its id and the capture it duplicates.
    type Committed = Vec<(i64, Option<i64>)>;
    let result = (|| -> rusqlite::Result<(Committed, usize)> {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let ids = batch.iter().map(|j| captures::insert(&tx, &j.capture, &j.signature)).collect::<rusqlite::Result<Vec<_>>>()?;
        // Retention is part of the same commit, so an acknowledged state is already trimmed (a
        // history far over the limit shrinks by one bounded step per commit).
        let removed = captures::enforce_retention(&tx, retention.load(Ordering::Relaxed))?;
        tx.commit()?;
        Ok((ids, removed))
    })();
    match result {
        Ok((ids, removed)) => {
            for (mut job, (id, duplicate_of)) in batch.drain(..).zip(ids) {
                job.capture.duplicate_of = duplicate_of;
                let capture = Arc::new(Capture { id, data: job.capture, signature: job.signature });
                let _ = events.send(Event::Captured(capture.clone()));
                let _ = job.ack.send(Ok(capture));
            }
            if removed > 0 {
                let _ = events.send(Event::CapturesChanged);
            }
            if trouble.lock().map(|mut t| t.take().is_some()).unwrap_or(false) {
                let _ = events.send(Event::StorageChanged(None));
            }
        }
        Err(e) => {
            let error = Error::from_sqlite(path, e);
            tracing::error!("capture commit failed: {error}");
            let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
            if let Ok(mut t) = trouble.lock() {
                let refused = t.as_ref().map_or(0, |t| t.refused) + batch.len() as u64;
                let since = t.as_ref().map_or(now, |t| t.since.clone());
                let current = StorageTrouble { code: error.code(), message: error.to_string(), since, refused };
                *t = Some(current.clone());
                let _ = events.send(Event::StorageChanged(Some(current)));
            }
            for job in batch.drain(..) {
                let _ = job.ack.send(Err(error.replicate()));
            }
        }
    }
}
