// Durations as the forwarding form writes them: `0s,5s,25s` backoffs, `10s` timeouts, `2.5s`
// deadlines, and rates (`1/s`, `10/min`, `5/10s`). Pure.
//
// Backoffs, timeouts and deadlines are converted to milliseconds here (the engine gets numbers),
// so this parser may be a little more lenient than the CLI's (`2.5s` is fine). A rate goes to
// the engine as text and is parsed there again: `rateProblem` accepts only what the engine's
// parser (humantime periods) accepts too, so a rate it lets through is never refused as
// malformed.

const UNIT_MS: Record<string, number> = {
  ms: 1,
  msec: 1,
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
};

/** Longest single wait of a backoff, and longest rate period (the engine's limit): a day. */
export const MAX_WAIT_MS = 86_400_000;
/** Longest timeout of one attempt (the engine's limit): 10 minutes. */
export const MAX_TIMEOUT_MS = 600_000;
export const MAX_ATTEMPTS = 20;
export const MIN_DEADLINE_MS = 100;
export const MAX_DEADLINE_MS = 60_000;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const err = <T>(error: string): Parsed<T> => ({ ok: false, error });

/**
 * One duration: a plain number is seconds (`2.5`), else one or more number+unit pieces
 * (`500ms`, `5s`, `2m`, `1h30m`, `1.5s`). Rounded to whole milliseconds.
 */
export function parseDuration(text: string): Parsed<number> {
  const t = text.trim();
  if (t === '') return err('empty');
  if (/^\d+(\.\d+)?$/.test(t)) return ok(Math.round(Number(t) * 1000));
  const re = /(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(t)) !== null) {
    const unit = UNIT_MS[m[2]];
    if (unit === undefined) return err(`“${m[2]}” is not a unit: use ms, s, m, h or d`);
    total += Number(m[1]) * unit;
    end = re.lastIndex;
  }
  if (end !== t.length || end === 0) return err(`“${t}” is not a duration: write e.g. 500ms, 5s or 2m`);
  return ok(Math.round(total));
}

/** A duration in the largest unit that divides it exactly: `0s`, `5s`, `90s`, `2m`, `1h`, `1500ms`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms === 0) return '0s';
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** `0s,5s,25s` → [0, 5000, 25000]; each wait at most a day. */
export function parseBackoff(text: string): Parsed<number[]> {
  const t = text.trim();
  if (t === '') return err('write the wait before each attempt, e.g. 0s,5s,25s');
  const out: number[] = [];
  for (const part of t.split(',')) {
    const p = part.trim();
    if (p === '') return err('there is an empty wait between commas');
    const d = parseDuration(p);
    if (!d.ok) return err(`“${p}” is not a duration: write e.g. 0s,5s,25s`);
    if (d.value > MAX_WAIT_MS) return err(`the wait ${p} is longer than a day`);
    out.push(d.value);
  }
  return ok(out);
}

/**
 * A stored backoff as text. The engine extends a backoff to one wait per attempt by repeating
 * its last wait, so trailing repeats are left out: [0, 5000, 25000, 25000] → `0s,5s,25s`.
 */
export function formatBackoff(ms: readonly number[]): string {
  const list = [...ms];
  while (list.length > 1 && list[list.length - 1] === list[list.length - 2]) list.pop();
  return list.map(formatMs).join(',');
}

/** "0 s, 5 s, 25 s" for a summary line. */
export function describeBackoff(ms: readonly number[]): string {
  return formatBackoff(ms)
    .split(',')
    .filter((x) => x)
    .map((x) => x.replace(/([0-9])([a-z])/, '$1 $2'))
    .join(', ');
}

// Period units humantime (the engine's parser) accepts, singular and plural.
const RATE_UNITS: Record<string, number> = {
  ms: 1,
  msec: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
};

const RATE_HINT = 'write a count per period, e.g. 1/s, 10/min, 100/h or 5/10s';

/** Why a rate (`1/s`, `10/min`, `5/10s`) cannot be used, or null when it can (empty: no limit). */
export function rateProblem(text: string): string | null {
  const t = text.trim();
  if (t === '') return null;
  const m = /^(\d+)\s*\/\s*(\d*)\s*([a-zA-Z]+)$/.exec(t);
  if (!m) return `“${t}” is not a rate: ${RATE_HINT}`;
  const count = Number(m[1]);
  if (count === 0) return 'the count must be at least 1 (leave the field empty for no limit)';
  if (count > 4_294_967_295) return `${m[1]} is too many sends`;
  const unit = RATE_UNITS[m[3]];
  if (unit === undefined) return `“${m[3]}” is not a period: ${RATE_HINT}`;
  const period = (m[2] === '' ? 1 : Number(m[2])) * unit;
  if (period === 0) return 'the period must be at least 1 ms';
  if (period > MAX_WAIT_MS) return 'the period is longer than a day: use at most /d';
  if (period / count < 1) return 'that is faster than 1000 sends a second, the most a limit can say';
  return null;
}

/** A rate as text for the engine (`1 / s` → `1/s`), or null for no limit. */
export function normaliseRate(text: string): string | null {
  const t = text.trim().replace(/\s+/g, '');
  return t === '' ? null : t;
}
