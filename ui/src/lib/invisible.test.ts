import { describe, expect, it } from 'vitest';
import { hasHidden, reveal } from './invisible';

describe('reveal', () => {
  it('leaves ordinary text, tabs and newlines alone', () => {
    expect(reveal('a\tb\r\nc é 日本')).toEqual([{ t: 'a\tb\r\nc é 日本' }]);
    expect(hasHidden('plain text\n')).toBe(false);
  });

  it('splits out bidi overrides, zero-width characters and controls', () => {
    const pieces = reveal('invoice\u202Efdp.exe\u200B\u0000\u001b[2J\u009b');
    expect(pieces.map((p) => (p.code === undefined ? p.t : p.label))).toEqual([
      'invoice',
      'U+202E',
      'fdp.exe',
      'U+200B',
      'U+0000',
      'U+001B',
      '[2J',
      'U+009B',
    ]);
    const rlo = pieces[1];
    expect(rlo.code === undefined ? '' : rlo.name).toBe('U+202E RIGHT-TO-LEFT OVERRIDE: shown, not applied');
  });

  it('keeps every character of the text in order', () => {
    const text = '\ufeff<a>\u2066x\u2069\u2028y\u007f';
    expect(
      reveal(text)
        .map((p) => p.t)
        .join(''),
    ).toBe(text);
  });
});
