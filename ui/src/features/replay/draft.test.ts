import { describe, expect, it } from 'vitest';
import type { CaptureView } from '../../bindings/CaptureView';
import { bytesToBase64, utf8Bytes } from '../../lib/bytes';
import {
  capturedModel,
  clampTimeoutSecs,
  defaultTarget,
  draftOf,
  editsFrom,
  formFromTarget,
  isUnedited,
  modelFromDraft,
  targetFrom,
} from './draft';

function capture(body: string | Uint8Array, extra: Partial<CaptureView> = {}): CaptureView {
  const bytes = typeof body === 'string' ? utf8Bytes(body) : body;
  return {
    id: 7,
    received_at: '2024-05-01T12:00:00.000000Z',
    received_at_us: 1714564800000000,
    endpoint: 'stripe',
    method: 'POST',
    path: '/stripe',
    query: '',
    url: 'http://127.0.0.1:4665/stripe',
    headers: [
      ['Host', '127.0.0.1:4665'],
      ['Content-Type', 'application/json'],
      ['Stripe-Signature', 't=1,v1=abc'],
    ],
    body_b64: bytesToBase64(bytes),
    body_size: bytes.length,
    body_over_limit: false,
    content_type: 'application/json',
    remote_addr: '127.0.0.1:5000',
    via: 'local',
    forwarded_for: null,
    verdict: null,
    detected_scheme: null,
    detections: [],
    ...extra,
  };
}

describe('replay draft', () => {
  it('leaves everything null when nothing was edited, so the captured bytes go out', () => {
    const c = capture('{"amount":4200}');
    const e = editsFrom(c, capturedModel(c));
    expect(e).toEqual({ method: null, headers: null, set_headers: [], remove_headers: [], body: null, body_b64: null });
    expect(isUnedited(e)).toBe(true);
  });

  it('sends the editor text exactly, and the whole header list once it changed', () => {
    const c = capture('{"amount":4200}');
    const m = capturedModel(c);
    m.body = '{ "amount" : 9900 }';
    m.method = 'PUT';
    m.headers = [...m.headers, ['X-Extra', '1']];
    const e = editsFrom(c, m);
    expect(e.body).toBe('{ "amount" : 9900 }');
    expect(e.method).toBe('PUT');
    expect(e.headers).toEqual([...c.headers, ['X-Extra', '1']]);
    expect(isUnedited(e)).toBe(false);
    // Typing the original text back is no edit at all.
    m.body = '{"amount":4200}';
    expect(editsFrom(c, m).body).toBeNull();
  });

  it('never puts a binary body in the editor and never sends it as text', () => {
    const c = capture(new Uint8Array([0xff, 0xfe, 0x00, 0x41]), { content_type: 'application/octet-stream' });
    const m = capturedModel(c);
    expect(m.body).toBeNull();
    expect(editsFrom(c, m).body).toBeNull();
  });

  it('always sends the editor text for a capture whose body was not stored (over the limit)', () => {
    const c = capture('', { body_over_limit: true, body_size: 12_000_000 });
    const m = capturedModel(c);
    expect(m.body).toBe('');
    expect(editsFrom(c, m).body).toBe('');
    expect(editsFrom(c, { ...m, body: '{"a":1}' }).body).toBe('{"a":1}');
  });

  it('clamps the timeout to 1 s – 10 min and converts it to milliseconds', () => {
    expect(clampTimeoutSecs(0)).toBe(1);
    expect(clampTimeoutSecs(601)).toBe(600);
    expect(clampTimeoutSecs(Number.NaN)).toBe(30);
    expect(targetFrom({ ...defaultTarget(' http://x/h '), timeoutSecs: 9999 })).toEqual({
      url: 'http://x/h',
      keep_path: false,
      resign: false,
      secret_index: null,
      new_message_id: false,
      timeout_ms: 600000,
      insecure: false,
    });
  });

  it('round-trips through a saved draft', () => {
    const c = capture('{"amount":4200}');
    const m = capturedModel(c);
    m.body = '{"amount":1}';
    m.headers = m.headers.filter(([n]) => n !== 'Stripe-Signature');
    const form = { ...defaultTarget('https://staging.example/hook'), resign: true, secretIndex: 1, timeoutSecs: 120, insecure: true, keepPath: true };
    const d = draftOf(c, m, form);
    expect(d.capture_id).toBe(7);
    const saved = structuredClone({ ...d, saved_at: '2024-05-01T12:01:00Z' });
    expect(modelFromDraft(c, saved)).toEqual(m);
    expect(formFromTarget(saved.target)).toEqual(form);
  });

  it('restores fields a draft leaves null from the capture', () => {
    const c = capture('a=1&b=2', { content_type: 'application/x-www-form-urlencoded' });
    const d = draftOf(c, { ...capturedModel(c), method: 'PATCH' }, defaultTarget('http://t'));
    const m = modelFromDraft(c, d);
    expect(m.method).toBe('PATCH');
    expect(m.body).toBe('a=1&b=2');
    expect(m.headers).toEqual(c.headers);
    // A binary body from a draft is kept as bytes, not shown as text.
    const bin = modelFromDraft(c, { ...d, edits: { ...d.edits, body_b64: '//4=' } });
    expect(bin.body).toBeNull();
    expect(editsFrom(c, bin).body_b64).toBe('//4=');
  });
});
