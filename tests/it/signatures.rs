//! Signatures end to end: real deliveries to the running receiver on configured endpoints get
//! the right verdict in `hookloupe list --json`; rotation; re-evaluation after a settings change;
//! `hookloupe verify` for a stored capture and for a request file (with `--now`); `endpoint add
//! --scheme/--secret/--option` with masked secrets; and the cross-check against providers' own
//! libraries, for built-in schemes and catalog providers (fixtures from tests/crosscheck/, skipped
//! when absent).

use std::collections::BTreeMap;
use std::path::Path;

use hookloupe_core::ipc::{SecretEdit, SetEndpointSignatureReq};
use hookloupe_core::signature::{provider, sign, Request, SchemeConfig, SchemeId, SignExtra};
use hookloupe_core::{Engine, Event};
use hookloupe_tests::{cli, signed_endpoint, Running};
use serde_json::Value;

const STRIPE_SECRET: &str = "whsec_test_4eC39HqLyjWDarjtT1zdp7dc";

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

fn json_of(out: &[u8]) -> Value {
    serde_json::from_slice(out).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(out)))
}

async fn add_endpoint(engine: &Engine, name: &str, prefix: &str, scheme: Option<SchemeId>, secrets: &[&str]) {
    signed_endpoint(engine, name, prefix, scheme, secrets, &[], 200, 0).await;
}

/// Headers a provider would send for `body` to `url`, signed with `secret` at `at`.
fn signed_headers(scheme: SchemeId, secret: &str, url: &str, body: &[u8], at: i64) -> Vec<(String, String)> {
    let mut headers = vec![("content-type".to_string(), "application/json".to_string())];
    let cfg = SchemeConfig::new(scheme, &[secret]);
    let req = Request { method: "POST", url, headers: &headers, body, remote_ip: None };
    let extra = SignExtra { message_id: Some("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W".into()), token: None };
    let signed = sign(&cfg, 0, &req, at, &extra).expect("sign");
    signed.apply_headers(&mut headers);
    headers
}

/// POSTs `body` with `headers`; returns the capture id.
async fn deliver(r: &Running, path: &str, headers: &[(String, String)], body: &[u8]) -> i64 {
    let mut req = reqwest::Client::new().post(format!("{}{path}", r.url)).body(body.to_vec());
    for (n, v) in headers {
        req = req.header(n.as_str(), v.as_str());
    }
    let resp = req.send().await.unwrap();
    assert_eq!(resp.status(), 200);
    resp.headers()["x-hookloupe-capture-id"].to_str().unwrap().parse().unwrap()
}

fn list_rows(dir: &Path) -> Vec<Value> {
    let out = cli(dir).args(["list", "--json", "--limit", "1000"]).assert().success().get_output().stdout.clone();
    json_of(&out).as_array().unwrap().clone()
}

fn row(rows: &[Value], id: i64) -> &Value {
    rows.iter().find(|r| r["id"] == id).unwrap_or_else(|| panic!("no row {id}"))
}

fn verdict_of(rows: &[Value], id: i64) -> (String, String, Value) {
    let v = &row(rows, id)["verdict"];
    (v["status"].as_str().unwrap_or("null").to_owned(), v["reason"].as_str().unwrap_or("null").to_owned(), v.clone())
}

