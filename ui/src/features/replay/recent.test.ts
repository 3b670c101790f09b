import { describe, expect, it } from 'vitest';
import { loadRecent, parseRecent, pushRecent, rememberTarget, RECENT_KEY } from './recent';

function memory(): Pick<Storage, 'getItem' | 'setItem'> & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

describe('recent targets', () => {
  it('puts the newest first, without repeats, bounded', () => {
    let l: string[] = [];
    l = pushRecent(l, 'http://a');
    l = pushRecent(l, ' http://b ');
    l = pushRecent(l, 'http://a');
    expect(l).toEqual(['http://a', 'http://b']);
    expect(pushRecent(l, '   ')).toEqual(l);
    const many = Array.from({ length: 20 }, (_, i) => `http://h${i}`).reduce<string[]>((acc, u) => pushRecent(acc, u), []);
    expect(many).toHaveLength(8);
    expect(many[0]).toBe('http://h19');
  });

  it('survives garbage in storage', () => {
    expect(parseRecent(null)).toEqual([]);
    expect(parseRecent('not json')).toEqual([]);
    expect(parseRecent('{"a":1}')).toEqual([]);
    expect(parseRecent('["http://a", 3, "", "http://a", "http://b"]')).toEqual(['http://a', 'http://b']);
  });

  it('remembers targets in the given storage', () => {
    const s = memory();
    expect(loadRecent(s)).toEqual([]);
    rememberTarget('http://one', s);
    expect(rememberTarget('http://two', s)).toEqual(['http://two', 'http://one']);
    expect(JSON.parse(s.data.get(RECENT_KEY)!)).toEqual(['http://two', 'http://one']);
    expect(loadRecent(s)).toEqual(['http://two', 'http://one']);
  });
});
