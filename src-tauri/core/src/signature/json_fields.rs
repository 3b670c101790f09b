//! HMAC over fields of JSON objects (`json_fields`), as Adyen signs its standard webhooks: each
//! `notificationItems[].NotificationRequestItem` carries, in `additionalData.hmacSignature`,
//! the base64 HMAC-SHA256 — keyed with the hex-decoded HMAC key — of eight of its fields joined
//! by `:` (pspReference, originalReference, merchantAccountCode, merchantReference,
//! amount.value, amount.currency, eventCode, success), as `@adyen/api-library`
//! `HmacValidator.getDataToSign` builds it: a missing field is empty, a number is written as
//! JSON writes it. Which objects, which fields, the separator, the signature's place and the
//! encodings are options (Adyen's by default, except the key, text unless `key_encoding` says
//! hex as the `adyen` catalog entry does), so another sender of the same shape is data.
//! Only those fields are covered: the rest of the body can change without breaking a
//! signature. This file reads the body, computes and compares (constant time) and, for test
//! events, writes the signatures into the body. No clock, no I/O; secrets never printed.

use serde_json::Value;

use crate::signature::codec::{self, Alg, KeyEnc, MacKind, OutEnc};
use crate::signature::{
    provider, OptionInfo, ReasonCode, Request, SchemeConfig, SchemeId, Secret, SignatureError, Signed,
    SignedContent, Verdict, VerdictStatus,
};

const SCHEME: SchemeId = SchemeId::JsonFields;
const ITEMS: &str = "notificationItems[].NotificationRequestItem";
const FIELDS: &str = "pspReference,originalReference,merchantAccountCode,merchantReference,amount.value,amount.currency,eventCode,success";
const SIGNATURE: &str = "additionalData.hmacSignature";

struct Settings {
    label: String,
    /// Path to the signed objects; `name[]` walks every element of an array; empty: the body.
    items: String,
    fields: Vec<String>,
    separator: String,
    signature: String,
    alg: Alg,
    key_enc: KeyEnc,
    out_enc: OutEnc,
}

fn bad(option: &str, v: &str, allowed: &str) -> SignatureError {
    SignatureError::BadOption { option: option.into(), reason: format!("`{v}` is not one of {allowed}") }
}

impl Settings {
    fn from(cfg: &SchemeConfig) -> Result<Settings, SignatureError> {
        let fields: Vec<String> = cfg
            .opt("fields")
            .unwrap_or(FIELDS)
            .split(',')
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty())
            .collect();
        if fields.is_empty() {
            return Err(SignatureError::MissingOption { option: "fields".into() });
        }
        let parse = |name: &str, default: &str| cfg.opt(name).unwrap_or(default).trim().to_string();
        let alg = parse("algorithm", "sha256");
        let key = parse("key_encoding", "text");
        let out = parse("output_encoding", "base64");
        Ok(Settings {
            label: provider::of(cfg).map(|p| p.name.clone()).unwrap_or_else(|| SCHEME.label().to_string()),
            items: cfg.options.get("items").map(|s| s.trim().to_string()).unwrap_or_else(|| ITEMS.into()),
            fields,
            separator: cfg.options.get("field_separator").cloned().filter(|s| !s.is_empty()).unwrap_or_else(|| ":".into()),
            signature: parse("signature_field", SIGNATURE),
            alg: Alg::parse(&alg).ok_or_else(|| bad("algorithm", &alg, "sha1, sha256, sha512"))?,
            key_enc: KeyEnc::parse(&key).ok_or_else(|| bad("key_encoding", &key, "text, hex, base64"))?,
            out_enc: OutEnc::parse(&out).ok_or_else(|| bad("output_encoding", &out, "hex, hex_upper, base64, base64url"))?,
        })
    }

    /// The signed string of one object: its fields' values joined by the separator.
    fn message(&self, item: &Value) -> String {
        self.fields.iter().map(|f| text(get(item, f))).collect::<Vec<_>>().join(&self.separator)
    }
}

