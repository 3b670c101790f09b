// Pure helpers for the diff view: side-by-side pairing of hunk lines, hidden-line counts
// between hunks, change blocks for n/p navigation, and short value rendering.
import type { Hunk } from '../bindings/Hunk';
import type { JsonValue } from '../bindings/serde_json/JsonValue';
import type { Line } from '../bindings/Line';

/**
 * One row of the side-by-side view: old line on the left, new line on the right, with their
 * indices in the hunk's `lines` (-1 for a blank).
 */
export type SplitRow = { left: Line | null; right: Line | null; leftIdx: number; rightIdx: number };

/**
 * Pairs a hunk's lines for side-by-side display: equal lines on both sides; within each run
 * of changes, deletions face insertions in order, the longer side leaving blanks.
 */
export function sideBySide(lines: readonly Line[]): SplitRow[] {
  const rows: SplitRow[] = [];
  let dels: number[] = [];
  let ins: number[] = [];
  const flush = () => {
    const n = Math.max(dels.length, ins.length);
    for (let i = 0; i < n; i++) {
      const li = dels[i] ?? -1;
      const ri = ins[i] ?? -1;
      rows.push({ left: li >= 0 ? lines[li] : null, right: ri >= 0 ? lines[ri] : null, leftIdx: li, rightIdx: ri });
    }
    dels = [];
    ins = [];
  };
  lines.forEach((l, i) => {
    if (l.tag === 'equal') {
      flush();
      rows.push({ left: l, right: l, leftIdx: i, rightIdx: i });
    } else if (l.tag === 'delete') {
      if (ins.length) flush();
      dels.push(i);
    } else {
      ins.push(i);
    }
  });
  flush();
  return rows;
}

/**
 * Unchanged lines hidden before each hunk (by old line numbers): before the first hunk,
 * the lines above it; between hunks, the gap. The tail after the last hunk is unknown.
 */
export function hiddenBefore(hunks: readonly Hunk[]): number[] {
  const out: number[] = [];
  let nextOld = 1;
  for (const h of hunks) {
    // For an empty old range, old_start is the line before it.
    const start = h.old_len === 0 ? h.old_start + 1 : h.old_start;
    out.push(Math.max(0, start - nextOld));
    nextOld = start + h.old_len;
  }
  return out;
}

/** Unchanged lines hidden after the last hunk, given the old text's line count. */
export function hiddenAfter(hunks: readonly Hunk[], oldLines: number): number {
  if (hunks.length === 0) return 0;
  const h = hunks[hunks.length - 1];
  const end = h.old_len === 0 ? h.old_start : h.old_start + h.old_len - 1;
  return Math.max(0, oldLines - end);
}

/** Indices (into `lines`) where a run of changed lines starts. */
export function changeStarts(lines: readonly Line[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].tag !== 'equal' && (i === 0 || lines[i - 1].tag === 'equal')) out.push(i);
  }
  return out;
}

/** Next position when stepping `dir` (+1/-1) through `count` changes from `current` (-1: none yet), wrapping. */
export function stepChange(current: number, count: number, dir: 1 | -1): number {
  if (count <= 0) return -1;
  if (current < 0) return dir > 0 ? 0 : count - 1;
  return (current + dir + count) % count;
}

/** A JSON value as one short line (for `old → new` lists). */
export function shortValue(v: JsonValue | null | undefined, max = 80): string {
  if (v === undefined) return '(absent)';
  const s = JSON.stringify(v) ?? 'null';
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

/** Text of a line, for titles and copy. */
export function lineText(l: Line): string {
  return l.segments.map((s) => s.text).join('');
}
