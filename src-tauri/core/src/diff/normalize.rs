//! Body normalisation: classifies raw body bytes (json / form / text / binary, by content
//! type and sniffing) and renders the canonical text that the line diff runs over:
//! JSON pretty-printed with 2 spaces and sorted keys (keyed arrays sorted by key when
//! `array_key` applies), form bodies one decoded `name=value` per line, text as-is,
//! binary as a 16-bytes-per-line hex dump. Ignored paths/fields are rendered as the
//! `"<ignored>"` placeholder. It must not diff anything or build result types.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use serde_json::{Map, Value};

use crate::diff::ignore::Ignore;
use crate::diff::json::{canonical_number, key_order, key_repr, keyed_reprs, Seg};
use crate::diff::BodyKind;

pub(crate) const PLACEHOLDER: &str = "<ignored>";

/// A classified body.
pub(crate) enum Parsed {
    Empty,
    Json(Value),
    Form(Vec<(String, String)>),
    Text,
    Binary,
}

impl Parsed {
    pub(crate) fn kind(&self) -> Option<BodyKind> {
        match self {
            Parsed::Empty => None,
            Parsed::Json(_) => Some(BodyKind::Json),
            Parsed::Form(_) => Some(BodyKind::Form),
            Parsed::Text => Some(BodyKind::Text),
            Parsed::Binary => Some(BodyKind::Binary),
        }
    }
}

fn media_type(ct: Option<&str>) -> String {
    ct.map(|c| {
        c.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    })
    .unwrap_or_default()
}

fn binary_media(mt: &str) -> bool {
    ["image/", "audio/", "video/", "font/"]
        .iter()
        .any(|p| mt.starts_with(p))
        || matches!(
            mt,
            "application/octet-stream"
                | "application/pdf"
                | "application/zip"
                | "application/gzip"
                | "application/x-protobuf"
                | "application/protobuf"
                | "application/grpc"
                | "application/msgpack"
                | "application/x-msgpack"
                | "application/cbor"
        )
}

fn looks_like_form(s: &str) -> bool {
    !s.is_empty()
        && s.contains('=')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"=&%+-_.~*[]()!,;:/@$'".contains(&b))
}

/// Classifies a body by content type first, then by sniffing. Not UTF-8 (or containing
/// NUL) is always binary.
pub(crate) fn parse(body: &[u8], content_type: Option<&str>) -> Parsed {
    if body.is_empty() {
        return Parsed::Empty;
    }
    let Ok(text) = std::str::from_utf8(body) else {
        return Parsed::Binary;
    };
    if text.contains('\0') {
        return Parsed::Binary;
    }
    let mt = media_type(content_type);
    if binary_media(&mt) {
        return Parsed::Binary;
    }
    if mt == "application/x-www-form-urlencoded" {
        return Parsed::Form(parse_form(text));
    }
    let trimmed = text.trim_start();
    if mt.contains("json") || trimmed.starts_with('{') || trimmed.starts_with('[') {
        if let Ok(v) = serde_json::from_str::<Value>(text) {
            return Parsed::Json(v);
        }
        return Parsed::Text;
    }
    if mt.is_empty() && looks_like_form(text.trim_end()) {
        return Parsed::Form(parse_form(text.trim_end()));
    }
    Parsed::Text
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-decoding with `+` → space; invalid escapes are kept literally.
pub(crate) fn form_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex_val(b[i + 1]), hex_val(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Decoded `(name, value)` pairs in original order; empty pieces are skipped.
pub(crate) fn parse_form(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((n, v)) => (form_decode(n), form_decode(v)),
            None => (form_decode(p), String::new()),
        })
        .collect()
}

