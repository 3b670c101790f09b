// Forward rules and the outbox for the in-browser fake backend (`npm run dev`, vitest), never
// used inside Tauri. Plausible, not faithful: rules are checked roughly like the engine does
// (URL, a small subset of CEL for the filter with the engine's "(line, column)" errors, template,
// content type, policy, rate, deadline, one answering rule per endpoint); each new capture of an
// endpoint queues one forward per enabled rule, and the queue is worked through with the
// replay fake's simulated sending (so the target URL decides the answer: `/status/500` fails,
// port 9 is refused…), retried as the rule's policy says.
import type { CaptureForward } from '../bindings/CaptureForward';
import type { DeliverySummary } from '../bindings/DeliverySummary';
import type { ErrorView } from '../bindings/ErrorView';
import type { ForwardRuleView } from '../bindings/ForwardRuleView';
import type { ForwardState } from '../bindings/ForwardState';
import type { ForwardView } from '../bindings/ForwardView';
import type { ListForwardsReq } from '../bindings/ListForwardsReq';
import type { ReplayReq } from '../bindings/ReplayReq';
import type { RuleSpec } from '../bindings/RuleSpec';
import type { SaveForwardRuleReq } from '../bindings/SaveForwardRuleReq';
import type { VerdictStatus } from '../bindings/VerdictStatus';
import { rateProblem } from '../lib/duration';

/** What a filter and a template see of a capture. */
export type FakeSubject = {
  id: number;
  endpoint: string;
  method: string;
  path: string;
  headers: Array<[string, string]>;
  /** The body as JSON when it is JSON, else its text. */
  body: unknown;
  verdict: VerdictStatus | null;
  event_type: string | null;
  event_id: string | null;
};

export interface FakeForwardHost {
  subject(captureId: number): FakeSubject | undefined;
  endpoints(): string[];
  /** Makes one attempt (the replay fake's sending); the delivery is stored as `kind: forward`. */
  attempt(req: ReplayReq, forward: { id: number; attempt: number }): Promise<DeliverySummary>;
  /** The attempts of a forward, oldest first. */
  attempts(forwardId: number): DeliverySummary[];
  /** A capture's forward mark changed (the capture list shows it). */
  setMark(captureId: number, mark: CaptureForward | null): void;
  emit(name: string, payload: unknown): void;
}

function fail(code: ErrorView['code'], message: string): never {
  throw { code, message } satisfies ErrorView;
}

const OPEN: readonly ForwardState[] = ['pending', 'scheduled', 'sending'];
const iso = (ms: number) => new Date(ms).toISOString();

type Row = ForwardView & { next_ms: number; round: number; dup_of: number | null };

// ---- a small CEL subset: `a.b == "x" && n > 3 || has(c)`, no parentheses --------------------

type Value = unknown;
const MISSING = Symbol('missing');

