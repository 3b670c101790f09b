// Requests to the inspector from elsewhere (the window's shortcuts): show a tab, take focus.
export type InspectorTab = 'body' | 'headers' | 'query' | 'signature' | 'replay' | 'deliveries';

class InspectorNav {
  /** The last request; `seq` changes with each, so asking twice for one tab is seen. */
  request = $state.raw<{ tab: InspectorTab | null; focus: boolean; seq: number } | null>(null);
  private seq = 0;

  show(tab: InspectorTab) {
    this.request = { tab, focus: false, seq: ++this.seq };
  }

  focus() {
    this.request = { tab: null, focus: true, seq: ++this.seq };
  }
}

export const inspectorNav = new InspectorNav();
