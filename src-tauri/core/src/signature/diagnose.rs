//! Diagnosis for a signature that did not verify: a small fixed table of plausible
//! variants of the configured recipe (prefix, output encoding, key decoding, algorithm,
//! re-serialized body, other URL, another endpoint's secret), tried in that order, the
//! first match reported as a reason code plus a plain-language explanation. It must stay
//! bounded (each variant MACs the body at most once per secret) and must never suggest a
//! different scheme or reveal a secret.

use crate::signature::codec::{Alg, KeyEnc, MacKind, OutEnc};
use crate::signature::generic::{self, Cand, Check, Format, Part};
use crate::signature::{ReasonCode, SchemeId, Secret, Verdict, VerdictStatus};

/// Prefixes that senders commonly put in front of a digest.
const KNOWN_PREFIXES: [&str; 8] = [
    "sha256=", "sha1=", "sha512=", "v0=", "v1=", "v1,", "h1=", "t=",
];

fn bare(v: &str) -> &str {
    KNOWN_PREFIXES
        .iter()
        .find_map(|p| v.strip_prefix(p))
        .unwrap_or(v)
}

/// Compact re-serialization in received key order (`JSON.stringify(JSON.parse(body))`); None if not JSON.
pub(crate) fn compact_json(body: &[u8]) -> Option<Vec<u8>> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    serde_json::to_vec(&v).ok()
}

fn sort_keys(v: &serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(m) => {
            let mut entries: Vec<_> = m.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            serde_json::Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sort_keys(v)))
                    .collect(),
            )
        }
        serde_json::Value::Array(a) => serde_json::Value::Array(a.iter().map(sort_keys).collect()),
        other => other.clone(),
    }
}

