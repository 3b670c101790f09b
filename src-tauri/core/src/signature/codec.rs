//! Byte-level building blocks shared by every scheme: digest algorithms, key decodings,
//! output encodings, constant-time comparison, and read-only views of the request
//! (headers, URL pieces, form fields). It knows nothing about providers and must not
//! decide validity or write explanations; it never reads the clock or does I/O.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Digest as _;
use subtle::ConstantTimeEq;

use crate::signature::Request;

/// Digest algorithm of a MAC or plain hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Alg {
    Sha1,
    Sha256,
    Sha512,
}

impl Alg {
    pub(crate) const ALL: [Alg; 3] = [Alg::Sha1, Alg::Sha256, Alg::Sha512];

    pub(crate) fn parse(s: &str) -> Option<Alg> {
        match s.trim().to_ascii_lowercase().replace('-', "").as_str() {
            "sha1" => Some(Alg::Sha1),
            "sha256" => Some(Alg::Sha256),
            "sha512" => Some(Alg::Sha512),
            _ => None,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Alg::Sha1 => "SHA-1",
            Alg::Sha256 => "SHA-256",
            Alg::Sha512 => "SHA-512",
        }
    }
}

/// HMAC keyed with the secret, or a plain hash whose input already contains the secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MacKind {
    Hmac,
    Hash,
}

/// Digest of the concatenation of `parts`.
pub(crate) fn digest(alg: Alg, kind: MacKind, key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    fn hmac_of<M: Mac + KeyInit>(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
        // HMAC accepts keys of any length, so this cannot fail.
        let mut m = <M as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
        for p in parts {
            m.update(p);
        }
        m.finalize().into_bytes().to_vec()
    }
    fn hash_of<D: sha2::Digest>(parts: &[&[u8]]) -> Vec<u8> {
        let mut d = D::new();
        for p in parts {
            d.update(p);
        }
        d.finalize().to_vec()
    }
    match (kind, alg) {
        (MacKind::Hmac, Alg::Sha1) => hmac_of::<Hmac<sha1::Sha1>>(key, parts),
        (MacKind::Hmac, Alg::Sha256) => hmac_of::<Hmac<sha2::Sha256>>(key, parts),
        (MacKind::Hmac, Alg::Sha512) => hmac_of::<Hmac<sha2::Sha512>>(key, parts),
        (MacKind::Hash, Alg::Sha1) => hash_of::<sha1::Sha1>(parts),
        (MacKind::Hash, Alg::Sha256) => hash_of::<sha2::Sha256>(parts),
        (MacKind::Hash, Alg::Sha512) => hash_of::<sha2::Sha512>(parts),
    }
}

pub(crate) fn sha256_hex(data: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(data))
}

/// How the configured secret text becomes HMAC key bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyEnc {
    /// UTF-8 bytes of the secret as typed (a `whsec_` prefix, if any, is kept).
    Text,
    /// Hex-decoded.
    Hex,
    /// Base64-decoded (standard or URL-safe, padding optional).
    Base64,
    /// `whsec_` prefix stripped, rest base64-decoded (Standard Webhooks / Svix).
    Whsec,
}

impl KeyEnc {
    pub(crate) const ALL: [KeyEnc; 4] = [KeyEnc::Text, KeyEnc::Hex, KeyEnc::Base64, KeyEnc::Whsec];

    pub(crate) fn parse(s: &str) -> Option<KeyEnc> {
        match s.trim().to_ascii_lowercase().as_str() {
            "text" | "utf8" | "raw" => Some(KeyEnc::Text),
            "hex" => Some(KeyEnc::Hex),
            "base64" => Some(KeyEnc::Base64),
            "whsec" => Some(KeyEnc::Whsec),
            _ => None,
        }
    }

