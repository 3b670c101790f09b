//! Storage faults on a real filesystem made by the test: a small tmpfs fills up while a sender
//! streams captures. Nothing is acknowledged that is not on disk, the sender is told `disk_full`
//! in plain words, every acknowledged capture survives byte for byte, and capture resumes once
//! space is freed. Needs root to mount (CI runs as root); elsewhere it says SKIPPED.

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
    let err = hookloupe_core::Engine::open(hookloupe_tests::test_config(dir.path())).err().expect("refused");
    assert_eq!(err.code(), hookloupe_core::ErrorCode::Corrupt, "{err}");
    assert!(err.to_string().contains("left untouched"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), junk, "the file is unchanged");
}
