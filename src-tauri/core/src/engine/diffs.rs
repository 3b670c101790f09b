//! Engine methods of the payload diff: compare two sides (stored captures, the request a
//! delivery attempt sent, the response it got) on the blocking pool, cancellably; suggest partners for a capture; read
//! and save per-endpoint ignore rules; fill event keys of captures stored before they existed.
//! The comparison itself is the pure [`crate::diff`]; this module loads sides, resolves rules
//! and tracks running diffs. It must not format output for a host.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use super::{Engine, Inner};
use crate::diff::{self, DiffOptions, Side};
use crate::error::{Error, Result};
use crate::ipc::{
    AppliedRules, CaptureSummary, DiffCapturesReq, DiffPartnerView, DiffRulesView, DiffSideRef, DiffSideView,
    DiffView, PartnerReason,
};
use crate::model::{Capture, CaptureId, EventKeys};
use crate::store::diff_rules::{self, DiffRules};
use crate::store::deliveries::{self, Delivery};
use crate::store::{captures, Store};

/// Most duplicate deliveries suggested as partners.
const MAX_DUPLICATE_PARTNERS: u32 = 20;
/// Rows per transaction when filling event keys of old captures.
const BACKFILL_BATCH: u32 = 500;

/// Cancel flags of the diffs running now, by the caller's token.
#[derive(Default)]
pub(super) struct DiffJobs(Mutex<HashMap<String, Arc<AtomicBool>>>);

/// Removes a job's token when the diff ends, and raises its flag if the caller went away.
struct JobGuard<'a> {
    jobs: &'a DiffJobs,
    token: Option<String>,
    flag: Arc<AtomicBool>,
}

impl Drop for JobGuard<'_> {
    fn drop(&mut self) {
        self.flag.store(true, Ordering::Relaxed);
        if let Some(t) = &self.token {
            if let Ok(mut map) = self.jobs.0.lock() {
                if map.get(t).is_some_and(|f| Arc::ptr_eq(f, &self.flag)) {
                    map.remove(t);
                }
            }
        }
    }
}

/// A side loaded into memory: owns what `diff::Side` borrows.
struct LoadedSide {
    view: DiffSideView,
    endpoint: String,
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    content_type: Option<String>,
    verdict: Option<String>,
}

impl LoadedSide {
    fn from_capture(c: &Capture) -> LoadedSide {
        let d = &c.data;
        LoadedSide {
            view: DiffSideView {
                kind: "capture".into(),
                label: format!("#{} {} {}", c.id, d.method, d.path),
                capture: Some(CaptureSummary::from(c)),
            },
            endpoint: d.endpoint.clone(),
            method: d.method.clone(),
            path: d.path.clone(),
            query: d.query.clone(),
            headers: d.headers.to_text_pairs(),
            body: d.body.clone(),
            content_type: d.content_type.clone(),
            // Compared as metadata, e.g. `valid` → `invalid (bad_signature)`.
            verdict: c.signature.verdict.as_ref().map(|v| {
                let word = |x: serde_json::Value| x.as_str().map(str::to_owned).unwrap_or_default();
                let (status, reason) = (
                    word(serde_json::to_value(v.status).unwrap_or_default()),
                    word(serde_json::to_value(v.reason).unwrap_or_default()),
                );
                if reason == "ok" { status } else { format!("{status} ({reason})") }
            }),
        }
    }

    /// The request a delivery attempt wrote, as a side (compared with its original capture).
    fn from_delivery_request(d: &Delivery, endpoint: String) -> LoadedSide {
        let (path, query) = split_target(&d.head.url);
        LoadedSide {
            view: DiffSideView {
                kind: "delivery_request".into(),
                label: format!("attempt #{} {} {}", d.head.id, d.head.method, d.head.url),
                capture: None,
            },
            endpoint,
            method: d.head.method.clone(),
            path,
            query,
            headers: d.request_headers.to_text_pairs(),
            body: d.request_body.clone(),
            content_type: d.request_headers.get("content-type"),
            verdict: None,
        }
    }

    /// The response a delivery attempt got; the status line stands where a request's method
    /// and path would (`HTTP 404 Not Found`), a failure where the status would be.
    fn from_delivery_response(d: &Delivery, endpoint: String) -> LoadedSide {
        let h = &d.head;
        let status = match (h.status, &h.error_code) {
            (Some(s), _) => format!("HTTP {s} {}", h.reason.clone().unwrap_or_default()).trim_end().to_string(),
            (None, Some(code)) => format!("failed: {code}"),
            (None, None) => "no answer".into(),
        };
        let headers = d.response_headers.as_ref().map(|h| h.to_text_pairs()).unwrap_or_default();
        LoadedSide {
            view: DiffSideView {
                kind: "delivery_response".into(),
                label: format!("response of attempt #{} ({status})", h.id),
                capture: None,
            },
            endpoint,
            method: status,
            path: String::new(),
            query: String::new(),
            content_type: d.response_headers.as_ref().and_then(|h| h.get("content-type")),
            headers,
            body: d.response_body.clone().unwrap_or_default(),
            verdict: None,
        }
    }

