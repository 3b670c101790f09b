import { describe, expect, it } from 'vitest';
import { displayJsonString } from './jsonString';

describe('displayJsonString', () => {
  it('decodes escapes of visible characters (a PHP sender)', () => {
    expect(displayJsonString('"Caf\\u00e9"')).toEqual({ text: '"Café"', decoded: true });
    expect(displayJsonString('"\\ud83d\\ude00 ok"')).toEqual({ text: '"😀 ok"', decoded: true });
    expect(displayJsonString('"a\\/b"')).toEqual({ text: '"a/b"', decoded: true });
  });

  it('leaves strings without escapes as they are', () => {
    expect(displayJsonString('"plain"')).toEqual({ text: '"plain"', decoded: false });
  });

  it('keeps quotes, backslashes and control characters escaped', () => {
    expect(displayJsonString('"say \\"hi\\"\\n\\\\ \\u0007"')).toEqual({ text: '"say \\"hi\\"\\n\\\\ \\u0007"', decoded: false });
  });

  it('keeps invisible and direction-changing characters and lone surrogates escaped', () => {
    expect(displayJsonString('"\\u202eevil\\u200b"').text).toBe('"\\u202eevil\\u200b"');
    expect(displayJsonString('"\\ud800x"').text).toBe('"\\ud800x"');
    expect(displayJsonString('"\\ufeffBOM \\u00e9"').text).toBe('"\\ufeffBOM é"');
  });
});
