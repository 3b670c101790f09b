// Forward rules, as the endpoint panel shows them: loaded once, reloaded on `rules:changed`
// (App.svelte), grouped by endpoint. Session rules (`hookloupe listen --forward-to`) have no
// endpoint: they forward every endpoint's captures.
import type { ErrorView } from '../../bindings/ErrorView';
import type { ForwardRuleView } from '../../bindings/ForwardRuleView';
import type { RuleSpec } from '../../bindings/RuleSpec';
import { listForwardRules, removeForwardRule, saveForwardRule, setForwardRuleEnabled } from '../../ipc/forward';

class Rules {
  items = $state.raw<ForwardRuleView[]>([]);
  loaded = $state(false);
  error = $state.raw<ErrorView | null>(null);
  private gen = 0;

  async load() {
    const g = ++this.gen;
    try {
      const list = await listForwardRules();
      if (g !== this.gen) return;
      this.items = list;
      this.loaded = true;
      this.error = null;
    } catch (e) {
      if (g === this.gen) this.error = e as ErrorView;
    }
  }

  /** The rules of one endpoint, then the session rules (which forward every endpoint). */
  of(endpoint: string): ForwardRuleView[] {
    return this.items.filter((r) => r.endpoint === endpoint || r.endpoint === null);
  }

  /** How many rules forward this endpoint's captures (session rules included). */
  count(endpoint: string): number {
    return this.of(endpoint).length;
  }

  private put(r: ForwardRuleView) {
    const i = this.items.findIndex((x) => x.id === r.id);
    this.items = i === -1 ? [...this.items, r] : this.items.map((x) => (x.id === r.id ? r : x));
  }

  /** Adds (`id` null) or replaces a rule; rejects with the engine's ErrorView. */
  async save(id: number | null, spec: RuleSpec): Promise<ForwardRuleView> {
    const r = await saveForwardRule(id, spec);
    this.put(r);
    return r;
  }

  async setEnabled(id: number, enabled: boolean): Promise<ForwardRuleView> {
    const r = await setForwardRuleEnabled(id, enabled);
    this.put(r);
    return r;
  }

  async remove(id: number) {
    await removeForwardRule(id);
    this.items = this.items.filter((x) => x.id !== id);
  }
}

export const rules = new Rules();
