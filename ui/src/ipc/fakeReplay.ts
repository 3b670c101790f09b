// Replay and the delivery log for the in-browser fake backend (`npm run dev`), never used
// inside Tauri. Plausible, not faithful: the request that would go out is computed like the
// engine does (edits, rebase, Host/Content-Length, a real Stripe or GitHub HMAC when re-signing,
// warnings), and "sending" is simulated from the target URL:
//   the fake listener's own URL   → captured by the fake receiver, answered by the endpoint rule
//   host ending in .invalid       → dns failure        port 9 / port 1   → refused
//   path with /slow               → answers after 4 s (timeout / Cancel can be tried)
//   path with /status/NNN         → answers NNN        host with self-signed (https) → tls unless insecure
//   anything else                 → 201 {"received":true}
import type { CaptureView } from '../bindings/CaptureView';
import type { DeliverySummary } from '../bindings/DeliverySummary';
import type { DeliveryView } from '../bindings/DeliveryView';
import type { ErrorView } from '../bindings/ErrorView';
import type { ListDeliveriesReq } from '../bindings/ListDeliveriesReq';
import type { OutgoingView } from '../bindings/OutgoingView';
import type { ReplayBatchView } from '../bindings/ReplayBatchView';
import type { ReplayDraft } from '../bindings/ReplayDraft';
import type { ReplayManyReq } from '../bindings/ReplayManyReq';
import type { ReplayPreview } from '../bindings/ReplayPreview';
import type { ReplayReq } from '../bindings/ReplayReq';
import type { ReplayWarning } from '../bindings/ReplayWarning';
import type { SchemeId } from '../bindings/SchemeId';
import type { SendFailure } from '../bindings/SendFailure';
import { base64ToBytes, bytesToBase64, bytesToHex, utf8Bytes } from '../lib/bytes';
import { buildCurl } from '../lib/curl';

export type FakeSigning = { scheme: SchemeId | null; secrets: string[]; tolerance: number };

/** What the replay fake needs from the rest of the fake backend. */
export interface FakeReplayHost {
  capture(id: number): CaptureView | undefined;
  signing(endpoint: string): FakeSigning;
  listenerUrl(): string;
  /** Delivers a request to the fake receiver; returns its answer. */
  receive(method: string, pathAndQuery: string, body: Uint8Array, headers: Array<[string, string]>): {
    status: number;
    headers: Array<[string, string]>;
    body: string;
  };
  emit(name: string, payload: unknown): void;
}

function fail(code: ErrorView['code'], message: string): never {
  throw { code, message } satisfies ErrorView;
}

const REASONS: Record<number, string> = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 410: 'Gone',
  422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway',
  503: 'Service Unavailable', 504: 'Gateway Timeout',
};

