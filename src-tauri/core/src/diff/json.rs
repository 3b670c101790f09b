//! Structural JSON diff: walks two parsed `serde_json::Value`s and emits `JsonChange`s
//! (paths like `data.total_cents`, `items[2]`, `items[id=42]`, `meta["weird.key"]`), plus
//! the shared JSON helpers (path segments, number equality, keyed-array detection).
//! It must not parse bytes, render text or filter ignored changes (it only marks them).
//!
//! Semantics: object key order never matters; numbers compare by mathematical value
//! (`1 == 1.0 == 1e0`, representation-only changes are visible via the body-size meta
//! change); different JSON types give `type_changed`; arrays compare by position unless
//! `array_key` is set and every element on both sides is an object with a unique scalar
//! value under that key, in which case items are matched by key and moves are not changes.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use serde_json::{Number, Value};

use crate::diff::ignore::Ignore;
use crate::diff::{DiffError, JsonChange, JsonOp};

/// One step of a path into a JSON document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
    /// Element of a keyed array: `[key=value]`; `value` is the raw scalar text.
    Keyed {
        key: String,
        value: String,
    },
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// Formats a path; the document root is `$`.
pub(crate) fn format_path(path: &[Seg]) -> String {
    if path.is_empty() {
        return "$".to_string();
    }
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) if is_ident(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Key(k) => {
                out.push('[');
                out.push_str(&quote(k));
                out.push(']');
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
            Seg::Keyed { key, value } => {
                let simple = !value.is_empty()
                    && value
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
                let v = if simple { value.clone() } else { quote(value) };
                out.push_str(&format!("[{key}={v}]"));
            }
        }
    }
    out
}

/// Numbers compare by value: integers exactly, otherwise as f64.
pub(crate) fn num_eq(a: &Number, b: &Number) -> bool {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return x == y;
    }
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        return x == y;
    }
    a.as_f64() == b.as_f64()
}

/// Raw scalar text used to match keyed array items.
pub(crate) fn key_repr(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(canonical_number(n)),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Canonical number text: integral floats within ±2^53 print as integers.
pub(crate) fn canonical_number(n: &Number) -> String {
    if n.is_f64() {
        if let Some(f) = n.as_f64() {
            if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
                return format!("{}", f as i64);
            }
        }
    }
    n.to_string()
}

/// Key values of a keyed array, or `None` when the array can't be matched by `key`
/// (an element is not an object, lacks a scalar key, or keys repeat).
pub(crate) fn keyed_reprs(arr: &[Value], key: &str) -> Option<Vec<String>> {
    let mut seen = HashSet::with_capacity(arr.len());
    let mut out = Vec::with_capacity(arr.len());
    for item in arr {
        let r = key_repr(item.as_object()?.get(key)?)?;
        if !seen.insert(r.clone()) {
            return None;
        }
        out.push(r);
    }
    Some(out)
}

/// Ordering of keyed items in normalised text: numbers numerically, then strings/bools.
pub(crate) fn key_order(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::Number(_), _) => Ordering::Less,
        (_, Value::Number(_)) => Ordering::Greater,
        _ => key_repr(a).cmp(&key_repr(b)),
    }
}

fn type_name(v: &Value) -> u8 {
    match v {
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::Number(_) => 2,
        Value::String(_) => 3,
        Value::Array(_) => 4,
        Value::Object(_) => 5,
    }
}

const CANCEL_EVERY: usize = 4096;

pub(crate) struct JsonDiffer<'a> {
    ign: &'a Ignore,
    array_key: Option<&'a str>,
    cancel: &'a dyn Fn() -> bool,
    ops: usize,
    path: Vec<Seg>,
    pub(crate) out: Vec<JsonChange>,
}

impl<'a> JsonDiffer<'a> {
    pub(crate) fn new(
        ign: &'a Ignore,
        array_key: Option<&'a str>,
        cancel: &'a dyn Fn() -> bool,
    ) -> Self {
        JsonDiffer {
            ign,
            array_key,
            cancel,
            ops: 0,
            path: Vec::new(),
            out: Vec::new(),
        }
    }

    fn emit(&mut self, op: JsonOp, old: Option<&Value>, new: Option<&Value>, ignored: bool) {
        self.out.push(JsonChange {
            path: format_path(&self.path),
            op,
            old: old.cloned(),
            new: new.cloned(),
            ignored,
        });
    }

    fn tick(&mut self) -> Result<(), DiffError> {
        self.ops += 1;
        if self.ops.is_multiple_of(CANCEL_EVERY) && (self.cancel)() {
            return Err(DiffError::Cancelled);
        }
        Ok(())
    }

    fn child(
        &mut self,
        seg: Seg,
        a: Option<&Value>,
        b: Option<&Value>,
        ignored: bool,
    ) -> Result<(), DiffError> {
        self.path.push(seg);
        let ig = ignored || self.ign.path(&self.path);
        let r = match (a, b) {
            (Some(a), Some(b)) => self.walk(a, b, ig),
            (Some(a), None) => {
                self.emit(JsonOp::Removed, Some(a), None, ig);
                Ok(())
            }
            (None, Some(b)) => {
                self.emit(JsonOp::Added, None, Some(b), ig);
                Ok(())
            }
            (None, None) => Ok(()),
        };
        self.path.pop();
        r
    }

