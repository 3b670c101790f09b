// Keeps the capture list's forward marks ("forward failed", "forwarding") live: when a forward
// of a listed capture changes, that capture's forwards are read again (once per burst) and its
// mark recomputed the way the engine computes it for the list.
import type { CaptureForward } from '../../bindings/CaptureForward';
import type { ForwardView } from '../../bindings/ForwardView';
import { listForwards } from '../../ipc/forward';
import { captureMark } from './state';

const DEBOUNCE_MS = 150;

export interface MarkTarget {
  has(id: number): boolean;
  setForward(id: number, mark: CaptureForward | null): void;
}

export class ForwardMarks {
  private due = new Map<number, ReturnType<typeof setTimeout>>();

  constructor(private readonly target: MarkTarget) {}

  onChanged(f: Pick<ForwardView, 'capture_id'>) {
    const id = f.capture_id;
    if (!this.target.has(id) || this.due.has(id)) return;
    this.due.set(
      id,
      setTimeout(() => {
        this.due.delete(id);
        void this.refresh(id);
      }, DEBOUNCE_MS),
    );
  }

  async refresh(id: number) {
    try {
      const page = await listForwards({ filter: 'all', capture_id: id, limit: 500, before: null });
      this.target.setForward(id, captureMark(page.items.map((x) => x.state)));
    } catch {
      // Best effort: the next reload of the list brings the engine's mark.
    }
  }
}
