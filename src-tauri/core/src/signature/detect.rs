//! Provider guesses from a request's headers, query and body, best first, each with a
//! confidence and a short reason. Heuristics only: it must not verify anything or need a
//! secret, and it reads only the request.

use crate::signature::{codec, provider};
use crate::signature::{Detection, Request, SchemeId};

/// (header, scheme, confidence, why)
const HEADER_RULES: [(&str, SchemeId, f32, &str); 21] = [
    (
        "stripe-signature",
        SchemeId::Stripe,
        0.97,
        "`Stripe-Signature` header",
    ),
    (
        "x-hub-signature-256",
        SchemeId::Github,
        0.93,
        "`X-Hub-Signature-256` header",
    ),
    (
        "svix-signature",
        SchemeId::Svix,
        0.96,
        "`svix-signature` header",
    ),
    (
        "webhook-signature",
        SchemeId::StandardWebhooks,
        0.9,
        "`webhook-signature` header (Standard Webhooks)",
    ),
    (
        "x-slack-signature",
        SchemeId::Slack,
        0.97,
        "`X-Slack-Signature` header",
    ),
    (
        "x-shopify-hmac-sha256",
        SchemeId::Shopify,
        0.97,
        "`X-Shopify-Hmac-Sha256` header",
    ),
    (
        "shopify-hmac-sha256",
        SchemeId::Shopify,
        0.95,
        "`Shopify-Hmac-Sha256` header (Shopify Events API)",
    ),
    (
        "x-twilio-signature",
        SchemeId::Twilio,
        0.97,
        "`X-Twilio-Signature` header",
    ),
    (
        "x-gitlab-token",
        SchemeId::Gitlab,
        0.95,
        "`X-Gitlab-Token` header",
    ),
    (
        "paddle-signature",
        SchemeId::Paddle,
        0.97,
        "`Paddle-Signature` header",
    ),
    (
        "x-square-hmacsha256-signature",
        SchemeId::Square,
        0.97,
        "`x-square-hmacsha256-signature` header",
    ),
    (
        "x-square-signature",
        SchemeId::Square,
        0.85,
        "legacy `x-square-signature` header",
    ),
    (
        "x-zm-signature",
        SchemeId::Zoom,
        0.97,
        "`x-zm-signature` header",
    ),
    (
        "linear-signature",
        SchemeId::Linear,
        0.97,
        "`Linear-Signature` header",
    ),
    (
        "typeform-signature",
        SchemeId::Typeform,
        0.97,
        "`Typeform-Signature` header",
    ),
    (
        "x-hubspot-signature-v3",
        SchemeId::HubspotV3,
        0.96,
        "`X-HubSpot-Signature-v3` header",
    ),
    (
        "x-signature-ed25519",
        SchemeId::Discord,
        0.97,
        "`X-Signature-Ed25519` header",
    ),
    (
        "x-servolution-signature",
        SchemeId::Servolution,
        0.97,
        "`X-Servolution-Signature` header",
    ),
    (
        "x-finsight-signature",
        SchemeId::Finsight,
        0.97,
        "`X-FinSight-Signature` header",
    ),
    (
        "x-tecdoc-key",
        SchemeId::ApiKeyIp,
        0.8,
        "`X-TecDoc-Key` API key header",
    ),
    ("x-api-key", SchemeId::ApiKeyIp, 0.6, "`X-API-Key` header"),
];

/// What a digest of this text shape most likely is.
pub(crate) fn shape(v: &str) -> Option<&'static str> {
    let v = v.trim();
    let hex = !v.is_empty() && v.bytes().all(|b| b.is_ascii_hexdigit());
    match (hex, v.len()) {
        (true, 40) => Some("40 hex chars: HMAC-SHA1"),
        (true, 64) => Some("64 hex chars: HMAC-SHA256"),
        (true, 128) => Some("128 hex chars: HMAC-SHA512 (or an Ed25519 signature)"),
        (false, 28) if v.ends_with('=') => Some("28 base64 chars: HMAC-SHA1"),
        (false, 44) if v.ends_with('=') => Some("44 base64 chars: HMAC-SHA256"),
        (false, 88) if v.ends_with("==") => Some("88 base64 chars: HMAC-SHA512"),
        _ => None,
    }
}

