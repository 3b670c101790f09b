import { describe, expect, it } from 'vitest';
import { draftFrom, draftToEndpoint, newDraft, validateDraft } from './endpoint';

describe('endpoint drafts', () => {
  it('round-trips an endpoint and drops blank header rows', () => {
    const ep = {
      name: 'stripe',
      path_prefix: '/stripe',
      response: { status: 202, headers: [['x-a', '1'] as [string, string]], body: 'ok', delay_ms: 250 },
    };
    const d = draftFrom(ep);
    d.headers.push({ name: '', value: '' });
    expect(validateDraft(d, { isNew: false, taken: [] })).toEqual({});
    expect(draftToEndpoint(d)).toEqual(ep);
  });
  it('reports inline errors per field', () => {
    const d = { ...newDraft(), name: 'bad name', path_prefix: 'stripe', status: '600', delay_ms: '-1' };
    d.headers = [{ name: 'bad header', value: 'x' }];
    expect(validateDraft(d, { isNew: true, taken: [] })).toEqual({
      name: 'Use 1–64 letters, digits, - or _',
      path_prefix: 'Path prefix must start with /',
      status: 'Status must be a number from 100 to 599',
      delay_ms: 'Delay must be 0–600000 ms',
      headers: 'Invalid header name “bad header”',
    });
  });
  it('refuses to create a second endpoint with an existing name', () => {
    const d = { ...newDraft(), name: 'github', path_prefix: '/gh' };
    expect(validateDraft(d, { isNew: true, taken: ['github'] }).name).toMatch(/already exists/);
    expect(validateDraft(d, { isNew: false, taken: ['github'] }).name).toBeUndefined();
    expect(validateDraft({ ...d, status: '100' }, { isNew: false, taken: [] })).toEqual({});
  });
});
