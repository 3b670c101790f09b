//! Shared-token schemes that carry no signature: `query_secret` (secret in a query
//! parameter, option `param`), `api_key_ip` (API key header, option `header`, plus source
//! IP allowlist `allowed_ips` of IPs/CIDRs), `gitlab` (`X-Gitlab-Token`). Comparisons are
//! constant time; a token is never echoed into a verdict. No clock, no I/O.

use std::net::IpAddr;

use crate::signature::codec::{self, ct_eq_str};
use crate::signature::{
    ReasonCode, Request, SchemeConfig, SchemeId, Secret, SignatureError, Signed, Verdict,
    VerdictStatus,
};

/// Where the token is read, as (query param or header name, is_query).
fn place(cfg: &SchemeConfig) -> (String, bool) {
    match cfg.scheme {
        SchemeId::QuerySecret => (
            cfg.opt("param").unwrap_or("secret").trim().to_string(),
            true,
        ),
        SchemeId::ApiKeyIp => (
            cfg.opt("header").unwrap_or("X-API-Key").trim().to_string(),
            false,
        ),
        _ => ("X-Gitlab-Token".to_string(), false),
    }
}

/// (decoded value, raw value) of the token as received.
fn received(cfg: &SchemeConfig, req: &Request) -> Option<(String, String)> {
    let (name, is_query) = place(cfg);
    if is_query {
        let q = codec::split_url(req.url).query?;
        let raw = codec::raw_items(q)
            .into_iter()
            .find(|it| codec::raw_item_name(it) == name)?;
        let raw_v = raw
            .split_once('=')
            .map(|(_, v)| v)
            .unwrap_or("")
            .to_string();
        let dec = codec::parse_pairs(raw.as_bytes())
            .into_iter()
            .next()
            .map(|(_, v)| v)
            .unwrap_or_default();
        Some((dec, raw_v))
    } else {
        let v = codec::header(req, &name)?;
        let v = if name.eq_ignore_ascii_case("authorization") {
            v.trim()
                .strip_prefix("Bearer ")
                .or_else(|| v.trim().strip_prefix("bearer "))
                .unwrap_or(v)
        } else {
            v
        };
        Some((v.to_string(), v.to_string()))
    }
}

/// Is `ip` in the comma/space separated list of IPs and CIDRs?
pub(crate) fn ip_allowed(list: &str, ip: IpAddr) -> Result<bool, SignatureError> {
    let ip = ip.to_canonical();
    for entry in list
        .split([',', ' ', '\n', ';'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        let (addr, bits) = match entry.split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (entry, None),
        };
        let bad = || SignatureError::BadOption {
            option: "allowed_ips".into(),
            reason: format!("`{entry}` is not an IP address or CIDR range"),
        };
        let net: IpAddr = addr.parse().map_err(|_| bad())?;
        let net = net.to_canonical();
        let max = if net.is_ipv4() { 32 } else { 128 };
        let bits: u32 = match bits {
            Some(b) => b.parse().ok().filter(|b| *b <= max).ok_or_else(bad)?,
            None => max,
        };
        let hit = match (net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = if bits == 0 {
                    0
                } else {
                    u32::MAX << (32 - bits)
                };
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = if bits == 0 {
                    0
                } else {
                    u128::MAX << (128 - bits)
                };
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        };
        if hit {
            return Ok(true);
        }
    }
    Ok(false)
}

