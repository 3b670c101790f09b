//! Wire types shared by the desktop UI and the CLI's `--json` output.
//!
//! One shape per noun (`<Noun>View`) and per request (`<Verb><Noun>Req`). TypeScript
//! definitions are generated from these by ts-rs into `ui/src/bindings/` (run `cargo test -p
//! hookloupe-core`); the generated files are committed and CI fails when they drift. This
//! module converts from domain types; it must not do I/O.

mod diff;

pub use diff::{
    AppliedRules, DiffCapturesReq, DiffPartnerView, DiffRulesView, DiffSideRef, DiffSideView, DiffView, PartnerReason,
};

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, ErrorCode};
use crate::model::{Capture, CaptureId, Endpoint, ResponseRule};
use crate::signature::{Detection, SchemeId, Verdict};

mod replay;
pub use replay::{
    DeliveryFilter, DeliveryId, DeliveryOutcome, DeliveryPage, DeliverySummary, DeliveryView, ListDeliveriesReq,
    OutgoingView, ReplayBatchView, ReplayDraft, ReplayManyReq, ReplayPreview, ReplayProgressView, ReplayReq,
    ReplayTarget, ReplayWarning, ReplayWarningCode, RequestEdits, SendFailure,
};

mod forward;
pub use forward::{
    ForwardDetailView, ForwardFilter, ForwardPage, ForwardRuleView, ForwardState, ForwardView, ListForwardsReq,
    OutboxCounts, RetryPolicy, RuleSpec, SaveForwardRuleReq, Transform,
};

mod search;
pub use search::{
    CaptureFilter, ExportFormat, ExportReport, ExportReq, ImportCurlReq, ImportProblem, ImportReport, ImportReq,
    RedactOptions, RedactedItem, SavedFilterView, VerdictChip,
};

// Conversions from the store's row types (the store is built with the runtime only).
#[cfg(feature = "runtime")]
mod rows;

mod certs;
pub use certs::{AddCertificateReq, CertificateOrigin, CertificateView};

mod startup;
pub use startup::{SetAsideView, StartupProblem};

mod signatures;
pub use signatures::{
    RequestInput, SecretEdit, SecretStoredIn, SecretView, SetEndpointSignatureReq, SignatureConfigView, TestEventView,
    VerdictSummary,
};

/// RFC 3339 UTC with microseconds, e.g. `2026-11-22T07:01:19.123456Z`.
pub fn rfc3339_us(us: i64) -> String {
    chrono::DateTime::from_timestamp_micros(us)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
        .unwrap_or_default()
}

/// One row of the capture list (no headers, no body).
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct CaptureSummary {
    #[ts(type = "number")]
    pub id: CaptureId,
    pub received_at: String,
    #[ts(type = "number")]
    pub received_at_us: i64,
    pub endpoint: String,
    pub method: String,
    pub path: String,
    pub query: String,
    #[ts(type = "number")]
    pub body_size: u64,
    pub body_over_limit: bool,
    pub content_type: Option<String>,
    pub remote_addr: String,
    /// `local`, `tunnel` or `import`: how the request reached the receiver (`import`: from a file or a curl command).
    pub via: String,
    /// Original client address reported by the tunnel (tunnel captures only).
    pub forwarded_for: Option<String>,
    /// The event type the delivery carries (e.g. `invoice.paid`), when recognised.
    pub event_type: Option<String>,
    /// Set when this is a duplicate delivery: the oldest capture on the same endpoint carrying
    /// the same event id.
    #[ts(type = "number | null")]
    pub duplicate_of: Option<CaptureId>,
    /// The signature verdict; `null` when there is no scheme and no recognised signature.
    #[serde(default)]
    pub verdict: Option<VerdictSummary>,
    /// The provider guessed from the request when the endpoint has no scheme.
    #[serde(default)]
    pub detected_scheme: Option<SchemeId>,
    /// How its forwards stand: `failed` (one failed: retry it from the Outbox), `open`
    /// (queued), `succeeded`; `null` when it was not forwarded.
    #[serde(default)]
    pub forward: Option<CaptureForward>,
    /// Pinned: retention never removes it.
    #[serde(default)]
    pub pinned: bool,
}

/// How a capture's forwards stand, worst first.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CaptureForward {
    Failed,
    Open,
    Succeeded,
}

