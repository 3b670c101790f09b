// The forward rule form: its model (text as typed), conversion to the engine's RuleSpec, the
// checks the UI must make itself (durations it converts to milliseconds, the rate it sends as
// text), the engine's refusals mapped to the field they name, and the summary of a rule as the
// endpoint panel lists it. Pure.
import type { ErrorView } from '../../bindings/ErrorView';
import type { ForwardRuleView } from '../../bindings/ForwardRuleView';
import type { RuleSpec } from '../../bindings/RuleSpec';
import {
  MAX_ATTEMPTS,
  MAX_DEADLINE_MS,
  MAX_TIMEOUT_MS,
  MIN_DEADLINE_MS,
  describeBackoff,
  formatBackoff,
  formatMs,
  normaliseRate,
  parseBackoff,
  parseDuration,
  rateProblem,
} from '../../lib/duration';

export type TransformKind = 'none' | 'slack' | 'template';

export type RuleForm = {
  url: string;
  keepPath: boolean;
  enabled: boolean;
  filter: string;
  transform: TransformKind;
  template: string;
  contentType: string;
  resign: boolean;
  onlyValid: boolean;
  skipDuplicates: boolean;
  timeout: string;
  attempts: string;
  backoff: string;
  rate: string;
  insecure: boolean;
  answer: boolean;
  answerDeadline: string;
};

/**
 * Where an error is shown. The engine's fields (its refusals start with one of them), plus the
 * three parts of the policy the form has as separate inputs, and `answer` (another rule of the
 * endpoint already answers the provider).
 */
export type RuleField =
  | 'url'
  | 'filter'
  | 'template'
  | 'content_type'
  | 'policy'
  | 'timeout'
  | 'attempts'
  | 'backoff'
  | 'rate'
  | 'answer'
  | 'answer_deadline_ms';

export type RuleErrors = Partial<Record<RuleField, string>>;

/** The fields an engine refusal can start with (`filter: … (line 1, column 9)`). */
const ENGINE_FIELDS: readonly RuleField[] = ['url', 'filter', 'template', 'policy', 'rate', 'answer_deadline_ms', 'content_type'];

export const SLACK_CONTENT_TYPE = 'application/json';

/** A new rule's form: the engine's defaults (10 s timeout, 3 attempts, 0 s / 5 s / 25 s). */
export function newRuleForm(): RuleForm {
  return {
    url: '',
    keepPath: false,
    enabled: true,
    filter: '',
    transform: 'none',
    template: '',
    contentType: '',
    resign: false,
    onlyValid: false,
    skipDuplicates: false,
    timeout: '10s',
    attempts: '3',
    backoff: '0s,5s,25s',
    rate: '',
    insecure: false,
    answer: false,
    answerDeadline: '2.5s',
  };
}

/** A deadline as typed: whole seconds as `3s`, else `2.5s` or `750ms`. */
function formatDeadline(ms: number): string {
  if (ms % 1000 === 0) return formatMs(ms);
  if (ms % 100 === 0 && ms > 1000) return `${ms / 1000}s`;
  return `${ms}ms`;
}

export function formFromRule(r: ForwardRuleView): RuleForm {
  return {
    url: r.url,
    keepPath: r.keep_path,
    enabled: r.enabled,
    filter: r.filter ?? '',
    transform: r.transform.kind,
    template: r.transform.kind === 'template' ? r.transform.source : '',
    contentType: r.content_type ?? '',
    resign: r.resign,
    onlyValid: r.only_valid,
    skipDuplicates: r.skip_duplicates,
    timeout: formatMs(r.policy.timeout_ms),
    attempts: String(r.policy.attempts),
    backoff: formatBackoff(r.policy.backoff_ms),
    rate: r.rate ?? '',
    insecure: r.insecure,
    answer: r.answer,
    answerDeadline: formatDeadline(r.answer_deadline_ms),
  };
}

/** `localhost:3000/hook` means `http://localhost:3000/hook`, as with `hookloupe listen --forward-to`. */
export function targetUrl(text: string): string {
  const t = text.trim();
  return t === '' || t.includes('://') ? t : `http://${t}`;
}

/**
 * The spec the form describes, or the errors the UI can tell itself (the rest — URL, filter,
 * template, content type — the engine checks and names).
 */
