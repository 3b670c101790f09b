//! Finding captures through the real receiver and the real `hookloupe list`: full text over
//! JSON, forms and headers (not binary), the index in step after delete, clear, retention and a
//! SIGKILL, the seeds' filter examples, streaming past a page, counts, pins against retention,
//! and the backfill of a database made before the index existed.

use std::process::{Command, Stdio};
use std::time::Duration;

use hmac::{KeyInit, Mac};
use hookloupe_core::ipc::{CaptureFilter, ListCapturesReq};
use hookloupe_core::signature::SchemeId;
use hookloupe_core::Engine;
use hookloupe_tests::{cli, cli_path, signed_endpoint, test_config, Running};
use serde_json::Value;

async fn post(url: &str, path: &str, content_type: &str, headers: &[(&str, &str)], body: impl Into<Vec<u8>>) -> i64 {
    let mut req = reqwest::Client::new().post(format!("{url}{path}")).header("content-type", content_type);
    for (n, v) in headers {
        req = req.header(*n, *v);
    }
    let resp = req.body(body.into()).send().await.unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    resp.headers()["x-hookloupe-capture-id"].to_str().unwrap().parse().unwrap()
}

/// `hookloupe list --json ARGS…` (one page): the ids, newest first.
fn list_ids(dir: &std::path::Path, args: &[&str]) -> Vec<i64> {
    let out = cli(dir).args(["list", "--json"]).args(args).output().unwrap();
    assert!(out.status.success(), "list {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect()
}

fn search(dir: &std::path::Path, words: &str) -> Vec<i64> {
    list_ids(dir, &["--search", words])
}

fn count(dir: &std::path::Path, args: &[&str]) -> u64 {
    let out = cli(dir).args(["list", "--count", "--json"]).args(args).output().unwrap();
    assert!(out.status.success(), "count {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<Value>(&out.stdout).unwrap()["count"].as_u64().unwrap()
}

#[tokio::test]
async fn search_finds_nested_json_form_fields_and_header_values_but_not_binary() {
    let r = Running::start().await;
    let json = post(&r.url, "/orders", "application/json", &[], r#"{"order":{"lines":[{"ref":"ORD-2024-003","label":"Caf\u00e9 cr\u00e8me"}]}}"#).await;
    let form = post(&r.url, "/supersaas", "application/x-www-form-urlencoded", &[], "event=en_attente&full_name=Jeanne+Quintal&role=3").await;
    let header = post(&r.url, "/finsight", "application/json", &[("x-finsight-event", "kpi.threshold_reached")], "{}").await;
    let binary = post(&r.url, "/upload", "application/octet-stream", &[], b"zorblax plain-looking bytes".to_vec()).await;
    let not_utf8 = post(&r.url, "/upload", "text/plain", &[], b"\xff\xfe zorblax".to_vec()).await;
    let query = post(&r.url, "/cb?note=caf%C3%A9%20noir&ref=Q-77", "text/plain", &[], "").await;
    let dir = r.data_dir();
    assert_eq!(search(dir, "ORD-2024-003"), [json], "a string deep in nested JSON");
    assert_eq!(search(dir, "cafe creme"), [json], "decoded escapes, accents folded");
    assert_eq!(search(dir, "Quintal"), [form], "a decoded form value");
    assert_eq!(search(dir, "full_name"), [form], "a form field name");
    assert_eq!(search(dir, "\"kpi threshold reached\""), [header], "a header value");
    assert_eq!(search(dir, "noir"), [query], "a decoded query value");
    assert!(search(dir, "zorblax").is_empty(), "binary bodies are not indexed ({binary}, {not_utf8})");
    assert_eq!(search(dir, "ORD-20"), [json], "the last word is a prefix");
    assert_eq!(search(dir, "upload"), [not_utf8, binary], "paths are indexed");
    assert_eq!(count(dir, &["--search", "upload"]), 2);
    // Hostile words are words: no FTS5 syntax error, no match.
    assert!(search(dir, "NEAR(\"a\" b) OR *:^").is_empty());
}

#[tokio::test]
async fn the_index_stays_in_step_after_delete_clear_and_retention() {
    let r = Running::start().await;
    let mut ids = Vec::new();
    for i in 0..6 {
        ids.push(post(&r.url, "/s", "application/json", &[], format!(r#"{{"word":"quokka","n":"item{i}"}}"#)).await);
    }
    let dir = r.data_dir().to_owned();
    cli(&dir).args(["delete", &ids[5].to_string()]).assert().success();
    assert_eq!(search(&dir, "quokka"), [ids[4], ids[3], ids[2], ids[1], ids[0]]);
    assert!(search(&dir, "item5").is_empty());
    cli(&dir).args(["pin", &ids[0].to_string()]).assert().success();
    cli(&dir).args(["retention", "--max", "2"]).assert().success();
    assert_eq!(search(&dir, "quokka"), [ids[4], ids[3], ids[0]], "retention keeps 2 unpinned, and the pinned one");
    assert!(search(&dir, "item1").is_empty() && search(&dir, "item2").is_empty());
    cli(&dir).args(["retention", "--max", "0"]).assert().success();
    cli(&dir).args(["clear", "--yes"]).assert().success();
    assert!(search(&dir, "quokka").is_empty());
    // The index holds no row of a capture that is gone.
    let conn = rusqlite::Connection::open(dir.join("hookloupe.db")).unwrap();
    let left: i64 = conn.query_row("SELECT count(*) FROM capture_text WHERE capture_text MATCH 'quokka OR s'", [], |r| r.get(0)).unwrap();
    assert_eq!(left, 0);
}

#[tokio::test]
async fn pins_survive_retention_while_listening() {
    let r = Running::start().await;
    let first = post(&r.url, "/p", "text/plain", &[], "oldest pinned").await;
    let dir = r.data_dir().to_owned();
    let out = cli(&dir).args(["pin", &first.to_string(), "--json"]).output().unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&out.stdout).unwrap(), serde_json::json!({ "id": first, "pinned": true }));
    r.engine.set_retention(3).await.unwrap();
    let mut last = Vec::new();
    for i in 0..10 {
        last.push(post(&r.url, "/p", "text/plain", &[], format!("later {i}")).await);
    }
    let ids = list_ids(&dir, &[]);
    assert_eq!(ids, [last[9], last[8], last[7], first], "the writer's retention spares the pin");
    assert_eq!(list_ids(&dir, &["--pinned"]), [first]);
    let rows: Value = serde_json::from_slice(&cli(&dir).args(["list", "--json", "--pinned"]).output().unwrap().stdout).unwrap();
    assert_eq!(rows[0]["pinned"], true);
    cli(&dir).args(["unpin", &first.to_string()]).assert().success();
    post(&r.url, "/p", "text/plain", &[], "one more").await;
    assert!(!list_ids(&dir, &[]).contains(&first), "unpinned, it goes");
    let out = cli(&dir).args(["--json", "pin", "999999"]).output().unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&out.stderr).unwrap()["code"], "not_found");
}

fn hmac_hex(secret: &str, body: &str) -> String {
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn invoice(event_id: &str, kind: &str, total_cents: u64) -> String {
    format!(r#"{{"id":"{event_id}","type":"{kind}","data":{{"numero":"F-{event_id}","client_nom":"Boulangerie Martin","total_cents":{total_cents}}}}}"#)
}

#[tokio::test]
async fn the_seed_filter_examples_work_through_the_cli() {
    const SECRET: &str = "whsec_servolution_demo_2024";
    let r = Running::start().await;
    signed_endpoint(&r.engine, "servolution", "/servolution", Some(SchemeId::Servolution), &[SECRET], &[], 200, 0).await;
    let mut sent = Vec::new();
    for (event, kind, total, good) in [
        ("evt_1", "invoice.overdue", 182_050, true),
        ("evt_2", "invoice.overdue", 90_000, true),
        ("evt_3", "invoice.paid", 250_000, true),
        ("evt_4", "invoice.overdue", 150_001, false),
    ] {
        let body = invoice(event, kind, total);
        let sig = if good { hmac_hex(SECRET, &body) } else { hmac_hex("not-the-secret", &body) };
        sent.push(post(&r.url, "/servolution", "application/json", &[("X-Servolution-Signature", &sig)], body).await);
    }
    let finsight = post(&r.url, "/finsight", "application/json", &[("X-FinSight-Event", "kpi.threshold_reached")], r#"{"kpi":"cash"}"#).await;
    let _other_kpi = post(&r.url, "/finsight", "application/json", &[("X-FinSight-Event", "kpi.recovered")], r#"{"kpi":"cash"}"#).await;
    let waiting = post(&r.url, "/supersaas", "application/x-www-form-urlencoded", &[], "event=en_attente&role=3&slot=9").await;
    let _low_role = post(&r.url, "/supersaas", "application/x-www-form-urlencoded", &[], "event=en_attente&role=2").await;
    let _binary = post(&r.url, "/bin", "application/octet-stream", &[], vec![0u8, 159, 146, 150]).await;
    let dir = r.data_dir().to_owned();
    let q = |expr: &str| list_ids(&dir, &["--query", expr]);
    assert_eq!(q(r#"type == "invoice.overdue" && data.total_cents > 150000"#), [sent[3], sent[0]]);
    assert_eq!(q(r#"headers["x-finsight-event"] == "kpi.threshold_reached""#), [finsight]);
    assert_eq!(q(r#"event == "en_attente" && role >= 3"#), [waiting]);
    assert_eq!(q(r#"verdict == "invalid""#), [sent[3]]);
    assert_eq!(list_ids(&dir, &["--verdict", "invalid"]), [sent[3]], "the chip agrees with the expression");
    assert_eq!(list_ids(&dir, &["--verdict", "valid", "--endpoint", "servolution"]), [sent[2], sent[1], sent[0]]);
    // Expression, words and chips together.
    assert_eq!(list_ids(&dir, &["--query", "data.total_cents > 100000", "--search", "overdue", "--verdict", "valid"]), [sent[0]]);
    assert_eq!(count(&dir, &["--query", r#"type == "invoice.overdue""#]), 3);
    assert_eq!(count(&dir, &["--event-type", "invoice.overdue"]), 3);
    // Human output: escaped, with the number of matches.
    let out = cli(&dir).args(["list", "--query", r#"verdict == "invalid""#]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("{} ", sent[3])) && text.contains("1 matching"), "{text}");
    // A bad expression: exit 2, with where it breaks.
    let out = cli(&dir).args(["list", "--query", "type == \"x\" &&"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 1, column"), "{err}");
    let out = cli(&dir).args(["--json", "list", "--query", "type == "]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(serde_json::from_slice::<Value>(&out.stderr).unwrap()["code"], "invalid_input");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn all_and_a_large_limit_stream_every_match_past_a_page() {
    let r = Running::start().await;
    let client = reqwest::Client::new();
    let mut tasks = Vec::new();
    for t in 0..16 {
        let (client, url) = (client.clone(), r.url.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0..75 {
                let body = format!(r#"{{"kind":"bulk","n":{}}}"#, t * 75 + i);
                let resp = client.post(format!("{url}/bulk")).header("content-type", "application/json").body(body).send().await.unwrap();
                assert!(resp.status().is_success());
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let dir = r.data_dir().to_owned();
    for args in [&["--all"][..], &["--limit", "100000"][..]] {
        let out = cli(&dir).args(["list", "--json"]).args(args).output().unwrap();
        assert!(out.status.success());
        let lines: Vec<Value> = String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 1200, "{args:?}: one object per line, every capture");
        let ids: Vec<i64> = lines.iter().map(|l| l["id"].as_i64().unwrap()).collect();
        assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first, no repeats");
    }
    // With an expression too (pages of candidates, each evaluated).
    let out = cli(&dir).args(["list", "--json", "--all", "--query", "n % 2 == 0"]).output().unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 600);
    let out = cli(&dir).args(["list", "--limit", "1100"]).output().unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 1101, "a header and 1100 rows");
    assert_eq!(count(&dir, &[]), 1200);
    assert_eq!(count(&dir, &["--search", "bulk"]), 1200);
    assert_eq!(count(&dir, &["--query", "n < 10"]), 10);
    assert_eq!(count(&dir, &["--since", "1h"]), 1200);
    assert_eq!(count(&dir, &["--until", "1h"]), 0);
    assert_eq!(list_ids(&dir, &["--limit", "3"]).len(), 3);
    let page = r.engine.list_captures(ListCapturesReq { limit: Some(10), before: None, filter: CaptureFilter::default() }).await.unwrap();
    assert_eq!((page.total, page.stored, page.partial), (Some(1200), 1200, false));
}

/// SIGKILL a listening CLI while senders stream: every acknowledged capture is found by its
/// word, and the index holds exactly the stored captures.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_index_survives_a_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(cli_path())
        .args(["--data-dir", dir.path().to_str().unwrap(), "listen", "--port", "0"])
        .env_remove("HOOKLOUPE_PORT")
        .env("HOOKLOUPE_KEYRING", "off")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let url = super::cli::listening_url(child.stderr.take().unwrap());
    let acked = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
    let mut senders = Vec::new();
    for t in 0..8 {
        let (client, url, acked) = (client.clone(), url.clone(), acked.clone());
        senders.push(tokio::spawn(async move {
            for i in 0.. {
                let marker = format!("mk{t}x{i}");
                let body = format!(r#"{{"note":"killword {marker}"}}"#);
                match client.post(format!("{url}/crash")).header("content-type", "application/json").body(body).send().await {
                    Ok(resp) if resp.status().is_success() => acked.lock().unwrap().push(marker),
                    Ok(_) => {}
                    Err(_) => return,
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // SAFETY: sending a signal to our own child process.
    unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
    child.wait().unwrap();
    for s in senders {
        let _ = s.await;
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() > 50, "acknowledged {}", acked.len());
    let engine = Engine::open(test_config(dir.path())).unwrap();
    let stored = engine.count_captures().await.unwrap();
    let found = engine.count_matches(CaptureFilter { search: Some("killword ".into()), ..Default::default() }).await.unwrap();
    assert_eq!(found, stored, "every stored capture is in the index, and nothing else");
    for marker in acked.iter().step_by((acked.len() / 20).max(1)) {
        let ids = engine.matching_ids(CaptureFilter { search: Some(format!("{marker} ")), ..Default::default() }).await.unwrap();
        assert_eq!(ids.len(), 1, "acknowledged {marker} is found");
    }
}

/// A database made before migration 0010 (schema 9, captures inserted by its own SQL): opened by
/// this Hookloupe, its captures are indexed in the background and found by words.
#[tokio::test]
async fn captures_from_before_the_index_are_backfilled() {
    const MIGRATIONS: &[&str] = &[
        include_str!("../../src-tauri/core/migrations/0001_init.sql"),
        include_str!("../../src-tauri/core/migrations/0002_diff.sql"),
        include_str!("../../src-tauri/core/migrations/0003_signatures.sql"),
        include_str!("../../src-tauri/core/migrations/0004_tunnel.sql"),
        include_str!("../../src-tauri/core/migrations/0005_keyring.sql"),
        include_str!("../../src-tauri/core/migrations/0006_keyring_trash.sql"),
        include_str!("../../src-tauri/core/migrations/0007_capture_count.sql"),
        include_str!("../../src-tauri/core/migrations/0008_deliveries.sql"),
        include_str!("../../src-tauri/core/migrations/0009_forwarding.sql"),
    ];
    let dir = tempfile::tempdir().unwrap();
    {
        let conn = rusqlite::Connection::open(dir.path().join("hookloupe.db")).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        for (i, sql) in MIGRATIONS.iter().enumerate() {
            conn.execute_batch(&format!("BEGIN; {sql}\nPRAGMA user_version = {}; COMMIT;", i + 1)).unwrap();
        }
        // 5,000 old captures (more than one backfill step), one of them with a rare word.
        conn.execute_batch(
            "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 5000)
             INSERT INTO captures (received_at_us, endpoint, method, path, query, url, headers, body, body_size,
                                   content_type, remote_addr, event_indexed)
             SELECT 1700000000000000 + i, 'default', 'POST', '/legacy', '', 'http://127.0.0.1/legacy',
                    CAST('x-legacy: yes' || char(13) || char(10) AS BLOB),
                    CAST('{\"seq\":\"n' || i || '\",\"word\":\"' || CASE WHEN i = 4321 THEN 'xylophone' ELSE 'common' END || '\"}' AS BLOB),
                    30, 'application/json', '127.0.0.1:1', 0 FROM k",
        )
        .unwrap();
    }
    let engine = Engine::open(test_config(dir.path())).unwrap();
    let rare = CaptureFilter { search: Some("xylophone ".into()), ..Default::default() };
    let all = CaptureFilter { search: Some("common ".into()), ..Default::default() };
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let found = engine.count_matches(rare.clone()).await.unwrap() + engine.count_matches(all.clone()).await.unwrap();
        if found == 5000 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "backfill incomplete after 60 s: {found} of 5000");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ids = engine.matching_ids(rare).await.unwrap();
    assert_eq!(ids.len(), 1);
    let c = engine.capture(ids[0]).await.unwrap();
    assert!(String::from_utf8_lossy(&c.data.body).contains("n4321"));
    // Nothing is left pending; new captures are indexed as they are stored.
    let conn = rusqlite::Connection::open(dir.path().join("hookloupe.db")).unwrap();
    let pending: i64 = conn.query_row("SELECT count(*) FROM captures WHERE text_indexed = 0", [], |r| r.get(0)).unwrap();
    assert_eq!(pending, 0);
    let r = Running::start_in(dir).await;
    let id = post(&r.url, "/new", "text/plain", &[], "marimba").await;
    assert_eq!(search(r.data_dir(), "marimba"), [id]);
}
