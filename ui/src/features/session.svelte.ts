// Listener info and endpoints, shared by the top bar, the empty state and the endpoints panel.
import type { EndpointView } from '../bindings/EndpointView';
import type { ErrorView } from '../bindings/ErrorView';
import type { ListenerView } from '../bindings/ListenerView';
import { toastError } from '../components/toasts.svelte';
import { call } from '../ipc';

class Session {
  listener = $state.raw<ListenerView | null>(null);
  listenerError = $state.raw<ErrorView | null>(null);
  endpoints = $state.raw<EndpointView[]>([]);

  /** Base URL without a trailing slash. */
  get baseUrl(): string {
    return (this.listener?.url ?? '').replace(/\/+$/, '');
  }

  endpointUrl(prefix: string): string {
    return this.baseUrl + (prefix.startsWith('/') ? prefix : '/' + prefix);
  }

  async loadListener() {
    try {
      this.listener = await call('listener_info', {});
      this.listenerError = null;
    } catch (e) {
      this.listenerError = e as ErrorView;
      toastError(e as ErrorView);
    }
  }

  async loadEndpoints() {
    try {
      const eps = await call('list_endpoints', {});
      // default first, then by name
      this.endpoints = [...eps].sort((a, b) =>
        a.name === 'default' ? -1 : b.name === 'default' ? 1 : a.name.localeCompare(b.name),
      );
    } catch (e) {
      toastError(e as ErrorView);
    }
  }
}

export const session = new Session();
