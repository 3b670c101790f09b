//! Tauri commands: each takes the request, calls one engine method, maps the error to
//! `{code, message}`. Nothing else belongs here.

use hookloupe_core::ipc::{
    CapturePage, CaptureView, DiffCapturesReq, DiffPartnerView, DiffRulesView, DiffView, EndpointView, ErrorView,
    ListCapturesReq, ListenerView, SetEndpointSignatureReq, TestEventView,
};
use hookloupe_core::ipc::{NgrokTokenView, SettingsView, StartTunnelReq};
use hookloupe_core::ipc::{AddCertificateReq, CertificateView};
use hookloupe_core::ipc::{
    DeliveryPage, DeliveryView, ListDeliveriesReq, ReplayBatchView, ReplayDraft, ReplayManyReq, ReplayPreview, ReplayReq,
};
use hookloupe_core::ipc::{
    ForwardDetailView, ForwardPage, ForwardRuleView, ForwardView, ListForwardsReq, OutboxCounts, SaveForwardRuleReq,
};
use hookloupe_core::ipc::{
    CaptureFilter, ExportReport, ExportReq, ImportCurlReq, ImportReport, ImportReq, SavedFilterView,
};
use hookloupe_core::tunnel::TunnelStatusView;
use hookloupe_core::signature::{ProviderInfo, SchemeInfo, Verdict};
use hookloupe_core::{Engine, ErrorCode};
use tauri::{AppHandle, Manager, State};

use crate::Shell;

type Reply<T> = Result<T, ErrorView>;

fn engine(shell: &Shell) -> Reply<Engine> {
    shell.engine()
}

#[tauri::command]
pub fn listener_info(shell: State<'_, Shell>) -> Reply<ListenerView> {
    engine(&shell)?
        .listener()
        .ok_or(ErrorView { code: ErrorCode::Internal, message: "the receiver is not running".into() })
}

#[tauri::command]
pub async fn list_captures(shell: State<'_, Shell>, req: ListCapturesReq) -> Reply<CapturePage> {
    Ok(engine(&shell)?.list_captures(req).await?)
}

#[tauri::command]
pub async fn get_capture(shell: State<'_, Shell>, id: i64) -> Reply<CaptureView> {
    Ok(engine(&shell)?.get_capture(id).await?)
}

#[tauri::command]
pub async fn delete_capture(shell: State<'_, Shell>, id: i64) -> Reply<()> {
    Ok(engine(&shell)?.delete_capture(id).await?)
}

#[tauri::command]
pub async fn clear_captures(shell: State<'_, Shell>) -> Reply<()> {
    engine(&shell)?.clear_captures(None).await?;
    Ok(())
}

#[tauri::command]
pub async fn list_endpoints(shell: State<'_, Shell>) -> Reply<Vec<EndpointView>> {
    Ok(engine(&shell)?.list_endpoints().await?)
}

#[tauri::command]
pub async fn save_endpoint(shell: State<'_, Shell>, endpoint: EndpointView) -> Reply<EndpointView> {
    Ok(engine(&shell)?.save_endpoint(endpoint).await?)
}

#[tauri::command]
pub async fn remove_endpoint(shell: State<'_, Shell>, name: String) -> Reply<()> {
    Ok(engine(&shell)?.remove_endpoint(name).await?)
}

#[tauri::command]
pub fn signature_catalog(shell: State<'_, Shell>) -> Reply<Vec<SchemeInfo>> {
    Ok(engine(&shell)?.catalog())
}

#[tauri::command]
pub async fn describe_signature(shell: State<'_, Shell>, endpoint: String) -> Reply<String> {
    Ok(engine(&shell)?.describe_signature(&endpoint, None, None).await?)
}

#[tauri::command]
pub fn read_provider_description(text: String) -> Reply<ProviderInfo> {
    Ok(hookloupe_core::Engine::read_provider_description(&text)?)
}

#[tauri::command]
pub fn provider_catalog(shell: State<'_, Shell>) -> Reply<Vec<ProviderInfo>> {
    Ok(engine(&shell)?.providers())
}

#[tauri::command]
pub async fn set_endpoint_signature(shell: State<'_, Shell>, req: SetEndpointSignatureReq) -> Reply<EndpointView> {
    Ok(engine(&shell)?.set_endpoint_signature(req).await?)
}

#[tauri::command]
pub async fn verify_capture(shell: State<'_, Shell>, id: i64) -> Reply<Verdict> {
    Ok(engine(&shell)?.verify_capture(id).await?)
}

#[tauri::command]
pub fn list_certificates(shell: State<'_, Shell>) -> Reply<Vec<CertificateView>> {
    Ok(engine(&shell)?.list_certificates())
}

#[tauri::command]
pub async fn add_certificate(shell: State<'_, Shell>, req: AddCertificateReq) -> Reply<CertificateView> {
    Ok(engine(&shell)?.add_certificate(req).await?)
}

#[tauri::command]
pub async fn fetch_certificate(shell: State<'_, Shell>, url: String) -> Reply<CertificateView> {
    Ok(engine(&shell)?.fetch_certificate(&url).await?)
}

