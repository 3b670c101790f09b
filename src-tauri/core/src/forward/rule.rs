//! A forward rule as the user writes it ([`RuleSpec`]), checked and compiled once when saved
//! ([`compile`], which refuses a bad URL, filter, template, policy, rate or deadline with its
//! reason and the field it is in), and the per-capture decisions made from it: whether a queued
//! forward goes at all ([`Rule::decide`]) and what body it carries ([`Rule::body`]).
//! Pure: the duplicate check is told whether the event already went, and the template's time
//! is the capture's own; this module must not read the outbox, the clock, or send.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::policy::{Rate, RetryPolicy};
use super::template::{Template, TemplateContext};
use super::{destination, BuildError};
use crate::model::Capture;
use crate::query::{self, Filter, Outcome, Subject};

/// Shortest and longest wait for the target's answer before the provider gets the fallback.
pub const MIN_ANSWER_DEADLINE_MS: u64 = 100;
pub const MAX_ANSWER_DEADLINE_MS: u64 = 60_000;
/// When none is given: under Slack's 3 s and most providers' 5–10 s.
pub const DEFAULT_ANSWER_DEADLINE_MS: u64 = 2_500;
/// Content type of a transformed body when the rule names none.
pub const DEFAULT_TEMPLATE_CONTENT_TYPE: &str = "application/json";

/// What is done to the body before it goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum Transform {
    /// Sent as captured.
    #[default]
    None,
    /// The ready Slack incoming-webhook message (see [`super::template::SLACK_TEMPLATE`]).
    Slack,
    /// A minijinja template of the user's.
    Template { source: String },
}

/// A rule as stored and edited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RuleSpec {
    /// The endpoint whose captures it forwards; `None`: every endpoint (`listen --forward-to`).
    pub endpoint: Option<String>,
    pub url: String,
    /// Rebase the capture's path and query onto the URL's path.
    #[serde(default)]
    pub keep_path: bool,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// A CEL expression; `None`: every capture.
    #[serde(default)]
    pub filter: Option<String>,
    #[serde(default)]
    pub transform: Transform,
    /// Content type of a transformed body (default `application/json`).
    #[serde(default)]
    pub content_type: Option<String>,
    /// Re-sign with the endpoint's scheme and secret, fresh timestamp, at each attempt.
    #[serde(default)]
    pub resign: bool,
    /// Forward only captures whose signature is valid.
    #[serde(default)]
    pub only_valid: bool,
    /// Skip a capture whose event id this rule already forwarded with success.
    #[serde(default)]
    pub skip_duplicates: bool,
    #[serde(default)]
    pub policy: RetryPolicy,
    /// `1/s`, `10/min`, `5/10s`…; `None`: as fast as the target answers. Checked by [`compile`]
    /// (text here, so that a refused rate is refused with its words like any other field).
    #[serde(default)]
    pub rate: Option<String>,
    /// Accept an invalid TLS certificate (self-signed staging).
    #[serde(default)]
    pub insecure: bool,
    /// Answer the provider with this target's first response (status, headers, body), or
    /// with the endpoint's own response after `answer_deadline_ms`.
    #[serde(default)]
    pub answer: bool,
    #[serde(default = "default_deadline")]
    #[ts(type = "number")]
    pub answer_deadline_ms: u64,
}

fn yes() -> bool {
    true
}

fn default_deadline() -> u64 {
    DEFAULT_ANSWER_DEADLINE_MS
}

impl RuleSpec {
    /// A rule sending every capture of `endpoint` to `url` with the default policy.
    pub fn new(endpoint: Option<String>, url: impl Into<String>) -> RuleSpec {
        RuleSpec {
            endpoint,
            url: url.into(),
            keep_path: false,
            enabled: true,
            filter: None,
            transform: Transform::None,
            content_type: None,
            resign: false,
            only_valid: false,
            skip_duplicates: false,
            policy: RetryPolicy::default(),
            rate: None,
            insecure: false,
            answer: false,
            answer_deadline_ms: DEFAULT_ANSWER_DEADLINE_MS,
        }
    }
}

/// Why a rule cannot be saved: the field (`url`, `filter`, `template`, `policy`, `rate`,
/// `answer_deadline_ms`, `content_type`) and plain words; for a filter, where in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct RuleError {
    pub field: &'static str,
    pub message: String,
    /// Byte offset in the filter, when the filter is the problem and the parser says where.
    pub offset: Option<usize>,
}

fn refuse(field: &'static str, message: impl Into<String>) -> RuleError {
    RuleError { field, message: message.into(), offset: None }
}

/// A checked rule, its filter and template compiled. Cheap to share.
#[derive(Debug, Clone)]
pub struct Rule {
    pub spec: RuleSpec,
    filter: Option<Arc<Filter>>,
    template: Option<Arc<Template>>,
    rate: Option<Rate>,
}

/// Whether a queued forward goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Send,
    /// Not forwarded, and why (filter said no or failed on this payload, signature not valid).
    Filtered(String),
    /// The rule skips duplicates and this event already went.
    Duplicate(String),
}

