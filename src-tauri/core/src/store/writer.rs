//! The single capture writer: group commit, then acknowledge.
//!
//! Receivers hand captures over a bounded channel to one thread that owns a connection. It
//! takes whatever is queued (up to [`MAX_BATCH`]), commits it in one transaction
//! (`synchronous=FULL`), then publishes [`Event::Captured`] and acknowledges each capture.
//! The HTTP handler replies only after its acknowledgement, so a 2xx means the capture is on
//! disk; when a commit fails every capture of the batch gets the error (and the sender a 503).
//! Retention runs after each commit. The same transaction enqueues the capture's forwards (one
//! outbox row per enabled rule of its endpoint, see [`crate::model::Route`]), so an
//! acknowledged capture never loses them; a rule that answers the provider with its target's
//! response gets a waiting slot registered before the commit makes the row visible to a worker.
//! This module must not decide HTTP responses or whether a forward goes (the worker does).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tokio::sync::{broadcast, mpsc, oneshot};

use super::outbox::{self, NewForward};
use super::{captures, connect};
use crate::error::{Error, Result};
use crate::event::{Event, StorageTrouble};

/// The writer's current trouble, shared with the engine (for a window that opens late).
pub type TroubleSlot = Arc<std::sync::Mutex<Option<StorageTrouble>>>;
use crate::model::{Capture, CaptureSignature, NewCapture, Relayed, Relays, RouteTable};

/// Most captures committed in one transaction.
pub const MAX_BATCH: usize = 512;
/// Captures queued before receivers wait (back-pressure rather than unbounded memory).
const QUEUE: usize = 4096;

struct Job {
    capture: NewCapture,
    signature: CaptureSignature,
    ack: oneshot::Sender<Result<Written>>,
}

/// A committed capture, and the target's answer to wait for when a rule relays it.
pub struct Written {
    pub capture: Arc<Capture>,
    pub answer: Option<Answer>,
}

/// The relayed answer of a forward: resolves after its first attempt, or fails at once when
/// the forward does not go (then the endpoint's own response is given).
pub struct Answer {
    pub relayed: oneshot::Receiver<Relayed>,
    pub deadline: std::time::Duration,
}

/// What the writer needs to enqueue forwards.
#[derive(Clone, Default)]
pub struct Forwarding {
    pub routes: RouteTable,
    pub relays: Relays,
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
        forwarding: Forwarding,
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
                    commit(&mut conn, &path, &mut batch, &events, &retention, &trouble, &forwarding);
                }
            })
            .map_err(|e| Error::io("cannot start the capture writer thread", e))?;
        Ok(CaptureWriter { tx })
    }

    /// Stores `capture` with its signature verdict durably; resolves once its batch is committed.
    pub async fn write(&self, capture: NewCapture, signature: CaptureSignature) -> Result<Arc<Capture>> {
        Ok(self.write_answered(capture, signature).await?.capture)
    }

    /// [`CaptureWriter::write`], with the relayed answer to wait for when a rule gives one.
    pub async fn write_answered(&self, capture: NewCapture, signature: CaptureSignature) -> Result<Written> {
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
    forwarding: &Forwarding,
) {
    // Per capture: its id, the capture it duplicates, and the answer to wait for.
    type Committed = Vec<(i64, Option<i64>, Option<Answer>)>;
    let routes = forwarding.routes.read().map(|r| r.clone()).unwrap_or_default();
    // Forward ids with a waiting slot registered, removed again if the commit fails.
    let mut registered = Vec::new();
    let result = (|| -> rusqlite::Result<(Committed, usize)> {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let now_ms = chrono::Utc::now().timestamp_millis();
        let mut committed = Vec::with_capacity(batch.len());
        for j in batch.iter() {
            let (id, duplicate_of) = captures::insert(&tx, &j.capture, &j.signature)?;
            let mut answer = None;
            for r in routes.iter().filter(|r| r.endpoint.as_ref().is_none_or(|e| *e == j.capture.endpoint)) {
                let f = NewForward { rule_id: r.rule_id, url: r.url.clone(), due_at_ms: now_ms.saturating_add(r.first_wait_ms as i64) };
                let forward_id = outbox::enqueue(&tx, id, j.capture.event.id.as_deref(), &f, now_ms)?;
                if let (Some(ms), None) = (r.answer_deadline_ms, &answer) {
                    let (tx_relay, relayed) = oneshot::channel();
                    if let Ok(mut slots) = forwarding.relays.lock() {
                        slots.insert(forward_id, tx_relay);
                        registered.push(forward_id);
                    }
                    answer = Some(Answer { relayed, deadline: std::time::Duration::from_millis(ms) });
                }
            }
            committed.push((id, duplicate_of, answer));
        }
        // Retention is part of the same commit, so an acknowledged state is already trimmed (a
        // history far over the limit shrinks by one bounded step per commit).
        let removed = captures::enforce_retention(&tx, retention.load(Ordering::Relaxed))?;
        tx.commit()?;
        Ok((committed, removed))
    })();
    if result.is_err() {
        if let Ok(mut slots) = forwarding.relays.lock() {
            for id in &registered {
                slots.remove(id);
            }
        }
    }
    match result {
        Ok((committed, removed)) => {
            for (mut job, (id, duplicate_of, answer)) in batch.drain(..).zip(committed) {
                job.capture.duplicate_of = duplicate_of;
                let capture = Arc::new(Capture { id, data: job.capture, signature: job.signature });
                let _ = events.send(Event::Captured(capture.clone()));
                let _ = job.ack.send(Ok(Written { capture, answer }));
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
