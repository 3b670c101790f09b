// How a delivery attempt is shown: its status class (colour), failure titles by code, the
// filter it matches, durations, and the counts of a batch.
import type { DeliveryFilter } from '../../bindings/DeliveryFilter';
import type { DeliverySummary } from '../../bindings/DeliverySummary';
import type { SendFailure } from '../../bindings/SendFailure';

export type StatusClass = 'info' | 'ok' | 'redirect' | 'client' | 'server' | 'failed' | 'cancelled';

type Outcome = Pick<DeliverySummary, 'outcome' | 'status' | 'error_code'>;

export function statusClass(d: Outcome): StatusClass {
  if (d.outcome === 'cancelled' || d.error_code === 'cancelled') return 'cancelled';
  if (d.outcome !== 'response' || d.status === null) return 'failed';
  if (d.status < 200) return 'info';
  if (d.status < 300) return 'ok';
  if (d.status < 400) return 'redirect';
  if (d.status < 500) return 'client';
  return 'server';
}

const FAILURE: Record<SendFailure, string> = {
  dns: 'Host not found',
  refused: 'Connection refused',
  timeout: 'Timed out',
  tls: 'TLS handshake failed',
  reset: 'Connection reset',
  too_large: 'Response head too large',
  invalid_response: 'Not an HTTP response',
  network: 'Network error',
  cancelled: 'Cancelled',
};

/** A title for a failure code; unknown codes get a generic one. */
export function failureTitle(code: string | null): string {
  return code !== null && Object.prototype.hasOwnProperty.call(FAILURE, code) ? FAILURE[code as SendFailure] : 'No answer';
}

/** "201", "Connection refused", "Cancelled". */
export function outcomeLabel(d: Outcome): string {
  if (d.outcome === 'response' && d.status !== null) return String(d.status);
  if (d.outcome === 'cancelled') return 'Cancelled';
  return failureTitle(d.error_code);
}

/** Whether a list filtered by `filter` shows this attempt (for live rows). */
export function matchesFilter(filter: DeliveryFilter, d: Outcome): boolean {
  const c = statusClass(d);
  switch (filter) {
    case 'all':
      return true;
    case 'success':
      return c === 'ok';
    case 'other':
      return d.outcome === 'response' && c !== 'ok';
    case 'failed':
      return d.outcome !== 'response';
  }
}

/** "850 ms", "1.4 s", "2 min 05 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 10) return `${ms.toFixed(1).replace(/\.0$/, '')} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

export type Counts = { sent: number; success: number; other: number; failed: number };

/**
 * Counts of a batch so far: attempts made, answered 2xx, answered otherwise, failed or
 * cancelled. `done` (captures handled) can exceed the attempts when captures were skipped
 * (deleted meanwhile): those count as failed, as in the engine's summary.
 */
export function countOutcomes(deliveries: readonly Outcome[], done = deliveries.length): Counts {
  const c: Counts = { sent: deliveries.length, success: 0, other: 0, failed: Math.max(0, done - deliveries.length) };
  for (const d of deliveries) {
    if (d.outcome !== 'response') c.failed++;
    else if (statusClass(d) === 'ok') c.success++;
    else c.other++;
  }
  return c;
}
