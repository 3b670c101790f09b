//! The self-hosted tunnel: a `bore` client (crate `bore-cli`) to a `bore server` the user runs.
//!
//! bore forwards raw TCP, so the public URL is `http://HOST:PORT` and the original client
//! address is not known. After the first connection, a lost control connection is retried with
//! [`super::backoff`], asking for the same public port so the URL stays the same. A first
//! connection that fails is reported as `failed` (the settings are probably wrong).

use tokio::sync::watch;

use super::{backoff, network_reason, qr_svg, BoreSpec, Reason, TunnelState, TunnelStatusView};

fn describe(host: &str, error: &anyhow_like::Error) -> Reason {
    let detail = error.to_string();
    let lower = detail.to_ascii_lowercase();
    if lower.contains("authentication") || lower.contains("secret") || lower.contains("challenge") {
        ("auth_failed", format!("the bore server at {host} refused the secret: check secret=… ({detail})"))
    } else if lower.contains("could not connect") || lower.contains("timed out") || lower.contains("deadline") {
        network_reason(&format!("the bore server at {host}:7835 (is `bore server` running there?)"), &detail)
    } else {
        ("other", format!("bore server at {host}: {detail}"))
    }
}

mod anyhow_like {
    /// bore-cli returns `anyhow::Error`; only its Display (with causes) is used here.
    pub struct Error(pub String);
    impl std::fmt::Display for Error {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.0)
        }
    }
}

fn url_host(host: &str) -> String {
    if host.contains(':') { format!("[{host}]") } else { host.to_owned() }
}

/// Runs the tunnel until `stop` turns true, forwarding to `127.0.0.1:local_port`.
pub async fn run(spec: BoreSpec, local_port: u16, status: watch::Sender<TunnelStatusView>, mut stop: watch::Receiver<bool>) {
    let mut want = spec.port;
    let mut ever_online = false;
    let mut attempt = 0u32;
    loop {
        let connect = bore_cli::client::Client::new("127.0.0.1", local_port, &spec.host, want, spec.secret.as_deref());
        let result = tokio::select! {
            r = connect => r,
            _ = stop.changed() => return,
        };
        let lost = match result {
            Ok(client) => {
                want = client.remote_port();
                let url = format!("http://{}:{want}", url_host(&spec.host));
                ever_online = true;
                attempt = 0;
                status.send_modify(|s| {
                    s.state = TunnelState::Online;
                    s.qr_svg = qr_svg(&url);
                    s.public_url = Some(url);
                    s.message = None;
                    s.reason = None;
                    s.attempts = 0;
                });
                let ended = tokio::select! {
                    r = client.listen() => r,
                    _ = stop.changed() => return,
                };
                let detail = match ended {
                    Ok(()) => "the server closed the connection".to_owned(),
                    Err(e) => format!("{e:#}"),
                };
                ("lost_connection", format!("lost the connection to the bore server at {}: {detail}; reconnecting", spec.host))
            }
            Err(e) => {
                let (code, message) = describe(&spec.host, &anyhow_like::Error(format!("{e:#}")));
                if !ever_online {
                    status.send_modify(|s| {
                        s.state = TunnelState::Failed;
                        s.reason = Some(code.into());
                        s.message = Some(message);
                    });
                    return;
                }
                (code, format!("{message}; retrying"))
            }
        };
        attempt += 1;
        status.send_modify(|s| {
            s.state = TunnelState::Reconnecting;
            s.reason = Some(lost.0.into());
            s.message = Some(lost.1);
            s.attempts = attempt;
        });
        tokio::select! {
            _ = tokio::time::sleep(backoff(attempt)) => {}
            _ = stop.changed() => return,
        }
    }
}
