//! The scheme catalog for the UI: display names, what the secret is, default tolerance,
//! whether `sign` works, and the options each scheme takes (name, label, default, help).
//! Descriptive data only: no verification logic lives here.

use crate::signature::{provider, OptionInfo, ProviderInfo, SchemeId, SchemeInfo, SecretKind};

pub(crate) fn label(s: SchemeId) -> &'static str {
    use SchemeId as S;
    match s {
        S::GenericHmac => "Generic HMAC",
        S::Servolution => "Servolution (Comptentra)",
        S::Finsight => "FinSight",
        S::PayboxHmac => "Paybox HMAC-SHA512",
        S::Cyberplus => "CyberPlus",
        S::QuerySecret => "Secret in query string",
        S::ApiKeyIp => "API key + IP allowlist",
        S::Stripe => "Stripe",
        S::Github => "GitHub",
        S::Slack => "Slack",
        S::Shopify => "Shopify",
        S::StandardWebhooks => "Standard Webhooks",
        S::Svix => "Svix",
        S::Twilio => "Twilio",
        S::Gitlab => "GitLab",
        S::Paddle => "Paddle",
        S::Square => "Square",
        S::Zoom => "Zoom",
        S::Linear => "Linear",
        S::Typeform => "Typeform",
        S::LemonSqueezy => "Lemon Squeezy",
        S::Intercom => "Intercom",
        S::HubspotV1 => "HubSpot v1",
        S::HubspotV2 => "HubSpot v2",
        S::HubspotV3 => "HubSpot v3",
        S::Mailgun => "Mailgun",
        S::Discord => "Discord",
        S::Payzen => "PayZen / Lyra",
        S::Paybox => "Paybox (RSA)",
        S::Asymmetric => "Public-key signature",
        S::BasicAuth => "HTTP Basic auth",
        S::Jwt => "Signed JWT (shared secret)",
        S::JwtPublicKey => "Signed JWT (public key)",
        S::JsonFields => "HMAC over JSON fields",
        S::GcmsSignature => "Hygraph gcms-signature",
        S::SnsMessage => "Amazon SNS message signature",
        S::PaypalTransmission => "PayPal transmission signature",
    }
}

fn opt(name: &str, label: &str, default: Option<&str>, help: &str) -> OptionInfo {
    OptionInfo {
        name: name.into(),
        label: label.into(),
        default: default.map(Into::into),
        help: help.into(),
    }
}

fn tolerance(default: i64) -> OptionInfo {
    opt(
        "tolerance_secs",
        "Timestamp tolerance (s)",
        Some(&default.to_string()),
        "How far the signed timestamp may be from now; 0 disables the check.",
    )
}

fn public_url(help: &str) -> OptionInfo {
    opt("public_url", "Public URL", None, help)
}

