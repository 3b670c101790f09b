//! Providers whose key is a certificate at a URL the delivery names (Amazon SNS, PayPal),
//! through the real receiver, engine and a real certificate server on 127.0.0.1 (port 0) that
//! the engine is told to trust for the test: a delivery judged before its certificate is known
//! says "not available", the engine fetches it in the background and judges the capture again
//! (valid); a URL on a foreign host or path is refused and no request reaches the server; a
//! fetch that fails is named in the verdict; a pasted certificate works offline (no fetch),
//! through the engine and `hookloupe certs add/list`. The deliveries are the ones
//! tests/crosscheck/network_key_vectors.py signed with the repository's test key (their
//! certificate URL is not signed, so it can point here).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hookloupe_core::ipc::AddCertificateReq;
use hookloupe_core::model::Capture;
use hookloupe_core::signature::{provider, ReasonCode, Verdict, VerdictStatus};
use hookloupe_tests::{cli, signed_endpoint, Running};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn testdata(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../src-tauri/core/src/signature/testdata").join(name)
}

fn cert_pem() -> String {
    std::fs::read_to_string(testdata("network_key_test_cert.pem")).unwrap()
}

struct Vector {
    headers: Vec<(String, String)>,
    body: String,
    cert_url: String,
    secret: String,
}

fn vector(name: &str) -> Vector {
    let all: Vec<serde_json::Value> = serde_json::from_str(&std::fs::read_to_string(testdata("network_key_vectors.json")).unwrap()).unwrap();
    let v = all.iter().find(|v| v["name"] == name).unwrap();
    Vector {
        headers: v["headers"].as_array().unwrap().iter().map(|h| (h[0].as_str().unwrap().into(), h[1].as_str().unwrap().into())).collect(),
        body: v["body"].as_str().unwrap().into(),
        cert_url: v["cert_url"].as_str().unwrap().into(),
        secret: v["secret"].as_str().unwrap().into(),
    }
}

/// A certificate server: the test certificate at any `.pem` path except `/missing.pem` (404);
/// every request path is recorded.
struct CertServer {
    origin: String,
    paths: Arc<Mutex<Vec<String>>>,
}

impl CertServer {
    async fn start() -> CertServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let paths = Arc::new(Mutex::new(Vec::new()));
        let seen = paths.clone();
        let pem = cert_pem();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                let (seen, pem) = (seen.clone(), pem.clone());
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match s.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let head = String::from_utf8_lossy(&buf).into_owned();
                    let path = head.split(' ').nth(1).unwrap_or_default().to_string();
                    seen.lock().unwrap().push(path.clone());
                    let answer = if path == "/missing.pem" {
                        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string()
                    } else {
                        format!("HTTP/1.1 200 OK\r\nContent-Type: application/x-pem-file\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{pem}", pem.len())
                    };
                    let _ = s.write_all(answer.as_bytes()).await;
                });
            }
        });
        CertServer { origin, paths }
    }

    fn requests(&self) -> Vec<String> {
        self.paths.lock().unwrap().clone()
    }
}

/// An endpoint configured as catalog provider `id`.
async fn as_provider(r: &Running, id: &str, prefix: &str, secrets: &[&str]) {
    let p = provider::find(id).unwrap();
    let cfg = p.config();
    let options: Vec<(&str, &str)> = cfg.options.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    signed_endpoint(&r.engine, id, prefix, Some(p.scheme), secrets, &options, 200, 0).await;
}

async fn post(r: &Running, path: &str, headers: &[(String, String)], body: &str) -> Capture {
    let mut req = reqwest::Client::new().post(format!("{}{path}", r.url)).body(body.to_string());
    for (n, v) in headers {
        req = req.header(n.as_str(), v.as_str());
    }
    let resp = req.send().await.unwrap();
    let id: i64 = resp.headers()["x-hookloupe-capture-id"].to_str().unwrap().parse().unwrap();
    r.engine.capture(id).await.unwrap()
}

fn verdict(c: &Capture) -> &Verdict {
    c.signature.verdict.as_ref().expect("a verdict")
}

