//! Handshake replies, one per provider protocol, against values computed independently
//! (python3 hmac/hashlib/base64) or taken from the providers' own examples; the oracle
//! guards (plain tokens only, Zoom's signature first); and every description in the catalog
//! checks.

use super::*;
use crate::signature::provider::{all, parse};
use crate::signature::{sign, verify, SignExtra};

const NOW: i64 = 1_764_000_000;

/// The `[provider.handshake]` blocks proposed for entries that live in other catalog files,
/// exactly as given to the lead (on minimal entries, to be parsed and exercised here).
const OTHER_FILES_BLOCKS: &str = r#"
[[provider]]
id = "meta"
name = "Meta"
scheme = "generic_hmac"
signs = "raw body"
secret_help = "App Secret"
[provider.options]
header = "X-Hub-Signature-256"
prefix = "sha256="
[provider.handshake]
name = "Meta's verification request (hub.challenge)"
method = "GET"
challenge = { query = "hub.challenge" }
when = [{ query = "hub.mode", equals = "subscribe" }]
hint = "Meta sends it unsigned; Hookloupe does not check `hub.verify_token` (it is the value you typed in the App Dashboard, visible in the capture)."
[provider.handshake.reply]
body = "text"

[[provider]]
id = "x_twitter"
name = "X"
scheme = "generic_hmac"
signs = "raw body"
secret_help = "Consumer Secret"
[provider.options]
header = "x-twitter-webhooks-signature"
prefix = "sha256="
output_encoding = "base64"
[provider.handshake]
name = "X's challenge-response check (CRC)"
method = "GET"
challenge = { query = "crc_token" }
[provider.handshake.reply]
body = "json"
field = "response_token"
hmac = { algorithm = "sha256", encoding = "base64", prefix = "sha256=" }

[[provider]]
id = "dropbox"
name = "Dropbox"
scheme = "generic_hmac"
signs = "raw body"
secret_help = "App secret"
[provider.options]
header = "X-Dropbox-Signature"
[provider.handshake]
name = "Dropbox's verification request (challenge)"
method = "GET"
challenge = { query = "challenge" }
[provider.handshake.reply]
body = "text"

[[provider]]
id = "asana"
name = "Asana"
scheme = "generic_hmac"
signs = "raw body"
secret_help = "X-Hook-Secret"
[provider.options]
header = "X-Hook-Signature"
[provider.handshake]
name = "Asana's webhook handshake (X-Hook-Secret)"
method = "POST"
challenge = { header = "x-hook-secret" }
hint = "Set the `X-Hook-Secret` value of this request as the endpoint's secret: Asana signs every later delivery with it and never sends it again."
[provider.handshake.reply]
body = "empty"
header = "X-Hook-Secret"

[[provider]]
id = "monday"
name = "monday.com"
scheme = "generic_hmac"
signs = "JWT"
secret_help = "Signing Secret"
[provider.options]
header = "X-Unused"
[provider.handshake]
name = "monday.com's webhook URL verification (challenge)"
method = "POST"
challenge = { json = "challenge" }
[provider.handshake.reply]
body = "json"
field = "challenge"
"#;

struct R {
    method: &'static str,
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl R {
    fn new(method: &'static str, url: &str) -> R {
        R { method, url: url.into(), headers: vec![], body: vec![] }
    }
    fn h(mut self, n: &str, v: &str) -> R {
        self.headers.push((n.to_ascii_lowercase(), v.into()));
        self
    }
    fn json(mut self, body: &str) -> R {
        self.body = body.as_bytes().to_vec();
        self.h("content-type", "application/json")
    }
    fn view(&self) -> Request<'_> {
        Request { method: self.method, url: &self.url, headers: &self.headers, body: &self.body, remote_ip: None }
    }
}

fn other(id: &str) -> (&'static HandshakeDef, SchemeConfig) {
    let defs: &'static [crate::signature::provider::ProviderDef] = Box::leak(parse(OTHER_FILES_BLOCKS).unwrap().into_boxed_slice());
    let p = defs.iter().find(|p| p.id == id).unwrap();
    let mut cfg = p.config();
    cfg.options.remove(crate::signature::provider::PROVIDER_OPTION);
    (p.handshake.as_ref().unwrap(), cfg)
}

