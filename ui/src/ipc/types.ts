// The typed IPC contract: command name -> [args, result], event name -> payload.
import type { CapturePage } from '../bindings/CapturePage';
import type { CaptureSummary } from '../bindings/CaptureSummary';
import type { CaptureView } from '../bindings/CaptureView';
import type { DeliveryPage } from '../bindings/DeliveryPage';
import type { DeliverySummary } from '../bindings/DeliverySummary';
import type { DeliveryView } from '../bindings/DeliveryView';
import type { DiffCapturesReq } from '../bindings/DiffCapturesReq';
import type { DiffPartnerView } from '../bindings/DiffPartnerView';
import type { DiffRulesView } from '../bindings/DiffRulesView';
import type { DiffView } from '../bindings/DiffView';
import type { EndpointView } from '../bindings/EndpointView';
import type { ListCapturesReq } from '../bindings/ListCapturesReq';
import type { ListDeliveriesReq } from '../bindings/ListDeliveriesReq';
import type { ListenerView } from '../bindings/ListenerView';
import type { ReplayBatchView } from '../bindings/ReplayBatchView';
import type { ReplayDraft } from '../bindings/ReplayDraft';
import type { ReplayManyReq } from '../bindings/ReplayManyReq';
import type { ReplayPreview } from '../bindings/ReplayPreview';
import type { ReplayProgressView } from '../bindings/ReplayProgressView';
import type { ReplayReq } from '../bindings/ReplayReq';
import type { SettingsView } from '../bindings/SettingsView';
import type { StorageTrouble } from '../bindings/StorageTrouble';
import type { StartupProblem } from '../bindings/StartupProblem';
import type { SetAsideView } from '../bindings/SetAsideView';
import type { NgrokTokenView } from '../bindings/NgrokTokenView';
import type { StartTunnelReq } from '../bindings/StartTunnelReq';
import type { TunnelStatusView } from '../bindings/TunnelStatusView';
import type { ProviderInfo } from '../bindings/ProviderInfo';
import type { SchemeInfo } from '../bindings/SchemeInfo';
import type { AddCertificateReq } from '../bindings/AddCertificateReq';
import type { CertificateView } from '../bindings/CertificateView';
import type { SetEndpointSignatureReq } from '../bindings/SetEndpointSignatureReq';
import type { TestEventView } from '../bindings/TestEventView';
import type { Verdict } from '../bindings/Verdict';
import type { ForwardDetailView } from '../bindings/ForwardDetailView';
import type { ForwardPage } from '../bindings/ForwardPage';
import type { ForwardRuleView } from '../bindings/ForwardRuleView';
import type { ForwardView } from '../bindings/ForwardView';
import type { ListForwardsReq } from '../bindings/ListForwardsReq';
import type { OutboxCounts } from '../bindings/OutboxCounts';
import type { SaveForwardRuleReq } from '../bindings/SaveForwardRuleReq';
import type { CaptureFilter } from '../bindings/CaptureFilter';
import type { ExportReport } from '../bindings/ExportReport';
import type { ExportReq } from '../bindings/ExportReq';
import type { ImportCurlReq } from '../bindings/ImportCurlReq';
import type { ImportReport } from '../bindings/ImportReport';
import type { ImportReq } from '../bindings/ImportReq';
import type { SavedFilterView } from '../bindings/SavedFilterView';

type NoArgs = Record<string, never>;

