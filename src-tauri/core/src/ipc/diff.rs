//! Wire types of the payload diff: what to compare (sides), with which rules, and the result
//! as the UI and `hookloupe diff --json` see it. The diff result itself ([`Diff`]) is defined
//! by the pure [`crate::diff`] module and flattened into [`DiffView`]. No I/O here.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::diff::Diff;
use crate::ipc::CaptureSummary;
use crate::model::CaptureId;

/// One side of a comparison: a stored capture, the request a delivery attempt sent, or the
/// response it got (the engine turns each into the same pure `diff::Side`).
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum DiffSideRef {
    Capture {
        #[ts(type = "number")]
        id: CaptureId,
    },
    /// The request a delivery attempt (replay or forward) sent, exactly as written.
    DeliveryRequest {
        #[ts(type = "number")]
        id: crate::ipc::DeliveryId,
    },
    /// The response a delivery attempt got.
    DeliveryResponse {
        #[ts(type = "number")]
        id: crate::ipc::DeliveryId,
    },
}

/// `diff_captures`: compare `a` (old) with `b` (new).
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct DiffCapturesReq {
    pub a: DiffSideRef,
    pub b: DiffSideRef,
    /// Apply the ignore rules of the sides' endpoints (saved, or their scheme's defaults).
    pub use_endpoint_rules: bool,
    /// Extra JSON path patterns to ignore (on top of the endpoint rules).
    pub ignore_paths: Vec<String>,
    /// Extra header-name globs to ignore.
    pub ignore_headers: Vec<String>,
    /// Keep ignored changes in the result, marked `ignored: true`.
    pub show_ignored: bool,
    /// Match arrays of objects by this key (overrides the endpoint's).
    pub array_key: Option<String>,
    /// Unchanged lines kept around each change (default 3).
    pub context: Option<u32>,
    /// A caller-chosen handle: `cancel_diff(token)` stops this diff.
    pub token: Option<String>,
}

impl DiffCapturesReq {
    /// Compares two captures with their endpoints' rules and default options.
    pub fn captures(a: CaptureId, b: CaptureId) -> DiffCapturesReq {
        DiffCapturesReq {
            a: DiffSideRef::Capture { id: a },
            b: DiffSideRef::Capture { id: b },
            use_endpoint_rules: true,
            ignore_paths: Vec::new(),
            ignore_headers: Vec::new(),
            show_ignored: false,
            array_key: None,
            context: None,
            token: None,
        }
    }
}

/// What a side turned out to be.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct DiffSideView {
    /// `capture`, `delivery_request` or `delivery_response`.
    pub kind: String,
    /// Short human label, e.g. `#12 POST /stripe`.
    pub label: String,
    pub capture: Option<CaptureSummary>,
}

/// The rules a diff applied.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct AppliedRules {
    pub ignore_paths: Vec<String>,
    pub ignore_headers: Vec<String>,
    pub array_key: Option<String>,
}

/// The result of a diff: the sides, the rules applied, and (flattened) the [`Diff`] itself, so
/// `--json` has `headers`, `json_changes`, `hunks`, `meta`, `stats` at the top level.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct DiffView {
    pub a: DiffSideView,
    pub b: DiffSideView,
    pub rules: AppliedRules,
    #[serde(flatten)]
    pub diff: Diff,
}

/// Ignore rules of one endpoint, as edited in the UI.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct DiffRulesView {
    pub endpoint: String,
    /// The provider scheme whose defaults apply when nothing is saved (`generic` if unknown).
    pub scheme: String,
    /// True when these are the scheme's defaults (nothing saved for the endpoint).
    pub is_default: bool,
    pub ignore_paths: Vec<String>,
    pub ignore_headers: Vec<String>,
    pub array_key: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PartnerReason {
    /// Another delivery of the same event id (a retry or duplicate).
    Duplicate,
    /// The previous capture of the same event type on the same endpoint.
    PreviousSameType,
    /// No event type known: the previous capture with the same method and path.
    PreviousSameRoute,
}

/// A capture worth comparing with a given one.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct DiffPartnerView {
    pub reason: PartnerReason,
    pub capture: CaptureSummary,
}
