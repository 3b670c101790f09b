//! The configurable HMAC engine: a `Recipe` says where the signature is, how it is
//! formatted, which bytes are signed (a template over body, timestamp, id, URL, form…),
//! with which algorithm, key decoding and output encoding. `generic_hmac` builds a recipe
//! from user options; most named schemes are presets of it. This file extracts, computes,
//! compares (constant time) and signs; it must not guess variants or write diagnoses
//! (that is `diagnose`), and it never reads the clock, does I/O, or prints a secret.

use crate::signature::canonical;
use crate::signature::codec::{self, Alg, KeyEnc, MacKind, OutEnc};
use crate::signature::diagnose;
use crate::signature::{
    ReasonCode, Request, SchemeConfig, SchemeId, Secret, SignExtra, SignatureError, Signed,
    SignedContent, Verdict, VerdictStatus,
};

/// Where the signature travels.
#[derive(Clone, Debug)]
pub(crate) enum Locator {
    Header(Vec<String>),
    Query(Vec<String>),
    Form(Vec<String>),
    /// Query string first, then form body (Paybox: GET or POST).
    QueryOrForm(Vec<String>),
    /// Already extracted by the scheme module (e.g. Mailgun's JSON body).
    Given {
        values: Vec<String>,
        what: String,
    },
}

/// How one header/field value holds one or more signatures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// The value (after `prefix`) is one signature, or several joined by `Recipe::sig_sep`.
    Single,
    /// `t=…,v1=…,v1=…` (Stripe) or `ts=…;h1=…` (Paddle).
    KeyValue {
        sep: char,
        ts_key: String,
        sig_key: String,
    },
    /// `ts,sig1,sig2`: the timestamp first, then the signatures (Recurly).
    Positional { sep: char },
    /// `v1,<sig> v1,<sig> v1a,<…>` (Standard Webhooks).
    SpaceList { version: &'static str },
}

/// One piece of the signed content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Part {
    Lit(String),
    Body,
    Timestamp,
    Id,
    Method,
    Url,
    /// URL with HubSpot's v3 percent-decoding rules applied.
    HubspotUri,
    Path,
    /// Raw query string, without the signature parameter when the signature is in the query.
    Query,
    /// Form params sorted by name, each `name || value` (decoded), signature field excluded.
    SortedForm,
    Header(String),
    /// The secret text itself (plain-hash schemes); shown as `[secret]`.
    Secret,
    /// Decoded values of `vads_*` fields sorted by name, joined with `+` (Lyra/PayZen).
    VadsValues,
    /// Raw query string (or form body) with the signature parameter removed, order kept (Paybox).
    SignedParams,
    /// Decoded value of one form field (PayZen REST `kr-answer`).
    FormField(String),
    /// Contentful's canonical request: method, normalised path, signed headers, body
    /// (`{contentful_request}`, built by `canonical::contentful_head`).
    ContentfulRequest,
    /// Plivo V3's URL with the query and POST parameters sorted (`{plivo_v3_url}`).
    PlivoV3Url,
    /// The URL without its query (`{base_url}`; Plivo V2).
    BaseUrl,
    /// The body as a JSON string literal (`{body_json}`; Hygraph's envelope).
    BodyJson,
}

#[derive(Clone, Debug)]
pub(crate) enum TsSource {
    None,
    Header(Vec<String>),
    /// In the signature header itself (`t=` / `ts=`).
    InSignature,
    /// Numeric field of the JSON body (Linear `webhookTimestamp`).
    JsonField(&'static str),
    Given(String),
}

#[derive(Clone, Debug)]
pub(crate) struct Recipe {
    pub scheme: SchemeId,
    pub locator: Locator,
    pub format: Format,
    pub prefix: String,
    pub alg: Alg,
    pub kind: MacKind,
    pub key_enc: KeyEnc,
    pub out_enc: OutEnc,
    pub template: Vec<Part>,
    pub ts: TsSource,
    pub ts_millis: bool,
    /// The timestamp is an RFC 3339 / ISO 8601 text (Zendesk, Twitch, Box); the text is signed.
    pub ts_rfc3339: bool,
    /// Several signatures in one value, joined by this (PagerDuty `,`, Synctera `.`).
    pub sig_sep: Option<char>,
    /// Read every listed header (numbered headers: DocuSign `-1`, `-2`; Box primary and
    /// secondary) instead of the first one present.
    pub all_headers: bool,
    /// Name in messages: the scheme's label, or the catalog provider's name.
    pub label: String,
    /// Seconds; 0 disables.
    pub tolerance: i64,
    /// Only reject old timestamps (stripe-python, hubspot-api-client); future ones pass.
    pub past_only: bool,
    pub id_headers: Vec<String>,
    pub public_url: Option<String>,
    /// Twilio: the URL is valid with and without the default port.
    pub url_port_quirk: bool,
    /// FinSight: the sender MACs its own compact re-serialization; accept it as valid.
    pub accept_reserialized: bool,
    /// Another MAC construction the sender may be set to (PayZen: HMAC vs plain SHA-1).
    pub alt_kind: Option<MacKind>,
    /// One sentence of scheme-specific advice for unexplained mismatches.
    pub advice: &'static str,
}

impl Recipe {
    /// HMAC-SHA256, text key, lowercase hex, raw body, signature in `header`.
    pub(crate) fn body_hmac(scheme: SchemeId, header: &str) -> Recipe {
        Recipe {
            scheme,
            locator: Locator::Header(vec![header.to_string()]),
            format: Format::Single,
            prefix: String::new(),
            alg: Alg::Sha256,
            kind: MacKind::Hmac,
            key_enc: KeyEnc::Text,
            out_enc: OutEnc::Hex,
            template: vec![Part::Body],
            ts: TsSource::None,
            ts_millis: false,
            ts_rfc3339: false,
            sig_sep: None,
            all_headers: false,
            label: scheme.label().to_string(),
            tolerance: 0,
            past_only: false,
            id_headers: vec![],
            public_url: None,
            url_port_quirk: false,
            accept_reserialized: false,
            alt_kind: None,
            advice: "",
        }
    }

