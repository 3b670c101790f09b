//! The cryptography under `jsonwebtoken`: its `CryptoProvider` (the crate's documented way to
//! bring a backend) built from the crates the signature module already uses — hmac/sha2 for
//! HS256/384/512, rsa for RS/PS 256/384/512, p256 for ES256, ed25519-dalek for EdDSA — so
//! JWTs add no second crypto stack. Also reads the configured keys into `DecodingKey`s: an
//! HMAC secret's bytes, or a PEM public key (SPKI `PUBLIC KEY` or PKCS#1 `RSA PUBLIC KEY`).
//! The crate parses the JWS (base64url, JSON, the `alg` check); this file only verifies bytes
//! and signs HMAC tokens. No private key is ever read; errors never quote a key.

use std::sync::OnceLock;

use jsonwebtoken::crypto::{CryptoProvider, JwtSigner, JwtVerifier, KeyUtils};
use jsonwebtoken::errors::{Error, ErrorKind};
use jsonwebtoken::signature::{self as sig3, Verifier as _};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, DecodingKeyKind, EncodingKey};
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs8::{DecodePublicKey, ObjectIdentifier, SubjectPublicKeyInfoRef};
use rsa::traits::PublicKeyParts;

/// The process's `jsonwebtoken` provider; installed once, before the first decode or encode.
static PROVIDER: CryptoProvider = CryptoProvider {
    signer_factory: new_signer,
    verifier_factory: new_verifier,
    key_utils: KeyUtils::new_unimplemented(),
};

/// Installs [`PROVIDER`] (idempotent; JWK helpers, which Hookloupe never calls, stay unset).
pub(super) fn install() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        // Err only when one is installed already: a concurrent first call did it.
        let _ = PROVIDER.install_default();
    });
}

fn bad_key() -> Error {
    ErrorKind::InvalidKeyFormat.into()
}

fn failed<E: std::error::Error + Send + Sync + 'static>(e: E) -> sig3::Error {
    sig3::Error::from_source(e)
}

/// One verifier or signer: the algorithm and what checks (or makes) its signature.
struct Op<F> {
    alg: Algorithm,
    f: F,
}

impl<F: Fn(&[u8], &[u8]) -> Result<(), sig3::Error>> sig3::Verifier<Vec<u8>> for Op<F> {
    fn verify(&self, msg: &[u8], signature: &Vec<u8>) -> Result<(), sig3::Error> {
        (self.f)(msg, signature)
    }
}

impl<F: Fn(&[u8], &[u8]) -> Result<(), sig3::Error>> JwtVerifier for Op<F> {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }
}

impl sig3::Signer<Vec<u8>> for Op<Vec<u8>> {
    fn try_sign(&self, msg: &[u8]) -> Result<Vec<u8>, sig3::Error> {
        hmac_of(self.alg, &self.f, msg).ok_or_else(sig3::Error::new)
    }
}

impl JwtSigner for Op<Vec<u8>> {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }
}

fn hmac_of(alg: Algorithm, key: &[u8], msg: &[u8]) -> Option<Vec<u8>> {
    use hmac::{Hmac, KeyInit, Mac};
    fn run<M: Mac + KeyInit>(key: &[u8], msg: &[u8]) -> Vec<u8> {
        let mut m = <M as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
        m.update(msg);
        m.finalize().into_bytes().to_vec()
    }
    Some(match alg {
        Algorithm::HS256 => run::<Hmac<sha2::Sha256>>(key, msg),
        Algorithm::HS384 => run::<Hmac<sha2::Sha384>>(key, msg),
        Algorithm::HS512 => run::<Hmac<sha2::Sha512>>(key, msg),
        _ => return None,
    })
}

fn new_signer(alg: &Algorithm, key: &EncodingKey) -> Result<Box<dyn JwtSigner>, Error> {
    // Hookloupe holds shared secrets only: it signs HMAC tokens and nothing else.
    if alg.family() != AlgorithmFamily::Hmac || key.family() != AlgorithmFamily::Hmac {
        return Err(ErrorKind::InvalidAlgorithm.into());
    }
    Ok(Box::new(Op { alg: *alg, f: key.as_bytes().to_vec() }))
}