    pub(crate) fn decode(self, secret: &str) -> Option<Vec<u8>> {
        match self {
            KeyEnc::Text => Some(secret.as_bytes().to_vec()),
            KeyEnc::Hex => {
                let t = secret.trim();
                if t.is_empty() {
                    return None;
                }
                hex::decode(t).ok()
            }
            KeyEnc::Base64 => b64_decode_lenient(secret.trim()),
            KeyEnc::Whsec => {
                let t = secret.trim();
                b64_decode_lenient(t.strip_prefix("whsec_").unwrap_or(t))
            }
        }
    }

    /// Plain-language description for explanations.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            KeyEnc::Text => "used as plain text",
            KeyEnc::Hex => "hex-decoded first",
            KeyEnc::Base64 => "base64-decoded first",
            KeyEnc::Whsec => "stripped of its `whsec_` prefix and base64-decoded first",
        }
    }
}

pub(crate) fn b64_decode_lenient(s: &str) -> Option<Vec<u8>> {
    if s.is_empty() {
        return None;
    }
    STANDARD
        .decode(s)
        .or_else(|_| STANDARD_NO_PAD.decode(s))
        .or_else(|_| URL_SAFE.decode(s))
        .or_else(|_| URL_SAFE_NO_PAD.decode(s))
        .ok()
}

/// Text encoding of the digest as it appears on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OutEnc {
    Hex,
    HexUpper,
    Base64,
    Base64Url,
}

impl OutEnc {
    pub(crate) const ALL: [OutEnc; 4] = [
        OutEnc::Hex,
        OutEnc::HexUpper,
        OutEnc::Base64,
        OutEnc::Base64Url,
    ];

    pub(crate) fn parse(s: &str) -> Option<OutEnc> {
        match s.trim().to_ascii_lowercase().as_str() {
            "hex" | "hex_lower" => Some(OutEnc::Hex),
            "hex_upper" | "hexupper" => Some(OutEnc::HexUpper),
            "base64" => Some(OutEnc::Base64),
            "base64url" | "base64_url" => Some(OutEnc::Base64Url),
            _ => None,
        }
    }

    pub(crate) fn encode(self, mac: &[u8]) -> String {
        match self {
            OutEnc::Hex => hex::encode(mac),
            OutEnc::HexUpper => hex::encode_upper(mac),
            OutEnc::Base64 => STANDARD.encode(mac),
            OutEnc::Base64Url => URL_SAFE_NO_PAD.encode(mac),
        }
    }

    pub(crate) fn describe(self) -> &'static str {
        match self {
            OutEnc::Hex => "lowercase hex",
            OutEnc::HexUpper => "uppercase hex",
            OutEnc::Base64 => "base64",
            OutEnc::Base64Url => "base64url",
        }
    }

    /// Strict comparison, in constant time, of a received value with the digest in this encoding.
    pub(crate) fn matches(self, mac: &[u8], received: &str) -> bool {
        ct_eq_str(&self.encode(mac), received)
    }

    /// Tolerant comparison used by diagnosis: base64 padding may differ.
    pub(crate) fn matches_loose(self, mac: &[u8], received: &str) -> bool {
        match self {
            OutEnc::Base64 | OutEnc::Base64Url => ct_eq_str(
                self.encode(mac).trim_end_matches('='),
                received.trim().trim_end_matches('='),
            ),
            _ => self.matches(mac, received.trim()),
        }
    }
}

/// Constant-time equality; different lengths compare unequal (length is not secret).
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

pub(crate) fn ct_eq_str(a: &str, b: &str) -> bool {
    ct_eq(a.as_bytes(), b.as_bytes())
}

/// First header with this name (case-insensitive).
pub(crate) fn header<'a>(req: &'a Request<'_>, name: &str) -> Option<&'a str> {
    req.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// A URL split without normalisation (the exact received text is what providers sign).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UrlParts<'a> {
    pub scheme: &'a str,
    pub authority: &'a str,
    pub path: &'a str,
    pub query: Option<&'a str>,
}

