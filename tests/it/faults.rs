//! Storage faults on a real filesystem made by the test: a small tmpfs fills up while a sender
//! streams captures. Nothing is acknowledged that is not on disk, the sender is told `disk_full`
//! in plain words, every acknowledged capture survives byte for byte, and capture resumes once
//! space is freed. Needs root to mount (CI runs as root); elsewhere it says SKIPPED. A database
//! that is read-only (a filesystem remounted read-only as root, file modes otherwise) and one
//! whose write lock another program holds each get their own code and plain words from the CLI.

use std::path::{Path, PathBuf};
use std::process::Command;

use hookloupe_tests::Running;

/// A tmpfs mounted for the test, lazily unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        ok.then(|| Tmpfs(dir.to_owned()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_captures_loses_nothing_and_recovers() {
    let holder = tempfile::tempdir().unwrap();
    let Some(fs) = Tmpfs::mount(holder.path(), "3m") else {
        println!("SKIPPED: faults::a_full_disk_refuses_captures_loses_nothing_and_recovers — cannot mount a tmpfs (needs root)");
        return;
    };
    let data = fs.0.join("data");
    std::fs::create_dir_all(&data).unwrap();
    // Room to free later.
    let filler = fs.0.join("filler");
    std::fs::write(&filler, vec![0u8; 512 * 1024]).unwrap();
    let r = Running::start_in(tempfile::TempDir::new_in(&data).unwrap()).await;
    let client = reqwest::Client::new();
    let mut acknowledged = Vec::new();
    let mut refused = None;
    for i in 0..400 {
        let body = format!("{i:06}:{}", "x".repeat(32 * 1024));
        let resp = client.post(format!("{}/fill", r.url)).body(body.clone()).send().await.unwrap();
        match resp.status().as_u16() {
            200 => acknowledged.push(body),
            503 => {
                refused = Some(resp.json::<serde_json::Value>().await.unwrap());
                break;
            }
            other => panic!("unexpected status {other}"),
        }
    }
    let refused = refused.expect("the 3 MiB filesystem filled up");
    assert_eq!(refused["error"], "disk_full", "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("disk holding"), "{refused}");
    assert!(!acknowledged.is_empty());
    // Space comes back: capture resumes.
    std::fs::remove_file(&filler).unwrap();
    let resp = client.post(format!("{}/after", r.url)).body("after").send().await.unwrap();
    assert_eq!(resp.status(), 200, "capture resumes once space is freed");
    // Every acknowledged capture is there, byte for byte, also after a restart.
    let dir = r.stop();
    let again = Running::start_in(dir).await;
    let stored: Vec<Vec<u8>> = again.all_captures().await.into_iter().map(|c| c.data.body).collect();
    let expected: Vec<Vec<u8>> =
        acknowledged.into_iter().map(String::into_bytes).chain(std::iter::once(b"after".to_vec())).collect();
    assert_eq!(stored.len(), expected.len());
    assert!(stored == expected, "acknowledged captures survive exactly");
    again.engine.stop();
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_reported_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hookloupe.db");
    let junk = b"this is not an SQLite database, and it must not be overwritten".repeat(100);
    std::fs::write(&db, &junk).unwrap();
    // A journal beside it (SQLite would delete it on closing the file).
    let wal = dir.path().join("hookloupe.db-wal");
    std::fs::write(&wal, b"not a WAL either").unwrap();
    let err = hookloupe_core::Engine::open(hookloupe_tests::test_config(dir.path())).err().expect("refused");
    assert_eq!(err.code(), hookloupe_core::ErrorCode::Corrupt, "{err}");
    assert!(err.to_string().contains("left untouched"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), junk, "the file is unchanged");
    assert_eq!(std::fs::read(&wal).unwrap(), b"not a WAL either", "and so is its journal");
    let out = hookloupe_tests::cli(dir.path()).args(["--json", "list"]).output().unwrap();
    assert_eq!(json_error(&out.stderr)["code"], "corrupt");
    assert_eq!(std::fs::read(&db).unwrap(), junk);
    assert!(wal.exists(), "the CLI leaves the journal too");
}

/// The CLI's `--json` error (the last line of stderr).
fn json_error(stderr: &[u8]) -> serde_json::Value {
    let text = String::from_utf8_lossy(stderr);
    let last = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|e| panic!("not a JSON error ({e}): {text}"))
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(mode)).unwrap();
}

#[test]
fn a_read_only_database_is_said_plainly_by_the_cli() {
    let holder = tempfile::tempdir().unwrap();
    // As root (CI) modes do not stop writes: a filesystem of its own, remounted read-only.
    let fs = Tmpfs::mount(holder.path(), "16m");
    let data = holder.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    hookloupe_tests::cli(&data).args(["--json", "list"]).assert().success();
    let db = data.join("hookloupe.db");
    assert!(db.exists(), "the database was made");
    let how = match &fs {
        Some(fs) => {
            let ok = Command::new("mount").args(["-o", "remount,ro"]).arg(&fs.0).status().map(|s| s.success());
            assert!(ok.unwrap_or(false), "remount the test's tmpfs read-only");
            "a read-only filesystem"
        }
        None => {
            set_mode(&db, 0o444);
            set_mode(&data, 0o555);
            "file mode 0444 in a folder of mode 0555"
        }
    };
    let restore = || {
        if fs.is_none() {
            set_mode(&data, 0o755);
            set_mode(&db, 0o644);
        }
    };
    if std::fs::OpenOptions::new().append(true).open(&db).is_ok() {
        restore();
        println!("SKIPPED: faults::a_read_only_database_is_said_plainly_by_the_cli — {how} still lets this user write (root without mount)");
        return;
    }
    let out = hookloupe_tests::cli(&data).args(["--json", "listen", "--port", "0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "listen refuses at once: {}", String::from_utf8_lossy(&out.stderr));
    let err = json_error(&out.stderr);
    assert_eq!(err["code"], "read_only", "{how}: {err}");
    let message = err["message"].as_str().unwrap();
    assert!(message.contains(&format!("the database {} is read-only", db.display())), "{message}");
    let out = hookloupe_tests::cli(&data).args(["listen", "--port", "0"]).output().unwrap();
    let human = String::from_utf8_lossy(&out.stderr);
    assert!(human.contains("is read-only: this program may not write the file or its folder"), "plain words: {human}");
    assert!(!human.contains("internal error") && !human.contains("storage error"), "{human}");
    restore();
}

#[test]
fn a_database_locked_by_another_program_is_said_plainly_by_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    hookloupe_tests::cli(dir.path()).args(["--json", "list"]).assert().success();
    let locker = rusqlite::Connection::open(dir.path().join("hookloupe.db")).unwrap();
    locker.execute_batch("BEGIN EXCLUSIVE; INSERT INTO settings VALUES ('it.lock', 'x');").unwrap();
    let started = std::time::Instant::now();
    let out = hookloupe_tests::cli(dir.path()).args(["--json", "clear", "--yes"]).output().unwrap();
    let waited = started.elapsed();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let err = json_error(&out.stderr);
    assert_eq!(err["code"], "database_locked", "{err}");
    let message = err["message"].as_str().unwrap();
    assert!(message.contains("is locked by another program and stayed locked for 5 s"), "{message}");
    assert!(waited >= std::time::Duration::from_millis(4500), "it waited for the lock first ({waited:?})");
    locker.execute_batch("ROLLBACK").unwrap();
    drop(locker);
    hookloupe_tests::cli(dir.path()).args(["--json", "clear", "--yes"]).assert().success();
}