/// Body variants: (bytes, description). JSON parsed once.
fn body_variants(body: &[u8]) -> Vec<(Vec<u8>, &'static str)> {
    let mut out: Vec<(Vec<u8>, &'static str)> = vec![];
    if let Some(stripped) = body
        .strip_suffix(b"\r\n")
        .or_else(|| body.strip_suffix(b"\n"))
    {
        out.push((stripped.to_vec(), "the body without its trailing newline"));
    } else {
        let mut b = body.to_vec();
        b.push(b'\n');
        out.push((b, "the body with a trailing newline added"));
    }
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
        if let Ok(c) = serde_json::to_vec(&v) {
            out.push((
                c,
                "the JSON re-serialized compactly (as `JSON.stringify(JSON.parse(body))` does)",
            ));
        }
        if let Ok(c) = serde_json::to_vec(&sort_keys(&v)) {
            out.push((c, "the JSON re-serialized with its keys sorted"));
        }
        if let Ok(c) = serde_json::to_vec_pretty(&v) {
            out.push((
                c,
                "the JSON re-serialized pretty-printed with 2-space indentation",
            ));
        }
    }
    out.retain(|(b, _)| b.as_slice() != body);
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

/// URL variants for URL-signed schemes: (url, why it differs).
fn url_variants(ck: &Check<'_>) -> Vec<(String, String)> {
    let mut bases = vec![ck.urls[0].clone()];
    if ck.r.public_url.is_some() && !bases.contains(&ck.req.url.to_string()) {
        bases.push(ck.req.url.to_string());
    }
    let mut out: Vec<(String, String)> = vec![];
    for (bi, base) in bases.iter().enumerate() {
        let mut push = |u: String, why: String| {
            if !ck.urls.contains(&u) && !out.iter().any(|(x, _)| *x == u) {
                out.push((u, why));
            }
        };
        if bi == 1 {
            push(
                base.clone(),
                "the URL this request actually arrived on, not the configured `public_url`".into(),
            );
        }
        let p = crate::signature::codec::split_url(base);
        let swapped = match p.scheme {
            "http" => Some("https"),
            "https" => Some("http"),
            _ => None,
        };
        if let Some(sw) = swapped {
            let u = crate::signature::codec::join_url(sw, p.authority, p.path, p.query);
            push(
                u.clone(),
                format!(
                    "the {sw} address while the request arrived over {} (a proxy, tunnel or load balancer in between)",
                    p.scheme
                ),
            );
            for pv in generic::port_variants(&u) {
                push(
                    pv,
                    format!("the {sw} address with the port written differently"),
                );
            }
        }
        for pv in generic::port_variants(base) {
            push(
                pv,
                "the same address with the default port written differently".into(),
            );
        }
        let toggled = if p.path.ends_with('/') && p.path.len() > 1 {
            p.path.trim_end_matches('/').to_string()
        } else if p.path.is_empty() || p.path == "/" {
            if p.path.is_empty() {
                "/".to_string()
            } else {
                String::new()
            }
        } else {
            format!("{}/", p.path)
        };
        push(
            crate::signature::codec::join_url(p.scheme, p.authority, &toggled, p.query),
            "the address with the trailing slash changed".into(),
        );
        if p.query.is_some() {
            push(
                crate::signature::codec::join_url(p.scheme, p.authority, p.path, None),
                "the address without its query string".into(),
            );
        }
    }
    out
}

fn any_match(ck: &Check<'_>, mac: &[u8]) -> Option<(usize, OutEnc)> {
    for (ci, c) in ck.cands.iter().enumerate() {
        for enc in std::iter::once(ck.r.out_enc).chain(OutEnc::ALL) {
            if enc.matches_loose(mac, bare(&c.value)) {
                return Some((ci, enc));
            }
        }
    }
    None
}

fn key_expl(scheme: SchemeId, configured: KeyEnc, found: KeyEnc, secret: &Secret) -> String {
    let label = scheme.label();
    let whsec = secret.expose().starts_with("whsec_");
    match (configured, found) {
        (KeyEnc::Text, KeyEnc::Whsec) | (KeyEnc::Text, KeyEnc::Base64) if whsec => format!(
            "The signature matches only if the secret is base64-decoded first: the sender treats the `whsec_` secret as base64 (Svix style), but this endpoint is set to {label}, which uses it as text."
        ),
        (KeyEnc::Whsec, KeyEnc::Text) => format!(
            "The signature matches only if the whole `whsec_…` secret is used as plain text: the sender keys its HMAC with the text (Stripe style), but {label} expects the part after `whsec_` to be base64-decoded."
        ),
        _ => format!(
            "The signature matches only if the secret is {}; {label} expects it {}. The sender and this endpoint read the same secret differently.",
            found.describe(),
            configured.describe()
        ),
    }
}

pub(crate) fn diagnose(ck: &Check<'_>, others: &[(String, Secret)]) -> Verdict {
    let r = ck.r;
    let label = r.label.as_str();
    let body = ck.req.body;
    let url0 = ck.urls[0].as_str();
    let primary_content = generic::build(r, &ck.ctx, url0, body);
    let primary: Vec<Option<Vec<u8>>> = ck
        .secrets
        .iter()
        .map(|s| {
            r.key(s)
                .map(|k| generic::mac_of(r.alg, r.kind, &k, s, &primary_content))
        })
        .collect();

    let mut v = Verdict::new(
        r.scheme,
        VerdictStatus::Invalid,
        ReasonCode::BadSignature,
        String::new(),
    );
    v.expected = primary.iter().flatten().next().map(|m| ck.format_sig(m));
    v.received = ck.cands.first().map(|c| c.raw.clone());
    v.skew_secs = ck.skew();
    v.signed_content = Some(generic::display(&primary_content));
    let hit =
        |mut v: Verdict, reason: ReasonCode, i: usize, cand: &Cand, expl: String| -> Verdict {
            v.reason = reason;
            v.matched_secret_index = Some(i as u32);
            v.received = Some(cand.raw.clone());
            v.explanation = expl;
            v
        };

    // 1. Right value, prefix/version marker missing.
    let expected_prefix = match &r.format {
        Format::Single | Format::Positional { .. } => r.prefix.clone(),
        Format::KeyValue { sig_key, .. } => format!("{sig_key}="),
        Format::SpaceList { version } => format!("{version},"),
    };
    for (i, mac) in primary.iter().enumerate() {
        let Some(mac) = mac else { continue };
        for c in ck.cands.iter().filter(|c| !c.had_prefix) {
            if r.out_enc.matches_loose(mac, &c.value) {
                return hit(
                    v,
                    ReasonCode::MissingPrefix,
                    i,
                    c,
                    format!(
                        "The signature value is right, but it lacks the `{expected_prefix}` prefix that {label} puts in front of it, so a standard {label} check rejects it. The sender should send `{expected_prefix}<signature>`."
                    ),
                );
            }
        }
    }
    // 2. Right MAC, written in another text encoding (or with a stray prefix).
    for (i, mac) in primary.iter().enumerate() {
        let Some(mac) = mac else { continue };
        for c in &ck.cands {
            let b = bare(&c.value);
            if b != c.value && r.prefix.is_empty() && r.out_enc.matches_loose(mac, b) {
                let pre = &c.value[..c.value.len() - b.len()];
                return hit(
                    v,
                    ReasonCode::WrongEncoding,
                    i,
                    c,
                    format!(
                        "The signature is right but carries a `{pre}` prefix that {label} does not use; the sender should send the bare {}.",
                        r.out_enc.describe()
                    ),
                );
            }
            for enc in std::iter::once(r.out_enc)
                .chain(OutEnc::ALL.into_iter().filter(|e| *e != r.out_enc))
            {
                let same_enc = enc == r.out_enc;
                if enc.matches_loose(mac, b) {
                    let what = if same_enc {
                        format!("{} with different `=` padding", enc.describe())
                    } else {
                        enc.describe().to_string()
                    };
                    return hit(
                        v,
                        ReasonCode::WrongEncoding,
                        i,
                        c,
                        format!(
                            "The signature is right but written in {what}, whereas {label} uses {}; a check that compares the text exactly rejects it.",
                            r.out_enc.describe()
                        ),
                    );
                }
            }
        }
    }
    // 3. Secret decoded differently.
    if r.kind == MacKind::Hmac {
        for (i, s) in ck.secrets.iter().enumerate() {
            let configured = r.key(s);
            for ke in KeyEnc::ALL.into_iter().filter(|k| *k != r.key_enc) {
                let Some(key) = ke.decode(s.expose()) else {
                    continue;
                };
                if Some(&key) == configured.as_ref() {
                    continue;
                }
                let mac = generic::mac_of(r.alg, r.kind, &key, s, &primary_content);
                if let Some((ci, _)) = any_match(ck, &mac) {
                    return hit(
                        v,
                        ReasonCode::WrongKeyEncoding,
                        i,
                        &ck.cands[ci],
                        key_expl(r.scheme, r.key_enc, ke, s),
                    );
                }
            }
        }
    }
    // 4. Other algorithm (and, where relevant, plain hash vs HMAC).
    let kinds: Vec<MacKind> = std::iter::once(r.kind).chain(r.alt_kind).collect();
    for kind in kinds {
        for alg in Alg::ALL {
            if alg == r.alg && kind == r.kind {
                continue;
            }
            for (i, s) in ck.secrets.iter().enumerate() {
                let key = if kind == MacKind::Hash {
                    Some(vec![])
                } else {
                    r.key_enc.decode(s.expose())
                };
                let Some(key) = key else { continue };
                let mac = generic::mac_of(alg, kind, &key, s, &primary_content);
                if let Some((ci, enc)) = any_match(ck, &mac) {
                    let what = match kind {
                        MacKind::Hmac => format!("HMAC-{}", alg.name()),
                        MacKind::Hash => format!("a plain {} hash", alg.name()),
                    };
                    let conf = match r.kind {
                        MacKind::Hmac => format!("HMAC-{}", r.alg.name()),
                        MacKind::Hash => format!("a plain {} hash", r.alg.name()),
                    };
                    let enc_note = if enc != r.out_enc {
                        format!(" (written in {})", enc.describe())
                    } else {
                        String::new()
                    };
                    return hit(
                        v,
                        ReasonCode::WrongAlgorithm,
                        i,
                        &ck.cands[ci],
                        format!(
                            "The signature was made with {what}{enc_note}, but this endpoint is set to {label}, which uses {conf}. The sender and this endpoint disagree on the algorithm; the secret itself is right."
                        ),
                    );
                }
            }
        }
    }
    // 5. Body changed on the way (re-serialized JSON, trailing newline).
    if r.uses(&Part::Body) {
        for (b, what) in body_variants(body) {
            let content = generic::build(r, &ck.ctx, url0, &b);
            for (i, s) in ck.secrets.iter().enumerate() {
                let Some(key) = r.key(s) else { continue };
                let mac = generic::mac_of(r.alg, r.kind, &key, s, &content);
                if let Some((ci, _)) = any_match(ck, &mac) {
                    let mut v = hit(
                        v,
                        ReasonCode::ReserializedBody,
                        i,
                        &ck.cands[ci],
                        format!(
                            "The signature matches {what}, not the bytes that arrived: the body was re-encoded between signing and delivery (or the sender signed its own re-serialization). {label} signs the raw body, so the signer must MAC exactly the bytes it sends."
                        ),
                    );
                    v.signed_content = Some(generic::display(&content));
                    return v;
                }
            }
        }
    }
    // 6. Signed for another URL.
    if r.uses_url() {
        for (u, why) in url_variants(ck) {
            let content = generic::build(r, &ck.ctx, &u, body);
            for (i, s) in ck.secrets.iter().enumerate() {
                let Some(key) = r.key(s) else { continue };
                let mac = generic::mac_of(r.alg, r.kind, &key, s, &content);
                if let Some((ci, _)) = any_match(ck, &mac) {
                    let set = if r.public_url.is_some() {
                        "Update `public_url`"
                    } else {
                        "Set `public_url`"
                    };
                    let mut v = hit(
                        v,
                        ReasonCode::UrlMismatch,
                        i,
                        &ck.cands[ci],
                        format!(
                            "The signature matches the URL `{u}`, not `{url0}`: the sender signed {why}. {label} signs the exact URL it called; {set} to the address configured at the sender."
                        ),
                    );
                    v.signed_content = Some(generic::display(&content));
                    return v;
                }
            }
        }
    }
    // 7. Another endpoint's secret.
    for (name, s) in others {
        let Some(key) = r.key(s) else { continue };
        let mac = generic::mac_of(r.alg, r.kind, &key, s, &primary_content);
        if ck.cands.iter().any(|c| r.out_enc.matches(&mac, &c.value)) {
            v.other_endpoint_hint = Some(name.clone());
            v.explanation = format!(
                "This request was signed with the secret of the endpoint “{name}”, not with this endpoint's secret: the sender is set up with the other endpoint's secret, or is posting to the wrong URL."
            );
            return v;
        }
    }
    // 8. Nothing explains it.
    let n = ck.secrets.len();
    let secrets = if n == 1 {
        "the configured secret".to_string()
    } else {
        format!("any of the {n} configured secrets")
    };
    let mut expl = format!(
        "The signature does not match {secrets}, and no common variant (encoding, key decoding, algorithm, re-serialized body{}) explains it. Most likely the sender uses a different secret{}.",
        if r.uses_url() { ", other URL" } else { "" },
        if r.advice.is_empty() {
            String::new()
        } else {
            format!(" — {}", r.advice)
        }
    );
    if let Some(skew) = v.skew_secs.filter(|&skew| {
        r.tolerance > 0 && (skew > r.tolerance || (!r.past_only && -skew > r.tolerance))
    }) {
        expl.push_str(&format!(
            " The timestamp is also outside the {} s window ({skew} s skew).",
            r.tolerance
        ));
    }
    if r.uses_url() && r.public_url.is_none() {
        expl.push_str(" This scheme signs the URL: if a proxy or tunnel sits in front, set `public_url` to the address the sender calls.");
    }
    v.explanation = expl;
    v
}
