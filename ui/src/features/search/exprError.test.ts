import { describe, expect, it } from 'vitest';
import { parseExprError, splitAtError } from './exprError';

describe('parseExprError', () => {
  it('reads the position at the end of the message', () => {
    const expr = 'type == "a" &&\n  data.total >';
    const e = parseExprError('unexpected end of input (line 2, column 15)', expr);
    expect(e).toMatchObject({ message: 'unexpected end of input', line: 2, column: 15 });
    expect(e.offset).toBe(expr.length);
  });

  it('counts columns in characters', () => {
    const expr = 'name == "é😀" &&& x';
    const e = parseExprError('bad token (line 1, column 16)', expr);
    expect(expr.slice(e.offset!)).toBe('& x');
  });

  it('without a position keeps the message', () => {
    expect(parseExprError('no such field', 'x')).toEqual({ message: 'no such field', line: null, column: null, offset: null });
  });
});

describe('splitAtError', () => {
  it('marks the character at the offset, or a space at the end', () => {
    expect(splitAtError('a && b', 2)).toEqual({ before: 'a ', at: '&', after: '& b' });
    expect(splitAtError('a &&', 4)).toEqual({ before: 'a &&', at: ' ', after: '' });
  });
});
