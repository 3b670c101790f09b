//! Foundation: a webhook sent with an HTTP client appears live in the list; opening it shows
//! a header value and a body field.

use crate::harness::Gui;

#[tokio::test]
async fn a_webhook_appears_live_and_opens_with_headers_and_body() {
    let gui = Gui::start().await;
    gui.find("[data-testid=empty-state]").await;
    assert!(gui.text("[data-testid=empty-state]").await.contains(&gui.url), "empty state offers a curl line with the URL");
    gui.screenshot("foundation-empty").await;

    let resp = reqwest::Client::new()
        .post(format!("{}/stripe/events?attempt=1", gui.url))
        .header("content-type", "application/json")
        .header("x-e2e-marker", "marker-value-42")
        .body(r#"{"id":"evt_e2e","type":"invoice.paid","data":{"amount":4200,"currency":"eur"}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let id = resp.headers()["x-hookloupe-capture-id"].to_str().unwrap().to_owned();

    let row = format!("[data-testid=capture-row][data-id='{id}']");
    assert!(gui.text(&row).await.contains("/stripe/events"));
    gui.click(&row).await;
    assert!(gui.text("[data-testid=detail-url]").await.contains("/stripe/events?attempt=1"));

    gui.click("[data-testid=tab-headers]").await;
    gui.wait_text("[data-testid=header-value]", "marker-value-42").await;

    gui.click("[data-testid=tab-body]").await;
    gui.wait_text("[data-testid=body-view]", "\"amount\": 4200").await;
    let shot = gui.screenshot("foundation-capture").await;
    assert!(std::fs::metadata(shot).unwrap().len() > 10_000, "a real picture was saved");
    gui.close().await;
}

/// Retention set in the Settings sheet trims the list to the newest captures, oldest first.
#[tokio::test]
async fn retention_set_in_settings_keeps_only_the_newest_captures() {
    let gui = Gui::start().await;
    gui.click("[data-testid=open-settings]").await;
    gui.find("[data-testid=settings-panel]").await;
    assert!(gui.text("[data-testid=settings-db-path]").await.starts_with(gui.data_dir.path().to_str().unwrap()));
    gui.type_into("[data-testid=settings-retention]", "2").await;
    gui.click("[data-testid=settings-save]").await;
    gui.wait_text("[data-testid=toast]", "newest 2 captures").await;
    gui.click("[data-testid=settings-close]").await;

    let client = reqwest::Client::new();
    let mut ids = Vec::new();
    for i in 0..3 {
        let resp = client.post(format!("{}/keep/{i}", gui.url)).body(format!("{i}")).send().await.unwrap();
        ids.push(resp.headers()["x-hookloupe-capture-id"].to_str().unwrap().to_owned());
    }
    gui.find(&format!("[data-testid=capture-row][data-id='{}']", ids[2])).await;
    // The oldest one is gone once the list reloads after retention.
    let started = std::time::Instant::now();
    loop {
        let rows = gui.texts("[data-testid=capture-row]").await;
        if rows.len() == 2 && !rows.iter().any(|r| r.contains("/keep/0")) {
            break;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(15), "rows: {rows:?}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    gui.close().await;
}
