//! Hygraph's `gcms-signature`: the envelope, the header Hygraph writes, the environment taken
//! from the header, freshness, and `@hygraph/utils`' README secret.

use super::*;
use crate::signature::testutil::{signed, Req};
use crate::signature::{verify, ReasonCode, SchemeConfig, SchemeId, VerdictStatus};

const SECRET: &str = "rCNwyiloY3oJYYkxgpBXaleIiUv5MYlx";
const NOW: i64 = 1_764_000_000;

fn cfg() -> SchemeConfig {
    SchemeConfig::new(SchemeId::GcmsSignature, &[SECRET])
}

fn header(r: &Req) -> String {
    r.headers.iter().find(|(n, _)| n == HEADER).map(|(_, v)| v.clone()).unwrap_or_default()
}

#[test]
fn a_signed_delivery_verifies_and_carries_hygraphs_three_items() {
    let req = signed(&cfg(), 0, Req::post("https://example.com/hygraph", br#"{"hello":"world"}"#).json(), NOW);
    let h = header(&req);
    assert!(h.starts_with("sign=") && h.ends_with(&format!(", env=master, t={}", NOW * 1000)), "{h}");
    let v = verify(&cfg(), &req.r(), NOW + 2);
    assert_eq!((v.status, v.skew_secs), (VerdictStatus::Valid, Some(2)), "{}", v.explanation);
    assert_eq!(
        v.signed_content.unwrap().text,
        format!(r#"{{"Body":"{{\"hello\":\"world\"}}","EnvironmentName":"master","TimeStamp":{}}}"#, NOW * 1000)
    );
    assert_eq!(verify(&cfg(), &req.clone().flip_body_byte().r(), NOW).status, VerdictStatus::Invalid);
    let wrong = SchemeConfig::new(SchemeId::GcmsSignature, &["another-secret"]);
    assert_eq!(verify(&wrong, &req.r(), NOW).reason, ReasonCode::BadSignature);
    assert_eq!(verify(&cfg(), &req.r(), NOW + 3600).status, VerdictStatus::Expired);
    assert_eq!(verify(&cfg(), &Req::post("https://e.x/", b"{}").r(), NOW).status, VerdictStatus::Unsigned);
    // Re-signing keeps the environment of the captured delivery.
    let staging = req.clone().h(HEADER, &h.replace("env=master", "env=staging"));
    assert_eq!(verify(&cfg(), &staging.r(), NOW).status, VerdictStatus::Invalid, "the environment is signed");
    let again = signed(&cfg(), 0, staging, NOW + 60);
    assert!(header(&again).contains(", env=staging, t="));
    assert_eq!(verify(&cfg(), &again.r(), NOW + 60).status, VerdictStatus::Valid);
}

#[test]
fn a_header_computed_like_hygraph_utils_verifies() {
    // As `generateWebhookSignature({ rawPayload, secret })` computes it (JSON.stringify of the
    // envelope, HMAC-SHA256 keyed with the secret text, base64), done independently here.
    let raw = r#"{"operation":"update","data":{"id":"gcms-model-id-1234","note":"a \"quoted\"\nline"}}"#;
    let ts = 1_764_000_000_456_i64;
    let payload = serde_json::json!({"Body": raw, "EnvironmentName": "master", "TimeStamp": ts});
    let mac = codec::digest(codec::Alg::Sha256, codec::MacKind::Hmac, SECRET.as_bytes(), &[serde_json::to_string(&payload).unwrap().as_bytes()]);
    let h = format!("sign={}, env=master, t={ts}", OutEnc::Base64.encode(&mac));
    let req = Req::post("https://example.com/hygraph", raw.as_bytes()).json().h(HEADER, &h);
    let v = verify(&cfg(), &req.r(), ts / 1000);
    assert_eq!(v.status, VerdictStatus::Valid, "{}", v.explanation);
    let v = verify(&cfg().with("tolerance_secs", "0"), &req.r(), ts / 1000 + 86_400);
    assert_eq!(v.status, VerdictStatus::Valid, "tolerance 0 disables the replay window");
}