fn boxed(alg: Algorithm, f: impl Fn(&[u8], &[u8]) -> Result<(), sig3::Error> + 'static) -> Box<dyn JwtVerifier> {
    Box::new(Op { alg, f })
}

fn new_verifier(alg: &Algorithm, key: &DecodingKey) -> Result<Box<dyn JwtVerifier>, Error> {
    let alg = *alg;
    if alg.family() != key.family() {
        return Err(ErrorKind::InvalidAlgorithm.into());
    }
    match alg.family() {
        AlgorithmFamily::Hmac => {
            let secret = key.try_get_as_bytes()?.to_vec();
            Ok(boxed(alg, move |msg, sig| {
                let mac = hmac_of(alg, &secret, msg).ok_or_else(sig3::Error::new)?;
                if crate::signature::codec::ct_eq(&mac, sig) {
                    Ok(())
                } else {
                    Err(sig3::Error::new())
                }
            }))
        }
        AlgorithmFamily::Rsa => {
            let DecodingKeyKind::RsaModulusExponent { n, e } = key.kind() else {
                return Err(bad_key());
            };
            let pk = rsa::RsaPublicKey::new(rsa::BigUint::from_bytes_be(n), rsa::BigUint::from_bytes_be(e))
                .map_err(|e| Error::from(ErrorKind::InvalidRsaKey(e.to_string())))?;
            Ok(boxed(alg, move |msg, sig| rsa_verify(alg, &pk, msg, sig)))
        }
        AlgorithmFamily::Ec => {
            if alg != Algorithm::ES256 {
                return Err(ErrorKind::UnsupportedAlgorithm.into());
            }
            let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(key.try_get_as_bytes()?)
                .map_err(|_| Error::from(ErrorKind::InvalidEcdsaKey))?;
            Ok(boxed(alg, move |msg, sig| {
                use p256::ecdsa::signature::Verifier as _;
                // JWS writes ECDSA signatures as r || s (RFC 7515 appendix A.3), not DER.
                let s = p256::ecdsa::Signature::from_slice(sig).map_err(failed)?;
                vk.verify(msg, &s).map_err(failed)
            }))
        }
        AlgorithmFamily::Ed => {
            let raw: [u8; 32] = key.try_get_as_bytes()?.try_into().map_err(|_| Error::from(ErrorKind::InvalidEddsaKey))?;
            let vk = ed25519_dalek::VerifyingKey::from_bytes(&raw).map_err(|_| Error::from(ErrorKind::InvalidEddsaKey))?;
            Ok(boxed(alg, move |msg, sig| {
                let s = ed25519_dalek::Signature::from_slice(sig)?;
                vk.verify(msg, &s)
            }))
        }
    }
}

fn rsa_verify(alg: Algorithm, pk: &rsa::RsaPublicKey, msg: &[u8], sig: &[u8]) -> Result<(), sig3::Error> {
    use rsa::sha2::{Sha256, Sha384, Sha512};
    use rsa::signature::Verifier as _;
    use rsa::{pkcs1v15, pss};
    let pk = pk.clone();
    match alg {
        Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512 => {
            let s = pkcs1v15::Signature::try_from(sig).map_err(failed)?;
            match alg {
                Algorithm::RS256 => pkcs1v15::VerifyingKey::<Sha256>::new(pk).verify(msg, &s),
                Algorithm::RS384 => pkcs1v15::VerifyingKey::<Sha384>::new(pk).verify(msg, &s),
                _ => pkcs1v15::VerifyingKey::<Sha512>::new(pk).verify(msg, &s),
            }
            .map_err(failed)
        }
        _ => {
            let s = pss::Signature::try_from(sig).map_err(failed)?;
            match alg {
                Algorithm::PS256 => pss::VerifyingKey::<Sha256>::new(pk).verify(msg, &s),
                Algorithm::PS384 => pss::VerifyingKey::<Sha384>::new(pk).verify(msg, &s),
                _ => pss::VerifyingKey::<Sha512>::new(pk).verify(msg, &s),
            }
            .map_err(failed)
        }
    }
}

/// A configured public key, read from PEM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum PublicKind {
    Rsa,
    P256,
    Ed25519,
}

