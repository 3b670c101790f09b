//! Test events: "send a signed test event" for an endpoint. The engine builds the provider's
//! sample for the endpoint's scheme ([`crate::signature::test_event`], pure), signs it with the
//! endpoint's first secret at the current time, and POSTs it over real HTTP to a receiver — its
//! own (the capture then arrives through the normal path and gets its verdict like any
//! delivery) or one at a given base URL (a `hookloupe listen` or the app in another process).
//! This module reads the clock and makes the nonce; it holds the only outbound HTTP call of
//! the signature capability. It must not log or return the request (it may carry a token).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sha2::Digest as _;
use tokio::sync::broadcast::error::RecvError;

use super::Engine;
use crate::error::{Error, Result};
use crate::event::Event;
use crate::ipc::{CaptureSummary, TestEventView};
use crate::model::{Capture, CaptureId};
use crate::receiver::CAPTURE_ID_HEADER;
use crate::signature::{self, OwnedRequest, SchemeId, TEST_EVENT_HEADER};

/// How long to wait for the test event's capture to be stored.
const CAPTURE_WAIT: Duration = Duration::from_secs(30);
/// Connecting to a receiver: it is local or near, so this is generous.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A signed test event ready to send.
struct Prepared {
    scheme: SchemeId,
    path: String,
    request: OwnedRequest,
    marker: String,
    /// The endpoint's response delay: the reply may take this long.
    delay: Duration,
}

impl Engine {
    /// Sends a signed test event for `endpoint` to this engine's own receiver and returns the
    /// capture it became (already judged). Errors: `not_found` (no such endpoint), `no_scheme`,
    /// `no_secret`, `cannot_sign` (e.g. Paybox RSA), `not_listening` (the receiver is not
    /// running), `invalid_input` (settings the scheme cannot sign with), `io` (sending failed).
    pub async fn send_test_event(&self, endpoint: String) -> Result<TestEventView> {
        let base = self
            .listener()
            .ok_or_else(|| {
                Error::NotListening("the receiver is not running, so there is nowhere to send a test event".into())
            })?
            .url;
        let p = self.prepare_test_event(&endpoint, &base)?;
        // Subscribe before sending: the capture is published before the reply is sent.
        let mut events = self.subscribe();
        let timeout = CAPTURE_WAIT + p.delay;
        let request = p.request.clone();
        let mut send = tokio::spawn(async move { post(&request, &base, timeout).await });
        let deadline = tokio::time::sleep(CAPTURE_WAIT);
        tokio::pin!(deadline);
        let mut status = None;
        let capture: Capture = loop {
            tokio::select! {
                event = events.recv() => match event {
                    Ok(Event::Captured(c)) if carries(&c, &p.marker) => break (*c).clone(),
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return Err(Error::Internal("the engine's event stream closed".into())),
                },
                sent = &mut send, if status.is_none() => {
                    let (code, id) = sent.map_err(|e| Error::Internal(format!("the test event task failed: {e}")))??;
                    status = Some(code);
                    let Some(id) = id else {
                        return Err(Error::Send(format!("the receiver answered {code} without storing the test event")));
                    };
                    break self.capture(id).await?;
                }
                _ = &mut deadline => {
                    return Err(Error::Send(format!(
                        "the test event was sent but no capture arrived within {} s",
                        CAPTURE_WAIT.as_secs()
                    )));
                }
            }
        };
        if status.is_none() {
            // Usually the reply follows at once; an endpoint with a delay answers later.
            if let Ok(Ok(Ok((code, _)))) = tokio::time::timeout(Duration::from_millis(500), &mut send).await {
                status = Some(code);
            }
        }
        Ok(TestEventView {
            endpoint,
            scheme: p.scheme,
            method: p.request.method,
            path: p.path,
            status,
            capture_id: Some(capture.id),
            capture: Some(CaptureSummary::from(&capture)),
        })
    }

    /// Sends a signed test event for `endpoint` (its settings from this database) to the
    /// receiver at `base_url` (e.g. `http://127.0.0.1:4665`, another process's `hookloupe
    /// listen` or the app), at the endpoint's path prefix, and waits for the reply. The capture
    /// is returned when the receiver stores into this same database. Errors as
    /// [`Engine::send_test_event`]; `not_listening` when nothing answers at `base_url`.
    pub async fn send_test_event_to(&self, endpoint: String, base_url: &str) -> Result<TestEventView> {
        let base = base_url_of(base_url)?;
        let p = self.prepare_test_event(&endpoint, &base)?;
        let (status, capture_id) = post(&p.request, &base, CAPTURE_WAIT + p.delay).await?;
        let capture = match capture_id {
            // The same id in another database would be another capture: check the marker.
            Some(id) => match self.capture(id).await {
                Ok(c) if carries(&c, &p.marker) => Some(CaptureSummary::from(&c)),
                _ => None,
            },
            None => None,
        };
        Ok(TestEventView {
            endpoint,
            scheme: p.scheme,
            method: p.request.method,
            path: p.path,
            status: Some(status),
            capture_id,
            capture,
        })
    }

