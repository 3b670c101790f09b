// Characters a payload can use to hide or disguise text on screen: C0/C1 controls (other than
// tab, newline and carriage return), zero-width characters, bidi embeddings, overrides and
// isolates (U+202E shows `exe.txt` for `txt.exe`), line/paragraph separators and the BOM.
// Views show each as a visible marker instead of applying it; the exact text stays one click
// away (Copy, Save body, the Hex view). Pure: no DOM.

const HIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]/;
const HIDDEN_ALL = new RegExp(HIDDEN.source, 'g');

const NAMES: Record<number, string> = {
  0x00: 'NUL',
  0x07: 'BELL',
  0x08: 'BACKSPACE',
  0x1b: 'ESCAPE',
  0x7f: 'DELETE',
  0x9b: 'CONTROL SEQUENCE INTRODUCER (C1)',
  0x200b: 'ZERO WIDTH SPACE',
  0x200c: 'ZERO WIDTH NON-JOINER',
  0x200d: 'ZERO WIDTH JOINER',
  0x200e: 'LEFT-TO-RIGHT MARK',
  0x200f: 'RIGHT-TO-LEFT MARK',
  0x2028: 'LINE SEPARATOR',
  0x2029: 'PARAGRAPH SEPARATOR',
  0x202a: 'LEFT-TO-RIGHT EMBEDDING',
  0x202b: 'RIGHT-TO-LEFT EMBEDDING',
  0x202c: 'POP DIRECTIONAL FORMATTING',
  0x202d: 'LEFT-TO-RIGHT OVERRIDE',
  0x202e: 'RIGHT-TO-LEFT OVERRIDE',
  0x2060: 'WORD JOINER',
  0x2066: 'LEFT-TO-RIGHT ISOLATE',
  0x2067: 'RIGHT-TO-LEFT ISOLATE',
  0x2068: 'FIRST STRONG ISOLATE',
  0x2069: 'POP DIRECTIONAL ISOLATE',
  0xfeff: 'ZERO WIDTH NO-BREAK SPACE (BOM)',
};

/** A run of plain text, or one hidden character to show as a marker. */
export type Piece = { t: string; code?: undefined } | { t: string; code: number; label: string; name: string };

export function hasHidden(text: string): boolean {
  return HIDDEN.test(text);
}

/** `U+202E`, the marker shown in place of a hidden character. */
export function markerLabel(code: number): string {
  return 'U+' + code.toString(16).toUpperCase().padStart(4, '0');
}

/** What the character is, for the marker's tooltip. */
export function hiddenName(code: number): string {
  const name = NAMES[code] ?? (code < 0x20 || (code >= 0x7f && code <= 0x9f) ? 'control character' : 'invisible character');
  return `${markerLabel(code)} ${name}: shown, not applied`;
}

/** Splits `text` into plain runs and hidden characters (one piece each). */
export function reveal(text: string): Piece[] {
  if (!HIDDEN.test(text)) return [{ t: text }];
  const out: Piece[] = [];
  let at = 0;
  for (const m of text.matchAll(HIDDEN_ALL)) {
    const i = m.index ?? 0;
    if (i > at) out.push({ t: text.slice(at, i) });
    const code = m[0].charCodeAt(0);
    out.push({ t: m[0], code, label: markerLabel(code), name: hiddenName(code) });
    at = i + m[0].length;
  }
  if (at < text.length) out.push({ t: text.slice(at) });
  return out;
}
