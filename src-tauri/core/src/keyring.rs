//! The OS keyring as the home of the secrets Hookloupe keeps for the user (endpoint signing
//! secrets, the ngrok token). On Linux that is the freedesktop Secret Service (GNOME Keyring,
//! KWallet, KeePassXC…), reached over D-Bus without C libraries.
//!
//! Entries are named by an opaque random key that the database keeps in place of the value
//! ([`new_key`]); the value itself lives only in the keyring. Every call goes through one
//! worker thread, connected on first use, and gives up after [`ANSWER_WITHIN`]: a locked
//! keyring waiting for its unlock prompt must not hang a request or a command. When no keyring
//! answers (no session bus, a headless server, `HOOKLOUPE_KEYRING=off`) callers get
//! [`KeyringError::Unavailable`] and keep the secret in the database instead. This module knows
//! nothing of endpoints or SQL, and must never log a value.

use std::collections::HashMap;
use std::fmt;
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use crate::signature::Secret;

/// The keyring "service" of every Hookloupe entry (the app identifier).
pub const SERVICE: &str = "dev.hookloupe.app";
/// How long one keyring call may take before the caller gives up on it.
pub const ANSWER_WITHIN: Duration = Duration::from_secs(10);

/// Whether to use the OS keyring (hosts read `HOOKLOUPE_KEYRING`: `auto` or `off`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyringMode {
    /// Use the OS keyring when one answers, else the database.
    #[default]
    Auto,
    /// Keep secrets in the database (e.g. tests, or a machine whose keyring is unwanted).
    Off,
}

impl KeyringMode {
    /// Parses `auto` / `off` (also `on`, `1`, `0`, `false`, `true`).
    pub fn parse(s: &str) -> Option<KeyringMode> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "auto" | "on" | "1" | "true" | "yes" => Some(KeyringMode::Auto),
            "off" | "0" | "false" | "no" | "none" | "database" => Some(KeyringMode::Off),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyringError {
    /// No keyring to use: the reason in plain words.
    #[error("no OS keyring: {0}")]
    Unavailable(String),
    /// The database names an entry the keyring does not have (deleted outside Hookloupe?).
    #[error("the OS keyring has no entry {0} (was it deleted outside Hookloupe?)")]
    Missing(String),
    #[error("the OS keyring did not answer within {} s (is it locked, waiting for its password?)", ANSWER_WITHIN.as_secs())]
    Timeout,
    /// Locked, and its unlock prompt was dismissed (or cannot be shown).
    #[error("the OS keyring is locked: {0}")]
    Locked(String),
    #[error("the OS keyring refused: {0}")]
    Failed(String),
}

type Store = Arc<keyring_core::CredentialStore>;
type Job = Box<dyn FnOnce(&Result<Store, String>) + Send>;

/// How long a keyring that did not answer (locked, its unlock prompt dismissed or pending) is
/// left alone: calls meanwhile fail at once with the same reason, so one locked keyring costs
/// one wait and raises one prompt, not one per secret.
pub const STALL_FOR: Duration = Duration::from_secs(60);

/// A handle on the OS keyring; cheap to share, safe to call from any blocking thread.
pub struct Keyring {
    mode: KeyringMode,
    worker: Mutex<Option<mpsc::Sender<Job>>>,
    /// Since when, and why, the keyring is not answering (see [`STALL_FOR`]).
    stalled: Mutex<Option<(std::time::Instant, KeyringError)>>,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring").field("mode", &self.mode).finish_non_exhaustive()
    }
}

/// What the settings screen says about where secrets are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyringStatus {
    pub available: bool,
    /// The keyring's own description when available, else why there is none.
    pub detail: String,
}

impl Keyring {
    pub fn new(mode: KeyringMode) -> Keyring {
        Keyring { mode, worker: Mutex::new(None), stalled: Mutex::new(None) }
    }

    pub fn mode(&self) -> KeyringMode {
        self.mode
    }

    /// Whether a keyring answers (connects on first use).
    pub fn status(&self) -> KeyringStatus {
        match self.call(|store| Ok(store.vendor())) {
            Ok(vendor) => KeyringStatus { available: true, detail: describe(&vendor) },
            Err(e) => KeyringStatus { available: false, detail: e.to_string() },
        }
    }

    /// Stores `value` under `key`, labelled for the keyring's own UI (e.g. Seahorse).
    /// When the caller gave up waiting (see [`ANSWER_WITHIN`]) before the keyring answered, an
    /// entry written late is removed again: the caller has kept the value elsewhere.
    pub fn put(&self, key: &str, label: &str, value: &Secret) -> Result<(), KeyringError> {
        let (key, label, value) = (key.to_owned(), label.to_owned(), value.clone());
        let undo_key = key.clone();
        self.call_undoable(
            move |store| {
                let modifiers = HashMap::from([("label", label.as_str())]);
                let entry = store.build(SERVICE, &key, Some(&modifiers)).map_err(failed)?;
                entry.set_password(value.expose()).map_err(failed)
            },
            move |store| {
                if let Ok(entry) = store.build(SERVICE, &undo_key, None) {
                    let _ = entry.delete_credential();
                }
            },
        )
    }

    /// The value stored under `key`.
    pub fn get(&self, key: &str) -> Result<Secret, KeyringError> {
        let key = key.to_owned();
        self.call(move |store| {
            let entry = store.build(SERVICE, &key, None).map_err(failed)?;
            match entry.get_password() {
                Ok(v) => Ok(Secret::new(v)),
                Err(keyring_core::Error::NoEntry) => Err(KeyringError::Missing(key)),
                Err(e) => Err(failed(e)),
            }
        })
    }

