//! `hookloupe forward …` (forward rules), `hookloupe outbox …` (queued and finished forwards)
//! and the attempt lines `listen --forward-to` prints. Argument shapes and printing only:
//! checking rules, queueing, sending and retrying live in hookloupe-core.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use hookloupe_core::forward::parse_timeout;
use hookloupe_core::forward::policy::{parse_backoff, RetryPolicy};
use hookloupe_core::forward::rule::DEFAULT_ANSWER_DEADLINE_MS;
use hookloupe_core::ipc::{
    DeliverySummary, ForwardFilter, ForwardRuleView, ForwardView, ListForwardsReq, RuleSpec, SaveForwardRuleReq,
    Transform,
};
use hookloupe_core::{Engine, Error};

use crate::print::{done, safe};

#[derive(Subcommand)]
pub enum ForwardCmd {
    /// Add a forward rule: every new capture of ENDPOINT (that passes the filter) goes to --to.
    Add(AddArgs),
    /// List forward rules.
    List,
    /// Stop queueing new captures for a rule; its queued forwards wait.
    Pause { rule: i64 },
    /// Start queueing again, and send what waited.
    Resume { rule: i64 },
    /// Remove a rule; its queued forwards are cancelled (their history stays).
    Remove { rule: i64 },
}

#[derive(Args)]
pub struct AddArgs {
    /// The endpoint whose captures are forwarded.
    pub endpoint: String,
    #[command(flatten)]
    pub target: TargetArgs,
    /// Only captures this CEL expression accepts, e.g. 'type == "invoice.overdue" && data.total_cents > 150000'.
    #[arg(long, value_name = "EXPR")]
    pub filter: Option<String>,
    /// Transform the body: `slack` (a Slack incoming-webhook message) or a minijinja template FILE.
    #[arg(long, value_name = "FILE|slack")]
    pub template: Option<String>,
    /// Content type of a transformed body (default application/json).
    #[arg(long, value_name = "TYPE")]
    pub content_type: Option<String>,
    /// Re-sign with the endpoint's scheme and secret, fresh timestamp, at each attempt.
    #[arg(long)]
    pub resign: bool,
    /// Forward only captures whose signature is valid.
    #[arg(long)]
    pub only_valid: bool,
    /// Skip a capture whose event id this rule already forwarded with success.
    #[arg(long)]
    pub skip_duplicates: bool,
    /// At most this many sends to the target: 1/s, 10/min, 5/10s.
    #[arg(long, value_name = "N/PERIOD")]
    pub rate: Option<String>,
    /// Answer the provider with the target's first response (status, headers, body).
    #[arg(long)]
    pub answer: bool,
    /// How long the provider waits for that answer before the endpoint's own response.
    #[arg(long, value_name = "DURATION")]
    pub answer_deadline: Option<String>,
    /// Add the rule paused.
    #[arg(long)]
    pub paused: bool,
}

/// Where and how a forward goes (shared with `listen --forward-to`).
#[derive(Args, Clone)]
pub struct TargetArgs {
    /// Target URL (http:// or https://; `localhost:3000/hook` means http://).
    #[arg(long = "to", value_name = "URL")]
    pub to: String,
    /// Rebase: the target's origin and base path + the capture's path and query.
    #[arg(long)]
    pub keep_path: bool,
    /// Per attempt: 10s (default), 500ms, up to 10m for a handler paused at a breakpoint.
    #[arg(long, value_name = "DURATION", default_value = "10s")]
    pub timeout: String,
    /// Attempts in all, the first included.
    #[arg(long, default_value_t = 3)]
    pub attempts: u32,
    /// The wait before each attempt, from the end of the previous one.
    #[arg(long, value_name = "WAITS", default_value = "0s,5s,25s")]
    pub backoff: String,
    /// Accept invalid TLS certificates (self-signed staging).
    #[arg(long)]
    pub insecure: bool,
}

fn invalid(e: impl std::fmt::Display) -> Error {
    Error::InvalidInput(e.to_string())
}

/// `localhost:3000/hook` as `http://localhost:3000/hook`, like `stripe listen --forward-to`.
pub fn target_url(text: &str) -> String {
    if text.contains("://") { text.to_string() } else { format!("http://{text}") }
}

impl TargetArgs {
    pub fn spec(&self, endpoint: Option<String>) -> Result<RuleSpec, Error> {
        let mut spec = RuleSpec::new(endpoint, target_url(&self.to));
        spec.keep_path = self.keep_path;
        spec.insecure = self.insecure;
        spec.policy = RetryPolicy {
            timeout_ms: parse_timeout(&self.timeout).map_err(invalid)?,
            attempts: self.attempts,
            backoff_ms: parse_backoff(&self.backoff).map_err(invalid)?,
        };
        Ok(spec)
    }
}

