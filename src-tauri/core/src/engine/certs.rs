//! The signing certificates that providers publish at a URL each delivery names (Amazon SNS's
//! `SigningCertURL`, PayPal's `PAYPAL-CERT-URL`): kept in memory for judging (which never
//! waits on the network) and on disk under `<data dir>/certificates/`, one JSON file per URL;
//! fetched in the background when a stored capture's verdict says its certificate is missing,
//! then that endpoint's captures are judged again; fetched on demand (`verify`, the UI) or
//! pasted by the user. A URL is fetched only after [`crate::signature::cert_url::UrlPolicy`]
//! accepts it (the provider's own https hosts: whoever sent the request chose the URL), with
//! the sender's verified TLS, no redirects, a timeout and a size cap. Verification itself is
//! the pure [`crate::signature`]; this module must not speak SQL nor judge requests.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sha2::Digest as _;
use tokio::sync::{broadcast, watch};
use tokio_util::sync::CancellationToken;

use super::{Engine, Inner};
use crate::error::{Error, Result};
use crate::event::Event;
use crate::forward::{Destination, Outgoing};
use crate::ipc::{AddCertificateReq, CertificateOrigin, CertificateView};
use crate::model::HeaderList;
use crate::signature::cert_url::{self, Certificates, Publisher, UrlPolicy};
use crate::signature::{ReasonCode, SchemeId};

/// Largest certificate accepted (Amazon's and PayPal's are 2 – 3 KiB; a chain fits easily).
pub(crate) const MAX_CERTIFICATE: usize = 64 * 1024;
/// The whole fetch: resolving, connecting, TLS and reading.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);
/// A URL whose fetch failed is not tried again in the background before this.
const RETRY_FAILED: Duration = Duration::from_secs(60);
const DIR: &str = "certificates";

/// The schemes whose key is a certificate at a URL.
pub(crate) fn uses_certificates(scheme: SchemeId) -> bool {
    matches!(scheme, SchemeId::SnsMessage | SchemeId::PaypalTransmission)
}

/// One kept certificate, as written to disk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Kept {
    url: String,
    origin: CertificateOrigin,
    added_at_us: i64,
    pem: String,
}

/// The certificates known to this process, and what the background fetcher is doing.
#[derive(Default)]
pub(crate) struct CertStore {
    /// `<data dir>/certificates`, once the engine has opened.
    dir: OnceLock<PathBuf>,
    known: RwLock<HashMap<String, Kept>>,
    policy: RwLock<UrlPolicy>,
    /// Last failed fetch per URL: when, and why (said in the verdict).
    failed: Mutex<HashMap<String, (Instant, String)>>,
    fetching: Mutex<HashSet<String>>,
}

impl Certificates for CertStore {
    fn certificate(&self, url: &str) -> Option<Vec<u8>> {
        self.known.read().ok()?.get(url).map(|k| k.pem.clone().into_bytes())
    }
    fn check_url(&self, publisher: Publisher, url: &str) -> std::result::Result<String, String> {
        self.policy.read().map_err(|_| "the URL rules are unavailable".to_string())?.check(publisher, url)
    }
    fn problem(&self, url: &str) -> Option<String> {
        self.failed.lock().ok()?.get(url).map(|(_, why)| why.clone())
    }
}

fn file_name(url: &str) -> String {
    let digest = sha2::Sha256::digest(url.as_bytes());
    format!("{}.json", hex::encode(&digest[..16]))
}

impl CertStore {
    /// Reads the kept certificates from `data_dir` (unreadable files are skipped with a warning).
    pub(crate) fn open(&self, data_dir: &Path) {
        let _ = self.dir.set(data_dir.join(DIR));
        self.reload();
    }

    /// Re-reads the folder (another process may have added one); true when something is new.
    pub(crate) fn reload(&self) -> bool {
        let Some(dir) = self.dir.get() else { return false };
        let Ok(entries) = std::fs::read_dir(dir) else { return false };
        let mut found = HashMap::new();
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            match std::fs::read(&path).ok().and_then(|b| serde_json::from_slice::<Kept>(&b).ok()) {
                Some(k) => {
                    found.insert(k.url.clone(), k);
                }
                None => tracing::warn!("skipping unreadable certificate file {}", path.display()),
            }
        }
        let mut known = self.known.write().unwrap();
        let changed = found.iter().any(|(u, k)| known.get(u) != Some(k));
        if changed {
            known.extend(found);
        }
        changed
    }

    fn keep(&self, k: Kept) -> Result<()> {
        if let Some(dir) = self.dir.get() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
            let path = dir.join(file_name(&k.url));
            let tmp = path.with_extension("json.tmp");
            let text = serde_json::to_vec_pretty(&k).map_err(|e| Error::Internal(format!("cannot write the certificate: {e}")))?;
            std::fs::write(&tmp, text).map_err(|e| Error::io(format!("cannot write {}", tmp.display()), e))?;
            std::fs::rename(&tmp, &path).map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
        }
        self.failed.lock().unwrap().remove(&k.url);
        self.known.write().unwrap().insert(k.url.clone(), k);
        Ok(())
    }

    fn list(&self) -> Vec<CertificateView> {
        let known = self.known.read().unwrap();
        let mut out: Vec<CertificateView> = known.values().filter_map(|k| view(k).ok()).collect();
        out.sort_by(|a, b| a.url.cmp(&b.url));
        out
    }
}

