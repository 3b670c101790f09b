import { describe, expect, it } from 'vitest';
import { badgeStatus, parseOptions, reasonMeaning, splitSigned, statusLabel } from './signature';

describe('splitSigned', () => {
  it('marks the body range by UTF-8 byte offsets', () => {
    const text = '1700000000.{"a":"é"}';
    const parts = splitSigned(text, [11, 22]);
    expect(parts).toEqual([
      { text: '1700000000.', body: false },
      { text: '{"a":"é"}', body: true },
    ]);
  });
  it('keeps text after the body', () => {
    expect(splitSigned('v0:1:body:end', [5, 9])).toEqual([
      { text: 'v0:1:', body: false },
      { text: 'body', body: true },
      { text: ':end', body: false },
    ]);
  });
  it('clamps ranges and handles no range', () => {
    expect(splitSigned('abc', [1, 99])).toEqual([
      { text: 'a', body: false },
      { text: 'bc', body: true },
    ]);
    expect(splitSigned('abc', null)).toEqual([{ text: 'abc', body: false }]);
    expect(splitSigned('', [0, 0])).toEqual([{ text: '', body: true }]);
  });
  it('never interprets markup', () => {
    const parts = splitSigned('<b>x</b>', [0, 3]);
    expect(parts[0]).toEqual({ text: '<b>', body: true });
  });
});

describe('labels', () => {
  it('maps statuses and null to badges', () => {
    expect(badgeStatus(null)).toBe('unsigned');
    expect(statusLabel('no_secret')).toBe('no secret');
    expect(statusLabel('valid')).toBe('valid');
  });
  it('explains reason codes and passes unknown ones through', () => {
    expect(reasonMeaning('url_mismatch')).toContain('URL');
    expect(reasonMeaning('something_new')).toBe('something_new');
  });
});

describe('parseOptions', () => {
  it('parses name=value lines', () => {
    expect(parseOptions('tolerance_secs = 600\n\npublic_url=https://x.test/a?b=c\n')).toEqual({
      tolerance_secs: '600',
      public_url: 'https://x.test/a?b=c',
    });
  });
  it('rejects lines without =', () => {
    expect(() => parseOptions('oops')).toThrow(/name=value/);
  });
});
