// Where the search words occur in a piece of text, as segments to render as spans (never as
// HTML). Matching follows the engine's full-text rules closely enough for the eye: words match
// whole words, case- and accent-insensitively; the last word of the search also as a prefix;
// `"quoted words"` and words with punctuation (`ORD-2024-003`) as a phrase. Pure.
//
// Hand-written: the highlight libraries found work on DOM nodes or emit HTML strings, and the
// inspector must render payload text through Svelte text nodes only.

export type Segment = { t: string; m: boolean };

/** One phrase: its words (folded), and whether the last may be a prefix. */
export type Term = { words: string[]; prefix: boolean };

const WORD_RE = /[\p{L}\p{N}]+/gu;

/** Lower case without accents, one character at a time (so offsets can be mapped back). */
function foldChar(ch: string): string {
  return ch.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

function fold(s: string): string {
  let out = '';
  for (const ch of s) out += foldChar(ch);
  return out;
}

/** The terms of a search box value (`null`/blank: none). */
export function searchTerms(search: string | null | undefined): Term[] {
  if (!search) return [];
  const terms: Term[] = [];
  // Quoted phrases, or runs of non-space characters.
  const re = /"([^"]*)"?|(\S+)/g;
  let m: RegExpExecArray | null;
  let lastQuoted = false;
  while ((m = re.exec(search)) !== null) {
    const quoted = m[1] !== undefined;
    const raw = quoted ? m[1] : m[2];
    const words = fold(raw).match(WORD_RE) ?? [];
    if (words.length === 0) continue;
    terms.push({ words, prefix: false });
    lastQuoted = quoted;
  }
  if (terms.length > 0 && !lastQuoted) terms[terms.length - 1].prefix = true;
  return terms;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One regular expression for all terms, over folded text. */
function termsRe(terms: Term[]): RegExp | null {
  if (terms.length === 0) return null;
  const alts = terms.map((t) => {
    const body = t.words.map(escapeRe).join('[^\\p{L}\\p{N}]+');
    // A prefix highlights the whole word it starts (what the index matched).
    return `(?<![\\p{L}\\p{N}])${body}${t.prefix ? '[\\p{L}\\p{N}]*' : '(?![\\p{L}\\p{N}])'}`;
  });
  // Longer alternatives first, so a phrase wins over one of its words.
  alts.sort((a, b) => b.length - a.length);
  return new RegExp(alts.join('|'), 'gu');
}

/**
 * `text` cut into plain and matching segments; concatenating the segments' text gives `text`.
 * Without terms (or matches) it is one plain segment.
 */
export function highlight(text: string, terms: Term[]): Segment[] {
  const re = termsRe(terms);
  if (!re || text === '') return [{ t: text, m: false }];
  // Fold the text, remembering for each folded UTF-16 unit the original offset.
  let folded = '';
  const at: number[] = [];
  let i = 0;
  for (const ch of text) {
    const f = foldChar(ch);
    for (let k = 0; k < f.length; k++) at.push(i);
    folded += f;
    i += ch.length;
  }
  at.push(text.length);
  const out: Segment[] = [];
  let pos = 0;
  for (const m of folded.matchAll(re)) {
    if (m[0].length === 0) continue;
    const start = at[m.index];
    // End: the original offset of the first folded unit after the match (whole characters).
    const end = at[m.index + m[0].length];
    if (start < pos) continue;
    if (start > pos) out.push({ t: text.slice(pos, start), m: false });
    out.push({ t: text.slice(start, end), m: true });
    pos = end;
  }
  if (pos < text.length) out.push({ t: text.slice(pos), m: false });
  return out.length ? out : [{ t: text, m: false }];
}

/** Whether any term occurs in `text`. */
export function hasMatch(text: string, terms: Term[]): boolean {
  return highlight(text, terms).some((s) => s.m);
}
