//! Public URLs: tunnels from the internet to the receiver, through ngrok (in-process, the
//! `ngrok` crate) or a self-hosted `bore` server.
//!
//! A tunnel always forwards to a dedicated *tunnel ingress* listener that serves only the
//! capture router (no API, no UI assets), so nothing that controls the app is reachable from
//! the public URL, and every capture knows whether it came through the tunnel. This module owns
//! the provider loops, their status (connecting / online / reconnecting / failed, with a reason in
//! plain words) and reconnection with backoff. The pure parts — spec parsing, backoff, error
//! wording — are here; providers live in [`ngrok`] and [`bore`]. It must not touch SQL.

pub mod bore;
pub mod ngrok;

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// An ngrok auth token. Debug and Display never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthToken(String);

impl AuthToken {
    pub fn new(token: impl Into<String>) -> AuthToken {
        AuthToken(token.into().trim().to_owned())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// `2abc…wxyz`: enough to recognise a token, never enough to use it.
    pub fn masked(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        if chars.len() <= 8 {
            return "•".repeat(chars.len());
        }
        format!("{}…{}", chars[..4].iter().collect::<String>(), chars[chars.len() - 4..].iter().collect::<String>())
    }
}

impl fmt::Debug for AuthToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Which tunnel to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TunnelSpec {
    Ngrok { token: Option<AuthToken>, domain: Option<String> },
    Bore(BoreSpec),
}

#[derive(Clone, PartialEq, Eq)]
pub struct BoreSpec {
    /// The bore server's host (its control port is bore's fixed 7835).
    pub host: String,
    /// Public port to ask for; 0 lets the server choose (then kept across reconnects).
    pub port: u16,
    pub secret: Option<String>,
}

impl fmt::Debug for BoreSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoreSpec")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("secret", &self.secret.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

impl BoreSpec {
    /// Parses `HOST[:PORT][,secret=S]` (the CLI's `--tunnel bore=…` value).
    pub fn parse(spec: &str) -> Result<BoreSpec, String> {
        let mut parts = spec.split(',');
        let addr = parts.next().unwrap_or("").trim();
        if addr.is_empty() {
            return Err("give the bore server as HOST[:PORT][,secret=S], e.g. bore.example.com or 203.0.113.7:4000".into());
        }
        let (host, port) = match addr.rsplit_once(':') {
            Some((h, p)) if !h.contains(':') || h.starts_with('[') => {
                let port = p.parse::<u16>().map_err(|_| format!("{p:?} is not a port number"))?;
                (h.trim_start_matches('[').trim_end_matches(']').to_owned(), port)
            }
            _ => (addr.trim_start_matches('[').trim_end_matches(']').to_owned(), 0),
        };
        let mut secret = None;
        for opt in parts {
            match opt.split_once('=') {
                Some(("secret", s)) if !s.is_empty() => secret = Some(s.to_owned()),
                _ => return Err(format!("unknown bore option {opt:?}: only secret=S is understood")),
            }
        }
        Ok(BoreSpec { host, port, secret })
    }
}

/// Where a tunnel is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TunnelState {
    Off,
    Connecting,
    Online,
    Reconnecting,
    Failed,
}

/// What the UI and the CLI show about the tunnel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TunnelStatusView {
    /// `ngrok` or `bore`; null when no tunnel was started.
    pub provider: Option<String>,
    pub state: TunnelState,
    /// The public base URL (e.g. `https://abcd.ngrok.app`), kept while reconnecting.
    pub public_url: Option<String>,
    /// Why it is reconnecting or failed, in plain words.
    pub message: Option<String>,
    /// A stable code for that reason: `bad_token`, `missing_token`, `account_limit`,
    /// `no_network`, `domain_not_reserved`, `auth_failed`, `lost_connection`, `other`.
    pub reason: Option<String>,
    /// How many reconnection attempts since the tunnel was last online.
    pub attempts: u32,
    /// An SVG QR code of the public URL (generated here, not payload data).
    pub qr_svg: Option<String>,
}

impl TunnelStatusView {
    pub fn off() -> TunnelStatusView {
        TunnelStatusView { provider: None, state: TunnelState::Off, public_url: None, message: None, reason: None, attempts: 0, qr_svg: None }
    }
}

