// Recently used replay targets, newest first, remembered in localStorage.
export const RECENT_KEY = 'hookloupe.replay.recent';
export const RECENT_MAX = 8;

/** The list with `url` first (trimmed, not repeated), at most `max` long. */
export function pushRecent(list: readonly string[], url: string, max = RECENT_MAX): string[] {
  const u = url.trim();
  if (!u) return list.slice(0, max);
  return [u, ...list.filter((x) => x !== u)].slice(0, max);
}

/** Reads the list; anything unreadable is an empty list. */
export function parseRecent(raw: string | null, max = RECENT_MAX): string[] {
  if (!raw) return [];
  try {
    const v: unknown = JSON.parse(raw);
    if (!Array.isArray(v)) return [];
    const out: string[] = [];
    for (const x of v) if (typeof x === 'string' && x.trim() && !out.includes(x.trim())) out.push(x.trim());
    return out.slice(0, max);
  } catch {
    return [];
  }
}

type Storage = Pick<globalThis.Storage, 'getItem' | 'setItem'>;

export function loadRecent(storage: Storage | undefined = globalThis.localStorage): string[] {
  try {
    return parseRecent(storage?.getItem(RECENT_KEY) ?? null);
  } catch {
    return [];
  }
}

/** Remembers `url` as the newest target; returns the new list. */
export function rememberTarget(url: string, storage: Storage | undefined = globalThis.localStorage): string[] {
  const next = pushRecent(loadRecent(storage), url);
  try {
    storage?.setItem(RECENT_KEY, JSON.stringify(next));
  } catch {
    /* storage full or unavailable: the list is only a convenience */
  }
  return next;
}
