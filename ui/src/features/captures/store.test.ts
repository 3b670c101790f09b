import { describe, expect, it } from 'vitest';
import type { CaptureSummary } from '../../bindings/CaptureSummary';
import { call } from '../../ipc';
import { emptyFilter, FAKE_SCAN_BUDGET } from '../../ipc/fakeSearch';
import { EMPTY_FILTER } from '../search/filter';
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
  pinned: false,
});

const settle = () => new Promise((r) => setTimeout(r, 250));
const fake = () => (globalThis as unknown as { hookloupeFake: { send: (m: string, p: string, b: string, h?: Array<[string, string]>) => CaptureSummary } }).hookloupeFake;

describe('captures store (against the fake backend)', () => {
  it('loads pages newest first, prepends live captures, respects the filter and deletes', async () => {
    await captures.reload();
    expect(captures.items).toHaveLength(PAGE_SIZE);
    const ids = captures.items.map((c) => c.id);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    expect(captures.nextBefore).toBe(ids[ids.length - 1]);
    expect(captures.total).toBe(captures.stored);
    const stored = captures.stored;

    await captures.loadMore();
    expect(captures.items.length).toBe(stored);
    expect(new Set(captures.items.map((c) => c.id)).size).toBe(captures.items.length);

    const top = captures.items[0].id;
    captures.onNew(summary(top + 1000));
    captures.onNew(summary(top + 1000)); // duplicate ignored
    captures.flushInserts();
    expect(captures.items[0].id).toBe(top + 1000);
    expect(captures.total).toBe(stored + 1);
    expect(captures.items.filter((c) => c.id === top + 1000)).toHaveLength(1);

    // Selection + delete moves to the next row.
    captures.select(captures.items[1].id);
    const next = captures.items[2].id;
    await captures.removeSelected();
    expect(captures.selectedId).toBe(next);
    expect(captures.move(-1)).toBe(captures.items[0].id);
    expect(captures.move(-5)).toBe(captures.items[0].id);
    expect(captures.rangeIds(captures.items[3].id, captures.items[1].id)).toEqual(captures.items.slice(1, 4).map((c) => c.id));

    captures.setFilter('github');
    await settle();
    expect(captures.items.length).toBeGreaterThan(0);
    expect(captures.items.every((c) => c.endpoint === 'github')).toBe(true);
    expect(captures.total).toBe(captures.items.length);
    const n = captures.items.length;
    captures.onNew(summary(top + 2000, 'stripe')); // filtered out
    captures.flushInserts();
    expect(captures.items).toHaveLength(n);
    captures.setCriteria(EMPTY_FILTER);
    await settle();

    expect(await captures.clear()).toBe(true);
    expect(captures.items).toHaveLength(0);
    const page = await call('list_captures', { req: { limit: null, before: null, filter: emptyFilter() } });
    expect(page).toMatchObject({ items: [], next_before: null, total: 0 });
  });

  it('full text and chips narrow the list; live captures are checked by the engine', async () => {
    const f = fake();
    f.send('POST', '/stripe/a', '{"order":"ORD-2024-003","total":1}', [['content-type', 'application/json']]);
    f.send('POST', '/stripe/b', '{"order":"ORD-2024-004","total":2}', [['content-type', 'application/json']]);
    f.send('GET', '/github/c', '', []);
    captures.setCriteria({ ...EMPTY_FILTER, text: 'ORD-2024-003' });
    await settle();
    expect(captures.items.map((c) => c.path)).toEqual(['/stripe/a']);
    expect(captures.total).toBe(1);
    // A new capture that only the engine can judge: asked about, then shown.
    captures.onNew(f.send('POST', '/stripe/d', '{"again":"ord-2024-003"}', [['content-type', 'application/json']]));
    captures.onNew(f.send('POST', '/stripe/e', '{"other":"nope"}', [['content-type', 'application/json']]));
    await settle();
    expect(captures.items.map((c) => c.path)).toEqual(['/stripe/d', '/stripe/a']);

    captures.setCriteria({ ...EMPTY_FILTER, method: 'GET' });
    await settle();
    expect(captures.items.map((c) => c.path)).toEqual(['/github/c']);
  });

  it('an expression that does not parse keeps the previous results and says where', async () => {
    captures.setCriteria({ ...EMPTY_FILTER, expr: 'total == 2' });
    await settle();
    expect(captures.items.map((c) => c.path)).toEqual(['/stripe/b']);
    expect(captures.total).toBeNull();
    captures.setCriteria({ ...EMPTY_FILTER, expr: 'total == 2 &&& x' });
    await settle();
    expect(captures.items.map((c) => c.path)).toEqual(['/stripe/b']);
    expect(captures.exprError).toMatchObject({ line: 1, column: 14, offset: 13 });
    captures.setCriteria({ ...EMPTY_FILTER, expr: 'total == 2' });
    await settle();
    expect(captures.exprError).toBeNull();
    await captures.countMatches();
    expect(captures.counted).toBe(1);
  });

  it('expression pages stop at the scan budget and go on from next_before', async () => {
    const f = fake();
    f.send('POST', '/stripe/old', '{"needle":1}', [['content-type', 'application/json']]);
    for (let i = 0; i < FAKE_SCAN_BUDGET + 10; i++) f.send('POST', '/stripe/hay', '{"hay":1}', [['content-type', 'application/json']]);
    captures.setCriteria({ ...EMPTY_FILTER, expr: 'needle == 1' });
    await settle();
    expect(captures.items).toHaveLength(0);
    expect(captures.partial).toBe(true);
    expect(captures.nextBefore).not.toBeNull();
    await captures.loadMore();
    expect(captures.items.map((c) => c.path)).toEqual(['/stripe/old']);
  });

  it('adds a burst of live captures in one batch, newest on top', async () => {
    captures.setCriteria(EMPTY_FILTER);
    await settle();
    const top = captures.items[0].id;
    const before = captures.items;
    for (let i = 1; i <= 50; i++) captures.onNew(summary(top + i));
    expect(captures.items).toBe(before); // nothing copied yet
    expect(captures.has(top + 50)).toBe(true);
    await settle();
    expect(captures.items.slice(0, 51).map((c) => c.id)).toEqual(Array.from({ length: 51 }, (_, i) => top + 50 - i));
  });

  it('pins a capture; the pinned chip lists it', async () => {
    captures.setCriteria(EMPTY_FILTER);
    await settle();
    const page = await call('list_captures', { req: { limit: 3, before: null, filter: emptyFilter() } });
    const id = page.items[2].id;
    await captures.setPinned(id, true);
    expect(captures.pinnedOf(id)).toBe(true);
    captures.setCriteria({ ...EMPTY_FILTER, pinned: true });
    await settle();
    expect(captures.items.map((c) => c.id)).toEqual([id]);
    await captures.setPinned(id, false);
    expect(captures.items).toHaveLength(0);
  });
});
