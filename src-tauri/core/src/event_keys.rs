//! Which event a delivery carries: its identity (for duplicate and retry detection, diff
//! partners, and skipping duplicates when forwarding) and its type (diff partners, search
//! chips, forward rules), read from well-known provider headers and the top-level fields of a
//! JSON object or a form body (SuperSaaS `event`, PayZen `vads_trans_id`…). Pure: no I/O. It
//! must not parse more of a body than those fields.

use serde_json::Value;

pub(crate) fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(n, v)| n.trim().eq_ignore_ascii_case(name) && !v.trim().is_empty())
        .map(|(_, v)| v.trim())
}

/// The top-level keys event ids and types are read from. Deserialising only these (serde
/// skips the rest without building it) keeps a 10 MiB body cheap at capture time.
#[derive(serde::Deserialize)]
struct Envelope {
    id: Option<Value>,
    object: Option<Value>,
    #[serde(rename = "type")]
    type_: Option<Value>,
    event_id: Option<Value>,
    event_type: Option<Value>,
    #[serde(rename = "eventType")]
    event_type_camel: Option<Value>,
    event: Option<Value>,
    timestamp: Option<Value>,
    topic: Option<Value>,
}

/// Keys of a form body that event ids and types are read from (the rest is skipped).
const FORM_KEYS: &[&str] = &["id", "type", "event", "event_id", "event_type", "timestamp", "topic", "vads_trans_uuid"];

/// The event-related top-level keys of the body: of a JSON object (cheap reject for other
/// bodies), or of a form body (`application/x-www-form-urlencoded`; values as strings).
fn body_object(headers: &[(String, String)], body: &[u8]) -> Option<serde_json::Map<String, Value>> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace())?;
    if *first != b'{' {
        let form = header(headers, "content-type").is_some_and(|t| t.to_ascii_lowercase().contains("x-www-form-urlencoded"));
        if !form {
            return None;
        }
        let mut m = serde_json::Map::new();
        for (k, v) in form_urlencoded::parse(body) {
            if FORM_KEYS.contains(&k.as_ref()) && !m.contains_key(k.as_ref()) {
                m.insert(k.into_owned(), Value::String(v.into_owned()));
            }
        }
        return Some(m);
    }
    let e: Envelope = serde_json::from_slice(body).ok()?;
    let mut m = serde_json::Map::new();
    for (k, v) in [
        ("id", e.id),
        ("object", e.object),
        ("type", e.type_),
        ("event_id", e.event_id),
        ("event_type", e.event_type),
        ("eventType", e.event_type_camel),
        ("event", e.event),
        ("timestamp", e.timestamp),
        ("topic", e.topic),
    ] {
        if let Some(v) = v {
            m.insert(k.to_string(), v);
        }
    }
    Some(m)
}

