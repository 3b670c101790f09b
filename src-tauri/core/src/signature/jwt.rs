//! Signed-JWT deliveries: the sender puts a JWS in a header (FusionAuth's
//! `X-FusionAuth-Signature-JWT`, monday.com's `Authorization`, Wix's `Digest: JWT=…`) or sends
//! the token as the whole body (Wix webhooks). Two schemes share this engine: `jwt`, signed
//! with a shared secret (HS256/384/512; Hookloupe can sign its test events), and
//! `jwt_public_key`, signed with the sender's private key and checked with its public key
//! (RS/PS, ES256, EdDSA; Hookloupe cannot sign). Options say where the token is, which
//! algorithms are accepted (never `none`, never an HMAC algorithm with a public key), which
//! claim carries the body's SHA-256 (FusionAuth `request_body_sha256`, Wix `data.SHA256`),
//! the expected audience, and the clock leeway for `exp` / `nbf`.
//!
//! The `jsonwebtoken` crate parses the JWS and checks the signature (through `crypto`'s
//! provider); this file owns the options, the claim checks against the passed-in `now` (the
//! crate's own time checks are off: they read the clock), and the verdicts. It never prints a
//! secret, and signs only HMAC tokens.

mod crypto;
#[cfg(test)]
mod tests;

use base64::Engine as _;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::Value;
use sha2::Digest as _;

use crate::signature::codec::{self, KeyEnc};
use crate::signature::{
    provider, OptionInfo, ReasonCode, Request, SchemeConfig, SchemeId, Secret, SignatureError, Signed,
    SignedContent, Verdict, VerdictStatus,
};

/// Where the token is.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Location {
    /// The first of these headers present, after an optional prefix (`JWT=`); a leading
    /// `Bearer ` is always accepted.
    Header(Vec<String>),
    /// The whole body is the token (Wix webhooks).
    Body,
}

/// How the body's digest is written in its claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DigestEnc {
    Base64,
    Hex,
}

/// An endpoint's settings for this engine.
struct Settings {
    scheme: SchemeId,
    label: String,
    location: Location,
    prefix: String,
    /// Accepted `alg` values; empty for `jwt_public_key` = those of the configured key.
    algorithms: Vec<Algorithm>,
    key_enc: KeyEnc,
    /// Dotted path of the claim holding SHA-256(body), and how it is written.
    body_claim: Option<(String, DigestEnc)>,
    /// Expected `aud` (`{url}` is resolved to `public_url` or the request URL).
    audience: Option<String>,
    public_url: Option<String>,
    leeway: i64,
    /// Test tokens: lifetime (iat/exp are set when present) and extra claims.
    lifetime: Option<i64>,
    extra_claims: serde_json::Map<String, Value>,
}

fn bad(option: &str, reason: impl Into<String>) -> SignatureError {
    SignatureError::BadOption { option: option.into(), reason: reason.into() }
}

fn alg_name(a: Algorithm) -> String {
    format!("{a:?}")
}

