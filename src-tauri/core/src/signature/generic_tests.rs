//! The generic HMAC's options for structured signature headers (`k=v` lists, positional
//! lists, several signatures per value or per header), RFC 3339 timestamps and keyed hashes.
//! Expected digests were computed independently with Python's `hmac` and `hashlib`.

use crate::signature::{verify, ReasonCode, Request, SchemeConfig, SchemeId, VerdictStatus};

const BODY: &[u8] = br#"{"event":"invitee.created","payload":{"email":"ana@example.com"}}"#;
const SECRET: &str = "cal_secret_123";
/// HMAC-SHA256(SECRET, "1700000000." + BODY), hex.
const KV_SIG: &str = "af0848cbd4ab923538ebe34486f4276c96f4b3957973eaccb966aa497096b589";
/// HMAC-SHA256(SECRET, BODY), hex.
const PLAIN_SIG: &str = "bc4e4ad3f628b65e0425be197b0352ed1e06c7fd5075f90b84a7520aa3b4e57a";
const WRONG: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn check(cfg: &SchemeConfig, headers: &[(&str, &str)], now: i64) -> (VerdictStatus, ReasonCode, String) {
    let headers: Vec<(String, String)> = headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
    let req = Request { method: "POST", url: "https://example.com/hook", headers: &headers, body: BODY, remote_ip: None };
    let v = verify(cfg, &req, now);
    (v.status, v.reason, v.explanation)
}

fn generic() -> SchemeConfig {
    SchemeConfig::new(SchemeId::GenericHmac, &[SECRET])
}

#[test]
fn a_key_value_header_carries_the_timestamp_and_signatures() {
    let cfg = generic().with("header", "Calendly-Webhook-Signature").with("signature_format", "kv").with("template", "{timestamp}.{body}");
    let good = format!("t=1700000000,v1={KV_SIG}");
    assert_eq!(check(&cfg, &[("calendly-webhook-signature", &good)], 1_700_000_010).0, VerdictStatus::Valid);
    let rotated = format!("t=1700000000,v1={WRONG},v1={KV_SIG}");
    assert_eq!(check(&cfg, &[("calendly-webhook-signature", &rotated)], 1_700_000_010).0, VerdictStatus::Valid);
    assert_eq!(check(&cfg, &[("calendly-webhook-signature", &good)], 1_700_009_999).0, VerdictStatus::Expired);
    let (s, _, _) = check(&cfg, &[("calendly-webhook-signature", &format!("t=1700000001,v1={KV_SIG}"))], 1_700_000_010);
    assert_eq!(s, VerdictStatus::Invalid, "the timestamp is signed");
    // Other keys and separators.
    let bk = generic()
        .with("header", "X-Buildkite-Signature")
        .with("signature_format", "kv")
        .with("kv_timestamp_key", "timestamp")
        .with("kv_signature_key", "signature")
        .with("template", "{timestamp}.{body}");
    let v = format!("timestamp=1700000000,signature={KV_SIG}");
    assert_eq!(check(&bk, &[("x-buildkite-signature", &v)], 1_700_000_010).0, VerdictStatus::Valid);
}

#[test]
fn a_positional_list_has_the_timestamp_first() {
    let cfg = generic().with("header", "Recurly-Signature").with("signature_format", "positional").with("template", "{timestamp}.{body}");
    let v = format!("1700000000,{WRONG},{KV_SIG}");
    assert_eq!(check(&cfg, &[("recurly-signature", &v)], 1_700_000_010).0, VerdictStatus::Valid);
    let v = format!("1700000000,{WRONG}");
    assert_eq!(check(&cfg, &[("recurly-signature", &v)], 1_700_000_010).0, VerdictStatus::Invalid);
}

#[test]
fn several_signatures_in_one_value_or_in_numbered_headers() {
    let pd = generic().with("header", "X-PagerDuty-Signature").with("prefix", "v1=").with("signature_separator", ",");
    let v = format!("v1={WRONG},v1={PLAIN_SIG}");
    assert_eq!(check(&pd, &[("x-pagerduty-signature", &v)], 0).0, VerdictStatus::Valid);
    let dot = generic().with("header", "Synctera-Signature").with("signature_separator", ".");
    let v = format!("{WRONG}.{PLAIN_SIG}");
    assert_eq!(check(&dot, &[("synctera-signature", &v)], 0).0, VerdictStatus::Valid);
    let numbered = generic().with("header", "X-DocuSign-Signature-1,X-DocuSign-Signature-2").with("header_mode", "all").with("output_encoding", "hex");
    let h = [("x-docusign-signature-1", WRONG), ("x-docusign-signature-2", PLAIN_SIG)];
    assert_eq!(check(&numbered, &h, 0).0, VerdictStatus::Valid);
    // Without `all`, only the first header present counts.
    let first = numbered.clone().with("header_mode", "first");
    assert_eq!(check(&first, &h, 0).0, VerdictStatus::Invalid);
}

