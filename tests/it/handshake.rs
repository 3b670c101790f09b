//! Handshakes and non-signature providers through the real receiver and engine: endpoints
//! configured as a catalog provider (or a built-in scheme) answer the provider's verification
//! request as its protocol requires — Meta's `hub.challenge`, Asana's `X-Hook-Secret`, Okta's
//! verification, X's CRC (HMAC computed here from X's documented formula), Zoom's URL
//! validation, Slack's `url_verification` — instead of the endpoint's response rule, and every
//! request, handshake or not, is stored with its verdict. HTTP Basic auth verdicts too.

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use hookloupe_core::model::Capture;
use hookloupe_core::signature::{provider, sign, Request, SchemeConfig, SchemeId, SignExtra, VerdictStatus};
use hookloupe_tests::{signed_endpoint, Running};
use sha2::Sha256;

/// The endpoints' own response rule: a handshake must not get it.
const RULE_STATUS: u16 = 202;

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// An endpoint configured as catalog provider `id` (its preset options), with `secrets`.
async fn as_provider(r: &Running, id: &str, prefix: &str, secrets: &[&str]) {
    let p = provider::find(id).unwrap_or_else(|| panic!("{id} is not in the catalog"));
    assert!(
        p.handshake.is_some(),
        "catalog entry {id} has no [provider.handshake]: append the block given in the handshake report to its entry"
    );
    let cfg = p.config();
    let options: Vec<(&str, &str)> = cfg.options.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    signed_endpoint(&r.engine, id, prefix, Some(p.scheme), secrets, &options, RULE_STATUS, 0).await;
}

async fn builtin(r: &Running, name: &str, prefix: &str, scheme: SchemeId, secrets: &[&str]) {
    signed_endpoint(&r.engine, name, prefix, Some(scheme), secrets, &[], RULE_STATUS, 0).await;
}

struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
    capture: Capture,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    fn verdict(&self) -> &hookloupe_core::signature::Verdict {
        self.capture.signature.verdict.as_ref().expect("a verdict")
    }
}

/// Owned header pairs.
fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
}

