//! Events the engine publishes on a tokio broadcast channel after state changes.
//!
//! Published only after the change is committed to disk, so a subscriber never shows
//! something that could be lost. Hosts forward them (the app to the webview, the CLI's
//! `listen` to stdout). This module defines the events; it must not deliver them itself.

use std::sync::Arc;

use crate::model::Capture;

#[derive(Debug, Clone)]
pub enum Event {
    /// A capture was committed.
    Captured(Arc<Capture>),
    /// Captures were deleted (by the user or by retention): lists should reload.
    CapturesChanged,
    /// An endpoint was added, changed or removed.
    EndpointsChanged,
    /// The tunnel's state, public URL or reason changed.
    TunnelChanged(crate::tunnel::TunnelStatusView),
    /// The stored verdicts of an endpoint's captures were recomputed: lists should reload.
    VerdictsChanged { endpoint: String },
    /// A delivery attempt (replay or forward) was stored in the delivery log.
    Delivered(crate::ipc::DeliverySummary),
    /// A forward changed state (queued, filtered, attempted, retried, cancelled).
    Forwarded(crate::ipc::ForwardView),
    /// Many forwards changed at once ("retry all failed"): outbox views should reload.
    OutboxChanged,
    /// Forward rules were added, changed or removed.
    RulesChanged,
    /// A batch replay made one more attempt.
    ReplayProgress(crate::ipc::ReplayProgressView),
    /// Captures are being refused (storage failing), or are accepted again (`None`).
    StorageChanged(Option<StorageTrouble>),
}

/// Why captures are being refused, since when and how many so far.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct StorageTrouble {
    pub code: crate::error::ErrorCode,
    /// Plain words, e.g. "the disk holding … is full: free some space …".
    pub message: String,
    /// When the first capture was refused (RFC 3339).
    pub since: String,
    /// Captures refused (answered 503) since then.
    #[ts(type = "number")]
    pub refused: u64,
}
