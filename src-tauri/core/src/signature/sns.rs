//! Amazon SNS message signatures (`sns_message`): an HTTP(S) subscription's deliveries are a
//! JSON document whose `Signature` is Amazon's RSA signature (SignatureVersion 1 =
//! SHA1withRSA, 2 = SHA256withRSA) of a canonical string: `Key\nValue\n` for Message,
//! MessageId, Subject (when present), Timestamp, TopicArn and Type in a Notification, or
//! Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn and Type in a
//! SubscriptionConfirmation or UnsubscribeConfirmation (AWS, "Verifying the signatures of
//! Amazon SNS messages"; the official validators aws-js-sns-message-validator and
//! aws-php-sns-message-validator). The key is the certificate at the message's
//! `SigningCertURL`, which [`cert_url`] vets and the caller's [`Certificates`] supply. The
//! values are the decoded JSON strings, so a body re-serialized on the way still verifies.
//! Verification only: no secret is involved, Amazon's private key signs. Pure: no I/O, no clock.

use crate::signature::cert_url::{self, Certificates, Publisher, RsaHash};
use crate::signature::{codec, provider, ReasonCode, Request, SchemeConfig, SchemeId, Verdict, VerdictStatus};

const SCHEME: SchemeId = SchemeId::SnsMessage;

const NOTIFICATION_KEYS: [&str; 6] = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"];
const CONFIRMATION_KEYS: [&str; 7] = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"];

/// The canonical string SNS signs for a message of this type, or the signed key it lacks.
fn string_to_sign(msg: &serde_json::Map<String, serde_json::Value>, keys: &[&str]) -> Result<String, &'static str> {
    let mut out = String::new();
    for &k in keys {
        match msg.get(k).and_then(|v| v.as_str()) {
            Some(v) => {
                out.push_str(k);
                out.push('\n');
                out.push_str(v);
                out.push('\n');
            }
            // Subject is optional; every other key of the list is always there.
            None if k == "Subject" => {}
            None => return Err(static_key(k)),
        }
    }
    Ok(out)
}

fn static_key(k: &str) -> &'static str {
    NOTIFICATION_KEYS.iter().chain(CONFIRMATION_KEYS.iter()).find(|x| **x == k).copied().unwrap_or("a signed key")
}

fn label(cfg: &SchemeConfig) -> String {
    provider::of(cfg).map(|p| p.name.clone()).unwrap_or_else(|| SCHEME.label().to_string())
}

