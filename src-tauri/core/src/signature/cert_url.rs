//! Signing certificates that a provider publishes at a URL its deliveries name (Amazon SNS's
//! `SigningCertURL`, PayPal's `PAYPAL-CERT-URL`): which URLs may be trusted (https on the
//! provider's own hosts, the provider's path shape, no credentials, no other port), reading a
//! certificate into its RSA key and validity, RSA PKCS#1 v1.5 verification, and the verdicts
//! for a certificate URL that is refused, a certificate that is not available, or one that is
//! unusable. Pure: the certificate comes from a [`Certificates`] source the caller passes (the
//! engine's cache, filled by fetches and pastes); this module never fetches anything, and a URL
//! is checked before anything looks it up, because the request, and so the URL, is whoever
//! sent it. The `sns` and `paypal` engines are built on it.

use rsa::signature::Verifier as _;
use x509_cert::der::{Decode as _, DecodePem as _, Encode as _};

use crate::signature::{ReasonCode, SchemeId, Verdict, VerdictStatus};

/// Largest certificate URL considered (PayPal's API documents 500 characters for `cert_url`).
const MAX_URL: usize = 2048;

/// Where the certificates published at URLs come from, and which URLs may be trusted.
pub trait Certificates {
    /// The certificate (PEM or DER) known for this URL (as [`UrlPolicy::check`] normalises
    /// it), when there is one.
    fn certificate(&self, url: &str) -> Option<Vec<u8>>;
    /// The URL normalised when `publisher`'s certificates may be looked up and fetched
    /// there, else why not ([`UrlPolicy::check`]; the providers' own URLs unless told more).
    fn check_url(&self, publisher: Publisher, url: &str) -> Result<String, String> {
        UrlPolicy::providers_only().check(publisher, url)
    }
    /// Why the last attempt to fetch this URL failed, to say in the verdict.
    fn problem(&self, _url: &str) -> Option<String> {
        None
    }
}

/// No certificate at all, and the providers' own URL rules: what a pure `verify` call has.
pub struct NoCertificates;

impl Certificates for NoCertificates {
    fn certificate(&self, _url: &str) -> Option<Vec<u8>> {
        None
    }
}

/// The providers that publish their signing certificate at a URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Publisher {
    AmazonSns,
    Paypal,
}

impl Publisher {
    pub fn name(self) -> &'static str {
        match self {
            Publisher::AmazonSns => "Amazon SNS",
            Publisher::Paypal => "PayPal",
        }
    }

    /// The provider's own hosts, as the official validators accept them.
    fn host_ok(self, host: &str) -> bool {
        match self {
            // aws-js-sns-message-validator / aws-php-sns-message-validator:
            // /^sns\.[a-zA-Z0-9\-]{3,}\.amazonaws\.com(\.cn)?$/ (an `amazonaws.com` host alone
            // could be anyone's S3 bucket).
            Publisher::AmazonSns => {
                let rest = host.strip_suffix(".amazonaws.com.cn").or_else(|| host.strip_suffix(".amazonaws.com"));
                rest.and_then(|r| r.strip_prefix("sns."))
                    .is_some_and(|region| region.len() >= 3 && region.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
            }
            // PayPal's REST hosts (live and sandbox, the classic and the `api-m` names).
            Publisher::Paypal => {
                matches!(host, "api.paypal.com" | "api-m.paypal.com" | "api.sandbox.paypal.com" | "api-m.sandbox.paypal.com")
            }
        }
    }

    fn path_ok(self, path: &str) -> bool {
        match self {
            Publisher::AmazonSns => path.ends_with(".pem") && path.len() > 5,
            Publisher::Paypal => path.strip_prefix("/v1/notifications/certs/").is_some_and(|id| !id.is_empty() && !id.contains('/')),
        }
    }

    fn rule(self) -> &'static str {
        match self {
            Publisher::AmazonSns => "https://sns.<region>.amazonaws.com[.cn]/….pem",
            Publisher::Paypal => "https://api[-m][.sandbox].paypal.com/v1/notifications/certs/…",
        }
    }
}

/// Which certificate URLs may be looked up and fetched: the providers' own (always), and for
/// tests only, origins on this machine's loopback interface (a certificate server the test
/// started). Nothing a request or a user types can widen it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UrlPolicy {
    /// (scheme, host, port) of loopback test origins.
    loopback: Vec<(String, String, u16)>,
}

