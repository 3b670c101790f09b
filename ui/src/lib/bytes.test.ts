import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64, bytesToHex, decodeUtf8, hexDumpText, hexRows, isValidUtf8 } from './bytes';

describe('base64', () => {
  it('decodes to exact bytes, including non-UTF-8 and NUL', () => {
    const bytes = base64ToBytes('AP/+gGNhZuk=');
    expect(Array.from(bytes)).toEqual([0x00, 0xff, 0xfe, 0x80, 0x63, 0x61, 0x66, 0xe9]);
  });
  it('handles empty input and round-trips', () => {
    expect(base64ToBytes('').length).toBe(0);
    const all = new Uint8Array(256).map((_, i) => i);
    expect(Array.from(base64ToBytes(bytesToBase64(all)))).toEqual(Array.from(all));
  });
});

describe('utf-8 detection', () => {
  it('accepts valid multi-byte text', () => {
    const bytes = new TextEncoder().encode('héllo – 🙂');
    expect(decodeUtf8(bytes)).toBe('héllo – 🙂');
  });
  it('rejects latin-1 and truncated sequences', () => {
    expect(isValidUtf8(new Uint8Array([0x63, 0x61, 0x66, 0xe9]))).toBe(false); // "café" in latin-1
    expect(isValidUtf8(new Uint8Array([0xe2, 0x82]))).toBe(false);
    expect(decodeUtf8(new Uint8Array([0xff]))).toBeNull();
  });
  it('keeps a leading BOM visible', () => {
    expect(decodeUtf8(new Uint8Array([0xef, 0xbb, 0xbf, 0x41]))).toBe('\ufeffA');
  });
});

describe('hex dump', () => {
  it('formats non-UTF-8 bytes with offsets, grouped hex and dotted ASCII', () => {
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe, 0x41, 0x42, 0x00, 0x7f, 0x20, 0x7e, 0xe9]);
    const rows = hexRows(bytes);
    expect(rows).toHaveLength(2);
    expect(rows[0].offsetText).toBe('00000000');
    expect(rows[0].hex).toBe('89 50 4e 47 0d 0a 1a 0a  ff fe 41 42 00 7f 20 7e');
    expect(rows[0].ascii).toBe('.PNG......AB.. ~');
    expect(rows[1].offset).toBe(16);
    expect(rows[1].offsetText).toBe('00000010');
    expect(rows[1].hex.trimEnd()).toBe('e9');
    expect(rows[1].hex.length).toBe(rows[0].hex.length);
    expect(rows[1].ascii).toBe('.');
  });
  it('renders a window of rows and a text dump', () => {
    const bytes = new Uint8Array(100).map((_, i) => i);
    const rows = hexRows(bytes, 32, 64);
    expect(rows.map((r) => r.offset)).toEqual([32, 48]);
    expect(hexDumpText(new Uint8Array([0x68, 0x69]))).toBe(
      '00000000  68 69' + ' '.repeat(48 - 5) + '  |hi|',
    );
  });
  it('produces continuous hex for copying', () => {
    expect(bytesToHex(new Uint8Array([0xde, 0xad, 0x00, 0x0f]))).toBe('dead000f');
  });
});
