//! Test fixtures of the public-key engine: private keys to sign with (the engine cannot
//! sign: fixed Ed25519 and P-256 scalars, and the repository's RSA test key), a signer that
//! writes the headers a provider configured like an endpoint would, and provider-like
//! configurations.

use base64::Engine as _;
use rsa::pkcs8::{DecodePrivateKey, EncodePublicKey};

use super::*;
use crate::signature::generic::{Format, Locator};
use crate::signature::{OwnedRequest, Signed};

pub(super) const NOW: i64 = 1_764_000_000;
pub(super) const URL: &str = "https://hooks.example.com/hooks/pk";
pub(super) const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
pub(super) const RSA_TEST_KEY: &str = include_str!("../testdata/paybox_test_private.pem");
/// A different, valid RSA public key: the one on Bridge's verification page.
pub(super) const OTHER_RSA_PUB: &str = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtqsEE4eI7EmzhcquGJXt\nLX9PMK0UH6Kl1WIR21sv8HtueG8BuvvpP3MiN7ltzmIhS8KaynCjN4l+620PnXeu\nxWG+CSnEdkinL9hCqbEid5vv9zl0j9LWiJx3FkKHqADU7cgm46aa8dKUdIQYF2X+\nO7WmyLkC4wUM/mWhBPMsIQBznashRMZxx7XJjsVp27ACUE4eNIjEXbVYN6U8jSbU\nhG++CfL8xXu+GHDqKmFE6Po6HnuURvLFVnCtE3mXXBcVFlPy+octfx8nOMLT3X8O\n9UehIigJ34o2yMm/Fq3HUJzg2BsiAiGgtr0vmeoV9Q7upSNj9TuOumAzZFi4pYA+\nqwIDAQAB\n-----END PUBLIC KEY-----\n";

/// A private key the tests sign with.
pub(super) enum TestKey {
    Ed25519(ed25519_dalek::SigningKey),
    P256(p256::ecdsa::SigningKey),
    Rsa(rsa::RsaPrivateKey),
}

impl TestKey {
    pub(super) fn for_alg(alg: SigAlg, n: u8) -> TestKey {
        match alg {
            SigAlg::Ed25519 => TestKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(&[n; 32])),
            SigAlg::EcdsaP256Sha256 => {
                TestKey::P256(p256::ecdsa::SigningKey::from_slice(&[n; 32]).unwrap())
            }
            SigAlg::RsaSha256 | SigAlg::RsaSha512 => {
                assert_eq!(n, 1, "the tests have one RSA private key");
                TestKey::Rsa(rsa::RsaPrivateKey::from_pkcs8_pem(RSA_TEST_KEY).unwrap())
            }
        }
    }

    /// The public key as its provider usually hands it out.
    pub(super) fn public(&self) -> String {
        match self {
            TestKey::Ed25519(k) => B64.encode(k.verifying_key().to_bytes()),
            TestKey::P256(k) => B64.encode(
                p256::PublicKey::from(k.verifying_key())
                    .to_public_key_der()
                    .unwrap()
                    .as_bytes(),
            ),
            TestKey::Rsa(k) => k
                .to_public_key()
                .to_public_key_pem(Default::default())
                .unwrap(),
        }
    }

    pub(super) fn sign(&self, alg: SigAlg, msg: &[u8]) -> Vec<u8> {
        use rsa::signature::{SignatureEncoding, Signer};
        match self {
            TestKey::Ed25519(k) => ed25519_dalek::Signer::sign(k, msg).to_bytes().to_vec(),
            TestKey::P256(k) => {
                let s: p256::ecdsa::Signature = k.sign(msg);
                s.to_der().as_bytes().to_vec()
            }
            TestKey::Rsa(k) if alg == SigAlg::RsaSha512 => {
                rsa::pkcs1v15::SigningKey::<rsa::sha2::Sha512>::new(k.clone())
                    .sign(msg)
                    .to_vec()
            }
            TestKey::Rsa(k) => rsa::pkcs1v15::SigningKey::<rsa::sha2::Sha256>::new(k.clone())
                .sign(msg)
                .to_vec(),
        }
    }
}

