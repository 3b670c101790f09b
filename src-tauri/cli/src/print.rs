//! Rendering engine results for a terminal or as JSON. Presentation only.

use hookloupe_core::ipc::{CaptureSummary, CaptureView, EndpointView, SecretStoredIn};
use hookloupe_core::model::Capture;

pub fn capture_json(c: &Capture) -> String {
    serde_json::to_string(&CaptureView::from(c)).unwrap_or_default()
}

pub fn capture_json_pretty(c: &Capture) -> String {
    serde_json::to_string_pretty(&CaptureView::from(c)).unwrap_or_default()
}

pub fn size(n: u64) -> String {
    match n {
        n if n < 1024 => format!("{n} B"),
        n if n < 1024 * 1024 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{:.1} MiB", n as f64 / (1024.0 * 1024.0)),
    }
}

fn local_time(us: i64) -> String {
    use time::format_hms;
    format_hms(us)
}

fn target(path: &str, query: &str) -> String {
    safe(&if query.is_empty() { path.to_owned() } else { format!("{path}?{query}") })
}

pub fn capture_line(c: &Capture) -> String {
    let d = &c.data;
    let mut note = if d.body_over_limit { "  [413: body over limit]".to_owned() } else { String::new() };
    if d.via == hookloupe_core::model::Via::Tunnel {
        note.push_str(&format!("  [via tunnel{}]", d.forwarded_for.as_deref().map(|f| format!(", client {}", safe(f))).unwrap_or_default()));
    }
    if let Some(v) = &c.signature.verdict {
        note.push_str(&format!("  [signature {}]", crate::verify::status_word(v.status)));
    }
    format!(
        "#{:<5} {}  {:<7} {}  → {}  {}  {}  from {}{note}",
        c.id,
        local_time(d.received_at_us),
        safe(&d.method),
        target(&d.path, &d.query),
        safe(&d.endpoint),
        size(d.body_size),
        safe(d.content_type.as_deref().unwrap_or("-")),
        safe(&d.remote_addr),
    )
}

/// The capture list's column titles.
pub fn capture_header() -> String {
    format!("{:<6} {:<27} {:<7} {:<12} {:<9} {:>9}  PATH", "ID", "RECEIVED (UTC)", "METHOD", "ENDPOINT", "SIGNATURE", "SIZE")
}

/// One row of the capture list (payload text escaped).
pub fn capture_row(c: &CaptureSummary) -> String {
    format!(
        "{:<6} {:<27} {:<7} {:<12} {:<9} {:>9}  {}{}{}{}",
        c.id,
        c.received_at,
        safe(&c.method),
        safe(&c.endpoint),
        c.verdict.as_ref().map_or("-", |v| crate::verify::status_word(v.status)),
        size(c.body_size),
        target(&c.path, &c.query),
        if c.body_over_limit { "  [413]" } else { "" },
        c.duplicate_of.map(|d| format!("  [duplicate of #{d}]")).unwrap_or_default(),
        if c.pinned { "  [pinned]" } else { "" },
    )
}

/// What an empty list says: nothing stored yet, or nothing matches.
pub fn no_captures(unfiltered: bool) -> &'static str {
    if unfiltered {
        "No captures yet. Run `hookloupe listen` and send a request to it."
    } else {
        "No capture matches."
    }
}

pub fn capture_detail(c: &Capture) {
    let v = CaptureView::from(c);
    println!("#{} {} {}", v.id, safe(&v.method), safe(&v.url));
    println!("received  {}  from {}  endpoint {}", v.received_at, safe(&v.remote_addr), safe(&v.endpoint));
    println!("body      {}  {}", size(v.body_size), safe(v.content_type.as_deref().unwrap_or("(no content type)")));
    println!();
    println!("headers:");
    for (n, val) in &v.headers {
        println!("  {}: {}", safe(n), safe(val));
    }
    println!();
    let body = &c.data.body;
    if v.body_over_limit {
        println!("body: not stored — it was {} bytes, over the limit; the sender got 413", v.body_size);
    } else if body.is_empty() {
        println!("body: (empty)");
    } else {
        match std::str::from_utf8(body) {
            Ok(text) => println!("body:\n{}", safe_body(text.as_bytes())),
            Err(_) => println!("body: {} bytes of binary (not UTF-8); `hookloupe show {} --raw` writes them exactly", body.len(), v.id),
        }
    }
}

pub fn endpoint_table(list: &[EndpointView]) {
    println!("{:<16} {:<28} {:>6} {:>9}  SIGNATURE", "NAME", "PATH PREFIX", "STATUS", "DELAY");
    for e in list {
        let sig = e.signature.as_ref().and_then(|s| {
            let scheme = s.scheme?;
            let secrets: Vec<String> = s
                .secrets
                .iter()
                .map(|k| match (&k.problem, k.stored_in) {
                    (Some(problem), _) => format!("#{} {} (keyring entry {problem})", k.index, k.masked),
                    (None, SecretStoredIn::Keyring) => format!("#{} {} (keyring)", k.index, k.masked),
                    (None, SecretStoredIn::Database) => format!("#{} {} (database)", k.index, k.masked),
                })
                .collect();
            Some(format!("{} [{}]", scheme.label(), secrets.join(", ")))
        });
        println!(
            "{:<16} {:<28} {:>6} {:>7}ms  {}",
            safe(&e.name),
            safe(&e.path_prefix),
            e.response.status,
            e.response.delay_ms,
            sig.unwrap_or_else(|| "-".into())
        );
    }
}

/// Text for a terminal: every control character (C0, DEL, C1) and bidi control shown escaped
/// (`\x1b`, `\u{202e}`), so a payload cannot move the cursor, retitle or recolour the terminal,
/// or reorder what is displayed.
pub fn safe(s: &str) -> String {
    escape(s, false)
}

/// Like [`safe`], keeping line breaks and tabs (for bodies); non-UTF-8 bodies are summarised.
pub fn safe_body(body: &[u8]) -> String {
    match std::str::from_utf8(body) {
        Ok("") => "(empty body)".into(),
        Ok(text) => escape(text, true),
        Err(_) => format!("({} of binary, not UTF-8)", size(body.len() as u64)),
    }
}

fn escape(s: &str, keep_lines: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let bidi = matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}');
        match c {
            '\n' | '\t' if keep_lines => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (0x80..0xa0).contains(&(c as u32)) || bidi => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

pub fn done(json: bool, text: &str, value: serde_json::Value) {
    if json {
        println!("{value}");
    } else {
        println!("{text}");
    }
}

pub mod time {
    /// `HH:MM:SS.mmm` in UTC.
    pub fn format_hms(us: i64) -> String {
        let ms = us.div_euclid(1000);
        let s = ms.div_euclid(1000);
        let day = s.rem_euclid(86_400);
        format!("{:02}:{:02}:{:02}.{:03}", day / 3600, (day % 3600) / 60, day % 60, ms.rem_euclid(1000))
    }
}
