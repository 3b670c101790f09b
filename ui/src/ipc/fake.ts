// In-memory fake backend, used ONLY when the UI runs in a plain browser
// (`npm run dev` / `vite preview`), never inside Tauri.
//
// URL switches (query string of the page):
//   ?fake=empty   start with no captures (shows the empty state)
//   ?fake=busy    pretend the requested port was taken
//   ?fake=live    receive a new sample capture every 3 seconds
// From the devtools console: `hookloupeFake.send('POST', '/stripe', '{"a":1}')`.
import type { CaptureSummary } from '../bindings/CaptureSummary';
import type { CaptureView } from '../bindings/CaptureView';
import type { DiffCapturesReq } from '../bindings/DiffCapturesReq';
import type { DiffPartnerView } from '../bindings/DiffPartnerView';
import type { DiffRulesView } from '../bindings/DiffRulesView';
import type { EndpointView } from '../bindings/EndpointView';
import type { ErrorView } from '../bindings/ErrorView';
import type { ListenerView } from '../bindings/ListenerView';
import type { SettingsView } from '../bindings/SettingsView';
import type { NgrokTokenView } from '../bindings/NgrokTokenView';
import type { StartTunnelReq } from '../bindings/StartTunnelReq';
import type { TunnelStatusView } from '../bindings/TunnelStatusView';
import type { Detection } from '../bindings/Detection';
import type { SchemeId } from '../bindings/SchemeId';
import type { ProviderInfo } from '../bindings/ProviderInfo';
import type { SchemeInfo } from '../bindings/SchemeInfo';
import type { SetEndpointSignatureReq } from '../bindings/SetEndpointSignatureReq';
import type { Verdict } from '../bindings/Verdict';
import type { CertificateView } from '../bindings/CertificateView';
import { bytesToBase64, utf8Bytes } from '../lib/bytes';
import { fakeDiff } from './fakeDiff';
import { deliveryAsCapture, FakeReplay } from './fakeReplay';
import { FakeForward, type FakeSubject } from './fakeForward';
import { FakeSearch } from './fakeSearch';
import type { CaptureForward } from '../bindings/CaptureForward';
import type { DeliveryView } from '../bindings/DeliveryView';
import type { DiffSideRef } from '../bindings/DiffSideRef';
import type { Backend, Unsubscribe } from './types';

const PORT = 4665;
const BODY_LIMIT = 10 * 1024 * 1024;

type Stored = CaptureView & { event_type: string | null; duplicate_of: number | null; event_id: string | null; forward: CaptureForward | null; pinned: boolean };

function fail(code: ErrorView['code'], message: string): never {
  throw { code, message } satisfies ErrorView;
}

function rfc3339(us: number): string {
  const iso = new Date(Math.floor(us / 1000)).toISOString(); // 2024-05-01T12:00:00.123Z
  const micro = String(us % 1_000_000).padStart(6, '0');
  return iso.replace(/\.\d{3}Z$/, `.${micro}Z`);
}

function summary(c: Stored): CaptureSummary {
  const { url: _url, headers: _h, body_b64: _b, event_id: _e, detections: _d, verdict, ...rest } = c;
  return {
    ...rest,
    verdict: verdict
      ? { status: verdict.status, reason: verdict.reason, scheme: verdict.scheme, matched_secret_index: verdict.matched_secret_index }
      : null,
  };
}

// A few catalog entries so the form has something to show (the real catalog has 29).
const FAKE_CATALOG: SchemeInfo[] = [
  {
    id: 'stripe',
    name: 'Stripe',
    secret_kind: 'hmac_key',
    secret_help: "The endpoint's signing secret (`whsec_…`).",
    default_tolerance_secs: 300,
    can_sign: true,
    options: [{ name: 'tolerance_secs', label: 'Timestamp tolerance (s)', default: '300', help: 'How far the signed timestamp may be from now; 0 disables the check.' }],
  },
  { id: 'github', name: 'GitHub', secret_kind: 'hmac_key', secret_help: "The webhook's secret.", default_tolerance_secs: null, can_sign: true, options: [] },
  {
    id: 'generic_hmac',
    name: 'Generic HMAC',
    secret_kind: 'hmac_key',
    secret_help: 'The shared key.',
    default_tolerance_secs: null,
    can_sign: true,
    options: [
      { name: 'header', label: 'Signature header', default: null, help: 'Header holding the signature.' },
      { name: 'algorithm', label: 'Algorithm', default: 'sha256', help: 'sha1, sha256 or sha512.' },
    ],
  },
];

