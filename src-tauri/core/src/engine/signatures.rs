//! The signature capability of the engine: per-endpoint scheme, secrets and options; the
//! verdict computed for each capture before it is stored (the receiver calls [`judge`] with the
//! capture's own receive time as `now`); re-evaluation of stored captures in the background
//! when an endpoint's settings change (then [`Event::VerdictsChanged`]); `verify` and `sign`
//! of a request given in the capture shape, for the CLI.
//! Verification itself is the pure [`crate::signature`] module; this one only feeds it stored
//! data. It must not speak SQL (that is `store::signatures`) nor log or return secrets in clear.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, RwLock};

use base64::Engine as _;

use super::{Engine, Inner};
use crate::error::{Error, Result};
use crate::event::Event;
use crate::ipc::{EndpointView, RequestInput, SecretEdit, SetEndpointSignatureReq};
use crate::model::{CaptureId, CaptureSignature, Endpoint, EndpointSignature, NewCapture, StoredSecret};
use crate::receiver::Judgement;
use crate::signature::cert_url::Certificates;
use crate::signature::{
    self, OwnedRequest, SchemeConfig, SchemeId, SchemeInfo, Secret, SignExtra, Verdict,
    VerdictStatus,
};
use crate::store::{captures, signatures as sig_store};

/// Every endpoint's signature settings, swapped whole when they change.
pub(crate) type SignatureTable = Arc<RwLock<Arc<BTreeMap<String, EndpointSignature>>>>;

/// Captures re-evaluated per store round trip.
const REEVALUATE_BATCH: u32 = 100;

/// The engine's signature state (held by `Inner`).
#[derive(Default)]
pub(crate) struct SignatureState {
    pub(crate) table: SignatureTable,
    /// Background re-evaluations still running (awaited by [`Engine::settle`]).
    jobs: Mutex<Vec<tokio::task::JoinHandle<()>>>,
    /// Bumped per endpoint at each settings change; a re-evaluation stops when it is outdated.
    generations: Mutex<HashMap<String, u64>>,
    /// Signing certificates published at URLs (Amazon SNS, PayPal), for judging.
    pub(crate) certs: Arc<super::certs::CertStore>,
}

/// Judges one capture against the settings table: the endpoint's scheme (with the other
/// endpoints' secrets for the "signed with another endpoint's secret" hint) or, without a
/// scheme, the provider guessed from the request. Pure: `now` is the capture's receive time.
pub(crate) fn judge(table: &BTreeMap<String, EndpointSignature>, certs: &dyn Certificates, c: &NewCapture) -> CaptureSignature {
    judge_full(table, certs, c).signature
}