    pub(crate) fn uses(&self, p: &Part) -> bool {
        self.template.contains(p)
    }

    pub(crate) fn uses_url(&self) -> bool {
        self.template
            .iter()
            .any(|p| {
                matches!(
                    p,
                    Part::Url
                        | Part::HubspotUri
                        | Part::Path
                        | Part::Query
                        | Part::ContentfulRequest
                        | Part::PlivoV3Url
                        | Part::BaseUrl
                )
            })
    }

    pub(crate) fn sig_names(&self) -> &[String] {
        match &self.locator {
            Locator::Header(n) | Locator::Query(n) | Locator::Form(n) | Locator::QueryOrForm(n) => {
                n
            }
            Locator::Given { .. } => &[],
        }
    }

    /// Where the signature is expected, for messages: "`Stripe-Signature` header".
    pub(crate) fn where_desc(&self) -> String {
        match &self.locator {
            Locator::Header(n) => format!("`{}` header", n.join("` or `")),
            Locator::Query(n) => format!("`{}` query parameter", n.join("` or `")),
            Locator::Form(n) => format!("`{}` form field", n.join("` or `")),
            Locator::QueryOrForm(n) => format!("`{}` parameter", n.join("` or `")),
            Locator::Given { what, .. } => what.clone(),
        }
    }

    fn ts_desc(&self) -> String {
        match &self.ts {
            TsSource::Header(n) => format!("`{}` header", n[0]),
            TsSource::InSignature => format!("timestamp inside the {}", self.where_desc()),
            TsSource::JsonField(f) => format!("`{f}` field of the JSON body"),
            TsSource::Given(_) | TsSource::None => "timestamp".to_string(),
        }
    }

    pub(crate) fn key(&self, secret: &Secret) -> Option<Vec<u8>> {
        match self.kind {
            MacKind::Hmac => self.key_enc.decode(secret.expose()),
            MacKind::Hash => Some(Vec::new()),
        }
    }
}

/// A signature found in the request.
#[derive(Clone, Debug)]
pub(crate) struct Cand {
    /// As received (with prefix).
    pub raw: String,
    /// Without the prefix.
    pub value: String,
    /// The expected prefix/version marker was present.
    pub had_prefix: bool,
}

pub(crate) struct Extracted {
    pub cands: Vec<Cand>,
    pub ts_in_sig: Option<String>,
    pub sig_in_query: bool,
}

fn split_value(r: &Recipe, v: &str, out: &mut Extracted) {
    let v = v.trim();
    if v.is_empty() {
        return;
    }
    let single = |item: &str, out: &mut Extracted| {
        let item = item.trim();
        if item.is_empty() {
            return;
        }
        let (value, had) = match item.strip_prefix(r.prefix.as_str()) {
            Some(rest) if !r.prefix.is_empty() => (rest, true),
            _ => (item, r.prefix.is_empty()),
        };
        out.cands.push(Cand {
            raw: item.to_string(),
            value: value.to_string(),
            had_prefix: had,
        });
    };
    match &r.format {
        Format::Single => match r.sig_sep {
            Some(sep) => v.split(sep).for_each(|item| single(item, out)),
            None => single(v, out),
        },
        Format::Positional { sep } => {
            let mut items = v.split(*sep);
            out.ts_in_sig = items.next().map(|t| t.trim().to_string());
            items.for_each(|item| single(item, out));
        }
        Format::KeyValue {
            sep,
            ts_key,
            sig_key,
        } => {
            let sep = *sep;
            if !v.contains('=')
                || (!v.contains(sep)
                    && !v.starts_with(&format!("{ts_key}="))
                    && !v.starts_with(&format!("{sig_key}=")))
            {
                out.cands.push(Cand {
                    raw: v.to_string(),
                    value: v.to_string(),
                    had_prefix: false,
                });
                return;
            }
            for item in v.split(sep) {
                if let Some((k, val)) = item.split_once('=') {
                    let (k, val) = (k.trim(), val.trim());
                    if k == ts_key.as_str() {
                        out.ts_in_sig = Some(val.to_string());
                    } else if k == sig_key.as_str() {
                        out.cands.push(Cand {
                            raw: item.trim().to_string(),
                            value: val.to_string(),
                            had_prefix: true,
                        });
                    }
                }
            }
        }
        Format::SpaceList { version } => {
            for item in v.split_whitespace() {
                match item.split_once(',') {
                    Some((ver, val)) if ver == *version => out.cands.push(Cand {
                        raw: item.to_string(),
                        value: val.to_string(),
                        had_prefix: true,
                    }),
                    Some(_) => {}
                    None => out.cands.push(Cand {
                        raw: item.to_string(),
                        value: item.to_string(),
                        had_prefix: false,
                    }),
                }
            }
        }
    }
}

pub(crate) fn extract(r: &Recipe, req: &Request) -> Extracted {
    let mut out = Extracted {
        cands: vec![],
        ts_in_sig: None,
        sig_in_query: false,
    };
    let from_pairs = |pairs: &[(String, String)], names: &[String]| -> Option<String> {
        names
            .iter()
            .find_map(|n| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()))
    };
    let query_pairs = || {
        codec::split_url(req.url)
            .query
            .map(|q| codec::parse_pairs(q.as_bytes()))
            .unwrap_or_default()
    };
    let form_pairs = || {
        if codec::is_form(req) {
            codec::parse_pairs(req.body)
        } else {
            vec![]
        }
    };
    match &r.locator {
        Locator::Header(names) if r.all_headers => {
            for n in names {
                if let Some(v) = codec::header(req, n).filter(|v| !v.trim().is_empty()) {
                    split_value(r, v, &mut out);
                }
            }
        }
        Locator::Header(names) => {
            if let Some(v) = names
                .iter()
                .find_map(|n| codec::header(req, n).filter(|v| !v.trim().is_empty()))
            {
                split_value(r, v, &mut out);
            }
        }
        Locator::Query(names) => {
            if let Some(v) = from_pairs(&query_pairs(), names) {
                out.sig_in_query = true;
                split_value(r, &v, &mut out);
            }
        }
        Locator::Form(names) => {
            if let Some(v) = from_pairs(&form_pairs(), names) {
                split_value(r, &v, &mut out);
            }
        }
        Locator::QueryOrForm(names) => {
            if let Some(v) = from_pairs(&query_pairs(), names) {
                out.sig_in_query = true;
                split_value(r, &v, &mut out);
            } else if let Some(v) = from_pairs(&form_pairs(), names) {
                split_value(r, &v, &mut out);
            }
        }
        Locator::Given { values, .. } => {
            for v in values {
                split_value(r, v, &mut out);
            }
        }
    }
    out
}