#[tauri::command]
pub async fn send_test_event(shell: State<'_, Shell>, endpoint: String) -> Reply<TestEventView> {
    Ok(engine(&shell)?.send_test_event(endpoint).await?)
}

#[tauri::command]
pub async fn diff_captures(shell: State<'_, Shell>, req: DiffCapturesReq) -> Reply<DiffView> {
    Ok(engine(&shell)?.diff_captures(req).await?)
}

#[tauri::command]
pub fn cancel_diff(shell: State<'_, Shell>, token: String) -> Reply<bool> {
    Ok(engine(&shell)?.cancel_diff(&token))
}

#[tauri::command]
pub async fn diff_partners(shell: State<'_, Shell>, id: i64) -> Reply<Vec<DiffPartnerView>> {
    Ok(engine(&shell)?.diff_partners(id).await?)
}

#[tauri::command]
pub async fn diff_rules(shell: State<'_, Shell>, endpoint: String) -> Reply<DiffRulesView> {
    Ok(engine(&shell)?.diff_rules(endpoint).await?)
}

#[tauri::command]
pub async fn save_diff_rules(shell: State<'_, Shell>, rules: DiffRulesView) -> Reply<DiffRulesView> {
    Ok(engine(&shell)?.save_diff_rules(rules).await?)
}

#[tauri::command]
pub async fn reset_diff_rules(shell: State<'_, Shell>, endpoint: String) -> Reply<DiffRulesView> {
    Ok(engine(&shell)?.reset_diff_rules(endpoint).await?)
}

#[tauri::command]
pub fn tunnel_status(shell: State<'_, Shell>) -> Reply<TunnelStatusView> {
    Ok(engine(&shell)?.tunnel_status())
}

#[tauri::command]
pub async fn start_tunnel(shell: State<'_, Shell>, req: StartTunnelReq) -> Reply<TunnelStatusView> {
    let engine = engine(&shell)?;
    Ok(engine.start_tunnel(req.to_spec()?).await?)
}

#[tauri::command]
pub fn stop_tunnel(shell: State<'_, Shell>) -> Reply<TunnelStatusView> {
    let engine = engine(&shell)?;
    engine.stop_tunnel();
    Ok(engine.tunnel_status())
}

#[tauri::command]
pub async fn ngrok_token_info(shell: State<'_, Shell>) -> Reply<NgrokTokenView> {
    Ok(engine(&shell)?.ngrok_token_info().await?)
}

#[tauri::command]
pub async fn save_ngrok_token(shell: State<'_, Shell>, token: Option<String>) -> Reply<NgrokTokenView> {
    Ok(engine(&shell)?.save_ngrok_token(token).await?)
}

#[tauri::command]
pub async fn get_settings(shell: State<'_, Shell>) -> Reply<SettingsView> {
    Ok(engine(&shell)?.settings().await?)
}

#[tauri::command]
pub async fn set_retention(shell: State<'_, Shell>, max: u64) -> Reply<SettingsView> {
    let engine = engine(&shell)?;
    engine.set_retention(max).await?;
    Ok(engine.settings().await?)
}

#[tauri::command]
pub async fn preview_replay(shell: State<'_, Shell>, req: ReplayReq) -> Reply<ReplayPreview> {
    Ok(engine(&shell)?.preview_replay(req).await?)
}

#[tauri::command]
pub async fn replay(shell: State<'_, Shell>, req: ReplayReq) -> Reply<DeliveryView> {
    Ok(engine(&shell)?.replay(req).await?)
}

#[tauri::command]
pub async fn replay_many(shell: State<'_, Shell>, req: ReplayManyReq) -> Reply<ReplayBatchView> {
    Ok(engine(&shell)?.replay_many(req).await?)
}

#[tauri::command]
pub fn cancel_replay(shell: State<'_, Shell>, token: String) -> Reply<bool> {
    Ok(engine(&shell)?.cancel_replay(&token))
}

#[tauri::command]
pub async fn list_deliveries(shell: State<'_, Shell>, req: ListDeliveriesReq) -> Reply<DeliveryPage> {
    Ok(engine(&shell)?.list_deliveries(req).await?)
}

#[tauri::command]
pub async fn get_delivery(shell: State<'_, Shell>, id: i64) -> Reply<DeliveryView> {
    Ok(engine(&shell)?.delivery(id).await?)
}

#[tauri::command]
pub async fn get_draft(shell: State<'_, Shell>, id: i64) -> Reply<Option<ReplayDraft>> {
    Ok(engine(&shell)?.draft(id).await?)
}

#[tauri::command]
pub async fn save_draft(shell: State<'_, Shell>, draft: ReplayDraft) -> Reply<ReplayDraft> {
    Ok(engine(&shell)?.save_draft(draft).await?)
}

#[tauri::command]
pub async fn discard_draft(shell: State<'_, Shell>, id: i64) -> Reply<()> {
    Ok(engine(&shell)?.discard_draft(id).await?)
}

#[tauri::command]
pub fn storage_trouble(shell: State<'_, Shell>) -> Reply<Option<hookloupe_core::event::StorageTrouble>> {
    Ok(engine(&shell)?.storage_trouble())
}

