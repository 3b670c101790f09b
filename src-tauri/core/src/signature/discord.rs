//! Discord: Ed25519 over `timestamp||body`, signature hex in `X-Signature-Ed25519`,
//! timestamp in `X-Signature-Timestamp`; the "secret" is the application's public key
//! (64 hex chars). Freshness window ±300 s is inspector policy (`tolerance_secs`), not
//! Discord's. Verify only: no private key is ever held here.

use ed25519_dalek::{Signature, Verifier as _, VerifyingKey};

use crate::signature::codec;
use crate::signature::generic::{self, Content, Seg};
use crate::signature::{ReasonCode, Request, SchemeConfig, SchemeId, Verdict, VerdictStatus};

fn key_from(text: &str) -> Option<(VerifyingKey, bool)> {
    let t = text.trim();
    if let Some(arr) = hex::decode(t)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
    {
        return VerifyingKey::from_bytes(&arr).ok().map(|k| (k, true));
    }
    let b = codec::b64_decode_lenient(t)?;
    let arr = <[u8; 32]>::try_from(b.as_slice()).ok()?;
    VerifyingKey::from_bytes(&arr).ok().map(|k| (k, false))
}

pub(crate) fn verify(cfg: &SchemeConfig, req: &Request, now: i64) -> Verdict {
    let s = SchemeId::Discord;
    let Some(sig_hex) = codec::header(req, "x-signature-ed25519")
        .map(str::trim)
        .filter(|v| !v.is_empty())
    else {
        return Verdict::unsigned(s, "`X-Signature-Ed25519` header");
    };
    if cfg.secrets.is_empty() {
        return Verdict::no_secret(s);
    }
    let tolerance = match cfg.tolerance(300) {
        Ok(t) => t,
        Err(e) => return Verdict::config_error(s, &e),
    };
    let Some(ts) = codec::header(req, "x-signature-timestamp")
        .map(str::trim)
        .filter(|v| !v.is_empty())
    else {
        return Verdict::new(
            s,
            VerdictStatus::Invalid,
            ReasonCode::MissingTimestamp,
            "The `X-Signature-Timestamp` header is missing; Discord signs the timestamp together with the body.",
        );
    };
    let content = Content {
        segs: vec![Seg::Bytes(ts.as_bytes().to_vec()), Seg::Body(req.body)],
    };
    let mut msg = Vec::with_capacity(ts.len() + req.body.len());
    msg.extend_from_slice(ts.as_bytes());
    msg.extend_from_slice(req.body);
    let mut v = Verdict::new(
        s,
        VerdictStatus::Invalid,
        ReasonCode::BadSignature,
        String::new(),
    );
    v.received = Some(sig_hex.to_string());
    v.signed_content = Some(generic::display(&content));
    v.skew_secs = ts.parse::<i64>().ok().map(|t| now - t);

    let sig_bytes = hex::decode(sig_hex).ok();
    let b64_sig = if sig_bytes.is_none() {
        codec::b64_decode_lenient(sig_hex)
    } else {
        None
    };
    let Some(sig) = sig_bytes
        .as_ref()
        .or(b64_sig.as_ref())
        .and_then(|b| Signature::from_slice(b).ok())
    else {
        v.reason = ReasonCode::WrongEncoding;
        v.explanation =
            "The `X-Signature-Ed25519` value is not a 64-byte Ed25519 signature in hex.".into();
        return v;
    };
    let keys: Vec<(usize, VerifyingKey, bool)> = cfg
        .secrets
        .iter()
        .enumerate()
        .filter_map(|(i, k)| key_from(k.expose()).map(|(vk, hex)| (i, vk, hex)))
        .collect();
    if keys.is_empty() {
        v.reason = ReasonCode::WrongKeyEncoding;
        v.explanation = "The configured key is not an Ed25519 public key: Discord verification uses the application's Public Key (64 hex characters, Developer Portal → General Information), not the bot token or client secret.".into();
        return v;
    }
    for (i, k, hex_key) in &keys {
        if k.verify_strict(&msg, &sig).is_ok() || k.verify(&msg, &sig).is_ok() {
            v.matched_secret_index = Some(*i as u32);
            if b64_sig.is_some() {
                v.reason = ReasonCode::WrongEncoding;
                v.explanation =
                    "The signature is right but written in base64; Discord sends it as hex.".into();
                return v;
            }
            if !hex_key {
                v.reason = ReasonCode::WrongKeyEncoding;
                v.explanation = "The signature verifies only when the public key is base64-decoded; Discord gives the Public Key as hex, so configure the hex form.".into();
                return v;
            }
            v.status = VerdictStatus::Valid;
            v.reason = ReasonCode::Ok;
            v.explanation =
                "The Discord Ed25519 signature is valid for the configured public key.".into();
            if let Some(skew) = v
                .skew_secs
                .filter(|skew| tolerance > 0 && skew.abs() > tolerance)
            {
                v.status = VerdictStatus::Expired;
                v.reason = ReasonCode::Expired;
                v.explanation = format!(
                    "The signature is correct, but the timestamp is {} s {} (this endpoint accepts {tolerance} s; Discord itself does not enforce a window — this is the inspector's replay policy).",
                    skew.abs(),
                    if skew > 0 { "old" } else { "in the future" }
                );
            }
            return v;
        }
        // Common mistake: a separator between timestamp and body.
        let mut dotted = ts.as_bytes().to_vec();
        dotted.push(b'.');
        dotted.extend_from_slice(req.body);
        if k.verify(&dotted, &sig).is_ok() {
            v.matched_secret_index = Some(*i as u32);
            v.explanation = "The signature covers `timestamp.body` (with a dot); Discord signs the timestamp immediately followed by the body, with no separator.".into();
            return v;
        }
    }
    v.explanation = "The Ed25519 signature does not verify with the configured public key. Check that it is this application's Public Key, and that the body reached us unmodified (Discord also sends deliberately invalid signatures when you save the endpoint URL).".into();
    v
}
