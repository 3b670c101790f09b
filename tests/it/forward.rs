//! Forwarding end to end over real parts: captures made through the real receiver, forwarded
//! by the outbox worker to target servers started by the test on 127.0.0.1 (short backoffs).
//! Checks the retry policy (503, 503, 200 = 3 attempts at the configured gaps; 400 = 1; timeout
//! and refused retried; 429 with Retry-After waits), the rate limit, that the provider is
//! answered before the forward ends (and, when asked, with the target's answer), retry and
//! cancel by hand, the durable queue across a SIGKILL of the real `hookloupe listen
//! --forward-to` (every capture arrives once, in capture order), seed 000 (Servolution → Slack:
//! only valid, the filter, no duplicates, the Slack message, 1/s) and seed 001 (FinSight's
//! policy, compressed in time), and the CLI's `forward` and `outbox`.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hmac::{Hmac, KeyInit, Mac};
use hookloupe_core::forward::policy::RetryPolicy;
use hookloupe_core::forward::rule::Transform;
use hookloupe_core::ipc::{ForwardState, ForwardView, ListForwardsReq, RuleSpec, SaveForwardRuleReq};
use hookloupe_core::signature::SchemeId;
use hookloupe_core::Engine;
use hookloupe_tests::{capture_id_of, cli, cli_path, raw_http, signed_endpoint, Behaviour, Running, Target};
use serde_json::Value;
use sha2::Sha256;

fn policy(timeout_ms: u64, attempts: u32, backoff_ms: &[u64]) -> RetryPolicy {
    RetryPolicy { timeout_ms, attempts, backoff_ms: backoff_ms.to_vec() }
}

async fn endpoint(engine: &Engine, name: &str) {
    signed_endpoint(engine, name, &format!("/{name}"), None, &[], &[], 200, 0).await;
}

async fn rule(engine: &Engine, spec: RuleSpec) -> i64 {
    engine.save_forward_rule(SaveForwardRuleReq { id: None, spec }).await.expect("rule saved").id
}

