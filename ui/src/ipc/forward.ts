// Typed wrappers over the forwarding commands (forward rules and the outbox). Thin: each is one
// `call`; they reject with an ErrorView like `call` does.
import type { ForwardDetailView } from '../bindings/ForwardDetailView';
import type { ForwardPage } from '../bindings/ForwardPage';
import type { ForwardRuleView } from '../bindings/ForwardRuleView';
import type { ForwardView } from '../bindings/ForwardView';
import type { ListForwardsReq } from '../bindings/ListForwardsReq';
import type { OutboxCounts } from '../bindings/OutboxCounts';
import type { RuleSpec } from '../bindings/RuleSpec';
import { call } from './index';

export const listForwardRules = (): Promise<ForwardRuleView[]> => call('list_forward_rules', {});

/** Adds a rule (`id` null) or replaces one. */
export const saveForwardRule = (id: number | null, spec: RuleSpec): Promise<ForwardRuleView> =>
  call('save_forward_rule', { req: { id, spec } });

export const setForwardRuleEnabled = (id: number, enabled: boolean): Promise<ForwardRuleView> =>
  call('set_forward_rule_enabled', { id, enabled });

export const removeForwardRule = (id: number): Promise<null> => call('remove_forward_rule', { id });

export const listForwards = (req: ListForwardsReq): Promise<ForwardPage> => call('list_forwards', { req });

export const getForward = (id: number): Promise<ForwardDetailView> => call('get_forward', { id });

export const outboxCounts = (): Promise<OutboxCounts> => call('outbox_counts', {});

export const retryForward = (id: number): Promise<ForwardView> => call('retry_forward', { id });

/** "Retry all failed": resolves to how many were queued again. */
export const retryFailedForwards = (): Promise<number> => call('retry_failed_forwards', {});

export const cancelForward = (id: number): Promise<ForwardView> => call('cancel_forward', { id });
