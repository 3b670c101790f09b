// Finding and sharing for the in-browser fake backend (`npm run dev`, vitest), never used
// inside Tauri. Plausible, not faithful: the list filter (chips; full text as whole words over
// path, query, header values and the body text; the forward fake's small CEL subset with the
// engine's "(line, column)" errors), a scan budget that makes expression pages partial, pins,
// saved filters, and export/import that report without writing files.
import type { CaptureFilter } from '../bindings/CaptureFilter';
import type { CapturePage } from '../bindings/CapturePage';
import type { CaptureSummary } from '../bindings/CaptureSummary';
import type { CaptureView } from '../bindings/CaptureView';
import type { ErrorView } from '../bindings/ErrorView';
import type { ExportReport } from '../bindings/ExportReport';
import type { ExportReq } from '../bindings/ExportReq';
import type { ImportCurlReq } from '../bindings/ImportCurlReq';
import type { ImportReport } from '../bindings/ImportReport';
import type { ImportReq } from '../bindings/ImportReq';
import type { ListCapturesReq } from '../bindings/ListCapturesReq';
import type { SavedFilterView } from '../bindings/SavedFilterView';
import { hasMatch, searchTerms } from '../features/search/highlight';
import { everyCapture, matchesLocally } from '../features/search/filter';
import { compileFakeFilter, type FakeSubject } from './fakeForward';

/** Captures an expression page may look at before it stops (and says `partial`). */
export const FAKE_SCAN_BUDGET = 150;

export type FakeStored = CaptureView & { event_type: string | null; duplicate_of: number | null; pinned: boolean };

export interface FakeSearchHost {
  /** Every capture, oldest first. */
  all(): FakeStored[];
  summary(c: FakeStored): CaptureSummary;
  subject(id: number): FakeSubject | undefined;
  bodyText(c: FakeStored): string | null;
  /** Records a capture as imported (kept time, `via: import`). */
  receive(method: string, pathAndQuery: string, body: string, headers: Array<[string, string]>, endpoint: string | null): CaptureSummary;
  endpoints(): string[];
  emit(name: string, payload: unknown): void;
}

function fail(code: ErrorView['code'], message: string): never {
  throw { code, message } satisfies ErrorView;
}

const COMMANDS = new Set([
  'list_captures',
  'count_matches',
  'set_pinned',
  'saved_filters',
  'save_filter',
  'remove_filter',
  'export_captures',
  'import_captures',
  'import_curl',
  'default_export_dir',
  'save_body',
]);

export class FakeSearch {
  private saved: SavedFilterView[] = [{ name: 'Invalid signatures', filter: { ...emptyFilter(), verdict: 'invalid' } }];

  constructor(private host: FakeSearchHost) {}

  handles(cmd: string): boolean {
    return COMMANDS.has(cmd);
  }

  private matcher(f: CaptureFilter): (c: FakeStored) => boolean {
    const terms = searchTerms(f.search);
    const expr = f.query ? compileFakeFilter(f.query) : null;
    return (c) => {
      const s = this.host.summary(c);
      const local = matchesLocally({ ...f, search: null, query: null }, s);
      if (local === false) return false;
      if (terms.length) {
        const hay = [c.path, c.query, ...c.headers.map(([, v]) => v), this.host.bodyText(c) ?? ''].join('\n');
        if (!hasMatch(hay, terms)) return false;
      }
      if (expr) {
        const subj = this.host.subject(c.id);
        if (!subj || !expr(subj)) return false;
      }
      return true;
    };
  }

  private list(req: ListCapturesReq): CapturePage {
    const f = req.filter ?? emptyFilter();
    const test = this.matcher(f);
    const limit = Math.max(1, Math.min(req.limit ?? 100, 1000));
    const all = this.host.all();
    const out: CaptureSummary[] = [];
    let more = false;
    let scanned = 0;
    let partial = false;
    let lastScanned: number | null = null;
    for (let i = all.length - 1; i >= 0; i--) {
      const c = all[i];
      if (req.before !== null && c.id >= req.before) continue;
      if (f.query && scanned >= FAKE_SCAN_BUDGET) {
        partial = true;
        break;
      }
      scanned++;
      lastScanned = c.id;
      if (!test(c)) continue;
      if (out.length === limit) {
        more = true;
        break;
      }
      out.push(this.host.summary(c));
    }
    const total = f.query ? null : all.filter(test).length;
    const next = partial ? lastScanned : more ? out[out.length - 1].id : null;
    return { items: out, next_before: next, total, stored: all.length, partial };
  }

