//! Where the engine keeps the user's secrets (endpoint signing secrets, the ngrok token): in
//! the OS keyring when one answers, else in the database. [`crate::keyring`] speaks to the
//! keyring and [`crate::store`] to the database; this module decides which one holds a value,
//! reads values back (cached per process), and moves database-held secrets into the keyring
//! once one is available. A failed keyring read is retried at most every [`RETRY_UNREADABLE`],
//! so a locked keyring is not asked (and its unlock prompt not raised) in a loop.
//! This module must not log values or hand them to anything but the engine.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::Inner;
use crate::error::Result;
use crate::keyring::{self, Keyring, KeyringError, KeyringMode, KeyringStatus};
use crate::model::{SecretHome, StoredSecret};
use crate::signature::Secret;
use crate::store::{credentials, keyring_trash, signatures as sig_store};

/// How long a keyring entry that could not be read is left alone before the next attempt.
const RETRY_UNREADABLE: Duration = Duration::from_secs(60);

/// The engine's secret placement: the keyring handle and what was read from it.
pub(crate) struct Vault {
    keyring: Keyring,
    /// Values read from (or written to) the keyring, by entry name.
    known: Mutex<HashMap<String, Secret>>,
    /// Entries that could not be read: when, and why.
    unreadable: Mutex<HashMap<String, (Instant, String)>>,
}

impl Vault {
    pub(crate) fn new(mode: KeyringMode) -> Vault {
        Vault { keyring: Keyring::new(mode), known: Mutex::default(), unreadable: Mutex::default() }
    }

    /// Whether the keyring answers, and which one (or why none).
    pub(crate) fn status(&self) -> KeyringStatus {
        self.keyring.status()
    }

    /// Puts a new secret in the keyring (labelled for the keyring's own UI) or, when none
    /// answers, keeps it for the database.
    pub(crate) fn place(&self, label: &str, value: Secret) -> StoredSecret {
        if self.keyring.mode() == KeyringMode::Off {
            return StoredSecret::in_database(value);
        }
        let key = keyring::new_key();
        match self.keyring.put(&key, label, &value) {
            Ok(()) => {
                self.known.lock().unwrap().insert(key.clone(), value.clone());
                StoredSecret { home: SecretHome::Keyring(key), value: Some(value), problem: None }
            }
            Err(e) => {
                tracing::warn!("{label}: kept in the database ({e})");
                StoredSecret::in_database(value)
            }
        }
    }

    /// Fills in the value of a keyring-held secret, or says why it cannot be read.
    pub(crate) fn read(&self, s: &mut StoredSecret) {
        let SecretHome::Keyring(key) = &s.home else { return };
        if s.value.is_some() {
            return;
        }
        if let Some(v) = self.known.lock().unwrap().get(key) {
            s.value = Some(v.clone());
            return;
        }
        if let Some((when, why)) = self.unreadable.lock().unwrap().get(key) {
            if when.elapsed() < RETRY_UNREADABLE {
                s.problem = Some(why.clone());
                return;
            }
        }
        match self.keyring.get(key) {
            Ok(v) => {
                self.unreadable.lock().unwrap().remove(key);
                self.known.lock().unwrap().insert(key.clone(), v.clone());
                s.value = Some(v);
            }
            Err(e) => {
                let why = format!("cannot be read: {e}");
                self.unreadable.lock().unwrap().insert(key.clone(), (Instant::now(), why.clone()));
                s.problem = Some(why);
            }
        }
    }

    /// Deletes keyring entries nothing refers to any more; returns those the keyring did not
    /// let go of (locked, not answering), for the caller to retry later.
    fn delete(&self, keys: &[String]) -> Vec<String> {
        let mut kept = Vec::new();
        for key in keys {
            self.known.lock().unwrap().remove(key);
            match self.keyring.delete(key) {
                Ok(()) | Err(KeyringError::Missing(_)) => {}
                Err(KeyringError::Unavailable(_)) if self.keyring.mode() == KeyringMode::Off => kept.push(key.clone()),
                Err(e) => {
                    tracing::warn!("could not delete an unused keyring entry (will retry at the next start): {e}");
                    kept.push(key.clone());
                }
            }
        }
        kept
    }
}

/// The keyring label of an endpoint's secret (seen in Seahorse and the like).
pub(crate) fn endpoint_secret_label(endpoint: &str) -> String {
    format!("Hookloupe: signing secret of endpoint {endpoint}")
}

const NGROK_TOKEN_LABEL: &str = "Hookloupe: ngrok auth token";

