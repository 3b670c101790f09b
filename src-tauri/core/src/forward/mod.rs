//! The outgoing request, built from a capture (and the user's edits): pure, no I/O, `now`
//! passed in. Used by replay today and by forwarding next.
//!
//! What is rewritten, and nothing else: the target (used as given, or rebased: the target's
//! origin and base path + the capture's raw path and query), `Host` (the target's, in the
//! captured Host's place and name case), `Content-Length` (recomputed, in its captured place),
//! and the hop-by-hop headers (`Connection`, `Keep-Alive`, `Transfer-Encoding`, `TE`,
//! `Upgrade`, `Proxy-*`), which are dropped: they describe the connection the capture came on,
//! not the one it goes out on. Every other header keeps its position, name case and raw value
//! bytes, repeated names separate and in order; the body goes out byte for byte (or as the
//! edited text, never re-serialised). [`resign`] recomputes the signature over the request as it
//! will be sent; [`warnings`] says what the receiver will likely think of it. For forwarding,
//! [`policy`] decides when an attempt is retried and how fast a target may be sent to, and
//! [`template`] turns a capture into the body a target wants (e.g. a Slack message). This module
//! must not send anything (that is [`crate::sender`]) nor read the clock.

pub mod failure;
pub mod policy;
pub mod rule;
mod resign;
pub mod template;
mod warn;

pub use resign::{resign, ResignOptions};
pub use warn::{warnings, ReplayWarning, ReplayWarningCode};

use base64::Engine as _;

use crate::model::HeaderList;

/// Longest timeout a user may ask for: 10 minutes, for a handler paused at a breakpoint.
pub const MAX_TIMEOUT_MS: u64 = 600_000;
/// When none is given.
pub const DEFAULT_TIMEOUT_MS: u64 = 30_000;

/// Headers that describe one connection and are never sent on.
const HOP_BY_HOP: &[&str] = &["connection", "keep-alive", "transfer-encoding", "te", "upgrade", "trailer"];

/// Why a request could not be built (always the user's input: shown as `invalid_input`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BuildError(pub String);

fn bad(msg: impl Into<String>) -> BuildError {
    BuildError(msg.into())
}

/// Where a request goes: the connection's address and the request line's target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    /// `https` or `http`.
    pub tls: bool,
    /// Host name or IP literal (IPv6 without brackets).
    pub host: String,
    pub port: u16,
    /// The request-target written on the request line: path and query, e.g. `/stripe?a=1`.
    pub target: String,
}

impl Destination {
    /// The `Host` header value: the host, with the port when it is not the scheme's default.
    pub fn authority(&self) -> String {
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        let default = if self.tls { 443 } else { 80 };
        if self.port == default { host } else { format!("{host}:{}", self.port) }
    }

    /// The full URL as shown and stored.
    pub fn url(&self) -> String {
        format!("{}://{}{}", if self.tls { "https" } else { "http" }, self.authority(), self.target)
    }
}

/// A request ready to be written on the wire: exactly these bytes go out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub method: String,
    pub destination: Destination,
    /// In wire order, `Host` and `Content-Length` included.
    pub headers: HeaderList,
    pub body: Vec<u8>,
}

impl Outgoing {
    pub fn url(&self) -> String {
        self.destination.url()
    }

    /// The request head as written: request line, headers, blank line.
    pub fn head(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256 + self.headers.0.iter().map(|(n, v)| n.len() + v.len() + 4).sum::<usize>());
        out.extend_from_slice(self.method.as_bytes());
        out.push(b' ');
        out.extend_from_slice(self.destination.target.as_bytes());
        out.extend_from_slice(b" HTTP/1.1\r\n");
        out.extend_from_slice(&self.headers.encode());
        out.extend_from_slice(b"\r\n");
        out
    }
}

/// What is sent from: the parts of a capture a replay uses.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub method: &'a str,
    /// Raw path as received (`/stripe/x`).
    pub path: &'a str,
    /// Raw query without `?` (empty when none).
    pub query: &'a str,
    pub headers: &'a HeaderList,
    pub body: &'a [u8],
}

/// The user's changes (see [`crate::ipc::RequestEdits`]); every `None` keeps the captured value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Edits {
    pub method: Option<String>,
    pub headers: Option<Vec<(String, String)>>,
    pub set_headers: Vec<(String, String)>,
    pub remove_headers: Vec<String>,
    pub body: Option<Vec<u8>>,
}

