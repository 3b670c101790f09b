// Default names for exports: `hookloupe-2026-11-28-1405.har` in the Downloads folder. Pure: the
// time is passed in.
import type { ExportFormat } from '../../bindings/ExportFormat';

export const EXTENSIONS: Record<ExportFormat, string> = { har: 'har', jsonl: 'jsonl' };

export function defaultExportName(now: Date, format: ExportFormat, redacted: boolean): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}`;
  return `hookloupe-${stamp}${redacted ? '-redacted' : ''}.${EXTENSIONS[format]}`;
}

/** `dir` joined with `name` (whichever separator `dir` uses). */
export function joinPath(dir: string, name: string): string {
  if (dir === '') return name;
  const sep = dir.includes('\\') && !dir.includes('/') ? '\\' : '/';
  return dir.endsWith(sep) ? dir + name : dir + sep + name;
}

/** The path with its extension switched to the format's (when it has one of ours, or none). */
export function withExtension(path: string, format: ExportFormat): string {
  const ext = EXTENSIONS[format];
  const m = /\.(har|jsonl|json)$/i.exec(path);
  if (m) return path.slice(0, m.index) + '.' + ext;
  const base = path.split(/[\\/]/).pop() ?? '';
  return base.includes('.') || path === '' ? path : `${path}.${ext}`;
}

/** JSON paths typed one per line or comma-separated, blanks dropped. */
export function parseJsonPaths(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** A file name for a capture's body saved raw: `capture-42.json`, the extension from its type. */
export function bodyFileName(id: number, contentType: string | null): string {
  const ct = (contentType ?? '').split(';')[0].trim().toLowerCase();
  let ext = 'bin';
  if (ct === 'application/json' || ct.endsWith('+json')) ext = 'json';
  else if (ct.endsWith('/xml') || ct.endsWith('+xml')) ext = 'xml';
  else if (ct === 'application/x-www-form-urlencoded' || ct.startsWith('text/plain')) ext = 'txt';
  else if (ct === 'text/html') ext = 'html';
  else if (ct === 'text/csv') ext = 'csv';
  else if (ct.startsWith('text/')) ext = 'txt';
  return `capture-${id}.${ext}`;
}
