//! The variables a filter sees of a capture (the table in the module docs), converted lazily:
//! headers, query and body each on first use, at most once per [`Prepared`].

use std::collections::HashMap;
use std::sync::OnceLock;

use cel::common::types::{
    CelBool, CelBytes, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString, CelUInt,
};
use cel::common::value::{CowVal, Val};
use cel::context::VariableResolver;

use super::Subject;

/// Deepest JSON value converted (serde_json refuses to parse deeper, so this is a backstop that
/// keeps the conversion's recursion bounded whatever the parser allows).
const MAX_JSON_DEPTH: usize = 128;

/// A [`Subject`] with its conversions kept: evaluate any number of filters on it, the body is
/// parsed at most once (and only if a filter reads it).
pub struct Prepared<'a> {
    subject: Subject<'a>,
    headers: OnceLock<CelMap<'static>>,
    query: OnceLock<CelMap<'a>>,
    body: OnceLock<Body<'a>>,
}

/// The body as CEL values.
struct Body<'a> {
    /// What `body` is.
    value: BodyValue<'a>,
    /// Form fields whose text is a plain decimal number, as numbers (the top-level variables).
    numbers: HashMap<String, Box<dyn Val + 'a>>,
    /// Why the body has no fields, for the error when a filter reads one.
    note: Option<String>,
}

enum BodyValue<'a> {
    /// A JSON object or a form: its keys are also variables.
    Fields(CelMap<'a>),
    Other(Box<dyn Val + 'a>),
}

impl<'a> Prepared<'a> {
    pub(super) fn new(subject: Subject<'a>) -> Prepared<'a> {
        Prepared { subject, headers: OnceLock::new(), query: OnceLock::new(), body: OnceLock::new() }
    }

    pub fn subject(&self) -> &Subject<'a> {
        &self.subject
    }

    fn headers(&self) -> &CelMap<'static> {
        self.headers.get_or_init(|| {
            let mut joined: HashMap<String, String> = HashMap::new();
            for (name, value) in self.subject.headers.to_text_pairs() {
                joined
                    .entry(name.to_ascii_lowercase())
                    .and_modify(|v| {
                        v.push_str(", ");
                        v.push_str(&value);
                    })
                    .or_insert(value);
            }
            CelMap::from(
                joined
                    .into_iter()
                    .map(|(k, v)| (CelMapKey::from(k), Box::new(CelString::from(v)) as Box<dyn Val>))
                    .collect::<HashMap<_, _>>(),
            )
        })
    }

    fn query(&self) -> &CelMap<'a> {
        self.query.get_or_init(|| first_values(self.subject.query.as_bytes()))
    }

    fn body(&self) -> &Body<'a> {
        self.body.get_or_init(|| Body::of(self.subject.body, self.subject.content_type))
    }

    #[cfg(test)]
    pub(super) fn body_converted(&self) -> bool {
        self.body.get().is_some()
    }

    /// Why body fields are unavailable, if the body was looked at and has none.
    pub(super) fn body_note(&self) -> Option<&str> {
        self.body.get().and_then(|b| b.note.as_deref())
    }
}

fn string<'b, 'v>(s: &'v str) -> CowVal<'b, 'v> {
    CowVal::owned(CelString::from(s))
}

fn optional<'b, 'v>(s: Option<&'v str>) -> CowVal<'b, 'v> {
    match s {
        Some(s) => string(s),
        None => CowVal::owned(CelNull),
    }
}

impl VariableResolver for Prepared<'_> {
    fn resolve<'b>(&'b self, name: &str) -> Option<CowVal<'b, 'b>> {
        let s = &self.subject;
        Some(match name {
            "method" => string(s.method),
            "path" => string(s.path),
            "query" => CowVal::Borrowed(self.query()),
            "headers" => CowVal::Borrowed(self.headers()),
            "endpoint" => string(s.endpoint),
            "verdict" => optional(s.verdict),
            "event_type" => optional(s.event_type),
            "event_id" => optional(s.event_id),
            "via" => string(s.via.as_str()),
            "content_type" => optional(s.content_type),
            "received_at_us" => CowVal::owned(CelInt::from(s.received_at_us)),
            "body" => CowVal::Borrowed(self.body().value()),
            // `a.b` is first asked for whole: only plain names are body fields.
            _ if name.contains('.') => return None,
            _ => return self.body().field(name).map(CowVal::Borrowed),
        })
    }
}

