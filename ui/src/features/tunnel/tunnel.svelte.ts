// The public tunnel's status and settings, shared by the top bar chip and the tunnel panel.
import type { ErrorView } from '../../bindings/ErrorView';
import type { NgrokTokenView } from '../../bindings/NgrokTokenView';
import type { StartTunnelReq } from '../../bindings/StartTunnelReq';
import type { TunnelStatusView } from '../../bindings/TunnelStatusView';
import { toastError } from '../../components/toasts.svelte';
import { call } from '../../ipc';

const OFF: TunnelStatusView = {
  provider: null,
  state: 'off',
  public_url: null,
  message: null,
  reason: null,
  attempts: 0,
  qr_svg: null,
};

class Tunnel {
  status = $state.raw<TunnelStatusView>(OFF);
  token = $state.raw<NgrokTokenView | null>(null);
  busy = $state(false);
  /** Counts `tunnel:changed` events, so a command's (older) reply never overwrites a newer event. */
  private events = 0;

  /** Public base URL without a trailing slash, when online or reconnecting. */
  get baseUrl(): string | null {
    return this.status.public_url ? this.status.public_url.replace(/\/+$/, '') : null;
  }

  async load() {
    const before = this.events;
    try {
      this.applyReply(await call('tunnel_status', {}), before);
      this.token = await call('ngrok_token_info', {});
    } catch (e) {
      toastError(e as ErrorView);
    }
  }

  onChanged(s: TunnelStatusView) {
    this.events++;
    this.status = s;
  }

  /** Applies a command's reply unless an event arrived while the command ran (on loopback a
   * tunnel can be online before `start_tunnel` has even replied "connecting"). */
  private applyReply(s: TunnelStatusView, eventsBefore: number) {
    if (this.events === eventsBefore) this.status = s;
  }

  /** Starts a tunnel; returns the error for the form to show, or null. */
  async start(req: StartTunnelReq): Promise<ErrorView | null> {
    this.busy = true;
    const before = this.events;
    try {
      this.applyReply(await call('start_tunnel', { req }), before);
      return null;
    } catch (e) {
      return e as ErrorView;
    } finally {
      this.busy = false;
    }
  }

  async stop() {
    const before = this.events;
    try {
      this.applyReply(await call('stop_tunnel', {}), before);
    } catch (e) {
      toastError(e as ErrorView);
    }
  }

  async saveToken(token: string | null): Promise<ErrorView | null> {
    try {
      this.token = await call('save_ngrok_token', { token });
      return null;
    } catch (e) {
      return e as ErrorView;
    }
  }
}

export const tunnel = new Tunnel();

/** A data: URL for the QR code SVG the engine generated (not payload data). */
export function qrDataUrl(svg: string | null): string | null {
  return svg ? 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg) : null;
}

export const STATE_LABEL: Record<TunnelStatusView['state'], string> = {
  off: 'Off',
  connecting: 'Connecting…',
  online: 'Online',
  reconnecting: 'Reconnecting…',
  failed: 'Failed',
};