    pub(crate) fn walk(&mut self, a: &Value, b: &Value, ignored: bool) -> Result<(), DiffError> {
        self.tick()?;
        match (a, b) {
            (Value::Object(ma), Value::Object(mb)) => {
                let mut keys: Vec<&String> = ma
                    .keys()
                    .chain(mb.keys().filter(|k| !ma.contains_key(*k)))
                    .collect();
                keys.sort();
                for k in keys {
                    self.child(Seg::Key(k.clone()), ma.get(k), mb.get(k), ignored)?;
                }
            }
            (Value::Array(xa), Value::Array(xb)) => {
                let keyed = self
                    .array_key
                    .and_then(|key| Some((key, keyed_reprs(xa, key)?, keyed_reprs(xb, key)?)));
                if let Some((key, ra, rb)) = keyed {
                    let idx_b: HashMap<&str, usize> = rb
                        .iter()
                        .enumerate()
                        .map(|(i, r)| (r.as_str(), i))
                        .collect();
                    let set_a: HashSet<&str> = ra.iter().map(|r| r.as_str()).collect();
                    for (i, r) in ra.iter().enumerate() {
                        let seg = Seg::Keyed {
                            key: key.to_string(),
                            value: r.clone(),
                        };
                        self.child(
                            seg,
                            Some(&xa[i]),
                            idx_b.get(r.as_str()).map(|&j| &xb[j]),
                            ignored,
                        )?;
                    }
                    for (j, r) in rb.iter().enumerate() {
                        if !set_a.contains(r.as_str()) {
                            let seg = Seg::Keyed {
                                key: key.to_string(),
                                value: r.clone(),
                            };
                            self.child(seg, None, Some(&xb[j]), ignored)?;
                        }
                    }
                } else {
                    for i in 0..xa.len().max(xb.len()) {
                        self.child(Seg::Index(i), xa.get(i), xb.get(i), ignored)?;
                    }
                }
            }
            (Value::Number(x), Value::Number(y)) => {
                if !num_eq(x, y) {
                    self.emit(JsonOp::Changed, Some(a), Some(b), ignored);
                }
            }
            _ if type_name(a) != type_name(b) => {
                self.emit(JsonOp::TypeChanged, Some(a), Some(b), ignored)
            }
            _ => {
                if a != b {
                    self.emit(JsonOp::Changed, Some(a), Some(b), ignored);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(a: Value, b: Value, key: Option<&str>) -> Vec<(String, JsonOp)> {
        let ign = Ignore::default();
        let never = || false;
        let mut d = JsonDiffer::new(&ign, key, &never);
        d.walk(&a, &b, false).unwrap();
        d.out.into_iter().map(|c| (c.path, c.op)).collect()
    }

    #[test]
    fn paths_are_quoted_when_needed() {
        let p = [
            Seg::Key("meta".into()),
            Seg::Key("weird.key".into()),
            Seg::Index(2),
            Seg::Keyed {
                key: "id".into(),
                value: "42".into(),
            },
            Seg::Keyed {
                key: "id".into(),
                value: "a b".into(),
            },
        ];
        assert_eq!(format_path(&p), r#"meta["weird.key"][2][id=42][id="a b"]"#);
        assert_eq!(format_path(&[]), "$");
        assert_eq!(format_path(&[Seg::Key("1x".into())]), r#"["1x"]"#);
    }

    #[test]
    fn numbers_by_value() {
        assert!(run(json!({"a": 1}), json!({"a": 1.0}), None).is_empty());
        assert_eq!(
            run(json!({"a": 150000}), json!({"a": 160000}), None),
            vec![("a".into(), JsonOp::Changed)]
        );
        assert_eq!(
            run(json!({"a": 1}), json!({"a": "1"}), None),
            vec![("a".into(), JsonOp::TypeChanged)]
        );
        assert_eq!(
            run(json!({"a": null}), json!({"a": {}}), None),
            vec![("a".into(), JsonOp::TypeChanged)]
        );
        assert_eq!(
            run(json!([1]), json!({}), None),
            vec![("$".into(), JsonOp::TypeChanged)]
        );
    }

    #[test]
    fn nested_arrays_positional_and_keyed() {
        let a = json!({"items": [{"id": 1, "tags": ["a", "b"]}, {"id": 2, "q": 1}, {"id": 3}]});
        let b =
            json!({"items": [{"id": 2, "q": 5}, {"id": 1, "tags": ["a", "c", "d"]}, {"id": 4}]});
        let keyed = run(a.clone(), b.clone(), Some("id"));
        assert_eq!(
            keyed,
            vec![
                ("items[id=1].tags[1]".into(), JsonOp::Changed),
                ("items[id=1].tags[2]".into(), JsonOp::Added),
                ("items[id=2].q".into(), JsonOp::Changed),
                ("items[id=3]".into(), JsonOp::Removed),
                ("items[id=4]".into(), JsonOp::Added),
            ]
        );
        let pos = run(a, b, None);
        assert!(pos.contains(&("items[0].id".into(), JsonOp::Changed)));
        assert!(pos.contains(&("items[0].q".into(), JsonOp::Added)));
        assert!(pos.contains(&("items[0].tags".into(), JsonOp::Removed)));
        assert!(pos.contains(&("items[1].tags".into(), JsonOp::Added)));
        assert!(pos.contains(&("items[1].q".into(), JsonOp::Removed)));
        assert!(pos.contains(&("items[2].id".into(), JsonOp::Changed)));
        // Pure move with array_key: nothing.
        assert!(run(
            json!([{"id": "x"}, {"id": "y"}]),
            json!([{"id": "y"}, {"id": "x"}]),
            Some("id")
        )
        .is_empty());
        // Not keyable (duplicate keys) falls back to positional.
        let dup = run(
            json!([{"id": 1}, {"id": 1}]),
            json!([{"id": 1}]),
            Some("id"),
        );
        assert_eq!(dup, vec![("[1]".into(), JsonOp::Removed)]);
        // Nested arrays of arrays.
        assert_eq!(
            run(json!([[1, 2], [3]]), json!([[1, 2], [3, 4]]), None),
            vec![("[1][1]".into(), JsonOp::Added)]
        );
    }
}
