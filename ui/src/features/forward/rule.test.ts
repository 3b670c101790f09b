import { describe, expect, it } from 'vitest';
import type { ForwardRuleView } from '../../bindings/ForwardRuleView';
import { fieldError, filterPosition, formFromRule, newRuleForm, policyLabel, positionOffset, ruleFlags, specFromForm, targetUrl, transformLabel } from './rule';

const view = (patch: Partial<ForwardRuleView> = {}): ForwardRuleView => ({
  id: 7,
  session: false,
  created_at: '2026-12-01T10:00:00.000000Z',
  endpoint: 'billing',
  url: 'http://localhost:3000/hooks',
  keep_path: false,
  enabled: true,
  filter: null,
  transform: { kind: 'none' },
  content_type: null,
  resign: false,
  only_valid: false,
  skip_duplicates: false,
  policy: { timeout_ms: 10_000, attempts: 3, backoff_ms: [0, 5000, 25_000] },
  rate: null,
  insecure: false,
  answer: false,
  answer_deadline_ms: 2500,
  ...patch,
});

describe('rule form → spec', () => {
  it('converts a new form to the engine defaults', () => {
    const f = { ...newRuleForm(), url: 'localhost:3000/hooks', filter: '  type == "invoice.overdue"  ' };
    const { spec, errors } = specFromForm(f, 'billing');
    expect(errors).toEqual({});
    expect(spec).toEqual({
      endpoint: 'billing',
      url: 'http://localhost:3000/hooks',
      keep_path: false,
      enabled: true,
      filter: 'type == "invoice.overdue"',
      transform: { kind: 'none' },
      content_type: null,
      resign: false,
      only_valid: false,
      skip_duplicates: false,
      policy: { timeout_ms: 10_000, attempts: 3, backoff_ms: [0, 5000, 25_000] },
      rate: null,
      insecure: false,
      answer: false,
      answer_deadline_ms: 2500,
    });
  });

  it('round-trips a stored rule through the form', () => {
    const r = view({
      filter: 'data.total_cents > 150000',
      transform: { kind: 'template', source: '{"text": "{{ event_type }}"}' },
      content_type: 'application/json; charset=utf-8',
      policy: { timeout_ms: 1500, attempts: 5, backoff_ms: [0, 1000, 60_000, 60_000, 60_000] },
      rate: '10/min',
      answer: true,
      answer_deadline_ms: 3000,
      keep_path: true,
      resign: true,
    });
    const f = formFromRule(r);
    expect(f.backoff).toBe('0s,1s,1m');
    expect(f.timeout).toBe('1500ms');
    expect(f.answerDeadline).toBe('3s');
    const { spec, errors } = specFromForm(f, 'billing');
    expect(errors).toEqual({});
    const { id: _i, session: _s, created_at: _c, ...expected } = r;
    expect(spec).toEqual({ ...expected, policy: { ...r.policy, backoff_ms: [0, 1000, 60_000] } });
    expect(formFromRule(view({ answer_deadline_ms: 2500 })).answerDeadline).toBe('2.5s');
    expect(formFromRule(view({ answer_deadline_ms: 750 })).answerDeadline).toBe('750ms');
  });

  it('keeps the Slack transform and drops a content type without a transform', () => {
    const f = { ...newRuleForm(), url: 'https://hooks.slack.com/services/T/B/X', transform: 'slack' as const, contentType: ' ' };
    expect(specFromForm(f, 'billing').spec.transform).toEqual({ kind: 'slack' });
    expect(specFromForm(f, 'billing').spec.content_type).toBeNull();
    const g = { ...newRuleForm(), url: 'http://x', contentType: 'text/plain' };
    expect(specFromForm(g, 'billing').spec.content_type).toBeNull();
  });

  it('names the field of what the UI checks itself', () => {
    const bad = { ...newRuleForm(), url: 'http://x', timeout: 'soon', attempts: '0', backoff: '0s,,1s', rate: 'fast', answer: true, answerDeadline: '90s' };
    const { errors } = specFromForm(bad, 'billing');
    expect(Object.keys(errors).sort()).toEqual(['answer_deadline_ms', 'attempts', 'backoff', 'rate', 'timeout']);
    expect(specFromForm({ ...newRuleForm(), url: 'http://x', timeout: '11m' }, null).errors.timeout).toContain('10 minutes');
    expect(specFromForm({ ...newRuleForm(), url: 'http://x', attempts: '1' }, null).errors.backoff).toContain('3 waits for 1 attempt');
    // a deadline is only checked when the rule answers the provider
    expect(specFromForm({ ...newRuleForm(), url: 'http://x', answerDeadline: 'x' }, null).errors).toEqual({});
  });

  it('adds http:// like listen --forward-to', () => {
    expect(targetUrl('localhost:3000/x')).toBe('http://localhost:3000/x');
    expect(targetUrl(' https://a.example/x ')).toBe('https://a.example/x');
    expect(targetUrl('')).toBe('');
  });
});

