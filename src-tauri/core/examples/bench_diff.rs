//! Times the diff engine on large deterministic inputs (not a test):
//! `cargo run --release -p hookloupe-core --example bench_diff`.

use std::time::Instant;

use hookloupe_core::diff::{diff, Diff, DiffOptions, Side};

/// Tiny deterministic PRNG (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// A JSON body of about `target` bytes: an event envelope with many line items.
/// Returns (old, new) where ~1% of leaf fields differ in value; the new side also has
/// its keys in a different order (which must not matter).
fn json_pair(target: usize, seed: u64) -> (String, String, usize) {
    let mut rng = Rng(seed);
    let (mut a, mut b) = (
        String::from("{\"id\":\"evt_1\",\"type\":\"invoice.paid\",\"items\":["),
        String::from("{\"items\":["),
    );
    let mut changed = 0;
    let mut i = 0u64;
    while a.len() < target {
        if i > 0 {
            a.push(',');
            b.push(',');
        }
        let amount = rng.next() % 100_000;
        let sku = format!("sku_{:012x}", rng.next() & 0xffff_ffff_ffff);
        let desc = format!(
            "Item number {i} with some descriptive text {}",
            rng.next() % 1000
        );
        let qty = rng.next() % 10;
        // 5 leaf fields per item; change one field in 1 of 20 items → 1% of fields.
        let change = rng.next() % 20 == 0;
        let new_amount = if change {
            changed += 1;
            amount + 1
        } else {
            amount
        };
        a.push_str(&format!(
            "{{\"id\":{i},\"amount\":{amount},\"sku\":\"{sku}\",\"description\":\"{desc}\",\"quantity\":{qty}}}"
        ));
        b.push_str(&format!(
            "{{\"quantity\":{qty},\"description\":\"{desc}\",\"sku\":\"{sku}\",\"amount\":{new_amount},\"id\":{i}}}"
        ));
        i += 1;
    }
    a.push_str("]}");
    b.push_str("],\"type\":\"invoice.paid\",\"id\":\"evt_1\"}");
    (a, b, changed)
}

fn run(label: &str, a: &[u8], b: &[u8], ct: Option<&str>, opts: &DiffOptions) -> Diff {
    let side = |body| Side {
        method: "POST",
        path: "/",
        query: "",
        headers: &[],
        body,
        content_type: ct,
        verdict: None,
    };
    let t = Instant::now();
    let d = diff(&side(a), &side(b), opts, &|| false).expect("diff");
    println!(
        "{label:<48} {:>8.1} KiB vs {:>8.1} KiB: {:>8.1} ms  ({} hunks, +{} -{}, {} json changes)",
        a.len() as f64 / 1024.0,
        b.len() as f64 / 1024.0,
        t.elapsed().as_secs_f64() * 1000.0,
        d.hunks.len(),
        d.stats.insertions,
        d.stats.deletions,
        d.json_changes.len()
    );
    d
}

fn main() {
    let opts = DiffOptions::default();
    let json = Some("application/json");

    let (a, b, n) = json_pair(1 << 20, 42);
    let d = run(
        "1 MiB JSON, 1% fields changed",
        a.as_bytes(),
        b.as_bytes(),
        json,
        &opts,
    );
    assert_eq!(d.json_changes.len(), n);

    let keyed = DiffOptions {
        array_key: Some("id".into()),
        ignore_paths: vec!["items[*].sku".into()],
        ..Default::default()
    };
    run(
        "1 MiB JSON, array_key + ignore rule",
        a.as_bytes(),
        b.as_bytes(),
        json,
        &keyed,
    );

    let (a, b, n) = json_pair(10 << 20, 7);
    let d = run(
        "10 MiB JSON, 1% fields changed",
        a.as_bytes(),
        b.as_bytes(),
        json,
        &opts,
    );
    assert_eq!(d.json_changes.len(), n);

    // 10 MiB text, completely different line content (worst case for line diffing).
    let mut rng = Rng(3);
    let mut ta = String::new();
    let mut tb = String::new();
    while ta.len() < 10 << 20 {
        ta.push_str(&format!("line {:016x}\n", rng.next()));
        tb.push_str(&format!("line {:016x}\n", rng.next()));
    }
    run(
        "10 MiB text, every line different",
        ta.as_bytes(),
        tb.as_bytes(),
        Some("text/plain"),
        &opts,
    );

    // 10 MiB binary with a few bytes flipped, and with one byte inserted (shifts the dump).
    let bin: Vec<u8> = (0..10u32 << 20).map(|_| (rng.next() >> 56) as u8).collect();
    let mut flipped = bin.clone();
    for k in 0..10 {
        flipped[k * 1_000_003] ^= 0xff;
    }
    run(
        "10 MiB binary, 10 bytes flipped",
        &bin,
        &flipped,
        Some("application/octet-stream"),
        &opts,
    );
    let mut shifted = bin.clone();
    shifted.insert(5 << 20, 0);
    run(
        "10 MiB binary, 1 byte inserted mid-way",
        &bin,
        &shifted,
        Some("application/octet-stream"),
        &opts,
    );
}