fn run(def: &HandshakeDef, cfg: &SchemeConfig, r: &R) -> Option<Handshake> {
    let req = r.view();
    let verdict = verify(cfg, &req, NOW);
    answer_with(def, cfg, &req, &verdict)
}

fn header<'a>(reply: &'a HandshakeReply, name: &str) -> Option<&'a str> {
    reply.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

fn body_json(reply: &HandshakeReply) -> serde_json::Value {
    serde_json::from_slice(&reply.body).unwrap()
}

#[test]
fn every_description_checks_and_the_builtins_parse() {
    for p in all().iter().filter(|p| p.handshake.is_some()) {
        assert_eq!(check(p.handshake.as_ref().unwrap()), Ok(()), "{}", p.id);
    }
    for p in parse(OTHER_FILES_BLOCKS).unwrap() {
        assert_eq!(check(p.handshake.as_ref().unwrap()), Ok(()), "{}", p.id);
    }
    for s in [SchemeId::Zoom, SchemeId::Slack] {
        let def = builtin(s).unwrap_or_else(|| panic!("{s:?} has no built-in handshake"));
        assert_eq!(check(def), Ok(()), "{s:?}");
    }
    assert!(builtin(SchemeId::Stripe).is_none());
}

#[test]
fn check_rejects_unusable_descriptions() {
    let base = |extra: &str| {
        format!(
            "[[provider]]\nid = \"t\"\nname = \"T\"\nscheme = \"generic_hmac\"\nsigns = \"x\"\nsecret_help = \"x\"\n[provider.handshake]\nname = \"T\"\n{extra}"
        )
    };
    let err = |extra: &str| {
        let p = parse(&base(extra)).unwrap_or_else(|e| panic!("{e}"));
        check(p[0].handshake.as_ref().unwrap()).unwrap_err()
    };
    assert!(err("challenge = { query = \"a\", header = \"b\" }\n[provider.handshake.reply]\n").contains("exactly one"));
    assert!(err("challenge = { query = \"a\" }\n[provider.handshake.reply]\nbody = \"json\"\n").contains("needs `field`"));
    assert!(err("challenge = { query = \"a\" }\n[provider.handshake.reply]\nbody = \"empty\"\n").contains("needs `header`"));
    assert!(err("challenge = { query = \"a\" }\n[provider.handshake.reply]\nbody = \"xml\"\n").contains("not text"));
    assert!(err("challenge = { query = \"a\" }\n[provider.handshake.reply]\nhmac = { algorithm = \"md5\", encoding = \"hex\" }\n").contains("md5"));
    assert!(err("challenge = { query = \"a\" }\nmethod = \"get\"\n[provider.handshake.reply]\n").contains("capitals"));
    // Unknown keys are refused by the format itself.
    assert!(parse(&base("challenge = { query = \"a\" }\nanswer = \"x\"\n[provider.handshake.reply]\n")).is_err());
}

#[test]
fn meta_echoes_hub_challenge_as_text_only_for_subscribe_gets() {
    let (def, cfg) = other("meta");
    let url = "https://hooks.example.com/meta?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock";
    let h = run(def, &cfg, &R::new("GET", url)).unwrap();
    let reply = h.reply.unwrap();
    assert_eq!((reply.status, reply.body.as_slice()), (200, &b"1158201444"[..]));
    assert_eq!(header(&reply, "content-type"), Some("text/plain; charset=utf-8"));
    assert_eq!(header(&reply, "x-content-type-options"), Some("nosniff"));
    assert!(h.note.contains("hub.challenge") && h.note.contains("verify_token"), "{}", h.note);
    assert!(run(def, &cfg, &R::new("GET", &url.replace("subscribe", "unsubscribe"))).is_none());
    assert!(run(def, &cfg, &R::new("POST", url)).is_none());
    assert!(run(def, &cfg, &R::new("GET", "https://hooks.example.com/meta?hub.mode=subscribe")).is_none());
}

