// Global toast queue (errors and short confirmations such as "Copied").
import type { ErrorView } from '../bindings/ErrorView';
import { describeError } from '../lib/errors';

export type Toast = { id: number; kind: 'error' | 'info'; text: string };

let seq = 0;
export const toasts = $state<{ list: Toast[] }>({ list: [] });

export function dismiss(id: number) {
  toasts.list = toasts.list.filter((t) => t.id !== id);
}

function push(kind: Toast['kind'], text: string, ms: number) {
  const id = ++seq;
  // Collapse an identical toast that is still visible instead of stacking it.
  toasts.list = [...toasts.list.filter((t) => !(t.kind === kind && t.text === text)), { id, kind, text }].slice(-4);
  setTimeout(() => dismiss(id), ms);
}

export function toastInfo(text: string, ms = 1800) {
  push('info', text, ms);
}

export function toastError(e: ErrorView | string) {
  push('error', typeof e === 'string' ? e : describeError(e), 7000);
}
