//! The public-key signature engine (`asymmetric`): providers that sign with a private key and
//! publish a static public key (SendGrid's ECDSA P-256, Telnyx's Ed25519, Bridge's and
//! Fireblocks' RSA). Where the signature travels, what is signed and the timestamp policy are
//! the HMAC engine's (`generic::from_options`, `extract`, `build`): only the last step
//! differs, a signature verified with each configured public key instead of a MAC compared.
//! This file owns that step's options and the verification; `diagnose` explains a failed
//! one and `key` reads the configured keys. It verifies only: it holds no private key and
//! cannot sign, never reads the clock, and the RustCrypto crates do all the cryptography.

mod diagnose;
mod key;
#[cfg(test)]
mod key_tests;
#[cfg(test)]
mod testkeys;
#[cfg(test)]
mod tests;

use ed25519_dalek::Verifier as _;
use rsa::signature::Verifier as _;

use crate::signature::codec::{self, Alg, MacKind};
use crate::signature::generic::{self, Cand, Content, Ctx, Part, Recipe, Seg, Ts};
use crate::signature::{
    provider, OptionInfo, ReasonCode, Request, SchemeConfig, SchemeId, SignatureError, Verdict,
    VerdictStatus,
};

use key::{KeyKind, PublicKey};

const SCHEME: SchemeId = SchemeId::Asymmetric;

/// The signature algorithm (option `signature_algorithm`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SigAlg {
    Ed25519,
    EcdsaP256Sha256,
    RsaSha256,
    RsaSha512,
}

impl SigAlg {
    const ALL: [SigAlg; 4] = [
        SigAlg::Ed25519,
        SigAlg::EcdsaP256Sha256,
        SigAlg::RsaSha256,
        SigAlg::RsaSha512,
    ];

    fn parse(s: &str) -> Option<SigAlg> {
        SigAlg::ALL
            .into_iter()
            .find(|a| a.id() == s.trim().to_ascii_lowercase())
    }

    fn id(self) -> &'static str {
        match self {
            SigAlg::Ed25519 => "ed25519",
            SigAlg::EcdsaP256Sha256 => "ecdsa_p256_sha256",
            SigAlg::RsaSha256 => "rsa_sha256",
            SigAlg::RsaSha512 => "rsa_sha512",
        }
    }

    fn name(self) -> &'static str {
        match self {
            SigAlg::Ed25519 => "Ed25519",
            SigAlg::EcdsaP256Sha256 => "ECDSA P-256/SHA-256",
            SigAlg::RsaSha256 => "RSA-SHA256",
            SigAlg::RsaSha512 => "RSA-SHA512",
        }
    }

    fn key_kind(self) -> KeyKind {
        match self {
            SigAlg::Ed25519 => KeyKind::Ed25519,
            SigAlg::EcdsaP256Sha256 => KeyKind::P256,
            SigAlg::RsaSha256 | SigAlg::RsaSha512 => KeyKind::Rsa,
        }
    }

    /// The algorithm a key of this kind most often signs with (no `signature_algorithm` set).
    fn default_for(kind: KeyKind) -> SigAlg {
        match kind {
            KeyKind::Ed25519 => SigAlg::Ed25519,
            KeyKind::P256 => SigAlg::EcdsaP256Sha256,
            KeyKind::Rsa => SigAlg::RsaSha256,
        }
    }
}

/// How the signature text is written (option `signature_encoding`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SigEnc {
    Base64,
    Hex,
}

impl SigEnc {
    fn decode(self, s: &str) -> Option<Vec<u8>> {
        let s = s.trim();
        match self {
            // Standard or URL-safe alphabet, padding optional: both spellings name the same bytes.
            SigEnc::Base64 => codec::b64_decode_lenient(s),
            SigEnc::Hex => hex::decode(s).ok().filter(|b| !b.is_empty()),
        }
    }
    fn other(self) -> SigEnc {
        match self {
            SigEnc::Base64 => SigEnc::Hex,
            SigEnc::Hex => SigEnc::Base64,
        }
    }
    fn name(self) -> &'static str {
        match self {
            SigEnc::Base64 => "base64",
            SigEnc::Hex => "hex",
        }
    }
}

/// An endpoint's settings for this engine.
struct Settings {
    /// Locator, format, template, timestamp and tolerance, as the HMAC engine reads them.
    recipe: Recipe,
    alg: Option<SigAlg>,
    enc: SigEnc,
    /// Digest the signed content first, and sign the digest (Bridge's "two passes of hashing").
    prehash: Option<Alg>,
}

