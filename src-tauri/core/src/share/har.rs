//! HAR 1.2 (<http://www.softwareishard.com/blog/har-12-spec/>): written entry by entry, read
//! entry by entry, so that neither an export nor an import holds the whole file in memory.
//!
//! Our own serde structs rather than the `har` crate: that crate models the whole document in
//! memory (no streaming), has no room for the `_`-prefixed custom fields binary bodies need,
//! and rejects the nulls Firefox and Charles write where the spec wants a string.
//!
//! Each entry is the captured request (headers in arrival order and name case, `queryString`,
//! `postData` with the mime type and the text; a form body also as `params`), the answer the
//! endpoint's response rule gives (status, headers, body, its delay as `timings.wait`), and a
//! `_hookloupe` object (capture id, endpoint, via, verdict). A body that is not UTF-8 goes as
//! base64: `postData.text` holds the base64 with `postData._encoding: "base64"` (HAR 1.2 allows
//! `encoding` only on response `content`, and custom fields must start with `_`; HAR 1.3's
//! draft names it `postData.encoding`), and, as HTTP Toolkit writes and reads it
//! (httptoolkit-ui `src/model/http/har.ts`: `_requestBodyStatus: "discarded:not-representable"`
//! with `_content: {text, size, encoding: "base64"}`), `request._content` carries it too so
//! HTTP Toolkit imports the exact bytes; Chrome DevTools and Insomnia read `postData.text`.
//! The reader takes each entry's request: `_content` (base64), else `postData` (`text`, base64
//! when `encoding` or `_encoding` says so, else `params` form-encoded), HTTP/2 pseudo-headers
//! (`:authority`…) left out. Pure: a `Write` in, a `Read` out.

use std::io::Write;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::redact::Summary;
use super::{incoming_request, ImportSource, Incoming, Reply};
use crate::model::Capture;

#[derive(Serialize)]
struct NameValue<'a> {
    name: &'a str,
    value: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PostData<'a> {
    mime_type: &'a str,
    text: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    params: Vec<NameValue<'a>>,
    #[serde(rename = "_encoding", skip_serializing_if = "Option::is_none")]
    encoding: Option<&'static str>,
}

#[derive(Serialize)]
struct RawContent<'a> {
    text: &'a str,
    size: usize,
    encoding: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Request<'a> {
    method: &'a str,
    url: &'a str,
    http_version: &'static str,
    cookies: [(); 0],
    headers: Vec<NameValue<'a>>,
    query_string: Vec<NameValue<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    post_data: Option<PostData<'a>>,
    headers_size: i64,
    body_size: u64,
    #[serde(rename = "_requestBodyStatus", skip_serializing_if = "Option::is_none")]
    body_status: Option<&'static str>,
    #[serde(rename = "_content", skip_serializing_if = "Option::is_none")]
    content: Option<RawContent<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Content<'a> {
    size: usize,
    mime_type: &'a str,
    text: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Response<'a> {
    status: u16,
    status_text: &'a str,
    http_version: &'static str,
    cookies: [(); 0],
    headers: Vec<NameValue<'a>>,
    content: Content<'a>,
    #[serde(rename = "redirectURL")]
    redirect_url: &'static str,
    headers_size: i64,
    body_size: usize,
    comment: &'static str,
}

#[derive(Serialize)]
struct Timings {
    blocked: i64,
    dns: i64,
    connect: i64,
    send: u64,
    wait: u64,
    receive: u64,
}

#[derive(Serialize)]
struct HookloupeEntry<'a> {
    id: i64,
    endpoint: &'a str,
    via: &'static str,
    remote_addr: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    forwarded_for: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    event_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    event_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verdict: Option<crate::signature::VerdictStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scheme: Option<crate::signature::SchemeId>,
    body_over_limit: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Entry<'a> {
    started_date_time: String,
    time: u64,
    request: Request<'a>,
    response: Response<'a>,
    cache: Empty,
    timings: Timings,
    #[serde(rename = "_hookloupe")]
    hookloupe: HookloupeEntry<'a>,
}

#[derive(Serialize)]
struct Empty {}

