//! Line diff of two normalised texts into unified-style `Hunk`s with word-level inline
//! emphasis. Work is bounded without a clock: common prefix/suffix are trimmed, large
//! regions are split on patience anchors (lines unique on both sides), `similar`'s Myers
//! only runs on regions of at most `MYERS_MAX_LINES` lines, anchor-less large regions are
//! reported as a plain replace, and inline (word) diffs only run for changed lines of at
//! most `INLINE_MAX_BYTES`. `cancel()` is polled per region and per hunk.
//! It must not know about body kinds, JSON or ignore rules.

use std::collections::HashMap;
use std::ops::Range;

use similar::algorithms::{myers, Capture, Replace};
use similar::{group_diff_ops, Algorithm, ChangeTag, DiffOp, TextDiff};

use crate::diff::{DiffError, DiffStats, Hunk, Line, LineTag, Segment};

/// Largest region (old + new lines) handed to Myers in one piece.
const MYERS_MAX_LINES: usize = 4096;
/// Longest line (bytes, either side) that gets a word-level inline diff.
const INLINE_MAX_BYTES: usize = 2048;
/// Total bytes of changed lines that get inline diffs in one text diff; beyond it,
/// changed lines are shown without emphasis (keeps huge rewrites cheap).
const INLINE_BUDGET_BYTES: usize = 1 << 20;
/// Recursion limit for patience anchoring.
const MAX_DEPTH: usize = 48;

fn split_lines(s: &str) -> Vec<&str> {
    s.split_terminator('\n').collect()
}

struct Ctx<'c> {
    old: Vec<u32>,
    new: Vec<u32>,
    ops: Vec<DiffOp>,
    cancel: &'c dyn Fn() -> bool,
}

impl Ctx<'_> {
    fn push(&mut self, op: DiffOp) {
        let empty = match op {
            DiffOp::Equal { len, .. } => len == 0,
            DiffOp::Delete { old_len, .. } => old_len == 0,
            DiffOp::Insert { new_len, .. } => new_len == 0,
            DiffOp::Replace {
                old_len, new_len, ..
            } => old_len == 0 && new_len == 0,
        };
        if !empty {
            self.ops.push(op);
        }
    }

    fn changed(&mut self, o: Range<usize>, n: Range<usize>) {
        let op = match (o.is_empty(), n.is_empty()) {
            (true, true) => return,
            (false, true) => DiffOp::Delete {
                old_index: o.start,
                old_len: o.len(),
                new_index: n.start,
            },
            (true, false) => DiffOp::Insert {
                old_index: o.start,
                new_index: n.start,
                new_len: n.len(),
            },
            (false, false) => DiffOp::Replace {
                old_index: o.start,
                old_len: o.len(),
                new_index: n.start,
                new_len: n.len(),
            },
        };
        self.push(op);
    }

    fn diff(
        &mut self,
        mut o: Range<usize>,
        mut n: Range<usize>,
        depth: usize,
    ) -> Result<(), DiffError> {
        if (self.cancel)() {
            return Err(DiffError::Cancelled);
        }
        let mut pre = 0;
        while pre < o.len() && pre < n.len() && self.old[o.start + pre] == self.new[n.start + pre] {
            pre += 1;
        }
        self.push(DiffOp::Equal {
            old_index: o.start,
            new_index: n.start,
            len: pre,
        });
        o.start += pre;
        n.start += pre;
        let mut suf = 0;
        while suf < o.len()
            && suf < n.len()
            && self.old[o.end - 1 - suf] == self.new[n.end - 1 - suf]
        {
            suf += 1;
        }
        o.end -= suf;
        n.end -= suf;
        let suffix = DiffOp::Equal {
            old_index: o.end,
            new_index: n.end,
            len: suf,
        };

        if o.is_empty() || n.is_empty() {
            self.changed(o, n);
        } else if o.len() + n.len() <= MYERS_MAX_LINES {
            let mut hook = Replace::new(Capture::new());
            let (old, new) = (&self.old[..], &self.new[..]);
            // Capture's error type is Infallible.
            let _ = myers::diff(&mut hook, old, o, new, n);
            for op in hook.into_inner().into_ops() {
                self.push(op);
            }
        } else if depth >= MAX_DEPTH {
            self.changed(o, n);
        } else {
            let anchors = self.anchors(o.clone(), n.clone());
            if anchors.is_empty() {
                self.changed(o, n);
            } else {
                let (mut po, mut pn) = (o.start, n.start);
                for (ao, an) in anchors {
                    self.diff(po..ao, pn..an, depth + 1)?;
                    self.push(DiffOp::Equal {
                        old_index: ao,
                        new_index: an,
                        len: 1,
                    });
                    po = ao + 1;
                    pn = an + 1;
                }
                self.diff(po..o.end, pn..n.end, depth + 1)?;
            }
        }
        self.push(suffix);
        Ok(())
    }

    /// Patience anchors: lines occurring exactly once in both ranges, longest increasing
    /// subsequence by new position.
    fn anchors(&self, o: Range<usize>, n: Range<usize>) -> Vec<(usize, usize)> {
        // id -> (count old, count new, pos old, pos new)
        let mut seen: HashMap<u32, (u32, u32, usize, usize)> = HashMap::new();
        for i in o.clone() {
            let e = seen.entry(self.old[i]).or_insert((0, 0, i, 0));
            e.0 += 1;
        }
        for j in n {
            if let Some(e) = seen.get_mut(&self.new[j]) {
                e.1 += 1;
                e.3 = j;
            }
        }
        let cands: Vec<(usize, usize)> = o
            .filter_map(|i| {
                let e = seen[&self.old[i]];
                (e.0 == 1 && e.1 == 1).then_some((i, e.3))
            })
            .collect();
        lis(&cands)
    }
}

