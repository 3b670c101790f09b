import { describe, expect, it, vi } from 'vitest';
import type { TunnelStatusView } from '../../bindings/TunnelStatusView';

const online: TunnelStatusView = {
  provider: 'bore', state: 'online', public_url: 'http://127.0.0.1:47001', message: null, reason: null, attempts: 0, qr_svg: null,
};
const connecting: TunnelStatusView = { ...online, state: 'connecting', public_url: null };

// start_tunnel replies "connecting" only after the "online" event has already arrived.
vi.mock('../../ipc', () => ({
  call: vi.fn(async (cmd: string) => {
    if (cmd === 'start_tunnel') {
      const { tunnel } = await import('./tunnel.svelte');
      tunnel.onChanged(online);
      return connecting;
    }
    throw new Error(`unexpected ${cmd}`);
  }),
}));

describe('tunnel status', () => {
  it('a late command reply does not overwrite a newer event', async () => {
    const { tunnel } = await import('./tunnel.svelte');
    const err = await tunnel.start({ provider: 'bore', ngrok_domain: null, bore_server: '127.0.0.1', bore_secret: null });
    expect(err).toBeNull();
    expect(tunnel.status.state).toBe('online');
    expect(tunnel.status.public_url).toBe('http://127.0.0.1:47001');
  });
});
