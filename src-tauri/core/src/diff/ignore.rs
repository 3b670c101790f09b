//! Ignore rules: parsing and matching of JSON-path ignore patterns (also applied to
//! form field names), case-insensitive header-name globs, and the per-provider
//! `default_ignores` table. It only answers "is this path / header ignored?"; it must
//! not walk bodies, build changes or decide how ignored items are displayed.

use crate::diff::json::Seg;
use crate::diff::DiffError;

/// One segment of an ignore pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PSeg {
    /// `name`, `["weird.key"]` or bare `[name]`.
    Key(String),
    /// `*`: any single segment (object key or array element).
    Any,
    /// `[*]`: any array element (positional or keyed).
    AnyIndex,
    /// `[3]`.
    Index(usize),
    /// `[id=42]`: the element of a keyed array whose key has this value.
    Keyed { key: String, value: String },
    /// `**`: zero or more segments.
    AnyDepth,
}

/// Compiled ignore rules for one diff.
#[derive(Debug, Default)]
pub(crate) struct Ignore {
    paths: Vec<Vec<PSeg>>,
    raw_paths: Vec<String>,
    headers: Vec<String>,
}

impl Ignore {
    pub(crate) fn new(paths: &[String], headers: &[String]) -> Result<Self, DiffError> {
        let mut compiled = Vec::with_capacity(paths.len());
        let mut raw_paths = Vec::with_capacity(paths.len());
        for p in paths {
            let p = p.trim();
            if p.is_empty() {
                continue;
            }
            compiled.push(parse_pattern(p)?);
            raw_paths.push(p.to_string());
        }
        let headers = headers
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty())
            .collect();
        Ok(Ignore {
            paths: compiled,
            raw_paths,
            headers,
        })
    }

    pub(crate) fn has_paths(&self) -> bool {
        !self.paths.is_empty()
    }

    /// True when `path` (or one of its ancestors) is covered by an ignore pattern.
    /// A single-key path (form field / top-level key) also matches a pattern whose raw
    /// text equals the name or globs it, so `data[object][id]` works for PHP-style forms.
    pub(crate) fn path(&self, path: &[Seg]) -> bool {
        if path.is_empty() {
            return false;
        }
        if self.paths.iter().any(|p| matches(p, path)) {
            return true;
        }
        if let [Seg::Key(name)] = path {
            return self.raw_paths.iter().any(|r| glob(r, name));
        }
        false
    }

    pub(crate) fn header(&self, name: &str) -> bool {
        let name = name.to_ascii_lowercase();
        self.headers.iter().any(|g| glob(g, &name))
    }
}

/// Checks that an ignore-path pattern is syntactically valid (for live UI validation).
pub fn validate_ignore_path(pattern: &str) -> Result<(), DiffError> {
    parse_pattern(pattern).map(|_| ())
}

fn err(pattern: &str, reason: &str) -> DiffError {
    DiffError::InvalidIgnorePath {
        pattern: pattern.to_string(),
        reason: reason.to_string(),
    }
}

fn parse_pattern(p: &str) -> Result<Vec<PSeg>, DiffError> {
    let chars: Vec<char> = p.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    // Whether a `.name` segment is expected/allowed next.
    let mut at_start = true;
    while i < chars.len() {
        let c = chars[i];
        if c == '[' {
            let (seg, next) = parse_bracket(p, &chars, i)?;
            out.push(seg);
            i = next;
            at_start = false;
            continue;
        }
        if c == '.' {
            if at_start {
                return Err(err(p, "empty segment"));
            }
            i += 1;
            if i >= chars.len() || chars[i] == '.' || chars[i] == '[' {
                return Err(err(p, "empty segment after '.'"));
            }
        } else if !at_start {
            return Err(err(p, "expected '.' or '['"));
        }
        let start = i;
        while i < chars.len() && chars[i] != '.' && chars[i] != '[' {
            if chars[i] == ']' {
                return Err(err(p, "unexpected ']'"));
            }
            i += 1;
        }
        let name: String = chars[start..i].iter().collect();
        out.push(match name.as_str() {
            "*" => PSeg::Any,
            "**" => PSeg::AnyDepth,
            _ => PSeg::Key(name),
        });
        at_start = false;
    }
    if out.is_empty() {
        return Err(err(p, "empty pattern"));
    }
    Ok(out)
}

