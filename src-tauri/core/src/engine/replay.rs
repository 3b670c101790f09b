//! Engine methods of replay and the delivery log: preview what would go out, send one capture
//! (edited, re-signed or not) or several in capture order, cancel what is in flight, keep every
//! attempt, list and read attempts, and keep the user's drafts.
//!
//! The request is built by the pure [`crate::forward`] at the moment of sending (a re-signature
//! gets a fresh timestamp), sent by [`crate::sender`], and the attempt — the request exactly as
//! written and the answer or failure — is appended to the delivery log before anyone is told.
//! This module reads the clock and makes new message ids; it must not format output for a host.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::Engine;
use crate::error::{Error, Result};
use crate::event::Event;
use crate::forward::{self, Edits, Outgoing, ResignOptions, Source, DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS};
use crate::ipc::{
    rfc3339_us, DeliveryFilter, DeliveryPage, DeliveryView, ListDeliveriesReq, OutgoingView, ReplayBatchView, ReplayDraft,
    ReplayManyReq, ReplayPreview, ReplayProgressView, ReplayReq, ReplayTarget, RequestEdits,
};
use crate::model::{Capture, CaptureId, EndpointSignature};
use crate::sender::{self, SendOptions};
use crate::signature::{self, SchemeConfig};
use crate::store::deliveries::{self, Delivery, DeliveryHead, Outcomes};
use crate::store::drafts;

/// Cancel handles of the replays running now, by the caller's token.
#[derive(Default)]
pub(super) struct ReplayJobs(Mutex<HashMap<String, CancellationToken>>);

/// Removes a job's token when it ends.
struct JobGuard<'a> {
    jobs: &'a ReplayJobs,
    token: Option<String>,
}

impl Drop for JobGuard<'_> {
    fn drop(&mut self) {
        if let Some(t) = &self.token {
            if let Ok(mut map) = self.jobs.0.lock() {
                map.remove(t);
            }
        }
    }
}

/// A request ready to go, with what the editor shows about it.
struct Prepared {
    outgoing: Outgoing,
    resigned: bool,
    preview: ReplayPreview,
    timeout: Duration,
    insecure: bool,
}

pub(super) fn now_us() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

/// A new Standard Webhooks / Svix style message id, `msg_` + 26 random base32 characters.
fn new_message_id() -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghjkmnpqrstvwxyz";
    let mut bytes = [0u8; 26];
    getrandom::fill(&mut bytes).unwrap_or_else(|_| {
        // No OS randomness: the time still makes it unique enough for an id (not a secret).
        let t = now_us().to_le_bytes();
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = t[i % 8].wrapping_mul(31).wrapping_add(i as u8);
        }
    });
    let id: String = bytes.iter().map(|b| ALPHABET[(*b as usize) % 32] as char).collect();
    format!("msg_{id}")
}

fn edits_of(e: &RequestEdits) -> Result<Edits> {
    Ok(Edits {
        method: e.method.clone(),
        headers: e.headers.clone(),
        set_headers: e.set_headers.clone(),
        remove_headers: e.remove_headers.clone(),
        body: forward::edited_body(e.body.as_deref(), e.body_b64.as_deref()).map_err(|b| Error::InvalidInput(b.0))?,
    })
}

fn timeout_of(t: &ReplayTarget) -> Result<Duration> {
    let ms = t.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS);
    if ms == 0 || ms > MAX_TIMEOUT_MS {
        return Err(Error::InvalidInput(format!(
            "the timeout must be between 1 ms and 10 minutes ({MAX_TIMEOUT_MS} ms); got {ms} ms"
        )));
    }
    Ok(Duration::from_millis(ms))
}

/// Whether `settings` can re-sign, and why not.
pub(super) fn resign_config(settings: &EndpointSignature, endpoint: &str) -> std::result::Result<(SchemeConfig, Vec<u32>), Error> {
    let Some((cfg, indices)) = settings.scheme_config() else {
        return Err(Error::NoScheme(format!(
            "endpoint {endpoint:?} has no signature scheme, so there is nothing to re-sign with; choose one in its signature settings"
        )));
    };
    if let Some(reason) = signature::cannot_sign(cfg.scheme) {
        return Err(Error::CannotSign(format!("{} cannot re-sign: {reason}", cfg.scheme.label())));
    }
    if cfg.secrets.is_empty() {
        let why = settings.secrets.iter().find_map(|s| s.problem.clone());
        return Err(Error::NoSecret(match why {
            Some(p) => format!("endpoint {endpoint:?}'s {} secret is kept in the OS keyring and {p}", cfg.scheme.label()),
            None => format!("endpoint {endpoint:?} has no {} secret to re-sign with; add one in its signature settings", cfg.scheme.label()),
        }));
    }
    Ok((cfg, indices))
}

