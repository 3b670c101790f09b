//! Domain types: captures, endpoints, and the ordered header list.
//!
//! These are the engine's own types; their wire forms live in [`crate::ipc`]. Nothing here
//! does I/O. Header values are kept as raw bytes (HTTP allows non-UTF-8 `obs-text`), and a
//! capture's body is the exact bytes received.

use std::collections::BTreeMap;

use bytes_view::latin1_or_utf8;

use crate::signature::{SchemeConfig, SchemeId, Secret, Verdict};

/// A capture's id: a monotonic integer assigned at commit, so ids sort by arrival.
pub type CaptureId = i64;

/// Request headers exactly as sent: arrival order, original name case, repeated names kept,
/// values as raw bytes. Compare names case-insensitively (HTTP names are case-insensitive).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderList(pub Vec<(String, Vec<u8>)>);

impl HeaderList {
    /// First value of `name` (case-insensitive), as text.
    pub fn get(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| latin1_or_utf8(v))
    }

    /// Pairs as text: UTF-8 when valid, otherwise each byte as its ISO-8859-1 character.
    pub fn to_text_pairs(&self) -> Vec<(String, String)> {
        self.0.iter().map(|(n, v)| (n.clone(), latin1_or_utf8(v))).collect()
    }

    /// Wire encoding used by the store: `name: value\r\n` per header. Lossless, because HTTP
    /// header values cannot contain CR, LF or NUL.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.0.iter().map(|(n, v)| n.len() + v.len() + 4).sum());
        for (n, v) in &self.0 {
            out.extend_from_slice(n.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(v);
            out.extend_from_slice(b"\r\n");
        }
        out
    }

    pub fn decode(raw: &[u8]) -> HeaderList {
        let mut list = Vec::new();
        for line in raw.split(|b| *b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.is_empty() {
                continue;
            }
            let split = line.windows(2).position(|w| w == b": ");
            let (name, value) = match split {
                Some(i) => (&line[..i], &line[i + 2..]),
                None => (line, &b""[..]),
            };
            list.push((String::from_utf8_lossy(name).into_owned(), value.to_vec()));
        }
        HeaderList(list)
    }
}

/// A request as received, before it has an id.
#[derive(Debug, Clone)]
pub struct NewCapture {
    pub received_at_us: i64,
    pub endpoint: String,
    pub method: String,
    pub path: String,
    /// Raw query string without the `?`; empty when there is none.
    pub query: String,
    /// The full URL as the sender addressed it (scheme + Host header + path + query).
    pub url: String,
    pub headers: HeaderList,
    pub body: Vec<u8>,
    /// Size of the body as sent: equals `body.len()` unless `body_over_limit`.
    pub body_size: u64,
    /// The body was larger than the limit: it was not stored and the sender got 413.
    pub body_over_limit: bool,
    pub content_type: Option<String>,
    pub remote_addr: String,
    /// How the request reached the receiver.
    pub via: Via,
    /// The original client address as reported by the tunnel's forwarding header (only for
    /// requests that came through the tunnel; a local sender's headers are never trusted).
    pub forwarded_for: Option<String>,
    /// Which event the delivery carries (for duplicate flags and diff partners).
    pub event: EventKeys,
    /// The oldest earlier capture on the same endpoint carrying the same event id; set by the
    /// store when the capture is committed.
    pub duplicate_of: Option<CaptureId>,
}

/// How a request reached the receiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// Sent straight to the local listener.
    Local,
    /// Came through the public tunnel (ngrok or bore).
    Tunnel,
    /// Imported from a file or a command (JSONL, HAR, curl): not received by this Hookloupe.
    Import,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Local => "local",
            Via::Tunnel => "tunnel",
            Via::Import => "import",
        }
    }
    pub fn parse(s: &str) -> Via {
        match s {
            "tunnel" => Via::Tunnel,
            "import" => Via::Import,
            _ => Via::Local,
        }
    }
}

/// The event a delivery carries, derived from its headers and body by [`crate::event_keys`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventKeys {
    /// `kind:value`, e.g. `stripe_id:evt_1` or `github_delivery:72d3…`.
    pub id: Option<String>,
    /// E.g. `invoice.paid`, `push`.
    pub event_type: Option<String>,
}

impl EventKeys {
    pub fn of(headers: &HeaderList, body: &[u8]) -> EventKeys {
        let (id, event_type) = crate::event_keys::event_keys(&headers.to_text_pairs(), body);
        EventKeys { id: id.map(|(kind, value)| format!("{kind}:{value}")), event_type }
    }
}

/// A stored capture.
#[derive(Debug, Clone)]
pub struct Capture {
    pub id: CaptureId,
    pub data: NewCapture,
    pub signature: CaptureSignature,
}

