//! The real `hookloupe` binary: commands, `--json` shapes, errors.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use hookloupe_tests::{cli, cli_path, Running};
use serde_json::Value;

fn json_of(out: &[u8]) -> Value {
    serde_json::from_slice(out).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(out)))
}

#[tokio::test]
async fn list_and_show_json_shapes() {
    let r = Running::start().await;
    reqwest::Client::new()
        .post(format!("{}/stripe/hook?a=1", r.url))
        .header("content-type", "application/json")
        .header("x-repeat", "1")
        .header("x-repeat", "2")
        .body(b"{\"amount\":4200}\xff".to_vec())
        .send()
        .await
        .unwrap();
    let dir = r.data_dir().to_owned();
    let out = cli(&dir).args(["list", "--json"]).assert().success().get_output().stdout.clone();
    let list = json_of(&out);
    let row = &list[0];
    for key in ["id", "received_at", "endpoint", "method", "path", "query", "body_size", "content_type", "remote_addr"] {
        assert!(row.get(key).is_some(), "list row lacks {key}: {row}");
    }
    let id = row["id"].as_i64().unwrap();
    let out = cli(&dir).args(["show", &id.to_string(), "--json"]).assert().success().get_output().stdout.clone();
    let v = json_of(&out);
    assert_eq!(v["method"], "POST");
    assert_eq!(v["path"], "/stripe/hook");
    assert_eq!(v["query"], "a=1");
    assert_eq!(v["url"], format!("{}/stripe/hook?a=1", r.url));
    assert_eq!(v["endpoint"], "default");
    assert_eq!(v["body_size"], 16);
    assert_eq!(v["content_type"], "application/json");
    chrono_like_rfc3339(v["received_at"].as_str().unwrap());
    let headers = v["headers"].as_array().unwrap();
    let repeats: Vec<&Value> =
        headers.iter().filter(|h| h[0].as_str().unwrap().eq_ignore_ascii_case("x-repeat")).map(|h| &h[1]).collect();
    assert_eq!(repeats, [&Value::from("1"), &Value::from("2")]);
    use base64::Engine as _;
    let body = base64::engine::general_purpose::STANDARD.decode(v["body_b64"].as_str().unwrap()).unwrap();
    assert_eq!(body, b"{\"amount\":4200}\xff");
    // --raw writes the exact bytes.
    let raw = cli(&dir).args(["show", &id.to_string(), "--raw"]).assert().success().get_output().stdout.clone();
    assert_eq!(raw, b"{\"amount\":4200}\xff");
}

fn chrono_like_rfc3339(s: &str) {
    // 2026-11-22T07:01:19.123456Z
    assert_eq!(s.len(), 27, "{s}");
    assert!(s.ends_with('Z') && s.as_bytes()[10] == b'T', "{s}");
}

#[test]
fn errors_are_json_with_a_code_and_a_nonzero_exit() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli(dir.path()).args(["show", "999", "--json"]).assert().failure().get_output().clone();
    let err = json_of(&out.stderr);
    assert_eq!(err["code"], "not_found");
    assert!(err["message"].as_str().unwrap().contains("999"));
    assert!(out.stdout.is_empty());
    let out = cli(dir.path()).args(["--json", "endpoint", "add", "x", "--path", "nope"]).assert().failure().get_output().clone();
    assert_eq!(json_of(&out.stderr)["code"], "invalid_input");
    let out = cli(dir.path()).args(["--json", "endpoint", "remove", "default"]).assert().failure().get_output().clone();
    assert_eq!(json_of(&out.stderr)["code"], "invalid_input");
    let out = cli(dir.path()).args(["--json", "clear"]).assert().failure().get_output().clone();
    assert_eq!(json_of(&out.stderr)["code"], "invalid_input", "clear needs --yes");
}

#[test]
fn endpoint_add_list_remove() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli(dir.path())
        .args(["--json", "endpoint", "add", "stripe", "--path", "/stripe", "--status", "503", "--header", "Retry-After: 5", "--delay-ms", "100"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let saved = json_of(&out);
    assert_eq!(saved["response"]["status"], 503);
    assert_eq!(saved["response"]["headers"][0], serde_json::json!(["Retry-After", "5"]));
    let out = cli(dir.path()).args(["--json", "endpoint", "add", "other", "--path", "/stripe"]).assert().failure().get_output().clone();
    assert_eq!(json_of(&out.stderr)["code"], "conflict", "same prefix twice");
    let list = json_of(&cli(dir.path()).args(["--json", "endpoint", "list"]).assert().success().get_output().stdout);
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["default", "stripe"]);
    cli(dir.path()).args(["endpoint", "remove", "stripe"]).assert().success();
    let list = json_of(&cli(dir.path()).args(["--json", "endpoint", "list"]).assert().success().get_output().stdout);
    assert_eq!(list.as_array().unwrap().len(), 1);
}

