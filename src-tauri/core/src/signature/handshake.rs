//! Handshakes: the one-off requests some providers send to a URL before they deliver to it,
//! which must be answered in a set way or the URL is refused (Meta's and Strava's
//! `hub.challenge`, Dropbox's `challenge`, X's CRC, Asana's `X-Hook-Secret`, Okta's
//! verification, Microsoft Graph's `validationToken`, Zoom's `endpoint.url_validation`,
//! Slack's `url_verification`). A handshake is data — a catalog provider's
//! `[provider.handshake]` table, or for the built-in Zoom and Slack schemes the table below —
//! and this module recognises one in a request and builds the reply.
//!
//! Pure: no I/O, no clock; the verdict of the request is given, not computed. A reply holds
//! only what the protocol asks for: the challenge, or its HMAC with the endpoint's secret —
//! never a secret. An HMAC is given only for a plain token (so the endpoint cannot be used to
//! HMAC arbitrary text, which for X and Zoom would forge a delivery's signature), and, where
//! the provider signs its handshake (Zoom), only when that signature is valid.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::signature::codec::{self, Alg, KeyEnc, MacKind, OutEnc};
use crate::signature::provider::{self, Condition, Field, HandshakeDef, ReplyDef};
use crate::signature::{Request, SchemeConfig, SchemeId, Verdict, VerdictStatus};

/// The built-in schemes' handshakes, keyed by scheme id, in the catalog's format.
/// Zoom: developers.zoom.us "Validate your webhook endpoint" and zoom/webhook-sample index.js
/// (`encryptedToken` = hex HMAC-SHA256 of `payload.plainToken` with the secret token, answered
/// only for a request whose `x-zm-signature` verifies). Slack: api.slack.com/events/url_verification
/// (answer with the `challenge` in plain text).
const BUILTIN: &str = r#"
[zoom]
name = "Zoom's endpoint URL validation (endpoint.url_validation)"
method = "POST"
challenge = { json = "payload.plainToken" }
when = [{ json = "event", equals = "endpoint.url_validation" }]
signed = true
[zoom.reply]
body = "json"
field = "encryptedToken"
echo_field = "plainToken"
hmac = { algorithm = "sha256", encoding = "hex" }

[slack]
name = "Slack's URL verification (url_verification)"
method = "POST"
challenge = { json = "challenge" }
when = [{ json = "type", equals = "url_verification" }]
[slack.reply]
body = "text"
"#;

/// Longest challenge echoed back (Graph's validation token is a sentence; none is near this).
const MAX_ECHO: usize = 4096;
/// Longest challenge HMAC'd.
const MAX_HMAC_INPUT: usize = 512;
/// Handshake bodies are a few hundred bytes: a larger body is a delivery, not parsed here.
const MAX_JSON_BODY: usize = 64 * 1024;

/// The reply to send instead of the endpoint's response rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandshakeReply {
    pub status: u16,
    /// In order; names as they are sent.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// A recognised handshake: the reply when it could be built, and a sentence for the verdict
/// saying what was answered, or why not (never a secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handshake {
    pub name: String,
    pub reply: Option<HandshakeReply>,
    pub note: String,
}

fn builtin(scheme: SchemeId) -> Option<&'static HandshakeDef> {
    static TABLE: OnceLock<BTreeMap<String, HandshakeDef>> = OnceLock::new();
    let table = TABLE.get_or_init(|| toml::from_str(BUILTIN).unwrap_or_default());
    let id = serde_json::to_value(scheme).ok()?;
    table.get(id.as_str()?)
}

/// The handshake an endpoint configured as `cfg` answers: its catalog provider's, else its
/// built-in scheme's.
pub(crate) fn def_for(cfg: &SchemeConfig) -> Option<&'static HandshakeDef> {
    provider::of(cfg).and_then(|p| p.handshake.as_ref()).or_else(|| builtin(cfg.scheme))
}

/// The handshake `req` is for an endpoint configured as `cfg`, with its reply; `None` when
/// `req` is not one. `verdict` is `req`'s own verdict under `cfg`.
pub fn answer(cfg: &SchemeConfig, req: &Request, verdict: &Verdict) -> Option<Handshake> {
    answer_with(def_for(cfg)?, cfg, req, verdict)
}

/// Only the reply of [`answer`].
pub fn reply(cfg: &SchemeConfig, req: &Request, verdict: &Verdict) -> Option<HandshakeReply> {
    answer(cfg, req, verdict).and_then(|h| h.reply)
}

