//! Payload diff engine: compares two captured webhook deliveries (or a capture and its
//! replay, or two responses) and returns a serialisable `Diff` — line hunks over
//! normalised bodies with inline emphasis, a structural JSON/form diff, header and
//! metadata changes, with ignore rules applied. This module owns the public API and the
//! orchestration; it is pure logic and must not do I/O, read a clock or use randomness.
//!
//! Decisions: numbers compare by value (`1 == 1.0`; normalised text prints integral
//! floats as integers); form bodies get a structural diff too (fields as an object of
//! strings, repeated names as arrays); the query is compared raw; the document root path
//! is `$`; `ignored_count` counts ignored JSON/form/header changes whether they are hidden
//! (`show_ignored == false`) or kept and marked (`show_ignored == true`).

mod headers;
mod ignore;
mod json;
pub(crate) mod normalize;
mod text;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use crate::event_keys::{event_identity, event_keys, event_type};
pub use ignore::{default_ignores, detect_scheme, validate_ignore_path};

use crate::diff::ignore::Ignore;
use crate::diff::json::JsonDiffer;
use crate::diff::normalize::Parsed;

/// One side of a comparison (borrowed from a stored capture).
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    /// Arrival order, repeated names kept; names in any case (compared case-insensitively).
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
    pub content_type: Option<&'a str>,
    /// Signature verdict label, if any (compared as metadata).
    pub verdict: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case", default)]
