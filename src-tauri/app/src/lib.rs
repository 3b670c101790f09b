//! hookloupe-app: the Tauri desktop shell over hookloupe-core.
//!
//! At start-up it opens the engine on the shared data directory, starts the receiver (the next
//! free port when the default is taken) and forwards engine events to the webview
//! ([`events`]); when the engine cannot start (a damaged, read-only or locked database) the window
//! still opens and says why, offering what can be done ([`startup`]). Commands ([`commands`]) are
//! a few lines each that call one engine method. This
//! crate must hold no SQL, no HTTP client and no crypto: that is core's job.

mod commands;
mod events;
mod startup;

use hookloupe_core::config::DEFAULT_PORT;
use tauri::Manager;

pub use startup::Shell;

pub fn run() {
    tauri::Builder::default()
        // Native Save / Open dialogs for export and import (capabilities grant dialog:allow-save/open only).
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            let port = std::env::var("HOOKLOUPE_PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(DEFAULT_PORT);
            // A database that cannot be opened does not stop the window: it says why (see startup).
            app.manage(Shell::start(app.handle(), port));
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            startup::startup_problem,
            startup::retry_start,
            startup::set_database_aside,
            startup::quit_app,
            commands::listener_info,
            commands::list_captures,
            commands::get_capture,
            commands::delete_capture,
            commands::clear_captures,
            commands::list_endpoints,
            commands::save_endpoint,
            commands::remove_endpoint,
            commands::get_settings,
            commands::set_retention,
            commands::tunnel_status,
            commands::start_tunnel,
            commands::stop_tunnel,
            commands::ngrok_token_info,
            commands::save_ngrok_token,
            commands::signature_catalog,
            commands::provider_catalog,
            commands::describe_signature,
            commands::read_provider_description,
            commands::set_endpoint_signature,
            commands::verify_capture,
            commands::list_certificates,
            commands::add_certificate,
            commands::fetch_certificate,
            commands::send_test_event,
            commands::diff_captures,
            commands::cancel_diff,
            commands::diff_partners,
            commands::diff_rules,
            commands::save_diff_rules,
            commands::reset_diff_rules,
            commands::preview_replay,
            commands::replay,
            commands::replay_many,
            commands::cancel_replay,
            commands::list_deliveries,
            commands::get_delivery,
            commands::get_draft,
            commands::save_draft,
            commands::discard_draft,
            commands::storage_trouble,
            commands::list_forward_rules,
            commands::save_forward_rule,
            commands::set_forward_rule_enabled,
            commands::remove_forward_rule,
            commands::list_forwards,
            commands::get_forward,
            commands::outbox_counts,
            commands::retry_forward,
            commands::retry_failed_forwards,
            commands::cancel_forward,
            commands::count_matches,
            commands::set_pinned,
            commands::saved_filters,
            commands::save_filter,
            commands::remove_filter,
            commands::export_captures,
            commands::save_body,
            commands::import_captures,
            commands::import_curl,
            commands::default_export_dir,
        ])
        .run(tauri::generate_context!())
        .expect("error while running Hookloupe");
}
