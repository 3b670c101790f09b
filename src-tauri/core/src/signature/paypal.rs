//! PayPal webhook signatures (`paypal_transmission`): `PAYPAL-TRANSMISSION-SIG` is PayPal's
//! RSA signature (`PAYPAL-AUTH-ALGO`, SHA256withRSA) of
//! `transmission_id|transmission_time|webhook_id|crc32`, where the first two are the
//! `PAYPAL-TRANSMISSION-ID` and `-TIME` headers, the webhook ID is the receiving webhook's
//! (the endpoint's "secret": one per webhook, listed for rotation) and the CRC32 of the raw
//! body is written in decimal (PayPal's "Integrate webhooks" page, self verification method;
//! the official SDKs paypal/PayPal-Python-SDK `WebhookEvent._get_expected_sig` and
//! PayPal-node-SDK's tests). The key is the certificate at `PAYPAL-CERT-URL`, which
//! [`cert_url`] vets and the caller's [`Certificates`] supply. Verification only (PayPal's
//! private key signs); webhook IDs never appear in a verdict. Pure: no I/O, no clock.

use crate::signature::cert_url::{self, Certificates, Publisher, RsaHash};
use crate::signature::{codec, provider, ReasonCode, Request, SchemeConfig, SchemeId, Secret, Verdict, VerdictStatus};

const SCHEME: SchemeId = SchemeId::PaypalTransmission;

/// The webhook ID PayPal's Webhooks simulator signs its mock events for.
const SIMULATOR_WEBHOOK_ID: &str = "WEBHOOK_ID";

fn label(cfg: &SchemeConfig) -> String {
    provider::of(cfg).map(|p| p.name.clone()).unwrap_or_else(|| SCHEME.label().to_string())
}

fn message(id: &str, time: &str, webhook: &str, crc: u32) -> String {
    format!("{id}|{time}|{webhook}|{crc}")
}