impl UrlPolicy {
    /// The providers' own URLs only.
    pub fn providers_only() -> UrlPolicy {
        UrlPolicy::default()
    }

    /// Also trusts `origin` (`http://127.0.0.1:PORT`), which must be on the loopback interface:
    /// tests serve certificates from there. The provider's path rule still applies.
    pub fn with_loopback_origin(mut self, origin: &str) -> Result<UrlPolicy, String> {
        let u = url::Url::parse(origin.trim()).map_err(|e| format!("{origin:?} is not a URL: {e}"))?;
        let loopback = match u.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(d)) => d == "localhost",
            None => false,
        };
        if !loopback || !matches!(u.scheme(), "http" | "https") {
            return Err(format!("{origin:?} is not an http(s) origin on the loopback interface"));
        }
        let port = u.port_or_known_default().unwrap_or(0);
        self.loopback.push((u.scheme().to_string(), u.host_str().unwrap_or_default().to_string(), port));
        Ok(self)
    }

    /// The URL, normalised, when `publisher`'s certificates may be looked up and fetched there;
    /// otherwise why not.
    pub fn check(&self, publisher: Publisher, raw: &str) -> Result<String, String> {
        let raw = raw.trim();
        if raw.len() > MAX_URL {
            return Err(format!("it is longer than {MAX_URL} characters"));
        }
        let u = url::Url::parse(raw).map_err(|e| format!("it is not a URL ({e})"))?;
        if !u.username().is_empty() || u.password().is_some() {
            return Err("it carries a user name or password".into());
        }
        if u.query().is_some() || u.fragment().is_some() {
            return Err("it has a query or a fragment".into());
        }
        let test_origin = self.loopback.iter().any(|(s, h, p)| {
            u.scheme() == s && u.host_str() == Some(h.as_str()) && u.port_or_known_default() == Some(*p)
        });
        if !test_origin {
            if u.scheme() != "https" {
                return Err(format!("it is not https ({}://)", u.scheme()));
            }
            if u.port().is_some_and(|p| p != 443) {
                return Err(format!("it names port {}", u.port().unwrap_or_default()));
            }
            let host = match u.host() {
                Some(url::Host::Domain(d)) => d,
                _ => return Err("its host is not a domain name".into()),
            };
            if !publisher.host_ok(host) {
                return Err(format!("its host `{host}` is not one of {}'s", publisher.name()));
            }
        }
        if !publisher.path_ok(u.path()) {
            return Err(format!("its path `{}` is not where {} publishes certificates", u.path(), publisher.name()));
        }
        Ok(u.as_str().to_string())
    }
}

/// What a certificate says, for listings and for checking a pasted one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateFacts {
    /// RFC 4514 form (`CN=sns.amazonaws.com,O=…`); empty for a bare public key.
    pub subject: String,
    /// Validity, unix seconds (none for a bare public key).
    pub not_before: Option<i64>,
    pub not_after: Option<i64>,
    pub key_bits: usize,
}

/// A certificate read into what verification needs.
pub(crate) struct SigningCert {
    pub key: rsa::RsaPublicKey,
    pub facts: CertificateFacts,
}

/// Reads a certificate (PEM, the first `CERTIFICATE` block, or DER) or a bare RSA public key
/// (`PUBLIC KEY` PEM), which must hold an RSA key.
pub(crate) fn read(bytes: &[u8]) -> Result<SigningCert, String> {
    use rsa::pkcs8::DecodePublicKey as _;
    use rsa::traits::PublicKeyParts as _;
    let text = String::from_utf8_lossy(bytes);
    let (key, subject, not_before, not_after) = if let Some(block) = pem_block(&text, "CERTIFICATE") {
        let cert = x509_cert::Certificate::from_pem(block.as_bytes()).map_err(|e| format!("it is not a readable X.509 certificate ({e})"))?;
        cert_parts(&cert)?
    } else if let Some(block) = pem_block(&text, "PUBLIC KEY") {
        let key = rsa::RsaPublicKey::from_public_key_pem(&block).map_err(|e| format!("it is not an RSA public key ({e})"))?;
        (key, String::new(), None, None)
    } else if text.contains("-----BEGIN") {
        return Err("it holds no `CERTIFICATE` or `PUBLIC KEY` PEM block".into());
    } else {
        let cert = x509_cert::Certificate::from_der(bytes).map_err(|_| "it is neither PEM nor a DER certificate".to_string())?;
        cert_parts(&cert)?
    };
    let key_bits = key.size() * 8;
    Ok(SigningCert { key, facts: CertificateFacts { subject, not_before, not_after, key_bits } })
}