async fn send(r: &Running, method: &str, path_and_query: &str, headers: &[(String, String)], body: &[u8]) -> Answer {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = reqwest::Client::new().request(method, format!("{}{path_and_query}", r.url)).body(body.to_vec());
    for (n, v) in headers {
        req = req.header(n.as_str(), v.as_str());
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let id: i64 = headers["x-hookloupe-capture-id"].to_str().unwrap().parse().unwrap();
    let body = resp.bytes().await.unwrap().to_vec();
    // Every request is stored, handshake or not.
    let capture = r.engine.capture(id).await.expect("the request is stored");
    Answer { status, headers, body, capture }
}

/// Headers `scheme` signs `body` to `url` with at `at` (the provider's side).
fn signed(scheme: SchemeId, secret: &str, url: &str, body: &[u8], at: i64) -> Vec<(String, String)> {
    let mut headers = vec![("content-type".to_string(), "application/json".to_string())];
    let cfg = SchemeConfig::new(scheme, &[secret]);
    let req = Request { method: "POST", url, headers: &headers, body, remote_ip: None };
    sign(&cfg, 0, &req, at, &SignExtra::default()).expect("sign").apply_headers(&mut headers);
    headers
}

#[tokio::test]
async fn meta_hub_challenge_is_echoed_and_deliveries_get_the_rule() {
    let r = Running::start().await;
    as_provider(&r, "meta", "/meta", &["meta-app-secret"]).await;
    let a = send(&r, "GET", "/meta?hub.mode=subscribe&hub.challenge=123&hub.verify_token=my-verify-token", &[], b"").await;
    assert_eq!((a.status, a.body.as_slice()), (200, &b"123"[..]));
    assert!(a.header("content-type").is_some_and(|t| t.starts_with("text/plain")), "{:?}", a.headers);
    assert_eq!(a.header("x-content-type-options"), Some("nosniff"));
    assert_eq!((a.capture.data.method.as_str(), a.capture.data.query.as_str()), ("GET", "hub.mode=subscribe&hub.challenge=123&hub.verify_token=my-verify-token"));
    let v = a.verdict();
    assert_eq!(v.status, VerdictStatus::Unsigned, "{}", v.explanation);
    assert!(v.explanation.contains("hub.challenge") && v.explanation.contains("answered"), "{}", v.explanation);
    // The body is the challenge only: nothing else of the endpoint, no secret.
    assert!(!String::from_utf8_lossy(&a.body).contains("meta-app-secret"));
    // Not a subscribe request: the endpoint's own rule.
    let a = send(&r, "GET", "/meta?hub.mode=unsubscribe&hub.challenge=123", &[], b"").await;
    assert_eq!(a.status, RULE_STATUS);
    // A signed delivery: valid, and the rule's answer.
    let body = br#"{"object":"page","entry":[]}"#;
    let headers = signed(SchemeId::Github, "meta-app-secret", &format!("{}/meta", r.url), body, now());
    let a = send(&r, "POST", "/meta", &headers, body).await;
    assert_eq!(a.status, RULE_STATUS);
    assert_eq!(a.verdict().status, VerdictStatus::Valid, "{}", a.verdict().explanation);
}

#[tokio::test]
async fn asana_x_hook_secret_is_echoed_in_the_reply_header() {
    let r = Running::start().await;
    as_provider(&r, "asana", "/asana", &[]).await;
    let secret = "b537207f20cbfa02357cf448134da559e8bd39d61597dcd5631b8012eae53e81";
    let a = send(&r, "POST", "/asana/receive-webhook/7654", &h(&[("x-hook-secret", secret)]), b"").await;
    assert_eq!(a.status, 200);
    assert_eq!(a.header("x-hook-secret"), Some(secret));
    assert!(a.body.is_empty(), "{}", String::from_utf8_lossy(&a.body));
    assert_eq!(a.capture.data.headers.get("x-hook-secret").as_deref(), Some(secret), "the secret is in the capture to copy");
    assert!(a.verdict().explanation.contains("X-Hook-Secret"), "{}", a.verdict().explanation);
}

#[tokio::test]
async fn okta_verification_is_answered_and_the_authorization_secret_checked() {
    let r = Running::start().await;
    as_provider(&r, "okta", "/okta", &["okta-shared-secret"]).await;
    let a = send(&r, "GET", "/okta", &h(&[("x-okta-verification-challenge", "wXg6DkRuULRbUPGgD0Tb")]), b"").await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json(), serde_json::json!({"verification": "wXg6DkRuULRbUPGgD0Tb"}));
    assert_eq!(a.header("content-type"), Some("application/json"));
    let event = br#"{"eventType":"com.okta.event_hook","data":{"events":[]}}"#;
    let a = send(&r, "POST", "/okta", &h(&[("content-type", "application/json"), ("authorization", "okta-shared-secret")]), event).await;
    assert_eq!((a.status, a.verdict().status), (RULE_STATUS, VerdictStatus::Valid), "{}", a.verdict().explanation);
    let a = send(&r, "POST", "/okta", &h(&[("content-type", "application/json"), ("authorization", "guess")]), event).await;
    assert_eq!(a.verdict().status, VerdictStatus::Invalid, "{}", a.verdict().explanation);
}

