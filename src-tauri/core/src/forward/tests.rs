//! Unit tests of the outgoing request: rewriting, rebasing, edits, re-signing, warnings.

use super::*;
use crate::signature::{self, SchemeConfig, SchemeId, VerdictStatus};

fn hl(pairs: &[(&str, &[u8])]) -> HeaderList {
    HeaderList(pairs.iter().map(|(n, v)| (n.to_string(), v.to_vec())).collect())
}

fn names(h: &HeaderList) -> Vec<&str> {
    h.0.iter().map(|(n, _)| n.as_str()).collect()
}

fn value<'a>(h: &'a HeaderList, name: &str) -> Vec<&'a [u8]> {
    h.0.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_slice()).collect()
}

const BODY: &[u8] = br#"{"id":"evt_1","amount":4200}"#;

fn captured() -> HeaderList {
    hl(&[
        ("X-A", b"1"),
        ("host", b"abc.ngrok.app"),
        ("Content-Type", b"application/json"),
        ("Connection", b"keep-alive, Upgrade"),
        ("Upgrade", b"h2c"),
        ("x-a", b"2"),
        ("Content-Length", b"28"),
        ("Transfer-Encoding", b"chunked"),
        ("Keep-Alive", b"timeout=5"),
        ("TE", b"trailers"),
        ("Proxy-Authorization", b"Basic eA=="),
        ("X-Latin", b"caf\xe9"),
        ("X-A", b"3"),
    ])
}

fn src(headers: &HeaderList) -> Source<'_> {
    Source { method: "POST", path: "/stripe/x", query: "a=1&a=2", headers, body: BODY }
}

fn to(url: &str) -> Destination {
    destination(url, false, "/stripe/x", "a=1&a=2").unwrap()
}

#[test]
fn only_host_length_and_hop_by_hop_are_rewritten() {
    let h = captured();
    let out = build(&src(&h), &Edits::default(), to("http://127.0.0.1:3000/hook")).unwrap();
    assert_eq!(names(&out.headers), ["X-A", "host", "Content-Type", "x-a", "Content-Length", "X-Latin", "X-A"]);
    assert_eq!(value(&out.headers, "host"), [b"127.0.0.1:3000".as_slice()]);
    assert_eq!(value(&out.headers, "content-length"), [b"28".as_slice()]);
    assert_eq!(value(&out.headers, "x-a"), [b"1".as_slice(), b"2", b"3"]);
    assert_eq!(value(&out.headers, "x-latin"), [b"caf\xe9".as_slice()], "raw value bytes kept");
    assert_eq!(out.body, BODY);
    assert_eq!(out.destination.target, "/hook");
    let head = String::from_utf8_lossy(&out.head()).into_owned();
    assert!(head.starts_with("POST /hook HTTP/1.1\r\nX-A: 1\r\nhost: 127.0.0.1:3000\r\n"), "{head}");
    assert!(head.ends_with("X-A: 3\r\n\r\n"));
}

#[test]
fn host_is_added_first_and_length_when_a_body_goes_out() {
    let h = hl(&[("User-Agent", b"x")]);
    let s = Source { method: "GET", path: "/", query: "", headers: &h, body: b"" };
    let out = build(&s, &Edits::default(), to("https://example.test")).unwrap();
    assert_eq!(names(&out.headers), ["Host", "User-Agent"], "a bodyless GET gets no Content-Length");
    assert_eq!(value(&out.headers, "host"), [b"example.test".as_slice()], "default port omitted");
    assert_eq!(out.destination.target, "/");
    let edits = Edits { body: Some(b"hi".to_vec()), ..Edits::default() };
    let out = build(&s, &edits, to("https://example.test:8443/")).unwrap();
    assert_eq!(names(&out.headers), ["Host", "User-Agent", "Content-Length"]);
    assert_eq!(value(&out.headers, "host"), [b"example.test:8443".as_slice()]);
    let post = Source { method: "POST", ..s };
    let out = build(&post, &Edits::default(), to("http://[::1]:9/")).unwrap();
    assert_eq!(value(&out.headers, "content-length"), [b"0".as_slice()], "an empty POST says so");
    assert_eq!(value(&out.headers, "host"), [b"[::1]:9".as_slice()]);
    assert_eq!(out.destination.host, "::1");
}

