//! Entry points of the coverage-guided fuzz targets (`tests/fuzz`, cargo-afl), compiled only
//! with the `fuzzing` feature. Each takes arbitrary bytes, drives one parser the way hostile
//! input reaches it, and panics when an invariant breaks (a crash is what the fuzzer reports):
//! the raw request-head reader gives the same heads however the bytes are split; body, form
//! and JSON decoding and event keys never panic; a delivery never differs from itself;
//! verification and diagnosis of any request under any scheme give a verdict; a curl command
//! read back by a shell-words parser is the request it was made from; a filter either is
//! refused with words or evaluates to an outcome; an import file (Hookloupe JSONL, HAR) is read
//! without a crash, and what it yields writes back to a file that reads the same. This module must not be used by the engine.

use crate::model::{Capture, CaptureSignature, EventKeys, HeaderList, NewCapture, Via};
use crate::receiver::rawhead::{Heads, Tracker};
use crate::signature::{self, SchemeConfig, SchemeId};

/// Splits `data` at its first byte (a cut position) into two parts.
fn halves(data: &[u8]) -> (&[u8], &[u8]) {
    match data.split_first() {
        Some((cut, rest)) => rest.split_at((*cut as usize * rest.len()) / 256),
        None => (&[], &[]),
    }
}

fn heads_of(chunks: &[&[u8]]) -> Vec<HeaderList> {
    let heads = Heads::default();
    let mut t = Tracker::new(heads.clone());
    for c in chunks {
        t.feed(c);
    }
    let got: Vec<HeaderList> = heads.lock().unwrap().drain(..).collect();
    got
}

/// The raw-head tap over a connection's bytes: the same heads whether the bytes arrive at once,
/// one by one, or split anywhere.
pub fn raw_heads(data: &[u8]) {
    let (cut, stream) = halves(data);
    let whole = heads_of(&[stream]);
    let at = cut.len().min(stream.len());
    let split = heads_of(&[&stream[..at], &stream[at..]]);
    assert_eq!(whole, split, "splitting the stream at {at} changed the heads");
    if stream.len() <= 4096 {
        let bytes: Vec<&[u8]> = stream.chunks(1).collect();
        assert_eq!(whole, heads_of(&bytes), "byte-by-byte feeding changed the heads");
    }
}

const CONTENT_TYPES: &[Option<&str>] = &[
    None,
    Some("application/json"),
    Some("application/x-www-form-urlencoded"),
    Some("text/plain; charset=utf-8"),
    Some("multipart/form-data; boundary=xyz"),
    Some("application/octet-stream"),
];

fn capture_of(headers: HeaderList, body: Vec<u8>, content_type: Option<&str>) -> Capture {
    let event = EventKeys::of(&headers, &body);
    Capture {
        id: 1,
        data: NewCapture {
            received_at_us: 1_700_000_000_000_000,
            endpoint: "default".into(),
            method: "POST".into(),
            path: "/hook".into(),
            query: String::new(),
            url: "http://127.0.0.1:4665/hook".into(),
            headers,
            body_size: body.len() as u64,
            body,
            body_over_limit: false,
            content_type: content_type.map(str::to_owned),
            remote_addr: "127.0.0.1:1".into(),
            via: Via::Local,
            forwarded_for: None,
            event,
            duplicate_of: None,
        },
        signature: CaptureSignature::default(),
    }
}

/// Header lines from text: `name: value` per line.
fn header_list(text: &[u8]) -> HeaderList {
    HeaderList(
        text.split(|b| *b == b'\n')
            .filter_map(|line| {
                let i = line.iter().position(|b| *b == b':')?;
                let name = String::from_utf8_lossy(&line[..i]).trim().to_string();
                (!name.is_empty()).then(|| (name, line[i + 1..].trim_ascii().to_vec()))
            })
            .collect(),
    )
}

