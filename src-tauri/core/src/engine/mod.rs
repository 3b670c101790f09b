//! The engine facade: one cheap `Clone` handle per process that hosts call.
//!
//! `Engine` owns the store, the capture writer (started with the first listener), the
//! receiver and the event broadcast. Each public method is one user action; hosts (the CLI,
//! the Tauri shell) stay thin by calling exactly one of them and printing or forwarding the
//! result. Blocking store calls run on tokio's blocking pool. Capabilities that grow (signatures,
//! test events, diff, replay, forwarding, tunnel, search) add their methods in a child module of their own. This
//! module must not format output for a particular host.

mod certs;
mod diffs;
mod forwarding;
mod outbox;
mod replay;
mod search;
mod secrets;
mod share;
pub(crate) mod signatures;
mod test_events;

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::sync::{broadcast, watch};

use crate::config::{Config, ListenAddr, PortPolicy};
use crate::error::{Error, Result};
use crate::event::Event;
use crate::ipc::{CaptureView, EndpointView, ListenerView};
use crate::model::{validate_endpoint, Capture, CaptureId, Endpoint, DEFAULT_ENDPOINT};
use crate::receiver::{self, EndpointTable, ReceiverState};
use crate::store::writer::CaptureWriter;
use crate::store::{captures, endpoints, settings, Store};

mod tunnel;

/// How often a listening engine re-reads endpoints, settings and the captures' fingerprint, to
/// pick up changes made by another process (e.g. `hookloupe endpoint add`, or a `hookloupe
/// listen` capturing into the same database while the app is open).
const RELOAD_EVERY: Duration = Duration::from_secs(2);
/// Ports tried after the requested one under [`PortPolicy::NextFree`], before any free port.
const NEXT_FREE_TRIES: u16 = 20;

#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    config: Config,
    store: Store,
    events: broadcast::Sender<Event>,
    endpoints: EndpointTable,
    retention: Arc<AtomicU64>,
    /// The captures' `(count, max id)` when last looked at, to notice other processes' writes.
    fingerprint: Mutex<Option<(i64, i64)>>,
    writer: Mutex<Option<CaptureWriter>>,
    /// Set while captures are being refused (storage failing).
    trouble: crate::store::writer::TroubleSlot,
    listener: Mutex<Option<Running>>,
    tunnel: tunnel::TunnelSlot,
    signatures: signatures::SignatureState,
    diffs: diffs::DiffJobs,
    replays: replay::ReplayJobs,
    rules: forwarding::RuleState,
    outbox: outbox::OutboxState,
    vault: secrets::Vault,
    search: search::SearchState,
}

struct Running {
    view: ListenerView,
    shutdown: watch::Sender<bool>,
}

impl Engine {
    /// Opens the database in `config.data_dir` (creating it and migrating as needed).
    pub fn open(config: Config) -> Result<Engine> {
        let store = Store::open(&config.db_path())?;
        let (events, _) = broadcast::channel(1024);
        let engine = Engine {
            inner: Arc::new(Inner {
                store,
                events,
                endpoints: Arc::new(RwLock::new(Arc::new(Vec::new()))),
                retention: Arc::new(AtomicU64::new(0)),
                fingerprint: Mutex::new(None),
                writer: Mutex::new(None),
                trouble: Default::default(),
                listener: Mutex::new(None),
                tunnel: tunnel::TunnelSlot::default(),
                signatures: Default::default(),
                diffs: Default::default(),
                replays: Default::default(),
                rules: forwarding::RuleState::new(),
                outbox: Default::default(),
                vault: secrets::Vault::new(config.keyring),
                search: search::SearchState::new(&config.db_path()),
                config,
            }),
        };
        engine.inner.signatures.certs.open(&engine.inner.config.data_dir);
        if let Err(e) = engine.inner.tidy_secrets() {
            // Not fatal: they stay in the database (e.g. a read-only database).
            tracing::warn!("could not move secrets into the OS keyring: {e}");
        }
        engine.inner.reload()?;
        if let Err(e) = engine.inner.backfill_event_keys() {
            // Not fatal: duplicate flags of old captures stay empty (e.g. a read-only database).
            tracing::warn!("could not index the event keys of older captures: {e}");
        }
        if let Err(e) = engine.inner.start_text_backfill() {
            // Not fatal: older captures are not found by words yet (e.g. a read-only database).
            tracing::warn!("could not start indexing the text of older captures: {e}");
        }
        Ok(engine)
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Events published after each commit (captures, deletions, endpoint changes).
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.inner.events.subscribe()
    }

