//! The certificate-URL engines (Amazon SNS, PayPal) against the vectors of
//! tests/crosscheck/network_key_vectors.py and deliveries signed here with the repository's
//! RSA test key: the URL rules (a refused URL is never looked up), a missing certificate, an
//! unusable or expired one, tampering, algorithm mix-ups, webhook IDs and tolerance.

use std::cell::RefCell;

use base64::Engine as _;
use rsa::signature::{SignatureEncoding as _, Signer as _};

use super::testing::{Known, PAYPAL_SANDBOX_URL, TEST_CERT, TEST_KEY, VECTORS};
use super::*;
use crate::signature::{provider, verify_with_certificates, OwnedRequest, ReasonCode, SchemeConfig, Secret, Verdict, VerdictStatus};

/// Records every URL it is asked for, and knows the test certificate at the vectors' URLs.
struct Spy {
    inner: Known,
    asked: RefCell<Vec<String>>,
}

impl Spy {
    fn new() -> Spy {
        Spy { inner: Known::vectors(), asked: RefCell::new(vec![]) }
    }
}

impl Certificates for Spy {
    fn certificate(&self, url: &str) -> Option<Vec<u8>> {
        self.asked.borrow_mut().push(url.to_string());
        self.inner.certificate(url)
    }
    fn check_url(&self, publisher: Publisher, url: &str) -> Result<String, String> {
        self.inner.check_url(publisher, url)
    }
}

struct Vector {
    name: String,
    provider: String,
    cert_url: String,
    now: i64,
    secret: String,
    req: OwnedRequest,
}

fn vectors() -> Vec<Vector> {
    let vs: Vec<serde_json::Value> = serde_json::from_str(VECTORS).unwrap();
    vs.iter()
        .map(|v| Vector {
            name: v["name"].as_str().unwrap().into(),
            provider: v["provider"].as_str().unwrap().into(),
            cert_url: v["cert_url"].as_str().unwrap().into(),
            now: v["now"].as_i64().unwrap(),
            secret: v["secret"].as_str().unwrap().into(),
            req: OwnedRequest {
                method: "POST".into(),
                url: "https://hooks.example.com/in".into(),
                headers: v["headers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| (h[0].as_str().unwrap().into(), h[1].as_str().unwrap().into()))
                    .collect(),
                body: v["body"].as_str().unwrap().as_bytes().to_vec(),
            },
        })
        .collect()
}

fn vector(name: &str) -> Vector {
    vectors().into_iter().find(|v| v.name == name).unwrap()
}

fn cfg(provider_id: &str, secrets: &[&str]) -> SchemeConfig {
    let mut c = provider::find(provider_id).unwrap().config();
    c.secrets = secrets.iter().map(|s| Secret::new(*s)).collect();
    c
}

fn check(c: &SchemeConfig, req: &OwnedRequest, now: i64, certs: &dyn Certificates) -> Verdict {
    req.with_view(None, |r| verify_with_certificates(c, r, now, &[], certs))
}

fn with_body_field(req: &OwnedRequest, key: &str, value: &str) -> OwnedRequest {
    let mut msg: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&req.body).unwrap();
    msg.insert(key.into(), value.into());
    OwnedRequest { body: serde_json::to_vec_pretty(&msg).unwrap(), ..req.clone() }
}

fn with_header(req: &OwnedRequest, name: &str, value: &str) -> OwnedRequest {
    let mut r = req.clone();
    r.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    r.headers.push((name.into(), value.into()));
    r
}

fn sign_with_test_key(hash: RsaHash, msg: &str) -> String {
    use rsa::pkcs8::DecodePrivateKey as _;
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(TEST_KEY).unwrap();
    let sig = match hash {
        RsaHash::Sha1 => rsa::pkcs1v15::SigningKey::<sha1_rsa::Sha1>::new(key).sign(msg.as_bytes()).to_vec(),
        RsaHash::Sha256 => rsa::pkcs1v15::SigningKey::<rsa::sha2::Sha256>::new(key).sign(msg.as_bytes()).to_vec(),
    };
    base64::engine::general_purpose::STANDARD.encode(sig)
}

// ---------- URL rules ----------

