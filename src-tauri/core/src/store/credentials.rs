//! The `credentials` table: tokens the app needs to act for the user (e.g. the ngrok auth
//! token), kept apart from plain settings. A row holds either the value or the name of its OS
//! keyring entry (`keyring_ref`). Values are never listed, only fetched by name.

use rusqlite::{params, Connection, OptionalExtension};

use crate::model::{SecretHome, StoredSecret};
use crate::signature::Secret;

pub const NGROK_AUTHTOKEN: &str = "ngrok.authtoken";

/// The credential `name`: its value when the database holds it, else its keyring entry name.
pub fn get(conn: &Connection, name: &str) -> rusqlite::Result<Option<StoredSecret>> {
    conn.query_row("SELECT value, keyring_ref FROM credentials WHERE name = ?1", [name], |r| {
        Ok(match r.get::<_, Option<String>>(1)? {
            Some(key) => StoredSecret { home: SecretHome::Keyring(key), value: None, problem: None },
            None => StoredSecret::in_database(Secret::new(r.get::<_, String>(0)?)),
        })
    })
    .optional()
}

/// Saves the credential; returns the keyring entry name it replaced, if any.
pub fn set(conn: &mut Connection, name: &str, stored: &StoredSecret) -> rusqlite::Result<Option<String>> {
    let old = keyring_ref(conn, name)?;
    let (value, keyring_ref) = match (&stored.home, &stored.value) {
        (SecretHome::Keyring(key), _) => ("", Some(key.as_str())),
        (SecretHome::Database, Some(v)) => (v.expose(), None),
        (SecretHome::Database, None) => return Ok(None),
    };
    super::overwriting(conn, |c| {
        c.execute(
            "INSERT INTO credentials (name, value, keyring_ref) VALUES (?1, ?2, ?3)
             ON CONFLICT (name) DO UPDATE SET value = ?2, keyring_ref = ?3",
            params![name, value, keyring_ref],
        )
    })?;
    Ok(old.filter(|k| Some(k.as_str()) != keyring_ref))
}

/// Forgets the credential; returns its keyring entry name, if it had one.
pub fn remove(conn: &mut Connection, name: &str) -> rusqlite::Result<Option<String>> {
    let old = keyring_ref(conn, name)?;
    super::overwriting(conn, |c| c.execute("DELETE FROM credentials WHERE name = ?1", [name]))?;
    Ok(old)
}

fn keyring_ref(conn: &Connection, name: &str) -> rusqlite::Result<Option<String>> {
    Ok(conn
        .query_row("SELECT keyring_ref FROM credentials WHERE name = ?1", [name], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten())
}

/// Replaces a database-held credential by its keyring entry name, only if the row still holds
/// `value` (another process may have changed it meanwhile); the old value is overwritten on
/// disk. Returns whether the row was moved.
pub fn move_to_keyring(conn: &mut Connection, name: &str, value: &Secret, key: &str) -> rusqlite::Result<bool> {
    let n = super::overwriting(conn, |c| {
        c.execute(
            "UPDATE credentials SET value = '', keyring_ref = ?3 WHERE name = ?1 AND value = ?2 AND keyring_ref IS NULL",
            params![name, value.expose(), key],
        )
    })?;
    Ok(n == 1)
}
