//! The message builders against the official libraries' rules, one case per quirk.

use super::*;
use crate::signature::generic::{Ctx, Ts};
use crate::signature::Request;

fn ctx<'a>(req: &'a Request<'a>, ts: Option<&str>) -> Ctx<'a> {
    Ctx {
        req,
        ts: ts.map(|t| Ts { raw: t.into(), value: 0, secs: 0 }),
        id: None,
        sig_in_query: false,
        sig_names: vec![],
    }
}

fn req<'a>(method: &'a str, url: &'a str, headers: &'a [(String, String)], body: &'a [u8]) -> Request<'a> {
    Request { method, url, headers, body, remote_ip: None }
}

fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
}

#[test]
fn contentful_lists_the_signed_headers_sorted_with_its_own_two() {
    let headers = h(&[
        ("x-contentful-topic", "  ContentManagement.Entry.publish "),
        ("x-contentful-signed-headers", "x-contentful-topic,x-contentful-signed-headers,x-contentful-timestamp,x-missing"),
        ("x-contentful-timestamp", "1700000000123"),
        ("authorization", "Bearer unsigned"),
    ]);
    let r = req("post", "https://example.com/hooks/cf", &headers, b"{}");
    let head = contentful_head(&ctx(&r, Some("1700000000123")), r.url);
    assert_eq!(
        String::from_utf8(head).unwrap(),
        "POST\n/hooks/cf\nx-contentful-signed-headers:x-contentful-signed-headers,x-contentful-timestamp,x-contentful-topic;x-contentful-timestamp:1700000000123;x-contentful-topic:ContentManagement.Entry.publish\n"
    );
    assert_eq!(
        contentful_signed_names(&["x-contentful-topic"]),
        "x-contentful-signed-headers,x-contentful-timestamp,x-contentful-topic"
    );
}

#[test]
fn contentful_signs_its_two_headers_even_when_the_list_is_absent() {
    let r = req("GET", "https://example.com/api/resources/1", &[], b"");
    let head = contentful_head(&ctx(&r, Some("1603379941037")), r.url);
    assert_eq!(
        String::from_utf8(head).unwrap(),
        "GET\n/api/resources/1\nx-contentful-signed-headers:x-contentful-signed-headers,x-contentful-timestamp;x-contentful-timestamp:1603379941037\n"
    );
}

#[test]
fn contentful_escapes_the_query_then_encodes_the_uri_like_javascript() {
    // querystring.escape("q=1&w=a b") = "q%3D1%26w%3Da%20b"; encodeURI then escapes each `%`.
    assert_eq!(contentful_path("/api/resources?q=1&w=a b"), "/api/resources?q%253D1%2526w%253Da%2520b");
    // Only what lies between the first two `?` is kept.
    assert_eq!(contentful_path("/p?a=1?b=2"), "/p?a%253D1");
    assert_eq!(contentful_path("/p?"), "/p");
    assert_eq!(contentful_path("/caf\u{e9}/x"), "/caf%C3%A9/x");
    assert_eq!(contentful_path("/a%20b"), "/a%2520b");
}

#[test]
fn plivo_v3_sorts_the_query_and_the_post_params() {
    let form = h(&[("content-type", "application/x-www-form-urlencoded")]);
    let body = b"To=%2B15550100&From=15550199&CallUUID=abc&Digits=1&Digits=0";
    let r = req("POST", "https://example.com/answer?z=2&a=1", &form, body);
    assert_eq!(
        String::from_utf8(plivo_v3_url(&ctx(&r, None), r.url, body)).unwrap(),
        "https://example.com/answer?a=1&z=2.CallUUIDabcDigits0Digits1From15550199To+15550100"
    );
    // No query: `?` then the params; no params: the query alone, no `.`.
    let r = req("POST", "https://example.com/answer", &form, body);
    assert!(String::from_utf8(plivo_v3_url(&ctx(&r, None), r.url, body)).unwrap().starts_with("https://example.com/answer?CallUUIDabc"));
    let r = req("POST", "https://example.com/answer?a=1", &form, b"");
    assert_eq!(plivo_v3_url(&ctx(&r, None), r.url, b""), b"https://example.com/answer?a=1");
    let r = req("POST", "https://example.com/answer", &form, b"");
    assert_eq!(plivo_v3_url(&ctx(&r, None), r.url, b""), b"https://example.com/answer");
    // GET: the query sorted as k=v pairs.
    let r = req("GET", "https://example.com:8443/answer?b=2&a=x%20y", &[], b"");
    assert_eq!(plivo_v3_url(&ctx(&r, None), r.url, b""), b"https://example.com:8443/answer?a=x y&b=2");
}

#[test]
fn the_base_url_drops_query_and_fragment_and_json_string_escapes_like_json_stringify() {
    assert_eq!(base_url("https://answer.url"), b"https://answer.url");
    assert_eq!(base_url("https://h.example/answer/?x=1#f"), b"https://h.example/answer/");
    assert_eq!(json_string(b"{\"a\":\"b\\n\"}\n\t\x01\xc3\xa9"), r#""{\"a\":\"b\\n\"}\n\t\u0001é""#.as_bytes());
}
