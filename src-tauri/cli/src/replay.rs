//! `hookloupe replay` and `hookloupe deliveries`: argument shapes, one engine call per capture,
//! and printing — the attempt's answer (or the exact request, with `--dry-run`), warnings on
//! stderr. Presentation only: building, re-signing, sending and the delivery log live in
//! hookloupe-core.

use std::io::Read;
use std::path::PathBuf;

use base64::Engine as _;
use clap::Args;
use hookloupe_core::forward::{parse_header_line, parse_timeout};
use hookloupe_core::ipc::{
    DeliveryFilter, DeliveryOutcome, DeliverySummary, DeliveryView, ListDeliveriesReq, ReplayPreview, ReplayReq,
    ReplayTarget, RequestEdits,
};
use hookloupe_core::{Engine, Error};

use crate::print::{safe, safe_body, size};

#[derive(Args)]
pub struct ReplayArgs {
    /// Capture ids, sent one after another in the order given.
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<i64>,
    /// Target URL (http:// or https://), used as given.
    #[arg(long, value_name = "URL")]
    pub to: String,
    /// Rebase instead: the target's origin and base path + the capture's path and query.
    #[arg(long)]
    pub keep_path: bool,
    /// Send with another method.
    #[arg(long, value_name = "M")]
    pub method: Option<String>,
    /// Set a header, "Name: value" (replaces the first of that name, or is added); repeatable.
    #[arg(long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// Remove every header of this name; repeatable.
    #[arg(long = "remove-header", value_name = "NAME")]
    pub remove_headers: Vec<String>,
    /// Send this file's bytes as the body (`-` reads stdin).
    #[arg(long, value_name = "FILE")]
    pub body_file: Option<PathBuf>,
    /// Re-sign with the capture's endpoint scheme and secret, at the moment of sending.
    #[arg(long)]
    pub resign: bool,
    /// Which of the endpoint's secrets re-signs (its number in `endpoint list`, from 0).
    #[arg(long, value_name = "N")]
    pub secret_index: Option<u32>,
    /// Re-sign with a new message id (Standard Webhooks, Svix) instead of the captured one.
    #[arg(long)]
    pub new_message_id: bool,
    /// How long to wait for the whole answer: 30s (default), 500ms, 10m (at most).
    #[arg(long, value_name = "DURATION", default_value = "30s")]
    pub timeout: String,
    /// Accept invalid TLS certificates (self-signed staging).
    #[arg(long)]
    pub insecure: bool,
    /// Print the exact request that would go out, and send nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Args)]
pub struct DeliveriesArgs {
    /// Only attempts made from this capture.
    pub capture_id: Option<i64>,
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    /// Only these: all, success (2xx), other (another status), failed (no answer).
    #[arg(long, value_name = "WHICH", default_value = "all", value_parser = parse_filter)]
    pub filter: DeliveryFilter,
    /// Only attempts older than this attempt id (paging).
    #[arg(long)]
    pub before: Option<i64>,
}

fn parse_filter(s: &str) -> Result<DeliveryFilter, String> {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|_| format!("{s:?} is not one of all, success, other, failed"))
}

fn read_body(path: &PathBuf) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io("cannot read the body from standard input", e))?;
    } else {
        bytes = std::fs::read(path).map_err(|e| Error::io(format!("cannot read the body file {}", path.display()), e))?;
    }
    Ok(bytes)
}

