//! Finding captures at scale (a benchmark, not a test): seeds a database with N captures
//! (default 1,000,000) of mixed realistic payloads — 1–10 KiB JSON invoice events, GitHub-like
//! nested JSON, SuperSaaS forms, binary bodies — by direct insertion through the store (the
//! same insert, full-text index and row count as a received capture), then prints:
//! - the first page of the unfiltered list and its total;
//! - a full-text search for a rare word (3 captures), and for a common one;
//! - a chip (endpoint), and the expression `type == "invoice.overdue" && data.total_cents > 150000`
//!   (exactly 0.1 % of the captures): first call, and until a full page of 100;
//! - capture throughput into that database next to an empty one (1 KiB JSON, 64 connections).
//!
//! `cargo bench -p hookloupe-tests --bench search [-- N [--keep DIR]]`: with `--keep`, the data
//! directory is kept (and reused when it already holds N captures), since seeding takes minutes.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use hookloupe_core::ipc::{CaptureFilter, CapturePage, ListCapturesReq};
use hookloupe_core::model::{CaptureSignature, EventKeys, HeaderList, NewCapture, Via};
use hookloupe_core::store::Store;
use hookloupe_core::Engine;
use hookloupe_tests::load::load;
use hookloupe_tests::{test_config, Running};

/// The rare word: in 3 captures whatever N is (at 17, N/3 + 17, 2N/3 + 17).
const RARE: &str = "ORD-2024-003";
const PAGE: u32 = 100;
const EXPR: &str = r#"type == "invoice.overdue" && data.total_cents > 150000"#;

const NAMES: &[&str] = &["Boulangerie Martin", "Café des Arts", "Garage Dupont", "Hôtel Bellevue", "Pharmacie Centrale"];
const WORDS: &[&str] = &["croissant", "baguette", "vidange", "chambre", "livraison", "remise", "acompte", "forfait"];

/// Capture `i` of `n`: the kind by `i % 100`, sizes and words from the seeded `rng`.
fn capture(i: usize, n: usize, rng: &mut fastrand::Rng) -> NewCapture {
    let rare = i % (n / 3).max(1) == 17;
    let target = 1024 + rng.usize(..9 * 1024);
    let at = 1_764_547_200_000_000 + i as i64 * 1_000_000; // one per second from 2025-12-01
    let (path, content_type, mut headers, body): (&str, &str, Vec<(&str, String)>, Vec<u8>) = match i % 100 {
        0..=69 => {
            // Exactly one capture in 1,000 is an overdue invoice over 1,500 €; other overdue ones are smaller.
            let (kind, total) = if i % 1000 == 7 {
                ("invoice.overdue", 150_001 + rng.i64(0..500_000))
            } else if i % 10 == 3 {
                ("invoice.overdue", rng.i64(1..=150_000))
            } else {
                (["invoice.paid", "invoice.created", "invoice.sent"][i % 3], rng.i64(1..2_000_000))
            };
            let client = NAMES[rng.usize(..NAMES.len())];
            let mut lines = Vec::new();
            let mut size = 300;
            while size < target {
                let line = format!(
                    r#"{{"label":"{} {}","qty":{},"unit_cents":{}}}"#,
                    WORDS[rng.usize(..WORDS.len())],
                    rng.u32(..100_000),
                    rng.u8(1..20),
                    rng.u32(100..100_000)
                );
                size += line.len() + 1;
                lines.push(line);
            }
            let numero = if rare { RARE.to_owned() } else { format!("FAC-2025-{i:07}") };
            let body = format!(
                r#"{{"id":"evt_{i:010}","type":"{kind}","created":{},"data":{{"numero":"{numero}","client_nom":"{client}","client_email":"compta{}@example.fr","total_cents":{total},"due_date":"2026-01-{:02}","lines":[{}]}}}}"#,
                at / 1_000_000,
                i % 5000,
                1 + i % 28,
                lines.join(",")
            );
            ("/hooks/comptentra", "application/json", vec![("x-servolution-signature", format!("{:064x}", i))], body.into_bytes())
        }
        70..=84 => {
            let mut body = format!(
                "event={}&role={}&id={i}&created_on=2026-01-{:02}&full_name={}&email=client{}%40example.fr",
                ["en_attente", "creer", "modifier", "effacer"][i % 4],
                i % 8,
                1 + i % 28,
                NAMES[i % NAMES.len()].replace(' ', "+"),
                i % 9000
            );
            if rare {
                body.push_str(&format!("&ref={RARE}"));
            }
            while body.len() < target {
                body.push_str(&format!("&field_{}={}", body.len(), WORDS[rng.usize(..WORDS.len())]));
            }
            ("/hooks/supersaas", "application/x-www-form-urlencoded", Vec::new(), body.into_bytes())
        }
        85..=94 => {
            let mut commits = Vec::new();
            let mut size = 200;
            while size < target {
                let c = format!(
                    r#"{{"id":"{:040x}","message":"Fix {} in {}","author":{{"name":"dev{}","email":"dev{}@example.com"}},"modified":["src/{}.rs"]}}"#,
                    rng.u128(..),
                    WORDS[rng.usize(..WORDS.len())],
                    WORDS[rng.usize(..WORDS.len())],
                    i % 50,
                    i % 50,
                    WORDS[rng.usize(..WORDS.len())]
                );
                size += c.len() + 1;
                commits.push(c);
            }
            let body = format!(
                r#"{{"ref":"refs/heads/main","repository":{{"full_name":"acme/shop","private":true}},"pusher":{{"name":"dev{}"}},"commits":[{}]}}"#,
                i % 50,
                commits.join(",")
            );
            (
                "/hooks/github",
                "application/json",
                vec![("x-github-event", "push".into()), ("x-github-delivery", format!("{:032x}", rng.u128(..)))],
                body.into_bytes(),
            )
        }
        _ => {
            let mut body = vec![0u8; target];
            rng.fill(&mut body);
            ("/hooks/files", "application/octet-stream", Vec::new(), body)
        }
    };
    headers.insert(0, ("content-type", content_type.to_owned()));
    headers.insert(0, ("host", "hooks.example.test".to_owned()));
    headers.push(("user-agent", "Bench/1.0".into()));
    let headers = HeaderList(headers.into_iter().map(|(k, v)| (k.to_owned(), v.into_bytes())).collect());
    let event = EventKeys::of(&headers, &body);
    NewCapture {
        received_at_us: at,
        endpoint: "default".into(),
        method: "POST".into(),
        path: path.into(),
        query: String::new(),
        url: format!("http://hooks.example.test{path}"),
        headers,
        body_size: body.len() as u64,
        body,
        body_over_limit: false,
        content_type: Some(content_type.into()),
        remote_addr: "127.0.0.1:40000".into(),
        via: Via::Local,
        forwarded_for: None,
        event,
        duplicate_of: None,
    }
}

