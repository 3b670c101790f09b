//! The `credentials` table: tokens the app needs to act for the user (e.g. the ngrok auth
//! token), kept apart from plain settings. Values are never listed, only fetched by name.

use rusqlite::{Connection, OptionalExtension};

pub const NGROK_AUTHTOKEN: &str = "ngrok.authtoken";

pub fn get(conn: &Connection, name: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT value FROM credentials WHERE name = ?1", [name], |r| r.get(0)).optional()
}

pub fn set(conn: &Connection, name: &str, value: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO credentials (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = ?2",
        [name, value],
    )?;
    Ok(())
}

pub fn remove(conn: &Connection, name: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM credentials WHERE name = ?1", [name])?;
    Ok(())
}
