// Where an expression error points: the engine ends the message of an invalid expression with
// `(line L, column C)` (1-based). Pure.

export type ExprError = {
  message: string;
  /** 1-based, when the message names a position. */
  line: number | null;
  column: number | null;
  /** UTF-16 offset into the expression of that position (clamped to its length). */
  offset: number | null;
};

const POS_RE = /\(line (\d+), column (\d+)\)\s*$/;

export function parseExprError(message: string, expr: string): ExprError {
  const m = POS_RE.exec(message);
  if (!m) return { message, line: null, column: null, offset: null };
  const line = Number(m[1]);
  const column = Number(m[2]);
  const lines = expr.split('\n');
  let offset = 0;
  for (let i = 0; i < Math.min(line - 1, lines.length - 1); i++) offset += lines[i].length + 1;
  const here = lines[Math.min(line - 1, lines.length - 1)] ?? '';
  // Columns count characters (code points), not UTF-16 units.
  const chars = Array.from(here);
  offset += chars.slice(0, Math.max(0, column - 1)).join('').length;
  return { message: message.slice(0, m.index).trimEnd(), line, column, offset: Math.min(offset, expr.length) };
}

/**
 * The expression cut around the error position for display: before, the character at the
 * position (a space when it is at the end), after.
 */
export function splitAtError(expr: string, offset: number): { before: string; at: string; after: string } {
  const before = expr.slice(0, offset);
  const cp = expr.codePointAt(offset);
  if (cp === undefined) return { before, at: ' ', after: '' };
  const at = String.fromCodePoint(cp);
  return { before, at, after: expr.slice(offset + at.length) };
}