/// Seeds `n` captures in steps; returns the time and the bytes of bodies stored.
fn seed(db: &std::path::Path, n: usize) -> (Duration, u64) {
    let store = Store::open(db).unwrap();
    let mut rng = fastrand::Rng::with_seed(7);
    let started = Instant::now();
    let mut bytes = 0u64;
    let step = 5_000;
    for from in (0..n).step_by(step) {
        let items: Vec<_> =
            (from..(from + step).min(n)).map(|i| (capture(i, n, &mut rng), CaptureSignature::default())).collect();
        bytes += items.iter().map(|(c, _)| c.body.len() as u64).sum::<u64>();
        store.insert_captures(&items).unwrap();
        if (from / step) % 20 == 19 {
            eprintln!("  seeded {} of {n} ({:.0} s)", from + step, started.elapsed().as_secs_f64());
        }
    }
    (started.elapsed(), bytes)
}

fn ms(d: Duration) -> String {
    format!("{:8.2} ms", d.as_secs_f64() * 1e3)
}

/// Runs `f` 5 times; prints the first and the median.
async fn timed<F, Fut>(name: &str, mut f: F) -> CapturePage
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = hookloupe_core::Result<CapturePage>>,
{
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..5 {
        let t = Instant::now();
        let page = f().await.unwrap();
        times.push(t.elapsed());
        last = Some(page);
    }
    let first = times[0];
    times.sort();
    let page = last.unwrap();
    println!(
        "  {name:<58} first {}  median {}   ({} items, total {})",
        ms(first),
        ms(times[2]),
        page.items.len(),
        page.total.map(|t| t.to_string()).unwrap_or_else(|| "unknown".into())
    );
    page
}