pub(crate) fn catalog() -> Vec<SchemeInfo> {
    use SchemeId as S;
    SchemeId::ALL
        .iter()
        .map(|&id| {
            let (kind, secret_help, tol, options): (SecretKind, &str, Option<i64>, Vec<OptionInfo>) = match id {
                S::GenericHmac => (
                    SecretKind::HmacKey,
                    "The shared HMAC secret.",
                    Some(300),
                    vec![
                        opt("label", "Provider name", None, "The provider these settings describe, as verdicts name it (and as an exported description names it)."),
                        opt("header", "Signature header", None, "Header holding the signature (or use query_param / form_field)."),
                        opt("query_param", "Signature query parameter", None, "Query parameter holding the signature."),
                        opt("form_field", "Signature form field", None, "Form field holding the signature."),
                        opt("algorithm", "Algorithm", Some("sha256"), "sha1, sha256 or sha512."),
                        opt("key_encoding", "Key encoding", Some("text"), "text, hex, base64, or whsec (strip `whsec_`, base64-decode)."),
                        opt("output_encoding", "Output encoding", Some("hex"), "hex, hex_upper, base64 or base64url."),
                        opt("prefix", "Prefix", None, "Text before the digest, e.g. `sha256=`."),
                        opt(
                            "template",
                            "Signed content",
                            Some("{body}"),
                            "Placeholders: {body} {timestamp} {id} {method} {url} {path} {query} {sorted_form} {header:NAME} {secret} (mode hash); e.g. `{id}.{timestamp}.{body}`, `v0:{timestamp}:{body}`, `{url}{sorted_form}`.",
                        ),
                        opt("timestamp_header", "Timestamp header", None, "Header holding the signed timestamp (required with {timestamp})."),
                        opt("timestamp_unit", "Timestamp unit", Some("s"), "s, ms, or rfc3339 (an ISO 8601 date and time, signed as its text)."),
                        opt("signature_format", "Signature format", Some("single"), "single; kv for `t=…,v1=…` lists (the timestamp is in the header); positional for `ts,sig1,sig2`."),
                        opt("kv_timestamp_key", "Timestamp key", Some("t"), "With kv: the key of the timestamp item (`t`, `ts`, `timestamp`)."),
                        opt("kv_signature_key", "Signature key", Some("v1"), "With kv: the key of the signature items (`v1`, `s`, `signature`)."),
                        opt("kv_separator", "Item separator", Some(","), "With kv or positional: the character between items (`,` or `;`)."),
                        opt("signature_separator", "Signatures separator", None, "Several signatures in one value (key rotation), joined by this character: `,`, `.` or a space."),
                        opt("header_mode", "Several headers", Some("first"), "first: the first listed header present; all: every listed header holds a signature (numbered headers)."),
                        opt("mode", "Construction", Some("hmac"), "hmac, or hash: a plain digest of the template, which then contains {secret}."),
                        opt("id_header", "Id header", None, "Header holding the message id (required with {id})."),
                        tolerance(300),
                        public_url("URL the sender calls, for {url}/{path}/{query} when a proxy or tunnel is in front."),
                    ],
                ),
                S::QuerySecret => (
                    SecretKind::Token,
                    "The value expected in the query parameter.",
                    None,
                    vec![opt("param", "Query parameter", Some("secret"), "Name of the query parameter holding the secret.")],
                ),
                S::ApiKeyIp => (
                    SecretKind::Token,
                    "The API key the sender puts in the header.",
                    None,
                    vec![
                        opt("header", "API key header", Some("X-API-Key"), "Header holding the key (`Authorization` accepts `Bearer <key>`)."),
                        opt("allowed_ips", "Allowed source IPs", None, "Comma-separated IPs or CIDR ranges; empty = any."),
                    ],
                ),
                S::Asymmetric => (
                    SecretKind::PublicKey,
                    "The sender's public key: PEM, base64 DER, or a raw Ed25519 key in base64 or hex.",
                    Some(300),
                    crate::signature::asymmetric::options(),
                ),
                S::Gitlab => (SecretKind::Token, "The hook's secret token.", None, vec![]),
                S::Jwt => (
                    SecretKind::HmacKey,
                    "The secret the sender signs its JWTs with (HS256/384/512).",
                    Some(60),
                    crate::signature::jwt::options(S::Jwt),
                ),
                S::JwtPublicKey => (
                    SecretKind::PublicKey,
                    "The sender's public key, PEM (`-----BEGIN PUBLIC KEY-----`): RSA, EC P-256 or Ed25519.",
                    Some(60),
                    crate::signature::jwt::options(S::JwtPublicKey),
                ),
                S::JsonFields => (
                    SecretKind::HmacKey,
                    "The HMAC key, as the sender shows it (Adyen: hex, 64 characters).",
                    None,
                    crate::signature::json_fields::options(),
                ),
                S::GcmsSignature => (
                    SecretKind::HmacKey,
                    "The webhook's secret key.",
                    Some(300),
                    vec![
                        tolerance(300),
                        opt("environment", "Environment", Some("master"), "The environment test events are signed for (received ones name theirs in `env=`)."),
                    ],
                ),
                S::SnsMessage => (
                    SecretKind::PublicKey,
                    "None: Amazon SNS signs with the certificate at each message's SigningCertURL, which Hookloupe fetches from Amazon (or paste it: `hookloupe certs add URL FILE`).",
                    None,
                    vec![opt("tolerance_secs", "Timestamp tolerance (s)", Some("0"), "How far the message's Timestamp may be from its arrival; 0 (the default) does not check, as SNS keeps the first Timestamp when it retries.")],
                ),
                S::PaypalTransmission => (
                    SecretKind::Token,
                    "The webhook's ID (Developer Dashboard → Apps & Credentials → the app → Webhooks), which PayPal signs with each delivery; `WEBHOOK_ID` for the Webhooks simulator. Several for several webhooks.",
                    None,
                    vec![opt("tolerance_secs", "Timestamp tolerance (s)", Some("0"), "How far PAYPAL-TRANSMISSION-TIME may be from the arrival; 0 (the default) does not check, as PayPal retries for three days.")],
                ),
                S::BasicAuth => (
                    SecretKind::Token,
                    "The credentials the sender uses, as `user:password` (add several for rotation).",
                    None,
                    vec![],
                ),
                S::Discord => (SecretKind::PublicKey, "The application's Public Key (64 hex chars).", Some(300), vec![tolerance(300)]),
                S::Paybox => (
                    SecretKind::PublicKey,
                    "Paybox's RSA public key (PEM, `-----BEGIN PUBLIC KEY-----`).",
                    None,
                    vec![opt("param", "Signature parameter", Some("Sign"), "Name of the signature variable (`Sign:K` in PBX_RETOUR).")],
                ),
                S::PayboxHmac => (
                    SecretKind::HmacKey,
                    "The 128-hex-character HMAC key from the Back Office.",
                    None,
                    vec![opt("param", "Signature parameter", Some("K"), "Name of the signature parameter (`K` or `Sign`).")],
                ),
                S::Payzen | S::Cyberplus => (
                    SecretKind::HmacKey,
                    "The shop key (TEST or PRODUCTION), or the REST password for `kr-hash`.",
                    None,
                    vec![opt("algorithm", "Signature algorithm", Some("hmac_sha256"), "hmac_sha256 (base64) or sha1 (legacy hex).")],
                ),
                S::Stripe => (SecretKind::HmacKey, "The endpoint's signing secret (`whsec_…`).", Some(300), vec![tolerance(300)]),
                S::Paddle => (SecretKind::HmacKey, "The notification destination's secret key.", Some(5), vec![tolerance(5)]),
                S::Linear => (SecretKind::HmacKey, "The webhook's signing secret.", Some(60), vec![tolerance(60)]),
                S::Slack | S::Zoom | S::StandardWebhooks | S::Svix | S::Mailgun => {
                    (SecretKind::HmacKey, "The signing secret.", Some(300), vec![tolerance(300)])
                }
                S::HubspotV3 => (
                    SecretKind::HmacKey,
                    "The app's client secret.",
                    Some(300),
                    vec![tolerance(300), public_url("URL HubSpot calls, when a proxy or tunnel is in front.")],
                ),
                S::HubspotV2 => (SecretKind::HmacKey, "The app's client secret.", None, vec![public_url("URL HubSpot calls, when a proxy or tunnel is in front.")]),
                S::Square => (
                    SecretKind::HmacKey,
                    "The subscription's signature key.",
                    None,
                    vec![public_url("The notification URL exactly as configured in the Square subscription.")],
                ),
                S::Twilio => (
                    SecretKind::HmacKey,
                    "The account's Auth Token.",
                    None,
                    vec![public_url("The URL configured at Twilio (scheme, host, path), when a proxy or tunnel is in front.")],
                ),
                _ => (SecretKind::HmacKey, "The webhook secret.", None, vec![]),
            };
            SchemeInfo {
                id,
                name: label(id).to_string(),
                secret_kind: kind,
                secret_help: secret_help.to_string(),
                default_tolerance_secs: tol,
                can_sign: crate::signature::cannot_sign(id).is_none(),
                options,
            }
        })
        .collect()
}

