// The replay editor of one capture: target, edits, the saved draft (debounced save_draft,
// restored by get_draft), the live preview of what would go out (debounced preview_replay),
// Send / Cancel and the attempt's result. One session per capture, kept while the app runs,
// so switching tabs or captures does not lose an edit or a request in flight.
import type { CaptureView } from '../../bindings/CaptureView';
import type { DeliveryView } from '../../bindings/DeliveryView';
import type { ErrorView } from '../../bindings/ErrorView';
import type { ReplayPreview } from '../../bindings/ReplayPreview';
import type { ReplayReq } from '../../bindings/ReplayReq';
import { call } from '../../ipc';
import {
  capturedModel,
  defaultTarget,
  draftOf,
  editsFrom,
  formFromTarget,
  isUnedited,
  modelFromDraft,
  targetFrom,
  type EditorModel,
  type TargetForm,
} from './draft';
import { firstProblem, headerProblem } from './headers';
import { loadRecent, rememberTarget } from './recent';

export const PREVIEW_DELAY_MS = 250;
/** Rejections that mean "re-signing is not possible here" (the request itself is fine). */
const RESIGN_ERRORS: ReadonlySet<string> = new Set(['no_scheme', 'no_secret', 'cannot_sign']);
export const SAVE_DELAY_MS = 600;

let tokenSeq = 0;
/** A caller-chosen handle for cancel_replay. */
export function newToken(prefix = 'replay'): string {
  const c = globalThis.crypto as Crypto | undefined;
  if (c && typeof c.randomUUID === 'function') return `${prefix}-${c.randomUUID()}`;
  return `${prefix}-${Date.now().toString(36)}-${++tokenSeq}-${Math.random().toString(36).slice(2)}`;
}

export class ReplaySession {
  capture = $state.raw<CaptureView>(null as unknown as CaptureView);
  model = $state.raw<EditorModel>({ method: '', headers: [], body: null, bodyB64: null });
  form = $state.raw<TargetForm>(defaultTarget());
  /** The saved draft was read (or there is none). */
  ready = $state(false);
  loadError = $state.raw<ErrorView | null>(null);
  /** A draft of this capture is stored; when it was saved. */
  hasDraft = $state(false);
  savedAt = $state<string | null>(null);
  /** A save is waiting for the debounce or in flight. */
  saving = $state(false);
  saveError = $state.raw<ErrorView | null>(null);

  preview = $state.raw<ReplayPreview | null>(null);
  previewError = $state.raw<ErrorView | null>(null);
  previewing = $state(false);

  sending = $state(false);
  cancelling = $state(false);
  result = $state.raw<DeliveryView | null>(null);
  sendError = $state.raw<ErrorView | null>(null);
  recent = $state.raw<string[]>(loadRecent());

  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private savePromise: Promise<void> | null = null;
  private previewTimer: ReturnType<typeof setTimeout> | undefined;
  private previewSeq = 0;
  private token: string | null = null;
  /** The user changed something (a late get_draft answer must not overwrite it). */
  private touched = false;

  constructor(capture: CaptureView) {
    this.capture = capture;
    this.model = capturedModel(capture);
    this.form = defaultTarget(this.recent[0] ?? '');
  }

  /** Reads the saved draft, if any, then computes the first preview. */
  async init() {
    try {
      const d = await call('get_draft', { id: this.capture.id });
      if (d && !this.touched) {
        this.model = modelFromDraft(this.capture, d);
        this.form = formFromTarget(d.target);
        this.hasDraft = true;
        this.savedAt = d.saved_at || null;
      }
    } catch (e) {
      this.loadError = e as ErrorView;
    }
    this.ready = true;
    this.schedulePreview(0);
  }

  get edits() {
    return editsFrom(this.capture, this.model);
  }

  get edited(): boolean {
    return !isUnedited(this.edits);
  }