/// Delay before reconnection attempt `attempt` (1-based): 1 s, 2 s, 4 s … capped at 30 s.
pub fn backoff(attempt: u32) -> Duration {
    Duration::from_secs(1u64 << attempt.saturating_sub(1).min(5)).min(Duration::from_secs(30))
}

/// A failure described for people: `(reason code, message)`.
pub type Reason = (&'static str, String);

/// Words for an ngrok failure, from its `ERR_NGROK_*` code when it has one.
pub fn ngrok_reason(error_code: Option<&str>, detail: &str) -> Reason {
    match error_code {
        Some("ERR_NGROK_105") | Some("ERR_NGROK_107") => (
            "bad_token",
            "ngrok rejected the auth token: copy it again from dashboard.ngrok.com → Your Authtoken and save it in the tunnel settings".into(),
        ),
        Some("ERR_NGROK_4018") => (
            "missing_token",
            "ngrok needs an auth token: sign up at ngrok.com, then paste the token in the tunnel settings or set NGROK_AUTHTOKEN".into(),
        ),
        Some("ERR_NGROK_108") => (
            "account_limit",
            "your ngrok account already has as many agent sessions online as its plan allows: stop the other ngrok agent, or upgrade".into(),
        ),
        Some("ERR_NGROK_313") | Some("ERR_NGROK_319") | Some("ERR_NGROK_320") => (
            "domain_not_reserved",
            "this domain is not reserved on your ngrok account: reserve it in the ngrok dashboard (Domains) or leave the domain empty".into(),
        ),
        Some(code) => ("other", format!("ngrok refused the tunnel ({code}): {detail}")),
        None => ("other", format!("ngrok: {detail}")),
    }
}

/// Words for a transport failure (either provider).
pub fn network_reason(target: &str, detail: &str) -> Reason {
    ("no_network", format!("cannot reach {target}: check the network connection ({detail})"))
}

/// An SVG QR code for `url`.
pub fn qr_svg(url: &str) -> Option<String> {
    let code = qrcode::QrCode::new(url.as_bytes()).ok()?;
    Some(code.render::<qrcode::render::svg::Color>().min_dimensions(180, 180).quiet_zone(true).build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bore_specs() {
        assert_eq!(BoreSpec::parse("bore.example.com").unwrap(), BoreSpec { host: "bore.example.com".into(), port: 0, secret: None });
        assert_eq!(
            BoreSpec::parse("127.0.0.1:4000,secret=s3cr=t").unwrap(),
            BoreSpec { host: "127.0.0.1".into(), port: 4000, secret: Some("s3cr=t".into()) }
        );
        assert_eq!(BoreSpec::parse("[::1]:9").unwrap().host, "::1");
        assert!(BoreSpec::parse("").is_err());
        assert!(BoreSpec::parse("h:notaport").is_err());
        assert!(BoreSpec::parse("h,colour=blue").is_err());
        assert!(!format!("{:?}", BoreSpec::parse("h,secret=hunter2").unwrap()).contains("hunter2"));
    }

    #[test]
    fn backoff_doubles_then_caps() {
        let secs: Vec<u64> = (1..=8).map(|a| backoff(a).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 30, 30, 30]);
    }

    #[test]
    fn ngrok_errors_become_plain_words() {
        assert_eq!(ngrok_reason(Some("ERR_NGROK_105"), "x").0, "bad_token");
        assert_eq!(ngrok_reason(Some("ERR_NGROK_108"), "x").0, "account_limit");
        assert_eq!(ngrok_reason(Some("ERR_NGROK_4018"), "x").0, "missing_token");
        assert_eq!(ngrok_reason(Some("ERR_NGROK_320"), "x").0, "domain_not_reserved");
        let (code, msg) = ngrok_reason(Some("ERR_NGROK_999"), "something odd");
        assert_eq!(code, "other");
        assert!(msg.contains("ERR_NGROK_999") && msg.contains("something odd"));
    }

    #[test]
    fn tokens_never_print() {
        let t = AuthToken::new(" 2abcdefghijklmnopqrstuvwxyz ");
        assert_eq!(format!("{t:?}"), "[redacted]");
        assert_eq!(t.masked(), "2abc…wxyz");
        assert_eq!(t.expose(), "2abcdefghijklmnopqrstuvwxyz");
    }

    #[test]
    fn qr_code_is_svg() {
        let svg = qr_svg("https://abcd.ngrok.app").unwrap();
        assert!(svg.starts_with("<?xml") && svg.contains("<svg"));
    }
}