/// What each built-in scheme signs, in one phrase (the catalog's `signs`).
pub(crate) fn signs(s: SchemeId) -> &'static str {
    use SchemeId as S;
    match s {
        S::GenericHmac => "configurable: body, timestamp, id, URL, form fields, headers",
        S::Servolution => "raw body",
        S::Finsight => "{timestamp}.{body}",
        S::PayboxHmac => "query string or form without the signature",
        S::Cyberplus | S::Payzen => "vads_* field values joined with + and the key (or kr-answer)",
        S::QuerySecret => "nothing (a shared secret in the query string)",
        S::ApiKeyIp => "nothing (an API key header and the source IP)",
        S::Stripe => "{t}.{body}",
        S::Github | S::Shopify | S::Typeform | S::LemonSqueezy | S::Intercom => "raw body",
        S::Slack => "v0:{timestamp}:{body}",
        S::StandardWebhooks | S::Svix => "{id}.{timestamp}.{body}",
        S::Twilio => "URL + sorted form fields (or the body's SHA-256 in the URL)",
        S::Gitlab => "nothing (a secret token header)",
        S::Paddle => "{ts}:{body}",
        S::Square => "notification URL + body",
        S::Zoom => "v0:{timestamp}:{body}",
        S::Linear => "raw body (timestamp in the body)",
        S::HubspotV1 => "client secret + body",
        S::HubspotV2 => "client secret + method + URL + body",
        S::HubspotV3 => "method + URL + body + timestamp",
        S::Mailgun => "{timestamp}{token}",
        S::Discord => "{timestamp}{body} (Ed25519)",
        S::Paybox => "query string without the signature (RSA-SHA1)",
        S::Asymmetric => "configurable: body, timestamp, id, URL, headers (public-key signature)",
        S::BasicAuth => "nothing (HTTP Basic credentials)",
        S::Jwt => "a JWT (HS256/384/512) in a header; with a claim, the body's SHA-256",
        S::JwtPublicKey => "a JWT signed with the sender's private key (RS/PS, ES256, EdDSA), in a header or as the body",
        S::JsonFields => "chosen fields of each JSON item, joined (Adyen: 8 fields with `:`)",
        S::GcmsSignature => "JSON envelope of body, environment and timestamp",
        S::SnsMessage => "Key\\nValue\\n of the message's signed fields (RSA, certificate at SigningCertURL)",
        S::PaypalTransmission => "transmission_id|transmission_time|webhook_id|crc32(body) (RSA, certificate at PAYPAL-CERT-URL)",
    }
}

