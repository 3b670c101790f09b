//! Wire types of forwarding: forward rules as the endpoint panel and `hookloupe forward list`
//! show them, outbox rows (one forward of one capture by one rule, with its state and attempts),
//! pages of them, and the small counts of the top bar. This module converts; it must not do I/O.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use crate::forward::policy::RetryPolicy;
pub use crate::forward::rule::{RuleSpec, Transform};
use crate::ipc::DeliverySummary;
use crate::model::CaptureId;

/// A forward rule.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct ForwardRuleView {
    #[ts(type = "number")]
    pub id: i64,
    #[serde(flatten)]
    pub spec: RuleSpec,
    /// Made by `hookloupe listen --forward-to` for the time it runs.
    pub session: bool,
    pub created_at: String,
}

/// `save_forward_rule`: adds a rule (`id` null) or replaces one.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct SaveForwardRuleReq {
    #[serde(default)]
    #[ts(type = "number | null")]
    pub id: Option<i64>,
    pub spec: RuleSpec,
}

/// Where a forward stands.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ForwardState {
    /// Waiting for its first attempt (or behind an earlier capture to the same rule).
    Pending,
    /// Waiting for a retry at `next_at`.
    Scheduled,
    /// An attempt is being made.
    Sending,
    Succeeded,
    /// No attempts left, or a final answer (a 4xx): retry it by hand.
    Failed,
    /// The filter, or "only valid signatures", said no.
    Filtered,
    /// Its event already went (the rule skips duplicates).
    SkippedDuplicate,
    Cancelled,
}

impl ForwardState {
    pub fn parse(s: &str) -> Option<ForwardState> {
        serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ForwardState::Pending => "pending",
            ForwardState::Scheduled => "scheduled",
            ForwardState::Sending => "sending",
            ForwardState::Succeeded => "succeeded",
            ForwardState::Failed => "failed",
            ForwardState::Filtered => "filtered",
            ForwardState::SkippedDuplicate => "skipped_duplicate",
            ForwardState::Cancelled => "cancelled",
        }
    }

    pub fn is_open(self) -> bool {
        matches!(self, ForwardState::Pending | ForwardState::Scheduled | ForwardState::Sending)
    }
}

/// One forward (an outbox row).
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct ForwardView {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub capture_id: CaptureId,
    #[ts(type = "number")]
    pub rule_id: i64,
    pub url: String,
    pub state: ForwardState,
    /// Attempts made in this round (a retry by hand starts a new round).
    pub attempts: u32,
    pub queued_at: String,
    /// When the next attempt is due (pending and scheduled).
    pub next_at: Option<String>,
    pub updated_at: String,
    /// Why it was filtered, skipped, failed or cancelled; the last failure of a scheduled one.
    pub detail: Option<String>,
    /// The last attempt, when one was made.
    pub last: Option<DeliverySummary>,
}

/// One forward with every attempt, oldest first.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct ForwardDetailView {
    pub forward: ForwardView,
    pub attempts: Vec<DeliverySummary>,
}

/// Which forwards a list shows.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ForwardFilter {
    All,
    /// Pending, scheduled and sending.
    Open,
    Pending,
    Scheduled,
    Succeeded,
    Failed,
    Filtered,
    SkippedDuplicate,
    Cancelled,
}

/// `list_forwards`: forwards, newest first.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct ListForwardsReq {
    #[serde(default)]
    pub filter: Option<ForwardFilter>,
    #[serde(default)]
    #[ts(type = "number | null")]
    pub capture_id: Option<CaptureId>,
    #[serde(default)]
    pub limit: Option<u32>,
    #[serde(default)]
    #[ts(type = "number | null")]
    pub before: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct ForwardPage {
    pub items: Vec<ForwardView>,
    #[ts(type = "number | null")]
    pub next_before: Option<i64>,
}

/// The top bar's counts.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, TS, PartialEq, Eq)]
#[ts(export)]
pub struct OutboxCounts {
    #[ts(type = "number")]
    pub pending: u64,
    #[ts(type = "number")]
    pub scheduled: u64,
    #[ts(type = "number")]
    pub sending: u64,
    #[ts(type = "number")]
    pub failed: u64,
}
