// The capture list: pages loaded newest-first under the current filter (search words, an
// expression, chips), live captures that match it, the match count, selection and pins.
import type { CaptureFilter } from '../../bindings/CaptureFilter';
import type { CaptureSummary } from '../../bindings/CaptureSummary';
import type { ErrorView } from '../../bindings/ErrorView';
import { toastError } from '../../components/toasts.svelte';
import { call } from '../../ipc';
import { parseExprError, type ExprError } from '../search/exprError';
import { EMPTY_FILTER, matchesLocally, sameFilter, toCaptureFilter, type FilterState } from '../search/filter';

export const PAGE_SIZE = 200;
/** Live captures that only the engine can judge (full text, expression) are asked about in batches. */
const VERIFY_DELAY_MS = 120;
/** Live captures are added to the list in batches (one copy of the list per batch, not per capture). */
export const INSERT_BATCH_MS = 40;

const nowUs = () => Date.now() * 1000;

class CapturesStore {
  /** Loaded captures, newest first. Replaced (never mutated) so keyed each-blocks only touch changed rows. */
  items = $state.raw<CaptureSummary[]>([]);
  nextBefore = $state<number | null>(null);
  /** The first page has arrived at least once. */
  loaded = $state(false);
  loading = $state(false);
  loadError = $state.raw<ErrorView | null>(null);
  /** The filter as the user set it (it applies once the engine accepted it). */
  criteria = $state.raw<FilterState>(EMPTY_FILTER);
  /** The filter of the items shown (the last one the engine accepted). */
  applied = $state.raw<CaptureFilter>(toCaptureFilter(EMPTY_FILTER, 0));
  /** The expression did not parse: the previous results stay, the error points at the position. */
  exprError = $state.raw<ExprError | null>(null);
  /** Exact number of matches when known (null with an expression, until counted). */
  total = $state<number | null>(null);
  /** Captures stored in all. */
  stored = $state(0);
  /** The last page stopped at the engine's scan budget: older matches may follow. */
  partial = $state(false);
  /** The result of "Count" for an expression filter; reset when the filter changes. */
  counted = $state<number | null>(null);
  counting = $state(false);
  selectedId = $state<number | null>(null);
  /** Bumped when the list is replaced (another filter, cleared), not when rows are added. */
  epoch = $state(0);

  /** Ids that arrived live (rows flash briefly when they appear). Not reactive on purpose. */
  readonly fresh = new Set<number>();
  private gen = 0;
  private appliedCriteria = $state.raw<FilterState>(EMPTY_FILTER);
  private pendingVerify: CaptureSummary[] = [];
  private pendingInsert: CaptureSummary[] = [];
  private insertTimer: ReturnType<typeof setTimeout> | null = null;
  private verifyTimer: ReturnType<typeof setTimeout> | null = null;

  /** Endpoint name filter; null = all (the top bar's picker). */
  get filter(): string | null {
    return this.criteria.endpoint;
  }

  get selectedIndex(): number {
    const id = this.selectedId;
    return id === null ? -1 : this.items.findIndex((c) => c.id === id);
  }

  /** Anything narrows the list (beyond nothing at all). */
  get filtered(): boolean {
    return !sameFilter(this.appliedCriteria, EMPTY_FILTER);
  }

