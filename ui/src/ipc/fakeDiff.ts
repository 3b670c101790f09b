// A small stand-in for the engine's diff, used ONLY by the in-browser fake backend (`npm run
// dev`), never inside Tauri. Naive (LCS over lines, positional arrays, prefix/suffix emphasis),
// enough to develop the diff view against. The real diff lives in hookloupe-core.
import type { CaptureSummary } from '../bindings/CaptureSummary';
import type { CaptureView } from '../bindings/CaptureView';
import type { DiffCapturesReq } from '../bindings/DiffCapturesReq';
import type { DiffView } from '../bindings/DiffView';
import type { HeaderChange } from '../bindings/HeaderChange';
import type { Hunk } from '../bindings/Hunk';
import type { JsonChange } from '../bindings/JsonChange';
import type { Line } from '../bindings/Line';
import type { MetaChange } from '../bindings/MetaChange';
import type { JsonValue } from '../bindings/serde_json/JsonValue';
import { base64ToBytes, decodeUtf8, hexDumpText } from '../lib/bytes';

const DEFAULT_IGNORED_HEADERS = ['stripe-signature', 'content-length', 'x-github-delivery', 'host'];
const DEFAULT_IGNORED_PATHS = ['id', 'created'];

function sortKeys(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const o: { [k: string]: JsonValue } = {};
    for (const k of Object.keys(v).sort()) o[k] = sortKeys(v[k]);
    return o;
  }
  return v;
}

function parse(c: CaptureView): { json: JsonValue | undefined; text: string } {
  const bytes = base64ToBytes(c.body_b64);
  const text = decodeUtf8(bytes);
  if (text === null) return { json: undefined, text: hexDumpText(bytes) };
  try {
    const json = JSON.parse(text) as JsonValue;
    return { json, text: JSON.stringify(sortKeys(json), null, 2) };
  } catch {
    return { json: undefined, text };
  }
}

function walk(a: JsonValue | undefined, b: JsonValue | undefined, path: string, out: JsonChange[], ignored: (p: string) => boolean) {
  const typeOf = (v: JsonValue | undefined) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);
  const ig = ignored(path);
  if (a === undefined && b !== undefined) return out.push({ path, op: 'added', old: null, new: b, ignored: ig });
  if (b === undefined && a !== undefined) return out.push({ path, op: 'removed', old: a, new: null, ignored: ig });
  if (a === undefined || b === undefined) return;
  if (typeOf(a) !== typeOf(b)) return out.push({ path, op: 'type_changed', old: a, new: b, ignored: ig });
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) walk(a[i], b[i], `${path}[${i}]`, out, ignored);
  } else if (a && typeof a === 'object' && b && typeof b === 'object') {
    const ao = a as { [k: string]: JsonValue };
    const bo = b as { [k: string]: JsonValue };
    for (const k of [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort()) {
      walk(ao[k], bo[k], path ? `${path}.${k}` : k, out, ignored);
    }
  } else if (a !== b) {
    out.push({ path: path || '$', op: 'changed', old: a, new: b, ignored: ig });
  }
}

function emphasise(a: string, b: string): [Line['segments'], Line['segments']] {
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  const seg = (t: string) =>
    [
      { text: t.slice(0, p), emphasized: false },
      { text: t.slice(p, t.length - s), emphasized: true },
      { text: t.slice(t.length - s), emphasized: false },
    ].filter((x) => x.text);
  return [seg(a), seg(b)];
}

function lineDiff(
  oldText: string,
  newText: string,
  context: number,
): { hunks: Hunk[]; ins: number; del: number; oldLines: number; newLines: number } {
  const a = oldText ? oldText.split('\n') : [];
  const b = newText ? newText.split('\n') : [];
  const n = a.length;
  const m = b.length;
  const lines: Line[] = [];
  if (n * m > 4_000_000) {
    a.forEach((t, i) => lines.push({ tag: 'delete', old_no: i + 1, new_no: null, segments: [{ text: t, emphasized: false }] }));
    b.forEach((t, i) => lines.push({ tag: 'insert', old_no: null, new_no: i + 1, segments: [{ text: t, emphasized: false }] }));
  } else {
    const dp = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--)
      for (let j = m - 1; j >= 0; j--) dp[i][j] = a[i] === b[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
    let i = 0;
    let j = 0;
    const seg = (t: string) => [{ text: t, emphasized: false }];
    while (i < n || j < m) {
      if (i < n && j < m && a[i] === b[j]) {
        lines.push({ tag: 'equal', old_no: i + 1, new_no: j + 1, segments: seg(a[i]) });
        i++;
        j++;
      } else if (j < m && (i === n || dp[i][j + 1] >= dp[i + 1][j])) {
        lines.push({ tag: 'insert', old_no: null, new_no: j + 1, segments: seg(b[j]) });
        j++;
      } else {
        lines.push({ tag: 'delete', old_no: i + 1, new_no: null, segments: seg(a[i]) });
        i++;
      }
    }
  }
  // Emphasis for a delete directly followed by an insert.
  for (let k = 0; k + 1 < lines.length; k++) {
    if (lines[k].tag === 'delete' && lines[k + 1].tag === 'insert') {
      const [x, y] = emphasise(lines[k].segments[0].text, lines[k + 1].segments[0].text);
      lines[k].segments = x;
      lines[k + 1].segments = y;
    }
  }
  const hunks: Hunk[] = [];
  let cur: Line[] = [];
  let lastChange = -Infinity;
  lines.forEach((l, k) => {
    const nearNext = lines.slice(k, k + context + 1).some((x) => x.tag !== 'equal');
    if (l.tag !== 'equal') lastChange = k;
    if (l.tag !== 'equal' || nearNext || k - lastChange <= context) cur.push(l);
    else if (cur.length) {
      hunks.push(toHunk(cur));
      cur = [];
    }
  });
  if (cur.length && cur.some((l) => l.tag !== 'equal')) hunks.push(toHunk(cur));
  return {
    hunks,
    ins: lines.filter((l) => l.tag === 'insert').length,
    del: lines.filter((l) => l.tag === 'delete').length,
    oldLines: n,
    newLines: m,
  };
}

