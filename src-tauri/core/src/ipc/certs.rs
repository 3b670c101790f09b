//! Wire types of the signing certificates that providers publish at a URL (Amazon SNS,
//! PayPal): the ones Hookloupe keeps, fetched or pasted, as the UI and `hookloupe certs list
//! --json` see them, and the request to paste one. No I/O here.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How a kept certificate got here.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CertificateOrigin {
    /// Downloaded from its URL (after the URL passed the provider's rules).
    Fetched,
    /// Pasted by the user for its URL.
    Pasted,
}

/// One kept certificate.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
#[ts(export)]
pub struct CertificateView {
    /// The URL deliveries name it by (normalised).
    pub url: String,
    /// The provider that publishes it there (`Amazon SNS`, `PayPal`).
    pub provider: String,
    pub origin: CertificateOrigin,
    /// RFC 3339, when it was fetched or pasted.
    pub added_at: String,
    /// The certificate's subject (`CN=sns.amazonaws.com,…`); empty for a bare public key.
    pub subject: String,
    /// RFC 3339 validity bounds, when it is a certificate.
    pub not_before: Option<String>,
    pub not_after: Option<String>,
    pub key_bits: u32,
}

/// `add_certificate`: use `pem` as the certificate published at `url` (offline, or to pin one).
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq, Eq)]
#[ts(export)]
pub struct AddCertificateReq {
    pub url: String,
    /// The certificate as PEM (`-----BEGIN CERTIFICATE-----`), as served at the URL.
    pub pem: String,
}