impl PublicKind {
    pub(super) fn describe(&self) -> &'static str {
        match self {
            PublicKind::Rsa => "an RSA key",
            PublicKind::P256 => "an EC P-256 key",
            PublicKind::Ed25519 => "an Ed25519 key",
        }
    }
    /// The JWS algorithms a key of this kind verifies.
    pub(super) fn algorithms(&self) -> &'static [Algorithm] {
        match self {
            PublicKind::Rsa => &[
                Algorithm::RS256,
                Algorithm::RS384,
                Algorithm::RS512,
                Algorithm::PS256,
                Algorithm::PS384,
                Algorithm::PS512,
            ],
            PublicKind::P256 => &[Algorithm::ES256],
            PublicKind::Ed25519 => &[Algorithm::EdDSA],
        }
    }
}

const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// Reads a public key pasted as PEM (line breaks may arrive as literal `\n`, as in JSON).
pub(super) fn public_key(text: &str) -> Result<(PublicKind, DecodingKey), String> {
    let text = text.trim().replace("\\r", "").replace("\\n", "\n");
    if !text.contains("-----BEGIN") {
        return Err("it is not a PEM public key (`-----BEGIN PUBLIC KEY-----`)".into());
    }
    let (label, der) = pem_block(&text).ok_or_else(|| "its PEM block is malformed (not closed, or not base64)".to_string())?;
    let der = der.as_slice();
    match label.as_str() {
        "RSA PUBLIC KEY" => rsa::RsaPublicKey::from_pkcs1_der(der)
            .map(|k| (PublicKind::Rsa, rsa_key(&k)))
            .map_err(|_| "its PKCS#1 structure is not an RSA public key".into()),
        "PUBLIC KEY" => {
            if let Ok(k) = rsa::RsaPublicKey::from_public_key_der(der) {
                return Ok((PublicKind::Rsa, rsa_key(&k)));
            }
            if let Ok(k) = <p256::PublicKey as p256::pkcs8::DecodePublicKey>::from_public_key_der(der) {
                let point = p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&k, false);
                return Ok((PublicKind::P256, DecodingKey::from_ec_der(point.as_bytes())));
            }
            let spki = SubjectPublicKeyInfoRef::try_from(der).map_err(|_| "its DER is not a public key".to_string())?;
            if spki.algorithm.oid == ED25519 {
                let raw = spki.subject_public_key.raw_bytes();
                if raw.len() == 32 {
                    return Ok((PublicKind::Ed25519, DecodingKey::from_ed_der(raw)));
                }
            }
            Err(format!("it is a public key of an algorithm JWTs here are not verified with (OID {})", spki.algorithm.oid))
        }
        l if l.contains("PRIVATE KEY") => {
            Err("it is a private key; paste the sender's public key instead (and treat this private key as leaked)".into())
        }
        "CERTIFICATE" => Err("it is a certificate; paste the public key it holds (`openssl x509 -pubkey -noout`)".into()),
        other => Err(format!("it is a PEM `{other}` block, not a `PUBLIC KEY`")),
    }
}

/// The label and DER of the first PEM block. Lenient on purpose, like the asymmetric engine's
/// reader: keys get re-wrapped by web pages and settings fields, so any whitespace (or none)
/// may sit between the base64 lines.
fn pem_block(text: &str) -> Option<(String, Vec<u8>)> {
    let rest = &text[text.find("-----BEGIN ")? + "-----BEGIN ".len()..];
    let label_end = rest.find("-----")?;
    let body = &rest[label_end + 5..];
    let b64: String = body[..body.find("-----END ")?].chars().filter(|c| !c.is_whitespace()).collect();
    Some((rest[..label_end].trim().to_string(), crate::signature::codec::b64_decode_lenient(&b64)?))
}

fn rsa_key(k: &rsa::RsaPublicKey) -> DecodingKey {
    DecodingKey::from_rsa_raw_components(&k.n().to_bytes_be(), &k.e().to_bytes_be())
}

#[cfg(test)]
pub(super) fn hmac_sign_for_tests(alg: Algorithm, key: &[u8], msg: &[u8]) -> Vec<u8> {
    use jsonwebtoken::signature::Signer as _;
    Op { alg, f: key.to_vec() }.sign(msg)
}