impl Settings {
    fn from(cfg: &SchemeConfig) -> Result<Settings, SignatureError> {
        let scheme = cfg.scheme;
        let list = |v: &str| v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect::<Vec<_>>();
        let location = match cfg.opt("token_location").map(|s| s.trim().to_ascii_lowercase()) {
            None => Location::Header(list(cfg.opt("header").unwrap_or("Authorization"))),
            Some(v) if v == "header" => Location::Header(list(cfg.opt("header").unwrap_or("Authorization"))),
            Some(v) if v == "body" => Location::Body,
            Some(v) => return Err(bad("token_location", format!("`{v}` is not one of header, body"))),
        };
        if matches!(&location, Location::Header(h) if h.is_empty()) {
            return Err(SignatureError::MissingOption { option: "header".into() });
        }
        let algorithms = match cfg.opt("algorithms") {
            None if scheme == SchemeId::Jwt => vec![Algorithm::HS256, Algorithm::HS384, Algorithm::HS512],
            None => vec![],
            Some(v) => list(v)
                .iter()
                .map(|a| a.parse::<Algorithm>().map_err(|_| bad("algorithms", format!("`{a}` is not a JWS algorithm such as HS256, RS256, ES256 or EdDSA"))))
                .collect::<Result<Vec<_>, _>>()?,
        };
        let hmac_only = algorithms.iter().all(|a| a.family() == jsonwebtoken::AlgorithmFamily::Hmac);
        if scheme == SchemeId::Jwt && !hmac_only {
            return Err(bad("algorithms", "a shared-secret JWT is HS256, HS384 or HS512; tokens signed with a private key need the `jwt_public_key` scheme"));
        }
        if scheme == SchemeId::JwtPublicKey && algorithms.iter().any(|a| a.family() == jsonwebtoken::AlgorithmFamily::Hmac) {
            return Err(bad("algorithms", "HS256/384/512 are shared-secret algorithms; use the `jwt` scheme for them"));
        }
        let key_enc = match cfg.opt("key_encoding") {
            None => KeyEnc::Text,
            Some(v) => KeyEnc::parse(v).ok_or_else(|| bad("key_encoding", format!("`{v}` is not one of text, hex, base64")))?,
        };
        let body_claim = match cfg.opt("body_claim") {
            None => None,
            Some(c) => {
                let enc = match cfg.opt("body_claim_encoding").map(|s| s.trim().to_ascii_lowercase()) {
                    None => DigestEnc::Base64,
                    Some(v) if v == "base64" => DigestEnc::Base64,
                    Some(v) if v == "hex" => DigestEnc::Hex,
                    Some(v) => return Err(bad("body_claim_encoding", format!("`{v}` is not one of base64, hex"))),
                };
                Some((c.trim().to_string(), enc))
            }
        };
        let lifetime = match cfg.opt("lifetime_secs") {
            None => None,
            Some(v) => Some(v.trim().parse::<i64>().ok().filter(|t| *t > 0).ok_or_else(|| bad("lifetime_secs", format!("`{v}` is not a positive number of seconds")))?),
        };
        let extra_claims = match cfg.opt("sign_claims") {
            None => serde_json::Map::new(),
            Some(v) => match serde_json::from_str::<Value>(v) {
                Ok(Value::Object(m)) => m,
                _ => return Err(bad("sign_claims", "it is not a JSON object such as {\"accountId\": 1}")),
            },
        };
        Ok(Settings {
            scheme,
            label: provider::of(cfg).map(|p| p.name.clone()).unwrap_or_else(|| scheme.label().to_string()),
            location,
            prefix: cfg.options.get("prefix").cloned().unwrap_or_default(),
            algorithms,
            key_enc,
            body_claim,
            audience: cfg.opt("audience").map(|s| s.trim().to_string()),
            public_url: cfg.opt("public_url").map(|s| s.trim().to_string()),
            leeway: cfg.tolerance(60)?,
            lifetime,
            extra_claims,
        })
    }

    fn where_desc(&self) -> String {
        match &self.location {
            Location::Header(n) => format!("JWT in the `{}` header", n.join("` or `")),
            Location::Body => "JWT as the body".into(),
        }
    }

    /// The token as received (prefix and `Bearer ` removed), and the raw value.
    fn token<'r>(&self, req: &'r Request<'_>) -> Option<(String, &'r str)> {
        let raw: &str = match &self.location {
            Location::Header(names) => names.iter().find_map(|n| codec::header(req, n).filter(|v| !v.trim().is_empty()))?,
            Location::Body => std::str::from_utf8(req.body).ok()?,
        };
        let mut t = raw.trim();
        if !self.prefix.is_empty() && t.len() >= self.prefix.len() && t[..self.prefix.len()].eq_ignore_ascii_case(&self.prefix) {
            t = t[self.prefix.len()..].trim_start();
        }
        if t.len() > 7 && t[..7].eq_ignore_ascii_case("bearer ") {
            t = t[7..].trim_start();
        }
        (!t.is_empty()).then(|| (t.to_string(), raw))
    }

    fn audience_for(&self, req: &Request<'_>) -> Option<String> {
        self.audience.as_ref().map(|a| {
            if a == "{url}" {
                self.public_url.clone().unwrap_or_else(|| req.url.to_string())
            } else {
                a.clone()
            }
        })
    }

    /// The configured keys, in order (`None` where one cannot be used), and the algorithms
    /// each accepts.
    fn keys(&self, secrets: &[Secret]) -> Vec<Result<(DecodingKey, Vec<Algorithm>), String>> {
        secrets
            .iter()
            .map(|s| {
                if self.scheme == SchemeId::Jwt {
                    let bytes = self.key_enc.decode(s.expose()).filter(|b| !b.is_empty()).ok_or_else(|| format!("it is not {}", self.key_enc.describe()))?;
                    let key = DecodingKey::from_secret(&bytes).map_err(|_| "it is empty".to_string())?;
                    Ok((key, self.algorithms.clone()))
                } else {
                    let (kind, key) = crypto::public_key(s.expose())?;
                    let algs: Vec<Algorithm> = if self.algorithms.is_empty() {
                        kind.algorithms().to_vec()
                    } else {
                        self.algorithms.iter().copied().filter(|a| kind.algorithms().contains(a)).collect()
                    };
                    if algs.is_empty() {
                        return Err(format!("it is {}, which verifies none of {}", kind.describe(), self.algorithms.iter().map(|a| alg_name(*a)).collect::<Vec<_>>().join(", ")));
                    }
                    Ok((key, algs))
                }
            })
            .collect()
    }
}

