// The replay editor's model and its wire form: what the user edited (method, header list, body
// text) and where to send it, turned into `RequestEdits` + `ReplayTarget` (every unchanged
// field left `null`, so the engine sends the captured bytes exactly) and back from a saved
// `ReplayDraft`.
import type { CaptureView } from '../../bindings/CaptureView';
import type { ReplayDraft } from '../../bindings/ReplayDraft';
import type { ReplayTarget } from '../../bindings/ReplayTarget';
import type { RequestEdits } from '../../bindings/RequestEdits';
import { base64ToBytes, decodeUtf8 } from '../../lib/bytes';
import { headersEqual, type HeaderRow } from './headers';

export const DEFAULT_TIMEOUT_SECS = 30;
export const MAX_TIMEOUT_SECS = 600;

export type EditorModel = {
  method: string;
  headers: HeaderRow[];
  /** The body text in the editor; null when the body is not text (binary: sent as captured). */
  body: string | null;
  /** A binary body carried by a draft (e.g. saved by the CLI), sent as is. */
  bodyB64: string | null;
};

export type TargetForm = {
  url: string;
  keepPath: boolean;
  resign: boolean;
  secretIndex: number;
  newMessageId: boolean;
  timeoutSecs: number;
  insecure: boolean;
};

const textCache = new WeakMap<object, string | null>();

/** The captured body as editor text: null when it is not valid UTF-8 (decoded once per capture). */
export function capturedBodyText(capture: Pick<CaptureView, 'body_b64' | 'body_over_limit'>): string | null {
  if (capture.body_over_limit) return '';
  if (textCache.has(capture)) return textCache.get(capture)!;
  const text = decodeUtf8(base64ToBytes(capture.body_b64));
  textCache.set(capture, text);
  return text;
}

/** The editor showing the capture as it was received. */
export function capturedModel(capture: CaptureView): EditorModel {
  return {
    method: capture.method,
    headers: capture.headers.map(([n, v]) => [n, v] as HeaderRow),
    body: capturedBodyText(capture),
    bodyB64: null,
  };
}

export function defaultTarget(url = ''): TargetForm {
  return { url, keepPath: false, resign: false, secretIndex: 0, newMessageId: false, timeoutSecs: DEFAULT_TIMEOUT_SECS, insecure: false };
}

/** Whole seconds between 1 and 600; anything unreadable is the default 30. */
export function clampTimeoutSecs(n: number): number {
  if (!Number.isFinite(n)) return DEFAULT_TIMEOUT_SECS;
  return Math.min(MAX_TIMEOUT_SECS, Math.max(1, Math.round(n)));
}

/** The edits to send: null for everything left as captured. */
export function editsFrom(capture: CaptureView, m: EditorModel): RequestEdits {
  const method = m.method.trim();
  const captured = capturedBodyText(capture);
  return {
    method: method !== '' && method !== capture.method ? method : null,
    headers: headersEqual(m.headers, capture.headers) ? null : m.headers.map(([n, v]) => [n, v]),
    set_headers: [],
    remove_headers: [],
    // A capture over the size limit has no stored body: the editor's text is always sent.
    body: m.bodyB64 === null && m.body !== null && (m.body !== captured || capture.body_over_limit) ? m.body : null,
    body_b64: m.bodyB64,
  };
}

/** True when the edits send the capture exactly as received. */
export function isUnedited(e: RequestEdits): boolean {
  return e.method === null && e.headers === null && e.body === null && e.body_b64 === null && e.set_headers.length === 0 && e.remove_headers.length === 0;
}

export function targetFrom(f: TargetForm): ReplayTarget {
  return {
    url: f.url.trim(),
    keep_path: f.keepPath,
    resign: f.resign,
    secret_index: f.secretIndex > 0 ? f.secretIndex : null,
    new_message_id: f.newMessageId,
    timeout_ms: clampTimeoutSecs(f.timeoutSecs) * 1000,
    insecure: f.insecure,
  };
}

export function formFromTarget(t: ReplayTarget): TargetForm {
  return {
    url: t.url,
    keepPath: t.keep_path,
    resign: t.resign,
    secretIndex: t.secret_index ?? 0,
    newMessageId: t.new_message_id,
    timeoutSecs: t.timeout_ms === null ? DEFAULT_TIMEOUT_SECS : clampTimeoutSecs(t.timeout_ms / 1000),
    insecure: t.insecure,
  };
}

/** The editor as a saved draft left it (fields the draft does not change come from the capture). */
export function modelFromDraft(capture: CaptureView, d: ReplayDraft): EditorModel {
  const base = capturedModel(capture);
  const e = d.edits;
  let body = base.body;
  let bodyB64: string | null = null;
  if (e.body_b64 !== null) {
    const text = decodeUtf8(base64ToBytes(e.body_b64));
    if (text !== null) body = text;
    else {
      body = null;
      bodyB64 = e.body_b64;
    }
  } else if (e.body !== null) {
    body = e.body;
  }
  return {
    method: e.method ?? base.method,
    headers: e.headers ? e.headers.map(([n, v]) => [n, v] as HeaderRow) : base.headers,
    body,
    bodyB64,
  };
}

/** What `save_draft` gets (the engine stamps `saved_at`). */
export function draftOf(capture: CaptureView, m: EditorModel, f: TargetForm): ReplayDraft {
  return { capture_id: capture.id, target: targetFrom(f), edits: editsFrom(capture, m), saved_at: '' };
}