/// Runs `hookloupe replay`; true when every target answered 2xx.
pub async fn run(engine: &Engine, a: ReplayArgs, json: bool) -> anyhow::Result<bool> {
    let set_headers = a.headers.iter().map(|h| parse_header_line(h).map_err(|e| Error::InvalidInput(e.0))).collect::<Result<_, _>>()?;
    let body_b64 = match &a.body_file {
        Some(p) => Some(base64::engine::general_purpose::STANDARD.encode(read_body(p)?)),
        None => None,
    };
    let edits = RequestEdits { method: a.method.clone(), headers: None, set_headers, remove_headers: a.remove_headers.clone(), body: None, body_b64 };
    let target = ReplayTarget {
        url: a.to.clone(),
        keep_path: a.keep_path,
        resign: a.resign,
        secret_index: a.secret_index,
        new_message_id: a.new_message_id,
        timeout_ms: Some(parse_timeout(&a.timeout).map_err(|e| Error::InvalidInput(e.0))?),
        insecure: a.insecure,
    };
    let mut all_ok = true;
    for id in &a.ids {
        let req = ReplayReq { capture_id: *id, target: target.clone(), edits: edits.clone(), token: None, discard_draft: false };
        let preview = engine.preview_replay(req.clone()).await?;
        for w in &preview.warnings {
            eprintln!("warning: capture {id}: {}", w.message);
        }
        if a.dry_run {
            print_preview(*id, &preview, json);
            continue;
        }
        let view = engine.replay(req).await?;
        all_ok &= matches!(view.summary.status, Some(200..=299));
        if json {
            let mut value = serde_json::to_value(&view)?;
            value["warnings"] = serde_json::to_value(&preview.warnings)?;
            println!("{value}");
        } else {
            println!("{}", attempt_line(&view.summary));
        }
    }
    Ok(all_ok)
}

fn print_preview(id: i64, p: &ReplayPreview, json: bool) {
    if json {
        println!("{}", serde_json::to_string(p).unwrap_or_default());
        return;
    }
    let r = &p.request;
    println!("# capture {id}{}", if p.resigned { " (re-signed)" } else { "" });
    println!("{} {}", safe(&r.method), safe(&r.url));
    for (n, v) in &r.headers {
        let mark = if p.signature_headers.iter().any(|s| s.eq_ignore_ascii_case(n)) { "  # signature" } else { "" };
        println!("{}: {}{mark}", safe(n), safe(v));
    }
    println!();
    let body = base64::engine::general_purpose::STANDARD.decode(&r.body_b64).unwrap_or_default();
    println!("{}", safe_body(&body));
}

fn outcome_words(s: &DeliverySummary) -> String {
    match (s.outcome, s.status) {
        (DeliveryOutcome::Response, Some(status)) => format!("{status}"),
        (DeliveryOutcome::Cancelled, _) => "cancelled".into(),
        _ => format!("failed ({})", s.error_code.map(|c| c.as_str()).unwrap_or("error")),
    }
}

fn attempt_line(s: &DeliverySummary) -> String {
    let mut notes = String::new();
    if s.resigned {
        notes.push_str("  [re-signed]");
    }
    if s.insecure {
        notes.push_str("  [TLS not checked]");
    }
    if let Some(m) = &s.error_message {
        notes.push_str(&format!("  {}", safe(m)));
    }
    let body = match s.response_size {
        Some(n) if s.response_truncated => format!("  {} (truncated)", size(n)),
        Some(n) => format!("  {}", size(n)),
        None => String::new(),
    };
    format!(
        "attempt #{:<5} capture #{:<5} {} {}  → {}  {:.1} ms{body}{notes}",
        s.id,
        s.capture_id,
        safe(&s.method),
        safe(&s.url),
        outcome_words(s),
        s.duration_ms
    )
}

/// `hookloupe deliveries`.
pub async fn list(engine: &Engine, a: DeliveriesArgs, json: bool) -> anyhow::Result<()> {
    let req = ListDeliveriesReq { capture_id: a.capture_id, filter: Some(a.filter), limit: Some(a.limit), before: a.before };
    if json {
        let views: Vec<DeliveryView> = engine.deliveries_full(req).await?;
        println!("{}", serde_json::to_string_pretty(&views)?);
        return Ok(());
    }
    let page = engine.list_deliveries(req).await?;
    if page.items.is_empty() {
        println!("No delivery attempts yet. Replay a capture: hookloupe replay ID --to URL");
        return Ok(());
    }
    for s in &page.items {
        println!("{}  {}", s.started_at, attempt_line(s));
    }
    if let Some(before) = page.next_before {
        println!("… more: hookloupe deliveries --before {before}");
    }
    Ok(())
}