pub(crate) fn verify(cfg: &SchemeConfig, req: &Request, now: i64, certs: &dyn Certificates) -> Verdict {
    let name = label(cfg);
    let parsed: Option<serde_json::Map<String, serde_json::Value>> = serde_json::from_slice(req.body).ok();
    let Some(msg) = parsed.filter(|m| m.get("Signature").and_then(|s| s.as_str()).is_some_and(|s| !s.trim().is_empty())) else {
        if codec::header(req, "x-amz-sns-rawdelivery").is_some_and(|v| v.trim().eq_ignore_ascii_case("true")) {
            return Verdict::new(
                SCHEME,
                VerdictStatus::Unsigned,
                ReasonCode::MissingHeader,
                format!("This delivery uses raw message delivery (`x-amz-sns-rawdelivery: true`): {name} then posts the published message as it is, without the signed JSON envelope, so there is nothing to verify. Turn raw message delivery off on the subscription to get signed deliveries."),
            );
        }
        return Verdict::unsigned(SCHEME, "SNS message signature (a JSON body with `Signature`)");
    };
    let text = |k: &str| msg.get(k).and_then(|v| v.as_str()).map(str::trim);
    let tolerance = match cfg.tolerance(0) {
        Ok(t) => t,
        Err(e) => return Verdict::config_error(SCHEME, &e),
    };
    let fail = |reason: ReasonCode, explanation: String| Verdict::new(SCHEME, VerdictStatus::Invalid, reason, explanation);

    let hash = match text("SignatureVersion") {
        Some("1") => RsaHash::Sha1,
        Some("2") => RsaHash::Sha256,
        other => {
            return fail(
                ReasonCode::WrongAlgorithm,
                format!(
                    "The message's SignatureVersion is {}, but {name} signs with version 1 (SHA1withRSA) or 2 (SHA256withRSA) only.",
                    other.map(|v| format!("`{v}`")).unwrap_or_else(|| "missing".into())
                ),
            )
        }
    };
    let kind = text("Type").unwrap_or_default().to_string();
    let keys: &[&str] = match kind.as_str() {
        "Notification" => &NOTIFICATION_KEYS,
        "SubscriptionConfirmation" | "UnsubscribeConfirmation" => &CONFIRMATION_KEYS,
        _ => {
            return fail(
                ReasonCode::BadSignature,
                format!("The message's Type is `{kind}`: {name} sends only Notification, SubscriptionConfirmation and UnsubscribeConfirmation messages, so this is not one of its deliveries."),
            )
        }
    };
    let signed = match string_to_sign(&msg, keys) {
        Ok(s) => s,
        Err("Timestamp") => {
            return fail(ReasonCode::MissingTimestamp, format!("The {kind} message has no Timestamp, which {name} always signs."))
        }
        Err(k) => return fail(ReasonCode::BadSignature, format!("The {kind} message has no `{k}`, which {name} always includes and signs: it was altered on the way.")),
    };
    let mut v = Verdict::new(SCHEME, VerdictStatus::Invalid, ReasonCode::BadSignature, String::new());
    v.signed_content = Some(cert_url::shown(&signed));
    v.received = text("Signature").map(str::to_string);
    v.skew_secs = text("Timestamp").and_then(cert_url::rfc3339_secs).map(|t| now - t);
    let Some(cert_url_raw) = text("SigningCertURL") else {
        v.explanation = format!("The message has no SigningCertURL, so the certificate {name} signed it with is unknown.");
        return v;
    };
    let Some(sig) = text("Signature").and_then(codec::b64_decode_lenient) else {
        v.reason = ReasonCode::WrongEncoding;
        v.explanation = format!("The message's Signature is not base64, as {name} writes it.");
        return v;
    };
    let cert = match cert_url::obtain(SCHEME, Publisher::AmazonSns, cert_url_raw, certs, now) {
        Ok(c) => c,
        Err(mut refused) => {
            refused.signed_content = v.signed_content;
            refused.received = v.received;
            refused.skew_secs = v.skew_secs;
            return *refused;
        }
    };
    let url = certs.check_url(Publisher::AmazonSns, cert_url_raw).unwrap_or_default();
    v.certificate_url = Some(url.clone());
    let topic = text("TopicArn").unwrap_or_default();
    if cert_url::verifies(&cert.key, hash, signed.as_bytes(), &sig) {
        v.status = VerdictStatus::Valid;
        v.reason = ReasonCode::Ok;
        let next = if kind == "SubscriptionConfirmation" {
            " To confirm the subscription, visit its SubscribeURL (or call ConfirmSubscription with its Token)."
        } else {
            ""
        };
        v.explanation = format!(
            "The {name} signature is valid: a {kind} for topic {topic}, signed {} with the certificate at {url}. Any AWS account's topic can be signed this way: check that the topic is one you expect.{next}",
            hash.name()
        );
        if let Some(skew) = v.skew_secs.filter(|s| tolerance > 0 && s.abs() > tolerance) {
            v.status = VerdictStatus::Expired;
            v.reason = ReasonCode::Expired;
            v.explanation = format!(
                "The signature is correct, but the message's Timestamp is {} s {} now, beyond the {tolerance} s this endpoint accepts. {name} keeps the first Timestamp when it retries a delivery, so a late retry looks like this.",
                skew.abs(),
                if skew > 0 { "before" } else { "after" }
            );
        }
        return v;
    }
    if cert_url::verifies(&cert.key, hash.other(), signed.as_bytes(), &sig) {
        v.reason = ReasonCode::WrongAlgorithm;
        v.explanation = format!(
            "The signature verifies as {} but the message says SignatureVersion {} ({}): the SignatureVersion was changed after {name} signed the message.",
            hash.other().name(),
            if hash == RsaHash::Sha1 { "1" } else { "2" },
            hash.name()
        );
        return v;
    }
    v.explanation = format!(
        "The signature does not verify ({}) with the certificate at {url}: a signed value (Message, Subject, Timestamp, TopicArn, …) was changed after {name} signed it, or the message was not signed by {name}. The values are compared decoded, so re-serializing the JSON does not cause this.",
        hash.name()
    );
    v
}
