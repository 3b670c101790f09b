//! The filter language of forward rules and search: CEL (the Common Expression Language of
//! Kubernetes and Envoy, through the `cel` crate), parsed once into a [`Filter`] and evaluated
//! on a [`Subject`], the view of one capture. It owns what an expression sees of a capture (the
//! variables below, the body as values) and the plain-words errors. Pure: no I/O, no clock, no
//! store; it must not know where filters are kept nor what a match triggers (the engine's
//! forwarding and search decide that). An evaluation never panics: a filter that fails on one
//! capture (missing field, type mismatch, non-boolean result) gives [`Outcome::Error`], which
//! callers treat as "no match" and record.
//!
//! Variables (the reserved names):
//!
//! | name | value |
//! |---|---|
//! | `method`, `path`, `endpoint` | strings |
//! | `query` | map of the query parameters, first value of each, as text |
//! | `headers` | map keyed by the **lower-cased** name; a repeated header's values joined with `", "`; non-UTF-8 bytes read as ISO-8859-1 |
//! | `verdict` | `"valid"`, `"invalid"`, `"expired"`, `"unsigned"`, `"no_secret"`, or `null` when nothing was judged |
//! | `event_type`, `event_id`, `content_type` | strings, or `null` when unknown |
//! | `via` | `"local"` or `"tunnel"` |
//! | `received_at_us` | int, microseconds since the Unix epoch |
//! | `body` | a JSON body as its value (object, array, scalar); a form body (`application/x-www-form-urlencoded`) as a map of its fields, first value of each, as text; any other body as a string, or as bytes when it is not UTF-8 |
//!
//! So that rules read naturally, every top-level key of a JSON object body and every form field
//! is also a variable of its own (`type`, `data`, `event`, `role`…), unless its name is reserved
//! above (then only `body.method` or `body["method"]` reaches it) or is not an identifier
//! (`body["x-id"]`). **Numbers in forms:** a form field whose text is a plain decimal number —
//! `3`, `-12`, `0`, `12.50`; no sign `+`, no leading zero, no exponent, no spaces, within `i64`
//! for integers — is a number as a variable of its own (so `role >= 3` works when SuperSaaS
//! sends `role=3`), while `body.role` is always the text `"3"`. Codes such as `00000` (Paybox
//! `Erreur`) or `007` stay text everywhere. Note that CEL's `==` between a number and a string
//! is `false`, not an error: compare a numeric form field with a number, or read the text
//! through `body`. A JSON value keeps its JSON type; a body is read as JSON when the content type
//! mentions JSON or, unless it is declared a form, when it starts with `{` or `[`.
//!
//! Limits, so that nothing can exhaust a stack: the source is at most [`MAX_SOURCE_BYTES`] and
//! is parsed on a thread of its own with a large stack (the `cel` parser recurses deeply); the
//! parsed expression may nest at most [`MAX_DEPTH`] levels, which keeps evaluation within a
//! 2 MiB thread stack even in a debug build; a JSON body nesting deeper than 128 levels is not
//! read as JSON (serde_json's limit; then `body` is its text and its fields are missing, with
//! the reason in the error). Huge arrays and long bodies are fine. The body is converted at most
//! once per [`Prepared`] subject, and only when a filter reads `body` or a body field: evaluate
//! several filters on one capture with [`Subject::prepare`] and [`Filter::matches_prepared`].
//!
//! CEL quirks worth knowing: a missing top-level field named like a CEL type (`type`, `int`,
//! `string`, `bool`, `map`, `list`…) reads as that type, so `type == "x"` on a body without
//! `type` is "no match" rather than an error; `has(data.total_cents)` tests a nested field,
//! `"type" in body` a top-level one; `&&` and `||` absorb an error when the other side decides
//! (`missing == 1 || method == "POST"` matches a POST).

mod vars;
mod words;
#[cfg(test)]
mod tests;

use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, OnceLock};

use cel::common::ast::{EntryExpr, Expr, IdedEntryExpr, IdedExpr};
use cel::common::types::CelBool;
use cel::{Context, Env, Program, Value};

use crate::model::{Capture, HeaderList, Via};
use crate::signature::VerdictStatus;

pub use vars::Prepared;

/// Longest filter source accepted, in bytes (a filter is a line or two; a long `in [...]` list fits).
pub const MAX_SOURCE_BYTES: usize = 4096;
/// Deepest expression accepted, in syntax-tree levels (a comprehension — `exists`, `all`,
/// `map`… — counts double). Real filters stay under 10; `a && b && c…` is balanced.
pub const MAX_DEPTH: usize = 32;
/// Stack of the parsing thread. The `cel` parser (ANTLR) recurses once per operator of a chain
/// like `1 + 1 + …`, which only [`MAX_SOURCE_BYTES`] bounds: the worst 4 KiB sources parse
/// within 4 MiB in a debug build (see the tests); this leaves a wide margin. Only the pages
/// touched are committed.
const PARSE_STACK_BYTES: usize = 64 << 20;
/// A comprehension's extra weight in [`MAX_DEPTH`]: evaluating one opens a scope per element.
const COMPREHENSION_WEIGHT: usize = 2;

