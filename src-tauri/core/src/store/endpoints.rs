//! The `endpoints` table: named path prefixes and how they answer.

use rusqlite::{params, Connection, OptionalExtension};

use crate::model::{Endpoint, ResponseRule};

pub fn list(conn: &Connection) -> rusqlite::Result<Vec<Endpoint>> {
    let mut stmt = conn.prepare_cached(
        "SELECT name, path_prefix, response_status, response_headers, response_body, response_delay_ms
         FROM endpoints ORDER BY name = 'default' DESC, name",
    )?;
    let rows = stmt.query_map([], |r| {
        let headers: String = r.get(3)?;
        Ok(Endpoint {
            name: r.get(0)?,
            path_prefix: r.get(1)?,
            response: ResponseRule {
                status: r.get(2)?,
                headers: serde_json::from_str(&headers).unwrap_or_default(),
                body: r.get(4)?,
                delay_ms: r.get::<_, i64>(5)? as u64,
            },
        })
    })?;
    rows.collect()
}

/// Inserts or replaces the endpoint called `e.name`. Fails with a constraint error when another
/// endpoint already has the same prefix.
pub fn upsert(conn: &Connection, e: &Endpoint) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO endpoints (name, path_prefix, response_status, response_headers, response_body, response_delay_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (name) DO UPDATE SET path_prefix = ?2, response_status = ?3, response_headers = ?4,
             response_body = ?5, response_delay_ms = ?6",
        params![
            e.name,
            e.path_prefix,
            e.response.status,
            serde_json::to_string(&e.response.headers).unwrap_or_else(|_| "[]".into()),
            e.response.body,
            e.response.delay_ms as i64,
        ],
    )?;
    Ok(())
}

pub fn name_for_prefix(conn: &Connection, prefix: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT name FROM endpoints WHERE path_prefix = ?1", [prefix], |r| r.get(0))
        .optional()
}

/// Removes the endpoint and its secrets (their database copies overwritten on disk).
pub fn remove(conn: &mut Connection, name: &str) -> rusqlite::Result<bool> {
    super::overwriting(conn, |c| {
        super::signatures::forget(c, name)?;
        Ok(c.execute("DELETE FROM endpoints WHERE name = ?1", [name])? > 0)
    })
}
