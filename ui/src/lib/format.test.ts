import { describe, expect, it } from 'vitest';
import { formatBytesExact, formatClock, formatLocalFull, formatSize, plural } from './format';

describe('formatSize', () => {
  it('uses bytes below 1 KiB', () => {
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(1)).toBe('1 B');
    expect(formatSize(1023)).toBe('1023 B');
  });
  it('uses binary units with one decimal below 10', () => {
    expect(formatSize(1024)).toBe('1 KiB');
    expect(formatSize(1229)).toBe('1.2 KiB');
    expect(formatSize(1536)).toBe('1.5 KiB');
    expect(formatSize(123 * 1024)).toBe('123 KiB');
    expect(formatSize(10 * 1024 * 1024)).toBe('10 MiB');
    expect(formatSize(1.25 * 1024 * 1024 * 1024)).toBe('1.3 GiB');
  });
  it('never shows 1024 of a unit', () => {
    expect(formatSize(1024 * 1024 - 1)).toBe('1 MiB');
  });
  it('formats exact counts', () => {
    expect(formatBytesExact(12582912)).toBe('12,582,912 bytes');
    expect(formatBytesExact(1)).toBe('1 byte');
    expect(plural(1, 'capture')).toBe('1 capture');
    expect(plural(1500, 'capture')).toBe('1,500 captures');
  });
});

describe('time formatting', () => {
  it('formats local clock time with milliseconds', () => {
    const d = new Date(2024, 4, 1, 9, 5, 7, 42);
    const us = d.getTime() * 1000 + 999;
    expect(formatClock(us)).toBe('09:05:07.042');
    expect(formatLocalFull(us)).toBe('2024-05-01 09:05:07.042999');
  });
});