fn parse_bracket(p: &str, chars: &[char], open: usize) -> Result<(PSeg, usize), DiffError> {
    let mut i = open + 1;
    if i < chars.len() && chars[i] == '"' {
        // JSON string key.
        let start = i;
        i += 1;
        while i < chars.len() && chars[i] != '"' {
            if chars[i] == '\\' {
                i += 1;
            }
            i += 1;
        }
        if i >= chars.len() {
            return Err(err(p, "unterminated quoted key"));
        }
        let lit: String = chars[start..=i].iter().collect();
        let key: String = serde_json::from_str(&lit).map_err(|_| err(p, "bad quoted key"))?;
        i += 1;
        if i >= chars.len() || chars[i] != ']' {
            return Err(err(p, "expected ']' after quoted key"));
        }
        return Ok((PSeg::Key(key), i + 1));
    }
    let start = i;
    while i < chars.len() && chars[i] != ']' {
        i += 1;
    }
    if i >= chars.len() {
        return Err(err(p, "unclosed '['"));
    }
    let inner: String = chars[start..i].iter().collect();
    let inner = inner.trim();
    let seg = if inner == "*" {
        PSeg::AnyIndex
    } else if let Ok(n) = inner.parse::<usize>() {
        PSeg::Index(n)
    } else if let Some((k, v)) = inner.split_once('=') {
        let v = v.trim();
        let value = if v.starts_with('"') {
            serde_json::from_str::<String>(v).map_err(|_| err(p, "bad quoted key value"))?
        } else {
            v.to_string()
        };
        PSeg::Keyed {
            key: k.trim().to_string(),
            value,
        }
    } else if inner.is_empty() {
        return Err(err(p, "empty brackets"));
    } else {
        PSeg::Key(inner.to_string())
    };
    Ok((seg, i + 1))
}

/// Prefix semantics: a pattern matching an ancestor ignores the whole subtree.
fn matches(p: &[PSeg], s: &[Seg]) -> bool {
    let Some(first) = p.first() else { return true };
    if *first == PSeg::AnyDepth {
        return (0..=s.len()).any(|i| matches(&p[1..], &s[i..]));
    }
    match s.first() {
        Some(seg) => seg_matches(first, seg) && matches(&p[1..], &s[1..]),
        None => false,
    }
}

fn seg_matches(p: &PSeg, s: &Seg) -> bool {
    match (p, s) {
        (PSeg::Any, _) => true,
        (PSeg::Key(a), Seg::Key(b)) => a == b,
        (PSeg::AnyIndex, Seg::Index(_) | Seg::Keyed { .. }) => true,
        (PSeg::Index(a), Seg::Index(b)) => a == b,
        (PSeg::Keyed { key: ka, value: va }, Seg::Keyed { key: kb, value: vb }) => {
            ka == kb && va == vb
        }
        _ => false,
    }
}

/// Glob with `*` wildcards anywhere (case-sensitive; callers lowercase header names).
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    let last = parts.len() - 1;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == last {
            return rest.ends_with(part);
        } else if let Some(pos) = rest.find(part) {
            rest = &rest[pos + part.len()..];
        } else {
            return false;
        }
    }
    true
}

/// Headers that change on every delivery and say nothing about the payload: transport,
/// tracing, proxy and CDN metadata. `user-agent` is deliberately kept (it changes when the
/// sender's library/version changes, which is worth seeing).
const GENERIC_HEADERS: &[&str] = &[
    "date",
    "content-length",
    "x-request-id",
    "request-id",
    "x-correlation-id",
    "x-amzn-trace-id",
    "x-amzn-requestid",
    "x-cloud-trace-context",
    "traceparent",
    "tracestate",
    "baggage",
    "sentry-trace",
    "b3",
    "x-b3-*",
    "x-datadog-*",
    "x-forwarded-*",
    "forwarded",
    "x-real-ip",
    "via",
    "cf-ray",
    "cf-connecting-ip",
    "cf-ew-via",
    "cf-visitor",
    "cdn-loop",
    "true-client-ip",
    "x-envoy-*",
];

/// Default ignore rules for a provider scheme: `(json paths, header globs)`.
/// Unknown schemes (and every scheme) get the generic transport/tracing headers.
pub fn default_ignores(scheme: &str) -> (Vec<String>, Vec<String>) {
    let (paths, headers): (&[&str], &[&str]) = match scheme.to_ascii_lowercase().as_str() {
        "stripe" => (
            &[
                "id",
                "created",
                "request.id",
                "request.idempotency_key",
                "pending_webhooks",
            ],
            &["stripe-signature"],
        ),
        "github" => (&[], &["x-github-delivery", "x-hub-signature*"]),
        "standard_webhooks" | "standard-webhooks" | "standardwebhooks" | "svix" => {
            (&["timestamp"], &["webhook-*", "svix-*"])
        }
        "shopify" => (
            &[],
            &[
                "x-shopify-webhook-id",
                "x-shopify-event-id",
                "x-shopify-hmac-sha256",
                "x-shopify-triggered-at",
            ],
        ),
        "gitlab" => (
            &[],
            &["x-gitlab-event-uuid", "x-gitlab-token", "idempotency-key"],
        ),
        "linear" => (
            &["webhookTimestamp", "webhookId"],
            &["linear-delivery", "linear-signature"],
        ),
        "slack" => (
            &["event_id", "event_time", "event.event_ts", "event_context"],
            &[
                "x-slack-signature",
                "x-slack-request-timestamp",
                "x-slack-retry-*",
            ],
        ),
        "twilio" => (&[], &["x-twilio-signature", "i-twilio-idempotency-token"]),
        _ => (&[], &[]),
    };
    let paths = paths.iter().map(|s| s.to_string()).collect();
    let headers = headers
        .iter()
        .chain(GENERIC_HEADERS.iter())
        .map(|s| s.to_string())
        .collect();
    (paths, headers)
}

