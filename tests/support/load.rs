//! Load generation for the benchmarks: 1 KiB JSON deliveries over many concurrent keep-alive
//! connections to a receiver, with throughput and latency percentiles. Shared by the capture
//! and search benchmarks so that their figures are comparable.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Concurrent connections of a load run.
pub const CONNECTIONS: usize = 64;

/// A 1 KiB JSON body, unique per `i`.
pub fn body_1kib(i: usize) -> Vec<u8> {
    let mut s = format!("{{\"id\":\"evt_{i:08}\",\"type\":\"invoice.paid\",\"data\":{{\"pad\":\"");
    while s.len() < 1024 - 3 {
        s.push('x');
    }
    s.push_str("\"}}");
    s.into_bytes()
}

pub struct Figures {
    pub rps: f64,
    pub p50: Duration,
    pub p99: Duration,
}

/// Sends `total` POSTs to `{url}/bench/stripe` over [`CONNECTIONS`] warmed connections; every
/// answer must be a 2xx.
pub async fn load(url: &str, total: usize) -> Figures {
    let client = reqwest::Client::builder().pool_max_idle_per_host(CONNECTIONS).build().unwrap();
    // Warm up the connections.
    for i in 0..CONNECTIONS {
        client.post(format!("{url}/bench/warm")).body(body_1kib(i)).send().await.unwrap();
    }
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONNECTIONS {
        let (client, next, url) = (client.clone(), next.clone(), url.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return latencies;
                }
                let t = Instant::now();
                let resp = client
                    .post(format!("{url}/bench/stripe"))
                    .header("content-type", "application/json")
                    .body(body_1kib(i))
                    .send()
                    .await
                    .unwrap();
                assert!(resp.status().is_success());
                let _ = resp.bytes().await;
                latencies.push(t.elapsed());
            }
        }));
    }
    let mut all = Vec::with_capacity(total);
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed();
    all.sort();
    Figures { rps: total as f64 / elapsed.as_secs_f64(), p50: all[all.len() / 2], p99: all[all.len() * 99 / 100] }
}
