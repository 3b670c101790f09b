//! `json_fields` with Adyen's settings: the official library's example items, several items,
//! an item without a signature, the key's encoding, and signing into the body.

use super::*;
use crate::signature::testutil::{signed, Req};
use crate::signature::{verify, SchemeConfig, VerdictStatus};

/// `@adyen/api-library` hmacValidator.spec.ts: key and expected signature.
const KEY: &str = "DFB1EB5485895CFA84146406857104ABB4CBCABDC8AAF103A624C8F6A3EAAB00";
const SIG: &str = "ZNBPtI+oDyyRrLyD1XirkKnQgIAlFc07Vj27TeHsDRE=";

fn item(sig: &str, code: &str) -> serde_json::Value {
    serde_json::json!({"NotificationRequestItem": {
        "additionalData": {"hmacSignature": sig},
        "amount": {"currency": "EUR", "value": 1000},
        "eventCode": code,
        "merchantAccountCode": "merchantAccount",
        "merchantReference": "reference",
        "originalReference": "originalReference",
        "pspReference": "pspReference",
        "reason": "reason",
        "success": "true"
    }})
}

fn body(items: Vec<serde_json::Value>) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({"live": "false", "notificationItems": items})).unwrap()
}

fn cfg(keys: &[&str]) -> SchemeConfig {
    SchemeConfig::new(SchemeId::JsonFields, keys).with("key_encoding", "hex")
}

#[test]
fn the_official_example_verifies_and_changes_to_signed_fields_do_not() {
    let req = Req::post("https://example.com/adyen", &body(vec![item(SIG, "REPORT_AVAILABLE")])).json();
    let v = verify(&cfg(&[KEY]), &req.r(), 0);
    assert_eq!(v.status, VerdictStatus::Valid, "{}", v.explanation);
    assert_eq!(
        v.signed_content.unwrap().text,
        "pspReference:originalReference:merchantAccount:reference:1000:EUR:REPORT_AVAILABLE:true"
    );
    // Unsigned fields are not covered; signed ones are.
    let reason = String::from_utf8(req.body.clone()).unwrap();
    let other_reason = Req::post("https://example.com/adyen", reason.replace("\"reason\":\"reason\"", "\"reason\":\"x\"").as_bytes()).json();
    assert_eq!(verify(&cfg(&[KEY]), &other_reason.r(), 0).status, VerdictStatus::Valid);
    let other_amount = Req::post("https://example.com/adyen", reason.replace("1000", "1001").as_bytes()).json();
    let v = verify(&cfg(&[KEY]), &other_amount.r(), 0);
    assert_eq!((v.status, v.reason), (VerdictStatus::Invalid, ReasonCode::BadSignature), "{}", v.explanation);
    // Another key; the key pasted as text is explained.
    let wrong = cfg(&["44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056"]);
    assert_eq!(verify(&wrong, &req.r(), 0).status, VerdictStatus::Invalid);
    let bad_key = cfg(&["not hex"]);
    assert_eq!(verify(&bad_key, &req.r(), 0).reason, ReasonCode::ConfigError);
    // Rotation.
    let two = cfg(&["44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056", KEY]);
    assert_eq!(verify(&two, &req.r(), 0).matched_secret_index, Some(1));
}

#[test]
fn every_item_must_be_signed_and_match() {
    let ok = item("ipnxGCaUZ4l8TUW75a71/ghd2Fe5ffvX0pV4TLTntIc=", "EVENT");
    let both = Req::post("https://example.com/adyen", &body(vec![item(SIG, "REPORT_AVAILABLE"), ok.clone()])).json();
    let v = verify(&cfg(&[KEY]), &both.r(), 0);
    assert_eq!(v.status, VerdictStatus::Valid, "{}", v.explanation);
    assert!(v.explanation.contains("each of the 2 items"), "{}", v.explanation);
    let second_bad = Req::post("https://example.com/adyen", &body(vec![ok.clone(), item("notValidSign", "EVENT")])).json();
    let v = verify(&cfg(&[KEY]), &second_bad.r(), 0);
    assert!(v.status == VerdictStatus::Invalid && v.explanation.contains("item 2 of 2"), "{}", v.explanation);
    let unsigned_second = Req::post("https://example.com/adyen", &body(vec![ok, item("", "EVENT")])).json();
    assert_eq!(verify(&cfg(&[KEY]), &unsigned_second.r(), 0).reason, ReasonCode::MissingHeader);
    let none = Req::post("https://example.com/adyen", &body(vec![item("", "EVENT")])).json();
    assert_eq!(verify(&cfg(&[KEY]), &none.r(), 0).status, VerdictStatus::Unsigned);
    assert_eq!(verify(&cfg(&[KEY]), &Req::post("https://e.x/", b"[accepted]").r(), 0).status, VerdictStatus::Unsigned);
    assert_eq!(verify(&cfg(&[]), &both.r(), 0).status, VerdictStatus::NoSecret);
}

#[test]
fn signing_writes_each_items_signature_and_fields_are_options() {
    let mut unsigned = item("", "AUTHORISATION");
    unsigned["NotificationRequestItem"]["additionalData"] = serde_json::json!({"authCode": "123"});
    let req = signed(&cfg(&[KEY]), 0, Req::post("https://example.com/adyen", &body(vec![unsigned.clone(), unsigned])).json(), 0);
    assert_eq!(verify(&cfg(&[KEY]), &req.r(), 0).status, VerdictStatus::Valid);
    let v: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
    assert_eq!(v["notificationItems"][1]["NotificationRequestItem"]["additionalData"]["authCode"], "123");
    // Another sender of the same shape: the body itself, two fields, hex output, a `|`.
    let c = SchemeConfig::new(SchemeId::JsonFields, &["c2VjcmV0"])
        .with("items", "")
        .with("fields", "id,amount")
        .with("field_separator", "|")
        .with("signature_field", "sig")
        .with("key_encoding", "base64")
        .with("output_encoding", "hex");
    let req = signed(&c, 0, Req::post("https://example.com/x", br#"{"id":"a1","amount":12.5}"#).json(), 0);
    let mac = codec::digest(Alg::Sha256, MacKind::Hmac, b"secret", &[b"a1|12.5"]);
    let v: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
    assert_eq!(v["sig"], hex::encode(mac));
    assert_eq!(verify(&c, &req.r(), 0).status, VerdictStatus::Valid);
}
