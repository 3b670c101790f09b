//! Where Hookloupe keeps its data by default.
//!
//! The default data directory is the OS data directory plus the app identifier — the same
//! directory Tauri's `app_data_dir()` resolves to — so the CLI and the desktop app share one
//! database without configuration. This module only computes paths; it creates nothing.

use std::path::PathBuf;

/// The Tauri bundle identifier; also the name of the data folder.
pub const APP_IDENTIFIER: &str = "dev.hookloupe.app";
/// Environment variable that overrides the data directory (the `--data-dir` flag wins over it).
pub const DATA_DIR_ENV: &str = "HOOKLOUPE_DATA_DIR";
/// The database file name inside the data directory.
pub const DB_FILE: &str = "hookloupe.db";

/// `$HOOKLOUPE_DATA_DIR`, else e.g. `~/.local/share/dev.hookloupe.app` on Linux.
pub fn default_data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join(APP_IDENTIFIER)
}