type Parts = (rsa::RsaPublicKey, String, Option<i64>, Option<i64>);

fn cert_parts(cert: &x509_cert::Certificate) -> Result<Parts, String> {
    use rsa::pkcs8::DecodePublicKey as _;
    let tbs = &cert.tbs_certificate;
    let spki = tbs.subject_public_key_info.to_der().map_err(|e| format!("its public key cannot be read ({e})"))?;
    let key = rsa::RsaPublicKey::from_public_key_der(&spki).map_err(|_| "its public key is not an RSA key".to_string())?;
    let secs = |t: &x509_cert::time::Time| t.to_unix_duration().as_secs() as i64;
    Ok((key, tbs.subject.to_string(), Some(secs(&tbs.validity.not_before)), Some(secs(&tbs.validity.not_after))))
}

/// The first `-----BEGIN {label}-----` … `-----END {label}-----` block, markers included.
fn pem_block(text: &str, label: &str) -> Option<String> {
    let (begin, end) = (format!("-----BEGIN {label}-----"), format!("-----END {label}-----"));
    let start = text.find(&begin)?;
    let stop = text[start..].find(&end)? + start + end.len();
    // Line ends as written (PayPal serves CRLF); the PEM reader wants LF.
    Some(text[start..stop].replace("\r\n", "\n"))
}

/// What a certificate holds, or why it cannot be used (for a pasted one).
pub fn inspect(bytes: &[u8]) -> Result<CertificateFacts, String> {
    read(bytes).map(|c| c.facts)
}

/// RSA PKCS#1 v1.5 digests the providers sign with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RsaHash {
    Sha1,
    Sha256,
}

impl RsaHash {
    pub(crate) fn name(self) -> &'static str {
        match self {
            RsaHash::Sha1 => "SHA1withRSA",
            RsaHash::Sha256 => "SHA256withRSA",
        }
    }
    pub(crate) fn other(self) -> RsaHash {
        match self {
            RsaHash::Sha1 => RsaHash::Sha256,
            RsaHash::Sha256 => RsaHash::Sha1,
        }
    }
}

/// Whether `sig` is `key`'s RSA PKCS#1 v1.5 signature of `msg` with `hash`.
pub(crate) fn verifies(key: &rsa::RsaPublicKey, hash: RsaHash, msg: &[u8], sig: &[u8]) -> bool {
    let Ok(s) = rsa::pkcs1v15::Signature::try_from(sig) else {
        return false;
    };
    match hash {
        RsaHash::Sha1 => rsa::pkcs1v15::VerifyingKey::<sha1_rsa::Sha1>::new(key.clone()).verify(msg, &s).is_ok(),
        RsaHash::Sha256 => rsa::pkcs1v15::VerifyingKey::<rsa::sha2::Sha256>::new(key.clone()).verify(msg, &s).is_ok(),
    }
}

