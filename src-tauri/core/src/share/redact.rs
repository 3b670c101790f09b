//! Redacted bundles: the values a capture should not carry into a ticket, replaced by
//! `[redacted]`, and a count of what was replaced.
//!
//! By default: the values of signature headers (every header the signature catalog recognises
//! a provider by, plus the headers and query parameters the endpoints' own settings name),
//! `Authorization`, `Proxy-Authorization`, `Cookie`, `Set-Cookie`, API-key and token headers
//! (any name containing `signature`, `token`, `secret`, `api-key`, `apikey`, `api_key`,
//! `password` or `hmac`), and token-like query parameters and form fields (`token`,
//! `access_token`, `api_key`, `key`, `signature`, `sig`, `sign`, `secret`, `password`, `hmac`…
//! and any name containing `token`, `secret`, `signature` or `password`). The user adds JSON
//! paths (`data.customer.email`, `items[*].iban`, `items[0].iban`, `*.card`); a path of one
//! plain key also matches a form field of that name. A verdict keeps its status, reason and
//! scheme only (its explanation may quote a header). Pure: it edits captures in memory.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Reply;
use crate::ipc::{RedactOptions, RedactedItem};
use crate::model::Capture;

/// What replaces a value in headers and JSON.
pub const REPLACEMENT: &str = "[redacted]";
/// What replaces a value in a query string or a form body (percent-encoded `[redacted]`).
const REPLACEMENT_ENCODED: &str = "%5Bredacted%5D";

const HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "api-key",
    "x-auth",
    "x-auth-key",
    "x-hub-signature",
    "x-signature",
    "x-hubspot-signature",
    "x-mailgun-signature",
];
const HEADER_PARTS: &[&str] = &["signature", "token", "secret", "api-key", "apikey", "api_key", "password", "hmac"];
const PARAMS: &[&str] = &[
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "api_key",
    "apikey",
    "api-key",
    "key",
    "signature",
    "sig",
    "sign",
    "secret",
    "client_secret",
    "password",
    "pass",
    "auth",
    "hmac",
];
const PARAM_PARTS: &[&str] = &["token", "secret", "signature", "password"];

/// What a bundle says about itself on its first line (JSONL) or in its log (HAR).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub replacement: String,
    /// Header names (lowercase) whose values were replaced.
    pub headers: Vec<String>,
    /// Any header whose name contains one of these was replaced too.
    pub header_name_parts: Vec<String>,
    /// Query parameters and form fields (case-insensitive).
    pub params: Vec<String>,
    pub param_name_parts: Vec<String>,
    /// JSON paths the user named.
    pub json_paths: Vec<String>,
}

