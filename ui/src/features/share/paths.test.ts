import { describe, expect, it } from 'vitest';
import { bodyFileName, defaultExportName, joinPath, parseJsonPaths, withExtension } from './paths';

describe('export paths', () => {
  it('names the file by date and format', () => {
    const now = new Date(2026, 10, 28, 14, 5);
    expect(defaultExportName(now, 'har', false)).toBe('hookloupe-2026-11-28-1405.har');
    expect(defaultExportName(now, 'jsonl', true)).toBe('hookloupe-2026-11-28-1405-redacted.jsonl');
  });
  it('joins with the separator the folder uses', () => {
    expect(joinPath('/home/a/Downloads', 'x.har')).toBe('/home/a/Downloads/x.har');
    expect(joinPath('/home/a/', 'x.har')).toBe('/home/a/x.har');
    expect(joinPath('C:\\Users\\a', 'x.har')).toBe('C:\\Users\\a\\x.har');
  });
  it('switches our extensions, keeps foreign ones', () => {
    expect(withExtension('/t/a.har', 'jsonl')).toBe('/t/a.jsonl');
    expect(withExtension('/t/a', 'har')).toBe('/t/a.har');
    expect(withExtension('/t/a.txt', 'har')).toBe('/t/a.txt');
  });
  it('reads JSON paths one per line or comma-separated', () => {
    expect(parseJsonPaths(' data.customer.email \n\nitems[*].iban, x ')).toEqual(['data.customer.email', 'items[*].iban', 'x']);
  });
});

describe('bodyFileName', () => {
  it('takes the extension from the content type', () => {
    expect(bodyFileName(42, 'application/json; charset=utf-8')).toBe('capture-42.json');
    expect(bodyFileName(7, 'application/vnd.api+json')).toBe('capture-7.json');
    expect(bodyFileName(7, 'application/soap+xml')).toBe('capture-7.xml');
    expect(bodyFileName(7, 'application/x-www-form-urlencoded')).toBe('capture-7.txt');
    expect(bodyFileName(7, 'text/csv')).toBe('capture-7.csv');
    expect(bodyFileName(7, 'TEXT/Markdown')).toBe('capture-7.txt');
    expect(bodyFileName(7, 'application/octet-stream')).toBe('capture-7.bin');
    expect(bodyFileName(7, null)).toBe('capture-7.bin');
  });
});
