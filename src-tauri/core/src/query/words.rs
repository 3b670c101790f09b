//! The `cel` crate's errors in plain words (it speaks ANTLR and CEL internals: `_>_`,
//! `mismatched input '<EOF>' expecting {…}`), bounded in length: an error may carry a value,
//! and a value may be a 10 MiB body.

use std::fmt::Write as _;

use cel::common::value::Val;
use cel::{ExecutionError, ParseErrors};

use super::{Position, QueryError};

/// Longest message produced, in characters.
const MAX_MESSAGE_CHARS: usize = 300;
/// Longest rendering of a value inside a message.
const MAX_VALUE_CHARS: usize = 60;

pub(super) fn parse_error(src: &str, errors: &ParseErrors) -> QueryError {
    let Some(first) = errors.errors.first() else {
        return QueryError::plain("the filter could not be read");
    };
    let (line, column) = first.pos;
    let position = (line >= 1 && column >= 1).then(|| {
        let (line, column) = (line as u32, column as u32);
        Position { line, column, offset: offset_of(src, line, column) }
    });
    QueryError { message: bounded(&parse_message(&first.msg)), position }
}

/// Byte offset of a 1-based line and character column, clamped to the source.
fn offset_of(src: &str, line: u32, column: u32) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match src[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return src.len(),
        }
    }
    let rest = &src[start..];
    let line_len = rest.find('\n').unwrap_or(rest.len());
    start + rest[..line_len].char_indices().nth(column as usize - 1).map_or(line_len, |(i, _)| i)
}

fn parse_message(raw: &str) -> String {
    let m = raw.strip_prefix("Syntax error: ").unwrap_or(raw);
    if m.contains("Recursion limit") {
        return "the filter nests too deeply".into();
    }
    for prefix in ["mismatched input ", "extraneous input "] {
        if let Some(rest) = m.strip_prefix(prefix) {
            let token = rest.rsplit_once(" expecting").map_or(rest, |(t, _)| t);
            return if token == "'<EOF>'" {
                "the filter ends too early: a value, the right side of an operator or a closing bracket is missing"
                    .into()
            } else {
                format!("unexpected {token}")
            };
        }
    }
    if let Some(rest) = m.strip_prefix("no viable alternative at input ") {
        return format!("cannot make sense of {rest}");
    }
    if let Some(rest) = m.strip_prefix("token recognition error at: ") {
        let text = rest.strip_prefix('\'').unwrap_or(rest);
        return match text.chars().next() {
            Some('"' | '\'') => "a string is not closed (a quote is missing)".into(),
            Some(c @ ('&' | '|')) => format!("unexpected character '{c}' (CEL writes `&&` and `||`)"),
            Some(c) => format!("unexpected character '{c}'"),
            None => "unexpected character".into(),
        };
    }
    if let Some(rest) = m.strip_prefix("missing ") {
        if let Some((what, at)) = rest.split_once(" at ") {
            return format!("{what} is missing before {at}");
        }
    }
    m.to_owned()
}

/// Why a filter gave no verdict on a capture.
pub(super) fn execution_error(e: &ExecutionError, body_note: Option<&str>) -> String {
    let note = |s: String| match body_note {
        Some(n) => format!("{s} ({n})"),
        None => s,
    };
    let msg = match e {
        ExecutionError::UndeclaredReference(name) => {
            note(format!("`{name}` is not a field of this capture, nor a variable or function"))
        }
        ExecutionError::NoSuchKey(key) => format!("`{key}` is missing (no such field or header in this capture)"),
        ExecutionError::NoSuchOverload(o) => {
            let types = o.argument_types();
            let (op, operands) = match (o.is_member_function(), types.split_first()) {
                (true, Some((this, args))) => {
                    (format!("`.{}()`", o.function()), format!("a {this} with ({})", args.join(", ")))
                }
                _ => (operator(o.function()), types.join(" and ")),
            };
            let text_vs_number = types.iter().any(|t| t == "string")
                && types.iter().any(|t| matches!(t.as_str(), "int" | "uint" | "double"));
            let hint = if text_vs_number {
                ": text and a number (convert with int(x), double(x) or string(x))"
            } else {
                ""
            };
            format!("{op} does not apply to {operands}{hint}")
        }
        ExecutionError::ValuesNotComparable(a, b) => {
            format!("cannot compare {} with {}", debug_short(a), debug_short(b))
        }
        ExecutionError::UnexpectedType { got, want } => format!("expected {want}, got {got}"),
        other => {
            let mut s = String::new();
            let _ = write!(Limited::new(&mut s, MAX_MESSAGE_CHARS), "{other}");
            s
        }
    };
    bounded(&msg)
}

/// A result that is neither `true` nor `false`.
pub(super) fn not_boolean(v: &dyn Val) -> String {
    bounded(&format!(
        "the filter gave a {} ({}), not true or false: compare it, e.g. `x == \"…\"` or `x > 0`",
        v.get_type().name(),
        debug_short(v)
    ))
}

/// `_>=_` → `>=`, as the user wrote it.
fn operator(function: &str) -> String {
    let op = match function {
        "_==_" => "==",
        "_!=_" => "!=",
        "_<_" => "<",
        "_<=_" => "<=",
        "_>_" => ">",
        "_>=_" => ">=",
        "_&&_" => "&&",
        "_||_" => "||",
        "!_" => "!",
        "-_" => "unary -",
        "_+_" => "+",
        "_-_" => "-",
        "_*_" => "*",
        "_/_" => "/",
        "_%_" => "%",
        "@in" => "in",
        "_[_]" | "_[?_]" => "[…]",
        "_?_:_" => "? :",
        f => return format!("`{f}()`"),
    };
    format!("`{op}`")
}

/// At most [`MAX_VALUE_CHARS`] of a value's rendering, never rendering more than that.
fn debug_short<T: std::fmt::Debug + ?Sized>(v: &T) -> String {
    let mut shown = String::new();
    let _ = write!(Limited::new(&mut shown, MAX_VALUE_CHARS), "{v:?}");
    short(&shown)
}

fn short(s: &str) -> String {
    if s.chars().count() <= MAX_VALUE_CHARS {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(MAX_VALUE_CHARS).collect();
        t.push('…');
        t
    }
}

fn bounded(s: &str) -> String {
    if s.chars().count() <= MAX_MESSAGE_CHARS {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(MAX_MESSAGE_CHARS).collect();
        t.push('…');
        t
    }
}

/// A writer that stops (with an error, which ends the formatting) once `left` characters are
/// written, so a huge value is never rendered whole.
struct Limited<'s> {
    out: &'s mut String,
    left: usize,
}

impl<'s> Limited<'s> {
    fn new(out: &'s mut String, limit: usize) -> Limited<'s> {
        Limited { out, left: limit + 1 }
    }
}

impl std::fmt::Write for Limited<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        for c in s.chars() {
            if self.left == 0 {
                return Err(std::fmt::Error);
            }
            self.out.push(c);
            self.left -= 1;
        }
        Ok(())
    }
}
