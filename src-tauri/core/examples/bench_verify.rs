//! Rough throughput of `verify` on a 1 MiB body (run with `--release`), and the time of a
//! full diagnosis when the signature is wrong. Not a test.

use std::time::Instant;

use hookloupe_core::signature::{sign, verify, Request, SchemeConfig, SchemeId, SignExtra};

const NOW: i64 = 1_700_000_000;

fn body_1mib() -> Vec<u8> {
    // A JSON array so the diagnosis also tries the re-serialization variants.
    let mut s = String::from("[");
    let mut i = 0;
    while s.len() < 1024 * 1024 - 64 {
        s.push_str(&format!("{{\"id\":{i},\"name\":\"item number {i}\"}},"));
        i += 1;
    }
    s.push_str("0]");
    s.into_bytes()
}

fn main() {
    let body = body_1mib();
    let base_headers = vec![("content-type".to_string(), "application/json".to_string())];
    let url = "http://127.0.0.1:4665/hook";
    let schemes = [
        SchemeConfig::new(SchemeId::Stripe, &["whsec_bench"]),
        SchemeConfig::new(SchemeId::Github, &["bench"]),
        SchemeConfig::new(SchemeId::GenericHmac, &["bench"])
            .with("header", "X-Sig")
            .with("algorithm", "sha512"),
        SchemeConfig::new(
            SchemeId::StandardWebhooks,
            &["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
        ),
    ];
    println!("body: {} bytes", body.len());
    for cfg in &schemes {
        let req = Request {
            method: "POST",
            url,
            headers: &base_headers,
            body: &body,
            remote_ip: None,
        };
        let extra = SignExtra {
            message_id: Some("msg_bench".into()),
            token: None,
        };
        let signed = sign(cfg, 0, &req, NOW, &extra).expect("sign");
        let mut headers = base_headers.clone();
        signed.apply_headers(&mut headers);
        let req = Request {
            headers: &headers,
            ..req
        };
        assert!(verify(cfg, &req, NOW).is_valid());
        let n = 50;
        let t = Instant::now();
        for _ in 0..n {
            std::hint::black_box(verify(cfg, &req, NOW));
        }
        let per = t.elapsed().as_secs_f64() / n as f64;
        println!(
            "{:<18} valid:   {:>7.1} verifications/s ({:.2} ms each)",
            format!("{:?}", cfg.scheme),
            1.0 / per,
            per * 1e3
        );

        let wrong = SchemeConfig {
            secrets: vec![hookloupe_core::signature::Secret::new("whsec_wrong")],
            ..cfg.clone()
        };
        let n = 5;
        let t = Instant::now();
        let mut v = None;
        for _ in 0..n {
            v = Some(verify(&wrong, &req, NOW));
        }
        let per = t.elapsed().as_secs_f64() / n as f64;
        let v = v.unwrap();
        println!(
            "{:<18} invalid: full diagnosis {:.1} ms -> {:?}",
            "",
            per * 1e3,
            v.reason
        );
    }
}