fn add_spec(a: &AddArgs) -> Result<RuleSpec, Error> {
    let mut spec = a.target.spec(Some(a.endpoint.clone()))?;
    spec.filter = a.filter.clone();
    spec.transform = match a.template.as_deref() {
        None => Transform::None,
        Some("slack") => Transform::Slack,
        Some(file) => {
            let path = PathBuf::from(file);
            let source = std::fs::read_to_string(&path)
                .map_err(|e| Error::InvalidInput(format!("cannot read the template {}: {e}", path.display())))?;
            Transform::Template { source }
        }
    };
    spec.content_type = a.content_type.clone();
    spec.resign = a.resign;
    spec.only_valid = a.only_valid;
    spec.skip_duplicates = a.skip_duplicates;
    spec.rate = a.rate.clone();
    spec.answer = a.answer;
    spec.answer_deadline_ms = match &a.answer_deadline {
        Some(t) => parse_timeout(t).map_err(|e| Error::InvalidInput(format!("answer deadline: {e}")))?,
        None => DEFAULT_ANSWER_DEADLINE_MS,
    };
    spec.enabled = !a.paused;
    Ok(spec)
}

fn ms(n: u64) -> String {
    if n % 1000 == 0 { format!("{}s", n / 1000) } else { format!("{n}ms") }
}

/// One line per rule property worth seeing.
fn rule_line(r: &ForwardRuleView) -> String {
    let s = &r.spec;
    let mut parts = vec![
        format!("#{}", r.id),
        if s.enabled { "on".into() } else { "paused".into() },
        s.endpoint.clone().map_or("every endpoint".into(), |e| safe(&e)),
        format!("-> {}", safe(&s.url)),
    ];
    if r.session {
        parts.push("(listen --forward-to)".into());
    }
    if let Some(f) = &s.filter {
        parts.push(format!("filter: {}", safe(f)));
    }
    match &s.transform {
        Transform::None => {}
        Transform::Slack => parts.push("template: slack".into()),
        Transform::Template { .. } => parts.push("template: custom".into()),
    }
    for (on, word) in [(s.keep_path, "keep-path"), (s.resign, "resign"), (s.only_valid, "only-valid"), (s.skip_duplicates, "skip-duplicates"), (s.insecure, "insecure")] {
        if on {
            parts.push(word.into());
        }
    }
    if let Some(rate) = &s.rate {
        parts.push(format!("rate {rate}"));
    }
    if s.answer {
        parts.push(format!("answers the provider (deadline {})", ms(s.answer_deadline_ms)));
    }
    let p = &s.policy;
    parts.push(format!(
        "timeout {}, {} attempts, backoff {}",
        ms(p.timeout_ms),
        p.attempts,
        p.backoff_ms.iter().map(|b| ms(*b)).collect::<Vec<_>>().join(",")
    ));
    parts.join("  ")
}

pub async fn run(engine: &Engine, cmd: ForwardCmd, json: bool) -> anyhow::Result<()> {
    match cmd {
        ForwardCmd::Add(a) => {
            let spec = add_spec(&a)?;
            let saved = engine.save_forward_rule(SaveForwardRuleReq { id: None, spec }).await?;
            done(json, &format!("Added forward rule {}", rule_line(&saved)), serde_json::to_value(&saved)?);
        }
        ForwardCmd::List => {
            let list = engine.list_forward_rules().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else if list.is_empty() {
                println!("No forward rules. Add one: hookloupe forward add ENDPOINT --to http://localhost:3000/webhooks");
            } else {
                for r in &list {
                    println!("{}", rule_line(r));
                }
            }
        }
        ForwardCmd::Pause { rule } => {
            let r = engine.set_forward_rule_enabled(rule, false).await?;
            done(json, &format!("Paused forward rule {}.", r.id), serde_json::to_value(&r)?);
        }
        ForwardCmd::Resume { rule } => {
            let r = engine.set_forward_rule_enabled(rule, true).await?;
            done(json, &format!("Resumed forward rule {}.", r.id), serde_json::to_value(&r)?);
        }
        ForwardCmd::Remove { rule } => {
            engine.remove_forward_rule(rule).await?;
            done(json, &format!("Removed forward rule {rule}."), serde_json::json!({ "removed": rule }));
        }
    }
    Ok(())
}

