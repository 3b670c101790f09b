// How a forward (an outbox row) is shown: its state's label and colour, which actions it
// allows, which list filter it belongs to, when its next attempt is due, and the mark a capture
// gets from its forwards. Pure.
import type { CaptureForward } from '../../bindings/CaptureForward';
import type { ForwardFilter } from '../../bindings/ForwardFilter';
import type { ForwardState } from '../../bindings/ForwardState';
import type { ForwardView } from '../../bindings/ForwardView';

export const STATE_LABEL: Record<ForwardState, string> = {
  pending: 'Pending',
  scheduled: 'Scheduled',
  sending: 'Sending',
  succeeded: 'Succeeded',
  failed: 'Failed',
  filtered: 'Filtered out',
  skipped_duplicate: 'Skipped duplicate',
  cancelled: 'Cancelled',
};

export const STATE_TITLE: Record<ForwardState, string> = {
  pending: 'Waiting for its first attempt (or behind an earlier capture to the same rule)',
  scheduled: 'Waiting for its next attempt',
  sending: 'An attempt is being made',
  succeeded: 'The target answered 2xx',
  failed: 'No attempts left, or a final answer: retry it by hand',
  filtered: 'Not sent: the filter or “only valid signatures” said no',
  skipped_duplicate: 'Not sent: this event already went to the target',
  cancelled: 'Cancelled by hand (or its rule was removed)',
};

/** Colour family of a state chip. */
export type StateTone = 'open' | 'ok' | 'bad' | 'muted';

export function stateTone(s: ForwardState): StateTone {
  switch (s) {
    case 'pending':
    case 'scheduled':
    case 'sending':
      return 'open';
    case 'succeeded':
      return 'ok';
    case 'failed':
      return 'bad';
    default:
      return 'muted';
  }
}

export function isOpen(s: ForwardState): boolean {
  return s === 'pending' || s === 'scheduled' || s === 'sending';
}

/** "Retry now" applies to everything but an attempt in flight (and a pending row, due anyway). */
export function canRetry(s: ForwardState): boolean {
  return s !== 'sending' && s !== 'pending';
}

export function canCancel(s: ForwardState): boolean {
  return isOpen(s);
}

/** The retry button's label: a finished success is sent again, anything else retried. */
export function retryLabel(s: ForwardState): string {
  return s === 'succeeded' ? 'Send again' : 'Retry now';
}

/** Whether a list filtered by `f` shows a forward in state `s` (for live rows). */
export function filterMatches(f: ForwardFilter, s: ForwardState): boolean {
  if (f === 'all') return true;
  if (f === 'open') return isOpen(s);
  return f === s;
}

export const FORWARD_FILTERS: Array<{ id: ForwardFilter; label: string; title: string }> = [
  { id: 'all', label: 'All', title: 'Every forward' },
  { id: 'open', label: 'Open', title: 'Pending, scheduled or sending' },
  { id: 'succeeded', label: 'Succeeded', title: 'The target answered 2xx' },
  { id: 'failed', label: 'Failed', title: 'No attempts left, or a final answer' },
  { id: 'filtered', label: 'Filtered', title: 'The filter or “only valid signatures” said no' },
  { id: 'skipped_duplicate', label: 'Duplicates', title: 'Skipped: the event already went' },
  { id: 'cancelled', label: 'Cancelled', title: 'Cancelled by hand or with their rule' },
];

/** "in 12 s", "in 3 min", "now", "5 s ago". */
export function relativeTime(iso: string, nowMs: number): string {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '';
  const d = Math.round((t - nowMs) / 1000);
  const abs = Math.abs(d);
  if (abs < 1) return 'now';
  const text = abs < 90 ? `${abs} s` : abs < 5400 ? `${Math.round(abs / 60)} min` : abs < 172_800 ? `${Math.round(abs / 3600)} h` : `${Math.round(abs / 86_400)} days`;
  return d > 0 ? `in ${text}` : `${text} ago`;
}

/** The state chip's text: "Scheduled · in 12 s" for a retry that waits, else the label. */
export function stateText(f: Pick<ForwardView, 'state' | 'next_at'>, nowMs: number): string {
  if (f.state === 'scheduled' && f.next_at) return `${STATE_LABEL.scheduled} · ${relativeTime(f.next_at, nowMs)}`;
  return STATE_LABEL[f.state];
}

/**
 * How a capture's forwards stand, worst first (as the engine computes it for the list): one
 * failed; one still open; one succeeded; null when none went or will go (filtered, skipped and
 * cancelled ones do not count).
 */
export function captureMark(states: readonly ForwardState[]): CaptureForward | null {
  if (states.includes('failed')) return 'failed';
  if (states.some(isOpen)) return 'open';
  if (states.includes('succeeded')) return 'succeeded';
  return null;
}

/** "1 pending", "2 open · 1 failed" for the top bar's title. */
export function countsTitle(c: { pending: number; scheduled: number; sending: number; failed: number }): string {
  const parts = [];
  if (c.sending) parts.push(`${c.sending} sending`);
  if (c.pending) parts.push(`${c.pending} pending`);
  if (c.scheduled) parts.push(`${c.scheduled} waiting to retry`);
  if (c.failed) parts.push(`${c.failed} failed`);
  return parts.length ? `Forwards: ${parts.join(', ')}. Open the Outbox.` : 'No forward queued or failed';
}
