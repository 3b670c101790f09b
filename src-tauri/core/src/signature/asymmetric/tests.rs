//! Tests of the public-key engine's verdicts: each algorithm, freshness, missing headers,
//! rotation, the near-miss diagnoses, and every catalog entry on the engine end to end.

use base64::Engine as _;

use super::testkeys::*;
use super::*;
use crate::signature::{OwnedRequest, SignExtra};

/// A provider-like configuration, its algorithm, and a wrong key for it.
type Case = (fn(&[&str]) -> SchemeConfig, SigAlg, String);

#[test]
fn each_algorithm_verifies_and_rejects_a_tampered_body_and_a_wrong_key() {
    let cases: [Case; 4] = [
        (
            telnyx_like,
            SigAlg::Ed25519,
            TestKey::for_alg(SigAlg::Ed25519, 9).public(),
        ),
        (
            sendgrid_like,
            SigAlg::EcdsaP256Sha256,
            TestKey::for_alg(SigAlg::EcdsaP256Sha256, 9).public(),
        ),
        (bridge_like, SigAlg::RsaSha256, OTHER_RSA_PUB.to_string()),
        (
            fireblocks_like,
            SigAlg::RsaSha512,
            OTHER_RSA_PUB.to_string(),
        ),
    ];
    for (make, alg, wrong) in cases {
        let key = TestKey::for_alg(alg, 1);
        let pk = key.public();
        let c = make(&[&pk]);
        let req = sign_as(&c, &key, &post(BODY), NOW);
        let v = check(&c, &req, NOW + 5);
        assert_status(&v, VerdictStatus::Valid, ReasonCode::Ok, alg.id());
        assert_eq!(v.matched_secret_index, Some(0));
        assert!(v.explanation.contains(alg.name()), "{}", v.explanation);
        let sc = v.signed_content.expect("signed content");
        let (s, e) = sc.body_range.expect("body range");
        assert_eq!(&sc.text[s as usize..e as usize], BODY);

        let mut tampered = req.clone();
        tampered.body = BODY.replace("42", "43").into_bytes();
        assert_status(
            &check(&c, &tampered, NOW),
            VerdictStatus::Invalid,
            ReasonCode::BadSignature,
            "tampered",
        );
        let v = check(&make(&[&wrong]), &req, NOW);
        assert_status(
            &v,
            VerdictStatus::Invalid,
            ReasonCode::BadSignature,
            "wrong key",
        );
        assert!(
            v.explanation.contains("does not verify"),
            "{}",
            v.explanation
        );
    }
}

#[test]
fn a_stale_or_future_timestamp_is_expired_and_no_timestamp_never_is() {
    let key = TestKey::for_alg(SigAlg::Ed25519, 1);
    let pk = key.public();
    let c = telnyx_like(&[&pk]);
    let req = sign_as(&c, &key, &post(BODY), NOW - 400);
    let v = check(&c, &req, NOW);
    assert_status(&v, VerdictStatus::Expired, ReasonCode::Expired, "stale");
    assert_eq!(v.skew_secs, Some(400));
    assert!(v.explanation.contains("400 s ago"), "{}", v.explanation);
    let v = check(&c, &sign_as(&c, &key, &post(BODY), NOW + 400), NOW);
    assert_status(&v, VerdictStatus::Expired, ReasonCode::Expired, "future");
    assert_status(
        &check(&c.clone().with("tolerance_secs", "0"), &req, NOW),
        VerdictStatus::Valid,
        ReasonCode::Ok,
        "no window",
    );

    // Bridge: milliseconds, 10 minutes.
    let rsa = TestKey::for_alg(SigAlg::RsaSha256, 1);
    let pk = rsa.public();
    let b = bridge_like(&[&pk]);
    let req = sign_as(&b, &rsa, &post(BODY), NOW - 500);
    let v = check(&b, &req, NOW);
    assert_status(
        &v,
        VerdictStatus::Valid,
        ReasonCode::Ok,
        "bridge within 10 min",
    );
    assert_eq!(v.skew_secs, Some(500));
    assert_status(
        &check(&b, &req, NOW + 200),
        VerdictStatus::Expired,
        ReasonCode::Expired,
        "bridge after 10 min",
    );

    // Fireblocks signs no timestamp: an old capture is still valid.
    let f = fireblocks_like(&[&pk]);
    let v = check(&f, &sign_as(&f, &rsa, &post(BODY), NOW), NOW + 86_400 * 365);
    assert_status(
        &v,
        VerdictStatus::Valid,
        ReasonCode::Ok,
        "fireblocks a year later",
    );
    assert_eq!(v.skew_secs, None);
}

