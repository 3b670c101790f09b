import { describe, expect, it } from 'vitest';
import { captures } from '../captures/store.svelte';
import { EMPTY_FILTER } from './filter';
import { EXPR_DEBOUNCE_MS, search, TEXT_DEBOUNCE_MS } from './search.svelte';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('search store (against the fake backend)', () => {
  it('applies typed words after the pause, chips at once, and clears everything but the endpoint', async () => {
    await captures.reload();
    search.setText('pull_request');
    expect(captures.criteria.text).toBe('');
    await wait(TEXT_DEBOUNCE_MS + 150);
    expect(captures.criteria.text).toBe('pull_request');
    expect(captures.applied.search).toBe('pull_request');
    expect(captures.items.every((c) => c.endpoint === 'github')).toBe(true);

    search.setExpr('type == "invoice.paid"');
    search.setChips({ method: 'POST' });
    expect(captures.criteria).toMatchObject({ method: 'POST', expr: 'type == "invoice.paid"' });
    await wait(EXPR_DEBOUNCE_MS + 150);

    captures.setFilter('stripe');
    search.clearAll();
    expect(captures.criteria).toEqual({ ...EMPTY_FILTER, endpoint: 'stripe' });
    expect(search.text).toBe('');
    captures.setFilter(null);
  });

  it('saves a filter under a name, a relative time range staying relative, and deletes it', async () => {
    search.text = 'evt_1001';
    search.setChips({ range: '1h', verdict: 'invalid' });
    await search.save('  Recent bad  ');
    expect(search.saved.map((v) => v.name)).toContain('Recent bad');
    const saved = search.saved.find((v) => v.name === 'Recent bad')!;
    expect(saved.filter).toMatchObject({ search: 'evt_1001', verdict: 'invalid' });
    expect(saved.filter.since_us).not.toBeNull();

    search.clearAll();
    search.applySaved(saved);
    expect(captures.criteria).toMatchObject({ text: 'evt_1001', verdict: 'invalid', range: '1h', sinceUs: null });
    expect(search.text).toBe('evt_1001');

    await search.remove('Recent bad');
    expect(search.saved.map((v) => v.name)).not.toContain('Recent bad');
    await expect(search.save('  ')).rejects.toMatchObject({ code: 'invalid_input' });
    search.clearAll();
  });
});