/// Body, form and JSON decoding as the inspector, the diff and event keys do it, under every
/// content type; and the body as a template sees it.
pub fn bodies(data: &[u8]) {
    let (head, body) = halves(data);
    let headers = header_list(head);
    for ct in CONTENT_TYPES {
        let _ = crate::diff::normalize::parse(body, *ct);
        let _ = crate::forward::template::TemplateContext::body_value(body, *ct);
        let c = capture_of(headers.clone(), body.to_vec(), *ct);
        let _ = crate::ipc::CaptureView::from(&c);
    }
    let _ = EventKeys::of(&headers, body);
}

fn side<'a>(body: &'a [u8], content_type: Option<&'a str>) -> crate::diff::Side<'a> {
    crate::diff::Side { method: "POST", path: "/hook", query: "", headers: &[], body, content_type, verdict: None }
}

/// The structural and line diff: any delivery against itself is empty; any two give a diff.
pub fn diff(data: &[u8]) {
    let (a, b) = halves(data);
    let opts = crate::diff::DiffOptions::default();
    for ct in CONTENT_TYPES {
        let same = crate::diff::diff(&side(a, *ct), &side(a, *ct), &opts, &|| false).expect("diff");
        assert!(same.is_empty(), "a delivery differs from itself: {same:?}");
        let _ = crate::diff::diff(&side(a, *ct), &side(b, *ct), &opts, &|| false).expect("diff");
    }
}

/// Verification and diagnosis of an arbitrary request under every scheme (and detection).
pub fn signatures(data: &[u8]) {
    let (head, body) = halves(data);
    let headers: Vec<(String, String)> = header_list(head)
        .0
        .into_iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), String::from_utf8_lossy(&v).into_owned()))
        .collect();
    let url = "http://127.0.0.1:4665/hook?x=1&Signature=abc";
    let req = signature::Request { method: "POST", url, headers: &headers, body, remote_ip: None };
    for scheme in SchemeId::ALL {
        let scheme = &scheme;
        let cfg = SchemeConfig::new(*scheme, &["whsec_c2Vjb25kIHNlY3JldCBieXRlcw==", "s3cret"]);
        let v = signature::verify(&cfg, &req, 1_700_000_000);
        let _ = v.status;
    }
    let _ = signature::detect(&req);
}

/// A curl command, read back by a POSIX shell-words parser, is the request it was made from
/// (inline bodies; bodies sent through a here-document are checked by the unit tests).
pub fn curl(data: &[u8]) {
    let (head, body) = halves(data);
    let Ok(head) = std::str::from_utf8(head) else { return };
    let mut lines = head.split('\n');
    let method = lines.next().unwrap_or("POST").trim();
    let method = if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) { "POST" } else { method };
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| {
            let (n, v) = l.split_once(':')?;
            let n = n.trim();
            let ok = !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
            let v = v.trim();
            (ok && !v.contains(['\r', '\0'])).then(|| (n.to_string(), v.to_string()))
        })
        .collect();
    let url = "http://127.0.0.1:4665/hook?a=1&b=two%20words";
    let cmd = crate::curl::command(method, url, &headers, body);
    let Some(first) = cmd.split('\n').next() else { return };
    if cmd.contains("<<") {
        return;
    }
    // Line continuations (backslash-newline outside quotes) are the shell's to remove.
    let argv = shell_words::split(&cmd).unwrap_or_else(|e| panic!("not shell words ({e}): {first}"));
    let mut sent_headers = Vec::new();
    let mut sent_body = None;
    let mut it = argv.iter().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "-X" => assert_eq!(it.next().map(String::as_str), Some(method)),
            "-H" => sent_headers.push(it.next().expect("-H value").clone()),
            "--data-binary" => sent_body = it.next().cloned(),
            "--globoff" | "--path-as-is" => {}
            u => assert_eq!(u, url),
        }
    }
    let expected: Vec<String> = headers
        .iter()
        .filter(|(n, _)| !["host", "content-length", "transfer-encoding"].contains(&n.to_ascii_lowercase().as_str()))
        .map(|(n, v)| if v.is_empty() { format!("{n};") } else { format!("{n}: {v}") })
        .collect();
    let sent: Vec<String> = sent_headers.into_iter().filter(|h| h != "Content-Type:").collect();
    assert_eq!(sent, expected, "headers changed through the shell");
    if !body.is_empty() {
        assert_eq!(sent_body.as_deref().map(str::as_bytes), Some(body), "body changed through the shell");
    }
}

