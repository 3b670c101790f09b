//! Endpoint signature settings (`endpoints.signature_*` columns) and their secrets
//! (`endpoint_secrets`): each secret row holds either the value (kept in the database) or the
//! name of its OS keyring entry (`keyring_ref`; the engine reads the keyring). Secrets are read
//! here only to hand them to the engine; this module must not log them.

use std::collections::BTreeMap;

use rusqlite::{params, Connection};

use crate::model::{EndpointSignature, SecretHome, StoredSecret};
use crate::signature::{SchemeId, Secret};

/// A scheme id as stored (`"stripe"`), via its serde name.
pub(crate) fn scheme_text(s: SchemeId) -> String {
    enum_text(&s)
}

pub(crate) fn enum_text<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

pub(crate) fn parse_enum<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}

/// Every endpoint's signature settings, by endpoint name.
pub fn all(conn: &Connection) -> rusqlite::Result<BTreeMap<String, EndpointSignature>> {
    let mut out = BTreeMap::new();
    let mut stmt = conn.prepare_cached("SELECT name, signature_scheme, signature_options FROM endpoints")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, String>(2)?))
    })?;
    for row in rows {
        let (name, scheme, options) = row?;
        out.insert(
            name,
            EndpointSignature {
                scheme: scheme.as_deref().and_then(parse_enum),
                secrets: Vec::new(),
                options: serde_json::from_str(&options).unwrap_or_default(),
            },
        );
    }
    let mut stmt =
        conn.prepare_cached("SELECT endpoint, secret, keyring_ref FROM endpoint_secrets ORDER BY endpoint, idx")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?))
    })?;
    for row in rows {
        let (endpoint, secret, keyring_ref) = row?;
        if let Some(sig) = out.get_mut(&endpoint) {
            sig.secrets.push(match keyring_ref {
                Some(key) => StoredSecret { home: SecretHome::Keyring(key), value: None, problem: None },
                None => StoredSecret::in_database(Secret::new(secret)),
            });
        }
    }
    Ok(out)
}

/// The keyring entry names of `endpoint`'s secrets.
pub fn keyring_refs(conn: &Connection, endpoint: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT keyring_ref FROM endpoint_secrets WHERE endpoint = ?1 AND keyring_ref IS NOT NULL ORDER BY idx",
    )?;
    let refs = stmt.query_map([endpoint], |r| r.get(0))?.collect();
    refs
}

/// Secrets whose value is in the database: `(endpoint, idx, value)`.
pub fn database_secrets(conn: &Connection) -> rusqlite::Result<Vec<(String, u32, Secret)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT endpoint, idx, secret FROM endpoint_secrets WHERE keyring_ref IS NULL ORDER BY endpoint, idx",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, Secret::new(r.get::<_, String>(2)?))))?.collect();
    rows
}

/// Replaces a database-held secret by its keyring entry name, only if the row still holds
/// `value` (another process may have changed it meanwhile). The old value is overwritten on
/// disk (`secure_delete`), not merely unlinked. Returns whether the row was moved.
pub fn move_to_keyring(
    conn: &mut Connection,
    endpoint: &str,
    idx: u32,
    value: &Secret,
    key: &str,
) -> rusqlite::Result<bool> {
    let n = super::overwriting(conn, |c| {
        c.execute(
            "UPDATE endpoint_secrets SET secret = '', keyring_ref = ?4
             WHERE endpoint = ?1 AND idx = ?2 AND secret = ?3 AND keyring_ref IS NULL",
            params![endpoint, idx, value.expose(), key],
        )
    })?;
    Ok(n == 1)
}

/// Sets `endpoint`'s scheme and options and, when `secrets` is given, replaces its secrets.
/// Returns `None` when there is no such endpoint, else the keyring entry names that the
/// endpoint no longer uses (for the engine to delete from the keyring).
pub fn set(
    conn: &mut Connection,
    endpoint: &str,
    scheme: Option<SchemeId>,
    options: &BTreeMap<String, String>,
    secrets: Option<&[StoredSecret]>,
) -> rusqlite::Result<Option<Vec<String>>> {
    // Replaced values are overwritten on disk, not merely unlinked.
    super::overwriting(conn, |c| {
        let tx = c.transaction()?;
        let n = tx.execute(
            "UPDATE endpoints SET signature_scheme = ?2, signature_options = ?3 WHERE name = ?1",
            params![
                endpoint,
                scheme.map(scheme_text),
                serde_json::to_string(options).unwrap_or_else(|_| "{}".into())
            ],
        )?;
        if n == 0 {
            return Ok(None);
        }
        let mut unused = Vec::new();
        if let Some(secrets) = secrets {
            unused = keyring_refs(&tx, endpoint)?;
            tx.execute("DELETE FROM endpoint_secrets WHERE endpoint = ?1", [endpoint])?;
            for (i, s) in secrets.iter().enumerate() {
                let (value, keyring_ref) = match (&s.home, &s.value) {
                    (SecretHome::Keyring(key), _) => ("", Some(key.as_str())),
                    (SecretHome::Database, Some(v)) => (v.expose(), None),
                    (SecretHome::Database, None) => continue,
                };
                unused.retain(|k| Some(k.as_str()) != keyring_ref);
                tx.execute(
                    "INSERT INTO endpoint_secrets (endpoint, idx, secret, keyring_ref) VALUES (?1, ?2, ?3, ?4)",
                    params![endpoint, i as i64, value, keyring_ref],
                )?;
            }
        }
        tx.commit()?;
        Ok(Some(unused))
    })
}

/// Forgets the secrets of a removed endpoint.
pub fn forget(conn: &Connection, endpoint: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM endpoint_secrets WHERE endpoint = ?1", [endpoint])?;
    Ok(())
}