pub(crate) fn split_url(url: &str) -> UrlParts<'_> {
    let no_frag = url.split('#').next().unwrap_or("");
    let (scheme, rest) = match no_frag.find("://") {
        Some(i) => (&no_frag[..i], &no_frag[i + 3..]),
        None => ("", no_frag),
    };
    let (before_q, query) = match rest.find('?') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let (authority, path) = match before_q.find('/') {
        Some(i) if !scheme.is_empty() => (&before_q[..i], &before_q[i..]),
        None if !scheme.is_empty() => (before_q, ""),
        _ => ("", before_q),
    };
    UrlParts {
        scheme,
        authority,
        path,
        query,
    }
}

pub(crate) fn join_url(scheme: &str, authority: &str, path: &str, query: Option<&str>) -> String {
    let mut s = String::new();
    if !scheme.is_empty() {
        s.push_str(scheme);
        s.push_str("://");
    }
    s.push_str(authority);
    s.push_str(path);
    if let Some(q) = query {
        s.push('?');
        s.push_str(q);
    }
    s
}

/// Decoded `name=value` pairs of a query string or form body, in order.
pub(crate) fn parse_pairs(raw: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(raw)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Raw (still encoded) `name=value` items of a query string or form body, in order.
pub(crate) fn raw_items(raw: &str) -> Vec<&str> {
    raw.split('&').filter(|s| !s.is_empty()).collect()
}

pub(crate) fn raw_item_name(item: &str) -> String {
    let name = item.split('=').next().unwrap_or("");
    parse_pairs(name.as_bytes())
        .into_iter()
        .next()
        .map(|(k, _)| k)
        .unwrap_or_default()
}

/// True when the body should be read as an HTML form (by content type, or by shape when absent).
pub(crate) fn is_form(req: &Request<'_>) -> bool {
    match header(req, "content-type") {
        Some(ct) => ct.to_ascii_lowercase().contains("x-www-form-urlencoded"),
        None => {
            let b = req.body;
            !b.is_empty()
                && !matches!(b.first(), Some(b'{') | Some(b'[') | Some(b'<'))
                && b.contains(&b'=')
        }
    }
}

pub(crate) fn percent_encode_component(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Lossy UTF-8 text of `bytes`, at most `max` bytes (cut on a char boundary).
pub(crate) fn lossy_truncated(bytes: &[u8], max: usize) -> (String, bool) {
    let s = String::from_utf8_lossy(bytes);
    if s.len() <= max {
        return (s.into_owned(), false);
    }
    let mut cut = max;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    (s[..cut].to_string(), true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_split_keeps_exact_text() {
        let u = split_url("https://a.example:443/p/q?x=1&y=%2F#frag");
        assert_eq!(u.scheme, "https");
        assert_eq!(u.authority, "a.example:443");
        assert_eq!(u.path, "/p/q");
        assert_eq!(u.query, Some("x=1&y=%2F"));
        assert_eq!(
            join_url(u.scheme, u.authority, u.path, u.query),
            "https://a.example:443/p/q?x=1&y=%2F"
        );
        let u = split_url("http://h");
        assert_eq!((u.authority, u.path, u.query), ("h", "", None));
    }

    #[test]
    fn key_encodings() {
        assert_eq!(KeyEnc::Hex.decode("0aff").unwrap(), vec![10, 255]);
        assert_eq!(KeyEnc::Hex.decode("xyz"), None);
        assert_eq!(KeyEnc::Whsec.decode("whsec_AQI=").unwrap(), vec![1, 2]);
        assert_eq!(KeyEnc::Whsec.decode("whsec_AQI").unwrap(), vec![1, 2]);
        assert_eq!(KeyEnc::Whsec.decode("AQI=").unwrap(), vec![1, 2]);
        assert_eq!(KeyEnc::Whsec.decode("whsec_!!"), None);
        assert_eq!(KeyEnc::Text.decode("whsec_x").unwrap(), b"whsec_x".to_vec());
    }

    #[test]
    fn constant_time_compare() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
    }
}