#[tokio::test]
async fn deliveries_get_the_right_verdict_at_capture_time() {
    let r = Running::start().await;
    add_endpoint(&r.engine, "stripe", "/stripe", Some(SchemeId::Stripe), &[STRIPE_SECRET]).await;
    add_endpoint(&r.engine, "rotating", "/rotating", Some(SchemeId::Stripe), &["whsec_old_secret_0000000", "whsec_new_secret_1111111"]).await;
    add_endpoint(&r.engine, "gh", "/gh", Some(SchemeId::Github), &[]).await;
    let body = br#"{"id":"evt_1","type":"payment_intent.succeeded","data":{"amount":4200}}"#;
    let url = |p: &str| format!("{}{p}", r.url);

    let valid = deliver(&r, "/stripe", &signed_headers(SchemeId::Stripe, STRIPE_SECRET, &url("/stripe"), body, now()), body).await;
    let tampered_body = br#"{"id":"evt_1","type":"payment_intent.succeeded","data":{"amount":9999}}"#;
    let tampered =
        deliver(&r, "/stripe", &signed_headers(SchemeId::Stripe, STRIPE_SECRET, &url("/stripe"), body, now()), tampered_body)
            .await;
    let unsigned = deliver(&r, "/stripe", &[("content-type".into(), "application/json".into())], body).await;
    let stale = now() - 3600;
    let expired = deliver(&r, "/stripe", &signed_headers(SchemeId::Stripe, STRIPE_SECRET, &url("/stripe"), body, stale), body).await;
    let no_secret = deliver(&r, "/gh", &signed_headers(SchemeId::Github, "gh-secret", &url("/gh"), body, now()), body).await;
    let rotated = deliver(
        &r,
        "/rotating",
        &signed_headers(SchemeId::Stripe, "whsec_new_secret_1111111", &url("/rotating"), body, now()),
        body,
    )
    .await;

    let rows = list_rows(r.data_dir());
    let (s, reason, v) = verdict_of(&rows, valid);
    assert_eq!((s.as_str(), reason.as_str()), ("valid", "ok"));
    assert_eq!(v["scheme"], "stripe");
    assert_eq!(v["matched_secret_index"], 0);
    let (s, reason, _) = verdict_of(&rows, tampered);
    assert_eq!((s.as_str(), reason.as_str()), ("invalid", "bad_signature"));
    assert_eq!(verdict_of(&rows, unsigned).0, "unsigned");
    let (s, reason, _) = verdict_of(&rows, expired);
    assert_eq!((s.as_str(), reason.as_str()), ("expired", "expired"));
    let (s, reason, _) = verdict_of(&rows, no_secret);
    assert_eq!((s.as_str(), reason.as_str()), ("no_secret", "no_secret"));
    let (s, _, v) = verdict_of(&rows, rotated);
    assert_eq!(s, "valid");
    assert_eq!(v["matched_secret_index"], 1, "the second secret matched");

    // The stored full verdict carries the diagnosis.
    let out = cli(r.data_dir()).args(["show", &tampered.to_string(), "--json"]).assert().success().get_output().stdout.clone();
    let shown = json_of(&out);
    assert_eq!(shown["verdict"]["status"], "invalid");
    assert!(!shown["verdict"]["explanation"].as_str().unwrap().is_empty());
    assert!(shown["verdict"]["expected"].is_string() && shown["verdict"]["received"].is_string());
    let out = cli(r.data_dir()).args(["show", &expired.to_string(), "--json"]).assert().success().get_output().stdout.clone();
    let skew = json_of(&out)["verdict"]["skew_secs"].as_i64().unwrap();
    assert!((3590..3700).contains(&skew), "skew {skew}");
}

#[tokio::test]
async fn another_endpoints_secret_is_named_in_the_hint() {
    let r = Running::start().await;
    add_endpoint(&r.engine, "shop-a", "/a", Some(SchemeId::Github), &["secret-of-a"]).await;
    add_endpoint(&r.engine, "shop-b", "/b", Some(SchemeId::Github), &["secret-of-b"]).await;
    let body = br#"{"action":"opened"}"#;
    let id = deliver(&r, "/b", &signed_headers(SchemeId::Github, "secret-of-a", &format!("{}/b", r.url), body, now()), body).await;
    let out = cli(r.data_dir()).args(["show", &id.to_string(), "--json"]).assert().success().get_output().stdout.clone();
    let v = &json_of(&out)["verdict"];
    assert_eq!(v["status"], "invalid");
    assert!(v["other_endpoint_hint"].as_str().unwrap_or("").contains("shop-a"), "{v}");
}