  /** Problems that stop Send before asking the engine (plain words), or null. */
  get blocker(): string | null {
    if (!this.form.url.trim()) return 'Enter the target URL (http:// or https://).';
    if (!/^https?:\/\//i.test(this.form.url.trim())) return 'The target URL must start with http:// or https://.';
    const i = firstProblem(this.model.headers);
    if (i !== -1) {
      const [n, v] = this.model.headers[i];
      return `Header #${i + 1}${n ? ` (${n})` : ''}: ${headerProblem(n, v)}.`;
    }
    return null;
  }

  req(): ReplayReq {
    return { capture_id: this.capture.id, target: targetFrom(this.form), edits: this.edits, token: null, discard_draft: false };
  }

  // ---- edits -------------------------------------------------------------------------------

  setModel(patch: Partial<EditorModel>) {
    this.model = { ...this.model, ...patch };
    this.changed();
  }

  setForm(patch: Partial<TargetForm>) {
    this.form = { ...this.form, ...patch };
    this.changed();
  }

  setBody(text: string) {
    if (text === this.model.body) return;
    this.setModel({ body: text });
  }

  /** Back to the captured request (the target stays); forgets the saved draft. */
  async discardDraft() {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    await this.savePromise;
    this.model = capturedModel(this.capture);
    this.form = { ...defaultTarget(this.form.url), keepPath: this.form.keepPath, timeoutSecs: this.form.timeoutSecs };
    this.saving = false;
    this.saveError = null;
    try {
      await call('discard_draft', { id: this.capture.id });
      this.hasDraft = false;
      this.savedAt = null;
    } catch (e) {
      this.saveError = e as ErrorView;
    }
    this.schedulePreview(0);
  }

  private changed() {
    this.touched = true;
    this.scheduleSave();
    this.schedulePreview();
  }

  private scheduleSave() {
    clearTimeout(this.saveTimer);
    this.saving = true;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.save();
    }, SAVE_DELAY_MS);
  }

  private save(): Promise<void> {
    const run = async () => {
      await this.savePromise?.catch(() => {});
      try {
        const d = await call('save_draft', { draft: draftOf(this.capture, this.model, this.form) });
        this.hasDraft = true;
        this.savedAt = d.saved_at || null;
        this.saveError = null;
      } catch (e) {
        this.saveError = e as ErrorView;
      } finally {
        if (this.saveTimer === undefined) this.saving = false;
      }
    };
    const p = run();
    this.savePromise = p;
    return p;
  }

  /** Saves a pending edit now (when the editor closes). */
  async flush() {
    if (this.saveTimer !== undefined) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
      await this.save();
    }
  }

  // ---- preview -----------------------------------------------------------------------------

  schedulePreview(delay = PREVIEW_DELAY_MS) {
    clearTimeout(this.previewTimer);
    this.previewTimer = setTimeout(() => void this.runPreview(), delay);
  }

  private async runPreview() {
    const seq = ++this.previewSeq;
    if (!this.form.url.trim()) {
      this.preview = null;
      this.previewError = null;
      this.previewing = false;
      return;
    }
    this.previewing = true;
    const req = this.req();
    try {
      const p = await call('preview_replay', { req });
      if (seq !== this.previewSeq) return;
      this.preview = p;
      this.previewError = null;
    } catch (e) {
      if (seq !== this.previewSeq) return;
      const err = e as ErrorView;
      this.previewError = err;
      // Re-signing asked but impossible: still show what would go out without it (and why not).
      if (req.target.resign && RESIGN_ERRORS.has(err.code)) {
        try {
          const p = await call('preview_replay', { req: { ...req, target: { ...req.target, resign: false } } });
          if (seq === this.previewSeq) this.preview = p;
        } catch {
          /* the first error says it */
        }
      }
    } finally {
      if (seq === this.previewSeq) this.previewing = false;
    }
  }

  // ---- send --------------------------------------------------------------------------------

  async send() {
    if (this.sending) return;
    const blocker = this.blocker;
    if (blocker) {
      this.sendError = { code: 'invalid_input', message: blocker };
      return;
    }
    // The draft is forgotten once sent: no save may land after the send.
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    await this.savePromise?.catch(() => {});
    this.saving = false;
    const token = newToken();
    this.token = token;
    this.sending = true;
    this.cancelling = false;
    this.sendError = null;
    this.result = null;
    try {
      const d = await call('replay', { req: { ...this.req(), token, discard_draft: true } });
      this.result = d;
      this.hasDraft = false;
      this.savedAt = null;
      this.recent = rememberTarget(this.form.url);
    } catch (e) {
      this.sendError = e as ErrorView;
    } finally {
      if (this.token === token) {
        this.token = null;
        this.sending = false;
        this.cancelling = false;
      }
    }
  }

  async cancel() {
    const t = this.token;
    if (!t) return;
    this.cancelling = true;
    await call('cancel_replay', { token: t }).catch(() => false);
  }
}

const MAX_SESSIONS = 24;
const sessions = new Map<number, ReplaySession>();

/** The replay session of a capture (created and initialised on first use). */
export function replaySession(capture: CaptureView): ReplaySession {
  let s = sessions.get(capture.id);
  if (s) {
    // Most recently used last.
    sessions.delete(capture.id);
    sessions.set(capture.id, s);
    return s;
  }
  s = new ReplaySession(capture);
  sessions.set(capture.id, s);
  void s.init();
  for (const [id, old] of sessions) {
    if (sessions.size <= MAX_SESSIONS) break;
    if (old.sending || old === s) continue;
    void old.flush();
    sessions.delete(id);
  }
  return s;
}

/** Forgets the sessions (tests). */
export function resetReplaySessions() {
  sessions.clear();
}
