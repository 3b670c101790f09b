//! Header-level comparison and provider identification: the header diff (case-insensitive
//! names, repeated headers compared as ordered value lists), plus `event_identity` and
//! `event_type`, which read well-known provider headers and top-level body fields to
//! find duplicates and diff partners. It must not filter ignored changes or diff bodies.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::diff::ignore::Ignore;
use crate::diff::{HeaderChange, HeaderOp};

fn group(headers: &[(String, String)]) -> BTreeMap<String, Vec<String>> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (n, v) in headers {
        m.entry(n.trim().to_ascii_lowercase())
            .or_default()
            .push(v.clone());
    }
    m
}

/// All header changes sorted by name, each marked `ignored` per the rules.
pub(crate) fn diff_headers(
    a: &[(String, String)],
    b: &[(String, String)],
    ign: &Ignore,
) -> Vec<HeaderChange> {
    let (ga, mut gb) = (group(a), group(b));
    let mut out = Vec::new();
    for (name, old) in ga {
        let new = gb.remove(&name).unwrap_or_default();
        let op = if new.is_empty() {
            HeaderOp::Removed
        } else if old != new {
            HeaderOp::Changed
        } else {
            continue;
        };
        out.push(HeaderChange {
            ignored: ign.header(&name),
            name,
            op,
            old,
            new,
        });
    }
    for (name, new) in gb {
        out.push(HeaderChange {
            ignored: ign.header(&name),
            name,
            op: HeaderOp::Added,
            old: Vec::new(),
            new,
        });
    }
    out.sort_by(|x, y| x.name.cmp(&y.name));
    out
}

fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
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

/// The event-related top-level keys of the body, if it is a JSON object (cheap reject for
/// non-JSON bodies).
fn body_object(body: &[u8]) -> Option<serde_json::Map<String, Value>> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace())?;
    if *first != b'{' {
        return None;
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
    identity_of(headers, body_object(body))
}

/// [`event_identity`] and [`event_type`] together, reading the body once.
pub fn event_keys(headers: &[(String, String)], body: &[u8]) -> (Option<(String, String)>, Option<String>) {
    let obj = body_object(body);
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
    type_of(headers, body_object(body))
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
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn repeated_and_case_insensitive() {
        let a = h(&[
            ("X-Tag", "a"),
            ("set-cookie", "1"),
            ("x-tag", "b"),
            ("Accept", "*/*"),
            ("x-gone", "1"),
        ]);
        let b = h(&[
            ("x-tag", "a"),
            ("X-TAG", "b"),
            ("set-cookie", "2"),
            ("set-cookie", "1"),
            ("accept", "*/*"),
            ("x-new", "v"),
        ]);
        let ign = Ignore::default();
        let d = diff_headers(&a, &b, &ign);
        let summary: Vec<(&str, &HeaderOp)> = d.iter().map(|c| (c.name.as_str(), &c.op)).collect();
        assert_eq!(
            summary,
            vec![
                ("set-cookie", &HeaderOp::Changed),
                ("x-gone", &HeaderOp::Removed),
                ("x-new", &HeaderOp::Added)
            ]
        );
        assert_eq!(d[0].old, vec!["1"]);
        assert_eq!(d[0].new, vec!["2", "1"]);
        // Order of repeated values matters.
        let d = diff_headers(
            &h(&[("x-a", "1"), ("x-a", "2")]),
            &h(&[("x-a", "2"), ("x-a", "1")]),
            &ign,
        );
        assert_eq!(d.len(), 1);
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
}