/// Which provider publishes certificates at `url`, and the URL normalised; or why none does.
fn publisher_of(certs: &CertStore, url: &str) -> Result<(Publisher, String)> {
    let mut why = Vec::new();
    for p in [Publisher::AmazonSns, Publisher::Paypal] {
        match certs.check_url(p, url) {
            Ok(u) => return Ok((p, u)),
            Err(e) => why.push(format!("not {}'s ({e})", p.name())),
        }
    }
    Err(Error::InvalidInput(format!(
        "{url:?} is not a URL where Amazon SNS or PayPal publish signing certificates: {}",
        why.join("; ")
    )))
}

fn view(k: &Kept) -> std::result::Result<CertificateView, String> {
    let facts = cert_url::inspect(k.pem.as_bytes())?;
    let provider = [Publisher::AmazonSns, Publisher::Paypal]
        .into_iter()
        .find(|p| UrlPolicy::providers_only().check(*p, &k.url).is_ok())
        .map(|p| p.name().to_string())
        .unwrap_or_else(|| "test origin".into());
    let date = |t: Option<i64>| t.and_then(|t| chrono::DateTime::from_timestamp(t, 0)).map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    Ok(CertificateView {
        url: k.url.clone(),
        provider,
        origin: k.origin,
        added_at: crate::ipc::rfc3339_us(k.added_at_us),
        subject: facts.subject,
        not_before: date(facts.not_before),
        not_after: date(facts.not_after),
        key_bits: facts.key_bits as u32,
    })
}

fn now_us() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

/// GETs a checked certificate URL with the sender (verified TLS, no redirects) and reads it.
async fn download(url: &str) -> std::result::Result<String, String> {
    let u = url::Url::parse(url).map_err(|e| format!("not a URL ({e})"))?;
    let host = u.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']').to_string();
    let tls = u.scheme() == "https";
    let destination = Destination { tls, host, port: u.port_or_known_default().unwrap_or(443), target: u.path().to_string() };
    let headers = HeaderList(vec![
        ("Host".into(), destination.authority().into_bytes()),
        ("User-Agent".into(), format!("hookloupe/{} (signing certificate fetch)", env!("CARGO_PKG_VERSION")).into_bytes()),
        ("Accept".into(), b"application/x-pem-file, application/x-x509-ca-cert, */*".to_vec()),
        ("Connection".into(), b"close".to_vec()),
    ]);
    let req = Outgoing { method: "GET".into(), destination, headers, body: Vec::new() };
    let opts = crate::sender::SendOptions { timeout: FETCH_TIMEOUT, insecure: false, max_body: MAX_CERTIFICATE };
    let attempt = crate::sender::send(&req, &opts, &CancellationToken::new()).await;
    let resp = attempt.result.map_err(|f| f.message)?;
    if resp.status != 200 {
        let hint = if (300..400).contains(&resp.status) { " (redirects are not followed for certificates)" } else { "" };
        return Err(format!("{url} answered {} {}{hint}", resp.status, resp.reason));
    }
    if resp.truncated {
        return Err(format!("{url} sent more than {} KiB, which is no certificate", MAX_CERTIFICATE / 1024));
    }
    let text = String::from_utf8(resp.body).map_err(|_| format!("{url} did not send a PEM certificate"))?;
    cert_url::inspect(text.as_bytes()).map_err(|e| format!("what {url} sent cannot be used: {e}"))?;
    Ok(text)
}

impl Inner {
    fn certs(&self) -> &CertStore {
        &self.signatures.certs
    }

    /// Endpoints whose scheme verifies with certificates.
    fn certificate_endpoints(&self) -> Vec<String> {
        let table = self.signatures.table.read().unwrap().clone();
        table.iter().filter(|(_, s)| s.scheme.is_some_and(uses_certificates)).map(|(n, _)| n.clone()).collect()
    }

