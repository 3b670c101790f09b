//! Linear signing: HMAC-SHA256 hex of the raw body (the recipe is in `hmac_body`), and the
//! signed timestamp is `webhookTimestamp` (Unix ms) INSIDE the body. Linear's sender sets it at
//! send time and @linear/sdk rejects it beyond ±60 s, so signing at `now` sets it to `now`
//! (added when absent), rewriting only that value's bytes: the rest of the body, formatting
//! included, is kept. Verification is the plain HMAC engine.

use crate::signature::generic;
use crate::signature::hmac_body;
use crate::signature::{Request, SchemeConfig, Secret, SignExtra, SignatureError, Signed};

const FIELD: &str = "webhookTimestamp";

pub(crate) fn sign(
    cfg: &SchemeConfig,
    secret: &Secret,
    req: &Request,
    now: i64,
    extra: &SignExtra,
) -> Result<Signed, SignatureError> {
    let body = with_timestamp(req.body, now * 1000)?;
    let req2 = Request {
        body: &body,
        ..*req
    };
    let mut out = generic::sign(&hmac_body::recipe(cfg, &req2)?, secret, &req2, now, extra)?;
    if body != req.body {
        out.body = Some(body);
    }
    Ok(out)
}

/// `body` (a JSON object) with its top-level `webhookTimestamp` set to `ms`: the old value's
/// bytes replaced, or the field appended after the last member when there is none.
pub(crate) fn with_timestamp(body: &[u8], ms: i64) -> Result<Vec<u8>, SignatureError> {
    let not_object = || SignatureError::MissingInput {
        what: format!("a JSON object body (Linear signs `{FIELD}` inside it)"),
    };
    if !matches!(
        serde_json::from_slice::<serde_json::Value>(body),
        Ok(serde_json::Value::Object(_))
    ) {
        return Err(not_object());
    }
    let obj = scan_object(body, FIELD.as_bytes()).ok_or_else(not_object)?;
    let ms_text = ms.to_string();
    let mut out = Vec::with_capacity(body.len() + FIELD.len() + 20);
    match obj.value {
        Some((start, end)) => {
            out.extend_from_slice(&body[..start]);
            out.extend_from_slice(ms_text.as_bytes());
            out.extend_from_slice(&body[end..]);
        }
        None => {
            let at = obj.last_member_end.unwrap_or(obj.open + 1);
            let sep = if obj.last_member_end.is_some() {
                ","
            } else {
                ""
            };
            out.extend_from_slice(&body[..at]);
            out.extend_from_slice(format!("{sep}\"{FIELD}\":{ms_text}").as_bytes());
            out.extend_from_slice(&body[at..]);
        }
    }
    // The edit must read back as intended (e.g. not hidden by an escaped duplicate key).
    let back = serde_json::from_slice::<serde_json::Value>(&out)
        .ok()
        .and_then(|v| v.get(FIELD).and_then(|t| t.as_i64()));
    if back != Some(ms) {
        return Err(SignatureError::MissingInput {
            what: format!("a JSON body whose `{FIELD}` can be set"),
        });
    }
    Ok(out)
}

struct Obj {
    open: usize,
    /// Byte span of the (last) value of the key looked for.
    value: Option<(usize, usize)>,
    /// End of the last member's value, when the object has members.
    last_member_end: Option<usize>,
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// End (exclusive) of the string starting at `b[i] == '"'`.
fn string_end(b: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    loop {
        match b.get(i)? {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
}

/// End (exclusive) of the JSON value starting at `i`.
fn value_end(b: &[u8], i: usize) -> Option<usize> {
    match b.get(i)? {
        b'"' => string_end(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                match b.get(j)? {
                    b'"' => {
                        j = string_end(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        _ => {
            let mut j = i;
            while !matches!(
                b.get(j),
                None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
            ) {
                j += 1;
            }
            (j > i).then_some(j)
        }
    }
}

/// Walks the members of the top-level object (the body was already parsed as one).
fn scan_object(b: &[u8], key: &[u8]) -> Option<Obj> {
    let open = skip_ws(b, 0);
    if b.get(open) != Some(&b'{') {
        return None;
    }
    let mut obj = Obj {
        open,
        value: None,
        last_member_end: None,
    };
    let mut i = open + 1;
    loop {
        i = skip_ws(b, i);
        match b.get(i)? {
            b'}' => return Some(obj),
            b',' if obj.last_member_end.is_some() => {
                i = skip_ws(b, i + 1);
            }
            _ => {}
        }
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let key_end = string_end(b, i)?;
        let name = &b[i + 1..key_end - 1];
        i = skip_ws(b, key_end);
        if b.get(i) != Some(&b':') {
            return None;
        }
        let start = skip_ws(b, i + 1);
        let end = value_end(b, start)?;
        if name == key {
            obj.value = Some((start, end));
        }
        obj.last_member_end = Some(end);
        i = end;
    }
}

#[cfg(test)]
mod tests {
    use super::with_timestamp;

    fn set(body: &str) -> String {
        String::from_utf8(with_timestamp(body.as_bytes(), 1_731_000_000_000).unwrap()).unwrap()
    }

    #[test]
    fn replaces_only_the_top_level_value() {
        assert_eq!(
            set(r#"{"a":{"webhookTimestamp":1},"webhookTimestamp":1730996400000,"b":"x, }"}"#),
            r#"{"a":{"webhookTimestamp":1},"webhookTimestamp":1731000000000,"b":"x, }"}"#
        );
        // Formatting, non-ASCII text and the trailing newline are kept.
        assert_eq!(
            set("{\n  \"data\": {\"body\": \"caf\u{e9} \u{1F600}\"},\n  \"webhookTimestamp\": \"old\"\n}\n"),
            "{\n  \"data\": {\"body\": \"caf\u{e9} \u{1F600}\"},\n  \"webhookTimestamp\": 1731000000000\n}\n"
        );
    }

    #[test]
    fn adds_the_field_when_absent() {
        assert_eq!(
            set(r#"{"action":"create","data":[1,{"x":"]"}]}"#),
            r#"{"action":"create","data":[1,{"x":"]"}],"webhookTimestamp":1731000000000}"#
        );
        assert_eq!(set("{ }"), r#"{"webhookTimestamp":1731000000000 }"#);
        assert_eq!(
            set("{\"a\":1\n}\n"),
            "{\"a\":1,\"webhookTimestamp\":1731000000000\n}\n"
        );
    }

    #[test]
    fn refuses_what_is_not_a_json_object() {
        for body in ["", "[1]", "payload=x", "{\"a\":"] {
            assert!(with_timestamp(body.as_bytes(), 1).is_err(), "{body:?}");
        }
    }
}