/// Options of the two JWT schemes, for the UI and `hookloupe schemes`.
pub(crate) fn options(scheme: SchemeId) -> Vec<OptionInfo> {
    let opt = |name: &str, label: &str, default: Option<&str>, help: &str| OptionInfo {
        name: name.into(),
        label: label.into(),
        default: default.map(Into::into),
        help: help.into(),
    };
    let mut v = vec![
        opt("header", "Token header", Some("Authorization"), "Header holding the JWT (a comma list names alternatives); a leading `Bearer ` is accepted."),
        opt("prefix", "Token prefix", None, "Text before the token in the header value, e.g. `JWT=` (Wix's `Digest`)."),
        opt("token_location", "Token location", Some("header"), "header, or body: the whole body is the token (Wix webhooks)."),
        opt("algorithms", "Algorithms", Some(if scheme == SchemeId::Jwt { "HS256,HS384,HS512" } else { "those of the key" }), "Accepted `alg` values, comma-separated. `none` is never accepted."),
        opt("body_claim", "Body digest claim", None, "Claim holding the SHA-256 of the raw body, as a dotted path: `request_body_sha256` (FusionAuth), `data.SHA256` (Wix). Empty: the token does not cover the body."),
        opt("body_claim_encoding", "Body digest encoding", Some("base64"), "base64 or hex."),
        opt("audience", "Expected audience", None, "The `aud` the token must carry; `{url}` means the public URL (or the request URL)."),
        opt("tolerance_secs", "Clock leeway (s)", Some("60"), "Seconds of clock difference allowed around `exp` and `nbf`."),
        opt("public_url", "Public URL", None, "URL the sender calls, for `audience = {url}` behind a proxy or tunnel."),
    ];
    if scheme == SchemeId::Jwt {
        v.insert(4, opt("key_encoding", "Secret encoding", Some("text"), "text, hex or base64: how the secret becomes HMAC key bytes."));
        v.push(opt("lifetime_secs", "Test-token lifetime (s)", None, "Test events get `iat` and `exp` = `iat` + this; empty: no time claims."));
        v.push(opt("sign_claims", "Test-token claims", None, "A JSON object of claims test events' tokens carry, e.g. {\"accountId\": 1}."));
    }
    v
}

fn verdict(s: &Settings, status: VerdictStatus, reason: ReasonCode, text: impl Into<String>) -> Verdict {
    Verdict::new(s.scheme, status, reason, text)
}

fn claim<'a>(claims: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(claims, |v, k| v.get(k))
}

fn number(v: Option<&Value>) -> Option<i64> {
    v.and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)))
}

fn digest_text(body: &[u8], enc: DigestEnc) -> String {
    let d = sha2::Sha256::digest(body);
    match enc {
        DigestEnc::Base64 => base64::engine::general_purpose::STANDARD.encode(d),
        DigestEnc::Hex => hex::encode(d),
    }
}

fn ordinal(i: usize, n: usize) -> String {
    if n <= 1 { "the configured key".into() } else { format!("key {} of {n}", i + 1) }
}