/// A parsed filter: the compiled program and the text it came from.
pub struct Filter {
    program: Program,
    source: String,
}

impl std::fmt::Debug for Filter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Filter").field(&self.source).finish()
    }
}

/// Where in the source a parse error is, as the parser reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// 1-based.
    pub line: u32,
    /// 1-based, in characters.
    pub column: u32,
    /// Byte offset into the source (clamped to its length), for highlighting.
    pub offset: usize,
}

/// Why a filter was refused when saved: plain words, and where when the parser says.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct QueryError {
    pub message: String,
    pub position: Option<Position>,
}

impl QueryError {
    fn plain(message: impl Into<String>) -> QueryError {
        QueryError { message: message.into(), position: None }
    }

    fn describe(&self) -> String {
        match self.position {
            Some(p) => format!("{} (line {}, column {})", self.message, p.line, p.column),
            None => self.message.clone(),
        }
    }
}

/// The result of a filter on one capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Match,
    NoMatch,
    /// The filter could not be evaluated on this capture (a missing field, a type mismatch, a
    /// result that is not `true`/`false`): treat as no match, and record the words.
    Error(String),
}

impl Outcome {
    pub fn is_match(&self) -> bool {
        matches!(self, Outcome::Match)
    }
}

/// What an expression sees of one capture. Borrowed, `Copy`; build one per capture
/// ([`Subject::of`] for a stored capture).
#[derive(Clone, Copy)]
pub struct Subject<'a> {
    pub method: &'a str,
    pub path: &'a str,
    /// Raw query string, without the `?`.
    pub query: &'a str,
    pub headers: &'a HeaderList,
    pub body: &'a [u8],
    pub content_type: Option<&'a str>,
    pub endpoint: &'a str,
    /// `valid`, `invalid`, `expired`, `unsigned`, `no_secret`; `None` when nothing was judged.
    pub verdict: Option<&'a str>,
    pub event_type: Option<&'a str>,
    pub event_id: Option<&'a str>,
    pub via: Via,
    pub received_at_us: i64,
}

static NO_HEADERS: HeaderList = HeaderList(Vec::new());

impl Default for Subject<'_> {
    /// An empty `GET /` with no headers and no body, received locally at time 0.
    fn default() -> Self {
        Subject {
            method: "GET",
            path: "/",
            query: "",
            headers: &NO_HEADERS,
            body: b"",
            content_type: None,
            endpoint: crate::model::DEFAULT_ENDPOINT,
            verdict: None,
            event_type: None,
            event_id: None,
            via: Via::Local,
            received_at_us: 0,
        }
    }
}

impl std::fmt::Debug for Subject<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subject")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &self.headers.0.len())
            .field("body_len", &self.body.len())
            .field("content_type", &self.content_type)
            .field("endpoint", &self.endpoint)
            .field("verdict", &self.verdict)
            .field("event_type", &self.event_type)
            .field("event_id", &self.event_id)
            .field("via", &self.via)
            .field("received_at_us", &self.received_at_us)
            .finish()
    }
}

impl<'a> Subject<'a> {
    /// The view of a stored capture (its verdict, event keys, endpoint and arrival).
    pub fn of(capture: &'a Capture) -> Subject<'a> {
        let d = &capture.data;
        Subject {
            method: &d.method,
            path: &d.path,
            query: &d.query,
            headers: &d.headers,
            body: &d.body,
            content_type: d.content_type.as_deref(),
            endpoint: &d.endpoint,
            verdict: capture.signature.verdict.as_ref().map(|v| verdict_name(v.status)),
            event_type: d.event.event_type.as_deref(),
            event_id: d.event.id.as_deref(),
            via: d.via,
            received_at_us: d.received_at_us,
        }
    }

    /// A subject ready for several filters: the body, headers and query are converted on first
    /// use and kept.
    pub fn prepare(self) -> Prepared<'a> {
        Prepared::new(self)
    }
}

/// The name a filter compares `verdict` with (the wire name of the status).
pub fn verdict_name(status: VerdictStatus) -> &'static str {
    match status {
        VerdictStatus::Valid => "valid",
        VerdictStatus::Invalid => "invalid",
        VerdictStatus::Expired => "expired",
        VerdictStatus::Unsigned => "unsigned",
        VerdictStatus::NoSecret => "no_secret",
    }
}

/// The standard CEL environment, built once (with `matches()` through the `regex` feature).
fn env() -> &'static Arc<Env> {
    static ENV: OnceLock<Arc<Env>> = OnceLock::new();
    ENV.get_or_init(|| Arc::new(Env::stdlib()))
}

