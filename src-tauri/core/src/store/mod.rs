//! SQLite persistence: the only module that speaks SQL or touches rusqlite.
//!
//! One database file in WAL mode, shared by the desktop app and the CLI at the same time.
//! Captures are written by a single writer thread that commits in batches ([`writer`]) and
//! acknowledges each capture only after its batch is durable. Everything else (reads,
//! endpoints, settings, deletes) goes through [`Store`], a small synchronous handle; async
//! callers use `spawn_blocking`. Schema changes are embedded, append-only migrations
//! ([`migrate`]). This module must not know about HTTP or the UI.

pub mod captures;
pub mod credentials;
pub mod deliveries;
pub mod diff_rules;
pub mod drafts;
pub mod endpoints;
pub mod keyring_trash;
pub mod outbox;
pub mod rules;
mod migrate;
pub mod settings;
pub mod signatures;
pub mod writer;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, Result};

/// How long a statement waits for another process's lock before failing with `database_locked`.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// A synchronous handle for reads and rare writes. The connection is behind a mutex because
/// rusqlite connections are `Send` but not `Sync`.
pub struct Store {
    path: PathBuf,
    conn: Mutex<Connection>,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::io(format!("cannot create the data directory {}", dir.display()), e))?;
        }
        let conn = connect(path)?;
        migrate::run(&conn).map_err(|e| Error::from_sqlite(path, e))?;
        Ok(Store { path: path.to_owned(), conn: Mutex::new(conn) })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` with the connection, mapping SQLite errors to user-facing causes.
    pub fn with<T>(&self, f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>) -> Result<T> {
        let mut conn = self.conn.lock().map_err(|_| Error::Internal("store connection poisoned".into()))?;
        f(&mut conn).map_err(|e| Error::from_sqlite(&self.path, e))
    }
}

/// Opens a connection with the pragmas every Hookloupe connection uses.
pub(crate) fn connect(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| Error::from_sqlite(path, e))?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| Error::from_sqlite(path, e))?;
    let read_only = conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false);
    if !read_only {
        // WAL lets the app and the CLI read while a listener writes; FULL makes each commit
        // durable before the HTTP reply (group commit keeps that cheap).
        conn.pragma_update(None, "journal_mode", "WAL").map_err(|e| Error::from_sqlite(path, e))?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(|e| Error::from_sqlite(path, e))?;
    }
    Ok(conn)
}

/// Runs `f` with SQLite's `secure_delete` on, so that what it deletes or replaces (a secret's
/// old value) is overwritten on disk rather than merely unlinked, then checkpoints the WAL into
/// the database file and truncates it (older WAL frames would still hold the old page). Both
/// steps after `f` are best effort: `f`'s own result is what counts (it may have committed).
/// Captures are deleted in bulk and need no such care, so `secure_delete` is turned off again.
pub(crate) fn overwriting<T>(
    conn: &mut Connection,
    f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    conn.pragma_update(None, "secure_delete", true)?;
    let done = f(conn);
    if let Err(e) = conn.pragma_update(None, "secure_delete", false) {
        tracing::warn!("could not turn secure_delete off again: {e}");
    }
    if done.is_ok() {
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())) {
            tracing::warn!("could not checkpoint the WAL after overwriting a secret: {e}");
        }
    }
    done
}