impl<'a> Body<'a> {
    fn of(bytes: &'a [u8], content_type: Option<&str>) -> Body<'a> {
        let media = content_type
            .map(|t| t.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
            .unwrap_or_default();
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if media == "application/x-www-form-urlencoded" {
            return Body::form(bytes);
        }
        let mut note = None;
        if first.is_some() && (media.contains("json") || matches!(first, Some(b'{' | b'['))) {
            match serde_json::from_slice::<serde_json::Value>(bytes) {
                Ok(serde_json::Value::Object(map)) => {
                    return Body { value: BodyValue::Fields(json_object(map, 1)), numbers: HashMap::new(), note: None }
                }
                Ok(other) => {
                    return Body {
                        value: BodyValue::Other(json(other, 1)),
                        numbers: HashMap::new(),
                        note: Some("the body is JSON but not an object: read it as `body`".into()),
                    }
                }
                Err(e) => note = Some(format!("the body is not valid JSON ({e})")),
            }
        }
        let (value, what): (Box<dyn Val + 'a>, &str) = match std::str::from_utf8(bytes) {
            Ok("") => (Box::new(CelString::from("")), "the body is empty"),
            Ok(text) => (Box::new(CelString::from(text)), "the body is neither JSON nor a form: it is the text `body`"),
            Err(_) => (Box::new(CelBytes::from(bytes)), "the body is binary (not UTF-8): it is the bytes `body`"),
        };
        Body { value: BodyValue::Other(value), numbers: HashMap::new(), note: Some(note.unwrap_or_else(|| what.into())) }
    }

    fn form(bytes: &'a [u8]) -> Body<'a> {
        let mut fields: HashMap<CelMapKey<'a>, Box<dyn Val + 'a>> = HashMap::new();
        let mut numbers: HashMap<String, Box<dyn Val + 'a>> = HashMap::new();
        for (k, v) in form_urlencoded::parse(bytes) {
            let key = CelMapKey::from(k.clone().into_owned());
            if fields.contains_key(&key) {
                continue;
            }
            if let Some(n) = plain_number(&v) {
                numbers.insert(k.into_owned(), n);
            }
            fields.insert(key, Box::new(CelString::from(v)));
        }
        Body { value: BodyValue::Fields(CelMap::from(fields)), numbers, note: None }
    }

    fn value(&self) -> &(dyn Val + 'a) {
        match &self.value {
            BodyValue::Fields(m) => m,
            BodyValue::Other(v) => v.as_ref(),
        }
    }

    /// A top-level field as a variable of its own.
    fn field(&self, name: &str) -> Option<&(dyn Val + 'a)> {
        if let Some(n) = self.numbers.get(name) {
            return Some(n.as_ref());
        }
        match &self.value {
            BodyValue::Fields(m) => m.get(&CelMapKey::from(name.to_owned())).map(|v| v.as_ref()),
            BodyValue::Other(_) => None,
        }
    }
}

/// The first value of each key of an `a=1&b=2` string, as text.
fn first_values(raw: &[u8]) -> CelMap<'_> {
    let mut map: HashMap<CelMapKey<'_>, Box<dyn Val + '_>> = HashMap::new();
    for (k, v) in form_urlencoded::parse(raw) {
        map.entry(CelMapKey::from(k.into_owned())).or_insert_with(|| Box::new(CelString::from(v)));
    }
    CelMap::from(map)
}

/// A form field's text as a number when it is a plain decimal one: `-?(0|[1-9][0-9]*)(\.[0-9]+)?`,
/// integers within `i64`. Anything else (`+1`, `007`, `1e3`, ` 1`, `0x1f`) stays text.
pub(super) fn plain_number<'v>(text: &str) -> Option<Box<dyn Val + 'v>> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = match unsigned.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || (int.len() > 1 && int.starts_with('0')) {
        return None;
    }
    match frac {
        None => text.parse::<i64>().ok().map(|i| Box::new(CelInt::from(i)) as Box<dyn Val>),
        Some(f) if digits(f) => {
            text.parse::<f64>().ok().filter(|x| x.is_finite()).map(|x| Box::new(CelDouble::from(x)) as Box<dyn Val>)
        }
        Some(_) => None,
    }
}

fn json_object(map: serde_json::Map<String, serde_json::Value>, depth: usize) -> CelMap<'static> {
    CelMap::from(
        map.into_iter()
            .map(|(k, v)| (CelMapKey::from(k), json(v, depth + 1)))
            .collect::<HashMap<_, _>>(),
    )
}

/// A JSON value as a CEL value: numbers as int (or uint above `i64`, or double), the rest as is.
/// Recursive, bounded by [`MAX_JSON_DEPTH`] (deeper values, which serde_json does not produce,
/// would become `null`).
fn json(v: serde_json::Value, depth: usize) -> Box<dyn Val> {
    use serde_json::Value as J;
    match v {
        J::Null => Box::new(CelNull),
        J::Bool(b) => Box::new(CelBool::from(b)),
        J::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Box::new(CelInt::from(i)),
            (None, Some(u)) => Box::new(CelUInt::from(u)),
            _ => Box::new(CelDouble::from(n.as_f64().unwrap_or(f64::NAN))),
        },
        J::String(s) => Box::new(CelString::from(s)),
        _ if depth > MAX_JSON_DEPTH => Box::new(CelNull),
        J::Array(items) => Box::new(CelList::from(items.into_iter().map(|i| json(i, depth + 1)).collect::<Vec<_>>())),
        J::Object(map) => Box::new(json_object(map, depth)),
    }
}