export type Commands = {
  listener_info: [NoArgs, ListenerView];
  list_captures: [{ req: ListCapturesReq }, CapturePage];
  get_capture: [{ id: number }, CaptureView];
  delete_capture: [{ id: number }, null];
  clear_captures: [NoArgs, null];
  list_endpoints: [NoArgs, EndpointView[]];
  save_endpoint: [{ endpoint: EndpointView }, EndpointView];
  remove_endpoint: [{ name: string }, null];
  signature_catalog: [NoArgs, SchemeInfo[]];
  provider_catalog: [NoArgs, ProviderInfo[]];
  describe_signature: [{ endpoint: string }, string];
  read_provider_description: [{ text: string }, ProviderInfo];
  set_endpoint_signature: [{ req: SetEndpointSignatureReq }, EndpointView];
  verify_capture: [{ id: number }, Verdict];
  list_certificates: [NoArgs, CertificateView[]];
  add_certificate: [{ req: AddCertificateReq }, CertificateView];
  fetch_certificate: [{ url: string }, CertificateView];
  send_test_event: [{ endpoint: string }, TestEventView];
  diff_captures: [{ req: DiffCapturesReq }, DiffView];
  cancel_diff: [{ token: string }, boolean];
  diff_partners: [{ id: number }, DiffPartnerView[]];
  diff_rules: [{ endpoint: string }, DiffRulesView];
  save_diff_rules: [{ rules: DiffRulesView }, DiffRulesView];
  reset_diff_rules: [{ endpoint: string }, DiffRulesView];
  get_settings: [NoArgs, SettingsView];
  storage_trouble: [NoArgs, StorageTrouble | null];
  /** Why the engine did not start (the start screen); null when it runs. */
  startup_problem: [NoArgs, StartupProblem | null];
  retry_start: [NoArgs, null];
  /** Moves a damaged database aside (renamed, never deleted) and starts a new one. */
  set_database_aside: [NoArgs, SetAsideView];
  quit_app: [NoArgs, null];
  set_retention: [{ max: number }, SettingsView];
  tunnel_status: [NoArgs, TunnelStatusView];
  start_tunnel: [{ req: StartTunnelReq }, TunnelStatusView];
  stop_tunnel: [NoArgs, TunnelStatusView];
  ngrok_token_info: [NoArgs, NgrokTokenView];
  save_ngrok_token: [{ token: string | null }, NgrokTokenView];
  preview_replay: [{ req: ReplayReq }, ReplayPreview];
  replay: [{ req: ReplayReq }, DeliveryView];
  replay_many: [{ req: ReplayManyReq }, ReplayBatchView];
  cancel_replay: [{ token: string }, boolean];
  list_deliveries: [{ req: ListDeliveriesReq }, DeliveryPage];
  get_delivery: [{ id: number }, DeliveryView];
  get_draft: [{ id: number }, ReplayDraft | null];
  save_draft: [{ draft: ReplayDraft }, ReplayDraft];
  discard_draft: [{ id: number }, null];
  list_forward_rules: [NoArgs, ForwardRuleView[]];
  save_forward_rule: [{ req: SaveForwardRuleReq }, ForwardRuleView];
  set_forward_rule_enabled: [{ id: number; enabled: boolean }, ForwardRuleView];
  remove_forward_rule: [{ id: number }, null];
  list_forwards: [{ req: ListForwardsReq }, ForwardPage];
  get_forward: [{ id: number }, ForwardDetailView];
  outbox_counts: [NoArgs, OutboxCounts];
  retry_forward: [{ id: number }, ForwardView];
  retry_failed_forwards: [NoArgs, number];
  cancel_forward: [{ id: number }, ForwardView];
  count_matches: [{ filter: CaptureFilter }, number];
  set_pinned: [{ id: number; pinned: boolean }, null];
  saved_filters: [NoArgs, SavedFilterView[]];
  save_filter: [{ filter: SavedFilterView }, SavedFilterView];
  remove_filter: [{ name: string }, null];
  export_captures: [{ req: ExportReq }, ExportReport];
  /** Writes a capture's exact body bytes to a file; the bytes written. */
  save_body: [{ id: number; path: string }, number];
  import_captures: [{ req: ImportReq }, ImportReport];
  import_curl: [{ req: ImportCurlReq }, ImportReport];
  /** Where an export goes by default: the Downloads folder, else home. */
  default_export_dir: [NoArgs, string];
};

export type Events = {
  'capture:new': CaptureSummary;
  'captures:changed': null;
  'endpoints:changed': null;
  'tunnel:changed': TunnelStatusView;
  'storage:changed': StorageTrouble | null;
  'delivery:new': DeliverySummary;
  'replay:progress': ReplayProgressView;
  'forward:changed': ForwardView;
  'outbox:changed': null;
  'rules:changed': null;
};

export type Unsubscribe = () => void;

/** What a backend implementation (Tauri or the in-browser fake) provides. */
export interface Backend {
  invoke(cmd: string, args: Record<string, unknown>): Promise<unknown>;
  listen(name: string, handler: (payload: unknown) => void): Promise<Unsubscribe>;
}
