import { describe, expect, it } from 'vitest';
import { countOutcomes, failureTitle, formatDuration, matchesFilter, outcomeLabel, statusClass } from './outcome';

const ok = { outcome: 'response' as const, status: 201, error_code: null };
const notFound = { outcome: 'response' as const, status: 404, error_code: null };
const redirect = { outcome: 'response' as const, status: 302, error_code: null };
const boom = { outcome: 'response' as const, status: 503, error_code: null };
const refused = { outcome: 'failed' as const, status: null, error_code: 'refused' as const };
const cancelled = { outcome: 'cancelled' as const, status: null, error_code: 'cancelled' as const };

describe('delivery outcome', () => {
  it('colours by status class', () => {
    expect([ok, redirect, notFound, boom, refused, cancelled].map(statusClass)).toEqual([
      'ok',
      'redirect',
      'client',
      'server',
      'failed',
      'cancelled',
    ]);
    expect(statusClass({ outcome: 'response', status: 101, error_code: null })).toBe('info');
  });

  it('titles failures by code, never by message', () => {
    expect(failureTitle('refused')).toBe('Connection refused');
    expect(failureTitle('timeout')).toBe('Timed out');
    expect(failureTitle('something_new')).toBe('No answer');
    expect(failureTitle(null)).toBe('No answer');
    expect(outcomeLabel(ok)).toBe('201');
    expect(outcomeLabel(refused)).toBe('Connection refused');
    expect(outcomeLabel(cancelled)).toBe('Cancelled');
  });

  it('matches the list filters like the engine', () => {
    const all = [ok, redirect, notFound, boom, refused, cancelled];
    expect(all.filter((d) => matchesFilter('all', d))).toHaveLength(6);
    expect(all.filter((d) => matchesFilter('success', d))).toEqual([ok]);
    expect(all.filter((d) => matchesFilter('other', d))).toEqual([redirect, notFound, boom]);
    expect(all.filter((d) => matchesFilter('failed', d))).toEqual([refused, cancelled]);
  });

  it('counts a batch: sent, 2xx, other, failed (skipped captures are failures)', () => {
    expect(countOutcomes([])).toEqual({ sent: 0, success: 0, other: 0, failed: 0 });
    expect(countOutcomes([ok, ok, notFound, refused, cancelled])).toEqual({ sent: 5, success: 2, other: 1, failed: 2 });
    expect(countOutcomes([ok, boom], 3)).toEqual({ sent: 2, success: 1, other: 1, failed: 1 });
  });

  it('formats durations', () => {
    expect(formatDuration(3.25)).toBe('3.3 ms');
    expect(formatDuration(850.4)).toBe('850 ms');
    expect(formatDuration(1432)).toBe('1.43 s');
    expect(formatDuration(12_345)).toBe('12.3 s');
    expect(formatDuration(125_000)).toBe('2 min 05 s');
    expect(formatDuration(-1)).toBe('—');
  });
});