#[test]
fn keep_path_rebases_on_the_targets_origin_and_base_path() {
    let d = destination("http://localhost:3000", true, "/stripe/x", "a=1&a=2").unwrap();
    assert_eq!((d.host.as_str(), d.port, d.target.as_str()), ("localhost", 3000, "/stripe/x?a=1&a=2"));
    let d = destination("http://localhost:3000/api/", true, "/stripe/x", "").unwrap();
    assert_eq!(d.target, "/api/stripe/x");
    assert_eq!(d.url(), "http://localhost:3000/api/stripe/x");
    // The capture's raw path is kept as received (no normalisation).
    let d = destination("http://h", true, "/a/%7Euser/../b", "q=%20").unwrap();
    assert_eq!(d.target, "/a/%7Euser/../b?q=%20");
    assert!(destination("http://h/?x=1", true, "/a", "").is_err(), "a target query with keep_path is refused");
    // Without keep_path the URL is used as given.
    let d = destination("http://h:81/hook?x=1", false, "/a", "b=2").unwrap();
    assert_eq!(d.target, "/hook?x=1");
}

#[test]
fn bad_targets_are_refused_with_their_reason() {
    for (url, words) in [
        ("localhost:3000", "is not a URL"),
        ("nope", "is not a URL"),
        ("ftp://h/x", "only http:// and https://"),
        ("http://user:pw@h/x", "credentials"),
    ] {
        let e = destination(url, false, "/", "").unwrap_err();
        assert!(e.0.contains(words), "{url}: {}", e.0);
    }
}

#[test]
fn edits_apply_in_order_and_are_validated() {
    let h = captured();
    let edits = Edits {
        method: Some("PUT".into()),
        headers: None,
        set_headers: vec![("x-A".into(), "9".into()), ("X-New".into(), "n".into())],
        remove_headers: vec!["x-latin".into()],
        body: Some(b"changed".to_vec()),
    };
    let out = build(&src(&h), &edits, to("http://h/")).unwrap();
    assert_eq!(out.method, "PUT");
    assert_eq!(value(&out.headers, "x-a"), [b"9".as_slice()], "set replaces the first and drops the later ones");
    assert_eq!(names(&out.headers).first(), Some(&"X-A"), "in the first one's place and case");
    assert!(value(&out.headers, "x-latin").is_empty());
    assert_eq!(names(&out.headers).last(), Some(&"X-New"));
    assert_eq!(value(&out.headers, "content-length"), [b"7".as_slice()]);
    // A full header list as edited in the table.
    let edits = Edits { headers: Some(vec![("B".into(), "2".into()), ("A".into(), "1".into())]), ..Edits::default() };
    let out = build(&src(&h), &edits, to("http://h/")).unwrap();
    assert_eq!(names(&out.headers), ["Host", "B", "A", "Content-Length"]);
    for bad in [
        Edits { headers: Some(vec![("Bad Name".into(), "x".into())]), ..Edits::default() },
        Edits { set_headers: vec![("X".into(), "a\r\nInjected: 1".into())], ..Edits::default() },
        Edits { method: Some("GE T".into()), ..Edits::default() },
    ] {
        assert!(build(&src(&h), &bad, to("http://h/")).is_err(), "{bad:?}");
    }
    assert_eq!(parse_header_line("X-Test:  a: b ").unwrap(), ("X-Test".into(), "a: b".into()));
    assert!(parse_header_line("no colon").is_err());
    assert_eq!(edited_body(Some("t"), Some("aGk=")).unwrap(), Some(b"hi".to_vec()), "base64 wins");
    assert!(edited_body(None, Some("**")).is_err());
}

