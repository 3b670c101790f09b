//! Webhook signature engine: given one captured request, an endpoint's scheme and secrets,
//! and the current time, say whether the signature is valid and, when it is not, why, in
//! words a support person can read to a customer. Also signs requests (for replay and test
//! events), guesses the provider from a request, and describes the schemes for the UI.
//! Pure logic: no I/O, no clock reads, no randomness (`now` is passed in); secrets never
//! appear in a verdict, an error, or a `Debug` print.
//!
//! Layout: `codec` (digests, encodings, request views), `generic` (the configurable HMAC
//! engine every HMAC scheme is a preset of), `diagnose` (variant table + explanations),
//! one file per scheme family (`hmac_body`, `stripe`, `standard_webhooks`, `url_signed`,
//! `twilio`, `lyra`, `paybox`, `mailgun`, `linear` (signing only), `discord`, `token`), `asymmetric` (public-key signatures:
//! ECDSA P-256, Ed25519, RSA, over the HMAC engine's extraction and templates),
//! `basic_auth` (HTTP Basic credentials), `jwt` (signed-JWT deliveries, shared secret or
//! public key), `json_fields` (HMAC over fields of JSON items: Adyen), `gcms` (Hygraph),
//! `canonical` (message builders for the HMAC templates: Contentful, Plivo), `cert_url` (signing
//! certificates published at a URL the delivery names: which URLs to trust, reading them) with
//! `sns` (Amazon SNS) and `paypal` over it, `detect`, `catalog`, `handshake` (answering the
//! verification requests providers send before delivering),
//! `sample` (one realistic test-event payload per built-in scheme, as data), and `provider`
//! (the catalog of providers that are presets of an engine, as TOML data in `providers/`).

mod asymmetric;
mod basic_auth;
mod canonical;
mod catalog;
pub mod cert_url;
mod codec;
mod detect;
mod diagnose;
mod discord;
mod gcms;
mod generic;
pub mod handshake;
mod hmac_body;
mod json_fields;
mod jwt;
mod linear;
mod lyra;
mod mailgun;
mod paybox;
mod paypal;
pub mod provider;
mod sample;
mod sns;
mod standard_webhooks;
mod stripe;
mod token;
mod twilio;
mod url_signed;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A configured secret (HMAC key, token or public key). Never printed, never serialized.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// A form safe to show: a short known prefix (`whsec_`, `sk_`…) and the last 4 characters
    /// of long secrets, e.g. `whsec_…a1b2`; short secrets show nothing of themselves.
    pub fn masked(&self) -> String {
        let s = self.0.trim();
        let chars: Vec<char> = s.chars().collect();
        let prefix = s
            .find('_')
            .filter(|i| *i > 0 && *i <= 6 && s.is_char_boundary(i + 1))
            .map(|i| &s[..=i])
            .unwrap_or("");
        let rest = chars.len().saturating_sub(prefix.chars().count());
        if rest >= 16 {
            let tail: String = chars[chars.len() - 4..].iter().collect();
            format!("{prefix}…{tail}")
        } else {
            format!("{prefix}…")
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// What the verifier sees of one captured HTTP request.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    pub method: &'a str,
    /// Full URL as received, e.g. `http://127.0.0.1:4665/stripe?x=1`.
    pub url: &'a str,
    /// In arrival order, names lowercase, repeated names kept.
    pub headers: &'a [(String, String)],
    /// Raw bytes exactly as received.
    pub body: &'a [u8],
    pub remote_ip: Option<std::net::IpAddr>,
}

/// Scheme identifiers; serialized in snake_case (`"stripe"`, `"generic_hmac"`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SchemeId {
    GenericHmac,
    Servolution,
    Finsight,
    PayboxHmac,
    Cyberplus,
    QuerySecret,
    ApiKeyIp,
    Stripe,
    Github,
    Slack,
    Shopify,
    StandardWebhooks,
    Svix,
    Twilio,
    Gitlab,
    Paddle,
    Square,
    Zoom,
    Linear,
    Typeform,
    LemonSqueezy,
    Intercom,
    HubspotV1,
    HubspotV2,
    HubspotV3,
    Mailgun,
    Discord,
    Payzen,
    Paybox,
    /// The public-key engine (ECDSA P-256, Ed25519, RSA) that catalog providers such as
    /// SendGrid, Telnyx, Bridge and Fireblocks are data over.
    Asymmetric,
    /// HTTP Basic credentials (`Authorization: Basic …`), for senders that sign nothing.
    BasicAuth,
    /// A JWT signed with a shared secret (HS256/384/512), in a header (monday.com, FusionAuth).
    Jwt,
    /// A JWT signed with the sender's private key, checked with its public key (Wix).
    JwtPublicKey,
    /// An HMAC over chosen fields of JSON objects in the body (Adyen standard webhooks).
    JsonFields,
    /// Hygraph's `gcms-signature` (HMAC of a JSON envelope of body, environment, timestamp).
    GcmsSignature,
    /// Amazon SNS's signed JSON messages, checked with the certificate at `SigningCertURL`.
    SnsMessage,
    /// PayPal's `PAYPAL-TRANSMISSION-SIG`, checked with the certificate at `PAYPAL-CERT-URL`.
    PaypalTransmission,
}