/// The delivery-log row of one attempt: the request as written, the answer or the failure.
/// `forward`: the outbox row and attempt number of a forward's attempt.
#[allow(clippy::too_many_arguments)]
pub(super) fn attempt_record(
    capture_id: crate::model::CaptureId,
    kind: &str,
    started_at_us: i64,
    outgoing: Outgoing,
    resigned: bool,
    insecure: bool,
    attempt: sender::Attempt,
    forward: Option<(i64, u32)>,
) -> Delivery {
    let (outcome, status, reason, headers, body, size, truncated, code, message) = match attempt.result {
        Ok(r) => ("response", Some(r.status), Some(r.reason), Some(r.headers), Some(r.body), Some(r.body_size), r.truncated, None, None),
        Err(f) => {
            let outcome = if f.code == sender::SendFailure::Cancelled { "cancelled" } else { "failed" };
            (outcome, None, None, None, None, None, false, Some(f.code.as_str().to_string()), Some(f.message))
        }
    };
    Delivery {
        head: DeliveryHead {
            id: 0,
            capture_id,
            kind: kind.into(),
            started_at_us,
            duration_us: attempt.duration.as_micros().min(i64::MAX as u128) as i64,
            method: outgoing.method.clone(),
            url: outgoing.url(),
            resigned,
            insecure,
            outcome: outcome.into(),
            status,
            reason,
            response_size: size,
            response_truncated: truncated,
            error_code: code,
            error_message: message,
            forward_id: forward.map(|f| f.0),
            attempt: forward.map(|f| f.1),
        },
        request_headers: outgoing.headers,
        request_body: outgoing.body,
        response_headers: headers,
        response_body: body,
    }
}

impl Engine {
    /// What [`Engine::replay`] would send now for `req`, with its warnings and a curl command.
    pub async fn preview_replay(&self, req: ReplayReq) -> Result<ReplayPreview> {
        let capture = self.capture(req.capture_id).await?;
        Ok(self.prepare(&capture, &req.target, &req.edits, now_us())?.preview)
    }

    /// Sends one capture (with the edits) to the target and stores the attempt. A network
    /// failure is not an error: the attempt is stored and returned with its failure code. Errors:
    /// `not_found`, `invalid_input` (URL, header, body, timeout), `no_scheme` / `no_secret` /
    /// `cannot_sign` (re-signing asked but impossible), storage errors.
    pub async fn replay(&self, req: ReplayReq) -> Result<DeliveryView> {
        let capture = self.capture(req.capture_id).await?;
        let cancel = CancellationToken::new();
        let _guard = self.register_replay(req.token.clone(), &cancel);
        let view = self.send_one(&capture, &req.target, &req.edits, &cancel).await?;
        if req.discard_draft {
            let id = capture.id;
            self.blocking(move |i| i.store.with(|c| drafts::delete(c, id))).await?;
        }
        Ok(view)
    }

    /// Sends several captures as captured (re-signed when asked), one after another in capture
    /// order, to one target; publishes [`Event::ReplayProgress`] after each. Cancelling stops the
    /// attempt in flight and the rest of the batch.
    pub async fn replay_many(&self, req: ReplayManyReq) -> Result<ReplayBatchView> {
        timeout_of(&req.target)?;
        forward::destination(&req.target.url, req.target.keep_path, "/", "").map_err(|e| Error::InvalidInput(e.0))?;
        let mut ids = req.capture_ids.clone();
        ids.sort_unstable();
        ids.dedup();
        let cancel = CancellationToken::new();
        let _guard = self.register_replay(req.token.clone(), &cancel);
        let total = ids.len() as u32;
        let mut batch = ReplayBatchView {
            total,
            sent: 0,
            success: 0,
            other: 0,
            failed: 0,
            cancelled: false,
            deliveries: Vec::new(),
            skipped: Vec::new(),
        };
        for (done, id) in ids.into_iter().enumerate() {
            if cancel.is_cancelled() {
                batch.cancelled = true;
                break;
            }
            let sent = match self.capture(id).await {
                Ok(capture) => self.send_one(&capture, &req.target, &RequestEdits::default(), &cancel).await,
                Err(e) => Err(e),
            };
            let last = match sent {
                Ok(view) => {
                    let s = view.summary;
                    batch.sent += 1;
                    match s.status {
                        Some(200..=299) => batch.success += 1,
                        Some(_) => batch.other += 1,
                        None => batch.failed += 1,
                    }
                    if s.error_code == Some(sender::SendFailure::Cancelled) {
                        batch.cancelled = true;
                    }
                    batch.deliveries.push(s.clone());
                    Some(s)
                }
                // This capture cannot go (deleted, no stored body, cannot be re-signed): the
                // rest of the batch still does.
                Err(e) if matches!(
                    e.code(),
                    crate::ErrorCode::NotFound
                        | crate::ErrorCode::InvalidInput
                        | crate::ErrorCode::NoScheme
                        | crate::ErrorCode::NoSecret
                        | crate::ErrorCode::CannotSign
                ) =>
                {
                    batch.failed += 1;
                    batch.skipped.push(format!("capture {id}: {e}"));
                    None
                }
                Err(e) => return Err(e),
            };
            let _ = self.inner.events.send(Event::ReplayProgress(ReplayProgressView {
                token: req.token.clone(),
                done: done as u32 + 1,
                total,
                last,
            }));
            if batch.cancelled {
                break;
            }
        }
        Ok(batch)
    }

