//! Replay end to end over real parts: captures made through the real receiver, replayed to
//! target servers started by the test on 127.0.0.1 that record the raw bytes they got. Checks
//! the exact bytes and header order and case, what is rewritten (Host, Content-Length,
//! hop-by-hop) and nothing else, rebasing, edits and re-signing (verified), each failure's code
//! (500, refused, reset, timeout, TLS, truncated bodies), cancelling, batches in capture order,
//! drafts across restarts, diffs of attempts, and the CLI's `replay` / `deliveries` with their
//! exit codes.

use std::time::{Duration, Instant};

use base64::Engine as _;
use hookloupe_core::ipc::{
    DeliveryFilter, DeliveryOutcome, DiffCapturesReq, DiffSideRef, ListDeliveriesReq, ReplayDraft, ReplayManyReq,
    ReplayReq, ReplayTarget, ReplayWarningCode, RequestEdits, SendFailure,
};
use hookloupe_core::signature::{self, SchemeConfig, SchemeId, VerdictStatus};
use hookloupe_core::{ErrorCode, Event};
use hookloupe_tests::{capture_id_of, cli, raw_http, signed_endpoint, Behaviour, Running, Target};
use serde_json::Value;

const WHSEC: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn target(url: &str) -> ReplayTarget {
    ReplayTarget {
        url: url.into(),
        keep_path: false,
        resign: false,
        secret_index: None,
        new_message_id: false,
        timeout_ms: Some(10_000),
        insecure: false,
    }
}

fn req(id: i64, t: ReplayTarget) -> ReplayReq {
    ReplayReq { capture_id: id, target: t, edits: RequestEdits::default(), token: None, discard_draft: false }
}

/// Sends `raw` to the receiver and returns the capture id.
async fn capture(r: &Running, raw: &[u8]) -> i64 {
    let (status, text) = raw_http(r.addr, raw).await;
    assert!((200..300).contains(&status), "{text}");
    capture_id_of(&text).expect("capture id")
}

const BODY: &str = r#"{"id":"evt_1","type":"invoice.paid","data":{"amount":4200}}"#;

fn interleaved_request(body: &str) -> Vec<u8> {
    let mut raw = format!(
        "POST /stripe/x?a=1&a=2 HTTP/1.1\r\nHost: abc.ngrok.app\r\nX-Trace: one\r\nContent-Type: application/json\r\n\
         x-trace: two\r\nConnection: close\r\nContent-Length: {}\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nX-Latin: caf",
        body.len()
    )
    .into_bytes();
    raw.push(0xe9); // ISO-8859-1 é: not UTF-8
    raw.extend_from_slice(b"\r\nX-TRACE: three\r\n\r\n");
    raw.extend_from_slice(body.as_bytes());
    raw
}