impl SchemeId {
    pub const ALL: [SchemeId; 37] = [
        SchemeId::GenericHmac,
        SchemeId::Servolution,
        SchemeId::Finsight,
        SchemeId::PayboxHmac,
        SchemeId::Cyberplus,
        SchemeId::QuerySecret,
        SchemeId::ApiKeyIp,
        SchemeId::Stripe,
        SchemeId::Github,
        SchemeId::Slack,
        SchemeId::Shopify,
        SchemeId::StandardWebhooks,
        SchemeId::Svix,
        SchemeId::Twilio,
        SchemeId::Gitlab,
        SchemeId::Paddle,
        SchemeId::Square,
        SchemeId::Zoom,
        SchemeId::Linear,
        SchemeId::Typeform,
        SchemeId::LemonSqueezy,
        SchemeId::Intercom,
        SchemeId::HubspotV1,
        SchemeId::HubspotV2,
        SchemeId::HubspotV3,
        SchemeId::Mailgun,
        SchemeId::Discord,
        SchemeId::Payzen,
        SchemeId::Paybox,
        SchemeId::Asymmetric,
        SchemeId::BasicAuth,
        SchemeId::Jwt,
        SchemeId::JwtPublicKey,
        SchemeId::JsonFields,
        SchemeId::GcmsSignature,
        SchemeId::SnsMessage,
        SchemeId::PaypalTransmission,
    ];

    /// Human name used in explanations and the UI.
    pub fn label(self) -> &'static str {
        catalog::label(self)
    }
}

/// An endpoint's signature settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemeConfig {
    pub scheme: SchemeId,
    /// Rotation: any may match; the index of the one that matched is reported.
    pub secrets: Vec<Secret>,
    /// Scheme options (`tolerance_secs`, `public_url`, generic-HMAC settings, `allowed_ips`, `param`, …).
    pub options: BTreeMap<String, String>,
}

