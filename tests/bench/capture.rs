//! Capture throughput benchmark (not a test): 1 KiB JSON bodies over 64 concurrent
//! keep-alive connections against (a) Hookloupe's receiver with durable storage (WAL,
//! synchronous=FULL, group commit, reply after commit) and (b) a bare axum handler that stores
//! nothing, in the same run, then prints both and their ratio.
//!
//! Then the same against a database already holding a history (default 100,000 captures: the
//! default retention, so every commit also trims the oldest), seeded by direct insertion, with
//! retention at the history's size (a user who keeps that many).
//!
//! `cargo bench -p hookloupe-tests --bench capture [-- REQUESTS [HISTORY...]]` (default 20000
//! requests per server, history 100000; e.g. `-- 20000 100000 1000000`).

use std::time::{Duration, Instant};

use hookloupe_tests::load::{body_1kib, load, Figures, CONNECTIONS};
use hookloupe_tests::Running;

async fn bare_axum() -> String {
    let app = axum::Router::new().fallback(|body: axum::body::Bytes| async move {
        std::hint::black_box(body.len());
        axum::Json(serde_json::json!({ "ok": true }))
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

/// Copies the newest capture `n` times by direct insertion (one transaction), so the receiver
/// meets a database that already holds a history. The row-count triggers run as for any insert.
fn seed(db: &std::path::Path, n: usize) {
    let mut conn = rusqlite::Connection::open(db).unwrap();
    conn.busy_timeout(Duration::from_secs(30)).unwrap();
    let tx = conn.transaction().unwrap();
    let cols = "received_at_us, endpoint, method, path, query, url, headers, body, body_size, body_over_limit, \
                content_type, remote_addr, event_indexed, via, text_indexed";
    // The copies are marked indexed without their words in the full-text index (this measures
    // the table's size; the search bench measures capture into a full index).
    tx.execute(
        &format!(
            "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?1)
             INSERT INTO captures ({cols}) SELECT {cols} FROM k, (SELECT * FROM captures ORDER BY id DESC LIMIT 1)"
        ),
        [n as i64],
    )
    .unwrap();
    // A user who keeps this many: retention at the history's size (at least the default), so the
    // run measures the steady state — every commit trims as many as it adds.
    tx.execute(
        "UPDATE settings SET value = max(CAST(value AS INTEGER), ?1) WHERE key = 'retention.max_captures'",
        [(n + 1) as i64],
    )
    .unwrap();
    tx.commit().unwrap();
}

#[tokio::main]
async fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let total = args.first().copied().unwrap_or(20_000);
    let histories: Vec<usize> = if args.len() > 1 { args[1..].to_vec() } else { vec![100_000] };
    println!("capture throughput: {total} requests, 1 KiB JSON, {CONNECTIONS} concurrent connections, 127.0.0.1");

    let baseline_url = bare_axum().await;
    let baseline = load(&baseline_url, total).await;

    let hook = Running::start().await;
    let captured = load(&hook.url, total).await;
    let stored = hook.engine.count_captures().await.unwrap();
    assert_eq!(stored as usize, total + CONNECTIONS, "every request stored");

    hook.engine.stop();

    let row = |name: &str, f: &Figures| {
        println!(
            "  {name:<66} {:>9.0} req/s   p50 {:>7.2} ms   p99 {:>7.2} ms   ratio {:.2}",
            f.rps,
            f.p50.as_secs_f64() * 1e3,
            f.p99.as_secs_f64() * 1e3,
            f.rps / baseline.rps
        )
    };
    row("bare axum handler (stores nothing)", &baseline);
    row("hookloupe receiver, empty database (durable, reply after commit)", &captured);

    for history in histories {
        let dir = tempfile::tempdir().unwrap();
        {
            // Open once to create the schema, store one capture as the template, then seed.
            let first = Running::start_in(dir).await;
            reqwest::Client::new().post(format!("{}/bench/seed", first.url)).body(body_1kib(0)).send().await.unwrap();
            let dir = first.stop();
            let seeded = Instant::now();
            seed(&dir.path().join("hookloupe.db"), history.saturating_sub(1));
            let seed_time = seeded.elapsed();
            let hook = Running::start_in(dir).await;
            let retention = hook.engine.retention();
            let f = load(&hook.url, total).await;
            let stored = hook.engine.count_captures().await.unwrap();
            let all = history + total + CONNECTIONS;
            if retention == 0 || all <= retention as usize {
                assert_eq!(stored as usize, all.min(retention.max(all as u64) as usize), "every request stored");
            } else {
                // Trimmed in bounded steps per commit: at the limit, or shrinking towards it.
                assert!(stored as usize <= all.max(retention as usize) && stored >= retention, "stored {stored}");
            }
            row(&format!("hookloupe receiver, {history} stored (retention {retention})"), &f);
            println!("    ({stored} stored after the run)");
            println!("    (seeded {history} captures in {:.1} s)", seed_time.as_secs_f64());
            hook.engine.stop();
        }
    }
}