#[tokio::test]
async fn exact_bytes_and_header_order_arrive_and_only_the_listed_headers_change() {
    let r = Running::start().await;
    let id = capture(&r, &interleaved_request(BODY)).await;
    let t = Target::start(Behaviour::status(201, r#"{"ok":true}"#)).await;
    let view = r.engine.replay(req(id, target(&format!("{}/hook", t.url)))).await.unwrap();
    let got = t.wait_for(1).await;
    assert_eq!(got.len(), 1);
    let head = got[0].head_text();
    let expected_head = format!(
        "POST /hook HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nX-Trace: one\r\nContent-Type: application/json\r\nx-trace: two\r\n\
         Content-Length: {}\r\nX-Latin: caf\u{fffd}\r\nX-TRACE: three\r\n\r\n",
        t.addr.port(),
        BODY.len()
    );
    assert_eq!(head, expected_head, "names, case, order and repeats as captured; Host/Content-Length rewritten; hop-by-hop gone");
    let latin = got[0].headers().into_iter().find(|(n, _)| n == "X-Latin").unwrap().1;
    assert_eq!(latin, b"caf\xe9", "raw value bytes, not re-encoded");
    assert_eq!(got[0].body, BODY.as_bytes());
    // The attempt keeps the request exactly as written and the answer as received.
    let s = &view.summary;
    assert_eq!((s.outcome, s.status, s.capture_id), (DeliveryOutcome::Response, Some(201), id));
    assert_eq!(view.response_reason.as_deref(), Some("Created"));
    assert_eq!(view.response_headers[1], ("X-Target".into(), "yes".into()));
    assert_eq!(base64::engine::general_purpose::STANDARD.decode(&view.response_body_b64).unwrap(), br#"{"ok":true}"#);
    assert_eq!(base64::engine::general_purpose::STANDARD.decode(&view.request_body_b64).unwrap(), BODY.as_bytes());
    let names: Vec<&str> = view.request_headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Host", "X-Trace", "Content-Type", "x-trace", "Content-Length", "X-Latin", "X-TRACE"]);
    let again = r.engine.delivery(s.id).await.unwrap();
    assert_eq!(again, view, "read back from the delivery log as stored");
}

#[tokio::test]
async fn keep_path_rebases_on_the_target() {
    let r = Running::start().await;
    let id = capture(&r, &interleaved_request(BODY)).await;
    let t = Target::start(Behaviour::status(200, "{}")).await;
    let mut tg = target(&format!("{}/base/", t.url));
    tg.keep_path = true;
    r.engine.replay(req(id, tg)).await.unwrap();
    assert_eq!(t.wait_for(1).await[0].request_line(), "POST /base/stripe/x?a=1&a=2 HTTP/1.1");
}

fn stripe_request(body: &str, t: i64) -> Vec<u8> {
    let cfg = SchemeConfig::new(SchemeId::Stripe, &[WHSEC]);
    let headers = vec![("content-type".to_string(), "application/json".to_string())];
    let view = signature::Request { method: "POST", url: "http://x/stripe", headers: &headers, body: body.as_bytes(), remote_ip: None };
    let signed = signature::sign(&cfg, 0, &view, t, &Default::default()).unwrap();
    let sig = &signed.headers[0].1;
    format!(
        "POST /stripe HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nStripe-Signature: {sig}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

#[tokio::test]
async fn edited_and_resigned_replays_verify_and_stale_ones_warn() {
    let r = Running::start().await;
    signed_endpoint(&r.engine, "stripe", "/stripe", Some(SchemeId::Stripe), &[WHSEC], &[], 200, 0).await;
    // One delivery signed now (valid), one signed 20 minutes ago (past Stripe's 300 s).
    let fresh = capture(&r, &stripe_request(BODY, now())).await;
    let old = capture(&r, &stripe_request(BODY, now() - 1200)).await;
    assert_eq!(r.engine.capture(fresh).await.unwrap().signature.verdict.unwrap().status, VerdictStatus::Valid);
    let t = Target::start(Behaviour::status(200, "{}")).await;

    // Unsigned replay of the old one: warned, in plain words.
    let p = r.engine.preview_replay(req(old, target(&t.url))).await.unwrap();
    assert_eq!(p.warnings.iter().map(|w| w.code).collect::<Vec<_>>(), [ReplayWarningCode::StaleSignature]);
    assert!(p.warnings[0].message.contains("20 min ago; Stripe accepts 300 s"), "{}", p.warnings[0].message);
    assert!(p.can_resign && p.scheme == Some(SchemeId::Stripe));

    // Edited without re-signing: mismatch; edited and re-signed: valid at the target.
    let edited = BODY.replace("4200", "4300");
    let mut rq = req(fresh, target(&t.url));
    rq.edits.body = Some(edited.clone());
    let p = r.engine.preview_replay(rq.clone()).await.unwrap();
    assert_eq!(p.warnings.iter().map(|w| w.code).collect::<Vec<_>>(), [ReplayWarningCode::SignatureMismatch]);
    rq.target.resign = true;
    let p = r.engine.preview_replay(rq.clone()).await.unwrap();
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    assert_eq!(p.signature_headers, ["Stripe-Signature"]);
    let view = r.engine.replay(rq).await.unwrap();
    assert!(view.summary.resigned);
    let got = t.wait_for(1).await;
    assert_eq!(got[0].body, edited.as_bytes(), "the editor's text exactly");
    let headers: Vec<(String, String)> = got[0]
        .headers()
        .into_iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), String::from_utf8(v).unwrap()))
        .collect();
    let cfg = SchemeConfig::new(SchemeId::Stripe, &[WHSEC]);
    let at_target = signature::Request { method: "POST", url: &t.url, headers: &headers, body: &got[0].body, remote_ip: None };
    let verdict = signature::verify(&cfg, &at_target, now());
    assert_eq!(verdict.status, VerdictStatus::Valid, "{}", verdict.explanation);

    // Re-signing is refused with its own code where it cannot be done.
    let plain = capture(&r, b"POST /other HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}").await;
    let mut rq = req(plain, target(&t.url));
    rq.target.resign = true;
    assert_eq!(r.engine.replay(rq).await.unwrap_err().code(), ErrorCode::NoScheme);
}

#[tokio::test]
async fn each_failure_is_recorded_with_its_code() {
    let r = Running::start_with(tempfile::tempdir().unwrap(), |c| c.body_limit = 100_000).await;
    let id = capture(&r, &interleaved_request(BODY)).await;

    let t = Target::start(Behaviour::status(500, r#"{"error":"boom"}"#)).await;
    let v = r.engine.replay(req(id, target(&t.url))).await.unwrap();
    assert_eq!((v.summary.outcome, v.summary.status), (DeliveryOutcome::Response, Some(500)));

    let refused = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let v = r.engine.replay(req(id, target(&format!("http://127.0.0.1:{refused}/")))).await.unwrap();
    assert_eq!((v.summary.outcome, v.summary.error_code), (DeliveryOutcome::Failed, Some(SendFailure::Refused)));
    assert!(v.summary.error_message.unwrap().contains("connection refused"));

    t.set(Behaviour::Reset);
    let v = r.engine.replay(req(id, target(&t.url))).await.unwrap();
    assert_eq!(v.summary.error_code, Some(SendFailure::Reset), "{:?}", v.summary.error_message);

    t.set(Behaviour::Hang);
    let mut slow = target(&t.url);
    slow.timeout_ms = Some(300);
    let started = Instant::now();
    let v = r.engine.replay(req(id, slow)).await.unwrap();
    assert_eq!(v.summary.error_code, Some(SendFailure::Timeout));
    assert!(started.elapsed() < Duration::from_secs(5));

    t.set(Behaviour::Big(3_000_000));
    let v = r.engine.replay(req(id, target(&t.url))).await.unwrap();
    assert_eq!(v.summary.status, Some(200));
    assert_eq!((v.summary.response_size, v.summary.response_truncated), (Some(3_000_000), true));
    assert_eq!(base64::engine::general_purpose::STANDARD.decode(&v.response_body_b64).unwrap().len(), 100_000, "kept up to the limit");

    t.set(Behaviour::Chunked(vec![b"hel".to_vec(), b"lo ".to_vec(), b"world".to_vec()]));
    let v = r.engine.replay(req(id, target(&t.url))).await.unwrap();
    assert_eq!(base64::engine::general_purpose::STANDARD.decode(&v.response_body_b64).unwrap(), b"hello world");

    t.set(Behaviour::ContinueThen(b"after".to_vec()));
    let v = r.engine.replay(req(id, target(&t.url))).await.unwrap();
    assert_eq!((v.summary.status, v.response_body_b64.as_str()), (Some(200), "YWZ0ZXI="), "100 Continue skipped");

    let v = r.engine.replay(req(id, target("http://no-such-host.invalid/"))).await.unwrap();
    assert_eq!(v.summary.error_code, Some(SendFailure::Dns));

    // Bad input is refused before anything is sent, and nothing is stored for it.
    for (url, edits) in [
        ("not a url", RequestEdits::default()),
        (t.url.as_str(), RequestEdits { set_headers: vec![("Bad Name".into(), "x".into())], ..Default::default() }),
    ] {
        assert_eq!(r.engine.replay(ReplayReq { edits, ..req(id, target(url)) }).await.unwrap_err().code(), ErrorCode::InvalidInput);
    }
    assert_eq!(r.engine.replay(req(9999, target(&t.url))).await.unwrap_err().code(), ErrorCode::NotFound);

    let failed = r
        .engine
        .list_deliveries(ListDeliveriesReq { filter: Some(DeliveryFilter::Failed), ..Default::default() })
        .await
        .unwrap();
    let codes: Vec<_> = failed.items.iter().map(|d| d.error_code.unwrap()).collect();
    assert_eq!(codes, [SendFailure::Dns, SendFailure::Timeout, SendFailure::Reset, SendFailure::Refused], "newest first");
    let other = r.engine.list_deliveries(ListDeliveriesReq { filter: Some(DeliveryFilter::Other), ..Default::default() }).await.unwrap();
    assert_eq!(other.items.iter().map(|d| d.status).collect::<Vec<_>>(), [Some(500)]);
    let all = r.engine.list_deliveries(ListDeliveriesReq { capture_id: Some(id), ..Default::default() }).await.unwrap();
    assert_eq!(all.items.len(), 8);
}

#[tokio::test]
async fn tls_targets_are_checked_unless_insecure_is_asked() {
    let r = Running::start().await;
    let id = capture(&r, &interleaved_request(BODY)).await;
    let t = Target::start_tls(Behaviour::status(200, r#"{"tls":true}"#)).await;
    let v = r.engine.replay(req(id, target(&t.url))).await.unwrap();
    assert_eq!(v.summary.error_code, Some(SendFailure::Tls), "a self-signed certificate is refused");
    assert!(v.summary.error_message.unwrap().contains("accept invalid certificates"));
    let mut insecure = target(&t.url);
    insecure.insecure = true;
    let p = r.engine.preview_replay(req(id, insecure.clone())).await.unwrap();
    assert_eq!(p.warnings[0].code, ReplayWarningCode::Insecure);
    let v = r.engine.replay(req(id, insecure)).await.unwrap();
    assert_eq!((v.summary.status, v.summary.insecure), (Some(200), true));
    assert_eq!(t.wait_for(1).await.last().unwrap().body, BODY.as_bytes());
}

#[tokio::test]
async fn a_cancelled_replay_stops_at_once() {
    let r = Running::start().await;
    let id = capture(&r, &interleaved_request(BODY)).await;
    let t = Target::start(Behaviour::Hang).await;
    let engine = r.engine.clone();
    let mut rq = req(id, target(&t.url));
    rq.target.timeout_ms = Some(600_000);
    rq.token = Some("tok-1".into());
    let started = Instant::now();
    let task = tokio::spawn(async move { engine.replay(rq).await });
    t.wait_for(1).await;
    assert!(r.engine.cancel_replay("tok-1"));
    let v = task.await.unwrap().unwrap();
    assert_eq!((v.summary.outcome, v.summary.error_code), (DeliveryOutcome::Cancelled, Some(SendFailure::Cancelled)));
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(!r.engine.cancel_replay("tok-1"), "the token is gone once the replay ended");
}

#[tokio::test]
async fn batches_go_in_capture_order_with_progress_and_a_summary() {
    let r = Running::start_with(tempfile::tempdir().unwrap(), |c| c.body_limit = 1000).await;
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(capture(&r, format!("POST /b/{i} HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nConnection: close\r\n\r\n{i}").as_bytes()).await);
    }
    // Over the body limit: nothing stored to replay, so it is skipped, not the whole batch.
    let (status, text) = raw_http(r.addr, format!("POST /b/big HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n{}", "x".repeat(5000)).as_bytes()).await;
    assert_eq!(status, 413);
    let big = capture_id_of(&text).expect("recorded without its body");
    let t = Target::start(Behaviour::status(200, "{}")).await;
    let mut events = r.engine.subscribe();
    let mut tg = target(&t.url);
    tg.keep_path = true;
    let batch = r
        .engine
        .replay_many(ReplayManyReq { capture_ids: vec![ids[2], 4242, big, ids[0], ids[1]], target: tg, token: Some("b".into()) })
        .await
        .unwrap();
    let lines: Vec<String> = t.wait_for(3).await.iter().map(|g| g.request_line()).collect();
    assert_eq!(lines, ["POST /b/0 HTTP/1.1", "POST /b/1 HTTP/1.1", "POST /b/2 HTTP/1.1"]);
    assert_eq!((batch.total, batch.sent, batch.success, batch.other, batch.failed), (5, 3, 3, 0, 2));
    assert_eq!(batch.skipped.len(), 2, "the capture that does not exist, the one without a stored body: {:?}", batch.skipped);
    let mut progress = Vec::new();
    while let Ok(e) = events.try_recv() {
        if let Event::ReplayProgress(p) = e {
            progress.push((p.done, p.total));
        }
    }
    assert_eq!(progress, [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]);
}

#[tokio::test]
async fn drafts_survive_a_restart_until_sent_and_attempts_can_be_diffed() {
    let r = Running::start().await;
    let id = capture(&r, &interleaved_request(BODY)).await;
    let t = Target::start(Behaviour::status(200, r#"{"n":1}"#)).await;
    let edits = RequestEdits { body: Some(BODY.replace("4200", "4300")), ..Default::default() };
    let draft = ReplayDraft { capture_id: id, target: target(&t.url), edits: edits.clone(), saved_at: String::new() };
    r.engine.save_draft(draft).await.unwrap();
    let dir = r.stop();
    let r = Running::start_in(dir).await;
    let back = r.engine.draft(id).await.unwrap().expect("kept across restarts");
    assert_eq!((back.edits.clone(), back.target.url.clone()), (edits.clone(), t.url.clone()));
    assert!(!back.saved_at.is_empty());
    let first = r.engine.replay(ReplayReq { edits: back.edits, discard_draft: true, ..req(id, back.target) }).await.unwrap();
    assert!(r.engine.draft(id).await.unwrap().is_none(), "sent: the draft is gone");

    // The replay's request against its original: the edited field.
    let diff = r
        .engine
        .diff_captures(DiffCapturesReq {
            a: DiffSideRef::Capture { id },
            b: DiffSideRef::DeliveryRequest { id: first.summary.id },
            ..DiffCapturesReq::captures(id, id)
        })
        .await
        .unwrap();
    let json = serde_json::to_value(&diff).unwrap();
    let changes = json["json_changes"].to_string();
    assert!(changes.contains("data.amount") && changes.contains("4300"), "{changes}");
    // Two responses against each other.
    t.set(Behaviour::status(200, r#"{"n":2}"#));
    let second = r.engine.replay(req(id, target(&t.url))).await.unwrap();
    let diff = r
        .engine
        .diff_captures(DiffCapturesReq {
            a: DiffSideRef::DeliveryResponse { id: first.summary.id },
            b: DiffSideRef::DeliveryResponse { id: second.summary.id },
            ..DiffCapturesReq::captures(id, id)
        })
        .await
        .unwrap();
    let changes = serde_json::to_value(&diff).unwrap()["json_changes"].to_string();
    assert!(changes.contains("\"n\""), "{changes}");
    assert_eq!(diff.b.kind, "delivery_response");
}

fn json_lines(out: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(out).lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

#[tokio::test]
async fn cli_replay_and_deliveries_with_exit_codes() {
    let r = Running::start().await;
    let id = capture(&r, &interleaved_request(BODY)).await;
    let ok = Target::start(Behaviour::status(200, r#"{"ok":1}"#)).await;
    let bad = Target::start(Behaviour::status(500, "no")).await;
    let dir = r.data_dir().to_owned();
    let (id_s, ok_url, bad_url) = (id.to_string(), ok.url.clone(), bad.url.clone());
    let body_file = dir.join("body.json");
    std::fs::write(&body_file, b"{\"edited\":true}").unwrap();
    let out = tokio::task::spawn_blocking(move || {
        let mut results = Vec::new();
        // 0: every target answered 2xx (with a header set, one removed and a body from a file).
        let a = cli(&dir)
            .args(["replay", &id_s, "--to", &ok_url, "--header", "X-Extra: yes", "--remove-header", "x-latin"])
            .args(["--body-file", body_file.to_str().unwrap(), "--json"])
            .output()
            .unwrap();
        results.push(a);
        // 1: a 500.
        results.push(cli(&dir).args(["replay", &id_s, "--to", &bad_url]).output().unwrap());
        // 2: errors.
        results.push(cli(&dir).args(["replay", &id_s, "--to", "localhost:1"]).output().unwrap());
        results.push(cli(&dir).args(["replay", "424242", "--to", &ok_url, "--json"]).output().unwrap());
        results.push(cli(&dir).args(["replay", &id_s, "--to", &ok_url, "--header", "nocolon"]).output().unwrap());
        results.push(cli(&dir).args(["replay", &id_s, "--to", &ok_url, "--body-file", "/nonexistent/x"]).output().unwrap());
        // Dry run: the exact request, nothing sent.
        results.push(cli(&dir).args(["replay", &id_s, "--to", &ok_url, "--keep-path", "--dry-run"]).output().unwrap());
        results.push(cli(&dir).args(["deliveries", &id_s, "--json"]).output().unwrap());
        results.push(cli(&dir).args(["deliveries", "--filter", "other"]).output().unwrap());
        results
    })
    .await
    .unwrap();
    let code = |i: usize| out[i].status.code().unwrap();
    assert_eq!(code(0), 0, "{}", String::from_utf8_lossy(&out[0].stderr));
    let line = &json_lines(&out[0].stdout)[0];
    assert_eq!(line["status"], 200);
    let got = ok.wait_for(1).await;
    assert_eq!(got[0].body, b"{\"edited\":true}");
    let names: Vec<String> = got[0].headers().into_iter().map(|(n, _)| n).collect();
    assert!(names.contains(&"X-Extra".to_string()) && !names.iter().any(|n| n.eq_ignore_ascii_case("x-latin")), "{names:?}");
    assert_eq!(code(1), 1);
    assert!(String::from_utf8_lossy(&out[1].stdout).contains("→ 500"));
    for i in 2..6 {
        assert_eq!(code(i), 2, "case {i}: {}", String::from_utf8_lossy(&out[i].stderr));
    }
    assert!(String::from_utf8_lossy(&out[2].stderr).contains("is not a URL"));
    let err: Value = serde_json::from_slice(&out[3].stderr).unwrap();
    assert_eq!(err["code"], "not_found");
    assert!(String::from_utf8_lossy(&out[4].stderr).contains("Name: value"));
    assert!(String::from_utf8_lossy(&out[5].stderr).contains("cannot read the body file"));
    assert_eq!(code(6), 0);
    let dry = String::from_utf8_lossy(&out[6].stdout).into_owned();
    assert!(dry.contains("POST ") && dry.contains("/stripe/x?a=1&a=2") && dry.contains("X-Latin: caf"), "{dry}");
    assert_eq!(ok.received().len(), 1, "a dry run sends nothing");
    let list: Vec<Value> = serde_json::from_slice(&out[7].stdout).unwrap();
    assert_eq!(list.len(), 2, "two attempts from this capture");
    assert_eq!(list[0]["status"], 500);
    assert!(list[1]["request_body_b64"].as_str().is_some() && list[1]["response_body_b64"].as_str().is_some());
    assert!(String::from_utf8_lossy(&out[8].stdout).contains("→ 500"));
}

#[tokio::test]
async fn cli_warns_of_a_stale_signature_on_stderr() {
    let r = Running::start().await;
    signed_endpoint(&r.engine, "stripe", "/stripe", Some(SchemeId::Stripe), &[WHSEC], &[], 200, 0).await;
    let old = capture(&r, &stripe_request(BODY, now() - 1200)).await;
    let t = Target::start(Behaviour::status(200, "{}")).await;
    let (dir, url) = (r.data_dir().to_owned(), t.url.clone());
    let out = tokio::task::spawn_blocking(move || {
        let plain = cli(&dir).args(["replay", &old.to_string(), "--to", &url, "--json"]).output().unwrap();
        let resigned = cli(&dir).args(["replay", &old.to_string(), "--to", &url, "--resign"]).output().unwrap();
        (plain, resigned)
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.0.stderr);
    assert!(stderr.contains("warning: capture") && stderr.contains("Stripe accepts 300 s"), "{stderr}");
    let line = &json_lines(&out.0.stdout)[0];
    assert_eq!(line["warnings"][0]["code"], "stale_signature");
    assert!(out.1.stderr.is_empty(), "re-signed: no warning ({})", String::from_utf8_lossy(&out.1.stderr));
    assert!(String::from_utf8_lossy(&out.1.stdout).contains("[re-signed]"));
    let all = r.engine.list_deliveries(ListDeliveriesReq::default()).await.unwrap();
    assert_eq!(all.items.len(), 2);
}