/// A whole capture: what `hookloupe show --json` prints and the inspector shows.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct CaptureView {
    #[ts(type = "number")]
    pub id: CaptureId,
    pub received_at: String,
    #[ts(type = "number")]
    pub received_at_us: i64,
    pub endpoint: String,
    pub method: String,
    pub path: String,
    pub query: String,
    pub url: String,
    /// `[name, value]` pairs in arrival order, repeated names kept.
    pub headers: Vec<(String, String)>,
    /// The body bytes exactly as received, base64 (standard alphabet, padded).
    pub body_b64: String,
    #[ts(type = "number")]
    pub body_size: u64,
    pub body_over_limit: bool,
    pub content_type: Option<String>,
    pub remote_addr: String,
    /// `local`, `tunnel` or `import`: how the request reached the receiver (`import`: from a file or a curl command).
    pub via: String,
    /// Original client address reported by the tunnel (tunnel captures only).
    pub forwarded_for: Option<String>,
    /// The full signature verdict with its diagnosis; `null` when nothing could be judged.
    #[serde(default)]
    pub verdict: Option<Verdict>,
    #[serde(default)]
    pub detected_scheme: Option<SchemeId>,
    /// Provider guesses from the headers, best first (offered as one-click configuration).
    #[serde(default)]
    pub detections: Vec<Detection>,
}

// The store's row type exists with the runtime only (see `rows`).
#[cfg(feature = "runtime")]
impl From<crate::store::captures::CaptureHead> for CaptureSummary {
    fn from(h: crate::store::captures::CaptureHead) -> Self {
        CaptureSummary {
            id: h.id,
            received_at: rfc3339_us(h.received_at_us),
            received_at_us: h.received_at_us,
            endpoint: h.endpoint,
            method: h.method,
            path: h.path,
            query: h.query,
            body_size: h.body_size,
            body_over_limit: h.body_over_limit,
            content_type: h.content_type,
            remote_addr: h.remote_addr,
            via: h.via,
            forwarded_for: h.forwarded_for,
            event_type: h.event_type,
            duplicate_of: h.duplicate_of,
            verdict: h.verdict.map(|v| VerdictSummary {
                status: v.status,
                reason: v.reason,
                scheme: v.scheme,
                matched_secret_index: v.matched_secret_index,
            }),
            detected_scheme: h.detected_scheme,
            forward: h.forward.map(|f| match f {
                crate::store::captures::ForwardMark::Failed => CaptureForward::Failed,
                crate::store::captures::ForwardMark::Open => CaptureForward::Open,
                crate::store::captures::ForwardMark::Succeeded => CaptureForward::Succeeded,
            }),
            pinned: h.pinned,
        }
    }
}

impl From<&Capture> for CaptureSummary {
    fn from(c: &Capture) -> Self {
        let d = &c.data;
        CaptureSummary {
            id: c.id,
            received_at: rfc3339_us(d.received_at_us),
            received_at_us: d.received_at_us,
            endpoint: d.endpoint.clone(),
            method: d.method.clone(),
            path: d.path.clone(),
            query: d.query.clone(),
            body_size: d.body_size,
            body_over_limit: d.body_over_limit,
            content_type: d.content_type.clone(),
            remote_addr: d.remote_addr.clone(),
            via: d.via.as_str().to_owned(),
            forwarded_for: d.forwarded_for.clone(),
            event_type: d.event.event_type.clone(),
            duplicate_of: d.duplicate_of,
            verdict: c.signature.verdict.as_ref().map(VerdictSummary::from),
            detected_scheme: c.signature.detected,
            // Just captured: its forwards (if any) are queued; the list's next read says more.
            forward: None,
            // New captures are not pinned; a stored one is read through CaptureHead.
            pinned: false,
        }
    }
}

impl From<&Capture> for CaptureView {
    fn from(c: &Capture) -> Self {
        let d = &c.data;
        CaptureView {
            id: c.id,
            received_at: rfc3339_us(d.received_at_us),
            received_at_us: d.received_at_us,
            endpoint: d.endpoint.clone(),
            method: d.method.clone(),
            path: d.path.clone(),
            query: d.query.clone(),
            url: d.url.clone(),
            headers: d.headers.to_text_pairs(),
            body_b64: base64::engine::general_purpose::STANDARD.encode(&d.body),
            body_size: d.body_size,
            body_over_limit: d.body_over_limit,
            content_type: d.content_type.clone(),
            remote_addr: d.remote_addr.clone(),
            via: d.via.as_str().to_owned(),
            forwarded_for: d.forwarded_for.clone(),
            verdict: c.signature.verdict.clone(),
            detected_scheme: c.signature.detected,
            detections: c.detections(),
        }
    }
}

