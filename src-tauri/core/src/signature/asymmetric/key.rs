//! Public keys as people paste them: PEM (`PUBLIC KEY` = SPKI, `RSA PUBLIC KEY` = PKCS#1,
//! also JSON-escaped with literal `\n`, or flattened onto one line), base64 or hex of an
//! SPKI / PKCS#1 DER, base64 or hex of a raw 32-byte Ed25519 key, and base64 or hex of a
//! SEC1 P-256 point. This file recognises the form and hands the bytes to the RustCrypto
//! parsers; it never parses key material itself beyond PEM's text framing, never holds a
//! private key, and its errors never quote the key.

use ed25519_dalek::VerifyingKey as Ed25519Key;
use p256::ecdsa::VerifyingKey as P256Key;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs8::{DecodePublicKey, ObjectIdentifier, SubjectPublicKeyInfoRef};

use crate::signature::codec;

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const PRIME256V1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// The kind of key, which decides the algorithms it can verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum KeyKind {
    Ed25519,
    P256,
    Rsa,
}

impl KeyKind {
    pub(super) fn describe(self) -> &'static str {
        match self {
            KeyKind::Ed25519 => "an Ed25519 key",
            KeyKind::P256 => "an ECDSA P-256 key",
            KeyKind::Rsa => "an RSA key",
        }
    }
}

#[derive(Clone, Debug)]
pub(super) enum PublicKey {
    Ed25519(Ed25519Key),
    P256(P256Key),
    Rsa(rsa::RsaPublicKey),
}

impl PublicKey {
    pub(super) fn kind(&self) -> KeyKind {
        match self {
            PublicKey::Ed25519(_) => KeyKind::Ed25519,
            PublicKey::P256(_) => KeyKind::P256,
            PublicKey::Rsa(_) => KeyKind::Rsa,
        }
    }
}

/// Why a configured key cannot be used (never quotes the key).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(super) enum KeyError {
    #[error("it is a private key; paste the sender's public key instead (and treat this private key as leaked)")]
    PrivateKey,
    #[error(
        "it is an X.509 certificate; paste the public key it holds (`openssl x509 -pubkey -noout`)"
    )]
    Certificate,
    #[error("it is a PEM `{0}` block, not a `PUBLIC KEY` or `RSA PUBLIC KEY`")]
    PemLabel(String),
    #[error(
        "its PEM block is not closed by an `-----END …-----` line, or its content is not base64"
    )]
    BadPem,
    #[error("it is neither PEM, base64 nor hex")]
    NotEncoded,
    #[error("it decodes to {0} bytes, which is neither a 32-byte Ed25519 key, a P-256 point nor a DER public key")]
    UnknownBytes(usize),
    #[error("its DER structure is not a valid public key")]
    BadDer,
    #[error("it is an elliptic-curve key on a curve other than P-256")]
    OtherCurve,
    #[error("it is a public key of an unsupported algorithm (OID {0})")]
    OtherAlgorithm(String),
    #[error("its 32 bytes are not a valid Ed25519 public key")]
    BadEd25519,
}

/// The accepted forms, for "expected …" messages.
pub(super) const FORMS: &str = "a PEM public key (`-----BEGIN PUBLIC KEY-----` or `-----BEGIN RSA PUBLIC KEY-----`), the base64 of a DER public key (as SendGrid shows it), or a raw 32-byte Ed25519 key in base64 or hex";

