//! The provider catalog as data: every provider whose scheme is one of the engines' presets
//! (most are generic HMAC with a header, prefix, template and encodings; some are Standard
//! Webhooks or Svix senders; public-key ones sit on the asymmetric engine) is one
//! `[[provider]]` table in `providers/*.toml`, embedded in the binary and parsed once. An entry
//! says which engine and options verify it, how a request is recognised (headers, user agent),
//! what a realistic delivery looks like (the test-event sample), its help text, sources, and
//! optional official example vectors. This module parses and looks entries up; it must not
//! verify (the engines do) and it holds no secrets (a vector's example secret is public test
//! data from the provider's docs).
//!
//! Why TOML data rather than code: adding a provider should be reviewing twenty lines of
//! facts against the provider's page, not writing Rust; and the same shape is what a user
//! exports and imports to describe a provider the catalog lacks.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::signature::{SchemeConfig, SchemeId, SecretKind};

/// The option that names an endpoint's catalog provider (`"bitbucket"`); the engine's own
/// options sit beside it.
pub const PROVIDER_OPTION: &str = "provider";

/// The embedded catalog files, by name (for error messages).
const FILES: &[(&str, &str)] = &[
    ("providers/a_to_m.toml", include_str!("providers/a_to_m.toml")),
    ("providers/webhook_senders.toml", include_str!("providers/webhook_senders.toml")),
    ("providers/n_to_z.toml", include_str!("providers/n_to_z.toml")),
    ("providers/asymmetric.toml", include_str!("providers/asymmetric.toml")),
    ("providers/not_signatures.toml", include_str!("providers/not_signatures.toml")),
    ("providers/fields_and_jwt.toml", include_str!("providers/fields_and_jwt.toml")),
    ("providers/network_keys.toml", include_str!("providers/network_keys.toml")),
];

/// One provider: the facts of its scheme and how to recognise and imitate it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderDef {
    pub id: String,
    pub name: String,
    /// The engine this provider is data over.
    pub scheme: SchemeId,
    /// Its class in the research table (A: generic HMAC, B: HMAC extension, C: new
    /// verification code, D: not a signature, COV: a sender of a scheme Hookloupe has).
    #[serde(default)]
    pub class: String,
    /// What is signed, in one phrase (`raw body`, `{timestamp}.{body}`).
    pub signs: String,
    pub secret_help: String,
    /// Whether the signature covers the body: false for schemes that authenticate the sender
    /// only (monday.com's JWT, Plivo V2's URL + nonce), where a tampered body still verifies.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub covers_body: bool,
    #[serde(default)]
    pub secret_kind: Option<SecretKind>,
    #[serde(default)]
    pub docs: Option<String>,
    /// How the scheme was confirmed (the provider's page, its official library…).
    #[serde(default)]
    pub source: String,
    /// The engine's options, as an endpoint's signature settings hold them.
    #[serde(default)]
    pub options: BTreeMap<String, String>,
    #[serde(default)]
    pub detect: DetectRule,
    #[serde(default)]
    pub sample: Option<SampleDef>,
    #[serde(default, rename = "vector", skip_serializing_if = "Vec::is_empty")]
    pub vectors: Vec<VectorDef>,
    /// The verification request the provider sends before it delivers, and how it is
    /// answered (see [`crate::signature::handshake`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handshake: Option<HandshakeDef>,
}

/// A provider's handshake, declared: which request it is (method, where the challenge is,
/// conditions) and what the reply carries (the challenge echoed as text, in a JSON member or
/// a response header, or its HMAC with the endpoint's secret). Checked by
/// [`crate::signature::handshake::check`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandshakeDef {
    /// What the provider calls it, for the verdict (`hub.challenge verification`, `CRC`).
    pub name: String,
    /// Only requests with this method (`GET`, `POST`); any when absent.
    #[serde(default)]
    pub method: Option<String>,
    /// Where the challenge is.
    pub challenge: Field,
    /// Further conditions, all of which must hold (`type == "url_verification"`).
    #[serde(default)]
    pub when: Vec<Condition>,
    /// Answer only when the request's own signature is valid: the provider signs its
    /// handshake and the reply proves the secret (Zoom), so an unsigned request gets nothing.
    #[serde(default)]
    pub signed: bool,
    /// A sentence added to the verdict of the handshake request (Asana: its `X-Hook-Secret`
    /// is the secret later deliveries are signed with).
    #[serde(default)]
    pub hint: Option<String>,
    pub reply: ReplyDef,
}

/// One place in a request: exactly one of a query parameter, a header, or a JSON member
/// (a dotted path into the body, `payload.plainToken`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    #[serde(default)]
    pub query: Option<String>,
    #[serde(default)]
    pub header: Option<String>,
    #[serde(default)]
    pub json: Option<String>,
}

