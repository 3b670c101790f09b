// The editable header table of a replay: pure operations on `[name, value]` rows (order and
// repeated names matter, nothing is sorted or merged), validation, and which rows the
// re-signing overwrites.
export type HeaderRow = [string, string];

/** RFC 9110 token characters. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function addHeader(rows: readonly HeaderRow[], after?: number): HeaderRow[] {
  const next = rows.slice();
  const at = after === undefined ? next.length : Math.max(0, Math.min(next.length, after + 1));
  next.splice(at, 0, ['', '']);
  return next;
}

export function removeHeader(rows: readonly HeaderRow[], index: number): HeaderRow[] {
  return index < 0 || index >= rows.length ? rows.slice() : rows.filter((_, i) => i !== index);
}

/** Moves a row one place up (-1) or down (+1); out-of-range moves change nothing. */
export function moveHeader(rows: readonly HeaderRow[], index: number, dir: -1 | 1): HeaderRow[] {
  const to = index + dir;
  const next = rows.slice();
  if (index < 0 || index >= rows.length || to < 0 || to >= rows.length) return next;
  [next[index], next[to]] = [next[to], next[index]];
  return next;
}

export function setHeader(rows: readonly HeaderRow[], index: number, name: string, value: string): HeaderRow[] {
  if (index < 0 || index >= rows.length) return rows.slice();
  const next = rows.slice();
  next[index] = [name, value];
  return next;
}

export function headersEqual(a: readonly HeaderRow[], b: readonly HeaderRow[]): boolean {
  return a.length === b.length && a.every(([n, v], i) => n === b[i][0] && v === b[i][1]);
}

/** Why this row cannot be sent, in plain words; null when it is fine. */
export function headerProblem(name: string, value: string): string | null {
  if (name === '') return value === '' ? 'empty row: give it a name or remove it' : 'the header has no name';
  if (!TOKEN.test(name)) return 'a header name can only hold letters, digits and !#$%&\'*+-.^_`|~';
  if (/[\r\n\0]/.test(value)) return 'a header value cannot contain a line break or NUL';
  return null;
}

/** Index of the first row with a problem, or -1. */
export function firstProblem(rows: readonly HeaderRow[]): number {
  return rows.findIndex(([n, v]) => headerProblem(n, v) !== null);
}

/**
 * The values the outgoing request carries for the headers the re-signing set, by lower-case
 * name (in wire order), from the preview's exact request.
 */
export function signedValues(outgoing: readonly HeaderRow[], signatureHeaders: readonly string[]): Map<string, string[]> {
  const names = new Set(signatureHeaders.map((n) => n.toLowerCase()));
  const out = new Map<string, string[]>();
  for (const [n, v] of outgoing) {
    const k = n.toLowerCase();
    if (names.has(k)) out.set(k, [...(out.get(k) ?? []), v]);
  }
  return out;
}

/** Signature headers the re-signing adds that the edited list does not have (shown as extra rows). */
export function addedBySigning(rows: readonly HeaderRow[], signed: Map<string, string[]>): HeaderRow[] {
  const have = new Set(rows.map(([n]) => n.toLowerCase()));
  const out: HeaderRow[] = [];
  for (const [k, vs] of signed) if (!have.has(k)) for (const v of vs) out.push([k, v]);
  return out;
}

/** The value of the first header with this name (any case), or null. */
export function headerValue(rows: readonly HeaderRow[], name: string): string | null {
  const k = name.toLowerCase();
  return rows.find(([n]) => n.toLowerCase() === k)?.[1] ?? null;
}

/** The rows with the first header of this name set to `value` (appended when absent). */
export function withHeader(rows: readonly HeaderRow[], name: string, value: string): HeaderRow[] {
  const k = name.toLowerCase();
  const i = rows.findIndex(([n]) => n.toLowerCase() === k);
  if (i === -1) return [...rows, [name, value]];
  return setHeader(rows, i, rows[i][0], value);
}