    fn side(&self) -> Side<'_> {
        Side {
            method: &self.method,
            path: &self.path,
            query: &self.query,
            headers: &self.headers,
            body: &self.body,
            content_type: self.content_type.as_deref(),
            verdict: self.verdict.as_deref(),
        }
    }
}

impl Engine {
    /// Compares two sides on the blocking pool. With `req.token`, [`Engine::cancel_diff`] stops
    /// it (error code `cancelled`); dropping the returned future stops it too.
    pub async fn diff_captures(&self, req: DiffCapturesReq) -> Result<DiffView> {
        for p in &req.ignore_paths {
            diff::validate_ignore_path(p)?;
        }
        let flag = Arc::new(AtomicBool::new(false));
        if let Some(t) = &req.token {
            self.inner.diffs.0.lock().unwrap().insert(t.clone(), flag.clone());
        }
        let inner = self.inner.clone();
        let guard_flag = flag.clone();
        let token = req.token.clone();
        // The guard lives in the async caller, so a dropped future raises the flag.
        let _guard = JobGuard { jobs: &self.inner.diffs, token, flag: guard_flag };
        tokio::task::spawn_blocking(move || run_diff(&inner, &req, &flag))
            .await
            .map_err(|e| Error::Internal(format!("diff task failed: {e}")))?
    }

    /// Stops the running diff started with `token`; false when none runs under it.
    pub fn cancel_diff(&self, token: &str) -> bool {
        match self.inner.diffs.0.lock().unwrap().get(token) {
            Some(flag) => {
                flag.store(true, Ordering::Relaxed);
                true
            }
            None => false,
        }
    }

    /// Captures worth comparing with `id`: other deliveries of the same event id (duplicates,
    /// oldest first), then the previous capture of the same event type on the same endpoint
    /// (or, with no known type, the previous one with the same method and path).
    pub async fn diff_partners(&self, id: CaptureId) -> Result<Vec<DiffPartnerView>> {
        self.blocking(move |i| {
            let c = i
                .store
                .with(|c| captures::get(c, id))?
                .ok_or_else(|| Error::NotFound(format!("no capture with id {id}")))?;
            let d = &c.data;
            let mut out = Vec::new();
            if let Some(event_id) = &d.event.id {
                let dups =
                    i.store.with(|c| captures::same_event_id(c, &d.endpoint, event_id, id, MAX_DUPLICATE_PARTNERS))?;
                out.extend(dups.into_iter().map(|h| DiffPartnerView { reason: PartnerReason::Duplicate, capture: h.into() }));
            }
            let previous = match &d.event.event_type {
                Some(t) => i
                    .store
                    .with(|c| captures::previous_of_type(c, &d.endpoint, t, id))?
                    .map(|s| (PartnerReason::PreviousSameType, CaptureSummary::from(s))),
                None => i
                    .store
                    .with(|c| captures::previous_same_route(c, &d.endpoint, &d.method, &d.path, id))?
                    .map(|s| (PartnerReason::PreviousSameRoute, CaptureSummary::from(s))),
            };
            if let Some((reason, capture)) = previous {
                if !out.iter().any(|p| p.capture.id == capture.id) {
                    out.push(DiffPartnerView { reason, capture });
                }
            }
            Ok(out)
        })
        .await
    }

    /// The ignore rules of `endpoint`: saved ones, else the defaults of its provider scheme.
    pub async fn diff_rules(&self, endpoint: String) -> Result<DiffRulesView> {
        self.blocking(move |i| rules_view(&i.store, &endpoint)).await
    }

    /// Saves ignore rules for an endpoint (patterns are validated first).
    pub async fn save_diff_rules(&self, view: DiffRulesView) -> Result<DiffRulesView> {
        for p in &view.ignore_paths {
            diff::validate_ignore_path(p)?;
        }
        let clean = |v: &[String]| -> Vec<String> {
            v.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
        };
        let rules = DiffRules {
            ignore_paths: clean(&view.ignore_paths),
            ignore_headers: clean(&view.ignore_headers),
            array_key: view.array_key.as_deref().map(str::trim).filter(|k| !k.is_empty()).map(str::to_string),
        };
        self.blocking(move |i| {
            i.store.with(|c| diff_rules::set(c, &view.endpoint, &rules))?;
            rules_view(&i.store, &view.endpoint)
        })
        .await
    }

    /// Forgets the saved rules of an endpoint; its scheme's defaults apply again.
    pub async fn reset_diff_rules(&self, endpoint: String) -> Result<DiffRulesView> {
        self.blocking(move |i| {
            i.store.with(|c| diff_rules::reset(c, &endpoint))?;
            rules_view(&i.store, &endpoint)
        })
        .await
    }
}