    /// Cancels the replay or batch started with `token`; false when none runs under it.
    pub fn cancel_replay(&self, token: &str) -> bool {
        match self.inner.replays.0.lock().unwrap().get(token) {
            Some(c) => {
                c.cancel();
                true
            }
            None => false,
        }
    }

    /// Attempts, newest first.
    pub async fn list_deliveries(&self, req: ListDeliveriesReq) -> Result<DeliveryPage> {
        let outcomes = match req.filter.unwrap_or(DeliveryFilter::All) {
            DeliveryFilter::All => Outcomes::All,
            DeliveryFilter::Success => Outcomes::Success,
            DeliveryFilter::Other => Outcomes::Other,
            DeliveryFilter::Failed => Outcomes::Failed,
        };
        self.blocking(move |i| {
            let (items, next_before) =
                i.store.with(|c| deliveries::page(c, req.capture_id, outcomes, req.limit, req.before))?;
            Ok(DeliveryPage { items: items.iter().map(Into::into).collect(), next_before })
        })
        .await
    }

    /// One attempt in full (request as sent, response).
    pub async fn delivery(&self, id: i64) -> Result<DeliveryView> {
        self.blocking(move |i| {
            i.store
                .with(|c| deliveries::get(c, id))?
                .map(|d| DeliveryView::from(&d))
                .ok_or_else(|| Error::NotFound(format!("no delivery attempt with id {id}")))
        })
        .await
    }

    /// Attempts in full, newest first (`hookloupe deliveries --json`).
    pub async fn deliveries_full(&self, req: ListDeliveriesReq) -> Result<Vec<DeliveryView>> {
        let page = self.list_deliveries(req).await?;
        self.blocking(move |i| {
            page.items
                .iter()
                .filter_map(|s| i.store.with(|c| deliveries::get(c, s.id)).transpose())
                .map(|d| d.map(|d| DeliveryView::from(&d)))
                .collect()
        })
        .await
    }

    /// The saved draft of a capture, if any.
    pub async fn draft(&self, capture_id: CaptureId) -> Result<Option<ReplayDraft>> {
        self.blocking(move |i| {
            let Some((json, saved_at_us)) = i.store.with(|c| drafts::get(c, capture_id))? else {
                return Ok(None);
            };
            // A draft this version cannot read is dropped rather than blocking the editor.
            Ok(serde_json::from_str::<ReplayDraft>(&json).ok().map(|mut d| {
                d.saved_at = rfc3339_us(saved_at_us);
                d
            }))
        })
        .await
    }

    /// Saves (replaces) the draft of a capture that exists.
    pub async fn save_draft(&self, draft: ReplayDraft) -> Result<ReplayDraft> {
        self.capture(draft.capture_id).await?;
        edits_of(&draft.edits)?;
        self.blocking(move |i| {
            let at = now_us();
            let mut d = draft;
            d.saved_at = rfc3339_us(at);
            let json = serde_json::to_string(&d).map_err(|e| Error::Internal(format!("cannot encode the draft: {e}")))?;
            i.store.with(|c| drafts::set(c, d.capture_id, &json, at))?;
            Ok(d)
        })
        .await
    }

    pub async fn discard_draft(&self, capture_id: CaptureId) -> Result<()> {
        self.blocking(move |i| i.store.with(|c| drafts::delete(c, capture_id)).map(|_| ())).await
    }

