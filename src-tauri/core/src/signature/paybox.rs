//! Paybox / Up2pay e-Transactions. `paybox_hmac`: the seed-003 variant, a preset of the
//! HMAC engine (HMAC-SHA512, hex-decoded key, UPPERCASE hex, over the query/form params in
//! received order without the `K`/`Sign` param). `paybox`: the real IPN scheme, RSA-SHA1
//! PKCS#1 v1.5 verified with Paybox's PEM public key (the "secret"), over the raw query or
//! body up to `&Sign=`. Verify only: this module never holds a private key.

use base64::Engine as _;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;

use crate::signature::codec::{self, Alg, KeyEnc, OutEnc};
use crate::signature::generic::{self, Locator, Part, Recipe, Seg};
use crate::signature::{
    ReasonCode, Request, SchemeConfig, SchemeId, SignatureError, Verdict, VerdictStatus,
};

pub(crate) fn recipe_hmac(cfg: &SchemeConfig) -> Result<Recipe, SignatureError> {
    let mut r = Recipe::body_hmac(SchemeId::PayboxHmac, "");
    let names = match cfg.opt("param") {
        Some(p) => vec![p.trim().to_string()],
        None => vec!["K".into(), "Sign".into()],
    };
    r.locator = Locator::QueryOrForm(names);
    r.template = vec![Part::SignedParams];
    r.alg = Alg::Sha512;
    r.key_enc = KeyEnc::Hex;
    r.out_enc = OutEnc::HexUpper;
    r.advice = "use the 128-hex-character HMAC key from the Paybox Back Office (test and production keys differ)";
    Ok(r)
}

/// The signed part (raw, up to the signature param) and the raw signature value.
fn split_signed<'a>(raw: &'a str, names: &[&str]) -> Option<(&'a str, &'a str, bool)> {
    let mut offset = 0;
    for item in raw.split('&') {
        let name = item.split('=').next().unwrap_or("");
        if names.contains(&name) {
            let signed = if offset == 0 { "" } else { &raw[..offset - 1] };
            let value = item.split_once('=').map(|(_, v)| v).unwrap_or("");
            let after = raw.len() > offset + item.len();
            return Some((signed, value, after));
        }
        offset += item.len() + 1;
    }
    None
}

fn public_key(pem: &str) -> Option<rsa::RsaPublicKey> {
    let pem = pem.trim();
    rsa::RsaPublicKey::from_public_key_pem(pem)
        .or_else(|_| rsa::RsaPublicKey::from_pkcs1_pem(pem))
        .ok()
}

pub(crate) fn verify_rsa(cfg: &SchemeConfig, req: &Request) -> Verdict {
    let s = SchemeId::Paybox;
    let names: Vec<&str> = match cfg.opt("param") {
        Some(p) => vec![p.trim()],
        None => vec!["Sign", "K"],
    };
    let query = codec::split_url(req.url).query.unwrap_or("");
    let body = String::from_utf8_lossy(req.body);
    let found = split_signed(query, &names).or_else(|| {
        if codec::is_form(req) {
            split_signed(&body, &names)
        } else {
            None
        }
    });
    let Some((signed, raw_sig, after)) = found else {
        return Verdict::unsigned(s, "`Sign` parameter (Paybox RSA signature)");
    };
    if cfg.secrets.is_empty() {
        return Verdict::no_secret(s);
    }
    let keys: Vec<(usize, rsa::RsaPublicKey)> = cfg
        .secrets
        .iter()
        .enumerate()
        .filter_map(|(i, k)| public_key(k.expose()).map(|p| (i, p)))
        .collect();
    let content = generic::Content {
        segs: vec![Seg::Bytes(signed.as_bytes().to_vec())],
    };
    let mut v = Verdict::new(
        s,
        VerdictStatus::Invalid,
        ReasonCode::BadSignature,
        String::new(),
    );
    v.received = Some(raw_sig.to_string());
    v.signed_content = Some(generic::display(&content));
    if keys.is_empty() {
        v.explanation = "The configured Paybox key is not a PEM RSA public key (`-----BEGIN PUBLIC KEY-----`); Paybox notifications are checked with Paybox's public key, not with an HMAC secret.".into();
        v.reason = ReasonCode::WrongKeyEncoding;
        return v;
    }
    // URL-decode once (percent-decoding only: a literal `+` stays a base64 `+`).
    let once = percent_encoding::percent_decode_str(raw_sig)
        .decode_utf8_lossy()
        .into_owned();
    let b64 = base64::engine::general_purpose::STANDARD;
    let try_verify = |sig_text: &str| -> Option<usize> {
        let bytes = b64.decode(sig_text.trim()).ok()?;
        let sig = rsa::pkcs1v15::Signature::try_from(bytes.as_slice()).ok()?;
        keys.iter()
            .find(|(_, k)| {
                rsa::pkcs1v15::VerifyingKey::<sha1_rsa::Sha1>::new(k.clone())
                    .verify(signed.as_bytes(), &sig)
                    .is_ok()
            })
            .map(|(i, _)| *i)
    };
    if let Some(i) = try_verify(&once) {
        v.status = VerdictStatus::Valid;
        v.reason = ReasonCode::Ok;
        v.matched_secret_index = Some(i as u32);
        v.explanation = format!(
            "The Paybox RSA signature is valid: it verifies with {}.{}",
            if cfg.secrets.len() > 1 {
                format!("public key {} of {}", i + 1, cfg.secrets.len())
            } else {
                "the configured public key".into()
            },
            if after {
                " Note: parameters after `Sign` are not covered by the signature."
            } else {
                ""
            }
        );
        return v;
    }
    // Diagnosis: signature mangled by form decoding (`+` turned into spaces).
    if let Some(i) = try_verify(&once.replace(' ', "+")) {
        v.reason = ReasonCode::WrongEncoding;
        v.matched_secret_index = Some(i as u32);
        v.explanation = "The signature verifies only after turning spaces back into `+`: it was URL-decoded as a form value (or twice), which turns base64 `+` into spaces. Decode the `Sign` value with percent-decoding exactly once.".into();
        return v;
    }
    if try_verify(raw_sig).is_some() && raw_sig != once {
        v.reason = ReasonCode::WrongEncoding;
        v.explanation = "The signature verifies only without URL-decoding: the sender did not percent-encode the base64 `Sign` value.".into();
        return v;
    }
    v.explanation = format!(
        "The Paybox signature does not verify with the configured public key{}. Check that the key is Paybox's current public key (`pubkey.pem`) and that the parameters were not re-ordered or re-encoded before `Sign`{}.",
        if keys.len() > 1 { "s" } else { "" },
        if after {
            " — also `Sign` is not the last parameter, so `PBX_RETOUR` must end with `Sign:K`"
        } else {
            ""
        }
    );
    v
}
