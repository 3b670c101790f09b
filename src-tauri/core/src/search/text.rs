//! What the full-text index holds for one capture: the words a person would look for, taken
//! from the request as the filter language reads it. Pure: bytes in, text out; no SQL.
//!
//! Indexed: the path; the query string's names and decoded values; every header value (not the
//! names: every capture has `content-type`); and the body — a JSON body as its keys, string values
//! and numbers (strings decoded, so `"Caf\u00e9"` is found by `café`); a form body
//! (`application/x-www-form-urlencoded`) as its decoded names and values; any other body as its
//! text when it is UTF-8 and its content type is not a binary one (images, archives, PDF,
//! protobuf, octet-stream…). A body that is not UTF-8 is never indexed.
//!
//! Cost bound: at most [`MAX_TEXT_BYTES`] of text per capture, and a body longer than that is
//! not parsed as JSON or a form but read as text up to the cap, so a 10 MiB body costs the
//! capture path one bounded copy, never a full parse. Words past the cap are not searchable (the
//! expression filter still reads the whole body).

use crate::model::HeaderList;

/// Most text indexed per capture (1 MiB).
pub const MAX_TEXT_BYTES: usize = 1 << 20;

/// The parts of a capture the index reads.
#[derive(Clone, Copy)]
pub struct Indexed<'a> {
    pub path: &'a str,
    /// Raw, without `?`.
    pub query: &'a str,
    pub headers: &'a HeaderList,
    pub body: &'a [u8],
    pub content_type: Option<&'a str>,
}

/// The text of one capture for the index, at most [`MAX_TEXT_BYTES`] (cut at a character).
pub fn text_of(c: Indexed) -> String {
    let mut out = Capped::default();
    out.push(c.path);
    for (name, value) in form_urlencoded::parse(c.query.as_bytes()) {
        out.push(&name);
        out.push(&value);
    }
    for (_, value) in &c.headers.0 {
        out.push(&String::from_utf8_lossy(value));
    }
    body_text(c.body, c.content_type, &mut out);
    out.text
}

fn media_type(content_type: Option<&str>) -> String {
    content_type.map(|t| t.split(';').next().unwrap_or("").trim().to_ascii_lowercase()).unwrap_or_default()
}

/// Content types whose bytes are not words, even when they happen to be valid UTF-8.
fn is_binary_type(media: &str) -> bool {
    const PREFIXES: &[&str] = &["image/", "audio/", "video/", "font/"];
    const TYPES: &[&str] = &[
        "application/octet-stream",
        "application/pdf",
        "application/zip",
        "application/gzip",
        "application/x-gzip",
        "application/x-tar",
        "application/x-7z-compressed",
        "application/protobuf",
        "application/x-protobuf",
        "application/vnd.google.protobuf",
        "application/grpc",
        "application/msgpack",
        "application/x-msgpack",
        "application/cbor",
        "application/wasm",
    ];
    PREFIXES.iter().any(|p| media.starts_with(p)) || TYPES.contains(&media) || media.starts_with("application/grpc")
}

fn body_text(body: &[u8], content_type: Option<&str>, out: &mut Capped) {
    if body.is_empty() {
        return;
    }
    let media = media_type(content_type);
    if is_binary_type(&media) {
        return;
    }
    // Only the first MAX_TEXT_BYTES are looked at; a cut inside a character is not "not UTF-8".
    let head = &body[..body.len().min(MAX_TEXT_BYTES)];
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        Err(e) if head.len() < body.len() && e.error_len().is_none() => {
            // The cut fell inside a character: keep what is whole.
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return,
    };
    let whole = head.len() == body.len();
    if whole && media == "application/x-www-form-urlencoded" {
        for (name, value) in form_urlencoded::parse(body) {
            out.push(&name);
            out.push(&value);
        }
        return;
    }
    let first = text.trim_start().as_bytes().first().copied();
    if whole && (media.contains("json") || matches!(first, Some(b'{' | b'['))) {
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
            json_words(&value, out);
            return;
        }
    }
    out.push(text);
}