// The provider catalog the fake serves: the built-in schemes above, and two data providers.
const FAKE_PROVIDERS: ProviderInfo[] = [
  ...FAKE_CATALOG.filter((c) => c.id !== 'generic_hmac').map((c) => ({
    id: c.id,
    name: c.name,
    scheme: c.id,
    options: {},
    secret_kind: c.secret_kind,
    secret_help: c.secret_help,
    signs: c.id === 'stripe' ? '{t}.{body}' : 'raw body',
    can_sign: c.can_sign,
    docs: null,
    builtin: true,
  })),
  {
    id: 'bitbucket',
    name: 'Bitbucket Cloud',
    scheme: 'generic_hmac',
    options: { provider: 'bitbucket', header: 'X-Hub-Signature', prefix: 'sha256=', algorithm: 'sha256' },
    secret_kind: 'hmac_key',
    secret_help: "The webhook's secret.",
    signs: 'raw body',
    can_sign: true,
    docs: 'https://support.atlassian.com/bitbucket-cloud/docs/manage-webhooks/',
    builtin: false,
  },
  {
    id: 'woocommerce',
    name: 'WooCommerce',
    scheme: 'generic_hmac',
    options: { provider: 'woocommerce', header: 'X-WC-Webhook-Signature', algorithm: 'sha256' },
    secret_kind: 'hmac_key',
    secret_help: "The webhook's secret.",
    signs: 'raw body',
    can_sign: true,
    docs: null,
    builtin: false,
  },
];

function detectFake(headers: Array<[string, string]>): Detection[] {
  if (headers.some(([k]) => k === 'stripe-signature')) return [{ scheme: 'stripe', confidence: 0.95, why: '`Stripe-Signature` header' }];
  if (headers.some(([k]) => k === 'x-event-key') && headers.some(([k]) => k === 'x-hub-signature'))
    return [{ scheme: 'generic_hmac', provider: 'bitbucket', confidence: 0.92, why: '`x-hub-signature` and `x-event-key` (Bitbucket Cloud)' }];
  if (headers.some(([k]) => k === 'x-hub-signature-256')) return [{ scheme: 'github', confidence: 0.9, why: '`X-Hub-Signature-256` header' }];
  return [];
}

/** A plausible verdict (the fake does no cryptography): every fourth signed capture is invalid. */
function judgeFake(c: Stored, scheme: SchemeId | null, secretCount: number): Verdict | null {
  const detected = c.detections[0]?.scheme ?? null;
  const base = { matched_secret_index: null, skew_secs: null, expected: null, received: null, other_endpoint_hint: null, signed_content: null };
  if (!scheme) {
    return detected
      ? { ...base, status: 'no_secret', reason: 'no_secret', scheme: detected, explanation: 'The request is signed, but no secret is configured for this endpoint, so it cannot be checked.' }
      : null;
  }
  // Test events are signed by the engine itself with the endpoint's first secret.
  const test = c.headers.some(([k]) => k === 'x-hookloupe-test-event');
  const sig = c.headers.find(([k]) => k === 'stripe-signature' || k === 'x-hub-signature-256')?.[1];
  if (!sig) return { ...base, status: 'unsigned', reason: 'missing_header', scheme, explanation: 'This request carries no signature header, so it is unsigned.' };
  if (secretCount === 0) return { ...base, status: 'no_secret', reason: 'no_secret', scheme, explanation: 'No secret is configured for this endpoint.' };
  const t = Math.floor(c.received_at_us / 1e6);
  const body = new TextDecoder().decode(Uint8Array.from(atob(c.body_b64), (ch) => ch.charCodeAt(0)));
  const prefix = `${t}.`;
  const signed_content = { text: prefix + body, body_range: [prefix.length, prefix.length + new TextEncoder().encode(body).length] as [number, number], truncated: false };
  if (c.id % 4 === 1 && !test) {
    return {
      ...base,
      status: 'invalid',
      reason: 'bad_signature',
      scheme,
      explanation: 'No configured secret produces this signature over the received content: the secret is wrong or the body was changed on the way.',
      expected: 'v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd',
      received: sig,
      signed_content,
    };
  }
  return { ...base, status: 'valid', reason: 'ok', scheme, explanation: 'The signature is valid (secret #0).', matched_secret_index: 0, skew_secs: 1, signed_content };
}