/// A page of captures, newest first.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CapturePage {
    pub items: Vec<CaptureSummary>,
    /// Pass as `before` to get the next, older page; `null` when there is none.
    #[ts(type = "number | null")]
    pub next_before: Option<CaptureId>,
    /// How many captures match the filter, when known without evaluating an expression
    /// (`null` with `query` set: count them with `count_matches`).
    #[serde(default)]
    #[ts(type = "number | null")]
    pub total: Option<u64>,
    /// How many captures are stored, filter or not.
    #[serde(default)]
    #[ts(type = "number")]
    pub stored: u64,
    /// The expression scan stopped at its budget before the page was full: there may be more
    /// matches older than `next_before` (the last capture looked at); ask again from there.
    #[serde(default)]
    pub partial: bool,
}

/// A page of the capture list: newest first, older than `before`, narrowed by `filter`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ListCapturesReq {
    pub limit: Option<u32>,
    #[ts(type = "number | null")]
    pub before: Option<CaptureId>,
    #[serde(default)]
    pub filter: CaptureFilter,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export, rename = "ResponseRule")]
pub struct ResponseRuleView {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    #[ts(type = "number")]
    pub delay_ms: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct EndpointView {
    pub name: String,
    pub path_prefix: String,
    pub response: ResponseRuleView,
    /// Signature settings with masked secrets (ignored when saving: set them with
    /// `set_endpoint_signature`).
    #[serde(default)]
    #[ts(optional)]
    pub signature: Option<SignatureConfigView>,
}

impl From<&Endpoint> for EndpointView {
    fn from(e: &Endpoint) -> Self {
        EndpointView {
            name: e.name.clone(),
            path_prefix: e.path_prefix.clone(),
            response: ResponseRuleView {
                status: e.response.status,
                headers: e.response.headers.clone(),
                body: e.response.body.clone(),
                delay_ms: e.response.delay_ms,
            },
            signature: None,
        }
    }
}

impl From<EndpointView> for Endpoint {
    fn from(v: EndpointView) -> Self {
        Endpoint {
            name: v.name,
            path_prefix: v.path_prefix,
            response: ResponseRule {
                status: v.response.status,
                headers: v.response.headers,
                body: v.response.body,
                delay_ms: v.response.delay_ms,
            },
        }
    }
}

/// Where the receiver listens.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct ListenerView {
    /// Base URL to send webhooks to, e.g. `http://127.0.0.1:4665`.
    pub url: String,
    pub bind: String,
    pub port: u16,
    /// The port that was asked for; differs from `port` when it was taken.
    pub requested_port: u16,
    pub data_dir: String,
    pub db_path: String,
}

/// An error as it crosses IPC and the CLI's `--json`: `{code, message}`.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct ErrorView {
    pub code: ErrorCode,
    pub message: String,
}

impl From<&Error> for ErrorView {
    fn from(e: &Error) -> Self {
        ErrorView { code: e.code(), message: e.to_string() }
    }
}

impl From<Error> for ErrorView {
    fn from(e: Error) -> Self {
        ErrorView::from(&e)
    }
}

/// Open a public tunnel.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StartTunnelReq {
    /// `ngrok` or `bore`.
    pub provider: String,
    /// ngrok: a reserved domain (optional).
    pub ngrok_domain: Option<String>,
    /// bore: the server, `HOST[:PORT]` (PORT = public port to ask for).
    pub bore_server: Option<String>,
    /// bore: the server's secret, if it has one.
    pub bore_secret: Option<String>,
}

/// Where the ngrok token comes from; never the token itself.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct NgrokTokenView {
    /// The saved token, masked (e.g. `2abc…wxyz`); null when none is saved.
    pub saved: Option<String>,
    /// Why the saved token cannot be read (its OS keyring entry is locked or gone).
    pub problem: Option<String>,
    /// `NGROK_AUTHTOKEN` is set in the environment (used when no token is saved).
    pub from_env: bool,
}

/// Store settings the app shows and edits.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct SettingsView {
    /// Keep at most this many captures, oldest removed first; 0 keeps everything.
    #[ts(type = "number")]
    pub max_captures: u64,
    /// Largest body stored, in bytes (set at start-up, e.g. `hookloupe listen --body-limit`).
    #[ts(type = "number")]
    pub body_limit: u64,
    /// Where new secrets (signing secrets, the ngrok token) are kept.
    pub secrets: SecretStorageView,
}

/// Where new secrets are kept: the OS keyring when one answers, else the database.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct SecretStorageView {
    /// True when an OS keyring answers.
    pub keyring: bool,
    /// Which keyring, or why there is none (e.g. no Secret Service on the session bus).
    pub detail: String,
}
