import { describe, expect, it } from 'vitest';
import type { Line } from '../bindings/Line';
import { changeStarts, hiddenAfter, hiddenBefore, lineText, shortValue, sideBySide, stepChange } from './diff';

const L = (tag: Line['tag'], text: string): Line => ({
  tag,
  old_no: tag === 'insert' ? null : 1,
  new_no: tag === 'delete' ? null : 1,
  segments: [{ text, emphasized: false }],
});

describe('sideBySide', () => {
  it('pairs deletions with insertions and keeps equal lines on both sides', () => {
    const rows = sideBySide([L('equal', 'a'), L('delete', 'b'), L('delete', 'c'), L('insert', 'B'), L('equal', 'd')]);
    expect(rows.map((r) => [r.left && lineText(r.left), r.right && lineText(r.right)])).toEqual([
      ['a', 'a'],
      ['b', 'B'],
      ['c', null],
      ['d', 'd'],
    ]);
    expect(rows.map((r) => [r.leftIdx, r.rightIdx])).toEqual([
      [0, 0],
      [1, 3],
      [2, -1],
      [4, 4],
    ]);
  });
  it('an insertion before a deletion starts a new pair run', () => {
    const rows = sideBySide([L('insert', 'x'), L('delete', 'y')]);
    expect(rows.map((r) => [r.left && lineText(r.left), r.right && lineText(r.right)])).toEqual([
      [null, 'x'],
      ['y', null],
    ]);
  });
});

describe('hiddenBefore', () => {
  it('counts lines above the first hunk and between hunks', () => {
    const h = (old_start: number, old_len: number) => ({ old_start, old_len, new_start: old_start, new_len: old_len, lines: [] });
    expect(hiddenBefore([h(1, 4), h(10, 7), h(40, 3)])).toEqual([0, 5, 23]);
    // An empty old range (pure insertion) starts after old_start.
    expect(hiddenBefore([h(5, 0)])).toEqual([5]);
  });
});

describe('hiddenAfter', () => {
  it('counts lines below the last hunk', () => {
    const h = (old_start: number, old_len: number) => ({ old_start, old_len, new_start: old_start, new_len: old_len, lines: [] });
    expect(hiddenAfter([h(1, 4), h(10, 7)], 30)).toBe(14);
    expect(hiddenAfter([h(5, 0)], 5)).toBe(0);
    expect(hiddenAfter([], 30)).toBe(0);
  });
});

describe('changeStarts and stepChange', () => {
  it('finds the start of each run of changes', () => {
    expect(changeStarts([L('equal', ''), L('delete', ''), L('insert', ''), L('equal', ''), L('insert', '')])).toEqual([1, 4]);
  });
  it('steps and wraps', () => {
    expect(stepChange(-1, 3, 1)).toBe(0);
    expect(stepChange(-1, 3, -1)).toBe(2);
    expect(stepChange(2, 3, 1)).toBe(0);
    expect(stepChange(0, 3, -1)).toBe(2);
    expect(stepChange(0, 0, 1)).toBe(-1);
  });
});

describe('shortValue', () => {
  it('renders JSON and truncates', () => {
    expect(shortValue(150000)).toBe('150000');
    expect(shortValue('1')).toBe('"1"');
    expect(shortValue(null)).toBe('null');
    expect(shortValue(undefined)).toBe('(absent)');
    expect(shortValue('x'.repeat(100), 10)).toBe('"xxxxxxxx…');
  });
});
