//! `hookloupe certs`: the signing certificates that Amazon SNS and PayPal publish at a URL
//! each delivery names, as Hookloupe keeps them: `list`, `add URL FILE` (paste one, e.g.
//! offline; the endpoints' verdicts are judged again), `fetch URL` (download one now).
//! Presentation only: the engine checks the URL, reads the certificate and keeps it.

use std::path::PathBuf;

use clap::Subcommand;
use hookloupe_core::ipc::{AddCertificateReq, CertificateOrigin, CertificateView};
use hookloupe_core::Engine;

#[derive(Subcommand)]
pub enum CertsCmd {
    /// The kept certificates: URL, provider, fetched or pasted, subject, validity.
    List,
    /// Use FILE (PEM, `-` for stdin) as the certificate published at URL, then judge again the
    /// captures of endpoints that verify with certificates.
    Add {
        /// The URL the deliveries name (SigningCertURL, PAYPAL-CERT-URL).
        url: String,
        file: PathBuf,
    },
    /// Download the certificate at URL now (only from Amazon SNS's or PayPal's own https hosts).
    Fetch { url: String },
}

fn origin(o: CertificateOrigin) -> &'static str {
    match o {
        CertificateOrigin::Fetched => "fetched",
        CertificateOrigin::Pasted => "pasted",
    }
}

fn line(c: &CertificateView) -> String {
    let until = c.not_after.as_deref().map(|t| format!(", valid until {t}")).unwrap_or_default();
    let subject = if c.subject.is_empty() { "a bare public key".to_string() } else { c.subject.clone() };
    format!("{}  {} ({}, {}){until}\n    {subject}", c.url, c.provider, origin(c.origin), c.added_at)
}

pub async fn run(engine: &Engine, cmd: CertsCmd, json: bool) -> anyhow::Result<()> {
    match cmd {
        CertsCmd::List => {
            let all = engine.list_certificates();
            if json {
                println!("{}", serde_json::to_string_pretty(&all)?);
            } else if all.is_empty() {
                println!("No signing certificates kept yet: they are fetched when a delivery needs one, or `hookloupe certs add URL FILE`.");
            } else {
                for c in &all {
                    println!("{}", line(c));
                }
            }
        }
        CertsCmd::Add { url, file } => {
            let pem = if file.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin())?
            } else {
                std::fs::read_to_string(&file).map_err(|e| {
                    hookloupe_core::Error::InvalidInput(format!("cannot read {}: {e}", file.display()))
                })?
            };
            let kept = engine.add_certificate(AddCertificateReq { url, pem }).await?;
            crate::print::done(json, &format!("Kept the certificate for {}.\n{}", kept.url, line(&kept)), serde_json::to_value(&kept)?);
        }
        CertsCmd::Fetch { url } => {
            let kept = engine.fetch_certificate(&url).await?;
            crate::print::done(json, &format!("Fetched {}.\n{}", kept.url, line(&kept)), serde_json::to_value(&kept)?);
        }
    }
    Ok(())
}