fn post(path: &str, headers: &[(&str, &str)], body: &str) -> Vec<u8> {
    let mut raw = format!("POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n");
    for (n, v) in headers {
        raw.push_str(&format!("{n}: {v}\r\n"));
    }
    raw.push_str(&format!("Content-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()));
    raw.into_bytes()
}

/// Sends a request to the receiver; returns the capture id.
async fn send(r: &Running, path: &str, headers: &[(&str, &str)], body: &str) -> i64 {
    let (status, text) = raw_http(r.addr, &post(path, headers, body)).await;
    assert!((200..300).contains(&status), "{status} {text}");
    capture_id_of(&text).expect("capture id")
}

async fn forwards(engine: &Engine) -> Vec<ForwardView> {
    let mut items = engine.list_forwards(ListForwardsReq { limit: Some(1000), ..Default::default() }).await.unwrap().items;
    items.reverse();
    items
}

/// Waits (up to `secs`) until `n` forwards exist and none is open; returns them oldest first.
async fn settled(engine: &Engine, n: usize, secs: u64) -> Vec<ForwardView> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let all = forwards(engine).await;
        if all.len() >= n && all.iter().all(|f| !f.state.is_open()) {
            return all;
        }
        assert!(Instant::now() < deadline, "forwards still open after {secs} s: {all:#?}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn gaps(received: &[hookloupe_tests::Received]) -> Vec<Duration> {
    received.windows(2).map(|w| w[1].at.duration_since(w[0].at)).collect()
}

#[tokio::test]
async fn retries_503_twice_then_200_with_the_configured_gaps() {
    let r = Running::start().await;
    endpoint(&r.engine, "app").await;
    let target = Target::start(Behaviour::status(200, "{}")).await;
    target.script(vec![Behaviour::status(503, "busy"), Behaviour::status(503, "busy")]);
    let mut spec = RuleSpec::new(Some("app".into()), format!("{}/hook", target.url));
    spec.policy = policy(2_000, 3, &[0, 300, 600]);
    rule(&r.engine, spec).await;
    let id = send(&r, "/app/x", &[], r#"{"n":1}"#).await;
    let done = settled(&r.engine, 1, 10).await;
    assert_eq!(done[0].state, ForwardState::Succeeded, "{done:#?}");
    assert_eq!(done[0].attempts, 3);
    assert_eq!(done[0].capture_id, id);
    let got = target.received();
    assert_eq!(got.len(), 3);
    let g = gaps(&got);
    assert!(g[0] >= Duration::from_millis(300) && g[0] < Duration::from_millis(1_000), "{g:?}");
    assert!(g[1] >= Duration::from_millis(600) && g[1] < Duration::from_millis(1_300), "{g:?}");
    assert!(got.iter().all(|x| x.body == br#"{"n":1}"# && x.request_line() == "POST /hook HTTP/1.1"));
    let detail = r.engine.forward(done[0].id).await.unwrap();
    let statuses: Vec<_> = detail.attempts.iter().map(|a| (a.attempt, a.status, a.kind.as_str())).collect();
    assert_eq!(statuses, [(Some(1), Some(503), "forward"), (Some(2), Some(503), "forward"), (Some(3), Some(200), "forward")]);
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(target.received().len(), 3, "a succeeded attempt is never repeated");
}

#[tokio::test]
async fn a_400_is_final_after_one_attempt() {
    let r = Running::start().await;
    endpoint(&r.engine, "app").await;
    let target = Target::start(Behaviour::status(400, r#"{"error":"bad"}"#)).await;
    let mut spec = RuleSpec::new(Some("app".into()), target.url.clone());
    spec.policy = policy(2_000, 3, &[0, 100, 100]);
    rule(&r.engine, spec).await;
    send(&r, "/app", &[], "{}").await;
    let done = settled(&r.engine, 1, 10).await;
    assert_eq!(done[0].state, ForwardState::Failed);
    assert_eq!(done[0].attempts, 1);
    assert!(done[0].detail.as_deref().unwrap().contains("answered 400"), "{:?}", done[0].detail);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(target.received().len(), 1);
    let page = r.engine.list_captures(Default::default()).await.unwrap();
    assert_eq!(page.items[0].forward, Some(hookloupe_core::ipc::CaptureForward::Failed), "the list marks it");
}

#[tokio::test]
async fn a_timeout_and_a_refused_connection_are_retried() {
    let r = Running::start().await;
    endpoint(&r.engine, "slow").await;
    endpoint(&r.engine, "down").await;
    let target = Target::start(Behaviour::status(200, "{}")).await;
    target.script(vec![Behaviour::Hang]);
    let mut spec = RuleSpec::new(Some("slow".into()), target.url.clone());
    spec.policy = policy(300, 2, &[0, 100]);
    rule(&r.engine, spec).await;
    let mut spec = RuleSpec::new(Some("down".into()), format!("http://127.0.0.1:{}/", Target::free_port()));
    spec.policy = policy(1_000, 3, &[0, 50, 50]);
    rule(&r.engine, spec).await;
    send(&r, "/slow", &[], "{}").await;
    send(&r, "/down", &[], "{}").await;
    let done = settled(&r.engine, 2, 10).await;
    assert_eq!((done[0].state, done[0].attempts), (ForwardState::Succeeded, 2), "{done:#?}");
    assert_eq!((done[1].state, done[1].attempts), (ForwardState::Failed, 3), "{done:#?}");
    let slow = r.engine.forward(done[0].id).await.unwrap();
    assert_eq!(slow.attempts[0].error_code.map(|c| c.as_str()), Some("timeout"));
    let down = r.engine.forward(done[1].id).await.unwrap();
    assert!(down.attempts.iter().all(|a| a.error_code.map(|c| c.as_str()) == Some("refused")), "{down:#?}");
    assert!(done[1].detail.as_deref().unwrap().contains("after 3 of 3 attempts"), "{:?}", done[1].detail);
}

#[tokio::test]
async fn a_429_waits_for_retry_after() {
    let r = Running::start().await;
    endpoint(&r.engine, "app").await;
    let target = Target::start(Behaviour::status(200, "{}")).await;
    target.script(vec![Behaviour::Answer { status: 429, headers: vec![("Retry-After".into(), "1".into())], body: vec![] }]);
    let mut spec = RuleSpec::new(Some("app".into()), target.url.clone());
    spec.policy = policy(2_000, 3, &[0, 50, 50]);
    rule(&r.engine, spec).await;
    send(&r, "/app", &[], "{}").await;
    let done = settled(&r.engine, 1, 10).await;
    assert_eq!((done[0].state, done[0].attempts), (ForwardState::Succeeded, 2));
    let g = gaps(&target.received());
    assert!(g[0] >= Duration::from_millis(1_000), "Retry-After: 1 is honoured, not the 50 ms backoff: {g:?}");
}

#[tokio::test]
async fn the_provider_is_answered_before_the_forward_ends() {
    let r = Running::start().await;
    endpoint(&r.engine, "app").await;
    let target = Target::start(Behaviour::Hang).await;
    let mut spec = RuleSpec::new(Some("app".into()), target.url.clone());
    spec.policy = policy(3_000, 1, &[0]);
    rule(&r.engine, spec).await;
    let started = Instant::now();
    send(&r, "/app", &[], "{}").await;
    let answered = started.elapsed();
    target.wait_for(1).await;
    let open = forwards(&r.engine).await;
    assert!(answered < Duration::from_millis(500), "the reply waited for the forward: {answered:?}");
    assert_eq!(open[0].state, ForwardState::Sending, "the forward is still in flight");
}

#[tokio::test]
async fn a_rule_can_answer_with_the_targets_response_or_fall_back() {
    let r = Running::start().await;
    endpoint(&r.engine, "slack").await;
    let target = Target::start(Behaviour::Answer {
        status: 201,
        headers: vec![("Content-Type".into(), "text/plain".into()), ("X-Challenge".into(), "yes".into())],
        body: b"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P".to_vec(),
    })
    .await;
    let mut spec = RuleSpec::new(Some("slack".into()), target.url.clone());
    spec.answer = true;
    spec.answer_deadline_ms = 2_000;
    let id = rule(&r.engine, spec.clone()).await;
    let (status, text) = raw_http(r.addr, &post("/slack", &[], r#"{"type":"url_verification","challenge":"x"}"#)).await;
    assert_eq!(status, 201, "{text}");
    assert!(text.contains("X-Challenge: yes") || text.contains("x-challenge: yes"), "{text}");
    assert!(text.ends_with("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"), "{text}");
    // A target that does not answer in time: the endpoint's own response after the deadline.
    target.set(Behaviour::Hang);
    spec.answer_deadline_ms = 300;
    r.engine.save_forward_rule(SaveForwardRuleReq { id: Some(id), spec }).await.unwrap();
    let started = Instant::now();
    let (status, text) = raw_http(r.addr, &post("/slack", &[], "{}")).await;
    let waited = started.elapsed();
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("\"ok\":true"), "{text}");
    assert!(waited >= Duration::from_millis(300) && waited < Duration::from_millis(1_500), "{waited:?}");
}

#[tokio::test]
async fn a_rate_of_one_per_second_spaces_sends() {
    let r = Running::start().await;
    endpoint(&r.engine, "app").await;
    let target = Target::start(Behaviour::status(200, "ok")).await;
    let mut spec = RuleSpec::new(Some("app".into()), target.url.clone());
    spec.rate = Some("1/s".into());
    rule(&r.engine, spec).await;
    for n in 0..5 {
        send(&r, "/app", &[], &format!(r#"{{"n":{n}}}"#)).await;
    }
    settled(&r.engine, 5, 15).await;
    let got = target.received();
    assert_eq!(got.iter().map(|g| String::from_utf8_lossy(&g.body).into_owned()).collect::<Vec<_>>(), (0..5).map(|n| format!(r#"{{"n":{n}}}"#)).collect::<Vec<_>>());
    for g in gaps(&got) {
        assert!(g >= Duration::from_millis(990), "sends closer than the rate allows: {:?}", gaps(&got));
    }
}

#[tokio::test]
async fn failed_forwards_are_retried_and_cancelled_by_hand() {
    let r = Running::start().await;
    endpoint(&r.engine, "app").await;
    let port = Target::free_port();
    let mut spec = RuleSpec::new(Some("app".into()), format!("http://127.0.0.1:{port}/hook"));
    spec.policy = policy(1_000, 1, &[0]);
    rule(&r.engine, spec).await;
    send(&r, "/app", &[], r#"{"a":1}"#).await;
    send(&r, "/app", &[], r#"{"a":2}"#).await;
    let done = settled(&r.engine, 2, 10).await;
    assert!(done.iter().all(|f| f.state == ForwardState::Failed), "{done:#?}");
    let target = Target::start_on(port, Behaviour::status(200, "{}")).await;
    let f = r.engine.retry_forward(done[0].id).await.unwrap();
    assert_eq!(f.state, ForwardState::Pending);
    let again = settled(&r.engine, 2, 10).await;
    assert_eq!(again[0].state, ForwardState::Succeeded);
    assert_eq!(again[1].state, ForwardState::Failed);
    assert_eq!(r.engine.retry_failed_forwards().await.unwrap(), 1);
    let all = settled(&r.engine, 2, 10).await;
    assert!(all.iter().all(|f| f.state == ForwardState::Succeeded), "{all:#?}");
    assert_eq!(target.received().len(), 2);
    // Cancel: a forward waiting for its retry.
    target.set(Behaviour::status(500, ""));
    let mut spec = RuleSpec::new(Some("app".into()), target.url.clone());
    spec.policy = policy(1_000, 3, &[0, 60_000]);
    rule(&r.engine, spec).await;
    send(&r, "/app", &[], "{}").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let scheduled = loop {
        if let Some(f) = forwards(&r.engine).await.into_iter().find(|f| f.state == ForwardState::Scheduled) {
            break f;
        }
        assert!(Instant::now() < deadline, "never scheduled");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(scheduled.next_at.is_some());
    assert_eq!(r.engine.cancel_forward(scheduled.id).await.unwrap().state, ForwardState::Cancelled);
    assert_eq!(r.engine.outbox_counts().await.unwrap().scheduled, 0);
}

#[tokio::test]
async fn a_template_failing_on_one_payload_fails_that_forward_only() {
    let r = Running::start().await;
    endpoint(&r.engine, "app").await;
    let target = Target::start(Behaviour::status(200, "{}")).await;
    let mut spec = RuleSpec::new(Some("app".into()), target.url.clone());
    spec.transform = Transform::Template { source: r#"{"total": {{ body.data.total | tojson }}}"#.into() };
    rule(&r.engine, spec).await;
    send(&r, "/app", &[], r#"{"data":{}}"#).await;
    send(&r, "/app", &[], r#"{"data":{"total":12}}"#).await;
    let done = settled(&r.engine, 2, 10).await;
    assert_eq!(done[0].state, ForwardState::Failed);
    assert!(done[0].detail.as_deref().unwrap().contains("template failed"), "{:?}", done[0].detail);
    assert_eq!(done[1].state, ForwardState::Succeeded);
    let got = target.wait_for(1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].body, br#"{"total": 12}"#);
    assert!(got[0].head_text().contains("Content-Type: application/json\r\n"));
}

#[tokio::test]
async fn a_huge_answer_is_kept_truncated() {
    let r = Running::start_with(tempfile::tempdir().unwrap(), |c| c.body_limit = 64 * 1024).await;
    endpoint(&r.engine, "app").await;
    let target = Target::start(Behaviour::Big(50 * 1024 * 1024)).await;
    rule(&r.engine, RuleSpec::new(Some("app".into()), target.url.clone())).await;
    send(&r, "/app", &[], "{}").await;
    let done = settled(&r.engine, 1, 30).await;
    assert_eq!(done[0].state, ForwardState::Succeeded);
    let last = done[0].last.clone().unwrap();
    assert!(last.response_truncated);
    assert_eq!(last.response_size, Some(50 * 1024 * 1024));
}

fn hmac_hex(secret: &str, body: &str) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn invoice(event_id: &str, numero: &str, total_cents: u64) -> String {
    format!(
        r#"{{"id":"{event_id}","type":"invoice.overdue","created_at":"2024-02-14T09:00:00Z","data":{{"numero":"{numero}","client_nom":"Boulangerie <Martin> & Fils","total_cents":{total_cents},"due_date":"2024-01-15","statut":"impayee"}}}}"#
    )
}

/// Seed 000: Servolution → Slack, only `invoice.overdue` over 1,500 €, verified signatures,
/// no event twice, Slack's 1 message/s. The rule is added with the real CLI while the engine
/// listens (it picks the rule up from the database).
#[tokio::test]
async fn seed_000_servolution_to_slack() {
    const SECRET: &str = "whsec_servolution_demo_2024";
    let r = Running::start().await;
    signed_endpoint(&r.engine, "servolution", "/servolution", Some(SchemeId::Servolution), &[SECRET], &[], 200, 0).await;
    let slack = Target::start(Behaviour::Answer { status: 200, headers: vec![("Content-Type".into(), "text/html".into())], body: b"ok".to_vec() }).await;
    let mut events = r.engine.subscribe();
    let out = cli(r.data_dir())
        .args(["forward", "add", "servolution", "--to", &format!("{}/services/T000/B000/XXXX", slack.url)])
        .args(["--filter", r#"type == "invoice.overdue" && data.total_cents > 150000"#])
        .args(["--only-valid", "--skip-duplicates", "--template", "slack", "--rate", "1/s", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The listening engine re-reads rules every 2 s.
    tokio::time::timeout(Duration::from_secs(10), async {
        while !matches!(events.recv().await, Ok(hookloupe_core::Event::RulesChanged)) {}
    })
    .await
    .expect("the listening engine picked up the CLI's rule");
    let stream = [
        (invoice("evt_1", "F-2024-001", 182_050), true),  // sent
        (invoice("evt_2", "F-2024-002", 90_000), true),   // under 1,500 €: filtered
        (invoice("evt_3", "F-2024-003", 250_000), false), // wrong signature: filtered
        (invoice("evt_1", "F-2024-001", 182_050), true),  // duplicate event id: skipped
        (invoice("evt_4", "F-2024-004", 150_001), true),  // sent
        (invoice("evt_5", "F-2024-005", 1_000_000), true), // sent
    ];
    for (body, valid) in &stream {
        let sig = if *valid { hmac_hex(SECRET, body) } else { hmac_hex("not-the-secret", body) };
        send(&r, "/servolution", &[("X-Servolution-Signature", &sig)], body).await;
    }
    let done = settled(&r.engine, 6, 20).await;
    let states: Vec<_> = done.iter().map(|f| f.state).collect();
    use ForwardState::*;
    assert_eq!(states, [Succeeded, Filtered, Filtered, SkippedDuplicate, Succeeded, Succeeded], "{done:#?}");
    assert!(done[2].detail.as_deref().unwrap().contains("only valid"), "{:?}", done[2].detail);
    let got = slack.received();
    assert_eq!(got.len(), 3);
    let texts: Vec<String> = got
        .iter()
        .map(|g| {
            assert!(g.head_text().contains("Content-Type: application/json\r\n"), "{}", g.head_text());
            assert_eq!(g.request_line(), "POST /services/T000/B000/XXXX HTTP/1.1");
            let v: Value = serde_json::from_slice(&g.body).unwrap();
            assert_eq!(v.as_object().unwrap().len(), 1);
            v["text"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(
        texts,
        [
            ":warning: Facture impayée *F-2024-001* — Boulangerie &lt;Martin&gt; &amp; Fils : 1820,50 € (échéance 2024-01-15)",
            ":warning: Facture impayée *F-2024-004* — Boulangerie &lt;Martin&gt; &amp; Fils : 1500,01 € (échéance 2024-01-15)",
            ":warning: Facture impayée *F-2024-005* — Boulangerie &lt;Martin&gt; &amp; Fils : 10000,00 € (échéance 2024-01-15)",
        ]
    );
    for g in gaps(&got) {
        assert!(g >= Duration::from_millis(990), "Slack's 1 message/s: {:?}", gaps(&got));
    }
}

/// Seed 001: FinSight's delivery policy (timeout 10 s, 3 attempts, 0 s / 5 s / 25 s, retry on
/// 5xx and network errors, never on 4xx), compressed 100× in time, with a FinSight filter.
#[tokio::test]
async fn seed_001_finsight_policy() {
    const SECRET: &str = "whsec_finsight_0123456789";
    let r = Running::start().await;
    signed_endpoint(&r.engine, "finsight", "/finsight", Some(SchemeId::Finsight), &[SECRET], &[], 200, 0).await;
    let target = Target::start(Behaviour::status(200, "{}")).await;
    let mut spec = RuleSpec::new(Some("finsight".into()), format!("{}/webhooks/finsight", target.url));
    spec.filter = Some(r#"headers["x-finsight-event"] == "kpi.threshold_reached""#.into());
    spec.policy = policy(100, 3, &[0, 50, 250]);
    rule(&r.engine, spec).await;
    let kpi = r#"{"event":"kpi.threshold_reached","data":{"metric":"cash","value":9000,"threshold":10000,"dashboardId":"d1"}}"#;
    let created = r#"{"event":"dashboard.created","data":{"dashboardId":"d2","fileName":"q3.xlsx"}}"#;
    // 500, then a reset (network error), then 200: three attempts at ~0, 50 and 300 ms.
    target.script(vec![Behaviour::status(500, "oops"), Behaviour::Reset]);
    send(&r, "/finsight", &[("X-FinSight-Event", "kpi.threshold_reached"), ("X-FinSight-Signature", &hmac_hex(SECRET, kpi))], kpi).await;
    send(&r, "/finsight", &[("X-FinSight-Event", "dashboard.created"), ("X-FinSight-Signature", &hmac_hex(SECRET, created))], created).await;
    let done = settled(&r.engine, 2, 10).await;
    assert_eq!((done[0].state, done[0].attempts), (ForwardState::Succeeded, 3), "{done:#?}");
    assert_eq!(done[1].state, ForwardState::Filtered);
    let g = gaps(&target.received());
    assert!(g[0] >= Duration::from_millis(50) && g[1] >= Duration::from_millis(250), "{g:?}");
    let log = r.engine.forward(done[0].id).await.unwrap().attempts;
    let seen: Vec<_> = log.iter().map(|a| (a.status, a.error_code.map(|c| c.as_str()))).collect();
    assert_eq!(seen, [(Some(500), None), (None, Some("reset")), (Some(200), None)]);
    // Never on 4xx.
    target.set(Behaviour::status(410, "gone"));
    send(&r, "/finsight", &[("X-FinSight-Event", "kpi.threshold_reached"), ("X-FinSight-Signature", &hmac_hex(SECRET, kpi))], kpi).await;
    let done = settled(&r.engine, 3, 10).await;
    assert_eq!((done[2].state, done[2].attempts), (ForwardState::Failed, 1));
    // Three timeouts: failed after 3 attempts, each bounded by the 100 ms timeout.
    target.set(Behaviour::Hang);
    send(&r, "/finsight", &[("X-FinSight-Event", "kpi.threshold_reached"), ("X-FinSight-Signature", &hmac_hex(SECRET, kpi))], kpi).await;
    let done = settled(&r.engine, 4, 10).await;
    assert_eq!((done[3].state, done[3].attempts), (ForwardState::Failed, 3), "{done:#?}");
    let log = r.engine.forward(done[3].id).await.unwrap().attempts;
    assert!(log.iter().all(|a| a.error_code.map(|c| c.as_str()) == Some("timeout") && a.duration_ms < 1_000.0), "{log:#?}");
}

/// Reads the listener's stderr until it says where it listens; the rest is drained.
fn wait_listening(child: &mut std::process::Child) {
    use std::io::BufRead;
    let stderr = child.stderr.take().unwrap();
    let mut lines = std::io::BufReader::new(stderr).lines();
    for line in lines.by_ref() {
        if line.unwrap().starts_with("Listening on") {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
}

fn listen(dir: &std::path::Path, port: u16, forward_to: &str) -> std::process::Child {
    let mut child = Command::new(cli_path())
        .args(["--data-dir", dir.to_str().unwrap(), "listen", "--port", &port.to_string(), "--forward-to", forward_to])
        .args(["--forward-timeout", "2s"])
        .env("HOOKLOUPE_KEYRING", "off")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_listening(&mut child);
    child
}

/// The target is down, 5 captures arrive, the listener is SIGKILLed, the target comes up, the
/// listener restarts: all 5 arrive, in capture order, each once.
#[tokio::test]
async fn the_queue_survives_a_sigkill_in_capture_order() {
    let dir = tempfile::tempdir().unwrap();
    let target_port = Target::free_port();
    let forward_to = format!("127.0.0.1:{target_port}/hook");
    let port = Target::free_port();
    let mut first = listen(dir.path(), port, &forward_to);
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    for n in 1..=5 {
        let (status, text) = raw_http(addr, &post("/", &[], &format!(r#"{{"seq":{n}}}"#))).await;
        assert_eq!(status, 200, "{text}");
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    let target = Target::start_on(target_port, Behaviour::status(200, "{}")).await;
    assert!(target.received().is_empty());
    let mut second = listen(dir.path(), port, &forward_to);
    let got = {
        let deadline = Instant::now() + Duration::from_secs(20);
        while target.received().len() < 5 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        target.received()
    };
    second.kill().unwrap();
    second.wait().unwrap();
    let bodies: Vec<String> = got.iter().map(|g| String::from_utf8_lossy(&g.body).into_owned()).collect();
    assert_eq!(bodies, (1..=5).map(|n| format!(r#"{{"seq":{n}}}"#)).collect::<Vec<_>>(), "each once, in capture order");
    let out = cli(dir.path()).args(["outbox", "--state", "succeeded", "--json"]).output().unwrap();
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 5);
    let rules: Value = serde_json::from_slice(&cli(dir.path()).args(["forward", "list", "--json"]).output().unwrap().stdout).unwrap();
    assert_eq!(rules.as_array().unwrap().len(), 1, "the restarted listener adopted the session rule: {rules}");
}

#[tokio::test]
async fn the_cli_refuses_bad_rules_with_their_reason_and_manages_the_outbox() {
    let r = Running::start().await;
    endpoint(&r.engine, "app").await;
    let dir = r.data_dir();
    let refused = |args: &[&str], words: &[&str]| {
        let out = cli(dir).args(["forward", "add", "app"]).args(args).arg("--json").output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err: Value = serde_json::from_slice(&out.stderr).unwrap();
        let msg = err["message"].as_str().unwrap();
        for w in words {
            assert!(msg.contains(w), "{args:?}: {msg}");
        }
        assert_eq!(err["code"], "invalid_input", "{err}");
    };
    refused(&["--to", "ftp://x/"], &["url", "ftp"]);
    refused(&["--to", "http://127.0.0.1:9/", "--filter", "type == "], &["filter", "column"]);
    refused(&["--to", "http://127.0.0.1:9/", "--rate", "0/s"], &["rate"]);
    refused(&["--to", "http://127.0.0.1:9/", "--timeout", "11m"], &["10 minutes"]);
    refused(&["--to", "http://127.0.0.1:9/", "--backoff", "0s,5s,25s,1m"], &["backoff"]);
    let out = cli(dir).args(["forward", "add", "nope", "--to", "http://127.0.0.1:9/", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let target = Target::start(Behaviour::status(500, "")).await;
    let out = cli(dir)
        .args(["forward", "add", "app", "--to", &target.url, "--attempts", "1", "--backoff", "0s", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let added: Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = added["id"].as_i64().unwrap();
    r.engine.list_forward_rules().await.unwrap();
    // Wait until the listening engine has it (reloaded every 2 s).
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        send(&r, "/app", &[], "{}").await;
        if !forwards(&r.engine).await.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let done = settled(&r.engine, 1, 10).await;
    let failed = done.iter().find(|f| f.state == ForwardState::Failed).unwrap().id;
    let out = cli(dir).args(["outbox", "--state", "failed"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("failed") && text.contains(&target.url) && text.contains("last 500"), "{text}");
    target.set(Behaviour::status(204, ""));
    assert!(cli(dir).args(["outbox", "retry", &failed.to_string()]).output().unwrap().status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    while r.engine.forward(failed).await.unwrap().forward.state != ForwardState::Succeeded {
        assert!(Instant::now() < deadline, "retried by the CLI, sent by the listening engine");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let shown = cli(dir).args(["outbox", "show", &failed.to_string()]).output().unwrap();
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(text.contains("-> 500") && text.contains("-> 204"), "{text}");
    for (cmd, enabled) in [("pause", false), ("resume", true)] {
        let out = cli(dir).args(["forward", cmd, &id.to_string(), "--json"]).output().unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["enabled"], enabled);
    }
    assert!(cli(dir).args(["forward", "remove", &id.to_string()]).output().unwrap().status.success());
    let list: Value = serde_json::from_slice(&cli(dir).args(["forward", "list", "--json"]).output().unwrap().stdout).unwrap();
    assert_eq!(list, serde_json::json!([]));
    let filter = cli(dir).args(["outbox", "--state", "bogus"]).output().unwrap();
    assert_eq!(filter.status.code(), Some(2));
}
