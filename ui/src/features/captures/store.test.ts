import { describe, expect, it } from 'vitest';
import type { CaptureSummary } from '../../bindings/CaptureSummary';
import { call } from '../../ipc';
import { captures, PAGE_SIZE } from './store.svelte';

const summary = (id: number, endpoint = 'stripe'): CaptureSummary => ({
  id,
  received_at: '2024-05-01T12:00:00.000000Z',
  received_at_us: 1714564800000000,
  endpoint,
  method: 'POST',
  path: '/stripe',
  query: '',
  body_size: 2,
  body_over_limit: false,
  content_type: null,
  remote_addr: '127.0.0.1:5000',
  verdict: null,
  detected_scheme: null,
  event_type: null,
  duplicate_of: null,
  via: 'local',
  forwarded_for: null,
  forward: null,
});

describe('captures store (against the fake backend)', () => {
  it('loads pages newest first, prepends live captures, respects the filter and deletes', async () => {
    await captures.reload();
    expect(captures.items).toHaveLength(PAGE_SIZE);
    const ids = captures.items.map((c) => c.id);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    expect(captures.nextBefore).toBe(ids[ids.length - 1]);

    await captures.loadMore();
    expect(captures.items.length).toBe(2 * PAGE_SIZE);
    expect(new Set(captures.items.map((c) => c.id)).size).toBe(captures.items.length);

    const top = captures.items[0].id;
    captures.onNew(summary(top + 1000));
    expect(captures.items[0].id).toBe(top + 1000);
    captures.onNew(summary(top + 1000)); // duplicate ignored
    expect(captures.items.filter((c) => c.id === top + 1000)).toHaveLength(1);

    // Selection + delete moves to the next row.
    captures.select(captures.items[1].id);
    const next = captures.items[2].id;
    await captures.removeSelected();
    expect(captures.selectedId).toBe(next);
    expect(captures.move(-1)).toBe(captures.items[0].id);
    expect(captures.move(-5)).toBe(captures.items[0].id);

    captures.setFilter('github');
    await new Promise((r) => setTimeout(r, 100));
    expect(captures.items.length).toBeGreaterThan(0);
    expect(captures.items.every((c) => c.endpoint === 'github')).toBe(true);
    const n = captures.items.length;
    captures.onNew(summary(top + 2000, 'stripe')); // filtered out
    expect(captures.items).toHaveLength(n);

    expect(await captures.clear()).toBe(true);
    expect(captures.items).toHaveLength(0);
    const page = await call('list_captures', { req: { limit: null, before: null, endpoint: null } });
    expect(page).toEqual({ items: [], next_before: null });
  });
});
