import { describe, expect, it } from 'vitest';
import {
  addedBySigning,
  addHeader,
  firstProblem,
  headerProblem,
  headersEqual,
  headerValue,
  moveHeader,
  removeHeader,
  setHeader,
  signedValues,
  withHeader,
  type HeaderRow,
} from './headers';

const rows: HeaderRow[] = [
  ['Host', 'a'],
  ['X-A', '1'],
  ['Content-Type', 'application/json'],
  ['X-A', '3'],
];

describe('header table', () => {
  it('adds, removes, edits and reorders rows without touching the input', () => {
    const copy = structuredClone(rows);
    expect(addHeader(rows)).toEqual([...rows, ['', '']]);
    expect(addHeader(rows, 0)[1]).toEqual(['', '']);
    expect(removeHeader(rows, 1)).toEqual([rows[0], rows[2], rows[3]]);
    expect(removeHeader(rows, 9)).toEqual(rows);
    expect(setHeader(rows, 3, 'X-B', '4')[3]).toEqual(['X-B', '4']);
    expect(moveHeader(rows, 3, -1).map(([, v]) => v)).toEqual(['a', '1', '3', 'application/json']);
    expect(moveHeader(rows, 0, 1).map(([n]) => n)).toEqual(['X-A', 'Host', 'Content-Type', 'X-A']);
    expect(moveHeader(rows, 0, -1)).toEqual(rows);
    expect(moveHeader(rows, 3, 1)).toEqual(rows);
    expect(rows).toEqual(copy);
  });

  it('compares exactly: order, case and repeats matter', () => {
    expect(headersEqual(rows, structuredClone(rows))).toBe(true);
    expect(headersEqual(rows, moveHeader(rows, 1, 1))).toBe(false);
    expect(headersEqual(rows, setHeader(rows, 0, 'host', 'a'))).toBe(false);
    expect(headersEqual(rows, rows.slice(0, 3))).toBe(false);
  });

  it('explains rows that cannot be sent', () => {
    expect(headerProblem('X-Ok', 'any value, even ünicode')).toBeNull();
    expect(headerProblem('', '')).toMatch(/empty row/);
    expect(headerProblem('', 'v')).toMatch(/no name/);
    expect(headerProblem('Bad Name', 'v')).toMatch(/header name/);
    expect(headerProblem('X', 'a\r\nInjected: 1')).toMatch(/line break/);
    expect(firstProblem(rows)).toBe(-1);
    expect(firstProblem([...rows, ['x:y', '1']])).toBe(4);
  });

  it('finds what re-signing sets and what it adds', () => {
    const outgoing: HeaderRow[] = [
      ['Host', 't'],
      ['Stripe-Signature', 't=2,v1=new'],
      ['Content-Length', '5'],
    ];
    const signed = signedValues(outgoing, ['stripe-signature']);
    expect([...signed]).toEqual([['stripe-signature', ['t=2,v1=new']]]);
    expect(addedBySigning([['stripe-signature', 'old']], signed)).toEqual([]);
    expect(addedBySigning(rows, signed)).toEqual([['stripe-signature', 't=2,v1=new']]);
  });

  it('reads and sets a header by name in any case', () => {
    expect(headerValue(rows, 'x-a')).toBe('1');
    expect(headerValue(rows, 'nope')).toBeNull();
    expect(withHeader(rows, 'content-type', 'text/plain')[2]).toEqual(['Content-Type', 'text/plain']);
    expect(withHeader(rows, 'X-New', 'v')).toEqual([...rows, ['X-New', 'v']]);
  });
});
