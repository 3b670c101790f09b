//! Secrets in the OS keyring, against a real Secret Service: a private session bus and a
//! gnome-keyring-daemon started by the test ([`KeyringSession`]), driven through the real
//! `hookloupe` binary. Also: no keyring at all (secrets stay in the database, and it says why),
//! database-held secrets moving into a keyring that appears, and an entry deleted behind
//! Hookloupe's back.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, KeyInit, Mac};
use hookloupe_tests::{cli, cli_path, KeyringSession};
use serde_json::Value;
use sha2::Sha256;

const SERVICE: &str = "dev.hookloupe.app";
const SECRET: &str = "whsec_keyring_test_4eC39HqLyjWDarjtT1zdp7dc";

fn json_of(out: &[u8]) -> Value {
    serde_json::from_slice(out).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(out)))
}

fn with_keyring(ks: &KeyringSession, dir: &Path) -> assert_cmd::Command {
    let mut cmd = cli(dir);
    cmd.envs(ks.env());
    cmd
}

/// Every byte SQLite keeps on disk for this data directory (database, WAL, shared memory).
fn database_bytes(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for name in ["hookloupe.db", "hookloupe.db-wal", "hookloupe.db-shm"] {
        if let Ok(b) = std::fs::read(dir.join(name)) {
            all.extend(b);
        }
    }
    assert!(!all.is_empty(), "no database in {}", dir.display());
    all
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn secrets_of(dir: &Path, cmd: impl FnOnce(&Path) -> assert_cmd::Command, endpoint: &str) -> Vec<Value> {
    let mut c = cmd(dir);
    let out = c.args(["--json", "endpoint", "list"]).assert().success().get_output().stdout.clone();
    let list = json_of(&out);
    let e = list.as_array().unwrap().iter().find(|e| e["name"] == endpoint).unwrap_or_else(|| panic!("no {endpoint}"));
    e["signature"]["secrets"].as_array().unwrap().clone()
}

/// A Stripe-signed delivery sent to a real `hookloupe listen` (reading its secret from the
/// keyring); returns the verdict the capture got.
fn deliver_stripe(envs: &[(String, String)], dir: &Path, secret: &str) -> Value {
    let mut child = Command::new(cli_path())
        .args(["--data-dir", dir.to_str().unwrap(), "listen", "--port", "0"])
        .env_remove("HOOKLOUPE_PORT")
        .envs(envs.iter().cloned())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let url = super::cli::listening_url(child.stderr.take().unwrap());
    let body = r#"{"id":"evt_keyring","type":"invoice.paid"}"#;
    let t = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    let sig = hex::encode(mac.finalize().into_bytes());
    let resp = reqwest::blocking::Client::new()
        .post(format!("{url}/stripe"))
        .header("Stripe-Signature", format!("t={t},v1={sig}"))
        .header("Content-Type", "application/json")
        .body(body)
        .timeout(Duration::from_secs(20))
        .send()
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    let _ = child.kill();
    let _ = child.wait();
    let out = cli(dir).args(["--json", "list", "--limit", "1"]).assert().success().get_output().stdout.clone();
    json_of(&out)[0]["verdict"].clone()
}

#[test]
fn secrets_live_in_the_os_keyring_and_never_in_the_database() {
    let Some(ks) = KeyringSession::start() else { return };
    let data = tempfile::tempdir().unwrap();
    let dir = data.path();

    let out = with_keyring(&ks, dir).args(["--json", "keyring"]).assert().success().get_output().stdout.clone();
    let status = json_of(&out);
    assert_eq!(status["keyring"], true, "{status}");
    assert!(status["detail"].as_str().unwrap().contains("Secret Service"), "{status}");

    with_keyring(&ks, dir)
        .args(["endpoint", "add", "stripe", "--path", "/stripe", "--scheme", "stripe", "--secret", SECRET])
        .assert()
        .success();
    let secrets = secrets_of(dir, |d| with_keyring(&ks, d), "stripe");
    assert_eq!(secrets.len(), 1);
    assert_eq!(secrets[0]["stored_in"], "keyring", "{secrets:?}");
    assert_eq!(secrets[0]["problem"], Value::Null);
    assert!(secrets[0]["masked"].as_str().unwrap().ends_with("p7dc"), "{secrets:?}");

    // The value is in the keyring, labelled for the user, and nowhere in SQLite's files.
    let items = ks.items(SERVICE);
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0].secret, SECRET);
    assert!(items[0].label.contains("endpoint stripe"), "{:?}", items[0].label);
    assert!(!contains(&database_bytes(dir), SECRET), "the secret reached the database files");

    // A listener in another process reads it back from the keyring and verifies with it.
    let verdict = deliver_stripe(&ks.env(), dir, SECRET);
    assert_eq!(verdict["status"], "valid", "{verdict}");

    // The ngrok token goes to the keyring too.
    let token = "2abcdefghijklmnopqrstuvwxyz_0123456789ABCDEFG";
    with_keyring(&ks, dir).args(["tunnel", "token", token]).assert().success();
    assert!(ks.items(SERVICE).iter().any(|i| i.secret == token && i.label.contains("ngrok")));
    assert!(!contains(&database_bytes(dir), token), "the ngrok token reached the database files");

    // Rotation: keep nothing of the old list, add two new secrets; the old entry is deleted.
    with_keyring(&ks, dir)
        .args(["endpoint", "add", "stripe", "--path", "/stripe", "--scheme", "stripe"])
        .args(["--secret", "whsec_rotated_one_000000000000000000", "--secret", "whsec_rotated_two_000000000000000000"])
        .assert()
        .success();
    let values: Vec<String> = ks.items(SERVICE).into_iter().map(|i| i.secret).collect();
    assert!(!values.contains(&SECRET.to_owned()), "the replaced secret stayed in the keyring: {values:?}");
    assert!(values.contains(&"whsec_rotated_one_000000000000000000".to_owned()));
    assert!(values.contains(&"whsec_rotated_two_000000000000000000".to_owned()));

    // Removing the endpoint removes its keyring entries (the token stays).
    with_keyring(&ks, dir).args(["endpoint", "remove", "stripe"]).assert().success();
    let left: Vec<String> = ks.items(SERVICE).into_iter().map(|i| i.secret).collect();
    assert_eq!(left, vec![token.to_owned()]);
    with_keyring(&ks, dir).args(["tunnel", "token", "--clear"]).assert().success();
    assert!(ks.items(SERVICE).is_empty());
}

