// The only module (with its siblings in ipc/) that talks to Tauri.
// Everything else in the UI calls `call` and `onEvent`.
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { ErrorCode } from '../bindings/ErrorCode';
import type { ErrorView } from '../bindings/ErrorView';
import type { Backend, Commands, Events, Unsubscribe } from './types';

export type { Commands, Events, Unsubscribe } from './types';

declare global {
  interface Window {
    __TAURI_INTERNALS__?: unknown;
  }
}

/** True inside the Tauri webview; false in a plain browser (`npm run dev`). */
export const inTauri = typeof window !== 'undefined' && window.__TAURI_INTERNALS__ !== undefined;

const tauriBackend: Backend = {
  invoke: (cmd, args) => invoke(cmd, args),
  listen: (name, handler) => listen(name, (e) => handler(e.payload)),
};

let backendPromise: Promise<Backend> | null = null;
function backend(): Promise<Backend> {
  if (!backendPromise) {
    backendPromise = inTauri
      ? Promise.resolve(tauriBackend)
      : import('./fake').then((m) => m.createFakeBackend());
  }
  return backendPromise;
}

const KNOWN_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'not_found',
  'invalid_input',
  'port_in_use',
  'storage',
  'disk_full',
  'corrupt',
  'database_locked',
  'read_only',
  'io',
  'conflict',
  'cancelled',
  'no_scheme',
  'no_secret',
  'cannot_sign',
  'not_listening',
  'internal',
]);

/**
 * Normalise anything a command can reject with into an ErrorView.
 * Unknown codes are kept as they are (the UI treats them like `internal`).
 */
export function toErrorView(e: unknown): ErrorView {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) {
    const o = e as { code: unknown; message: unknown };
    if (typeof o.code === 'string') {
      return { code: o.code as ErrorCode, message: String(o.message) };
    }
  }
  if (e instanceof Error) return { code: 'internal', message: e.message };
  return { code: 'internal', message: String(e) };
}

export function isKnownErrorCode(code: string): code is ErrorCode {
  return KNOWN_CODES.has(code);
}

export function isErrorView(e: unknown): e is ErrorView {
  return !!e && typeof e === 'object' && typeof (e as ErrorView).code === 'string' && typeof (e as ErrorView).message === 'string';
}

/** Invoke a backend command. Rejects with an ErrorView. */
export async function call<K extends keyof Commands>(cmd: K, args: Commands[K][0]): Promise<Commands[K][1]> {
  try {
    const b = await backend();
    return (await b.invoke(cmd, args as Record<string, unknown>)) as Commands[K][1];
  } catch (e) {
    throw toErrorView(e);
  }
}

/** Subscribe to a backend event. Resolves to the unsubscribe function. */
export async function onEvent<K extends keyof Events>(name: K, handler: (payload: Events[K]) => void): Promise<Unsubscribe> {
  const b = await backend();
  return b.listen(name, (p) => handler(p as Events[K]));
}
