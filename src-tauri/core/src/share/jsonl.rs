//! Hookloupe's lossless export: one capture per line, so that importing the file elsewhere
//! reproduces the captures exactly.
//!
//! Each line is a JSON object whose first key is `"hookloupe": 1` (the format version; a
//! higher one is refused with words rather than misread). The body is the base64 of the exact
//! bytes; headers are `[name, value]` pairs in arrival order with the name's case, a value that
//! is not UTF-8 written `[name, {"b64": "…"}]` so that every byte survives (a redacted bundle
//! writes a UTF-8 body as text in `body` instead, for people to read; import takes either). The line also
//! carries what the capture was (verdict summary, event keys, via and provenance) for whoever
//! reads the file; an import recomputes the verdict with the secrets of the endpoint it lands
//! in. A redacted bundle starts with one line `{"hookloupe":1,"redacted":{…}}` saying what was
//! replaced. The verdict written is a summary: never the digest the verifier computed with the
//! secret, never the signed content. Pure: writes to a `Write`, reads one line at a time.

use std::io::Write;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use super::{check_header, is_token_byte, Incoming, ImportSource, Provenance};
use crate::model::{Capture, CaptureId, EventKeys, HeaderList, NewCapture, Via};
use crate::signature::{ReasonCode, SchemeId, VerdictStatus};

/// The format version written on every line.
pub const VERSION: u32 = 1;

/// One header value: text when it is UTF-8, else its bytes in base64.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum HeaderValue {
    Text(String),
    Bytes { b64: String },
}

/// The verdict as the file shows it (no digest, no signed content).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerdictLine {
    pub status: VerdictStatus,
    pub reason: ReasonCode,
    pub scheme: SchemeId,
    #[serde(default)]
    pub matched_secret_index: Option<u32>,
    #[serde(default)]
    pub explanation: String,
}

/// Where a capture that was itself imported came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportLine {
    pub source: String,
    #[serde(default)]
    pub via: Option<String>,
}

/// One line of the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub hookloupe: u32,
    /// The capture's id where it was exported (a new id is given on import).
    #[serde(default)]
    pub id: Option<CaptureId>,
    /// For people; `received_at_us` is what counts.
    #[serde(default)]
    pub received_at: Option<String>,
    pub received_at_us: i64,
    pub endpoint: String,
    pub method: String,
    pub path: String,
    #[serde(default)]
    pub query: String,
    pub url: String,
    pub headers: Vec<(String, HeaderValue)>,
    /// The exact body bytes, base64 (every lossless export writes this).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_b64: Option<String>,
    /// The body as text, when it is UTF-8 (redacted bundles, so people and grep can read them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    pub body_size: u64,
    #[serde(default)]
    pub body_over_limit: bool,
    #[serde(default)]
    pub content_type: Option<String>,
    #[serde(default)]
    pub remote_addr: String,
    #[serde(default = "local")]
    pub via: String,
    #[serde(default)]
    pub forwarded_for: Option<String>,
    #[serde(default)]
    pub event_id: Option<String>,
    #[serde(default)]
    pub event_type: Option<String>,
    #[serde(default)]
    pub duplicate_of: Option<CaptureId>,
    #[serde(default)]
    pub verdict: Option<VerdictLine>,
    #[serde(default)]
    pub detected_scheme: Option<SchemeId>,
    #[serde(default)]
    pub import: Option<ImportLine>,
}

fn local() -> String {
    "local".into()
}

/// The first line of a redacted bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundleLine {
    pub hookloupe: u32,
    pub redacted: super::redact::Summary,
}

impl Line {
    pub fn of(c: &Capture, provenance: Option<&Provenance>) -> Line {
        let d = &c.data;
        Line {
            hookloupe: VERSION,
            id: Some(c.id),
            received_at: Some(crate::ipc::rfc3339_us(d.received_at_us)),
            received_at_us: d.received_at_us,
            endpoint: d.endpoint.clone(),
            method: d.method.clone(),
            path: d.path.clone(),
            query: d.query.clone(),
            url: d.url.clone(),
            headers: d
                .headers
                .0
                .iter()
                .map(|(n, v)| {
                    let value = match std::str::from_utf8(v) {
                        Ok(s) => HeaderValue::Text(s.to_owned()),
                        Err(_) => HeaderValue::Bytes { b64: B64.encode(v) },
                    };
                    (n.clone(), value)
                })
                .collect(),
            body_b64: Some(B64.encode(&d.body)),
            body: None,
            body_size: d.body_size,
            body_over_limit: d.body_over_limit,
            content_type: d.content_type.clone(),
            remote_addr: d.remote_addr.clone(),
            via: d.via.as_str().to_owned(),
            forwarded_for: d.forwarded_for.clone(),
            event_id: d.event.id.clone(),
            event_type: d.event.event_type.clone(),
            duplicate_of: d.duplicate_of,
            verdict: c.signature.verdict.as_ref().map(|v| VerdictLine {
                status: v.status,
                reason: v.reason,
                scheme: v.scheme,
                matched_secret_index: v.matched_secret_index,
                explanation: v.explanation.clone(),
            }),
            detected_scheme: c.signature.detected,
            import: provenance.map(|p| ImportLine { source: p.source.as_str().to_owned(), via: p.original_via.clone() }),
        }
    }

