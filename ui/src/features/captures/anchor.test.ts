import { describe, expect, it } from 'vitest';
import { anchorAfterInsert, insertedAbove, unseenAfterScroll } from './anchor';

const rows = (...ids: number[]) => ids.map((id) => ({ id }));

describe('insertedAbove', () => {
  it('counts the rows newer than the old first one', () => {
    expect(insertedAbove(10, rows(13, 12, 11, 10, 9))).toBe(3);
    expect(insertedAbove(10, rows(10, 9))).toBe(0);
    expect(insertedAbove(null, rows(3, 2))).toBe(0);
  });
  it('when the old first row was removed, counts the newer ones only', () => {
    expect(insertedAbove(10, rows(12, 11, 9))).toBe(2);
  });
});

describe('anchorAfterInsert', () => {
  it('at the top the list follows the new rows', () => {
    expect(anchorAfterInsert(0, 3, 48, 0)).toEqual({ scrollTop: 0, unseen: 0 });
  });
  it('scrolled down, the rows in view stay put and the new ones count as unseen', () => {
    expect(anchorAfterInsert(4800, 3, 48, 2)).toEqual({ scrollTop: 4800 + 144, unseen: 5 });
  });
  it('nothing inserted, nothing moves', () => {
    expect(anchorAfterInsert(500, 0, 48, 1)).toEqual({ scrollTop: 500, unseen: 1 });
  });
});

describe('unseenAfterScroll', () => {
  it('rows scrolled into view are seen', () => {
    expect(unseenAfterScroll(96, 48, 5)).toBe(2);
    expect(unseenAfterScroll(0, 48, 5)).toBe(0);
    expect(unseenAfterScroll(4800, 48, 5)).toBe(5);
  });
});