impl NewCapture {
    /// Runs `f` on this capture as the signature verifier reads it: header names lower-cased
    /// (the capture keeps the original case), the sender's IP from the remote address.
    pub fn with_signature_request<T>(&self, f: impl FnOnce(&crate::signature::Request) -> T) -> T {
        let headers: Vec<(String, String)> =
            self.headers.to_text_pairs().into_iter().map(|(n, v)| (n.to_ascii_lowercase(), v)).collect();
        let req = crate::signature::Request {
            method: &self.method,
            url: &self.url,
            headers: &headers,
            body: &self.body,
            remote_ip: parse_ip(&self.remote_addr),
        };
        f(&req)
    }
}

impl Capture {
    /// Provider guesses for this capture, best first.
    pub fn detections(&self) -> Vec<crate::signature::Detection> {
        self.data.with_signature_request(crate::signature::detect)
    }
}

/// The IP of a remote address as stored (`ip:port`) or as a user writes it (a bare IP).
pub fn parse_ip(addr: &str) -> Option<std::net::IpAddr> {
    use std::net::{IpAddr, SocketAddr};
    addr.parse::<SocketAddr>().map(|a| a.ip()).ok().or_else(|| addr.trim().parse::<IpAddr>().ok())
}

/// What the signature check said about a capture (computed before it is stored, recomputed
/// when its endpoint's signature settings change).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaptureSignature {
    /// `None` when nothing could be judged: no scheme configured and no signature recognised.
    pub verdict: Option<Verdict>,
    /// The provider guessed from the request when the endpoint has no scheme.
    pub detected: Option<SchemeId>,
}

/// An endpoint's signature settings: scheme (none = only detection), secrets (rotation), options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointSignature {
    pub scheme: Option<SchemeId>,
    pub secrets: Vec<StoredSecret>,
    pub options: BTreeMap<String, String>,
}

impl EndpointSignature {
    /// The verifier's view of these settings, when a scheme is set: the readable secrets, and
    /// for each of them its index in [`Self::secrets`] (a secret whose keyring entry cannot be
    /// read is left out, so the others keep their own numbers).
    pub fn scheme_config(&self) -> Option<(SchemeConfig, Vec<u32>)> {
        let (indices, secrets): (Vec<u32>, Vec<Secret>) = self
            .secrets
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.value.clone().map(|v| (i as u32, v)))
            .unzip();
        self.scheme.map(|scheme| (SchemeConfig { scheme, secrets, options: self.options.clone() }, indices))
    }

    /// The secrets that can be used (read from wherever they live).
    pub fn readable_secrets(&self) -> impl Iterator<Item = &Secret> {
        self.secrets.iter().filter_map(|s| s.value.as_ref())
    }
}

/// Where a stored secret's value lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretHome {
    /// In the database itself (no OS keyring answered, or `HOOKLOUPE_KEYRING=off`).
    Database,
    /// In the OS keyring, under this entry name; the database keeps only the name.
    Keyring(String),
}

/// One stored secret: where it lives and, once read, its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSecret {
    pub home: SecretHome,
    /// `None` until read from the keyring, or when it cannot be (then `problem` says why).
    pub value: Option<Secret>,
    pub problem: Option<String>,
}

impl StoredSecret {
    pub fn in_database(value: Secret) -> StoredSecret {
        StoredSecret { home: SecretHome::Database, value: Some(value), problem: None }
    }
}

/// How an endpoint answers the requests it captures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseRule {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub delay_ms: u64,
}

impl Default for ResponseRule {
    /// 200 with a short JSON acknowledgement (the receiver adds the capture id).
    fn default() -> Self {
        ResponseRule { status: 200, headers: Vec::new(), body: String::new(), delay_ms: 0 }
    }
}

/// A named endpoint: a path prefix and its settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub name: String,
    pub path_prefix: String,
    pub response: ResponseRule,
}

/// The endpoint that catches paths no other endpoint claims.
pub const DEFAULT_ENDPOINT: &str = "default";

impl Endpoint {
    /// Whether `path` falls under this endpoint's prefix, on a segment boundary:
    /// `/stripe` matches `/stripe` and `/stripe/x` but not `/stripey`.
    pub fn matches(&self, path: &str) -> bool {
        let prefix = self.path_prefix.trim_end_matches('/');
        if prefix.is_empty() {
            return true;
        }
        match path.strip_prefix(prefix) {
            Some(rest) => rest.is_empty() || rest.starts_with('/'),
            None => false,
        }
    }
}

/// Picks the endpoint with the longest matching prefix; `None` only if the list has no catch-all.
pub fn route<'a>(endpoints: &'a [Endpoint], path: &str) -> Option<&'a Endpoint> {
    endpoints
        .iter()
        .filter(|e| e.matches(path))
        .max_by_key(|e| e.path_prefix.trim_end_matches('/').len())
}