    /// The capture this line describes, checked: what the store keeps must be exactly what the
    /// line says (a value that HTTP cannot carry is refused, not altered).
    pub fn into_incoming(self) -> Result<Incoming, String> {
        if self.hookloupe > VERSION {
            return Err(format!(
                "written by a newer Hookloupe (format {}; this one reads {VERSION}): update Hookloupe",
                self.hookloupe
            ));
        }
        if self.method.is_empty() || !self.method.bytes().all(is_token_byte) {
            return Err(format!("the method {:?} is not a valid HTTP method", self.method));
        }
        if !self.path.starts_with('/') && self.path != "*" {
            return Err(format!("the path {:?} does not start with '/'", self.path));
        }
        let mut headers = Vec::with_capacity(self.headers.len());
        for (i, (name, value)) in self.headers.into_iter().enumerate() {
            let bytes = match value {
                HeaderValue::Text(s) => s.into_bytes(),
                HeaderValue::Bytes { b64 } => B64
                    .decode(b64.as_bytes())
                    .map_err(|e| format!("header {} ({name}) is not valid base64: {e}", i + 1))?,
            };
            check_header(&name, &bytes)?;
            headers.push((name, bytes));
        }
        let body = match (self.body_b64, self.body) {
            (Some(b64), None) => B64.decode(b64.as_bytes()).map_err(|e| format!("body_b64 is not valid base64: {e}"))?,
            (None, Some(text)) => text.into_bytes(),
            (None, None) => Vec::new(),
            (Some(_), Some(_)) => return Err("a line gives either body_b64 or body, not both".into()),
        };
        if !self.body_over_limit && self.body_size != body.len() as u64 {
            return Err(format!("body_size says {} bytes but body_b64 holds {}", self.body_size, body.len()));
        }
        if self.body_over_limit && !body.is_empty() {
            return Err("a body over the limit is not stored, yet body_b64 holds bytes".into());
        }
        // A capture that was itself imported keeps the way it first arrived.
        let original_via = match (&self.import, self.via.as_str()) {
            (Some(i), "import") => i.via.clone(),
            _ => Some(self.via.clone()),
        };
        let headers = HeaderList(headers);
        let event = match (self.event_id, self.event_type) {
            (None, None) => EventKeys::of(&headers, &body),
            (id, event_type) => EventKeys { id, event_type },
        };
        Ok(Incoming {
            capture: NewCapture {
                received_at_us: self.received_at_us,
                endpoint: self.endpoint,
                method: self.method,
                path: self.path,
                query: self.query,
                url: self.url,
                headers,
                body,
                body_size: self.body_size,
                body_over_limit: self.body_over_limit,
                content_type: self.content_type,
                remote_addr: self.remote_addr,
                via: Via::Import,
                forwarded_for: self.forwarded_for,
                event,
                duplicate_of: None,
            },
            provenance: Provenance { source: ImportSource::Jsonl, original_via },
        })
    }
}

/// Writes one capture as one line (with its newline).
pub fn write_capture<W: Write + ?Sized>(out: &mut W, c: &Capture, provenance: Option<&Provenance>) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, &Line::of(c, provenance))?;
    out.write_all(b"\n")
}

/// Writes one capture of a redacted bundle: a UTF-8 body as readable text (`body`).
pub fn write_redacted<W: Write + ?Sized>(out: &mut W, c: &Capture) -> std::io::Result<()> {
    let mut line = Line::of(c, None);
    if let Ok(text) = std::str::from_utf8(&c.data.body) {
        line.body = Some(text.to_owned());
        line.body_b64 = None;
    }
    serde_json::to_writer(&mut *out, &line)?;
    out.write_all(b"\n")
}

/// Writes the first line of a redacted bundle.
pub fn write_bundle_line<W: Write + ?Sized>(out: &mut W, summary: &super::redact::Summary) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, &BundleLine { hookloupe: VERSION, redacted: summary.clone() })?;
    out.write_all(b"\n")
}

/// What one line of a file is.
#[derive(Debug)]
pub enum Read {
    Capture(Box<Incoming>),
    /// A blank line, or the first line of a redacted bundle.
    Skip,
}

