//! Wire types of replay and the delivery log: what to send (a capture, edits, a target, whether
//! to re-sign), what would go out (the preview the editor and `--dry-run` show), a saved draft,
//! one attempt as stored (request as sent, response or failure), pages of attempts, and the
//! summary of a batch. Bodies cross as base64 (`*_b64`) because they may be binary. This
//! module converts; it must not do I/O.

use serde::{Deserialize, Serialize};
use ts_rs::TS;


pub use crate::forward::{ReplayWarning, ReplayWarningCode};
use crate::model::CaptureId;
pub use crate::forward::failure::SendFailure;

/// A delivery attempt's id: a monotonic integer, so ids sort by when the attempt started.
pub type DeliveryId = i64;

/// Changes to a capture before it is sent. Every field left empty keeps the captured value
/// exactly (headers as raw bytes, body as the exact bytes).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct RequestEdits {
    /// Another method (e.g. `PUT`).
    #[serde(default)]
    pub method: Option<String>,
    /// The whole header list as edited, in order (`[name, value]`); `null` keeps the captured
    /// headers byte for byte.
    #[serde(default)]
    pub headers: Option<Vec<(String, String)>>,
    /// Applied after `headers`: each replaces the first header of that name (any case; later
    /// ones of that name are removed) or is appended (`hookloupe replay --header`).
    #[serde(default)]
    pub set_headers: Vec<(String, String)>,
    /// Applied last: every header of these names is removed (`--remove-header`).
    #[serde(default)]
    pub remove_headers: Vec<String>,
    /// The body as text, sent exactly as given (UTF-8), never re-serialised; `null` keeps the
    /// captured bytes.
    #[serde(default)]
    pub body: Option<String>,
    /// The body as base64 bytes (`--body-file` with a binary file); wins over `body`.
    #[serde(default)]
    pub body_b64: Option<String>,
}

/// Where and how to send.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct ReplayTarget {
    /// `http://` or `https://` URL, used as given.
    pub url: String,
    /// Rebase instead: the target's origin (and base path) + the capture's path and query.
    #[serde(default)]
    pub keep_path: bool,
    /// Recompute the signature over the request as it goes out, at the moment of sending.
    #[serde(default)]
    pub resign: bool,
    /// Which of the endpoint's secrets signs (default 0, the first).
    #[serde(default)]
    pub secret_index: Option<u32>,
    /// Re-sign with a new event/message id (Standard Webhooks, Svix) instead of the captured one.
    #[serde(default)]
    pub new_message_id: bool,
    /// Milliseconds to wait for the whole answer; default 30 000, at most 600 000.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub timeout_ms: Option<u64>,
    /// Accept invalid TLS certificates (self-signed staging). Shown on every attempt.
    #[serde(default)]
    pub insecure: bool,
}

/// `replay` / `preview_replay`: one capture, edited or not, to one target.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct ReplayReq {
    #[ts(type = "number")]
    pub capture_id: CaptureId,
    pub target: ReplayTarget,
    #[serde(default)]
    pub edits: RequestEdits,
    /// A caller-chosen handle: `cancel_replay(token)` stops this replay.
    #[serde(default)]
    pub token: Option<String>,
    /// Forget the capture's saved draft once the request was sent (the editor's Send).
    #[serde(default)]
    pub discard_draft: bool,
}

/// `replay_many`: several captures, as captured (or re-signed), one after another in capture
/// order, to one target.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct ReplayManyReq {
    #[ts(type = "number[]")]
    pub capture_ids: Vec<CaptureId>,
    pub target: ReplayTarget,
    /// `cancel_replay(token)` stops the batch after the attempt in flight is cancelled.
    #[serde(default)]
    pub token: Option<String>,
}

/// The exact request that goes out (after rewriting, rebasing and re-signing).
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct OutgoingView {
    pub method: String,
    pub url: String,
    /// In the order and name case they are written, `Host` and `Content-Length` included.
    pub headers: Vec<(String, String)>,
    pub body_b64: String,
    #[ts(type = "number")]
    pub body_size: u64,
}

/// `preview_replay`: what `replay` would send now, with its warnings.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct ReplayPreview {
    pub request: OutgoingView,
    /// Names of the headers the re-signing set (shown highlighted); empty when not re-signed.
    pub signature_headers: Vec<String>,
    /// The request goes out re-signed.
    pub resigned: bool,
    /// The endpoint's scheme, when it has one (what re-signing uses).
    pub scheme: Option<crate::signature::SchemeId>,
    /// Re-signing is possible (scheme that signs + a readable secret); else why not.
    pub can_resign: bool,
    pub cannot_resign_reason: Option<String>,
    pub warnings: Vec<ReplayWarning>,
    /// The same request as a shell-safe curl command (signature headers included, body exact).
    pub curl: String,
}