impl Summary {
    /// One sentence for people (the HAR log's comment).
    pub fn sentence(&self) -> String {
        let mut parts = Vec::new();
        if !self.headers.is_empty() {
            parts.push(format!(
                "the values of the headers {} and of any header whose name contains {}",
                self.headers.join(", "),
                self.header_name_parts.join(", ")
            ));
            parts.push(format!(
                "the query parameters and form fields {} and any whose name contains {}",
                self.params.join(", "),
                self.param_name_parts.join(", ")
            ));
        }
        if !self.json_paths.is_empty() {
            parts.push(format!("the JSON paths {}", self.json_paths.join(", ")));
        }
        if parts.is_empty() {
            return "Exported by Hookloupe as a redacted bundle; nothing was selected for redaction.".into();
        }
        format!("Redacted by Hookloupe: {} were replaced by {}. Secrets are never exported.", parts.join("; "), self.replacement)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    AnyKey,
    Index(usize),
    AnyIndex,
}

#[derive(Debug, Clone)]
struct JsonPath {
    text: String,
    steps: Vec<Step>,
}

/// Parses `data.customer.email`, `items[*].iban`, `items[0]`, `*.card`, `[*].id`.
fn parse_path(text: &str) -> Result<JsonPath, String> {
    let bad = |why: &str| format!("the JSON path {text:?} is not valid: {why}");
    let mut steps = Vec::new();
    for segment in text.split('.') {
        let (name, mut rest) = match segment.find('[') {
            Some(i) => (&segment[..i], &segment[i..]),
            None => (segment, ""),
        };
        match name {
            "" if rest.is_empty() => return Err(bad("an empty segment (two dots, or a dot at an end)")),
            "" => {}
            "*" => steps.push(Step::AnyKey),
            n => steps.push(Step::Key(n.to_owned())),
        }
        while !rest.is_empty() {
            let Some(end) = rest.find(']') else { return Err(bad("a '[' without its ']'")) };
            let inside = &rest[1..end];
            steps.push(match inside {
                "*" => Step::AnyIndex,
                n => Step::Index(n.parse().map_err(|_| bad("an index is a number or *"))?),
            });
            rest = &rest[end + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return Err(bad("text after ']' must start a new segment with '.'"));
            }
        }
    }
    if steps.is_empty() {
        return Err(bad("it is empty"));
    }
    Ok(JsonPath { text: text.to_owned(), steps })
}

fn replace_at(value: &mut serde_json::Value, steps: &[Step]) -> u64 {
    let Some((step, rest)) = steps.split_first() else {
        *value = serde_json::Value::String(REPLACEMENT.to_owned());
        return 1;
    };
    match (step, value) {
        (Step::Key(k), serde_json::Value::Object(map)) => map.get_mut(k).map_or(0, |v| replace_at(v, rest)),
        (Step::AnyKey, serde_json::Value::Object(map)) => map.values_mut().map(|v| replace_at(v, rest)).sum(),
        (Step::Index(i), serde_json::Value::Array(items)) => items.get_mut(*i).map_or(0, |v| replace_at(v, rest)),
        (Step::AnyIndex, serde_json::Value::Array(items)) => items.iter_mut().map(|v| replace_at(v, rest)).sum(),
        _ => 0,
    }
}

/// Replaces values in captures as they are exported, counting what it replaced.
#[derive(Debug, Clone)]
pub struct Redactor {
    defaults: bool,
    headers: Vec<String>,
    params: Vec<String>,
    paths: Vec<JsonPath>,
    counts: BTreeMap<String, u64>,
}

impl Redactor {
    /// `extra_headers` / `extra_params`: names the endpoints' signature settings use (a generic
    /// HMAC's `header`, `query_param`, `form_field`). Fails on a JSON path that does not parse.
    pub fn new(opts: &RedactOptions, extra_headers: &[String], extra_params: &[String]) -> Result<Redactor, String> {
        let paths = opts.json_paths.iter().map(|p| parse_path(p.trim())).collect::<Result<Vec<_>, _>>()?;
        let mut headers: Vec<String> = Vec::new();
        let mut params: Vec<String> = Vec::new();
        if opts.defaults {
            let names = HEADERS.iter().map(|h| h.to_string()).chain(crate::signature::signature_header_names());
            for n in names.chain(extra_headers.iter().map(|h| h.to_ascii_lowercase())) {
                if !headers.contains(&n) {
                    headers.push(n);
                }
            }
            for p in PARAMS.iter().map(|p| p.to_string()).chain(extra_params.iter().map(|p| p.to_ascii_lowercase())) {
                if !params.contains(&p) {
                    params.push(p);
                }
            }
        }
        Ok(Redactor { defaults: opts.defaults, headers, params, paths, counts: BTreeMap::new() })
    }

    pub fn summary(&self) -> Summary {
        let parts = |p: &[&str]| if self.defaults { p.iter().map(|s| s.to_string()).collect() } else { Vec::new() };
        Summary {
            replacement: REPLACEMENT.into(),
            headers: self.headers.clone(),
            header_name_parts: parts(HEADER_PARTS),
            params: self.params.clone(),
            param_name_parts: parts(PARAM_PARTS),
            json_paths: self.paths.iter().map(|p| p.text.clone()).collect(),
        }
    }

    /// What was replaced so far, by kind, in a stable order.
    pub fn report(&self) -> Vec<RedactedItem> {
        self.counts.iter().map(|(what, count)| RedactedItem { what: what.clone(), count: *count }).collect()
    }

    fn header_hidden(&self, name: &str) -> bool {
        if !self.defaults {
            return false;
        }
        let n = name.to_ascii_lowercase();
        self.headers.contains(&n) || HEADER_PARTS.iter().any(|p| n.contains(p))
    }

    fn param_hidden(&self, name: &str) -> bool {
        if !self.defaults {
            return false;
        }
        let n = name.to_ascii_lowercase();
        self.params.contains(&n) || PARAM_PARTS.iter().any(|p| n.contains(p))
    }

    fn count(&mut self, what: String, n: u64) {
        if n > 0 {
            *self.counts.entry(what).or_insert(0) += n;
        }
    }

