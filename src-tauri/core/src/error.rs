//! The engine's error type and the stable codes that cross IPC and the CLI's `--json`.
//!
//! Hosts switch on [`ErrorCode`], never on message text. Messages are written for the user:
//! they say what happened and what to do. This module must not format secrets or payloads.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Stable, machine-readable error codes (`snake_case` on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    NotFound,
    InvalidInput,
    PortInUse,
    Storage,
    /// The disk holding the database is full: nothing more can be stored until space is freed.
    DiskFull,
    /// The database file is damaged or is not a Hookloupe database.
    Corrupt,
    DatabaseLocked,
    ReadOnly,
    Io,
    Conflict,
    /// The operation was cancelled by the user (e.g. a long diff).
    Cancelled,
    /// Signing or a test event needs a signature scheme, and the endpoint has none.
    NoScheme,
    /// Signing or a test event needs a secret, and none is configured or given.
    NoSecret,
    /// The scheme cannot sign (e.g. Paybox RSA, Discord: only the sender holds the private key).
    CannotSign,
    /// Nothing is listening where a request was to be sent (the receiver is not running).
    NotListening,
    Internal,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    InvalidInput(String),
    #[error("port {port} on {bind} is already in use by another program; choose another with --port (0 picks any free port)")]
    PortInUse { bind: String, port: u16 },
    #[error("the database {path} is locked by another program and stayed locked for 5 s; close the other program or use another --data-dir")]
    DatabaseLocked { path: String },
    #[error("the database {path} is read-only: this program may not write the file or its folder, or the disk is mounted read-only; check their permissions or use another --data-dir")]
    ReadOnly { path: String },
    // SQLite's error: the store (and rusqlite) are built with the runtime only.
    #[cfg(feature = "runtime")]
    #[error("storage error on {path}: {source}")]
    Storage { path: String, source: rusqlite::Error },
    /// A storage error fanned out to several waiters (its cause kept as text).
    #[error("storage error on {path}: {message}")]
    StorageFailed { path: String, message: String },
    #[error("the disk holding {path} is full: free some space (captures already acknowledged are safe)")]
    DiskFull { path: String },
    #[error("the database {path} is damaged or is not a Hookloupe database ({detail}); it was left untouched: move it aside to start a new one")]
    Corrupt { path: String, detail: String },
    #[error("{context}: {source}")]
    Io { context: String, source: std::io::Error },
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Cancelled(String),
    #[error("{0}")]
    NoScheme(String),
    #[error("{0}")]
    NoSecret(String),
    #[error("{0}")]
    CannotSign(String),
    #[error("{0}")]
    NotListening(String),
    /// An outbound request failed after it was sent (timeout, reset, bad reply).
    #[error("{0}")]
    Send(String),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::InvalidInput(_) => ErrorCode::InvalidInput,
            Error::PortInUse { .. } => ErrorCode::PortInUse,
            Error::DatabaseLocked { .. } => ErrorCode::DatabaseLocked,
            Error::ReadOnly { .. } => ErrorCode::ReadOnly,
        #[cfg(feature = "runtime")]
            Error::Storage { .. } => ErrorCode::Storage,
            Error::StorageFailed { .. } => ErrorCode::Storage,
            Error::DiskFull { .. } => ErrorCode::DiskFull,
            Error::Corrupt { .. } => ErrorCode::Corrupt,
            Error::Io { .. } => ErrorCode::Io,
            Error::Conflict(_) => ErrorCode::Conflict,
            Error::Cancelled(_) => ErrorCode::Cancelled,
            Error::NoScheme(_) => ErrorCode::NoScheme,
            Error::NoSecret(_) => ErrorCode::NoSecret,
            Error::CannotSign(_) => ErrorCode::CannotSign,
            Error::NotListening(_) => ErrorCode::NotListening,
            Error::Send(_) => ErrorCode::Io,
            Error::Internal(_) => ErrorCode::Internal,
        }
    }

    /// Classifies a SQLite error on the database at `path` into the cause a user can act on.
    #[cfg(feature = "runtime")]
    pub fn from_sqlite(path: &std::path::Path, source: rusqlite::Error) -> Error {
        use rusqlite::ffi::ErrorCode as C;
        let file = path;
        let path = path.display().to_string();
        match source.sqlite_error_code() {
            Some(C::DatabaseBusy) | Some(C::DatabaseLocked) => Error::DatabaseLocked { path },
            Some(C::ReadOnly) => Error::ReadOnly { path },
            // A WAL database in a directory (or on a filesystem) it may not write cannot even be
            // read: SQLite says "unable to open"; the user needs to hear "read-only".
            Some(C::CannotOpen) if !crate::store::writable(file) => Error::ReadOnly { path },
            Some(C::DiskFull) => Error::DiskFull { path },
            Some(C::DatabaseCorrupt) | Some(C::NotADatabase) => Error::Corrupt { path, detail: source.to_string() },
            _ => Error::Storage { path, source },
        }
    }

    /// A copy of this error for fanning one failure out to several waiters (the cause of
    /// `Storage` and `Io` is kept as text).
    pub fn replicate(&self) -> Error {
        match self {
            Error::NotFound(m) => Error::NotFound(m.clone()),
            Error::InvalidInput(m) => Error::InvalidInput(m.clone()),
            Error::PortInUse { bind, port } => Error::PortInUse { bind: bind.clone(), port: *port },
            Error::DatabaseLocked { path } => Error::DatabaseLocked { path: path.clone() },
            Error::ReadOnly { path } => Error::ReadOnly { path: path.clone() },
            Error::Conflict(m) => Error::Conflict(m.clone()),
            Error::Cancelled(m) => Error::Cancelled(m.clone()),
            Error::NoScheme(m) => Error::NoScheme(m.clone()),
            Error::NoSecret(m) => Error::NoSecret(m.clone()),
            Error::CannotSign(m) => Error::CannotSign(m.clone()),
            Error::NotListening(m) => Error::NotListening(m.clone()),
            Error::Send(m) => Error::Send(m.clone()),
            Error::DiskFull { path } => Error::DiskFull { path: path.clone() },
            Error::Corrupt { path, detail } => Error::Corrupt { path: path.clone(), detail: detail.clone() },
        #[cfg(feature = "runtime")]
            Error::Storage { path, source } => Error::StorageFailed { path: path.clone(), message: source.to_string() },
            Error::StorageFailed { path, message } => Error::StorageFailed { path: path.clone(), message: message.clone() },
            Error::Io { .. } | Error::Internal(_) => Error::Internal(self.to_string()),
        }
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Error {
        Error::Io { context: context.into(), source }
    }
}

impl From<crate::signature::SignatureError> for Error {
    /// Signing errors: a scheme that cannot sign and a missing secret get their own codes; the
    /// rest (bad option, unusable secret, missing message id) are invalid input.
    fn from(e: crate::signature::SignatureError) -> Self {
        use crate::signature::SignatureError as S;
        match e {
            S::CannotSign { scheme, reason } => {
                Error::CannotSign(format!("{} cannot sign: {reason}", scheme.label()))
            }
            S::NoSuchSecret { count: 0, .. } => {
                Error::NoSecret("no secret to sign with: give one (--secret S) or configure one on the endpoint".into())
            }
            e => Error::InvalidInput(e.to_string()),
        }
    }
}

impl From<crate::diff::DiffError> for Error {
    fn from(e: crate::diff::DiffError) -> Self {
        match e {
            crate::diff::DiffError::Cancelled => Error::Cancelled("the diff was cancelled".into()),
            e @ crate::diff::DiffError::InvalidIgnorePath { .. } => Error::InvalidInput(e.to_string()),
        }
    }
}