    /// Starts the receiver. With [`PortPolicy::Exact`] a taken port is an error; with
    /// [`PortPolicy::NextFree`] the next ports are tried, then any free port.
    pub async fn listen(&self, addr: ListenAddr) -> Result<ListenerView> {
        if let Some(running) = self.inner.listener.lock().unwrap().as_ref() {
            return Ok(running.view.clone());
        }
        let writer = self.inner.writer()?;
        let listener = bind(addr)?;
        let local = listener.local_addr().map_err(|e| Error::io("cannot read the listening address", e))?;
        let host = match local.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => "127.0.0.1".to_string(),
            IpAddr::V6(ip) if ip.is_unspecified() => "[::1]".to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        };
        let view = ListenerView {
            url: format!("http://{host}:{}", local.port()),
            bind: addr.bind.to_string(),
            port: local.port(),
            requested_port: addr.port,
            data_dir: self.inner.config.data_dir.display().to_string(),
            db_path: self.inner.config.db_path().display().to_string(),
        };
        let state = ReceiverState {
            writer,
            endpoints: self.inner.endpoints.clone(),
            body_limit: self.inner.config.body_limit,
            ingress: receiver::Ingress::Local,
            judge: self.inner.signatures.judge_fn(),
        };
        let (shutdown, stop) = watch::channel(false);
        tokio::spawn(receiver::serve(listener, receiver::router(state), stop.clone(), self.inner.config.receiver_limits()));
        tokio::spawn(outbox::run(self.inner.clone(), stop.clone()));
        certs::start_fetcher(self.inner.clone(), stop.clone());
        let inner = self.inner.clone();
        let mut stop_reload = stop;
        let mut own = self.subscribe();
        tokio::spawn(async move {
            let mut own_max = 0;
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(RELOAD_EVERY) => {}
                    _ = stop_reload.changed() => return,
                }
                // Our own captures since the last look: those need no refresh.
                while let Ok(event) = own.try_recv() {
                    if let Event::Captured(c) = event {
                        own_max = own_max.max(c.id);
                    }
                }
                let inner = inner.clone();
                let _ = tokio::task::spawn_blocking(move || inner.reload_if_changed(own_max)).await;
            }
        });
        *self.inner.listener.lock().unwrap() = Some(Running { view: view.clone(), shutdown });
        Ok(view)
    }

    /// Where the receiver listens, if it does.
    pub fn listener(&self) -> Option<ListenerView> {
        self.inner.listener.lock().unwrap().as_ref().map(|r| r.view.clone())
    }

    /// Stops accepting requests (and closes the tunnel); requests in flight finish.
    pub fn stop(&self) {
        self.stop_tunnel();
        if let Some(running) = self.inner.listener.lock().unwrap().take() {
            let _ = running.shutdown.send(true);
        }
    }

    /// The stored capture with its exact body bytes.
    pub async fn capture(&self, id: CaptureId) -> Result<Capture> {
        self.blocking(move |i| {
            i.store
                .with(|c| captures::get(c, id))?
                .ok_or_else(|| Error::NotFound(format!("no capture with id {id}")))
        })
        .await
    }

    pub async fn get_capture(&self, id: CaptureId) -> Result<CaptureView> {
        self.capture(id).await.map(|c| CaptureView::from(&c))
    }

    pub async fn delete_capture(&self, id: CaptureId) -> Result<()> {
        self.blocking(move |i| {
            if !i.store.with(|c| captures::delete(c, id))? {
                return Err(Error::NotFound(format!("no capture with id {id}")));
            }
            let _ = i.events.send(Event::CapturesChanged);
            Ok(())
        })
        .await
    }

    /// Deletes every capture (of one endpoint when given); returns how many.
    pub async fn clear_captures(&self, endpoint: Option<String>) -> Result<usize> {
        self.blocking(move |i| {
            let n = i.store.with(|c| captures::clear(c, endpoint.as_deref()))?;
            let _ = i.events.send(Event::CapturesChanged);
            Ok(n)
        })
        .await
    }

    pub async fn count_captures(&self) -> Result<u64> {
        self.blocking(|i| i.store.with(|c| captures::count(c))).await
    }

    pub async fn list_endpoints(&self) -> Result<Vec<EndpointView>> {
        self.blocking(|i| Ok(i.store.with(|c| endpoints::list(c))?.iter().map(|e| i.endpoint_view(e)).collect()))
            .await
    }

    /// Adds or updates (by name) an endpoint.
    pub async fn save_endpoint(&self, view: EndpointView) -> Result<EndpointView> {
        let endpoint = Endpoint::from(view);
        validate_endpoint(&endpoint).map_err(Error::InvalidInput)?;
        if endpoint.name == DEFAULT_ENDPOINT && endpoint.path_prefix != "/" {
            return Err(Error::InvalidInput("the default endpoint always catches '/'; change only its response".into()));
        }
        self.blocking(move |i| {
            if let Some(other) = i.store.with(|c| endpoints::name_for_prefix(c, &endpoint.path_prefix))? {
                if other != endpoint.name {
                    return Err(Error::Conflict(format!(
                        "endpoint {other:?} already uses the path prefix {}",
                        endpoint.path_prefix
                    )));
                }
            }
            i.store.with(|c| endpoints::upsert(c, &endpoint))?;
            i.reload()?;
            let _ = i.events.send(Event::EndpointsChanged);
            Ok(i.endpoint_view(&endpoint))
        })
        .await
    }

    pub async fn remove_endpoint(&self, name: String) -> Result<()> {
        if name == DEFAULT_ENDPOINT {
            return Err(Error::InvalidInput("the default endpoint cannot be removed; it catches unknown paths".into()));
        }
        self.blocking(move |i| {
            let keyring_entries = i.store.with(|c| crate::store::signatures::keyring_refs(c, &name))?;
            if !i.store.with(|c| endpoints::remove(c, &name))? {
                return Err(Error::NotFound(format!("no endpoint named {name:?}")));
            }
            i.discard(&keyring_entries);
            i.reload()?;
            let _ = i.events.send(Event::EndpointsChanged);
            Ok(())
        })
        .await
    }

    /// Why captures are being refused right now, if they are (the window's banner).
    pub fn storage_trouble(&self) -> Option<crate::event::StorageTrouble> {
        self.inner.trouble.lock().ok().and_then(|t| t.clone())
    }

    /// The maximum number of captures kept (0 = unlimited).
    pub fn retention(&self) -> u64 {
        self.inner.retention.load(Ordering::Relaxed)
    }

    /// Retention, limits and where secrets are kept, as the settings screen shows them (asks
    /// the OS keyring, which may take a moment the first time).
    pub async fn settings(&self) -> Result<crate::ipc::SettingsView> {
        let status = self.blocking(|i| Ok(i.vault.status())).await?;
        Ok(crate::ipc::SettingsView {
            max_captures: self.retention(),
            body_limit: self.inner.config.body_limit as u64,
            secrets: crate::ipc::SecretStorageView { keyring: status.available, detail: status.detail },
        })
    }

    pub async fn set_retention(&self, max_captures: u64) -> Result<()> {
        self.blocking(move |i| {
            i.store.with(|c| settings::set(c, settings::RETENTION_MAX_CAPTURES, &max_captures.to_string()))?;
            i.retention.store(max_captures, Ordering::Relaxed);
            // In steps of one small transaction each, so a listening writer is never held up.
            let mut removed = 0;
            loop {
                let n = i.store.with(|c| captures::enforce_retention(c, max_captures))?;
                removed += n;
                if (n as u64) < captures::RETENTION_STEP {
                    break;
                }
            }
            if removed > 0 {
                let _ = i.events.send(Event::CapturesChanged);
            }
            Ok(())
        })
        .await
    }

    async fn blocking<T: Send + 'static>(&self, f: impl FnOnce(&Inner) -> Result<T> + Send + 'static) -> Result<T> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || f(&inner))
            .await
            .map_err(|e| Error::Internal(format!("store task failed: {e}")))?
    }
}

