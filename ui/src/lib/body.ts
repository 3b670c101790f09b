// Deciding how to show a captured body.
import { decodeUtf8 } from './bytes';
import { isFormContentType, looksLikeForm } from './form';
import { isJsonContentType, looksLikeJson, tryPrettyJson } from './json';

export type BodyMode = 'json' | 'form' | 'text' | 'hex';

/** JSON bodies above this are shown as plain text (pretty-printing would stall the window). */
export const JSON_PRETTY_LIMIT = 2 * 1024 * 1024;
/** Hex view renders this many bytes at a time ("show more" adds another chunk). */
export const HEX_CHUNK = 64 * 1024;
/** Text views render this many characters at a time. */
export const TEXT_CHUNK = 256 * 1024;
/** Pretty JSON renders this many lines at a time. */
export const JSON_LINE_CHUNK = 5000;

export type BodyInfo = {
  bytes: Uint8Array;
  /** The body as text when it is valid UTF-8, else null. */
  text: string | null;
  /** Which modes make sense for this body. */
  modes: Record<BodyMode, boolean>;
  /** The mode picked automatically. */
  auto: BodyMode;
};

export function analyzeBody(bytes: Uint8Array, contentType: string | null): BodyInfo {
  const text = decodeUtf8(bytes);
  if (text === null) {
    return { bytes, text, modes: { json: false, form: false, text: false, hex: true }, auto: 'hex' };
  }
  const jsonCt = isJsonContentType(contentType);
  const jsonLike = looksLikeJson(text);
  // Without a JSON content type, only claim JSON when it really parses (and is small enough to check).
  const jsonOk = jsonCt || (jsonLike && bytes.length <= JSON_PRETTY_LIMIT && tryPrettyJson(text) !== null);
  const formCt = isFormContentType(contentType);
  const formOk = formCt || looksLikeForm(text);
  let auto: BodyMode = 'text';
  if (jsonOk) auto = 'json';
  else if (formCt) auto = 'form';
  return { bytes, text, modes: { json: jsonOk || jsonLike, form: formOk, text: true, hex: true }, auto };
}
