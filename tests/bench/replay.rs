//! Replay throughput benchmark (not a test): a 1 KiB and a 1 MiB capture replayed to a local
//! target (a bare axum handler that reads the body and answers 200), through the whole path a
//! user's replay takes — build the request, send it on a new connection, read the answer,
//! append the attempt (request as sent and response) to the delivery log with
//! `synchronous=FULL`. One at a time (as the app's batch replay sends) and 8 at once.
//!
//! `cargo bench -p hookloupe-tests --bench replay [-- N]` (default 2000 small, 200 large).

use std::time::{Duration, Instant};

use hookloupe_core::ipc::{ReplayReq, ReplayTarget, RequestEdits};
use hookloupe_tests::{capture_id_of, raw_http, Running};

async fn target() -> String {
    let app = axum::Router::new().fallback(|body: axum::body::Bytes| async move {
        std::hint::black_box(body.len());
        axum::Json(serde_json::json!({ "ok": true }))
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/hook")
}

fn body(size: usize) -> String {
    let mut s = String::from("{\"id\":\"evt_1\",\"type\":\"invoice.paid\",\"pad\":\"");
    while s.len() < size - 2 {
        s.push('x');
    }
    s.push_str("\"}");
    s
}

async fn run(r: &Running, id: i64, url: &str, n: usize, parallel: usize) -> (f64, Duration, Duration) {
    let started = Instant::now();
    let mut tasks = Vec::new();
    let per = n / parallel;
    for _ in 0..parallel {
        let (engine, url) = (r.engine.clone(), url.to_string());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(per);
            for _ in 0..per {
                let t = Instant::now();
                let v = engine
                    .replay(ReplayReq {
                        capture_id: id,
                        target: ReplayTarget {
                            url: url.clone(),
                            keep_path: false,
                            resign: false,
                            secret_index: None,
                            new_message_id: false,
                            timeout_ms: None,
                            insecure: false,
                        },
                        edits: RequestEdits::default(),
                        token: None,
                        discard_draft: false,
                    })
                    .await
                    .unwrap();
                assert_eq!(v.summary.status, Some(200));
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed();
    all.sort();
    (all.len() as f64 / elapsed.as_secs_f64(), all[all.len() / 2], all[all.len() * 99 / 100])
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(2000);
    let r = Running::start().await;
    let url = target().await;
    println!("replay throughput to a local target (new connection per replay, attempt stored durably)");
    for (label, size, count) in [("1 KiB", 1024, n), ("1 MiB", 1024 * 1024, (n / 10).max(16))] {
        let b = body(size);
        let raw = format!("POST /bench HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{b}", b.len());
        let (_, resp) = raw_http(r.addr, raw.as_bytes()).await;
        let id = capture_id_of(&resp).expect("captured");
        for parallel in [1, 8] {
            let (rps, p50, p99) = run(&r, id, &url, count, parallel).await;
            println!(
                "  {label} capture, {parallel} at a time, {count} replays: {rps:>8.0} replays/s   p50 {:>7.2} ms   p99 {:>7.2} ms",
                p50.as_secs_f64() * 1e3,
                p99.as_secs_f64() * 1e3
            );
        }
    }
}