#[test]
fn x_crc_is_the_base64_hmac_of_the_token_with_the_consumer_secret() {
    let (def, mut cfg) = other("x_twitter");
    // The example consumer secret and token of X's developer relations gist (jcipriano,
    // "Creates a valid CRC response"); expected value computed with python3 hmac.
    cfg.secrets = vec![crate::signature::Secret::new("z3ZX4v7mAAUGykl3EcmkqbartmuW8VFOOzCloLx9Q45P0hLrFu")];
    let r = R::new("GET", "https://hooks.example.com/x?crc_token=9b4507b3-9040-4669-9ca3-6b94edb50553&nonce=MTU2");
    let h = run(def, &cfg, &r).unwrap();
    let reply = h.reply.unwrap();
    assert_eq!(header(&reply, "content-type"), Some("application/json"));
    assert_eq!(body_json(&reply), serde_json::json!({"response_token": "sha256=Cytd4Sq+NvEcV3MMrXxWJGJx5A+y/lXzzU2Maartkx8="}));
    assert!(h.note.contains("HMAC-SHA-256") && !h.note.contains("z3ZX"), "{}", h.note);
    // A challenge that could be a payload is not HMAC'd: that would sign a forged delivery.
    let forged = R::new("GET", "https://hooks.example.com/x?crc_token=%7B%22for_user_id%22%3A1%7D");
    let h = run(def, &cfg, &forged).unwrap();
    assert!(h.reply.is_none() && h.note.contains("plain token"), "{}", h.note);
    // Without a secret there is nothing to answer with.
    cfg.secrets.clear();
    let h = run(def, &cfg, &r).unwrap();
    assert!(h.reply.is_none() && h.note.contains("no secret"), "{}", h.note);
}

#[test]
fn dropbox_echoes_the_challenge_with_nosniff() {
    let (def, cfg) = other("dropbox");
    let reply = run(def, &cfg, &R::new("GET", "https://hooks.example.com/dbx?challenge=abc123")).unwrap().reply.unwrap();
    assert_eq!(reply.body, b"abc123");
    assert_eq!(header(&reply, "x-content-type-options"), Some("nosniff"));
    assert!(run(def, &cfg, &R::new("POST", "https://hooks.example.com/dbx").json("{}")).is_none());
}

#[test]
fn asana_echoes_x_hook_secret_in_the_reply_header() {
    let (def, cfg) = other("asana");
    let secret = "b537207f20cbfa02357cf448134da559e8bd39d61597dcd5631b8012eae53e81";
    let h = run(def, &cfg, &R::new("POST", "https://example.com/receive-webhook/7654").h("X-Hook-Secret", secret)).unwrap();
    assert!(h.note.contains("X-Hook-Secret") && h.note.contains("endpoint's secret"), "{}", h.note);
    let reply = h.reply.unwrap();
    assert_eq!((reply.status, reply.body.len()), (200, 0));
    assert_eq!(header(&reply, "X-Hook-Secret"), Some(secret));
    assert!(header(&reply, "content-type").is_none());
    // A delivery (signed, no X-Hook-Secret) is not a handshake.
    assert!(run(def, &cfg, &R::new("POST", "https://example.com/receive-webhook/7654").h("X-Hook-Signature", "00").json("{}")).is_none());
}