/// [`judge`], and when the capture is its provider's handshake (a verification request sent
/// before deliveries), the reply the protocol asks for; the verdict then says so. Only an
/// endpoint with a scheme answers one: a guess is not enough to override its response rule.
/// `certs`: the signing certificates known so far (a scheme that needs one it lacks says so).
pub(crate) fn judge_full(table: &BTreeMap<String, EndpointSignature>, certs: &dyn Certificates, c: &NewCapture) -> Judgement {
    if c.body_over_limit {
        return Judgement::default();
    }
    let now = c.received_at_us.div_euclid(1_000_000);
    let endpoint = table.get(&c.endpoint);
    c.with_signature_request(|req| match endpoint.and_then(EndpointSignature::scheme_config) {
        Some((cfg, indices)) => {
            let others: Vec<(String, Secret)> = table
                .iter()
                .filter(|(name, _)| **name != c.endpoint)
                .flat_map(|(name, s)| s.readable_secrets().map(move |k| (name.clone(), k.clone())))
                .collect();
            let mut verdict = signature::verify_with_certificates(&cfg, req, now, &others, certs);
            // Before the renumbering below: the handshake picks its HMAC key by the verdict's
            // index into `cfg`'s own secrets.
            let handshake = signature::handshake::answer(&cfg, req, &verdict);
            if let Some(h) = &handshake {
                verdict.explanation = format!("{} {}", verdict.explanation, h.note);
            }
            // Back to the endpoint's own numbering (unreadable secrets were left out).
            let total = endpoint.map_or(0, |e| e.secrets.len());
            if let Some(i) = verdict.matched_secret_index.filter(|_| indices.len() != total) {
                let own = indices.get(i as usize).copied().unwrap_or(i);
                let (n, k) = (indices.len(), i as usize + 1);
                let said = if n <= 1 { "the configured secret".to_owned() } else { format!("secret {k} of {n}") };
                verdict.explanation =
                    verdict.explanation.replacen(&said, &format!("secret {} of {total}", own + 1), 1);
                verdict.matched_secret_index = Some(own);
            }
            if let Some(note) = endpoint.and_then(unreadable_note) {
                if verdict.status != VerdictStatus::Valid {
                    verdict.explanation = format!("{} {note}", verdict.explanation);
                }
            }
            Judgement {
                signature: CaptureSignature { verdict: Some(verdict), detected: None },
                handshake: handshake.and_then(|h| h.reply),
            }
        }
        None => {
            let best = signature::detect(req).into_iter().next();
            let detected = best.as_ref().map(|d| d.scheme);
            // A recognised signature with no secret to check it: amber "no secret" (a catalog
            // provider is checked with its own preset, so its verdict names it).
            let verdict = best
                .map(|d| match d.provider.as_deref().and_then(signature::provider::find) {
                    Some(p) => p.config(),
                    None => SchemeConfig { scheme: d.scheme, secrets: vec![], options: BTreeMap::new() },
                })
                .map(|cfg| signature::verify(&cfg, req, now))
                // A missing certificate is not "no secret": configuring the endpoint (then the
                // certificate is fetched) is the next step, which the detection offers.
                .filter(|v| v.status == VerdictStatus::NoSecret && v.reason != signature::ReasonCode::CertificateUnavailable);
            Judgement { signature: CaptureSignature { verdict, detected }, handshake: None }
        }
    })
}

/// Endpoints with a keyring secret that could not be read in `before` and can in `after`.
pub(crate) fn readable_again(
    before: &BTreeMap<String, EndpointSignature>,
    after: &BTreeMap<String, EndpointSignature>,
) -> Vec<String> {
    after
        .iter()
        .filter(|(name, sig)| {
            let Some(old) = before.get(*name) else { return false };
            sig.secrets.iter().any(|s| {
                s.value.is_some() && old.secrets.iter().any(|o| o.home == s.home && o.value.is_none())
            })
        })
        .map(|(name, _)| name.clone())
        .collect()
}

/// "Secret #1 was not tried: it is kept in the OS keyring and cannot be read: …" (numbered as
/// the secrets are listed, from #0), for verdicts that are not valid.
fn unreadable_note(sig: &EndpointSignature) -> Option<String> {
    let notes: Vec<String> = sig
        .secrets
        .iter()
        .enumerate()
        .filter(|(_, s)| s.value.is_none())
        .map(|(i, s)| {
            format!("Secret #{i} was not tried: it is kept in the OS keyring and {}.", s.problem.as_deref().unwrap_or("cannot be read"))
        })
        .collect();
    (!notes.is_empty()).then(|| notes.join(" "))
}

impl SignatureState {
    /// A judge for the receiver over this table (always the current settings).
    pub(crate) fn judge_fn(&self) -> crate::receiver::Judge {
        let table = self.table.clone();
        let certs = self.certs.clone();
        Arc::new(move |c: &NewCapture| {
            let current = table.read().map(|t| t.clone()).unwrap_or_default();
            judge_full(&current, &*certs, c)
        })
    }
}

impl Inner {
    /// Loads the signature settings from the store; true when they changed.
    pub(super) fn reload_signatures(&self) -> Result<bool> {
        let mut all = self.store.with(|c| sig_store::all(c))?;
        for secret in all.values_mut().flat_map(|s| s.secrets.iter_mut()) {
            self.vault.read(secret);
        }
        let mut slot = self.signatures.table.write().unwrap();
        if **slot == all {
            return Ok(false);
        }
        *slot = Arc::new(all);
        Ok(true)
    }

    /// An endpoint's view with its signature settings (secrets masked).
    pub(super) fn endpoint_view(&self, e: &Endpoint) -> EndpointView {
        let mut view = EndpointView::from(e);
        let table = self.signatures.table.read().unwrap().clone();
        view.signature = Some(table.get(&e.name).map(Into::into).unwrap_or_default());
        view
    }