    fn register_replay(&self, token: Option<String>, cancel: &CancellationToken) -> JobGuard<'_> {
        if let Some(t) = &token {
            self.inner.replays.0.lock().unwrap().insert(t.clone(), cancel.clone());
        }
        JobGuard { jobs: &self.inner.replays, token }
    }

    /// Builds the request at this moment, sends it, stores and announces the attempt.
    async fn send_one(
        &self,
        capture: &Capture,
        target: &ReplayTarget,
        edits: &RequestEdits,
        cancel: &CancellationToken,
    ) -> Result<DeliveryView> {
        let started_at_us = now_us();
        let p = self.prepare(capture, target, edits, started_at_us)?;
        let opts = SendOptions { timeout: p.timeout, insecure: p.insecure, max_body: self.inner.config.body_limit };
        let attempt = sender::send(&p.outgoing, &opts, cancel).await;
        let record = attempt_record(capture.id, "replay", started_at_us, p.outgoing, p.resigned, p.insecure, attempt, None);
        let view = self
            .blocking(move |i| {
                let mut record = record;
                record.head.id = i.store.with(|c| deliveries::insert(c, &record))?;
                Ok(DeliveryView::from(&record))
            })
            .await?;
        let _ = self.inner.events.send(Event::Delivered(view.summary.clone()));
        Ok(view)
    }

    /// The request that goes out for `capture` at `now_us`, and the preview of it.
    fn prepare(&self, capture: &Capture, target: &ReplayTarget, edits: &RequestEdits, now_us: i64) -> Result<Prepared> {
        let timeout = timeout_of(target)?;
        let d = &capture.data;
        let destination =
            forward::destination(&target.url, target.keep_path, &d.path, &d.query).map_err(|e| Error::InvalidInput(e.0))?;
        let src = Source { method: &d.method, path: &d.path, query: &d.query, headers: &d.headers, body: &d.body };
        if d.body_over_limit && edits.body.is_none() && edits.body_b64.is_none() {
            return Err(Error::InvalidInput(format!(
                "capture {} has no stored body (it was over the size limit), so it cannot be replayed as captured; give a body",
                capture.id
            )));
        }
        let mut outgoing = forward::build(&src, &edits_of(edits)?, destination).map_err(|e| Error::InvalidInput(e.0))?;
        let settings = self.inner.signatures.table.read().unwrap().get(&d.endpoint).cloned().unwrap_or_default();
        let resignable = resign_config(&settings, &d.endpoint);
        let now = now_us.div_euclid(1_000_000);
        let mut signature_headers = Vec::new();
        if target.resign {
            let (cfg, indices) = resignable.as_ref().map_err(Error::replicate)?;
            let shown = target.secret_index.unwrap_or(indices.first().copied().unwrap_or(0));
            let secret_index = indices.iter().position(|i| *i == shown).ok_or_else(|| {
                Error::InvalidInput(format!(
                    "endpoint {:?} has no readable secret #{shown} (secrets: {})",
                    d.endpoint,
                    indices.iter().map(|i| format!("#{i}")).collect::<Vec<_>>().join(", ")
                ))
            })?;
            let opts = ResignOptions { secret_index, message_id: target.new_message_id.then(new_message_id) };
            signature_headers = forward::resign(&mut outgoing, cfg, &opts, now)?;
        }
        let was_valid = capture.signature.verdict.as_ref().is_some_and(|v| v.is_valid());
        let cfg = settings.scheme_config().map(|(c, _)| c);
        let warnings = forward::warnings(&outgoing, cfg.as_ref(), was_valid, target.resign, target.insecure, now);
        let text_headers = outgoing.headers.to_text_pairs();
        let curl = crate::curl::command(&outgoing.method, &outgoing.url(), &text_headers, &outgoing.body);
        use base64::Engine as _;
        let preview = ReplayPreview {
            request: OutgoingView {
                method: outgoing.method.clone(),
                url: outgoing.url(),
                headers: text_headers,
                body_b64: base64::engine::general_purpose::STANDARD.encode(&outgoing.body),
                body_size: outgoing.body.len() as u64,
            },
            signature_headers,
            resigned: target.resign,
            scheme: settings.scheme,
            can_resign: resignable.is_ok(),
            cannot_resign_reason: resignable.as_ref().err().map(|e| e.to_string()),
            warnings,
            curl,
        };
        Ok(Prepared { outgoing, resigned: target.resign, preview, timeout, insecure: target.insecure })
    }
}
