//! Payload diff over real parts: captures sent through the real receiver, then compared with
//! the real `hookloupe diff` binary (and the engine's partner suggestions).

use hookloupe_core::ipc::{EndpointView, ResponseRuleView};
use hookloupe_tests::{cli, Running};
use serde_json::{json, Value};

/// Sends a POST through the receiver; returns the capture id it reports.
async fn send(r: &Running, path: &str, headers: &[(&str, &str)], body: &str) -> i64 {
    let mut req = reqwest::Client::new().post(format!("{}{path}", r.url)).body(body.to_string());
    for (n, v) in headers {
        req = req.header(*n, *v);
    }
    let res = req.send().await.expect("send");
    assert!(res.status().is_success(), "{}", res.status());
    res.headers()["x-hookloupe-capture-id"].to_str().unwrap().parse().unwrap()
}

const JSON: (&str, &str) = ("content-type", "application/json");

fn diff_json(r: &Running, args: &[&str]) -> Value {
    let out = cli(r.data_dir()).arg("diff").args(args).arg("--json").assert().success().get_output().stdout.clone();
    serde_json::from_slice(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out)))
}

fn paths(v: &Value) -> Vec<String> {
    v["json_changes"].as_array().unwrap().iter().map(|c| c["path"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn key_reordering_alone_gives_no_json_change() {
    let r = Running::start().await;
    let a = send(&r, "/shop", &[JSON], r#"{"a":1,"data":{"x":[1,2],"y":"z"}}"#).await;
    let b = send(&r, "/shop", &[JSON], r#"{ "data": {"y":"z", "x":[1,2]}, "a": 1 }"#).await;
    let v = diff_json(&r, &[&a.to_string(), &b.to_string()]);
    assert_eq!(v["json_changes"], json!([]));
    assert_eq!(v["hunks"], json!([]));
    assert_eq!(v["body_kind"], "json");
    // Only the byte size differs (content-length is ignored by the generic rules).
    assert_eq!(v["meta"][0]["field"], "body_size");
    assert_eq!(v["headers"], json!([]));
}

#[tokio::test]
async fn changed_amount_header_change_and_ignore() {
    let r = Running::start().await;
    let body = |id: &str, amount: u64| {
        json!({"id": id, "object": "event", "type": "charge.succeeded", "created": 1_700_000_000,
               "data": {"object": {"amount": amount, "currency": "eur"}}})
        .to_string()
    };
    let a = send(&r, "/stripe", &[JSON, ("stripe-signature", "t=1,v1=aa"), ("x-env", "staging")], &body("evt_1", 150000))
        .await;
    let b = send(&r, "/stripe", &[JSON, ("stripe-signature", "t=2,v1=bb"), ("x-env", "prod")], &body("evt_2", 160000))
        .await;
    let (a, b) = (a.to_string(), b.to_string());

    let v = diff_json(&r, &[&a, &b]);
    // Stripe defaults ignore the event id, `created` and the signature header.
    assert_eq!(paths(&v), ["data.object.amount"]);
    let c = &v["json_changes"][0];
    assert_eq!((c["op"].clone(), c["old"].clone(), c["new"].clone()), (json!("changed"), json!(150000), json!(160000)));
    let headers = v["headers"].as_array().unwrap();
    let env = headers.iter().find(|h| h["name"] == "x-env").expect("x-env change");
    assert_eq!((env["op"].clone(), env["old"].clone(), env["new"].clone()), (json!("changed"), json!(["staging"]), json!(["prod"])));
    assert!(headers.iter().all(|h| h["name"] != "stripe-signature"), "{headers:?}");
    assert!(v["ignored_count"].as_u64().unwrap() >= 2);
    assert!(v["rules"]["ignore_headers"].as_array().unwrap().contains(&json!("stripe-signature")));
    // The changed line is in a hunk with the new value emphasised.
    let inserted: Vec<&Value> = v["hunks"][0]["lines"].as_array().unwrap().iter().filter(|l| l["tag"] == "insert").collect();
    assert!(inserted.iter().any(|l| l["segments"].as_array().unwrap().iter().any(|s| s["emphasized"] == true && s["text"] == "160000")));

    // --ignore hides the amount; --no-rules brings back the id and the signature.
    let v = diff_json(&r, &[&a, &b, "--ignore", "data.object.amount"]);
    assert_eq!(paths(&v), Vec::<String>::new());
    let v = diff_json(&r, &[&a, &b, "--no-rules"]);
    assert_eq!(paths(&v), ["data.object.amount", "id"]);
    assert!(v["headers"].as_array().unwrap().iter().any(|h| h["name"] == "stripe-signature"));
    // --show-ignored keeps them, marked.
    let v = diff_json(&r, &[&a, &b, "--show-ignored"]);
    assert!(v["json_changes"].as_array().unwrap().iter().any(|c| c["path"] == "id" && c["ignored"] == true));

    // Human output lists the change.
    let out = cli(r.data_dir()).args(["diff", &a, &b]).assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("data.object.amount: 150000 → 160000"), "{text}");
    assert!(text.contains("+      \"amount\": 160000"), "{text}");
    assert!(!text.contains('\x1b'), "no color when not a terminal");
}

#[tokio::test]
async fn bad_ignore_path_and_missing_capture_are_errors() {
    let r = Running::start().await;
    let a = send(&r, "/x", &[JSON], "{}").await.to_string();
    let out = cli(r.data_dir()).args(["diff", &a, &a, "--ignore", "a..b", "--json"]).assert().failure().get_output().stderr.clone();
    let e: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(e["code"], "invalid_input");
    let out = cli(r.data_dir()).args(["diff", &a, "999", "--json"]).assert().failure().get_output().stderr.clone();
    let e: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(e["code"], "not_found");
}

#[tokio::test]
async fn duplicates_flagged_and_partners_suggested() {
    let r = Running::start().await;
    let other_endpoint = EndpointView {
        name: "other".into(),
        path_prefix: "/other".into(),
        response: ResponseRuleView { status: 200, headers: vec![], body: String::new(), delay_ms: 0 },
        signature: None,
    };
    r.engine.save_endpoint(other_endpoint).await.unwrap();
    let gh = |delivery: &'static str| [JSON, ("x-github-event", "push"), ("x-github-delivery", delivery)];
    let first = send(&r, "/gh", &gh("d-1"), r#"{"ref":"main","n":1}"#).await;
    let other = send(&r, "/gh", &gh("d-2"), r#"{"ref":"main","n":2}"#).await;
    let retry = send(&r, "/gh", &gh("d-1"), r#"{"ref":"main","n":1}"#).await;
    // The same delivery id on another endpoint is not a duplicate.
    let elsewhere = send(&r, "/other", &gh("d-1"), r#"{"ref":"main","n":1}"#).await;

    let out = cli(r.data_dir()).args(["list", "--json"]).assert().success().get_output().stdout.clone();
    let list: Value = serde_json::from_slice(&out).unwrap();
    let row = |id: i64| list.as_array().unwrap().iter().find(|c| c["id"] == id).unwrap().clone();
    assert_eq!(row(retry)["duplicate_of"], json!(first));
    assert_eq!(row(first)["duplicate_of"], Value::Null);
    assert_eq!(row(other)["duplicate_of"], Value::Null);
    assert_eq!(row(elsewhere)["duplicate_of"], Value::Null);
    assert_eq!(row(retry)["event_type"], "push");
    let out = cli(r.data_dir()).args(["list"]).assert().success().get_output().stdout.clone();
    assert!(String::from_utf8(out).unwrap().contains(&format!("[duplicate of #{first}]")));

    // Partners of the retry: the original delivery, then the previous push on the endpoint.
    let partners = r.engine.diff_partners(retry).await.unwrap();
    let got: Vec<(String, i64)> =
        partners.iter().map(|p| (serde_json::to_value(p.reason).unwrap().as_str().unwrap().to_string(), p.capture.id)).collect();
    assert_eq!(got, [("duplicate".to_string(), first), ("previous_same_type".to_string(), other)]);
    // The duplicate differs in nothing that matters (GitHub defaults ignore the delivery id).
    let v = diff_json(&r, &[&first.to_string(), &retry.to_string()]);
    assert_eq!(v["json_changes"], json!([]));
    assert_eq!(v["headers"], json!([]));
    // With one id, the CLI compares with the first suggested partner (older side first).
    let v = diff_json(&r, &[&retry.to_string()]);
    assert_eq!((v["a"]["capture"]["id"].clone(), v["b"]["capture"]["id"].clone()), (json!(first), json!(retry)));
    let v = diff_json(&r, &[&other.to_string()]);
    assert_eq!(v["a"]["capture"]["id"], json!(first), "previous push");
    let out = cli(r.data_dir()).args(["diff", &elsewhere.to_string(), "--json"]).assert().failure().get_output().stderr.clone();
    assert_eq!(serde_json::from_slice::<Value>(&out).unwrap()["code"], "not_found");
    // Without a known event type, the previous capture on the same route is suggested.
    let p1 = send(&r, "/plain", &[("content-type", "text/plain")], "one").await;
    let p2 = send(&r, "/plain", &[("content-type", "text/plain")], "two").await;
    let partners = r.engine.diff_partners(p2).await.unwrap();
    assert_eq!(partners.len(), 1);
    assert_eq!(partners[0].capture.id, p1);
}

#[tokio::test]
async fn endpoint_rules_saved_and_event_keys_backfilled() {
    let r = Running::start().await;
    let a = send(&r, "/hook", &[JSON, ("x-event-id", "e1")], r#"{"ts":1,"v":1}"#).await;
    let b = send(&r, "/hook", &[JSON, ("x-event-id", "e1")], r#"{"ts":2,"v":1}"#).await;
    let rules = r.engine.diff_rules("default".into()).await.unwrap();
    assert!(rules.is_default);
    assert_eq!(rules.scheme, "generic");
    let mut edited = rules.clone();
    edited.ignore_paths = vec!["ts".into()];
    let saved = r.engine.save_diff_rules(edited).await.unwrap();
    assert!(!saved.is_default);
    let v = diff_json(&r, &[&a.to_string(), &b.to_string()]);
    assert_eq!(v["json_changes"], json!([]));
    assert_eq!(v["ignored_count"], 1);
    let mut bad = saved.clone();
    bad.ignore_paths = vec!["[".into()];
    assert_eq!(r.engine.save_diff_rules(bad).await.unwrap_err().code(), hookloupe_core::ErrorCode::InvalidInput);
    assert!(r.engine.reset_diff_rules("default".into()).await.unwrap().is_default);

    // Rows stored before event keys existed are filled when the database is opened.
    let dir = r.stop();
    {
        let conn = rusqlite::Connection::open(dir.path().join("hookloupe.db")).unwrap();
        conn.execute("UPDATE captures SET event_id = NULL, event_type = NULL, duplicate_of = NULL, event_indexed = 0", [])
            .unwrap();
    }
    let out = cli(dir.path()).args(["list", "--json"]).assert().success().get_output().stdout.clone();
    let list: Value = serde_json::from_slice(&out).unwrap();
    let dup = list.as_array().unwrap().iter().find(|c| c["id"] == b).unwrap();
    assert_eq!(dup["duplicate_of"], json!(a));
}

#[tokio::test]
async fn a_large_diff_can_be_cancelled_by_token() {
    let r = Running::start().await;
    let big = |n: u32| {
        let items: Vec<String> = (0..120_000).map(|i| format!(r#"{{"i":{i},"v":{}}}"#, if i % 100 == 0 { n } else { 0 })).collect();
        format!("[{}]", items.join(","))
    };
    let a = send(&r, "/big", &[JSON], &big(1)).await;
    let b = send(&r, "/big", &[JSON], &big(2)).await;
    let mut req = hookloupe_core::ipc::DiffCapturesReq::captures(a, b);
    req.token = Some("t-1".into());
    let engine = r.engine.clone();
    let job = tokio::spawn(async move { engine.diff_captures(req).await });
    // The token is registered as soon as the diff starts; cancelling it stops the diff.
    while !r.engine.cancel_diff("t-1") {
        tokio::task::yield_now().await;
    }
    let err = job.await.unwrap().unwrap_err();
    assert_eq!(err.code(), hookloupe_core::ErrorCode::Cancelled);
    // Once finished, the token is forgotten.
    assert!(!r.engine.cancel_diff("t-1"));
}

/// The signature verdict is compared as metadata: the same payload once signed correctly and
/// once with a wrong signature shows `verdict: valid → invalid (bad_signature)`.
#[tokio::test]
async fn signature_verdict_is_compared_as_metadata() {
    let r = Running::start().await;
    let good = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    let bad = "sha256=0000000000000000000000000000000000000000000000000000000000000000";
    let a = send(&r, "/gh", &[("x-hub-signature-256", good)], "Hello, World!").await;
    let b = send(&r, "/gh", &[("x-hub-signature-256", bad)], "Hello, World!").await;
    // Configuring the endpoint (from the CLI, another process) re-evaluates both captures.
    cli(r.data_dir())
        .args(["endpoint", "add", "default", "--path", "/", "--scheme", "github", "--secret", "It's a Secret to Everybody"])
        .assert()
        .success();
    let v = diff_json(&r, &[&a.to_string(), &b.to_string(), "--no-rules"]);
    let verdict = v["meta"].as_array().unwrap().iter().find(|m| m["field"] == "verdict").unwrap_or_else(|| panic!("no verdict change: {}", v["meta"]));
    assert_eq!(verdict["old"], "valid");
    assert_eq!(verdict["new"], "invalid (bad_signature)");
}
