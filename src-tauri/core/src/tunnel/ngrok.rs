//! The ngrok tunnel, in-process through the `ngrok` crate (no external binary).
//!
//! The session reconnects by itself after network loss or sleep; a custom connector wraps
//! ngrok's default one to report `reconnecting` (with the reason) and `online` again. Session
//! and endpoint errors are turned into plain words by [`super::ngrok_reason`]. Needs an auth
//! token and the internet at run time: tested live only when `NGROK_AUTHTOKEN` is set.

use std::sync::Arc;

use ngrok::config::ForwarderBuilder;
use ngrok::prelude::{EndpointInfo, Error as _};
use ngrok::session::{ConnectError, IoStream};
use ngrok::tunnel::AcceptError;
use tokio::sync::watch;

use super::{network_reason, ngrok_reason, qr_svg, AuthToken, Reason, TunnelState, TunnelStatusView};

fn describe_connect(error: &ConnectError) -> Reason {
    match error {
        ConnectError::Tcp(e) | ConnectError::Tls(e) => network_reason("ngrok's servers", &e.to_string()),
        other => ngrok_reason(other.error_code(), &other.to_string()),
    }
}

fn fail(status: &watch::Sender<TunnelStatusView>, (code, message): Reason) {
    status.send_modify(|s| {
        s.state = TunnelState::Failed;
        s.reason = Some(code.into());
        s.message = Some(message);
    });
}

/// Runs the tunnel until `stop` turns true, forwarding to `forward_to` (the tunnel ingress).
pub async fn run(
    token: AuthToken,
    domain: Option<String>,
    forward_to: url::Url,
    status: watch::Sender<TunnelStatusView>,
    mut stop: watch::Receiver<bool>,
) {
    let watcher = status.clone();
    let connector = move |host: String, port: u16, tls: Arc<rustls::ClientConfig>, err: Option<AcceptError>| {
        let status = watcher.clone();
        async move {
            let reconnecting = err.is_some();
            if let Some(e) = &err {
                status.send_modify(|s| {
                    s.state = TunnelState::Reconnecting;
                    s.attempts += 1;
                    s.reason = Some("lost_connection".into());
                    s.message = Some(format!("lost the connection to ngrok ({e}); reconnecting"));
                });
            }
            let result: Result<Box<dyn IoStream>, ConnectError> = ngrok::session::default_connect(host, port, tls, err).await;
            match &result {
                Ok(_) if reconnecting => status.send_modify(|s| {
                    s.state = TunnelState::Online;
                    s.reason = None;
                    s.message = None;
                    s.attempts = 0;
                }),
                Err(e) if status.borrow().state == TunnelState::Reconnecting => {
                    let (code, message) = describe_connect(e);
                    status.send_modify(|s| {
                        s.reason = Some(code.into());
                        s.message = Some(format!("{message}; retrying"));
                    });
                }
                _ => {}
            }
            result
        }
    };
    let mut builder = ngrok::Session::builder();
    builder.authtoken(token.expose()).connector(connector);
    let session = tokio::select! {
        r = builder.connect() => r,
        _ = stop.changed() => return,
    };
    let session = match session {
        Ok(s) => s,
        Err(e) => return fail(&status, describe_connect(&e)),
    };
    let mut endpoint = session.http_endpoint();
    if let Some(d) = domain.filter(|d| !d.trim().is_empty()) {
        endpoint.domain(d.trim());
    }
    let forwarder = tokio::select! {
        r = endpoint.listen_and_forward(forward_to) => r,
        _ = stop.changed() => return,
    };
    let mut forwarder = match forwarder {
        Ok(f) => f,
        Err(e) => return fail(&status, ngrok_reason(e.error_code(), &e.to_string())),
    };
    let url = forwarder.url().to_owned();
    status.send_modify(|s| {
        s.state = TunnelState::Online;
        s.qr_svg = qr_svg(&url);
        s.public_url = Some(url);
        s.reason = None;
        s.message = None;
        s.attempts = 0;
    });
    tokio::select! {
        ended = forwarder.join() => {
            let detail = match ended {
                Ok(Ok(())) => "the tunnel was closed by ngrok".to_owned(),
                Ok(Err(e)) => e.to_string(),
                Err(e) => e.to_string(),
            };
            fail(&status, ("other", format!("ngrok: {detail}")));
        }
        _ = stop.changed() => {}
    }
    let mut session = session;
    let _ = session.close().await;
}