/// Where the target URL leads. `keep_path` rebases: the target's scheme, authority and base
/// path, then the capture's raw path and query (`http://localhost:3000` + `/stripe/x?a=1`).
/// Without it the URL is used as given (its path and query, or `/`).
pub fn destination(target: &str, keep_path: bool, src_path: &str, src_query: &str) -> Result<Destination, BuildError> {
    let text = target.trim();
    if !text.contains("://") {
        return Err(bad(format!("{text:?} is not a URL: it needs http:// or https://, e.g. http://localhost:3000/webhooks")));
    }
    let url = url::Url::parse(text).map_err(|e| {
        bad(format!("{text:?} is not a URL ({e}); give one like http://localhost:3000/webhooks"))
    })?;
    let tls = match url.scheme() {
        "http" => false,
        "https" => true,
        other => return Err(bad(format!("{text:?}: only http:// and https:// targets can be sent to, not {other}://"))),
    };
    let host = match url.host() {
        Some(url::Host::Domain(d)) => d.to_string(),
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        None => return Err(bad(format!("{text:?} has no host"))),
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad(format!(
            "{text:?} carries credentials in the URL: add an Authorization header instead (credentials in URLs end up in logs)"
        )));
    }
    let port = url.port_or_known_default().unwrap_or(if tls { 443 } else { 80 });
    let target = if keep_path {
        if url.query().is_some() {
            return Err(bad(format!(
                "{text:?} has a query: with the capture's path kept, the capture's query is used; give the target without one"
            )));
        }
        let base = url.path().trim_end_matches('/');
        let path = if src_path.starts_with('/') { src_path.to_string() } else { format!("/{src_path}") };
        let mut t = format!("{base}{path}");
        if !src_query.is_empty() {
            t.push('?');
            t.push_str(src_query);
        }
        t
    } else {
        let mut t = url.path().to_string();
        if let Some(q) = url.query() {
            t.push('?');
            t.push_str(q);
        }
        t
    };
    if target.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err(bad("the request path contains spaces or control characters, which cannot be sent on a request line"));
    }
    Ok(Destination { tls, host, port, target })
}

/// A timeout as the user writes it (`30s`, `500ms`, `10m`, or plain seconds), in milliseconds,
/// at most [`MAX_TIMEOUT_MS`].
pub fn parse_timeout(text: &str) -> Result<u64, BuildError> {
    let t = text.trim();
    let ms = match t.parse::<f64>() {
        Ok(secs) if secs.is_finite() && secs > 0.0 => (secs * 1000.0).round() as u64,
        Ok(_) => return Err(bad(format!("the timeout {t:?} must be more than 0"))),
        Err(_) => humantime::parse_duration(t)
            .map_err(|e| bad(format!("{t:?} is not a duration ({e}); write e.g. 30s, 500ms or 10m")))?
            .as_millis()
            .min(u64::MAX as u128) as u64,
    };
    if ms == 0 || ms > MAX_TIMEOUT_MS {
        return Err(bad(format!("the timeout must be more than 0 and at most 10 minutes (got {t})")));
    }
    Ok(ms)
}

/// Parses `Name: value` (the CLI's `--header`); the value is trimmed of surrounding spaces.
pub fn parse_header_line(line: &str) -> Result<(String, String), BuildError> {
    let (name, value) = line
        .split_once(':')
        .ok_or_else(|| bad(format!("header {line:?} is not in the form \"Name: value\"")))?;
    let (name, value) = (name.trim().to_string(), value.trim().to_string());
    check_header(&name, value.as_bytes())?;
    Ok((name, value))
}

fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn check_header(name: &str, value: &[u8]) -> Result<(), BuildError> {
    if !is_token(name) {
        return Err(bad(format!("{name:?} is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only)")));
    }
    if value.iter().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
        return Err(bad(format!("the value of header {name} contains a line break or NUL, which cannot be sent")));
    }
    Ok(())
}

/// Decodes the body of [`crate::ipc::RequestEdits`]: `body_b64` wins over `body` (text).
pub fn edited_body(text: Option<&str>, b64: Option<&str>) -> Result<Option<Vec<u8>>, BuildError> {
    match (b64, text) {
        (Some(b), _) => base64::engine::general_purpose::STANDARD
            .decode(b.trim())
            .map(Some)
            .map_err(|e| bad(format!("the body is not valid base64: {e}"))),
        (None, Some(t)) => Ok(Some(t.as_bytes().to_vec())),
        (None, None) => Ok(None),
    }
}