#[derive(Serialize)]
struct Creator<'a> {
    name: &'static str,
    version: &'a str,
}

/// Writes a HAR document one entry at a time: [`HarWriter::start`], [`HarWriter::entry`] per
/// capture, then [`HarWriter::finish`].
pub struct HarWriter<W: Write> {
    out: W,
    entries: u64,
}

impl<W: Write> HarWriter<W> {
    /// Writes the head of the document; a redacted bundle says what was redacted in the log's
    /// `comment` and `_redacted`.
    pub fn start(mut out: W, version: &str, redacted: Option<&Summary>) -> std::io::Result<HarWriter<W>> {
        out.write_all(b"{\"log\":{\"version\":\"1.2\",\"creator\":")?;
        serde_json::to_writer(&mut out, &Creator { name: "Hookloupe", version })?;
        if let Some(summary) = redacted {
            out.write_all(b",\"comment\":")?;
            serde_json::to_writer(&mut out, &summary.sentence())?;
            out.write_all(b",\"_redacted\":")?;
            serde_json::to_writer(&mut out, summary)?;
        }
        out.write_all(b",\"entries\":[\n")?;
        Ok(HarWriter { out, entries: 0 })
    }

    /// One capture and the answer its endpoint gives.
    pub fn entry(&mut self, c: &Capture, reply: &Reply) -> std::io::Result<()> {
        let d = &c.data;
        let headers = d.headers.to_text_pairs();
        let query: Vec<(String, String)> = form_urlencoded::parse(d.query.as_bytes()).into_owned().collect();
        let is_form = d
            .content_type
            .as_deref()
            .is_some_and(|t| t.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
        let text = std::str::from_utf8(&d.body).ok();
        let b64 = if text.is_none() { B64.encode(&d.body) } else { String::new() };
        let form: Vec<(String, String)> = match (is_form, text) {
            (true, Some(t)) => form_urlencoded::parse(t.as_bytes()).into_owned().collect(),
            _ => Vec::new(),
        };
        let mime = d.content_type.as_deref().unwrap_or("application/octet-stream");
        let post_data = (!d.body.is_empty()).then(|| PostData {
            mime_type: mime,
            text: text.unwrap_or(&b64),
            params: form.iter().map(|(n, v)| NameValue { name: n, value: v }).collect(),
            encoding: text.is_none().then_some("base64"),
        });
        let verdict = c.signature.verdict.as_ref();
        let status_text = http::StatusCode::from_u16(reply.status).ok().and_then(|s| s.canonical_reason()).unwrap_or("");
        let reply_type = reply
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            .map_or("text/plain", |(_, v)| v.as_str());
        let entry = Entry {
            started_date_time: crate::ipc::rfc3339_us(d.received_at_us),
            time: reply.delay_ms,
            request: Request {
                method: &d.method,
                url: &d.url,
                http_version: "HTTP/1.1",
                cookies: [],
                headers: headers.iter().map(|(n, v)| NameValue { name: n, value: v }).collect(),
                query_string: query.iter().map(|(n, v)| NameValue { name: n, value: v }).collect(),
                post_data,
                headers_size: -1,
                body_size: d.body_size,
                body_status: text.is_none().then_some("discarded:not-representable"),
                content: text.is_none().then(|| RawContent { text: &b64, size: d.body.len(), encoding: "base64" }),
                comment: d.body_over_limit.then(|| format!("The body ({} bytes) was over the limit and was not stored.", d.body_size)),
            },
            response: Response {
                status: reply.status,
                status_text,
                http_version: "HTTP/1.1",
                cookies: [],
                headers: reply.headers.iter().map(|(n, v)| NameValue { name: n, value: v }).collect(),
                content: Content { size: reply.body.len(), mime_type: reply_type, text: &reply.body },
                redirect_url: "",
                headers_size: -1,
                body_size: reply.body.len(),
                comment: "The answer of the endpoint's response rule at the time of the export.",
            },
            cache: Empty {},
            timings: Timings { blocked: -1, dns: -1, connect: -1, send: 0, wait: reply.delay_ms, receive: 0 },
            hookloupe: HookloupeEntry {
                id: c.id,
                endpoint: &d.endpoint,
                via: d.via.as_str(),
                remote_addr: &d.remote_addr,
                forwarded_for: d.forwarded_for.as_deref(),
                event_id: d.event.id.as_deref(),
                event_type: d.event.event_type.as_deref(),
                verdict: verdict.map(|v| v.status),
                scheme: verdict.map(|v| v.scheme).or(c.signature.detected),
                body_over_limit: d.body_over_limit,
            },
        };
        if self.entries > 0 {
            self.out.write_all(b",\n")?;
        }
        serde_json::to_writer(&mut self.out, &entry)?;
        self.entries += 1;
        Ok(())
    }

    /// Closes the document; returns the writer.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.out.write_all(b"\n]}}\n")?;
        Ok(self.out)
    }
}

