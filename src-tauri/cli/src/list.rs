//! `hookloupe list`, `pin`, `unpin` and `filters`: arguments to a [`CaptureFilter`], engine
//! calls page by page, printing. Presentation only: the search itself is hookloupe-core's.
//!
//! Output shapes: up to one page (`--limit` ≤ 1000, the default 50) prints a table, or with
//! `--json` one JSON array of capture summaries. A larger `--limit` or `--all` streams every
//! match page by page as it comes: table rows, or with `--json` one summary object per line
//! (JSON Lines, so a million rows never sit in memory). `--count` prints the number of matches
//! (`{"count": N}` with `--json`).

use std::io::Write;

use clap::{Args, Subcommand, ValueEnum};
use hookloupe_core::ipc::{CaptureFilter, CaptureSummary, ListCapturesReq, SavedFilterView, VerdictChip};
use hookloupe_core::search::when::parse_instant;
use hookloupe_core::{Engine, Error};

use crate::print;

/// Most captures the engine returns in one page.
const PAGE: u32 = 1000;

#[derive(Clone, Copy, ValueEnum)]
pub enum Verdict {
    Valid,
    Invalid,
    Expired,
    Unsigned,
    NoSecret,
    /// Nothing was judged.
    None,
}

#[derive(Args)]
pub struct ListArgs {
    /// Full-text words (JSON keys and values, form fields, text bodies, header values, path,
    /// query); the last word matches as a prefix, "quoted words" as a phrase.
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// An expression in the forward rules' language, e.g. 'type == "invoice.overdue" && data.total_cents > 150000'.
    #[arg(long, value_name = "EXPR")]
    pub query: Option<String>,
    #[arg(long)]
    pub endpoint: Option<String>,
    #[arg(long, value_name = "M")]
    pub method: Option<String>,
    /// The signature verdict (`none`: nothing was judged).
    #[arg(long, value_enum)]
    pub verdict: Option<Verdict>,
    /// The event type the delivery carries, e.g. invoice.paid.
    #[arg(long, value_name = "T")]
    pub event_type: Option<String>,
    /// Only duplicate deliveries (an older capture carries the same event id).
    #[arg(long)]
    pub duplicates: bool,
    /// Only captures with a failed forward.
    #[arg(long)]
    pub forward_failed: bool,
    /// How it arrived: local, tunnel or import.
    #[arg(long, value_name = "local|tunnel|import")]
    pub via: Option<String>,
    /// Received at or after: a duration back from now (2h, 30m, 7d), a day (2026-11-28, UTC) or an RFC 3339 time.
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Received before (same forms as --since).
    #[arg(long, value_name = "WHEN")]
    pub until: Option<String>,
    /// Only pinned captures.
    #[arg(long)]
    pub pinned: bool,
    /// How many; above 1000 the matches are streamed page by page.
    #[arg(long, default_value_t = 50)]
    pub limit: u64,
    /// Every match, streamed page by page.
    #[arg(long, conflicts_with = "limit")]
    pub all: bool,
    /// Print only how many captures match.
    #[arg(long, conflicts_with_all = ["all", "before"])]
    pub count: bool,
    /// Only captures older than this id (paging).
    #[arg(long)]
    pub before: Option<i64>,
}

#[derive(Subcommand)]
pub enum FiltersCmd {
    /// The saved filters.
    List,
    /// Save the filter given by the same options as `list` under NAME.
    Save {
        name: String,
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Remove a saved filter.
    Remove { name: String },
}

/// The filter options of `list`, for `filters save`.
#[derive(Args)]
pub struct FilterArgs {
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    #[arg(long, value_name = "EXPR")]
    pub query: Option<String>,
    #[arg(long)]
    pub endpoint: Option<String>,
    #[arg(long, value_name = "M")]
    pub method: Option<String>,
    #[arg(long, value_enum)]
    pub verdict: Option<Verdict>,
    #[arg(long, value_name = "T")]
    pub event_type: Option<String>,
    #[arg(long)]
    pub duplicates: bool,
    #[arg(long)]
    pub forward_failed: bool,
    #[arg(long, value_name = "local|tunnel|import")]
    pub via: Option<String>,
    #[arg(long)]
    pub pinned: bool,
}

fn chip(v: Verdict) -> VerdictChip {
    match v {
        Verdict::Valid => VerdictChip::Valid,
        Verdict::Invalid => VerdictChip::Invalid,
        Verdict::Expired => VerdictChip::Expired,
        Verdict::Unsigned => VerdictChip::Unsigned,
        Verdict::NoSecret => VerdictChip::NoSecret,
        Verdict::None => VerdictChip::None,
    }
}

fn now_us() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or_default()
}

