import { describe, expect, it } from 'vitest';
import type { ForwardState } from '../../bindings/ForwardState';
import { canCancel, canRetry, captureMark, countsTitle, filterMatches, FORWARD_FILTERS, relativeTime, retryLabel, STATE_LABEL, stateText, stateTone } from './state';

const ALL: ForwardState[] = ['pending', 'scheduled', 'sending', 'succeeded', 'failed', 'filtered', 'skipped_duplicate', 'cancelled'];

describe('forward states', () => {
  it('has a label and a tone for every state', () => {
    expect(ALL.map((s) => STATE_LABEL[s])).toEqual(['Pending', 'Scheduled', 'Sending', 'Succeeded', 'Failed', 'Filtered out', 'Skipped duplicate', 'Cancelled']);
    expect(ALL.map(stateTone)).toEqual(['open', 'open', 'open', 'ok', 'bad', 'muted', 'muted', 'muted']);
  });

  it('allows retry and cancel where the engine does', () => {
    expect(ALL.filter(canRetry)).toEqual(['scheduled', 'succeeded', 'failed', 'filtered', 'skipped_duplicate', 'cancelled']);
    expect(ALL.filter(canCancel)).toEqual(['pending', 'scheduled', 'sending']);
    expect(retryLabel('succeeded')).toBe('Send again');
    expect(retryLabel('failed')).toBe('Retry now');
  });

  it('matches list filters', () => {
    expect(FORWARD_FILTERS.map((f) => f.id)).toContain('open');
    expect(ALL.filter((s) => filterMatches('open', s))).toEqual(['pending', 'scheduled', 'sending']);
    expect(ALL.filter((s) => filterMatches('all', s))).toEqual(ALL);
    expect(ALL.filter((s) => filterMatches('failed', s))).toEqual(['failed']);
  });

  it('says when a scheduled one goes', () => {
    const now = Date.parse('2026-12-01T10:00:00Z');
    expect(relativeTime('2026-12-01T10:00:12.400Z', now)).toBe('in 12 s');
    expect(relativeTime('2026-12-01T10:03:00Z', now)).toBe('in 3 min');
    expect(relativeTime('2026-12-01T09:59:55Z', now)).toBe('5 s ago');
    expect(relativeTime('2026-12-01T10:00:00.200Z', now)).toBe('now');
    expect(relativeTime('nonsense', now)).toBe('');
    expect(stateText({ state: 'scheduled', next_at: '2026-12-01T10:00:25Z' }, now)).toBe('Scheduled · in 25 s');
    expect(stateText({ state: 'pending', next_at: '2026-12-01T10:00:25Z' }, now)).toBe('Pending');
  });

  it('marks a capture by its worst forward, like the engine', () => {
    expect(captureMark([])).toBeNull();
    expect(captureMark(['filtered', 'cancelled', 'skipped_duplicate'])).toBeNull();
    expect(captureMark(['succeeded', 'filtered'])).toBe('succeeded');
    expect(captureMark(['succeeded', 'scheduled'])).toBe('open');
    expect(captureMark(['sending', 'failed', 'succeeded'])).toBe('failed');
  });

  it('titles the top bar counts', () => {
    expect(countsTitle({ pending: 0, scheduled: 0, sending: 0, failed: 0 })).toBe('No forward queued or failed');
    expect(countsTitle({ pending: 2, scheduled: 1, sending: 1, failed: 3 })).toBe('Forwards: 1 sending, 2 pending, 1 waiting to retry, 3 failed. Open the Outbox.');
  });
});
