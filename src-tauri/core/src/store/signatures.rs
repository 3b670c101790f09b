//! Endpoint signature settings (`endpoints.signature_*` columns) and their secrets
//! (`endpoint_secrets`). Secrets are read here only to hand them to the verifier; this module
//! must not log them or return them anywhere but to the engine.

use std::collections::BTreeMap;

use rusqlite::{params, Connection};

use crate::model::EndpointSignature;
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
    let mut stmt = conn.prepare_cached("SELECT endpoint, secret FROM endpoint_secrets ORDER BY endpoint, idx")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    for row in rows {
        let (endpoint, secret) = row?;
        if let Some(sig) = out.get_mut(&endpoint) {
            sig.secrets.push(Secret::new(secret));
        }
    }
    Ok(out)
}

/// Sets `endpoint`'s scheme and options and, when `secrets` is given, replaces its secrets.
/// Returns false when there is no such endpoint.
pub fn set(
    conn: &mut Connection,
    endpoint: &str,
    scheme: Option<SchemeId>,
    options: &BTreeMap<String, String>,
    secrets: Option<&[Secret]>,
) -> rusqlite::Result<bool> {
    let tx = conn.transaction()?;
    let n = tx.execute(
        "UPDATE endpoints SET signature_scheme = ?2, signature_options = ?3 WHERE name = ?1",
        params![
            endpoint,
            scheme.map(scheme_text),
            serde_json::to_string(options).unwrap_or_else(|_| "{}".into())
        ],
    )?;
    if n == 0 {
        return Ok(false);
    }
    if let Some(secrets) = secrets {
        tx.execute("DELETE FROM endpoint_secrets WHERE endpoint = ?1", [endpoint])?;
        for (i, s) in secrets.iter().enumerate() {
            tx.execute(
                "INSERT INTO endpoint_secrets (endpoint, idx, secret) VALUES (?1, ?2, ?3)",
                params![endpoint, i as i64, s.expose()],
            )?;
        }
    }
    tx.commit()?;
    Ok(true)
}

/// Forgets the secrets of a removed endpoint.
pub fn forget(conn: &Connection, endpoint: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM endpoint_secrets WHERE endpoint = ?1", [endpoint])?;
    Ok(())
}
