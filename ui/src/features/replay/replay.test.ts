// The replay stores against the in-browser fake backend (as the captures store test does).
import { describe, expect, it } from 'vitest';
import type { CaptureView } from '../../bindings/CaptureView';
import type { DeliverySummary } from '../../bindings/DeliverySummary';
import { call } from '../../ipc';
import { base64ToBytes, decodeUtf8 } from '../../lib/bytes';
import { batch } from './batch.svelte';
import { DeliveryList, deliveryFeed } from './deliveries.svelte';
import { replaySession, resetReplaySessions, ReplaySession, SAVE_DELAY_MS } from './replay.svelte';
import { emptyFilter } from '../../ipc/fakeSearch';

const FAKE_SECRET = 'whsec_fake_4eC39HqLyjWDarjtT1zdp7dc';
async function hmacHex(key: string, message: string): Promise<string> {
  const enc = new TextEncoder();
  const k = await crypto.subtle.importKey('raw', enc.encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return Array.from(new Uint8Array(await crypto.subtle.sign('HMAC', k, enc.encode(message))), (b) => b.toString(16).padStart(2, '0')).join('');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: () => boolean, ms = 3000) {
  const t0 = Date.now();
  while (!what()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await sleep(20);
  }
}

async function stripeCapture(): Promise<CaptureView> {
  const page = await call('list_captures', { req: { limit: 1000, before: null, filter: { ...emptyFilter(), endpoint: 'stripe' } } });
  const json = page.items.find((c) => c.content_type?.startsWith('application/json') && !c.body_over_limit)!;
  return call('get_capture', { id: json.id });
}

describe('replay session (against the fake backend)', () => {
  it('saves edits as a draft, restores it, re-signs what goes out, and forgets the draft once sent', async () => {
    resetReplaySessions();
    const c = await stripeCapture();
    const s = replaySession(c);
    expect(replaySession(c)).toBe(s); // one session per capture
    await until(() => s.ready);
    expect(s.hasDraft).toBe(false);

    s.setForm({ url: 'http://localhost:3000/hooks' });
    const edited = decodeUtf8(base64ToBytes(c.body_b64))!.replace(/"amount":\d+/, '"amount":9900');
    s.setBody(edited);
    expect(s.saving).toBe(true);
    await sleep(SAVE_DELAY_MS + 200);
    expect(s.saving).toBe(false);
    expect(s.hasDraft).toBe(true);
    const draft = await call('get_draft', { id: c.id });
    expect(draft?.edits.body).toBe(edited);
    expect(draft?.edits.headers).toBeNull();
    expect(draft?.target.url).toBe('http://localhost:3000/hooks');

    // A new session (as after a restart) comes back with the draft.
    const again = new ReplaySession(c);
    await again.init();
    expect(again.model.body).toBe(edited);
    expect(again.form.url).toBe('http://localhost:3000/hooks');
    expect(again.hasDraft).toBe(true);

    // Not re-signed: the preview warns that the signature no longer matches.
    await until(() => s.preview !== null && !s.previewing);
    expect(s.preview!.warnings.map((w) => w.code)).toContain('signature_mismatch');
    expect(s.preview!.can_resign).toBe(true);

    // Re-signed: a Stripe signature over exactly the edited body.
    s.setForm({ resign: true });
    await until(() => s.preview?.resigned === true && !s.previewing);
    const sig = s.preview!.request.headers.find(([n]) => n.toLowerCase() === 'stripe-signature')![1];
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(sig)!;
    expect(v1).toBe(await hmacHex(FAKE_SECRET, `${t}.${edited}`));
    expect(s.preview!.signature_headers.map((n) => n.toLowerCase())).toEqual(['stripe-signature']);
    expect(s.preview!.curl).toContain(`: ${sig}`);

    await s.send();
    expect(s.sendError).toBeNull();
    expect(s.result?.status).toBe(201);
    expect(s.result?.resigned).toBe(true);
    expect(decodeUtf8(base64ToBytes(s.result!.request_body_b64))).toBe(edited);
    expect(s.hasDraft).toBe(false);
    expect(await call('get_draft', { id: c.id })).toBeNull();
    // No late save brings the draft back.
    await sleep(SAVE_DELAY_MS + 100);
    expect(await call('get_draft', { id: c.id })).toBeNull();
  });

  it('refuses to send a header row that cannot be sent, and reports failures as attempts', async () => {
    resetReplaySessions();
    const c = await stripeCapture();
    await call('discard_draft', { id: c.id });
    const s = replaySession(c);
    await until(() => s.ready);
    expect(s.blocker).toMatch(/target URL/);
    s.setForm({ url: 'ftp://x' });
    expect(s.blocker).toMatch(/http/);
    s.setForm({ url: 'http://127.0.0.1:9/down' });
    s.setModel({ headers: [...s.model.headers, ['Bad Name', 'v']] });
    expect(s.blocker).toMatch(/Bad Name/);
    await s.send();
    expect(s.sendError?.code).toBe('invalid_input');
    expect(s.result).toBeNull();
    s.setModel({ headers: s.model.headers.slice(0, -1) });
    await s.send();
    expect(s.sendError).toBeNull();
    expect(s.result?.outcome).toBe('failed');
    expect(s.result?.error_code).toBe('refused');
    await s.discardDraft();
    expect(s.edited).toBe(false);
    expect(await call('get_draft', { id: c.id })).toBeNull();
  });

  it('cancels a request in flight', async () => {
    resetReplaySessions();
    const c = await stripeCapture();
    const s = replaySession(c);
    await until(() => s.ready);
    s.setForm({ url: 'http://localhost:3000/slow' });
    const sent = s.send();
    await until(() => s.sending);
    await sleep(100);
    await s.cancel();
    await sent;
    expect(s.result?.outcome).toBe('cancelled');
    expect(s.sending).toBe(false);
  });
});

describe('delivery lists and batches (against the fake backend)', () => {
  it('lists attempts newest first, filtered, live; a batch reports progress and its summary', async () => {
    const all = new DeliveryList(null);
    const failedOnly = new DeliveryList(null);
    failedOnly.filter = 'failed';
    const detach = [all.attach(), failedOnly.attach()];
    await Promise.all([all.reload(), failedOnly.reload()]);
    const before = all.items.length;
    expect(failedOnly.items.every((d) => d.outcome !== 'response')).toBe(true);

    const page = await call('list_captures', { req: { limit: 20, before: null, filter: { ...emptyFilter(), endpoint: null } } });
    // Captures over the size limit have no body to send as captured (the batch would stop there).
    const ids = page.items.filter((c) => !c.body_over_limit).slice(0, 3).map((c) => c.id);
    const progress: number[] = [];
    const seen: DeliverySummary[] = [];
    const { onEvent } = await import('../../ipc');
    const off = await onEvent('delivery:new', (d) => seen.push(d));
    batch.openFor([...ids].reverse());
    expect(batch.ids).toEqual([...ids].sort((a, b) => a - b));
    batch.setForm({ url: 'http://localhost:3000', keepPath: true });
    const unsub = await onEvent('replay:progress', (p) => {
      batch.onProgress(p);
      progress.push(p.done);
    });
    await batch.start();
    unsub();
    off();
    expect(batch.error).toBeNull();
    expect(progress).toEqual([1, 2, 3]);
    expect(batch.counts).toEqual({ sent: 3, success: 3, other: 0, failed: 0 });
    expect(batch.deliveries.map((d) => d.capture_id)).toEqual([...ids].sort((a, b) => a - b));
    expect(seen).toHaveLength(3);
    // Live: the list follows delivery:new (fanned out through deliveryFeed) without a reload.
    for (const d of seen) deliveryFeed.emit(d);
    expect(all.items.length).toBe(before + 3);
    expect(all.items[0].id).toBeGreaterThan(all.items[1].id);
    expect(failedOnly.items.some((d) => seen.some((x) => x.id === d.id))).toBe(false);

    const mine = new DeliveryList(ids[0]);
    await mine.reload();
    expect(mine.items.every((d) => d.capture_id === ids[0])).toBe(true);
    expect(mine.items.length).toBeGreaterThan(0);
    detach.forEach((f) => f());
  });
});
