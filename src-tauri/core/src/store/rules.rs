//! The `forward_rules` table: the user's forward rules, and the session rules `hookloupe listen
//! --forward-to` makes (owned by the process that listens, adopted by the next one after a
//! crash). A rule's spec is stored column by column so the CLI and the app read each other's.

use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row, ToSql};

use crate::forward::policy::RetryPolicy;
use crate::forward::rule::{RuleSpec, Transform};

/// A stored rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleRow {
    pub id: i64,
    pub spec: RuleSpec,
    /// `Some` for a `listen --forward-to` rule: the token of the process that owns it.
    pub session_owner: Option<String>,
    pub created_at_us: i64,
}

const COLS: &str = "id, endpoint, url, keep_path, enabled, filter, transform, template, content_type, resign, only_valid,
     skip_duplicates, timeout_ms, attempts, backoff_ms, rate, insecure, answer, answer_deadline_ms, session_owner, created_at_us";

fn row(r: &Row) -> rusqlite::Result<RuleRow> {
    let transform = match (r.get::<_, String>(6)?.as_str(), r.get::<_, Option<String>>(7)?) {
        ("slack", _) => Transform::Slack,
        ("template", Some(source)) => Transform::Template { source },
        _ => Transform::None,
    };
    let backoff: String = r.get(14)?;
    let policy = RetryPolicy {
        timeout_ms: r.get::<_, i64>(12)?.max(1) as u64,
        attempts: r.get::<_, i64>(13)?.max(1) as u32,
        backoff_ms: backoff.split(',').filter_map(|w| w.trim().parse().ok()).collect(),
    };
    Ok(RuleRow {
        id: r.get(0)?,
        spec: RuleSpec {
            endpoint: r.get(1)?,
            url: r.get(2)?,
            keep_path: r.get(3)?,
            enabled: r.get(4)?,
            filter: r.get(5)?,
            transform,
            content_type: r.get(8)?,
            resign: r.get(9)?,
            only_valid: r.get(10)?,
            skip_duplicates: r.get(11)?,
            policy,
            rate: r.get(15)?,
            insecure: r.get(16)?,
            answer: r.get(17)?,
            answer_deadline_ms: r.get::<_, i64>(18)?.max(0) as u64,
        },
        session_owner: r.get(19)?,
        created_at_us: r.get(20)?,
    })
}

fn transform_cols(t: &Transform) -> (&'static str, Option<&str>) {
    match t {
        Transform::None => ("none", None),
        Transform::Slack => ("slack", None),
        Transform::Template { source } => ("template", Some(source.as_str())),
    }
}

fn backoff_text(p: &RetryPolicy) -> String {
    p.backoff_ms.iter().map(u64::to_string).collect::<Vec<_>>().join(",")
}

/// The spec's columns, in [`SPEC_COLS`] order, as parameters.
fn spec_values(spec: &RuleSpec) -> Vec<Box<dyn ToSql + '_>> {
    let (transform, template) = transform_cols(&spec.transform);
    vec![
        Box::new(&spec.endpoint),
        Box::new(&spec.url),
        Box::new(spec.keep_path),
        Box::new(spec.enabled),
        Box::new(&spec.filter),
        Box::new(transform),
        Box::new(template),
        Box::new(&spec.content_type),
        Box::new(spec.resign),
        Box::new(spec.only_valid),
        Box::new(spec.skip_duplicates),
        Box::new(spec.policy.timeout_ms as i64),
        Box::new(spec.policy.attempts),
        Box::new(backoff_text(&spec.policy)),
        Box::new(&spec.rate),
        Box::new(spec.insecure),
        Box::new(spec.answer),
        Box::new(spec.answer_deadline_ms as i64),
    ]
}

/// The columns a spec is stored in.
const SPEC_COLS: &str = "endpoint, url, keep_path, enabled, filter, transform, template, content_type, resign, only_valid,
     skip_duplicates, timeout_ms, attempts, backoff_ms, rate, insecure, answer, answer_deadline_ms";

/// `?1, ?2, … ?n`.
fn placeholders(n: usize) -> String {
    (1..=n).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ")
}

