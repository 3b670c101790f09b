// A form body (application/x-www-form-urlencoded) edited as a table of fields, kept in sync
// with the body text. The text stays the single source of truth: the table is parsed from it,
// and an edit of the table writes the text back. Fields the user did not touch keep their
// original spelling (e.g. `%20` instead of `+`, lowercase escapes, unescaped `~`), new or
// changed ones are written with the URLSearchParams (WHATWG) form encoding.
import { formDecode } from '../../lib/form';

export type FormField = {
  name: string;
  value: string;
  /** The piece as it appears in the text (`a=1`), or null for a field not written yet. */
  raw: string | null;
};

export type ParsedForm = {
  fields: FormField[];
  /** A trailing line break of the text, kept as it is. */
  trailer: string;
};

const UNRESERVED = /[A-Za-z0-9*\-._]/;

/** One form component as URLSearchParams writes it: UTF-8, `*-._` and alphanumerics kept, space as `+`. */
export function formEncode(s: string): string {
  let out = '';
  for (const b of new TextEncoder().encode(s)) {
    const c = String.fromCharCode(b);
    if (b < 0x80 && UNRESERVED.test(c)) out += c;
    else if (b === 0x20) out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

function decodePiece(piece: string): [string, string] {
  const eq = piece.indexOf('=');
  return eq === -1 ? [formDecode(piece), ''] : [formDecode(piece.slice(0, eq)), formDecode(piece.slice(eq + 1))];
}

/** The fields of a form body, in order, repeated names kept; empty pieces (`a=1&&b=2`) are skipped. */
export function parseFormFields(text: string): ParsedForm {
  const m = /\r?\n$/.exec(text);
  const trailer = m ? m[0] : '';
  const body = trailer ? text.slice(0, -trailer.length) : text;
  const fields: FormField[] = [];
  if (body !== '') {
    for (const piece of body.split('&')) {
      if (piece === '') continue;
      const [name, value] = decodePiece(piece);
      fields.push({ name, value, raw: piece });
    }
  }
  return { fields, trailer };
}

/** The text for these fields: untouched pieces as they were, the others form-encoded. */
export function serializeFormFields(form: ParsedForm): string {
  const pieces = form.fields.map((f) => {
    if (f.raw !== null) {
      const [n, v] = decodePiece(f.raw);
      if (n === f.name && v === f.value) return f.raw;
    }
    return `${formEncode(f.name)}=${formEncode(f.value)}`;
  });
  return pieces.join('&') + form.trailer;
}

/** The body text after one field changed (name or value). */
export function setFormField(text: string, index: number, name: string, value: string): string {
  const form = parseFormFields(text);
  if (index < 0 || index >= form.fields.length) return text;
  form.fields[index] = { ...form.fields[index], name, value };
  return serializeFormFields(form);
}

/** The body text with a new empty field after `index` (at the end when omitted). */
export function addFormField(text: string, index?: number): string {
  const form = parseFormFields(text);
  const at = index === undefined ? form.fields.length : Math.max(0, Math.min(form.fields.length, index + 1));
  form.fields.splice(at, 0, { name: '', value: '', raw: null });
  return serializeFormFields(form);
}

export function removeFormField(text: string, index: number): string {
  const form = parseFormFields(text);
  if (index < 0 || index >= form.fields.length) return text;
  form.fields.splice(index, 1);
  return serializeFormFields(form);
}

/** Moves a field one place up (-1) or down (+1). */
export function moveFormField(text: string, index: number, dir: -1 | 1): string {
  const form = parseFormFields(text);
  const to = index + dir;
  if (index < 0 || index >= form.fields.length || to < 0 || to >= form.fields.length) return text;
  const [f] = form.fields.splice(index, 1);
  form.fields.splice(to, 0, f);
  return serializeFormFields(form);
}