#[derive(Args)]
pub struct OutboxArgs {
    #[command(subcommand)]
    pub action: Option<OutboxCmd>,
    /// Only forwards in this state: open (pending, scheduled, sending), pending, scheduled,
    /// succeeded, failed, filtered, skipped_duplicate, cancelled.
    #[arg(long, value_name = "STATE")]
    pub state: Option<String>,
    /// Only the forwards of this capture.
    #[arg(long, value_name = "ID")]
    pub capture: Option<i64>,
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
}

#[derive(Subcommand)]
pub enum OutboxCmd {
    /// Send a forward again now (a failed one gets a new round of attempts); --failed: every failed one.
    Retry {
        #[arg(required_unless_present = "failed")]
        id: Option<i64>,
        #[arg(long, conflicts_with = "id")]
        failed: bool,
    },
    /// Cancel a pending or scheduled forward.
    Cancel { id: i64 },
    /// One forward with every attempt.
    Show { id: i64 },
}

fn state_filter(text: &str) -> Result<ForwardFilter, Error> {
    serde_json::from_value(serde_json::Value::String(text.replace('-', "_"))).map_err(|_| {
        Error::InvalidInput(format!(
            "{text:?} is not a state: use open, pending, scheduled, succeeded, failed, filtered, skipped_duplicate or cancelled"
        ))
    })
}

/// An attempt's result in a few words: `200 OK`-like status, or the failure code.
fn answer(s: &DeliverySummary) -> String {
    match (s.status, &s.error_code) {
        (Some(status), _) => status.to_string(),
        (None, Some(code)) => code.as_str().to_string(),
        (None, None) => "no answer".into(),
    }
}

fn forward_line(f: &ForwardView) -> String {
    let state = serde_json::to_value(f.state).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    let mut line = format!("#{:<6} capture {:<6} rule {:<3} {:<17} {}", f.id, f.capture_id, f.rule_id, state, safe(&f.url));
    if f.attempts > 0 {
        line.push_str(&format!("  attempts {}", f.attempts));
    }
    if let Some(last) = &f.last {
        line.push_str(&format!("  last {}", answer(last)));
    }
    if let (Some(next), true) = (&f.next_at, f.state.is_open()) {
        line.push_str(&format!("  next {next}"));
    }
    if let Some(d) = &f.detail {
        line.push_str(&format!("  — {}", safe(d)));
    }
    line
}

pub async fn outbox(engine: &Engine, args: OutboxArgs, json: bool) -> anyhow::Result<()> {
    match args.action {
        None => {
            let filter = args.state.as_deref().map(state_filter).transpose()?;
            let page = engine
                .list_forwards(ListForwardsReq { filter, capture_id: args.capture, limit: Some(args.limit), before: None })
                .await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&page.items)?);
            } else if page.items.is_empty() {
                println!("The outbox is empty.");
            } else {
                for f in &page.items {
                    println!("{}", forward_line(f));
                }
                if let Some(b) = page.next_before {
                    println!("… more: --limit {} or older than #{b}", args.limit);
                }
            }
        }
        Some(OutboxCmd::Retry { failed: true, .. }) => {
            let n = engine.retry_failed_forwards().await?;
            done(json, &format!("{n} failed forwards queued again (a listening Hookloupe sends them)."), serde_json::json!({ "retried": n }));
        }
        Some(OutboxCmd::Retry { id, .. }) => {
            let id = id.ok_or_else(|| Error::InvalidInput("give a forward id, or --failed".into()))?;
            let f = engine.retry_forward(id).await?;
            done(json, &format!("Forward {id} queued again (a listening Hookloupe sends it)."), serde_json::to_value(&f)?);
        }
        Some(OutboxCmd::Cancel { id }) => {
            let f = engine.cancel_forward(id).await?;
            done(json, &format!("Cancelled forward {id}."), serde_json::to_value(&f)?);
        }
        Some(OutboxCmd::Show { id }) => {
            let d = engine.forward(id).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&d)?);
            } else {
                println!("{}", forward_line(&d.forward));
                for a in &d.attempts {
                    println!("  {}", attempt_line(a));
                }
            }
        }
    }
    Ok(())
}

/// The line `listen --forward-to` prints for one attempt.
pub fn attempt_line(a: &DeliverySummary) -> String {
    let mut line = format!(
        "{} {} -> {} {}  capture {} attempt {} ({:.0} ms)",
        crate::print::time::format_hms(a.started_at_us),
        if a.kind == "forward" { "forward" } else { "replay" },
        answer(a),
        safe(&a.url),
        a.capture_id,
        a.attempt.unwrap_or(1),
        a.duration_ms
    );
    if let Some(m) = &a.error_message {
        line.push_str(&format!(": {}", safe(m)));
    }
    line
}
