//! Forwarding: in the Endpoints panel a forward rule with a CEL filter and a one-attempt policy
//! is added to the default endpoint for a target server started by the test (a broken filter is
//! refused first, the engine's reason shown next to the filter, the form kept open). A matching
//! capture is forwarded and shows as succeeded in the Outbox with its attempt (201), a
//! non-matching one as filtered out; the target then answers 500 and the next matching capture
//! fails (a red mark in the capture list, a failed count in the top bar); the target answers
//! 201 again and "Retry now" in the Outbox makes it succeed. The server received the matching
//! bodies byte for byte, the failed one twice, the filtered one never.

use std::time::{Duration, Instant};

use fantoccini::key::Key;
use hookloupe_tests::{Behaviour, Target};

use crate::harness::Gui;

const MATCHING: &str = r#"{"id":"evt_fw_1","type":"invoice.overdue","data":{"total_cents":200000}}"#;
const SMALL: &str = r#"{"id":"evt_fw_2","type":"invoice.overdue","data":{"total_cents":100}}"#;
const MATCHING_2: &str = r#"{"id":"evt_fw_3","type":"invoice.overdue","data":{"total_cents":990000}}"#;
const FILTER_START: &str = r#"type == "invoice.overdue" &&"#;
const FILTER_END: &str = r#" data.total_cents > 150000"#;

/// Delivers `body` to the receiver; returns the capture id.
async fn deliver(url: &str, body: &str) -> String {
    let resp = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.headers()["x-hookloupe-capture-id"].to_str().unwrap().to_owned()
}

