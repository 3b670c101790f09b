//! The `diff_rules` table: ignore rules saved per endpoint for the payload diff.
//! It stores and loads rows; it must not compute defaults or validate patterns.

use rusqlite::{params, Connection, OptionalExtension};

/// Rules saved for one endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiffRules {
    pub ignore_paths: Vec<String>,
    pub ignore_headers: Vec<String>,
    pub array_key: Option<String>,
}

pub fn get(conn: &Connection, endpoint: &str) -> rusqlite::Result<Option<DiffRules>> {
    conn.query_row(
        "SELECT ignore_paths, ignore_headers, array_key FROM diff_rules WHERE endpoint = ?1",
        [endpoint],
        |r| {
            let paths: String = r.get(0)?;
            let headers: String = r.get(1)?;
            Ok(DiffRules {
                ignore_paths: serde_json::from_str(&paths).unwrap_or_default(),
                ignore_headers: serde_json::from_str(&headers).unwrap_or_default(),
                array_key: r.get(2)?,
            })
        },
    )
    .optional()
}

pub fn set(conn: &Connection, endpoint: &str, rules: &DiffRules) -> rusqlite::Result<()> {
    let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
    conn.execute(
        "INSERT INTO diff_rules (endpoint, ignore_paths, ignore_headers, array_key) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (endpoint) DO UPDATE SET ignore_paths = ?2, ignore_headers = ?3, array_key = ?4",
        params![endpoint, json(&rules.ignore_paths), json(&rules.ignore_headers), rules.array_key],
    )?;
    Ok(())
}

/// Forgets the saved rules (the endpoint goes back to its scheme's defaults).
pub fn reset(conn: &Connection, endpoint: &str) -> rusqlite::Result<bool> {
    Ok(conn.execute("DELETE FROM diff_rules WHERE endpoint = ?1", [endpoint])? > 0)
}
