//! A pasted `curl` command read back as a request (import): the words are split as a POSIX
//! shell would (`shell-words`, after turning bash's `$'…'` quoting, which Chrome's "Copy as
//! cURL" writes, into plain single quotes), then curl's own options are applied.
//!
//! Supported: the URL (positional or `--url`; `http://` assumed when it has no scheme), `-X`/
//! `--request`, `-H`/`--header` (`Name;` sends an empty value, `Name:` removes the header as
//! curl does), `-d`/`--data`/`--data-ascii` (CR and LF removed, as curl does), `--data-raw`,
//! `--data-binary` (exact; `@-` reads the base64 here-document that [`crate::curl::command`]
//! writes for binary bodies), `--data-urlencode` (`content`, `=content`, `name=content`), several
//! data options joined with `&`, `--json` (also sets `Content-Type` and `Accept` to JSON),
//! `-G`/`--get` (data goes to the query), `-I`/`--head`, `-u`/`--user` (Basic authorization),
//! `-A`/`--user-agent`, `-e`/`--referer`, `-b`/`--cookie` (a `name=value` string). Options
//! about output, TLS, retries or verbosity are accepted and ignored. Refused with words: reading
//! a file (`-d @file`, `-T`, `-F`), several URLs, an option curl does not have. Like curl, data
//! without a `Content-Type` header is sent as `application/x-www-form-urlencoded`, and the method
//! is POST when there is data. Pure: the current time comes in as a parameter.

use base64::Engine as _;

use crate::share::{incoming_request, ImportSource, Incoming};

/// Options taking no value that are accepted and ignored.
const IGNORED_FLAGS: &[&str] = &[
    "-s", "--silent", "-S", "--show-error", "-v", "--verbose", "-L", "--location", "-i", "--include", "-k",
    "--insecure", "--compressed", "-g", "--globoff", "--path-as-is", "-f", "--fail", "--fail-with-body", "-N",
    "--no-buffer", "-#", "--progress-bar", "--http1.1", "--http2", "--http1.0", "-0", "--tlsv1.2", "--tlsv1.3",
    "-4", "-6", "-q", "--disable", "-j", "--junk-session-cookies", "--raw", "--tr-encoding", "-O",
    "--remote-name", "--location-trusted", "--no-keepalive", "--ssl-no-revoke",
];
/// Options taking a value that are accepted and ignored.
const IGNORED_WITH_VALUE: &[&str] = &[
    "-o", "--output", "-m", "--max-time", "--connect-timeout", "-w", "--write-out", "--retry", "--retry-delay",
    "--retry-max-time", "-x", "--proxy", "--cacert", "--capath", "-E", "--cert", "--key", "--resolve",
    "--connect-to", "--limit-rate", "-c", "--cookie-jar", "--interface", "-r", "--range", "--max-redirs",
    "--unix-socket", "--retry-connrefused",
];
/// Short options whose value may be glued on (`-XPOST`, `-H'X: 1'`).
const SHORT_WITH_VALUE: &[char] = &['X', 'H', 'd', 'u', 'A', 'e', 'b', 'o', 'm', 'w', 'x', 'E', 'c', 'r', 'F', 'T'];

/// A command as typed, with the body of a `base64 -d <<'END' | curl …` here-document.
struct Pasted {
    command: String,
    stdin: Option<Vec<u8>>,
}

/// `base64 -d <<'END' | curl … \n<base64 lines>\nEND` (what [`crate::curl::command`] writes
/// for a binary body): the curl command, and the decoded here-document as its stdin.
fn split_heredoc(text: &str) -> Result<Pasted, String> {
    let trimmed = text.trim_start();
    let Some(rest) = trimmed.strip_prefix("base64 -d <<") else {
        return Ok(Pasted { command: text.to_owned(), stdin: None });
    };
    let (first_line, body) = rest.split_once('\n').unwrap_or((rest, ""));
    let (tag, curl) = first_line.split_once('|').ok_or("a here-document must be piped into curl (`| curl …`)")?;
    let tag = tag.trim().trim_matches(|c| c == '\'' || c == '"');
    // The curl part may itself continue over several lines (`\` at the end of a line).
    let mut command = curl.to_owned();
    let mut lines = body.lines();
    while command.trim_end().ends_with('\\') {
        let Some(next) = lines.next() else { break };
        command.push('\n');
        command.push_str(next);
    }
    let mut b64 = String::new();
    let mut closed = false;
    for line in lines {
        if line.trim_end() == tag {
            closed = true;
            break;
        }
        b64.push_str(line.trim());
    }
    if !closed {
        return Err(format!("the here-document is not closed by a line {tag}"));
    }
    let stdin = base64::engine::general_purpose::STANDARD
        .decode(b64.as_bytes())
        .map_err(|e| format!("the here-document is not valid base64: {e}"))?;
    Ok(Pasted { command, stdin: Some(stdin) })
}