/// Longest strictly increasing subsequence (by `.1`) of pairs already sorted by `.0`.
fn lis(c: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut tails: Vec<usize> = Vec::new(); // indices into c
    let mut prev: Vec<Option<usize>> = vec![None; c.len()];
    for (i, &(_, v)) in c.iter().enumerate() {
        let pos = tails.partition_point(|&t| c[t].1 < v);
        if pos > 0 {
            prev[i] = Some(tails[pos - 1]);
        }
        if pos == tails.len() {
            tails.push(i);
        } else {
            tails[pos] = i;
        }
    }
    let mut out = Vec::with_capacity(tails.len());
    let mut cur = tails.last().copied();
    while let Some(i) = cur {
        out.push(c[i]);
        cur = prev[i];
    }
    out.reverse();
    out
}

/// Merges adjacent equal ops and fuses adjacent change ops into one `Replace`.
fn coalesce(ops: Vec<DiffOp>) -> Vec<DiffOp> {
    let mut out: Vec<DiffOp> = Vec::with_capacity(ops.len());
    for op in ops {
        let last = out.last().copied();
        match (last, op) {
            (
                Some(DiffOp::Equal {
                    old_index,
                    new_index,
                    len,
                }),
                DiffOp::Equal { len: l2, .. },
            ) => {
                *out.last_mut().expect("non-empty") = DiffOp::Equal {
                    old_index,
                    new_index,
                    len: len + l2,
                };
            }
            (Some(prev), cur)
                if prev.tag() != similar::DiffTag::Equal
                    && cur.tag() != similar::DiffTag::Equal =>
            {
                let (o1, n1) = (prev.old_range(), prev.new_range());
                let (o2, n2) = (cur.old_range(), cur.new_range());
                let old_len = o1.len() + o2.len();
                let new_len = n1.len() + n2.len();
                let merged = match (old_len, new_len) {
                    (_, 0) => DiffOp::Delete {
                        old_index: o1.start,
                        old_len,
                        new_index: n1.start,
                    },
                    (0, _) => DiffOp::Insert {
                        old_index: o1.start,
                        new_index: n1.start,
                        new_len,
                    },
                    _ => DiffOp::Replace {
                        old_index: o1.start,
                        old_len,
                        new_index: n1.start,
                        new_len,
                    },
                };
                *out.last_mut().expect("non-empty") = merged;
            }
            _ => out.push(op),
        }
    }
    out
}

fn plain(text: &str) -> Vec<Segment> {
    vec![Segment {
        text: text.to_string(),
        emphasized: false,
    }]
}

fn push_seg(v: &mut Vec<Segment>, text: &str, emphasized: bool) {
    if text.is_empty() {
        return;
    }
    match v.last_mut() {
        Some(last) if last.emphasized == emphasized => last.text.push_str(text),
        _ => v.push(Segment {
            text: text.to_string(),
            emphasized,
        }),
    }
}