/// The whole catalog: the built-in schemes (generic HMAC aside), then every data provider.
pub(crate) fn providers() -> Vec<ProviderInfo> {
    let schemes = catalog();
    // Engines that catalog providers are data over are not providers themselves.
    let engine = |id: SchemeId| {
        matches!(
            id,
            SchemeId::GenericHmac
                | SchemeId::Asymmetric
                | SchemeId::Jwt
                | SchemeId::JwtPublicKey
                | SchemeId::JsonFields
                | SchemeId::GcmsSignature
                | SchemeId::SnsMessage
                | SchemeId::PaypalTransmission
        )
    };
    let builtin = schemes.iter().filter(|s| !engine(s.id)).map(|s| ProviderInfo {
        id: serde_json::to_value(s.id).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
        name: s.name.clone(),
        scheme: s.id,
        options: Default::default(),
        secret_kind: s.secret_kind,
        secret_help: s.secret_help.clone(),
        signs: signs(s.id).to_string(),
        can_sign: s.can_sign,
        docs: None,
        builtin: true,
    });
    let data = provider::all().iter().map(|p| {
        let base = schemes.iter().find(|s| s.id == p.scheme);
        ProviderInfo {
            id: p.id.clone(),
            name: p.name.clone(),
            scheme: p.scheme,
            options: p.config().options,
            secret_kind: p.secret_kind.or(base.map(|b| b.secret_kind)).unwrap_or(SecretKind::HmacKey),
            secret_help: p.secret_help.clone(),
            signs: p.signs.clone(),
            can_sign: base.is_some_and(|b| b.can_sign),
            docs: p.docs.clone(),
            builtin: false,
        }
    });
    builtin.chain(data).collect()
}

/// The catalog as a Markdown page (docs/providers.md, written by a test so it cannot drift):
/// every entry with its id, engine, what it signs, its secret and whether Hookloupe can sign.
#[cfg(test)]
pub(crate) fn markdown() -> String {
    let all = providers();
    let esc = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut out = String::from(
        "<!-- Generated from the catalog (src-tauri/core/src/signature/catalog.rs and providers/*.toml) by\n     `cargo test -p hookloupe-core`: do not edit by hand. -->\n## Provider catalog\n\n",
    );
    out.push_str(&format!(
        "{} entries: {} built-in schemes and {} providers described as data over an engine \
         (`hookloupe schemes` prints the same list; `--scheme ID` configures an endpoint as any of them).\n\n",
        all.len(),
        all.iter().filter(|p| p.builtin).count(),
        all.iter().filter(|p| !p.builtin).count()
    ));
    out.push_str("| Id | Provider | Engine | Signs | Secret | Can sign | Docs |\n|---|---|---|---|---|---|---|\n");
    let mut sorted = all.clone();
    sorted.sort_by_key(|p| p.name.to_lowercase());
    for p in &sorted {
        let engine = serde_json::to_value(p.scheme).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        let kind = match p.secret_kind {
            SecretKind::HmacKey => "HMAC key",
            SecretKind::Token => "token",
            SecretKind::PublicKey => "public key",
        };
        out.push_str(&format!(
            "| `{}` | {} | `{engine}` | {} | {kind} | {} | {} |\n",
            p.id,
            esc(&p.name),
            esc(&p.signs),
            if p.can_sign { "yes" } else { "no" },
            p.docs.as_deref().map(|d| format!("<{d}>")).unwrap_or_default()
        ));
    }
    out
}

/// The README's one-line count of the catalog (between its `catalog-count` markers).
#[cfg(test)]
pub(crate) fn count_line() -> String {
    let all = providers();
    format!(
        "{} signature schemes and providers ({} built in, {} as catalog data; [the list](docs/providers.md))",
        all.len(),
        all.iter().filter(|p| p.builtin).count(),
        all.iter().filter(|p| !p.builtin).count()
    )
}
