import { describe, expect, it } from 'vitest';
import { formDecode, isFormContentType, looksLikeForm, parseForm } from './form';

describe('parseForm', () => {
  it('decodes + as space and %XX as UTF-8 bytes, keeping order and repeated keys', () => {
    expect(parseForm('name=J+Doe&tag=a&city=S%C3%A3o+Paulo&tag=b%26c&note=100%25')).toEqual([
      ['name', 'J Doe'],
      ['tag', 'a'],
      ['city', 'São Paulo'],
      ['tag', 'b&c'],
      ['note', '100%'],
    ]);
  });
  it('handles missing values, empty pieces, encoded keys and = in values', () => {
    expect(parseForm('a&&b=&c%5B0%5D=1&d=x=y')).toEqual([
      ['a', ''],
      ['b', ''],
      ['c[0]', '1'],
      ['d', 'x=y'],
    ]);
    expect(parseForm('')).toEqual([]);
  });
  it('keeps malformed escapes literally and replaces invalid UTF-8', () => {
    expect(formDecode('%zz%4')).toBe('%zz%4');
    expect(formDecode('%E9t%C3%A9')).toBe('\ufffdt\u00e9');
    expect(formDecode('%2B+')).toBe('+ ');
  });
  it('detects form-looking bodies and content types', () => {
    expect(looksLikeForm('a=1&b=2')).toBe(true);
    expect(looksLikeForm('payload=%7B%7D\n')).toBe(true);
    expect(looksLikeForm('{"a":1}')).toBe(false);
    expect(looksLikeForm('hello world')).toBe(false);
    expect(isFormContentType('application/x-www-form-urlencoded; charset=utf-8')).toBe(true);
    expect(isFormContentType('application/json')).toBe(false);
    expect(isFormContentType(null)).toBe(false);
  });
});
