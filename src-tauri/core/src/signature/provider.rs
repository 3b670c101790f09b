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
    #[serde(default = "default_expect")]
    pub expect: String,
}

fn default_url() -> String {
    "https://example.com/webhook".into()
}

fn default_expect() -> String {
    "valid".into()
}

#[derive(Deserialize)]
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

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
#[path = "provider_tests.rs"]
mod tests;
