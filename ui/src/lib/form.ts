// application/x-www-form-urlencoded parsing (WHATWG URL standard semantics),
// tolerant of malformed percent escapes, keeping order and repeated keys.

/** Percent-decode one form component: '+' is a space, %XX is a byte, the result is UTF-8 decoded (lossy). */
export function formDecode(s: string): string {
  if (!/[%+]/.test(s)) return s;
  const bytes: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '+') {
      bytes.push(0x20);
    } else if (c === '%' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      // Copy the (possibly non-ASCII) code point as UTF-8.
      const cp = s.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      for (const b of enc.encode(ch)) bytes.push(b);
      i += ch.length - 1;
    }
  }
  return new TextDecoder('utf-8').decode(new Uint8Array(bytes));
}

/** Parse "a=1&b=x+y&a=%C3%A9" into [["a","1"],["b","x y"],["a","é"]]. Empty pieces are skipped. */
export function parseForm(input: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (!input) return out;
  for (const piece of input.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const name = eq === -1 ? piece : piece.slice(0, eq);
    const value = eq === -1 ? '' : piece.slice(eq + 1);
    out.push([formDecode(name), formDecode(value)]);
  }
  return out;
}

/**
 * Heuristic: does this text look like a urlencoded form body (k=v&k2=v2)?
 * Used to offer the Form view when the content type does not say so.
 */
export function looksLikeForm(text: string): boolean {
  const t = text.replace(/\r?\n$/, '');
  if (t.length === 0 || t.length > 1_000_000) return false;
  if (!t.includes('=')) return false;
  return /^[^=&\s]+=[^&\s]*(?:&[^=&\s]+(?:=[^&\s]*)?)*&?$/.test(t);
}

export function isFormContentType(ct: string | null): boolean {
  return !!ct && /^\s*application\/x-www-form-urlencoded\b/i.test(ct);
}
