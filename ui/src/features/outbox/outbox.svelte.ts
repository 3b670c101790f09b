// The Outbox: every delivery attempt (replays, later forwards), newest first, as a top-level
// view next to the capture list.
import { DeliveryList } from '../replay/deliveries.svelte';

class Outbox {
  open = $state(false);
  selectedId = $state<number | null>(null);
  readonly list = new DeliveryList(null);
  private detach: (() => void) | null = null;

  show(select: number | null = null) {
    if (!this.open) {
      this.open = true;
      this.detach = this.list.attach();
      void this.list.reload();
    }
    if (select !== null) this.selectedId = select;
  }

  close() {
    this.open = false;
    this.detach?.();
    this.detach = null;
  }

  toggle() {
    if (this.open) this.close();
    else this.show();
  }
}

export const outbox = new Outbox();
