import { describe, expect, it } from 'vitest';
import type { ForwardView } from '../bindings/ForwardView';
import type { RuleSpec } from '../bindings/RuleSpec';
import { call, onEvent } from './index';
import { compileFakeFilter, type FakeSubject } from './fakeForward';
import { emptyFilter } from './fakeSearch';

const spec = (patch: Partial<RuleSpec> = {}): RuleSpec => ({
  endpoint: 'github',
  url: 'http://localhost:3000/hook',
  keep_path: false,
  enabled: true,
  filter: null,
  transform: { kind: 'none' },
  content_type: null,
  resign: false,
  only_valid: false,
  skip_duplicates: false,
  policy: { timeout_ms: 10_000, attempts: 1, backoff_ms: [0] },
  rate: null,
  insecure: false,
  answer: false,
  answer_deadline_ms: 2500,
  ...patch,
});

async function until(what: () => Promise<boolean>, ms = 3000) {
  const end = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const subject = (body: unknown): FakeSubject => ({
  id: 1, endpoint: 'e', method: 'POST', path: '/', headers: [['X-Id', 'a']], body, verdict: null, event_type: null, event_id: null,
});

describe('fake filter subset', () => {
  it('evaluates comparisons joined by && and ||', () => {
    const f = compileFakeFilter('type == "invoice.overdue" && data.total_cents > 150000');
    expect(f(subject({ type: 'invoice.overdue', data: { total_cents: 200000 } }))).toBe(true);
    expect(f(subject({ type: 'invoice.overdue', data: { total_cents: 100 } }))).toBe(false);
    expect(compileFakeFilter('method == "GET" || headers["x-id"] == "a"')(subject({}))).toBe(true);
    expect(compileFakeFilter('has(data.x)')(subject({ data: { x: 1 } }))).toBe(true);
  });
  it('refuses like the engine, with a position', () => {
    expect(() => compileFakeFilter('type == && x')).toThrow();
    try {
      compileFakeFilter('type == "a" && ==');
    } catch (e) {
      expect(e).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/^filter: .*\(line 1, column 16\)$/) });
    }
  });
});

describe('fake forwarding backend', () => {
  it('refuses bad rules with the field first', async () => {
    await expect(call('save_forward_rule', { req: { id: null, spec: spec({ url: 'ftp://x' }) } })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/^url: /) });
    await expect(call('save_forward_rule', { req: { id: null, spec: spec({ filter: 'type ==' }) } })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/^filter: /) });
    await expect(call('save_forward_rule', { req: { id: null, spec: spec({ rate: 'fast' }) } })).rejects.toMatchObject({ message: expect.stringMatching(/^rate: /) });
    await expect(call('save_forward_rule', { req: { id: null, spec: spec({ endpoint: 'nope' }) } })).rejects.toMatchObject({ code: 'not_found' });
    await expect(call('save_forward_rule', { req: { id: null, spec: spec({ transform: { kind: 'template', source: ' ' } }) } })).rejects.toMatchObject({ message: expect.stringMatching(/^template: /) });
  });

  it('forwards matching captures, fails on 500, retries by hand', async () => {
    const seen: ForwardView[] = [];
    const off = await onEvent('forward:changed', (f) => seen.push(f));
    const fake = (globalThis as Record<string, unknown>).hookloupeFake as { send: (m: string, p: string, b: string, h: Array<[string, string]>) => { id: number } };
    const rule = await call('save_forward_rule', { req: { id: null, spec: spec({ filter: 'action == "opened"', url: 'http://localhost:3000/status/201' }) } });
    expect(rule).toMatchObject({ id: expect.any(Number), session: false, endpoint: 'github' });
    expect((await call('list_forward_rules', {})).map((r) => r.id)).toContain(rule.id);

    const json: Array<[string, string]> = [['content-type', 'application/json']];
    const a = fake.send('POST', '/github', '{"action":"opened"}', json);
    const b = fake.send('POST', '/github', '{"action":"closed"}', json);
    const state = async (capture: number) => (await call('list_forwards', { req: { filter: 'all', capture_id: capture, limit: null, before: null } })).items[0]?.state;
    await until(async () => (await state(a.id)) === 'succeeded' && (await state(b.id)) === 'filtered');
    const page = await call('list_captures', { req: { limit: 5, before: null, filter: { ...emptyFilter(), endpoint: 'github' } } });
    expect(page.items.find((c) => c.id === a.id)?.forward).toBe('succeeded');
    expect(page.items.find((c) => c.id === b.id)?.forward).toBeNull();

    // The target fails: one attempt, failed; the attempt is in the delivery log.
    await call('save_forward_rule', { req: { id: rule.id, spec: spec({ filter: 'action == "opened"', url: 'http://localhost:3000/status/500' }) } });
    const c = fake.send('POST', '/github', '{"action":"opened"}', json);
    await until(async () => (await state(c.id)) === 'failed');
    const failed = (await call('list_forwards', { req: { filter: 'failed', capture_id: null, limit: null, before: null } })).items[0];
    expect(failed.detail).toBe('answered 500, after 1 of 1 attempts');
    expect(await call('outbox_counts', {})).toMatchObject({ failed: 1 });
    const detail = await call('get_forward', { id: failed.id });
    expect(detail.attempts).toHaveLength(1);
    expect(detail.attempts[0]).toMatchObject({ kind: 'forward', forward_id: failed.id, attempt: 1, status: 500 });
    expect((await call('get_delivery', { id: detail.attempts[0].id })).kind).toBe('forward');

    // Back up: retry now succeeds (a new round).
    await call('save_forward_rule', { req: { id: rule.id, spec: spec({ filter: 'action == "opened"', url: 'http://localhost:3000/status/200' }) } });
    const r = await call('retry_forward', { id: failed.id });
    expect(r).toMatchObject({ state: 'pending', attempts: 0, detail: 'retried by hand' });
    await until(async () => (await state(c.id)) === 'succeeded');
    expect((await call('get_forward', { id: failed.id })).attempts.map((x) => x.status)).toEqual([500, 200]);
    await expect(call('cancel_forward', { id: failed.id })).rejects.toMatchObject({ code: 'conflict' });
    expect(await call('retry_failed_forwards', {})).toBe(0);
    expect(seen.some((f) => f.id === failed.id && f.state === 'sending')).toBe(true);

    // Paused rules queue nothing; removed rules are gone.
    expect((await call('set_forward_rule_enabled', { id: rule.id, enabled: false })).enabled).toBe(false);
    const d = fake.send('POST', '/github', '{"action":"opened"}', json);
    await new Promise((res) => setTimeout(res, 100));
    expect(await state(d.id)).toBeUndefined();
    await call('remove_forward_rule', { id: rule.id });
    expect((await call('list_forward_rules', {})).some((x) => x.id === rule.id)).toBe(false);
    off();
  });

  it('lets only one rule of an endpoint answer the provider', async () => {
    const first = await call('save_forward_rule', { req: { id: null, spec: spec({ endpoint: 'stripe', answer: true }) } });
    await expect(call('save_forward_rule', { req: { id: null, spec: spec({ endpoint: 'stripe', answer: true }) } })).rejects.toMatchObject({ code: 'conflict' });
    await call('remove_forward_rule', { id: first.id });
  });
});