    /// Judges again the captures of `endpoints` (a certificate arrived or a fetch failed).
    fn rejudge(&self, endpoints: &[String]) {
        for endpoint in endpoints {
            let generation = self.bump_signature_generation(endpoint);
            if let Err(e) = self.reevaluate(endpoint, generation) {
                tracing::warn!("re-evaluating the signatures of endpoint {endpoint} failed: {e}");
            }
        }
    }

    /// Picks up certificates another process added (`hookloupe certs add`), then re-judges.
    pub(super) fn reload_certificates(&self) {
        if self.certs().reload() {
            self.rejudge(&self.certificate_endpoints());
        }
    }
}

/// Fetches a checked URL and keeps what it serves; the failure is remembered for the verdict.
async fn fetch_and_keep(inner: &Arc<Inner>, url: &str) -> std::result::Result<Kept, String> {
    // Checked again here, whatever the caller did: this is the one place that fetches.
    let (_, url) = publisher_of(inner.certs(), url).map_err(|e| e.to_string())?;
    let url = url.as_str();
    match download(url).await {
        Ok(pem) => {
            let k = Kept { url: url.to_string(), origin: CertificateOrigin::Fetched, added_at_us: now_us(), pem };
            inner.certs().keep(k.clone()).map_err(|e| e.to_string())?;
            Ok(k)
        }
        Err(why) => {
            inner.certs().failed.lock().unwrap().insert(url.to_string(), (Instant::now(), why.clone()));
            Err(why)
        }
    }
}

/// Watches stored captures: one whose verdict says its certificate is missing (on an endpoint
/// configured for such a scheme) gets the certificate fetched, once at a time per URL and not
/// again for a while after a failure, then its endpoint's captures are judged again.
pub(super) fn start_fetcher(inner: Arc<Inner>, mut stop: watch::Receiver<bool>) {
    let mut events = inner.events.subscribe();
    tokio::spawn(async move {
        loop {
            let event = tokio::select! {
                e = events.recv() => e,
                _ = stop.changed() => return,
            };
            let capture = match event {
                Ok(Event::Captured(c)) => c,
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return,
            };
            let Some(v) = capture.signature.verdict.as_ref().filter(|v| v.reason == ReasonCode::CertificateUnavailable) else {
                continue;
            };
            let Some(url) = v.certificate_url.clone() else { continue };
            let endpoint = capture.data.endpoint.clone();
            let configured = inner.signatures.table.read().unwrap().get(&endpoint).and_then(|s| s.scheme).is_some_and(uses_certificates);
            let recently_failed = inner.certs().failed.lock().unwrap().get(&url).is_some_and(|(at, _)| at.elapsed() < RETRY_FAILED);
            if !configured || recently_failed || !inner.certs().fetching.lock().unwrap().insert(url.clone()) {
                continue;
            }
            let inner = inner.clone();
            tokio::spawn(async move {
                let got = fetch_and_keep(&inner, &url).await;
                if let Err(why) = &got {
                    tracing::warn!("cannot fetch the signing certificate {url}: {why}");
                }
                // Success or failure, the verdicts change (valid, or naming the failure).
                let endpoints = if got.is_ok() { inner.certificate_endpoints() } else { vec![endpoint] };
                let worker = inner.clone();
                let _ = tokio::task::spawn_blocking(move || worker.rejudge(&endpoints)).await;
                inner.certs().fetching.lock().unwrap().remove(&url);
            });
        }
    });
}

impl Engine {
    /// The signing certificates kept (fetched or pasted), by URL.
    pub fn list_certificates(&self) -> Vec<CertificateView> {
        self.inner.certs().reload();
        self.inner.certs().list()
    }

    /// Uses a pasted certificate for `url` (which must be one where Amazon SNS or PayPal
    /// publish theirs), then judges again the captures of the endpoints that need one.
    pub async fn add_certificate(&self, req: AddCertificateReq) -> Result<CertificateView> {
        let (_, url) = publisher_of(self.inner.certs(), &req.url)?;
        if req.pem.len() > MAX_CERTIFICATE {
            return Err(Error::InvalidInput(format!("that is more than {} KiB, which is no certificate", MAX_CERTIFICATE / 1024)));
        }
        cert_url::inspect(req.pem.as_bytes()).map_err(|e| Error::InvalidInput(format!("this cannot be used as the certificate: {e}")))?;
        let k = Kept { url, origin: CertificateOrigin::Pasted, added_at_us: now_us(), pem: req.pem };
        self.blocking(move |i| {
            i.certs().keep(k.clone())?;
            i.rejudge(&i.certificate_endpoints());
            view(&k).map_err(Error::InvalidInput)
        })
        .await
    }