pub struct DiffOptions {
    /// JSON paths to ignore (`id`, `data.object.created`, `items[*].id`, `meta.*`,
    /// `["weird.key"]`, `items[id=42]`, `**.created`); also matched against form field names.
    pub ignore_paths: Vec<String>,
    /// Header names, case-insensitive, `*` wildcards (`x-github-*`).
    pub ignore_headers: Vec<String>,
    /// Keep ignored changes (marked `ignored: true`) instead of hiding them.
    pub show_ignored: bool,
    /// Match arrays of objects by this key instead of by position.
    pub array_key: Option<String>,
    /// Unified context lines around changes.
    pub context: usize,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions {
            ignore_paths: Vec::new(),
            ignore_headers: Vec::new(),
            show_ignored: false,
            array_key: None,
            context: 3,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("diff cancelled")]
    Cancelled,
    #[error("invalid ignore path {pattern:?}: {reason}")]
    InvalidIgnorePath { pattern: String, reason: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum BodyKind {
    Json,
    Form,
    Text,
    Binary,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum LineTag {
    Equal,
    Delete,
    Insert,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub struct Segment {
    pub text: String,
    pub emphasized: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub struct Line {
    pub tag: LineTag,
    /// 1-based line number in the normalised old text (None for inserts).
    pub old_no: Option<u32>,
    /// 1-based line number in the normalised new text (None for deletes).
    pub new_no: Option<u32>,
    pub segments: Vec<Segment>,
}

/// Unified-diff style hunk; starts are 1-based (for an empty range: the line before it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub struct Hunk {
    pub old_start: u32,
    pub old_len: u32,
    pub new_start: u32,
    pub new_len: u32,
    pub lines: Vec<Line>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub struct DiffStats {
    pub insertions: u32,
    pub deletions: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum JsonOp {
    Added,
    Removed,
    Changed,
    TypeChanged,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub struct JsonChange {
    pub path: String,
    pub op: JsonOp,
    pub old: Option<serde_json::Value>,
    pub new: Option<serde_json::Value>,
    pub ignored: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum HeaderOp {
    Added,
    Removed,
    Changed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub struct HeaderChange {
    /// Lowercase header name.
    pub name: String,
    pub op: HeaderOp,
    /// Values in arrival order.
    pub old: Vec<String>,
    pub new: Vec<String>,
    pub ignored: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum MetaField {
    Method,
    Path,
    Query,
    BodySize,
    ContentType,
    Verdict,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub struct MetaChange {
    pub field: MetaField,
    pub old: Option<String>,
    pub new: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub struct Diff {
    pub body_kind: BodyKind,
    pub hunks: Vec<Hunk>,
    pub stats: DiffStats,
    /// Lines of the normalised old and new texts (for "N hidden lines" after the last hunk).
    pub old_lines: u32,
    pub new_lines: u32,
    pub json_changes: Vec<JsonChange>,
    pub headers: Vec<HeaderChange>,
    pub meta: Vec<MetaChange>,
    pub ignored_count: u32,
}

impl Diff {
    /// True when nothing differs (ignored changes aside).
    pub fn is_empty(&self) -> bool {
        self.hunks.is_empty()
            && self.json_changes.is_empty()
            && self.headers.is_empty()
            && self.meta.is_empty()
    }
}

fn meta_changes(a: &Side, b: &Side) -> Vec<MetaChange> {
    let mut out = Vec::new();
    let mut cmp = |field, old: Option<String>, new: Option<String>| {
        if old != new {
            out.push(MetaChange { field, old, new });
        }
    };
    cmp(
        MetaField::Method,
        Some(a.method.to_string()),
        Some(b.method.to_string()),
    );
    cmp(
        MetaField::Path,
        Some(a.path.to_string()),
        Some(b.path.to_string()),
    );
    cmp(
        MetaField::Query,
        Some(a.query.to_string()),
        Some(b.query.to_string()),
    );
    cmp(
        MetaField::BodySize,
        Some(a.body.len().to_string()),
        Some(b.body.len().to_string()),
    );
    cmp(
        MetaField::ContentType,
        a.content_type.map(str::to_string),
        b.content_type.map(str::to_string),
    );
    cmp(
        MetaField::Verdict,
        a.verdict.map(str::to_string),
        b.verdict.map(str::to_string),
    );
    out
}

fn lossy(body: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(body)
}

/// Compares two deliveries. `cancel` is polled periodically (per JSON node batch, per
/// line-diff region, per hunk); when it returns true the diff stops with `Cancelled`.
pub fn diff(
    a: &Side,
    b: &Side,
    opts: &DiffOptions,
    cancel: &dyn Fn() -> bool,
) -> Result<Diff, DiffError> {
    if cancel() {
        return Err(DiffError::Cancelled);
    }
    let ign = Ignore::new(&opts.ignore_paths, &opts.ignore_headers)?;
    let text_ign = if opts.show_ignored { None } else { Some(&ign) };
    let array_key = opts.array_key.as_deref().filter(|k| !k.is_empty());

    let meta = meta_changes(a, b);
    let mut headers = headers::diff_headers(a.headers, b.headers, &ign);

    let pa = normalize::parse(a.body, a.content_type);
    let pb = normalize::parse(b.body, b.content_type);
    if cancel() {
        return Err(DiffError::Cancelled);
    }
    let body_kind = match (pa.kind(), pb.kind()) {
        (None, None) => BodyKind::Text,
        (Some(k), None) | (None, Some(k)) => k,
        (Some(x), Some(y)) if x == y => x,
        (Some(BodyKind::Binary), _) | (_, Some(BodyKind::Binary)) => BodyKind::Binary,
        _ => BodyKind::Text,
    };

    let mut json_changes = Vec::new();
    let form_values;
    let structural = match (&pa, &pb) {
        (Parsed::Json(x), Parsed::Json(y)) => Some((x, y)),
        (Parsed::Form(x), Parsed::Form(y)) => {
            form_values = (normalize::form_to_value(x), normalize::form_to_value(y));
            Some((&form_values.0, &form_values.1))
        }
        _ => None,
    };
    if let Some((x, y)) = structural {
        let mut d = JsonDiffer::new(&ign, array_key, cancel);
        d.walk(x, y, false)?;
        json_changes = d.out;
    }

    let (old_text, new_text): (std::borrow::Cow<str>, std::borrow::Cow<str>) =
        match (body_kind, &pa, &pb) {
            (BodyKind::Binary, _, _) => (
                normalize::hex_dump(a.body).into(),
                normalize::hex_dump(b.body).into(),
            ),
            (BodyKind::Json, _, _) => {
                let (x, y) = (as_json(&pa), as_json(&pb));
                let render = |v: Option<&serde_json::Value>, o| {
                    v.map(|v| normalize::render_json(v, o, text_ign, array_key))
                        .unwrap_or_default()
                };
                (render(x, y).into(), render(y, x).into())
            }
            (BodyKind::Form, _, _) => {
                let (x, y) = (as_form(&pa), as_form(&pb));
                (
                    normalize::render_form(x, y, text_ign).into(),
                    normalize::render_form(y, x, text_ign).into(),
                )
            }
            _ => (lossy(a.body), lossy(b.body)),
        };
    let (hunks, stats) = text::diff_text(&old_text, &new_text, opts.context, cancel)?;
    let count_lines = |t: &str| u32::try_from(t.split_terminator('\n').count()).unwrap_or(u32::MAX);

    let ignored_count = json_changes.iter().filter(|c| c.ignored).count()
        + headers.iter().filter(|c| c.ignored).count();
    if !opts.show_ignored {
        json_changes.retain(|c| !c.ignored);
        headers.retain(|c| !c.ignored);
    }
    Ok(Diff {
        body_kind,
        hunks,
        stats,
        old_lines: count_lines(&old_text),
        new_lines: count_lines(&new_text),
        json_changes,
        headers,
        meta,
        ignored_count: u32::try_from(ignored_count).unwrap_or(u32::MAX),
    })
}

fn as_json(p: &Parsed) -> Option<&serde_json::Value> {
    match p {
        Parsed::Json(v) => Some(v),
        _ => None,
    }
}

fn as_form(p: &Parsed) -> &[(String, String)] {
    match p {
        Parsed::Form(f) => f,
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn never() -> bool {
        false
    }

    fn side<'a>(headers: &'a [(String, String)], body: &'a [u8], ct: Option<&'a str>) -> Side<'a> {
        Side {
            method: "POST",
            path: "/hook",
            query: "",
            headers,
            body,
            content_type: ct,
            verdict: None,
        }
    }

    fn run(a: &[u8], b: &[u8], ct: Option<&str>, opts: &DiffOptions) -> Diff {
        diff(&side(&[], a, ct), &side(&[], b, ct), opts, &never).unwrap()
    }

    const JSON: Option<&str> = Some("application/json");

    fn changed_lines(d: &Diff) -> Vec<(LineTag, String)> {
        d.hunks
            .iter()
            .flat_map(|h| &h.lines)
            .filter(|l| l.tag != LineTag::Equal)
            .map(|l| (l.tag, l.segments.iter().map(|s| s.text.as_str()).collect()))
            .collect()
    }

    #[test]
    fn key_reordering_alone_is_no_diff() {
        let a = br#"{"a":1,"b":{"x":[1,2],"y":"z"}}"#;
        let b = br#"{ "b": {"y":"z","x":[1,2]}, "a": 1.0 }"#;
        let d = run(a, b, JSON, &DiffOptions::default());
        assert_eq!(d.body_kind, BodyKind::Json);
        assert!(d.json_changes.is_empty());
        assert!(d.hunks.is_empty());
        assert_eq!(d.stats, DiffStats::default());
        assert_eq!((d.old_lines, d.new_lines), (10, 10));
        // Only the byte size differs.
        assert_eq!(d.meta.len(), 1);
        assert_eq!(d.meta[0].field, MetaField::BodySize);
    }

    #[test]
    fn identical_inputs_give_empty_diff() {
        let hs = vec![("x-a".to_string(), "1".to_string())];
        let body = br#"{"amount": 150000}"#;
        let d = diff(
            &side(&hs, body, JSON),
            &side(&hs, body, JSON),
            &DiffOptions::default(),
            &never,
        )
        .unwrap();
        assert!(d.is_empty());
        assert_eq!(d.ignored_count, 0);
    }

    #[test]
    fn number_to_string_is_type_changed_and_emphasised() {
        let a = br#"{"data":{"total_cents":150000,"currency":"usd","qty":1}}"#;
        let b = br#"{"data":{"total_cents":160000,"currency":"usd","qty":"1"}}"#;
        let d = run(a, b, JSON, &DiffOptions::default());
        let ops: Vec<(&str, JsonOp)> = d
            .json_changes
            .iter()
            .map(|c| (c.path.as_str(), c.op))
            .collect();
        assert_eq!(
            ops,
            vec![
                ("data.qty", JsonOp::TypeChanged),
                ("data.total_cents", JsonOp::Changed)
            ]
        );
        assert_eq!(d.json_changes[1].old, Some(serde_json::json!(150000)));
        assert_eq!(d.json_changes[1].new, Some(serde_json::json!(160000)));
        assert_eq!(
            d.stats,
            DiffStats {
                insertions: 2,
                deletions: 2
            }
        );
        // Inline emphasis marks exactly the changed word.
        let line = d.hunks[0]
            .lines
            .iter()
            .find(|l| {
                l.tag == LineTag::Insert && l.segments.iter().any(|s| s.text.contains("160000"))
            })
            .unwrap();
        let emph: Vec<&str> = line
            .segments
            .iter()
            .filter(|s| s.emphasized)
            .map(|s| s.text.as_str())
            .collect();
        assert_eq!(emph, vec!["160000"]);
        let del = d.hunks[0]
            .lines
            .iter()
            .find(|l| {
                l.tag == LineTag::Delete && l.segments.iter().any(|s| s.text.contains("150000"))
            })
            .unwrap();
        assert_eq!(
            del.segments
                .iter()
                .filter(|s| s.emphasized)
                .map(|s| s.text.as_str())
                .collect::<Vec<_>>(),
            vec!["150000"]
        );
        assert_eq!(
            del.segments
                .iter()
                .map(|s| s.text.as_str())
                .collect::<String>(),
            "    \"total_cents\": 150000"
        );
    }

    #[test]
    fn arrays_positional_and_keyed() {
        let a = br#"{"items":[{"id":1,"qty":1},{"id":2,"qty":1}],"m":[[1],[2,3]]}"#;
        let b = br#"{"items":[{"id":3,"qty":1},{"id":2,"qty":4},{"id":1,"qty":1}],"m":[[1],[2]]}"#;
        let d = run(a, b, JSON, &DiffOptions::default());
        let ops: Vec<(&str, JsonOp)> = d
            .json_changes
            .iter()
            .map(|c| (c.path.as_str(), c.op))
            .collect();
        assert_eq!(
            ops,
            vec![
                ("items[0].id", JsonOp::Changed),
                ("items[1].qty", JsonOp::Changed),
                ("items[2]", JsonOp::Added),
                ("m[1][1]", JsonOp::Removed),
            ]
        );
        let keyed = DiffOptions {
            array_key: Some("id".into()),
            ..Default::default()
        };
        let d = run(a, b, JSON, &keyed);
        let ops: Vec<(&str, JsonOp)> = d
            .json_changes
            .iter()
            .map(|c| (c.path.as_str(), c.op))
            .collect();
        assert_eq!(
            ops,
            vec![
                ("items[id=2].qty", JsonOp::Changed),
                ("items[id=3]", JsonOp::Added),
                ("m[1][1]", JsonOp::Removed)
            ]
        );
        assert_eq!(
            d.json_changes[1].new,
            Some(serde_json::json!({"id": 3, "qty": 1}))
        );
        // Keyed arrays are rendered sorted by key, so the moved item 1 causes no line change.
        let lines = changed_lines(&d);
        assert!(
            lines.iter().all(|(_, t)| !t.contains("\"id\": 1")),
            "{lines:?}"
        );
        // Removing an item by key.
        let d = run(
            br#"[{"id":"a"},{"id":"b"}]"#,
            br#"[{"id":"b"}]"#,
            JSON,
            &keyed,
        );
        assert_eq!(d.json_changes.len(), 1);
        assert_eq!(
            (d.json_changes[0].path.as_str(), d.json_changes[0].op),
            ("[id=a]", JsonOp::Removed)
        );
    }

    #[test]
    fn binary_and_non_utf8_bodies_hex_dump() {
        let a: Vec<u8> = (0u8..=255).collect();
        let mut b = a.clone();
        b[40] = b'X';
        let d = run(
            &a,
            &b,
            Some("application/octet-stream"),
            &DiffOptions::default(),
        );
        assert_eq!(d.body_kind, BodyKind::Binary);
        assert!(d.json_changes.is_empty());
        assert_eq!(
            d.stats,
            DiffStats {
                insertions: 1,
                deletions: 1
            }
        );
        let lines = changed_lines(&d);
        assert!(
            lines[0]
                .1
                .starts_with("00000020  20 21 22 23 24 25 26 27  28 29"),
            "{lines:?}"
        );
        assert!(
            lines[1]
                .1
                .starts_with("00000020  20 21 22 23 24 25 26 27  58 29"),
            "{lines:?}"
        );
        // Invalid UTF-8 with a text content type is still binary.
        let d = run(
            b"caf\xe9",
            b"caf\xe8",
            Some("text/plain"),
            &DiffOptions::default(),
        );
        assert_eq!(d.body_kind, BodyKind::Binary);
        assert_eq!(changed_lines(&d).len(), 2);
        // Text vs binary → binary for both.
        let d = run(b"hello", b"\xff\xfe", None, &DiffOptions::default());
        assert_eq!(d.body_kind, BodyKind::Binary);
    }

    #[test]
    fn form_bodies_are_decoded() {
        let ct = Some("application/x-www-form-urlencoded");
        let d = run(
            b"name=John+Doe&amount=10&note=a%26b",
            b"name=Jane+Doe&amount=10&note=a%26b&extra=1",
            ct,
            &DiffOptions::default(),
        );
        assert_eq!(d.body_kind, BodyKind::Form);
        let lines = changed_lines(&d);
        assert_eq!(
            lines,
            vec![
                (LineTag::Delete, "name=John Doe".to_string()),
                (LineTag::Insert, "name=Jane Doe".to_string()),
                (LineTag::Insert, "extra=1".to_string()),
            ]
        );
        let ops: Vec<(&str, JsonOp)> = d
            .json_changes
            .iter()
            .map(|c| (c.path.as_str(), c.op))
            .collect();
        assert_eq!(
            ops,
            vec![("extra", JsonOp::Added), ("name", JsonOp::Changed)]
        );
        // Ignore rules match form field names.
        let opts = DiffOptions {
            ignore_paths: vec!["name".into(), "extra".into()],
            ..Default::default()
        };
        let d = run(
            b"name=John&amount=10",
            b"name=Jane&amount=10&extra=1",
            ct,
            &opts,
        );
        assert!(d.hunks.is_empty() && d.json_changes.is_empty());
        assert_eq!(d.ignored_count, 2);
    }

    #[test]
    fn text_bodies_as_is() {
        let d = run(
            b"hello world\nsecond\n",
            b"hello there world\nsecond\n",
            Some("text/plain"),
            &DiffOptions::default(),
        );
        assert_eq!(d.body_kind, BodyKind::Text);
        assert_eq!(d.hunks.len(), 1);
        let ins = &d.hunks[0].lines[1];
        assert_eq!(ins.tag, LineTag::Insert);
        assert!(ins
            .segments
            .iter()
            .any(|s| s.emphasized && s.text.contains("there")));
    }

    #[test]
    fn header_diff_repeated_and_case() {
        let a: Vec<(String, String)> = [
            ("Accept", "*/*"),
            ("x-tag", "a"),
            ("x-tag", "b"),
            ("x-github-delivery", "1"),
        ]
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
        let b: Vec<(String, String)> = [
            ("accept", "*/*"),
            ("X-Tag", "a"),
            ("x-github-delivery", "2"),
        ]
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
        let d = diff(
            &side(&a, b"", None),
            &side(&b, b"", None),
            &DiffOptions::default(),
            &never,
        )
        .unwrap();
        assert_eq!(d.headers.len(), 2);
        assert_eq!(d.headers[1].name, "x-tag");
        assert_eq!(d.headers[1].op, HeaderOp::Changed);
        assert_eq!(
            (d.headers[1].old.clone(), d.headers[1].new.clone()),
            (
                vec!["a".to_string(), "b".to_string()],
                vec!["a".to_string()]
            )
        );
        // Header wildcard ignore, hidden vs shown.
        let mut opts = DiffOptions {
            ignore_headers: vec!["X-GitHub-*".into()],
            ..Default::default()
        };
        let d = diff(&side(&a, b"", None), &side(&b, b"", None), &opts, &never).unwrap();
        assert_eq!(d.headers.len(), 1);
        assert_eq!(d.ignored_count, 1);
        opts.show_ignored = true;
        let d = diff(&side(&a, b"", None), &side(&b, b"", None), &opts, &never).unwrap();
        assert_eq!(d.headers.len(), 2);
        assert!(d.headers[0].ignored && d.headers[0].name == "x-github-delivery");
        assert_eq!(d.ignored_count, 1);
    }

    #[test]
    fn ignore_paths_wildcards_and_show_ignored() {
        let a = br#"{"id":"evt_1","created":1,"items":[{"id":"li_1","amount":5}],"meta":{"a":1,"b":2},"data":{"v":1}}"#;
        let b = br#"{"id":"evt_2","created":2,"items":[{"id":"li_9","amount":5}],"meta":{"a":3,"c":4},"data":{"v":2}}"#;
        let mut opts = DiffOptions {
            ignore_paths: vec![
                "id".into(),
                "created".into(),
                "items[*].id".into(),
                "meta.*".into(),
            ],
            ..Default::default()
        };
        let d = run(a, b, JSON, &opts);
        let paths: Vec<&str> = d.json_changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, vec!["data.v"]);
        // id, created, items[0].id, meta.a, meta.b (removed), meta.c (added)
        assert_eq!(d.ignored_count, 6);
        let lines = changed_lines(&d);
        assert_eq!(
            lines,
            vec![
                (LineTag::Delete, "    \"v\": 1".to_string()),
                (LineTag::Insert, "    \"v\": 2".to_string())
            ]
        );
        let context: String = d
            .hunks
            .iter()
            .flat_map(|h| &h.lines)
            .flat_map(|l| &l.segments)
            .map(|s| s.text.as_str())
            .collect();
        assert!(
            !context.contains("evt_") && !context.contains("li_"),
            "{context}"
        );

        opts.show_ignored = true;
        let d = run(a, b, JSON, &opts);
        assert_eq!(d.json_changes.len(), 7);
        assert_eq!(d.json_changes.iter().filter(|c| c.ignored).count(), 6);
        assert_eq!(d.ignored_count, 6);
        assert!(changed_lines(&d).iter().any(|(_, t)| t.contains("evt_2")));

        let bad = DiffOptions {
            ignore_paths: vec!["a..b".into()],
            ..Default::default()
        };
        assert!(matches!(
            diff(&side(&[], a, JSON), &side(&[], b, JSON), &bad, &never),
            Err(DiffError::InvalidIgnorePath { .. })
        ));
    }

    #[test]
    fn cancel_returns_cancelled() {
        let d = diff(
            &side(&[], b"{}", JSON),
            &side(&[], b"[]", JSON),
            &DiffOptions::default(),
            &|| true,
        );
        assert!(matches!(d, Err(DiffError::Cancelled)));
        // Cancel raised mid-way (after a few polls) on a big JSON diff.
        let big_a: String = format!(
            "[{}]",
            (0..50_000)
                .map(|i| format!("{{\"n\":{i}}}"))
                .collect::<Vec<_>>()
                .join(",")
        );
        let big_b = big_a.replace("\"n\":1", "\"n\":-1");
        let calls = std::cell::Cell::new(0u32);
        let cancel = || {
            calls.set(calls.get() + 1);
            calls.get() > 3
        };
        let r = diff(
            &side(&[], big_a.as_bytes(), JSON),
            &side(&[], big_b.as_bytes(), JSON),
            &DiffOptions::default(),
            &cancel,
        );
        assert!(matches!(r, Err(DiffError::Cancelled)));
    }

    #[test]
    fn meta_changes_reported() {
        let mut a = side(&[], b"x", Some("text/plain"));
        a.verdict = Some("valid");
        let b = Side {
            method: "PUT",
            path: "/other",
            query: "b=2&a=1",
            verdict: Some("invalid"),
            content_type: None,
            ..a
        };
        let a = Side {
            query: "a=1&b=2",
            ..a
        };
        let d = diff(&a, &b, &DiffOptions::default(), &never).unwrap();
        let fields: Vec<MetaField> = d.meta.iter().map(|m| m.field).collect();
        assert_eq!(
            fields,
            vec![
                MetaField::Method,
                MetaField::Path,
                MetaField::Query,
                MetaField::ContentType,
                MetaField::Verdict
            ]
        );
        assert_eq!(d.meta[4].new.as_deref(), Some("invalid"));
    }

    #[test]
    fn serde_shape_is_snake_case() {
        let d = run(
            br#"{"a":1}"#,
            br#"{"a":"1"}"#,
            JSON,
            &DiffOptions::default(),
        );
        let v = serde_json::to_value(&d).unwrap();
        assert_eq!(v["body_kind"], "json");
        assert_eq!(v["json_changes"][0]["op"], "type_changed");
        assert_eq!(v["hunks"][0]["lines"][1]["tag"], "delete");
        let back: Diff = serde_json::from_value(v).unwrap();
        assert_eq!(back, d);
        let o: DiffOptions = serde_json::from_str("{}").unwrap();
        assert_eq!(o.context, 3);
    }

    #[test]
    fn ts_types_are_declared() {
        let decl = <Diff as TS>::decl(&ts_rs::Config::default());
        assert!(decl.contains("json_changes"), "{decl}");
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// JSON values of any shape (objects, arrays, strings with any characters, numbers).
        fn json() -> impl Strategy<Value = serde_json::Value> {
            let leaf = prop_oneof![
                Just(serde_json::Value::Null),
                any::<bool>().prop_map(serde_json::Value::from),
                any::<i64>().prop_map(serde_json::Value::from),
                any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(serde_json::Value::from),
                ".*".prop_map(serde_json::Value::from),
            ];
            leaf.prop_recursive(4, 64, 8, |inner| {
                prop_oneof![
                    proptest::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::from),
                    proptest::collection::btree_map(".{0,12}", inner, 0..8)
                        .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
                ]
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

            #[test]
            fn a_delivery_never_differs_from_itself(
                body in proptest::collection::vec(any::<u8>(), 0..4096),
                headers in proptest::collection::vec(("[a-z-]{1,12}", ".{0,40}"), 0..12),
                ct in proptest::option::of(prop_oneof![Just("application/json"), Just("application/x-www-form-urlencoded"), Just("text/plain"), Just("application/octet-stream")]),
            ) {
                let a = Side { headers: &headers, ..side(&[], &body, ct) };
                let d = diff(&a, &a, &DiffOptions::default(), &never).unwrap();
                prop_assert!(d.is_empty(), "{:?}", d);
            }

            #[test]
            fn a_json_body_never_differs_from_itself(v in json()) {
                let body = serde_json::to_vec(&v).unwrap();
                let pretty = serde_json::to_vec_pretty(&v).unwrap();
                let d = run(&body, &body, JSON, &DiffOptions::default());
                prop_assert!(d.is_empty(), "{:?}", d);
                // Re-serialised (pretty vs compact) is the same structure.
                let d = run(&body, &pretty, JSON, &DiffOptions::default());
                prop_assert!(d.json_changes.is_empty(), "{:?}", d.json_changes);
            }
        }
    }
}