export function specFromForm(f: RuleForm, endpoint: string | null): { spec: RuleSpec; errors: RuleErrors } {
  const errors: RuleErrors = {};
  let timeout = 10_000;
  const t = parseDuration(f.timeout);
  if (!t.ok) errors.timeout = f.timeout.trim() ? `timeout: ${t.error}` : 'timeout: give one, e.g. 10s';
  else if (t.value <= 0 || t.value > MAX_TIMEOUT_MS) errors.timeout = 'timeout: more than 0 and at most 10 minutes';
  else timeout = t.value;

  let attempts = 3;
  const a = f.attempts.trim();
  if (!/^\d+$/.test(a) || +a < 1 || +a > MAX_ATTEMPTS) errors.attempts = `attempts: a whole number from 1 to ${MAX_ATTEMPTS}`;
  else attempts = +a;

  let backoff: number[] = [0];
  const b = parseBackoff(f.backoff);
  if (!b.ok) errors.backoff = `backoff: ${b.error}`;
  else if (!errors.attempts && b.value.length > attempts) {
    errors.backoff = `backoff: ${b.value.length} waits for ${attempts} attempt${attempts === 1 ? '' : 's'}: give one wait per attempt, or fewer (the last one repeats)`;
  } else backoff = b.value;

  const rp = rateProblem(f.rate);
  if (rp) errors.rate = rp;

  let deadline = 2500;
  const d = parseDuration(f.answerDeadline);
  if (!d.ok) {
    if (f.answer) errors.answer_deadline_ms = `deadline: ${d.error}`;
  } else if (f.answer && (d.value < MIN_DEADLINE_MS || d.value > MAX_DEADLINE_MS)) {
    errors.answer_deadline_ms = `deadline: between ${MIN_DEADLINE_MS} ms and ${MAX_DEADLINE_MS / 1000} s`;
  } else deadline = d.value;

  const filter = f.filter.trim();
  const ct = f.contentType.trim();
  const spec: RuleSpec = {
    endpoint,
    url: targetUrl(f.url),
    keep_path: f.keepPath,
    enabled: f.enabled,
    filter: filter === '' ? null : filter,
    transform:
      f.transform === 'template' ? { kind: 'template', source: f.template } : f.transform === 'slack' ? { kind: 'slack' } : { kind: 'none' },
    content_type: f.transform === 'none' || ct === '' ? null : ct,
    resign: f.resign,
    only_valid: f.onlyValid,
    skip_duplicates: f.skipDuplicates,
    policy: { timeout_ms: timeout, attempts, backoff_ms: backoff },
    rate: rp ? null : normaliseRate(f.rate),
    insecure: f.insecure,
    answer: f.answer,
    answer_deadline_ms: deadline,
  };
  return { spec, errors };
}

/**
 * The field an engine refusal is about, and its message without the field name. `invalid_input`
 * messages start with the field (`filter: … (line 1, column 9)`); a `conflict` is the "only one
 * rule answers the provider" check. Anything else has no field (shown above the buttons).
 */
export function fieldError(e: ErrorView): { field: RuleField | null; message: string } {
  const msg = (e.message ?? '').trim();
  if (e.code === 'invalid_input') {
    const m = /^([a-z_]+):\s*([\s\S]*)$/.exec(msg);
    if (m && (ENGINE_FIELDS as readonly string[]).includes(m[1])) return { field: m[1] as RuleField, message: m[2] };
  }
  if (e.code === 'conflict') return { field: 'answer', message: msg };
  return { field: null, message: msg };
}

/** Where in the filter a parse error is, from the message's `(line L, column C)` (1-based, characters). */
export function filterPosition(message: string): { line: number; column: number } | null {
  const m = /\(line (\d+), column (\d+)\)\s*$/.exec(message);
  return m ? { line: Number(m[1]), column: Number(m[2]) } : null;
}

/**
 * That position as an offset in `text` (UTF-16 units, for the editor). The engine trims the
 * filter before parsing, so positions count from its first non-blank character.
 */
export function positionOffset(text: string, pos: { line: number; column: number }): number {
  const lead = text.length - text.trimStart().length;
  const lines = text.slice(lead).split('\n');
  let off = lead;
  for (let i = 0; i < Math.min(pos.line - 1, lines.length - 1); i++) off += lines[i].length + 1;
  const line = lines[Math.min(pos.line - 1, lines.length - 1)] ?? '';
  const chars = Array.from(line).slice(0, Math.max(0, pos.column - 1));
  return Math.min(text.length, off + chars.join('').length);
}

/** The small flags of a rule as the list shows them. */
export function ruleFlags(r: RuleSpec): string[] {
  const out: string[] = [];
  if (r.keep_path) out.push('keep path');
  if (r.resign) out.push('re-sign');
  if (r.only_valid) out.push('only valid');
  if (r.skip_duplicates) out.push('skip duplicates');
  if (r.answer) out.push(`answers provider (≤ ${formatDeadline(r.answer_deadline_ms)})`);
  if (r.insecure) out.push('insecure TLS');
  return out;
}

export function transformLabel(r: RuleSpec): string {
  switch (r.transform.kind) {
    case 'none':
      return 'as captured';
    case 'slack':
      return 'Slack message';
    case 'template':
      return `template${r.content_type ? ` (${r.content_type})` : ''}`;
  }
}

/** "3 attempts · waits 0 s, 5 s, 25 s · timeout 10 s". */
export function policyLabel(r: RuleSpec): string {
  const p = r.policy;
  const attempts = `${p.attempts} attempt${p.attempts === 1 ? '' : 's'}`;
  const waits = p.attempts > 1 || (p.backoff_ms[0] ?? 0) > 0 ? ` · waits ${describeBackoff(p.backoff_ms)}` : '';
  return `${attempts}${waits} · timeout ${formatMs(p.timeout_ms).replace(/([0-9])([a-z])/, '$1 $2')}`;
}
