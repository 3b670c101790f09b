//! Storage trouble in the real window: while another program holds the database's write lock,
//! captures are refused (503) and a banner says why, since when and how many; it goes away once
//! a capture is stored again. On a damaged database the app opens on a start screen that names
//! the file and offers to move it aside (never deleting it) and start a new one.

use std::time::{Duration, Instant};

use crate::harness::Gui;

#[tokio::test]
async fn a_banner_shows_while_captures_are_refused() {
    let gui = Gui::start().await;
    let client = reqwest::Client::new();
    assert_eq!(client.post(format!("{}/before", gui.url)).body("x").send().await.unwrap().status(), 200);
    let locker = rusqlite::Connection::open(gui.data_dir.path().join("hookloupe.db")).unwrap();
    locker.execute_batch("BEGIN IMMEDIATE; INSERT INTO settings VALUES ('e2e.lock', 'x');").unwrap();
    // The writer waits for the lock (5 s) before refusing.
    let resp = client.post(format!("{}/during", gui.url)).body("x").send().await.unwrap();
    assert_eq!(resp.status(), 503);
    let text = gui.wait_text("[data-testid=storage-banner]", "captures are being refused").await;
    assert!(text.contains("Database busy") && text.contains("1 refused") && text.contains("locked"), "{text}");
    gui.screenshot("storage-banner").await;
    locker.execute_batch("ROLLBACK").unwrap();
    drop(locker);
    assert_eq!(client.post(format!("{}/after", gui.url)).body("x").send().await.unwrap().status(), 200);
    let started = Instant::now();
    while !gui.find_all("[data-testid=storage-banner]").await.is_empty() {
        assert!(started.elapsed() < Duration::from_secs(10), "the banner goes away once captures are stored again");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    gui.close().await;
}

#[tokio::test]
async fn a_damaged_database_is_offered_to_be_moved_aside_and_a_new_one_starts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hookloupe.db");
    let junk = b"this is not an SQLite database \x00\x01\xfe and must survive byte for byte\n".repeat(200);
    std::fs::write(&db, &junk).unwrap();
    std::fs::write(dir.path().join("hookloupe.db-wal"), b"stray journal").unwrap();
    let mut gui = Gui::launch(dir, &[("HOOKLOUPE_KEYRING".into(), "off".into())]).await;
    let screen = gui.wait_text("[data-testid=startup-screen]", "The database is damaged").await;
    assert!(screen.contains(db.to_str().unwrap()), "names the file: {screen}");
    assert!(screen.contains("Move aside and start new") && screen.contains("Quit"), "{screen}");
    gui.screenshot("storage-startup-damaged").await;
    assert_eq!(std::fs::read(&db).unwrap(), junk, "nothing happens to the file before the user says so");

    gui.click("[data-testid=startup-set-aside]").await;
    let moved_to = gui.text("[data-testid=startup-moved-to]").await;
    let moved = std::path::PathBuf::from(&moved_to);
    let name = moved.file_name().unwrap().to_str().unwrap().to_owned();
    assert!(name.starts_with("hookloupe.db.corrupt-") && moved.parent() == db.parent(), "{moved_to}");
    assert_eq!(std::fs::read(&moved).unwrap(), junk, "the old file was renamed, bytes intact");
    let wal = std::path::PathBuf::from(format!("{moved_to}-wal"));
    assert_eq!(std::fs::read(&wal).unwrap(), b"stray journal", "its -wal went with it");
    gui.screenshot("storage-startup-moved").await;

    gui.click("[data-testid=startup-continue]").await;
    gui.url = gui.text("[data-testid=listen-url]").await;
    assert!(gui.url.starts_with("http://127.0.0.1:"), "listening on a new database: {}", gui.url);
    assert!(gui.find_all("[data-testid=startup-screen]").await.is_empty(), "the start screen is gone");
    assert!(std::fs::read(&db).unwrap().starts_with(b"SQLite format 3\0"), "a new database in its place");
    // The normal, empty window; and it captures.
    gui.find("[data-testid=empty-state]").await;
    let resp = reqwest::Client::new().post(format!("{}/after", gui.url)).body("fresh").send().await.unwrap();
    assert_eq!(resp.status(), 200);
    gui.wait_text("[data-testid=capture-list]", "/after").await;
    gui.screenshot("storage-startup-new").await;
    gui.close().await;
}