async function hmacHex(secret: string, message: Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey('raw', utf8Bytes(secret) as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return bytesToHex(new Uint8Array(await crypto.subtle.sign('HMAC', key, message as BufferSource)));
}

/** Sets the first header of that name (any case; later ones removed) or adds it; returns the name as written. */
function setHeader(headers: Array<[string, string]>, name: string, value: string, prepend = false): string {
  const k = name.toLowerCase();
  const i = headers.findIndex(([n]) => n.toLowerCase() === k);
  if (i >= 0) {
    headers[i] = [headers[i][0], value];
    for (let j = headers.length - 1; j > i; j--) if (headers[j][0].toLowerCase() === k) headers.splice(j, 1);
    return headers[i][0];
  }
  if (prepend) headers.unshift([name, value]);
  else headers.push([name, value]);
  return name;
}

function age(secs: number): string {
  if (secs < 90) return `${secs} s`;
  if (secs < 5400) return `${Math.round(secs / 60)} min`;
  if (secs < 172800) return `${Math.round(secs / 3600)} h`;
  return `${Math.round(secs / 86400)} days`;
}

type Built = { preview: ReplayPreview; body: Uint8Array; url: URL };

export class FakeReplay {
  private deliveries: DeliveryView[] = []; // oldest first
  private nextId = 1;
  private drafts = new Map<number, ReplayDraft>();
  private cancels = new Map<string, () => void>();
  private cancelled = new Set<string>();
  /** Tokens of the replays and batches in flight. */
  private running = new Set<string>();

  constructor(private host: FakeReplayHost) {}

  handles(cmd: string): boolean {
    return ['preview_replay', 'replay', 'replay_many', 'cancel_replay', 'list_deliveries', 'get_delivery', 'get_draft', 'save_draft', 'discard_draft'].includes(cmd);
  }

  /** A stored delivery, for the fake diff. */
  delivery(id: number): DeliveryView | undefined {
    return this.deliveries.find((d) => d.id === id);
  }

  async invoke(cmd: string, args: Record<string, unknown>): Promise<unknown> {
    switch (cmd) {
      case 'preview_replay':
        return (await this.build(args.req as ReplayReq)).preview;
      case 'replay': {
        const req = args.req as ReplayReq;
        if (req.token) this.running.add(req.token);
        try {
          const d = await this.attempt(req);
          if (req.discard_draft) this.drafts.delete(req.capture_id);
          return structuredClone(d);
        } finally {
          if (req.token) {
            this.running.delete(req.token);
            this.cancelled.delete(req.token);
          }
        }
      }
      case 'replay_many': {
        const req = args.req as ReplayManyReq;
        if (req.token) this.running.add(req.token);
        try {
          return await this.many(req);
        } finally {
          if (req.token) {
            this.running.delete(req.token);
            this.cancelled.delete(req.token);
          }
        }
      }
      case 'cancel_replay': {
        const t = args.token as string;
        if (!this.running.has(t)) return false;
        this.cancelled.add(t);
        this.cancels.get(t)?.();
        return true;
      }
      case 'list_deliveries': {
        const req = args.req as ListDeliveriesReq;
        const limit = Math.max(1, Math.min(req.limit ?? 50, 500));
        const out: DeliverySummary[] = [];
        let more = false;
        for (let i = this.deliveries.length - 1; i >= 0; i--) {
          const d = this.deliveries[i];
          if (req.before !== null && d.id >= req.before) continue;
          if (req.capture_id !== null && d.capture_id !== req.capture_id) continue;
          const ok = d.outcome === 'response' && d.status !== null && d.status >= 200 && d.status < 300;
          const f = req.filter ?? 'all';
          if (f === 'success' && !ok) continue;
          if (f === 'other' && (d.outcome !== 'response' || ok)) continue;
          if (f === 'failed' && d.outcome === 'response') continue;
          if (out.length === limit) {
            more = true;
            break;
          }
          out.push(summaryOf(d));
        }
        return { items: out, next_before: more ? out[out.length - 1].id : null };
      }
      case 'get_delivery':
        return structuredClone(this.delivery(args.id as number) ?? fail('not_found', `delivery ${String(args.id)} not found`));
      case 'get_draft':
        return structuredClone(this.drafts.get(args.id as number) ?? null);
      case 'save_draft': {
        const d = structuredClone(args.draft as ReplayDraft);
        if (!this.host.capture(d.capture_id)) fail('not_found', `capture ${d.capture_id} not found`);
        d.saved_at = new Date().toISOString();
        this.drafts.set(d.capture_id, d);
        return structuredClone(d);
      }
      case 'discard_draft':
        this.drafts.delete(args.id as number);
        return null;
    }
    fail('internal', `unknown command ${cmd}`);
  }

  private async build(req: ReplayReq): Promise<Built> {
    const c = this.host.capture(req.capture_id) ?? fail('not_found', `capture ${req.capture_id} not found`);
    const t = req.target;
    let url: URL;
    try {
      url = new URL(t.url);
    } catch {
      fail('invalid_input', t.url.trim() ? `"${t.url}" is not a URL` : 'give the target URL (http:// or https://)');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') fail('invalid_input', 'the target URL must start with http:// or https://');
    if (t.timeout_ms !== null && (t.timeout_ms < 1 || t.timeout_ms > 600_000)) fail('invalid_input', 'the timeout must be between 1 ms and 10 min');
    if (t.keep_path) {
      const base = url.pathname.replace(/\/+$/, '');
      url = new URL(`${url.origin}${base}${c.path}${c.query ? '?' + c.query : ''}`);
    }
    const e = req.edits;
    const method = e.method ?? c.method;
    const headers: Array<[string, string]> = (e.headers ?? c.headers).map(([n, v]) => [n, v]);
    e.headers?.forEach(([n, v], i) => {
      if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(n)) fail('invalid_input', `header #${i + 1} has an invalid name "${n}"`);
      if (/[\r\n]/.test(v)) fail('invalid_input', `header "${n}" has a line break in its value`);
    });
    for (const [n, v] of e.set_headers) setHeader(headers, n, v);
    const removed = new Set(e.remove_headers.map((n) => n.toLowerCase()));
    const kept = headers.filter(([n]) => !removed.has(n.toLowerCase()));
    if (c.body_over_limit && e.body === null && e.body_b64 === null) {
      fail('invalid_input', `capture ${c.id} has no stored body (it was over the size limit), so it cannot be replayed as captured; give a body`);
    }
    const body = e.body_b64 !== null ? base64ToBytes(e.body_b64) : e.body !== null ? utf8Bytes(e.body) : base64ToBytes(c.body_b64);
    setHeader(kept, 'Host', url.host, true);
    for (let i = kept.length - 1; i >= 0; i--) if (kept[i][0].toLowerCase() === 'transfer-encoding') kept.splice(i, 1);
    if (body.length > 0 || kept.some(([n]) => n.toLowerCase() === 'content-length')) setHeader(kept, 'Content-Length', String(body.length));

    const signing = this.host.signing(c.endpoint);
    const now = Math.floor(Date.now() / 1000);
    let cannot: string | null = null;
    if (!signing.scheme) cannot = `endpoint "${c.endpoint}" has no signature scheme: configure one in the Signature tab to re-sign`;
    else if (signing.scheme !== 'stripe' && signing.scheme !== 'github') cannot = `the fake backend cannot sign ${signing.scheme} requests`;
    else if (signing.secrets.length === 0) cannot = `endpoint "${c.endpoint}" has no secret to sign with`;
    const signatureHeaders: string[] = [];
    if (t.resign) {
      if (cannot) {
        fail(!signing.scheme ? 'no_scheme' : signing.secrets.length === 0 ? 'no_secret' : 'cannot_sign', cannot);
      }
      if (!cannot) {
        const secret = signing.secrets[t.secret_index ?? 0] ?? fail('invalid_input', `there is no secret #${t.secret_index}`);
        if (signing.scheme === 'stripe') {
          const v1 = await hmacHex(secret, new Uint8Array([...utf8Bytes(`${now}.`), ...body]));
          signatureHeaders.push(setHeader(kept, 'Stripe-Signature', `t=${now},v1=${v1}`));
        } else {
          signatureHeaders.push(setHeader(kept, 'X-Hub-Signature-256', `sha256=${await hmacHex(secret, body)}`));
        }
      }
    }
    const warnings: ReplayWarning[] = [];
    const resigned = signatureHeaders.length > 0;
    const sig = c.headers.find(([n]) => n.toLowerCase() === 'stripe-signature')?.[1];
    if (!resigned && sig) {
      const ts = Number(/(?:^|,)t=(\d+)/.exec(sig)?.[1]);
      const captured = base64ToBytes(c.body_b64);
      const edited = body.length !== captured.length || body.some((b, i) => b !== captured[i]);
      const secs = Math.floor(Date.now() / 1000) - ts;
      if (Number.isFinite(ts) && secs > signing.tolerance) {
        warnings.push({
          code: 'stale_signature',
          message: `captured ${age(secs)} ago; Stripe accepts ${signing.tolerance} s: the target will reject this signature as too old — re-sign?`,
        });
      }
      if (edited) {
        warnings.push({ code: 'signature_mismatch', message: 'the body was edited, so the captured signature no longer matches what goes out — re-sign?' });
      }
    }
    if (t.insecure) warnings.push({ code: 'insecure', message: 'TLS certificates are not checked: an impostor could answer in place of the target.' });
    const request: OutgoingView = { method, url: url.href, headers: kept, body_b64: bytesToBase64(body), body_size: body.length };
    const preview: ReplayPreview = {
      request,
      signature_headers: signatureHeaders,
      resigned,
      scheme: signing.scheme,
      can_resign: cannot === null,
      cannot_resign_reason: cannot,
      warnings,
      curl: buildCurl({ method, url: url.href, headers: kept, body }),
    };
    return { preview, body, url };
  }

  /** Waits `ms`, or less when the token is cancelled; true when cancelled. */
  private wait(ms: number, token: string | null): Promise<boolean> {
    return new Promise((resolve) => {
      if (token && this.cancelled.has(token)) return resolve(true);
      const timer = setTimeout(() => {
        if (token) this.cancels.delete(token);
        resolve(false);
      }, ms);
      if (token) {
        this.cancels.set(token, () => {
          clearTimeout(timer);
          this.cancels.delete(token);
          resolve(true);
        });
      }
    });
  }

  /** The attempts of a forward, oldest first (the forwarding fake's detail). */
  forwardAttempts(forwardId: number): DeliverySummary[] {
    return this.deliveries.filter((d) => d.forward_id === forwardId).map(summaryOf);
  }

  /** One attempt of a forward (the forwarding fake): stored in the log as `kind: forward`. */
  async forwardAttempt(req: ReplayReq, forward: { id: number; attempt: number }): Promise<DeliverySummary> {
    return summaryOf(await this.attempt(req, null, forward));
  }

  private async attempt(req: ReplayReq, batchToken: string | null = null, forward: { id: number; attempt: number } | null = null): Promise<DeliveryView> {
    const { preview, body, url } = await this.build(req);
    const started = Date.now();
    const token = req.token ?? batchToken;
    const timeout = req.target.timeout_ms ?? 30_000;
    let status: number | null = null;
    let headers: Array<[string, string]> = [];
    let text = '';
    let error: [SendFailure, string] | null = null;
    const slow = url.pathname.includes('/slow');
    const cancelled = await this.wait(Math.min(slow ? 4000 : 40 + Math.random() * 160, timeout), token);
    const self = new URL(this.host.listenerUrl());
    if (cancelled) error = ['cancelled', 'stopped by the user'];
    else if (slow && timeout < 4000) error = ['timeout', `no answer within ${timeout / 1000} s`];
    else if (url.hostname.endsWith('.invalid')) error = ['dns', `could not resolve host ${url.hostname}`];
    else if (url.port === '9' || url.port === '1') error = ['refused', `connection refused by ${url.host}: nothing listens there`];
    else if (url.protocol === 'https:' && url.hostname.includes('self-signed') && !req.target.insecure) {
      error = ['tls', 'the certificate is self-signed; turn on "accept invalid certificates" to send anyway'];
    } else if (url.host === self.host || (url.hostname === 'localhost' && url.port === self.port)) {
      const r = this.host.receive(preview.request.method, url.pathname + url.search, body, preview.request.headers.filter(([n]) => !/^(host|content-length)$/i.test(n)));
      ({ status, headers } = r);
      text = r.body;
    } else {
      status = Number(/\/status\/(\d{3})/.exec(url.pathname)?.[1] ?? 201);
      text = status === 204 ? '' : status < 300 ? '{"received":true}' : JSON.stringify({ error: REASONS[status] ?? 'error', status });
      headers = [
        ['Content-Type', 'application/json'],
        ['Date', new Date().toUTCString()],
        ['Server', 'fake-target/1.0'],
        ['Content-Length', String(utf8Bytes(text).length)],
      ];
    }
    const respBytes = utf8Bytes(text);
    const d: DeliveryView = {
      id: this.nextId++,
      capture_id: req.capture_id,
      kind: forward ? 'forward' : 'replay',
      started_at: new Date(started).toISOString(),
      started_at_us: started * 1000,
      duration_ms: Date.now() - started + Math.random(),
      method: preview.request.method,
      url: preview.request.url,
      resigned: preview.resigned,
      insecure: req.target.insecure,
      outcome: error ? (error[0] === 'cancelled' ? 'cancelled' : 'failed') : 'response',
      status,
      error_code: error?.[0] ?? null,
      error_message: error?.[1] ?? null,
      response_size: error ? null : respBytes.length,
      response_truncated: false,
      request_headers: preview.request.headers,
      request_body_b64: preview.request.body_b64,
      request_body_size: body.length,
      response_reason: status !== null ? (REASONS[status] ?? null) : null,
      response_headers: headers,
      response_body_b64: bytesToBase64(respBytes),
      response_content_type: headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? null,
      forward_id: forward?.id ?? null,
      attempt: forward?.attempt ?? null,
    };
    this.deliveries.push(d);
    this.host.emit('delivery:new', summaryOf(d));
    return d;
  }

  private async many(req: ReplayManyReq): Promise<ReplayBatchView> {
    const ids = [...new Set(req.capture_ids)].sort((a, b) => a - b);
    const out: ReplayBatchView = { total: ids.length, sent: 0, success: 0, other: 0, failed: 0, cancelled: false, deliveries: [], skipped: [] };
    if (ids.length === 0) fail('invalid_input', 'no capture to replay');
    // Check the target once before the first attempt, like the engine.
    try {
      const u = new URL(req.target.url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    } catch {
      fail('invalid_input', 'the target URL must start with http:// or https://');
    }
    let done = 0;
    for (const id of ids) {
      if (req.token && this.cancelled.has(req.token)) {
        out.cancelled = true;
        break;
      }
      let last: DeliverySummary | null = null;
      if (!this.host.capture(id)) {
        out.skipped.push(`capture #${id} no longer exists`);
        out.failed++;
      } else {
        const d = summaryOf(await this.attempt({ capture_id: id, target: req.target, edits: noEdits(), token: null, discard_draft: false }, req.token));
        last = d;
        out.sent++;
        out.deliveries.push(d);
        if (d.outcome !== 'response') out.failed++;
        else if (d.status !== null && d.status >= 200 && d.status < 300) out.success++;
        else out.other++;
        if (d.outcome === 'cancelled') {
          out.cancelled = true;
          done++;
          this.host.emit('replay:progress', { token: req.token, done, total: ids.length, last });
          break;
        }
      }
      done++;
      this.host.emit('replay:progress', { token: req.token, done, total: ids.length, last });
      await new Promise((r) => setTimeout(r, 250)); // slow enough to watch the progress bar
    }
    return out;
  }
}

function noEdits() {
  return { method: null, headers: null, set_headers: [], remove_headers: [], body: null, body_b64: null };
}

function summaryOf(d: DeliveryView): DeliverySummary {
  const {
    request_headers: _rh,
    request_body_b64: _rb,
    request_body_size: _rs,
    response_reason: _rr,
    response_headers: _h,
    response_body_b64: _b,
    response_content_type: _ct,
    ...summary
  } = d;
  return structuredClone(summary);
}

/** A delivery's request (as sent) or response as a capture-shaped record, for the fake diff. */
export function deliveryAsCapture(d: DeliveryView, request: boolean, endpoint: string): { view: CaptureView; label: string } {
  if (!request && d.outcome !== 'response') fail('invalid_input', `delivery ${d.id} got no response to compare`);
  const u = new URL(d.url);
  const headers = request ? d.request_headers : d.response_headers;
  const view: CaptureView = {
    id: d.capture_id,
    received_at: d.started_at,
    received_at_us: d.started_at_us,
    endpoint,
    method: request ? d.method : String(d.status),
    path: request ? u.pathname : '',
    query: request ? u.search.replace(/^\?/, '') : '',
    url: d.url,
    headers,
    body_b64: request ? d.request_body_b64 : d.response_body_b64,
    body_size: request ? d.request_body_size : (d.response_size ?? 0),
    body_over_limit: false,
    content_type: request ? (headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1] ?? null) : d.response_content_type,
    remote_addr: '',
    via: 'local',
    forwarded_for: null,
    verdict: null,
    detected_scheme: null,
    detections: [],
  };
  const label = request ? `attempt #${d.id} ${d.method} ${d.url}` : `attempt #${d.id} response ${d.status ?? ''}`;
  return { view, label };
}