/// Form fields as a JSON object for the structural diff (repeated names → array).
pub(crate) fn form_to_value(fields: &[(String, String)]) -> Value {
    let mut m = Map::new();
    for (n, v) in fields {
        match m.get_mut(n) {
            Some(Value::Array(arr)) => arr.push(Value::String(v.clone())),
            Some(prev) => {
                let first = prev.take();
                *prev = Value::Array(vec![first, Value::String(v.clone())]);
            }
            None => {
                m.insert(n.clone(), Value::String(v.clone()));
            }
        }
    }
    Value::Object(m)
}

fn escape_line(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

/// One `name=value` line per field; ignored fields get the placeholder (or are dropped
/// when the other side doesn't have them, so they cause no line change).
pub(crate) fn render_form(
    fields: &[(String, String)],
    other: &[(String, String)],
    ign: Option<&Ignore>,
) -> String {
    let other_names: HashSet<&str> = other.iter().map(|(n, _)| n.as_str()).collect();
    let mut out = String::new();
    for (n, v) in fields {
        let ignored = ign.is_some_and(|i| i.path(&[Seg::Key(n.clone())]));
        if ignored && !other_names.contains(n.as_str()) {
            continue;
        }
        out.push_str(&escape_line(n));
        out.push('=');
        if ignored {
            out.push_str(PLACEHOLDER);
        } else {
            out.push_str(&escape_line(v));
        }
        out.push('\n');
    }
    out
}

/// `hexdump -C`-style dump: `offset  hex  |ascii|`, 16 bytes per line.
pub(crate) fn hex_dump(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len().div_ceil(16) * 79);
    for (line, chunk) in bytes.chunks(16).enumerate() {
        let _ = write!(out, "{:08x}  ", line * 16);
        for i in 0..16 {
            match chunk.get(i) {
                Some(&b) => {
                    out.push(HEX[usize::from(b >> 4)] as char);
                    out.push(HEX[usize::from(b & 0xf)] as char);
                    out.push(' ');
                }
                None => out.push_str("   "),
            }
            if i == 7 {
                out.push(' ');
            }
        }
        out.push_str(" |");
        for &b in chunk {
            out.push(if b.is_ascii_graphic() || b == b' ' {
                b as char
            } else {
                '.'
            });
        }
        out.push_str("|\n");
    }
    out
}

/// Canonical JSON text of `v`. `other` is the value at the same place on the other side,
/// used to drop ignored members the other side lacks. `ign` is `None` when ignored paths
/// must be shown as-is.
pub(crate) fn render_json(
    v: &Value,
    other: Option<&Value>,
    ign: Option<&Ignore>,
    array_key: Option<&str>,
) -> String {
    let mut r = Renderer {
        out: String::new(),
        ign: ign.filter(|i| i.has_paths()),
        array_key,
        path: Vec::new(),
    };
    r.value(v, other, 0);
    r.out.push('\n');
    r.out
}

struct Renderer<'a> {
    out: String,
    ign: Option<&'a Ignore>,
    array_key: Option<&'a str>,
    path: Vec<Seg>,
}