pub(crate) fn verify(cfg: &SchemeConfig, req: &Request, others: &[(String, Secret)]) -> Verdict {
    let s = cfg.scheme;
    let (name, is_query) = place(cfg);
    let what = if is_query {
        format!("`{name}` query parameter")
    } else {
        format!("`{name}` header")
    };
    let Some((value, raw)) = received(cfg, req) else {
        return Verdict::unsigned(s, &what);
    };
    if cfg.secrets.is_empty() {
        return Verdict::no_secret(s);
    }
    // IP allowlist (api_key_ip).
    let mut ip_problem = None;
    if let Some(list) = cfg.opt("allowed_ips").filter(|_| s == SchemeId::ApiKeyIp) {
        match req.remote_ip.map(|ip| ip_allowed(list, ip)) {
                Some(Ok(true)) => {}
                Some(Ok(false)) => ip_problem = Some(format!(
                    "The request came from {}, which is not in this endpoint's allowed IP list. (Only the address of the TCP connection counts; `X-Forwarded-For` is not trusted because anyone can set it.)",
                    req.remote_ip.map(|i| i.to_string()).unwrap_or_default()
                )),
                Some(Err(e)) => return Verdict::config_error(s, &e),
                None => ip_problem = Some("The source address of this request is unknown, so the IP allowlist cannot be satisfied.".into()),
            }
    }
    let matched = cfg
        .secrets
        .iter()
        .position(|sec| ct_eq_str(sec.expose(), &value));
    let mut v = Verdict::new(
        s,
        VerdictStatus::Invalid,
        ReasonCode::BadToken,
        String::new(),
    );
    match (matched, ip_problem) {
        (Some(i), None) => {
            v.status = VerdictStatus::Valid;
            v.reason = ReasonCode::Ok;
            v.matched_secret_index = Some(i as u32);
            v.explanation = format!(
                "The {what} matches {}. Note: a shared token proves only that the sender knows it; the body is not signed.",
                if cfg.secrets.len() > 1 {
                    format!("token {} of {}", i + 1, cfg.secrets.len())
                } else {
                    "the configured token".into()
                }
            );
        }
        (Some(i), Some(p)) => {
            v.reason = ReasonCode::IpNotAllowed;
            v.matched_secret_index = Some(i as u32);
            v.explanation =
                format!("The token is right, but the source address is not allowed. {p}");
        }
        (None, ip) => {
            let trimmed = cfg
                .secrets
                .iter()
                .position(|sec| ct_eq_str(sec.expose(), value.trim()));
            let raw_hit = cfg
                .secrets
                .iter()
                .position(|sec| ct_eq_str(sec.expose(), &raw));
            let other = others
                .iter()
                .find(|(_, sec)| ct_eq_str(sec.expose(), &value));
            v.explanation = if let Some(i) = trimmed {
                v.matched_secret_index = Some(i as u32);
                format!(
                    "The {what} matches only after removing surrounding spaces: the sender adds whitespace around the token."
                )
            } else if let Some(i) = raw_hit.filter(|_| raw != value) {
                v.matched_secret_index = Some(i as u32);
                format!(
                    "The {what} matches only without URL-decoding: the sender did not percent-encode the token (a `+` becomes a space, `%` sequences are decoded)."
                )
            } else if let Some((n, _)) = other {
                v.other_endpoint_hint = Some(n.clone());
                format!(
                    "The {what} is the token of the endpoint “{n}”, not of this endpoint: the sender is configured with the other endpoint's token or URL."
                )
            } else {
                format!(
                    "The {what} does not match {} (the comparison is exact and case-sensitive).",
                    if cfg.secrets.len() > 1 {
                        "any configured token"
                    } else {
                        "the configured token"
                    }
                )
            };
            if let Some(p) = ip {
                v.explanation.push_str(&format!(" Also: {p}"));
            }
        }
    }
    v
}

pub(crate) fn sign(
    cfg: &SchemeConfig,
    secret: &Secret,
    req: &Request,
) -> Result<Signed, SignatureError> {
    let (name, is_query) = place(cfg);
    let mut out = Signed::default();
    if is_query {
        let u = codec::split_url(req.url);
        let mut items: Vec<String> = u
            .query
            .map(|q| {
                codec::raw_items(q)
                    .into_iter()
                    .filter(|it| codec::raw_item_name(it) != name)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        items.push(format!(
            "{}={}",
            codec::percent_encode_component(&name),
            codec::percent_encode_component(secret.expose())
        ));
        out.url = Some(codec::join_url(
            u.scheme,
            u.authority,
            u.path,
            Some(&items.join("&")),
        ));
    } else if name.eq_ignore_ascii_case("authorization") {
        out.headers
            .push((name, format!("Bearer {}", secret.expose())));
    } else {
        out.headers.push((name, secret.expose().to_string()));
    }
    Ok(out)
}