impl Inner {
    /// Computes event keys and duplicate flags of captures stored before they existed.
    pub(super) fn backfill_event_keys(&self) -> Result<usize> {
        self.store.with(|c| captures::backfill_event_keys(c, BACKFILL_BATCH, EventKeys::of))
    }
}

fn load(store: &Store, side: &DiffSideRef) -> Result<LoadedSide> {
    match side {
        DiffSideRef::Capture { id } => {
            let id = *id;
            let c = store
                .with(|c| captures::get(c, id))?
                .ok_or_else(|| Error::NotFound(format!("no capture with id {id}")))?;
            Ok(LoadedSide::from_capture(&c))
        }
        DiffSideRef::DeliveryRequest { id } | DiffSideRef::DeliveryResponse { id } => {
            let id = *id;
            let d = store
                .with(|c| deliveries::get(c, id))?
                .ok_or_else(|| Error::NotFound(format!("no delivery attempt with id {id}")))?;
            let endpoint = store.with(|c| captures::get(c, d.head.capture_id))?.map(|c| c.data.endpoint).unwrap_or_default();
            Ok(if matches!(side, DiffSideRef::DeliveryRequest { .. }) {
                LoadedSide::from_delivery_request(&d, endpoint)
            } else {
                LoadedSide::from_delivery_response(&d, endpoint)
            })
        }
    }
}

/// Saved rules, else the defaults of the scheme guessed from the endpoint's latest capture.
fn endpoint_rules(store: &Store, endpoint: &str, fallback_headers: Option<&[(String, String)]>) -> Result<DiffRulesView> {
    if let Some(r) = store.with(|c| diff_rules::get(c, endpoint))? {
        let scheme = guess_scheme(store, endpoint, fallback_headers)?;
        return Ok(DiffRulesView {
            endpoint: endpoint.to_string(),
            scheme,
            is_default: false,
            ignore_paths: r.ignore_paths,
            ignore_headers: r.ignore_headers,
            array_key: r.array_key,
        });
    }
    let scheme = guess_scheme(store, endpoint, fallback_headers)?;
    let (ignore_paths, ignore_headers) = diff::default_ignores(&scheme);
    Ok(DiffRulesView { endpoint: endpoint.to_string(), scheme, is_default: true, ignore_paths, ignore_headers, array_key: None })
}

fn rules_view(store: &Store, endpoint: &str) -> Result<DiffRulesView> {
    endpoint_rules(store, endpoint, None)
}

// Until endpoints carry a configured signature scheme, the scheme is guessed from headers.
fn guess_scheme(store: &Store, endpoint: &str, headers: Option<&[(String, String)]>) -> Result<String> {
    if let Some(h) = headers {
        return Ok(diff::detect_scheme(h).to_string());
    }
    let latest = store.with(|c| captures::latest_on_endpoint(c, endpoint))?;
    Ok(latest.map_or("generic", |c| diff::detect_scheme(&c.data.headers.to_text_pairs())).to_string())
}

fn run_diff(inner: &Inner, req: &DiffCapturesReq, flag: &AtomicBool) -> Result<DiffView> {
    let cancel = || flag.load(Ordering::Relaxed);
    let a = load(&inner.store, &req.a)?;
    if cancel() {
        return Err(Error::Cancelled("the diff was cancelled".into()));
    }
    let b = load(&inner.store, &req.b)?;
    let mut rules = AppliedRules::default();
    if req.use_endpoint_rules {
        let mut seen: Vec<&str> = Vec::new();
        for s in [&a, &b] {
            if seen.contains(&s.endpoint.as_str()) {
                continue;
            }
            seen.push(&s.endpoint);
            let r = endpoint_rules(&inner.store, &s.endpoint, Some(&s.headers))?;
            merge(&mut rules.ignore_paths, r.ignore_paths);
            merge(&mut rules.ignore_headers, r.ignore_headers);
            if rules.array_key.is_none() {
                rules.array_key = r.array_key;
            }
        }
    }
    merge(&mut rules.ignore_paths, req.ignore_paths.clone());
    merge(&mut rules.ignore_headers, req.ignore_headers.clone());
    if let Some(k) = req.array_key.as_deref().map(str::trim) {
        rules.array_key = (!k.is_empty()).then(|| k.to_string());
    }
    let opts = DiffOptions {
        ignore_paths: rules.ignore_paths.clone(),
        ignore_headers: rules.ignore_headers.clone(),
        show_ignored: req.show_ignored,
        array_key: rules.array_key.clone(),
        context: req.context.map_or(3, |c| c as usize),
    };
    let diff = diff::diff(&a.side(), &b.side(), &opts, &cancel)?;
    Ok(DiffView { a: a.view, b: b.view, rules, diff })
}

/// Path and query of a stored URL (`http://h/a?b` → `/a`, `b`).
fn split_target(url: &str) -> (String, String) {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let target = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target.to_string(), String::new()),
    }
}

fn merge(into: &mut Vec<String>, more: Vec<String>) {
    for m in more {
        if !into.contains(&m) {
            into.push(m);
        }
    }
}
