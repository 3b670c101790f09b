//! `hookloupe diff A B`: arguments, one engine call, and rendering of the result — a colored
//! (when stdout is a terminal and NO_COLOR is unset) unified diff of the normalised bodies
//! after the metadata, header and structural JSON change lists, or the `DiffView` as JSON.
//! Presentation only: the comparison lives in hookloupe-core.

use std::io::{IsTerminal, Write};

use clap::Args;
use hookloupe_core::diff::{HeaderOp, JsonOp, LineTag, MetaField};
use hookloupe_core::ipc::{DiffCapturesReq, DiffView};
use hookloupe_core::{Config, Engine};

#[derive(Args)]
pub struct DiffArgs {
    /// The old capture's id.
    a: i64,
    /// The new capture's id; without it, A is compared with its first suggested partner (another
    /// delivery of the same event id, else the previous capture of the same event type).
    b: Option<i64>,
    /// JSON path to ignore (e.g. `id`, `data.object.created`, `items[*].id`, `**.timestamp`); repeatable.
    #[arg(long = "ignore", value_name = "PATH")]
    ignore: Vec<String>,
    /// Header name to ignore (case-insensitive, `*` wildcards); repeatable.
    #[arg(long = "ignore-header", value_name = "NAME")]
    ignore_header: Vec<String>,
    /// Unchanged lines shown around each change.
    #[arg(long = "unified", short = 'U', value_name = "N", default_value_t = 3)]
    unified: u32,
    /// Match arrays of objects by this key instead of by position (e.g. `id`).
    #[arg(long, value_name = "KEY")]
    array_key: Option<String>,
    /// Do not apply the endpoints' ignore rules (saved or provider defaults).
    #[arg(long)]
    no_rules: bool,
    /// Also show the ignored changes (marked).
    #[arg(long)]
    show_ignored: bool,
}

pub async fn run(config: Config, json: bool, args: DiffArgs) -> anyhow::Result<()> {
    let engine = Engine::open(config)?;
    let (a, b) = match args.b {
        Some(b) => (args.a, b),
        None => {
            let partner = engine.diff_partners(args.a).await?.into_iter().next().ok_or_else(|| {
                hookloupe_core::Error::NotFound(format!(
                    "capture {} has no suggested partner (no other delivery of its event, no earlier one of its type): give a second id",
                    args.a
                ))
            })?;
            // Older first, so the diff reads old → new.
            let p = partner.capture.id;
            (p.min(args.a), p.max(args.a))
        }
    };
    let mut req = DiffCapturesReq::captures(a, b);
    req.ignore_paths = args.ignore;
    req.ignore_headers = args.ignore_header;
    req.context = Some(args.unified);
    req.array_key = args.array_key;
    req.use_endpoint_rules = !args.no_rules;
    req.show_ignored = args.show_ignored;
    let view = engine.diff_captures(req).await?;
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&view)?)?;
    } else {
        let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        render(&mut out, &view, color)?;
    }
    out.flush()?;
    Ok(())
}

use crate::print::safe;

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn red(&self, s: &str) -> String {
        self.wrap("31", s)
    }
    fn green(&self, s: &str) -> String {
        self.wrap("32", s)
    }
    fn cyan(&self, s: &str) -> String {
        self.wrap("36", s)
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
}

fn meta_name(f: MetaField) -> &'static str {
    match f {
        MetaField::Method => "method",
        MetaField::Path => "path",
        MetaField::Query => "query",
        MetaField::BodySize => "body size",
        MetaField::ContentType => "content type",
        MetaField::Verdict => "signature",
    }
}

fn opt(v: &Option<String>) -> String {
    v.as_deref().map(safe).unwrap_or_else(|| "(none)".into())
}

fn value(v: &Option<serde_json::Value>) -> String {
    match v {
        None => "(absent)".into(),
        Some(v) => {
            let s = safe(&v.to_string());
            if s.chars().count() > 120 {
                format!("{}…", s.chars().take(120).collect::<String>())
            } else {
                s
            }
        }
    }
}

