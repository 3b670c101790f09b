// The search bar's state: what is typed in the search and expression fields (applied to the
// list after a pause), the chips, and the saved filters. The list itself (and the filter the
// engine accepted) is the captures store's.
import type { ErrorView } from '../../bindings/ErrorView';
import type { SavedFilterView } from '../../bindings/SavedFilterView';
import { toastError } from '../../components/toasts.svelte';
import { call } from '../../ipc';
import { captures } from '../captures/store.svelte';
import { EMPTY_FILTER, fromCaptureFilter, toCaptureFilter, type FilterState, type TimeRange } from './filter';

/** Pause after the last key before the list follows the search field. */
export const TEXT_DEBOUNCE_MS = 200;
/** Expressions are longer to type: wait a little more before judging one. */
export const EXPR_DEBOUNCE_MS = 450;
/** Saved filters keep a relative time range (last 1 h…) here, next to the engine's absolute bounds. */
const RANGES_KEY = 'hookloupe.savedFilterRanges';

// localStorage, or memory where there is none (unit tests).
const memory = new Map<string, string>();
const store: Pick<Storage, 'getItem' | 'setItem'> =
  typeof localStorage !== 'undefined'
    ? localStorage
    : { getItem: (k) => memory.get(k) ?? null, setItem: (k, v) => void memory.set(k, v) };

function loadRanges(): Record<string, TimeRange> {
  try {
    const v = JSON.parse(store.getItem(RANGES_KEY) ?? '{}') as unknown;
    return v && typeof v === 'object' ? (v as Record<string, TimeRange>) : {};
  } catch {
    return {};
  }
}

class SearchStore {
  text = $state('');
  expr = $state('');
  saved = $state.raw<SavedFilterView[]>([]);
  /** The search field (focused by `/` and Ctrl+F). */
  input = $state<HTMLInputElement | null>(null);
  exprInput = $state<HTMLInputElement | null>(null);
  private textTimer: ReturnType<typeof setTimeout> | null = null;
  private exprTimer: ReturnType<typeof setTimeout> | null = null;

  setText(v: string) {
    this.text = v;
    if (this.textTimer) clearTimeout(this.textTimer);
    this.textTimer = setTimeout(() => this.apply(), TEXT_DEBOUNCE_MS);
  }

  setExpr(v: string) {
    this.expr = v;
    if (this.exprTimer) clearTimeout(this.exprTimer);
    this.exprTimer = setTimeout(() => this.apply(), EXPR_DEBOUNCE_MS);
  }

  /** Apply what is typed now (Enter, or after the pause). */
  apply() {
    if (this.textTimer) clearTimeout(this.textTimer);
    if (this.exprTimer) clearTimeout(this.exprTimer);
    this.textTimer = this.exprTimer = null;
    captures.setCriteria({ ...captures.criteria, text: this.text, expr: this.expr });
  }

  /** Change chips (the typed fields apply with them). */
  setChips(patch: Partial<FilterState>) {
    captures.setCriteria({ ...captures.criteria, ...patch, text: this.text, expr: this.expr });
  }

  /** Back to every capture (the endpoint picked in the top bar stays). */
  clearAll() {
    this.text = '';
    this.expr = '';
    captures.setCriteria({ ...EMPTY_FILTER, endpoint: captures.criteria.endpoint });
  }

  focusSearch() {
    this.input?.focus();
    this.input?.select();
  }

  focusExpr() {
    this.exprInput?.focus();
  }

  async loadSaved() {
    try {
      this.saved = await call('saved_filters', {});
    } catch (e) {
      toastError(e as ErrorView);
    }
  }

  /** Saves the filter as typed now under `name`; rejects with the engine's error (bad name, bad expression). */
  async save(name: string) {
    const state: FilterState = { ...captures.criteria, text: this.text, expr: this.expr };
    const view = await call('save_filter', { filter: { name, filter: toCaptureFilter(state, Date.now() * 1000) } });
    const ranges = loadRanges();
    if (state.range !== 'all' && state.range !== 'custom') ranges[view.name] = state.range;
    else delete ranges[view.name];
    store.setItem(RANGES_KEY, JSON.stringify(ranges));
    await this.loadSaved();
  }

  async remove(name: string) {
    try {
      await call('remove_filter', { name });
    } catch (e) {
      if ((e as ErrorView).code !== 'not_found') {
        toastError(e as ErrorView);
        return;
      }
    }
    const ranges = loadRanges();
    delete ranges[name];
    store.setItem(RANGES_KEY, JSON.stringify(ranges));
    await this.loadSaved();
  }

  applySaved(v: SavedFilterView) {
    const state = fromCaptureFilter(v.filter, loadRanges()[v.name] ?? null);
    this.text = state.text;
    this.expr = state.expr;
    captures.setCriteria(state);
  }
}

export const search = new SearchStore();
