// Body editor helpers for JSON: Pretty / Compact rewrite the text (only when the user asks),
// faithfully — the tokens are kept as written (number spellings, string escapes, duplicate
// keys), only whitespace changes. The lint mark comes from the same tokenizer, so it points at
// the offending character in every webview (WebKit's JSON.parse messages carry no position).
import { JsonSyntaxError, JsonTooDeepError, prettyJson } from '../../lib/json';

export function prettyText(text: string): string {
  return prettyJson(text).text;
}

export function compactText(text: string): string {
  return prettyJson(text)
    .tokens.filter((t) => t.k !== 'ws')
    .map((t) => t.t)
    .join('');
}

export type JsonProblem = { from: number; to: number; message: string };

/** Where the text stops being JSON, or null when it is valid (or blank). */
export function jsonProblem(text: string): JsonProblem | null {
  if (text.trim() === '') return null;
  try {
    prettyJson(text);
    return null;
  } catch (e) {
    // Too deep to pretty-print is not a syntax error: nothing to mark.
    if (e instanceof JsonTooDeepError) return null;
    if (!(e instanceof JsonSyntaxError)) return { from: 0, to: Math.min(1, text.length), message: String(e) };
    const from = Math.min(e.pos, text.length);
    const to = from < text.length ? from + 1 : from;
    // "expected ':' at offset 12" → "expected ':' (line 1, column 13)"
    const before = text.slice(0, from);
    const line = before.split('\n').length;
    const column = from - (before.lastIndexOf('\n') + 1) + 1;
    return { from, to, message: `${e.message.replace(/ at offset \d+$/, '')} (line ${line}, column ${column})` };
  }
}