/// A place that must be present and, with `equals`, hold exactly that text.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    #[serde(default)]
    pub query: Option<String>,
    #[serde(default)]
    pub header: Option<String>,
    #[serde(default)]
    pub json: Option<String>,
    #[serde(default)]
    pub equals: Option<String>,
}

/// How the reply carries the value (the challenge, or its HMAC when `hmac` is set).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyDef {
    /// `text` (the value as `text/plain`), `json` (an object with the value in `field`), or
    /// `empty` (no body: the value goes in `header`).
    #[serde(default = "default_reply_body")]
    pub body: String,
    /// With `json`: the member that holds the value.
    #[serde(default)]
    pub field: Option<String>,
    /// With `json`: a member that holds the challenge as received (Zoom's `plainToken`).
    #[serde(default)]
    pub echo_field: Option<String>,
    /// A response header that holds the value (Asana's `X-Hook-Secret`).
    #[serde(default)]
    pub header: Option<String>,
    #[serde(default = "default_reply_status")]
    pub status: u16,
    #[serde(default)]
    pub hmac: Option<HmacDef>,
}

/// The value is the HMAC of the challenge keyed with the endpoint's secret.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HmacDef {
    /// sha1, sha256 or sha512.
    pub algorithm: String,
    /// hex, hex_upper, base64 or base64url.
    pub encoding: String,
    /// Text before the digest (`sha256=`).
    #[serde(default)]
    pub prefix: String,
    /// How the secret becomes key bytes (text, hex, base64); text when absent.
    #[serde(default)]
    pub key_encoding: Option<String>,
}

fn default_reply_body() -> String {
    "text".into()
}

fn default_reply_status() -> u16 {
    200
}

/// How a captured request is recognised as this provider.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetectRule {
    /// Lowercase header names that must all be present.
    #[serde(default)]
    pub headers: Vec<String>,
    /// A case-insensitive piece of the `User-Agent` that must be present.
    #[serde(default)]
    pub user_agent: Option<String>,
    /// Pieces of the body that must all be present, for senders of a shared scheme that only
    /// their payload tells apart (Clerk's and Resend's Svix deliveries).
    #[serde(default)]
    pub body_contains: Vec<String>,
    #[serde(default = "default_confidence")]
    pub confidence: f32,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

fn default_confidence() -> f32 {
    0.9
}

/// A realistic delivery, without the signature (signing adds it). Placeholders as in `sample`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SampleDef {
    #[serde(default = "default_method")]
    pub method: String,
    #[serde(default)]
    pub query: String,
    #[serde(default)]
    pub event_type: Option<String>,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub body: String,
}

fn default_method() -> String {
    "POST".into()
}

/// An official example (the provider's docs or library tests): it must verify as `expect`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VectorDef {
    #[serde(default)]
    pub note: String,
    pub secret: String,
    pub now: i64,
    #[serde(default = "default_method")]
    pub method: String,
    #[serde(default = "default_url")]
    pub url: String,
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    #[serde(default)]
    pub body: String,
    /// Extra engine options the example needs (a `public_url`, say).
    #[serde(default)]
    pub options: BTreeMap<String, String>,
    /// `valid`, `invalid` or `expired`.
    #[serde(default = "default_expect")]
    pub expect: String,
}

fn default_url() -> String {
    "https://example.com/webhook".into()
}

fn default_expect() -> String {
    "valid".into()
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    provider: Vec<ProviderDef>,
}

/// Parses one catalog document (an embedded file, or a user's exported description).
pub fn parse(text: &str) -> Result<Vec<ProviderDef>, String> {
    toml::from_str::<File>(text).map(|f| f.provider).map_err(|e| e.to_string())
}

/// Every embedded provider, in file order. A broken embedded file is a build defect the
/// catalog test catches; at run time it leaves that file's providers out rather than failing.
pub fn all() -> &'static [ProviderDef] {
    static ALL: OnceLock<Vec<ProviderDef>> = OnceLock::new();
    ALL.get_or_init(|| FILES.iter().flat_map(|(_, text)| parse(text).unwrap_or_default()).collect())
}

/// The embedded files that do not parse, with the reason (for the catalog test).
#[cfg(test)]
pub(crate) fn broken_files() -> Vec<(String, String)> {
    FILES
        .iter()
        .filter_map(|(name, text)| parse(text).err().map(|e| (name.to_string(), e)))
        .collect()
}

pub fn find(id: &str) -> Option<&'static ProviderDef> {
    all().iter().find(|p| p.id == id)
}

/// The catalog provider an endpoint is configured as, when its options name one that exists.
pub(crate) fn of(cfg: &SchemeConfig) -> Option<&'static ProviderDef> {
    cfg.opt(PROVIDER_OPTION).and_then(find).filter(|p| p.scheme == cfg.scheme)
}