#[test]
fn without_a_keyring_secrets_stay_in_the_database_and_it_says_why() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path();
    let no_bus = |d: &Path| {
        let mut c = cli(d);
        c.env("HOOKLOUPE_KEYRING", "auto").env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/hookloupe-bus");
        c
    };
    let out = no_bus(dir).args(["--json", "keyring"]).assert().success().get_output().stdout.clone();
    let status = json_of(&out);
    assert_eq!(status["keyring"], false, "{status}");
    assert!(status["detail"].as_str().unwrap().contains("no Secret Service answered"), "{status}");
    let text = no_bus(dir).args(["keyring"]).assert().success().get_output().stdout.clone();
    assert!(String::from_utf8_lossy(&text).contains("kept in the database"));

    no_bus(dir)
        .args(["endpoint", "add", "stripe", "--path", "/stripe", "--scheme", "stripe", "--secret", SECRET])
        .assert()
        .success();
    let secrets = secrets_of(dir, no_bus, "stripe");
    assert_eq!(secrets[0]["stored_in"], "database", "{secrets:?}");
    let table = no_bus(dir).args(["endpoint", "list"]).assert().success().get_output().stdout.clone();
    assert!(String::from_utf8_lossy(&table).contains("(database)"));
    let envs = vec![
        ("HOOKLOUPE_KEYRING".to_owned(), "auto".to_owned()),
        ("DBUS_SESSION_BUS_ADDRESS".to_owned(), "unix:path=/nonexistent/hookloupe-bus".to_owned()),
    ];
    assert_eq!(deliver_stripe(&envs, dir, SECRET)["status"], "valid");
}