pub(crate) fn verify(
    cfg: &SchemeConfig,
    req: &Request,
    now: i64,
    others: &[(String, Secret)],
    certs: &dyn Certificates,
) -> Verdict {
    let name = label(cfg);
    let h = |n: &str| codec::header(req, n).map(str::trim).filter(|v| !v.is_empty());
    let Some(sig_text) = h("paypal-transmission-sig") else {
        return Verdict::unsigned(SCHEME, "PAYPAL-TRANSMISSION-SIG header");
    };
    let tolerance = match cfg.tolerance(0) {
        Ok(t) => t,
        Err(e) => return Verdict::config_error(SCHEME, &e),
    };
    let mut v = Verdict::new(SCHEME, VerdictStatus::Invalid, ReasonCode::BadSignature, String::new());
    v.received = Some(sig_text.to_string());
    let (Some(id), Some(time)) = (h("paypal-transmission-id"), h("paypal-transmission-time")) else {
        v.reason = if h("paypal-transmission-time").is_none() { ReasonCode::MissingTimestamp } else { ReasonCode::BadSignature };
        v.explanation = format!("The request lacks PAYPAL-TRANSMISSION-ID or PAYPAL-TRANSMISSION-TIME, both of which {name} signs.");
        return v;
    };
    v.skew_secs = cert_url::rfc3339_secs(time).map(|t| now - t);
    let hash = match h("paypal-auth-algo") {
        None => RsaHash::Sha256,
        Some(a) if a.eq_ignore_ascii_case("SHA256withRSA") => RsaHash::Sha256,
        Some(a) if a.eq_ignore_ascii_case("SHA1withRSA") => RsaHash::Sha1,
        Some(a) => {
            v.reason = ReasonCode::WrongAlgorithm;
            v.explanation = format!("PAYPAL-AUTH-ALGO is `{a}`; {name} signs with SHA256withRSA.");
            return v;
        }
    };
    let crc = crc32fast::hash(req.body);
    v.signed_content = Some(cert_url::shown(&message(id, time, "[webhook id]", crc)));
    if cfg.secrets.is_empty() {
        v.status = VerdictStatus::NoSecret;
        v.reason = ReasonCode::NoSecret;
        v.explanation = format!(
            "The request is signed ({name}), but the endpoint has no webhook ID, which {name} signs with the request: add the webhook's ID (Developer Dashboard → Apps & Credentials → the app → Webhooks; `{SIMULATOR_WEBHOOK_ID}` for the Webhooks simulator's mock events)."
        );
        return v;
    }
    let Some(cert_url_raw) = h("paypal-cert-url") else {
        v.explanation = format!("The request has no PAYPAL-CERT-URL, so the certificate {name} signed it with is unknown.");
        return v;
    };
    let Some(sig) = codec::b64_decode_lenient(sig_text) else {
        v.reason = ReasonCode::WrongEncoding;
        v.explanation = format!("PAYPAL-TRANSMISSION-SIG is not base64, as {name} writes it.");
        return v;
    };
    let cert = match cert_url::obtain(SCHEME, Publisher::Paypal, cert_url_raw, certs, now) {
        Ok(c) => c,
        Err(mut stop) => {
            stop.signed_content = v.signed_content;
            stop.received = v.received;
            stop.skew_secs = v.skew_secs;
            return *stop;
        }
    };
    let url = certs.check_url(Publisher::Paypal, cert_url_raw).unwrap_or_default();
    v.certificate_url = Some(url.clone());
    let signs = |webhook: &str, hash: RsaHash| cert_url::verifies(&cert.key, hash, message(id, time, webhook.trim(), crc).as_bytes(), &sig);
    let count = cfg.secrets.len();
    if let Some(i) = cfg.secrets.iter().position(|s| signs(s.expose(), hash)) {
        v.status = VerdictStatus::Valid;
        v.reason = ReasonCode::Ok;
        v.matched_secret_index = Some(i as u32);
        let which = if count <= 1 { "the configured secret".to_string() } else { format!("secret {} of {count}", i + 1) };
        v.explanation = format!(
            "The {name} signature is valid: {} with the certificate at {url}, for the webhook ID that is {which}.",
            hash.name()
        );
        if let Some(skew) = v.skew_secs.filter(|s| tolerance > 0 && s.abs() > tolerance) {
            v.status = VerdictStatus::Expired;
            v.reason = ReasonCode::Expired;
            v.explanation = format!(
                "The signature is correct, but PAYPAL-TRANSMISSION-TIME is {} s {} now, beyond the {tolerance} s this endpoint accepts: a late retry or a replay.",
                skew.abs(),
                if skew > 0 { "before" } else { "after" }
            );
        }
        return v;
    }
    if let Some((endpoint, _)) = others.iter().find(|(_, s)| signs(s.expose(), hash)) {
        v.other_endpoint_hint = Some(format!("It verifies with endpoint {endpoint:?}'s webhook ID: PayPal sent it to that webhook's URL."));
        v.explanation = format!("The signature is {name}'s, but for another webhook: it verifies with endpoint {endpoint:?}'s webhook ID, not this endpoint's.");
        return v;
    }
    if signs(SIMULATOR_WEBHOOK_ID, hash) {
        v.explanation = format!(
            "This is a mock event from {name}'s Webhooks simulator: it verifies with the webhook ID `{SIMULATOR_WEBHOOK_ID}`, which the simulator signs its events for. Add `{SIMULATOR_WEBHOOK_ID}` as a webhook ID to accept them; real deliveries use the webhook's own ID."
        );
        return v;
    }
    if cfg.secrets.iter().any(|s| signs(s.expose(), hash.other())) {
        v.reason = ReasonCode::WrongAlgorithm;
        v.explanation = format!(
            "The signature verifies as {} but PAYPAL-AUTH-ALGO says {}: the header was changed after {name} signed the request.",
            hash.other().name(),
            hash.name()
        );
        return v;
    }
    v.explanation = format!(
        "The signature does not verify ({}) with the certificate at {url} for {}: the webhook ID is another webhook's (each webhook has its own), or the body was changed after {name} signed it ({name} signs the CRC32 of the raw bytes, {crc}, so a body re-serialized by a proxy or a framework no longer matches).",
        hash.name(),
        if count <= 1 { "the configured webhook ID".to_string() } else { format!("any of the {count} webhook IDs") }
    );
    v
}
