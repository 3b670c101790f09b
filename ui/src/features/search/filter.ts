// The list's filter as the user edits it (search words, a CEL expression, chips) and its
// wire form, CaptureFilter. Pure: the clock is passed in (`nowUs`), nothing is stored or sent.
import type { CaptureFilter } from '../../bindings/CaptureFilter';
import type { CaptureSummary } from '../../bindings/CaptureSummary';
import type { VerdictChip } from '../../bindings/VerdictChip';

export type TimeRange = 'all' | '15m' | '1h' | '24h' | '7d' | 'custom';
export type Via = 'local' | 'tunnel' | 'import';

export type FilterState = {
  endpoint: string | null;
  /** Full-text words. */
  text: string;
  /** A CEL expression (the forward rules' language). */
  expr: string;
  method: string | null;
  verdict: VerdictChip | null;
  eventType: string | null;
  duplicates: boolean;
  forwardFailed: boolean;
  via: Via | null;
  range: TimeRange;
  /** Custom range bounds, microseconds since the epoch (range === 'custom'). */
  sinceUs: number | null;
  untilUs: number | null;
  pinned: boolean;
};

export const EMPTY_FILTER: FilterState = {
  endpoint: null,
  text: '',
  expr: '',
  method: null,
  verdict: null,
  eventType: null,
  duplicates: false,
  forwardFailed: false,
  via: null,
  range: 'all',
  sinceUs: null,
  untilUs: null,
  pinned: false,
};

export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export const VERDICTS: Array<{ id: VerdictChip; label: string }> = [
  { id: 'valid', label: 'valid' },
  { id: 'invalid', label: 'invalid' },
  { id: 'expired', label: 'expired' },
  { id: 'unsigned', label: 'unsigned' },
  { id: 'no_secret', label: 'no secret' },
  { id: 'none', label: 'none' },
];
export const VIAS: Via[] = ['local', 'tunnel', 'import'];

const MINUTE_US = 60_000_000;
export const RANGES: Array<{ id: Exclude<TimeRange, 'all' | 'custom'>; label: string; us: number }> = [
  { id: '15m', label: 'last 15 min', us: 15 * MINUTE_US },
  { id: '1h', label: 'last 1 h', us: 60 * MINUTE_US },
  { id: '24h', label: 'last 24 h', us: 24 * 60 * MINUTE_US },
  { id: '7d', label: 'last 7 d', us: 7 * 24 * 60 * MINUTE_US },
];

const trimOrNull = (s: string) => (s.trim() === '' ? null : s.trim());

/** The wire filter of a state; relative time ranges are resolved against `nowUs`. */
export function toCaptureFilter(s: FilterState, nowUs: number): CaptureFilter {
  let since: number | null = null;
  let until: number | null = null;
  if (s.range === 'custom') {
    since = s.sinceUs;
    until = s.untilUs;
  } else if (s.range !== 'all') {
    const r = RANGES.find((x) => x.id === s.range)!;
    since = nowUs - r.us;
  }
  return {
    endpoint: s.endpoint,
    search: trimOrNull(s.text),
    query: trimOrNull(s.expr),
    method: s.method,
    verdict: s.verdict,
    event_type: s.eventType,
    duplicates: s.duplicates,
    forward_failed: s.forwardFailed,
    via: s.via,
    since_us: since,
    until_us: until,
    pinned: s.pinned,
    ids: null,
  };
}

/**
 * The state that gives back `f` (a saved filter). A range saved as a preset (`range`, kept by the
 * UI next to the saved filter) is applied as that preset again, relative to the time of use;
 * otherwise explicit bounds become a custom range.
 */
export function fromCaptureFilter(f: CaptureFilter, range: TimeRange | null = null): FilterState {
  const preset = range !== null && range !== 'custom' && range !== 'all' ? range : null;
  const hasBounds = f.since_us !== null || f.until_us !== null;
  return {
    endpoint: f.endpoint,
    text: f.search ?? '',
    expr: f.query ?? '',
    method: f.method,
    verdict: f.verdict,
    eventType: f.event_type,
    duplicates: f.duplicates,
    forwardFailed: f.forward_failed,
    via: (VIAS as string[]).includes(f.via ?? '') ? (f.via as Via) : null,
    range: preset ?? (hasBounds ? 'custom' : 'all'),
    sinceUs: preset ? null : f.since_us,
    untilUs: preset ? null : f.until_us,
    pinned: f.pinned,
  };
}

/** The wire filter of every capture. */
export function everyCapture(): CaptureFilter {
  return toCaptureFilter(EMPTY_FILTER, 0);
}

/** No narrowing at all: every capture. */
export function isEmpty(s: FilterState): boolean {
  return sameFilter(s, EMPTY_FILTER);
}

/** Narrowing beyond the endpoint (which has its own picker in the top bar). */
export function activeCount(s: FilterState): number {
  let n = 0;
  if (s.text.trim()) n++;
  if (s.expr.trim()) n++;
  if (s.method) n++;
  if (s.verdict) n++;
  if (s.eventType) n++;
  if (s.duplicates) n++;
  if (s.forwardFailed) n++;
  if (s.via) n++;
  if (s.range !== 'all') n++;
  if (s.pinned) n++;
  return n;
}

export function sameFilter(a: FilterState, b: FilterState): boolean {
  return (Object.keys(a) as Array<keyof FilterState>).every((k) => {
    if (k === 'text' || k === 'expr') return a[k].trim() === b[k].trim();
    return a[k] === b[k];
  });
}

/**
 * Whether a new capture belongs in the list, judged on its summary alone: `true`/`false`, or
 * `null` when only the engine can tell (full text or an expression).
 */
export function matchesLocally(f: CaptureFilter, c: CaptureSummary): boolean | null {
  if (f.ids !== null && !f.ids.includes(c.id)) return false;
  if (f.endpoint !== null && c.endpoint !== f.endpoint) return false;
  if (f.method !== null && c.method.toUpperCase() !== f.method.toUpperCase()) return false;
  if (f.verdict !== null) {
    const status = c.verdict?.status ?? null;
    if (f.verdict === 'none' ? status !== null : status !== f.verdict) return false;
  }
  if (f.event_type !== null && c.event_type !== f.event_type) return false;
  if (f.duplicates && c.duplicate_of === null) return false;
  if (f.forward_failed && c.forward !== 'failed') return false;
  if (f.via !== null && c.via !== f.via) return false;
  if (f.since_us !== null && c.received_at_us < f.since_us) return false;
  if (f.until_us !== null && c.received_at_us >= f.until_us) return false;
  if (f.pinned && !c.pinned) return false;
  if (f.search !== null || f.query !== null) return null;
  return true;
}

/** `2026-11-28T14:05` (local time, for datetime-local inputs) from microseconds. */
export function toLocalInput(us: number | null): string {
  if (us === null) return '';
  const d = new Date(Math.floor(us / 1000));
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Microseconds from a datetime-local value (local time); null when empty or invalid. */
export function fromLocalInput(v: string): number | null {
  if (!v) return null;
  const ms = new Date(v).getTime();
  return Number.isFinite(ms) ? ms * 1000 : null;
}
