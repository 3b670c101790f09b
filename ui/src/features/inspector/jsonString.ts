// JSON string literals as a reader wants them: `"Caf\u00e9"` (a PHP sender's json_encode)
// reads `"Café"`. Only escapes of visible characters are decoded; quotes, backslashes,
// control characters, lone surrogates and invisible or direction-changing characters
// (U+200B–U+200F, U+202A–U+202E, U+2060–U+2069, U+FEFF) stay escaped, so nothing hostile can
// hide in the decoded view. The exact text stays in the Text view. Pure.

// Characters that must stay visible as escapes.
// eslint-disable-next-line no-control-regex
const KEEP_ESCAPED = /[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]/;

function escapeChar(ch: string): string {
  switch (ch) {
    case '"':
      return '\\"';
    case '\\':
      return '\\\\';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    case '\b':
      return '\\b';
    case '\f':
      return '\\f';
  }
  const code = ch.charCodeAt(0);
  if (ch.length === 1 && (KEEP_ESCAPED.test(ch) || (code >= 0xd800 && code <= 0xdfff))) {
    return '\\u' + code.toString(16).padStart(4, '0');
  }
  return ch;
}

/**
 * The display form of one JSON string token (with its quotes): escapes of visible characters
 * decoded. `decoded` tells whether it differs from the token as sent.
 */
export function displayJsonString(token: string): { text: string; decoded: boolean } {
  if (!token.includes('\\')) return { text: token, decoded: false };
  let value: string;
  try {
    value = JSON.parse(token) as string;
  } catch {
    return { text: token, decoded: false };
  }
  let out = '"';
  // Iterate UTF-16 units so lone surrogates are seen (and kept escaped); pairs stay together.
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length) {
      const d = value.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += value.slice(i, i + 2);
        i++;
        continue;
      }
    }
    out += escapeChar(value[i]);
  }
  out += '"';
  return { text: out, decoded: out !== token };
}
