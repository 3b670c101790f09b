//! `hookloupe tunnel …` and the tunnel lines of `hookloupe listen --tunnel`.

use clap::Subcommand;
use hookloupe_core::ipc::StartTunnelReq;
use hookloupe_core::tunnel::{TunnelSpec, TunnelState, TunnelStatusView};
use hookloupe_core::Engine;

#[derive(Subcommand)]
pub enum TunnelCmd {
    /// Save the ngrok auth token (read from the argument, or from stdin with `-`), or forget it.
    Token {
        /// The token; `-` reads it from stdin (keeps it out of the shell history).
        token: Option<String>,
        /// Forget the saved token.
        #[arg(long, conflicts_with = "token")]
        clear: bool,
    },
}

/// Parses `--tunnel ngrok` / `--tunnel bore=HOST[:PORT][,secret=S]`.
pub fn spec(value: &str, ngrok_domain: Option<String>) -> anyhow::Result<TunnelSpec> {
    let req = match value.split_once('=') {
        None if value == "ngrok" => StartTunnelReq { provider: "ngrok".into(), ngrok_domain, bore_server: None, bore_secret: None },
        Some(("bore", server)) => StartTunnelReq { provider: "bore".into(), ngrok_domain: None, bore_server: Some(server.into()), bore_secret: None },
        _ => anyhow::bail!(hookloupe_core::Error::InvalidInput(format!(
            "--tunnel {value:?}: use `ngrok` or `bore=HOST[:PORT][,secret=S]`"
        ))),
    };
    Ok(req.to_spec()?)
}

pub fn print_status(s: &TunnelStatusView, json: bool) {
    if json {
        let mut v = serde_json::to_value(s).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.remove("qr_svg");
            o.insert("event".into(), "tunnel".into());
        }
        eprintln!("{v}");
        return;
    }
    let provider = s.provider.as_deref().unwrap_or("tunnel");
    match s.state {
        TunnelState::Off => eprintln!("Tunnel closed."),
        TunnelState::Connecting => eprintln!("Tunnel ({provider}): connecting…"),
        TunnelState::Online => eprintln!("Public URL: {} ({provider}, online)", s.public_url.as_deref().unwrap_or("?")),
        TunnelState::Reconnecting => eprintln!(
            "Tunnel ({provider}): reconnecting (attempt {}): {}",
            s.attempts,
            s.message.as_deref().unwrap_or("connection lost")
        ),
        TunnelState::Failed => eprintln!("Tunnel ({provider}) failed: {}", s.message.as_deref().unwrap_or("unknown reason")),
    }
}

pub async fn run(cmd: TunnelCmd, engine: Engine, json: bool) -> anyhow::Result<()> {
    match cmd {
        TunnelCmd::Token { token, clear } => {
            let token = match (token, clear) {
                (_, true) => None,
                (Some(t), _) if t == "-" => {
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    Some(line.trim().to_owned())
                }
                (Some(t), _) => Some(t),
                (None, false) => {
                    let info = engine.ngrok_token_info().await?;
                    crate::print::done(
                        json,
                        &match (&info.saved, info.from_env) {
                            (Some(m), _) => format!("ngrok token saved: {m}"),
                            (None, true) => "No ngrok token saved; NGROK_AUTHTOKEN is set and will be used.".into(),
                            (None, false) => "No ngrok token: `hookloupe tunnel token TOKEN` saves one.".into(),
                        },
                        serde_json::to_value(&info)?,
                    );
                    return Ok(());
                }
            };
            let info = engine.save_ngrok_token(token).await?;
            let text = match &info.saved {
                Some(m) => format!("Saved the ngrok token ({m})."),
                None => "Forgot the ngrok token.".into(),
            };
            crate::print::done(json, &text, serde_json::to_value(&info)?);
        }
    }
    Ok(())
}