#[derive(Deserialize)]
struct InNameValue {
    name: String,
    #[serde(default)]
    value: Option<String>,
}

#[derive(Deserialize)]
struct InPostData {
    #[serde(default, rename = "mimeType")]
    mime_type: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    params: Option<Vec<InNameValue>>,
    #[serde(default)]
    encoding: Option<String>,
    #[serde(default, rename = "_encoding")]
    custom_encoding: Option<String>,
}

#[derive(Deserialize)]
struct InContent {
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    encoding: Option<String>,
}

#[derive(Deserialize)]
struct InRequest {
    method: String,
    url: String,
    #[serde(default)]
    headers: Option<Vec<InNameValue>>,
    #[serde(default, rename = "postData")]
    post_data: Option<InPostData>,
    #[serde(default, rename = "_content")]
    content: Option<InContent>,
}

#[derive(Deserialize)]
struct InHookloupe {
    #[serde(default)]
    via: Option<String>,
}

#[derive(Deserialize)]
struct InEntry {
    #[serde(default, rename = "startedDateTime")]
    started: Option<String>,
    request: InRequest,
    #[serde(default, rename = "_hookloupe")]
    hookloupe: Option<InHookloupe>,
}

fn decode_base64(text: &str) -> Result<Vec<u8>, String> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    B64.decode(compact.as_bytes()).map_err(|e| format!("the base64 body is not valid: {e}"))
}

/// One HAR entry as an imported capture (`now_us` when it has no valid `startedDateTime`).
pub fn entry_to_incoming(value: serde_json::Value, now_us: i64) -> Result<Incoming, String> {
    let entry: InEntry = serde_json::from_value(value).map_err(|e| format!("not a HAR entry: {e}"))?;
    let r = entry.request;
    let received_at_us = entry
        .started
        .as_deref()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map_or(now_us, |t| t.timestamp_micros());
    let headers: Vec<(String, Vec<u8>)> = r
        .headers
        .unwrap_or_default()
        .into_iter()
        .filter(|h| !h.name.starts_with(':'))
        .map(|h| (h.name, h.value.unwrap_or_default().into_bytes()))
        .collect();
    let mime = r.post_data.as_ref().and_then(|p| p.mime_type.clone());
    let body = match (r.content, r.post_data) {
        (Some(InContent { text: Some(t), encoding: Some(e) }), _) if e.eq_ignore_ascii_case("base64") => decode_base64(&t)?,
        (_, Some(p)) => {
            let base64 = [&p.encoding, &p.custom_encoding].iter().any(|e| e.as_deref().is_some_and(|e| e.eq_ignore_ascii_case("base64")));
            match (p.text, p.params) {
                (Some(t), _) if base64 => decode_base64(&t)?,
                (Some(t), _) if !t.is_empty() => t.into_bytes(),
                (_, Some(params)) if !params.is_empty() => {
                    let mut form = form_urlencoded::Serializer::new(String::new());
                    for p in &params {
                        form.append_pair(&p.name, p.value.as_deref().unwrap_or(""));
                    }
                    form.finish().into_bytes()
                }
                _ => Vec::new(),
            }
        }
        _ => Vec::new(),
    };
    let mut incoming = incoming_request(ImportSource::Har, received_at_us, &r.method, &r.url, headers, body, mime)?;
    incoming.provenance.original_via = entry.hookloupe.and_then(|h| h.via);
    Ok(incoming)
}