    /// Removes the entry under `key`; an entry already gone is fine.
    pub fn delete(&self, key: &str) -> Result<(), KeyringError> {
        let key = key.to_owned();
        self.call(move |store| {
            let entry = store.build(SERVICE, &key, None).map_err(failed)?;
            match entry.delete_credential() {
                Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
                Err(e) => Err(failed(e)),
            }
        })
    }

    /// Runs `f` on the worker thread (started and connected on first use) and waits at most
    /// [`ANSWER_WITHIN`] for its answer.
    fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, KeyringError> + Send + 'static,
    ) -> Result<T, KeyringError> {
        self.call_undoable(f, |_| {})
    }

    /// Like [`Self::call`]; `undo` runs on the worker when `f` succeeded but its caller had
    /// already given up waiting.
    fn call_undoable<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, KeyringError> + Send + 'static,
        undo: impl FnOnce(&Store) + Send + 'static,
    ) -> Result<T, KeyringError> {
        if self.mode == KeyringMode::Off {
            return Err(KeyringError::Unavailable("turned off by HOOKLOUPE_KEYRING=off (or --keyring off)".into()));
        }
        if let Some((since, why)) = self.stalled.lock().unwrap().as_ref() {
            if since.elapsed() < STALL_FOR {
                return Err(why.clone());
            }
        }
        let (reply, answer) = mpsc::channel();
        let job: Job = Box::new(move |store| {
            let result = match store {
                Ok(store) => f(store),
                Err(why) => Err(KeyringError::Unavailable(why.clone())),
            };
            let done = result.is_ok();
            if reply.send(result).is_err() && done {
                if let Ok(store) = store {
                    undo(store);
                }
            }
        });
        let sender = {
            let mut slot = self.worker.lock().unwrap();
            slot.get_or_insert_with(start_worker).clone()
        };
        if sender.send(job).is_err() {
            return Err(KeyringError::Unavailable("the keyring worker stopped".into()));
        }
        let result = answer.recv_timeout(ANSWER_WITHIN).map_err(|e| match e {
            mpsc::RecvTimeoutError::Timeout => KeyringError::Timeout,
            mpsc::RecvTimeoutError::Disconnected => KeyringError::Failed("the keyring worker stopped".into()),
        });
        let result = result.and_then(|r| r);
        if let Err(e @ (KeyringError::Timeout | KeyringError::Locked(_))) = &result {
            *self.stalled.lock().unwrap() = Some((std::time::Instant::now(), e.clone()));
        }
        result
    }
}

/// The worker: connects once, then runs jobs in order until every sender is gone.
fn start_worker() -> mpsc::Sender<Job> {
    let (tx, rx) = mpsc::channel::<Job>();
    let spawned = std::thread::Builder::new().name("hookloupe-keyring".into()).spawn(move || {
        let store = connect();
        for job in rx {
            job(&store);
        }
    });
    if let Err(e) = spawned {
        tracing::warn!("cannot start the keyring thread: {e}");
    }
    tx
}

#[cfg(target_os = "linux")]
fn connect() -> Result<Store, String> {
    match zbus_secret_service_keyring_store::Store::new() {
        Ok(store) => Ok(store),
        Err(e) => Err(format!("no Secret Service answered on the session bus ({e})")),
    }
}

#[cfg(not(target_os = "linux"))]
fn connect() -> Result<Store, String> {
    Err("this build of Hookloupe uses the OS keyring only on Linux".into())
}

fn failed(e: keyring_core::Error) -> KeyringError {
    match e {
        keyring_core::Error::NoStorageAccess(e) => KeyringError::Locked(e.to_string()),
        e => KeyringError::Failed(e.to_string()),
    }
}

fn describe(vendor: &str) -> String {
    if vendor.contains("Secret Service") {
        "the Secret Service (GNOME Keyring, KWallet or KeePassXC)".into()
    } else {
        vendor.to_owned()
    }
}

/// A fresh entry name: 128 random bits as hex. Randomness is the caller's: it passes `bytes`.
pub fn key_from(bytes: [u8; 16]) -> String {
    format!("secret-{}", hex::encode(bytes))
}

/// A fresh entry name from the OS's random source.
pub fn new_key() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // Practically unreachable; time-based names are still unique per process and call.
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        bytes.copy_from_slice(&t.as_nanos().to_le_bytes());
    }
    key_from(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_mode_never_touches_the_keyring_and_says_why() {
        let k = Keyring::new(KeyringMode::Off);
        let err = k.put("x", "label", &Secret::new("v")).unwrap_err();
        assert!(matches!(err, KeyringError::Unavailable(ref why) if why.contains("HOOKLOUPE_KEYRING=off")), "{err}");
        assert!(k.worker.lock().unwrap().is_none(), "off mode must not start the worker");
        let status = k.status();
        assert!(!status.available);
        assert!(status.detail.contains("off"), "{}", status.detail);
    }

    #[test]
    fn modes_parse_from_the_environment_words() {
        assert_eq!(KeyringMode::parse("off"), Some(KeyringMode::Off));
        assert_eq!(KeyringMode::parse(" OFF "), Some(KeyringMode::Off));
        assert_eq!(KeyringMode::parse("auto"), Some(KeyringMode::Auto));
        assert_eq!(KeyringMode::parse(""), Some(KeyringMode::Auto));
        assert_eq!(KeyringMode::parse("sometimes"), None);
    }

    #[test]
    fn keys_are_hex_of_the_given_bytes_and_fresh_ones_differ() {
        assert_eq!(key_from([0xab; 16]), format!("secret-{}", "ab".repeat(16)));
        assert_ne!(new_key(), new_key());
    }
}
