// Endpoint form: draft model, validation and conversion to the IPC shape.
import type { EndpointView } from '../bindings/EndpointView';

export type EndpointDraft = {
  name: string;
  path_prefix: string;
  status: string;
  headers: Array<{ name: string; value: string }>;
  body: string;
  delay_ms: string;
};

export type DraftErrors = Partial<Record<'name' | 'path_prefix' | 'status' | 'delay_ms' | 'headers', string>>;

export const MAX_DELAY_MS = 600_000;

export function newDraft(): EndpointDraft {
  return { name: '', path_prefix: '/', status: '200', headers: [], body: '', delay_ms: '0' };
}

export function draftFrom(ep: EndpointView): EndpointDraft {
  return {
    name: ep.name,
    path_prefix: ep.path_prefix,
    status: String(ep.response.status),
    headers: ep.response.headers.map(([name, value]) => ({ name, value })),
    body: ep.response.body,
    delay_ms: String(ep.response.delay_ms),
  };
}

const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/; // RFC 9110 token (header names)

/** Validate a draft. `taken` = names of other endpoints (for new ones, to avoid silently overwriting). */
export function validateDraft(d: EndpointDraft, opts: { isNew: boolean; taken: string[] }): DraftErrors {
  const errs: DraftErrors = {};
  const name = d.name.trim();
  if (!name) errs.name = 'Name is required';
  else if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) errs.name = 'Use 1–64 letters, digits, - or _';
  else if (opts.isNew && opts.taken.includes(name)) errs.name = `An endpoint named “${name}” already exists`;

  const p = d.path_prefix.trim();
  if (!p.startsWith('/')) errs.path_prefix = 'Path prefix must start with /';
  else if (/[\s?#]/.test(p)) errs.path_prefix = 'Path prefix cannot contain spaces, ? or #';

  const st = d.status.trim();
  if (!/^\d{3}$/.test(st) || +st < 100 || +st > 599) errs.status = 'Status must be a number from 100 to 599';

  const dl = d.delay_ms.trim();
  if (!/^\d+$/.test(dl) || +dl > MAX_DELAY_MS) errs.delay_ms = `Delay must be 0–${MAX_DELAY_MS} ms`;

  for (const h of d.headers) {
    const n = h.name.trim();
    if (!n && !h.value.trim()) continue; // blank row, ignored
    if (!n || !TOKEN_RE.test(n)) {
      errs.headers = `Invalid header name “${h.name}”`;
      break;
    }
    if (/[\r\n\0]/.test(h.value)) {
      errs.headers = `Header “${n}” has a line break in its value`;
      break;
    }
  }
  return errs;
}

export function draftToEndpoint(d: EndpointDraft): EndpointView {
  return {
    name: d.name.trim(),
    path_prefix: d.path_prefix.trim(),
    response: {
      status: Number(d.status.trim()),
      headers: d.headers
        .filter((h) => h.name.trim() || h.value.trim())
        .map((h) => [h.name.trim(), h.value] as [string, string]),
      body: d.body,
      delay_ms: Number(d.delay_ms.trim()),
    },
  };
}