impl Inner {
    /// Deletes keyring entries nothing refers to any more; those the keyring does not let go
    /// of now are remembered in the database and deleted at the next start.
    pub(super) fn discard(&self, keys: &[String]) {
        let kept = self.vault.delete(keys);
        if !kept.is_empty() {
            if let Err(e) = self.store.with(|c| keyring_trash::add(c, &kept)) {
                tracing::warn!("could not remember {} keyring entries to delete later: {e}", kept.len());
            }
        }
    }

    /// Deletes the keyring entries of secrets that were placed but never saved.
    pub(super) fn discard_placed(&self, placed: &[StoredSecret]) {
        let keys: Vec<String> = placed
            .iter()
            .filter_map(|s| match &s.home {
                SecretHome::Keyring(k) => Some(k.clone()),
                SecretHome::Database => None,
            })
            .collect();
        self.discard(&keys);
    }

    /// At open: deletes keyring entries left over from earlier failures, then moves secrets the
    /// database holds into the keyring when one answers.
    pub(super) fn tidy_secrets(&self) -> Result<()> {
        if self.vault.keyring.mode() == KeyringMode::Off {
            return Ok(());
        }
        let trash = self.store.with(|c| keyring_trash::list(c))?;
        for key in trash {
            // Referenced again (another process reused it)? Then it is not trash.
            if self.store.with(|c| keyring_trash::in_use(c, &key))? || self.vault.delete(std::slice::from_ref(&key)).is_empty() {
                self.store.with(|c| keyring_trash::remove(c, &key))?;
            }
        }
        self.move_secrets_to_keyring()?;
        Ok(())
    }

    /// Moves secrets the database holds into the OS keyring, when one answers (a database
    /// written with `HOOKLOUPE_KEYRING=off` or without a keyring is thereby upgraded). Rows
    /// changed meanwhile by another process are left as they are.
    fn move_secrets_to_keyring(&self) -> Result<usize> {
        let secrets = self.store.with(|c| sig_store::database_secrets(c))?;
        let token = self
            .store
            .with(|c| credentials::get(c, credentials::NGROK_AUTHTOKEN))?
            .filter(|t| t.home == SecretHome::Database)
            .and_then(|t| t.value);
        if secrets.is_empty() && token.is_none() {
            return Ok(0);
        }
        if !self.vault.status().available {
            return Ok(0);
        }
        let mut moved = 0;
        let moves = secrets
            .into_iter()
            .map(|(endpoint, idx, value)| (endpoint_secret_label(&endpoint), Some((endpoint, idx)), value))
            .chain(token.map(|t| (NGROK_TOKEN_LABEL.to_owned(), None, t)));
        for (label, row, value) in moves {
            let placed = self.vault.place(&label, value.clone());
            let SecretHome::Keyring(key) = &placed.home else { break };
            let done = self.store.with(|c| match &row {
                Some((endpoint, idx)) => sig_store::move_to_keyring(c, endpoint, *idx, &value, key),
                None => credentials::move_to_keyring(c, credentials::NGROK_AUTHTOKEN, &value, key),
            });
            match done {
                Ok(true) => moved += 1,
                Ok(false) => self.discard(std::slice::from_ref(key)),
                Err(e) => {
                    self.discard(std::slice::from_ref(key));
                    return Err(e);
                }
            }
        }
        if moved > 0 {
            tracing::info!("moved {moved} secret(s) from the database into the OS keyring");
        }
        Ok(moved)
    }

    /// Saves (`Some`) or forgets (`None`) the ngrok token, in the keyring when one answers.
    pub(super) fn save_ngrok_token(&self, token: Option<Secret>) -> Result<()> {
        let old = match token {
            Some(t) => {
                let placed = self.vault.place(NGROK_TOKEN_LABEL, t);
                match self.store.with(|c| credentials::set(c, credentials::NGROK_AUTHTOKEN, &placed)) {
                    Ok(old) => old,
                    Err(e) => {
                        self.discard_placed(std::slice::from_ref(&placed));
                        return Err(e);
                    }
                }
            }
            None => self.store.with(|c| credentials::remove(c, credentials::NGROK_AUTHTOKEN))?,
        };
        self.discard(&old.into_iter().collect::<Vec<_>>());
        Ok(())
    }

    /// The saved ngrok token: `Ok(None)` when none is saved; its keyring problem as `Err`.
    pub(super) fn ngrok_token(&self) -> Result<std::result::Result<Option<Secret>, String>> {
        let Some(mut stored) = self.store.with(|c| credentials::get(c, credentials::NGROK_AUTHTOKEN))? else {
            return Ok(Ok(None));
        };
        self.vault.read(&mut stored);
        Ok(match (stored.value, stored.problem) {
            (Some(v), _) => Ok(Some(v)),
            (None, problem) => Err(problem.unwrap_or_else(|| "the saved ngrok token cannot be read".into())),
        })
    }
}