/// Reads one line (without its newline); `first` says whether it is the file's first line.
pub fn read_line(line: &[u8], first: bool) -> Result<Read, String> {
    let text = std::str::from_utf8(line).map_err(|e| format!("the line is not UTF-8: {e}"))?;
    let text = if first { text.trim_start_matches('\u{feff}') } else { text };
    if text.trim().is_empty() {
        return Ok(Read::Skip);
    }
    // The common case parsed once, straight into a line; anything else is looked at closer.
    if let Ok(line) = serde_json::from_str::<Line>(text) {
        return line.into_incoming().map(|i| Read::Capture(Box::new(i)));
    }
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let Some(obj) = value.as_object() else { return Err("not a JSON object".into()) };
    if !obj.contains_key("hookloupe") {
        return Err("not a Hookloupe line (no \"hookloupe\" format field)".into());
    }
    if first && obj.contains_key("redacted") && !obj.contains_key("method") {
        return Ok(Read::Skip);
    }
    let line: Line = serde_json::from_value(value).map_err(|e| e.to_string())?;
    line.into_incoming().map(|i| Read::Capture(Box::new(i)))
}

/// Whether the start of a file looks like Hookloupe JSONL (`{"hookloupe":` on its first line).
pub fn looks_like(start: &[u8]) -> bool {
    let s = String::from_utf8_lossy(&start[..start.len().min(256)]);
    let s = s.trim_start_matches('\u{feff}').trim_start();
    let Some(rest) = s.strip_prefix('{') else { return false };
    rest.trim_start().starts_with("\"hookloupe\"")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CaptureSignature;

    pub(crate) fn sample() -> Capture {
        Capture {
            id: 7,
            data: NewCapture {
                received_at_us: 1_795_331_427_863_328,
                endpoint: "stripe".into(),
                method: "POST".into(),
                path: "/stripe/x".into(),
                query: "a=1&a=2".into(),
                url: "http://127.0.0.1:4665/stripe/x?a=1&a=2".into(),
                headers: HeaderList(vec![
                    ("Host".into(), b"127.0.0.1:4665".to_vec()),
                    ("X-A".into(), b"1".to_vec()),
                    ("x-bin".into(), vec![0xff, 0xfe, b'z']),
                    ("X-A".into(), b"2".to_vec()),
                ]),
                body: vec![0, 159, 146, 150, b'{'],
                body_size: 5,
                body_over_limit: false,
                content_type: Some("application/octet-stream".into()),
                remote_addr: "127.0.0.1:5000".into(),
                via: Via::Tunnel,
                forwarded_for: Some("203.0.113.9".into()),
                event: EventKeys { id: Some("stripe_id:evt_1".into()), event_type: Some("invoice.paid".into()) },
                duplicate_of: None,
            },
            signature: CaptureSignature::default(),
        }
    }

    #[test]
    fn round_trips_bytes_order_and_case() {
        let c = sample();
        let mut out = Vec::new();
        write_capture(&mut out, &c, None).unwrap();
        assert!(out.starts_with(b"{\"hookloupe\":1,"));
        assert!(looks_like(&out));
        assert_eq!(out.iter().filter(|b| **b == b'\n').count(), 1);
        let Read::Capture(back) = read_line(&out[..out.len() - 1], true).unwrap() else { panic!() };
        assert_eq!(back.capture.headers, c.data.headers);
        assert_eq!(back.capture.body, c.data.body);
        assert_eq!(back.capture.url, c.data.url);
        assert_eq!(back.capture.received_at_us, c.data.received_at_us);
        assert_eq!(back.capture.event, c.data.event);
        assert_eq!(back.capture.via, Via::Import);
        assert_eq!(back.provenance.original_via.as_deref(), Some("tunnel"));
        assert_eq!(back.capture.forwarded_for.as_deref(), Some("203.0.113.9"));
    }

    #[test]
    fn redacted_lines_carry_text_bodies() {
        let mut c = sample();
        c.data.body = "{\"a\":\"café\"}".as_bytes().to_vec();
        c.data.body_size = c.data.body.len() as u64;
        let mut out = Vec::new();
        write_redacted(&mut out, &c).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(text.contains(r#""body":"{\"a\":\"café\"}""#) && !text.contains("body_b64"), "{text}");
        let Read::Capture(back) = read_line(&out[..out.len() - 1], false).unwrap() else { panic!() };
        assert_eq!(back.capture.body, c.data.body);
    }

    #[test]
    fn refuses_what_cannot_be_stored_exactly() {
        let mut line = Line::of(&sample(), None);
        line.headers.push(("X-Bad".into(), HeaderValue::Text("a\r\nInjected: 1".into())));
        assert!(line.clone().into_incoming().unwrap_err().contains("CR, LF"));
        let mut line = Line::of(&sample(), None);
        line.body_size = 99;
        assert!(line.into_incoming().unwrap_err().contains("body_size"));
        let mut line = Line::of(&sample(), None);
        line.hookloupe = 2;
        assert!(line.into_incoming().unwrap_err().contains("newer Hookloupe"));
        assert!(read_line(b"{not json", false).unwrap_err().starts_with("not JSON"));
        assert!(read_line(b"{\"a\":1}", false).is_err());
        assert!(matches!(read_line(b"  ", false).unwrap(), Read::Skip));
        assert!(matches!(read_line(b"{\"hookloupe\":1,\"redacted\":{}}", true).unwrap(), Read::Skip));
    }
}