/// A parsed signed timestamp.
#[derive(Clone, Debug)]
pub(crate) struct Ts {
    pub raw: String,
    pub value: i64,
    /// In seconds.
    pub secs: i64,
}

pub(crate) fn timestamp(r: &Recipe, req: &Request, ex: &Extracted) -> Result<Option<Ts>, String> {
    let raw: Option<String> = match &r.ts {
        TsSource::None => return Ok(None),
        TsSource::Header(names) => names
            .iter()
            .find_map(|n| codec::header(req, n))
            .map(|s| s.trim().to_string()),
        TsSource::InSignature => ex.ts_in_sig.clone(),
        TsSource::Given(s) => Some(s.clone()),
        TsSource::JsonField(f) => serde_json::from_slice::<serde_json::Value>(req.body)
            .ok()
            .and_then(|v| match v.get(*f) {
                Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                Some(serde_json::Value::String(s)) => Some(s.clone()),
                _ => None,
            }),
    };
    let what = r.ts_desc();
    let Some(raw) = raw.filter(|s| !s.is_empty()) else {
        return Err(format!(
            "The {what} is missing; {} signs a timestamp to prevent replays, so this request cannot be verified without it.",
            r.label
        ));
    };
    if r.ts_rfc3339 {
        // A date and time without a zone (Orb's `2024-03-27T15:42:29.551`) is UTC, as the
        // senders that write it mean.
        let secs = match chrono::DateTime::parse_from_rfc3339(&raw) {
            Ok(t) => t.timestamp(),
            Err(_) => match chrono::NaiveDateTime::parse_from_str(&raw, "%Y-%m-%dT%H:%M:%S%.f") {
                Ok(t) => t.and_utc().timestamp(),
                Err(_) => {
                    return Err(format!(
                        "The {what} (`{raw}`) is not an RFC 3339 date and time such as `2026-11-28T09:30:00Z`."
                    ))
                }
            },
        };
        return Ok(Some(Ts { raw, value: secs, secs }));
    }
    let Ok(value) = raw.parse::<i64>() else {
        return Err(format!(
            "The {what} (`{raw}`) is not a whole number of {}.",
            if r.ts_millis {
                "milliseconds"
            } else {
                "seconds"
            }
        ));
    };
    let secs = if r.ts_millis {
        value.div_euclid(1000)
    } else {
        value
    };
    Ok(Some(Ts { raw, value, secs }))
}

/// Everything about the request a template needs.
pub(crate) struct Ctx<'a> {
    pub req: &'a Request<'a>,
    pub ts: Option<Ts>,
    pub id: Option<String>,
    pub sig_in_query: bool,
    pub sig_names: Vec<String>,
}