/// Provider signature headers, in precedence order, and the scheme they reveal.
const SCHEME_HEADERS: &[(&str, &str)] = &[
    ("stripe-signature", "stripe"),
    ("x-hub-signature-256", "github"),
    ("x-github-delivery", "github"),
    ("webhook-signature", "standard_webhooks"),
    ("svix-signature", "standard_webhooks"),
    ("x-shopify-hmac-sha256", "shopify"),
    ("x-gitlab-token", "gitlab"),
    ("x-gitlab-event", "gitlab"),
    ("linear-signature", "linear"),
    ("x-slack-signature", "slack"),
    ("x-twilio-signature", "twilio"),
];

/// Guesses the provider scheme of a delivery from its header names, for picking
/// [`default_ignores`] when an endpoint has no configured scheme; `"generic"` otherwise.
pub fn detect_scheme(headers: &[(String, String)]) -> &'static str {
    SCHEME_HEADERS
        .iter()
        .find(|(h, _)| headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(h)))
        .map_or("generic", |(_, s)| s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detect_scheme_from_headers() {
        let h = |n: &str| vec![(n.to_string(), "v".to_string())];
        assert_eq!(detect_scheme(&h("Stripe-Signature")), "stripe");
        assert_eq!(detect_scheme(&h("x-github-delivery")), "github");
        assert_eq!(detect_scheme(&h("webhook-signature")), "standard_webhooks");
        assert_eq!(detect_scheme(&h("content-type")), "generic");
    }

    fn key(k: &str) -> Seg {
        Seg::Key(k.to_string())
    }

    #[test]
    fn pattern_parsing_and_matching() {
        let ig = Ignore::new(
            &[
                "items[*].id".into(),
                "meta.*".into(),
                "data.object.created".into(),
                "[\"weird.key\"]".into(),
            ],
            &[],
        )
        .unwrap();
        assert!(ig.path(&[key("items"), Seg::Index(3), key("id")]));
        assert!(ig.path(&[
            key("items"),
            Seg::Keyed {
                key: "id".into(),
                value: "42".into()
            },
            key("id")
        ]));
        assert!(!ig.path(&[key("items"), Seg::Index(3), key("amount")]));
        assert!(ig.path(&[key("meta"), key("x"), key("deep")]));
        assert!(!ig.path(&[key("meta")]));
        assert!(ig.path(&[key("data"), key("object"), key("created")]));
        assert!(!ig.path(&[key("created")]));
        assert!(ig.path(&[key("weird.key")]));
        let any = Ignore::new(&["**.created".into()], &[]).unwrap();
        assert!(any.path(&[key("created")]));
        assert!(any.path(&[key("a"), Seg::Index(1), key("created")]));
        for bad in ["a..b", ".a", "a[", "a[]", "a]b", "[\"x"] {
            assert!(validate_ignore_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn header_globs() {
        let ig = Ignore::new(
            &[],
            &["X-GitHub-*".into(), "date".into(), "*-signature".into()],
        )
        .unwrap();
        assert!(ig.header("x-github-delivery"));
        assert!(ig.header("Date"));
        assert!(ig.header("stripe-signature"));
        assert!(!ig.header("x-github"));
        assert!(!ig.header("user-agent"));
    }

    #[test]
    fn defaults_keep_user_agent() {
        let (p, h) = default_ignores("stripe");
        assert!(p.contains(&"request.idempotency_key".to_string()));
        let ig = Ignore::new(&p, &h).unwrap();
        assert!(
            ig.header("stripe-signature") && ig.header("x-forwarded-for") && ig.header("cf-ray")
        );
        assert!(!ig.header("user-agent") && !ig.header("content-type"));
        let (_, h) = default_ignores("standard_webhooks");
        let ig = Ignore::new(&[], &h).unwrap();
        assert!(ig.header("webhook-signature") && ig.header("svix-id"));
    }
}
