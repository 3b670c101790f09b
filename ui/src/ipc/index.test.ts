import { describe, expect, it } from 'vitest';
import { call, toErrorView } from './index';

describe('ipc', () => {
  it('normalises rejections into ErrorView', () => {
    expect(toErrorView({ code: 'database_locked', message: 'busy' })).toEqual({ code: 'database_locked', message: 'busy' });
    expect(toErrorView({ code: 'something_new', message: 'x' })).toEqual({ code: 'something_new', message: 'x' });
    expect(toErrorView('boom')).toEqual({ code: 'internal', message: 'boom' });
    expect(toErrorView(new Error('bad'))).toEqual({ code: 'internal', message: 'bad' });
    expect(toErrorView({ message: 'no code' })).toEqual({ code: 'internal', message: '[object Object]' });
  });
  it('uses the fake backend outside Tauri and rejects with {code, message}', async () => {
    const info = await call('listener_info', {});
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await expect(call('get_capture', { id: 999_999 })).rejects.toEqual({ code: 'not_found', message: 'capture 999999 not found' });
    await expect(call('remove_endpoint', { name: 'default' })).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('fake send_test_event', () => {
  it('captures a signed, valid event on a configured endpoint and refuses with codes otherwise', async () => {
    const r = await call('send_test_event', { endpoint: 'stripe' });
    expect(r.scheme).toBe('stripe');
    expect(r.capture?.endpoint).toBe('stripe');
    expect(r.capture?.verdict?.status).toBe('valid');
    const c = await call('get_capture', { id: r.capture_id! });
    expect(c.headers.some(([k]) => k === 'x-hookloupe-test-event')).toBe(true);
    await expect(call('send_test_event', { endpoint: 'github' })).rejects.toMatchObject({ code: 'no_scheme' });
    await expect(call('send_test_event', { endpoint: 'nope' })).rejects.toMatchObject({ code: 'not_found' });
  });
});
