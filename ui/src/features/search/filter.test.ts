import { describe, expect, it } from 'vitest';
import type { CaptureSummary } from '../../bindings/CaptureSummary';
import { activeCount, EMPTY_FILTER, fromCaptureFilter, isEmpty, matchesLocally, toCaptureFilter, type FilterState } from './filter';

const NOW = 1_800_000_000_000_000;

const summary = (over: Partial<CaptureSummary> = {}): CaptureSummary => ({
  id: 7,
  received_at: '',
  received_at_us: NOW - 1_000_000,
  endpoint: 'stripe',
  method: 'POST',
  path: '/stripe',
  query: '',
  body_size: 10,
  body_over_limit: false,
  content_type: 'application/json',
  remote_addr: '127.0.0.1:1',
  via: 'local',
  forwarded_for: null,
  event_type: 'invoice.paid',
  duplicate_of: null,
  verdict: { status: 'invalid', reason: 'bad_signature', scheme: 'stripe', matched_secret_index: null },
  detected_scheme: null,
  forward: null,
  pinned: false,
  ...over,
});

describe('toCaptureFilter', () => {
  it('an empty state is every capture', () => {
    expect(toCaptureFilter(EMPTY_FILTER, NOW)).toEqual({
      endpoint: null, search: null, query: null, method: null, verdict: null, event_type: null, duplicates: false,
      forward_failed: false, via: null, since_us: null, until_us: null, pinned: false, ids: null,
    });
    expect(isEmpty(EMPTY_FILTER)).toBe(true);
  });

  it('maps chips, trims text and resolves a relative range against now', () => {
    const s: FilterState = {
      ...EMPTY_FILTER, text: '  ORD-2024 ', expr: ' verdict == "invalid" ', method: 'POST', verdict: 'invalid', eventType: 'invoice.paid',
      duplicates: true, forwardFailed: true, via: 'tunnel', range: '1h', pinned: true, endpoint: 'stripe',
    };
    const f = toCaptureFilter(s, NOW);
    expect(f).toMatchObject({
      endpoint: 'stripe', search: 'ORD-2024', query: 'verdict == "invalid"', method: 'POST', verdict: 'invalid', event_type: 'invoice.paid',
      duplicates: true, forward_failed: true, via: 'tunnel', since_us: NOW - 3_600_000_000, until_us: null, pinned: true,
    });
    expect(activeCount(s)).toBe(10);
  });

  it('round-trips through a saved filter, presets staying relative', () => {
    const s: FilterState = { ...EMPTY_FILTER, text: 'x', verdict: 'none', range: '24h' };
    const back = fromCaptureFilter(toCaptureFilter(s, NOW), '24h');
    expect(back).toEqual(s);
    const custom: FilterState = { ...EMPTY_FILTER, range: 'custom', sinceUs: 5, untilUs: 9 };
    expect(fromCaptureFilter(toCaptureFilter(custom, NOW))).toEqual(custom);
  });
});

describe('matchesLocally', () => {
  const f = (s: Partial<FilterState>) => toCaptureFilter({ ...EMPTY_FILTER, ...s }, NOW);
  it('judges chips on the summary', () => {
    expect(matchesLocally(f({ verdict: 'invalid' }), summary())).toBe(true);
    expect(matchesLocally(f({ verdict: 'valid' }), summary())).toBe(false);
    expect(matchesLocally(f({ verdict: 'none' }), summary({ verdict: null }))).toBe(true);
    expect(matchesLocally(f({ method: 'get' }), summary())).toBe(false);
    expect(matchesLocally(f({ duplicates: true }), summary({ duplicate_of: 3 }))).toBe(true);
    expect(matchesLocally(f({ forwardFailed: true }), summary())).toBe(false);
    expect(matchesLocally(f({ via: 'import' }), summary({ via: 'import' }))).toBe(true);
    expect(matchesLocally(f({ range: '15m' }), summary({ received_at_us: NOW - 16 * 60_000_000 }))).toBe(false);
    expect(matchesLocally(f({ pinned: true }), summary())).toBe(false);
  });
  it('leaves full text and expressions to the engine, unless a chip already excludes it', () => {
    expect(matchesLocally(f({ text: 'x' }), summary())).toBeNull();
    expect(matchesLocally(f({ expr: 'true', endpoint: 'github' }), summary())).toBe(false);
  });
});