/// Checks a user-supplied endpoint before it is stored.
pub fn validate_endpoint(e: &Endpoint) -> Result<(), String> {
    let name_ok = !e.name.is_empty()
        && e.name.len() <= 64
        && e.name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if !name_ok {
        return Err(format!(
            "endpoint name {:?} is not valid: use 1 to 64 letters, digits, '-', '_' or '.'",
            e.name
        ));
    }
    if !e.path_prefix.starts_with('/') {
        return Err(format!("path prefix {:?} must start with '/'", e.path_prefix));
    }
    if e.path_prefix.contains(['?', '#', ' ']) {
        return Err(format!("path prefix {:?} must be a path only (no '?', '#' or spaces)", e.path_prefix));
    }
    if !(100..=599).contains(&e.response.status) {
        return Err(format!("response status {} is not between 100 and 599", e.response.status));
    }
    for (n, v) in &e.response.headers {
        if http::HeaderName::from_bytes(n.as_bytes()).is_err() {
            return Err(format!("response header name {n:?} is not a valid HTTP header name"));
        }
        if http::HeaderValue::from_str(v).is_err() {
            return Err(format!("response header {n} has a value that is not valid in HTTP"));
        }
    }
    if e.response.delay_ms > 600_000 {
        return Err("response delay is limited to 600000 ms (10 minutes)".into());
    }
    Ok(())
}

mod bytes_view {
    /// UTF-8 when valid, else ISO-8859-1 (each byte one char), as HTTP defines `obs-text`.
    pub fn latin1_or_utf8(v: &[u8]) -> String {
        match std::str::from_utf8(v) {
            Ok(s) => s.to_owned(),
            Err(_) => v.iter().map(|&b| b as char).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(name: &str, prefix: &str) -> Endpoint {
        Endpoint { name: name.into(), path_prefix: prefix.into(), response: ResponseRule::default() }
    }

    #[test]
    fn routes_to_longest_prefix_on_segment_boundary() {
        let eps = vec![ep("default", "/"), ep("stripe", "/stripe"), ep("pb", "/api/paybox/callback")];
        assert_eq!(route(&eps, "/stripe").unwrap().name, "stripe");
        assert_eq!(route(&eps, "/stripe/events").unwrap().name, "stripe");
        assert_eq!(route(&eps, "/stripey").unwrap().name, "default");
        assert_eq!(route(&eps, "/api/paybox/callback").unwrap().name, "pb");
        assert_eq!(route(&eps, "/api/paybox").unwrap().name, "default");
        assert_eq!(route(&eps, "/").unwrap().name, "default");
    }

    #[test]
    fn header_list_round_trips_non_utf8_and_repeats() {
        let h = HeaderList(vec![
            ("x-a".into(), b"1".to_vec()),
            ("x-bin".into(), vec![0xff, 0xfe, b'z']),
            ("x-a".into(), b"2: with colon".to_vec()),
            ("x-empty".into(), Vec::new()),
        ]);
        assert_eq!(HeaderList::decode(&h.encode()), h);
        assert_eq!(h.get("X-A").as_deref(), Some("1"));
        assert_eq!(h.to_text_pairs()[1].1, "ÿþz");
    }

    #[test]
    fn rejects_bad_endpoints() {
        assert!(validate_endpoint(&ep("ok-name", "/x")).is_ok());
        assert!(validate_endpoint(&ep("bad name", "/x")).is_err());
        assert!(validate_endpoint(&ep("x", "nope")).is_err());
        let mut e = ep("x", "/x");
        e.response.status = 99;
        assert!(validate_endpoint(&e).is_err());
    }
}

/// Where a new capture of an endpoint is forwarded: what the capture writer needs of each
/// enabled forward rule to enqueue its forwards in the capture's own commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub rule_id: i64,
    /// `None`: every endpoint.
    pub endpoint: Option<String>,
    pub url: String,
    /// The policy's wait before the first attempt.
    pub first_wait_ms: u64,
    /// The rule answers the provider with the target's first response, waiting this long.
    pub answer_deadline_ms: Option<u64>,
}

/// The routes in force, swapped whole when rules change.
pub type RouteTable = std::sync::Arc<std::sync::RwLock<std::sync::Arc<Vec<Route>>>>;

/// A target's first answer, relayed to the provider by a rule that answers with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relayed {
    pub status: u16,
    pub headers: HeaderList,
    pub body: Vec<u8>,
}

/// Receivers waiting for a relayed answer, by forward id: the writer registers one before the
/// forward is visible to any worker; the worker answers it after the first attempt (or drops
/// it: the receiver then gives the endpoint's own response).
pub type Relays = std::sync::Arc<std::sync::Mutex<std::collections::HashMap<i64, tokio::sync::oneshot::Sender<Relayed>>>>;