#[test]
fn only_the_providers_own_https_urls_are_accepted() {
    let p = UrlPolicy::providers_only();
    for ok in [
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem",
        "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-3250158c6506d40628c9c9f4e7d2c4d2.pem",
        "https://sns.us-gov-west-1.amazonaws.com/x.pem",
        "https://SNS.US-EAST-1.AMAZONAWS.COM:443/x.pem",
    ] {
        assert!(p.check(Publisher::AmazonSns, ok).is_ok(), "{ok}: {:?}", p.check(Publisher::AmazonSns, ok));
    }
    for (bad, why) in [
        ("http://sns.us-east-1.amazonaws.com/x.pem", "not https"),
        ("https://sns.us-east-1.amazonaws.com.evil.example/x.pem", "host"),
        ("https://evil.example/sns.us-east-1.amazonaws.com/x.pem", "host"),
        ("https://s3.amazonaws.com/bucket/x.pem", "host"),
        ("https://sns.a.amazonaws.com/x.pem", "host"),
        ("https://sns.us-east-1.amazonaws.com/x.pem.txt", "path"),
        ("https://sns.us-east-1.amazonaws.com/x.pem?y=.pem", "query"),
        ("https://user:pw@sns.us-east-1.amazonaws.com/x.pem", "user name"),
        ("https://sns.us-east-1.amazonaws.com:8443/x.pem", "port 8443"),
        ("https://52.94.236.248/x.pem", "not a domain"),
        ("https://127.0.0.1/x.pem", "not a domain"),
        ("not a url", "not a URL"),
    ] {
        let err = p.check(Publisher::AmazonSns, bad).unwrap_err();
        assert!(err.contains(why), "{bad}: {err}");
    }
    for ok in [
        "https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77",
        "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77",
        "https://api-m.paypal.com/v1/notifications/certs/CERT-1",
        "https://api-m.sandbox.paypal.com/v1/notifications/certs/CERT-1",
    ] {
        assert!(p.check(Publisher::Paypal, ok).is_ok(), "{ok}");
    }
    for bad in [
        "https://api.paypal.com.evil.example/v1/notifications/certs/CERT-1",
        "https://www.paypal.com/v1/notifications/certs/CERT-1",
        "https://api.paypal.com/v1/notifications/webhooks/CERT-1",
        "https://api.paypal.com/v1/notifications/certs/",
        "https://api.paypal.com/v1/notifications/certs/../../oauth2/token",
        "http://api.paypal.com/v1/notifications/certs/CERT-1",
        // Each provider's rule is its own.
        "https://sns.us-east-1.amazonaws.com/x.pem",
    ] {
        assert!(p.check(Publisher::Paypal, bad).is_err(), "{bad}");
    }
    assert!(p.check(Publisher::AmazonSns, "https://api.paypal.com/v1/notifications/certs/CERT-1").is_err());
}

#[test]
fn a_test_origin_must_be_loopback_and_keeps_the_path_rule() {
    for bad in ["http://example.com:8080", "http://10.0.0.1:80", "ftp://127.0.0.1:21", "nope"] {
        assert!(UrlPolicy::providers_only().with_loopback_origin(bad).is_err(), "{bad}");
    }
    let p = UrlPolicy::providers_only().with_loopback_origin("http://127.0.0.1:4567").unwrap();
    assert!(p.check(Publisher::AmazonSns, "http://127.0.0.1:4567/cert.pem").is_ok());
    assert!(p.check(Publisher::AmazonSns, "http://127.0.0.1:4567/cert.txt").is_err(), "the path rule still holds");
    assert!(p.check(Publisher::AmazonSns, "http://127.0.0.1:4568/cert.pem").is_err(), "another port is another origin");
    assert!(p.check(Publisher::Paypal, "http://127.0.0.1:4567/v1/notifications/certs/CERT-1").is_ok());
    // The providers' own URLs stay accepted.
    assert!(p.check(Publisher::AmazonSns, "https://sns.us-east-1.amazonaws.com/x.pem").is_ok());
}

// ---------- certificates ----------