impl Renderer<'_> {
    fn indent(&mut self, n: usize) {
        for _ in 0..n {
            self.out.push_str("  ");
        }
    }

    fn string(&mut self, s: &str) {
        match serde_json::to_string(s) {
            Ok(q) => self.out.push_str(&q),
            Err(_) => self.out.push_str("\"\""),
        }
    }

    /// Path tracking is only needed for ignore checks; skip the allocations otherwise.
    fn push(&mut self, seg: impl FnOnce() -> Seg) {
        if self.ign.is_some() {
            self.path.push(seg());
        }
    }

    fn pop(&mut self) {
        if self.ign.is_some() {
            self.path.pop();
        }
    }

    fn ignored(&self) -> bool {
        self.ign.is_some_and(|i| i.path(&self.path))
    }

    /// Renders a member/element at the current path; returns false when skipped.
    fn member(
        &mut self,
        v: &Value,
        other_parent_is_container: bool,
        other: Option<&Value>,
        depth: usize,
        prefix: &str,
    ) -> bool {
        let ig = self.ignored();
        if ig && other_parent_is_container && other.is_none() {
            return false;
        }
        self.indent(depth);
        self.out.push_str(prefix);
        if ig {
            self.string(PLACEHOLDER);
        } else {
            self.value(v, other, depth);
        }
        true
    }

    fn value(&mut self, v: &Value, other: Option<&Value>, depth: usize) {
        match v {
            Value::Null => self.out.push_str("null"),
            Value::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => self.out.push_str(&canonical_number(n)),
            Value::String(s) => self.string(s),
            Value::Object(m) => {
                if m.is_empty() {
                    self.out.push_str("{}");
                    return;
                }
                let other_m = other.and_then(Value::as_object);
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                let start = self.out.len();
                self.out.push_str("{\n");
                let mut first = true;
                for k in keys {
                    let mut prefix = String::with_capacity(k.len() + 4);
                    prefix.push_str(&serde_json::to_string(k).unwrap_or_default());
                    prefix.push_str(": ");
                    let mark = self.out.len();
                    if !first {
                        self.out.push_str(",\n");
                    }
                    self.push(|| Seg::Key(k.clone()));
                    let wrote = self.member(
                        &m[k],
                        other_m.is_some(),
                        other_m.and_then(|o| o.get(k)),
                        depth + 1,
                        &prefix,
                    );
                    self.pop();
                    if wrote {
                        first = false;
                    } else {
                        self.out.truncate(mark);
                    }
                }
                if first {
                    // Every member was dropped: render as an empty object.
                    self.out.truncate(start);
                    self.out.push_str("{}");
                    return;
                }
                self.out.push('\n');
                self.indent(depth);
                self.out.push('}');
            }
            Value::Array(arr) => {
                if arr.is_empty() {
                    self.out.push_str("[]");
                    return;
                }
                let other_arr = other.and_then(Value::as_array);
                // Keyed arrays (array_key set, both sides keyable) render sorted by key and
                // partner by key, so pure moves produce no text change.
                let keyed = self.array_key.and_then(|key| {
                    keyed_reprs(arr, key)?;
                    if let Some(o) = other_arr {
                        keyed_reprs(o, key)?;
                    }
                    Some(key)
                });
                let mut order: Vec<usize> = (0..arr.len()).collect();
                if let Some(key) = keyed {
                    order.sort_by(|&i, &j| key_order(&arr[i][key], &arr[j][key]));
                }
                let partners: Option<HashMap<String, &Value>> = keyed.and_then(|key| {
                    Some(
                        other_arr?
                            .iter()
                            .filter_map(|x| Some((key_repr(&x[key])?, x)))
                            .collect(),
                    )
                });
                let start = self.out.len();
                self.out.push_str("[\n");
                let mut first = true;
                for i in order {
                    let (seg, partner) = match keyed {
                        Some(key) => {
                            let repr = key_repr(&arr[i][key]).unwrap_or_default();
                            let partner = partners.as_ref().and_then(|p| p.get(&repr).copied());
                            (
                                Seg::Keyed {
                                    key: key.to_string(),
                                    value: repr,
                                },
                                partner,
                            )
                        }
                        None => (Seg::Index(i), other_arr.and_then(|o| o.get(i))),
                    };
                    let mark = self.out.len();
                    if !first {
                        self.out.push_str(",\n");
                    }
                    self.push(|| seg);
                    let wrote = self.member(&arr[i], other_arr.is_some(), partner, depth + 1, "");
                    self.pop();
                    if wrote {
                        first = false;
                    } else {
                        self.out.truncate(mark);
                    }
                }
                if first {
                    self.out.truncate(start);
                    self.out.push_str("[]");
                    return;
                }
                self.out.push('\n');
                self.indent(depth);
                self.out.push(']');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn classify() {
        assert!(matches!(
            parse(b"{\"a\":1}", Some("application/json; charset=utf-8")),
            Parsed::Json(_)
        ));
        assert!(matches!(parse(b" [1,2]", None), Parsed::Json(_)));
        assert!(matches!(
            parse(b"{broken", Some("application/json")),
            Parsed::Text
        ));
        assert!(matches!(
            parse(b"a=1&b=2", Some("application/x-www-form-urlencoded")),
            Parsed::Form(_)
        ));
        assert!(matches!(parse(b"a=1&b=hello+world", None), Parsed::Form(_)));
        assert!(matches!(parse(b"hello world", None), Parsed::Text));
        assert!(matches!(
            parse(&[0xff, 0xfe, 0x00], Some("text/plain")),
            Parsed::Binary
        ));
        assert!(matches!(parse(b"abc\0def", None), Parsed::Binary));
        assert!(matches!(parse(b"PNG", Some("image/png")), Parsed::Binary));
        assert!(matches!(parse(b"", None), Parsed::Empty));
    }

    #[test]
    fn form_decoding() {
        let f = parse_form("name=John+Doe&email=a%40b.c&bad=%zz&flag&&x=%E2%9C%93");
        assert_eq!(
            f,
            vec![
                ("name".into(), "John Doe".into()),
                ("email".into(), "a@b.c".into()),
                ("bad".into(), "%zz".into()),
                ("flag".into(), "".into()),
                ("x".into(), "✓".into()),
            ]
        );
        assert_eq!(form_decode("%4"), "%4");
        assert_eq!(form_decode("100%"), "100%");
    }

    #[test]
    fn json_rendering_sorted_and_placeholders() {
        let v = json!({"b": [1, {"y": 2, "x": 1.0}], "a": {}, "c": []});
        assert_eq!(
            render_json(&v, None, None, None),
            "{\n  \"a\": {},\n  \"b\": [\n    1,\n    {\n      \"x\": 1,\n      \"y\": 2\n    }\n  ],\n  \"c\": []\n}\n"
        );
        let ign = Ignore::new(
            &["id".into(), "items[*].ts".into(), "only_a_ignored".into()],
            &[],
        )
        .unwrap();
        let a = json!({"id": "evt_1", "items": [{"ts": 1, "v": 1}], "only_a_ignored": 1});
        let b = json!({"id": "evt_2", "items": [{"ts": 2, "v": 1}]});
        assert_eq!(
            render_json(&a, Some(&b), Some(&ign), None),
            render_json(&b, Some(&a), Some(&ign), None)
        );
        assert!(render_json(&a, Some(&b), Some(&ign), None).contains("\"id\": \"<ignored>\""));
        // An object whose only member is dropped renders as {}.
        let ign2 = Ignore::new(&["o.x".into()], &[]).unwrap();
        assert_eq!(
            render_json(
                &json!({"o": {"x": 1}}),
                Some(&json!({"o": {}})),
                Some(&ign2),
                None
            ),
            "{\n  \"o\": {}\n}\n"
        );
        assert_eq!(
            render_json(
                &json!([5]),
                Some(&json!([])),
                Some(&Ignore::new(&["[0]".into()], &[]).unwrap()),
                None
            ),
            "[]\n"
        );
    }

    #[test]
    fn keyed_arrays_render_sorted() {
        let a = json!([{"id": 2, "v": "b"}, {"id": 10, "v": "c"}, {"id": 1, "v": "a"}]);
        let b = json!([{"id": 1, "v": "a"}, {"id": 2, "v": "b"}, {"id": 10, "v": "c"}]);
        assert_eq!(
            render_json(&a, Some(&b), None, Some("id")),
            render_json(&b, Some(&a), None, Some("id"))
        );
        assert_ne!(
            render_json(&a, Some(&b), None, None),
            render_json(&b, Some(&a), None, None)
        );
    }

    #[test]
    fn hex_dump_format() {
        let d = hex_dump(b"Hello, world!\x00\x01\x02\xff!");
        assert_eq!(
            d,
            "00000000  48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 21 00 01 02  |Hello, world!...|\n\
             00000010  ff 21                                             |.!|\n"
        );
    }
}
