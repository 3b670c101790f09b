//! hookloupe-app: the Tauri desktop shell over hookloupe-core.
//!
//! At start-up it opens the engine on the shared data directory, starts the receiver (the next
//! free port when the default is taken) and forwards engine events to the webview
//! ([`events`]). Commands ([`commands`]) are a few lines each that call one engine method. This
//! crate must hold no SQL, no HTTP client and no crypto: that is core's job.

mod commands;
mod events;

use hookloupe_core::config::{ListenAddr, DEFAULT_PORT};
use hookloupe_core::ipc::ErrorView;
use hookloupe_core::{paths, Config, Engine, KeyringMode, PortPolicy};
use tauri::Manager;

/// The engine, or why it could not start (shown by the window instead of crashing).
pub struct Shell {
    pub engine: Result<Engine, ErrorView>,
}

pub fn run() {
    tauri::Builder::default()
        .setup(|app| {
            let port = std::env::var("HOOKLOUPE_PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(DEFAULT_PORT);
            let engine = tauri::async_runtime::block_on(start(port));
            if let Ok(engine) = &engine {
                events::forward(app.handle().clone(), engine.subscribe());
            }
            app.manage(Shell { engine });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
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
            commands::set_endpoint_signature,
            commands::verify_capture,
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
        ])
        .run(tauri::generate_context!())
        .expect("error while running Hookloupe");
}

async fn start(port: u16) -> Result<Engine, ErrorView> {
    // HOOKLOUPE_KEYRING=off keeps secrets in the database (as with the CLI's --keyring off).
    let keyring = std::env::var("HOOKLOUPE_KEYRING").ok().and_then(|v| KeyringMode::parse(&v)).unwrap_or_default();
    let engine = Engine::open(Config { keyring, ..Config::new(paths::default_data_dir()) })?;
    let bind = std::net::Ipv4Addr::LOCALHOST.into();
    engine.listen(ListenAddr { bind, port, policy: PortPolicy::NextFree }).await?;
    Ok(engine)
}