#[test]
fn the_test_certificate_and_a_bare_key_are_read_and_junk_is_not() {
    let f = inspect(TEST_CERT.as_bytes()).unwrap();
    assert!(f.subject.contains("CN=sns.amazonaws.com"), "{}", f.subject);
    assert_eq!((f.not_before, f.not_after, f.key_bits), (Some(1_577_836_800), Some(2_366_841_600), 1024));
    let crlf = TEST_CERT.replace('\n', "\r\n");
    assert!(inspect(crlf.as_bytes()).is_ok(), "PEM with CRLF line ends (PayPal serves those)");
    let sandbox = inspect(testing::PAYPAL_SANDBOX_CERT.as_bytes()).unwrap();
    assert!(sandbox.subject.contains("messageverificationcerts.sandbox.paypal.com"), "{}", sandbox.subject);
    use rsa::pkcs8::{DecodePrivateKey as _, EncodePublicKey as _};
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(TEST_KEY).unwrap();
    let pem = key.to_public_key().to_public_key_pem(rsa::pkcs8::LineEnding::LF).unwrap();
    assert_eq!(inspect(pem.as_bytes()).unwrap().not_after, None);
    for junk in [&b"hello"[..], b"-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n", b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"] {
        assert!(inspect(junk).is_err(), "{}", String::from_utf8_lossy(junk));
    }
}

// ---------- Amazon SNS ----------

#[test]
fn every_vector_verifies_with_its_certificate() {
    for v in vectors() {
        let c = cfg(&v.provider, &[&v.secret]);
        let verdict = check(&c, &v.req, v.now, &Known::vectors());
        assert_eq!(verdict.status, VerdictStatus::Valid, "{}: {}", v.name, verdict.explanation);
        assert_eq!(verdict.certificate_url.as_deref(), Some(v.cert_url.as_str()), "{}", v.name);
        assert_eq!(verdict.provider.as_deref(), Some(v.provider.as_str()));
        assert!(verdict.signed_content.is_some());
    }
}

#[test]
fn without_the_certificate_the_verdict_says_so_and_names_the_url() {
    for v in vectors() {
        let c = cfg(&v.provider, &[&v.secret]);
        let verdict = check(&c, &v.req, v.now, &NoCertificates);
        assert_eq!((verdict.status, verdict.reason), (VerdictStatus::NoSecret, ReasonCode::CertificateUnavailable), "{}: {}", v.name, verdict.explanation);
        assert_eq!(verdict.certificate_url.as_deref(), Some(v.cert_url.as_str()));
        assert!(verdict.explanation.contains("not available offline: fetch it or paste it"), "{}", verdict.explanation);
    }
}

#[test]
fn a_foreign_certificate_url_is_refused_before_any_lookup() {
    let v = vector("sns_notification_v1");
    let c = cfg("amazon_sns", &[]);
    for url in ["https://evil.example/cert.pem", "http://sns.us-west-2.amazonaws.com/x.pem", "https://sns.us-west-2.amazonaws.com.evil.example/x.pem"] {
        let spy = Spy::new();
        let verdict = check(&c, &with_body_field(&v.req, "SigningCertURL", url), v.now, &spy);
        assert_eq!((verdict.status, verdict.reason), (VerdictStatus::Invalid, ReasonCode::CertificateRefused), "{url}: {}", verdict.explanation);
        assert!(spy.asked.borrow().is_empty(), "{url} was looked up: {:?}", spy.asked.borrow());
        assert!(verdict.explanation.contains("refused") && verdict.explanation.contains(url), "{}", verdict.explanation);
        assert_eq!(verdict.certificate_url.as_deref(), Some(url));
    }
}

#[test]
fn a_changed_field_or_version_does_not_verify() {
    let v = vector("sns_notification_v1");
    let c = cfg("amazon_sns", &[]);
    let certs = Known::vectors();
    for (key, value) in [("Message", "{}"), ("Subject", "Order cancelled"), ("TopicArn", "arn:aws:sns:us-west-2:999999999999:orders"), ("Timestamp", "2025-11-24T16:00:01.123Z")] {
        let verdict = check(&c, &with_body_field(&v.req, key, value), v.now, &certs);
        assert_eq!((verdict.status, verdict.reason), (VerdictStatus::Invalid, ReasonCode::BadSignature), "{key}: {}", verdict.explanation);
    }
    // The same message re-serialized (other spacing, escapes) still verifies: values are compared decoded.
    let msg: serde_json::Value = serde_json::from_slice(&v.req.body).unwrap();
    let compact = OwnedRequest { body: serde_json::to_vec(&msg).unwrap(), ..v.req.clone() };
    assert_eq!(check(&c, &compact, v.now, &certs).status, VerdictStatus::Valid);
    // Version 1 signed with SHA-1, claimed as version 2.
    let verdict = check(&c, &with_body_field(&v.req, "SignatureVersion", "2"), v.now, &certs);
    assert_eq!(verdict.reason, ReasonCode::WrongAlgorithm, "{}", verdict.explanation);
    let verdict = check(&c, &with_body_field(&v.req, "SignatureVersion", "3"), v.now, &certs);
    assert_eq!(verdict.reason, ReasonCode::WrongAlgorithm, "{}", verdict.explanation);
    // A confirmation's Token is signed.
    let conf = vector("sns_subscription_confirmation_v1");
    let verdict = check(&c, &with_body_field(&conf.req, "Token", "other"), conf.now, &certs);
    assert_eq!(verdict.reason, ReasonCode::BadSignature);
    let mut no_token: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&conf.req.body).unwrap();
    no_token.remove("Token");
    let verdict = check(&c, &OwnedRequest { body: serde_json::to_vec(&no_token).unwrap(), ..conf.req.clone() }, conf.now, &certs);
    assert!(verdict.explanation.contains("`Token`"), "{}", verdict.explanation);
}