    fn table(&self) -> Arc<BTreeMap<String, EndpointSignature>> {
        self.signatures.table.read().unwrap().clone()
    }

    /// A new settings generation for `endpoint` (outdating running re-evaluations); returns it.
    pub(super) fn bump_signature_generation(&self, endpoint: &str) -> u64 {
        let mut generations = self.signatures.generations.lock().unwrap();
        let g = generations.entry(endpoint.to_owned()).or_insert(0);
        *g += 1;
        *g
    }

    fn generation(&self, endpoint: &str) -> u64 {
        self.signatures.generations.lock().unwrap().get(endpoint).copied().unwrap_or(0)
    }

    /// Recomputes the verdicts of `endpoint`'s stored captures, newest first; stops early when
    /// the settings change again (a newer re-evaluation takes over). Returns how many changed.
    pub(super) fn reevaluate(&self, endpoint: &str, generation: u64) -> Result<usize> {
        let mut before = CaptureId::MAX;
        let mut changed = 0;
        loop {
            if self.generation(endpoint) != generation {
                break;
            }
            let ids = self.store.with(|c| captures::ids_of_endpoint(c, endpoint, before, REEVALUATE_BATCH))?;
            let Some(last) = ids.last() else { break };
            before = *last;
            let table = self.table();
            let mut updates = Vec::new();
            for id in ids {
                if let Some(cap) = self.store.with(|c| captures::get(c, id))? {
                    let sig = judge(&table, &*self.signatures.certs, &cap.data);
                    if sig != cap.signature {
                        updates.push((id, sig));
                    }
                }
            }
            changed += updates.len();
            self.store.with(|c| {
                let tx = c.transaction()?;
                for (id, sig) in &updates {
                    captures::set_signature(&tx, *id, sig)?;
                }
                tx.commit()
            })?;
        }
        let _ = self.events.send(Event::VerdictsChanged { endpoint: endpoint.to_owned() });
        Ok(changed)
    }
}

impl Engine {
    /// Scheme descriptions (names, secret kind, options with labels and help) for forms.
    pub fn catalog(&self) -> Vec<SchemeInfo> {
        signature::catalog()
    }

    /// An endpoint's signature settings written as a provider description (the catalog's TOML
    /// format, no secrets), to share or to propose for the catalog.
    pub async fn describe_signature(&self, endpoint: &str, id: Option<String>, name: Option<String>) -> Result<String> {
        let view = self
            .list_endpoints()
            .await?
            .into_iter()
            .find(|e| e.name == endpoint)
            .ok_or_else(|| Error::NotFound(format!("no endpoint named {endpoint:?}")))?;
        let sig = view.signature.unwrap_or_default();
        let Some(scheme) = sig.scheme else {
            return Err(Error::InvalidInput(format!("endpoint {endpoint:?} has no signature scheme to describe")));
        };
        let cfg = signature::SchemeConfig { scheme, secrets: vec![], options: sig.options };
        signature::provider::describe(&cfg, id.as_deref(), name.as_deref()).map_err(Error::InvalidInput)
    }

    /// Reads a provider description into the settings that configure an endpoint as it (apply
    /// them with [`Engine::set_endpoint_signature`]); the options are checked as a save would.
    pub fn read_provider_description(text: &str) -> Result<signature::ProviderInfo> {
        let (def, cfg) = signature::provider::read_description(text)
            .map_err(|e| Error::InvalidInput(format!("this is not a provider description: {e}")))?;
        check_options(cfg.scheme, &cfg.options)?;
        let base = signature::catalog().into_iter().find(|s| s.id == cfg.scheme);
        Ok(signature::ProviderInfo {
            id: def.id,
            name: def.name,
            scheme: cfg.scheme,
            options: cfg.options,
            secret_kind: def.secret_kind.or(base.as_ref().map(|b| b.secret_kind)).unwrap_or(signature::SecretKind::HmacKey),
            secret_help: def.secret_help,
            signs: def.signs,
            can_sign: base.is_some_and(|b| b.can_sign),
            docs: def.docs,
            builtin: false,
        })
    }

