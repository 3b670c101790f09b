// Every keyboard shortcut of the main window, in one table: the window's key handler looks
// actions up here and the `?` sheet lists the same table, so the two never disagree. Pure.

export type ActionId =
  | 'search'
  | 'expression'
  | 'down'
  | 'up'
  | 'first'
  | 'last'
  | 'extendDown'
  | 'extendUp'
  | 'open'
  | 'tick'
  | 'clearTicks'
  | 'pin'
  | 'replay'
  | 'diff'
  | 'delete'
  | 'export'
  | 'import'
  | 'newest'
  | 'help';

export type Shortcut = { id: ActionId; keys: string[]; label: string; group: 'Find' | 'Move' | 'Act' | 'Help' };

export const SHORTCUTS: Shortcut[] = [
  { id: 'search', keys: ['/', 'Ctrl+F'], label: 'Search (full text); Esc clears, Esc again leaves the box', group: 'Find' },
  { id: 'expression', keys: ['f'], label: 'Filter with an expression (type == "invoice.paid")', group: 'Find' },
  { id: 'down', keys: ['j', 'ArrowDown'], label: 'Next capture', group: 'Move' },
  { id: 'up', keys: ['k', 'ArrowUp'], label: 'Previous capture', group: 'Move' },
  { id: 'first', keys: ['Home', 'g'], label: 'Newest capture', group: 'Move' },
  { id: 'last', keys: ['End', 'G'], label: 'Oldest loaded capture', group: 'Move' },
  { id: 'newest', keys: ['n'], label: 'Jump to the captures that arrived above ("N new ↑")', group: 'Move' },
  { id: 'extendDown', keys: ['Shift+ArrowDown', 'J'], label: 'Extend the ticked range down', group: 'Move' },
  { id: 'extendUp', keys: ['Shift+ArrowUp', 'K'], label: 'Extend the ticked range up', group: 'Move' },
  { id: 'open', keys: ['Enter'], label: 'Open the capture (focus the inspector)', group: 'Act' },
  { id: 'tick', keys: ['x'], label: 'Tick / untick for a diff, replay or export (also Ctrl-click; Shift-click ticks a range)', group: 'Act' },
  { id: 'clearTicks', keys: ['Escape'], label: 'Untick all', group: 'Act' },
  { id: 'pin', keys: ['p'], label: 'Pin / unpin (retention never removes a pinned capture)', group: 'Act' },
  { id: 'replay', keys: ['r'], label: 'Replay (the ticked captures when several are ticked)', group: 'Act' },
  { id: 'diff', keys: ['d'], label: 'Diff the two ticked captures, or this one with the previous of its kind', group: 'Act' },
  { id: 'delete', keys: ['Delete'], label: 'Delete the capture', group: 'Act' },
  { id: 'export', keys: ['e'], label: 'Export (the ticked captures, the filtered list, or everything)', group: 'Act' },
  { id: 'import', keys: ['i'], label: 'Import a JSONL or HAR file, or a curl command', group: 'Act' },
  { id: 'help', keys: ['?'], label: 'This list of shortcuts', group: 'Help' },
];

export type KeyLike = { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean; shiftKey: boolean };

const NAMED = /^[A-Z][a-zA-Z]+$/; // ArrowDown, Home, Enter, Delete, Escape…

function matches(spec: string, e: KeyLike): boolean {
  const ctrl = e.ctrlKey || e.metaKey;
  if (spec.startsWith('Ctrl+')) {
    return ctrl && !e.altKey && e.key.toLowerCase() === spec.slice(5).toLowerCase();
  }
  if (ctrl || e.altKey) return false;
  if (spec.startsWith('Shift+')) return e.shiftKey && e.key === spec.slice(6);
  if (NAMED.test(spec)) return !e.shiftKey && e.key === spec;
  // A printable character: Shift is part of the character itself (G, ?, J).
  return e.key === spec;
}

/** The action a key press asks for, if any. */
export function actionFor(e: KeyLike): ActionId | null {
  for (const s of SHORTCUTS) if (s.keys.some((k) => matches(k, e))) return s.id;
  return null;
}

/** How a key is shown in the sheet. */
export function keyLabel(spec: string): string {
  const names: Record<string, string> = { ArrowDown: '↓', ArrowUp: '↑', Escape: 'Esc', Delete: 'Del', Enter: '↵' };
  return spec
    .split('+')
    .map((p) => names[p] ?? p)
    .join(' + ');
}
