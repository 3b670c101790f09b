//! Payload diff: two deliveries are ticked in the list and compared; the changed field is
//! listed with old → new and emphasised in the body; ignored changes come back on demand;
//! a duplicate delivery is flagged and offered as a partner from the inspector.

use crate::harness::Gui;

async fn send(gui: &Gui, id: &str, amount: u32, signature: &str) -> String {
    let body = format!(
        r#"{{"id":"{id}","object":"event","type":"invoice.paid","created":1717171717,"data":{{"amount":{amount},"currency":"eur"}}}}"#
    );
    let resp = reqwest::Client::new()
        .post(format!("{}/stripe/events", gui.url))
        .header("content-type", "application/json")
        .header("stripe-signature", signature)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.headers()["x-hookloupe-capture-id"].to_str().unwrap().to_owned()
}

fn row(id: &str) -> String {
    format!("[data-testid=capture-row][data-id='{id}']")
}

#[tokio::test]
async fn two_captures_are_compared_and_the_changed_field_is_highlighted() {
    let gui = Gui::start().await;
    let a = send(&gui, "evt_1", 4200, "t=1,v1=aaa").await;
    let b = send(&gui, "evt_2", 4300, "t=2,v1=bbb").await;
    let dup = send(&gui, "evt_1", 4200, "t=3,v1=ccc").await;

    // The retry of evt_1 is flagged in the list.
    gui.find(&format!("{} [data-testid=dup-chip]", row(&dup))).await;
    assert!(gui.find_all(&format!("{} [data-testid=dup-chip]", row(&b))).await.is_empty());

    // Tick two rows, open the diff.
    gui.click(&format!("{} [data-testid=row-select]", row(&a))).await;
    gui.click(&format!("{} [data-testid=row-select]", row(&b))).await;
    gui.screenshot("diff-list-selected").await;
    gui.click("[data-testid=diff-open]").await;
    gui.find("[data-testid=diff-view]").await;
    gui.click("[data-testid=diff-mode-unified]").await;
    let change = gui.wait_text("[data-testid=diff-json-change][data-path='data.amount']", "4300").await;
    assert!(change.contains("4200"), "old value shown: {change}");
    // Stripe defaults hide the event id and the signature header.
    assert!(gui.find_all("[data-testid=diff-json-change][data-path='id']").await.is_empty());
    assert!(gui.find_all("[data-testid=diff-header-change][data-name='stripe-signature']").await.is_empty());
    // The body line carries the new value emphasised.
    gui.wait_text("[data-testid=diff-line][data-tag=insert] [data-testid=diff-em]", "4300").await;
    gui.wait_text("[data-testid=diff-line][data-tag=delete] [data-testid=diff-em]", "4200").await;
    gui.click("[data-testid=diff-next]").await;
    gui.find("[data-testid=diff-json-change].current").await;
    gui.screenshot("diff-unified").await;
    // Unchanged lines below the change are folded; unfolding shows them.
    gui.wait_text("[data-testid=diff-fold]", "show 3 hidden lines").await;
    gui.click("[data-testid=diff-fold] button").await;
    gui.wait_text("[data-testid=diff-line][data-tag=equal]", "invoice.paid").await;

    // Ignored changes come back on demand; side by side shows the same emphasis.
    gui.click("[data-testid=diff-toggle-ignored]").await;
    gui.find("[data-testid=diff-json-change][data-path='id']").await;
    gui.click("[data-testid=diff-mode-split]").await;
    gui.wait_text("[data-testid=diff-line][data-tag=insert] [data-testid=diff-em]", "4300").await;
    gui.screenshot("diff-split").await;
    gui.click("[data-testid=diff-close]").await;

    // From the retry, "Compare with…" offers the original delivery.
    gui.click(&row(&dup)).await;
    gui.click("[data-testid=compare-with]").await;
    gui.click(&format!("[data-testid=diff-partner][data-id='{a}']")).await;
    gui.wait_text("[data-testid=diff-summary]", "No differences").await;
    gui.close().await;
}

#[tokio::test]
async fn a_large_diff_keeps_the_window_responsive_and_can_be_cancelled() {
    let gui = Gui::start().await;
    let big = |n: u32| {
        let items: Vec<String> =
            (0..250_000).map(|i| format!(r#"{{"i":{i},"v":{}}}"#, if i % 100 == 0 { n } else { 0 })).collect();
        format!("[{}]", items.join(","))
    };
    let mut ids = Vec::new();
    for n in [1, 2] {
        let resp = reqwest::Client::new()
            .post(format!("{}/big", gui.url))
            .header("content-type", "application/json")
            .body(big(n))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        ids.push(resp.headers()["x-hookloupe-capture-id"].to_str().unwrap().to_owned());
    }
    for id in &ids {
        gui.click(&format!("{} [data-testid=row-select]", row(id))).await;
    }
    gui.click("[data-testid=diff-open]").await;
    // While the engine works, the window answers: the Cancel button is there and works.
    gui.click("[data-testid=diff-cancel]").await;
    gui.wait_text("[data-testid=diff-error]", "cancelled").await;
    gui.screenshot("diff-cancelled").await;
    // Trying again completes.
    gui.click("[data-testid=diff-error] button").await;
    gui.find("[data-testid=diff-json-change]").await;
    gui.close().await;
}
