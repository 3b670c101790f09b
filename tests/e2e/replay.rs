//! Replay: a Stripe-signed capture is opened in the Replay tab, one JSON field is edited in
//! the CodeMirror body editor with the keyboard, the request is re-signed and sent to a real
//! HTTP server started by the test; the window shows the 201 and its JSON body; the attempt is
//! in the capture's Deliveries tab and in the Outbox, and the diff of the request as sent
//! against the original capture lists the changed field. The server saw the edited body byte
//! for byte and a `Stripe-Signature` that verifies with the endpoint's secret.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use fantoccini::key::Key;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::harness::Gui;

const SECRET: &str = "whsec_e2e_replay_4eC39HqLyjWDarjtT1zd";
const ORIGINAL: &str = r#"{"id":"evt_e2e_replay","type":"invoice.paid","data":{"currency":"eur","amount":4200}}"#;
const EDITED: &str = r#"{"id":"evt_e2e_replay","type":"invoice.paid","data":{"currency":"eur","amount":9900}}"#;

fn stripe_v1(secret: &str, t: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(t.as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// The raw bytes of every request a tiny HTTP/1.1 server received; each is answered
/// `201 {"received":true}` and the connection closed.
type Received = Arc<Mutex<Vec<Vec<u8>>>>;

async fn target_server() -> (String, Received) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let received: Received = Arc::default();
    let log = received.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else { return };
            let log = log.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                // Read the head, then as many body bytes as Content-Length says.
                let (head_end, length) = loop {
                    let n = match stream.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..i]).to_ascii_lowercase();
                        let length = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        break (i + 4, length);
                    }
                };
                while buf.len() < head_end + length {
                    match stream.read(&mut chunk).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                log.lock().unwrap().push(buf);
                let body = br#"{"received":true}"#;
                let head = format!(
                    "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nX-Target: e2e\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(body).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    (url, received)
}

/// Delivers `body` to the receiver signed the Stripe way with `secret`; returns the capture id.
async fn deliver_stripe(url: &str, secret: &str, body: &str) -> String {
    let t = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs().to_string();
    let sig = stripe_v1(secret, &t, body.as_bytes());
    let resp = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("stripe-signature", format!("t={t},v1={sig}"))
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.headers()["x-hookloupe-capture-id"].to_str().unwrap().to_owned()
}

/// Splits a raw request into (head lines, body).
fn split(raw: &[u8]) -> (Vec<String>, Vec<u8>) {
    let i = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete head");
    let head = String::from_utf8_lossy(&raw[..i]).lines().map(str::to_owned).collect();
    (head, raw[i + 4..].to_vec())
}

#[tokio::test]
async fn an_edited_capture_is_resigned_replayed_and_found_in_deliveries_outbox_and_diff() {
    let (target, received) = target_server().await;
    let gui = Gui::start().await;
    let id = deliver_stripe(&format!("{}/stripe/events", gui.url), SECRET, ORIGINAL).await;
    let row = format!("[data-testid=capture-row][data-id='{id}']");

    // The endpoint gets the Stripe scheme and the secret in the Signature tab (as a user does).
    gui.click(&row).await;
    gui.click("[data-testid=tab-signature]").await;
    gui.find("[data-testid=signature-scheme]").await;
    gui.client
        .execute(
            "const s = document.querySelector('[data-testid=signature-scheme]'); s.value = 'stripe'; s.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![],
        )
        .await
        .unwrap();
    gui.find("[data-testid=signature-secret]").await.send_keys(SECRET).await.unwrap();
    gui.click("[data-testid=signature-save]").await;
    gui.wait_text("[data-testid=signature-reason]", "ok").await;

    // Replay tab: the target, then the body edited in CodeMirror with the keyboard.
    gui.click("[data-testid=tab-replay]").await;
    gui.find("[data-testid=replay-tab][data-ready=true]").await;
    let target_url = format!("{target}/hooks/stripe");
    gui.type_into("[data-testid=replay-url]", &target_url).await;
    let editor = gui.find("[data-testid=replay-body-editor]").await;
    gui.wait_text("[data-testid=replay-body-editor]", "\"amount\":4200").await;
    editor.click().await.unwrap();
    // Ctrl+End puts the caret after `4200}}`; six backspaces remove it; type the new value.
    // (Two calls: each releases its modifier keys at the end.)
    editor.send_keys(&format!("{}{}", Key::Control, Key::End)).await.unwrap();
    editor.send_keys(&format!("{}9900}}}}", Key::Backspace.to_string().repeat(6))).await.unwrap();
    let text = gui.wait_text("[data-testid=replay-body-editor]", "\"amount\":9900").await;
    assert_eq!(text, EDITED, "the editor holds the edited JSON exactly");
    gui.find("[data-testid=replay-json-state][data-valid=true]").await;
    gui.find("[data-testid=replay-body-edited]").await;

    // Not re-signed, the preview warns that the captured signature no longer matches.
    gui.find("[data-testid=replay-warning][data-code=signature_mismatch]").await;
    // Re-sign on: the outgoing request carries a fresh Stripe-Signature, highlighted.
    gui.click("[data-testid=replay-resign]:not([disabled])").await;
    gui.wait_text("[data-testid=outgoing-header][data-signature=true]", "v1=").await;
    gui.find("[data-testid=replay-signature-header]").await;
    gui.screenshot("replay-editor-resigned").await;

    gui.click("[data-testid=replay-send]").await;
    gui.wait_text("[data-testid=replay-result] [data-testid=delivery-status]", "201").await;
    gui.wait_text("[data-testid=replay-result] [data-testid=body-view]", "\"received\": true").await;
    gui.screenshot("replay-response").await;

    // What the target received: the edited body byte for byte, signed with the secret.
    let started = Instant::now();
    let raw = loop {
        if let Some(r) = received.lock().unwrap().first().cloned() {
            break r;
        }
        if started.elapsed() > Duration::from_secs(10) {
            gui.fail("the target server received nothing".into()).await;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let (head, body) = split(&raw);
    assert!(head[0].starts_with("POST /hooks/stripe HTTP/1.1"), "request line: {}", head[0]);
    assert_eq!(String::from_utf8_lossy(&body), EDITED, "the body sent is exactly the editor's text");
    let sig = head
        .iter()
        .find_map(|l| l.split_once(':').filter(|(n, _)| n.eq_ignore_ascii_case("stripe-signature")).map(|(_, v)| v.trim().to_owned()))
        .expect("a Stripe-Signature header");
    let t = sig.split(',').find_map(|p| p.strip_prefix("t=")).expect("t=").to_owned();
    let v1: Vec<&str> = sig.split(',').filter_map(|p| p.strip_prefix("v1=")).collect();
    assert!(v1.contains(&stripe_v1(SECRET, &t, &body).as_str()), "Stripe-Signature {sig} verifies with the secret");
    let age = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64 - t.parse::<i64>().unwrap();
    assert!((0..120).contains(&age), "signed at the moment of sending (t is {age} s old)");

    // The attempt is in the capture's Deliveries tab, with the request as sent.
    gui.click("[data-testid=tab-deliveries]").await;
    gui.wait_text("[data-testid=delivery-row]", &target_url).await;
    gui.wait_text("[data-testid=deliveries-tab] [data-testid=delivery-detail] [data-testid=delivery-status]", "201").await;
    gui.click("[data-testid=deliveries-tab] [data-testid=delivery-tab-request-headers]").await;
    gui.wait_text("[data-testid=delivery-request-header-value]", &format!("v1={}", v1[0])).await;
    gui.screenshot("replay-deliveries").await;

    // The diff of the request as sent against the original capture shows the changed field.
    gui.click("[data-testid=deliveries-tab] [data-testid=delivery-diff-request]").await;
    gui.find("[data-testid=diff-view]").await;
    let change = gui.wait_text("[data-testid=diff-json-change][data-path='data.amount']", "9900").await;
    assert!(change.contains("4200"), "old value shown: {change}");
    gui.screenshot("replay-diff-request").await;
    gui.click("[data-testid=diff-close]").await;

    // And in the Outbox, with the response.
    gui.click("[data-testid=open-outbox]").await;
    gui.find("[data-testid=outbox-view]").await;
    gui.wait_text("[data-testid=outbox-row]", &target_url).await;
    gui.click("[data-testid=outbox-row]").await;
    gui.wait_text("[data-testid=outbox-view] [data-testid=delivery-detail] [data-testid=delivery-status]", "201").await;
    gui.wait_text("[data-testid=outbox-view] [data-testid=body-view]", "\"received\": true").await;
    gui.click("[data-testid=outbox-filter-failed]").await;
    gui.find("[data-testid=outbox-empty]").await;
    gui.click("[data-testid=outbox-filter-success]").await;
    gui.wait_text("[data-testid=outbox-row]", &target_url).await;
    let shot = gui.screenshot("replay-outbox").await;
    assert!(std::fs::metadata(shot).unwrap().len() > 10_000);
    assert_eq!(received.lock().unwrap().len(), 1, "exactly one request reached the target");
    gui.close().await;
}
