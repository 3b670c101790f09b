//! hookloupe-core: the headless engine behind the Hookloupe desktop app and CLI.
//!
//! It owns everything that matters — receiving webhooks, storing them byte-exact, the live
//! event stream — and knows nothing of windows or terminals. Hosts (the Tauri shell, the CLI)
//! hold an [`Engine`] and call one method per user action.
//!
//! Module map:
//! - [`engine`]: the `Engine` facade, a cheap `Clone` handle owning store, writer and receiver.
//! - [`config`] / [`paths`]: resolved settings and the default data directory.
//! - [`model`]: domain types (captures, endpoints, header lists).
//! - [`ipc`]: wire types shared by the UI (generated TypeScript) and the CLI's `--json`.
//! - [`store`]: SQLite persistence; the only module that speaks SQL.
//! - [`receiver`]: the axum HTTP receiver that turns requests into captures.
//! - [`diff`]: pure comparison of two deliveries (line, structural JSON, header and metadata diff).
//! - [`signature`]: pure webhook-signature verification, diagnosis, signing, detection and test-event samples.
//! - [`curl`]: a request as a ready-to-paste curl command.
//! - [`curl_parse`]: a pasted curl command read back as a request (import).
//! - [`share`]: export and import formats: lossless JSONL, HAR 1.2, redacted bundles.
//! - [`forward`]: pure building of outgoing requests (replay, forwarding): rewriting, rebasing, re-signing, warnings.
//! - [`search`]: what the full-text index holds of a capture, and search words made safe for FTS5.
//! - [`query`]: the filter language of forward rules and search (CEL): parse once, evaluate on a capture.
//! - [`sender`]: the one outbound HTTP client (head written as built, response read with httparse, rustls).
//! - [`event`]: events published after each commit.
//! - [`event_keys`]: which event a delivery carries (identity and type), from provider headers and body fields.
//! - [`error`]: the library error and its stable codes.
//! - [`tunnel`]: public URLs through ngrok or a self-hosted bore server.
//! - [`keyring`]: the OS keyring, home of the user's secrets when one answers.
//!
//! Features: `runtime` (on by default) builds the engine and what it runs on — tokio, the
//! receiver, the SQLite store, the sender, tunnels, the OS keyring. Without it only the pure
//! modules are built (model, signature, diff, curl, forward, query, event keys, wire types):
//! what the fuzz targets (`fuzzing`, tests/fuzz) drive, compiled in a fraction of the time.

#[cfg(feature = "runtime")]
pub mod config;
pub mod curl;
pub mod curl_parse;
pub mod diff;
#[cfg(feature = "runtime")]
pub mod engine;
pub mod error;
#[cfg(feature = "runtime")]
pub mod event;
pub mod event_keys;
pub mod forward;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod ipc;
#[cfg(feature = "runtime")]
pub mod keyring;
pub mod model;
#[cfg(feature = "runtime")]
pub mod paths;
pub mod query;
#[cfg(feature = "runtime")]
pub mod receiver;
// Without the runtime (the fuzz build) the receiver is only its pure raw-head tracker.
#[cfg(not(feature = "runtime"))]
#[allow(dead_code)] // the tap and `reconcile` serve the real receiver
pub mod receiver {
    #[path = "rawhead.rs"]
    pub(crate) mod rawhead;
}
pub mod search;
#[cfg(feature = "runtime")]
pub mod sender;
pub mod share;
pub mod signature;
#[cfg(feature = "runtime")]
pub mod store;
#[cfg(feature = "runtime")]
pub mod tunnel;

#[cfg(feature = "runtime")]
pub use config::{Config, KeyringMode, PortPolicy};
#[cfg(feature = "runtime")]
pub use engine::Engine;
pub use error::{Error, ErrorCode, Result};
#[cfg(feature = "runtime")]
pub use event::Event;