    /// The signed sample for `name`, addressed to `base` + the endpoint's path prefix.
    fn prepare_test_event(&self, name: &str, base: &str) -> Result<Prepared> {
        let endpoint = self
            .inner
            .endpoints
            .read()
            .unwrap()
            .iter()
            .find(|e| e.name == name)
            .cloned()
            .ok_or_else(|| Error::NotFound(format!("no endpoint named {name:?}")))?;
        let settings = self.inner.signatures.table.read().unwrap().get(name).cloned().unwrap_or_default();
        let Some((cfg, _)) = settings.scheme_config() else {
            return Err(Error::NoScheme(format!(
                "endpoint {name:?} has no signature scheme, so there is nothing to sign a test event with; choose one in its signature settings"
            )));
        };
        if let Some(reason) = signature::cannot_sign(cfg.scheme) {
            return Err(Error::CannotSign(format!("{} cannot send a signed test event: {reason}", cfg.scheme.label())));
        }
        if let Some(unreadable) = settings.secrets.iter().find_map(|s| s.problem.as_ref()).filter(|_| cfg.secrets.is_empty()) {
            return Err(Error::NoSecret(format!(
                "endpoint {name:?} has a {} secret, but it is kept in the OS keyring and {unreadable}",
                cfg.scheme.label()
            )));
        }
        if cfg.secrets.is_empty() {
            return Err(Error::NoSecret(format!(
                "endpoint {name:?} has no {} secret to sign a test event with; add one in its signature settings",
                cfg.scheme.label()
            )));
        }
        let url = format!("{}{}", base.trim_end_matches('/'), endpoint.path_prefix);
        let now_us = chrono::Utc::now().timestamp_micros();
        let nonce = nonce(now_us);
        let request = signature::test_event(&cfg, &url, now_us.div_euclid(1_000_000), nonce)?;
        let marker = request
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(TEST_EVENT_HEADER))
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        Ok(Prepared {
            scheme: cfg.scheme,
            path: endpoint.path_prefix,
            request,
            marker,
            delay: Duration::from_millis(endpoint.response.delay_ms),
        })
    }
}

fn carries(c: &Capture, marker: &str) -> bool {
    c.data.headers.get(TEST_EVENT_HEADER).as_deref() == Some(marker)
}

/// A unique, unpredictable-enough id for one test event (ids in the sample), from the time, a
/// process-wide counter and the process id. Not for cryptography.
fn nonce(now_us: i64) -> u128 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = sha2::Sha256::new();
    h.update(now_us.to_le_bytes());
    h.update(COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    h.update(std::process::id().to_le_bytes());
    let digest = h.finalize();
    let mut first = [0u8; 16];
    first.copy_from_slice(&digest[..16]);
    u128::from_le_bytes(first)
}

/// `http://host:port` of a receiver, normalised (no path, no trailing slash).
fn base_url_of(text: &str) -> Result<String> {
    let url = url::Url::parse(text.trim())
        .map_err(|e| Error::InvalidInput(format!("{text:?} is not a URL ({e}); give one like http://127.0.0.1:4665")))?;
    if url.scheme() != "http" {
        return Err(Error::InvalidInput(format!(
            "test events are sent over plain http to a Hookloupe receiver (e.g. http://127.0.0.1:4665), not {}",
            url.scheme()
        )));
    }
    if url.host().is_none() {
        return Err(Error::InvalidInput(format!("{text:?} has no host")));
    }
    let path = url.path().trim_end_matches('/');
    if !path.is_empty() || url.query().is_some() {
        return Err(Error::InvalidInput(format!(
            "give the receiver's base URL without a path (got {text:?}); the endpoint's path prefix is added"
        )));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// POSTs (or whatever the sample's method is) `req`; returns the status and the capture id the
/// receiver reports. Errors never include the URL (it may carry a token).
async fn post(req: &OwnedRequest, base: &str, timeout: Duration) -> Result<(u16, Option<CaptureId>)> {
    let client = reqwest::Client::builder()
        .http1_title_case_headers()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(timeout)
        // The receiver is ours (usually on loopback): a proxy from the environment would be wrong.
        .no_proxy()
        .build()
        .map_err(|e| Error::Internal(format!("cannot build the HTTP client: {}", e.without_url())))?;
    let method = reqwest::Method::from_bytes(req.method.as_bytes())
        .map_err(|_| Error::Internal(format!("bad method {:?}", req.method)))?;
    let mut builder = client.request(method, &req.url).body(req.body.clone());
    for (name, value) in &req.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let response = builder.send().await.map_err(|e| {
        if e.is_connect() {
            Error::NotListening(format!(
                "nothing is listening at {base}: is the app or `hookloupe listen` running there? ({})",
                e.without_url()
            ))
        } else if e.is_timeout() {
            Error::Send(format!("{base} did not answer the test event within {} s", timeout.as_secs()))
        } else {
            Error::Send(format!("sending the test event to {base} failed: {}", e.without_url()))
        }
    })?;
    let id = response
        .headers()
        .get(CAPTURE_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok());
    Ok((response.status().as_u16(), id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(base_url_of("http://127.0.0.1:4665").unwrap(), "http://127.0.0.1:4665");
        assert_eq!(base_url_of(" http://127.0.0.1:4665/ ").unwrap(), "http://127.0.0.1:4665");
        assert_eq!(base_url_of("http://LOCALHOST:80/").unwrap(), "http://localhost");
        assert_eq!(base_url_of("http://[::1]:4665").unwrap(), "http://[::1]:4665");
        for bad in ["https://x.ngrok.app", "127.0.0.1:4665", "http://127.0.0.1:4665/stripe", "http://h/?a=1", "nope"] {
            assert_eq!(base_url_of(bad).unwrap_err().code(), crate::ErrorCode::InvalidInput, "{bad}");
        }
    }

    #[test]
    fn nonces_differ() {
        assert_ne!(nonce(1), nonce(1));
    }
}