    /// Redacts one capture in place: headers, query (and the URL), form fields, JSON paths of a
    /// JSON body, and the verdict's wording.
    pub fn apply(&mut self, c: &mut Capture) {
        let d = &mut c.data;
        for i in 0..d.headers.0.len() {
            let name = d.headers.0[i].0.clone();
            if self.header_hidden(&name) && !d.headers.0[i].1.is_empty() {
                d.headers.0[i].1 = REPLACEMENT.as_bytes().to_vec();
                self.count(format!("header:{}", name.to_ascii_lowercase()), 1);
            }
        }
        if !d.query.is_empty() {
            let (query, hits) = self.pairs(d.query.as_bytes(), "query", &[]);
            if !hits.is_empty() {
                let query = String::from_utf8_lossy(&query).into_owned();
                if let Some(at) = d.url.find('?') {
                    let fragment = d.url[at..].find('#').map(|f| d.url[at + f..].to_owned()).unwrap_or_default();
                    d.url = format!("{}?{query}{fragment}", &d.url[..at]);
                }
                d.query = query;
                for (what, n) in hits {
                    self.count(what, n);
                }
            }
        }
        let is_form = d.content_type.as_deref().is_some_and(|t| t.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
        let mut body_changed = false;
        if is_form && !d.body.is_empty() {
            let fields: Vec<String> = self
                .paths
                .iter()
                .filter_map(|p| match p.steps.as_slice() {
                    [Step::Key(k)] => Some(k.clone()),
                    _ => None,
                })
                .collect();
            let (body, hits) = self.pairs(&d.body, "form", &fields);
            if !hits.is_empty() {
                d.body = body;
                body_changed = true;
                for (what, n) in hits {
                    self.count(what, n);
                }
            }
        } else if !self.paths.is_empty() && !d.body.is_empty() {
            if let Ok(mut json) = serde_json::from_slice::<serde_json::Value>(&d.body) {
                let mut any = false;
                let mut hits = Vec::new();
                for p in &self.paths {
                    let n = replace_at(&mut json, &p.steps);
                    if n > 0 {
                        any = true;
                        hits.push((format!("json:{}", p.text), n));
                    }
                }
                if any {
                    if let Ok(bytes) = serde_json::to_vec(&json) {
                        d.body = bytes;
                        body_changed = true;
                        for (what, n) in hits {
                            self.count(what, n);
                        }
                    }
                }
            }
        }
        if body_changed {
            d.body_size = d.body.len() as u64;
            let len = d.body.len().to_string().into_bytes();
            for (n, v) in d.headers.0.iter_mut() {
                if n.eq_ignore_ascii_case("content-length") {
                    *v = len.clone();
                }
            }
        }
        if let Some(v) = c.signature.verdict.as_mut() {
            v.explanation = String::new();
            v.expected = None;
            v.received = None;
            v.signed_content = None;
            v.other_endpoint_hint = None;
        }
    }

    /// Redacts an endpoint's answer (a configured `Set-Cookie`, say).
    pub fn reply(&mut self, r: &mut Reply) {
        for (name, value) in r.headers.iter_mut() {
            if self.header_hidden(name) && !value.is_empty() {
                *value = REPLACEMENT.to_owned();
                self.count(format!("response_header:{}", name.to_ascii_lowercase()), 1);
            }
        }
    }

    /// `a=1&token=x` → `a=1&token=%5Bredacted%5D`, keeping every other byte; returns the
    /// counts as `kind:name`. `also`: extra names (form fields named by a one-key JSON path).
    fn pairs(&self, raw: &[u8], kind: &str, also: &[String]) -> (Vec<u8>, Vec<(String, u64)>) {
        let mut out = Vec::with_capacity(raw.len());
        let mut hits: Vec<(String, u64)> = Vec::new();
        for (i, segment) in raw.split(|b| *b == b'&').enumerate() {
            if i > 0 {
                out.push(b'&');
            }
            let (name_raw, value) = match segment.iter().position(|b| *b == b'=') {
                Some(at) => (&segment[..at], &segment[at + 1..]),
                None => (segment, &b""[..]),
            };
            let name: String = form_urlencoded::parse(name_raw).next().map(|(k, _)| k.into_owned()).unwrap_or_default();
            let by_path = also.iter().find(|f| **f == name);
            if !value.is_empty() && (self.param_hidden(&name) || by_path.is_some()) {
                out.extend_from_slice(name_raw);
                out.push(b'=');
                out.extend_from_slice(REPLACEMENT_ENCODED.as_bytes());
                let what = match by_path {
                    Some(p) if !self.param_hidden(&name) => format!("json:{p}"),
                    _ => format!("{kind}:{}", name.to_ascii_lowercase()),
                };
                match hits.iter_mut().find(|(w, _)| *w == what) {
                    Some((_, n)) => *n += 1,
                    None => hits.push((what, 1)),
                }
            } else {
                out.extend_from_slice(segment);
            }
        }
        (out, hits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CaptureSignature, EventKeys, HeaderList, NewCapture, Via};

    fn capture(ct: &str, body: &[u8], query: &str, headers: &[(&str, &str)]) -> Capture {
        Capture {
            id: 1,
            data: NewCapture {
                received_at_us: 1,
                endpoint: "default".into(),
                method: "POST".into(),
                path: "/p".into(),
                query: query.into(),
                url: format!("http://h/p?{query}#frag"),
                headers: HeaderList(headers.iter().map(|(n, v)| (n.to_string(), v.as_bytes().to_vec())).collect()),
                body: body.to_vec(),
                body_size: body.len() as u64,
                body_over_limit: false,
                content_type: Some(ct.into()),
                remote_addr: "".into(),
                via: Via::Local,
                forwarded_for: None,
                event: EventKeys::default(),
                duplicate_of: None,
            },
            signature: CaptureSignature::default(),
        }
    }

    fn opts(paths: &[&str]) -> RedactOptions {
        RedactOptions { defaults: true, json_paths: paths.iter().map(|s| s.to_string()).collect() }
    }

    #[test]
    fn default_headers_and_query_are_replaced_and_counted() {
        let mut c = capture(
            "application/json",
            br#"{"a":1}"#,
            "token=abc123&page=2&Sign=zzz",
            &[("Stripe-Signature", "t=1,v1=deadbeef"), ("Authorization", "Bearer s3cr3t"), ("X-Gitlab-Token", "glt"), ("X-Custom-Hook", "x"), ("Content-Type", "application/json")],
        );
        let mut r = Redactor::new(&opts(&[]), &["X-My-Sig".into()], &[]).unwrap();
        r.apply(&mut c);
        let h = &c.data.headers;
        assert_eq!(h.get("stripe-signature").as_deref(), Some(REPLACEMENT));
        assert_eq!(h.get("authorization").as_deref(), Some(REPLACEMENT));
        assert_eq!(h.get("x-gitlab-token").as_deref(), Some(REPLACEMENT));
        assert_eq!(h.get("x-custom-hook").as_deref(), Some("x"));
        assert_eq!(c.data.query, "token=%5Bredacted%5D&page=2&Sign=%5Bredacted%5D");
        assert_eq!(c.data.url, "http://h/p?token=%5Bredacted%5D&page=2&Sign=%5Bredacted%5D#frag");
        let report = r.report();
        assert!(report.contains(&RedactedItem { what: "query:token".into(), count: 1 }));
        assert!(report.contains(&RedactedItem { what: "header:stripe-signature".into(), count: 1 }));
        assert!(r.summary().headers.contains(&"x-my-sig".to_string()));
        assert!(r.summary().sentence().contains("stripe-signature"));
    }

    #[test]
    fn json_paths_and_form_fields() {
        let body = br#"{"data":{"customer":{"email":"ann@example.com","name":"Ann"}},"items":[{"iban":"FR76 1"},{"iban":"DE89 2"}]}"#;
        let mut c = capture("application/json", body, "", &[("Content-Length", "999")]);
        let mut r = Redactor::new(&opts(&["data.customer.email", "items[*].iban", "missing.path"]), &[], &[]).unwrap();
        r.apply(&mut c);
        let text = String::from_utf8(c.data.body.clone()).unwrap();
        assert!(!text.contains("ann@example.com") && !text.contains("FR76") && !text.contains("DE89"), "{text}");
        assert!(text.contains(r#""name":"Ann""#));
        assert_eq!(c.data.headers.get("content-length").unwrap(), c.data.body.len().to_string());
        assert_eq!(r.report(), vec![
            RedactedItem { what: "json:data.customer.email".into(), count: 1 },
            RedactedItem { what: "json:items[*].iban".into(), count: 2 },
        ]);

        let mut f = capture("application/x-www-form-urlencoded", b"email=a%40b.c&signature=abc&x=1", "", &[]);
        let mut r = Redactor::new(&opts(&["email"]), &[], &[]).unwrap();
        r.apply(&mut f);
        assert_eq!(f.data.body, b"email=%5Bredacted%5D&signature=%5Bredacted%5D&x=1");
        assert_eq!(r.report().len(), 2);
    }

    #[test]
    fn without_defaults_only_paths_count_and_bad_paths_are_refused() {
        let mut c = capture("application/json", br#"[{"id":1},{"id":2}]"#, "token=a", &[("Authorization", "x")]);
        let mut r = Redactor::new(&RedactOptions { defaults: false, json_paths: vec!["[*].id".into()] }, &[], &[]).unwrap();
        r.apply(&mut c);
        assert_eq!(c.data.headers.get("authorization").as_deref(), Some("x"));
        assert_eq!(c.data.query, "token=a");
        assert_eq!(c.data.body, br#"[{"id":"[redacted]"},{"id":"[redacted]"}]"#);
        for bad in ["a..b", "a[", "a[x]", "", "a[0]b"] {
            assert!(Redactor::new(&opts(&[bad]), &[], &[]).is_err(), "{bad}");
        }
    }
}