#[test]
fn an_rfc3339_timestamp_is_signed_as_text_and_checked_as_time() {
    let cfg = generic()
        .with("header", "X-Zendesk-Webhook-Signature")
        .with("timestamp_header", "X-Zendesk-Webhook-Signature-Timestamp")
        .with("timestamp_unit", "rfc3339")
        .with("template", "{timestamp}{body}")
        .with("output_encoding", "base64");
    let sig = "EeM+IrX76urapyIccpQgusGs5lyxqm1RZhj43gvqLxM=";
    let h = [("x-zendesk-webhook-signature", sig), ("x-zendesk-webhook-signature-timestamp", "2023-11-14T22:13:20Z")];
    assert_eq!(check(&cfg, &h, 1_700_000_060).0, VerdictStatus::Valid);
    assert_eq!(check(&cfg, &h, 1_700_000_000 + 3_600).0, VerdictStatus::Expired);
    // Without a zone the time is UTC (Orb's `2024-03-27T15:42:29.551`); the text is what is signed.
    let naive_sig = "DB76577IxdW2MIt6P22IG3VGtQqtRdFTf+FACiHspyM=";
    let naive = [("x-zendesk-webhook-signature", naive_sig), ("x-zendesk-webhook-signature-timestamp", "2023-11-14T22:13:20.000")];
    let (s, _, _) = check(&cfg, &naive, 1_700_000_060);
    assert_eq!(s, VerdictStatus::Valid, "2023-11-14T22:13:20 UTC is 1700000000");
    assert_eq!(check(&cfg, &naive, 1_700_000_000 + 3_600).0, VerdictStatus::Expired);
    let bad = [("x-zendesk-webhook-signature", sig), ("x-zendesk-webhook-signature-timestamp", "1700000000")];
    let (s, _, why) = check(&cfg, &bad, 1_700_000_060);
    assert_ne!(s, VerdictStatus::Valid);
    assert!(why.contains("RFC 3339"), "{why}");
}

#[test]
fn a_keyed_hash_digests_the_secret_with_the_body() {
    let cfg = generic().with("header", "X-Recharge-Hmac-Sha256").with("mode", "hash").with("template", "{secret}{body}");
    let sig = "982048d818df94055538c79a15af18ead3fda692d58c26ff7a98d02fb638990e";
    assert_eq!(check(&cfg, &[("x-recharge-hmac-sha256", sig)], 0).0, VerdictStatus::Valid);
    assert_eq!(check(&cfg, &[("x-recharge-hmac-sha256", PLAIN_SIG)], 0).0, VerdictStatus::Invalid);
}

#[test]
fn inconsistent_options_are_refused_with_the_reason() {
    let no_secret = generic().with("header", "X-Sig").with("mode", "hash");
    let (s, r, why) = check(&no_secret, &[("x-sig", PLAIN_SIG)], 0);
    assert_eq!((s, r), (VerdictStatus::Invalid, ReasonCode::ConfigError));
    assert!(why.contains("{secret}"), "{why}");
    let secret_in_hmac = generic().with("header", "X-Sig").with("template", "{secret}{body}");
    assert_eq!(check(&secret_in_hmac, &[("x-sig", PLAIN_SIG)], 0).1, ReasonCode::ConfigError);
    let bad_format = generic().with("header", "X-Sig").with("signature_format", "json");
    let (_, r, why) = check(&bad_format, &[("x-sig", PLAIN_SIG)], 0);
    assert_eq!(r, ReasonCode::ConfigError);
    assert!(why.contains("signature_format"), "{why}");
    let bad_sep = generic().with("header", "X-Sig").with("signature_separator", ", ");
    assert_eq!(check(&bad_sep, &[("x-sig", PLAIN_SIG)], 0).1, ReasonCode::ConfigError);
}
