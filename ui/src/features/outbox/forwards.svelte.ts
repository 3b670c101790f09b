// Lists of forwards (outbox rows), newest first, for the Outbox: pages with `before`, a state
// filter, and live updates from `forward:changed` (fanned out by App.svelte through
// `forwardFeed`): a row changes in place, a new one goes on top, and a row that no longer
// matches the filter leaves (unless it is the selected one).
import type { ErrorView } from '../../bindings/ErrorView';
import type { ForwardFilter } from '../../bindings/ForwardFilter';
import type { ForwardView } from '../../bindings/ForwardView';
import { listForwards } from '../../ipc/forward';
import { filterMatches } from '../forward/state';

export const FORWARD_PAGE = 50;

type Listener = (f: ForwardView) => void;
const listeners = new Set<Listener>();

/** The app-wide fan-out of `forward:changed`. */
export const forwardFeed = {
  emit(f: ForwardView) {
    for (const l of listeners) l(f);
  },
  subscribe(l: Listener): () => void {
    listeners.add(l);
    return () => listeners.delete(l);
  },
};

/** A row's version: the engine moves `updated_at` forward on every change (store/outbox.rs). */
function version(f: ForwardView): number {
  return Date.parse(f.updated_at);
}

/** `incoming` unless `current` is a later view of the same row (an action's answer can reach
 * the window after the event of what followed it: a retry answered "pending" after its success). */
export function later(current: ForwardView, incoming: ForwardView): ForwardView {
  return version(incoming) < version(current) ? current : incoming;
}

export class ForwardList {
  items = $state.raw<ForwardView[]>([]);
  nextBefore = $state<number | null>(null);
  loading = $state(false);
  loaded = $state(false);
  error = $state.raw<ErrorView | null>(null);
  filter = $state<ForwardFilter>('all');
  /** Ids that arrived live (rows flash when they appear). */
  readonly fresh = new Set<number>();
  private gen = 0;
  /** Live states that arrived while a reload was in flight: newer than its page's rows. */
  private seenDuringReload: Map<number, ForwardView> | null = null;

  constructor(
    readonly captureId: number | null = null,
    /** The row kept even when it leaves the filter (the one being looked at). */
    private readonly keep: () => number | null = () => null,
  ) {}

  /** Follows `forward:changed` until the returned function is called. */
  attach(): () => void {
    return forwardFeed.subscribe((f) => this.onChanged(f));
  }

  matches(f: ForwardView): boolean {
    return (this.captureId === null || f.capture_id === this.captureId) && filterMatches(this.filter, f.state);
  }

  async reload() {
    const g = ++this.gen;
    const seen = new Map<number, ForwardView>();
    this.seenDuringReload = seen;
    this.loading = true;
    try {
      const page = await listForwards({ filter: this.filter, capture_id: this.captureId, limit: FORWARD_PAGE, before: null });
      if (g !== this.gen) return;
      const top = page.items.length ? page.items[0].id : 0;
      const extra = this.items.filter((f) => f.id > top && this.matches(f));
      // A state event that came while the page was read is newer than the page's row.
      const rows = page.items
        .map((f) => {
          const live = seen.get(f.id);
          return live ? later(f, live) : f;
        })
        .filter((f) => this.matches(f) || this.keep() === f.id);
      this.items = [...extra, ...rows];
      this.nextBefore = page.next_before;
      this.loaded = true;
      this.error = null;
    } catch (e) {
      if (g === this.gen) this.error = e as ErrorView;
    } finally {
      if (g === this.gen) this.loading = false;
    }
  }

  async loadMore() {
    if (this.nextBefore === null || this.loading) return;
    const g = this.gen;
    this.loading = true;
    try {
      const page = await listForwards({ filter: this.filter, capture_id: this.captureId, limit: FORWARD_PAGE, before: this.nextBefore });
      if (g !== this.gen) return;
      const last = this.items.length ? this.items[this.items.length - 1].id : Infinity;
      this.items = [...this.items, ...page.items.filter((f) => f.id < last)];
      this.nextBefore = page.next_before;
    } catch (e) {
      if (g === this.gen) this.error = e as ErrorView;
    } finally {
      if (g === this.gen) this.loading = false;
    }
  }

  /** A forward's new state (an event, or the answer of an action). */
  onChanged(incoming: ForwardView) {
    if (this.captureId !== null && incoming.capture_id !== this.captureId) return;
    const before = this.seenDuringReload?.get(incoming.id);
    this.seenDuringReload?.set(incoming.id, before ? later(before, incoming) : incoming);
    const items = this.items;
    const i = items.findIndex((x) => x.id === incoming.id);
    const f = i === -1 ? incoming : later(items[i], incoming);
    if (i !== -1) {
      if (f === items[i]) return; // an older view of the row: nothing new
      if (!this.matches(f) && this.keep() !== f.id) {
        this.items = items.filter((x) => x.id !== f.id);
      } else {
        const next = items.slice();
        next[i] = f;
        this.items = next;
      }
      return;
    }
    if (!this.matches(f)) return;
    if (items.length === 0 || f.id > items[0].id) {
      this.fresh.add(f.id);
      this.items = [f, ...items];
      return;
    }
    const at = items.findIndex((x) => x.id < f.id);
    if (at === -1 && this.nextBefore !== null) return; // belongs to a page not loaded yet
    const next = items.slice();
    next.splice(at === -1 ? items.length : at, 0, f);
    this.items = next;
  }

  setFilter(f: ForwardFilter) {
    if (f === this.filter) return;
    this.filter = f;
    this.items = [];
    this.nextBefore = null;
    this.loaded = false;
    void this.reload();
  }
}