function lookup(s: FakeSubject, path: string): Value | typeof MISSING {
  const vars: Record<string, unknown> = {
    method: s.method,
    path: s.path,
    endpoint: s.endpoint,
    verdict: s.verdict,
    event_type: s.event_type,
    event_id: s.event_id,
    headers: Object.fromEntries(s.headers.map(([n, v]) => [n.toLowerCase(), v])),
    body: s.body,
  };
  const parts = path.match(/[A-Za-z_][A-Za-z0-9_]*|\["[^"]*"\]/g) ?? [];
  let cur: unknown = vars;
  parts.forEach((p, i) => {
    const key = p.startsWith('[') ? p.slice(2, -2) : p;
    if (i === 0 && !(key in vars) && s.body && typeof s.body === 'object') cur = s.body;
    if (cur && typeof cur === 'object' && key in (cur as object)) cur = (cur as Record<string, unknown>)[key];
    else cur = MISSING;
  });
  return cur as Value | typeof MISSING;
}

/** Compiles `src` or throws `filter: … (line 1, column N)`. */
export function compileFakeFilter(src: string): (s: FakeSubject) => boolean {
  const clauses: Array<{ join: '&&' | '||' | null; test: (s: FakeSubject) => boolean }> = [];
  const re = /\s*(has\(\s*([A-Za-z_][\w.]*|[A-Za-z_]\w*(?:\["[^"]*"\])+)\s*\)|([A-Za-z_][\w.]*(?:\["[^"]*"\])*)\s*(==|!=|>=|<=|>|<)\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|true|false|null))\s*(&&|\|\||$)/y;
  let join: '&&' | '||' | null = null;
  while (re.lastIndex < src.length) {
    const at = re.lastIndex;
    const m = re.exec(src);
    if (!m) {
      const col = at + (src.slice(at).length - src.slice(at).trimStart().length) + 1;
      fail('invalid_input', `filter: Syntax error: expected a comparison such as type == "invoice.paid" (line 1, column ${col})`);
    }
    let test: (s: FakeSubject) => boolean;
    if (m[2] !== undefined) {
      const p = m[2];
      test = (s) => lookup(s, p) !== MISSING;
    } else {
      const [p, op, lit] = [m[3], m[4], JSON.parse(m[5]) as unknown];
      test = (s) => {
        const v = lookup(s, p);
        if (v === MISSING) return false;
        switch (op) {
          case '==':
            return v === lit;
          case '!=':
            return v !== lit;
          default:
            if (typeof v !== 'number' || typeof lit !== 'number') return false;
            return op === '>' ? v > lit : op === '>=' ? v >= lit : op === '<' ? v < lit : v <= lit;
        }
      };
    }
    clauses.push({ join, test });
    join = (m[6] || null) as '&&' | '||' | null;
    if (!m[6]) break;
  }
  return (s) => {
    let acc = false;
    for (const c of clauses) acc = c.join === null ? c.test(s) : c.join === '&&' ? acc && c.test(s) : acc || c.test(s);
    return acc;
  };
}

function checkSpec(spec: RuleSpec): RuleSpec {
  const url = spec.url.trim();
  if (!url) fail('invalid_input', 'url: give the URL to forward to, e.g. http://localhost:3000/webhooks');
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
  } catch {
    fail('invalid_input', `url: "${url}" is not an http:// or https:// URL`);
  }
  const filter = spec.filter?.trim() || null;
  if (filter) compileFakeFilter(filter);
  if (spec.transform.kind === 'template') {
    const t = spec.transform.source;
    if (!t.trim()) fail('invalid_input', 'template: the template is empty: write the body to send, or choose no transform');
    if ((t.match(/{{/g) ?? []).length !== (t.match(/}}/g) ?? []).length) fail('invalid_input', 'template: syntax error: unexpected end of input, expected end of variable block');
  }
  if (spec.content_type !== null && (!spec.content_type.trim() || /[\x00-\x1f]/.test(spec.content_type))) {
    fail('invalid_input', 'content_type: a content type is one line of text, e.g. application/json');
  }
  const p = spec.policy;
  if (p.timeout_ms <= 0 || p.timeout_ms > 600_000) fail('invalid_input', `policy: the timeout must be more than 0 and at most 10 minutes (got ${p.timeout_ms} ms)`);
  if (p.attempts < 1 || p.attempts > 20) fail('invalid_input', `policy: attempts must be between 1 and 20 (got ${p.attempts})`);
  if (p.backoff_ms.length === 0) fail('invalid_input', 'policy: the backoff needs at least one wait, e.g. 0s,5s,25s');
  if (p.backoff_ms.length > p.attempts) fail('invalid_input', `policy: the backoff has ${p.backoff_ms.length} waits for ${p.attempts} attempts`);
  if (spec.rate !== null) {
    const why = rateProblem(spec.rate);
    if (why) fail('invalid_input', `rate: ${why}`);
  }
  if (spec.answer && (spec.answer_deadline_ms < 100 || spec.answer_deadline_ms > 60_000)) {
    fail('invalid_input', `answer_deadline_ms: the provider can wait between 100 ms and 60 s for the target's answer (got ${spec.answer_deadline_ms} ms)`);
  }
  const backoff = [...p.backoff_ms];
  while (backoff.length < p.attempts) backoff.push(backoff[backoff.length - 1]);
  return { ...spec, url, filter, policy: { ...p, backoff_ms: backoff } };
}

