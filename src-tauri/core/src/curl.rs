//! A request as a ready-to-paste POSIX-shell `curl` command (`hookloupe sign --curl`): the
//! method, the URL, every header in order (repeated ones kept; `Host`, `Content-Length` and
//! `Transfer-Encoding` left to curl) and the exact body bytes. Text bodies go inline with
//! `--data-binary '…'`; bodies that are not UTF-8, contain NUL, start with `@` (curl would read
//! a file) or are large come through a base64 here-document piped to `--data-binary @-`.
//! Pure formatting: no I/O.

/// Headers curl computes itself, or that would be wrong when sent again.
const SKIP_HEADERS: &[&str] = &["host", "content-length", "transfer-encoding"];
/// Larger bodies go through a here-document (one shell argument is limited to 128 KiB on Linux).
const INLINE_MAX: usize = 64 * 1024;
/// Ends the here-document; `_` is not in the base64 alphabet, so no body line can equal it.
const HEREDOC_END: &str = "HOOKLOUPE_BODY";

/// Quotes `s` for a POSIX shell: as is when it is only safe characters, else in single quotes
/// (`it's` → `'it'\''s'`).
pub fn shell_quote(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_-.,:/@%+=".contains(c);
    if !s.is_empty() && s.chars().all(safe) {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The curl command sending this request.
pub fn command(method: &str, url: &str, headers: &[(String, String)], body: &[u8]) -> String {
    let mut head = vec!["curl".to_string()];
    if url.contains(['[', ']', '{', '}']) {
        head.push("--globoff".into());
    }
    if url.split(['?', '#']).next().unwrap_or("").split('/').any(|seg| seg == "." || seg == "..") {
        head.push("--path-as-is".into());
    }
    head.push(format!("-X {}", shell_quote(method)));
    head.push(shell_quote(url));
    let mut lines = vec![head.join(" ")];
    for (name, value) in headers {
        if SKIP_HEADERS.iter().any(|h| name.eq_ignore_ascii_case(h)) {
            continue;
        }
        // `-H 'X-Empty:'` would remove the header; `X-Empty;` sends it empty.
        let h = if value.is_empty() { format!("{name};") } else { format!("{name}: {value}") };
        lines.push(format!("-H {}", shell_quote(&h)));
    }
    let mut heredoc = None;
    if !body.is_empty() {
        if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("content-type")) {
            // Otherwise curl labels the body application/x-www-form-urlencoded.
            lines.push("-H 'Content-Type:'".into());
        }
        match std::str::from_utf8(body) {
            Ok(text) if !text.contains('\0') && !text.starts_with('@') && text.len() <= INLINE_MAX => {
                lines.push(format!("--data-binary {}", shell_quote(text)));
            }
            _ => {
                lines.push("--data-binary @-".into());
                heredoc = Some(base64_lines(body));
            }
        }
    }
    let curl = lines.join(" \\\n  ");
    match heredoc {
        None => curl,
        Some(b64) => format!("base64 -d <<'{HEREDOC_END}' | {curl}\n{b64}\n{HEREDOC_END}"),
    }
}

fn base64_lines(body: &[u8]) -> String {
    use base64::Engine as _;
    let text = base64::engine::general_purpose::STANDARD.encode(body);
    text.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap_or_default()).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("abc-1.2:/x@y%z+=,"), "abc-1.2:/x@y%z+=,");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote("a b $HOME `x` \"q\" \\"), r#"'a b $HOME `x` "q" \'"#);
    }

    #[test]
    fn text_body_inline() {
        let cmd = command(
            "POST",
            "http://127.0.0.1:4665/stripe?a=1&b=2",
            &h(&[("Host", "127.0.0.1:4665"), ("Content-Type", "application/json"), ("Content-Length", "13"), ("X-Empty", ""), ("Stripe-Signature", "t=1,v1=ab")]),
            br#"{"a":"it's"}"#,
        );
        assert_eq!(
            cmd,
            "curl -X POST 'http://127.0.0.1:4665/stripe?a=1&b=2' \\\n  -H 'Content-Type: application/json' \\\n  -H 'X-Empty;' \\\n  -H 'Stripe-Signature: t=1,v1=ab' \\\n  --data-binary '{\"a\":\"it'\\''s\"}'"
        );
    }

    #[test]
    fn binary_at_sign_and_large_bodies_use_a_heredoc() {
        for body in [vec![0xff, 0x00, b'a'], b"@/etc/passwd".to_vec(), vec![b'x'; INLINE_MAX + 1]] {
            let cmd = command("PUT", "http://h/x", &h(&[("Content-Type", "application/octet-stream")]), &body);
            assert!(cmd.starts_with("base64 -d <<'HOOKLOUPE_BODY' | curl -X PUT http://h/x"), "{cmd}");
            assert!(cmd.contains("--data-binary @-\n"), "{cmd}");
            assert!(cmd.ends_with("\nHOOKLOUPE_BODY"));
            assert!(cmd.lines().all(|l| l.len() <= 200));
        }
    }

    #[test]
    fn no_content_type_is_kept_absent_and_odd_urls_are_not_globbed() {
        let cmd = command("POST", "http://h/a/../b?x[]=1", &[], b"k=v");
        assert!(cmd.starts_with("curl --globoff --path-as-is -X POST 'http://h/a/../b?x[]=1'"), "{cmd}");
        assert!(cmd.contains("-H 'Content-Type:'"), "{cmd}");
        let get = command("GET", "http://h/", &[], b"");
        assert_eq!(get, "curl -X GET http://h/");
    }
}