impl Settings {
    fn from(cfg: &SchemeConfig) -> Result<Settings, SignatureError> {
        let mut r = generic::from_options(cfg)?;
        r.scheme = SCHEME;
        r.label = provider::of(cfg)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| SCHEME.label().to_string());
        if r.kind != MacKind::Hmac || r.uses(&Part::Secret) {
            return Err(SignatureError::BadOption {
                option: "template".into(),
                reason: "a public-key signature has no secret to put in the signed content ({secret}, mode `hash`)".into(),
            });
        }
        let bad = |option: &str, v: &str, allowed: &str| SignatureError::BadOption {
            option: option.into(),
            reason: format!("`{v}` is not one of {allowed}"),
        };
        let alg = match cfg.opt("signature_algorithm") {
            None => None,
            Some(v) => Some(SigAlg::parse(v).ok_or_else(|| {
                bad(
                    "signature_algorithm",
                    v,
                    "ed25519, ecdsa_p256_sha256, rsa_sha256, rsa_sha512",
                )
            })?),
        };
        let enc = match cfg
            .opt("signature_encoding")
            .map(|s| s.trim().to_ascii_lowercase())
        {
            None => SigEnc::Base64,
            Some(v) if v == "base64" || v == "base64url" => SigEnc::Base64,
            Some(v) if v == "hex" => SigEnc::Hex,
            Some(v) => return Err(bad("signature_encoding", &v, "base64, base64url, hex")),
        };
        let prehash = match cfg.opt("prehash").map(|s| s.trim().to_ascii_lowercase()) {
            None => None,
            Some(v) if v == "none" => None,
            Some(v) if v == "sha256" => Some(Alg::Sha256),
            Some(v) if v == "sha512" => Some(Alg::Sha512),
            Some(v) => return Err(bad("prehash", &v, "none, sha256, sha512")),
        };
        Ok(Settings {
            recipe: r,
            alg,
            enc,
            prehash,
        })
    }
}

fn opt(name: &str, label: &str, default: Option<&str>, help: &str) -> OptionInfo {
    OptionInfo {
        name: name.into(),
        label: label.into(),
        default: default.map(Into::into),
        help: help.into(),
    }
}

/// The options of the `asymmetric` scheme, for the UI and `hookloupe schemes`.
pub(crate) fn options() -> Vec<OptionInfo> {
    vec![
        opt("signature_algorithm", "Signature algorithm", None, "ed25519, ecdsa_p256_sha256, rsa_sha256 or rsa_sha512. Empty: from the key (RSA keys then mean rsa_sha256)."),
        opt("header", "Signature header", None, "Header holding the signature; a comma list names alternatives (or use query_param / form_field)."),
        opt("prefix", "Signature prefix", None, "Text before the signature in the header value, e.g. `v1=`."),
        opt("signature_format", "Signature format", Some("single"), "single (the value is the signature) or kv (`t=…,v0=…`: timestamp and signature in one header)."),
        opt("kv_timestamp_key", "Timestamp key (kv)", Some("t"), "With signature_format kv: the key of the timestamp."),
        opt("kv_signature_key", "Signature key (kv)", Some("v1"), "With signature_format kv: the key of the signature, e.g. `v0`."),
        opt("kv_separator", "Separator (kv)", Some(","), "With signature_format kv: the character between the pairs."),
        opt("signature_encoding", "Signature encoding", Some("base64"), "base64 (standard or URL-safe, padding optional) or hex. ECDSA signatures may be DER or raw r‖s."),
        opt("template", "Signed content", Some("{body}"), "What the sender signs: {body} {timestamp} {id} {method} {url} {path} {query} {header:NAME} and literal text, e.g. `{timestamp}|{body}`."),
        opt("prehash", "Pre-hash", Some("none"), "none, sha256 or sha512: the sender signs the digest of the content instead of the content (Bridge: sha256)."),
        opt("timestamp_header", "Timestamp header", None, "Header holding the signed timestamp (not with signature_format kv)."),
        opt("timestamp_unit", "Timestamp unit", Some("s"), "s, ms or rfc3339."),
        opt("id_header", "Id header", None, "Header holding the message id, when the template uses {id}."),
        opt("tolerance_secs", "Timestamp tolerance (s)", Some("300"), "How far the signed timestamp may be from now; 0 disables the check."),
        opt("public_url", "Public URL", None, "The URL the sender signs, when the template uses the URL and the request reaches Hookloupe through a tunnel or proxy."),
    ]
}