#[test]
fn monday_returns_the_challenge_in_the_same_json_shape() {
    let (def, cfg) = other("monday");
    let r = R::new("POST", "https://hooks.example.com/monday").json(r#"{"challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}"#);
    let reply = run(def, &cfg, &r).unwrap().reply.unwrap();
    assert_eq!(body_json(&reply), serde_json::json!({"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}));
    let ev = R::new("POST", "https://hooks.example.com/monday").json(r#"{"event":{"type":"create_pulse"}}"#);
    assert!(run(def, &cfg, &ev).is_none());
}

fn zoom_validation(secret: &str, signed_with: Option<&str>) -> (SchemeConfig, R) {
    let cfg = SchemeConfig::new(SchemeId::Zoom, &[secret]);
    let body = r#"{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1654503849680,"event":"endpoint.url_validation"}"#;
    let mut r = R::new("POST", "https://hooks.example.com/zoom").json(body);
    if let Some(key) = signed_with {
        let signer = SchemeConfig::new(SchemeId::Zoom, &[key]);
        let s = sign(&signer, 0, &r.view(), NOW, &SignExtra::default()).unwrap();
        s.apply_headers(&mut r.headers);
    }
    (cfg, r)
}

#[test]
fn zoom_url_validation_is_answered_only_when_signed_with_the_secret() {
    let secret = "zoom-secret-token-123";
    let (cfg, r) = zoom_validation(secret, Some(secret));
    let req = r.view();
    let verdict = verify(&cfg, &req, NOW);
    assert!(verdict.is_valid(), "{}", verdict.explanation);
    let h = answer(&cfg, &req, &verdict).unwrap();
    let reply = h.reply.unwrap();
    // hex HMAC-SHA256(secret, plainToken), computed with python3.
    assert_eq!(
        body_json(&reply),
        serde_json::json!({"plainToken": "qgg8vlvZRS6UYooatFL8Aw", "encryptedToken": "bb14734995b1296db328f8a0bf605e48f34f4c9ca4ab1f001ddc76ee33bd9975"})
    );
    for (cfg, r) in [zoom_validation(secret, None), zoom_validation(secret, Some("another-secret"))] {
        let req = r.view();
        let h = answer(&cfg, &req, &verify(&cfg, &req, NOW)).unwrap();
        assert!(h.reply.is_none() && h.note.contains("signature is not valid"), "{}", h.note);
    }
    // An ordinary Zoom event is not a handshake.
    let cfg = SchemeConfig::new(SchemeId::Zoom, &[secret]);
    let ev = R::new("POST", "https://hooks.example.com/zoom").json(r#"{"event":"meeting.started","payload":{}}"#);
    assert!(answer(&cfg, &ev.view(), &verify(&cfg, &ev.view(), NOW)).is_none());
}

#[test]
fn slack_url_verification_echoes_the_challenge() {
    let cfg = SchemeConfig::new(SchemeId::Slack, &["8f742231b10e8888abcd99yyyzzz85a5"]);
    // The payload of api.slack.com/events/url_verification.
    let body = r#"{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}"#;
    let r = R::new("POST", "https://hooks.example.com/slack").json(body);
    let reply = reply(&cfg, &r.view(), &verify(&cfg, &r.view(), NOW)).unwrap();
    assert_eq!(reply.body, b"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
    let ev = R::new("POST", "https://hooks.example.com/slack").json(r#"{"type":"event_callback","challenge":"x"}"#);
    assert!(answer(&cfg, &ev.view(), &verify(&cfg, &ev.view(), NOW)).is_none());
}

#[test]
fn catalog_handshakes_of_this_file_answer_as_documented() {
    let cfg = |id: &str| {
        let mut c = crate::signature::provider::find(id).unwrap_or_else(|| panic!("{id} is not in the catalog")).config();
        c.secrets = vec![crate::signature::Secret::new("s3cr3t-token")];
        c
    };
    let ask = |id: &str, r: &R| {
        let c = cfg(id);
        let req = r.view();
        answer(&c, &req, &verify(&c, &req, NOW)).and_then(|h| h.reply)
    };
    // Okta: the header value in a JSON `verification` member.
    let okta = R::new("GET", "https://hooks.example.com/okta").h("X-Okta-Verification-Challenge", "wXg6DkRuULRbUPGgD0Tb");
    assert_eq!(body_json(&ask("okta", &okta).unwrap()), serde_json::json!({"verification": "wXg6DkRuULRbUPGgD0Tb"}));
    // Microsoft Graph: the URL-decoded token as text.
    let graph = R::new("POST", "https://hooks.example.com/graph?validationToken=Validation%3A%20Testing%20client%20application%20reachability");
    assert_eq!(ask("microsoft_graph", &graph).unwrap().body, b"Validation: Testing client application reachability");
    // Strava: `{"hub.challenge": …}` as JSON.
    let strava = R::new("GET", "https://hooks.example.com/strava?hub.verify_token=STRAVA&hub.challenge=15f7d1a91c1f40f8a748fd134752feb3&hub.mode=subscribe");
    assert_eq!(body_json(&ask("strava", &strava).unwrap()), serde_json::json!({"hub.challenge": "15f7d1a91c1f40f8a748fd134752feb3"}));
    // Their deliveries are not handshakes.
    assert!(ask("strava", &R::new("POST", "https://hooks.example.com/strava").json(r#"{"aspect_type":"create"}"#)).is_none());
    assert!(ask("okta", &R::new("POST", "https://hooks.example.com/okta").json("{}")).is_none());
}

#[test]
fn a_challenge_that_cannot_be_a_header_value_is_not_answered() {
    let (def, cfg) = other("asana");
    let mut r = R::new("POST", "https://example.com/hook");
    r.headers.push(("x-hook-secret".into(), "line\u{1}break".into()));
    let h = run(def, &cfg, &r).unwrap();
    assert!(h.reply.is_none() && h.note.contains("header"), "{}", h.note);
}