#[tokio::test]
async fn x_crc_is_answered_with_the_hmac_of_the_token() {
    let r = Running::start().await;
    let consumer_secret = "z3ZX4v7mAAUGykl3EcmkqbartmuW8VFOOzCloLx9Q45P0hLrFu";
    as_provider(&r, "x_twitter", "/x", &[consumer_secret]).await;
    let token = "9b4507b3-9040-4669-9ca3-6b94edb50553";
    let a = send(&r, "GET", &format!("/x?crc_token={token}"), &[], b"").await;
    assert_eq!(a.status, 200);
    // X's formula: base64 of HMAC-SHA256 over the token, keyed with the consumer secret.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(consumer_secret.as_bytes()).unwrap();
    mac.update(token.as_bytes());
    let expected = format!("sha256={}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()));
    assert_eq!(a.json(), serde_json::json!({ "response_token": expected }));
    assert!(!String::from_utf8_lossy(&a.body).contains(consumer_secret));
    assert!(a.verdict().explanation.contains("CRC"), "{}", a.verdict().explanation);
}

#[tokio::test]
async fn zoom_url_validation_is_answered_only_when_signed() {
    let r = Running::start().await;
    let secret = "zoom-secret-token-123";
    builtin(&r, "zoom", "/zoom", SchemeId::Zoom, &[secret]).await;
    let body = br#"{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1654503849680,"event":"endpoint.url_validation"}"#;
    let headers = signed(SchemeId::Zoom, secret, &format!("{}/zoom", r.url), body, now());
    let a = send(&r, "POST", "/zoom", &headers, body).await;
    assert_eq!(a.status, 200, "{}", a.verdict().explanation);
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(b"qgg8vlvZRS6UYooatFL8Aw");
    assert_eq!(
        a.json(),
        serde_json::json!({"plainToken": "qgg8vlvZRS6UYooatFL8Aw", "encryptedToken": hex::encode(mac.finalize().into_bytes())})
    );
    assert_eq!(a.verdict().status, VerdictStatus::Valid);
    // Unsigned: no proof of the secret is given; the rule answers and the verdict says why.
    let a = send(&r, "POST", "/zoom", &h(&[("content-type", "application/json")]), body).await;
    assert_eq!(a.status, RULE_STATUS);
    assert!(a.verdict().explanation.contains("did not answer"), "{}", a.verdict().explanation);
}

#[tokio::test]
async fn slack_url_verification_echoes_the_challenge() {
    let r = Running::start().await;
    builtin(&r, "slack", "/slack", SchemeId::Slack, &["8f742231b10e8888abcd99yyyzzz85a5"]).await;
    let body = br#"{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}"#;
    let headers = signed(SchemeId::Slack, "8f742231b10e8888abcd99yyyzzz85a5", &format!("{}/slack", r.url), body, now());
    let a = send(&r, "POST", "/slack", &headers, body).await;
    assert_eq!((a.status, a.body.as_slice()), (200, &b"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"[..]));
    assert_eq!(a.verdict().status, VerdictStatus::Valid);
}

#[tokio::test]
async fn strava_and_graph_handshakes_from_this_catalog_file() {
    let r = Running::start().await;
    as_provider(&r, "strava", "/strava", &["strava-url-secret"]).await;
    as_provider(&r, "microsoft_graph", "/graph", &["graph-url-secret"]).await;
    let a = send(&r, "GET", "/strava?hub.mode=subscribe&hub.challenge=15f7d1a91c1f40f8a748fd134752feb3&hub.verify_token=STRAVA", &[], b"").await;
    assert_eq!((a.status, a.json()), (200, serde_json::json!({"hub.challenge": "15f7d1a91c1f40f8a748fd134752feb3"})));
    let a = send(&r, "POST", "/graph?secret=graph-url-secret&validationToken=Validation%3A%20Testing%20client%20application%20reachability", &[], b"").await;
    assert_eq!((a.status, a.body.as_slice()), (200, &b"Validation: Testing client application reachability"[..]));
    assert_eq!(a.verdict().status, VerdictStatus::Valid, "{}", a.verdict().explanation);
}

#[tokio::test]
async fn basic_auth_verdicts_are_stored() {
    let r = Running::start().await;
    builtin(&r, "billing", "/billing", SchemeId::BasicAuth, &["old-user:old-pw", "hook:pa55w0rd"]).await;
    let body = br#"{"event_type":"invoice.paid"}"#;
    let b64 = |c: &str| format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(c));
    let with = |auth: Option<String>| {
        let mut v = h(&[("content-type", "application/json")]);
        v.extend(auth.map(|a| ("authorization".to_string(), a)));
        v
    };
    let a = send(&r, "POST", "/billing", &with(Some(b64("hook:pa55w0rd"))), body).await;
    let v = a.verdict();
    assert_eq!((a.status, v.status, v.matched_secret_index), (RULE_STATUS, VerdictStatus::Valid, Some(1)), "{}", v.explanation);
    let a = send(&r, "POST", "/billing", &with(Some(b64("hook:wrong"))), body).await;
    let v = a.verdict();
    assert_eq!((v.status, serde_json::to_value(v.reason).unwrap()), (VerdictStatus::Invalid, serde_json::json!("bad_token")));
    assert!(v.explanation.contains("“hook”") && !v.explanation.contains("wrong") && !v.explanation.contains("pa55w0rd"), "{}", v.explanation);
    let a = send(&r, "POST", "/billing", &with(None), body).await;
    assert_eq!(a.verdict().status, VerdictStatus::Unsigned);
    assert_eq!(r.all_captures().await.len(), 3);
}