impl Inner {
    fn writer(&self) -> Result<CaptureWriter> {
        let mut slot = self.writer.lock().unwrap();
        if let Some(w) = slot.as_ref() {
            return Ok(w.clone());
        }
        let forwarding = crate::store::writer::Forwarding { routes: self.rules.routes.clone(), relays: self.rules.relays.clone() };
        let w = CaptureWriter::start(
            &self.config.db_path(),
            self.events.clone(),
            self.retention.clone(),
            self.trouble.clone(),
            forwarding,
        )?;
        *slot = Some(w.clone());
        Ok(w)
    }

    /// Loads endpoints and settings from the database into memory.
    fn reload(&self) -> Result<()> {
        let list = self.store.with(|c| endpoints::list(c))?;
        *self.endpoints.write().unwrap() = Arc::new(list);
        let max = self
            .store
            .with(|c| settings::get(c, settings::RETENTION_MAX_CAPTURES))?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        self.retention.store(max, Ordering::Relaxed);
        self.reload_signatures()?;
        if self.reload_rules()? {
            let _ = self.events.send(Event::RulesChanged);
        }
        Ok(())
    }

    /// Reloads endpoints and settings, and tells subscribers when another process changed
    /// endpoints or captures (`own_max`: the highest capture id this process published).
    fn reload_if_changed(&self, own_max: i64) -> Result<()> {
        let before = self.endpoints.read().unwrap().clone();
        let signatures_before = self.signatures.table.read().unwrap().clone();
        self.reload()?;
        let signatures_changed = *self.signatures.table.read().unwrap() != signatures_before;
        if *self.endpoints.read().unwrap() != before || signatures_changed {
            let _ = self.events.send(Event::EndpointsChanged);
        }
        if signatures_changed {
            // Another process changed them and re-evaluates its captures: lists should reload.
            let _ = self.events.send(Event::CapturesChanged);
            // Secrets that could not be read (keyring locked) and now can: the verdicts judged
            // without them are recomputed.
            let after = self.signatures.table.read().unwrap().clone();
            for endpoint in signatures::readable_again(&signatures_before, &after) {
                let generation = self.bump_signature_generation(&endpoint);
                if let Err(e) = self.reevaluate(&endpoint, generation) {
                    tracing::warn!("re-evaluating the signatures of endpoint {endpoint} failed: {e}");
                }
            }
        }
        // Certificates another process kept (`hookloupe certs add`): the verdicts that lacked one.
        self.reload_certificates();
        let now = self.store.with(|c| captures::fingerprint(c))?;
        let mut last = self.fingerprint.lock().unwrap();
        if let Some((count, max)) = *last {
            let foreign_insert = now.1 > max && now.1 > own_max;
            if foreign_insert || now.0 < count {
                let _ = self.events.send(Event::CapturesChanged);
            }
        }
        *last = Some(now);
        Ok(())
    }
}