/// The request that goes to `destination`: the source with the edits applied and the
/// rewriting described in the module documentation.
pub fn build(src: &Source, edits: &Edits, destination: Destination) -> Result<Outgoing, BuildError> {
    let method = match &edits.method {
        Some(m) if !is_token(m.trim()) => return Err(bad(format!("{m:?} is not an HTTP method"))),
        Some(m) => m.trim().to_string(),
        None => src.method.to_string(),
    };
    let mut headers: Vec<(String, Vec<u8>)> = match &edits.headers {
        Some(list) => list.iter().map(|(n, v)| (n.trim().to_string(), v.as_bytes().to_vec())).collect(),
        None => src.headers.0.clone(),
    };
    if edits.headers.is_some() {
        for (n, v) in &headers {
            check_header(n, v)?;
        }
    }
    for (name, value) in &edits.set_headers {
        check_header(name, value.as_bytes())?;
        set_header(&mut headers, name, value.as_bytes().to_vec());
    }
    for name in &edits.remove_headers {
        headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name.trim()));
    }
    let body = edits.body.clone().unwrap_or_else(|| src.body.to_vec());
    Ok(finish(method, destination, headers, body))
}

/// Replaces the first header named `name` (any case; later ones of that name are removed), or
/// appends it.
pub(crate) fn set_header(headers: &mut Vec<(String, Vec<u8>)>, name: &str, value: Vec<u8>) {
    match headers.iter().position(|(n, _)| n.eq_ignore_ascii_case(name)) {
        Some(i) => {
            headers[i].1 = value;
            let mut seen = 0;
            headers.retain(|(n, _)| {
                let same = n.eq_ignore_ascii_case(name);
                seen += same as usize;
                !same || seen == 1
            });
        }
        None => headers.push((name.to_string(), value)),
    }
}

fn is_hop_by_hop(name: &str) -> bool {
    HOP_BY_HOP.iter().any(|h| name.eq_ignore_ascii_case(h))
        || name.get(..6).is_some_and(|p| p.eq_ignore_ascii_case("proxy-"))
}

/// Methods whose requests carry a `Content-Length` even with an empty body.
fn expects_body(method: &str) -> bool {
    ["POST", "PUT", "PATCH"].iter().any(|m| method.eq_ignore_ascii_case(m))
}

/// Applies the rewriting: hop-by-hop dropped, `Host` set, `Content-Length` recomputed.
pub(crate) fn finish(method: String, destination: Destination, headers: Vec<(String, Vec<u8>)>, body: Vec<u8>) -> Outgoing {
    let had_length = headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("content-length"));
    let mut out: Vec<(String, Vec<u8>)> = Vec::with_capacity(headers.len() + 2);
    let mut host_done = false;
    let mut length_done = false;
    let wants_length = !body.is_empty() || had_length || expects_body(&method);
    let length = body.len().to_string().into_bytes();
    for (name, value) in headers {
        if is_hop_by_hop(&name) {
            continue;
        }
        if name.eq_ignore_ascii_case("host") {
            if !host_done {
                out.push((name, destination.authority().into_bytes()));
                host_done = true;
            }
            continue;
        }
        if name.eq_ignore_ascii_case("content-length") {
            if !length_done {
                out.push((name, length.clone()));
                length_done = true;
            }
            continue;
        }
        out.push((name, value));
    }
    if !host_done {
        out.insert(0, ("Host".to_string(), destination.authority().into_bytes()));
    }
    if wants_length && !length_done {
        out.push(("Content-Length".to_string(), length));
    }
    Outgoing { method, destination, headers: HeaderList(out), body }
}

/// Sets a new body on a built request and recomputes its `Content-Length`.
pub(crate) fn set_body(out: &mut Outgoing, body: Vec<u8>) {
    let len = body.len().to_string().into_bytes();
    out.body = body;
    let mut found = false;
    for (n, v) in out.headers.0.iter_mut() {
        if n.eq_ignore_ascii_case("content-length") {
            *v = len.clone();
            found = true;
        }
    }
    if !found {
        out.headers.0.push(("Content-Length".into(), len));
    }
}

#[cfg(test)]
mod tests;
