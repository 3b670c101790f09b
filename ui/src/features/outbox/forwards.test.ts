import { describe, expect, it } from 'vitest';
import type { ForwardView } from '../../bindings/ForwardView';
import { ForwardList } from './forwards.svelte';

const fwd = (id: number, patch: Partial<ForwardView> = {}): ForwardView => ({
  id,
  capture_id: 100 + id,
  rule_id: 1,
  url: 'http://127.0.0.1:9/hook',
  state: 'pending',
  attempts: 0,
  queued_at: '2026-12-01T10:00:00.000Z',
  next_at: null,
  updated_at: '2026-12-01T10:00:00.000Z',
  detail: null,
  last: null,
  ...patch,
});

describe('forward list live updates', () => {
  it('puts new forwards on top, changes rows in place, and drops rows leaving the filter', () => {
    let keep: number | null = null;
    const list = new ForwardList(null, () => keep);
    list.items = [fwd(3), fwd(2), fwd(1)];
    list.onChanged(fwd(4));
    expect(list.items.map((f) => f.id)).toEqual([4, 3, 2, 1]);
    expect(list.fresh.has(4)).toBe(true);
    list.onChanged(fwd(2, { state: 'failed', attempts: 1 }));
    expect(list.items.find((f) => f.id === 2)?.state).toBe('failed');

    list.filter = 'failed';
    list.items = [fwd(2, { state: 'failed' })];
    list.onChanged(fwd(3, { state: 'sending' }));
    expect(list.items.map((f) => f.id)).toEqual([2]);
    keep = 2; // the selected row stays even when it leaves the filter
    list.onChanged(fwd(2, { state: 'pending' }));
    expect(list.items.map((f) => [f.id, f.state])).toEqual([[2, 'pending']]);
    keep = null;
    list.onChanged(fwd(2, { state: 'sending' }));
    expect(list.items).toEqual([]);
    list.onChanged(fwd(5, { state: 'failed' }));
    expect(list.items.map((f) => f.id)).toEqual([5]);
  });

  it('inserts an older forward at its place, not past the loaded page', () => {
    const list = new ForwardList();
    list.items = [fwd(9), fwd(5)];
    list.onChanged(fwd(7));
    expect(list.items.map((f) => f.id)).toEqual([9, 7, 5]);
    list.nextBefore = 5;
    list.onChanged(fwd(2));
    expect(list.items.map((f) => f.id)).toEqual([9, 7, 5]);
  });

  it('keeps the later view of a row when an older one arrives after it', () => {
    const list = new ForwardList(null, () => 7);
    list.filter = 'failed';
    list.items = [fwd(7, { state: 'failed', updated_at: '2026-12-01T10:00:00.000Z' })];
    // The retry's success event comes first, the retry's own answer ("pending") after it.
    list.onChanged(fwd(7, { state: 'succeeded', attempts: 1, updated_at: '2026-12-01T10:00:01.002Z' }));
    list.onChanged(fwd(7, { state: 'pending', detail: 'retried by hand', updated_at: '2026-12-01T10:00:01.001Z' }));
    expect(list.items.map((f) => [f.id, f.state])).toEqual([[7, 'succeeded']]);
    // The same version again (an event and a reload's row) changes nothing either way.
    list.onChanged(fwd(7, { state: 'succeeded', attempts: 1, updated_at: '2026-12-01T10:00:01.002Z' }));
    expect(list.items[0].state).toBe('succeeded');
  });

  it("a capture's list ignores other captures", () => {
    const list = new ForwardList(101);
    list.onChanged(fwd(2));
    expect(list.items).toEqual([]);
    list.onChanged(fwd(1));
    expect(list.items.map((f) => f.id)).toEqual([1]);
  });
});