impl SchemeConfig {
    pub fn new(scheme: SchemeId, secrets: &[&str]) -> SchemeConfig {
        SchemeConfig {
            scheme,
            secrets: secrets.iter().map(|s| Secret::new(*s)).collect(),
            options: BTreeMap::new(),
        }
    }
    pub fn with(mut self, option: &str, value: &str) -> SchemeConfig {
        self.options.insert(option.to_string(), value.to_string());
        self
    }
    pub(crate) fn opt(&self, name: &str) -> Option<&str> {
        self.options
            .get(name)
            .map(|s| s.as_str())
            .filter(|s| !s.trim().is_empty())
    }
    /// `tolerance_secs` option, else the scheme default; 0 disables the check.
    pub(crate) fn tolerance(&self, default: i64) -> Result<i64, SignatureError> {
        match self.opt("tolerance_secs") {
            None => Ok(default),
            Some(v) => v
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|t| *t >= 0)
                .ok_or_else(|| SignatureError::BadOption {
                    option: "tolerance_secs".into(),
                    reason: format!("`{v}` is not a whole number of seconds"),
                }),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum VerdictStatus {
    Valid,
    Invalid,
    Expired,
    Unsigned,
    NoSecret,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    Ok,
    BadSignature,
    BadToken,
    Expired,
    MissingHeader,
    MissingPrefix,
    MissingTimestamp,
    NoSecret,
    ReserializedBody,
    UrlMismatch,
    WrongAlgorithm,
    WrongEncoding,
    WrongKeyEncoding,
    IpNotAllowed,
    /// The endpoint's signature settings are unusable (bad option, bad key), so nothing was checked.
    ConfigError,
    /// The signing certificate named by the request (a URL) is not known yet: fetch or paste it.
    CertificateUnavailable,
    /// The signing certificate URL is not the provider's, so it was never fetched.
    CertificateRefused,
    /// The signing certificate cannot be read, or was not valid when the request arrived.
    CertificateInvalid,
}

/// The exact bytes the verifier MACed, for display.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SignedContent {
    /// Lossy UTF-8 of the signed bytes, truncated to 64 KiB; a secret that is part of the
    /// signed bytes (HubSpot v1/v2, PayZen) is shown as `[secret]`.
    pub text: String,
    /// Byte range of the raw body inside `text`.
    pub body_range: Option<(u32, u32)>,
    pub truncated: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Verdict {
    pub status: VerdictStatus,
    pub reason: ReasonCode,
    pub scheme: SchemeId,
    pub explanation: String,
    pub matched_secret_index: Option<u32>,
    /// now − signed timestamp, in seconds.
    #[ts(type = "number | null")]
    pub skew_secs: Option<i64>,
    /// Digest computed for the received content with the best secret (never the secret).
    pub expected: Option<String>,
    pub received: Option<String>,
    pub other_endpoint_hint: Option<String>,
    pub signed_content: Option<SignedContent>,
    /// The catalog provider the endpoint is configured as (`"bitbucket"`), when it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub provider: Option<String>,
    /// The signing certificate's URL, for schemes whose key is a certificate the request
    /// names (Amazon SNS, PayPal): what to fetch or paste when it is not available.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub certificate_url: Option<String>,
}

impl Verdict {
    pub(crate) fn new(
        scheme: SchemeId,
        status: VerdictStatus,
        reason: ReasonCode,
        explanation: impl Into<String>,
    ) -> Verdict {
        Verdict {
            status,
            reason,
            scheme,
            explanation: explanation.into(),
            matched_secret_index: None,
            skew_secs: None,
            expected: None,
            received: None,
            other_endpoint_hint: None,
            signed_content: None,
            provider: None,
            certificate_url: None,
        }
    }
    pub(crate) fn unsigned(scheme: SchemeId, what: &str) -> Verdict {
        Verdict::new(
            scheme,
            VerdictStatus::Unsigned,
            ReasonCode::MissingHeader,
            format!(
                "This request carries no {what}, so it is unsigned: {} signs only when a secret is configured on the sender's side.",
                scheme.label()
            ),
        )
    }
    pub(crate) fn no_secret(scheme: SchemeId) -> Verdict {
        Verdict::no_secret_named(scheme, scheme.label())
    }
    /// `no_secret`, naming the provider (a catalog provider's name rather than its engine's).
    pub(crate) fn no_secret_named(scheme: SchemeId, name: &str) -> Verdict {
        Verdict::new(
            scheme,
            VerdictStatus::NoSecret,
            ReasonCode::NoSecret,
            format!("The request is signed ({name}), but no secret is configured for this endpoint, so it cannot be checked."),
        )
    }
    pub(crate) fn config_error(scheme: SchemeId, e: &SignatureError) -> Verdict {
        Verdict::new(
            scheme,
            VerdictStatus::Invalid,
            ReasonCode::ConfigError,
            format!(
                "The endpoint's signature settings are invalid, so nothing could be checked: {e}."
            ),
        )
    }
    pub fn is_valid(&self) -> bool {
        self.status == VerdictStatus::Valid
    }
}

/// Caller-fixed inputs for `sign` (the engine has no randomness and no clock).
#[derive(Clone, Debug, Default)]
pub struct SignExtra {
    /// Message id (Standard Webhooks / Svix `webhook-id`); defaults to the request's id header.
    pub message_id: Option<String>,
    /// Token (Mailgun); defaults to the one already in the body.
    pub token: Option<String>,
}

/// Result of `sign`: headers to set or replace, and for body- or query-carried schemes the new body or URL.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Signed {
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    pub url: Option<String>,
}

impl Signed {
    /// Replace (or append) the signed headers in a lowercase-named header list.
    pub fn apply_headers(&self, headers: &mut Vec<(String, String)>) {
        for (n, v) in &self.headers {
            let n = n.to_ascii_lowercase();
            headers.retain(|(h, _)| *h != n);
            headers.push((n, v.clone()));
        }
    }
}

/// An owned request with header names in their original case (a request to sign, a sample
/// test event). [`Signed::apply_to`] sets the signature on it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OwnedRequest {
    pub method: String,
    pub url: String,
    /// In order, names as they will be sent, repeated names kept.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl OwnedRequest {
    /// Runs `f` on the verifier's view of this request (lowercase header names).
    pub fn with_view<T>(&self, remote_ip: Option<std::net::IpAddr>, f: impl FnOnce(&Request) -> T) -> T {
        let headers: Vec<(String, String)> =
            self.headers.iter().map(|(n, v)| (n.to_ascii_lowercase(), v.clone())).collect();
        f(&Request { method: &self.method, url: &self.url, headers: &headers, body: &self.body, remote_ip })
    }
}