#[test]
fn unsigned_and_raw_deliveries_are_unsigned() {
    let c = cfg("amazon_sns", &[]);
    let plain = OwnedRequest { method: "POST".into(), url: "https://h/x".into(), headers: vec![], body: b"{\"Type\":\"Notification\"}".to_vec() };
    assert_eq!(check(&c, &plain, 0, &NoCertificates).status, VerdictStatus::Unsigned);
    let raw = OwnedRequest { headers: vec![("x-amz-sns-rawdelivery".into(), "true".into())], body: b"hello".to_vec(), ..plain };
    let v = check(&c, &raw, 0, &NoCertificates);
    assert_eq!(v.status, VerdictStatus::Unsigned);
    assert!(v.explanation.contains("raw message delivery"), "{}", v.explanation);
}

#[test]
fn a_certificate_outside_its_validity_or_unreadable_is_reported() {
    let v = vector("sns_notification_v1");
    let c = cfg("amazon_sns", &[]);
    let later = 2_400_000_000; // 2046, after the test certificate's end
    let verdict = check(&c, &v.req, later, &Known::vectors());
    assert_eq!((verdict.status, verdict.reason), (VerdictStatus::Invalid, ReasonCode::CertificateInvalid), "{}", verdict.explanation);
    assert!(verdict.explanation.contains("2045-01-01"), "{}", verdict.explanation);
    let junk = Known { certs: vec![(v.cert_url.clone(), b"<html>not found</html>".to_vec())], policy: UrlPolicy::providers_only() };
    let verdict = check(&c, &v.req, v.now, &junk);
    assert_eq!(verdict.reason, ReasonCode::CertificateInvalid, "{}", verdict.explanation);
}

#[test]
fn a_tolerance_makes_an_old_message_expired() {
    let v = vector("sns_notification_v1");
    let c = cfg("amazon_sns", &[]).with("tolerance_secs", "300");
    let certs = Known::vectors();
    assert_eq!(check(&c, &v.req, v.now, &certs).status, VerdictStatus::Valid);
    let old = check(&c, &v.req, v.now + 3600, &certs);
    assert_eq!(old.status, VerdictStatus::Expired, "{}", old.explanation);
    assert_eq!(old.skew_secs, Some(3610));
    // Without the option nothing expires (SNS retries keep the first Timestamp).
    assert_eq!(check(&cfg("amazon_sns", &[]), &v.req, v.now + 86_400, &certs).status, VerdictStatus::Valid);
}

// ---------- PayPal ----------

#[test]
fn paypal_webhook_ids_decide_and_are_never_shown() {
    let v = vector("paypal_sha256");
    let certs = Known::vectors();
    let ok = check(&cfg("paypal", &["OTHER0000000000", &v.secret]), &v.req, v.now, &certs);
    assert_eq!((ok.status, ok.matched_secret_index), (VerdictStatus::Valid, Some(1)), "{}", ok.explanation);
    assert!(!format!("{ok:?}").contains(&v.secret), "the webhook ID leaked: {ok:?}");
    assert!(ok.signed_content.unwrap().text.contains("|[webhook id]|"));
    let wrong = check(&cfg("paypal", &["OTHER0000000000"]), &v.req, v.now, &certs);
    assert_eq!((wrong.status, wrong.reason), (VerdictStatus::Invalid, ReasonCode::BadSignature), "{}", wrong.explanation);
    let none = check(&cfg("paypal", &[]), &v.req, v.now, &certs);
    assert_eq!(none.status, VerdictStatus::NoSecret, "{}", none.explanation);
    assert!(none.explanation.contains("webhook ID"), "{}", none.explanation);
    // Another endpoint's webhook ID is named as a hint.
    let others = [("billing".to_string(), Secret::new(&v.secret))];
    let hinted = v.req.with_view(None, |r| verify_with_certificates(&cfg("paypal", &["OTHER0000000000"]), r, v.now, &others, &certs));
    assert!(hinted.other_endpoint_hint.unwrap_or_default().contains("billing"));
    // A changed body no longer matches its CRC32.
    let mut tampered = v.req.clone();
    tampered.body.push(b' ');
    assert_eq!(check(&cfg("paypal", &[&v.secret]), &tampered, v.now, &certs).reason, ReasonCode::BadSignature);
}