/// Keys, strings and numbers of a JSON value, in document order, walked without recursion.
fn json_words(root: &serde_json::Value, out: &mut Capped) {
    use serde_json::Value as J;
    enum Item<'v> {
        Value(&'v J),
        Key(&'v str),
    }
    let mut todo = vec![Item::Value(root)];
    while let Some(item) = todo.pop() {
        if out.full() {
            return;
        }
        match item {
            Item::Key(k) => out.push(k),
            Item::Value(J::String(s)) => out.push(s),
            Item::Value(J::Number(n)) => out.push(&n.to_string()),
            Item::Value(J::Bool(_) | J::Null) => {}
            Item::Value(J::Array(items)) => todo.extend(items.iter().rev().map(Item::Value)),
            Item::Value(J::Object(map)) => {
                // Pushed reversed, so that popped they come out key, value, key, value…
                for (k, v) in map.iter().rev() {
                    todo.push(Item::Value(v));
                    todo.push(Item::Key(k));
                }
            }
        }
    }
}

/// Text that stops growing at [`MAX_TEXT_BYTES`], one part per line.
#[derive(Default)]
struct Capped {
    text: String,
}

impl Capped {
    fn full(&self) -> bool {
        self.text.len() >= MAX_TEXT_BYTES
    }

    fn push(&mut self, part: &str) {
        if part.is_empty() || self.full() {
            return;
        }
        if !self.text.is_empty() {
            self.text.push('\n');
        }
        let room = MAX_TEXT_BYTES.saturating_sub(self.text.len());
        let mut end = part.len().min(room);
        while !part.is_char_boundary(end) {
            end -= 1;
        }
        self.text.push_str(&part[..end]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(body: &[u8], content_type: Option<&str>) -> String {
        let headers = HeaderList(vec![("X-Event".into(), b"kpi.threshold_reached".to_vec()), ("X-Raw".into(), b"caf\xe9".to_vec())]);
        text_of(Indexed { path: "/p/hook", query: "a=1&note=caf%C3%A9", headers: &headers, body, content_type })
    }

    #[test]
    fn json_keys_strings_and_numbers_in_order_decoded() {
        let t = text(br#"{"type":"invoice.overdue","data":{"total_cents":150001,"ok":true,"tags":["a b"],"name":"Caf\u00e9"}}"#, None);
        assert!(t.ends_with("type\ninvoice.overdue\ndata\ntotal_cents\n150001\nok\ntags\na b\nname\nCafé"), "{t:?}");
        assert!(t.starts_with("/p/hook\na\n1\nnote\ncafé\nkpi.threshold_reached\ncaf\u{fffd}"), "{t:?}");
    }

    #[test]
    fn forms_text_and_binary() {
        assert!(text(b"event=en_attente&full+name=Mme%20Dupont", Some("application/x-www-form-urlencoded")).ends_with("event\nen_attente\nfull name\nMme Dupont"));
        assert!(text(b"hello <b>world</b>", Some("text/html; charset=utf-8")).ends_with("hello <b>world</b>"));
        assert!(!text(b"{\"hidden\":1}", Some("application/octet-stream")).contains("hidden"));
        assert!(!text(b"image words", Some("image/png")).contains("image words"));
        assert!(!text(b"\xff not utf8 words", Some("text/plain")).contains("utf8"));
        // Invalid JSON is still text.
        assert!(text(b"{not json words", Some("application/json")).ends_with("{not json words"));
    }

    #[test]
    fn a_huge_body_costs_at_most_the_cap() {
        let mut body = br#"{"k":""#.to_vec();
        body.extend(std::iter::repeat_n(b'w', 10 << 20));
        body.extend(b"\"}");
        let t = text(&body, Some("application/json"));
        assert!(t.len() <= MAX_TEXT_BYTES, "{}", t.len());
        assert!(t.len() > MAX_TEXT_BYTES - 100);
        // A multi-byte character cut by the cap is left out, not split.
        let body = "é".repeat(MAX_TEXT_BYTES);
        let t = text(body.as_bytes(), Some("text/plain"));
        assert!(t.len() <= MAX_TEXT_BYTES && t.ends_with('é'));
    }
}