/// Signs `req` as a sender configured like `cfg` would, with `key`, at `now`.
pub(super) fn sign_as(
    cfg: &SchemeConfig,
    key: &TestKey,
    req: &OwnedRequest,
    now: i64,
) -> OwnedRequest {
    let set = Settings::from(cfg).unwrap();
    let r = &set.recipe;
    let alg = set.alg.expect("tests name the algorithm");
    let ts_raw = if r.ts_millis {
        (now * 1000).to_string()
    } else {
        now.to_string()
    };
    let signed = req.with_view(None, |view| {
        let id = r
            .id_headers
            .iter()
            .find_map(|n| codec::header(view, n))
            .map(str::to_string);
        let ts = Some(Ts {
            raw: ts_raw.clone(),
            value: 0,
            secs: now,
        });
        let ctx = Ctx {
            req: view,
            ts,
            id,
            sig_in_query: false,
            sig_names: vec![],
        };
        let url = r.public_url.clone().unwrap_or_else(|| view.url.to_string());
        let msg = message(&generic::build(r, &ctx, &url, view.body), set.prehash);
        let raw = key.sign(alg, &msg);
        let sig = match set.enc {
            SigEnc::Base64 => B64.encode(&raw),
            SigEnc::Hex => hex::encode(&raw),
        };
        let value = match &r.format {
            Format::Single => format!("{}{sig}", r.prefix),
            Format::KeyValue {
                sep,
                ts_key,
                sig_key,
            } => format!("{ts_key}={ts_raw}{sep}{sig_key}={sig}"),
            other => panic!("test signer: format {other:?}"),
        };
        let Locator::Header(names) = &r.locator else {
            panic!("test signer: header locators only")
        };
        let mut out = Signed {
            headers: vec![(names[0].clone(), value)],
            ..Default::default()
        };
        if let generic::TsSource::Header(n) = &r.ts {
            out.headers.push((n[0].clone(), ts_raw.clone()));
        }
        out
    });
    let mut out = req.clone();
    signed.apply_to(&mut out);
    out
}

pub(super) fn post(body: &str) -> OwnedRequest {
    OwnedRequest {
        method: "POST".into(),
        url: URL.into(),
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.as_bytes().to_vec(),
    }
}

pub(super) fn check(cfg: &SchemeConfig, req: &OwnedRequest, now: i64) -> Verdict {
    req.with_view(None, |r| verify(cfg, r, now))
}

pub(super) fn cfg(keys: &[&str]) -> SchemeConfig {
    SchemeConfig::new(SchemeId::Asymmetric, keys)
}

pub(super) fn telnyx_like(keys: &[&str]) -> SchemeConfig {
    cfg(keys)
        .with("signature_algorithm", "ed25519")
        .with("header", "telnyx-signature-ed25519")
        .with("timestamp_header", "telnyx-timestamp")
        .with("template", "{timestamp}|{body}")
}

pub(super) fn sendgrid_like(keys: &[&str]) -> SchemeConfig {
    cfg(keys)
        .with("signature_algorithm", "ecdsa_p256_sha256")
        .with("header", "X-Twilio-Email-Event-Webhook-Signature")
        .with("timestamp_header", "X-Twilio-Email-Event-Webhook-Timestamp")
        .with("template", "{timestamp}{body}")
}

pub(super) fn bridge_like(keys: &[&str]) -> SchemeConfig {
    cfg(keys)
        .with("signature_algorithm", "rsa_sha256")
        .with("header", "X-Webhook-Signature")
        .with("signature_format", "kv")
        .with("kv_signature_key", "v0")
        .with("timestamp_unit", "ms")
        .with("template", "{timestamp}.{body}")
        .with("prehash", "sha256")
        .with("tolerance_secs", "600")
}

pub(super) fn fireblocks_like(keys: &[&str]) -> SchemeConfig {
    cfg(keys)
        .with("signature_algorithm", "rsa_sha512")
        .with("header", "Fireblocks-Signature")
}

pub(super) const BODY: &str = r#"{"event":"delivered","id":42}"#;

pub(super) fn pem(label: &str, der: &[u8]) -> String {
    let b = B64.encode(der);
    let lines: Vec<&str> = b
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

pub(super) fn assert_status(v: &Verdict, status: VerdictStatus, reason: ReasonCode, what: &str) {
    assert_eq!(
        (v.status, v.reason),
        (status, reason),
        "{what}: {}",
        v.explanation
    );
}