function toHunk(lines: Line[]): Hunk {
  const olds = lines.filter((l) => l.old_no !== null);
  const news = lines.filter((l) => l.new_no !== null);
  return {
    old_start: olds[0]?.old_no ?? 0,
    old_len: olds.length,
    new_start: news[0]?.new_no ?? 0,
    new_len: news.length,
    lines,
  };
}

function headerDiff(a: Array<[string, string]>, b: Array<[string, string]>, ignored: (n: string) => boolean): HeaderChange[] {
  const group = (h: Array<[string, string]>) => {
    const m = new Map<string, string[]>();
    for (const [k, v] of h) m.set(k.toLowerCase(), [...(m.get(k.toLowerCase()) ?? []), v]);
    return m;
  };
  const ga = group(a);
  const gb = group(b);
  const out: HeaderChange[] = [];
  for (const name of [...new Set([...ga.keys(), ...gb.keys()])].sort()) {
    const old = ga.get(name) ?? [];
    const nu = gb.get(name) ?? [];
    if (JSON.stringify(old) === JSON.stringify(nu)) continue;
    const op = old.length === 0 ? 'added' : nu.length === 0 ? 'removed' : 'changed';
    out.push({ name, op, old, new: nu, ignored: ignored(name) });
  }
  return out;
}

export function fakeDiff(a: CaptureView, b: CaptureView, req: DiffCapturesReq, sa: CaptureSummary, sb: CaptureSummary): DiffView {
  const rules = {
    ignore_paths: [...(req.use_endpoint_rules ? DEFAULT_IGNORED_PATHS : []), ...req.ignore_paths],
    ignore_headers: [...(req.use_endpoint_rules ? DEFAULT_IGNORED_HEADERS : []), ...req.ignore_headers],
    array_key: req.array_key,
  };
  const pa = parse(a);
  const pb = parse(b);
  const json_changes: JsonChange[] = [];
  if (pa.json !== undefined && pb.json !== undefined) walk(pa.json, pb.json, '', json_changes, (p) => rules.ignore_paths.includes(p));
  const headers = headerDiff(a.headers, b.headers, (n) => rules.ignore_headers.includes(n));
  const meta: MetaChange[] = [];
  const cmp = (field: MetaChange['field'], x: string | null, y: string | null) => {
    if (x !== y) meta.push({ field, old: x, new: y });
  };
  cmp('method', a.method, b.method);
  cmp('path', a.path, b.path);
  cmp('query', a.query, b.query);
  cmp('body_size', String(a.body_size), String(b.body_size));
  cmp('content_type', a.content_type, b.content_type);
  const { hunks, ins, del, oldLines, newLines } = lineDiff(pa.text, pb.text, req.context ?? 3);
  const ignored_count = json_changes.filter((c) => c.ignored).length + headers.filter((h) => h.ignored).length;
  return {
    a: { kind: 'capture', label: `#${a.id} ${a.method} ${a.path}`, capture: sa },
    b: { kind: 'capture', label: `#${b.id} ${b.method} ${b.path}`, capture: sb },
    rules,
    body_kind: pa.json !== undefined && pb.json !== undefined ? 'json' : 'text',
    hunks,
    stats: { insertions: ins, deletions: del },
    old_lines: oldLines,
    new_lines: newLines,
    json_changes: req.show_ignored ? json_changes : json_changes.filter((c) => !c.ignored),
    headers: req.show_ignored ? headers : headers.filter((h) => !h.ignored),
    meta,
    ignored_count,
  };
}