/// Rewrites bash's ANSI-C quoting `$'a\'b\n'` as POSIX single quotes (`'a'\''b<newline>'`), so
/// that `shell-words` can split it; everything else is left alone.
fn ansi_c_quotes(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let (mut i, mut single, mut double) = (0, false, false);
    while i < chars.len() {
        let c = chars[i];
        if !single && !double && c == '$' && chars.get(i + 1) == Some(&'\'') {
            i += 2;
            let mut value = String::new();
            loop {
                let Some(&c) = chars.get(i) else { return Err("a $'…' string is not closed".into()) };
                i += 1;
                match c {
                    '\'' => break,
                    '\\' => {
                        let Some(&e) = chars.get(i) else { return Err("a $'…' string ends with \\".into()) };
                        i += 1;
                        match e {
                            'n' => value.push('\n'),
                            'r' => value.push('\r'),
                            't' => value.push('\t'),
                            '0' => value.push('\0'),
                            'e' | 'E' => value.push('\u{1b}'),
                            'a' => value.push('\u{7}'),
                            'b' => value.push('\u{8}'),
                            'f' => value.push('\u{c}'),
                            'v' => value.push('\u{b}'),
                            'x' | 'u' | 'U' => {
                                let max = match e { 'x' => 2, 'u' => 4, _ => 8 };
                                let hex: String = chars[i..].iter().take(max).take_while(|c| c.is_ascii_hexdigit()).collect();
                                i += hex.len();
                                let code = u32::from_str_radix(&hex, 16).map_err(|_| format!("\\{e} needs hex digits in a $'…' string"))?;
                                value.push(char::from_u32(code).ok_or("an escape in a $'…' string is not a character")?);
                            }
                            other => value.push(other),
                        }
                    }
                    c => value.push(c),
                }
            }
            out.push('\'');
            out.push_str(&value.replace('\'', r"'\''"));
            out.push('\'');
            continue;
        }
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '\\' if !single => {
                out.push(c);
                if let Some(&n) = chars.get(i + 1) {
                    out.push(n);
                }
                i += 2;
                continue;
            }
            _ => {}
        }
        out.push(c);
        i += 1;
    }
    Ok(out)
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Reads a pasted curl command as a request received at `now_us`.
pub fn parse(command: &str, now_us: i64) -> Result<Incoming, String> {
    let command = command.replace("\r\n", "\n");
    let pasted = split_heredoc(&command)?;
    let words = shell_words::split(&ansi_c_quotes(&pasted.command)?)
        .map_err(|_| "the command is not complete shell text (a quote is not closed)".to_owned())?;
    let mut words = words.into_iter().peekable();
    match words.peek().map(String::as_str) {
        Some("curl") | Some("curl.exe") => {
            words.next();
        }
        Some(w) if w.ends_with("/curl") => {
            words.next();
        }
        Some(_) => {}
        None => return Err("the command is empty: paste a curl command".into()),
    }
    let mut url: Option<String> = None;
    let mut method: Option<String> = None;
    let mut headers: Vec<(String, Vec<u8>)> = Vec::new();
    let mut removed: Vec<String> = Vec::new();
    let mut data: Vec<Vec<u8>> = Vec::new();
    let (mut get, mut head, mut json) = (false, false, false);
    let mut stdin_used = false;
    let set_header = |headers: &mut Vec<(String, Vec<u8>)>, name: &str, value: &str| {
        headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        headers.push((name.to_owned(), value.as_bytes().to_vec()));
    };
    while let Some(word) = words.next() {
        // `-XPOST`, `-H'X: 1'`: a short option with its value glued on.
        let (opt, glued) = match word.strip_prefix('-') {
            Some(rest) if !rest.starts_with('-') && rest.len() > 1 && SHORT_WITH_VALUE.contains(&rest.chars().next().unwrap_or(' ')) => {
                (format!("-{}", &rest[..1]), Some(rest[1..].to_owned()))
            }
            // `-sSL`: several flags in one word.
            Some(rest) if !rest.starts_with('-') && rest.len() > 1 && rest.chars().all(|c| IGNORED_FLAGS.contains(&format!("-{c}").as_str()) || c == 'G' || c == 'I') => {
                get |= rest.contains('G');
                head |= rest.contains('I');
                continue;
            }
            _ => (word.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            match glued.clone() {
                Some(v) => Ok(v),
                None => words.next().ok_or_else(|| format!("{name} needs a value")),
            }
        };
        match opt.as_str() {
            "-X" | "--request" => method = Some(value(&opt)?),
            "--url" => {
                let u = value(&opt)?;
                if url.replace(u).is_some() {
                    return Err("the command has several URLs; import one request at a time".into());
                }
            }
            "-H" | "--header" => {
                let h = value(&opt)?;
                if let Some(name) = h.strip_suffix(';').filter(|n| !n.contains(':')) {
                    headers.push((name.trim().to_owned(), Vec::new()));
                } else {
                    let (name, v) = h.split_once(':').ok_or_else(|| format!("the header {h:?} is not \"Name: value\""))?;
                    let (name, v) = (name.trim(), v.trim());
                    if v.is_empty() {
                        headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
                        removed.push(name.to_ascii_lowercase());
                    } else {
                        headers.push((name.to_owned(), v.as_bytes().to_vec()));
                    }
                }
            }
            "-d" | "--data" | "--data-ascii" => {
                let d = value(&opt)?;
                if d.starts_with('@') {
                    return Err(format!("{opt} {d} reads a file, which an import cannot do: paste the body with --data-raw"));
                }
                data.push(d.replace(['\r', '\n'], "").into_bytes());
            }
            "--data-raw" => data.push(value(&opt)?.into_bytes()),
            "--data-binary" | "--json" => {
                let d = value(&opt)?;
                if opt == "--json" {
                    json = true;
                }
                match d.strip_prefix('@') {
                    Some("-") => match &pasted.stdin {
                        Some(bytes) if !stdin_used => {
                            stdin_used = true;
                            data.push(bytes.clone());
                        }
                        _ => return Err(format!("{opt} @- reads standard input, and no here-document gives it")),
                    },
                    Some(_) => return Err(format!("{opt} {d} reads a file, which an import cannot do: paste the body with --data-raw")),
                    None => data.push(d.into_bytes()),
                }
            }
            "--data-urlencode" => {
                let d = value(&opt)?;
                let encoded = match d.split_once('=') {
                    Some(("", content)) => urlencode(content),
                    Some((name, content)) => format!("{name}={}", urlencode(content)),
                    None if d.contains('@') => return Err(format!("--data-urlencode {d} reads a file, which an import cannot do")),
                    None => urlencode(&d),
                };
                data.push(encoded.into_bytes());
            }
            "-G" | "--get" => get = true,
            "-I" | "--head" => head = true,
            "-u" | "--user" => {
                let user = value(&opt)?;
                let token = base64::engine::general_purpose::STANDARD.encode(user.as_bytes());
                set_header(&mut headers, "Authorization", &format!("Basic {token}"));
            }
            "-A" | "--user-agent" => set_header(&mut headers, "User-Agent", &value(&opt)?),
            "-e" | "--referer" => set_header(&mut headers, "Referer", &value(&opt)?),
            "-b" | "--cookie" => {
                let c = value(&opt)?;
                if !c.contains('=') {
                    return Err(format!("--cookie {c} reads a cookie file, which an import cannot do: give name=value"));
                }
                set_header(&mut headers, "Cookie", &c);
            }
            "-F" | "--form" | "-T" | "--upload-file" => {
                return Err(format!("{opt} builds the body from files; paste the body with --data-raw instead"));
            }
            o if IGNORED_FLAGS.contains(&o) => {}
            o if IGNORED_WITH_VALUE.contains(&o) => {
                value(o)?;
            }
            o if o.starts_with('-') && o.len() > 1 => return Err(format!("the curl option {o} is not supported by the import")),
            _ => {
                if url.replace(word).is_some() {
                    return Err("the command has several URLs; import one request at a time".into());
                }
            }
        }
    }
    let url = url.ok_or("the command has no URL")?;
    let url = if url.contains("://") { url } else { format!("http://{url}") };
    let mut body: Vec<u8> = data.join(&b'&');
    let mut url = url;
    if get && !data.is_empty() {
        let sep = if url.contains('?') { '&' } else { '?' };
        url = format!("{url}{sep}{}", String::from_utf8_lossy(&body));
        body = Vec::new();
    }
    let has = |headers: &Vec<(String, Vec<u8>)>, name: &str| headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
    if json {
        if !has(&headers, "content-type") && !removed.contains(&"content-type".to_owned()) {
            headers.push(("Content-Type".into(), b"application/json".to_vec()));
        }
        if !has(&headers, "accept") && !removed.contains(&"accept".to_owned()) {
            headers.push(("Accept".into(), b"application/json".to_vec()));
        }
    } else if !body.is_empty() && !has(&headers, "content-type") && !removed.contains(&"content-type".to_owned()) {
        headers.push(("Content-Type".into(), b"application/x-www-form-urlencoded".to_vec()));
    }
    let method = method.unwrap_or_else(|| {
        if head {
            "HEAD".into()
        } else if !body.is_empty() {
            "POST".into()
        } else {
            "GET".into()
        }
    });
    incoming_request(ImportSource::Curl, now_us, &method, &url, headers, body, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hv(i: &Incoming, name: &str) -> Option<String> {
        i.capture.headers.get(name)
    }

    #[test]
    fn reads_a_typical_command() {
        let i = parse(
            "curl -X POST 'https://api.example.com/hooks?x=1' \\\n  -H 'Content-Type: application/json' -H 'Stripe-Signature: t=1,v1=ab' \\\n  -d '{\"a\":\"it'\\''s\"}'",
            7,
        )
        .unwrap();
        assert_eq!(i.capture.method, "POST");
        assert_eq!(i.capture.path, "/hooks");
        assert_eq!(i.capture.query, "x=1");
        assert_eq!(i.capture.body, br#"{"a":"it's"}"#);
        assert_eq!(hv(&i, "content-type").as_deref(), Some("application/json"));
        assert_eq!(hv(&i, "host").as_deref(), Some("api.example.com"));
        assert_eq!(i.capture.received_at_us, 7);
        let names: Vec<&str> = i.capture.headers.0.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["Host", "Content-Type", "Stripe-Signature"]);
    }

    #[test]
    fn round_trips_what_curl_command_renders() {
        for body in [b"plain text body".to_vec(), vec![0xff, 0, 1, b'@', 0x80], b"@/etc/passwd".to_vec(), Vec::new()] {
            let headers = vec![("X-A".to_string(), "1".to_string()), ("X-Empty".to_string(), String::new()), ("Content-Type".to_string(), "application/octet-stream".to_string())];
            let cmd = crate::curl::command("PUT", "http://h:8/a?b=c", &headers, &body);
            let i = parse(&cmd, 0).unwrap_or_else(|e| panic!("{e}: {cmd}"));
            assert_eq!(i.capture.body, body, "{cmd}");
            assert_eq!(i.capture.method, "PUT");
            assert_eq!(hv(&i, "x-empty").as_deref(), Some(""));
            assert_eq!(hv(&i, "x-a").as_deref(), Some("1"));
        }
        let cmd = crate::curl::command("POST", "http://h/", &[], b"k=v");
        let i = parse(&cmd, 0).unwrap();
        assert_eq!(hv(&i, "content-type"), None, "{cmd}");
    }

    #[test]
    fn chrome_copy_as_curl_and_data_options() {
        let i = parse(
            "curl 'https://example.com/api' -H 'accept: */*' --data-raw $'{\"q\":\"it\\'s\\n\"}' --compressed -sSL",
            0,
        )
        .unwrap();
        assert_eq!(i.capture.body, b"{\"q\":\"it's\n\"}");
        assert_eq!(i.capture.method, "POST");
        assert_eq!(hv(&i, "content-type").as_deref(), Some("application/x-www-form-urlencoded"));

        let i = parse("curl example.com/x -d a=1 --data-urlencode 'b=x y&z' -d $'c=\\n2'", 0).unwrap();
        assert_eq!(i.capture.body, b"a=1&b=x+y%26z&c=2");
        assert_eq!(i.capture.url, "http://example.com/x");

        let i = parse("curl -G http://h/s -d q=1 -d r=2", 0).unwrap();
        assert_eq!((i.capture.method.as_str(), i.capture.query.as_str(), i.capture.body.len()), ("GET", "q=1&r=2", 0));

        let i = parse("curl --json '{\"a\":1}' -u ann:pw http://h/", 0).unwrap();
        assert_eq!(hv(&i, "content-type").as_deref(), Some("application/json"));
        assert_eq!(hv(&i, "accept").as_deref(), Some("application/json"));
        assert_eq!(hv(&i, "authorization").as_deref(), Some("Basic YW5uOnB3"));

        let i = parse("curl -XDELETE -H'X-Id: 9' http://h/r/9", 0).unwrap();
        assert_eq!((i.capture.method.as_str(), hv(&i, "x-id").as_deref()), ("DELETE", Some("9")));
    }

    #[test]
    fn refuses_with_words() {
        assert!(parse("", 0).unwrap_err().contains("empty"));
        assert!(parse("curl -X POST", 0).unwrap_err().contains("no URL"));
        assert!(parse("curl http://h -d @body.json", 0).unwrap_err().contains("reads a file"));
        assert!(parse("curl http://h -F a=@x", 0).unwrap_err().contains("files"));
        assert!(parse("curl http://h --frobnicate", 0).unwrap_err().contains("--frobnicate"));
        assert!(parse("curl 'http://h", 0).unwrap_err().contains("quote"));
        assert!(parse("curl http://a http://b", 0).unwrap_err().contains("several URLs"));
    }
}