/// Waits until the target has received `n` requests.
async fn received(gui: &Gui, target: &Target, n: usize) -> Vec<hookloupe_tests::Received> {
    let started = Instant::now();
    loop {
        let got = target.received();
        if got.len() >= n {
            return got;
        }
        if started.elapsed() > Duration::from_secs(20) {
            gui.fail(format!("the target received {} requests, not {n}", got.len())).await;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_rule_added_in_the_endpoint_panel_forwards_fails_and_is_retried_from_the_outbox() {
    let target = Target::start(Behaviour::status(201, r#"{"received":true}"#)).await;
    let target_url = format!("{}/hooks/billing", target.url);
    let gui = Gui::start().await;

    // Endpoints → default → Forwarding → Add forward rule.
    gui.click("[data-testid=open-endpoints]").await;
    gui.click("[data-testid=endpoint-item][data-name=default] [data-testid=endpoint-forwarding]").await;
    gui.find("[data-testid=forward-rules][data-endpoint=default]").await;
    gui.find("[data-testid=forward-rules-empty]").await;
    gui.click("[data-testid=forward-rule-add]").await;
    gui.type_into("[data-testid=forward-url]", &target_url).await;
    gui.type_into("[data-testid=forward-timeout]", "5s").await;
    gui.type_into("[data-testid=forward-attempts]", "1").await;
    gui.type_into("[data-testid=forward-backoff]", "0s").await;
    // A filter that ends too early: the engine refuses it, the form stays open and says where.
    let filter = gui.find("[data-testid=forward-filter]").await;
    filter.click().await.unwrap();
    filter.send_keys(FILTER_START).await.unwrap();
    gui.wait_text("[data-testid=forward-filter]", FILTER_START).await;
    gui.click("[data-testid=forward-save]").await;
    let why = gui.wait_text("[data-testid=forward-error-filter]", "(line 1, column").await;
    assert!(!why.starts_with("filter:"), "the field name is not repeated: {why}");
    gui.find("[data-testid=forward-form]").await;
    // …and marks the place in the editor.
    gui.find("[data-testid=forward-form] .cm-lintRange-error, [data-testid=forward-form] .cm-lintPoint-error").await;
    gui.screenshot("forward-rule-refused").await;
    // Complete it at the end (Ctrl+End, then type) and save.
    filter.click().await.unwrap();
    filter.send_keys(&format!("{}{}", Key::Control, Key::End)).await.unwrap();
    filter.send_keys(FILTER_END).await.unwrap();
    gui.wait_text("[data-testid=forward-filter]", &format!("{FILTER_START}{FILTER_END}")).await;
    gui.click("[data-testid=forward-save]").await;
    let shown = gui.wait_text("[data-testid=forward-rule] [data-testid=forward-rule-filter]", "total_cents").await;
    assert_eq!(shown, format!("{FILTER_START}{FILTER_END}"));
    assert!(gui.find_all("[data-testid=forward-form]").await.is_empty(), "the form closed");
    assert_eq!(gui.text("[data-testid=forward-rule] [data-testid=forward-rule-url]").await, target_url);
    gui.wait_text("[data-testid=forward-rule] [data-testid=forward-rule-policy]", "1 attempt · timeout 5 s").await;
    gui.find("[data-testid=forward-rule][data-enabled=true]").await;
    gui.wait_text("[data-testid=endpoint-item][data-name=default] [data-testid=endpoint-forward-count]", "1").await;
    gui.screenshot("forward-endpoint-rule").await;
    gui.click("[data-testid=endpoints-close]").await;

    // A matching capture goes; a small invoice is filtered out.
    let a = deliver(&gui.url, MATCHING).await;
    let b = deliver(&format!("{}/other", gui.url), SMALL).await;
    received(&gui, &target, 1).await;
    gui.click("[data-testid=open-outbox]").await;
    gui.find("[data-testid=outbox-view] [data-testid=forward-list]").await;
    gui.find(&format!("[data-testid=forward-row][data-capture='{a}'][data-state=succeeded]")).await;
    gui.find(&format!("[data-testid=forward-row][data-capture='{b}'][data-state=filtered]")).await;
    let filtered = format!("[data-testid=forward-row][data-capture='{b}'] [data-testid=forward-detail-text]");
    gui.wait_text(&filtered, "did not match").await;
    gui.click(&format!("[data-testid=forward-row][data-capture='{a}']")).await;
    gui.find("[data-testid=forward-detail][data-state=succeeded]").await;
    gui.wait_text("[data-testid=forward-detail] [data-testid=delivery-detail] [data-testid=delivery-status]", "201").await;
    gui.wait_text("[data-testid=forward-detail] [data-testid=delivery-forward]", "attempt 1").await;

    // The target fails: one attempt (the policy says so), then failed.
    target.set(Behaviour::status(500, r#"{"error":"boom"}"#));
    let c = deliver(&gui.url, MATCHING_2).await;
    received(&gui, &target, 2).await;
    let failed_row = format!("[data-testid=forward-row][data-capture='{c}'][data-state=failed]");
    gui.find(&failed_row).await;
    gui.wait_text("[data-testid=outbox-failed-count]", "1 failed").await;
    gui.click(&failed_row).await;
    gui.find("[data-testid=forward-detail][data-state=failed]").await;
    gui.wait_text("[data-testid=forward-detail-why]", "answered 500, after 1 of 1 attempts").await;
    gui.wait_text("[data-testid=forward-detail] [data-testid=delivery-detail] [data-testid=delivery-status]", "500").await;
    gui.screenshot("forward-outbox-failed").await;

    // The capture list marks it (and only it).
    gui.click("[data-testid=outbox-close]").await;
    gui.find(&format!("[data-testid=capture-row][data-id='{c}'] [data-testid=forward-mark][data-mark=failed]")).await;
    assert!(
        gui.find_all(&format!("[data-testid=capture-row][data-id='{a}'] [data-testid=forward-mark][data-mark=failed]")).await.is_empty(),
        "the forwarded capture is not marked failed"
    );
    gui.screenshot("forward-capture-failed").await;

    // Back up: Retry now from the Outbox (opened from the top bar's failed count).
    target.set(Behaviour::status(201, r#"{"received":true}"#));
    gui.click("[data-testid=outbox-failed-count]").await;
    gui.find("[data-testid=forward-filter-failed][aria-pressed=true]").await;
    gui.click(&failed_row).await;
    gui.click("[data-testid=forward-detail][data-state=failed] [data-testid=forward-retry]").await;
    received(&gui, &target, 3).await;
    gui.find(&format!("[data-testid=forward-row][data-capture='{c}'][data-state=succeeded]")).await;
    gui.find("[data-testid=forward-detail][data-state=succeeded]").await;
    gui.wait_text("[data-testid=forward-detail] [data-testid=delivery-detail] [data-testid=delivery-status]", "201").await;
    let started = Instant::now();
    while !gui.find_all("[data-testid=outbox-failed-count]").await.is_empty() {
        if started.elapsed() > Duration::from_secs(10) {
            gui.fail("the failed count stayed after the retry".into()).await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let attempts = gui.find_all("[data-testid=forward-detail] [data-testid=forward-attempt]").await;
    assert_eq!(attempts.len(), 2, "both attempts of the forward listed (the 500, then the 201)");
    gui.click("[data-testid=forward-filter-all]").await;
    gui.find(&format!("[data-testid=forward-row][data-capture='{a}'][data-state=succeeded]")).await;
    let shot = gui.screenshot("forward-outbox").await;
    assert!(std::fs::metadata(shot).unwrap().len() > 10_000);

    // What the target received: the matching bodies byte for byte, in order; never the small one.
    let got = target.received();
    assert_eq!(got.len(), 3, "exactly three requests reached the target");
    let bodies: Vec<String> = got.iter().map(|r| String::from_utf8_lossy(&r.body).into_owned()).collect();
    assert_eq!(bodies, [MATCHING, MATCHING_2, MATCHING_2]);
    for r in &got {
        assert!(r.request_line().starts_with("POST /hooks/billing HTTP/1.1"), "request line: {}", r.request_line());
    }
    gui.close().await;
}
