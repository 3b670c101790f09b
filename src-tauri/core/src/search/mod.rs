//! Finding captures, the pure parts: which text of a capture the full-text index holds
//! ([`text`]), how what the user typed becomes a safe FTS5 query ([`words`]), and how a
//! "since" the user wrote becomes an instant ([`when`]). No SQL (that is `store::search`), no
//! evaluation of expressions (that is `query`), no clock: the current time is passed in.

pub mod text;
pub mod when;
pub mod words;
