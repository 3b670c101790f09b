//! Signing and test events end to end: `hookloupe sign` output piped into `hookloupe verify
//! --request -` says valid (every shape: header, form field, query, body-carried); its `--curl`
//! command run by a real shell and curl reaches the receiver and is captured valid; the engine's
//! "send a signed test event" posts a provider sample to its own receiver, where it is captured
//! through the normal path with a valid verdict; `hookloupe endpoint test` does the same
//! against a receiver in another process; and each refusal has its own error code.

use std::time::{Duration, Instant};

use hookloupe_core::signature::{SchemeId, VerdictStatus, TEST_EVENT_HEADER};
use hookloupe_core::{Engine, ErrorCode};
use hookloupe_tests::{cli, signed_endpoint, Running};
use serde_json::{json, Value};

const PAYBOX_KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const WHSEC: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn json_of(out: &[u8]) -> Value {
    serde_json::from_slice(out).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(out)))
}

async fn endpoint(
    engine: &Engine,
    name: &str,
    prefix: &str,
    scheme: Option<SchemeId>,
    secrets: &[&str],
    options: &[(&str, &str)],
    delay_ms: u64,
) {
    signed_endpoint(engine, name, prefix, scheme, secrets, options, 202, delay_ms).await;
}

/// `hookloupe sign … --json` of `request`, then `hookloupe verify --request -` of its output.
fn sign_then_verify(request: &Value, sign: &[&str], verify: &[&str]) -> (Value, Value) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("request.json");
    std::fs::write(&file, serde_json::to_vec(request).unwrap()).unwrap();
    let out = cli(dir.path())
        .args(["sign", "--request", file.to_str().unwrap(), "--json", "--now", "1700000000"])
        .args(sign)
        .assert()
        .success();
    let signed = out.get_output().stdout.clone();
    let out = cli(dir.path())
        .args(["verify", "--request", "-", "--json", "--now", "1700000030"])
        .args(verify)
        .write_stdin(signed.clone())
        .assert()
        .success();
    assert!(!dir.path().join("hookloupe.db").exists(), "signing needs no database");
    (json_of(&signed), json_of(&out.get_output().stdout))
}

