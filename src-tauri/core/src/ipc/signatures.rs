//! Wire types of the signature capability: verdict summaries for list rows, an endpoint's
//! signature settings with masked secrets, the request to change them, a request given in the
//! capture shape (for `hookloupe verify --request` and `hookloupe sign`), and what a test event
//! became. Secrets cross only inbound (as edits); outbound they are masked. This module
//! converts; it must not do I/O.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ipc::CaptureSummary;
use crate::model::{CaptureId, EndpointSignature, SecretHome};
use crate::signature::{ReasonCode, SchemeId, Secret, Verdict, VerdictStatus};

/// The part of a verdict a list row shows.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct VerdictSummary {
    pub status: VerdictStatus,
    pub reason: ReasonCode,
    pub scheme: SchemeId,
    pub matched_secret_index: Option<u32>,
}

impl From<&Verdict> for VerdictSummary {
    fn from(v: &Verdict) -> Self {
        VerdictSummary { status: v.status, reason: v.reason, scheme: v.scheme, matched_secret_index: v.matched_secret_index }
    }
}

/// One configured secret as the UI and `endpoint list` see it: its index, a masked form and
/// where it is kept.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct SecretView {
    pub index: u32,
    /// e.g. `whsec_…a1b2`; `…` alone when the value cannot be read.
    pub masked: String,
    pub stored_in: SecretStoredIn,
    /// Why the value cannot be read (its keyring entry is locked or gone); it is then not
    /// used to verify.
    pub problem: Option<String>,
}

/// Where one secret's value lives.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SecretStoredIn {
    Keyring,
    Database,
}

/// An endpoint's signature settings, secrets masked.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct SignatureConfigView {
    /// `null` when no scheme is configured (the provider is then only guessed).
    pub scheme: Option<SchemeId>,
    pub secrets: Vec<SecretView>,
    pub options: BTreeMap<String, String>,
}

impl From<&EndpointSignature> for SignatureConfigView {
    fn from(s: &EndpointSignature) -> Self {
        SignatureConfigView {
            scheme: s.scheme,
            secrets: s
                .secrets
                .iter()
                .enumerate()
                .map(|(i, s)| SecretView {
                    index: i as u32,
                    masked: s.value.as_ref().map(Secret::masked).unwrap_or_else(|| "…".into()),
                    stored_in: match s.home {
                        SecretHome::Keyring(_) => SecretStoredIn::Keyring,
                        SecretHome::Database => SecretStoredIn::Database,
                    },
                    problem: s.problem.clone(),
                })
                .collect(),
            options: s.options.clone(),
        }
    }
}

/// One entry of the new secret list: keep an existing secret (by its current index) or add one.
#[derive(Clone, Serialize, Deserialize, TS, PartialEq)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SecretEdit {
    Keep(u32),
    New(String),
}

impl fmt::Debug for SecretEdit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretEdit::Keep(i) => write!(f, "Keep({i})"),
            SecretEdit::New(_) => f.write_str("New([redacted])"),
        }
    }
}

/// Sets an endpoint's scheme, secrets and options; existing captures are then re-evaluated.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct SetEndpointSignatureReq {
    pub endpoint: String,
    /// `null` removes the scheme (the endpoint then only guesses the provider).
    pub scheme: Option<SchemeId>,
    /// The new secret list in order; `null` keeps the current secrets.
    pub secrets: Option<Vec<SecretEdit>>,
    #[serde(default)]
    pub options: BTreeMap<String, String>,
}

/// A request in the capture shape (`hookloupe show --json` output works as-is), for checking a
/// signature without storing anything.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct RequestInput {
    #[serde(default = "default_method")]
    pub method: String,
    pub url: String,
    /// `[name, value]` pairs in order.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The body as base64 (exact bytes); takes precedence over `body`.
    #[serde(default)]
    pub body_b64: Option<String>,
    /// The body as text.
    #[serde(default)]
    pub body: Option<String>,
    /// `ip:port` or `ip` of the sender (IP allowlists).
    #[serde(default)]
    pub remote_addr: Option<String>,
}

fn default_method() -> String {
    "POST".into()
}

/// A signed test event sent to a receiver: where it went, the reply, and the capture it became.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct TestEventView {
    pub endpoint: String,
    pub scheme: SchemeId,
    pub method: String,
    /// The path it was sent to (the endpoint's prefix), without the query.
    pub path: String,
    /// The receiver's reply status; `null` when the endpoint delays its answer (the capture is
    /// stored before the reply, so it is already there).
    pub status: Option<u16>,
    /// The id the receiver gave the capture (`x-hookloupe-capture-id`); `null` when the target
    /// did not say (not a Hookloupe receiver).
    #[ts(type = "number | null")]
    pub capture_id: Option<CaptureId>,
    /// The capture with its verdict, when it is in this database.
    pub capture: Option<CaptureSummary>,
}
