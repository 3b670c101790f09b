// The top bar's forward counts (pending + scheduled + sending, and failed), from outbox_counts;
// refreshed (debounced) when forwards change.
import type { OutboxCounts } from '../../bindings/OutboxCounts';
import { outboxCounts } from '../../ipc/forward';

const DEBOUNCE_MS = 200;

class Counts {
  value = $state.raw<OutboxCounts>({ pending: 0, scheduled: 0, sending: 0, failed: 0 });
  private timer: ReturnType<typeof setTimeout> | null = null;
  private gen = 0;

  get open(): number {
    return this.value.pending + this.value.scheduled + this.value.sending;
  }

  get failed(): number {
    return this.value.failed;
  }

  async load() {
    const g = ++this.gen;
    try {
      const c = await outboxCounts();
      if (g === this.gen) this.value = c;
    } catch {
      // The counts are a hint: a failure here shows up elsewhere (the Outbox, a toast).
    }
  }

  /** Reload soon, once for a burst of events. */
  refresh() {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.load();
    }, DEBOUNCE_MS);
  }
}

export const counts = new Counts();
