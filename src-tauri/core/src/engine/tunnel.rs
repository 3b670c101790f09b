//! Engine methods for the public URL: open or close a tunnel, its status, the saved ngrok token.
//!
//! A tunnel gets its own ingress listener on 127.0.0.1 (port chosen by the OS) serving only the
//! capture router, marked as `Ingress::Tunnel` so its captures record their provenance and the
//! public URL. Status changes are published as `Event::TunnelChanged`.

use std::sync::Mutex;

use tokio::sync::watch;

use super::Engine;
use crate::error::{Error, Result};
use crate::event::Event;
use crate::ipc::{NgrokTokenView, StartTunnelReq};
use crate::receiver::{self, Ingress, ReceiverState};
use crate::signature::Secret;
use crate::tunnel::{self, AuthToken, BoreSpec, TunnelSpec, TunnelState, TunnelStatusView};

/// Environment variable read for the ngrok auth token when none is saved.
pub const NGROK_TOKEN_ENV: &str = "NGROK_AUTHTOKEN";

#[derive(Default)]
pub(crate) struct TunnelSlot {
    active: Mutex<Option<Active>>,
}

struct Active {
    stop: watch::Sender<bool>,
    status: watch::Receiver<TunnelStatusView>,
}

impl StartTunnelReq {
    /// The tunnel this request describes (the token is resolved by the engine).
    pub fn to_spec(&self) -> Result<TunnelSpec> {
        match self.provider.as_str() {
            "ngrok" => Ok(TunnelSpec::Ngrok { token: None, domain: self.ngrok_domain.clone().filter(|d| !d.trim().is_empty()) }),
            "bore" => {
                let mut spec = BoreSpec::parse(self.bore_server.as_deref().unwrap_or("")).map_err(Error::InvalidInput)?;
                if let Some(secret) = self.bore_secret.clone().filter(|s| !s.is_empty()) {
                    spec.secret = Some(secret);
                }
                Ok(TunnelSpec::Bore(spec))
            }
            other => Err(Error::InvalidInput(format!("unknown tunnel provider {other:?}: use ngrok or bore"))),
        }
    }
}

impl Engine {
    /// Opens a public tunnel to the receiver (closing any open one). Returns the first status;
    /// later ones arrive as `Event::TunnelChanged`.
    pub async fn start_tunnel(&self, spec: TunnelSpec) -> Result<TunnelStatusView> {
        self.stop_tunnel();
        if self.listener().is_none() {
            return Err(Error::InvalidInput("start the receiver before the tunnel".into()));
        }
        let spec = match spec {
            TunnelSpec::Ngrok { token: None, domain } => {
                let token = match self.saved_ngrok_token().await? {
                    Some(t) => t,
                    None => std::env::var(NGROK_TOKEN_ENV)
                        .ok()
                        .filter(|t| !t.trim().is_empty())
                        .map(AuthToken::new)
                        .ok_or_else(|| Error::InvalidInput(tunnel::ngrok_reason(Some("ERR_NGROK_4018"), "").1))?,
                };
                TunnelSpec::Ngrok { token: Some(token), domain }
            }
            other => other,
        };
        let writer = self.inner.writer()?;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| Error::io("cannot open the tunnel's local ingress", e))?;
        let port = listener.local_addr().map_err(|e| Error::io("cannot read the tunnel ingress address", e))?.port();
        let provider = match &spec {
            TunnelSpec::Ngrok { .. } => "ngrok",
            TunnelSpec::Bore(_) => "bore",
        };
        let (status_tx, status_rx) = watch::channel(TunnelStatusView {
            provider: Some(provider.into()),
            state: TunnelState::Connecting,
            ..TunnelStatusView::off()
        });
        let (stop_tx, stop_rx) = watch::channel(false);
        let state = ReceiverState {
            writer,
            endpoints: self.inner.endpoints.clone(),
            body_limit: self.inner.config.body_limit,
            judge: self.inner.signatures.judge_fn(),
            ingress: Ingress::Tunnel { status: status_rx.clone(), trust_forwarded_for: provider == "ngrok" },
        };
        tokio::spawn(receiver::serve(listener, receiver::router(state), stop_rx.clone(), self.inner.config.receiver_limits()));
        match spec {
            TunnelSpec::Ngrok { token, domain } => {
                let to = url::Url::parse(&format!("http://127.0.0.1:{port}")).expect("a valid URL");
                let token = token.expect("resolved above");
                tokio::spawn(tunnel::ngrok::run(token, domain, to, status_tx, stop_rx.clone()));
            }
            TunnelSpec::Bore(spec) => {
                tokio::spawn(tunnel::bore::run(spec, port, status_tx, stop_rx.clone()));
            }
        }
        let events = self.inner.events.clone();
        let mut changes = status_rx.clone();
        let mut stopped = stop_rx;
        let _ = events.send(Event::TunnelChanged(changes.borrow().clone()));
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    changed = changes.changed() => {
                        if changed.is_err() {
                            return;
                        }
                        let _ = events.send(Event::TunnelChanged(changes.borrow_and_update().clone()));
                    }
                    _ = stopped.changed() => return,
                }
            }
        });
        let first = status_rx.borrow().clone();
        *self.inner.tunnel.active.lock().unwrap() = Some(Active { stop: stop_tx, status: status_rx });
        Ok(first)
    }

    /// Closes the tunnel, if one is open.
    pub fn stop_tunnel(&self) {
        if let Some(active) = self.inner.tunnel.active.lock().unwrap().take() {
            let _ = active.stop.send(true);
            let _ = self.inner.events.send(Event::TunnelChanged(TunnelStatusView::off()));
        }
    }

    pub fn tunnel_status(&self) -> TunnelStatusView {
        match self.inner.tunnel.active.lock().unwrap().as_ref() {
            Some(active) => active.status.borrow().clone(),
            None => TunnelStatusView::off(),
        }
    }

    /// Saves (or with `None` forgets) the ngrok auth token: in the OS keyring when one
    /// answers, else in the database.
    pub async fn save_ngrok_token(&self, token: Option<String>) -> Result<NgrokTokenView> {
        self.blocking(move |i| {
            let token = token.map(AuthToken::new).filter(|t| !t.expose().is_empty());
            i.save_ngrok_token(token.map(|t| Secret::new(t.expose())))
        })
        .await?;
        self.ngrok_token_info().await
    }

    /// Whether an ngrok token is saved (masked) or available from the environment.
    pub async fn ngrok_token_info(&self) -> Result<NgrokTokenView> {
        let saved = self.blocking(|i| i.ngrok_token()).await?;
        let (saved, problem) = match saved {
            Ok(token) => (token.map(|t| AuthToken::new(t.expose()).masked()), None),
            Err(why) => (Some("…".to_owned()), Some(why)),
        };
        Ok(NgrokTokenView {
            saved,
            problem,
            from_env: std::env::var(NGROK_TOKEN_ENV).map(|t| !t.trim().is_empty()).unwrap_or(false),
        })
    }

    async fn saved_ngrok_token(&self) -> Result<Option<AuthToken>> {
        match self.blocking(|i| i.ngrok_token()).await? {
            Ok(token) => Ok(token.map(|t| AuthToken::new(t.expose()))),
            Err(why) => Err(Error::InvalidInput(format!("the saved ngrok token {why}"))),
        }
    }
}
