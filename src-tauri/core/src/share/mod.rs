//! Sharing captures with other people and tools: the formats of export and import.
//!
//! [`jsonl`] is Hookloupe's lossless format (one capture per line, exact body and header
//! bytes, verdict, event keys, provenance), [`har`] is HAR 1.2 for browser devtools, HTTP
//! Toolkit and Insomnia (written entry by entry, read entry by entry), [`redact`] replaces
//! secret-looking values for a bundle meant for a ticket and says what it replaced, and
//! [`crate::curl_parse`] reads a pasted curl command. Everything here is pure: writers take a
//! `Write`, readers a `BufRead` or a string, time comes in as a parameter; no SQL, no files,
//! no clock. Secrets (keyring, credentials) never reach this module, so no format can carry
//! them. What lands where, the verdicts of imported captures and the atomic file are the
//! engine's business (`engine/share.rs`).

pub mod har;
pub mod jsonl;
pub mod redact;

use crate::model::{HeaderList, NewCapture, Via};

/// Where an imported capture came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportSource {
    Jsonl,
    Har,
    Curl,
}

impl ImportSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportSource::Jsonl => "jsonl",
            ImportSource::Har => "har",
            ImportSource::Curl => "curl",
        }
    }
    pub fn parse(s: &str) -> Option<ImportSource> {
        match s {
            "jsonl" => Some(ImportSource::Jsonl),
            "har" => Some(ImportSource::Har),
            "curl" => Some(ImportSource::Curl),
            _ => None,
        }
    }
}

/// How an imported capture first reached Hookloupe (or a tool), kept next to `via = import`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    pub source: ImportSource,
    /// The capture's own `via` in the exported file (`local`, `tunnel`), when it says.
    pub original_via: Option<String>,
}

/// A request read from a file or a command, not yet placed in an endpoint nor judged.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// `via` is [`Via::Import`]; `endpoint` is what the file named (JSONL) or empty.
    pub capture: NewCapture,
    pub provenance: Provenance,
}

/// The endpoint's answer as a HAR response shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// How long the endpoint waited before answering, in milliseconds.
    pub delay_ms: u64,
}

/// Splits a URL into its path and raw query, without normalising anything (the bytes a
/// signature was computed over stay as they are): `http://h:1/a/b?x=1#f` → (`/a/b`, `x=1`).
pub(crate) fn path_and_query(url: &str) -> Result<(String, String), String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("the URL {url:?} is not valid: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("the URL {url:?} is not http(s)"));
    }
    let after_scheme = &url[url.find("://").map_or(0, |i| i + 3)..];
    let target = after_scheme.find(['/', '?', '#']).map_or("", |i| &after_scheme[i..]);
    let target = target.split('#').next().unwrap_or("");
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, q),
        None => (target, ""),
    };
    let path = if path.is_empty() { "/".to_owned() } else { path.to_owned() };
    Ok((path, query.to_owned()))
}

/// Builds an imported capture from a request's parts (HAR entries, curl commands): adds a
/// `Host` header from the URL when there is none (the receiver would have required one).
pub(crate) fn incoming_request(
    source: ImportSource,
    received_at_us: i64,
    method: &str,
    url: &str,
    mut headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
    mime_type: Option<String>,
) -> Result<Incoming, String> {
    let method = method.trim();
    if method.is_empty() || !method.bytes().all(is_token_byte) {
        return Err(format!("the method {method:?} is not a valid HTTP method"));
    }
    let (path, query) = path_and_query(url)?;
    for (name, value) in &headers {
        check_header(name, value)?;
    }
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        if let Ok(u) = url::Url::parse(url) {
            let host = match (u.host_str(), u.port()) {
                (Some(h), Some(p)) => format!("{h}:{p}"),
                (Some(h), None) => h.to_owned(),
                _ => String::new(),
            };
            if !host.is_empty() {
                headers.insert(0, ("Host".to_owned(), host.into_bytes()));
            }
        }
    }
    let headers = HeaderList(headers);
    let content_type = headers.get("content-type").or(mime_type.filter(|m| !m.is_empty()));
    let event = crate::model::EventKeys::of(&headers, &body);
    Ok(Incoming {
        capture: NewCapture {
            received_at_us,
            endpoint: String::new(),
            method: method.to_owned(),
            path,
            query,
            url: url.to_owned(),
            headers,
            body_size: body.len() as u64,
            body,
            body_over_limit: false,
            content_type,
            remote_addr: String::new(),
            via: Via::Import,
            forwarded_for: None,
            event,
            duplicate_of: None,
        },
        provenance: Provenance { source, original_via: None },
    })
}

/// RFC 9110 `tchar`.
pub(crate) fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// A header the store can keep losslessly: a token name, a value without CR, LF or NUL.
pub(crate) fn check_header(name: &str, value: &[u8]) -> Result<(), String> {
    if name.is_empty() || !name.bytes().all(is_token_byte) {
        return Err(format!("the header name {name:?} is not a valid HTTP header name"));
    }
    if value.iter().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
        return Err(format!("the value of header {name} contains CR, LF or NUL, which HTTP does not allow"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_urls_without_normalising() {
        assert_eq!(path_and_query("http://h:1/a/../b%2F?x=1&y=%41#frag").unwrap(), ("/a/../b%2F".into(), "x=1&y=%41".into()));
        assert_eq!(path_and_query("https://h").unwrap(), ("/".into(), "".into()));
        assert_eq!(path_and_query("https://h?q").unwrap(), ("/".into(), "q".into()));
        assert!(path_and_query("ftp://h/x").is_err());
        assert!(path_and_query("not a url").is_err());
    }

    #[test]
    fn adds_a_host_from_the_url() {
        let i = incoming_request(ImportSource::Curl, 1, "POST", "http://example.com:8080/x", vec![], b"a".to_vec(), None)
            .unwrap();
        assert_eq!(i.capture.headers.get("host").as_deref(), Some("example.com:8080"));
        assert!(incoming_request(ImportSource::Curl, 1, "PO ST", "http://h/", vec![], vec![], None).is_err());
        let bad = vec![("X-A".to_owned(), b"a\r\nb".to_vec())];
        assert!(incoming_request(ImportSource::Curl, 1, "GET", "http://h/", bad, vec![], None).is_err());
    }
}