/// A saved edit of a capture, kept across restarts until sent or discarded.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct ReplayDraft {
    #[ts(type = "number")]
    pub capture_id: CaptureId,
    pub target: ReplayTarget,
    pub edits: RequestEdits,
    /// When it was last saved (set by the engine).
    #[serde(default)]
    pub saved_at: String,
}

/// What became of one attempt.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DeliveryOutcome {
    /// The target answered (any status: see `status`).
    Response,
    /// No complete answer: see `error_code`.
    Failed,
    /// Stopped by the user while in flight.
    Cancelled,
}

/// Which attempts a list shows.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DeliveryFilter {
    All,
    /// Answered 2xx.
    Success,
    /// Answered with another status.
    Other,
    /// Failed or cancelled.
    Failed,
}

/// `list_deliveries`: attempts, newest first.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct ListDeliveriesReq {
    /// Only attempts made from this capture.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub capture_id: Option<CaptureId>,
    #[serde(default)]
    pub filter: Option<DeliveryFilter>,
    #[serde(default)]
    pub limit: Option<u32>,
    #[serde(default)]
    #[ts(type = "number | null")]
    pub before: Option<DeliveryId>,
}

/// One attempt as a list row shows it.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct DeliverySummary {
    #[ts(type = "number")]
    pub id: DeliveryId,
    /// The capture it was made from (kept even after that capture is deleted).
    #[ts(type = "number")]
    pub capture_id: CaptureId,
    /// `replay` (by hand) or `forward` (by a forward rule).
    pub kind: String,
    pub started_at: String,
    #[ts(type = "number")]
    pub started_at_us: i64,
    /// From the start of the attempt (resolving, connecting) to the last byte read or the
    /// failure, in milliseconds.
    pub duration_ms: f64,
    pub method: String,
    pub url: String,
    pub resigned: bool,
    pub insecure: bool,
    pub outcome: DeliveryOutcome,
    pub status: Option<u16>,
    pub error_code: Option<SendFailure>,
    /// Plain words for a failure (never a secret).
    pub error_message: Option<String>,
    /// Size of the response body as sent by the target.
    #[ts(type = "number | null")]
    pub response_size: Option<u64>,
    /// The response body was larger than the limit: only its first bytes are kept.
    pub response_truncated: bool,
    /// A forward's attempt: its outbox row and which attempt of the round it was (1-based).
    #[ts(type = "number | null")]
    pub forward_id: Option<i64>,
    pub attempt: Option<u32>,
}

/// One attempt in full: the request exactly as sent and the response as received.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct DeliveryView {
    #[serde(flatten)]
    pub summary: DeliverySummary,
    /// The request head and body as written on the wire.
    pub request_headers: Vec<(String, String)>,
    pub request_body_b64: String,
    #[ts(type = "number")]
    pub request_body_size: u64,
    /// The response's status line reason (e.g. `Not Found`).
    pub response_reason: Option<String>,
    /// Response headers in the order and case received.
    pub response_headers: Vec<(String, String)>,
    /// The response body as received (up to the limit), base64.
    pub response_body_b64: String,
    pub response_content_type: Option<String>,
}

/// A page of attempts, newest first.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct DeliveryPage {
    pub items: Vec<DeliverySummary>,
    #[ts(type = "number | null")]
    pub next_before: Option<DeliveryId>,
}

/// What a `replay_many` batch did.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct ReplayBatchView {
    pub total: u32,
    /// Attempts made (a cancelled batch stops early).
    pub sent: u32,
    pub success: u32,
    /// Answered with a status other than 2xx.
    pub other: u32,
    /// Failed or cancelled attempts, and captures that no longer exist.
    pub failed: u32,
    pub cancelled: bool,
    pub deliveries: Vec<DeliverySummary>,
    /// Captures skipped because they no longer exist, with the reason.
    pub skipped: Vec<String>,
}

/// Progress of a `replay_many` batch (event `replay:progress`).
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct ReplayProgressView {
    pub token: Option<String>,
    pub done: u32,
    pub total: u32,
    pub last: Option<DeliverySummary>,
}