/** Event id and type, roughly as the engine derives them (for the fake's duplicate flags). */
function eventKeys(headers: Array<[string, string]>, body: string): { id: string | null; type: string | null } {
  const h = (n: string) => headers.find(([k]) => k === n)?.[1] ?? null;
  let obj: Record<string, unknown> | null = null;
  try {
    const v: unknown = JSON.parse(body);
    if (v && typeof v === 'object' && !Array.isArray(v)) obj = v as Record<string, unknown>;
  } catch {
    /* not JSON */
  }
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    id: str(obj?.id) ?? h('x-github-delivery') ?? h('webhook-id'),
    type: h('x-github-event') ?? str(obj?.type),
  };
}

class FakeBackend implements Backend {
  private captures: Stored[] = []; // oldest first
  private nextId = 1;
  private listeners = new Map<string, Set<(p: unknown) => void>>();
  private endpoints: EndpointView[] = [
    { name: 'default', path_prefix: '/', response: { status: 200, headers: [], body: '', delay_ms: 0 } },
    {
      name: 'stripe',
      path_prefix: '/stripe',
      response: { status: 200, headers: [['content-type', 'application/json']], body: '{"received":true}', delay_ms: 0 },
      signature: { scheme: 'stripe', secrets: [{ index: 0, masked: 'whsec_…p7dc', stored_in: 'keyring', problem: null }], options: {} },
    },
    {
      name: 'github',
      path_prefix: '/github',
      response: { status: 202, headers: [], body: '', delay_ms: 250 },
    },
  ];
  private listener: ListenerView;
  /** Signing certificates pasted for a URL (Amazon SNS, PayPal); the fake fetches nothing. */
  private certs = new Map<string, CertificateView>();
  private secrets = new Map<string, string[]>([['stripe', ['whsec_fake_4eC39HqLyjWDarjtT1zdp7dc']]]);
  private cancelled = new Set<string>();
  private tunnel: TunnelStatusView = {
    provider: null, state: 'off', public_url: null, message: null, reason: null, attempts: 0, qr_svg: null,
  };
  private ngrokToken: NgrokTokenView = { saved: null, problem: null, from_env: false };
  private settings: SettingsView = {
    max_captures: 100000,
    body_limit: BODY_LIMIT,
    secrets: { keyring: true, detail: 'the Secret Service (GNOME Keyring, KWallet or KeePassXC)' },
  };

  private setTunnel(t: Partial<TunnelStatusView>) {
    this.tunnel = { ...this.tunnel, ...t };
    this.emit('tunnel:changed', { ...this.tunnel });
  }
  private rules = new Map<string, DiffRulesView>();

  private defaultRules(endpoint: string): DiffRulesView {
    const stripe = endpoint === 'stripe';
    return {
      endpoint,
      scheme: stripe ? 'stripe' : 'generic',
      is_default: true,
      ignore_paths: stripe ? ['id', 'created'] : [],
      ignore_headers: [...(stripe ? ['stripe-signature'] : []), 'content-length', 'host'],
      array_key: null,
    };
  }

  private replay = new FakeReplay({
    capture: (id) => this.captures.find((c) => c.id === id),
    signing: (name) => {
      const ep = this.endpoints.find((e) => e.name === name);
      const tolerance = Number(ep?.signature?.options.tolerance_secs ?? 300);
      return { scheme: ep?.signature?.scheme ?? null, secrets: this.secrets.get(name) ?? [], tolerance: Number.isFinite(tolerance) ? tolerance : 300 };
    },
    listenerUrl: () => this.listener.url,
    receive: (method, pathAndQuery, body, headers) => {
      const s = this.send(method, pathAndQuery, body, headers);
      const rule = this.endpoints.find((e) => e.name === s.endpoint)?.response ?? { status: 200, headers: [], body: '', delay_ms: 0 };
      const text = rule.body || JSON.stringify({ ok: true, id: s.id });
      const ct: Array<[string, string]> = rule.headers.some(([n]) => n.toLowerCase() === 'content-type') ? [] : [['content-type', 'application/json']];
      return { status: rule.status, headers: [...ct, ...rule.headers, ['x-hookloupe-capture-id', String(s.id)]], body: text };
    },
    emit: (name, payload) => this.emit(name, payload),
  });

  private forwarding = new FakeForward({
    subject: (id) => this.subjectOf(id),
    endpoints: () => this.endpoints.map((e) => e.name),
    attempt: (req, forward) => this.replay.forwardAttempt(req, forward),
    attempts: (id) => this.replay.forwardAttempts(id),
    setMark: (id, mark) => {
      const c = this.captures.find((x) => x.id === id);
      if (c) c.forward = mark;
    },
    emit: (name, payload) => this.emit(name, payload),
  });