fn req(filter: CaptureFilter) -> ListCapturesReq {
    ListCapturesReq { limit: Some(PAGE), before: None, filter }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(1_000_000);
    let keep: Option<PathBuf> = args.iter().position(|a| a == "--keep").and_then(|i| args.get(i + 1)).map(PathBuf::from);
    let temp = tempfile::tempdir().unwrap();
    let dir = keep.clone().unwrap_or_else(|| temp.path().to_owned());
    std::fs::create_dir_all(&dir).unwrap();
    let config = test_config(&dir);
    let db = config.db_path();

    println!("search over {n} stored captures (mixed 1–10 KiB JSON, forms, binary), 2-core machine");
    {
        // A user who keeps that many: retention above the history's size, set before seeding.
        let engine = Engine::open(config.clone()).unwrap();
        engine.set_retention(n as u64 + 1_000_000).await.unwrap();
    }
    let existing = Store::open(&db).unwrap().with(|c| hookloupe_core::store::captures::count(c)).unwrap();
    if existing as usize >= n {
        println!("  reusing {} ({existing} captures)", dir.display());
    } else {
        let (took, bytes) = seed(&db, n - existing as usize);
        println!(
            "  seeded {n} captures ({:.0} MiB of bodies) in {:.0} s: {:.0} captures/s, {:.1} MiB/s",
            bytes as f64 / 1048576.0,
            took.as_secs_f64(),
            n as f64 / took.as_secs_f64(),
            bytes as f64 / 1048576.0 / took.as_secs_f64()
        );
    }
    let size = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
    println!("  database file: {:.0} MiB", size as f64 / 1048576.0);

    let engine = Engine::open(config.clone()).unwrap();

    let p = timed("list, first page + total (no filter)", || engine.list_captures(req(CaptureFilter::default()))).await;
    assert_eq!(p.items.len(), PAGE as usize);
    let words = |w: &str| CaptureFilter { search: Some(w.into()), ..Default::default() };
    let p = timed(&format!("full text, rare word {RARE:?}"), || engine.list_captures(req(words(RARE)))).await;
    assert_eq!(p.items.len(), 3, "the rare word is in 3 captures");
    timed("full text, common word \"croissant\"", || engine.list_captures(req(words("croissant")))).await;
    let chip = CaptureFilter { method: Some("POST".into()), via: Some("local".into()), ..Default::default() };
    timed("chips: method POST, via local", || engine.list_captures(req(chip.clone()))).await;
    let expr = CaptureFilter { query: Some(EXPR.into()), ..Default::default() };
    timed("expression matching 0.1 %, first call", || engine.list_captures(req(expr.clone()))).await;

    // Until a full page: what the list does while the user waits for 100 rows.
    let mut times = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let (mut found, mut before, mut calls) = (0usize, None, 0);
        loop {
            let page = engine.list_captures(ListCapturesReq { limit: Some(PAGE), before, filter: expr.clone() }).await.unwrap();
            found += page.items.len();
            calls += 1;
            match page.next_before {
                Some(b) if found < PAGE as usize => before = Some(b),
                _ => break,
            }
        }
        times.push((t.elapsed(), found, calls));
    }
    times.sort();
    let (t, found, calls) = times[1];
    println!("  {:<58} median {}   ({found} items in {calls} calls)", "expression matching 0.1 %, until a page of 100", ms(t));

    let t = Instant::now();
    let count = engine.count_matches(expr.clone()).await.unwrap();
    println!("  {:<58} {}   ({count} matches)", "expression matching 0.1 %, full count", ms(t.elapsed()));
    assert_eq!(count as usize, n / 1000 + usize::from(n % 1000 > 7), "0.1 % match");
    drop(engine);

    // Capture throughput with this history, next to an empty database, in the same run.
    let total = 20_000;
    let empty = Running::start().await;
    let e = load(&empty.url, total).await;
    empty.engine.stop();
    let engine = Engine::open(config).unwrap();
    let view = engine
        .listen(hookloupe_core::config::ListenAddr {
            bind: [127, 0, 0, 1].into(),
            port: 0,
            policy: hookloupe_core::PortPolicy::Exact,
        })
        .await
        .unwrap();
    let f = load(&view.url, total).await;
    engine.stop();
    for (name, fig) in [("capture into an empty database".to_owned(), &e), (format!("capture with {n} stored"), &f)] {
        println!(
            "  {name:<58} {:>8.0} req/s   p50 {}   p99 {}",
            fig.rps,
            ms(fig.p50),
            ms(fig.p99)
        );
    }
    println!("  ratio (with history / empty): {:.2}", f.rps / e.rps);
}