/// The header names that carry a signature or a token: those [`detect`] recognises a built-in
/// scheme by, and the signature headers of the catalog's providers (lowercase).
pub(crate) fn signature_header_names() -> impl Iterator<Item = String> {
    let providers = provider::all()
        .iter()
        .filter_map(|p| p.options.get("header"))
        .flat_map(|h| h.split(','))
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty());
    HEADER_RULES.iter().map(|(h, ..)| h.to_string()).chain(providers)
}

pub(crate) fn detect(req: &Request) -> Vec<Detection> {
    let mut out: Vec<Detection> = vec![];
    for p in provider::all() {
        if p.matches(req) {
            let mut why: Vec<String> = p.detect.headers.iter().map(|h| format!("`{h}`")).collect();
            if let Some(ua) = &p.detect.user_agent {
                why.push(format!("a `{ua}` user agent"));
            }
            why.extend(p.detect.body_contains.iter().map(|b| format!("`{b}` in the body")));
            out.push(Detection {
                scheme: p.scheme,
                provider: Some(p.id.clone()),
                confidence: p.detect.confidence,
                why: format!("{} ({})", why.join(" and "), p.name),
            });
        }
    }
    let provider_headers: Vec<String> = out
        .iter()
        .filter_map(|d| d.provider.as_deref().and_then(provider::find))
        .flat_map(|p| p.detect.headers.iter().cloned())
        .collect();
    let mut add = |scheme: SchemeId, confidence: f32, why: String| {
        if !out.iter().any(|d| d.scheme == scheme && d.provider.is_none()) {
            out.push(Detection {
                scheme,
                provider: None,
                confidence,
                why,
            });
        }
    };
    let has = |h: &str| codec::header(req, h).is_some();
    for (h, s, c, why) in HEADER_RULES {
        if has(h) {
            add(s, c, why.to_string());
        }
    }
    // Only the `Basic` scheme: a bearer token says nothing about who sends it.
    if codec::header(req, "authorization").is_some_and(|v| v.trim_start().get(..6).is_some_and(|p| p.eq_ignore_ascii_case("basic "))) {
        add(SchemeId::BasicAuth, 0.5, "`Authorization: Basic …` header (HTTP Basic credentials)".into());
    }
    if has("svix-signature") || has("webhook-signature") {
        add(
            SchemeId::Svix,
            0.7,
            "Svix accepts both `svix-*` and `webhook-*` headers".into(),
        );
        add(
            SchemeId::StandardWebhooks,
            0.7,
            "`webhook-*` headers".into(),
        );
    }
    if let Some(v) = codec::header(req, "x-hub-signature") {
        if has("x-github-event") || has("x-github-delivery") {
            add(
                SchemeId::Github,
                0.85,
                "legacy `X-Hub-Signature` with GitHub event headers".into(),
            );
        } else {
            add(
                SchemeId::Intercom,
                0.7,
                "`X-Hub-Signature: sha1=…` without GitHub headers (Intercom style)".into(),
            );
            if v.starts_with("sha1=") {
                add(
                    SchemeId::Github,
                    0.5,
                    "legacy GitHub `X-Hub-Signature`".into(),
                );
            }
        }
    }
    if let Some(v) = codec::header(req, "x-hubspot-signature") {
        let ver = codec::header(req, "x-hubspot-signature-version")
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let (s, c) = if ver == "v2" {
            (SchemeId::HubspotV2, 0.95)
        } else {
            (SchemeId::HubspotV1, if ver == "v1" { 0.95 } else { 0.7 })
        };
        add(
            s,
            c,
            format!(
                "`X-HubSpot-Signature` ({}), version `{}`",
                shape(v).unwrap_or("digest"),
                if ver.is_empty() { "?" } else { &ver }
            ),
        );
    }
    if has("x-signature") {
        let c = if has("x-event-name") { 0.9 } else { 0.5 };
        add(
            SchemeId::LemonSqueezy,
            c,
            "`X-Signature` header (Lemon Squeezy uses it with `X-Event-Name`)".into(),
        );
    }
    // Body-carried signatures.
    if codec::is_form(req) {
        let pairs = codec::parse_pairs(req.body);
        let has_field = |n: &str| pairs.iter().any(|(k, _)| k == n);
        if has_field("kr-hash") {
            add(
                SchemeId::Payzen,
                0.9,
                "`kr-hash` / `kr-answer` form fields (Lyra REST IPN)".into(),
            );
        }
        if has_field("signature") && pairs.iter().any(|(k, _)| k.starts_with("vads_")) {
            add(
                SchemeId::Payzen,
                0.9,
                "`vads_*` form fields with `signature` (Lyra: PayZen, Systempay)".into(),
            );
            add(
                SchemeId::Cyberplus,
                0.8,
                "`vads_*` form fields with `signature` (CyberPlus is the same Lyra form)".into(),
            );
        }
        if has_field("signature") && has_field("token") && has_field("timestamp") {
            add(
                SchemeId::Mailgun,
                0.85,
                "`timestamp`, `token`, `signature` form fields (Mailgun)".into(),
            );
        }
    } else if let Ok(v) = serde_json::from_slice::<serde_json::Value>(req.body) {
        if v.pointer("/signature/token").is_some() && v.pointer("/signature/signature").is_some() {
            add(
                SchemeId::Mailgun,
                0.9,
                "JSON body with `signature.token` and `signature.signature` (Mailgun)".into(),
            );
        }
        if v.get("webhookTimestamp").is_some() {
            add(
                SchemeId::Linear,
                0.4,
                "JSON body with `webhookTimestamp` (Linear)".into(),
            );
        }
    }
    // Query-carried.
    if let Some(q) = codec::split_url(req.url).query {
        let pairs = codec::parse_pairs(q.as_bytes());
        let get = |n: &str| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
        if let Some(sign) = get("Sign") {
            add(
                SchemeId::Paybox,
                0.85,
                "`Sign` query parameter (Paybox RSA signature)".into(),
            );
            if sign.len() == 128 && sign.bytes().all(|b| b.is_ascii_hexdigit()) {
                add(
                    SchemeId::PayboxHmac,
                    0.6,
                    "`Sign` is 128 hex chars (HMAC-SHA512 variant)".into(),
                );
            }
        }
        if let Some(k) = get("K") {
            if k.len() == 128 && k.bytes().all(|b| b.is_ascii_hexdigit()) {
                add(
                    SchemeId::PayboxHmac,
                    0.85,
                    "`K` query parameter of 128 hex chars (Paybox HMAC-SHA512)".into(),
                );
            } else {
                add(
                    SchemeId::Paybox,
                    0.7,
                    "`K` query parameter (Paybox signature)".into(),
                );
            }
        }
        for name in ["secret", "token", "key"] {
            if get(name).is_some() {
                add(
                    SchemeId::QuerySecret,
                    0.6,
                    format!("`{name}` query parameter (shared secret in the URL)"),
                );
            }
        }
    }
    // Anything else that looks like a signature header.
    for (n, v) in req.headers {
        let n = n.to_ascii_lowercase();
        let looks_signed = (n.contains("signature") || n.contains("hmac"))
            && !HEADER_RULES.iter().any(|(h, ..)| *h == n)
            && !provider_headers.contains(&n);
        if let Some(s) = looks_signed
            .then(|| {
                shape(
                    v.trim()
                        .split_once('=')
                        .map(|(_, b)| b)
                        .filter(|_| v.contains("sha"))
                        .unwrap_or(v),
                )
            })
            .flatten()
        {
            add(
                SchemeId::GenericHmac,
                0.4,
                format!("`{n}` header looks like a digest ({s})"),
            );
        }
    }
    out.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
    out
}
