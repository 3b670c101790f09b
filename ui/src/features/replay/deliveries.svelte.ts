// Lists of delivery attempts, newest first: the Deliveries tab of a capture and the Outbox.
// Pages load with `before`; `delivery:new` events (fanned out by App.svelte through
// `deliveryFeed`) put new attempts on top, live, when they match the list's capture and filter.
import type { DeliveryFilter } from '../../bindings/DeliveryFilter';
import type { DeliverySummary } from '../../bindings/DeliverySummary';
import type { ErrorView } from '../../bindings/ErrorView';
import { call } from '../../ipc';
import { matchesFilter } from './outcome';

export const DELIVERY_PAGE = 50;

type Listener = (d: DeliverySummary) => void;
const listeners = new Set<Listener>();

/** The app-wide fan-out of `delivery:new`. */
export const deliveryFeed = {
  emit(d: DeliverySummary) {
    for (const l of listeners) l(d);
  },
  subscribe(l: Listener): () => void {
    listeners.add(l);
    return () => listeners.delete(l);
  },
};

export class DeliveryList {
  items = $state.raw<DeliverySummary[]>([]);
  nextBefore = $state<number | null>(null);
  loading = $state(false);
  loaded = $state(false);
  error = $state.raw<ErrorView | null>(null);
  filter = $state<DeliveryFilter>('all');
  /** Ids that arrived live (rows flash when they appear). */
  readonly fresh = new Set<number>();
  private gen = 0;

  constructor(readonly captureId: number | null = null) {}

  /** Follows `delivery:new` until the returned function is called. */
  attach(): () => void {
    return deliveryFeed.subscribe((d) => this.onNew(d));
  }

  matches(d: DeliverySummary): boolean {
    return (this.captureId === null || d.capture_id === this.captureId) && matchesFilter(this.filter, d);
  }

  async reload() {
    const g = ++this.gen;
    this.loading = true;
    try {
      const page = await call('list_deliveries', {
        req: { capture_id: this.captureId, filter: this.filter, limit: DELIVERY_PAGE, before: null },
      });
      if (g !== this.gen) return;
      const top = page.items.length ? page.items[0].id : 0;
      const extra = this.items.filter((d) => d.id > top && this.matches(d));
      this.items = [...extra, ...page.items];
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
      const page = await call('list_deliveries', {
        req: { capture_id: this.captureId, filter: this.filter, limit: DELIVERY_PAGE, before: this.nextBefore },
      });
      if (g !== this.gen) return;
      const last = this.items.length ? this.items[this.items.length - 1].id : Infinity;
      this.items = [...this.items, ...page.items.filter((d) => d.id < last)];
      this.nextBefore = page.next_before;
    } catch (e) {
      if (g === this.gen) this.error = e as ErrorView;
    } finally {
      if (g === this.gen) this.loading = false;
    }
  }

  onNew(d: DeliverySummary) {
    if (!this.matches(d)) return;
    const items = this.items;
    if (items.some((x) => x.id === d.id)) return;
    if (items.length === 0 || d.id > items[0].id) {
      this.fresh.add(d.id);
      this.items = [d, ...items];
      return;
    }
    const i = items.findIndex((x) => x.id < d.id);
    if (i === -1 && this.nextBefore !== null) return; // belongs to a page not loaded yet
    const next = items.slice();
    next.splice(i === -1 ? items.length : i, 0, d);
    this.items = next;
  }

  setFilter(f: DeliveryFilter) {
    if (f === this.filter) return;
    this.filter = f;
    this.items = [];
    this.nextBefore = null;
    this.loaded = false;
    void this.reload();
  }
}