/// Adds a rule; returns its id.
pub fn insert(conn: &Connection, spec: &RuleSpec, session_owner: Option<&str>, now_us: i64) -> rusqlite::Result<i64> {
    let mut values = spec_values(spec);
    values.push(Box::new(session_owner));
    values.push(Box::new(now_us));
    let sql = format!(
        "INSERT INTO forward_rules ({SPEC_COLS}, session_owner, created_at_us) VALUES ({})",
        placeholders(values.len())
    );
    conn.execute(&sql, params_from_iter(values.iter()))?;
    Ok(conn.last_insert_rowid())
}

/// Replaces a rule's spec; false when there is no such rule.
pub fn update(conn: &Connection, id: i64, spec: &RuleSpec) -> rusqlite::Result<bool> {
    let mut values = spec_values(spec);
    values.push(Box::new(id));
    let sql = format!(
        "UPDATE forward_rules SET ({SPEC_COLS}) = ({}) WHERE id = ?{}",
        placeholders(values.len() - 1),
        values.len()
    );
    Ok(conn.execute(&sql, params_from_iter(values.iter()))? == 1)
}

pub fn set_enabled(conn: &Connection, id: i64, enabled: bool) -> rusqlite::Result<bool> {
    Ok(conn.execute("UPDATE forward_rules SET enabled = ?2 WHERE id = ?1", params![id, enabled])? == 1)
}

/// Removes a rule. Its queued forwards are cancelled in the same transaction (nothing would
/// send them any more); their history stays.
pub fn remove(conn: &Connection, id: i64, now_ms: i64) -> rusqlite::Result<bool> {
    let tx = conn.unchecked_transaction()?;
    let n = tx.execute("DELETE FROM forward_rules WHERE id = ?1", [id])?;
    tx.execute(
        "UPDATE forwards SET state = 'cancelled', detail = 'its forward rule was removed', updated_at_ms = MAX(?2, updated_at_ms + 1),
             next_at_ms = NULL, lease_until_ms = NULL
         WHERE rule_id = ?1 AND state IN ('pending', 'scheduled', 'sending')",
        params![id, now_ms],
    )?;
    tx.commit()?;
    Ok(n == 1)
}

/// Every rule, oldest first.
pub fn list(conn: &Connection) -> rusqlite::Result<Vec<RuleRow>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLS} FROM forward_rules ORDER BY id"))?;
    let rows = stmt.query_map([], row)?.collect();
    rows
}

pub fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<RuleRow>> {
    conn.query_row(&format!("SELECT {COLS} FROM forward_rules WHERE id = ?1"), [id], row).optional()
}

/// The session rule forwarding every endpoint to `url`, if one is left (by a process that
/// ended or was killed).
pub fn session_rule(conn: &Connection, url: &str) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT id FROM forward_rules WHERE session_owner IS NOT NULL AND endpoint IS NULL AND url = ?1 ORDER BY id LIMIT 1",
        [url],
        |r| r.get(0),
    )
    .optional()
}

/// Makes `owner` the process owning a session rule, and enables it.
pub fn adopt(conn: &Connection, id: i64, owner: &str) -> rusqlite::Result<bool> {
    Ok(conn.execute("UPDATE forward_rules SET session_owner = ?2, enabled = 1 WHERE id = ?1", params![id, owner])? == 1)
}

/// At the end of a `listen --forward-to`: its rule stops taking new captures; it is removed
/// when nothing of it is left to send (otherwise the next `listen --forward-to` with the same
/// URL adopts it and finishes the queue).
pub fn end_session(conn: &Connection, id: i64, owner: &str) -> rusqlite::Result<()> {
    let tx = conn.unchecked_transaction()?;
    tx.execute("UPDATE forward_rules SET enabled = 0 WHERE id = ?1 AND session_owner = ?2", params![id, owner])?;
    tx.execute(
        "DELETE FROM forward_rules WHERE id = ?1 AND session_owner = ?2
             AND NOT EXISTS (SELECT 1 FROM forwards WHERE rule_id = ?1 AND state IN ('pending', 'scheduled', 'sending'))",
        params![id, owner],
    )?;
    tx.commit()
}
