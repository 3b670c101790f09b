import { describe, expect, it } from 'vitest';
import { describeBackoff, formatBackoff, formatMs, normaliseRate, parseBackoff, parseDuration, rateProblem } from './duration';

describe('durations', () => {
  it('parses seconds, units and sums', () => {
    expect(parseDuration('10')).toEqual({ ok: true, value: 10_000 });
    expect(parseDuration('2.5')).toEqual({ ok: true, value: 2500 });
    expect(parseDuration('500ms')).toEqual({ ok: true, value: 500 });
    expect(parseDuration(' 5s ')).toEqual({ ok: true, value: 5000 });
    expect(parseDuration('2m')).toEqual({ ok: true, value: 120_000 });
    expect(parseDuration('1h30m')).toEqual({ ok: true, value: 5_400_000 });
    expect(parseDuration('1.5s')).toEqual({ ok: true, value: 1500 });
    expect(parseDuration('3 min')).toEqual({ ok: true, value: 180_000 });
    expect(parseDuration('').ok).toBe(false);
    expect(parseDuration('5x').ok).toBe(false);
    expect(parseDuration('5M').ok).toBe(false); // months in humantime, not minutes
    expect(parseDuration('s').ok).toBe(false);
    expect(parseDuration('5s junk').ok).toBe(false);
  });

  it('formats in the largest exact unit, and round-trips', () => {
    expect(formatMs(0)).toBe('0s');
    expect(formatMs(5000)).toBe('5s');
    expect(formatMs(90_000)).toBe('90s');
    expect(formatMs(120_000)).toBe('2m');
    expect(formatMs(3_600_000)).toBe('1h');
    expect(formatMs(86_400_000)).toBe('1d');
    expect(formatMs(1500)).toBe('1500ms');
    for (const ms of [0, 1, 999, 1000, 1500, 61_000, 7_200_000]) {
      const p = parseDuration(formatMs(ms));
      expect(p).toEqual({ ok: true, value: ms });
    }
  });
});

describe('backoff text ↔ ms', () => {
  it('parses the waits before each attempt', () => {
    expect(parseBackoff('0s,5s,25s')).toEqual({ ok: true, value: [0, 5000, 25_000] });
    expect(parseBackoff(' 0 , 500ms, 2m ')).toEqual({ ok: true, value: [0, 500, 120_000] });
    expect(parseBackoff('1')).toEqual({ ok: true, value: [1000] });
  });

  it('refuses empty, malformed and too long waits', () => {
    expect(parseBackoff('').ok).toBe(false);
    expect(parseBackoff('0s,,5s')).toMatchObject({ ok: false, error: expect.stringContaining('empty wait') });
    expect(parseBackoff('0s,soon')).toMatchObject({ ok: false, error: expect.stringContaining('“soon”') });
    expect(parseBackoff('2d')).toMatchObject({ ok: false, error: expect.stringContaining('longer than a day') });
    expect(parseBackoff('1d').ok).toBe(true);
  });

  it('formats a stored backoff without the repeats the engine added', () => {
    expect(formatBackoff([0, 5000, 25_000])).toBe('0s,5s,25s');
    expect(formatBackoff([0, 5000, 25_000, 25_000, 25_000])).toBe('0s,5s,25s');
    expect(formatBackoff([0, 0, 0])).toBe('0s');
    expect(formatBackoff([1500, 60_000])).toBe('1500ms,1m');
    expect(formatBackoff([])).toBe('');
    expect(describeBackoff([0, 5000, 25_000, 25_000])).toBe('0 s, 5 s, 25 s');
    // what the form shows parses back to what the engine stores (before its extension)
    const p = parseBackoff(formatBackoff([0, 5000, 25_000, 25_000]));
    expect(p).toEqual({ ok: true, value: [0, 5000, 25_000] });
  });
});

describe('rates', () => {
  it('accepts what the engine accepts', () => {
    for (const r of ['', '1/s', '10/min', '100/h', '2/d', '5/10s', '1 / s', '3/500ms', '1/minute', '1000/s']) {
      expect(rateProblem(r), r).toBeNull();
    }
  });
  it('refuses with plain words', () => {
    expect(rateProblem('fast')).toContain('not a rate');
    expect(rateProblem('0/s')).toContain('at least 1');
    expect(rateProblem('1/fortnight')).toContain('not a period');
    expect(rateProblem('1/2d')).toContain('longer than a day');
    expect(rateProblem('2000/s')).toContain('faster than 1000');
    expect(rateProblem('1.5/s')).toContain('not a rate');
    expect(rateProblem('1/0s')).toContain('at least 1 ms');
  });
  it('normalises for the engine', () => {
    expect(normaliseRate(' 5 / 10 s ')).toBe('5/10s');
    expect(normaliseRate('  ')).toBeNull();
  });
});
