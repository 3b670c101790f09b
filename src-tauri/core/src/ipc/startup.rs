//! Wire types of the desktop app's start screen: why the engine could not start (a damaged,
//! read-only or locked database…), with the database's path, and what moving a damaged one aside
//! did. This module converts; it must not do I/O.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::ErrorCode;
use crate::ipc::ErrorView;

/// The engine did not start: the window says why instead of its usual views.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct StartupProblem {
    pub code: ErrorCode,
    /// Plain words, naming the file.
    pub message: String,
    /// The database file the app tried to open.
    pub database: String,
    /// The database is damaged or not a database: the window offers to move it aside (with its
    /// `-wal`/`-shm` files) and start a new one. Nothing is moved unless the user says so.
    pub can_set_aside: bool,
}

impl StartupProblem {
    pub fn new(error: &ErrorView, database: &std::path::Path) -> StartupProblem {
        StartupProblem {
            code: error.code,
            message: error.message.clone(),
            database: database.display().to_string(),
            can_set_aside: error.code == ErrorCode::Corrupt,
        }
    }
}

/// A damaged database moved aside; a new one was started in its place.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct SetAsideView {
    /// Where the old database went (its `-wal`/`-shm` files, if any, beside it with the same name).
    pub moved_to: String,
    /// The new, empty database.
    pub database: String,
}