    /// The provider catalog: built-in schemes and data providers, with each provider's preset.
    pub fn providers(&self) -> Vec<signature::ProviderInfo> {
        signature::providers()
    }

    /// Sets an endpoint's scheme, secrets (`None` keeps them) and options, then re-evaluates
    /// its stored captures in the background ([`Event::VerdictsChanged`] when done; the CLI
    /// waits with [`Engine::settle`]).
    pub async fn set_endpoint_signature(&self, req: SetEndpointSignatureReq) -> Result<EndpointView> {
        let options: BTreeMap<String, String> = req
            .options
            .into_iter()
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .filter(|(k, v)| !k.is_empty() && !v.is_empty())
            .collect();
        if let Some(scheme) = req.scheme {
            check_options(scheme, &options)?;
        }
        let name = req.endpoint.clone();
        let view = self
            .blocking(move |i| {
                let endpoint = i
                    .store
                    .with(|c| crate::store::endpoints::list(c))?
                    .into_iter()
                    .find(|e| e.name == req.endpoint)
                    .ok_or_else(|| Error::NotFound(format!("no endpoint named {:?}", req.endpoint)))?;
                let secrets = match req.secrets {
                    None => None,
                    Some(edits) => {
                        // `Keep(i)` means the secret #i the user sees: read the latest list (another
                        // process may have changed it since the last periodic reload).
                        i.reload_signatures()?;
                        let current = i.table().get(&req.endpoint).map(|s| s.secrets.clone()).unwrap_or_default();
                        let label = super::secrets::endpoint_secret_label(&req.endpoint);
                        Some(resolve_secrets(&current, edits, |s| i.vault.place(&label, s))?)
                    }
                };
                let placed: Vec<_> = secrets.iter().flatten().filter(|s| s.value.is_some()).cloned().collect();
                let saved = i.store.with(|c| sig_store::set(c, &req.endpoint, req.scheme, &options, secrets.as_deref()));
                let failed = match saved {
                    Ok(Some(unused)) => {
                        i.discard(&unused);
                        None
                    }
                    Ok(None) => Some(Error::NotFound(format!("endpoint {:?} was removed meanwhile", req.endpoint))),
                    Err(e) => Some(e),
                };
                if let Some(e) = failed {
                    // Nothing refers to the new keyring entries: remove them (kept ones stay).
                    let kept: Vec<_> = i.table().get(&req.endpoint).map(|s| s.secrets.clone()).unwrap_or_default();
                    let fresh: Vec<_> = placed.into_iter().filter(|p| !kept.iter().any(|k| k.home == p.home)).collect();
                    i.discard_placed(&fresh);
                    return Err(e);
                }
                i.reload_signatures()?;
                i.bump_signature_generation(&req.endpoint);
                let _ = i.events.send(Event::EndpointsChanged);
                Ok(i.endpoint_view(&endpoint))
            })
            .await?;
        let inner = self.inner.clone();
        let generation = inner.generation(&name);
        let job = tokio::task::spawn_blocking(move || {
            if let Err(e) = inner.reevaluate(&name, generation) {
                tracing::warn!("re-evaluating the signatures of endpoint {name} failed: {e}");
            }
        });
        let mut jobs = self.inner.signatures.jobs.lock().unwrap();
        jobs.retain(|j| !j.is_finished());
        jobs.push(job);
        Ok(view)
    }

    /// Waits for background re-evaluations to finish.
    pub async fn settle(&self) {
        loop {
            let jobs: Vec<_> = std::mem::take(&mut *self.inner.signatures.jobs.lock().unwrap());
            if jobs.is_empty() {
                return;
            }
            for j in jobs {
                let _ = j.await;
            }
        }
    }