#[test]
fn database_secrets_move_into_a_keyring_that_appears() {
    let Some(ks) = KeyringSession::start() else { return };
    let data = tempfile::tempdir().unwrap();
    let dir = data.path();
    // Saved while the keyring was off: in the database.
    cli(dir)
        .args(["endpoint", "add", "stripe", "--path", "/stripe", "--scheme", "stripe", "--secret", SECRET])
        .assert()
        .success();
    cli(dir).args(["tunnel", "token", "2tokenMovedToTheKeyring_abcdefghijkl"]).assert().success();
    assert_eq!(secrets_of(dir, cli, "stripe")[0]["stored_in"], "database");
    assert!(contains(&database_bytes(dir), SECRET));

    // The next start with a keyring moves them, and overwrites the database copies.
    let secrets = secrets_of(dir, |d| with_keyring(&ks, d), "stripe");
    assert_eq!(secrets[0]["stored_in"], "keyring", "{secrets:?}");
    let values: Vec<String> = ks.items(SERVICE).into_iter().map(|i| i.secret).collect();
    assert!(values.contains(&SECRET.to_owned()), "{values:?}");
    assert!(values.contains(&"2tokenMovedToTheKeyring_abcdefghijkl".to_owned()), "{values:?}");
    assert!(!contains(&database_bytes(dir), SECRET), "the moved secret is still readable in the database files");
    assert!(!contains(&database_bytes(dir), "2tokenMovedToTheKeyring_abcdefghijkl"));
    assert_eq!(deliver_stripe(&ks.env(), dir, SECRET)["status"], "valid");

    // Deleted from the keyring behind Hookloupe's back: shown, and the verdict says why.
    ks.clear(SERVICE);
    let secrets = secrets_of(dir, |d| with_keyring(&ks, d), "stripe");
    let problem = secrets[0]["problem"].as_str().unwrap_or_else(|| panic!("no problem reported: {secrets:?}"));
    assert!(problem.contains("no entry"), "{problem}");
    let verdict = deliver_stripe(&ks.env(), dir, SECRET);
    assert_ne!(verdict["status"], "valid", "{verdict}");
    let id = json_of(&cli(dir).args(["--json", "list", "--limit", "1"]).assert().success().get_output().stdout)[0]["id"]
        .as_i64()
        .unwrap();
    let out = with_keyring(&ks, dir).args(["--json", "verify", &id.to_string()]).assert().get_output().stdout.clone();
    let v = json_of(&out);
    assert!(v["explanation"].as_str().unwrap().contains("kept in the OS keyring"), "{v}");
}

#[test]
fn a_locked_keyring_is_reported_and_nothing_hangs() {
    let Some(mut ks) = KeyringSession::start() else { return };
    let data = tempfile::tempdir().unwrap();
    let dir = data.path();
    with_keyring(&ks, dir)
        .args(["endpoint", "add", "stripe", "--path", "/stripe", "--scheme", "stripe", "--secret", SECRET])
        .assert()
        .success();
    ks.lock();
    let started = std::time::Instant::now();
    let secrets = secrets_of(dir, |d| with_keyring(&ks, d), "stripe");
    let problem = secrets[0]["problem"].as_str().unwrap_or_else(|| panic!("no problem reported: {secrets:?}"));
    assert!(problem.contains("locked"), "{problem}");
    assert_eq!(secrets[0]["stored_in"], "keyring");
    assert!(started.elapsed() < Duration::from_secs(15), "a locked keyring held the command for {:?}", started.elapsed());
    // A new secret saved meanwhile is not lost: it goes to the database, and says so.
    with_keyring(&ks, dir)
        .args(["endpoint", "add", "github", "--path", "/gh", "--scheme", "github", "--secret", "gh-secret-while-locked"])
        .assert()
        .success();
    let secrets = secrets_of(dir, |d| with_keyring(&ks, d), "github");
    assert_eq!(secrets[0]["stored_in"], "database", "{secrets:?}");
    assert_eq!(secrets[0]["problem"], Value::Null);

    // Removing the endpoint while locked: its keyring entry cannot be deleted now…
    with_keyring(&ks, dir).args(["endpoint", "remove", "stripe"]).assert().success();
    ks.restart(); // …the keyring comes back unlocked, with the orphan still in it.
    assert!(ks.items(SERVICE).iter().any(|i| i.secret == SECRET), "the locked keyring kept the entry");
    // The next start with the keyring deletes it, and moves the database-held secret in.
    let secrets = secrets_of(dir, |d| with_keyring(&ks, d), "github");
    assert_eq!(secrets[0]["stored_in"], "keyring", "{secrets:?}");
    let values: Vec<String> = ks.items(SERVICE).into_iter().map(|i| i.secret).collect();
    assert_eq!(values, vec!["gh-secret-while-locked".to_owned()], "the orphan was not swept");
    assert!(!contains(&database_bytes(dir), "gh-secret-while-locked"), "the moved secret is still readable on disk");
}
