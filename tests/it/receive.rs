//! What the receiver records and how it answers.

use hookloupe_tests::{capture_id_of, raw_http, Running};

#[tokio::test]
async fn binary_and_non_utf8_bodies_round_trip_byte_exact() {
    let r = Running::start().await;
    let client = reqwest::Client::new();
    let mut body: Vec<u8> = (0..=255u8).collect();
    body.extend_from_slice(&[0xff, 0xfe, 0x00, 0xc3, 0x28, b'\r', b'\n', b'\n']);
    let resp = client
        .post(format!("{}/bin/upload?x=%FF&y", r.url))
        .header("content-type", "application/octet-stream")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let id: i64 = resp.headers()["x-hookloupe-capture-id"].to_str().unwrap().parse().unwrap();
    let c = r.engine.capture(id).await.unwrap();
    assert_eq!(c.data.body, body);
    assert_eq!(c.data.body_size, body.len() as u64);
    assert_eq!(c.data.method, "POST");
    assert_eq!(c.data.path, "/bin/upload");
    assert_eq!(c.data.query, "x=%FF&y");
    assert_eq!(c.data.url, format!("{}/bin/upload?x=%FF&y", r.url));
    assert_eq!(c.data.content_type.as_deref(), Some("application/octet-stream"));
    assert!(c.data.remote_addr.starts_with("127.0.0.1:"));
    assert_eq!(c.data.endpoint, "default");
}

#[tokio::test]
async fn headers_keep_arrival_order_case_repeats_and_raw_bytes() {
    let r = Running::start().await;
    let request = b"POST /h HTTP/1.1\r\nHost: example.test\r\nX-Dup: first\r\nX-Other: o\r\nX-Dup: second\r\nX-Latin: caf\xe9\r\nx-dup: third\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
    let (status, text) = raw_http(r.addr, request).await;
    assert_eq!(status, 200, "{text}");
    let c = r.engine.capture(capture_id_of(&text).unwrap()).await.unwrap();
    let names: Vec<&str> = c.data.headers.0.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["Host", "X-Dup", "X-Other", "X-Dup", "X-Latin", "x-dup", "Content-Length", "Connection"],
        "original case and interleaved arrival order"
    );
    let dups: Vec<&[u8]> =
        c.data.headers.0.iter().filter(|(n, _)| n.eq_ignore_ascii_case("x-dup")).map(|(_, v)| v.as_slice()).collect();
    assert_eq!(dups, vec![&b"first"[..], b"second", b"third"]);
    let latin = c.data.headers.0.iter().find(|(n, _)| n == "X-Latin").unwrap();
    assert_eq!(latin.1, b"caf\xe9", "non-UTF-8 header bytes kept exactly");
    assert_eq!(c.data.url, "http://example.test/h");
    assert_eq!(c.data.body, b"ok");
}

#[tokio::test]
async fn every_method_and_empty_bodies_are_captured() {
    let r = Running::start().await;
    let client = reqwest::Client::new();
    for method in ["GET", "HEAD", "OPTIONS", "PATCH", "DELETE", "PUT", "POST", "PROPFIND"] {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let resp = client.request(m, format!("{}/m/{method}", r.url)).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{method}");
    }
    let all = r.all_captures().await;
    let methods: Vec<&str> = all.iter().map(|c| c.data.method.as_str()).collect();
    assert_eq!(methods, ["GET", "HEAD", "OPTIONS", "PATCH", "DELETE", "PUT", "POST", "PROPFIND"]);
    assert!(all.iter().all(|c| c.data.body.is_empty() && c.data.body_size == 0));
}

#[tokio::test]
async fn keep_alive_connection_carries_many_requests() {
    let r = Running::start().await;
    // Two pipelined-in-sequence requests on one connection, the first chunked.
    let request = b"POST /ka HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\nPOST /ka2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc";
    let (_, text) = raw_http(r.addr, request).await;
    assert_eq!(text.matches("HTTP/1.1 200 OK").count(), 2, "{text}");
    let all = r.all_captures().await;
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].data.body, b"hello world");
    assert_eq!(all[1].data.body, b"abc");
}