/// Checks `spec` and compiles its filter and template.
pub fn compile(spec: RuleSpec) -> Result<Rule, RuleError> {
    let url = spec.url.trim().to_string();
    let url = url.as_str();
    if url.is_empty() {
        return Err(refuse("url", "give the URL to forward to, e.g. http://localhost:3000/webhooks"));
    }
    destination(url, spec.keep_path, "/", "").map_err(|BuildError(m)| refuse("url", m))?;
    let filter = match spec.filter.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
        None => None,
        Some(src) => Some(Arc::new(query::parse(src).map_err(|e| RuleError {
            field: "filter",
            message: e.to_string(),
            offset: e.position.map(|p| p.offset),
        })?)),
    };
    let template = match &spec.transform {
        Transform::None => None,
        Transform::Slack => Some(Arc::new(Template::slack())),
        Transform::Template { source } if source.trim().is_empty() => {
            return Err(refuse("template", "the template is empty: write the body to send, or choose no transform"))
        }
        Transform::Template { source } => {
            Some(Arc::new(Template::parse(source).map_err(|e| refuse("template", e.to_string()))?))
        }
    };
    if let Some(ct) = &spec.content_type {
        if ct.trim().is_empty() || ct.bytes().any(|b| b.is_ascii_control()) {
            return Err(refuse("content_type", "a content type is one line of text, e.g. application/json"));
        }
    }
    spec.policy.validate().map_err(|BuildError(m)| refuse("policy", m))?;
    let rate = match spec.rate.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        None => None,
        Some(text) => Some(text.parse::<Rate>().map_err(|BuildError(m)| refuse("rate", m))?),
    };
    if spec.answer && !(MIN_ANSWER_DEADLINE_MS..=MAX_ANSWER_DEADLINE_MS).contains(&spec.answer_deadline_ms) {
        return Err(refuse(
            "answer_deadline_ms",
            format!(
                "the provider can wait between {MIN_ANSWER_DEADLINE_MS} ms and {} s for the target's answer (got {} ms)",
                MAX_ANSWER_DEADLINE_MS / 1000,
                spec.answer_deadline_ms
            ),
        ));
    }
    let mut spec = spec;
    spec.url = url.to_string();
    spec.policy = RetryPolicy::new(spec.policy.timeout_ms, spec.policy.attempts, spec.policy.backoff_ms.clone())
        .map_err(|BuildError(m)| refuse("policy", m))?;
    spec.filter = filter.as_ref().map(|f| f.source().to_string());
    spec.rate = rate.map(|r| r.to_string());
    Ok(Rule { spec, filter, template, rate })
}

impl Rule {
    /// The rate limit of the target, checked.
    pub fn rate(&self) -> Option<Rate> {
        self.rate
    }

    /// Whether `capture` goes. `already_sent`: the rule has already forwarded this capture's
    /// event id with success (only asked when the rule skips duplicates).
    pub fn decide(&self, capture: &Capture, already_sent: impl FnOnce(&str) -> Option<i64>) -> Decision {
        if self.spec.only_valid && !capture.signature.verdict.as_ref().is_some_and(|v| v.is_valid()) {
            let why = match &capture.signature.verdict {
                Some(v) => format!("the signature is {}, and this rule forwards only valid ones: {}", query::verdict_name(v.status), v.explanation),
                None => "the capture is not signed (or the endpoint has no scheme), and this rule forwards only valid signatures".into(),
            };
            return Decision::Filtered(why);
        }
        if let Some(filter) = &self.filter {
            match filter.matches(&Subject::of(capture)) {
                Outcome::Match => {}
                Outcome::NoMatch => return Decision::Filtered(format!("the filter `{}` did not match", filter.source())),
                Outcome::Error(e) => {
                    return Decision::Filtered(format!("the filter could not be evaluated on this payload: {e}"))
                }
            }
        }
        if self.spec.skip_duplicates {
            if let Some(id) = &capture.data.event.id {
                if let Some(first) = already_sent(id) {
                    return Decision::Duplicate(format!("event {id} was already forwarded with success (capture {first})"));
                }
            }
        }
        Decision::Send
    }

    /// The body a transform makes of `capture`, with its content type; `None` without a
    /// transform. `received_at`: the capture's arrival as RFC 3339 text.
    pub fn body(&self, capture: &Capture, received_at: &str) -> Option<Result<(Vec<u8>, String), String>> {
        let template = self.template.as_ref()?;
        let ctx = context(capture, received_at);
        let ct = self.spec.content_type.clone().unwrap_or_else(|| DEFAULT_TEMPLATE_CONTENT_TYPE.to_string());
        Some(template.render(&ctx).map(|b| (b.into_bytes(), ct)).map_err(|e| format!("the template failed on this payload: {e}")))
    }
}

/// What a template sees of a capture.
pub fn context(capture: &Capture, received_at: &str) -> TemplateContext {
    let d = &capture.data;
    TemplateContext {
        body: TemplateContext::body_value(&d.body, d.content_type.as_deref()),
        headers: d.headers.to_text_pairs(),
        method: d.method.clone(),
        path: d.path.clone(),
        query: d.query.clone(),
        endpoint: d.endpoint.clone(),
        verdict: capture.signature.verdict.as_ref().map_or("unsigned", |v| query::verdict_name(v.status)).to_string(),
        event_type: d.event.event_type.clone(),
        event_id: d.event.id.clone(),
        received_at: received_at.to_string(),
        capture_id: capture.id,
    }
}

#[cfg(test)]
#[path = "rule_tests.rs"]
mod tests;
