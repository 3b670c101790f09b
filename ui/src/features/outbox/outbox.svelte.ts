// The Outbox: a top-level view next to the capture list with two lists — the forwards (one row
// per capture and rule: its state, attempts, and actions) and every delivery attempt (replays
// and forwards' attempts), newest first.
import type { ForwardFilter } from '../../bindings/ForwardFilter';
import { DeliveryList } from '../replay/deliveries.svelte';
import { ForwardList } from './forwards.svelte';

export type OutboxMode = 'forwards' | 'attempts';

class Outbox {
  open = $state(false);
  mode = $state<OutboxMode>('attempts');
  /** The selected attempt (attempts list). */
  selectedId = $state<number | null>(null);
  /** The selected forward (forwards list). */
  selectedForward = $state<number | null>(null);
  readonly list = new DeliveryList(null);
  readonly forwards = new ForwardList(null, () => this.selectedForward);
  /** Set once the user picks a list, so the Outbox button reopens that one. */
  private chosen = false;
  private detach: Array<() => void> = [];

  private openView() {
    if (this.open) return;
    this.open = true;
    this.detach = [this.list.attach(), this.forwards.attach()];
    void this.list.reload();
    void this.forwards.reload();
  }

  /** Opens the attempts list, with an attempt selected (the batch dialog's "Open in Outbox"). */
  show(select: number | null = null) {
    this.openView();
    this.mode = 'attempts';
    if (select !== null) this.selectedId = select;
  }

  /** Opens the forwards list, filtered (the top bar's counts). */
  showForwards(filter: ForwardFilter | null = null) {
    this.openView();
    this.mode = 'forwards';
    if (filter !== null) this.forwards.setFilter(filter);
  }

  /**
   * The Outbox button: the list last picked; the first time, the forwards when forwarding is in
   * use (some rule or some forward), else the attempts.
   */
  toggleDefault(forwardingInUse: boolean) {
    if (this.open) return this.close();
    if (!this.chosen) this.mode = forwardingInUse ? 'forwards' : 'attempts';
    this.openView();
  }

  setMode(m: OutboxMode) {
    this.chosen = true;
    this.mode = m;
  }

  private soon: ReturnType<typeof setTimeout> | null = null;

  /** Reload the forwards list shortly, once for a burst (new captures queued forwards). */
  refreshForwards() {
    if (!this.open || this.soon !== null) return;
    this.soon = setTimeout(() => {
      this.soon = null;
      if (this.open) void this.forwards.reload();
    }, 250);
  }

  /** Reload both lists (`outbox:changed`, or the window missed events). */
  reload() {
    if (!this.open) return;
    void this.forwards.reload();
    void this.list.reload();
  }

  close() {
    this.open = false;
    for (const d of this.detach) d();
    this.detach = [];
  }

  toggle() {
    if (this.open) this.close();
    else this.show();
  }
}

export const outbox = new Outbox();