/// The request's JSON body, parsed at most once.
struct Body<'a> {
    raw: &'a [u8],
    parsed: OnceLock<Option<serde_json::Value>>,
}

impl Body<'_> {
    fn json(&self) -> Option<&serde_json::Value> {
        self.parsed
            .get_or_init(|| (self.raw.len() <= MAX_JSON_BODY).then(|| serde_json::from_slice(self.raw).ok()).flatten())
            .as_ref()
    }
}

/// The text at one place of the request.
fn read(query: &Option<String>, header: &Option<String>, json: &Option<String>, req: &Request, body: &Body) -> Option<String> {
    if let Some(name) = query {
        let q = codec::split_url(req.url).query?;
        return codec::parse_pairs(q.as_bytes()).into_iter().find(|(k, _)| k == name).map(|(_, v)| v);
    }
    if let Some(name) = header {
        return codec::header(req, name).map(str::to_owned);
    }
    let path = json.as_ref()?;
    let mut v = body.json()?;
    for key in path.split('.') {
        v = v.get(key)?;
    }
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn holds(c: &Condition, req: &Request, body: &Body) -> bool {
    read(&c.query, &c.header, &c.json, req, body).is_some_and(|v| c.equals.as_ref().is_none_or(|e| *e == v))
}

/// A challenge that may be HMAC'd: an opaque token (base64, hex, UUID), not text that could
/// be a payload or a signed string (`{…}`, `v0:…`).
fn token_like(s: &str) -> bool {
    !s.is_empty() && s.len() <= MAX_HMAC_INPUT && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~+/=".contains(&b))
}

/// Text that can be sent as a header value as is.
fn header_safe(s: &str) -> bool {
    s.bytes().all(|b| b == b'\t' || (0x20..0x7f).contains(&b))
}

pub(crate) fn answer_with(def: &HandshakeDef, cfg: &SchemeConfig, req: &Request, verdict: &Verdict) -> Option<Handshake> {
    if def.method.as_ref().is_some_and(|m| !req.method.eq_ignore_ascii_case(m)) {
        return None;
    }
    let body = Body { raw: req.body, parsed: OnceLock::new() };
    if !def.when.iter().all(|c| holds(c, req, &body)) {
        return None;
    }
    let ch = &def.challenge;
    let challenge = read(&ch.query, &ch.header, &ch.json, req, &body)?;
    let name = def.name.clone();
    let hint = def.hint.as_ref().map(|h| format!(" {h}")).unwrap_or_default();
    let unanswered = |why: &str| {
        Some(Handshake {
            name: name.clone(),
            reply: None,
            note: format!("This is {name}; Hookloupe did not answer it because {why}, so the endpoint's own response was sent.{hint}"),
        })
    };
    if challenge.is_empty() || challenge.len() > MAX_ECHO {
        return unanswered("its challenge is empty or too long");
    }
    let r = &def.reply;
    let (value, what) = match &r.hmac {
        None => (challenge.clone(), "the challenge".to_owned()),
        Some(h) => {
            if def.signed && verdict.status != VerdictStatus::Valid {
                return unanswered("the request's signature is not valid, and the answer would prove the endpoint's secret");
            }
            if !token_like(&challenge) {
                return unanswered(
                    "its challenge is not a plain token (letters, digits and `-_.~+/=`, at most 512), and answering it would let anyone obtain the secret's HMAC of any text",
                );
            }
            let valid_index = verdict.matched_secret_index.filter(|_| verdict.status == VerdictStatus::Valid);
            let index = valid_index.map_or(0, |i| i as usize);
            let Some(secret) = cfg.secrets.get(index) else {
                return unanswered("no secret is configured, and the answer is an HMAC made with it");
            };
            let (Some(alg), Some(enc), Some(key_enc)) =
                (Alg::parse(&h.algorithm), OutEnc::parse(&h.encoding), h.key_encoding.as_deref().map_or(Some(KeyEnc::Text), KeyEnc::parse))
            else {
                return unanswered("its handshake description is invalid");
            };
            let Some(key) = key_enc.decode(secret.expose()) else {
                return unanswered(&format!("the secret cannot be {}", key_enc.describe()));
            };
            let mac = codec::digest(alg, MacKind::Hmac, &key, &[challenge.as_bytes()]);
            let which = if cfg.secrets.len() > 1 { format!("secret {} of {}", index + 1, cfg.secrets.len()) } else { "the endpoint's secret".into() };
            (format!("{}{}", h.prefix, enc.encode(&mac)), format!("the HMAC-{} of the challenge with {which}", alg.name()))
        }
    };
    match build(r, &challenge, &value) {
        Some((reply, carried)) => Some(Handshake {
            name: name.clone(),
            reply: Some(reply),
            note: format!("This is {name}: Hookloupe answered it with {what} {carried}, as the provider requires, instead of the endpoint's response rule.{hint}"),
        }),
        None => unanswered("its challenge cannot be sent back in a header"),
    }
}

/// The reply carrying `value` (and the received `challenge` where the protocol echoes it),
/// with a phrase saying where it went.
fn build(r: &ReplyDef, challenge: &str, value: &str) -> Option<(HandshakeReply, String)> {
    // Dropbox asks for nosniff so the echoed text cannot be read as HTML; harmless everywhere.
    let mut headers = vec![("X-Content-Type-Options".to_owned(), "nosniff".to_owned())];
    let mut carried = vec![];
    let body = match r.body.as_str() {
        "json" => {
            let mut members = vec![];
            if let Some(e) = &r.echo_field {
                members.push((e.as_str(), challenge));
            }
            let field = r.field.as_deref().unwrap_or("challenge");
            members.push((field, value));
            let json: Vec<String> = members
                .iter()
                .map(|(k, v)| format!("{}:{}", serde_json::Value::from(*k), serde_json::Value::from(*v)))
                .collect();
            headers.push(("Content-Type".into(), "application/json".into()));
            carried.push(format!("in the JSON member `{field}`"));
            format!("{{{}}}", json.join(",")).into_bytes()
        }
        "empty" => vec![],
        _ => {
            headers.push(("Content-Type".into(), "text/plain; charset=utf-8".into()));
            carried.push("as the text of the reply".to_owned());
            value.as_bytes().to_vec()
        }
    };
    if let Some(h) = &r.header {
        if !header_safe(value) {
            return None;
        }
        headers.push((h.clone(), value.to_owned()));
        carried.push(format!("in the `{h}` response header"));
    }
    Some((HandshakeReply { status: r.status, headers, body }, carried.join(" and ")))
}

/// Why a handshake description is unusable, if it is (the catalog test runs this on every entry).
pub fn check(def: &HandshakeDef) -> Result<(), String> {
    let one_place = |q: &Option<String>, h: &Option<String>, j: &Option<String>, what: &str| {
        let set: Vec<&String> = [q, h, j].into_iter().flatten().collect();
        match set.as_slice() {
            [v] if !v.trim().is_empty() => Ok(()),
            _ => Err(format!("{what} must name exactly one of `query`, `header` or `json`")),
        }
    };
    let Field { query, header, json } = &def.challenge;
    one_place(query, header, json, "`challenge`")?;
    for c in &def.when {
        one_place(&c.query, &c.header, &c.json, "each `when` condition")?;
    }
    if def.name.trim().is_empty() {
        return Err("`name` is empty".into());
    }
    if let Some(m) = &def.method {
        if m.is_empty() || !m.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(format!("`method` `{m}` is not an HTTP method in capitals"));
        }
    }
    let r = &def.reply;
    match r.body.as_str() {
        "json" if r.field.is_none() => return Err("a `json` reply needs `field`".into()),
        "json" => {}
        "text" | "empty" if r.echo_field.is_some() || r.field.is_some() => {
            return Err("`field` and `echo_field` go with a `json` reply".into())
        }
        "empty" if r.header.is_none() => return Err("an `empty` reply needs `header`".into()),
        "text" | "empty" => {}
        other => return Err(format!("reply `body` `{other}` is not text, json or empty")),
    }
    if let Some(h) = &r.header {
        if h.is_empty() || !h.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(format!("reply `header` `{h}` is not a header name"));
        }
    }
    if !(200..300).contains(&r.status) {
        return Err(format!("reply `status` {} is not a success", r.status));
    }
    if let Some(h) = &r.hmac {
        Alg::parse(&h.algorithm).ok_or(format!("hmac `algorithm` `{}` is not sha1, sha256 or sha512", h.algorithm))?;
        OutEnc::parse(&h.encoding).ok_or(format!("hmac `encoding` `{}` is not hex, hex_upper, base64 or base64url", h.encoding))?;
        if let Some(k) = &h.key_encoding {
            KeyEnc::parse(k).ok_or(format!("hmac `key_encoding` `{k}` is not text, hex, base64 or whsec"))?;
        }
    } else if def.signed {
        return Err("`signed` only makes sense when the reply is an HMAC".into());
    }
    Ok(())
}

#[cfg(test)]
#[path = "handshake_tests.rs"]
mod tests;
