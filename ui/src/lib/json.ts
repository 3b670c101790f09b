// JSON tokenizer and pretty-printer for syntax colouring.
//
// The pretty-printer works on the tokens of the original text instead of
// JSON.parse + JSON.stringify, so the output is faithful to what was sent:
// number literals keep their exact spelling (no precision loss on big
// integers), string escapes are kept as written, duplicate keys are kept.

export type TokenKind =
  | 'punct' // { } [ ] , :
  | 'key' // a string used as an object key
  | 'string'
  | 'number'
  | 'literal' // true false null
  | 'ws'; // whitespace / newlines / indentation

export type Token = { k: TokenKind; t: string };

type Lexeme = { k: 'punct' | 'string' | 'number' | 'literal'; t: string; pos: number };

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    public pos: number,
  ) {
    super(`${message} at offset ${pos}`);
  }
}

/**
 * Containers nested deeper than this are not pretty-printed (the printer recurses, and a
 * payload 100,000 levels deep would exhaust the stack): {@link JsonTooDeepError}.
 */
export const MAX_PRETTY_DEPTH = 1000;
/** Indentation stops growing past this depth (10,000 levels would be 10,000 columns wide). */
export const MAX_INDENT_DEPTH = 64;

/** Valid or not, the text nests deeper than {@link MAX_PRETTY_DEPTH}: shown as text instead. */
export class JsonTooDeepError extends Error {
  constructor(public pos: number) {
    super(`nested more than ${MAX_PRETTY_DEPTH.toLocaleString('en-US')} levels deep at offset ${pos}`);
  }
}

const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING_RE = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const WS_RE = /[ \t\n\r]+/y;

/** Split JSON text into lexemes (whitespace dropped). Throws JsonSyntaxError on invalid lexemes. */
export function lex(text: string): Lexeme[] {
  const out: Lexeme[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
      WS_RE.lastIndex = i;
      WS_RE.exec(text);
      i = WS_RE.lastIndex;
      continue;
    }
    const ch = text[i];
    if (ch === '{' || ch === '}' || ch === '[' || ch === ']' || ch === ',' || ch === ':') {
      out.push({ k: 'punct', t: ch, pos: i });
      i++;
    } else if (ch === '"') {
      STRING_RE.lastIndex = i;
      const m = STRING_RE.exec(text);
      if (!m) throw new JsonSyntaxError('invalid string', i);
      out.push({ k: 'string', t: m[0], pos: i });
      i += m[0].length;
    } else if (ch === '-' || (c >= 0x30 && c <= 0x39)) {
      NUMBER_RE.lastIndex = i;
      const m = NUMBER_RE.exec(text);
      if (!m) throw new JsonSyntaxError('invalid number', i);
      out.push({ k: 'number', t: m[0], pos: i });
      i += m[0].length;
    } else if (text.startsWith('true', i) || text.startsWith('null', i)) {
      out.push({ k: 'literal', t: text.slice(i, i + 4), pos: i });
      i += 4;
    } else if (text.startsWith('false', i)) {
      out.push({ k: 'literal', t: 'false', pos: i });
      i += 5;
    } else {
      throw new JsonSyntaxError(`unexpected character ${JSON.stringify(ch)}`, i);
    }
  }
  return out;
}

export type Pretty = {
  /** Coloured tokens; concatenating their text gives `text`. */
  tokens: Token[];
  /** The pretty-printed text (2-space indent, like JSON.stringify(v, null, 2)). */
  text: string;
  /** Number of lines in `text`. */
  lines: number;
};

/**
 * Validate and pretty-print JSON. Throws JsonSyntaxError when the text is not
 * a single valid JSON value.
 */
