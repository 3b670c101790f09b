//! Forwarding benchmark (not a test): 1 KiB captures sent to the real receiver by 16 senders,
//! each forwarded by a rule (default policy) to a local target (a bare axum handler). Prints
//! the forwards/s sustained — from the first capture to the last forward stored as succeeded,
//! every attempt appended to the delivery log with its outbox row in one `synchronous=FULL`
//! transaction — and the provider's reply latency with and without the rule (the reply never
//! waits on a forward, so the difference should be about 0).
//!
//! `cargo bench -p hookloupe-tests --bench forward [-- N]` (default 2000 captures).

use std::sync::Arc;
use std::time::{Duration, Instant};

use hookloupe_core::ipc::{ForwardFilter, ListForwardsReq, RuleSpec, SaveForwardRuleReq};
use hookloupe_tests::{raw_http, Running};

async fn target(count: Arc<std::sync::atomic::AtomicUsize>) -> String {
    let app = axum::Router::new().fallback(move |body: axum::body::Bytes| {
        let count = count.clone();
        async move {
            std::hint::black_box(body.len());
            count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            axum::Json(serde_json::json!({ "ok": true }))
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/hook")
}

fn request(n: usize) -> Vec<u8> {
    let mut b = format!("{{\"id\":\"evt_{n}\",\"type\":\"invoice.paid\",\"pad\":\"");
    while b.len() < 1022 {
        b.push('x');
    }
    b.push_str("\"}");
    format!("POST /bench HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{b}", b.len())
        .into_bytes()
}

/// Sends `n` captures with 16 senders; returns the reply latencies, sorted.
async fn capture(r: &Running, n: usize) -> Vec<Duration> {
    let mut tasks = Vec::new();
    for s in 0..16 {
        let addr = r.addr;
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            for k in (s..n).step_by(16) {
                let t = Instant::now();
                let (status, _) = raw_http(addr, &request(k)).await;
                assert_eq!(status, 200);
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort();
    all
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(2000);
    let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let url = target(count.clone()).await;
    println!("forwarding: {n} captures of 1 KiB, 16 senders, one rule to a local target");

    let plain = Running::start().await;
    let base = capture(&plain, n).await;
    println!(
        "  provider reply without a rule: p50 {:>6.2} ms   p99 {:>6.2} ms",
        ms(base[base.len() / 2]),
        ms(base[base.len() * 99 / 100])
    );

    let r = Running::start().await;
    let spec = RuleSpec::new(Some("default".into()), url);
    r.engine.save_forward_rule(SaveForwardRuleReq { id: None, spec }).await.unwrap();
    let started = Instant::now();
    let lat = capture(&r, n).await;
    let captured = started.elapsed();
    while count.load(std::sync::atomic::Ordering::Relaxed) < n {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Until the last attempt is stored as succeeded, not only received.
    loop {
        let open = r
            .engine
            .list_forwards(ListForwardsReq { filter: Some(ForwardFilter::Open), limit: Some(1), ..Default::default() })
            .await
            .unwrap();
        if open.items.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let forwarded = started.elapsed();
    println!(
        "  provider reply with the rule:  p50 {:>6.2} ms   p99 {:>6.2} ms",
        ms(lat[lat.len() / 2]),
        ms(lat[lat.len() * 99 / 100])
    );
    println!(
        "  captured in {:.2} s ({:.0}/s); all {n} forwarded and stored in {:.2} s: {:.0} forwards/s sustained",
        captured.as_secs_f64(),
        n as f64 / captured.as_secs_f64(),
        forwarded.as_secs_f64(),
        n as f64 / forwarded.as_secs_f64()
    );
    let failed = r.engine.outbox_counts().await.unwrap().failed;
    assert_eq!(failed, 0);
}
