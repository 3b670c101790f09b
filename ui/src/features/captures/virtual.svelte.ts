// The capture list's virtualisation: @tanstack/virtual-core driven from Svelte 5 runes.
//
// Why the core and not @tanstack/svelte-virtual: the Svelte adapter is built on Svelte 4 stores
// and, under runes, does not re-render when `count` changes (TanStack/virtual #969) nor pick up
// a scroll element bound after mount without calling internals (#866). The core is the same
// engine; this wrapper only turns its onChange into a rune (`tick`) and forwards the calls.
// Rows all have one height, so nothing is measured.
import { elementScroll, observeElementOffset, observeElementRect, Virtualizer, type VirtualItem } from '@tanstack/virtual-core';

export class VirtualRows {
  private v: Virtualizer<HTMLElement, HTMLElement>;
  private tick = $state(0);

  constructor(getScrollElement: () => HTMLElement | null, rowHeight: number, overscan = 12) {
    this.v = new Virtualizer<HTMLElement, HTMLElement>({
      count: 0,
      getScrollElement,
      estimateSize: () => rowHeight,
      overscan,
      scrollToFn: elementScroll,
      observeElementRect,
      observeElementOffset,
      onChange: () => {
        this.tick++;
      },
    });
  }

  /** The rows to render (index and offset), for the current scroll position. */
  get rows(): VirtualItem[] {
    void this.tick;
    return this.v.getVirtualItems();
  }

  /** Height of all rows together. */
  get totalSize(): number {
    void this.tick;
    return this.v.getTotalSize();
  }

  setCount(count: number) {
    if (this.v.options.count === count) return;
    this.v.setOptions({ ...this.v.options, count });
    this.v._willUpdate();
    this.tick++;
  }

  /** Attaches to the scroll element (call once it exists); returns the detach function. */
  mount(): () => void {
    const off = this.v._didMount();
    this.v._willUpdate();
    this.tick++;
    return off;
  }

  scrollToIndex(index: number) {
    this.v.scrollToIndex(index, { align: 'auto' });
  }
}