#[tauri::command]
pub async fn list_forward_rules(shell: State<'_, Shell>) -> Reply<Vec<ForwardRuleView>> {
    Ok(engine(&shell)?.list_forward_rules().await?)
}

#[tauri::command]
pub async fn save_forward_rule(shell: State<'_, Shell>, req: SaveForwardRuleReq) -> Reply<ForwardRuleView> {
    Ok(engine(&shell)?.save_forward_rule(req).await?)
}

#[tauri::command]
pub async fn set_forward_rule_enabled(shell: State<'_, Shell>, id: i64, enabled: bool) -> Reply<ForwardRuleView> {
    Ok(engine(&shell)?.set_forward_rule_enabled(id, enabled).await?)
}

#[tauri::command]
pub async fn remove_forward_rule(shell: State<'_, Shell>, id: i64) -> Reply<()> {
    Ok(engine(&shell)?.remove_forward_rule(id).await?)
}

#[tauri::command]
pub async fn list_forwards(shell: State<'_, Shell>, req: ListForwardsReq) -> Reply<ForwardPage> {
    Ok(engine(&shell)?.list_forwards(req).await?)
}

#[tauri::command]
pub async fn get_forward(shell: State<'_, Shell>, id: i64) -> Reply<ForwardDetailView> {
    Ok(engine(&shell)?.forward(id).await?)
}

#[tauri::command]
pub async fn outbox_counts(shell: State<'_, Shell>) -> Reply<OutboxCounts> {
    Ok(engine(&shell)?.outbox_counts().await?)
}

#[tauri::command]
pub async fn retry_forward(shell: State<'_, Shell>, id: i64) -> Reply<ForwardView> {
    Ok(engine(&shell)?.retry_forward(id).await?)
}

#[tauri::command]
pub async fn retry_failed_forwards(shell: State<'_, Shell>) -> Reply<usize> {
    Ok(engine(&shell)?.retry_failed_forwards().await?)
}

#[tauri::command]
pub async fn cancel_forward(shell: State<'_, Shell>, id: i64) -> Reply<ForwardView> {
    Ok(engine(&shell)?.cancel_forward(id).await?)
}

// Finding and sharing captures: counts, pins, saved filters, export and import.

#[tauri::command]
pub async fn count_matches(shell: State<'_, Shell>, filter: CaptureFilter) -> Reply<u64> {
    Ok(engine(&shell)?.count_matches(filter).await?)
}

#[tauri::command]
pub async fn set_pinned(shell: State<'_, Shell>, id: i64, pinned: bool) -> Reply<()> {
    Ok(engine(&shell)?.set_pinned(id, pinned).await?)
}

#[tauri::command]
pub async fn saved_filters(shell: State<'_, Shell>) -> Reply<Vec<SavedFilterView>> {
    Ok(engine(&shell)?.saved_filters().await?)
}

#[tauri::command]
pub async fn save_filter(shell: State<'_, Shell>, filter: SavedFilterView) -> Reply<SavedFilterView> {
    Ok(engine(&shell)?.save_filter(filter).await?)
}

#[tauri::command]
pub async fn remove_filter(shell: State<'_, Shell>, name: String) -> Reply<()> {
    Ok(engine(&shell)?.remove_filter(name).await?)
}

#[tauri::command]
pub async fn export_captures(app: AppHandle, shell: State<'_, Shell>, mut req: ExportReq) -> Reply<ExportReport> {
    req.path = expand_home(&app, &req.path);
    Ok(engine(&shell)?.export(req).await?)
}

/// Writes a capture's exact body bytes to `path` (the inspector's "Save body…").
#[tauri::command]
pub async fn save_body(app: AppHandle, shell: State<'_, Shell>, id: i64, path: String) -> Reply<u64> {
    Ok(engine(&shell)?.save_body(id, expand_home(&app, &path)).await?)
}

#[tauri::command]
pub async fn import_captures(app: AppHandle, shell: State<'_, Shell>, mut req: ImportReq) -> Reply<ImportReport> {
    req.path = expand_home(&app, &req.path);
    Ok(engine(&shell)?.import(req).await?)
}

#[tauri::command]
pub async fn import_curl(shell: State<'_, Shell>, req: ImportCurlReq) -> Reply<ImportReport> {
    Ok(engine(&shell)?.import_curl(req).await?)
}

/// Where an export is suggested: the Downloads folder, else home.
#[tauri::command]
pub fn default_export_dir(app: AppHandle) -> Reply<String> {
    let dir = app.path().download_dir().or_else(|_| app.path().home_dir());
    Ok(dir.map(|d| d.to_string_lossy().into_owned()).unwrap_or_default())
}

/// A path typed as `~/…` means the home folder, as in a shell.
fn expand_home(app: &AppHandle, path: &str) -> String {
    match (path.strip_prefix("~/"), app.path().home_dir()) {
        (Some(rest), Ok(home)) => home.join(rest).to_string_lossy().into_owned(),
        _ => path.to_owned(),
    }
}