fn bind(addr: ListenAddr) -> Result<tokio::net::TcpListener> {
    let try_bind = |port: u16| -> std::io::Result<std::net::TcpListener> {
        let l = std::net::TcpListener::bind(SocketAddr::new(addr.bind, port))?;
        l.set_nonblocking(true)?;
        Ok(l)
    };
    let in_use = || Error::PortInUse { bind: addr.bind.to_string(), port: addr.port };
    let first = try_bind(addr.port);
    let std_listener = match (first, addr.policy) {
        (Ok(l), _) => l,
        (Err(e), PortPolicy::Exact) if e.kind() == std::io::ErrorKind::AddrInUse => return Err(in_use()),
        (Err(e), PortPolicy::Exact) => {
            return Err(Error::io(format!("cannot listen on {}:{}", addr.bind, addr.port), e))
        }
        (Err(_), PortPolicy::NextFree) => (1..=NEXT_FREE_TRIES)
            .filter_map(|i| addr.port.checked_add(i))
            .find_map(|p| try_bind(p).ok())
            .map(Ok)
            .unwrap_or_else(|| try_bind(0))
            .map_err(|e| Error::io(format!("cannot listen on {}", addr.bind), e))?,
    };
    tokio::net::TcpListener::from_std(std_listener).map_err(|e| Error::io("cannot register the listener", e))
}
