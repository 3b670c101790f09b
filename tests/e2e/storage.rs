//! Storage trouble in the real window: while another program holds the database's write lock,
//! captures are refused (503) and a banner says why, since when and how many; it goes away once
//! a capture is stored again.

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