    /// Re-checks one stored capture with its endpoint's current settings (at the time it was
    /// received), stores the new verdict and returns it.
    pub async fn verify_capture(&self, id: CaptureId) -> Result<Verdict> {
        let verdict = self.blocking(move |i| {
            let cap = i
                .store
                .with(|c| captures::get(c, id))?
                .ok_or_else(|| Error::NotFound(format!("no capture with id {id}")))?;
            let sig = judge(&i.table(), &*i.signatures.certs, &cap.data);
            if sig != cap.signature {
                i.store.with(|c| captures::set_signature(c, id, &sig))?;
                let _ = i.events.send(Event::VerdictsChanged { endpoint: cap.data.endpoint.clone() });
            }
            sig.verdict.ok_or_else(|| {
                Error::InvalidInput(format!(
                    "endpoint {:?} has no signature scheme and no known signature was recognised in capture {id}; \
                     set one with `hookloupe endpoint add {} --path … --scheme NAME --secret S`",
                    cap.data.endpoint, cap.data.endpoint
                ))
            })
        })
        .await?;
        // A certificate the verdict names that nobody has yet: fetch it now, judge again.
        self.judge_again_with_certificate(id, verdict).await
    }

    /// Checks a request given in the capture shape against a scheme at `now` (unix seconds),
    /// without storing anything.
    pub fn verify_request(input: &RequestInput, config: &SchemeConfig, now: i64) -> Result<Verdict> {
        check_options(config.scheme, &config.options)?;
        let req = owned_request(input)?;
        let remote_ip = input.remote_addr.as_deref().and_then(crate::model::parse_ip);
        Ok(req.with_view(remote_ip, |r| signature::verify(config, r, now)))
    }

    /// Signs a request given in the capture shape as the scheme's sender would, with secret
    /// `secret_index` at `now` (unix seconds), and returns it in the same shape: the signature
    /// headers set or replaced (in place, keeping the other headers' order and case), and the
    /// body or URL changed for schemes that carry the signature there (`Content-Length`
    /// follows). `hookloupe verify --request` of the result says valid at the same `now`.
    pub fn sign_request(
        input: &RequestInput,
        config: &SchemeConfig,
        secret_index: usize,
        now: i64,
        extra: &SignExtra,
    ) -> Result<RequestInput> {
        check_options(config.scheme, &config.options)?;
        let req = owned_request(input)?;
        let signed = signature::sign_request(config, secret_index, &req, now, extra)?;
        Ok(RequestInput {
            method: signed.method,
            url: signed.url,
            headers: signed.headers,
            body_b64: Some(base64::engine::general_purpose::STANDARD.encode(&signed.body)),
            body: String::from_utf8(signed.body).ok(),
            remote_addr: input.remote_addr.clone(),
        })
    }
}

/// The request of a capture-shape input, its body decoded (`body_b64` wins over `body`).
fn owned_request(input: &RequestInput) -> Result<OwnedRequest> {
    let body = match (&input.body_b64, &input.body) {
        (Some(b64), _) => base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .map_err(|e| Error::InvalidInput(format!("body_b64 is not valid base64: {e}")))?,
        (None, Some(text)) => text.clone().into_bytes(),
        (None, None) => Vec::new(),
    };
    Ok(OwnedRequest { method: input.method.clone(), url: input.url.clone(), headers: input.headers.clone(), body })
}

/// Rejects option names the scheme does not take (a typo would otherwise be silently ignored).
fn check_options(scheme: SchemeId, options: &BTreeMap<String, String>) -> Result<()> {
    if let Some(id) = options.get(signature::provider::PROVIDER_OPTION) {
        match signature::provider::find(id) {
            Some(p) if p.scheme == scheme => {}
            Some(p) => {
                return Err(Error::InvalidInput(format!(
                    "provider {id:?} ({}) is verified by {}, not {}",
                    p.name,
                    p.scheme.label(),
                    scheme.label()
                )))
            }
            None => return Err(Error::InvalidInput(format!("no provider {id:?} in the catalog (`hookloupe schemes` lists them)"))),
        }
    }
    let options: BTreeMap<String, String> =
        options.iter().filter(|(k, _)| *k != signature::provider::PROVIDER_OPTION).map(|(k, v)| (k.clone(), v.clone())).collect();
    let options = &options;
    let info = signature::catalog().into_iter().find(|i| i.id == scheme);
    let known: Vec<String> = info.map(|i| i.options.into_iter().map(|o| o.name).collect()).unwrap_or_default();
    match options.keys().find(|k| !known.contains(k)) {
        None => Ok(()),
        Some(k) if known.is_empty() => {
            Err(Error::InvalidInput(format!("{} takes no options (got {k:?})", scheme.label())))
        }
        Some(k) => Err(Error::InvalidInput(format!(
            "{} has no option {k:?}; its options are: {}",
            scheme.label(),
            known.join(", ")
        ))),
    }
}