/// A PayPal delivery of `body` signed here for `webhook` with `hash`.
fn paypal_signed(webhook: &str, hash: RsaHash, algo_header: &str) -> OwnedRequest {
    let base = vector("paypal_sha256").req;
    let (id, time) = ("11111111-2222-3333-4444-555555555555", "2025-11-24T16:00:00Z");
    let crc = crc32fast::hash(&base.body);
    let sig = sign_with_test_key(hash, &format!("{id}|{time}|{webhook}|{crc}"));
    let r = with_header(&base, "PAYPAL-TRANSMISSION-ID", id);
    let r = with_header(&r, "PAYPAL-TRANSMISSION-TIME", time);
    let r = with_header(&r, "PAYPAL-AUTH-ALGO", algo_header);
    with_header(&r, "PAYPAL-TRANSMISSION-SIG", &sig)
}

#[test]
fn paypal_simulator_events_and_algorithm_mixups_are_explained() {
    let now = 1_764_000_005;
    let certs = Known::vectors();
    let c = cfg("paypal", &["8PT597110X687430LKGECATA"]);
    let mock = check(&c, &paypal_signed("WEBHOOK_ID", RsaHash::Sha256, "SHA256withRSA"), now, &certs);
    assert_eq!(mock.status, VerdictStatus::Invalid);
    assert!(mock.explanation.contains("Webhooks simulator"), "{}", mock.explanation);
    assert_eq!(check(&cfg("paypal", &["WEBHOOK_ID"]), &paypal_signed("WEBHOOK_ID", RsaHash::Sha256, "SHA256withRSA"), now, &certs).status, VerdictStatus::Valid);
    let sha1 = paypal_signed("8PT597110X687430LKGECATA", RsaHash::Sha1, "SHA1withRSA");
    assert_eq!(check(&c, &sha1, now, &certs).status, VerdictStatus::Valid, "SHA1withRSA, as the SDKs accept");
    let mixed = paypal_signed("8PT597110X687430LKGECATA", RsaHash::Sha1, "SHA256withRSA");
    assert_eq!(check(&c, &mixed, now, &certs).reason, ReasonCode::WrongAlgorithm);
    let unknown = paypal_signed("8PT597110X687430LKGECATA", RsaHash::Sha256, "MD5withRSA");
    assert_eq!(check(&c, &unknown, now, &certs).reason, ReasonCode::WrongAlgorithm);
}

#[test]
fn paypal_official_delivery_verifies_only_while_its_certificate_was_valid() {
    let p = provider::find("paypal").unwrap();
    let official = &p.vectors[0];
    let req = OwnedRequest { method: "POST".into(), url: official.url.clone(), headers: official.headers.clone(), body: official.body.clone().into_bytes() };
    let c = cfg("paypal", &[&official.secret]);
    let certs = Known::vectors();
    let v = check(&c, &req, official.now, &certs);
    assert_eq!(v.status, VerdictStatus::Valid, "{}", v.explanation);
    assert_eq!(v.certificate_url.as_deref(), Some(PAYPAL_SANDBOX_URL));
    assert_eq!(v.signed_content.unwrap().text, "dfb3be50-fd74-11e4-8bf3-77339302725b|2015-05-18T15:45:13Z|[webhook id]|2771810304");
    let today = check(&c, &req, 1_764_000_000, &certs);
    assert_eq!(today.reason, ReasonCode::CertificateInvalid, "{}", today.explanation);
    let foreign = with_header(&req, "PAYPAL-CERT-URL", "https://evil.example/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77");
    let spy = Spy::new();
    assert_eq!(check(&c, &foreign, official.now, &spy).reason, ReasonCode::CertificateRefused);
    assert!(spy.asked.borrow().is_empty());
}
