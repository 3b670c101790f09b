// Pure helpers for signature verdicts: labels, reason-code meanings, splitting the signed
// content around the body so the view can mark it with text spans (never HTML), and the
// signature form's state (unsaved changes, when a test event can be sent, its summary).
import type { ReasonCode } from '../bindings/ReasonCode';
import type { SchemeId } from '../bindings/SchemeId';
import type { SchemeInfo } from '../bindings/SchemeInfo';
import type { SignatureConfigView } from '../bindings/SignatureConfigView';
import type { TestEventView } from '../bindings/TestEventView';
import type { VerdictStatus } from '../bindings/VerdictStatus';

/** Badge status: a verdict's status, or `unsigned` when nothing could be judged. */
export function badgeStatus(status: VerdictStatus | null | undefined): VerdictStatus {
  return status ?? 'unsigned';
}

const LABELS: Record<VerdictStatus, string> = {
  valid: 'valid',
  invalid: 'invalid',
  expired: 'expired',
  unsigned: 'unsigned',
  no_secret: 'no secret',
};

export function statusLabel(status: VerdictStatus | null | undefined): string {
  return LABELS[badgeStatus(status)];
}

const REASONS: Record<ReasonCode, string> = {
  ok: 'The signature matches.',
  bad_signature: 'The signature does not match the content with any configured secret.',
  bad_token: 'The token or key does not match any configured secret.',
  expired: 'The signature is right but its timestamp is outside the allowed window.',
  missing_header: 'The request carries no signature.',
  missing_prefix: 'The signature lacks the prefix the scheme expects (e.g. sha256=, v1=).',
  missing_timestamp: 'The scheme signs a timestamp, but the request has none.',
  no_secret: 'The request is signed, but no secret is configured to check it.',
  reserialized_body: 'It matches only once the JSON is re-serialized: the body was re-encoded on the way.',
  url_mismatch: 'It was signed for another URL (http vs https, port, tunnel host).',
  wrong_algorithm: 'It matches with another hash algorithm than the one configured.',
  wrong_encoding: 'The digest is right but written in another encoding (hex vs base64, letter case).',
  wrong_key_encoding: 'It matches when the secret is decoded differently (text vs hex/base64, whsec_).',
  ip_not_allowed: 'The request came from an address outside the allowlist.',
  config_error: "The endpoint's signature settings are unusable, so nothing was checked.",
  certificate_unavailable: 'The signing certificate the request names (a URL) is not available yet: fetch it or paste it.',
  certificate_refused: "The request names a signing certificate URL that is not the provider's own, so it was not fetched.",
  certificate_invalid: 'The signing certificate cannot be read, or was not valid when the request arrived.',
};

/** One sentence saying what a reason code means (for the legend and tooltips). */
export function reasonMeaning(reason: string): string {
  return Object.prototype.hasOwnProperty.call(REASONS, reason) ? REASONS[reason as ReasonCode] : reason;
}

export type SignedPart = { text: string; body: boolean };

/**
 * Splits the signed content into text parts around the body's byte range (offsets are UTF-8
 * bytes of `text`). Without a range the whole text is one non-body part.
 */
export function splitSigned(text: string, range: [number, number] | null | undefined): SignedPart[] {
  if (!range) return text ? [{ text, body: false }] : [];
  const bytes = new TextEncoder().encode(text);
  const start = Math.max(0, Math.min(range[0], bytes.length));
  const end = Math.max(start, Math.min(range[1], bytes.length));
  const dec = new TextDecoder();
  const parts: SignedPart[] = [
    { text: dec.decode(bytes.subarray(0, start)), body: false },
    { text: dec.decode(bytes.subarray(start, end)), body: true },
    { text: dec.decode(bytes.subarray(end)), body: false },
  ];
  return parts.filter((p) => p.text.length > 0 || p.body);
}

/** `key=value` lines to an options map (blank lines ignored); throws on a line without `=`. */
export function parseOptions(lines: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of lines.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const i = line.indexOf('=');
    if (i <= 0) throw new Error(`"${line}" is not in the form name=value`);
    out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

/** Options as the engine stores them: only the scheme's own (`known`), trimmed, empty ones dropped. */
export function cleanOptions(options: Record<string, string>, known: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(options)) if (known.includes(k) && v.trim()) out[k] = v.trim();
  return out;
}

/** The signature form's editable state. */
export type SignatureDraft = {
  scheme: SchemeId | '';
  /** Indexes of the saved secrets still kept. */
  kept: number[];
  /** New secrets typed (blank ones are ignored). */
  fresh: string[];
  options: Record<string, string>;
};

/** True when saving the draft would change the saved settings. */
export function signatureDirty(draft: SignatureDraft, saved: SignatureConfigView, known: readonly string[]): boolean {
  if ((saved.scheme ?? '') !== draft.scheme) return true;
  if (draft.fresh.some((s) => s.trim())) return true;
  if (draft.kept.length !== saved.secrets.length || draft.kept.some((k, i) => k !== saved.secrets[i].index)) return true;
  const a = cleanOptions(draft.options, known);
  const b = cleanOptions(saved.options, known);
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].some((k) => a[k] !== b[k]);
}

/**
 * Why "Send test event" cannot be used now, or null when it can: it signs with the *saved*
 * settings, so it needs a saved scheme that can sign, a saved secret, and no unsaved changes.
 */
export function testEventBlocker(
  saved: SignatureConfigView | null | undefined,
  catalog: readonly SchemeInfo[],
  dirty: boolean,
): string | null {
  const info = saved?.scheme ? catalog.find((c) => c.id === saved.scheme) : undefined;
  if (!saved?.scheme) return 'Choose a scheme and save it first';
  if (info && !info.can_sign) return `${info.name} cannot sign: only the sender holds the private key`;
  if (saved.secrets.length === 0) return 'Save a secret first: the test event is signed with the first one';
  const unreadable = saved.secrets.find((s) => s.problem);
  if (unreadable && saved.secrets.every((s) => s.problem)) return `The secret is kept in the OS keyring and ${unreadable.problem}`;
  if (dirty) return 'Save your changes first: the test event uses the saved settings';
  return null;
}

/** One line saying what a test event became, e.g. "Test event → capture #12: signature valid". */
export function testEventSummary(r: TestEventView): string {
  const id = r.capture?.id ?? r.capture_id;
  const where = id !== null ? `capture #${id}` : 'sent';
  const verdict = r.capture?.verdict ? `signature ${statusLabel(r.capture.verdict.status)}` : 'no verdict';
  const status = r.status !== null ? ` (HTTP ${r.status})` : '';
  return `Test event → ${where}: ${verdict}${status}`;
}