export function prettyJson(text: string, indent = 2): Pretty {
  const lx = lex(text);
  const tokens: Token[] = [];
  let p = 0;
  let lines = 1;
  const pad = ' '.repeat(indent);
  const end = text.length;

  const peek = () => lx[p];
  const expectPunct = (t: string) => {
    const l = lx[p];
    if (!l || l.k !== 'punct' || l.t !== t) {
      throw new JsonSyntaxError(`expected '${t}'`, l ? l.pos : end);
    }
    p++;
    tokens.push({ k: 'punct', t });
  };
  const newline = (depth: number) => {
    tokens.push({ k: 'ws', t: '\n' + pad.repeat(Math.min(depth, MAX_INDENT_DEPTH)) });
    lines++;
  };

  const value = (depth: number): void => {
    const l = lx[p];
    if (!l) throw new JsonSyntaxError('unexpected end of input', end);
    if (l.k === 'punct') {
      if ((l.t === '{' || l.t === '[') && depth >= MAX_PRETTY_DEPTH) throw new JsonTooDeepError(l.pos);
      if (l.t === '{') return object(depth);
      if (l.t === '[') return array(depth);
      throw new JsonSyntaxError(`unexpected '${l.t}'`, l.pos);
    }
    p++;
    tokens.push({ k: l.k, t: l.t });
  };

  const object = (depth: number) => {
    expectPunct('{');
    const next = peek();
    if (next && next.k === 'punct' && next.t === '}') {
      p++;
      tokens.push({ k: 'punct', t: '}' });
      return;
    }
    for (;;) {
      newline(depth + 1);
      const key = lx[p];
      if (!key || key.k !== 'string') throw new JsonSyntaxError('expected a string key', key ? key.pos : end);
      p++;
      tokens.push({ k: 'key', t: key.t });
      expectPunct(':');
      tokens.push({ k: 'ws', t: ' ' });
      value(depth + 1);
      const sep = lx[p];
      if (sep && sep.k === 'punct' && sep.t === ',') {
        p++;
        tokens.push({ k: 'punct', t: ',' });
        continue;
      }
      newline(depth);
      expectPunct('}');
      return;
    }
  };

  const array = (depth: number) => {
    expectPunct('[');
    const next = peek();
    if (next && next.k === 'punct' && next.t === ']') {
      p++;
      tokens.push({ k: 'punct', t: ']' });
      return;
    }
    for (;;) {
      newline(depth + 1);
      value(depth + 1);
      const sep = lx[p];
      if (sep && sep.k === 'punct' && sep.t === ',') {
        p++;
        tokens.push({ k: 'punct', t: ',' });
        continue;
      }
      newline(depth);
      expectPunct(']');
      return;
    }
  };

  value(0);
  if (p < lx.length) throw new JsonSyntaxError('unexpected data after the JSON value', lx[p].pos);

  return { tokens, text: tokens.map((t) => t.t).join(''), lines };
}

/** Try prettyJson; returns null instead of throwing. */
export function tryPrettyJson(text: string): Pretty | null {
  try {
    return prettyJson(text);
  } catch {
    return null;
  }
}

/**
 * The tokens that make up the first `maxLines` lines of a pretty result
 * (for capped rendering of huge documents).
 */
export function tokensForLines(pretty: Pretty, maxLines: number): Token[] {
  if (pretty.lines <= maxLines) return pretty.tokens;
  let line = 1;
  for (let i = 0; i < pretty.tokens.length; i++) {
    const tok = pretty.tokens[i];
    if (tok.k === 'ws' && tok.t.startsWith('\n')) {
      line++;
      if (line > maxLines) return pretty.tokens.slice(0, i);
    }
  }
  return pretty.tokens;
}

export function isJsonContentType(ct: string | null): boolean {
  if (!ct) return false;
  const base = ct.split(';')[0].trim().toLowerCase();
  return base === 'application/json' || base.endsWith('+json') || base === 'text/json';
}

/** Cheap check before trying a full parse on bodies without a JSON content type. */
export function looksLikeJson(text: string): boolean {
  const t = text.trimStart();
  return t.startsWith('{') || t.startsWith('[');
}