  async invoke(cmd: string, args: Record<string, unknown>): Promise<unknown> {
    switch (cmd) {
      case 'list_captures':
        return this.list(args.req as ListCapturesReq);
      case 'count_matches': {
        const test = this.matcher(args.filter as CaptureFilter);
        return this.host.all().filter(test).length;
      }
      case 'set_pinned': {
        const c = this.host.all().find((x) => x.id === args.id) ?? fail('not_found', `capture ${String(args.id)} not found`);
        c.pinned = Boolean(args.pinned);
        return null;
      }
      case 'saved_filters':
        return structuredClone(this.saved);
      case 'save_filter': {
        const v = args.filter as SavedFilterView;
        const name = v.name.trim();
        if (!name) fail('invalid_input', 'name: give the filter a name');
        if (v.filter.query) compileFakeFilter(v.filter.query);
        this.saved = [...this.saved.filter((s) => s.name !== name), { name, filter: structuredClone(v.filter) }].sort((a, b) =>
          a.name.localeCompare(b.name),
        );
        return structuredClone(this.saved.find((s) => s.name === name));
      }
      case 'remove_filter': {
        const before = this.saved.length;
        this.saved = this.saved.filter((s) => s.name !== args.name);
        if (this.saved.length === before) fail('not_found', `no saved filter named "${String(args.name)}"`);
        return null;
      }
      case 'export_captures': {
        const req = args.req as ExportReq;
        if (!req.path.trim()) fail('invalid_input', 'path: give the file to write');
        if (req.path.startsWith('/proc/')) fail('io', `cannot write ${req.path}: permission denied`);
        const test = this.matcher(req.filter);
        const picked = this.host.all().filter(test);
        const bytes = picked.reduce((n, c) => n + c.body_size + 400, 0);
        const redacted = req.redact
          ? [
              ...(req.redact.defaults ? [{ what: 'header:stripe-signature', count: picked.filter((c) => c.headers.some(([k]) => k === 'stripe-signature')).length }] : []),
              ...req.redact.json_paths.map((p) => ({ what: `json:${p}`, count: 0 })),
            ]
          : [];
        return { path: req.path, format: req.format, captures: picked.length, bytes, redacted } satisfies ExportReport;
      }
      case 'import_captures': {
        const req = args.req as ImportReq;
        if (!req.path.trim()) fail('invalid_input', 'path: choose a .jsonl or .har file');
        if (!/\.(jsonl|har|json)$/i.test(req.path)) fail('invalid_input', `${req.path}: neither Hookloupe JSONL nor HAR`);
        const s = this.host.receive('POST', '/imported', '{"imported":true}', [['content-type', 'application/json']], req.endpoint);
        return { format: req.path.toLowerCase().endsWith('.har') ? 'har' : 'jsonl', ids: [s.id], problems: [{ at: 2, message: 'not JSON: expected value at line 1 column 1' }] } satisfies ImportReport;
      }
      case 'import_curl': {
        const req = args.req as ImportCurlReq;
        const cmdText = req.command.trim();
        if (!/^curl\s/.test(cmdText)) fail('invalid_input', 'not a curl command: it should start with curl');
        const url = /https?:\/\/[^\s'"]+/.exec(cmdText)?.[0] ?? fail('invalid_input', 'the curl command names no URL');
        const u = new URL(url);
        const body = /(?:-d|--data(?:-raw|-binary)?)\s+'([^']*)'/.exec(cmdText)?.[1] ?? '';
        const method = /-X\s+([A-Z]+)/.exec(cmdText)?.[1] ?? (body ? 'POST' : 'GET');
        const headers = [...cmdText.matchAll(/-H\s+'([^:']+):\s*([^']*)'/g)].map((m) => [m[1].toLowerCase(), m[2]] as [string, string]);
        const s = this.host.receive(method, u.pathname + u.search, body, headers, req.endpoint);
        return { format: 'curl', ids: [s.id], problems: [] } satisfies ImportReport;
      }
      case 'default_export_dir':
        return '/home/dev/Downloads';
      case 'save_body': {
        const path = String(args.path ?? '').trim();
        if (!path) fail('invalid_input', 'give the file to save the body to');
        if (path.startsWith('/proc/')) fail('io', `cannot write ${path}: permission denied`);
        const c = this.host.all().find((x) => x.id === args.id) ?? fail('not_found', `no capture with id ${String(args.id)}`);
        return c.body_size;
      }
      default:
        return fail('internal', `unknown command ${cmd}`);
    }
  }
}

/** The filter of every capture. */
export function emptyFilter(): CaptureFilter {
  return everyCapture();
}
