// Build a POSIX-shell curl command that reproduces a captured request.

import { decodeUtf8 } from './bytes';

/** Quote a string for a POSIX shell using single quotes ('it'\''s'). */
export function shellQuote(s: string): string {
  if (s !== '' && /^[A-Za-z0-9_\-.,:/@%+=]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Escape bytes for a printf(1) *format* string, using only POSIX escapes
 * (octal \NNN, \\ and %%), so it works in sh/dash/bash/zsh alike.
 * Returns the already single-quoted argument.
 */
export function printfFormatArg(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x5c) s += '\\\\';
    else if (b === 0x25) s += '%%';
    else if (b === 0x27) s += '\\047';
    // A leading '-' would be taken as an option by printf.
    else if (b === 0x2d && i === 0) s += '\\055';
    else if (b >= 0x20 && b <= 0x7e) s += String.fromCharCode(b);
    else s += '\\' + b.toString(8).padStart(3, '0');
  }
  return `'${s}'`;
}

/** Headers that curl computes itself or that would be wrong when replayed. */
const SKIP_HEADERS = new Set(['host', 'content-length', 'transfer-encoding']);

export type CurlInput = {
  method: string;
  url: string;
  headers: Array<[string, string]>;
  body: Uint8Array;
};

/**
 * A curl command line reproducing the request: method, URL, headers (in
 * order, repeated ones kept, except host/content-length/transfer-encoding)
 * and the exact body bytes.
 *
 * - UTF-8 bodies are passed inline with --data-binary '…' (single-quoted).
 * - Bodies that are not valid UTF-8, contain NUL, or start with '@' (which
 *   curl would read as a file name) are piped in with
 *   printf '<octal escapes>' | curl … --data-binary @-
 */
export function buildCurl(req: CurlInput): string {
  const parts: string[] = ['curl'];
  if (/[[\]{}]/.test(req.url)) parts.push('--globoff');
  if (/\/\.\.?(?:[/?#]|$)/.test(req.url)) parts.push('--path-as-is');
  parts.push('-X', shellQuote(req.method));
  const head = parts.join(' ') + ' ' + shellQuote(req.url);

  const lines: string[] = [head];
  for (const [name, value] of req.headers) {
    if (SKIP_HEADERS.has(name.toLowerCase())) continue;
    // "-H 'X-Empty:'" would remove the header; "X-Empty;" sends it empty.
    const h = value === '' ? `${name};` : `${name}: ${value}`;
    lines.push(`-H ${shellQuote(h)}`);
  }

  let prefix = '';
  if (req.body.length > 0) {
    const text = decodeUtf8(req.body);
    if (text !== null && !text.includes('\0') && !text.startsWith('@')) {
      lines.push(`--data-binary ${shellQuote(text)}`);
    } else {
      prefix = `printf ${printfFormatArg(req.body)} | `;
      lines.push('--data-binary @-');
    }
  }
  return prefix + lines.join(' \\\n  ');
}

/** The one-line example shown in the empty state. */
export function exampleCurl(url: string): string {
  return `curl -X POST ${url} -H 'Content-Type: application/json' -d '{"hello":"world"}'`;
}
