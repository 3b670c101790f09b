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
//! - [`forward`]: pure building of outgoing requests (replay, forwarding): rewriting, rebasing, re-signing, warnings.
//! - [`query`]: the filter language of forward rules and search (CEL): parse once, evaluate on a capture.
//! - [`sender`]: the one outbound HTTP client (head written as built, response read with httparse, rustls).
//! - [`event`]: events published after each commit.
//! - [`event_keys`]: which event a delivery carries (identity and type), from provider headers and body fields.
//! - [`error`]: the library error and its stable codes.
//! - [`tunnel`]: public URLs through ngrok or a self-hosted bore server.
//! - [`keyring`]: the OS keyring, home of the user's secrets when one answers.

pub mod config;
pub mod curl;
pub mod diff;
pub mod engine;
pub mod error;
pub mod event;
pub mod event_keys;
pub mod forward;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod ipc;
pub mod keyring;
pub mod model;
pub mod paths;
pub mod query;
pub mod receiver;
pub mod sender;
pub mod signature;
pub mod store;
pub mod tunnel;

pub use config::{Config, KeyringMode, PortPolicy};
pub use engine::Engine;
pub use error::{Error, ErrorCode, Result};
pub use event::Event;