#[test]
fn missing_headers_say_which() {
    let key = TestKey::for_alg(SigAlg::EcdsaP256Sha256, 1);
    let pk = key.public();
    let c = sendgrid_like(&[&pk]);
    let v = check(&c, &post(BODY), NOW);
    assert_status(
        &v,
        VerdictStatus::Unsigned,
        ReasonCode::MissingHeader,
        "no signature",
    );
    assert!(
        v.explanation
            .contains("X-Twilio-Email-Event-Webhook-Signature"),
        "{}",
        v.explanation
    );

    let mut req = sign_as(&c, &key, &post(BODY), NOW);
    req.headers
        .retain(|(n, _)| !n.eq_ignore_ascii_case("X-Twilio-Email-Event-Webhook-Timestamp"));
    let v = check(&c, &req, NOW);
    assert_status(
        &v,
        VerdictStatus::Invalid,
        ReasonCode::MissingTimestamp,
        "no timestamp",
    );
    assert!(
        v.explanation
            .contains("X-Twilio-Email-Event-Webhook-Timestamp"),
        "{}",
        v.explanation
    );

    let mut signed = post(BODY);
    signed.headers.push(("X-Sig".into(), "AAAA".into()));
    let v = check(&cfg(&[]).with("header", "X-Sig"), &signed, NOW);
    assert_eq!(v.status, VerdictStatus::NoSecret);
}

#[test]
fn rotation_reports_the_key_that_matched_and_skips_unreadable_ones() {
    let key = TestKey::for_alg(SigAlg::Ed25519, 1);
    let pk = key.public();
    let old = TestKey::for_alg(SigAlg::Ed25519, 2).public();
    let req = sign_as(&telnyx_like(&[&pk]), &key, &post(BODY), NOW);
    let v = check(&telnyx_like(&[&old, "garbage!", &pk]), &req, NOW);
    assert_status(&v, VerdictStatus::Valid, ReasonCode::Ok, "rotation");
    assert_eq!(v.matched_secret_index, Some(2));
    assert!(
        v.explanation.contains("public key 3 of 3"),
        "{}",
        v.explanation
    );
    let v = check(&telnyx_like(&[&old, "garbage!"]), &req, NOW);
    assert_status(
        &v,
        VerdictStatus::Invalid,
        ReasonCode::BadSignature,
        "no match",
    );
    assert!(
        v.explanation
            .contains("1 of the configured keys could not be read"),
        "{}",
        v.explanation
    );
    // No algorithm configured: taken from the key.
    let v = check(
        &telnyx_like(&[&pk]).with("signature_algorithm", ""),
        &req,
        NOW,
    );
    assert_status(
        &v,
        VerdictStatus::Valid,
        ReasonCode::Ok,
        "algorithm from the key",
    );
}

#[test]
fn near_misses_are_diagnosed() {
    let rsa = TestKey::for_alg(SigAlg::RsaSha256, 1);
    let pk = rsa.public();
    // Signed RSA-SHA512, configured RSA-SHA256.
    let req = sign_as(&fireblocks_like(&[&pk]), &rsa, &post(BODY), NOW);
    let v = check(
        &fireblocks_like(&[&pk]).with("signature_algorithm", "rsa_sha256"),
        &req,
        NOW,
    );
    assert_status(
        &v,
        VerdictStatus::Invalid,
        ReasonCode::WrongAlgorithm,
        "sha512 vs sha256",
    );
    assert!(v.explanation.contains("`rsa_sha512`"), "{}", v.explanation);
    assert_eq!(v.matched_secret_index, Some(0));
    // Bridge without the second pass of hashing.
    let req = sign_as(&bridge_like(&[&pk]), &rsa, &post(BODY), NOW);
    let v = check(&bridge_like(&[&pk]).with("prehash", "none"), &req, NOW);
    assert_status(
        &v,
        VerdictStatus::Invalid,
        ReasonCode::WrongAlgorithm,
        "prehash",
    );
    assert!(
        v.explanation.contains("`prehash` to `sha256`"),
        "{}",
        v.explanation
    );
    // Another joiner between timestamp and body.
    let ed = TestKey::for_alg(SigAlg::Ed25519, 1);
    let epk = ed.public();
    let req = sign_as(
        &telnyx_like(&[&epk]).with("template", "{timestamp}.{body}"),
        &ed,
        &post(BODY),
        NOW,
    );
    let v = check(&telnyx_like(&[&epk]), &req, NOW);
    assert_status(
        &v,
        VerdictStatus::Invalid,
        ReasonCode::BadSignature,
        "template",
    );
    assert!(
        v.explanation.contains("`template` to `{timestamp}.{body}`"),
        "{}",
        v.explanation
    );
    assert!(v
        .signed_content
        .unwrap()
        .text
        .starts_with(&format!("{NOW}.")));
    // Hex on the wire, base64 configured.
    let req = sign_as(
        &telnyx_like(&[&epk]).with("signature_encoding", "hex"),
        &ed,
        &post(BODY),
        NOW,
    );
    let v = check(&telnyx_like(&[&epk]), &req, NOW);
    assert_status(
        &v,
        VerdictStatus::Invalid,
        ReasonCode::WrongEncoding,
        "encoding",
    );
    assert!(
        v.explanation.contains("`signature_encoding` to `hex`"),
        "{}",
        v.explanation
    );
    // A prefix the sender does not write.
    let v = check(&telnyx_like(&[&epk]).with("prefix", "v1="), &req, NOW);
    assert_status(
        &v,
        VerdictStatus::Invalid,
        ReasonCode::MissingPrefix,
        "prefix",
    );
}