export class FakeForward {
  private rules: ForwardRuleView[] = [];
  private rows: Row[] = []; // oldest first
  private nextRule = 1;
  private nextRow = 1;
  private working = false;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private host: FakeForwardHost) {}

  handles(cmd: string): boolean {
    return [
      'list_forward_rules',
      'save_forward_rule',
      'set_forward_rule_enabled',
      'remove_forward_rule',
      'list_forwards',
      'get_forward',
      'outbox_counts',
      'retry_forward',
      'retry_failed_forwards',
      'cancel_forward',
    ].includes(cmd);
  }

  /** How a capture's forwards stand, worst first (the capture list's mark). */
  mark(captureId: number): CaptureForward | null {
    const states = this.rows.filter((r) => r.capture_id === captureId).map((r) => r.state);
    if (states.includes('failed')) return 'failed';
    if (states.some((s) => OPEN.includes(s))) return 'open';
    if (states.includes('succeeded')) return 'succeeded';
    return null;
  }

  /** A capture was stored: one forward per enabled rule of its endpoint (and session rule). */
  onCaptured(captureId: number, endpoint: string) {
    const now = Date.now();
    for (const r of this.rules) {
      if (!r.enabled || (r.endpoint !== null && r.endpoint !== endpoint)) continue;
      const row: Row = {
        id: this.nextRow++,
        capture_id: captureId,
        rule_id: r.id,
        url: r.url,
        state: 'pending',
        attempts: 0,
        queued_at: iso(now),
        next_at: iso(now + r.policy.backoff_ms[0]),
        updated_at: iso(now),
        detail: null,
        last: null,
        next_ms: now + r.policy.backoff_ms[0],
        round: 0,
        dup_of: null,
      };
      this.rows.push(row);
      this.publish(row);
    }
    this.wake();
  }

  private view(r: Row): ForwardView {
    const { next_ms: _n, round: _r, dup_of: _d, ...v } = r;
    return structuredClone(v);
  }

  private publish(r: Row) {
    this.host.setMark(r.capture_id, this.mark(r.capture_id));
    this.host.emit('forward:changed', this.view(r));
  }

  private touch(r: Row, patch: Partial<Row>) {
    Object.assign(r, patch, { updated_at: iso(Date.now()) });
    this.publish(r);
  }

  private wake(delay = 0) {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.work();
    }, delay);
  }

  private async work() {
    if (this.working) return;
    this.working = true;
    try {
      for (;;) {
        const now = Date.now();
        const due = this.rows.find((r) => (r.state === 'pending' || r.state === 'scheduled') && r.next_ms <= now && this.rules.find((x) => x.id === r.rule_id)?.enabled);
        if (!due) break;
        await this.send(due);
      }
    } finally {
      this.working = false;
    }
    const next = this.rows.filter((r) => r.state === 'pending' || r.state === 'scheduled').map((r) => r.next_ms);
    if (next.length) this.wake(Math.max(0, Math.min(...next) - Date.now()));
  }

  private async send(row: Row) {
    const rule = this.rules.find((x) => x.id === row.rule_id);
    const subject = this.host.subject(row.capture_id);
    if (!rule || !subject) {
      this.touch(row, { state: 'failed', next_at: null, detail: `capture ${row.capture_id} was deleted before it could be forwarded` });
      return;
    }
    if (row.attempts === 0 && row.round === 0) {
      if (rule.only_valid && subject.verdict !== 'valid') {
        return this.touch(row, { state: 'filtered', next_at: null, detail: `the signature is ${subject.verdict ?? 'not checked'}, and this rule forwards only valid ones` });
      }
      if (rule.filter && !compileFakeFilter(rule.filter)(subject)) {
        return this.touch(row, { state: 'filtered', next_at: null, detail: `the filter \`${rule.filter}\` did not match` });
      }
      if (rule.skip_duplicates && subject.event_id) {
        const first = this.rows.find(
          (r) => r.id !== row.id && r.rule_id === rule.id && r.state === 'succeeded' && this.host.subject(r.capture_id)?.event_id === subject.event_id,
        );
        if (first) return this.touch(row, { state: 'skipped_duplicate', next_at: null, detail: `event ${subject.event_id} was already forwarded with success (capture ${first.capture_id})` });
      }
    }
    const number = row.attempts + 1;
    this.touch(row, { state: 'sending', next_at: null });
    const body = rule.transform.kind === 'none' ? null : rule.transform.kind === 'slack' ? JSON.stringify({ text: `${subject.event_type ?? subject.method} on ${subject.endpoint} (capture #${subject.id})` }) : rule.transform.source;
    const req: ReplayReq = {
      capture_id: row.capture_id,
      target: { url: rule.url, keep_path: rule.keep_path, resign: rule.resign, secret_index: null, new_message_id: false, timeout_ms: rule.policy.timeout_ms, insecure: rule.insecure },
      edits: {
        method: null,
        headers: null,
        set_headers: body !== null ? [['Content-Type', rule.content_type ?? 'application/json']] : [],
        remove_headers: [],
        body,
        body_b64: null,
      },
      token: null,
      discard_draft: false,
    };
    let d: DeliverySummary;
    try {
      d = await this.host.attempt(req, { id: row.id, attempt: number });
    } catch (e) {
      return this.touch(row, { state: 'failed', attempts: number, detail: (e as ErrorView).message });
    }
    if ((row.state as ForwardState) === 'cancelled') return; // cancelled while sending
    const what = d.outcome === 'response' ? `answered ${d.status}` : `${d.error_code}: ${d.error_message}`;
    const ok = d.outcome === 'response' && d.status !== null && d.status >= 200 && d.status < 300;
    const retryable = d.outcome === 'response' ? (d.status ?? 0) >= 500 || d.status === 429 : ['timeout', 'refused', 'reset', 'network', 'dns'].includes(d.error_code ?? '');
    const attempts = rule.policy.attempts;
    if (ok) return this.touch(row, { state: 'succeeded', attempts: number, last: d, detail: null });
    if (!retryable || number >= attempts) {
      return this.touch(row, { state: 'failed', attempts: number, last: d, detail: number >= attempts ? `${what}, after ${number} of ${attempts} attempts` : `${what}: not retried` });
    }
    const at = Date.now() + rule.policy.backoff_ms[Math.min(number, rule.policy.backoff_ms.length - 1)];
    this.touch(row, { state: 'scheduled', attempts: number, last: d, next_ms: at, next_at: iso(at), detail: `attempt ${number} of ${attempts} ${what}; next at ${iso(at)}` });
  }

  async invoke(cmd: string, args: Record<string, unknown>): Promise<unknown> {
    switch (cmd) {
      case 'list_forward_rules':
        return structuredClone(this.rules);
      case 'save_forward_rule': {
        const req = args.req as SaveForwardRuleReq;
        const spec = checkSpec(req.spec);
        if (spec.endpoint !== null && !this.host.endpoints().includes(spec.endpoint)) {
          fail('not_found', `no endpoint named "${spec.endpoint}"; forward rules belong to an endpoint`);
        }
        if (spec.answer && spec.enabled) {
          const other = this.rules.find((r) => r.id !== req.id && r.answer && r.enabled && r.endpoint === spec.endpoint);
          if (other) fail('conflict', `rule ${other.id} already answers the provider with its target's response; only one rule of an endpoint can`);
        }
        let view: ForwardRuleView;
        if (req.id === null) {
          view = { ...spec, id: this.nextRule++, session: false, created_at: iso(Date.now()) };
          this.rules.push(view);
        } else {
          const i = this.rules.findIndex((r) => r.id === req.id);
          if (i < 0) fail('not_found', `no forward rule ${req.id}`);
          view = { ...this.rules[i], ...spec };
          this.rules[i] = view;
        }
        this.host.emit('rules:changed', null);
        this.wake();
        return structuredClone(view);
      }
      case 'set_forward_rule_enabled': {
        const r = this.rules.find((x) => x.id === args.id) ?? fail('not_found', `no forward rule ${String(args.id)}`);
        r.enabled = args.enabled as boolean;
        this.host.emit('rules:changed', null);
        this.wake();
        return structuredClone(r);
      }
      case 'remove_forward_rule': {
        const i = this.rules.findIndex((x) => x.id === args.id);
        if (i < 0) fail('not_found', `no forward rule ${String(args.id)}`);
        this.rules.splice(i, 1);
        for (const row of this.rows) {
          if (row.rule_id === args.id && OPEN.includes(row.state)) {
            Object.assign(row, { state: 'cancelled', next_at: null, detail: 'its rule was removed', updated_at: iso(Date.now()) });
            this.host.setMark(row.capture_id, this.mark(row.capture_id));
          }
        }
        this.host.emit('rules:changed', null);
        this.host.emit('outbox:changed', null);
        return null;
      }
      case 'list_forwards': {
        const req = args.req as ListForwardsReq;
        const limit = Math.max(1, Math.min(req.limit ?? 50, 500));
        const f = req.filter ?? 'all';
        const out: ForwardView[] = [];
        let more = false;
        for (let i = this.rows.length - 1; i >= 0; i--) {
          const r = this.rows[i];
          if (req.before !== null && r.id >= req.before) continue;
          if (req.capture_id !== null && r.capture_id !== req.capture_id) continue;
          if (f === 'open' ? !OPEN.includes(r.state) : f !== 'all' && r.state !== f) continue;
          if (out.length === limit) {
            more = true;
            break;
          }
          out.push(this.view(r));
        }
        return { items: out, next_before: more ? out[out.length - 1].id : null };
      }
      case 'get_forward': {
        const r = this.row(args.id as number);
        return { forward: this.view(r), attempts: this.host.attempts(r.id) };
      }
      case 'outbox_counts': {
        const n = (s: ForwardState) => this.rows.filter((r) => r.state === s).length;
        return { pending: n('pending'), scheduled: n('scheduled'), sending: n('sending'), failed: n('failed') };
      }
      case 'retry_forward': {
        const r = this.row(args.id as number);
        if (r.state === 'sending') fail('conflict', `forward ${r.id} is being sent right now (${r.url})`);
        const now = Date.now();
        if (r.state === 'scheduled') this.touch(r, { next_ms: now, next_at: iso(now) });
        else this.touch(r, { state: 'pending', attempts: 0, round: r.round + 1, next_ms: now, next_at: iso(now), detail: 'retried by hand' });
        this.wake();
        return this.view(r);
      }
      case 'retry_failed_forwards': {
        const now = Date.now();
        const failed = this.rows.filter((r) => r.state === 'failed');
        for (const r of failed) {
          Object.assign(r, { state: 'pending', attempts: 0, round: r.round + 1, next_ms: now, next_at: iso(now), detail: 'retried by hand', updated_at: iso(now) });
          this.host.setMark(r.capture_id, this.mark(r.capture_id));
        }
        if (failed.length) {
          this.host.emit('outbox:changed', null);
          this.wake();
        }
        return failed.length;
      }
      case 'cancel_forward': {
        const r = this.row(args.id as number);
        if (!OPEN.includes(r.state)) fail('conflict', `forward ${r.id} is already ${r.state}; only open forwards can be cancelled`);
        this.touch(r, { state: 'cancelled', next_at: null, detail: 'cancelled by hand' });
        return this.view(r);
      }
    }
    fail('internal', `unknown command ${cmd}`);
  }

  private row(id: number): Row {
    return this.rows.find((r) => r.id === id) ?? fail('not_found', `no forward ${id}`);
  }
}