/// Reads a HAR document from `input`, calling `each(index, entry)` for every entry of
/// `log.entries` in order (1-based), without holding the document in memory. Fails when the
/// input is not JSON or has no `log.entries`; an entry that is JSON but not a request is
/// handed to `each` as an `Err` with the reason, and reading goes on.
pub fn read_entries<R: std::io::Read>(
    input: R,
    now_us: i64,
    mut each: impl FnMut(u32, Result<Incoming, String>),
) -> Result<u32, String> {
    let mut de = serde_json::Deserializer::from_reader(input);
    let mut state = ReadState { each: &mut each, now_us, count: 0, found: false };
    (&mut state).deserialize(&mut de).map_err(|e| format!("not a HAR file: {e}"))?;
    de.end().map_err(|e| format!("not a HAR file: {e}"))?;
    if !state.found {
        return Err("not a HAR file: it has no log.entries".into());
    }
    Ok(state.count)
}

struct ReadState<'a, F: FnMut(u32, Result<Incoming, String>)> {
    each: &'a mut F,
    now_us: i64,
    count: u32,
    found: bool,
}

/// Which level of the document a seed reads.
struct Level<'s, 'a, F: FnMut(u32, Result<Incoming, String>)> {
    state: &'s mut ReadState<'a, F>,
    depth: u8,
}

impl<'de, F: FnMut(u32, Result<Incoming, String>)> DeserializeSeed<'de> for &mut ReadState<'_, F> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(Level { state: self, depth: 0 })
    }
}

impl<'de, F: FnMut(u32, Result<Incoming, String>)> Visitor<'de> for Level<'_, '_, F> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(match self.depth {
            0 => "a JSON object with a \"log\"",
            1 => "a \"log\" object with \"entries\"",
            _ => "an array of entries",
        })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let want = if self.depth == 0 { "log" } else { "entries" };
        while let Some(key) = map.next_key::<String>()? {
            if key == want {
                map.next_value_seed(Inner { state: &mut *self.state, depth: self.depth + 1 })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.state.found = true;
        while let Some(value) = seq.next_element::<serde_json::Value>()? {
            self.state.count += 1;
            let at = self.state.count;
            let result = entry_to_incoming(value, self.state.now_us);
            (self.state.each)(at, result);
        }
        Ok(())
    }
}

struct Inner<'s, 'a, F: FnMut(u32, Result<Incoming, String>)> {
    state: &'s mut ReadState<'a, F>,
    depth: u8,
}

