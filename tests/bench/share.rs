//! Export and import throughput (not a test): a history of N captures (default 100,000) of
//! mixed payloads — JSON events of 1–4 KiB, forms, some binary — seeded straight through the
//! store, then exported as JSONL and as HAR (to a file, written aside, fsynced, renamed) and
//! imported again into a fresh database (every capture judged and indexed like a received one).
//! Prints captures/s and MB/s of the file for each, and the process's peak RSS.
//!
//! `cargo bench -p hookloupe-tests --bench share [-- N]`

use std::time::Instant;

use hookloupe_core::ipc::{CaptureFilter, ExportFormat, ExportReq, ImportReq};
use hookloupe_core::model::{CaptureSignature, EventKeys, HeaderList, NewCapture, Via};
use hookloupe_core::store::Store;
use hookloupe_core::Engine;
use hookloupe_tests::test_config;

fn capture(i: usize) -> NewCapture {
    let (content_type, body): (&str, Vec<u8>) = match i % 10 {
        0 => ("application/octet-stream", (0..1024 + i % 2048).map(|b| (b * 31 + i) as u8).collect()),
        1 | 2 => ("application/x-www-form-urlencoded", format!("vads_order_id=ORD-{i}&vads_amount={}&vads_trans_status=AUTHORISED&signature=abc{i}", i % 9000).into_bytes()),
        _ => {
            let pad = "lorem ipsum dolor sit amet ".repeat(30 + i % 120);
            ("application/json", format!(r#"{{"id":"evt_{i}","type":"invoice.paid","data":{{"object":{{"amount":{},"customer":{{"email":"c{i}@example.com"}},"note":"{pad}"}}}}}}"#, i % 100_000).into_bytes())
        }
    };
    let headers = HeaderList(vec![
        ("Host".into(), b"127.0.0.1:4665".to_vec()),
        ("User-Agent".into(), b"Stripe/1.0 (+https://stripe.com/docs/webhooks)".to_vec()),
        ("Content-Type".into(), content_type.as_bytes().to_vec()),
        ("Stripe-Signature".into(), format!("t=1700000000,v1={:064x}", i).into_bytes()),
        ("Content-Length".into(), body.len().to_string().into_bytes()),
    ]);
    NewCapture {
        received_at_us: 1_700_000_000_000_000 + i as i64 * 1000,
        endpoint: "default".into(),
        method: "POST".into(),
        path: "/stripe/events".into(),
        query: if i % 7 == 0 { format!("token=t{i}&page=1") } else { String::new() },
        url: "http://127.0.0.1:4665/stripe/events".into(),
        event: EventKeys::of(&headers, &body),
        headers,
        body_size: body.len() as u64,
        body,
        body_over_limit: false,
        content_type: Some(content_type.into()),
        remote_addr: "127.0.0.1:50000".into(),
        via: Via::Local,
        forwarded_for: None,
        duplicate_of: None,
    }
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok()))
        .map_or(0.0, |kib| kib / 1024.0)
}

fn line(what: &str, n: u64, bytes: u64, secs: f64) {
    println!(
        "{what:<28} {n:>7} captures in {secs:>6.2} s: {:>8.0} captures/s, {:>7.1} MB/s ({:.1} MB)",
        n as f64 / secs,
        bytes as f64 / 1e6 / secs,
        bytes as f64 / 1e6
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(100_000);
    let src = tempfile::tempdir().unwrap();
    let seeded = Instant::now();
    {
        let store = Store::open(&test_config(src.path()).db_path()).unwrap();
        for start in (0..n).step_by(5000) {
            let items: Vec<(NewCapture, CaptureSignature)> =
                (start..(start + 5000).min(n)).map(|i| (capture(i), CaptureSignature::default())).collect();
            store.insert_captures(&items).unwrap();
        }
    }
    println!("seeded {n} captures through the store in {:.1} s", seeded.elapsed().as_secs_f64());
    let engine = Engine::open(test_config(src.path())).unwrap();
    let mut files = Vec::new();
    for (format, name) in [(ExportFormat::Jsonl, "jsonl"), (ExportFormat::Har, "har")] {
        let path = src.path().join(format!("export.{name}"));
        let started = Instant::now();
        let report = engine
            .export(ExportReq { filter: CaptureFilter::default(), format, redact: None, path: path.display().to_string() })
            .await
            .unwrap();
        line(&format!("export {name}"), report.captures, report.bytes, started.elapsed().as_secs_f64());
        files.push((name, path, report.bytes));
    }
    let redacted = src.path().join("export.redacted.jsonl");
    let started = Instant::now();
    let report = engine
        .export(ExportReq {
            filter: CaptureFilter::default(),
            format: ExportFormat::Jsonl,
            redact: Some(hookloupe_core::ipc::RedactOptions { defaults: true, json_paths: vec!["data.object.customer.email".into()] }),
            path: redacted.display().to_string(),
        })
        .await
        .unwrap();
    line("export jsonl, redacted", report.captures, report.bytes, started.elapsed().as_secs_f64());
    for (name, path, bytes) in files {
        let dst = tempfile::tempdir().unwrap();
        let target = Engine::open(test_config(dst.path())).unwrap();
        let started = Instant::now();
        let report = target.import(ImportReq { path: path.display().to_string(), endpoint: None }).await.unwrap();
        assert!(report.problems.is_empty(), "{:?}", &report.problems[..report.problems.len().min(3)]);
        line(&format!("import {name}"), report.ids.len() as u64, bytes, started.elapsed().as_secs_f64());
    }
    println!("peak RSS of the process: {:.0} MiB", peak_rss_mib());
}