describe('engine refusals → fields', () => {
  it('maps the field the message starts with', () => {
    expect(fieldError({ code: 'invalid_input', message: 'filter: Syntax error: unexpected `&` (line 1, column 9)' })).toEqual({
      field: 'filter',
      message: 'Syntax error: unexpected `&` (line 1, column 9)',
    });
    for (const f of ['url', 'template', 'policy', 'rate', 'answer_deadline_ms', 'content_type']) {
      expect(fieldError({ code: 'invalid_input', message: `${f}: nope` })).toEqual({ field: f, message: 'nope' });
    }
  });
  it('sends the rest to the form banner, and a conflict to the answer option', () => {
    expect(fieldError({ code: 'invalid_input', message: 'something: else' }).field).toBeNull();
    expect(fieldError({ code: 'not_found', message: 'url: no endpoint' }).field).toBeNull();
    expect(fieldError({ code: 'internal', message: 'boom' })).toEqual({ field: null, message: 'boom' });
    expect(fieldError({ code: 'conflict', message: 'rule 3 already answers the provider' })).toEqual({ field: 'answer', message: 'rule 3 already answers the provider' });
  });
  it('finds the filter position, counted from the trimmed text in characters', () => {
    expect(filterPosition('Syntax error (line 2, column 5)')).toEqual({ line: 2, column: 5 });
    expect(filterPosition('no position')).toBeNull();
    expect(positionOffset('type == && x', { line: 1, column: 9 })).toBe(8);
    expect(positionOffset('  type == && x', { line: 1, column: 9 })).toBe(10);
    expect(positionOffset('a == 1 &&\nb ==', { line: 2, column: 5 })).toBe(14);
    expect(positionOffset('"é😀" == x', { line: 1, column: 4 })).toBe(4); // 😀 is two UTF-16 units
    expect(positionOffset('abc', { line: 9, column: 99 })).toBe(3);
  });
});

describe('rule summaries', () => {
  it('lists flags, body and policy', () => {
    expect(ruleFlags(view())).toEqual([]);
    expect(ruleFlags(view({ keep_path: true, resign: true, only_valid: true, skip_duplicates: true, insecure: true, answer: true }))).toEqual([
      'keep path',
      're-sign',
      'only valid',
      'skip duplicates',
      'answers provider (≤ 2.5s)',
      'insecure TLS',
    ]);
    expect(transformLabel(view())).toBe('as captured');
    expect(transformLabel(view({ transform: { kind: 'slack' } }))).toBe('Slack message');
    expect(transformLabel(view({ transform: { kind: 'template', source: 'x' }, content_type: 'text/plain' }))).toBe('template (text/plain)');
    expect(policyLabel(view())).toBe('3 attempts · waits 0 s, 5 s, 25 s · timeout 10 s');
    expect(policyLabel(view({ policy: { timeout_ms: 500, attempts: 1, backoff_ms: [0] } }))).toBe('1 attempt · timeout 500 ms');
  });
});
