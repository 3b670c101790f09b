import { describe, expect, it } from 'vitest';
import { isJsonContentType, JsonTooDeepError, lex, MAX_INDENT_DEPTH, MAX_PRETTY_DEPTH, prettyJson, tokensForLines, tryPrettyJson } from './json';

describe('prettyJson', () => {
  it('pretty-prints nested input exactly like JSON.stringify(v, null, 2)', () => {
    const src = '{"id":"evt_1","data":{"object":{"amount":4200,"tags":["a",{"b":[]}],"meta":{}}},"ok":true,"x":null,"f":-1.5e3}';
    const p = prettyJson(src);
    expect(p.text).toBe(JSON.stringify(JSON.parse(src), null, 2).replace('-1500', '-1.5e3'));
    expect(p.text).toContain('"amount": 4200');
    expect(p.lines).toBe(p.text.split('\n').length);
  });
  it('classifies tokens for colouring', () => {
    const p = prettyJson('{"k":["s",1,true,null]}');
    const kinds = p.tokens.filter((t) => t.k !== 'ws').map((t) => `${t.k}:${t.t}`);
    expect(kinds).toEqual([
      'punct:{', 'key:"k"', 'punct::', 'punct:[', 'string:"s"', 'punct:,', 'number:1', 'punct:,',
      'literal:true', 'punct:,', 'literal:null', 'punct:]', 'punct:}',
    ]);
    expect(p.tokens.map((t) => t.t).join('')).toBe(p.text);
  });
  it('keeps number spelling and string escapes as sent', () => {
    const p = prettyJson('{"big":12345678901234567890,"s":"a\\u00e9\\"q\\"","k":"v","k":"w"}');
    expect(p.text).toContain('"big": 12345678901234567890');
    expect(p.text).toContain('"s": "a\\u00e9\\"q\\""');
    expect(p.text.match(/"k"/g)).toHaveLength(2);
  });
  it('rejects invalid JSON', () => {
    for (const bad of ['{"a":1,}', '{a:1}', '[1 2]', '"unterminated', '01', '{"a":1} x', '', 'tru']) {
      expect(tryPrettyJson(bad), bad).toBeNull();
    }
    expect(() => lex('{"a":\u0001}')).toThrow(/offset 5/);
  });
  it('refuses to pretty-print past the depth limit, and caps indentation below it', () => {
    const at = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect(() => prettyJson(at(MAX_PRETTY_DEPTH + 1))).toThrow(JsonTooDeepError);
    expect(() => prettyJson(at(10_000))).toThrow(/nested more than 1,000 levels deep at offset 1000/);
    const p = prettyJson(at(MAX_PRETTY_DEPTH));
    expect(p.lines).toBe(2 * MAX_PRETTY_DEPTH - 1);
    const widest = Math.max(...p.text.split('\n').map((l) => l.length));
    expect(widest).toBe(2 * MAX_INDENT_DEPTH + 2); // the innermost `[]`, indented no further
  });

  it('accepts scalars and surrounding whitespace', () => {
    expect(prettyJson('  42 \n').text).toBe('42');
    expect(prettyJson('[]').text).toBe('[]');
  });
  it('caps tokens by line count', () => {
    const p = prettyJson('[1,2,3,4,5]');
    const first = tokensForLines(p, 3).map((t) => t.t).join('');
    expect(first).toBe('[\n  1,\n  2,');
  });
  it('recognises JSON content types', () => {
    expect(isJsonContentType('application/json; charset=utf-8')).toBe(true);
    expect(isJsonContentType('application/vnd.api+json')).toBe(true);
    expect(isJsonContentType('text/plain')).toBe(false);
  });
});
