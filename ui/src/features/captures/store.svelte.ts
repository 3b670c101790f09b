// The capture list: pages loaded newest-first, live prepends, selection.
import type { CaptureSummary } from '../../bindings/CaptureSummary';
import type { ErrorView } from '../../bindings/ErrorView';
import { toastError } from '../../components/toasts.svelte';
import { call } from '../../ipc';

export const PAGE_SIZE = 100;

class CapturesStore {
  /** Loaded captures, newest first. Replaced (never mutated) so keyed each-blocks only touch changed rows. */
  items = $state.raw<CaptureSummary[]>([]);
  nextBefore = $state<number | null>(null);
  /** The first page has arrived at least once. */
  loaded = $state(false);
  loading = $state(false);
  loadError = $state.raw<ErrorView | null>(null);
  /** Endpoint name filter; null = all. */
  filter = $state<string | null>(null);
  selectedId = $state<number | null>(null);

  /** Ids that arrived live (rows flash briefly when they appear). Not reactive on purpose. */
  readonly fresh = new Set<number>();
  private gen = 0;

  get selectedIndex(): number {
    const id = this.selectedId;
    return id === null ? -1 : this.items.findIndex((c) => c.id === id);
  }

  matches(c: CaptureSummary): boolean {
    return this.filter === null || c.endpoint === this.filter;
  }

  /** (Re)load the first page, e.g. at start, after captures:changed or a filter change. */
  async reload() {
    const g = ++this.gen;
    this.loading = true;
    try {
      const page = await call('list_captures', { req: { limit: PAGE_SIZE, before: null, endpoint: this.filter } });
      if (g !== this.gen) return;
      const top = page.items.length ? page.items[0].id : 0;
      // Keep live captures that arrived while the request was in flight.
      const extra = this.items.filter((c) => c.id > top && this.matches(c));
      this.items = [...extra, ...page.items];
      this.nextBefore = page.next_before;
      this.loaded = true;
      this.loadError = null;
    } catch (e) {
      if (g !== this.gen) return;
      this.loadError = e as ErrorView;
      toastError(e as ErrorView);
    } finally {
      if (g === this.gen) this.loading = false;
    }
  }

  /** Load the next (older) page, if any. */
  async loadMore() {
    if (this.nextBefore === null || this.loading) return;
    const g = this.gen;
    this.loading = true;
    try {
      const page = await call('list_captures', {
        req: { limit: PAGE_SIZE, before: this.nextBefore, endpoint: this.filter },
      });
      if (g !== this.gen) return;
      const last = this.items.length ? this.items[this.items.length - 1].id : Infinity;
      this.items = [...this.items, ...page.items.filter((c) => c.id < last)];
      this.nextBefore = page.next_before;
    } catch (e) {
      if (g === this.gen) toastError(e as ErrorView);
    } finally {
      if (g === this.gen) this.loading = false;
    }
  }

  /** A capture:new event. */
  onNew(c: CaptureSummary) {
    if (!this.matches(c)) return;
    const items = this.items;
    if (items.length === 0 || c.id > items[0].id) {
      this.fresh.add(c.id);
      this.items = [c, ...items];
      return;
    }
    // Out of order or duplicate: insert at its place if absent.
    if (items.some((x) => x.id === c.id)) return;
    const i = items.findIndex((x) => x.id < c.id);
    if (i === -1 && this.nextBefore !== null) return; // belongs to a page not loaded yet
    const next = items.slice();
    next.splice(i === -1 ? items.length : i, 0, c);
    this.items = next;
  }

  /** Whether this capture is in the loaded list (e.g. to refresh its forward mark). */
  has(id: number): boolean {
    return this.items.some((c) => c.id === id);
  }

  /** A capture's forwards changed: its mark in the list follows. */
  setForward(id: number, forward: CaptureSummary['forward']) {
    const i = this.items.findIndex((c) => c.id === id);
    if (i === -1 || this.items[i].forward === forward) return;
    const next = this.items.slice();
    next[i] = { ...next[i], forward };
    this.items = next;
  }

  setFilter(name: string | null) {
    if (name === this.filter) return;
    this.filter = name;
    this.items = [];
    this.nextBefore = null;
    this.loaded = false;
    void this.reload().then(() => {
      if (this.selectedId !== null && this.selectedIndex === -1) this.selectedId = null;
    });
  }

  select(id: number | null) {
    this.selectedId = id;
  }

  /** Move the selection by delta rows (clamped); selects the first row when nothing is selected. */
  move(delta: number): number | null {
    if (this.items.length === 0) return null;
    const i = this.selectedIndex;
    const n = !Number.isFinite(delta)
      ? delta > 0
        ? this.items.length - 1
        : 0
      : i === -1 ? (delta > 0 ? 0 : this.items.length - 1) : Math.max(0, Math.min(this.items.length - 1, i + delta));
    this.selectedId = this.items[n].id;
    return this.selectedId;
  }

  async remove(id: number) {
    try {
      await call('delete_capture', { id });
    } catch (e) {
      const err = e as ErrorView;
      // Already gone is fine: drop it from the list anyway.
      if (err.code !== 'not_found') {
        toastError(err);
        return;
      }
    }
    const i = this.items.findIndex((c) => c.id === id);
    if (i === -1) return;
    const next = this.items.filter((c) => c.id !== id);
    this.items = next;
    if (this.selectedId === id) {
      this.selectedId = next.length ? next[Math.min(i, next.length - 1)].id : null;
    }
  }

  async removeSelected() {
    if (this.selectedId !== null) await this.remove(this.selectedId);
  }

  async clear(): Promise<boolean> {
    try {
      await call('clear_captures', {});
    } catch (e) {
      toastError(e as ErrorView);
      return false;
    }
    this.gen++;
    this.items = [];
    this.nextBefore = null;
    this.selectedId = null;
    this.loading = false;
    return true;
  }
}

export const captures = new CapturesStore();