pub(crate) fn verify(cfg: &SchemeConfig, req: &Request, now: i64) -> Verdict {
    let s = match Settings::from(cfg) {
        Ok(s) => s,
        Err(e) => return Verdict::config_error(cfg.scheme, &e),
    };
    let Some((token, raw)) = s.token(req) else {
        return Verdict::unsigned(s.scheme, &s.where_desc());
    };
    if cfg.secrets.is_empty() {
        return Verdict::no_secret_named(s.scheme, &s.label);
    }
    crypto::install();
    let label = s.label.clone();
    let mut base = verdict(&s, VerdictStatus::Invalid, ReasonCode::BadSignature, "");
    base.received = Some(raw.trim().chars().take(2048).collect());
    let header = match jsonwebtoken::decode_header(&token) {
        Ok(h) => h,
        Err(e) => {
            base.explanation = match e.kind() {
                ErrorKind::InvalidAlgorithmName | ErrorKind::Json(_) if token.split('.').count() == 3 => format!(
                    "The {} is not acceptable: its header names no algorithm Hookloupe verifies (an unsigned `none` token, or a malformed header). {label} tokens are signed.",
                    s.where_desc()
                ),
                _ => format!(
                    "The {} is not a JWT: a signed token is three base64url parts separated by dots (header.claims.signature).",
                    s.where_desc()
                ),
            };
            return base;
        }
    };
    let alg = header.alg;
    let keys = s.keys(&cfg.secrets);
    let usable: Vec<(usize, &DecodingKey, &Vec<Algorithm>)> =
        keys.iter().enumerate().filter_map(|(i, k)| k.as_ref().ok().map(|(key, algs)| (i, key, algs))).collect();
    if usable.is_empty() {
        let why = keys.iter().find_map(|k| k.as_ref().err()).cloned().unwrap_or_default();
        let what = if s.scheme == SchemeId::Jwt { "shared secret" } else { "public key" };
        return Verdict::config_error(s.scheme, &SignatureError::BadSecret { what: format!("{what} ({why})") });
    }
    if !usable.iter().any(|(_, _, algs)| algs.contains(&alg)) {
        let accepted: Vec<String> = usable.iter().flat_map(|(_, _, a)| a.iter().map(|a| alg_name(*a))).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
        let hint = match (s.scheme, alg.family()) {
            (SchemeId::Jwt, f) if f != jsonwebtoken::AlgorithmFamily::Hmac => format!(
                " {} is a public-key algorithm: the sender signs with a private key, so this endpoint needs the sender's public key (scheme `jwt_public_key`), not a shared secret.",
                alg_name(alg)
            ),
            (SchemeId::JwtPublicKey, jsonwebtoken::AlgorithmFamily::Hmac) => format!(
                " {} is a shared-secret algorithm: configure the secret with the `jwt` scheme (a public key must never be accepted as an HMAC key).",
                alg_name(alg)
            ),
            _ => String::new(),
        };
        base.reason = ReasonCode::WrongAlgorithm;
        base.explanation = format!(
            "The token is signed with {}, but this endpoint accepts {}.{hint}",
            alg_name(alg),
            accepted.join(", ")
        );
        return base;
    }
    let mut validation = Validation::new(alg);
    // Time and audience are checked below against the passed-in `now`: the crate's own
    // checks read the system clock.
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let mut matched: Option<(usize, Value)> = None;
    let mut other_error: Option<String> = None;
    for (i, key, algs) in &usable {
        if !algs.contains(&alg) {
            continue;
        }
        match jsonwebtoken::decode::<Value>(&token, key, &validation) {
            Ok(data) => {
                matched = Some((*i, data.claims));
                break;
            }
            Err(e) if matches!(e.kind(), ErrorKind::InvalidSignature) => {}
            Err(e) => other_error = other_error.or(Some(e.to_string())),
        }
    }
    let Some((i, claims)) = matched else {
        base.explanation = match other_error {
            Some(e) => format!("The JWT could not be checked: {e}."),
            None => format!(
                "The JWT's {} signature does not match {}: it was signed with another {} (another app, environment or a rotated key), or the token was altered.",
                alg_name(alg),
                if cfg.secrets.len() > 1 { "any of the configured keys" } else { "the configured key" },
                if s.scheme == SchemeId::Jwt { "secret" } else { "key" }
            ),
        };
        return base;
    };
    base.matched_secret_index = Some(i as u32);
    base.signed_content = Some(SignedContent {
        text: token.rsplit_once('.').map(|(m, _)| m.to_string()).unwrap_or_default(),
        body_range: None,
        truncated: false,
    });
    let iat = number(claims.get("iat"));
    base.skew_secs = iat.map(|t| now - t);
    let signed_by = format!("signed with {} ({})", ordinal(i, cfg.secrets.len()), alg_name(alg));
    let mut covers = String::new();
    if let Some((path, enc)) = &s.body_claim {
        let want = digest_text(req.body, *enc);
        base.expected = Some(want.clone());
        match claim(&claims, path).and_then(Value::as_str) {
            None => {
                base.explanation = format!(
                    "The JWT is genuine ({signed_by}), but it has no `{path}` claim, so it does not vouch for this body: {label} puts the body's SHA-256 there."
                );
                return base;
            }
            Some(got) => {
                base.received = Some(got.to_string());
                let same = match enc {
                    DigestEnc::Hex => codec::ct_eq_str(&got.to_ascii_lowercase(), &want),
                    DigestEnc::Base64 => codec::ct_eq_str(got, &want),
                };
                if !same {
                    base.reason = ReasonCode::ReserializedBody;
                    base.explanation = format!(
                        "The JWT is genuine ({signed_by}), but its `{path}` claim is not the SHA-256 of the body that arrived: the body was changed after signing (re-serialized by a proxy or framework, or tampered with). {label} hashes the raw bytes it sends."
                    );
                    return base;
                }
                covers = format!(", and its `{path}` claim is the SHA-256 of the body");
            }
        }
    }
    if let Some(want) = s.audience_for(req) {
        let ok = match claims.get("aud") {
            Some(Value::String(a)) => a == &want,
            Some(Value::Array(a)) => a.iter().any(|x| x.as_str() == Some(want.as_str())),
            _ => false,
        };
        if !ok {
            base.reason = ReasonCode::UrlMismatch;
            base.explanation = format!(
                "The JWT is genuine ({signed_by}), but it is addressed to {} and this endpoint expects `{want}`. Behind a tunnel or proxy, set `public_url` to the URL the sender calls.",
                claims.get("aud").map(|a| format!("`{a}`")).unwrap_or_else(|| "no audience (`aud`)".into())
            );
            return base;
        }
    }
    let exp = number(claims.get("exp"));
    let nbf = number(claims.get("nbf"));
    if let Some(exp) = exp.filter(|e| now > e + s.leeway) {
        base.status = VerdictStatus::Expired;
        base.reason = ReasonCode::Expired;
        base.explanation = format!(
            "The JWT is genuine ({signed_by}){covers}, but it expired {} s ago (`exp`), beyond the {} s leeway: a delayed retry, a replay, or a wrong clock on either side.",
            now - exp,
            s.leeway
        );
        return base;
    }
    if let Some(nbf) = nbf.filter(|n| now + s.leeway < *n) {
        base.status = VerdictStatus::Expired;
        base.reason = ReasonCode::Expired;
        base.explanation = format!(
            "The JWT is genuine ({signed_by}){covers}, but it is not valid for another {} s (`nbf`): the sender's clock or this computer's is wrong.",
            nbf - now
        );
        return base;
    }
    base.status = VerdictStatus::Valid;
    base.reason = ReasonCode::Ok;
    let lifetime = exp.map(|e| format!(" It expires in {} s.", e - now)).unwrap_or_default();
    let origin_only = if s.body_claim.is_none() && s.location != Location::Body {
        " The token proves who sent the request, not what the body holds: it carries no digest of the body."
    } else {
        ""
    };
    base.explanation = format!("The {label} JWT is valid: it is {signed_by}{covers}.{lifetime}{origin_only}");
    base
}