#[tokio::test]
async fn verdicts_are_recomputed_when_the_endpoint_settings_change() {
    let r = Running::start().await;
    add_endpoint(&r.engine, "late", "/late", None, &[]).await;
    let body = br#"{"id":"evt_2","type":"charge.refunded"}"#;
    let id = deliver(&r, "/late", &signed_headers(SchemeId::Stripe, STRIPE_SECRET, &format!("{}/late", r.url), body, now()), body).await;

    // No scheme: the provider is guessed, and the signature cannot be checked yet.
    let rows = list_rows(r.data_dir());
    assert_eq!(row(&rows, id)["detected_scheme"], "stripe");
    assert_eq!(verdict_of(&rows, id).0, "no_secret");

    let mut events = r.engine.subscribe();
    r.engine
        .set_endpoint_signature(SetEndpointSignatureReq {
            endpoint: "late".into(),
            scheme: Some(SchemeId::Stripe),
            secrets: Some(vec![SecretEdit::New(STRIPE_SECRET.into())]),
            options: BTreeMap::new(),
        })
        .await
        .unwrap();
    r.engine.settle().await;
    let rows = list_rows(r.data_dir());
    assert_eq!(verdict_of(&rows, id).0, "valid");
    let mut saw = false;
    while let Ok(e) = events.try_recv() {
        saw |= matches!(e, Event::VerdictsChanged { ref endpoint } if endpoint == "late");
    }
    assert!(saw, "VerdictsChanged published after re-evaluation");

    // Rotation through edits: keep #0, add a second; then drop the right one.
    let view = r
        .engine
        .set_endpoint_signature(SetEndpointSignatureReq {
            endpoint: "late".into(),
            scheme: Some(SchemeId::Stripe),
            secrets: Some(vec![SecretEdit::New("whsec_another_one_22222222".into()), SecretEdit::Keep(0)]),
            options: BTreeMap::new(),
        })
        .await
        .unwrap();
    r.engine.settle().await;
    let masked: Vec<String> = view.signature.unwrap().secrets.iter().map(|s| s.masked.clone()).collect();
    assert_eq!(masked, ["whsec_…2222", "whsec_…p7dc"]);
    assert_eq!(verdict_of(&list_rows(r.data_dir()), id).2["matched_secret_index"], 1);
    r.engine
        .set_endpoint_signature(SetEndpointSignatureReq {
            endpoint: "late".into(),
            scheme: Some(SchemeId::Stripe),
            secrets: Some(vec![SecretEdit::Keep(0)]),
            options: BTreeMap::new(),
        })
        .await
        .unwrap();
    r.engine.settle().await;
    assert_eq!(verdict_of(&list_rows(r.data_dir()), id).0, "invalid");
}

#[tokio::test]
async fn cli_verify_a_stored_capture_and_configure_an_endpoint() {
    let r = Running::start().await;
    let dir = r.data_dir().to_owned();
    let secret = "It's a Secret to Everybody";
    let body = br#"{"event":"ping"}"#;
    let url = format!("{}/hooks/gh", r.url);
    let id = deliver(&r, "/hooks/gh", &signed_headers(SchemeId::Github, secret, &url, body, now()), body).await;
    // The default endpoint has no scheme yet: GitHub is only guessed.
    let rows = list_rows(&dir);
    assert_eq!(row(&rows, id)["detected_scheme"], "github");
    assert_eq!(verdict_of(&rows, id).0, "no_secret");

    // Configured through the CLI (another process), which re-evaluates the stored captures.
    let out = cli(&dir)
        .args(["endpoint", "add", "default", "--path", "/", "--scheme", "github", "--secret", secret])
        .arg("--json")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(json_of(&out)["signature"]["scheme"], "github");
    let rows = list_rows(&dir);
    assert_eq!(verdict_of(&rows, id).0, "valid");
    let out = cli(&dir).args(["verify", &id.to_string(), "--json"]).assert().success().get_output().stdout.clone();
    let v = json_of(&out);
    for key in ["verdict", "reason", "scheme", "explanation", "matched_secret_index"] {
        assert!(v.get(key).is_some(), "verify --json lacks {key}: {v}");
    }
    assert_eq!((v["verdict"].as_str(), v["scheme"].as_str()), (Some("valid"), Some("github")));

    // Secrets are shown masked only.
    let out = cli(&dir).args(["endpoint", "list", "--json"]).assert().success().get_output().stdout.clone();
    let text = String::from_utf8_lossy(&out);
    assert!(!text.contains("Secret to"), "secret printed in clear: {text}");
    let list = json_of(&out);
    let d = list.as_array().unwrap().iter().find(|e| e["name"] == "default").unwrap();
    assert_eq!(d["signature"]["secrets"][0]["index"], 0);
    assert!(d["signature"]["secrets"][0]["masked"].as_str().unwrap().contains('…'));
    let out = cli(&dir).args(["endpoint", "list"]).assert().success().get_output().stdout.clone();
    assert!(!String::from_utf8_lossy(&out).contains("Secret to"));

    // A wrong secret through the CLI: the capture turns invalid.
    cli(&dir).args(["endpoint", "add", "default", "--path", "/", "--scheme", "github", "--secret", "nope"]).assert().success();
    assert_eq!(verdict_of(&list_rows(&dir), id).0, "invalid");
}

