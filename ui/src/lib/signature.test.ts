import { describe, expect, it } from 'vitest';
import type { SchemeInfo } from '../bindings/SchemeInfo';
import type { SignatureConfigView } from '../bindings/SignatureConfigView';
import type { TestEventView } from '../bindings/TestEventView';
import {
  badgeStatus,
  cleanOptions,
  parseOptions,
  reasonMeaning,
  signatureDirty,
  splitSigned,
  statusLabel,
  testEventBlocker,
  testEventSummary,
} from './signature';

describe('splitSigned', () => {
  it('marks the body range by UTF-8 byte offsets', () => {
    const text = '1700000000.{"a":"é"}';
    const parts = splitSigned(text, [11, 22]);
    expect(parts).toEqual([
      { text: '1700000000.', body: false },
      { text: '{"a":"é"}', body: true },
    ]);
  });
  it('keeps text after the body', () => {
    expect(splitSigned('v0:1:body:end', [5, 9])).toEqual([
      { text: 'v0:1:', body: false },
      { text: 'body', body: true },
      { text: ':end', body: false },
    ]);
  });
  it('clamps ranges and handles no range', () => {
    expect(splitSigned('abc', [1, 99])).toEqual([
      { text: 'a', body: false },
      { text: 'bc', body: true },
    ]);
    expect(splitSigned('abc', null)).toEqual([{ text: 'abc', body: false }]);
    expect(splitSigned('', [0, 0])).toEqual([{ text: '', body: true }]);
  });
  it('never interprets markup', () => {
    const parts = splitSigned('<b>x</b>', [0, 3]);
    expect(parts[0]).toEqual({ text: '<b>', body: true });
  });
});

describe('labels', () => {
  it('maps statuses and null to badges', () => {
    expect(badgeStatus(null)).toBe('unsigned');
    expect(statusLabel('no_secret')).toBe('no secret');
    expect(statusLabel('valid')).toBe('valid');
  });
  it('explains reason codes and passes unknown ones through', () => {
    expect(reasonMeaning('url_mismatch')).toContain('URL');
    expect(reasonMeaning('something_new')).toBe('something_new');
  });
});

describe('parseOptions', () => {
  it('parses name=value lines', () => {
    expect(parseOptions('tolerance_secs = 600\n\npublic_url=https://x.test/a?b=c\n')).toEqual({
      tolerance_secs: '600',
      public_url: 'https://x.test/a?b=c',
    });
  });
  it('rejects lines without =', () => {
    expect(() => parseOptions('oops')).toThrow(/name=value/);
  });
});

const scheme = (id: SchemeInfo['id'], can_sign: boolean, name: string = id): SchemeInfo => ({
  id,
  name,
  secret_kind: 'hmac_key',
  secret_help: '',
  default_tolerance_secs: null,
  can_sign,
  options: [],
});
const CATALOG = [scheme('stripe', true, 'Stripe'), scheme('paybox', false, 'Paybox (RSA)')];
const savedStripe: SignatureConfigView = {
  scheme: 'stripe',
  secrets: [{ index: 0, masked: 'whsec_…abcd', stored_in: 'keyring', problem: null }],
  options: { tolerance_secs: '600' },
};

describe('test event button', () => {
  it('is enabled only with a saved scheme that can sign, a saved secret and no unsaved changes', () => {
    expect(testEventBlocker(savedStripe, CATALOG, false)).toBeNull();
    expect(testEventBlocker(null, CATALOG, false)).toMatch(/scheme/);
    expect(testEventBlocker({ scheme: null, secrets: [], options: {} }, CATALOG, false)).toMatch(/scheme/);
    expect(testEventBlocker({ ...savedStripe, secrets: [] }, CATALOG, false)).toMatch(/secret/);
    expect(testEventBlocker({ ...savedStripe, scheme: 'paybox' }, CATALOG, false)).toMatch(/Paybox \(RSA\) cannot sign/);
    expect(testEventBlocker(savedStripe, CATALOG, true)).toMatch(/Save your changes/);
    const locked = { ...savedStripe.secrets[0], problem: 'cannot be read: the OS keyring is locked' };
    expect(testEventBlocker({ ...savedStripe, secrets: [locked] }, CATALOG, false)).toMatch(/OS keyring and cannot be read/);
    const oneReadable = [locked, { ...savedStripe.secrets[0], index: 1 }];
    expect(testEventBlocker({ ...savedStripe, secrets: oneReadable }, CATALOG, false)).toBeNull();
  });

  it('sees unsaved changes: scheme, new secret, removed secret, options', () => {
    const known = ['tolerance_secs'];
    const draft = { scheme: 'stripe' as const, kept: [0], fresh: [] as string[], options: { tolerance_secs: ' 600 ' } };
    expect(signatureDirty(draft, savedStripe, known)).toBe(false);
    expect(signatureDirty({ ...draft, fresh: ['   '] }, savedStripe, known)).toBe(false);
    expect(signatureDirty({ ...draft, fresh: ['whsec_new'] }, savedStripe, known)).toBe(true);
    expect(signatureDirty({ ...draft, kept: [] }, savedStripe, known)).toBe(true);
    expect(signatureDirty({ ...draft, scheme: 'github' }, savedStripe, known)).toBe(true);
    expect(signatureDirty({ ...draft, options: { tolerance_secs: '' } }, savedStripe, known)).toBe(true);
    // Options the scheme does not take are not saved, so they change nothing.
    expect(signatureDirty({ ...draft, options: { ...draft.options, colour: 'blue' } }, savedStripe, known)).toBe(false);
    expect(cleanOptions({ a: ' 1 ', b: '', c: '3' }, ['a', 'b'])).toEqual({ a: '1' });
  });

  it('summarises what the test event became', () => {
    const r: TestEventView = {
      endpoint: 'stripe',
      scheme: 'stripe',
      method: 'POST',
      path: '/stripe',
      status: 200,
      capture_id: 12,
      capture: null,
    };
    expect(testEventSummary(r)).toBe('Test event → capture #12: no verdict (HTTP 200)');
    const verdict = { status: 'valid' as const, reason: 'ok' as const, scheme: 'stripe' as const, matched_secret_index: 0 };
    const capture = { id: 12, verdict } as unknown as NonNullable<TestEventView['capture']>;
    expect(testEventSummary({ ...r, status: null, capture })).toBe('Test event → capture #12: signature valid');
    expect(testEventSummary({ ...r, capture_id: null })).toBe('Test event → sent: no verdict (HTTP 200)');
  });
});