    /// Fetches the certificate at `url` now (after the URL passes the provider's rules), keeps
    /// it, and judges again the captures of the endpoints that need one.
    pub async fn fetch_certificate(&self, url: &str) -> Result<CertificateView> {
        let (publisher, url) = publisher_of(self.inner.certs(), url)?;
        let k = fetch_and_keep(&self.inner, &url)
            .await
            .map_err(|why| Error::Send(format!("cannot fetch {}'s signing certificate {url}: {why}", publisher.name())))?;
        self.blocking(move |i| {
            i.rejudge(&i.certificate_endpoints());
            view(&k).map_err(Error::InvalidInput)
        })
        .await
    }

    /// After `verify_capture` judged capture `id` as `verdict`: when the verdict says its
    /// signing certificate is not available, fetches it (this is a user's explicit check) and
    /// judges the capture again; otherwise, or when it cannot be fetched, the verdict as is
    /// (judged again, so it names the fetch's failure).
    pub(super) async fn judge_again_with_certificate(&self, id: crate::model::CaptureId, verdict: crate::signature::Verdict) -> Result<crate::signature::Verdict> {
        let Some(url) = verdict.certificate_url.clone().filter(|_| verdict.reason == ReasonCode::CertificateUnavailable) else {
            return Ok(verdict);
        };
        // A failure is remembered by the store (`problem`): the new verdict says why.
        let _ = self.fetch_certificate(&url).await;
        self.blocking(move |i| {
            let Some(cap) = i.store.with(|c| crate::store::captures::get(c, id))? else { return Ok(verdict) };
            let table = i.signatures.table.read().unwrap().clone();
            let sig = super::signatures::judge(&table, i.certs(), &cap.data);
            if sig != cap.signature {
                i.store.with(|c| crate::store::captures::set_signature(c, id, &sig))?;
                let _ = i.events.send(Event::VerdictsChanged { endpoint: cap.data.endpoint.clone() });
            }
            Ok(sig.verdict.unwrap_or(verdict))
        })
        .await
    }

    /// Tests only: also trust certificate URLs on `origin`, which must be on the loopback
    /// interface (a certificate server the test runs). No host or user input reaches this.
    #[doc(hidden)]
    pub fn trust_certificate_origin_for_tests(&self, origin: &str) -> Result<()> {
        let mut policy = self.inner.certs().policy.write().unwrap();
        *policy = policy.clone().with_loopback_origin(origin).map_err(Error::InvalidInput)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CERT: &str = include_str!("../signature/testdata/network_key_test_cert.pem");
    const URL: &str = "https://sns.us-west-2.amazonaws.com/SimpleNotificationService-7506a1e35b36ef5a444dd1a8e7cc3ed8.pem";

    #[test]
    fn kept_certificates_survive_a_restart_and_another_process_adds_some() {
        let dir = tempfile::tempdir().unwrap();
        let a = CertStore::default();
        a.open(dir.path());
        a.keep(Kept { url: URL.into(), origin: CertificateOrigin::Pasted, added_at_us: 1, pem: CERT.into() }).unwrap();
        let b = CertStore::default();
        b.open(dir.path());
        assert_eq!(b.certificate(URL).as_deref(), Some(CERT.as_bytes()));
        assert!(!b.reload(), "nothing new");
        let other = "https://api.paypal.com/v1/notifications/certs/CERT-1";
        a.keep(Kept { url: other.into(), origin: CertificateOrigin::Fetched, added_at_us: 2, pem: CERT.into() }).unwrap();
        assert!(b.reload(), "a certificate another process kept is picked up");
        let listed = b.list();
        assert_eq!(listed.iter().map(|c| (c.url.as_str(), c.provider.as_str())).collect::<Vec<_>>(), vec![(other, "PayPal"), (URL, "Amazon SNS")]);
        assert!(listed[1].subject.contains("sns.amazonaws.com") && listed[1].not_after.as_deref() == Some("2045-01-01T00:00:00Z"));
    }

    #[test]
    fn only_the_providers_urls_or_a_loopback_test_origin_are_accepted() {
        let s = CertStore::default();
        assert!(publisher_of(&s, URL).is_ok());
        let err = publisher_of(&s, "https://evil.example/cert.pem").unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::InvalidInput, "{err}");
        assert!(publisher_of(&s, "http://127.0.0.1:9/cert.pem").is_err());
        *s.policy.write().unwrap() = UrlPolicy::providers_only().with_loopback_origin("http://127.0.0.1:9").unwrap();
        assert_eq!(publisher_of(&s, "http://127.0.0.1:9/cert.pem").unwrap().0, Publisher::AmazonSns);
    }
}
