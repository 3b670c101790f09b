//! Twilio: HMAC-SHA1 (or SHA-256 when `X-Twilio-Webhooks-Signature-Settings` says so),
//! base64, over the URL Twilio called followed by the sorted POST params (`name||value`,
//! decoded); JSON bodies instead put `bodySHA256=<hex>` in the URL and the body must match
//! it. The URL is accepted with and without the default port (as twilio-python does);
//! option `public_url` = URL configured at Twilio. Builds on the HMAC engine; adds only the
//! bodySHA256 check and URL choice.

use crate::signature::codec::{self, Alg, OutEnc};
use crate::signature::generic::{self, Part, Recipe};
use crate::signature::{
    ReasonCode, Request, SchemeConfig, SchemeId, Secret, SignExtra, SignatureError, Signed,
    Verdict, VerdictStatus,
};

fn recipe(cfg: &SchemeConfig, req: &Request) -> Recipe {
    let mut r = Recipe::body_hmac(SchemeId::Twilio, "X-Twilio-Signature");
    r.alg = match codec::header(req, "x-twilio-webhooks-signature-settings") {
        Some(s) if s.to_ascii_uppercase().contains("HMAC_SHA256") => Alg::Sha256,
        _ => Alg::Sha1,
    };
    r.out_enc = OutEnc::Base64;
    r.template = vec![Part::Url, Part::SortedForm];
    r.url_port_quirk = true;
    r.public_url = cfg.opt("public_url").map(|p| public_url(p.trim(), req.url));
    r.advice = "use the account's primary Auth Token (or the SharedKey secret), not the API key";
    r
}

/// The URL Twilio called, from the configured `public_url` and the received URL. A base URL
/// without query gets the received query. A configured URL with its own query gets the
/// received `bodySHA256` item: Twilio appends it to the configured URL of a JSON request, and
/// the signature covers it (without it, the body would not be checked at all).
fn public_url(p: &str, received: &str) -> String {
    let Some(q) = codec::split_url(received).query else {
        return p.to_string();
    };
    if !p.contains('?') {
        return format!("{p}?{q}");
    }
    if body_hash_param(p).is_some() {
        return p.to_string();
    }
    let hash_items: Vec<&str> = codec::raw_items(q)
        .into_iter()
        .filter(|it| codec::raw_item_name(it) == "bodySHA256")
        .collect();
    if hash_items.is_empty() {
        return p.to_string();
    }
    let sep = if p.ends_with('?') || p.ends_with('&') { "" } else { "&" };
    format!("{p}{sep}{}", hash_items.join("&"))
}

fn body_hash_param(url: &str) -> Option<String> {
    let q = codec::split_url(url).query?;
    codec::parse_pairs(q.as_bytes())
        .into_iter()
        .find(|(k, _)| k == "bodySHA256")
        .map(|(_, v)| v)
}

pub(crate) fn verify(
    cfg: &SchemeConfig,
    req: &Request,
    now: i64,
    others: &[(String, Secret)],
) -> Verdict {
    let r = recipe(cfg, req);
    let mut v = generic::verify(&r, &cfg.secrets, req, now, others);
    if let Some(h) = (v.status == VerdictStatus::Valid)
        .then(|| body_hash_param(r.public_url.as_deref().unwrap_or(req.url)))
        .flatten()
    {
        if !codec::ct_eq_str(
            &codec::sha256_hex(req.body).to_ascii_lowercase(),
            &h.to_ascii_lowercase(),
        ) {
            v.status = VerdictStatus::Invalid;
            v.reason = ReasonCode::BadSignature;
            v.explanation = "The URL signature is right, but the body does not match the `bodySHA256` hash in the URL: the body was changed after Twilio signed it.".into();
        } else {
            v.explanation
                .push_str(" The body matches the signed `bodySHA256`.");
        }
    }
    v
}

pub(crate) fn sign(
    cfg: &SchemeConfig,
    secret: &Secret,
    req: &Request,
) -> Result<Signed, SignatureError> {
    let json_body =
        !req.body.is_empty() && !codec::is_form(req) && !req.method.eq_ignore_ascii_case("GET");
    // The URL carries the hash of the body being signed: a stale one (the body was edited
    // since) is replaced, other query parameters are kept as they are.
    let hash = codec::sha256_hex(req.body);
    let new_url = if json_body && body_hash_param(req.url).as_deref() != Some(hash.as_str()) {
        let u = codec::split_url(req.url);
        let mut q: Vec<&str> = u
            .query
            .unwrap_or("")
            .split('&')
            .filter(|p| !p.is_empty() && p.split('=').next() != Some("bodySHA256"))
            .collect();
        let param = format!("bodySHA256={hash}");
        q.push(&param);
        Some(codec::join_url(u.scheme, u.authority, u.path, Some(&q.join("&"))))
    } else {
        None
    };
    let url = new_url.clone().unwrap_or_else(|| req.url.to_string());
    let req2 = Request { url: &url, ..*req };
    let mut out = generic::sign(&recipe(cfg, &req2), secret, &req2, 0, &SignExtra::default())?;
    out.url = new_url;
    Ok(out)
}