impl ProviderDef {
    /// The signature settings that configure an endpoint as this provider (no secrets).
    pub fn config(&self) -> SchemeConfig {
        let mut options = self.options.clone();
        options.insert(PROVIDER_OPTION.into(), self.id.clone());
        SchemeConfig { scheme: self.scheme, secrets: vec![], options }
    }

    /// Whether a request (lowercase header names) matches the detection rule.
    pub(crate) fn matches(&self, req: &crate::signature::Request) -> bool {
        let d = &self.detect;
        if d.headers.is_empty() && d.user_agent.is_none() {
            return false;
        }
        let headers = req.headers;
        let has = |n: &str| headers.iter().any(|(h, v)| h == n && !v.trim().is_empty());
        d.headers.iter().all(|h| has(h))
            && d.user_agent.as_ref().is_none_or(|ua| {
                let ua = ua.to_ascii_lowercase();
                headers
                    .iter()
                    .any(|(h, v)| h == "user-agent" && v.to_ascii_lowercase().contains(&ua))
            })
            && d.body_contains.iter().all(|piece| contains(req.body, piece.as_bytes()))
    }
}

/// The option of a user-described scheme (generic HMAC) that names its provider in verdicts.
pub const LABEL_OPTION: &str = "label";

/// An endpoint's signature settings written as a catalog entry (the `providers/*.toml`
/// format), so a provider the catalog lacks can be described once, without code, and shared
/// or proposed for the catalog. Secrets are never part of it. `id` and `name` default to the
/// settings' catalog provider or label.
pub fn describe(cfg: &SchemeConfig, id: Option<&str>, name: Option<&str>) -> Result<String, String> {
    let known = of(cfg);
    let name = name
        .map(str::to_owned)
        .or_else(|| known.map(|p| p.name.clone()))
        .or_else(|| cfg.opt(LABEL_OPTION).map(str::to_owned))
        .unwrap_or_else(|| cfg.scheme.label().to_owned());
    let id = id.map(str::to_owned).or_else(|| known.map(|p| p.id.clone())).unwrap_or_else(|| {
        let slug: String = name.to_ascii_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
        slug.split('_').filter(|s| !s.is_empty()).collect::<Vec<_>>().join("_")
    });
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
        return Err(format!("the id {id:?} must be snake_case letters, digits and `_`"));
    }
    let mut options = cfg.options.clone();
    options.remove(PROVIDER_OPTION);
    options.remove(LABEL_OPTION);
    let headers: Vec<String> = options
        .get("header")
        .map(|h| h.split(',').map(|n| n.trim().to_ascii_lowercase()).filter(|n| !n.is_empty()).take(1).collect())
        .unwrap_or_default();
    let def = ProviderDef {
        id,
        name,
        scheme: cfg.scheme,
        class: known.map(|p| p.class.clone()).unwrap_or_else(|| "A".into()),
        signs: known
            .map(|p| p.signs.clone())
            .or_else(|| options.get("template").cloned())
            .unwrap_or_else(|| "raw body".into()),
        secret_help: known.map(|p| p.secret_help.clone()).unwrap_or_else(|| "The provider's signing secret.".into()),
        covers_body: known.is_none_or(|p| p.covers_body),
        secret_kind: None,
        docs: known.and_then(|p| p.docs.clone()),
        source: known.map(|p| p.source.clone()).unwrap_or_else(|| "described in Hookloupe from an endpoint's settings".into()),
        options,
        detect: known.map(|p| p.detect.clone()).unwrap_or(DetectRule { headers, user_agent: None, body_contains: vec![], confidence: 0.9 }),
        sample: known.and_then(|p| p.sample.clone()),
        handshake: known.and_then(|p| p.handshake.clone()),
        vectors: vec![],
    };
    toml::to_string(&File { provider: vec![def] }).map_err(|e| e.to_string())
}

/// Reads one description (`[[provider]]` table) back into the settings that configure an
/// endpoint as it, without secrets: a catalog provider's own preset when the id is one of the
/// catalog's with the same engine, else the description's options with its name as `label`.
pub fn read_description(text: &str) -> Result<(ProviderDef, SchemeConfig), String> {
    let mut defs = parse(text)?;
    if defs.len() != 1 {
        return Err(format!("a description holds one [[provider]] table; this one has {}", defs.len()));
    }
    let def = defs.remove(0);
    if let Some(p) = find(&def.id).filter(|p| p.scheme == def.scheme) {
        return Ok((def, p.config()));
    }
    let mut options = def.options.clone();
    options.remove(PROVIDER_OPTION);
    if def.scheme == SchemeId::GenericHmac {
        options.insert(LABEL_OPTION.into(), def.name.clone());
    }
    Ok((def.clone(), SchemeConfig { scheme: def.scheme, secrets: vec![], options }))
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
#[path = "provider_tests.rs"]
mod tests;
