//! The JWT engine's verdicts: HMAC and public-key tokens, the body digest claim, time claims
//! against the passed-in `now`, audience, algorithm confusion, and signing test tokens.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};
use serde_json::json;

use super::*;
use crate::signature::testutil::{signed, Req};
use crate::signature::{verify, ReasonCode, SchemeConfig, SchemeId, VerdictStatus};

const NOW: i64 = 1_764_000_000;
const SECRET: &str = "monday-signing-secret-0123456789";
const BODY: &[u8] = br#"{"payload":{"blockKind":"action","inboundFieldValues":{"itemId":1}}}"#;

fn part(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

/// A token signed by `sign` over `header.claims` (any algorithm, for tests).
fn token(header: Value, claims: Value, sign: impl Fn(&[u8]) -> Vec<u8>) -> String {
    let input = format!("{}.{}", part(&header), part(&claims));
    let sig = sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

fn hs256(claims: Value, secret: &str) -> String {
    token(json!({"alg": "HS256", "typ": "JWT"}), claims, |m| crypto::hmac_sign_for_tests(Algorithm::HS256, secret.as_bytes(), m))
}

fn rsa_private() -> rsa::RsaPrivateKey {
    rsa::RsaPrivateKey::from_pkcs8_pem(include_str!("../testdata/paybox_test_private.pem")).expect("the repository's RSA test key")
}

fn rsa_public_pem() -> String {
    rsa_private().to_public_key().to_public_key_pem(rsa::pkcs8::LineEnding::LF).unwrap()
}

fn rs256(claims: Value) -> String {
    use rsa::signature::{SignatureEncoding as _, Signer as _};
    let key = rsa::pkcs1v15::SigningKey::<rsa::sha2::Sha256>::new(rsa_private());
    token(json!({"kid": "qG1kD2dz", "alg": "RS256"}), claims, |m| key.sign(m).to_vec())
}

fn monday() -> SchemeConfig {
    SchemeConfig::new(SchemeId::Jwt, &[SECRET]).with("header", "Authorization").with("algorithms", "HS256")
}

fn fusionauth(secret: &str) -> SchemeConfig {
    SchemeConfig::new(SchemeId::Jwt, &[secret])
        .with("header", "X-FusionAuth-Signature-JWT")
        .with("body_claim", "request_body_sha256")
}

fn wix_psp() -> SchemeConfig {
    SchemeConfig::new(SchemeId::JwtPublicKey, &[&rsa_public_pem()])
        .with("header", "Digest")
        .with("prefix", "JWT=")
        .with("algorithms", "RS256")
        .with("body_claim", "data.SHA256")
        .with("body_claim_encoding", "hex")
}

fn at(c: &SchemeConfig, r: &Req, now: i64) -> Verdict {
    verify(c, &r.r(), now)
}

#[test]
fn an_hmac_token_verifies_and_wrong_secrets_tampering_and_time_do_not() {
    let t = hs256(json!({"accountId": 1, "iat": NOW, "exp": NOW + 300}), SECRET);
    let req = Req::post("https://example.com/monday", BODY).json().h("Authorization", &t);
    let v = at(&monday(), &req, NOW + 5);
    assert_eq!((v.status, v.reason), (VerdictStatus::Valid, ReasonCode::Ok), "{}", v.explanation);
    assert_eq!((v.matched_secret_index, v.skew_secs), (Some(0), Some(5)));
    assert!(v.explanation.contains("not what the body holds"), "origin-only tokens say so: {}", v.explanation);
    // `Bearer ` is accepted.
    let bearer = req.clone().h("Authorization", &format!("Bearer {t}"));
    assert_eq!(at(&monday(), &bearer, NOW).status, VerdictStatus::Valid);
    // Rotation: the second secret matches.
    let rotated = SchemeConfig { secrets: vec![Secret::new("old"), Secret::new(SECRET)], ..monday() };
    assert_eq!(at(&rotated, &req, NOW).matched_secret_index, Some(1));
    let wrong = SchemeConfig { secrets: vec![Secret::new("the-client-secret")], ..monday() };
    let v = at(&wrong, &req, NOW);
    assert_eq!((v.status, v.reason), (VerdictStatus::Invalid, ReasonCode::BadSignature), "{}", v.explanation);
    // A changed claim breaks the signature.
    let mut parts: Vec<String> = t.split('.').map(str::to_string).collect();
    parts[1] = part(&json!({"accountId": 2, "iat": NOW, "exp": NOW + 300}));
    let forged = req.clone().h("Authorization", &parts.join("."));
    assert_eq!(at(&monday(), &forged, NOW).status, VerdictStatus::Invalid);
    // Stale: past `exp` plus the 60 s leeway; inside the leeway it still passes.
    assert_eq!(at(&monday(), &req, NOW + 350).status, VerdictStatus::Valid);
    let v = at(&monday(), &req, NOW + 400);
    assert_eq!((v.status, v.reason), (VerdictStatus::Expired, ReasonCode::Expired), "{}", v.explanation);
    // Not yet valid.
    let early = req.clone().h("Authorization", &hs256(json!({"nbf": NOW + 600}), SECRET));
    assert_eq!(at(&monday(), &early, NOW).status, VerdictStatus::Expired);
    // No header: unsigned; no secret: no_secret.
    let bare = Req::post("https://example.com/monday", BODY).json();
    assert_eq!(at(&monday(), &bare, NOW).status, VerdictStatus::Unsigned);
    let none = SchemeConfig { secrets: vec![], ..monday() };
    assert_eq!(at(&none, &req, NOW).status, VerdictStatus::NoSecret);
}

#[test]
fn unsigned_or_malformed_tokens_and_foreign_algorithms_are_refused() {
    let none = format!("{}.{}.", part(&json!({"alg": "none", "typ": "JWT"})), part(&json!({"accountId": 1})));
    let req = Req::post("https://example.com/monday", BODY).h("Authorization", &none);
    let v = at(&monday(), &req, NOW);
    assert_eq!(v.status, VerdictStatus::Invalid);
    assert!(v.explanation.contains("`none`"), "{}", v.explanation);
    let junk = req.clone().h("Authorization", "not-a-jwt");
    assert!(at(&monday(), &junk, NOW).explanation.contains("not a JWT"));
    // An RS256 token on the shared-secret scheme points at `jwt_public_key`.
    let rs = req.clone().h("Authorization", &rs256(json!({"a": 1})));
    let v = at(&monday(), &rs, NOW);
    assert_eq!(v.reason, ReasonCode::WrongAlgorithm, "{}", v.explanation);
    assert!(v.explanation.contains("jwt_public_key"), "{}", v.explanation);
    // Algorithm confusion: an HS256 token "signed" with the public key's PEM text is refused.
    let pem = rsa_public_pem();
    let forged = token(json!({"alg": "HS256"}), json!({"data": {"SHA256": hex::encode(sha2::Sha256::digest(BODY))}}), |m| {
        crypto::hmac_sign_for_tests(Algorithm::HS256, pem.as_bytes(), m)
    });
    let v = at(&wix_psp(), &Req::post("https://example.com/psp", BODY).h("Digest", &format!("JWT={forged}")), NOW);
    assert_eq!((v.status, v.reason), (VerdictStatus::Invalid, ReasonCode::WrongAlgorithm), "{}", v.explanation);
    // Options that mix the families are refused up front.
    let mixed = monday().with("algorithms", "HS256,RS256");
    assert_eq!(at(&mixed, &req, NOW).reason, ReasonCode::ConfigError);
}

#[test]
fn the_body_claim_binds_the_token_to_the_raw_body() {
    let secret = "fusionauth-hmac-key";
    let digest = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(BODY));
    let t = token(json!({"alg": "HS512", "typ": "JWT", "kid": "k1"}), json!({"request_body_sha256": digest}), |m| {
        crypto::hmac_sign_for_tests(Algorithm::HS512, secret.as_bytes(), m)
    });
    let req = Req::post("https://example.com/fa", BODY).json().h("X-FusionAuth-Signature-JWT", &t);
    let v = at(&fusionauth(secret), &req, NOW);
    assert_eq!(v.status, VerdictStatus::Valid, "{}", v.explanation);
    assert_eq!(v.skew_secs, None, "FusionAuth's tokens carry no time claims");
    assert!(v.explanation.contains("request_body_sha256"), "{}", v.explanation);
    let v = at(&fusionauth(secret), &req.clone().flip_body_byte(), NOW);
    assert_eq!((v.status, v.reason), (VerdictStatus::Invalid, ReasonCode::ReserializedBody), "{}", v.explanation);
    let bare = req.clone().h("X-FusionAuth-Signature-JWT", &hs256(json!({"sub": "x"}), secret));
    let v = at(&fusionauth(secret), &bare, NOW);
    assert!(v.status == VerdictStatus::Invalid && v.explanation.contains("no `request_body_sha256` claim"), "{}", v.explanation);
    // The secret as base64.
    let b64 = fusionauth(&base64::engine::general_purpose::STANDARD.encode(secret)).with("key_encoding", "base64");
    assert_eq!(at(&b64, &req, NOW).status, VerdictStatus::Valid);
}

#[test]
fn test_tokens_are_signed_with_the_configured_claims_and_resigned_in_place() {
    let c = monday().with("lifetime_secs", "300").with("sign_claims", r#"{"accountId":1825529,"userId":4012689}"#);
    let req = signed(&c, 0, Req::post("https://example.com/monday", BODY).json(), NOW);
    let v = at(&c, &req, NOW + 10);
    assert_eq!(v.status, VerdictStatus::Valid, "{}", v.explanation);
    let t = req.headers.iter().find(|(n, _)| n == "authorization").unwrap().1.clone();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(t.split('.').nth(1).unwrap()).unwrap()).unwrap();
    assert_eq!(claims, json!({"accountId": 1825529, "userId": 4012689, "iat": NOW, "exp": NOW + 300}));
    assert_eq!(at(&c, &req, NOW + 86_400).status, VerdictStatus::Expired);
    let again = signed(&c, 0, req.clone(), NOW + 1000);
    assert_eq!(at(&c, &again, NOW + 1000).status, VerdictStatus::Valid);
    // The body digest and the audience are signed too.
    let f = fusionauth("k").with("audience", "{url}").with("public_url", "https://public.example/fa");
    let req = signed(&f, 0, Req::post("http://127.0.0.1:4665/fa", BODY).json(), NOW);
    assert_eq!(at(&f, &req, NOW).status, VerdictStatus::Valid);
    assert_eq!(at(&f, &req.clone().flip_body_byte(), NOW).status, VerdictStatus::Invalid);
    // A token in the body cannot be made without the sender's key.
    let body_token = monday().with("token_location", "body");
    let s = crate::signature::sign(&body_token, 0, &Req::post("https://e.x/", b"").r(), NOW, &Default::default());
    assert!(matches!(s, Err(SignatureError::CannotSign { .. })), "{s:?}");
}

#[test]
fn the_audience_is_checked_against_the_public_url() {
    let c = monday().with("audience", "{url}");
    let t = hs256(json!({"aud": "https://abc.ngrok.app/monday", "exp": NOW + 60}), SECRET);
    let req = Req::post("http://127.0.0.1:4665/monday", BODY).h("Authorization", &t);
    let v = at(&c, &req, NOW);
    assert_eq!((v.status, v.reason), (VerdictStatus::Invalid, ReasonCode::UrlMismatch), "{}", v.explanation);
    assert!(v.explanation.contains("public_url"), "{}", v.explanation);
    let c = c.with("public_url", "https://abc.ngrok.app/monday");
    assert_eq!(at(&c, &req, NOW).status, VerdictStatus::Valid);
}

#[test]
fn public_key_tokens_verify_in_a_header_or_as_the_body() {
    let body = br#"{"wixTransactionId":"t1","wixMerchantId":"m1","order":{"id":"o1"}}"#;
    let claims = json!({"data": {"SHA256": hex::encode(sha2::Sha256::digest(body))}, "iat": NOW, "exp": NOW + 100});
    let req = Req::post("https://example.com/psp", body).json().h("Digest", &format!("JWT={}", rs256(claims)));
    let v = at(&wix_psp(), &req, NOW + 10);
    assert_eq!((v.status, v.skew_secs), (VerdictStatus::Valid, Some(10)), "{}", v.explanation);
    assert_eq!(at(&wix_psp(), &req.clone().flip_body_byte(), NOW).reason, ReasonCode::ReserializedBody);
    assert_eq!(at(&wix_psp(), &req, NOW + 1000).status, VerdictStatus::Expired);
    // Another RSA key: bad signature.
    let wrong = SchemeConfig { secrets: vec![Secret::new(OTHER_RSA_PUB)], ..wix_psp() };
    assert_eq!(at(&wrong, &req, NOW).reason, ReasonCode::BadSignature);
    // The whole body is the token (Wix webhooks); a PEM pasted with literal `\n` is read.
    let t = rs256(json!({"data": "{\"eventType\":\"wix.ecom.v1.order_approved\"}", "iat": NOW, "exp": NOW + 3600}));
    let pem = rsa_public_pem().replace('\n', "\\n");
    let c = SchemeConfig::new(SchemeId::JwtPublicKey, &[&pem]).with("token_location", "body");
    let req = Req::post("https://example.com/wix", t.as_bytes()).h("content-type", "text/plain");
    assert_eq!(at(&c, &req, NOW).status, VerdictStatus::Valid);
    assert_eq!(at(&c, &req.clone().flip_body_byte(), NOW).status, VerdictStatus::Invalid);
    // A private key or a non-key is a configuration error, never a silent mismatch.
    let c = SchemeConfig::new(SchemeId::JwtPublicKey, &[include_str!("../testdata/paybox_test_private.pem")]).with("token_location", "body");
    let v = at(&c, &req, NOW);
    assert!(v.reason == ReasonCode::ConfigError && v.explanation.contains("private key"), "{}", v.explanation);
    assert!(!v.explanation.contains("MII"), "never quotes the key");
}

#[test]
fn es256_and_eddsa_tokens_verify_with_their_public_keys() {
    let sk = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
    // SPKI of a P-256 key: the fixed algorithm prefix, then the uncompressed SEC1 point.
    let point = sk.verifying_key().to_encoded_point(false);
    let spki = [&hex::decode("3059301306072a8648ce3d020106082a8648ce3d030107034200").unwrap()[..], point.as_bytes()].concat();
    let pem = format!("-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n", base64::engine::general_purpose::STANDARD.encode(spki));
    let t = token(json!({"alg": "ES256"}), json!({"sub": "x"}), |m| {
        use p256::ecdsa::signature::Signer as _;
        let s: p256::ecdsa::Signature = sk.sign(m);
        s.to_bytes().to_vec()
    });
    let c = SchemeConfig::new(SchemeId::JwtPublicKey, &[&pem]).with("header", "X-Sig");
    let req = Req::post("https://example.com/", BODY).h("X-Sig", &t);
    assert_eq!(at(&c, &req, NOW).status, VerdictStatus::Valid, "{}", at(&c, &req, NOW).explanation);
    // The same key refuses an RS256 token.
    let rs = req.clone().h("X-Sig", &rs256(json!({"sub": "x"})));
    assert_eq!(at(&c, &rs, NOW).reason, ReasonCode::WrongAlgorithm);

    let ed = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
    let spki = [&[0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00][..], ed.verifying_key().as_bytes()].concat();
    let pem = format!("-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n", base64::engine::general_purpose::STANDARD.encode(spki));
    let t = token(json!({"alg": "EdDSA"}), json!({"sub": "x"}), |m| {
        use ed25519_dalek::Signer as _;
        ed.sign(m).to_bytes().to_vec()
    });
    let c = SchemeConfig::new(SchemeId::JwtPublicKey, &[&pem]).with("header", "X-Sig");
    let req = Req::post("https://example.com/", BODY).h("X-Sig", &t);
    assert_eq!(at(&c, &req, NOW).status, VerdictStatus::Valid, "{}", at(&c, &req, NOW).explanation);
}

/// Another RSA public key (the asymmetric engine's test key of the same name).
const OTHER_RSA_PUB: &str = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtqsEE4eI7EmzhcquGJXt\nLX9PMK0UH6Kl1WIR21sv8HtueG8BuvvpP3MiN7ltzmIhS8KaynCjN4l+620PnXeu\nxWG+CSnEdkinL9hCqbEid5vv9zl0j9LWiJx3FkKHqADU7cgm46aa8dKUdIQYF2X+\nO7WmyLkC4wUM/mWhBPMsIQBznashRMZxx7XJjsVp27ACUE4eNIjEXbVYN6U8jSbU\nhG++CfL8xXu+GHDqKmFE6Po6HnuURvLFVnCtE3mXXBcVFlPy+octfx8nOMLT3X8O\n9UehIigJ34o2yMm/Fq3HUJzg2BsiAiGgtr0vmeoV9Q7upSNj9TuOumAzZFi4pYA+\nqwIDAQAB\n-----END PUBLIC KEY-----\n";
