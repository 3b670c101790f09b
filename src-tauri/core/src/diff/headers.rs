//! Header-level comparison: the header diff (case-insensitive names, repeated headers compared
//! as ordered value lists). It must not filter ignored changes or diff bodies. (Which event a
//! delivery carries is [`crate::event_keys`].)

use std::collections::BTreeMap;

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

}