/// The options of the `json_fields` scheme, for the UI and `hookloupe schemes`.
pub(crate) fn options() -> Vec<OptionInfo> {
    let opt = |name: &str, label: &str, default: &str, help: &str| OptionInfo {
        name: name.into(),
        label: label.into(),
        default: Some(default.into()),
        help: help.into(),
    };
    vec![
        opt("items", "Signed objects", ITEMS, "Path to the objects that carry a signature; `name[]` walks an array; empty: the body itself."),
        opt("fields", "Signed fields", FIELDS, "The fields signed, in order, comma-separated, as dotted paths inside each object."),
        opt("field_separator", "Field separator", ":", "Text between the field values."),
        opt("signature_field", "Signature field", SIGNATURE, "Dotted path, inside each object, of its signature."),
        opt("algorithm", "Algorithm", "sha256", "sha1, sha256 or sha512."),
        opt("key_encoding", "Key encoding", "text", "text, hex (Adyen's HMAC keys) or base64."),
        opt("output_encoding", "Output encoding", "base64", "base64, base64url, hex or hex_upper."),
    ]
}

fn get<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |v, k| v.get(k))
}

/// A value as JavaScript's `Array.join` writes it: strings as they are, numbers and booleans
/// as JSON writes them, absent or null as nothing.
fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// The objects at `path` (`a[].b`: `b` of every element of array `a`).
fn select<'a>(root: &'a Value, path: &str) -> Vec<&'a Value> {
    let mut cur = vec![root];
    for seg in path.split('.').filter(|s| !s.is_empty()) {
        let (name, each) = match seg.strip_suffix("[]") {
            Some(n) => (n, true),
            None => (seg, false),
        };
        cur = cur
            .into_iter()
            .filter_map(|v| if name.is_empty() { Some(v) } else { v.get(name) })
            .flat_map(|v| match (each, v) {
                (true, Value::Array(a)) => a.iter().collect::<Vec<_>>(),
                (true, _) => vec![],
                (false, v) => vec![v],
            })
            .collect();
    }
    cur
}

fn select_mut<'a>(root: &'a mut Value, path: &str) -> Vec<&'a mut Value> {
    let mut cur = vec![root];
    for seg in path.split('.').filter(|s| !s.is_empty()) {
        let (name, each) = match seg.strip_suffix("[]") {
            Some(n) => (n, true),
            None => (seg, false),
        };
        cur = cur
            .into_iter()
            .filter_map(|v| if name.is_empty() { Some(v) } else { v.get_mut(name) })
            .flat_map(|v| match (each, v) {
                (true, Value::Array(a)) => a.iter_mut().collect::<Vec<_>>(),
                (true, _) => vec![],
                (false, v) => vec![v],
            })
            .collect();
    }
    cur
}

fn mac(s: &Settings, key: &[u8], msg: &str) -> Vec<u8> {
    codec::digest(s.alg, MacKind::Hmac, key, &[msg.as_bytes()])
}

fn shown(msg: &str) -> SignedContent {
    let (text, truncated) = codec::lossy_truncated(msg.as_bytes(), 64 * 1024);
    SignedContent { text, body_range: None, truncated }
}