impl ListArgs {
    /// The filter these options say; `now_us` anchors relative times (`--since 2h`).
    pub fn filter(&self, now_us: i64) -> Result<CaptureFilter, Error> {
        let when = |flag: &str, v: &Option<String>| -> Result<Option<i64>, Error> {
            v.as_deref().map(|t| parse_instant(t, now_us).map_err(|m| Error::InvalidInput(format!("--{flag}: {m}")))).transpose()
        };
        Ok(CaptureFilter {
            endpoint: self.endpoint.clone(),
            search: self.search.clone(),
            query: self.query.clone(),
            method: self.method.clone(),
            verdict: self.verdict.map(chip),
            event_type: self.event_type.clone(),
            duplicates: self.duplicates,
            forward_failed: self.forward_failed,
            via: self.via.clone(),
            since_us: when("since", &self.since)?,
            until_us: when("until", &self.until)?,
            pinned: self.pinned,
            ids: None,
        })
    }
}

impl FilterArgs {
    pub fn filter(self) -> CaptureFilter {
        CaptureFilter {
            endpoint: self.endpoint,
            search: self.search,
            query: self.query,
            method: self.method,
            verdict: self.verdict.map(chip),
            event_type: self.event_type,
            duplicates: self.duplicates,
            forward_failed: self.forward_failed,
            via: self.via,
            pinned: self.pinned,
            ..CaptureFilter::default()
        }
    }
}

/// `hookloupe list`.
pub async fn run(engine: &Engine, args: ListArgs, json: bool) -> anyhow::Result<()> {
    let filter = args.filter(now_us())?;
    if args.count {
        let n = engine.count_matches(filter).await?;
        print::done(json, &n.to_string(), serde_json::json!({ "count": n }));
        return Ok(());
    }
    let wanted = if args.all { u64::MAX } else { args.limit.max(1) };
    let streaming = wanted > u64::from(PAGE);
    let mut out = std::io::stdout().lock();
    let mut before = args.before;
    let mut shown: u64 = 0;
    let mut kept: Vec<CaptureSummary> = Vec::new();
    let mut header = false;
    let mut total = None;
    let (stored, more) = loop {
        let limit = (wanted - shown).min(u64::from(PAGE)) as u32;
        let page = engine.list_captures(ListCapturesReq { limit: Some(limit), before, filter: filter.clone() }).await?;
        total = total.or(page.total);
        shown += page.items.len() as u64;
        if streaming {
            for c in &page.items {
                if json {
                    writeln!(out, "{}", serde_json::to_string(c)?)?;
                } else {
                    if !header {
                        writeln!(out, "{}", print::capture_header())?;
                        header = true;
                    }
                    writeln!(out, "{}", print::capture_row(c))?;
                }
            }
            out.flush()?;
        } else {
            kept.extend(page.items);
        }
        // A partial page (an expression's scan budget) is asked again from where it stopped.
        match page.next_before {
            Some(next) if shown < wanted => before = Some(next),
            more => break (page.stored, more),
        }
    };
    if streaming {
        if !json && !header {
            writeln!(out, "{}", print::no_captures(filter_is_empty(&filter)))?;
        }
        return Ok(());
    }
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&kept)?)?;
        return Ok(());
    }
    if kept.is_empty() {
        writeln!(out, "{}", print::no_captures(filter_is_empty(&filter)))?;
        return Ok(());
    }
    writeln!(out, "{}", print::capture_header())?;
    for c in &kept {
        writeln!(out, "{}", print::capture_row(c))?;
    }
    let of = match total {
        Some(t) => format!("{} of {t} matching ({stored} stored)", kept.len()),
        None => format!("{} matching ({stored} stored; `--count` counts them all)", kept.len()),
    };
    match more {
        Some(b) if shown >= wanted => writeln!(out, "{of}; more: hookloupe list --before {b} (same options), or --all")?,
        _ => writeln!(out, "{of}")?,
    }
    Ok(())
}

fn filter_is_empty(f: &CaptureFilter) -> bool {
    *f == CaptureFilter::default()
}

/// `hookloupe pin ID` / `hookloupe unpin ID`.
pub async fn pin(engine: &Engine, id: i64, pinned: bool, json: bool) -> anyhow::Result<()> {
    engine.set_pinned(id, pinned).await?;
    let text = if pinned { format!("Pinned capture {id}: retention keeps it.") } else { format!("Unpinned capture {id}.") };
    print::done(json, &text, serde_json::json!({ "id": id, "pinned": pinned }));
    Ok(())
}

/// `hookloupe filters …`.
pub async fn filters(engine: &Engine, cmd: FiltersCmd, json: bool) -> anyhow::Result<()> {
    match cmd {
        FiltersCmd::List => {
            let list = engine.saved_filters().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else if list.is_empty() {
                println!("No saved filters. Save one with `hookloupe filters save NAME --query …`.");
            } else {
                for f in &list {
                    println!("{:<24} {}", print::safe(&f.name), print::safe(&serde_json::to_string(&f.filter)?));
                }
            }
        }
        FiltersCmd::Save { name, filter } => {
            let saved = engine.save_filter(SavedFilterView { name, filter: filter.filter() }).await?;
            print::done(json, &format!("Saved filter {}.", print::safe(&saved.name)), serde_json::to_value(&saved)?);
        }
        FiltersCmd::Remove { name } => {
            engine.remove_filter(name.clone()).await?;
            print::done(json, &format!("Removed filter {}.", print::safe(&name)), serde_json::json!({ "removed": name }));
        }
    }
    Ok(())
}
