//! SQLite persistence: the only module that speaks SQL or touches rusqlite.
//!
//! One database file in WAL mode, shared by the desktop app and the CLI at the same time.
//! Captures are written by a single writer thread that commits in batches ([`writer`]) and
//! acknowledges each capture only after its batch is durable. Everything else (reads,
//! endpoints, settings, deletes) goes through [`Store`], a small synchronous handle; async
//! callers use `spawn_blocking`. Schema changes are embedded, append-only migrations
//! ([`migrate`]). This module must not know about HTTP or the UI.

pub mod bulk;
pub mod captures;
pub mod capture_text;
pub mod credentials;
pub mod deliveries;
pub mod diff_rules;
pub mod drafts;
pub mod endpoints;
pub mod keyring_trash;
pub mod outbox;
pub mod rules;
mod migrate;
pub mod saved_filters;
pub mod search;
pub mod settings;
pub mod share;
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
        // Before SQLite sees it: SQLite would open a file that is not a database and, closing it,
        // delete or checkpoint a `-wal` file beside it. Such a file is refused untouched.
        if let Some(detail) = not_a_database(path) {
            return Err(Error::Corrupt { path: path.display().to_string(), detail });
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

/// Why the file at `path` is not an SQLite database (its first 16 bytes are not SQLite's header),
/// or `None` when it is one, is empty (SQLite makes a new one there) or does not exist.
fn not_a_database(path: &Path) -> Option<String> {
    use std::io::Read;
    const HEADER: &[u8; 16] = b"SQLite format 3\0";
    let mut head = Vec::with_capacity(16);
    let file = std::fs::File::open(path).ok()?;
    file.take(16).read_to_end(&mut head).ok()?;
    (!head.is_empty() && head != HEADER).then(|| "file is not a database".to_string())
}

/// Whether this process may write the database file and create files beside it (the journal):
/// when SQLite "cannot open" a database, this tells a read-only one from other causes.
/// `access(2)` also answers for root, for whom only a read-only filesystem says no.
#[cfg(unix)]
pub(crate) fn writable(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let may_write = |p: &Path| {
        let Ok(c) = std::ffi::CString::new(p.as_os_str().as_bytes()) else { return true };
        // SAFETY: `c` is a NUL-terminated path that lives across the call.
        unsafe { libc::access(c.as_ptr(), libc::W_OK) == 0 }
    };
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    may_write(dir) && (!path.exists() || may_write(path))
}

#[cfg(not(unix))]
pub(crate) fn writable(path: &Path) -> bool {
    std::fs::metadata(path).map(|m| !m.permissions().readonly()).unwrap_or(true)
}

/// Moves a database that cannot be used out of the way so that a new one can start — never
/// deleting or overwriting anything: `hookloupe.db` becomes `hookloupe.db.corrupt-20260314-101500`,
/// its `-wal` and `-shm` files follow under the same new name (so the set still opens together),
/// and a name already taken gets `-2`, `-3`… `now` names the copy. Returns the database's new path.
pub fn set_aside(path: &Path, now: std::time::SystemTime) -> Result<PathBuf> {
    const SIDE_FILES: [&str; 2] = ["-wal", "-shm"];
    let with = |p: &Path, suffix: &str| {
        let mut s = p.as_os_str().to_owned();
        s.push(suffix);
        PathBuf::from(s)
    };
    let taken = |p: &Path| p.symlink_metadata().is_ok();
    if !taken(path) {
        return Err(Error::NotFound(format!("there is no database at {}", path.display())));
    }
    let stamp = chrono::DateTime::<chrono::Utc>::from(now).format("%Y%m%d-%H%M%S").to_string();
    let target = (1..)
        .map(|n| with(path, &if n == 1 { format!(".corrupt-{stamp}") } else { format!(".corrupt-{stamp}-{n}") }))
        .find(|t| !taken(t) && SIDE_FILES.iter().all(|s| !taken(&with(t, s))))
        .expect("an unused name");
    let moved = |from: &Path, to: &Path| {
        std::fs::rename(from, to)
            .map_err(|e| Error::io(format!("cannot move {} to {}", from.display(), to.display()), e))
    };
    moved(path, &target)?;
    for s in SIDE_FILES {
        let side = with(path, s);
        if taken(&side) {
            moved(&side, &with(&target, s))?;
        }
    }
    Ok(target)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> std::time::SystemTime {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc().into()
    }

    #[test]
    fn set_aside_moves_the_database_and_its_journal_under_one_new_name_and_overwrites_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("hookloupe.db");
        let junk = b"not a database \x00\xff".repeat(50);
        std::fs::write(&db, &junk).unwrap();
        std::fs::write(dir.path().join("hookloupe.db-wal"), b"wal bytes").unwrap();
        std::fs::write(dir.path().join("hookloupe.db-shm"), b"shm bytes").unwrap();
        let moved = set_aside(&db, at("2026-03-14T10:15:00Z")).unwrap();
        assert_eq!(moved, dir.path().join("hookloupe.db.corrupt-20260314-101500"));
        assert_eq!(std::fs::read(&moved).unwrap(), junk, "bytes intact");
        assert_eq!(std::fs::read(dir.path().join("hookloupe.db.corrupt-20260314-101500-wal")).unwrap(), b"wal bytes");
        assert_eq!(std::fs::read(dir.path().join("hookloupe.db.corrupt-20260314-101500-shm")).unwrap(), b"shm bytes");
        assert!(!db.exists() && !dir.path().join("hookloupe.db-wal").exists() && !dir.path().join("hookloupe.db-shm").exists());

        // The same second again (a second bad file): a new name, the first copy untouched.
        std::fs::write(&db, b"second").unwrap();
        let again = set_aside(&db, at("2026-03-14T10:15:00Z")).unwrap();
        assert_eq!(again, dir.path().join("hookloupe.db.corrupt-20260314-101500-2"));
        assert_eq!(std::fs::read(&again).unwrap(), b"second");
        assert_eq!(std::fs::read(&moved).unwrap(), junk);
        assert!(!dir.path().join("hookloupe.db.corrupt-20260314-101500-2-wal").exists(), "no journal, none made up");

        // Then a new database opens where the old one was.
        Store::open(&db).unwrap();
        assert_eq!(set_aside(&dir.path().join("missing.db"), at("2026-03-14T10:15:00Z")).unwrap_err().code(), crate::ErrorCode::NotFound);
    }
}