impl<'de, F: FnMut(u32, Result<Incoming, String>)> DeserializeSeed<'de> for Inner<'_, '_, F> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let level = Level { state: self.state, depth: self.depth };
        if self.depth >= 2 {
            d.deserialize_seq(level)
        } else {
            d.deserialize_map(level)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CaptureSignature, EventKeys, HeaderList, NewCapture, Via};

    fn capture(id: i64, body: &[u8], ct: &str) -> Capture {
        Capture {
            id,
            data: NewCapture {
                received_at_us: 1_795_331_427_863_328,
                endpoint: "default".into(),
                method: "POST".into(),
                path: "/hook".into(),
                query: "a=1&b=x%20y".into(),
                url: "http://127.0.0.1:4665/hook?a=1&b=x%20y".into(),
                headers: HeaderList(vec![
                    ("Host".into(), b"127.0.0.1:4665".to_vec()),
                    ("X-Z".into(), b"1".to_vec()),
                    ("Content-Type".into(), ct.as_bytes().to_vec()),
                    ("x-a".into(), b"2".to_vec()),
                ]),
                body: body.to_vec(),
                body_size: body.len() as u64,
                body_over_limit: false,
                content_type: Some(ct.into()),
                remote_addr: "127.0.0.1:1".into(),
                via: Via::Local,
                forwarded_for: None,
                event: EventKeys::default(),
                duplicate_of: None,
            },
            signature: CaptureSignature::default(),
        }
    }

    fn reply() -> Reply {
        Reply { status: 200, headers: vec![("content-type".into(), "application/json".into())], body: "{\"ok\":true}".into(), delay_ms: 5 }
    }

    fn write(captures: &[Capture]) -> Vec<u8> {
        let mut w = HarWriter::start(Vec::new(), "0.1.0", None).unwrap();
        for c in captures {
            w.entry(c, &reply()).unwrap();
        }
        w.finish().unwrap()
    }

    #[test]
    fn writes_valid_har_and_reads_it_back() {
        let text = capture(1, br#"{"hello":"world"}"#, "application/json");
        let form = capture(2, b"a=1&b=%C3%A9", "application/x-www-form-urlencoded");
        let binary = capture(3, &[0xff, 0x00, 0xfe, b'z'], "application/octet-stream");
        let out = write(&[text.clone(), form.clone(), binary.clone()]);
        let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let log = &doc["log"];
        assert_eq!(log["version"], "1.2");
        assert_eq!(log["creator"]["name"], "Hookloupe");
        let entries = log["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 3);
        let names: Vec<&str> = entries[0]["request"]["headers"].as_array().unwrap().iter().map(|h| h["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["Host", "X-Z", "Content-Type", "x-a"]);
        assert_eq!(entries[0]["request"]["queryString"][1]["value"], "x y");
        assert_eq!(entries[0]["request"]["postData"]["text"], r#"{"hello":"world"}"#);
        assert_eq!(entries[1]["request"]["postData"]["params"][1]["value"], "é");
        assert_eq!(entries[2]["request"]["postData"]["_encoding"], "base64");
        assert_eq!(entries[2]["request"]["_content"]["encoding"], "base64");
        assert_eq!(entries[0]["response"]["status"], 200);
        assert_eq!(entries[0]["timings"]["wait"], 5);

        let mut got = Vec::new();
        let n = read_entries(&out[..], 0, |at, r| got.push((at, r.unwrap()))).unwrap();
        assert_eq!(n, 3);
        for ((_, back), orig) in got.iter().zip([&text, &form, &binary]) {
            assert_eq!(back.capture.body, orig.data.body);
            assert_eq!(back.capture.headers, orig.data.headers);
            assert_eq!(back.capture.path, "/hook");
            assert_eq!(back.capture.query, orig.data.query);
            assert_eq!(back.capture.received_at_us, orig.data.received_at_us);
            assert_eq!(back.provenance.original_via.as_deref(), Some("local"));
        }
    }

    #[test]
    fn reads_devtools_shapes_and_reports_bad_entries() {
        let har = r#"{"log":{"version":"1.2","pages":[],"entries":[
          {"startedDateTime":"2026-01-02T03:04:05.678Z","request":{"method":"POST","url":"https://api.example.com/v1/x?q=1",
            "headers":[{"name":":authority","value":"api.example.com"},{"name":"content-type","value":"application/x-www-form-urlencoded"}],
            "postData":{"mimeType":"application/x-www-form-urlencoded","params":[{"name":"a","value":"1 2"},{"name":"b","value":null}]}}},
          {"request":{"method":"GET"}},
          {"request":{"method":"GET","url":"http://h/","postData":{"mimeType":null,"text":"aGk=","encoding":"base64"}}}
        ],"creator":{"name":"x"}}}"#;
        let mut got = Vec::new();
        read_entries(har.as_bytes(), 42, |at, r| got.push((at, r))).unwrap();
        assert_eq!(got.len(), 3);
        let first = got[0].1.as_ref().unwrap();
        assert_eq!(first.capture.headers.0[0], ("Host".to_string(), b"api.example.com".to_vec()));
        assert_eq!(first.capture.body, b"a=1+2&b=");
        assert_eq!(first.capture.received_at_us, 1_767_323_045_678_000);
        assert!(got[1].1.as_ref().unwrap_err().contains("url"));
        let third = got[2].1.as_ref().unwrap();
        assert_eq!(third.capture.body, b"hi");
        assert_eq!(third.capture.received_at_us, 42);
        assert!(read_entries(&b"{\"nolog\":1}"[..], 0, |_, _| {}).unwrap_err().contains("no log.entries"));
        assert!(read_entries(&b"{\"log\":{\"entries\":[{"[..], 0, |_, _| {}).is_err());
    }
}
