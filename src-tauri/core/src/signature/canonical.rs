//! Signed messages that senders build from the request by rules of their own, as pieces of
//! the HMAC engine's template (`generic::Part`): Contentful's canonical request (method,
//! normalised path, the signed headers sorted, body), Plivo V3's URL (the query and the POST
//! parameters sorted), the URL without its query (Plivo V2), and the body as a JSON string
//! (Hygraph's envelope). Each function reproduces the provider's official library exactly,
//! quirks included (cited at each), because a verifier that builds the message differently
//! rejects genuine deliveries. Pure text building: no MAC, no secret, no clock.

use std::collections::BTreeMap;

use crate::signature::codec;
use crate::signature::generic::Ctx;

/// Contentful's list of signed headers, and its timestamp (milliseconds).
pub(crate) const CONTENTFUL_SIGNED_HEADERS: &str = "x-contentful-signed-headers";
pub(crate) const CONTENTFUL_TIMESTAMP: &str = "x-contentful-timestamp";

/// The canonical request up to the body: `METHOD\npath\nk:v;k:v\n` (the body follows).
///
/// As `@contentful/node-apps-toolkit` `verifyRequest` → `signRequest` build it: the headers
/// named in `x-contentful-signed-headers` that the request carries (names lowercased, values
/// trimmed), plus that header and `x-contentful-timestamp` themselves, sorted by name; the
/// value signed for `x-contentful-signed-headers` is that sorted name list joined by `,` (the
/// library rewrites it), and for the timestamp the signed one.
pub(crate) fn contentful_head(c: &Ctx<'_>, url: &str) -> Vec<u8> {
    let listed = codec::header(c.req, CONTENTFUL_SIGNED_HEADERS).unwrap_or("");
    let mut headers: BTreeMap<String, String> = listed
        .split(',')
        .map(|n| n.trim().to_ascii_lowercase())
        .filter(|n| !n.is_empty() && n != CONTENTFUL_SIGNED_HEADERS && n != CONTENTFUL_TIMESTAMP)
        .filter_map(|n| codec::header(c.req, &n).map(|v| (n, v.trim().to_string())))
        .collect();
    let ts = c
        .ts
        .as_ref()
        .map(|t| t.raw.clone())
        .or_else(|| codec::header(c.req, CONTENTFUL_TIMESTAMP).map(|v| v.trim().to_string()))
        .unwrap_or_default();
    headers.insert(CONTENTFUL_TIMESTAMP.into(), ts);
    headers.insert(CONTENTFUL_SIGNED_HEADERS.into(), String::new());
    let names = headers.keys().cloned().collect::<Vec<_>>().join(",");
    headers.insert(CONTENTFUL_SIGNED_HEADERS.into(), names);
    let joined = headers.iter().map(|(k, v)| format!("{k}:{v}")).collect::<Vec<_>>().join(";");
    let u = codec::split_url(url);
    let path = match u.query {
        Some(q) => format!("{}?{q}", u.path),
        None => u.path.to_string(),
    };
    format!("{}\n{}\n{joined}\n", c.req.method.to_ascii_uppercase(), contentful_path(&path)).into_bytes()
}

/// The sorted signed-header names Contentful would list for a request carrying `extra`
/// headers (lowercase names): what a sender puts in `x-contentful-signed-headers`.
#[cfg(test)]
pub(crate) fn contentful_signed_names(extra: &[&str]) -> String {
    let mut names: Vec<&str> = extra.to_vec();
    names.extend([CONTENTFUL_SIGNED_HEADERS, CONTENTFUL_TIMESTAMP]);
    names.sort_unstable();
    names.dedup();
    names.join(",")
}

/// `getNormalizedEncodedURI`: split at `?` (only what lies between the first and a second
/// `?` is kept, as JavaScript's destructured `split('?')` does), the query escaped as
/// `querystring.escape`, then the whole `encodeURI`-ed (which escapes `%` again).
fn contentful_path(uri: &str) -> String {
    let mut parts = uri.split('?');
    let pathname = parts.next().unwrap_or("");
    let search = parts.next().unwrap_or("");
    let escaped = percent_encode(search, UNRESERVED);
    let joined = if escaped.is_empty() { pathname.to_string() } else { format!("{pathname}?{escaped}") };
    percent_encode(&joined, URI_KEEP)
}

/// What `encodeURIComponent` / `querystring.escape` leave alone.
const UNRESERVED: &[u8] = b"-_.!~*'()";
/// What `encodeURI` leaves alone beyond letters and digits.
const URI_KEEP: &[u8] = b"-_.!~*'();,/?:@&=+$#";

fn percent_encode(s: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Plivo V3's signed URL (the nonce follows after a `.`), as the official SDKs build it
/// (`plivo.utils.signature_v3` `construct_get_url` / `construct_post_url`, plivo-node
/// `v3Security.js`): `scheme://host[:port]/path`, then for a GET `?` and the query sorted
/// as `k=v&k=v`; for a POST, `?` and the sorted query when either the query or the POST
/// parameters are not empty, a `.` when both are not, then the POST parameters sorted by
/// name and value as `kvkv`. Values are decoded, and written back undecoded.
pub(crate) fn plivo_v3_url(c: &Ctx<'_>, url: &str, body: &[u8]) -> Vec<u8> {
    let u = codec::split_url(url);
    let mut out = codec::join_url(u.scheme, u.authority, u.path, None);
    let query = sorted(u.query.map(|q| codec::parse_pairs(q.as_bytes())).unwrap_or_default());
    let query: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let query = query.join("&");
    if c.req.method.eq_ignore_ascii_case("GET") {
        if !query.is_empty() {
            out.push('?');
            out.push_str(&query);
        }
        return out.into_bytes();
    }
    let post = if codec::is_form(c.req) { sorted(codec::parse_pairs(body)) } else { vec![] };
    if !query.is_empty() || !post.is_empty() {
        out.push('?');
        out.push_str(&query);
    }
    if !query.is_empty() && !post.is_empty() {
        out.push('.');
    }
    for (k, v) in post {
        out.push_str(&k);
        out.push_str(&v);
    }
    out.into_bytes()
}

/// Pairs sorted by name, then each name's values sorted (the SDKs sort both).
fn sorted(mut pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    pairs.sort();
    pairs
}

/// The URL without its query or fragment (Plivo V2: `urlunparse((scheme, netloc, path, '', '', ''))`).
pub(crate) fn base_url(url: &str) -> Vec<u8> {
    let u = codec::split_url(url);
    codec::join_url(u.scheme, u.authority, u.path, None).into_bytes()
}

/// The body as a JSON string literal, quotes included (`JSON.stringify(rawBody)`: Hygraph signs
/// the body inside a JSON envelope). serde_json escapes exactly what JavaScript does for valid
/// UTF-8 (`"`, `\`, control characters); invalid UTF-8 is replaced, as a Node string would be.
pub(crate) fn json_string(body: &[u8]) -> Vec<u8> {
    serde_json::to_string(&String::from_utf8_lossy(body)).unwrap_or_default().into_bytes()
}

#[cfg(test)]
#[path = "canonical_tests.rs"]
mod tests;