pub(crate) enum Seg<'b> {
    Bytes(Vec<u8>),
    Body(&'b [u8]),
    Secret,
}

pub(crate) struct Content<'b> {
    pub segs: Vec<Seg<'b>>,
}

const HUBSPOT_DECODE: [(&str, &str); 12] = [
    ("%3A", ":"),
    ("%2F", "/"),
    ("%3F", "?"),
    ("%40", "@"),
    ("%21", "!"),
    ("%24", "$"),
    ("%27", "'"),
    ("%28", "("),
    ("%29", ")"),
    ("%2A", "*"),
    ("%2C", ","),
    ("%3B", ";"),
];

pub(crate) fn hubspot_uri(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    let mut rest = url;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let cand = rest.get(i..i + 3).unwrap_or("");
        match HUBSPOT_DECODE
            .iter()
            .find(|(e, _)| e.eq_ignore_ascii_case(cand))
        {
            Some((_, d)) => {
                out.push_str(d);
                rest = &rest[i + 3..];
            }
            None => {
                out.push('%');
                rest = &rest[i + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn without_sig(raw: &str, names: &[String]) -> String {
    codec::raw_items(raw)
        .into_iter()
        .filter(|it| !names.contains(&codec::raw_item_name(it)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Build the signed content for one URL and one body (received or a diagnosis variant).
pub(crate) fn build<'b>(r: &Recipe, c: &Ctx<'_>, url: &str, body: &'b [u8]) -> Content<'b> {
    let mut segs = Vec::with_capacity(r.template.len());
    for p in &r.template {
        let bytes: Vec<u8> = match p {
            Part::Lit(s) => s.as_bytes().to_vec(),
            Part::Body => {
                segs.push(Seg::Body(body));
                continue;
            }
            Part::Secret => {
                segs.push(Seg::Secret);
                continue;
            }
            Part::Timestamp => {
                c.ts.as_ref()
                    .map(|t| t.raw.clone())
                    .unwrap_or_default()
                    .into_bytes()
            }
            Part::Id => c.id.clone().unwrap_or_default().into_bytes(),
            Part::Method => c.req.method.to_ascii_uppercase().into_bytes(),
            Part::Url => url.as_bytes().to_vec(),
            Part::HubspotUri => hubspot_uri(url).into_bytes(),
            Part::Path => codec::split_url(url).path.as_bytes().to_vec(),
            Part::Query => {
                let q = codec::split_url(url).query.unwrap_or("");
                if c.sig_in_query {
                    without_sig(q, &c.sig_names)
                } else {
                    q.to_string()
                }
                .into_bytes()
            }
            Part::SortedForm => {
                let mut pairs = if codec::is_form(c.req) && c.req.method != "GET" {
                    codec::parse_pairs(body)
                } else {
                    vec![]
                };
                pairs.retain(|(k, _)| c.sig_in_query || !c.sig_names.contains(k));
                pairs.sort();
                pairs
                    .into_iter()
                    .flat_map(|(k, v)| [k, v])
                    .collect::<String>()
                    .into_bytes()
            }
            Part::Header(n) => codec::header(c.req, n).unwrap_or("").as_bytes().to_vec(),
            Part::VadsValues => {
                let mut pairs = codec::parse_pairs(body);
                pairs.retain(|(k, _)| k.starts_with("vads_"));
                pairs.sort_by(|a, b| a.0.cmp(&b.0));
                pairs
                    .into_iter()
                    .map(|(_, v)| v)
                    .collect::<Vec<_>>()
                    .join("+")
                    .into_bytes()
            }
            Part::FormField(name) => codec::parse_pairs(body)
                .into_iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v)
                .unwrap_or_default()
                .into_bytes(),
            Part::ContentfulRequest => {
                segs.push(Seg::Bytes(canonical::contentful_head(c, url)));
                segs.push(Seg::Body(body));
                continue;
            }
            Part::PlivoV3Url => canonical::plivo_v3_url(c, url, body),
            Part::BaseUrl => canonical::base_url(url),
            Part::BodyJson => canonical::json_string(body),
            Part::SignedParams => {
                if c.sig_in_query {
                    without_sig(codec::split_url(url).query.unwrap_or(""), &c.sig_names)
                        .into_bytes()
                } else {
                    without_sig(&String::from_utf8_lossy(body), &c.sig_names).into_bytes()
                }
            }
        };
        segs.push(Seg::Bytes(bytes));
    }
    Content { segs }
}

pub(crate) fn mac_of(
    alg: Alg,
    kind: MacKind,
    key: &[u8],
    secret: &Secret,
    content: &Content<'_>,
) -> Vec<u8> {
    let parts: Vec<&[u8]> = content
        .segs
        .iter()
        .map(|s| match s {
            Seg::Bytes(b) => b.as_slice(),
            Seg::Body(b) => b,
            Seg::Secret => secret.expose().as_bytes(),
        })
        .collect();
    codec::digest(alg, kind, key, &parts)
}

const MAX_SHOWN: usize = 64 * 1024;

pub(crate) fn display(content: &Content<'_>) -> SignedContent {
    let mut bytes = Vec::new();
    let mut body_range = None;
    for s in &content.segs {
        match s {
            Seg::Bytes(b) => bytes.extend_from_slice(b),
            Seg::Secret => bytes.extend_from_slice(b"[secret]"),
            Seg::Body(b) => {
                let start = bytes.len().min(MAX_SHOWN);
                // Never copy more than needed for display.
                let room = MAX_SHOWN.saturating_sub(bytes.len()) + 4;
                bytes.extend_from_slice(&b[..b.len().min(room)]);
                if body_range.is_none() {
                    body_range = Some((start as u32, (start + b.len()).min(MAX_SHOWN) as u32));
                }
            }
        }
        if bytes.len() > MAX_SHOWN + 4 {
            break;
        }
    }
    let total: usize = content
        .segs
        .iter()
        .map(|s| match s {
            Seg::Bytes(b) => b.len(),
            Seg::Body(b) => b.len(),
            Seg::Secret => 8,
        })
        .sum();
    let (text, cut) = codec::lossy_truncated(&bytes, MAX_SHOWN);
    let truncated = cut || total > MAX_SHOWN;
    if let Some((s, e)) = body_range.as_mut() {
        *s = (*s).min(text.len() as u32);
        *e = (*e).min(text.len() as u32);
    }
    SignedContent {
        text,
        body_range,
        truncated,
    }
}

/// URLs under which a signature is accepted as valid.
pub(crate) fn valid_urls(r: &Recipe, req: &Request) -> Vec<String> {
    if !r.uses_url() && !r.uses(&Part::SignedParams) {
        return vec![String::new()];
    }
    let primary = r.public_url.clone().unwrap_or_else(|| req.url.to_string());
    let mut urls = vec![primary.clone()];
    if r.url_port_quirk {
        for u in port_variants(&primary) {
            if !urls.contains(&u) {
                urls.push(u);
            }
        }
    }
    urls
}

/// The URL with the default port added or removed.
pub(crate) fn port_variants(url: &str) -> Vec<String> {
    let u = codec::split_url(url);
    let default = match u.scheme {
        "https" => "443",
        "http" => "80",
        _ => return vec![],
    };
    let (host, port) = match u.authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || u.authority.starts_with('[') && h.ends_with(']') => {
            (h, Some(p))
        }
        _ => (u.authority, None),
    };
    let mut out = vec![];
    match port {
        Some(p) if p == default => out.push(codec::join_url(u.scheme, host, u.path, u.query)),
        None => out.push(codec::join_url(
            u.scheme,
            &format!("{host}:{default}"),
            u.path,
            u.query,
        )),
        _ => {}
    }
    out
}

/// All inputs of one verification, shared with `diagnose`.
pub(crate) struct Check<'a> {
    pub r: &'a Recipe,
    pub req: &'a Request<'a>,
    pub ctx: Ctx<'a>,
    pub cands: Vec<Cand>,
    pub secrets: &'a [Secret],
    pub urls: Vec<String>,
    pub now: i64,
}

impl Check<'_> {
    pub(crate) fn skew(&self) -> Option<i64> {
        self.ctx.ts.as_ref().map(|t| self.now - t.secs)
    }
    /// The expected signature as it would appear on the wire.
    pub(crate) fn format_sig(&self, mac: &[u8]) -> String {
        let v = self.r.out_enc.encode(mac);
        match &self.r.format {
            Format::Single | Format::Positional { .. } => format!("{}{v}", self.r.prefix),
            Format::KeyValue { sig_key, .. } => format!("{sig_key}={v}"),
            Format::SpaceList { version } => format!("{version},{v}"),
        }
    }
}

fn ordinal(i: usize, n: usize) -> String {
    if n <= 1 {
        "the configured secret".to_string()
    } else {
        format!("secret {} of {n}", i + 1)
    }
}

pub(crate) fn ts_unit_note(r: &Recipe, ts: &Ts) -> String {
    let looks_ms = ts.value.abs() >= 100_000_000_000;
    if r.ts_rfc3339 {
        String::new()
    } else if !r.ts_millis && looks_ms {
        format!(
            " The timestamp `{}` looks like milliseconds, but {} expects seconds.",
            ts.raw,
            r.label
        )
    } else if r.ts_millis && !looks_ms {
        format!(
            " The timestamp `{}` looks like seconds, but {} expects milliseconds.",
            ts.raw,
            r.label
        )
    } else {
        String::new()
    }
}

/// Timestamp policy on a correct MAC.
pub(crate) fn finish_match(
    ck: &Check<'_>,
    i: usize,
    cand: &Cand,
    mac: &[u8],
    content: &Content<'_>,
    note: &str,
) -> Verdict {
    let r = ck.r;
    let label = &r.label;
    let mut v = Verdict::new(
        r.scheme,
        VerdictStatus::Valid,
        ReasonCode::Ok,
        format!(
            "The {label} signature is valid: it matches {}.{note}",
            ordinal(i, ck.secrets.len())
        ),
    );
    v.matched_secret_index = Some(i as u32);
    v.expected = Some(ck.format_sig(mac));
    v.received = Some(cand.raw.clone());
    v.signed_content = Some(display(content));
    if let Some(ts) = &ck.ctx.ts {
        let skew = ck.now - ts.secs;
        v.skew_secs = Some(skew);
        let tol = r.tolerance;
        let too_old = tol > 0 && skew > tol;
        let too_new = tol > 0 && !r.past_only && -skew > tol;
        if too_old || too_new {
            v.status = VerdictStatus::Expired;
            v.reason = ReasonCode::Expired;
            v.explanation = if too_old {
                format!(
                    "The signature is correct, but it was made {skew} s ago, more than the {tol} s this endpoint accepts ({label} rejects old deliveries to stop replays). A delayed retry, a manual resend, or a wrong clock on either side causes this.{}",
                    ts_unit_note(r, ts)
                )
            } else {
                format!(
                    "The signature is correct, but its timestamp is {} s in the future, beyond the {tol} s this endpoint accepts: the sender's clock or this computer's clock is wrong.{}",
                    -skew,
                    ts_unit_note(r, ts)
                )
            };
        }
    }
    v
}

pub(crate) fn verify(
    r: &Recipe,
    secrets: &[Secret],
    req: &Request,
    now: i64,
    others: &[(String, Secret)],
) -> Verdict {
    let ex = extract(r, req);
    if ex.cands.is_empty() {
        return Verdict::unsigned(r.scheme, &r.where_desc());
    }
    if secrets.is_empty() {
        return Verdict::no_secret_named(r.scheme, &r.label);
    }
    let ts = match timestamp(r, req, &ex) {
        Ok(t) => t,
        Err(msg) => {
            let mut v = Verdict::new(
                r.scheme,
                VerdictStatus::Invalid,
                ReasonCode::MissingTimestamp,
                msg,
            );
            v.received = ex.cands.first().map(|c| c.raw.clone());
            return v;
        }
    };
    let id = r
        .id_headers
        .iter()
        .find_map(|n| codec::header(req, n))
        .map(|s| s.trim().to_string());
    let ctx = Ctx {
        req,
        ts,
        id,
        sig_in_query: ex.sig_in_query,
        sig_names: r.sig_names().to_vec(),
    };
    let ck = Check {
        r,
        req,
        ctx,
        cands: ex.cands,
        secrets,
        urls: valid_urls(r, req),
        now,
    };

    for (i, s) in secrets.iter().enumerate() {
        let Some(key) = r.key(s) else { continue };
        for url in &ck.urls {
            let content = build(r, &ck.ctx, url, req.body);
            let mac = mac_of(r.alg, r.kind, &key, s, &content);
            if let Some(c) = ck
                .cands
                .iter()
                .find(|c| c.had_prefix && r.out_enc.matches(&mac, &c.value))
            {
                let note = if r.accept_reserialized {
                    " It was computed over the raw body as received."
                } else if url != &ck.urls[0] {
                    " (The sender signed the URL with the default port written differently; both forms are accepted.)"
                } else {
                    ""
                };
                return finish_match(&ck, i, c, &mac, &content, note);
            }
        }
        if let Some(compact) = r
            .accept_reserialized
            .then(|| diagnose::compact_json(req.body))
            .flatten()
        {
            for url in &ck.urls {
                let content = build(r, &ck.ctx, url, &compact);
                let mac = mac_of(r.alg, r.kind, &key, s, &content);
                if let Some(c) = ck
                    .cands
                    .iter()
                    .find(|c| c.had_prefix && r.out_enc.matches(&mac, &c.value))
                {
                    let note = format!(
                        " As {} does, it was computed over the JSON re-serialized compactly (`JSON.stringify`), not over the raw bytes.",
                        r.label
                    );
                    return finish_match(&ck, i, c, &mac, &content, &note);
                }
            }
        }
    }
    diagnose::diagnose(&ck, others)
}

fn set_param(raw: &str, name: &str, value: &str) -> String {
    let mut items: Vec<String> = codec::raw_items(raw)
        .into_iter()
        .filter(|it| codec::raw_item_name(it) != name)
        .map(|s| s.to_string())
        .collect();
    items.push(format!(
        "{}={}",
        codec::percent_encode_component(name),
        codec::percent_encode_component(value)
    ));
    items.join("&")
}

pub(crate) fn sign(
    r: &Recipe,
    secret: &Secret,
    req: &Request,
    now: i64,
    extra: &SignExtra,
) -> Result<Signed, SignatureError> {
    let key = r.key(secret).ok_or_else(|| SignatureError::BadSecret {
        what: format!("key {}", r.key_enc.describe()),
    })?;
    let ts_value = if r.ts_millis { now * 1000 } else { now };
    let ts_text = if r.ts_rfc3339 {
        chrono::DateTime::from_timestamp(now, 0)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default()
    } else {
        ts_value.to_string()
    };
    let ts = match &r.ts {
        TsSource::None => None,
        TsSource::JsonField(_) => {
            let ex = extract(r, req);
            timestamp(r, req, &ex).ok().flatten()
        }
        TsSource::Given(s) => Some(Ts {
            raw: s.clone(),
            value: 0,
            secs: 0,
        }),
        _ => Some(Ts {
            raw: ts_text,
            value: ts_value,
            secs: now,
        }),
    };
    let id = extra.message_id.clone().or_else(|| {
        r.id_headers
            .iter()
            .find_map(|n| codec::header(req, n))
            .map(|s| s.to_string())
    });
    if r.uses(&Part::Id) && id.is_none() {
        return Err(SignatureError::MissingInput {
            what: "a message id (an id header such as `webhook-id`, or one given with --message-id)".into(),
        });
    }
    let sig_in_query = matches!(r.locator, Locator::Query(_))
        || matches!(r.locator, Locator::QueryOrForm(_)) && !codec::is_form(req);
    let ctx = Ctx {
        req,
        ts: ts.clone(),
        id: id.clone(),
        sig_in_query,
        sig_names: r.sig_names().to_vec(),
    };
    let url = r.public_url.clone().unwrap_or_else(|| req.url.to_string());
    let content = build(r, &ctx, &url, req.body);
    let sig = r
        .out_enc
        .encode(&mac_of(r.alg, r.kind, &key, secret, &content));
    let ts_raw = ts.map(|t| t.raw).unwrap_or_default();
    let value = match &r.format {
        Format::Single => format!("{}{sig}", r.prefix),
        Format::Positional { sep } => format!("{ts_raw}{sep}{}{sig}", r.prefix),
        Format::KeyValue {
            sep,
            ts_key,
            sig_key,
        } => format!("{ts_key}={ts_raw}{sep}{sig_key}={sig}"),
        Format::SpaceList { version } => format!("{version},{sig}"),
    };
    let mut out = Signed::default();
    match &r.locator {
        Locator::Header(n) => {
            // The first name is where the signature goes; another accepted name the request
            // already carries (a captured delivery being re-signed) gets the same value, so
            // no stale signature is left behind.
            for (i, name) in n.iter().enumerate() {
                if i == 0 || codec::header(req, name).is_some() {
                    out.headers.push((name.clone(), value.clone()));
                }
            }
        }
        Locator::Query(n) => {
            let u = codec::split_url(req.url);
            let q = set_param(u.query.unwrap_or(""), &n[0], &value);
            out.url = Some(codec::join_url(u.scheme, u.authority, u.path, Some(&q)));
        }
        Locator::QueryOrForm(n) if sig_in_query => {
            let u = codec::split_url(req.url);
            let q = set_param(u.query.unwrap_or(""), &n[0], &value);
            out.url = Some(codec::join_url(u.scheme, u.authority, u.path, Some(&q)));
        }
        Locator::Form(n) | Locator::QueryOrForm(n) => {
            out.body =
                Some(set_param(&String::from_utf8_lossy(req.body), &n[0], &value).into_bytes());
        }
        Locator::Given { .. } => {
            return Err(SignatureError::CannotSign {
                scheme: r.scheme,
                reason: "the signature lives in the body".into(),
            });
        }
    }
    if let TsSource::Header(n) = &r.ts {
        out.headers.push((n[0].clone(), ts_raw));
    }
    if let (true, Some(n), Some(id)) = (r.uses(&Part::Id), r.id_headers.first(), id) {
        out.headers.push((n.clone(), id));
    }
    Ok(out)
}

/// Parse a user template such as `{id}.{timestamp}.{body}`.
pub(crate) fn parse_template(t: &str) -> Result<Vec<Part>, SignatureError> {
    let mut parts = vec![];
    let mut lit = String::new();
    let mut rest = t;
    while let Some(i) = rest.find('{') {
        lit.push_str(&rest[..i]);
        let Some(j) = rest[i..].find('}') else {
            return Err(SignatureError::BadOption {
                option: "template".into(),
                reason: "a `{` is not closed".into(),
            });
        };
        let name = &rest[i + 1..i + j];
        let part = match name {
            "body" => Part::Body,
            "timestamp" => Part::Timestamp,
            "id" => Part::Id,
            "method" => Part::Method,
            "url" => Part::Url,
            "path" => Part::Path,
            "query" => Part::Query,
            "sorted_form" => Part::SortedForm,
            "secret" => Part::Secret,
            "contentful_request" => Part::ContentfulRequest,
            "plivo_v3_url" => Part::PlivoV3Url,
            "base_url" => Part::BaseUrl,
            "body_json" => Part::BodyJson,
            n if n.starts_with("header:") && n.len() > 7 => {
                Part::Header(n[7..].to_ascii_lowercase())
            }
            other => {
                return Err(SignatureError::BadOption {
                    option: "template".into(),
                    reason: format!(
                        "unknown placeholder `{{{other}}}` (use body, timestamp, id, method, url, path, query, sorted_form, header:NAME, secret, base_url, body_json, contentful_request, plivo_v3_url)"
                    ),
                });
            }
        };
        if !lit.is_empty() {
            parts.push(Part::Lit(std::mem::take(&mut lit)));
        }
        parts.push(part);
        rest = &rest[i + j + 1..];
    }
    lit.push_str(rest);
    if !lit.is_empty() {
        parts.push(Part::Lit(lit));
    }
    Ok(parts)
}

fn parse_opt<T>(
    cfg: &SchemeConfig,
    name: &str,
    default: T,
    f: fn(&str) -> Option<T>,
    allowed: &str,
) -> Result<T, SignatureError> {
    match cfg.opt(name) {
        None => Ok(default),
        Some(v) => f(v).ok_or_else(|| SignatureError::BadOption {
            option: name.into(),
            reason: format!("`{v}` is not one of {allowed}"),
        }),
    }
}

/// `generic_hmac`: a recipe from the endpoint's options.
pub(crate) fn from_options(cfg: &SchemeConfig) -> Result<Recipe, SignatureError> {
    let list = |v: &str| {
        v.split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
    };
    let locator = if let Some(h) = cfg.opt("header") {
        Locator::Header(list(h))
    } else if let Some(q) = cfg.opt("query_param") {
        Locator::Query(list(q))
    } else if let Some(f) = cfg.opt("form_field") {
        Locator::Form(list(f))
    } else {
        return Err(SignatureError::MissingOption {
            option: "header".into(),
        });
    };
    let mut r = Recipe::body_hmac(SchemeId::GenericHmac, "");
    r.locator = locator;
    r.alg = parse_opt(
        cfg,
        "algorithm",
        Alg::Sha256,
        Alg::parse,
        "sha1, sha256, sha512",
    )?;
    r.key_enc = parse_opt(
        cfg,
        "key_encoding",
        KeyEnc::Text,
        KeyEnc::parse,
        "text, hex, base64, whsec",
    )?;
    r.out_enc = parse_opt(
        cfg,
        "output_encoding",
        OutEnc::Hex,
        OutEnc::parse,
        "hex, hex_upper, base64, base64url",
    )?;
    r.prefix = cfg.options.get("prefix").cloned().unwrap_or_default();
    r.template = parse_template(cfg.opt("template").unwrap_or("{body}"))?;
    (r.ts_millis, r.ts_rfc3339) = parse_opt(
        cfg,
        "timestamp_unit",
        (false, false),
        |s| match s.trim() {
            "s" | "seconds" => Some((false, false)),
            "ms" | "milliseconds" => Some((true, false)),
            "rfc3339" | "iso8601" => Some((false, true)),
            _ => None,
        },
        "s, ms, rfc3339",
    )?;
    r.kind = parse_opt(
        cfg,
        "mode",
        MacKind::Hmac,
        |s| match s.trim() {
            "hmac" => Some(MacKind::Hmac),
            "hash" => Some(MacKind::Hash),
            _ => None,
        },
        "hmac, hash",
    )?;
    if (r.kind == MacKind::Hash) != r.uses(&Part::Secret) {
        return Err(SignatureError::BadOption {
            option: "template".into(),
            reason: if r.kind == MacKind::Hash {
                "mode `hash` digests the template, so it must contain {secret} (e.g. `{secret}{body}`)".into()
            } else {
                "{secret} is only for mode `hash`; an HMAC is keyed with the secret already".into()
            },
        });
    }
    let one_char = |option: &str, default: char| -> Result<char, SignatureError> {
        match cfg.options.get(option).map(|s| s.as_str()).filter(|s| !s.is_empty()) {
            None => Ok(default),
            Some(v) => {
                let mut cs = v.chars();
                match (cs.next(), cs.next()) {
                    (Some(c), None) => Ok(c),
                    _ => Err(SignatureError::BadOption {
                        option: option.into(),
                        reason: format!("`{v}` is not a single character such as `,`"),
                    }),
                }
            }
        }
    };
    r.format = match cfg.opt("signature_format").map(str::trim).unwrap_or("single") {
        "single" => Format::Single,
        "kv" => Format::KeyValue {
            sep: one_char("kv_separator", ',')?,
            ts_key: cfg.opt("kv_timestamp_key").unwrap_or("t").trim().to_string(),
            sig_key: cfg.opt("kv_signature_key").unwrap_or("v1").trim().to_string(),
        },
        "positional" => Format::Positional { sep: one_char("kv_separator", ',')? },
        other => {
            return Err(SignatureError::BadOption {
                option: "signature_format".into(),
                reason: format!("`{other}` is not one of single, kv, positional"),
            })
        }
    };
    if cfg.options.get("signature_separator").is_some_and(|s| !s.is_empty()) {
        r.sig_sep = Some(one_char("signature_separator", ',')?);
    }
    r.all_headers = parse_opt(
        cfg,
        "header_mode",
        false,
        |s| match s.trim() {
            "first" => Some(false),
            "all" => Some(true),
            _ => None,
        },
        "first, all",
    )?;
    if let Some(h) = cfg.opt("timestamp_header") {
        r.ts = TsSource::Header(list(h));
    } else if matches!(r.format, Format::KeyValue { .. } | Format::Positional { .. }) {
        r.ts = TsSource::InSignature;
    } else if r.uses(&Part::Timestamp) {
        return Err(SignatureError::MissingOption {
            option: "timestamp_header".into(),
        });
    }
    if let Some(h) = cfg.opt("id_header") {
        r.id_headers = list(h);
    } else if r.uses(&Part::Id) {
        return Err(SignatureError::MissingOption {
            option: "id_header".into(),
        });
    }
    r.tolerance = cfg.tolerance(300)?;
    r.public_url = cfg.opt("public_url").map(|s| s.trim().to_string());
    Ok(r)
}
