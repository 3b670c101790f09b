//! Public URL: start a bore tunnel from the tunnel panel against a real `bore server` on
//! loopback, see it go online with its public URL, and a request through it arrive.

use hookloupe_tests::{bore_bin, BoreServer};

use crate::harness::Gui;

#[tokio::test]
async fn a_bore_tunnel_started_from_the_panel_goes_online_and_captures() {
    let bore = bore_bin().expect("the `bore` binary (scripts/test.sh installs it)");
    let _server = BoreServer::start(&bore, "e2e-secret");
    let gui = Gui::start().await;

    gui.click("[data-testid=open-tunnel]").await;
    gui.find("[data-testid=tunnel-panel]").await;
    gui.click("[data-testid=tunnel-provider-bore]").await;
    gui.type_into("[data-testid=tunnel-bore-server]", "127.0.0.1").await;
    gui.type_into("[data-testid=tunnel-bore-secret]", "e2e-secret").await;
    gui.click("[data-testid=tunnel-start]").await;

    gui.find("[data-testid=tunnel-state][data-state=online]").await;
    let public = gui.text("[data-testid=tunnel-url]").await;
    assert!(public.starts_with("http://127.0.0.1:47"), "public URL shown: {public}");
    gui.find("[data-testid=tunnel-qr]").await;
    gui.wait_text("[data-testid=tunnel-endpoint-url]", &format!("{public}/")).await;
    gui.find("[data-testid=tunnel-chip][data-state=online]").await;
    gui.screenshot("tunnel-online").await;

    let resp = reqwest::Client::new().post(format!("{public}/through/tunnel")).body("{\"via\":\"bore\"}").send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let id = resp.headers()["x-hookloupe-capture-id"].to_str().unwrap().to_owned();
    gui.click("[data-testid=tunnel-close]").await;
    gui.click(&format!("[data-testid=capture-row][data-id='{id}']")).await;
    gui.wait_text("[data-testid=capture-via]", "tunnel").await;
    assert!(gui.text("[data-testid=detail-url]").await.starts_with(&public), "the capture's URL is the public one");
    gui.close().await;
}