fn scalar(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Header names carrying a per-event/delivery id, with the identity kind they produce.
const ID_HEADERS: &[(&str, &str)] = &[
    ("webhook-id", "webhook_id"),
    ("svix-id", "svix_id"),
    ("x-github-delivery", "github_delivery"),
    ("x-shopify-webhook-id", "shopify_webhook_id"),
    ("x-gitlab-event-uuid", "gitlab_event_uuid"),
    ("linear-delivery", "linear_delivery"),
    ("i-twilio-idempotency-token", "twilio_idempotency_token"),
    ("x-event-id", "event_id_header"),
];

/// Identity of the event a delivery carries, for duplicate/retry detection:
/// `(kind, value)`, e.g. `("stripe_id", "evt_…")`, `("github_delivery", "…")`.
/// Precedence: Stripe body `id` (`evt_…`), provider id headers, then body `event_id`,
/// body `id`, and `event`+`timestamp` (FinSight-style, value `"{event}@{timestamp}"`).
pub fn event_identity(headers: &[(String, String)], body: &[u8]) -> Option<(String, String)> {
    identity_of(headers, body_object(headers, body))
}

/// [`event_identity`] and [`event_type`] together, reading the body once.
pub fn event_keys(headers: &[(String, String)], body: &[u8]) -> (Option<(String, String)>, Option<String>) {
    let obj = body_object(headers, body);
    (identity_of(headers, obj.clone()), type_of(headers, obj))
}

fn identity_of(headers: &[(String, String)], obj: Option<serde_json::Map<String, Value>>) -> Option<(String, String)> {
    if let Some(id) = obj
        .as_ref()
        .and_then(|o| o.get("id"))
        .and_then(Value::as_str)
    {
        if id.starts_with("evt_") {
            return Some(("stripe_id".into(), id.to_string()));
        }
    }
    for (h, kind) in ID_HEADERS {
        if let Some(v) = header(headers, h) {
            return Some((kind.to_string(), v.to_string()));
        }
    }
    let obj = obj?;
    if let Some(v) = scalar(obj.get("event_id")) {
        return Some(("event_id".into(), v));
    }
    // PayZen / Lyra IPNs: one transaction, retried with the same uuid.
    if let Some(v) = scalar(obj.get("vads_trans_uuid")) {
        return Some(("payzen_trans_uuid".into(), v));
    }
    if let Some(v) = scalar(obj.get("id")) {
        return Some(("id".into(), v));
    }
    if let (Some(e), Some(t)) = (scalar(obj.get("event")), scalar(obj.get("timestamp"))) {
        return Some(("event_timestamp".into(), format!("{e}@{t}")));
    }
    None
}

const TYPE_HEADERS: &[&str] = &[
    "x-github-event",
    "x-finsight-event",
    "x-shopify-topic",
    "x-gitlab-event",
    "linear-event",
    "x-event-type",
    "x-webhook-event",
];

/// Event type of a delivery (to suggest "previous capture of the same event type"):
/// Stripe body `type` (when `object` is `"event"`), provider type headers, then body
/// `type`, `event_type`, `eventType`, `event` (string) or `topic`.
pub fn event_type(headers: &[(String, String)], body: &[u8]) -> Option<String> {
    type_of(headers, body_object(headers, body))
}

fn type_of(headers: &[(String, String)], obj: Option<serde_json::Map<String, Value>>) -> Option<String> {
    if let Some(o) = &obj {
        if o.get("object").and_then(Value::as_str) == Some("event") {
            if let Some(t) = o.get("type").and_then(Value::as_str) {
                return Some(t.to_string());
            }
        }
    }
    for h in TYPE_HEADERS {
        if let Some(v) = header(headers, h) {
            return Some(v.to_string());
        }
    }
    let o = obj?;
    ["type", "event_type", "eventType", "event", "topic"]
        .iter()
        .find_map(|k| {
            o.get(*k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        })
}


#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
    }

    #[test]
    fn identity_and_type_stripe() {
        let body = br#"{"id":"evt_1NG8Du2eZvKYlo2CUI79vXWy","object":"event","type":"invoice.paid","data":{"object":{"id":"in_1"}}}"#;
        let hs = h(&[
            ("stripe-signature", "t=1,v1=abc"),
            ("content-type", "application/json"),
        ]);
        assert_eq!(
            event_identity(&hs, body),
            Some(("stripe_id".into(), "evt_1NG8Du2eZvKYlo2CUI79vXWy".into()))
        );
        assert_eq!(event_type(&hs, body), Some("invoice.paid".into()));
    }

    #[test]
    fn identity_and_type_github() {
        let body = br#"{"action":"opened","number":7,"pull_request":{"id":99}}"#;
        let hs = h(&[
            ("x-github-event", "pull_request"),
            ("x-github-delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
        ]);
        assert_eq!(
            event_identity(&hs, body),
            Some((
                "github_delivery".into(),
                "72d3162e-cc78-11e3-81ab-4c9367dc0958".into()
            ))
        );
        assert_eq!(event_type(&hs, body), Some("pull_request".into()));
    }

    #[test]
    fn identity_and_type_standard_webhooks() {
        let body = br#"{"type":"contact.created","timestamp":"2022-11-03T20:26:10.344522Z","data":{"id":"c_1"}}"#;
        let hs = h(&[
            ("webhook-id", "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"),
            ("webhook-timestamp", "1674087231"),
            ("webhook-signature", "v1,K5o="),
        ]);
        assert_eq!(
            event_identity(&hs, body),
            Some((
                "webhook_id".into(),
                "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W".into()
            ))
        );
        assert_eq!(event_type(&hs, body), Some("contact.created".into()));
        let svix = h(&[("svix-id", "msg_x")]);
        assert_eq!(
            event_identity(&svix, b"{}"),
            Some(("svix_id".into(), "msg_x".into()))
        );
    }

    #[test]
    fn identity_body_fallbacks() {
        assert_eq!(
            event_identity(&[], br#"{"event_id":"e1","id":5}"#),
            Some(("event_id".into(), "e1".into()))
        );
        assert_eq!(
            event_identity(&[], br#"{"id":5}"#),
            Some(("id".into(), "5".into()))
        );
        assert_eq!(
            event_identity(&[], br#"{"event":"txn.settled","timestamp":1700000000}"#),
            Some(("event_timestamp".into(), "txn.settled@1700000000".into()))
        );
        assert_eq!(
            event_type(&[], br#"{"eventType":"PAYMENT"}"#),
            Some("PAYMENT".into())
        );
        assert_eq!(event_identity(&[], b"not json"), None);
        assert_eq!(event_type(&[], b"[1]"), None);
    }

    #[test]
    fn form_bodies_and_provider_event_headers() {
        let form = h(&[("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")]);
        // SuperSaaS: the event is a form field.
        let body = b"event=en_attente&role=3&id=812&full_name=Ana";
        assert_eq!(event_type(&form, body), Some("en_attente".into()));
        assert_eq!(event_identity(&form, body), Some(("id".into(), "812".into())));
        // PayZen: retried IPNs share the transaction uuid.
        let ipn = b"vads_amount=7790&vads_trans_uuid=9f2c&vads_trans_status=AUTHORISED";
        assert_eq!(event_identity(&form, ipn), Some(("payzen_trans_uuid".into(), "9f2c".into())));
        // The same bytes without a form content type are not read as a form.
        assert_eq!(event_type(&[], body), None);
        // FinSight names its event in a header.
        let fin = h(&[("X-FinSight-Event", "kpi.threshold_reached")]);
        assert_eq!(event_type(&fin, br#"{"data":{}}"#), Some("kpi.threshold_reached".into()));
    }
}
