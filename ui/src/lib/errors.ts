// Human titles for backend error codes. Unknown codes never crash: they get a generic title.
import type { ErrorView } from '../bindings/ErrorView';

const TITLES: Record<string, string> = {
  not_found: 'Not found',
  invalid_input: 'Invalid input',
  port_in_use: 'Port in use',
  storage: 'Storage error',
  disk_full: 'Disk full',
  corrupt: 'Database damaged',
  database_locked: 'Database busy',
  read_only: 'Storage is read-only',
  io: 'I/O error',
  conflict: 'Conflict',
  cancelled: 'Cancelled',
  no_scheme: 'No signature scheme',
  no_secret: 'No secret',
  cannot_sign: 'Cannot sign',
  not_listening: 'Receiver not listening',
  internal: 'Internal error',
};

export function errorTitle(code: string): string {
  return Object.prototype.hasOwnProperty.call(TITLES, code) ? TITLES[code] : 'Error';
}

/** "Database busy: database is locked" — for toasts and banners. */
export function describeError(e: ErrorView): string {
  const msg = (e.message ?? '').trim();
  return msg ? `${errorTitle(e.code)}: ${msg}` : errorTitle(e.code);
}