/// The bytes the signature algorithm is given: the content, or its digest with `prehash`.
fn message(content: &Content<'_>, prehash: Option<Alg>) -> Vec<u8> {
    let parts: Vec<&[u8]> = content
        .segs
        .iter()
        .map(|s| match s {
            Seg::Bytes(b) => b.as_slice(),
            Seg::Body(b) => b,
            // Rejected by `Settings::from`; nothing secret exists to sign here anyway.
            Seg::Secret => &[],
        })
        .collect();
    match prehash {
        Some(alg) => codec::digest(alg, MacKind::Hash, &[], &parts),
        None => parts.concat(),
    }
}

/// Whether `sig` is a valid signature of `msg` by `key` under `alg`.
fn verifies(key: &PublicKey, alg: SigAlg, msg: &[u8], sig: &[u8]) -> bool {
    match (key, alg) {
        (PublicKey::Ed25519(k), SigAlg::Ed25519) => {
            ed25519_dalek::Signature::from_slice(sig).is_ok_and(|s| k.verify(msg, &s).is_ok())
        }
        (PublicKey::P256(k), SigAlg::EcdsaP256Sha256) => {
            // DER (SendGrid, OpenSSL, Node) or the fixed 64-byte r‖s (WebCrypto, JOSE).
            let s = p256::ecdsa::Signature::from_der(sig)
                .or_else(|_| p256::ecdsa::Signature::from_slice(sig));
            s.is_ok_and(|s| p256::ecdsa::signature::Verifier::verify(k, msg, &s).is_ok())
        }
        (PublicKey::Rsa(k), SigAlg::RsaSha256 | SigAlg::RsaSha512) => {
            let Ok(s) = rsa::pkcs1v15::Signature::try_from(sig) else {
                return false;
            };
            if alg == SigAlg::RsaSha256 {
                rsa::pkcs1v15::VerifyingKey::<rsa::sha2::Sha256>::new(k.clone())
                    .verify(msg, &s)
                    .is_ok()
            } else {
                rsa::pkcs1v15::VerifyingKey::<rsa::sha2::Sha512>::new(k.clone())
                    .verify(msg, &s)
                    .is_ok()
            }
        }
        _ => false,
    }
}

/// Everything one verification works with, shared with the diagnosis.
struct Run<'a> {
    set: &'a Settings,
    alg: SigAlg,
    keys: Vec<(usize, PublicKey)>,
    /// Candidates with the expected prefix, decoded.
    sigs: Vec<(&'a Cand, Vec<u8>)>,
    ctx: Ctx<'a>,
    url: String,
    key_count: usize,
}

impl Run<'_> {
    /// The first (key index, candidate) that verifies `msg` under `alg`.
    fn find(&self, alg: SigAlg, msg: &[u8], sigs: &[(&Cand, Vec<u8>)]) -> Option<(usize, usize)> {
        self.keys.iter().find_map(|(i, k)| {
            sigs.iter()
                .position(|(_, s)| verifies(k, alg, msg, s))
                .map(|c| (*i, c))
        })
    }

    fn which_key(&self, i: usize) -> String {
        if self.key_count <= 1 {
            "the configured public key".into()
        } else {
            format!("public key {} of {}", i + 1, self.key_count)
        }
    }
}

