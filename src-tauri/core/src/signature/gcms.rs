//! Hygraph's (formerly GraphCMS) `gcms-signature: sign=<base64>, env=<environment>, t=<ms>`:
//! an HMAC-SHA256, keyed with the webhook's secret as text, of the JSON envelope
//! `{"Body":<raw body as a JSON string>,"EnvironmentName":<env>,"TimeStamp":<t>}` (what
//! `@hygraph/utils` `verifyWebhookSignature` builds with `JSON.stringify`). Verification is
//! the HMAC engine's (a `sign`/`t` key-value header, a template of literals, `{body_json}`
//! and the timestamp); this file makes that recipe, with the environment read from the header
//! being checked, and writes the header the way Hygraph does when signing, which the engine's
//! key-value writer cannot (three items, `, `-separated, `env` in the middle). No clock, no I/O.

use crate::signature::codec::{self, OutEnc};
use crate::signature::generic::{self, Format, Part, Recipe, TsSource};
use crate::signature::{Request, SchemeConfig, SchemeId, Secret, SignExtra, SignatureError, Signed};

pub(crate) const HEADER: &str = "gcms-signature";
const DEFAULT_ENV: &str = "master";

/// The `env=` item of the request's signature header.
fn env_of(req: &Request<'_>) -> Option<String> {
    codec::header(req, HEADER)?
        .split(',')
        .filter_map(|item| item.trim().strip_prefix("env="))
        .map(|e| e.trim().to_string())
        .find(|e| !e.is_empty())
}

/// The environment signed: the header's, else option `environment`, else `master`.
fn environment(cfg: &SchemeConfig, req: &Request<'_>) -> String {
    env_of(req)
        .or_else(|| cfg.opt("environment").map(|e| e.trim().to_string()))
        .unwrap_or_else(|| DEFAULT_ENV.into())
}

pub(crate) fn recipe(cfg: &SchemeConfig, req: &Request<'_>) -> Result<Recipe, SignatureError> {
    let mut r = Recipe::body_hmac(SchemeId::GcmsSignature, HEADER);
    r.format = Format::KeyValue { sep: ',', ts_key: "t".into(), sig_key: "sign".into() };
    r.out_enc = OutEnc::Base64;
    r.ts = TsSource::InSignature;
    r.ts_millis = true;
    r.tolerance = cfg.tolerance(300)?;
    let env = serde_json::to_string(&environment(cfg, req)).unwrap_or_default();
    r.template = vec![
        Part::Lit("{\"Body\":".into()),
        Part::BodyJson,
        Part::Lit(format!(",\"EnvironmentName\":{env},\"TimeStamp\":")),
        Part::Timestamp,
        Part::Lit("}".into()),
    ];
    r.advice = "Hygraph signs the raw body inside a JSON envelope with the environment and timestamp of the header; a receiver that re-serializes a parsed body (`JSON.stringify(req.body)`) gets another string.";
    Ok(r)
}

/// The signature as Hygraph writes it: `sign=…, env=…, t=…` (milliseconds).
pub(crate) fn sign(
    cfg: &SchemeConfig,
    secret: &Secret,
    req: &Request<'_>,
    now: i64,
    extra: &SignExtra,
) -> Result<Signed, SignatureError> {
    let ts = (now * 1000).to_string();
    let mut r = recipe(cfg, req)?;
    r.format = Format::Single;
    r.ts = TsSource::Given(ts.clone());
    let signed = generic::sign(&r, secret, req, now, extra)?;
    let sig = signed.headers.into_iter().next().map(|(_, v)| v).unwrap_or_default();
    let header = format!("sign={sig}, env={}, t={ts}", environment(cfg, req));
    Ok(Signed { headers: vec![(HEADER.into(), header)], body: None, url: None })
}

#[cfg(test)]
#[path = "gcms_tests.rs"]
mod tests;