impl Signed {
    /// Sets the signature on a request whose header names keep their case: a signed header
    /// replaces the value of the first header of that name (any case; later ones are removed)
    /// or is appended; a new body also updates an existing `Content-Length`; a new URL replaces it.
    pub fn apply_to(&self, req: &mut OwnedRequest) {
        for (name, value) in &self.headers {
            match req.headers.iter().position(|(n, _)| n.eq_ignore_ascii_case(name)) {
                Some(i) => {
                    req.headers[i].1 = value.clone();
                    let mut seen = 0;
                    req.headers.retain(|(n, _)| {
                        let same = n.eq_ignore_ascii_case(name);
                        seen += same as usize;
                        !same || seen == 1
                    });
                }
                None => req.headers.push((name.clone(), value.clone())),
            }
        }
        if let Some(body) = &self.body {
            req.body = body.clone();
            let len = req.body.len().to_string();
            for (n, v) in req.headers.iter_mut() {
                if n.eq_ignore_ascii_case("content-length") {
                    *v = len.clone();
                }
            }
        }
        if let Some(url) = &self.url {
            req.url = url.clone();
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct Detection {
    pub scheme: SchemeId,
    /// The catalog provider recognised (`"bitbucket"`), whose settings `scheme` plus the
    /// provider's options make; `None` for a built-in scheme.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub provider: Option<String>,
    /// 0.0 – 1.0
    pub confidence: f32,
    pub why: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SecretKind {
    /// Shared HMAC key.
    HmacKey,
    /// Token / API key compared verbatim.
    Token,
    /// Public key (Ed25519 hex, RSA PEM).
    PublicKey,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OptionInfo {
    pub name: String,
    pub label: String,
    pub default: Option<String>,
    pub help: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SchemeInfo {
    pub id: SchemeId,
    pub name: String,
    pub secret_kind: SecretKind,
    pub secret_help: String,
    #[ts(type = "number | null")]
    pub default_tolerance_secs: Option<i64>,
    pub can_sign: bool,
    pub options: Vec<OptionInfo>,
}

/// One entry of the provider catalog: a built-in scheme, or a provider that is data over one
/// of the engines (its `options` preset, `provider` included, configure an endpoint as it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ProviderInfo {
    pub id: String,
    pub name: String,
    pub scheme: SchemeId,
    pub options: BTreeMap<String, String>,
    pub secret_kind: SecretKind,
    pub secret_help: String,
    /// What is signed, in one phrase.
    pub signs: String,
    pub can_sign: bool,
    pub docs: Option<String>,
    pub builtin: bool,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignatureError {
    #[error("no secret at index {index} (the endpoint has {count})")]
    NoSuchSecret { index: usize, count: usize },
    #[error("option `{option}` is invalid: {reason}")]
    BadOption { option: String, reason: String },
    #[error("option `{option}` is required")]
    MissingOption { option: String },
    #[error("{} cannot sign: {reason}", scheme.label())]
    CannotSign { scheme: SchemeId, reason: String },
    #[error("the secret cannot be used as a {what}")]
    BadSecret { what: String },
    #[error("the request lacks {what}")]
    MissingInput { what: String },
}

/// Verify one request against an endpoint's scheme and secrets at time `now` (unix seconds).
pub fn verify(cfg: &SchemeConfig, req: &Request, now: i64) -> Verdict {
    verify_with_others(cfg, req, now, &[])
}

/// Like `verify`, and when nothing matches, also tries other endpoints' secrets to say
/// "this was signed with endpoint X's secret".
pub fn verify_with_others(
    cfg: &SchemeConfig,
    req: &Request,
    now: i64,
    others: &[(String, Secret)],
) -> Verdict {
    verify_with_certificates(cfg, req, now, others, &cert_url::NoCertificates)
}

/// Like `verify_with_others`, with the signing certificates known so far for schemes whose
/// key is a certificate at a URL the request names (Amazon SNS, PayPal): without one, their
/// verdict says the certificate is not available (and which URL to fetch or paste).
pub fn verify_with_certificates(
    cfg: &SchemeConfig,
    req: &Request,
    now: i64,
    others: &[(String, Secret)],
    certs: &dyn cert_url::Certificates,
) -> Verdict {
    let mut v = verify_scheme(cfg, req, now, others, certs);
    let p = provider::of(cfg);
    // Engines that build no HMAC recipe (tokens, Basic credentials) do not name the provider.
    if let Some(p) = p.filter(|p| !v.explanation.contains(&p.name)) {
        v.explanation = format!("{}: {}", p.name, v.explanation);
    }
    v.provider = p.map(|p| p.id.clone());
    v
}

fn verify_scheme(
    cfg: &SchemeConfig,
    req: &Request,
    now: i64,
    others: &[(String, Secret)],
    certs: &dyn cert_url::Certificates,
) -> Verdict {
    use SchemeId as S;
    match cfg.scheme {
        S::SnsMessage => sns::verify(cfg, req, now, certs),
        S::PaypalTransmission => paypal::verify(cfg, req, now, others, certs),
        S::QuerySecret | S::ApiKeyIp | S::Gitlab => token::verify(cfg, req, others),
        S::Discord => discord::verify(cfg, req, now),
        S::Asymmetric => asymmetric::verify(cfg, req, now),
        S::BasicAuth => basic_auth::verify(cfg, req, others),
        S::Jwt | S::JwtPublicKey => jwt::verify(cfg, req, now),
        S::JsonFields => json_fields::verify(cfg, req),
        S::Paybox => paybox::verify_rsa(cfg, req),
        S::Mailgun => mailgun::verify(cfg, req, now, others),
        S::Twilio => twilio::verify(cfg, req, now, others),
        _ => match recipe_for(cfg, req) {
            Ok(r) => generic::verify(&r, &cfg.secrets, req, now, others),
            Err(e) => Verdict::config_error(cfg.scheme, &e),
        },
    }
}

/// Sign `req` with secret `secret_index` as the configured scheme would, at time `now`.
pub fn sign(
    cfg: &SchemeConfig,
    secret_index: usize,
    req: &Request,
    now: i64,
    extra: &SignExtra,
) -> Result<Signed, SignatureError> {
    use SchemeId as S;
    if let Some(reason) = cannot_sign(cfg.scheme) {
        return Err(SignatureError::CannotSign { scheme: cfg.scheme, reason: reason.into() });
    }
    let secret = cfg
        .secrets
        .get(secret_index)
        .ok_or(SignatureError::NoSuchSecret {
            index: secret_index,
            count: cfg.secrets.len(),
        })?;
    match cfg.scheme {
        S::QuerySecret | S::ApiKeyIp | S::Gitlab => token::sign(cfg, secret, req),
        S::BasicAuth => basic_auth::sign(secret),
        S::Jwt => jwt::sign(cfg, secret, req, now),
        S::JsonFields => json_fields::sign(cfg, secret, req),
        S::GcmsSignature => gcms::sign(cfg, secret, req, now, extra),
        S::Mailgun => mailgun::sign(secret, req, now, extra),
        S::Twilio => twilio::sign(cfg, secret, req),
        S::Linear => linear::sign(cfg, secret, req, now, extra),
        S::Github if codec::header(req, "x-hub-signature-256").is_some() && codec::header(req, "x-hub-signature").is_some() => {
            // GitHub sends both: re-sign both, or a receiver checking the legacy SHA-1 one
            // would reject the copy.
            let mut signed = generic::sign(&recipe_for(cfg, req)?, secret, req, now, extra)?;
            let without_256: Vec<(String, String)> =
                req.headers.iter().filter(|(n, _)| n != "x-hub-signature-256").cloned().collect();
            let legacy_req = Request { headers: &without_256, ..*req };
            let legacy = generic::sign(&recipe_for(cfg, &legacy_req)?, secret, &legacy_req, now, extra)?;
            signed.headers.extend(legacy.headers);
            Ok(signed)
        }
        _ => generic::sign(&recipe_for(cfg, req)?, secret, req, now, extra),
    }
}

/// Why a scheme cannot sign, when it cannot (its secret is a public key).
pub(crate) fn cannot_sign(scheme: SchemeId) -> Option<&'static str> {
    match scheme {
        SchemeId::Discord => {
            Some("it needs the sender's Ed25519 private key; the endpoint holds only the public key")
        }
        SchemeId::Paybox => Some("it needs Paybox's RSA private key; the endpoint holds only the public key"),
        SchemeId::Asymmetric => Some("it needs the sender's private key; the endpoint holds only the public key"),
        SchemeId::JwtPublicKey => Some("its JWTs are signed with the sender's private key; the endpoint holds only the public key"),
        SchemeId::SnsMessage => Some("Amazon signs with its private key; Hookloupe has only the certificate Amazon publishes"),
        SchemeId::PaypalTransmission => Some("PayPal signs with its private key; Hookloupe has only the certificate PayPal publishes"),
        _ => None,
    }
}

/// Signs an owned request (see [`sign`]) and returns it with the signature set: the signed
/// headers replaced or added, and the body or URL changed for schemes that carry the
/// signature there.
pub fn sign_request(
    cfg: &SchemeConfig,
    secret_index: usize,
    req: &OwnedRequest,
    now: i64,
    extra: &SignExtra,
) -> Result<OwnedRequest, SignatureError> {
    let signed = req.with_view(None, |view| sign(cfg, secret_index, view, now, extra))?;
    let mut out = req.clone();
    signed.apply_to(&mut out);
    Ok(out)
}

pub use sample::TEST_EVENT_HEADER;

/// A signed test event for `cfg`'s scheme to `url` (the endpoint's URL, no query): a small,
/// realistic sample of what the provider sends (ids from `nonce`, times from `now`, unix
/// seconds), signed with the first secret at `now` as the provider would, carrying
/// [`TEST_EVENT_HEADER`].
pub fn test_event(cfg: &SchemeConfig, url: &str, now: i64, nonce: u128) -> Result<OwnedRequest, SignatureError> {
    let req = sample::event(cfg, url, now, nonce);
    let extra = SignExtra { message_id: Some(sample::message_id(nonce)), token: None };
    sign_request(cfg, 0, &req, now, &extra)
}

/// Provider guesses from headers and body, best first.
pub fn detect(req: &Request) -> Vec<Detection> {
    detect::detect(req)
}

/// The (lowercase) names of the headers that carry a signature or a token in the schemes Hookloupe
/// recognises, e.g. `stripe-signature`, `x-hub-signature-256` (for redacted exports).
pub fn signature_header_names() -> impl Iterator<Item = String> {
    detect::signature_header_names()
}

/// Scheme descriptions for the UI.
pub fn catalog() -> Vec<SchemeInfo> {
    catalog::catalog()
}

/// The provider catalog: built-in schemes and data providers (`hookloupe schemes`, the UI's
/// provider picker, "Configure as").
pub fn providers() -> Vec<ProviderInfo> {
    catalog::providers()
}

/// The HMAC-engine recipe of every scheme that is a preset of it.
fn recipe_for(cfg: &SchemeConfig, req: &Request) -> Result<generic::Recipe, SignatureError> {
    let mut r = scheme_recipe(cfg, req)?;
    if let Some(p) = provider::of(cfg) {
        r.label = p.name.clone();
    } else if let Some(l) = cfg.opt(provider::LABEL_OPTION).filter(|_| cfg.scheme == SchemeId::GenericHmac) {
        r.label = l.trim().to_owned();
    }
    Ok(r)
}

fn scheme_recipe(cfg: &SchemeConfig, req: &Request) -> Result<generic::Recipe, SignatureError> {
    use SchemeId as S;
    match cfg.scheme {
        S::GenericHmac => generic::from_options(cfg),
        S::Stripe | S::Paddle => stripe::recipe(cfg),
        S::StandardWebhooks | S::Svix => standard_webhooks::recipe(cfg, req),
        S::HubspotV1 | S::HubspotV2 | S::HubspotV3 | S::Square => url_signed::recipe(cfg, req),
        S::Payzen | S::Cyberplus => lyra::recipe(cfg, req),
        S::PayboxHmac => paybox::recipe_hmac(cfg),
        S::GcmsSignature => gcms::recipe(cfg, req),
        _ => hmac_body::recipe(cfg, req),
    }
}

#[cfg(test)]
mod generic_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
pub(crate) mod testutil;