  private subjectOf(id: number): FakeSubject | undefined {
    const c = this.captures.find((x) => x.id === id);
    if (!c) return undefined;
    const text = new TextDecoder().decode(Uint8Array.from(atob(c.body_b64), (ch) => ch.charCodeAt(0)));
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON: the text */
    }
    const { endpoint, method, path, headers, event_type, event_id } = c;
    return { id, endpoint, method, path, headers, body, verdict: c.verdict?.status ?? null, event_type, event_id };
  }

  private search = new FakeSearch({
    all: () => this.captures,
    summary: (c) => summary(c as Stored),
    subject: (id) => this.subjectOf(id),
    bodyText: (c) => {
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(atob(c.body_b64), (ch) => ch.charCodeAt(0)));
      } catch {
        return null;
      }
    },
    receive: (method, pathAndQuery, body, headers, endpoint) => this.send(method, pathAndQuery, body, headers, { via: 'import', endpoint }),
    endpoints: () => this.endpoints.map((e) => e.name),
    emit: (name, payload) => this.emit(name, payload),
  });

  /** One side of a diff as a capture-shaped record (deliveries: the request sent, or the response got). */
  private diffSide(ref: DiffSideRef): { view: CaptureView; summary: CaptureSummary | null; label: string } {
    if (ref.kind === 'capture') {
      const c = this.captures.find((x) => x.id === ref.id) ?? fail('not_found', `capture ${ref.id} not found`);
      return { view: c, summary: summary(c), label: `#${c.id} ${c.method} ${c.path}` };
    }
    const d: DeliveryView = this.replay.delivery(ref.id) ?? fail('not_found', `delivery ${ref.id} not found`);
    const orig = this.captures.find((x) => x.id === d.capture_id);
    const { view, label } = deliveryAsCapture(d, ref.kind === 'delivery_request', orig?.endpoint ?? 'default');
    return { view, summary: orig ? summary(orig) : null, label };
  }

  constructor(mode: string) {
    const port = mode.includes('busy') ? PORT + 1 : PORT;
    this.listener = {
      url: `http://127.0.0.1:${port}`,
      bind: '127.0.0.1',
      port,
      requested_port: PORT,
      data_dir: '/home/dev/.local/share/hookloupe',
      db_path: '/home/dev/.local/share/hookloupe/captures.sqlite3',
    };
    if (!mode.includes('empty')) this.seed();
    if (mode.includes('live')) {
      let n = 0;
      setInterval(() => {
        n++;
        this.send('POST', `/stripe?live=${n}`, JSON.stringify({ id: `evt_live_${n}`, type: 'invoice.paid', amount: 100 * n }), [
          ['content-type', 'application/json'],
        ]);
      }, 3000);
    }
  }

  private endpointFor(path: string): string {
    let best = this.endpoints.find((e) => e.name === 'default')!;
    for (const e of this.endpoints) {
      const p = e.path_prefix;
      const matches = path === p || path.startsWith(p.endsWith('/') ? p : p + '/');
      if (matches && p.length > best.path_prefix.length) best = e;
    }
    return best.name;
  }

  /** Record a request as if it had arrived on the listener. */
  send(
    method: string,
    pathAndQuery: string,
    body: string | Uint8Array = '',
    headers: Array<[string, string]> = [],
    opts: { overLimitSize?: number; at?: number; via?: string; endpoint?: string | null } = {},
  ): CaptureSummary {
    const [path, query = ''] = pathAndQuery.split(/\?(.*)/s, 2);
    const bytes = typeof body === 'string' ? utf8Bytes(body) : body;
    const overLimit = opts.overLimitSize !== undefined;
    const size = overLimit ? opts.overLimitSize! : bytes.length;
    const us = opts.at ?? Date.now() * 1000 + Math.floor(Math.random() * 1000);
    const ct = headers.find(([k]) => k === 'content-type')?.[1] ?? null;
    const allHeaders: Array<[string, string]> = [
      ['host', `127.0.0.1:${this.listener.port}`],
      ...headers,
      ['content-length', String(size)],
    ];
    const c: Stored = {
      id: this.nextId++,
      received_at: rfc3339(us),
      received_at_us: us,
      endpoint: opts.endpoint ?? this.endpointFor(path),
      method,
      path,
      query,
      url: `${this.listener.url}${path}${query ? '?' + query : ''}`,
      headers: allHeaders,
      body_b64: overLimit ? '' : bytesToBase64(bytes),
      body_size: size,
      body_over_limit: overLimit || size > BODY_LIMIT,
      content_type: ct,
      remote_addr: `127.0.0.1:${50000 + Math.floor(Math.random() * 15000)}`,
      via: opts.via ?? 'local',
      forwarded_for: null,
      verdict: null,
      detected_scheme: null,
      detections: detectFake(allHeaders),
      event_type: null,
      duplicate_of: null,
      event_id: null,
      forward: null,
      pinned: false,
    };
    const keys = eventKeys(headers, typeof body === 'string' ? body : '');
    c.event_type = keys.type;
    c.event_id = keys.id;
    c.duplicate_of = keys.id ? (this.captures.find((x) => x.endpoint === c.endpoint && x.event_id === keys.id)?.id ?? null) : null;
    this.judge(c);
    this.captures.push(c);
    const s = summary(c);
    this.emit('capture:new', s);
    this.forwarding.onCaptured(c.id, c.endpoint);
    return s;
  }

  private seed() {
    const t0 = Date.now() * 1000 - 3_600_000_000; // one hour ago
    let t = t0;
    const step = () => (t += 7_000_000 + Math.floor(Math.random() * 9_000_000));
    const ua: [string, string] = ['user-agent', 'Stripe/1.0 (+https://stripe.com/docs/webhooks)'];
    const events = ['invoice.paid', 'customer.created', 'charge.refunded', 'payment_intent.succeeded', 'checkout.session.completed'];
    for (let i = 0; i < 230; i++) {
      const type = events[i % events.length];
      // Every 17th delivery is a retry of the previous one (same event id).
      const eventNo = i % 17 === 16 ? i - 1 : i;
      this.send(
        'POST',
        `/stripe/events${i % 3 === 0 ? '?attempt=' + ((i % 4) + 1) : ''}`,
        JSON.stringify({ id: `evt_${1000 + eventNo}`, object: 'event', type, data: { object: { amount: 100 * i, currency: 'eur' } } }),
        [ua, ['content-type', 'application/json'], ['stripe-signature', `t=${Math.floor(t / 1e6)},v1=${(i * 7919).toString(16)}`]],
        { at: step() },
      );
    }
    this.send('GET', '/health?check=1&verbose', '', [['user-agent', 'curl/8.5.0'], ['accept', '*/*']], { at: step() });
    const png = new Uint8Array(600);
    png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    for (let i = 16; i < png.length; i++) png[i] = (i * 131 + 17) % 256;
    this.send('PUT', '/uploads/avatar.png', png, [
      ['content-type', 'application/octet-stream'],
      ['x-upload-id', 'up_81c2'],
    ], { at: step() });
    this.send(
      'POST',
      '/legacy/notify',
      new Uint8Array([...utf8Bytes('status=ok&msg=caf'), 0xe9, ...utf8Bytes(' cr'), 0xe8, ...utf8Bytes('me\n')]),
      [['content-type', 'text/plain; charset=iso-8859-1'], ['user-agent', 'LegacyPOS/2.1']],
      { at: step() },
    );
    this.send('POST', '/stripe/events', '', [['content-type', 'application/json'], ua], {
      overLimitSize: 12_582_912,
      at: step(),
    });
    this.send(
      'POST',
      '/github?delivery=72d3162e&hook_id=1&hook_id=2',
      'payload=%7B%22action%22%3A%22opened%22%2C%22number%22%3A7%7D&name=J+Doe&tag=a&tag=b%26c&city=S%C3%A3o+Paulo',
      [
        ['content-type', 'application/x-www-form-urlencoded'],
        ['user-agent', 'GitHub-Hookshot/044aadd'],
        ['x-github-event', 'pull_request'],
        ['x-github-delivery', '72d3162e-cc78-11e3-81ab-4c9367dc0958'],
        ['x-forwarded-for', '203.0.113.7'],
        ['x-forwarded-for', '198.51.100.22'],
      ],
      { at: step() },
    );
    this.send(
      'POST',
      '/stripe/events?attempt=1',
      JSON.stringify({
        id: 'evt_3PqL2m',
        object: 'event',
        api_version: '2024-06-20',
        created: 1717171717,
        type: 'payment_intent.succeeded',
        livemode: false,
        data: {
          object: {
            id: 'pi_3PqL2m',
            object: 'payment_intent',
            amount: 4200,
            amount_received: 4200,
            currency: 'eur',
            customer: null,
            metadata: { order_id: '8812', note: "it's <b>bold</b> & \"quoted\"" },
            payment_method_types: ['card', 'sepa_debit'],
            captured: true,
            fee: 1.25e-1,
          },
        },
        request: { id: null, idempotency_key: '9b2c-77' },
      }),
      [
        ['user-agent', 'Stripe/1.0 (+https://stripe.com/docs/webhooks)'],
        ['accept', '*/*; q=0.5, application/xml'],
        ['cache-control', 'no-cache'],
        ['content-type', 'application/json; charset=utf-8'],
        ['stripe-signature', 't=1717171717,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd'],
      ],
      { at: step() },
    );
  }

  private judge(c: Stored) {
    const ep = this.endpoints.find((e) => e.name === c.endpoint);
    const scheme = ep?.signature?.scheme ?? null;
    c.verdict = judgeFake(c, scheme, this.secrets.get(c.endpoint)?.length ?? 0);
    c.detected_scheme = scheme ? null : (c.detections[0]?.scheme ?? null);
  }

  private emit(name: string, payload: unknown) {
    for (const h of this.listeners.get(name) ?? []) {
      queueMicrotask(() => h(payload));
    }
  }

  async listen(name: string, handler: (payload: unknown) => void): Promise<Unsubscribe> {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(handler);
    return () => set!.delete(handler);
  }

  async invoke(cmd: string, args: Record<string, unknown>): Promise<unknown> {
    await new Promise((r) => setTimeout(r, 30)); // a little latency, like the real thing
    switch (cmd) {
      case 'listener_info':
        return { ...this.listener };
      case 'get_capture': {
        const c = this.captures.find((x) => x.id === args.id);
        if (!c) fail('not_found', `capture ${String(args.id)} not found`);
        return structuredClone(c);
      }
      case 'delete_capture': {
        const i = this.captures.findIndex((x) => x.id === args.id);
        if (i < 0) fail('not_found', `capture ${String(args.id)} not found`);
        this.captures.splice(i, 1);
        this.emit('captures:changed', null);
        return null;
      }
      case 'clear_captures':
        this.captures = [];
        this.emit('captures:changed', null);
        return null;
      case 'list_endpoints':
        return structuredClone(this.endpoints);
      case 'save_endpoint': {
        const ep = args.endpoint as EndpointView;
        if (!/^[A-Za-z0-9_-]{1,64}$/.test(ep.name)) fail('invalid_input', 'name must be 1-64 letters, digits, - or _');
        if (!ep.path_prefix.startsWith('/')) fail('invalid_input', "path_prefix must start with '/'");
        if (ep.response.status < 100 || ep.response.status > 599) fail('invalid_input', 'status must be 100-599');
        const clash = this.endpoints.find((e) => e.path_prefix === ep.path_prefix && e.name !== ep.name);
        if (clash) fail('conflict', `path prefix ${ep.path_prefix} is already used by endpoint '${clash.name}'`);
        const i = this.endpoints.findIndex((e) => e.name === ep.name);
        // Signature settings are not part of a save (as in the engine): keep them.
        if (i >= 0) this.endpoints[i] = { ...structuredClone(ep), signature: this.endpoints[i].signature };
        else this.endpoints.push(structuredClone(ep));
        this.emit('endpoints:changed', null);
        return structuredClone(ep);
      }
      case 'remove_endpoint': {
        if (args.name === 'default') fail('invalid_input', 'the default endpoint cannot be removed');
        const i = this.endpoints.findIndex((e) => e.name === args.name);
        if (i < 0) fail('not_found', `endpoint '${String(args.name)}' not found`);
        this.endpoints.splice(i, 1);
        this.emit('endpoints:changed', null);
        return null;
      }
      case 'signature_catalog':
        return structuredClone(FAKE_CATALOG);
      case 'provider_catalog':
        return structuredClone(FAKE_PROVIDERS);
      case 'describe_signature': {
        const ep = this.endpoints.find((e) => e.name === args.endpoint);
        if (!ep?.signature?.scheme) fail('invalid_input', `endpoint "${String(args.endpoint)}" has no signature scheme to describe`);
        const opts = Object.entries(ep.signature.options).map(([k, v]) => `${k} = ${JSON.stringify(v)}`);
        return `[[provider]]\nid = "${ep.name}"\nname = "${ep.name}"\nscheme = "${ep.signature.scheme}"\n\n[provider.options]\n${opts.join('\n')}\n`;
      }
      case 'read_provider_description': {
        const known = FAKE_PROVIDERS.find((p) => String(args.text).includes(`id = "${p.id}"`));
        if (!known) fail('invalid_input', 'this is not a provider description the fake knows (the real engine reads any)');
        return structuredClone(known);
      }
      case 'set_endpoint_signature': {
        const req = args.req as SetEndpointSignatureReq;
        const ep = this.endpoints.find((e) => e.name === req.endpoint);
        if (!ep) fail('not_found', `no endpoint named "${req.endpoint}"`);
        const current = this.secrets.get(ep.name) ?? [];
        const next = req.secrets
          ? req.secrets.map((s) => {
              if ('keep' in s) {
                if (current[s.keep] === undefined) fail('invalid_input', `there is no secret #${s.keep} to keep`);
                return current[s.keep];
              }
              if (!s.new.trim()) fail('invalid_input', 'a secret cannot be empty');
              return s.new.trim();
            })
          : current;
        this.secrets.set(ep.name, next);
        const mask = (s: string) => {
          const p = /^[a-z]{1,5}_/.exec(s)?.[0] ?? '';
          return s.length - p.length >= 16 ? `${p}…${s.slice(-4)}` : `${p}…`;
        };
        ep.signature = { scheme: req.scheme, secrets: next.map((s, i) => ({ index: i, masked: mask(s), stored_in: 'keyring' as const, problem: null })), options: { ...req.options } };
        for (const c of this.captures) if (c.endpoint === ep.name) this.judge(c);
        this.emit('endpoints:changed', null);
        this.emit('captures:changed', null);
        return structuredClone(ep);
      }
      case 'verify_capture': {
        const c = this.captures.find((x) => x.id === args.id);
        if (!c) fail('not_found', `capture ${String(args.id)} not found`);
        this.judge(c);
        if (!c.verdict) fail('invalid_input', `endpoint "${c.endpoint}" has no signature scheme`);
        return structuredClone(c.verdict);
      }
      case 'send_test_event': {
        const name = args.endpoint as string;
        const ep = this.endpoints.find((e) => e.name === name) ?? fail('not_found', `no endpoint named "${name}"`);
        const scheme = ep.signature?.scheme ?? null;
        if (!scheme) fail('no_scheme', `endpoint "${name}" has no signature scheme, so there is nothing to sign a test event with`);
        const info = FAKE_CATALOG.find((c) => c.id === scheme);
        if (info && !info.can_sign) fail('cannot_sign', `${info.name} cannot send a signed test event`);
        if (!this.secrets.get(name)?.length) fail('no_secret', `endpoint "${name}" has no secret to sign a test event with`);
        const now = Math.floor(Date.now() / 1000);
        const id = Math.random().toString(16).slice(2, 14);
        const [body, headers]: [string, Array<[string, string]>] =
          scheme === 'github'
            ? [JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 }), [['x-github-event', 'ping'], ['x-hub-signature-256', `sha256=${id}`]]]
            : [
                JSON.stringify({ id: `evt_test_${id}`, object: 'event', created: now, type: 'payment_intent.succeeded' }),
                [['stripe-signature', `t=${now},v1=${id}`]],
              ];
        const c = this.send('POST', ep.path_prefix, body, [['content-type', 'application/json'], ...headers, ['x-hookloupe-test-event', id]]);
        return { endpoint: name, scheme, method: 'POST', path: ep.path_prefix, status: ep.response.status, capture_id: c.id, capture: c };
      }
      case 'diff_captures': {
        const req = args.req as DiffCapturesReq;
        const a = this.diffSide(req.a);
        const b = this.diffSide(req.b);
        await new Promise((r) => setTimeout(r, 200)); // long enough to see the Cancel button
        if (req.token && this.cancelled.delete(req.token)) fail('cancelled', 'the diff was cancelled');
        const out = fakeDiff(a.view, b.view, req, a.summary ?? summary(a.view as Stored), b.summary ?? summary(b.view as Stored));
        out.a = { kind: req.a.kind, label: a.label, capture: a.summary };
        out.b = { kind: req.b.kind, label: b.label, capture: b.summary };
        return out;
      }
      case 'cancel_diff':
        this.cancelled.add(args.token as string);
        return true;
      case 'diff_partners': {
        const c = this.captures.find((x) => x.id === args.id) ?? fail('not_found', `capture ${String(args.id)} not found`);
        const out: DiffPartnerView[] = [];
        if (c.event_id) {
          for (const x of this.captures) {
            if (x.id !== c.id && x.endpoint === c.endpoint && x.event_id === c.event_id) out.push({ reason: 'duplicate', capture: summary(x) });
          }
        }
        const prev = [...this.captures]
          .reverse()
          .find((x) => x.id < c.id && x.endpoint === c.endpoint && (c.event_type ? x.event_type === c.event_type : x.path === c.path));
        if (prev && !out.some((p) => p.capture.id === prev.id)) {
          out.push({ reason: c.event_type ? 'previous_same_type' : 'previous_same_route', capture: summary(prev) });
        }
        return out;
      }
      case 'diff_rules':
        return this.rules.get(args.endpoint as string) ?? this.defaultRules(args.endpoint as string);
      case 'save_diff_rules': {
        const r = { ...(args.rules as DiffRulesView), is_default: false };
        this.rules.set(r.endpoint, r);
        return r;
      }
      case 'storage_trouble':
        return null;
      case 'startup_problem':
        return null;
      case 'retry_start':
      case 'quit_app':
        return null;
      case 'get_settings':
        return { ...this.settings };
      case 'set_retention': {
        const max = args.max as number;
        if (!Number.isInteger(max) || max < 0) fail('invalid_input', 'retention must be a whole number ≥ 0');
        this.settings = { ...this.settings, max_captures: max };
        if (max > 0 && this.captures.length > max) {
          this.captures = this.captures.slice(this.captures.length - max);
          this.emit('captures:changed', null);
        }
        return { ...this.settings };
      }
      case 'tunnel_status':
        return { ...this.tunnel };
      case 'start_tunnel': {
        const req = args.req as StartTunnelReq;
        if (req.provider === 'ngrok' && !this.ngrokToken.saved && !this.ngrokToken.from_env) {
          fail('invalid_input', 'ngrok needs an auth token: sign up at ngrok.com, then paste the token in the tunnel settings or set NGROK_AUTHTOKEN');
        }
        if (req.provider === 'bore' && !req.bore_server) fail('invalid_input', 'give the bore server as HOST[:PORT]');
        const url = req.provider === 'ngrok' ? 'https://1f2e-203-0-113-7.ngrok-free.app' : `http://${req.bore_server?.split(':')[0]}:47123`;
        this.setTunnel({ provider: req.provider, state: 'connecting', public_url: null, message: null, reason: null, attempts: 0, qr_svg: null });
        setTimeout(() => this.setTunnel({ state: 'online', public_url: url }), 600);
        return { ...this.tunnel };
      }
      case 'stop_tunnel':
        this.setTunnel({ provider: null, state: 'off', public_url: null, message: null, reason: null, attempts: 0, qr_svg: null });
        return { ...this.tunnel };
      case 'ngrok_token_info':
        return { ...this.ngrokToken };
      case 'save_ngrok_token': {
        const t = (args.token as string | null)?.trim() ?? '';
        this.ngrokToken = { ...this.ngrokToken, saved: t ? `${t.slice(0, 4)}…${t.slice(-4)}` : null };
        return { ...this.ngrokToken };
      }
      case 'list_certificates':
        return [...this.certs.values()];
      case 'add_certificate': {
        const req = args.req as { url: string; pem: string };
        if (!/^https:\/\/(sns\.[a-z0-9-]{3,}\.amazonaws\.com(\.cn)?\/.+\.pem|api(-m)?(\.sandbox)?\.paypal\.com\/v1\/notifications\/certs\/[^/]+)$/.test(req.url))
          fail('invalid_input', `${req.url} is not a URL where Amazon SNS or PayPal publish signing certificates`);
        if (!req.pem.includes('-----BEGIN CERTIFICATE-----')) fail('invalid_input', 'this cannot be used as the certificate: it holds no CERTIFICATE PEM block');
        const view: CertificateView = {
          url: req.url,
          provider: req.url.includes('paypal') ? 'PayPal' : 'Amazon SNS',
          origin: 'pasted',
          added_at: new Date().toISOString(),
          subject: '',
          not_before: null,
          not_after: null,
          key_bits: 2048,
        };
        this.certs.set(req.url, view);
        return { ...view };
      }
      case 'fetch_certificate':
        fail('io', `cannot fetch ${String(args.url)}: the fake backend is offline`);
      case 'reset_diff_rules':
        this.rules.delete(args.endpoint as string);
        return this.defaultRules(args.endpoint as string);
      default:
        if (this.search.handles(cmd)) return this.search.invoke(cmd, args);
        if (this.replay.handles(cmd)) return this.replay.invoke(cmd, args);
        if (this.forwarding.handles(cmd)) return this.forwarding.invoke(cmd, args);
        fail('internal', `unknown command ${cmd}`);
    }
  }
}

export function createFakeBackend(): Backend {
  const mode = typeof location !== 'undefined' ? (new URLSearchParams(location.search).get('fake') ?? '') : '';
  const fake = new FakeBackend(mode);
  (globalThis as Record<string, unknown>).hookloupeFake = fake;
  console.info('[hookloupe] running with the in-browser fake backend (not inside Tauri)');
  return fake;
}