/// Parses a filter. Refused with plain words (and the position, when the parser gives it) when
/// it is empty, too long, not CEL, or nested too deeply.
pub fn parse(src: &str) -> Result<Filter, QueryError> {
    if src.trim().is_empty() {
        return Err(QueryError::plain("the filter is empty"));
    }
    if src.len() > MAX_SOURCE_BYTES {
        return Err(QueryError::plain(format!(
            "the filter is {} bytes long; at most {MAX_SOURCE_BYTES} are accepted",
            src.len()
        )));
    }
    let owned = src.to_owned();
    let parser = std::thread::Builder::new()
        .name("query-parse".into())
        .stack_size(PARSE_STACK_BYTES)
        .spawn(move || compile(&owned));
    let program = match parser {
        Ok(handle) => handle
            .join()
            .unwrap_or_else(|_| Err(QueryError::plain("the filter parser failed on this text (internal error)")))?,
        Err(e) => return Err(QueryError::plain(format!("could not start the filter parser: {e}"))),
    };
    Ok(Filter { program, source: src.to_owned() })
}

/// Runs on the parsing thread: a rejected deep program is dropped there too (dropping recurses).
fn compile(src: &str) -> Result<Program, QueryError> {
    let program = env().compile(src).map_err(|e| words::parse_error(src, &e))?;
    let depth = depth(program.expression());
    if depth > MAX_DEPTH {
        return Err(QueryError::plain(format!(
            "the filter nests too deeply ({depth} levels, at most {MAX_DEPTH}): split long chains of operators, \
             or use `x in [...]`"
        )));
    }
    Ok(program)
}

/// Depth of the syntax tree, walked without recursion.
fn depth(root: &IdedExpr) -> usize {
    let mut deepest = 0;
    let mut todo = vec![(root, 1usize)];
    while let Some((e, d)) = todo.pop() {
        deepest = deepest.max(d);
        todo.extend(children(e).into_iter().map(|(child, weight)| (child, d + weight)));
    }
    deepest
}

/// The direct sub-expressions of `e`, each with its weight in [`MAX_DEPTH`].
fn children(e: &IdedExpr) -> Vec<(&IdedExpr, usize)> {
    fn entry(entry: &IdedEntryExpr) -> Vec<&IdedExpr> {
        match &entry.expr {
            EntryExpr::MapEntry(m) => vec![&m.key, &m.value],
            EntryExpr::StructField(f) => vec![&f.value],
        }
    }
    match &e.expr {
        Expr::Call(call) => call.target.as_deref().into_iter().chain(&call.args).map(|c| (c, 1)).collect(),
        Expr::Comprehension(c) => [&c.iter_range, &c.accu_init, &c.loop_cond, &c.loop_step, &c.result]
            .into_iter()
            .map(|c| (c, COMPREHENSION_WEIGHT))
            .collect(),
        Expr::List(list) => list.elements.iter().map(|c| (c, 1)).collect(),
        Expr::Map(map) => map.entries.iter().flat_map(entry).map(|c| (c, 1)).collect(),
        Expr::Struct(s) => s.entries.iter().flat_map(entry).map(|c| (c, 1)).collect(),
        Expr::Select(s) => vec![(&*s.operand, 1)],
        Expr::Ident(_) | Expr::Literal(_) | Expr::Unspecified => Vec::new(),
    }
}

impl Filter {
    /// The text the filter was parsed from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Evaluates the filter on one capture. For several filters on the same capture, prepare
    /// the subject once and use [`Filter::matches_prepared`].
    pub fn matches(&self, subject: &Subject) -> Outcome {
        self.matches_prepared(&subject.prepare())
    }

    /// Evaluates the filter on a prepared subject (its body converted at most once, for all
    /// the filters evaluated on it).
    pub fn matches_prepared(&self, subject: &Prepared) -> Outcome {
        let run = || {
            let mut ctx = Context::with_env(Arc::clone(env()));
            ctx.set_variable_resolver(subject);
            // `resolve_val`, not `execute`: the result is not converted to a `Value` (a filter
            // that is just `body` must not copy a 10 MiB body to say it is not a boolean).
            match Value::resolve_val(self.program.expression(), &ctx) {
                Ok(v) => match v.downcast_ref::<CelBool>() {
                    Some(b) if *b.inner() => Outcome::Match,
                    Some(_) => Outcome::NoMatch,
                    None => Outcome::Error(words::not_boolean(v.as_ref())),
                },
                Err(e) => Outcome::Error(words::execution_error(&e, subject.body_note())),
            }
        };
        panic::catch_unwind(AssertUnwindSafe(run))
            .unwrap_or_else(|_| Outcome::Error("the filter engine failed on this capture (internal error)".into()))
    }
}
