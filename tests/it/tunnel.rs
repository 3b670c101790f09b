//! Public URL through a real `bore server` started by the test on loopback; ngrok live when
//! `NGROK_AUTHTOKEN` is set (ignored otherwise, with the reason shown by the test runner).

use std::time::{Duration, Instant};

use hookloupe_core::tunnel::{BoreSpec, TunnelSpec, TunnelState, TunnelStatusView};
use hookloupe_core::{Engine, ErrorCode};
use hookloupe_tests::{bore_bin, BoreServer, Running};

async fn wait_state(engine: &Engine, state: TunnelState) -> TunnelStatusView {
    let started = Instant::now();
    loop {
        let s = engine.tunnel_status();
        if s.state == state {
            return s;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "tunnel never became {state:?}; last: {s:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bore_tunnel_captures_with_provenance_and_survives_a_server_restart() {
    let Some(bore) = bore_bin() else {
        panic!("the `bore` binary is missing: `cargo install bore-cli --locked` (scripts/test.sh does it)");
    };
    let server = BoreServer::start(&bore, "s3cret");
    let r = Running::start().await;
    let spec = |secret: &str| TunnelSpec::Bore(BoreSpec { host: "127.0.0.1".into(), port: 0, secret: Some(secret.into()) });

    // A wrong secret fails with a reason, and does not retry forever.
    r.engine.start_tunnel(spec("wrong")).await.unwrap();
    let failed = wait_state(&r.engine, TunnelState::Failed).await;
    assert_eq!(failed.reason.as_deref(), Some("auth_failed"), "{failed:?}");

    r.engine.start_tunnel(spec("s3cret")).await.unwrap();
    let online = wait_state(&r.engine, TunnelState::Online).await;
    let public = online.public_url.clone().unwrap();
    assert!(public.starts_with("http://127.0.0.1:47"), "{public}");
    assert!(online.qr_svg.as_deref().unwrap_or("").contains("<svg"));

    let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    // Through the tunnel: provenance recorded, URL is the public one, a sender's X-Forwarded-For is not trusted.
    let resp = client
        .post(format!("{public}/tunnel/hook?x=1"))
        .header("x-forwarded-for", "203.0.113.66")
        .body("via bore")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // Locally: provenance local.
    client.post(format!("{}/local", r.url)).header("x-forwarded-for", "203.0.113.77").body("local").send().await.unwrap();
    // Only capture endpoints are reachable: a UI path is just captured and acknowledged.
    let ui = client.get(format!("{public}/index.html")).send().await.unwrap();
    assert_eq!(ui.headers()["content-type"], "application/json");

    let all = r.all_captures().await;
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].data.via, hookloupe_core::model::Via::Tunnel);
    assert_eq!(all[0].data.url, format!("{public}/tunnel/hook?x=1"));
    assert_eq!(all[0].data.forwarded_for, None, "bore adds no trustworthy client address");
    assert_eq!(all[0].data.body, b"via bore");
    assert_eq!(all[1].data.via, hookloupe_core::model::Via::Local);
    assert_eq!(all[1].data.forwarded_for, None, "a local sender's X-Forwarded-For is never trusted");
    assert_eq!(all[2].data.via, hookloupe_core::model::Via::Tunnel);

    // Kill the server: reconnecting. Restart it: online again, same URL, captures flow.
    drop(server);
    let reconnecting = wait_state(&r.engine, TunnelState::Reconnecting).await;
    assert_eq!(reconnecting.public_url.as_deref(), Some(public.as_str()), "URL kept while reconnecting");
    assert!(reconnecting.message.is_some());
    let _server = BoreServer::start(&bore, "s3cret");
    let back = wait_state(&r.engine, TunnelState::Online).await;
    assert_eq!(back.public_url.as_deref(), Some(public.as_str()), "same public port after reconnecting");
    let resp = client.post(format!("{public}/after-restart")).body("again").send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(r.all_captures().await.last().unwrap().data.body, b"again");

    r.engine.stop_tunnel();
    assert_eq!(r.engine.tunnel_status().state, TunnelState::Off);
}

#[tokio::test]
async fn ngrok_without_a_token_says_how_to_get_one_and_tokens_stay_masked() {
    let r = Running::start().await;
    if std::env::var_os("NGROK_AUTHTOKEN").is_none() {
        let err = r.engine.start_tunnel(TunnelSpec::Ngrok { token: None, domain: None }).await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput);
        assert!(err.to_string().contains("NGROK_AUTHTOKEN"), "{err}");
    }
    let info = r.engine.save_ngrok_token(Some("2abcdefghijklmnopqrstuvwxyz".into())).await.unwrap();
    assert_eq!(info.saved.as_deref(), Some("2abc…wxyz"));
    let cleared = r.engine.save_ngrok_token(None).await.unwrap();
    assert_eq!(cleared.saved, None);
}

/// ngrok for real: needs `NGROK_AUTHTOKEN` and the internet (`scripts/test.sh` runs it when set).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs NGROK_AUTHTOKEN and internet; scripts/test.sh runs it when the token is set"]
async fn ngrok_live_tunnel_captures() {
    std::env::var("NGROK_AUTHTOKEN").expect("NGROK_AUTHTOKEN");
    let r = Running::start().await;
    r.engine.start_tunnel(TunnelSpec::Ngrok { token: None, domain: None }).await.unwrap();
    let online = wait_state(&r.engine, TunnelState::Online).await;
    let public = online.public_url.unwrap();
    assert!(public.starts_with("https://"), "{public}");
    let resp = reqwest::Client::new().post(format!("{public}/ngrok/live")).body("hello ngrok").send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let last = r.all_captures().await.pop().unwrap();
    assert_eq!(last.data.via, hookloupe_core::model::Via::Tunnel);
    assert!(last.data.forwarded_for.is_some(), "ngrok reports the client address");
    assert_eq!(last.data.url, format!("{public}/ngrok/live"));
}