/// The capture's verdict once `done` holds (the background fetch and re-judging take a moment).
async fn eventually(r: &Running, id: i64, done: impl Fn(&Verdict) -> bool) -> Verdict {
    for _ in 0..100 {
        let v = r.engine.capture(id).await.unwrap().signature.verdict.unwrap();
        if done(&v) {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    r.engine.capture(id).await.unwrap().signature.verdict.unwrap()
}

#[tokio::test]
async fn a_missing_certificate_is_fetched_in_the_background_and_the_capture_judged_again() {
    let server = CertServer::start().await;
    let r = Running::start().await;
    r.engine.trust_certificate_origin_for_tests(&server.origin).unwrap();
    as_provider(&r, "amazon_sns", "/sns", &[]).await;
    let v = vector("sns_notification_v1");
    let url = format!("{}/SimpleNotificationService-test.pem", server.origin);
    let body = v.body.replace(&v.cert_url, &url);

    let first = post(&r, "/sns", &v.headers, &body).await;
    let judged = verdict(&first);
    assert_eq!((judged.status, judged.reason), (VerdictStatus::NoSecret, ReasonCode::CertificateUnavailable), "{}", judged.explanation);
    assert!(judged.explanation.contains(&format!("The signing certificate ({url}) is not available offline: fetch it or paste it")), "{}", judged.explanation);
    assert_eq!(judged.certificate_url.as_deref(), Some(url.as_str()));

    let later = eventually(&r, first.id, |v| v.status == VerdictStatus::Valid).await;
    assert_eq!(later.status, VerdictStatus::Valid, "{}", later.explanation);
    assert!(later.explanation.contains("arn:aws:sns:us-west-2:123456789012:orders"), "{}", later.explanation);
    assert_eq!(server.requests(), vec!["/SimpleNotificationService-test.pem".to_string()]);

    // The next delivery naming it is judged valid at once, without another request.
    let v2 = vector("sns_subscription_confirmation_v1");
    let second = post(&r, "/sns", &v2.headers, &v2.body.replace(&v2.cert_url, &url)).await;
    assert_eq!(verdict(&second).status, VerdictStatus::Valid, "{}", verdict(&second).explanation);
    assert_eq!(server.requests().len(), 1);
    // It is kept on disk, as fetched.
    let kept = r.engine.list_certificates();
    assert_eq!(kept.len(), 1);
    assert_eq!((kept[0].url.as_str(), kept[0].origin), (url.as_str(), hookloupe_core::ipc::CertificateOrigin::Fetched));
}

#[tokio::test]
async fn a_foreign_certificate_url_is_refused_and_never_requested() {
    let server = CertServer::start().await;
    let r = Running::start().await;
    r.engine.trust_certificate_origin_for_tests(&server.origin).unwrap();
    as_provider(&r, "amazon_sns", "/sns", &[]).await;
    let v = vector("sns_notification_v1");
    let port = server.origin.rsplit(':').next().unwrap();
    for foreign in [
        "https://evil.example/cert.pem".to_string(),
        // Same server, but a host name the test did not trust, and a path SNS never uses.
        format!("http://localhost:{port}/cert.pem"),
        format!("{}/cert.txt", server.origin),
        "https://sns.us-west-2.amazonaws.com.evil.example/x.pem".to_string(),
    ] {
        let c = post(&r, "/sns", &v.headers, &v.body.replace(&v.cert_url, &foreign)).await;
        let got = verdict(&c);
        assert_eq!((got.status, got.reason), (VerdictStatus::Invalid, ReasonCode::CertificateRefused), "{foreign}: {}", got.explanation);
        assert!(got.explanation.contains("not fetched"), "{}", got.explanation);
        assert!(r.engine.fetch_certificate(&foreign).await.is_err(), "{foreign} is refused on demand too");
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(server.requests().is_empty(), "a refused URL was requested: {:?}", server.requests());
}

#[tokio::test]
async fn a_failed_fetch_is_named_and_a_pasted_certificate_fixes_it_offline() {
    let server = CertServer::start().await;
    let r = Running::start().await;
    r.engine.trust_certificate_origin_for_tests(&server.origin).unwrap();
    as_provider(&r, "amazon_sns", "/sns", &[]).await;
    let v = vector("sns_notification_v2_no_subject");
    let url = format!("{}/missing.pem", server.origin);
    let c = post(&r, "/sns", &v.headers, &v.body.replace(&v.cert_url, &url)).await;
    let failed = eventually(&r, c.id, |v| v.explanation.contains("failed")).await;
    assert_eq!(failed.reason, ReasonCode::CertificateUnavailable);
    assert!(failed.explanation.contains("404"), "{}", failed.explanation);

    // Pasting it for that URL judges the capture again.
    r.engine.add_certificate(AddCertificateReq { url: url.clone(), pem: cert_pem() }).await.unwrap();
    let v = verdict(&r.engine.capture(c.id).await.unwrap()).clone();
    assert_eq!(v.status, VerdictStatus::Valid, "{}", v.explanation);
    assert_eq!(server.requests(), vec!["/missing.pem".to_string()], "one failed fetch, no retry while it is fresh");
    // Junk is not taken for a certificate.
    let junk = r.engine.add_certificate(AddCertificateReq { url, pem: "<html>404</html>".into() }).await;
    assert!(junk.is_err());
}

#[tokio::test]
async fn paypal_with_a_pasted_certificate_needs_no_network() {
    let r = Running::start().await;
    let v = vector("paypal_sha256");
    as_provider(&r, "paypal", "/paypal", &[&v.secret]).await;
    // The delivery names PayPal's own URL: pasted first, nothing is fetched.
    r.engine.add_certificate(AddCertificateReq { url: v.cert_url.clone(), pem: cert_pem() }).await.unwrap();
    let c = post(&r, "/paypal", &v.headers, &v.body).await;
    assert_eq!(verdict(&c).status, VerdictStatus::Valid, "{}", verdict(&c).explanation);
    assert_eq!(verdict(&c).matched_secret_index, Some(0));
    // A foreign URL can never get a certificate, pasted or not.
    let err = r.engine.add_certificate(AddCertificateReq { url: "https://evil.example/v1/notifications/certs/CERT-1".into(), pem: cert_pem() }).await;
    assert!(err.is_err());
}

#[tokio::test]
async fn certs_add_and_list_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let url = "https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-hookloupe";
    let file = testdata("network_key_test_cert.pem");
    cli(dir.path()).args(["certs", "add", url]).arg(&file).assert().success();
    let out = cli(dir.path()).args(["--json", "certs", "list"]).output().unwrap();
    assert!(out.status.success());
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list[0]["url"], url);
    assert_eq!(list[0]["provider"], "PayPal");
    assert_eq!(list[0]["origin"], "pasted");
    let out = cli(dir.path()).args(["certs", "add", "https://evil.example/x.pem"]).arg(&file).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a URL where Amazon SNS or PayPal publish"), "{}", String::from_utf8_lossy(&out.stderr));
    // An engine opened on the same folder has it.
    let r = Running::start_in(dir).await;
    assert_eq!(r.engine.list_certificates().len(), 1);
}