#[tokio::test]
async fn cli_verify_id_uses_the_endpoint_settings() {
    let r = Running::start().await;
    add_endpoint(&r.engine, "stripe", "/stripe", Some(SchemeId::Stripe), &["whsec_wrong_one_00000000", STRIPE_SECRET]).await;
    let body = br#"{"id":"evt_3"}"#;
    let id =
        deliver(&r, "/stripe", &signed_headers(SchemeId::Stripe, STRIPE_SECRET, &format!("{}/stripe", r.url), body, now()), body).await;
    let out = cli(r.data_dir()).args(["verify", &id.to_string(), "--json"]).assert().success().get_output().stdout.clone();
    let v = json_of(&out);
    assert_eq!(v["verdict"], "valid");
    assert_eq!(v["reason"], "ok");
    assert_eq!(v["scheme"], "stripe");
    assert_eq!(v["matched_secret_index"], 1);
    let out = cli(r.data_dir()).args(["verify", &id.to_string()]).assert().success().get_output().stdout.clone();
    assert!(String::from_utf8_lossy(&out).starts_with("VALID"), "{}", String::from_utf8_lossy(&out));
}

#[test]
fn cli_verify_request_file_with_now() {
    let dir = tempfile::tempdir().unwrap();
    let at = 1_700_000_000;
    let url = "https://example.com/webhooks/stripe";
    let body = br#"{"id":"evt_4","object":"event"}"#;
    let headers = signed_headers(SchemeId::Stripe, STRIPE_SECRET, url, body, at);
    let request = serde_json::json!({ "method": "POST", "url": url, "headers": headers, "body": std::str::from_utf8(body).unwrap() });
    let file = dir.path().join("request.json");
    std::fs::write(&file, serde_json::to_vec(&request).unwrap()).unwrap();
    let f = file.to_str().unwrap();
    let run = |args: &[&str]| {
        let out = cli(dir.path()).args(["verify", "--request", f, "--scheme", "stripe", "--json"]).args(args).output().unwrap();
        let v = json_of(&out.stdout);
        // Scripts can branch on it: 0 valid, 1 any other verdict.
        let code = if v["verdict"] == "valid" { 0 } else { 1 };
        assert_eq!(out.status.code(), Some(code), "exit status for {v}");
        v
    };
    let v = run(&["--secret", STRIPE_SECRET, "--now", "1700000060"]);
    assert_eq!((v["verdict"].as_str(), v["reason"].as_str()), (Some("valid"), Some("ok")));
    assert_eq!(v["skew_secs"], 60);
    let v = run(&["--secret", STRIPE_SECRET, "--now", "1700003600"]);
    assert_eq!(v["verdict"], "expired");
    let v = run(&["--secret", STRIPE_SECRET, "--now", "1700003600", "--option", "tolerance_secs=0"]);
    assert_eq!(v["verdict"], "valid", "tolerance 0 disables the window");
    let v = run(&["--secret", "whsec_not_the_right_one_000", "--now", "1700000000"]);
    assert_eq!((v["verdict"].as_str(), v["matched_secret_index"].is_null()), (Some("invalid"), true));
    let v = run(&["--secret", "whsec_not_the_right_one_000", "--secret", STRIPE_SECRET, "--now", "1700000000"]);
    assert_eq!((v["verdict"].as_str(), v["matched_secret_index"].as_u64()), (Some("valid"), Some(1)));
    let v = run(&["--now", "1700000000"]);
    assert_eq!(v["verdict"], "no_secret");
    // Errors are {code, message}.
    let out = cli(dir.path()).args(["verify", "--request", f, "--scheme", "nope", "--json"]).assert().code(2);
    let e = json_of(&out.get_output().stderr);
    assert_eq!(e["code"], "invalid_input");
    assert!(e["message"].as_str().unwrap().contains("stripe"));
    let out = cli(dir.path())
        .args(["verify", "--request", f, "--scheme", "stripe", "--secret", "x", "--option", "colour=blue", "--json"])
        .assert()
        .failure();
    let e = json_of(&out.get_output().stderr);
    assert_eq!(e["code"], "invalid_input");
    assert!(e["message"].as_str().unwrap().contains("tolerance_secs"), "{e}");
    // Nothing was stored: --request needs no database.
    assert!(!dir.path().join("hookloupe.db").exists());
}

