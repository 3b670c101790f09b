//! Tests of the public-key engine's key reading: every accepted form, and the config errors
//! for keys that cannot be used (which must never quote the key).

use base64::Engine as _;

use super::testkeys::*;
use super::*;
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::pkcs8::EncodePublicKey;

#[test]
fn every_key_form_is_read() {
    // Ed25519: raw base64 (Telnyx), raw hex (Discord-style), SPKI PEM, SPKI base64.
    let ed = TestKey::for_alg(SigAlg::Ed25519, 1);
    let TestKey::Ed25519(sk) = &ed else {
        unreachable!()
    };
    let raw = sk.verifying_key().to_bytes();
    let mut spki = hex::decode("302a300506032b6570032100").unwrap();
    spki.extend_from_slice(&raw);
    let forms = [
        B64.encode(raw),
        hex::encode(raw),
        hex::encode_upper(raw),
        pem("PUBLIC KEY", &spki),
        B64.encode(&spki),
    ];
    let req = sign_as(&telnyx_like(&["x"]), &ed, &post(BODY), NOW);
    for f in &forms {
        let v = check(&telnyx_like(&[f]), &req, NOW);
        assert_status(
            &v,
            VerdictStatus::Valid,
            ReasonCode::Ok,
            &format!("ed25519 key {f}"),
        );
    }

    // P-256: SPKI base64 (SendGrid), SPKI PEM, SEC1 points in hex and base64.
    let ec = TestKey::for_alg(SigAlg::EcdsaP256Sha256, 1);
    let TestKey::P256(sk) = &ec else {
        unreachable!()
    };
    let der = p256::PublicKey::from(sk.verifying_key())
        .to_public_key_der()
        .unwrap();
    let point = sk.verifying_key().to_encoded_point(false);
    let compressed = sk.verifying_key().to_encoded_point(true);
    let forms = [
        B64.encode(der.as_bytes()),
        pem("PUBLIC KEY", der.as_bytes()),
        hex::encode(point.as_bytes()),
        B64.encode(compressed.as_bytes()),
    ];
    let req = sign_as(&sendgrid_like(&["x"]), &ec, &post(BODY), NOW);
    for f in &forms {
        assert_status(
            &check(&sendgrid_like(&[f]), &req, NOW),
            VerdictStatus::Valid,
            ReasonCode::Ok,
            &format!("p256 key {f}"),
        );
    }

    // RSA: SPKI PEM, PKCS#1 PEM, base64 SPKI and PKCS#1 DER, PEM escaped as in JSON, PEM on one line.
    let rsa = TestKey::for_alg(SigAlg::RsaSha512, 1);
    let TestKey::Rsa(sk) = &rsa else {
        unreachable!()
    };
    let pk = sk.to_public_key();
    let spki_pem = rsa.public();
    let forms = [
        spki_pem.clone(),
        pk.to_pkcs1_pem(Default::default()).unwrap(),
        B64.encode(pk.to_public_key_der().unwrap().as_bytes()),
        B64.encode(pk.to_pkcs1_der().unwrap().as_bytes()),
        spki_pem.replace('\n', "\\n"),
        spki_pem.replace('\n', " "),
        format!("  {}\r\n", spki_pem.replace('\n', "\r\n")),
    ];
    let req = sign_as(&fireblocks_like(&["x"]), &rsa, &post(BODY), NOW);
    for f in &forms {
        assert_status(
            &check(&fireblocks_like(&[f]), &req, NOW),
            VerdictStatus::Valid,
            ReasonCode::Ok,
            &format!("rsa key {f:?}"),
        );
    }
}

#[test]
fn unusable_keys_are_config_errors_that_name_the_expected_forms() {
    let rsa = TestKey::for_alg(SigAlg::RsaSha512, 1);
    let req = sign_as(&fireblocks_like(&["x"]), &rsa, &post(BODY), NOW);
    for (key, says) in [
        ("whsec_c2VjcmV0", "PEM public key"),
        ("not a key at all!", "neither PEM, base64 nor hex"),
        (RSA_TEST_KEY, "private key"),
        (
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
            "certificate",
        ),
        ("-----BEGIN PUBLIC KEY-----\nMIIB", "not closed"),
        (
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIj",
            "36 bytes",
        ),
    ] {
        let v = check(&fireblocks_like(&[key]), &req, NOW);
        assert_status(&v, VerdictStatus::Invalid, ReasonCode::ConfigError, key);
        assert!(v.explanation.contains(says), "{key}: {}", v.explanation);
        assert!(
            !v.explanation.contains("MII") && !v.explanation.contains("whsec_c2V"),
            "a key is quoted: {}",
            v.explanation
        );
    }
    // A good key of the wrong kind for the configured algorithm.
    let ed = TestKey::for_alg(SigAlg::Ed25519, 1).public();
    let v = check(&fireblocks_like(&[&ed]), &req, NOW);
    assert_status(
        &v,
        VerdictStatus::Invalid,
        ReasonCode::ConfigError,
        "ed25519 key for rsa",
    );
    assert!(
        v.explanation.contains("an Ed25519 key") && v.explanation.contains("RSA-SHA512"),
        "{}",
        v.explanation
    );
    // Bad options.
    for (opt, val) in [
        ("signature_algorithm", "rsa_md5"),
        ("signature_encoding", "base32"),
        ("prehash", "md5"),
        ("template", "{secret}{body}"),
    ] {
        let v = check(&fireblocks_like(&["x"]).with(opt, val), &req, NOW);
        assert_status(&v, VerdictStatus::Invalid, ReasonCode::ConfigError, opt);
        assert!(v.explanation.contains(opt), "{opt}: {}", v.explanation);
    }
}
