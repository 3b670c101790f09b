//! Wire types of finding and sharing captures: the filter every list, count and export takes
//! (full text, a CEL expression, and the chips), saved filters, export and import requests and
//! their reports. Shapes only: no I/O, no SQL, no evaluation.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::CaptureId;

/// The verdict chip of the list: one stored verdict status, or `none` (nothing was judged).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum VerdictChip {
    Valid,
    Invalid,
    Expired,
    Unsigned,
    NoSecret,
    None,
}

/// Which captures. Every field set narrows the set; a default filter is every capture.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS, PartialEq)]
#[serde(default)]
#[ts(export)]
pub struct CaptureFilter {
    pub endpoint: Option<String>,
    /// Full-text words (FTS5 over JSON keys and string values, form fields, text bodies, header
    /// values, path and query); the last word matches as a prefix; `"quoted words"` as a phrase.
    pub search: Option<String>,
    /// A CEL expression, the language of forward rules (`type == "invoice.overdue"`).
    pub query: Option<String>,
    pub method: Option<String>,
    pub verdict: Option<VerdictChip>,
    pub event_type: Option<String>,
    /// Only duplicate deliveries (same endpoint and event id as an older capture).
    pub duplicates: bool,
    /// Only captures with a failed forward.
    pub forward_failed: bool,
    /// `local`, `tunnel` or `import`.
    pub via: Option<String>,
    /// Received at or after, microseconds since the Unix epoch.
    #[ts(type = "number | null")]
    pub since_us: Option<i64>,
    /// Received before, microseconds since the Unix epoch.
    #[ts(type = "number | null")]
    pub until_us: Option<i64>,
    /// Only pinned captures.
    pub pinned: bool,
    /// Only these captures (a selection); `null` for no restriction.
    #[ts(type = "Array<number> | null")]
    pub ids: Option<Vec<CaptureId>>,
}

/// A filter the user named, to apply again in one click.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct SavedFilterView {
    pub name: String,
    pub filter: CaptureFilter,
}

/// The formats of an export.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ExportFormat {
    /// HAR 1.2, for browser devtools, HTTP Toolkit, Insomnia.
    Har,
    /// One capture per line, exact bytes: importing it reproduces the captures.
    Jsonl,
}

/// What a redacted export hides. Secrets are never exported, redacted or not.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[serde(default)]
#[ts(export)]
pub struct RedactOptions {
    /// The values of signature headers, `Authorization`, cookies, API-key headers and token
    /// query parameters.
    pub defaults: bool,
    /// JSON paths whose values are replaced, e.g. `data.customer.email`, `items[*].iban`.
    pub json_paths: Vec<String>,
}

impl Default for RedactOptions {
    fn default() -> Self {
        RedactOptions { defaults: true, json_paths: Vec::new() }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct ExportReq {
    pub filter: CaptureFilter,
    pub format: ExportFormat,
    /// `null`: exact values; set: a redacted bundle for a ticket.
    pub redact: Option<RedactOptions>,
    /// The file to write (written aside, then renamed: never left half-written as if complete).
    pub path: String,
}

/// One kind of value a redacted export replaced, and how many times.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct RedactedItem {
    /// `header:stripe-signature`, `query:token`, `json:data.customer.email`…
    pub what: String,
    #[ts(type = "number")]
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct ExportReport {
    pub path: String,
    pub format: ExportFormat,
    #[ts(type = "number")]
    pub captures: u64,
    #[ts(type = "number")]
    pub bytes: u64,
    /// Empty unless redacted.
    pub redacted: Vec<RedactedItem>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct ImportReq {
    /// A `.jsonl` (Hookloupe's lossless export) or `.har` file; the format is read from the
    /// content, not the name.
    pub path: String,
    /// The endpoint the captures land in (and are judged by); `null`: the one each JSONL line
    /// names when it exists, else the default endpoint.
    pub endpoint: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct ImportCurlReq {
    pub command: String,
    pub endpoint: Option<String>,
}

/// A line or entry that was not imported, and why.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct ImportProblem {
    /// 1-based line (JSONL) or entry index (HAR).
    pub at: u32,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct ImportReport {
    /// `jsonl`, `har` or `curl`.
    pub format: String,
    #[ts(type = "Array<number>")]
    pub ids: Vec<CaptureId>,
    pub problems: Vec<ImportProblem>,
}