/// Schemes the cross-check generators must cover, each with at least one valid and one invalid
/// fixture, so that a generator that silently stops producing fails this test.
const CROSSCHECK_SCHEMES: [(&str, &str); 16] = [
    ("stripe", "stripe (PyPI)"),
    ("standard_webhooks", "standardwebhooks (PyPI)"),
    ("svix", "svix (PyPI)"),
    ("slack", "slack_sdk (PyPI)"),
    ("twilio", "twilio (PyPI)"),
    ("hubspot_v1", "hubspot-api-client (PyPI)"),
    ("hubspot_v2", "hubspot-api-client (PyPI)"),
    ("hubspot_v3", "hubspot-api-client (PyPI)"),
    ("square", "squareup (PyPI)"),
    ("paddle", "paddle-python-sdk (PyPI)"),
    ("discord", "discord-interactions (PyPI)"),
    ("mailgun", "mailgun (PyPI)"),
    ("github", "@octokit/webhooks-methods (npm)"),
    ("linear", "@linear/sdk (npm)"),
    ("shopify", "@shopify/shopify-api (npm)"),
    ("zoom", "@zoom/rivet (npm)"),
];

/// Catalog providers (src-tauri/core/src/signature/providers/*.toml) the cross-check generators
/// must cover (tests/crosscheck/crosscheck_catalog.py, tests/crosscheck/npm/catalog.mjs), each with
/// at least one valid and one invalid fixture.
const CROSSCHECK_PROVIDERS: [(&str, &str); 19] = [
    ("razorpay", "razorpay (PyPI)"),
    ("gocardless", "gocardless-pro (PyPI)"),
    ("coinbase_commerce", "coinbase-commerce (PyPI)"),
    ("box", "boxsdk (PyPI)"),
    ("workos", "workos (PyPI)"),
    ("resend", "resend (PyPI)"),
    ("castle", "castle (PyPI)"),
    ("worldline", "connect-sdk-python3 (PyPI)"),
    ("pusher", "pusher (PyPI)"),
    ("polar", "polar-sdk (PyPI)"),
    ("sanity", "@sanity/webhook (npm)"),
    ("modern_treasury", "modern-treasury (npm)"),
    ("mux", "@mux/mux-node (npm)"),
    ("orb", "orb-billing (npm)"),
    ("openai", "openai (npm)"),
    ("replicate", "replicate (npm)"),
    ("clerk", "@clerk/backend (npm)"),
    ("sendgrid", "@sendgrid/eventwebhook (npm)"),
    ("telnyx", "telnyx (npm)"),
];

