import { describe, expect, it } from 'vitest';
import type { ProviderInfo } from '../../bindings/ProviderInfo';
import { choiceOf, displayName, filterProviders, presetOf } from './providers';

const p = (id: string, name: string, extra: Partial<ProviderInfo> = {}): ProviderInfo => ({
  id,
  name,
  scheme: 'generic_hmac',
  options: { provider: id, header: `X-${name}-Signature` },
  secret_kind: 'hmac_key',
  secret_help: '',
  signs: 'raw body',
  can_sign: true,
  docs: null,
  builtin: false,
  ...extra,
});

const all = [
  p('stripe', 'Stripe', { scheme: 'stripe', options: {}, builtin: true, signs: '{t}.{body}' }),
  p('bitbucket', 'Bitbucket Cloud'),
  p('zendesk', 'Zendesk', { signs: '{timestamp}{body}' }),
];

describe('provider picker helpers', () => {
  it('filters by every word over name, id and what is signed', () => {
    expect(filterProviders(all, '').map((x) => x.id)).toEqual(['stripe', 'bitbucket', 'zendesk']);
    expect(filterProviders(all, 'bit').map((x) => x.id)).toEqual(['bitbucket']);
    expect(filterProviders(all, 'CLOUD bitb').map((x) => x.id)).toEqual(['bitbucket']);
    expect(filterProviders(all, 'timestamp').map((x) => x.id)).toEqual(['zendesk']);
    expect(filterProviders(all, 'nothing')).toEqual([]);
  });

  it('picks the provider of saved settings before their scheme', () => {
    expect(choiceOf('generic_hmac', { provider: 'bitbucket', header: 'X' })).toBe('bitbucket');
    expect(choiceOf('stripe', {})).toBe('stripe');
    expect(choiceOf(null, {})).toBe('');
  });

  it('configures as a provider with its engine and a copy of its preset', () => {
    const preset = presetOf(all[1]);
    expect(preset).toEqual({ scheme: 'generic_hmac', options: { provider: 'bitbucket', header: 'X-Bitbucket Cloud-Signature' } });
    preset.options.header = 'changed';
    expect(all[1].options.header).toBe('X-Bitbucket Cloud-Signature');
  });

  it('names a verdict by its provider, else by its scheme', () => {
    const schemeName = (s: string) => `scheme ${s}`;
    expect(displayName(all, 'generic_hmac', 'zendesk', schemeName)).toBe('Zendesk');
    expect(displayName(all, 'generic_hmac', null, schemeName)).toBe('scheme generic_hmac');
    expect(displayName(all, 'generic_hmac', 'gone', schemeName)).toBe('scheme generic_hmac');
  });
});