/// Word-level emphasis for a changed line pair; `None` when the lines are too long or
/// too dissimilar (ratio < 0.5) for highlights to help.
fn inline(a: &str, b: &str) -> Option<(Vec<Segment>, Vec<Segment>)> {
    if a.len() > INLINE_MAX_BYTES || b.len() > INLINE_MAX_BYTES {
        return None;
    }
    let d = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .diff_unicode_words(a, b);
    if d.ratio() < 0.5 {
        return None;
    }
    let (mut old, mut new) = (Vec::new(), Vec::new());
    for ch in d.iter_all_changes() {
        let t = ch.value();
        match ch.tag() {
            ChangeTag::Equal => {
                push_seg(&mut old, t, false);
                push_seg(&mut new, t, false);
            }
            ChangeTag::Delete => push_seg(&mut old, t, true),
            ChangeTag::Insert => push_seg(&mut new, t, true),
        }
    }
    if old.is_empty() {
        old = plain("");
    }
    if new.is_empty() {
        new = plain("");
    }
    Some((old, new))
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Diffs two normalised texts line by line into hunks with `context` lines around changes.
pub(crate) fn diff_text(
    old_text: &str,
    new_text: &str,
    context: usize,
    cancel: &dyn Fn() -> bool,
) -> Result<(Vec<Hunk>, DiffStats), DiffError> {
    let mut stats = DiffStats::default();
    if old_text == new_text {
        return Ok((Vec::new(), stats));
    }
    let old_lines = split_lines(old_text);
    let new_lines = split_lines(new_text);
    let mut interner: HashMap<&str, u32> = HashMap::with_capacity(old_lines.len() + 16);
    let mut ctx = Ctx {
        old: Vec::with_capacity(old_lines.len()),
        new: Vec::with_capacity(new_lines.len()),
        ops: Vec::new(),
        cancel,
    };
    // Common leading/trailing lines share id 0 and are never hashed: `Ctx::diff` trims
    // exactly them first. Middle lines get ids from 1.
    let max = old_lines.len().min(new_lines.len());
    let pre = old_lines
        .iter()
        .zip(&new_lines)
        .take_while(|(a, b)| a == b)
        .count();
    let suf = old_lines[pre..]
        .iter()
        .rev()
        .zip(new_lines[pre..].iter().rev())
        .take(max - pre)
        .take_while(|(a, b)| a == b)
        .count();
    for (lines, ids) in [(&old_lines, &mut ctx.old), (&new_lines, &mut ctx.new)] {
        for (i, l) in lines.iter().enumerate() {
            if i < pre || i >= lines.len() - suf {
                ids.push(0);
            } else {
                let next = to_u32(interner.len() + 1);
                ids.push(*interner.entry(l).or_insert(next));
            }
        }
    }
    let (on, nn) = (ctx.old.len(), ctx.new.len());
    ctx.diff(0..on, 0..nn, 0)?;
    let ops = coalesce(std::mem::take(&mut ctx.ops));
    if ops.iter().all(|op| op.tag() == similar::DiffTag::Equal) {
        return Ok((Vec::new(), stats));
    }
    for op in &ops {
        stats.deletions +=
            to_u32(op.old_range().len() * usize::from(op.tag() != similar::DiffTag::Equal));
        stats.insertions +=
            to_u32(op.new_range().len() * usize::from(op.tag() != similar::DiffTag::Equal));
    }

    let mut inline_budget = INLINE_BUDGET_BYTES;
    let mut hunks = Vec::new();
    for group in group_diff_ops(ops, context) {
        if cancel() {
            return Err(DiffError::Cancelled);
        }
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let o = first.old_range().start..last.old_range().end;
        let n = first.new_range().start..last.new_range().end;
        let mut lines = Vec::new();
        for op in &group {
            let (or, nr) = (op.old_range(), op.new_range());
            match op.tag() {
                similar::DiffTag::Equal => {
                    for (i, j) in or.zip(nr) {
                        lines.push(Line {
                            tag: LineTag::Equal,
                            old_no: Some(to_u32(i + 1)),
                            new_no: Some(to_u32(j + 1)),
                            segments: plain(old_lines[i]),
                        });
                    }
                }
                _ => {
                    let pairs = or.len().min(nr.len());
                    let mut inserted = Vec::with_capacity(nr.len());
                    for j in nr.clone() {
                        inserted.push(Line {
                            tag: LineTag::Insert,
                            old_no: None,
                            new_no: Some(to_u32(j + 1)),
                            segments: plain(new_lines[j]),
                        });
                    }
                    for (k, i) in or.clone().enumerate() {
                        let mut segments = plain(old_lines[i]);
                        let partner = new_lines.get(nr.start + k).copied().unwrap_or("");
                        let cost = old_lines[i].len() + partner.len();
                        if k < pairs && cost <= inline_budget {
                            inline_budget -= cost;
                            if let Some((a, b)) = inline(old_lines[i], partner) {
                                segments = a;
                                inserted[k].segments = b;
                            }
                        }
                        lines.push(Line {
                            tag: LineTag::Delete,
                            old_no: Some(to_u32(i + 1)),
                            new_no: None,
                            segments,
                        });
                    }
                    lines.extend(inserted);
                }
            }
        }
        if lines.iter().all(|l| l.tag == LineTag::Equal) {
            continue;
        }
        let start = |r: &Range<usize>| to_u32(if r.is_empty() { r.start } else { r.start + 1 });
        hunks.push(Hunk {
            old_start: start(&o),
            old_len: to_u32(o.len()),
            new_start: start(&n),
            new_len: to_u32(n.len()),
            lines,
        });
    }
    Ok((hunks, stats))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn never() -> bool {
        false
    }

    fn render(h: &Hunk) -> Vec<String> {
        h.lines
            .iter()
            .map(|l| {
                let p = match l.tag {
                    LineTag::Equal => ' ',
                    LineTag::Delete => '-',
                    LineTag::Insert => '+',
                };
                let body: String = l
                    .segments
                    .iter()
                    .map(|s| {
                        if s.emphasized {
                            format!("[{}]", s.text)
                        } else {
                            s.text.clone()
                        }
                    })
                    .collect();
                format!("{p}{body}")
            })
            .collect()
    }

    #[test]
    fn hunks_with_context_and_numbers() {
        let old: String = (1..=20).map(|i| format!("line {i}\n")).collect();
        let new = old
            .replace("line 10\n", "line ten\n")
            .replace("line 20\n", "");
        let (hunks, stats) = diff_text(&old, &new, 2, &never).unwrap();
        assert_eq!(
            stats,
            DiffStats {
                insertions: 1,
                deletions: 2
            }
        );
        assert_eq!(hunks.len(), 2);
        let h = &hunks[0];
        assert_eq!(
            (h.old_start, h.old_len, h.new_start, h.new_len),
            (8, 5, 8, 5)
        );
        assert_eq!(
            render(h),
            vec![
                " line 8",
                " line 9",
                "-line [10]",
                "+line [ten]",
                " line 11",
                " line 12"
            ]
        );
        assert_eq!(h.lines[2].old_no, Some(10));
        assert_eq!(h.lines[3].new_no, Some(10));
        assert_eq!(render(&hunks[1]), vec![" line 18", " line 19", "-line 20"]);
    }

    #[test]
    fn identical_no_hunks() {
        assert!(diff_text("a\nb\n", "a\nb\n", 3, &never)
            .unwrap()
            .0
            .is_empty());
    }

    #[test]
    fn large_regions_use_anchors() {
        // 20k unique lines with scattered edits: exceeds MYERS_MAX_LINES, needs anchoring.
        let old: Vec<String> = (0..20_000).map(|i| format!("\"k{i}\": {i},")).collect();
        let mut new = old.clone();
        for i in (0..20_000).step_by(1000) {
            new[i] = format!("\"k{i}\": {},", i + 1);
        }
        new.insert(5000, "\"inserted\": true,".to_string());
        let (hunks, stats) = diff_text(&old.join("\n"), &new.join("\n"), 3, &never).unwrap();
        assert_eq!(
            stats,
            DiffStats {
                insertions: 21,
                deletions: 20
            }
        );
        assert_eq!(hunks.len(), 20);
    }

    #[test]
    fn cancel_is_honoured() {
        let old: String = (0..10_000).map(|i| format!("{i}\n")).collect();
        let new: String = (0..10_000).map(|i| format!("{}\n", i * 7)).collect();
        assert!(matches!(
            diff_text(&old, &new, 3, &|| true),
            Err(DiffError::Cancelled)
        ));
    }

    #[test]
    fn lis_works() {
        assert_eq!(
            lis(&[(0, 3), (1, 1), (2, 2), (3, 0), (4, 5)]),
            vec![(1, 1), (2, 2), (4, 5)]
        );
    }
}