pub(super) fn parse(text: &str) -> Result<PublicKey, KeyError> {
    // A PEM copied out of JSON or a docs page keeps its line breaks as the two characters `\n`.
    let text = text.trim().replace("\\r", "").replace("\\n", "\n");
    if let Some(block) = pem_block(&text) {
        let (label, der) = block?;
        return match label.as_str() {
            "PUBLIC KEY" => from_spki(&der),
            "RSA PUBLIC KEY" => rsa::RsaPublicKey::from_pkcs1_der(&der)
                .map(PublicKey::Rsa)
                .map_err(|_| KeyError::BadDer),
            "CERTIFICATE" => Err(KeyError::Certificate),
            l if l.contains("PRIVATE KEY") => Err(KeyError::PrivateKey),
            other => Err(KeyError::PemLabel(other.to_string())),
        };
    }
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    // Hex first: a hex string is also valid base64, never the other way round in practice.
    let bytes = if !compact.is_empty()
        && compact.len().is_multiple_of(2)
        && compact.bytes().all(|b| b.is_ascii_hexdigit())
    {
        hex::decode(&compact).ok()
    } else {
        codec::b64_decode_lenient(&compact)
    }
    .ok_or(KeyError::NotEncoded)?;
    from_bytes(&bytes)
}

/// The label and DER of the first PEM block, or `None` when the text has no `-----BEGIN`.
/// Lenient on purpose: any whitespace (or none) between the base64 lines, since keys get
/// re-wrapped by web pages, terminals and settings fields.
fn pem_block(text: &str) -> Option<Result<(String, Vec<u8>), KeyError>> {
    let start = text.find("-----BEGIN ")?;
    let rest = &text[start + "-----BEGIN ".len()..];
    let parsed = (|| {
        let label_end = rest.find("-----")?;
        let label = rest[..label_end].trim().to_string();
        let body = &rest[label_end + 5..];
        let end = body.find("-----END ")?;
        let b64: String = body[..end].chars().filter(|c| !c.is_whitespace()).collect();
        let der = codec::b64_decode_lenient(&b64)?;
        Some((label, der))
    })();
    Some(parsed.ok_or(KeyError::BadPem))
}

fn from_bytes(b: &[u8]) -> Result<PublicKey, KeyError> {
    match b {
        _ if b.len() == 32 => {
            let arr: [u8; 32] = b.try_into().map_err(|_| KeyError::BadEd25519)?;
            Ed25519Key::from_bytes(&arr)
                .map(PublicKey::Ed25519)
                .map_err(|_| KeyError::BadEd25519)
        }
        // SEC1 points: uncompressed (0x04 ‖ x ‖ y) or compressed (0x02/0x03 ‖ x).
        [0x04, ..] if b.len() == 65 => P256Key::from_sec1_bytes(b)
            .map(PublicKey::P256)
            .map_err(|_| KeyError::BadDer),
        [0x02 | 0x03, ..] if b.len() == 33 => P256Key::from_sec1_bytes(b)
            .map(PublicKey::P256)
            .map_err(|_| KeyError::BadDer),
        [0x30, ..] => from_spki(b).or_else(|e| {
            rsa::RsaPublicKey::from_pkcs1_der(b)
                .map(PublicKey::Rsa)
                .map_err(|_| e)
        }),
        _ => Err(KeyError::UnknownBytes(b.len())),
    }
}

fn from_spki(der: &[u8]) -> Result<PublicKey, KeyError> {
    let spki = SubjectPublicKeyInfoRef::try_from(der).map_err(|_| KeyError::BadDer)?;
    let oid = spki.algorithm.oid;
    if oid == RSA_ENCRYPTION {
        rsa::RsaPublicKey::from_public_key_der(der)
            .map(PublicKey::Rsa)
            .map_err(|_| KeyError::BadDer)
    } else if oid == EC_PUBLIC_KEY {
        if spki.algorithm.parameters_oid().ok() != Some(PRIME256V1) {
            return Err(KeyError::OtherCurve);
        }
        P256Key::try_from(spki)
            .map(PublicKey::P256)
            .map_err(|_| KeyError::BadDer)
    } else if oid == ED25519 {
        let raw = spki.subject_public_key.as_bytes().ok_or(KeyError::BadDer)?;
        let arr: [u8; 32] = raw.try_into().map_err(|_| KeyError::BadEd25519)?;
        Ed25519Key::from_bytes(&arr)
            .map(PublicKey::Ed25519)
            .map_err(|_| KeyError::BadEd25519)
    } else {
        Err(KeyError::OtherAlgorithm(oid.to_string()))
    }
}
