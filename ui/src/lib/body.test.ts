import { describe, expect, it } from 'vitest';
import { analyzeBody } from './body';

const enc = (s: string) => new TextEncoder().encode(s);

describe('analyzeBody', () => {
  it('picks JSON by content type or by content', () => {
    expect(analyzeBody(enc('{"a":1}'), 'application/json').auto).toBe('json');
    expect(analyzeBody(enc('[1,2]'), 'text/plain').auto).toBe('json');
    expect(analyzeBody(enc('{not json'), null).auto).toBe('text');
    // Declared JSON that does not parse still opens in the JSON view (which explains the error).
    expect(analyzeBody(enc('{not json'), 'application/json').auto).toBe('json');
  });
  it('picks form for urlencoded content and offers it for form-looking text', () => {
    const a = analyzeBody(enc('a=1&b=2'), 'application/x-www-form-urlencoded');
    expect(a.auto).toBe('form');
    const b = analyzeBody(enc('a=1&b=2'), 'text/plain');
    expect(b.auto).toBe('text');
    expect(b.modes.form).toBe(true);
  });
  it('falls back to hex for bytes that are not UTF-8', () => {
    const r = analyzeBody(new Uint8Array([0x63, 0x61, 0x66, 0xe9]), 'text/plain');
    expect(r.auto).toBe('hex');
    expect(r.text).toBeNull();
    expect(r.modes).toEqual({ json: false, form: false, text: false, hex: true });
  });
});