#[test]
fn resigning_signs_the_request_as_it_goes_out() {
    let cfg = SchemeConfig::new(SchemeId::Stripe, &["whsec_test_secret"]);
    let h = hl(&[("Content-Type", b"application/json"), ("Stripe-Signature", b"t=1,v1=00")]);
    let edits = Edits { body: Some(br#"{"id":"evt_1","amount":4300}"#.to_vec()), ..Edits::default() };
    let mut out = build(&src(&h), &edits, to("http://127.0.0.1:3000/hook")).unwrap();
    let now = 1_800_000_000;
    let names = resign(&mut out, &cfg, &ResignOptions::default(), now).unwrap();
    assert_eq!(names, ["Stripe-Signature"]);
    let order: Vec<&str> = out.headers.0.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(order, ["Host", "Content-Type", "Stripe-Signature", "Content-Length"], "kept in its place");
    let sig = String::from_utf8(value(&out.headers, "stripe-signature")[0].to_vec()).unwrap();
    assert!(sig.starts_with(&format!("t={now},v1=")), "{sig}");
    let verdict = resign::with_view(&out, |r| signature::verify(&cfg, r, now + 10));
    assert_eq!(verdict.status, VerdictStatus::Valid, "{}", verdict.explanation);
    assert!(warnings(&out, Some(&cfg), true, true, false, now + 10).is_empty());
    // Not re-signed and old: stale; edited: mismatch.
    assert_eq!(
        warnings(&out, Some(&cfg), true, false, false, now + 720).iter().map(|w| w.code).collect::<Vec<_>>(),
        [ReplayWarningCode::StaleSignature]
    );
    assert!(warnings(&out, Some(&cfg), true, false, false, now + 720)[0].message.contains("12 min ago; Stripe accepts 300 s"));
    let mut edited = out.clone();
    set_body(&mut edited, b"{}".to_vec());
    let w = warnings(&edited, Some(&cfg), true, false, true, now + 1);
    assert_eq!(w.iter().map(|w| w.code).collect::<Vec<_>>(), [ReplayWarningCode::Insecure, ReplayWarningCode::SignatureMismatch]);
}

#[test]
fn url_signed_schemes_sign_the_target_not_the_public_url() {
    let cfg = SchemeConfig::new(SchemeId::Twilio, &["twilio_token"]).with("public_url", "https://abc.ngrok.app/twilio");
    let h = hl(&[("Content-Type", b"application/x-www-form-urlencoded")]);
    let s = Source { method: "POST", path: "/twilio", query: "", headers: &h, body: b"CallSid=CA1&From=%2B1" };
    let mut out = build(&s, &Edits::default(), destination("http://127.0.0.1:3000", true, "/twilio", "").unwrap()).unwrap();
    resign(&mut out, &cfg, &ResignOptions::default(), 1_800_000_000).unwrap();
    let plain = SchemeConfig::new(SchemeId::Twilio, &["twilio_token"]);
    let verdict = resign::with_view(&out, |r| signature::verify(&plain, r, 1_800_000_000));
    assert_eq!(verdict.status, VerdictStatus::Valid, "{}", verdict.explanation);
}

#[test]
fn query_carried_signatures_update_the_request_target() {
    let cfg = SchemeConfig::new(SchemeId::QuerySecret, &["s3cret"]).with("param", "secret");
    let h = hl(&[]);
    let s = Source { method: "POST", path: "/n8n", query: "secret=old&x=1", headers: &h, body: b"{}" };
    let mut out = build(&s, &Edits::default(), destination("http://127.0.0.1:5678", true, "/n8n", "secret=old&x=1").unwrap()).unwrap();
    resign(&mut out, &cfg, &ResignOptions::default(), 0).unwrap();
    assert!(out.destination.target.starts_with("/n8n?"), "{}", out.destination.target);
    assert!(out.destination.target.contains("secret=s3cret"), "{}", out.destination.target);
    let verdict = resign::with_view(&out, |r| signature::verify(&cfg, r, 0));
    assert_eq!(verdict.status, VerdictStatus::Valid, "{}", verdict.explanation);
}

#[test]
fn twilio_json_resigning_replaces_a_stale_body_hash() {
    let cfg = SchemeConfig::new(SchemeId::Twilio, &["twilio_token"]);
    let h = hl(&[("Content-Type", b"application/json")]);
    let old_hash = "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862";
    let query = format!("x=1&bodySHA256={old_hash}");
    let s = Source { method: "POST", path: "/twilio/hook", query: &query, headers: &h, body: br#"{"a":1}"# };
    let edits = Edits { body: Some(br#"{"a":2}"#.to_vec()), ..Edits::default() };
    let mut out = build(&s, &edits, destination("http://127.0.0.1:3000", true, "/twilio/hook", &query).unwrap()).unwrap();
    resign(&mut out, &cfg, &ResignOptions::default(), 1_800_000_000).unwrap();
    assert_eq!(out.destination.target.matches("bodySHA256=").count(), 1, "{}", out.destination.target);
    assert!(!out.destination.target.contains(old_hash) && out.destination.target.starts_with("/twilio/hook?x=1&"));
    let verdict = resign::with_view(&out, |r| signature::verify(&cfg, r, 1_800_000_000));
    assert_eq!(verdict.status, VerdictStatus::Valid, "{}", verdict.explanation);
}
