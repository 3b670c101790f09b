// Keeping what the user reads in place while captures arrive above it. Rows have one fixed
// height, so when rows are inserted above the viewport the scroll offset moves down by exactly
// their height. Pure: offsets in, offsets out.

/** The height of one row of the capture list, in px (CaptureRow is laid out to exactly this). */
export const ROW_HEIGHT = 50;

/** How many of `next` come before the row that was first in the old list (its id). */
export function insertedAbove(prevFirstId: number | null, next: ReadonlyArray<{ id: number }>): number {
  if (prevFirstId === null) return 0;
  // Newest first: everything above the old first row is newer.
  for (let i = 0; i < next.length; i++) {
    if (next[i].id === prevFirstId) return i;
    if (next[i].id < prevFirstId) return i; // the old first row is gone: count the newer ones
  }
  return 0;
}

export type Anchor = {
  /** The scroll offset to set. */
  scrollTop: number;
  /** Rows above the viewport the user has not seen yet ("N new ↑"). */
  unseen: number;
};

/**
 * After `added` rows were inserted at the top: at the very top the list follows the new rows
 * (they show, nothing to jump to); scrolled down, the offset grows by their height so the rows
 * in view stay put, and they count as unseen.
 */
export function anchorAfterInsert(scrollTop: number, added: number, rowHeight: number, unseen: number): Anchor {
  if (added <= 0) return { scrollTop, unseen };
  if (scrollTop < rowHeight / 2) return { scrollTop: 0, unseen: 0 };
  return { scrollTop: scrollTop + added * rowHeight, unseen: unseen + added };
}

/** Unseen rows left after a scroll: those still above the viewport. */
export function unseenAfterScroll(scrollTop: number, rowHeight: number, unseen: number): number {
  return Math.max(0, Math.min(unseen, Math.floor(scrollTop / rowHeight + 0.001)));
}