/// The certificate for a request's URL, or the verdict that says why there is none to use:
/// the URL is refused (never looked up), the certificate is not available yet, it cannot be
/// read, or it was not valid at `now`.
pub(crate) fn obtain(
    scheme: SchemeId,
    publisher: Publisher,
    raw_url: &str,
    certs: &dyn Certificates,
    now: i64,
) -> Result<SigningCert, Box<Verdict>> {
    let url = match certs.check_url(publisher, raw_url) {
        Ok(u) => u,
        Err(why) => {
            let mut v = Verdict::new(
                scheme,
                VerdictStatus::Invalid,
                ReasonCode::CertificateRefused,
                format!(
                    "The signing certificate URL `{raw_url}` is refused, so it was not fetched and nothing was checked: {why}. {} publishes its certificates only at {}; whoever sent this request chose that URL, so a certificate from elsewhere would prove nothing.",
                    publisher.name(),
                    publisher.rule()
                ),
            );
            v.certificate_url = Some(raw_url.to_string());
            return Err(Box::new(v));
        }
    };
    let with_url = |mut v: Verdict| {
        v.certificate_url = Some(url.clone());
        Box::new(v)
    };
    let Some(bytes) = certs.certificate(&url) else {
        let tried = certs.problem(&url).map(|p| format!(" The last attempt to fetch it failed: {p}.")).unwrap_or_default();
        return Err(with_url(Verdict::new(
            scheme,
            VerdictStatus::NoSecret,
            ReasonCode::CertificateUnavailable,
            format!(
                "The signing certificate ({url}) is not available offline: fetch it or paste it. The signature cannot be checked without it; while listening, Hookloupe fetches it in the background and checks this request again.{tried}"
            ),
        )));
    };
    let cert = read(&bytes).map_err(|why| {
        with_url(Verdict::new(
            scheme,
            VerdictStatus::Invalid,
            ReasonCode::CertificateInvalid,
            format!("The certificate kept for {url} cannot be used: {why}. Fetch it again or paste the right one."),
        ))
    })?;
    let date = |t: i64| chrono::DateTime::from_timestamp(t, 0).map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default();
    let window = (cert.facts.not_before, cert.facts.not_after);
    if let (Some(from), Some(to)) = window {
        if now < from || now > to {
            return Err(with_url(Verdict::new(
                scheme,
                VerdictStatus::Invalid,
                ReasonCode::CertificateInvalid,
                format!(
                    "The signing certificate ({url}) was not valid when this request arrived: it is valid from {} to {}. {} does not sign with an expired certificate, so the request is a replay or a forgery, or this computer's clock is wrong.",
                    date(from),
                    date(to),
                    publisher.name()
                ),
            )));
        }
    }
    Ok(cert)
}

/// Seconds since the epoch of an RFC 3339 time (`2012-05-02T00:54:06.655Z`).
pub(crate) fn rfc3339_secs(s: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(s.trim()).ok().map(|d| d.timestamp())
}

/// The shown form of a signed string (truncated as other verdicts' signed content is).
pub(crate) fn shown(text: &str) -> crate::signature::SignedContent {
    let (text, truncated) = crate::signature::codec::lossy_truncated(text.as_bytes(), 64 * 1024);
    crate::signature::SignedContent { text, body_range: None, truncated }
}

#[cfg(test)]
pub(crate) mod testing {
    //! A certificate source for tests: the repository's test certificate at the URLs the test
    //! vectors name, PayPal's 2015 sandbox certificate at its own URL, and optionally a
    //! loopback origin.
    use super::*;

    pub(crate) const TEST_CERT: &str = include_str!("testdata/network_key_test_cert.pem");
    pub(crate) const TEST_KEY: &str = include_str!("testdata/paybox_test_private.pem");
    pub(crate) const PAYPAL_SANDBOX_CERT: &str = include_str!("testdata/paypal_sandbox_cert_2015.pem");
    pub(crate) const PAYPAL_SANDBOX_URL: &str =
        "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77";
    pub(crate) const VECTORS: &str = include_str!("testdata/network_key_vectors.json");

    pub(crate) struct Known {
        pub certs: Vec<(String, Vec<u8>)>,
        pub policy: UrlPolicy,
    }

    impl Known {
        /// The test certificate at every URL the vectors name, and PayPal's sandbox one.
        pub(crate) fn vectors() -> Known {
            let vs: Vec<serde_json::Value> = serde_json::from_str(VECTORS).expect("the vectors parse");
            let mut certs: Vec<(String, Vec<u8>)> = vs
                .iter()
                .filter_map(|v| v["cert_url"].as_str())
                .map(|u| (u.to_string(), TEST_CERT.as_bytes().to_vec()))
                .collect();
            certs.push((PAYPAL_SANDBOX_URL.to_string(), PAYPAL_SANDBOX_CERT.as_bytes().to_vec()));
            Known { certs, policy: UrlPolicy::providers_only() }
        }
    }

    impl Certificates for Known {
        fn certificate(&self, url: &str) -> Option<Vec<u8>> {
            self.certs.iter().find(|(u, _)| u == url).map(|(_, c)| c.clone())
        }
        fn check_url(&self, publisher: Publisher, url: &str) -> Result<String, String> {
            self.policy.check(publisher, url)
        }
    }
}

#[cfg(test)]
#[path = "cert_url_tests.rs"]
mod tests;