pub(crate) fn verify(cfg: &SchemeConfig, req: &Request, now: i64) -> Verdict {
    let set = match Settings::from(cfg) {
        Ok(s) => s,
        Err(e) => return Verdict::config_error(SCHEME, &e),
    };
    let r = &set.recipe;
    let ex = generic::extract(r, req);
    if ex.cands.is_empty() {
        return Verdict::unsigned(SCHEME, &r.where_desc());
    }
    if cfg.secrets.is_empty() {
        return Verdict::no_secret(SCHEME);
    }
    let mut v = Verdict::new(
        SCHEME,
        VerdictStatus::Invalid,
        ReasonCode::ConfigError,
        String::new(),
    );
    v.received = ex.cands.first().map(|c| c.raw.clone());

    let (mut keys, mut unreadable) = (vec![], vec![]);
    for (i, s) in cfg.secrets.iter().enumerate() {
        match key::parse(s.expose()) {
            Ok(k) => keys.push((i, k)),
            Err(e) => unreadable.push((i, e)),
        }
    }
    if keys.is_empty() {
        let (_, e) = &unreadable[0];
        v.explanation = format!(
            "The configured {} cannot be used as a public key: {e}. {} verifies with the sender's public key, given as {}.",
            if cfg.secrets.len() > 1 { "keys" } else { "key" },
            r.label,
            key::FORMS
        );
        return v;
    }
    let alg = set
        .alg
        .unwrap_or_else(|| SigAlg::default_for(keys[0].1.kind()));
    let kinds: Vec<KeyKind> = keys.iter().map(|(_, k)| k.kind()).collect();
    keys.retain(|(_, k)| k.kind() == alg.key_kind());
    if keys.is_empty() {
        v.explanation = format!(
            "The configured key is {}, but {} signatures need {}: check `signature_algorithm` and that this is {}'s key.",
            kinds[0].describe(),
            alg.name(),
            alg.key_kind().describe(),
            r.label
        );
        return v;
    }

    let ts: Option<Ts> = match generic::timestamp(r, req, &ex) {
        Ok(t) => t,
        Err(msg) => {
            v.reason = ReasonCode::MissingTimestamp;
            v.explanation = msg;
            return v;
        }
    };
    v.skew_secs = ts.as_ref().map(|t| now - t.secs);
    let id = r
        .id_headers
        .iter()
        .find_map(|n| codec::header(req, n))
        .map(|s| s.trim().to_string());
    let url = generic::valid_urls(r, req).swap_remove(0);
    let ctx = Ctx {
        req,
        ts,
        id,
        sig_in_query: ex.sig_in_query,
        sig_names: r.sig_names().to_vec(),
    };
    let content = generic::build(r, &ctx, &url, req.body);
    v.signed_content = Some(generic::display(&content));
    v.reason = ReasonCode::BadSignature;

    if !ex.cands.iter().any(|c| c.had_prefix) {
        v.reason = ReasonCode::MissingPrefix;
        v.explanation = format!(
            "The {} does not start with `{}` as {} writes it.",
            r.where_desc(),
            r.prefix,
            r.label
        );
        return v;
    }
    let sigs: Vec<(&Cand, Vec<u8>)> = ex
        .cands
        .iter()
        .filter(|c| c.had_prefix)
        .filter_map(|c| set.enc.decode(&c.value).map(|b| (c, b)))
        .collect();
    let run = Run {
        set: &set,
        alg,
        keys,
        sigs,
        ctx,
        url,
        key_count: cfg.secrets.len(),
    };
    let msg = message(&content, set.prehash);
    if let Some((i, c)) = run.find(alg, &msg, &run.sigs) {
        return valid(v, &run, i, run.sigs[c].0, now);
    }
    diagnose::diagnose(v, &run, &ex.cands, &content, unreadable.len())
}

fn valid(mut v: Verdict, run: &Run<'_>, i: usize, c: &Cand, now: i64) -> Verdict {
    let r = &run.set.recipe;
    v.status = VerdictStatus::Valid;
    v.reason = ReasonCode::Ok;
    v.matched_secret_index = Some(i as u32);
    v.received = Some(c.raw.clone());
    v.explanation = format!(
        "The {} signature is valid: it verifies ({}) with {}.",
        r.label,
        run.alg.name(),
        run.which_key(i)
    );
    let (Some(ts), tol) = (&run.ctx.ts, r.tolerance) else {
        return v;
    };
    let skew = now - ts.secs;
    if tol > 0 && skew.abs() > tol {
        v.status = VerdictStatus::Expired;
        v.reason = ReasonCode::Expired;
        v.explanation = if skew > 0 {
            format!(
                "The signature is correct, but it was made {skew} s ago, more than the {tol} s this endpoint accepts (old deliveries are refused to stop replays). A delayed retry, a manual resend, or a wrong clock on either side causes this.{}",
                generic::ts_unit_note(r, ts)
            )
        } else {
            format!(
                "The signature is correct, but its timestamp is {} s in the future, beyond the {tol} s this endpoint accepts: the sender's clock or this computer's clock is wrong.{}",
                -skew,
                generic::ts_unit_note(r, ts)
            )
        };
    }
    v
}