pub(crate) fn verify(cfg: &SchemeConfig, req: &Request) -> Verdict {
    let s = match Settings::from(cfg) {
        Ok(s) => s,
        Err(e) => return Verdict::config_error(SCHEME, &e),
    };
    let where_ = format!("`{}` field in the body's `{}` objects", s.signature, s.items);
    let Ok(root) = serde_json::from_slice::<Value>(req.body) else {
        return Verdict::unsigned(SCHEME, &where_);
    };
    let items = select(&root, &s.items);
    let sigs: Vec<Option<&str>> = items.iter().map(|i| get(i, &s.signature).and_then(Value::as_str).filter(|v| !v.trim().is_empty())).collect();
    if sigs.iter().all(Option::is_none) {
        return Verdict::unsigned(SCHEME, &where_);
    }
    if cfg.secrets.is_empty() {
        return Verdict::no_secret_named(SCHEME, &s.label);
    }
    let keys: Vec<Option<Vec<u8>>> = cfg.secrets.iter().map(|k| s.key_enc.decode(k.expose()).filter(|b| !b.is_empty())).collect();
    if keys.iter().all(Option::is_none) {
        return Verdict::config_error(SCHEME, &SignatureError::BadSecret { what: format!("HMAC key {}", s.key_enc.describe()) });
    }
    let label = &s.label;
    let n = items.len();
    let nth = |i: usize| if n == 1 { "the item".to_string() } else { format!("item {} of {n}", i + 1) };
    let mut matched: Option<usize> = None;
    for (i, (item, sig)) in items.iter().zip(&sigs).enumerate() {
        let msg = s.message(item);
        let mut v = Verdict::new(SCHEME, VerdictStatus::Invalid, ReasonCode::BadSignature, String::new());
        v.signed_content = Some(shown(&msg));
        let Some(sig) = sig else {
            v.reason = ReasonCode::MissingHeader;
            v.explanation = format!("{label}: {} carries no `{}`, while others do; every item is signed.", nth(i), s.signature);
            return v;
        };
        v.received = Some(sig.to_string());
        let hit = keys.iter().enumerate().find_map(|(k, key)| {
            let key = key.as_ref()?;
            s.out_enc.matches(&mac(&s, key, &msg), sig.trim()).then_some(k)
        });
        match hit {
            Some(k) => {
                matched = matched.or(Some(k));
            }
            None => {
                v.expected = keys.iter().flatten().next().map(|k| s.out_enc.encode(&mac(&s, k, &msg)));
                let wrong_key_form = s.key_enc == KeyEnc::Hex
                    && cfg.secrets.iter().any(|k| s.out_enc.matches(&mac(&s, k.expose().as_bytes(), &msg), sig.trim()));
                if wrong_key_form {
                    v.reason = ReasonCode::WrongKeyEncoding;
                    v.explanation = format!("{label}: the signature of {} matches the key used as text, not hex-decoded: this endpoint is set to hex keys, the sender is not.", nth(i));
                } else {
                    v.explanation = format!(
                        "The {label} signature of {} does not match: the HMAC of its fields `{}` with {} differs. The key is another one (each webhook endpoint has its own, and test and live differ), or one of those fields was changed after signing.",
                        nth(i),
                        s.fields.join(&s.separator),
                        if cfg.secrets.len() > 1 { "any configured key" } else { "the configured key" },
                    );
                }
                return v;
            }
        }
    }
    let k = matched.unwrap_or(0);
    let msg = items.first().map(|i| s.message(i)).unwrap_or_default();
    let mut v = Verdict::new(
        SCHEME,
        VerdictStatus::Valid,
        ReasonCode::Ok,
        format!(
            "The {label} signature is valid: {} the HMAC of {} fields with {}. Only those fields are signed: the rest of the body is not covered.",
            if n == 1 { "the item's matches".to_string() } else { format!("each of the {n} items' matches") },
            s.fields.len(),
            if cfg.secrets.len() > 1 { format!("key {} of {}", k + 1, cfg.secrets.len()) } else { "the configured key".into() },
        ),
    );
    v.matched_secret_index = Some(k as u32);
    v.received = sigs.first().copied().flatten().map(str::to_string);
    v.expected = v.received.clone();
    v.signed_content = Some(shown(&msg));
    v
}

/// Writes each object's signature into the body (re-serialized compactly, key order kept).
pub(crate) fn sign(cfg: &SchemeConfig, secret: &Secret, req: &Request) -> Result<Signed, SignatureError> {
    let s = Settings::from(cfg)?;
    let key = s.key_enc.decode(secret.expose()).filter(|b| !b.is_empty()).ok_or_else(|| SignatureError::BadSecret { what: format!("HMAC key {}", s.key_enc.describe()) })?;
    let mut root: Value = serde_json::from_slice(req.body).map_err(|_| SignatureError::MissingInput { what: "a JSON body".into() })?;
    let mut signed_any = false;
    for item in select_mut(&mut root, &s.items) {
        if !item.is_object() {
            continue;
        }
        let sig = s.out_enc.encode(&mac(&s, &key, &s.message(item)));
        let mut parts: Vec<&str> = s.signature.split('.').collect();
        let last = parts.pop().unwrap_or("");
        let mut obj = item;
        for p in parts {
            let map = obj.as_object_mut().expect("checked or made an object");
            let entry = map.entry(p.to_string()).or_insert_with(|| Value::Object(Default::default()));
            if !entry.is_object() {
                *entry = Value::Object(Default::default());
            }
            obj = entry;
        }
        obj.as_object_mut().expect("checked or made an object").insert(last.to_string(), Value::String(sig));
        signed_any = true;
    }
    if !signed_any {
        return Err(SignatureError::MissingInput { what: format!("`{}` objects in the body", s.items) });
    }
    let body = serde_json::to_vec(&root).map_err(|e| SignatureError::MissingInput { what: e.to_string() })?;
    Ok(Signed { headers: vec![], body: Some(body), url: None })
}

#[cfg(test)]
#[path = "json_fields_tests.rs"]
mod tests;
