// Diff state: the two rows checked in the capture list, the open comparison, its options and
// its result. The comparison runs in the engine (off the UI thread); Cancel stops it by token.
import type { DiffCapturesReq } from '../../bindings/DiffCapturesReq';
import type { DiffSideRef } from '../../bindings/DiffSideRef';
import type { DiffView } from '../../bindings/DiffView';
import type { ErrorView } from '../../bindings/ErrorView';
import { call } from '../../ipc';

export type DiffMode = 'unified' | 'split';
const MODE_KEY = 'hookloupe.diff.mode';
/** Context used when the user asks for every hidden line. */
export const FULL_CONTEXT = 1_000_000_000;

/** A short label for a side before the engine names it: `#12`, `delivery #3 request`. */
export function sideLabel(r: DiffSideRef): string {
  if (r.kind === 'capture') return `#${r.id}`;
  return `delivery #${r.id} ${r.kind === 'delivery_request' ? 'request' : 'response'}`;
}

let tokenSeq = 0;
function newToken(): string {
  return `diff-${Date.now().toString(36)}-${++tokenSeq}`;
}

class DiffStore {
  /** Capture ids checked in the list, in the order they were checked (two for a diff, any number to replay). */
  checked = $state.raw<number[]>([]);
  /** The open comparison (old, new): captures, or a delivery's request or response; null when closed. */
  open = $state.raw<{ a: DiffSideRef; b: DiffSideRef } | null>(null);
  result = $state.raw<DiffView | null>(null);
  error = $state.raw<ErrorView | null>(null);
  running = $state(false);
  showIgnored = $state(false);
  fullContext = $state(false);
  arrayKey = $state('');
  mode = $state<DiffMode>(localStorage.getItem(MODE_KEY) === 'split' ? 'split' : 'unified');
  private token: string | null = null;

  toggleChecked(id: number) {
    if (this.checked.includes(id)) this.checked = this.checked.filter((x) => x !== id);
    else this.checked = [...this.checked, id];
  }

  clearChecked() {
    this.checked = [];
  }

  setMode(m: DiffMode) {
    this.mode = m;
    localStorage.setItem(MODE_KEY, m);
  }

  /** Opens the diff of two captures, the older one as the old side. */
  openDiff(x: number, y: number) {
    const [a, b] = x <= y ? [x, y] : [y, x];
    this.openSides({ kind: 'capture', id: a }, { kind: 'capture', id: b });
  }

  /** Opens the diff of any two sides, `a` as the old one (e.g. a capture and what a replay of it sent). */
  openSides(a: DiffSideRef, b: DiffSideRef) {
    this.open = { a, b };
    this.showIgnored = false;
    this.fullContext = false;
    this.arrayKey = '';
    void this.run();
  }

  openChecked() {
    if (this.checked.length === 2) this.openDiff(this.checked[0], this.checked[1]);
  }

  async run() {
    const open = this.open;
    if (!open) return;
    if (this.token) void call('cancel_diff', { token: this.token }).catch(() => {});
    const token = newToken();
    this.token = token;
    this.running = true;
    this.error = null;
    const req: DiffCapturesReq = {
      a: open.a,
      b: open.b,
      use_endpoint_rules: true,
      ignore_paths: [],
      ignore_headers: [],
      show_ignored: this.showIgnored,
      array_key: this.arrayKey.trim() || null,
      context: this.fullContext ? FULL_CONTEXT : 3,
      token,
    };
    try {
      const r = await call('diff_captures', { req });
      if (this.token !== token) return;
      this.result = r;
    } catch (e) {
      if (this.token !== token) return;
      this.result = null;
      this.error = e as ErrorView;
    } finally {
      if (this.token === token) {
        this.running = false;
        this.token = null;
      }
    }
  }

  async cancel() {
    const t = this.token;
    if (t) await call('cancel_diff', { token: t }).catch(() => false);
  }

  close() {
    void this.cancel();
    this.token = null;
    this.running = false;
    this.open = null;
    this.result = null;
    this.error = null;
  }
}

export const diff = new DiffStore();
