import { describe, expect, it } from 'vitest';
import { actionFor, keyLabel, SHORTCUTS } from './shortcuts';

const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean; shiftKey: boolean }> = {}) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
});

describe('actionFor', () => {
  it('maps the documented keys', () => {
    expect(actionFor(key('/'))).toBe('search');
    expect(actionFor(key('f', { ctrlKey: true }))).toBe('search');
    expect(actionFor(key('F', { metaKey: true, shiftKey: true }))).toBe('search');
    expect(actionFor(key('j'))).toBe('down');
    expect(actionFor(key('ArrowDown'))).toBe('down');
    expect(actionFor(key('ArrowDown', { shiftKey: true }))).toBe('extendDown');
    expect(actionFor(key('G', { shiftKey: true }))).toBe('last');
    expect(actionFor(key('?', { shiftKey: true }))).toBe('help');
    expect(actionFor(key('p'))).toBe('pin');
    expect(actionFor(key('Delete'))).toBe('delete');
  });

  it('ignores keys with other modifiers', () => {
    expect(actionFor(key('p', { ctrlKey: true }))).toBeNull();
    expect(actionFor(key('j', { altKey: true }))).toBeNull();
    expect(actionFor(key('q'))).toBeNull();
  });

  it('no key is bound twice', () => {
    const all = SHORTCUTS.flatMap((s) => s.keys);
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('keyLabel', () => {
  it('shows arrows and short names', () => {
    expect(keyLabel('Shift+ArrowDown')).toBe('Shift + ↓');
    expect(keyLabel('Delete')).toBe('Del');
  });
});
