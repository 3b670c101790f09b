// "Replay selected…": several captures sent one after another, in capture order, to one
// target (replay_many). Progress comes from `replay:progress` events carrying the batch's
// token; Cancel stops the batch after the attempt in flight is cancelled.
import type { DeliverySummary } from '../../bindings/DeliverySummary';
import type { ErrorView } from '../../bindings/ErrorView';
import type { ReplayBatchView } from '../../bindings/ReplayBatchView';
import type { ReplayProgressView } from '../../bindings/ReplayProgressView';
import { call } from '../../ipc';
import { defaultTarget, targetFrom, type TargetForm } from './draft';
import { countOutcomes, type Counts } from './outcome';
import { loadRecent, rememberTarget } from './recent';
import { newToken } from './replay.svelte';

const FORM_KEY = 'hookloupe.replay.batch';

function loadForm(): TargetForm {
  const base = defaultTarget(loadRecent()[0] ?? '');
  try {
    const saved = JSON.parse(localStorage.getItem(FORM_KEY) ?? 'null') as Partial<TargetForm> | null;
    // Only the options are remembered; insecure is never carried over silently.
    if (saved && typeof saved === 'object') {
      return { ...base, keepPath: !!saved.keepPath, resign: !!saved.resign, timeoutSecs: Number(saved.timeoutSecs) || base.timeoutSecs };
    }
  } catch {
    /* ignore */
  }
  return { ...base, keepPath: true };
}

class BatchRun {
  /** The dialog is open, for these capture ids (ascending: the order they are sent in). */
  ids = $state.raw<number[] | null>(null);
  form = $state.raw<TargetForm>(defaultTarget());
  running = $state(false);
  cancelling = $state(false);
  done = $state(0);
  total = $state(0);
  /** Attempts so far (from progress events, then the final summary). */
  deliveries = $state.raw<DeliverySummary[]>([]);
  result = $state.raw<ReplayBatchView | null>(null);
  error = $state.raw<ErrorView | null>(null);
  private token: string | null = null;

  get counts(): Counts {
    const r = this.result;
    if (r) return { sent: r.sent, success: r.success, other: r.other, failed: r.failed };
    return countOutcomes(this.deliveries, this.done);
  }

  openFor(ids: readonly number[]) {
    if (this.running) return;
    this.ids = [...new Set(ids)].sort((a, b) => a - b);
    this.form = loadForm();
    this.reset();
  }

  /** Leaves these captures out of the batch (before it starts). */
  exclude(ids: readonly number[]) {
    if (this.running || !this.ids) return;
    this.ids = this.ids.filter((id) => !ids.includes(id));
    this.total = this.ids.length;
  }

  close() {
    if (this.running) return;
    this.ids = null;
  }

  setForm(patch: Partial<TargetForm>) {
    this.form = { ...this.form, ...patch };
  }

  private reset() {
    this.done = 0;
    this.total = this.ids?.length ?? 0;
    this.deliveries = [];
    this.result = null;
    this.error = null;
  }

  async start() {
    const ids = this.ids;
    if (!ids || ids.length === 0 || this.running) return;
    const url = this.form.url.trim();
    if (!/^https?:\/\//i.test(url)) {
      this.error = { code: 'invalid_input', message: 'Enter the target URL (http:// or https://).' };
      return;
    }
    this.reset();
    const token = newToken('batch');
    this.token = token;
    this.running = true;
    this.cancelling = false;
    try {
      localStorage.setItem(FORM_KEY, JSON.stringify({ keepPath: this.form.keepPath, resign: this.form.resign, timeoutSecs: this.form.timeoutSecs }));
    } catch {
      /* only a convenience */
    }
    try {
      const r = await call('replay_many', { req: { capture_ids: ids, target: targetFrom(this.form), token } });
      this.result = r;
      this.deliveries = r.deliveries;
      this.done = r.total;
      rememberTarget(url);
    } catch (e) {
      this.error = e as ErrorView;
    } finally {
      this.token = null;
      this.running = false;
      this.cancelling = false;
    }
  }

  async cancel() {
    const t = this.token;
    if (!t) return;
    this.cancelling = true;
    await call('cancel_replay', { token: t }).catch(() => false);
  }

  /** A `replay:progress` event (ignored unless it belongs to the running batch). */
  onProgress(p: ReplayProgressView) {
    if (!this.running || p.token !== this.token) return;
    this.done = Math.max(this.done, p.done);
    this.total = p.total;
    if (p.last && !this.deliveries.some((d) => d.id === p.last!.id)) this.deliveries = [...this.deliveries, p.last];
  }
}

export const batch = new BatchRun();