#[test]
fn cli_sign_output_verifies_valid() {
    let json_req = json!({
        "method": "POST", "url": "http://127.0.0.1:4665/hooks/x?a=1",
        "headers": [["Host", "127.0.0.1:4665"], ["Content-Type", "application/json"], ["Content-Length", "33"], ["Stripe-Signature", "t=1,v1=stale"]],
        "body": r#"{"id":"evt_1","object":"event"}"#
    });
    let form_req = |body: &str| {
        json!({ "url": "http://127.0.0.1:4665/ipn", "headers": [["Content-Type", "application/x-www-form-urlencoded"]], "body": body })
    };
    let cases: Vec<(&str, Value, Vec<&str>)> = vec![
        ("stripe", json_req.clone(), vec!["--secret", "whsec_test_4eC39HqLyjWDarjtT1zdp7dc"]),
        ("github", json_req.clone(), vec!["--secret", "It's a Secret to Everybody"]),
        ("shopify", json_req.clone(), vec!["--secret", "shpss_1"]),
        ("standard_webhooks", json_req.clone(), vec!["--secret", WHSEC, "--message-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"]),
        ("svix", json_req.clone(), vec!["--secret", WHSEC, "--message-id", "msg_1"]),
        ("twilio", form_req("CallSid=CA1&Digits=1234&From=%2B12349013030"), vec!["--secret", "12345"]),
        ("payzen", form_req("vads_amount=5124&vads_ctx_mode=TEST&vads_trans_id=123456"), vec!["--secret", "1122334455667788"]),
        ("cyberplus", form_req("vads_amount=7790&vads_order_id=ORD-2024-003"), vec!["--secret", "k3y", "--option", "algorithm=sha1"]),
        (
            "paybox_hmac",
            json!({ "url": "http://127.0.0.1:4665/api/paybox/callback?Mt=7790&Ref=ORD-2024-001&Auto=123456&Erreur=00000" }),
            vec!["--secret", PAYBOX_KEY],
        ),
        ("query_secret", json_req.clone(), vec!["--secret", "abc123def456"]),
        ("gitlab", json_req.clone(), vec!["--secret", "glpat-token"]),
        ("hubspot_v3", json_req.clone(), vec!["--secret", "client-secret"]),
        ("mailgun", json!({ "url": "http://h/m", "headers": [["Content-Type", "application/json"]], "body": r#"{"event-data":{"event":"delivered"}}"# }), vec!["--secret", "key-1", "--token", "tok_1"]),
        ("generic_hmac", json_req.clone(), vec!["--secret", "s", "--option", "header=X-Sig", "--option", "template={method}{url}{body}"]),
    ];
    for (scheme, request, args) in cases {
        let mut sign = vec!["--scheme", scheme];
        sign.extend(&args);
        // verify takes the same scheme, secrets and options (not --message-id / --token).
        let mut verify = vec!["--scheme", scheme];
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let v = it.next().unwrap();
            if matches!(*a, "--secret" | "--option") {
                verify.extend([*a, *v]);
            }
        }
        let (signed, verdict) = sign_then_verify(&request, &sign, &verify);
        assert_eq!(verdict["verdict"], "valid", "{scheme}: {verdict}\nsigned: {signed}");
        assert_eq!(verdict["skew_secs"].as_i64().unwrap_or(30), 30, "{scheme}");
        // Output in the capture shape: body_b64 always, body when UTF-8.
        assert!(signed["body_b64"].is_string() && signed["headers"].is_array(), "{scheme}: {signed}");
        if scheme == "stripe" {
            let headers = signed["headers"].as_array().unwrap();
            assert_eq!(headers.len(), 4, "replaced in place: {signed}");
            assert_eq!(headers[3][0], "Stripe-Signature");
            assert!(headers[3][1].as_str().unwrap().starts_with("t=1700000000,v1="));
        }
        if scheme == "payzen" {
            assert!(signed["body"].as_str().unwrap().contains("&signature="), "{signed}");
        }
        if scheme == "paybox_hmac" || scheme == "query_secret" {
            assert_ne!(signed["url"], request["url"], "{scheme}: the signature is in the URL");
        }
    }
}

#[test]
fn cli_sign_rotation_stdin_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let request = json!({ "url": "http://h/x", "headers": [["Content-Type", "application/json"]], "body_b64": "AP8Bqg==" });
    // `-` reads stdin; --secret-index picks the second secret, which verify reports.
    let out = cli(dir.path())
        .args(["sign", "--request", "-", "--scheme", "github", "--secret", "old", "--secret", "new", "--secret-index", "1"])
        .write_stdin(serde_json::to_vec(&request).unwrap())
        .assert()
        .success();
    let signed = json_of(&out.get_output().stdout);
    assert_eq!(signed["body_b64"], "AP8Bqg==", "binary body kept exactly");
    assert!(signed["body"].is_null(), "not UTF-8: no text body");
    let out = cli(dir.path())
        .args(["verify", "--request", "-", "--scheme", "github", "--secret", "new", "--json"])
        .write_stdin(serde_json::to_vec(&signed).unwrap())
        .assert()
        .success();
    assert_eq!(json_of(&out.get_output().stdout)["verdict"], "valid");
    let fail = |args: &[&str]| {
        let out = cli(dir.path())
            .args(["sign", "--request", "-", "--json"])
            .args(args)
            .write_stdin(serde_json::to_vec(&request).unwrap())
            .assert()
            .failure();
        json_of(&out.get_output().stderr)
    };
    let e = fail(&["--scheme", "paybox", "--secret=-----BEGIN PUBLIC KEY-----"]);
    assert_eq!(e["code"], "cannot_sign", "{e}");
    assert!(e["message"].as_str().unwrap().contains("private key"), "{e}");
    assert_eq!(fail(&["--scheme", "discord", "--secret", "ab"])["code"], "cannot_sign");
    assert_eq!(fail(&["--scheme", "stripe"])["code"], "no_secret");
    assert_eq!(fail(&["--scheme", "stripe", "--secret", "a", "--secret-index", "2"])["code"], "invalid_input");
    let e = fail(&["--scheme", "standard_webhooks", "--secret", WHSEC]);
    assert_eq!(e["code"], "invalid_input");
    assert!(e["message"].as_str().unwrap().contains("--message-id"), "{e}");
    assert_eq!(fail(&["--scheme", "stripe", "--secret", "a", "--option", "colour=blue"])["code"], "invalid_input");
    assert_eq!(fail(&["--secret", "a"])["code"], "invalid_input");
}

/// The `--curl` command, run by bash with the real curl, is captured by the receiver as valid.
#[tokio::test(flavor = "multi_thread")]
async fn cli_sign_curl_command_is_captured_valid() {
    if std::process::Command::new("curl").arg("--version").output().is_err() {
        println!("SKIPPED: cli_sign_curl_command_is_captured_valid — curl is not installed");
        return;
    }
    let r = Running::start().await;
    endpoint(&r.engine, "gh", "/gh", Some(SchemeId::Github), &["It's a Secret"], &[], 0).await;
    endpoint(&r.engine, "pz", "/pz", Some(SchemeId::Payzen), &["1122334455667788"], &[], 0).await;
    let requests = [
        // Quotes, a dollar sign and a backslash in a text body.
        json!({ "url": format!("{}/gh/push?x=1&y=[2]", r.url), "headers": [["Content-Type", "application/json"], ["X-Empty", ""]],
                "body": r#"{"msg":"it's $HOME \\ `x`"}"# }),
        // Binary, with NUL and a leading '@': through the base64 here-document.
        json!({ "method": "PUT", "url": format!("{}/gh/bin", r.url), "headers": [["Content-Type", "application/octet-stream"]],
                "body_b64": "QACA/wEnIiQ=" }),
        // No content type: curl must not add one.
        json!({ "url": format!("{}/gh/plain", r.url), "body": "a=1&b=2" }),
    ];
    let form = json!({ "url": format!("{}/pz", r.url), "headers": [["Content-Type", "application/x-www-form-urlencoded"]],
                       "body": "vads_amount=5124&vads_ctx_mode=TEST&vads_cust_name=J%C3%A9r%C3%B4me+O%27Neil" });
    let mut ids = Vec::new();
    for (scheme, secret, request) in requests.iter().map(|q| ("github", "It's a Secret", q)).chain([("payzen", "1122334455667788", &form)]) {
        let out = cli(r.data_dir())
            .args(["sign", "--request", "-", "--scheme", scheme, "--secret", secret, "--curl"])
            .write_stdin(serde_json::to_vec(request).unwrap())
            .assert()
            .success();
        let command = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        // Output flags on the curl command itself (the here-document form pipes into it).
        let with_flags = command.replacen("curl ", "curl -sS -D - -o /dev/null ", 1);
        let run = std::process::Command::new("bash").args(["-c", &with_flags]).output().unwrap();
        let head = String::from_utf8_lossy(&run.stdout);
        assert!(run.status.success(), "{with_flags}\n{}", String::from_utf8_lossy(&run.stderr));
        let id: i64 = head
            .lines()
            .find_map(|l| l.strip_prefix("x-hookloupe-capture-id: "))
            .unwrap_or_else(|| panic!("no capture id in {head}\n{with_flags}"))
            .trim()
            .parse()
            .unwrap();
        ids.push(id);
    }
    for (i, id) in ids.iter().enumerate() {
        let c = r.engine.capture(*id).await.unwrap();
        let v = c.signature.verdict.as_ref().expect("verdict");
        assert_eq!(v.status, VerdictStatus::Valid, "request {i}: {}", v.explanation);
    }
    let bin = r.engine.capture(ids[1]).await.unwrap();
    assert_eq!(bin.data.body, vec![0x40, 0x00, 0x80, 0xff, 0x01, 0x27, 0x22, 0x24], "exact bytes through the shell");
    assert_eq!(bin.data.method, "PUT");
    let plain = r.engine.capture(ids[2]).await.unwrap();
    assert_eq!(plain.data.content_type, None);
}

/// Every scheme that can sign (with a representative option or two): the engine's test event
/// reaches its own receiver and is captured valid.
#[tokio::test(flavor = "multi_thread")]
async fn send_test_event_is_captured_valid_for_every_signing_scheme() {
    let r = Running::start().await;
    let engine = &r.engine;
    let mut names = Vec::new();
    for info in engine.catalog().into_iter().filter(|i| i.can_sign) {
        let name = serde_json::to_value(info.id).unwrap().as_str().unwrap().replace('_', "-");
        let secret = match info.id {
            SchemeId::PayboxHmac => PAYBOX_KEY,
            SchemeId::StandardWebhooks | SchemeId::Svix => WHSEC,
            _ => "whsec_test_4eC39HqLyjWDarjtT1zdp7dc",
        };
        let options: &[(&str, &str)] = match info.id {
            SchemeId::GenericHmac => &[("header", "X-Signature"), ("template", "{timestamp}.{url}.{body}"), ("timestamp_header", "X-Timestamp")],
            SchemeId::ApiKeyIp => &[("allowed_ips", "127.0.0.1, ::1")],
            _ => &[],
        };
        let prefix = if info.id == SchemeId::PayboxHmac { "/api/paybox/callback".to_string() } else { format!("/t/{name}") };
        // A second secret: test events sign with the first.
        endpoint(engine, &name, &prefix, Some(info.id), &[secret, "second-secret"], options, 0).await;
        names.push((name, info.id));
    }
    assert_eq!(names.len(), 31, "the built-in schemes and engines that can sign");
    for (name, scheme) in &names {
        let view = engine.send_test_event(name.clone()).await.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!((view.endpoint.as_str(), view.scheme, view.status), (name.as_str(), *scheme, Some(202)), "{name}");
        let summary = view.capture.as_ref().unwrap();
        assert_eq!(view.capture_id, Some(summary.id));
        let v = summary.verdict.as_ref().unwrap_or_else(|| panic!("{name}: no verdict"));
        assert_eq!((v.status, v.matched_secret_index), (VerdictStatus::Valid, Some(0)), "{name}: {v:?}");
        // Stored through the normal path: the same verdict in the database, the marker header.
        let stored = engine.capture(summary.id).await.unwrap();
        assert_eq!(stored.data.endpoint, *name);
        assert!(stored.data.headers.get(TEST_EVENT_HEADER).is_some(), "{name}");
        assert_eq!(stored.signature.verdict.unwrap().status, VerdictStatus::Valid, "{name}");
    }
    // Two test events are two different events (not flagged as duplicate deliveries).
    let a = engine.send_test_event("stripe".into()).await.unwrap().capture.unwrap();
    let b = engine.send_test_event("stripe".into()).await.unwrap().capture.unwrap();
    assert_eq!((a.event_type.as_deref(), b.duplicate_of), (Some("payment_intent.succeeded"), None));
}

/// Every catalog provider that can sign, configured the way "Configure as" does (its engine,
/// preset options and `provider`): its test event goes through the real receiver and is
/// captured valid, the verdict naming the provider.
#[tokio::test(flavor = "multi_thread")]
async fn every_catalog_provider_test_event_is_captured_valid_and_named() {
    use base64::Engine as _;
    let r = Running::start().await;
    let engine = &r.engine;
    let key: Vec<u8> = (0..32u8).map(|i| i.wrapping_mul(11).wrapping_add(3)).collect();
    let mut checked = 0;
    for p in engine.providers().into_iter().filter(|p| !p.builtin && p.can_sign) {
        let secret = match p.options.get("key_encoding").map(String::as_str) {
            Some("hex") => key.iter().map(|b| format!("{b:02x}")).collect(),
            Some("base64") => base64::engine::general_purpose::STANDARD.encode(&key),
            _ if matches!(p.scheme, SchemeId::StandardWebhooks | SchemeId::Svix) || p.options.get("key_encoding").map(String::as_str) == Some("whsec") => {
                format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(&key))
            }
            _ => "catalog-test-secret-0123456789".to_string(),
        };
        let name = format!("p-{}", p.id.replace('_', "-"));
        let options: Vec<(&str, &str)> = p.options.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        endpoint(engine, &name, &format!("/c/{name}"), Some(p.scheme), &[&secret], &options, 0).await;
        let view = engine.send_test_event(name.clone()).await.unwrap_or_else(|e| panic!("{}: {e}", p.id));
        let v = view.capture.as_ref().and_then(|c| c.verdict.clone()).unwrap_or_else(|| panic!("{}: no verdict", p.id));
        assert_eq!(v.status, VerdictStatus::Valid, "{}: {v:?}", p.id);
        let stored = engine.capture(view.capture_id.unwrap()).await.unwrap().signature.verdict.unwrap();
        assert_eq!(stored.provider.as_deref(), Some(p.id.as_str()), "{}", p.id);
        assert!(stored.explanation.contains(&p.name), "{}: {}", p.id, stored.explanation);
        checked += 1;
    }
    assert!(checked >= 80, "only {checked} catalog providers can sign");
}

#[tokio::test(flavor = "multi_thread")]
async fn send_test_event_refusals_have_their_own_codes() {
    let r = Running::start().await;
    let e = &r.engine;
    endpoint(e, "plain", "/plain", None, &[], &[], 0).await;
    endpoint(e, "nosecret", "/nosecret", Some(SchemeId::Stripe), &[], &[], 0).await;
    endpoint(e, "rsa", "/rsa", Some(SchemeId::Paybox), &["-----BEGIN PUBLIC KEY-----"], &[], 0).await;
    endpoint(e, "discord", "/discord", Some(SchemeId::Discord), &[], &[], 0).await;
    endpoint(e, "generic", "/generic", Some(SchemeId::GenericHmac), &["s"], &[], 0).await;
    let code = |name: &str| {
        let e = e.clone();
        let name = name.to_string();
        async move { e.send_test_event(name).await.unwrap_err() }
    };
    assert_eq!(code("nope").await.code(), ErrorCode::NotFound);
    assert_eq!(code("plain").await.code(), ErrorCode::NoScheme);
    assert_eq!(code("nosecret").await.code(), ErrorCode::NoSecret);
    let err = code("rsa").await;
    assert_eq!(err.code(), ErrorCode::CannotSign);
    assert!(err.to_string().contains("Paybox"), "{err}");
    assert_eq!(code("discord").await.code(), ErrorCode::CannotSign, "cannot sign, whatever the secrets");
    let err = code("generic").await;
    assert_eq!(err.code(), ErrorCode::InvalidInput, "a generic HMAC without its header option");
    assert!(err.to_string().contains("header"), "{err}");
    assert_eq!(r.all_captures().await.len(), 0, "nothing was sent");
    // An engine that is not listening has nowhere to send it.
    let other = Engine::open(hookloupe_tests::test_config(r.data_dir())).unwrap();
    assert_eq!(other.send_test_event("nosecret".into()).await.unwrap_err().code(), ErrorCode::NotListening);
}

/// An endpoint that delays its answer: the capture is stored at once, and the test event
/// returns without waiting for the reply.
#[tokio::test(flavor = "multi_thread")]
async fn send_test_event_does_not_wait_for_a_delayed_reply() {
    let r = Running::start().await;
    endpoint(&r.engine, "slow", "/slow", Some(SchemeId::Github), &["gh"], &[], 5_000).await;
    let started = Instant::now();
    let view = r.engine.send_test_event("slow".into()).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    assert_eq!(view.status, None, "the reply comes after the delay");
    assert_eq!(view.capture.unwrap().verdict.unwrap().status, VerdictStatus::Valid);
}

/// `hookloupe endpoint test NAME --to URL`: another process signs with the endpoint's settings
/// (same database) and sends to this receiver.
#[tokio::test(flavor = "multi_thread")]
async fn cli_endpoint_test_sends_to_a_running_receiver() {
    let r = Running::start().await;
    endpoint(&r.engine, "payzen", "/payzen/ipn", Some(SchemeId::Payzen), &["1122334455667788"], &[], 0).await;
    endpoint(&r.engine, "stripe", "/stripe", Some(SchemeId::Stripe), &["whsec_test_4eC39HqLyjWDarjtT1zdp7dc"], &[], 0).await;
    let dir = r.data_dir().to_owned();
    let url = r.url.clone();
    let out = tokio::task::spawn_blocking(move || {
        cli(&dir).args(["endpoint", "test", "payzen", "--to", &url, "--json"]).assert().success().get_output().stdout.clone()
    })
    .await
    .unwrap();
    let view = json_of(&out);
    assert_eq!((view["status"].as_u64(), view["scheme"].as_str()), (Some(202), Some("payzen")), "{view}");
    assert_eq!(view["capture"]["verdict"]["status"], "valid", "{view}");
    let id = view["capture_id"].as_i64().unwrap();
    let c = r.engine.capture(id).await.unwrap();
    assert_eq!(c.data.path, "/payzen/ipn");
    assert!(String::from_utf8_lossy(&c.data.body).contains("vads_trans_status=AUTHORISED"));
    assert!(String::from_utf8_lossy(&c.data.body).contains("&signature="));
    // Human output names the verdict.
    let (dir, url) = (r.data_dir().to_owned(), r.url.clone());
    let out = tokio::task::spawn_blocking(move || {
        cli(&dir).args(["endpoint", "test", "stripe", "--to", &url]).assert().success().get_output().stdout.clone()
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("signature VALID"), "{text}");
    // Nothing listening there: not_listening.
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = r.data_dir().to_owned();
    let out = tokio::task::spawn_blocking(move || {
        cli(&dir)
            .args(["endpoint", "test", "stripe", "--to", &format!("http://127.0.0.1:{free}"), "--json"])
            .assert()
            .failure()
            .get_output()
            .stderr
            .clone()
    })
    .await
    .unwrap();
    assert_eq!(json_of(&out)["code"], "not_listening");
}