/// Requests signed or verified by the providers' own libraries (tests/crosscheck/crosscheck.py,
/// crosscheck_catalog.py, npm/crosscheck.mjs and npm/catalog.mjs write them to
/// $HOOKLOUPE_CROSSCHECK_DIR): each `*.json` holds the request in the capture shape plus either
/// `scheme` and `options` (a built-in scheme) or `provider` (a catalog entry, resolved with
/// `provider::find` and given to the CLI as `--scheme <id>`, which applies its preset; `options`
/// then only adds to it), `secrets`, `now`, `expect` (`valid` or `invalid`) and, when known, the
/// exact `expect_verdict` (e.g. `expired` for a stale timestamp).
#[test]
fn crosscheck_against_provider_libraries() {
    let Ok(dir) = std::env::var("HOOKLOUPE_CROSSCHECK_DIR") else {
        println!("SKIPPED: crosscheck_against_provider_libraries — HOOKLOUPE_CROSSCHECK_DIR is not set (scripts/test.sh sets it after running tests/crosscheck/crosscheck.py)");
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {dir}: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    // 370 today (built-in schemes: 135 from PyPI libraries, 55 from npm ones; catalog providers:
    // 92 from PyPI, 88 from npm); the per-scheme and per-provider checks below name a lost generator.
    assert!(files.len() >= 350, "expected at least 350 cross-check fixtures in {dir}, found {}", files.len());
    let mut failures = Vec::new();
    // scheme or provider → (valid fixtures, invalid fixtures)
    let mut seen: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut seen_providers: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for f in &files {
        let fx: Value = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
        let catalog = fx["provider"].as_str().map(|id| {
            let p = provider::find(id).unwrap_or_else(|| panic!("{}: no catalog provider {id:?}", f.display()));
            (id, serde_json::to_value(p.scheme).unwrap())
        });
        let (name, tally) = match &catalog {
            Some((id, _)) => (*id, &mut seen_providers),
            None => (fx["scheme"].as_str().unwrap_or_else(|| panic!("{}: neither scheme nor provider", f.display())), &mut seen),
        };
        let counts = tally.entry(name.to_owned()).or_default();
        if fx["expect"] == "valid" {
            counts.0 += 1;
        } else {
            counts.1 += 1;
        }
        let mut cmd = cli(data.path());
        cmd.args(["verify", "--request", f.to_str().unwrap(), "--scheme", name, "--json"]);
        for s in fx["secrets"].as_array().unwrap() {
            cmd.arg(format!("--secret={}", s.as_str().unwrap())); // `=`: a secret may start with `-`
        }
        if let Some(opts) = fx["options"].as_object() {
            for (k, v) in opts {
                cmd.args(["--option", &format!("{k}={}", v.as_str().unwrap())]);
            }
        }
        if let Some(now) = fx["now"].as_i64() {
            cmd.args(["--now", &now.to_string()]);
        }
        let done = cmd.output().unwrap();
        let out = done.stdout.clone();
        let verdict = serde_json::from_slice::<Value>(&out).ok().map(|v| v["verdict"].clone());
        // Exit status: 0 for valid, 1 for any other verdict (2 would be an error: no verdict).
        let want_code = if verdict.as_ref().is_some_and(|v| v == "valid") { 0 } else { 1 };
        assert_eq!(done.status.code(), Some(want_code), "{}: {}", f.display(), String::from_utf8_lossy(&done.stderr));
        let v = json_of(&out);
        let expect = fx["expect"].as_str().unwrap();
        let mut ok = match (expect, fx["expect_verdict"].as_str()) {
            (_, Some(exact)) => v["verdict"] == exact,
            ("valid", None) => v["verdict"] == "valid",
            _ => v["verdict"] != "valid",
        };
        // The verdict names the catalog entry and its engine: the preset was applied.
        if let Some((id, scheme)) = &catalog {
            ok &= v["provider"] == *id && v["scheme"] == *scheme;
        }
        println!("crosscheck {}: expected {expect}, got {} ({})", f.display(), v["verdict"], v["reason"]);
        if !ok {
            failures.push(format!(
                "{}: expected {expect}, got {} (provider {}, scheme {}) — {}",
                f.display(),
                v["verdict"],
                v["provider"],
                v["scheme"],
                v["explanation"]
            ));
        }
    }
    println!("crosscheck: {} fixtures, per scheme (valid, invalid): {:?}", files.len(), seen);
    println!("crosscheck: per catalog provider (valid, invalid): {:?}", seen_providers);
    assert!(failures.is_empty(), "cross-check failures:\n{}", failures.join("\n"));
    let lacking = |expected: &[(&str, &str)], seen: &BTreeMap<String, (usize, usize)>| -> Vec<String> {
        expected
            .iter()
            .filter(|(s, _)| !seen.get(*s).is_some_and(|(valid, invalid)| *valid > 0 && *invalid > 0))
            .map(|(s, lib)| format!("{s} (from {lib}): {:?}", seen.get(*s)))
            .collect()
    };
    let mut missing = lacking(&CROSSCHECK_SCHEMES, &seen);
    missing.extend(lacking(&CROSSCHECK_PROVIDERS, &seen_providers));
    assert!(
        missing.is_empty(),
        "schemes or catalog providers without both a valid and an invalid cross-check fixture (a generator stopped producing?):\n{}",
        missing.join("\n")
    );
}

#[tokio::test]
async fn header_names_in_any_case_are_verified() {
    let r = Running::start().await;
    add_endpoint(&r.engine, "stripe", "/stripe", Some(SchemeId::Stripe), &[STRIPE_SECRET]).await;
    let body = r#"{"id":"evt_case"}"#;
    let headers = signed_headers(SchemeId::Stripe, STRIPE_SECRET, &format!("{}/stripe", r.url), body.as_bytes(), now());
    let sig = &headers.iter().find(|(n, _)| n == "stripe-signature").unwrap().1;
    let raw = format!(
        "POST /stripe HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nSTRIPE-Signature: {sig}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        r.addr,
        body.len()
    );
    let (status, resp) = hookloupe_tests::raw_http(r.addr, raw.as_bytes()).await;
    assert_eq!(status, 200, "{resp}");
    let id = hookloupe_tests::capture_id_of(&resp).unwrap();
    assert_eq!(verdict_of(&list_rows(r.data_dir()), id).0, "valid");
}