#[test]
fn an_ecdsa_signature_may_be_der_or_raw_r_s() {
    let ec = TestKey::for_alg(SigAlg::EcdsaP256Sha256, 1);
    let pk = ec.public();
    let c = sendgrid_like(&[&pk]);
    let req = sign_as(&c, &ec, &post(BODY), NOW);
    let (_, sig) = req
        .headers
        .iter()
        .find(|(n, _)| n == "X-Twilio-Email-Event-Webhook-Signature")
        .unwrap();
    let raw = p256::ecdsa::Signature::from_der(&B64.decode(sig).unwrap())
        .unwrap()
        .to_bytes();
    let mut fixed = req.clone();
    for (n, v) in fixed.headers.iter_mut() {
        if n.eq_ignore_ascii_case("X-Twilio-Email-Event-Webhook-Signature") {
            *v = B64.encode(raw);
        }
    }
    assert_status(
        &check(&c, &fixed, NOW),
        VerdictStatus::Valid,
        ReasonCode::Ok,
        "raw r||s",
    );
}

#[test]
fn the_options_listed_for_the_ui_are_the_ones_read_and_their_defaults_compile() {
    let opts = options();
    let mut c = cfg(&[]);
    for o in &opts {
        if let Some(d) = &o.default {
            c = c.with(&o.name, d);
        }
    }
    let c = c.with("header", "X-Sig").with("signature_format", "single");
    assert!(Settings::from(&c).is_ok());
    for name in [
        "signature_algorithm",
        "signature_encoding",
        "prehash",
        "header",
        "template",
        "timestamp_header",
        "signature_format",
        "kv_signature_key",
        "tolerance_secs",
    ] {
        assert!(opts.iter().any(|o| o.name == name), "{name} is not listed");
    }
}

#[test]
fn signing_is_refused() {
    let pk = TestKey::for_alg(SigAlg::Ed25519, 1).public();
    let c = telnyx_like(&[&pk]);
    let err = post(BODY).with_view(None, |r| {
        crate::signature::sign(&c, 0, r, NOW, &SignExtra::default())
    });
    assert!(
        matches!(err, Err(SignatureError::CannotSign { .. })),
        "{err:?}"
    );
}

/// Every catalog entry on this engine: its vectors give the documented verdict, and its own
/// sample signed with a test key of its algorithm verifies, names the provider, and rejects
/// a tampered body, a wrong key and (with a timestamp) a month-old delivery.
#[test]
fn every_catalog_entry_on_this_engine_works_end_to_end() {
    let entries: Vec<_> = provider::all()
        .iter()
        .filter(|p| p.scheme == SCHEME)
        .collect();
    assert!(
        entries.len() >= 4,
        "the asymmetric providers are missing from the catalog"
    );
    let mut failures = vec![];
    for p in entries {
        for vec in &p.vectors {
            let mut c = p.config();
            c.secrets = vec![crate::signature::Secret::new(vec.secret.clone())];
            c.options.extend(vec.options.clone());
            let req = OwnedRequest {
                method: vec.method.clone(),
                url: vec.url.clone(),
                headers: vec.headers.clone(),
                body: vec.body.clone().into_bytes(),
            };
            let got = check(&c, &req, vec.now);
            let want = if vec.expect == "valid" {
                VerdictStatus::Valid
            } else {
                VerdictStatus::Invalid
            };
            if got.status != want {
                failures.push(format!(
                    "{} vector `{}`: {:?}/{:?}: {}",
                    p.id, vec.note, got.status, got.reason, got.explanation
                ));
            }
        }
        let alg =
            SigAlg::parse(&p.options["signature_algorithm"]).expect("entries name their algorithm");
        let key = TestKey::for_alg(alg, 1);
        let pk = key.public();
        let mut c = p.config();
        c.secrets = vec![crate::signature::Secret::new(pk)];
        let sample = crate::signature::sample::event(&c, URL, NOW, 7);
        let req = sign_as(&c, &key, &sample, NOW);
        let v = check(&c, &req, NOW);
        if v.status != VerdictStatus::Valid || !v.explanation.contains(&p.name) {
            failures.push(format!(
                "{}: own sample {:?}: {}",
                p.id, v.status, v.explanation
            ));
            continue;
        }
        let mut t = req.clone();
        let i = t.body.len() / 2;
        t.body[i] = if t.body[i] == b'7' { b'8' } else { b'7' };
        if check(&c, &t, NOW).status == VerdictStatus::Valid {
            failures.push(format!("{}: a tampered body verifies", p.id));
        }
        let mut wrong = c.clone();
        wrong.secrets = vec![crate::signature::Secret::new(match alg {
            SigAlg::RsaSha256 | SigAlg::RsaSha512 => OTHER_RSA_PUB.to_string(),
            a => TestKey::for_alg(a, 2).public(),
        })];
        if check(&wrong, &req, NOW).status == VerdictStatus::Valid {
            failures.push(format!("{}: the wrong key verifies", p.id));
        }
        if v.skew_secs.is_some()
            && check(&c, &req, NOW + 86_400 * 30).status != VerdictStatus::Expired
        {
            failures.push(format!("{}: a month-old delivery is not expired", p.id));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
