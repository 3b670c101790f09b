import { describe, expect, it } from 'vitest';
import { call } from './index';
import { emptyFilter } from './fakeSearch';

const target = { url: 'http://localhost:3000/hook', keep_path: false, resign: false, secret_index: null, new_message_id: false, timeout_ms: null, insecure: false };
const noEdits = { method: null, headers: null, set_headers: [], remove_headers: [], body: null, body_b64: null };

describe('fake replay backend', () => {
  it('rejects bad input, resolves network failures as failed attempts', async () => {
    const page = await call('list_captures', { req: { limit: 1, before: null, filter: { ...emptyFilter(), endpoint: null } } });
    const id = page.items[0].id;
    await expect(call('replay', { req: { capture_id: id, target: { ...target, url: 'nope' }, edits: noEdits, token: null, discard_draft: false } })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(call('replay', { req: { capture_id: 999_999, target, edits: noEdits, token: null, discard_draft: false } })).rejects.toMatchObject({ code: 'not_found' });
    const d = await call('replay', { req: { capture_id: id, target: { ...target, url: 'http://gone.invalid/x' }, edits: noEdits, token: null, discard_draft: false } });
    expect(d).toMatchObject({ outcome: 'failed', error_code: 'dns', status: null });
    await expect(call('get_delivery', { id: 999_999 })).rejects.toMatchObject({ code: 'not_found' });
    await expect(call('save_draft', { draft: { capture_id: 999_999, target, edits: noEdits, saved_at: '' } })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('diffs what a replay sent against its capture, and two responses', async () => {
    const page = await call('list_captures', { req: { limit: 50, before: null, filter: { ...emptyFilter(), endpoint: 'stripe' } } });
    const c = await call('get_capture', { id: page.items.find((x) => x.content_type === 'application/json' && !x.body_over_limit)!.id });
    const body = atob(c.body_b64).replace(/"amount":(\d+)/, '"amount":777777');
    const edits = { ...noEdits, body };
    const d = await call('replay', { req: { capture_id: c.id, target, edits, token: null, discard_draft: false } });
    const d2 = await call('replay', { req: { capture_id: c.id, target: { ...target, url: 'http://localhost:3000/status/503' }, edits: noEdits, token: null, discard_draft: false } });
    const base = { use_endpoint_rules: true, ignore_paths: [], ignore_headers: [], show_ignored: false, array_key: null, context: null, token: null };
    const r = await call('diff_captures', { req: { ...base, a: { kind: 'capture', id: c.id }, b: { kind: 'delivery_request', id: d.id } } });
    expect(r.b.kind).toBe('delivery_request');
    expect(r.json_changes.some((j) => j.path.endsWith('amount') && j.new === 777777)).toBe(true);
    const rr = await call('diff_captures', { req: { ...base, a: { kind: 'delivery_response', id: d.id }, b: { kind: 'delivery_response', id: d2.id } } });
    expect(rr.a.kind).toBe('delivery_response');
    expect(rr.json_changes.length).toBeGreaterThan(0);
    const list = await call('list_deliveries', { req: { capture_id: c.id, filter: 'other', limit: null, before: null } });
    expect(list.items.map((x) => x.id)).toEqual([d2.id]);
  });
});