/// Human rendering; `color` adds ANSI colors (emphasised words in reverse video).
pub fn render(out: &mut impl Write, v: &DiffView, color: bool) -> std::io::Result<()> {
    let p = Paint(color);
    let d = &v.diff;
    writeln!(
        out,
        "{}",
        p.bold(&format!("--- {}\n+++ {}", safe(&v.a.label), safe(&v.b.label)))
    )?;
    let ignored = if d.ignored_count > 0 { format!(", {} ignored", d.ignored_count) } else { String::new() };
    writeln!(
        out,
        "{:?} body: {} insertions, {} deletions; {} JSON changes, {} header changes{ignored}",
        d.body_kind, d.stats.insertions, d.stats.deletions, d.json_changes.len(), d.headers.len()
    )?;
    if d.is_empty() {
        writeln!(out, "No differences{}.", if d.ignored_count > 0 { " (apart from ignored ones)" } else { "" })?;
        return Ok(());
    }
    if !d.meta.is_empty() {
        writeln!(out, "\n{}", p.bold("Request:"))?;
        for m in &d.meta {
            writeln!(out, "  {}: {} → {}", meta_name(m.field), opt(&m.old), opt(&m.new))?;
        }
    }
    if !d.headers.is_empty() {
        writeln!(out, "\n{}", p.bold("Headers:"))?;
        for h in &d.headers {
            let mark = if h.ignored { p.dim(" (ignored)") } else { String::new() };
            let line = match h.op {
                HeaderOp::Added => p.green(&format!("+ {}: {}", safe(&h.name), safe(&h.new.join(", ")))),
                HeaderOp::Removed => p.red(&format!("- {}: {}", safe(&h.name), safe(&h.old.join(", ")))),
                HeaderOp::Changed => format!("~ {}: {} → {}", safe(&h.name), safe(&h.old.join(", ")), safe(&h.new.join(", "))),
            };
            writeln!(out, "  {line}{mark}")?;
        }
    }
    if !d.json_changes.is_empty() {
        writeln!(out, "\n{}", p.bold("JSON changes:"))?;
        for c in &d.json_changes {
            let mark = if c.ignored { p.dim(" (ignored)") } else { String::new() };
            let line = match c.op {
                JsonOp::Added => p.green(&format!("+ {}: {}", safe(&c.path), value(&c.new))),
                JsonOp::Removed => p.red(&format!("- {}: {}", safe(&c.path), value(&c.old))),
                JsonOp::Changed => format!("~ {}: {} → {}", safe(&c.path), value(&c.old), value(&c.new)),
                JsonOp::TypeChanged => format!("~ {}: {} → {} (type changed)", safe(&c.path), value(&c.old), value(&c.new)),
            };
            writeln!(out, "  {line}{mark}")?;
        }
    }
    if !d.hunks.is_empty() {
        writeln!(out, "\n{}", p.bold("Body:"))?;
        for h in &d.hunks {
            writeln!(
                out,
                "{}",
                p.cyan(&format!("@@ -{},{} +{},{} @@", h.old_start, h.old_len, h.new_start, h.new_len))
            )?;
            for l in &h.lines {
                let (sign, code) = match l.tag {
                    LineTag::Equal => (" ", ""),
                    LineTag::Delete => ("-", "31"),
                    LineTag::Insert => ("+", "32"),
                };
                let mut text = String::new();
                for s in &l.segments {
                    if color && s.emphasized && !code.is_empty() {
                        text.push_str(&format!("\x1b[7m{}\x1b[27m", safe(&s.text)));
                    } else {
                        text.push_str(&safe(&s.text));
                    }
                }
                let line = format!("{sign}{text}");
                if code.is_empty() {
                    writeln!(out, "{line}")?;
                } else {
                    writeln!(out, "{}", p.wrap(code, &line))?;
                }
            }
        }
    }
    Ok(())
}