  /**
   * (Re)load the first page, e.g. at start, after captures:changed or a filter change. With the
   * same filter the older pages already loaded are kept (the first page is merged on top), so
   * a deletion elsewhere does not throw the user back to the top.
   */
  async reload() {
    const g = ++this.gen;
    const criteria = this.criteria;
    const filter = toCaptureFilter(criteria, nowUs());
    const same = sameFilter(criteria, this.appliedCriteria) && this.loaded;
    this.loading = true;
    try {
      const page = await call('list_captures', { req: { limit: PAGE_SIZE, before: null, filter } });
      if (g !== this.gen) return;
      const top = page.items.length ? page.items[0].id : 0;
      const bottom = page.items.length ? page.items[page.items.length - 1].id : Infinity;
      // Keep live captures that arrived while the request was in flight.
      const extra = same ? this.items.filter((c) => c.id > top) : [];
      const older = same && page.next_before !== null ? this.items.filter((c) => c.id < bottom) : [];
      this.items = [...extra, ...page.items, ...older];
      if (!same) this.epoch++;
      if (older.length === 0 || !same) {
        this.nextBefore = page.next_before;
        this.partial = page.partial;
      }
      this.total = page.total;
      this.stored = page.stored;
      if (!same) this.counted = null;
      this.applied = filter;
      this.appliedCriteria = criteria;
      this.exprError = null;
      this.loaded = true;
      this.loadError = null;
    } catch (e) {
      if (g !== this.gen) return;
      const err = e as ErrorView;
      if (err.code === 'invalid_input' && criteria.expr.trim() !== '') {
        // A bad expression: say where, keep what is shown.
        this.exprError = parseExprError(err.message, criteria.expr.trim());
        return;
      }
      this.loadError = err;
      toastError(err);
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
        req: { limit: PAGE_SIZE, before: this.nextBefore, filter: this.applied },
      });
      if (g !== this.gen) return;
      const last = this.items.length ? this.items[this.items.length - 1].id : Infinity;
      this.items = [...this.items, ...page.items.filter((c) => c.id < last)];
      this.nextBefore = page.next_before;
      this.partial = page.partial;
      this.stored = page.stored;
      if (page.total !== null) this.total = page.total;
    } catch (e) {
      if (g === this.gen) toastError(e as ErrorView);
    } finally {
      if (g === this.gen) this.loading = false;
    }
  }

  /** A capture:new event. */
  onNew(c: CaptureSummary) {
    this.stored++;
    const verdict = matchesLocally(this.applied, c);
    if (verdict === false) return;
    if (verdict === null) {
      this.pendingVerify.push(c);
      this.verifyTimer ??= setTimeout(() => void this.verifyPending(), VERIFY_DELAY_MS);
      return;
    }
    this.queueInsert([c]);
  }

  private queueInsert(cs: CaptureSummary[]) {
    this.pendingInsert.push(...cs);
    this.insertTimer ??= setTimeout(() => this.flushInserts(), INSERT_BATCH_MS);
  }

  /** Adds the live captures waiting (newest first on top), at most one new list per batch. */
  flushInserts() {
    if (this.insertTimer) clearTimeout(this.insertTimer);
    this.insertTimer = null;
    const batch = this.pendingInsert.sort((a, b) => b.id - a.id);
    this.pendingInsert = [];
    const items = this.items;
    const top = items.length ? items[0].id : -Infinity;
    const newer: CaptureSummary[] = [];
    for (const c of batch) if (c.id > top && (newer.length === 0 || newer[newer.length - 1].id !== c.id)) newer.push(c);
    if (newer.length > 0) {
      for (const c of newer) this.fresh.add(c.id);
      this.items = [...newer, ...items];
      if (this.total !== null) this.total += newer.length;
      if (this.counted !== null) this.counted += newer.length;
    }
    for (const c of batch) if (c.id <= top) this.insert(c);
  }

  /** Ask the engine which of the live captures waiting match the full text or expression. */
  private async verifyPending() {
    this.verifyTimer = null;
    const batch = this.pendingVerify;
    this.pendingVerify = [];
    if (batch.length === 0) return;
    const g = this.gen;
    try {
      const ids = batch.map((c) => c.id);
      const page = await call('list_captures', {
        req: { limit: ids.length, before: null, filter: { ...this.applied, ids } },
      });
      if (g !== this.gen) return;
      this.queueInsert(page.items);
    } catch {
      // Not fatal: the next reload shows them.
    }
  }

  private insert(c: CaptureSummary) {
    const items = this.items;
    if (items.length === 0 || c.id > items[0].id) {
      this.fresh.add(c.id);
      this.items = [c, ...items];
      if (this.total !== null) this.total++;
      if (this.counted !== null) this.counted++;
      return;
    }
    // Out of order or duplicate: insert at its place if absent.
    if (items.some((x) => x.id === c.id)) return;
    const i = items.findIndex((x) => x.id < c.id);
    if (i === -1 && this.nextBefore !== null) return; // belongs to a page not loaded yet
    const next = items.slice();
    next.splice(i === -1 ? items.length : i, 0, c);
    this.items = next;
    if (this.total !== null) this.total++;
  }

  /** Whether this capture is in the loaded list (e.g. to refresh its forward mark). */
  has(id: number): boolean {
    return this.items.some((c) => c.id === id) || this.pendingInsert.some((c) => c.id === id);
  }

  private patch(id: number, change: Partial<CaptureSummary>) {
    const i = this.items.findIndex((c) => c.id === id);
    if (i === -1) return;
    const next = this.items.slice();
    next[i] = { ...next[i], ...change };
    this.items = next;
  }

  /** A capture's forwards changed: its mark in the list follows. */
  setForward(id: number, forward: CaptureSummary['forward']) {
    const p = this.pendingInsert.find((x) => x.id === id);
    if (p) p.forward = forward;
    const c = this.items.find((x) => x.id === id);
    if (c && c.forward !== forward) this.patch(id, { forward });
  }

  /** The top bar's endpoint picker. */
  setFilter(name: string | null) {
    if (name === this.criteria.endpoint) return;
    this.setCriteria({ ...this.criteria, endpoint: name });
  }

  /** A new filter: the list reloads under it (an expression that does not parse keeps the old list). */
  setCriteria(next: FilterState) {
    if (sameFilter(next, this.criteria) && this.exprError === null) return;
    this.criteria = next;
    void this.reload().then(() => {
      if (this.selectedId !== null && this.selectedIndex === -1) this.selectedId = null;
    });
  }

  /** How many captures match an expression filter (the engine evaluates every one). */
  async countMatches() {
    this.counting = true;
    const g = this.gen;
    try {
      const n = await call('count_matches', { filter: this.applied });
      if (g === this.gen) this.counted = n;
    } catch (e) {
      toastError(e as ErrorView);
    } finally {
      this.counting = false;
    }
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

  /** The ids of the loaded rows from one to the other, both included, in list order. */
  rangeIds(a: number, b: number): number[] {
    const i = this.items.findIndex((c) => c.id === a);
    const j = this.items.findIndex((c) => c.id === b);
    if (i === -1 || j === -1) return j === -1 ? [] : [b];
    const [lo, hi] = i <= j ? [i, j] : [j, i];
    return this.items.slice(lo, hi + 1).map((c) => c.id);
  }

  /** Pin or unpin: retention never removes a pinned capture. */
  async setPinned(id: number, pinned: boolean) {
    try {
      await call('set_pinned', { id, pinned });
    } catch (e) {
      toastError(e as ErrorView);
      return;
    }
    this.patch(id, { pinned });
    if (this.applied.pinned && !pinned) {
      this.items = this.items.filter((c) => c.id !== id);
      if (this.total !== null) this.total--;
    }
  }

  pinnedOf(id: number): boolean {
    return this.items.find((c) => c.id === id)?.pinned ?? false;
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
    if (this.total !== null && this.total > 0) this.total--;
    if (this.stored > 0) this.stored--;
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
    this.epoch++;
    this.items = [];
    this.nextBefore = null;
    this.selectedId = null;
    this.loading = false;
    this.total = 0;
    this.stored = 0;
    return true;
  }
}

export const captures = new CapturesStore();
