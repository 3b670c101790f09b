// Generates allow-/deny- permissions for each app command, so capabilities/ can grant exactly these.
fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(&[
        "listener_info",
        "list_captures",
        "get_capture",
        "delete_capture",
        "clear_captures",
        "list_endpoints",
        "save_endpoint",
        "remove_endpoint",
        "get_settings",
        "set_retention",
        "tunnel_status",
        "start_tunnel",
        "stop_tunnel",
        "ngrok_token_info",
        "save_ngrok_token",
        "signature_catalog",
        "set_endpoint_signature",
        "verify_capture",
        "send_test_event",
        "diff_captures",
        "cancel_diff",
        "diff_partners",
        "diff_rules",
        "save_diff_rules",
        "reset_diff_rules",
    ])))
    .expect("tauri build script");
}