#[tokio::test]
async fn oversized_bodies_get_413_and_are_still_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let r = Running::start_with(dir, |c| c.body_limit = 1024).await;
    let client = reqwest::Client::new();
    // Declared by Content-Length.
    let resp = client.post(format!("{}/big", r.url)).body(vec![b'x'; 5000]).send().await.unwrap();
    assert_eq!(resp.status(), 413);
    let json: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(json["error"], "body_over_limit");
    assert!(json["message"].as_str().unwrap().contains("5000 bytes"));
    // Chunked, so only discovered while reading.
    let mut request = b"POST /big-chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec();
    for _ in 0..3 {
        request.extend_from_slice(b"400\r\n");
        request.extend_from_slice(&[b'y'; 0x400]);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    let (status, text) = raw_http(r.addr, &request).await;
    assert_eq!(status, 413, "{text}");
    // Exactly at the limit is fine.
    let ok = client.post(format!("{}/edge", r.url)).body(vec![b'z'; 1024]).send().await.unwrap();
    assert_eq!(ok.status(), 200);

    let all = r.all_captures().await;
    assert_eq!(all.len(), 3);
    assert!(all[0].data.body_over_limit && all[0].data.body.is_empty());
    assert_eq!(all[0].data.body_size, 5000);
    assert!(all[1].data.body_over_limit);
    assert_eq!(all[1].data.body_size, 3 * 1024, "chunked body drained to learn its size");
    assert!(!all[2].data.body_over_limit);
    assert_eq!(all[2].data.body.len(), 1024);
}

#[tokio::test]
async fn endpoints_route_by_prefix_and_answer_with_their_rule() {
    let r = Running::start().await;
    let rule = hookloupe_core::ipc::ResponseRuleView {
        status: 503,
        headers: vec![("Retry-After".into(), "7".into())],
        body: "{\"busy\":true}".into(),
        delay_ms: 300,
    };
    r.engine
        .save_endpoint(hookloupe_core::ipc::EndpointView {
            name: "paybox".into(),
            path_prefix: "/api/paybox/callback".into(),
            response: rule,
            signature: None,
        })
        .await
        .unwrap();
    let client = reqwest::Client::new();
    let started = std::time::Instant::now();
    let resp = client.get(format!("{}/api/paybox/callback?Mt=7790&K=AB", r.url)).send().await.unwrap();
    assert!(started.elapsed() >= std::time::Duration::from_millis(300), "delay applied");
    assert_eq!(resp.status(), 503);
    assert_eq!(resp.headers()["retry-after"], "7");
    assert_eq!(resp.headers()["content-type"], "application/json");
    assert_eq!(resp.text().await.unwrap(), "{\"busy\":true}");
    let other = client.get(format!("{}/api/paybox/callbackX", r.url)).send().await.unwrap();
    assert_eq!(other.status(), 200);
    let all = r.all_captures().await;
    assert_eq!(all[0].data.endpoint, "paybox");
    assert_eq!(all[0].data.query, "Mt=7790&K=AB");
    assert_eq!(all[1].data.endpoint, "default", "no segment-boundary match → default");
}

#[tokio::test]
async fn default_reply_is_a_short_json_acknowledgement() {
    let r = Running::start().await;
    let resp = reqwest::Client::new().post(format!("{}/x", r.url)).body("{}").send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let id = resp.headers()["x-hookloupe-capture-id"].to_str().unwrap().to_owned();
    let json: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(json, serde_json::json!({ "ok": true, "id": id.parse::<i64>().unwrap() }));
}

#[tokio::test]
async fn huge_but_acceptable_headers_are_kept() {
    let r = Running::start().await;
    let big = "v".repeat(200 * 1024);
    let mut request = format!("POST /hh HTTP/1.1\r\nHost: a\r\nX-Big: {big}\r\n").into_bytes();
    for i in 0..300 {
        request.extend_from_slice(format!("X-N{i}: {i}\r\n").as_bytes());
    }
    request.extend_from_slice(b"Content-Length: 0\r\nConnection: close\r\n\r\n");
    let (status, text) = raw_http(r.addr, &request).await;
    assert_eq!(status, 200, "{}", &text[..text.len().min(300)]);
    let c = r.engine.capture(capture_id_of(&text).unwrap()).await.unwrap();
    assert_eq!(c.data.headers.get("x-big").unwrap().len(), 200 * 1024);
    assert_eq!(c.data.headers.get("x-n299").as_deref(), Some("299"));
}