fn set_claim(claims: &mut serde_json::Map<String, Value>, path: &str, value: Value) {
    let mut parts: Vec<&str> = path.split('.').collect();
    let last = parts.pop().unwrap_or(path);
    let mut obj = claims;
    for p in parts {
        let entry = obj.entry(p.to_string()).or_insert_with(|| Value::Object(Default::default()));
        if !entry.is_object() {
            *entry = Value::Object(Default::default());
        }
        obj = entry.as_object_mut().expect("made an object just above");
    }
    obj.insert(last.to_string(), value);
}

/// Signs `req` as the sender would: an HMAC token with the configured claims, the body's
/// digest and, with `lifetime_secs`, `iat` = `now` and `exp`.
pub(crate) fn sign(cfg: &SchemeConfig, secret: &Secret, req: &Request, now: i64) -> Result<Signed, SignatureError> {
    let s = Settings::from(cfg)?;
    let Location::Header(names) = &s.location else {
        return Err(SignatureError::CannotSign {
            scheme: s.scheme,
            reason: "the token is the whole body, signed with the sender's private key".into(),
        });
    };
    crypto::install();
    let bytes = s.key_enc.decode(secret.expose()).filter(|b| !b.is_empty()).ok_or_else(|| SignatureError::BadSecret { what: format!("key {}", s.key_enc.describe()) })?;
    let alg = *s.algorithms.first().unwrap_or(&Algorithm::HS256);
    let mut claims = s.extra_claims.clone();
    if let Some(aud) = s.audience_for(req) {
        claims.insert("aud".into(), Value::String(aud));
    }
    if let Some(life) = s.lifetime {
        claims.insert("iat".into(), now.into());
        claims.insert("exp".into(), (now + life).into());
    }
    if let Some((path, enc)) = &s.body_claim {
        set_claim(&mut claims, path, Value::String(digest_text(req.body, *enc)));
    }
    let key = EncodingKey::from_secret(&bytes).map_err(|_| SignatureError::BadSecret { what: "HMAC key".into() })?;
    let token = jsonwebtoken::encode(&Header::new(alg), &Value::Object(claims), &key)
        .map_err(|e| SignatureError::CannotSign { scheme: s.scheme, reason: e.to_string() })?;
    Ok(Signed { headers: vec![(names[0].clone(), format!("{}{token}", s.prefix))], body: None, url: None })
}