/// Builds the new secret list from edits: `Keep(i)` keeps the current secret `i` where it
/// lives, `New(s)` adds `s` where `place` puts it (the OS keyring when one answers). Edits are
/// all checked before anything is placed.
fn resolve_secrets(
    current: &[StoredSecret],
    edits: Vec<SecretEdit>,
    mut place: impl FnMut(Secret) -> StoredSecret,
) -> Result<Vec<StoredSecret>> {
    for e in &edits {
        match e {
            SecretEdit::Keep(i) if *i as usize >= current.len() => {
                return Err(Error::InvalidInput(format!(
                    "there is no secret #{i} to keep (the endpoint has {})",
                    current.len()
                )))
            }
            SecretEdit::New(s) if s.trim().is_empty() => {
                return Err(Error::InvalidInput("a secret cannot be empty".into()))
            }
            _ => {}
        }
    }
    Ok(edits
        .into_iter()
        .map(|e| match e {
            SecretEdit::Keep(i) => current[i as usize].clone(),
            SecretEdit::New(s) => place(Secret::new(s.trim())),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{SecretHome, StoredSecret};

    fn table(value: Option<&str>) -> BTreeMap<String, EndpointSignature> {
        let secret = StoredSecret {
            home: SecretHome::Keyring("secret-k1".into()),
            value: value.map(Secret::new),
            problem: value.is_none().then(|| "cannot be read: locked".into()),
        };
        let sig = EndpointSignature { scheme: Some(SchemeId::Stripe), secrets: vec![secret], options: BTreeMap::new() };
        BTreeMap::from([("stripe".to_owned(), sig)])
    }

    #[test]
    fn endpoints_whose_keyring_secret_became_readable_are_named() {
        assert_eq!(readable_again(&table(None), &table(Some("whsec_x"))), vec!["stripe".to_owned()]);
        assert!(readable_again(&table(Some("whsec_x")), &table(Some("whsec_x"))).is_empty());
        assert!(readable_again(&table(Some("whsec_x")), &table(None)).is_empty());
        assert!(readable_again(&BTreeMap::new(), &table(Some("whsec_x"))).is_empty());
    }

    #[test]
    fn an_unreadable_secret_keeps_the_others_numbers_and_is_named_in_the_explanation() {
        let locked = StoredSecret {
            home: SecretHome::Keyring("secret-k0".into()),
            value: None,
            problem: Some("cannot be read: the OS keyring is locked".into()),
        };
        let ok = StoredSecret::in_database(Secret::new("It's a Secret to Everybody"));
        let sig = EndpointSignature { scheme: Some(SchemeId::Github), secrets: vec![locked, ok], options: BTreeMap::new() };
        let table = BTreeMap::from([("gh".to_owned(), sig)]);
        let capture = |sig: &str| NewCapture {
            received_at_us: 1_731_000_000_000_000,
            endpoint: "gh".into(),
            method: "POST".into(),
            path: "/gh".into(),
            query: String::new(),
            url: "http://127.0.0.1:4665/gh".into(),
            headers: crate::model::HeaderList(vec![("X-Hub-Signature-256".into(), sig.as_bytes().to_vec())]),
            body: b"Hello, World!".to_vec(),
            body_size: 13,
            body_over_limit: false,
            content_type: None,
            remote_addr: "127.0.0.1:5000".into(),
            via: crate::model::Via::Local,
            forwarded_for: None,
            event: Default::default(),
            duplicate_of: None,
        };
        let v = judge(&table, &signature::cert_url::NoCertificates, &capture("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")).verdict.unwrap();
        assert_eq!((v.status, v.matched_secret_index), (VerdictStatus::Valid, Some(1)), "{}", v.explanation);
        assert!(!v.explanation.contains("the configured secret"), "{}", v.explanation);
        let v = judge(&table, &signature::cert_url::NoCertificates, &capture("sha256=00")).verdict.unwrap();
        assert_eq!(v.status, VerdictStatus::Invalid);
        assert!(v.explanation.contains("Secret #0 was not tried") && v.explanation.contains("locked"), "{}", v.explanation);
    }
}