/// A filter: refused with words, or evaluated on a capture to an outcome.
pub fn query(data: &[u8]) {
    let (src, body) = halves(data);
    let src = String::from_utf8_lossy(src);
    if let Ok(filter) = crate::query::parse(&src) {
        for ct in [Some("application/json"), Some("application/x-www-form-urlencoded"), None] {
            let c = capture_of(HeaderList(vec![("X-Event".into(), b"a.b".to_vec())]), body.to_vec(), ct);
            let _ = filter.matches(&crate::query::Subject::of(&c));
        }
    }
}

/// Lines of an import file (Hookloupe JSONL): each is refused with words or read; a capture read
/// is written back to a line that reads as the same capture (bytes, header order and case).
pub fn import_jsonl(data: &[u8]) {
    use crate::share::jsonl::{read_line, write_capture, Read};
    for (i, line) in data.split(|b| *b == b'\n').enumerate() {
        let Ok(Read::Capture(first)) = read_line(line, i == 0) else { continue };
        let c = Capture { id: 1, data: first.capture, signature: CaptureSignature::default() };
        let mut out = Vec::new();
        write_capture(&mut out, &c, Some(&first.provenance)).expect("write to memory");
        match read_line(&out[..out.len() - 1], false) {
            Ok(Read::Capture(again)) => {
                assert_eq!(again.capture.headers, c.data.headers, "headers changed through a round trip");
                assert!(again.capture.body == c.data.body, "body changed through a round trip");
                assert_eq!((&again.capture.method, &again.capture.url, &again.capture.query), (&c.data.method, &c.data.url, &c.data.query));
                assert_eq!(again.capture.received_at_us, c.data.received_at_us);
            }
            other => panic!("a line Hookloupe wrote does not read back: {other:?}"),
        }
    }
}

/// A HAR document: read entry by entry without panicking (a broken one is an error, never a
/// crash); every request read is written back to HAR that reads as the same request.
pub fn import_har(data: &[u8]) {
    use crate::share::har::{read_entries, HarWriter};
    let mut read = Vec::new();
    let _ = read_entries(data, 0, |_, r| {
        if let Ok(i) = r {
            read.push(i);
        }
    });
    if read.is_empty() {
        return;
    }
    let reply = crate::share::Reply { status: 200, headers: vec![], body: String::new(), delay_ms: 0 };
    let mut w = HarWriter::start(Vec::new(), "fuzz", None).expect("write to memory");
    let captures: Vec<Capture> =
        read.into_iter().map(|i| Capture { id: 1, data: i.capture, signature: CaptureSignature::default() }).collect();
    for c in &captures {
        w.entry(c, &reply).expect("write to memory");
    }
    let out = w.finish().expect("write to memory");
    let mut again = Vec::new();
    read_entries(&out[..], 0, |at, r| again.push((at, r.unwrap_or_else(|e| panic!("entry {at} Hookloupe wrote does not read back: {e}")))))
        .expect("the HAR Hookloupe wrote reads back");
    assert_eq!(again.len(), captures.len());
    for ((_, b), a) in again.iter().zip(&captures) {
        assert_eq!(b.capture.headers, a.data.headers, "headers changed through HAR");
        assert!(b.capture.body == a.data.body, "body changed through HAR");
        assert_eq!((&b.capture.method, &b.capture.url), (&a.data.method, &a.data.url));
    }
}