/// `hookloupe listen --json` prints one JSON object per capture, after it is on disk.
#[tokio::test]
async fn listen_prints_one_json_line_per_capture() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(cli_path())
        .args(["--data-dir", dir.path().to_str().unwrap(), "--json", "listen", "--port", "0"])
        .env_remove("HOOKLOUPE_PORT")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let url = listening_url(child.stderr.take().unwrap());
    let client = reqwest::Client::new();
    client.post(format!("{url}/one")).body("first").send().await.unwrap();
    client.put(format!("{url}/two?z=1")).body(vec![0u8, 159, 146, 150]).send().await.unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let a: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    let b: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!((a["method"].as_str(), a["path"].as_str(), a["body_b64"].as_str()), (Some("POST"), Some("/one"), Some("Zmlyc3Q=")));
    assert_eq!((b["method"].as_str(), b["query"].as_str(), b["body_size"].as_u64()), (Some("PUT"), Some("z=1"), Some(4)));
}

/// Reads the listener's stderr until it says where it listens; keeps draining it afterwards.
pub fn listening_url(stderr: std::process::ChildStderr) -> String {
    let mut reader = BufReader::new(stderr);
    let mut line = String::new();
    loop {
        line.clear();
        assert!(reader.read_line(&mut line).unwrap() > 0, "listener exited before listening");
        if let Some(rest) = line.strip_prefix("Listening on ") {
            let url = rest.split_whitespace().next().unwrap().to_owned();
            std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
            return url;
        }
    }
}

#[test]
fn a_taken_port_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let dir = tempfile::tempdir().unwrap();
    let out = cli(dir.path()).args(["--json", "listen", "--port", &port]).assert().failure().get_output().clone();
    let err = json_of(&out.stderr);
    assert_eq!(err["code"], "port_in_use");
    assert!(err["message"].as_str().unwrap().contains(&port));
    let human = cli(dir.path()).args(["listen", "--port", &port]).assert().failure().get_output().stderr.clone();
    assert!(String::from_utf8_lossy(&human).contains("already in use"));
}

/// A delivery cannot drive the terminal: in human output every control character (C0, DEL, C1
/// such as the 8-bit CSI U+009B) and bidi override is shown escaped; `--json` and `--raw` stay exact.
#[tokio::test]
async fn human_output_escapes_control_characters() {
    let r = hookloupe_tests::Running::start().await;
    let body = "line1\n\x1b]0;pwned\x07\x1b[2J\rover\u{9b}31m\u{202e}txt.exe";
    let raw = format!(
        "POST /evil?q=1 HTTP/1.1\r\nHost: x\r\nX-Evil: a\u{9b}31mred \u{202e}gpj.exe\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let (status, text) = hookloupe_tests::raw_http(r.addr, raw.as_bytes()).await;
    assert_eq!(status, 200, "{text}");
    let id = hookloupe_tests::capture_id_of(&text).unwrap();
    let dir = r.data_dir().to_owned();
    let outs = tokio::task::spawn_blocking(move || {
        let run = |args: &[&str]| cli(&dir).args(args).output().unwrap();
        let id = id.to_string();
        (run(&["show", &id]), run(&["list"]), run(&["diff", &id, &id]), run(&["show", &id, "--raw"]), run(&["show", &id, "--json"]))
    })
    .await
    .unwrap();
    for (name, out) in [("show", &outs.0), ("list", &outs.1), ("diff", &outs.2)] {
        let text = String::from_utf8(out.stdout.clone()).unwrap();
        let bad: Vec<char> = text
            .chars()
            .filter(|c| (*c < ' ' && *c != '\n') || *c == '\u{7f}' || ('\u{80}'..'\u{a0}').contains(c) || ('\u{202a}'..='\u{202e}').contains(c))
            .collect();
        assert!(bad.is_empty(), "{name} printed raw controls {bad:?}:\n{text}");
    }
    let show = String::from_utf8_lossy(&outs.0.stdout);
    assert!(show.contains("\\x1b]0;pwned\\x07") && show.contains("\\u{009b}") && show.contains("\\u{202e}"), "{show}");
    assert!(show.contains("line1\n"), "line breaks of bodies kept");
    assert_eq!(outs.3.stdout, body.as_bytes(), "--raw is exact");
    let json: serde_json::Value = serde_json::from_slice(&outs.4.stdout).unwrap();
    assert!(json["headers"].to_string().contains('\u{202e}'), "--json is exact");
}
