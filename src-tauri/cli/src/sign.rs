//! `hookloupe sign` and `hookloupe endpoint test`: argument shapes, one engine call each, and
//! printing — the signed request in the capture shape (or as a curl command), or what a test
//! event became. Presentation only: signing, samples and sending live in hookloupe-core.

use std::path::PathBuf;

use clap::Args;
use hookloupe_core::ipc::TestEventView;
use hookloupe_core::signature::{SignExtra, VerdictStatus};
use hookloupe_core::{curl, Engine};

use crate::verify::{read_request, status_word, unix_now, SignatureArgs};

#[derive(Args)]
pub struct SignArgs {
    /// The request to sign, as JSON in the capture shape (`hookloupe show ID --json` works; `-`
    /// reads stdin): method, url, headers as [name, value] pairs, body_b64 or body.
    #[arg(long, value_name = "FILE")]
    pub request: PathBuf,
    #[command(flatten)]
    pub signature: SignatureArgs,
    /// Which --secret signs, counting from 0.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub secret_index: usize,
    /// The signing time, in Unix seconds (default: now).
    #[arg(long, value_name = "UNIX")]
    pub now: Option<i64>,
    /// Message id for schemes that sign one (Standard Webhooks, Svix, generic {id}); default:
    /// the request's id header (e.g. webhook-id).
    #[arg(long, value_name = "ID")]
    pub message_id: Option<String>,
    /// Mailgun: the token to sign; default: the one in the body.
    #[arg(long, value_name = "T")]
    pub token: Option<String>,
    /// Print a ready-to-paste curl command sending the signed request, instead of JSON.
    #[arg(long)]
    pub curl: bool,
}

/// `hookloupe sign`: no database is opened.
pub fn run(args: SignArgs, json: bool) -> anyhow::Result<()> {
    let input = read_request(&args.request)?;
    let config = args.signature.scheme_config("sign needs --scheme NAME")?;
    let extra = SignExtra { message_id: args.message_id, token: args.token };
    let now = args.now.unwrap_or_else(unix_now);
    let signed = Engine::sign_request(&input, &config, args.secret_index, now, &extra)?;
    if args.curl {
        let body = signed.body_b64.as_deref().map(decode).transpose()?.unwrap_or_default();
        println!("{}", curl::command(&signed.method, &signed.url, &signed.headers, &body));
    } else if json {
        println!("{}", serde_json::to_string(&signed)?);
    } else {
        println!("{}", serde_json::to_string_pretty(&signed)?);
    }
    Ok(())
}

fn decode(b64: &str) -> anyhow::Result<Vec<u8>> {
    use base64::Engine as _;
    Ok(base64::engine::general_purpose::STANDARD.decode(b64)?)
}

#[derive(Args)]
pub struct TestArgs {
    /// The endpoint whose scheme and first secret sign the event.
    pub name: String,
    /// Base URL of the receiver to send it to (a running `hookloupe listen` or the app); the
    /// endpoint's path prefix is added.
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:4665")]
    pub to: String,
}

/// `hookloupe endpoint test NAME`: signs a sample event and sends it to a running receiver.
pub async fn test_event(engine: &Engine, args: TestArgs, json: bool) -> anyhow::Result<()> {
    let view = engine.send_test_event_to(args.name, &args.to).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&view)?);
    } else {
        print_test_event(&view, &args.to);
    }
    Ok(())
}

fn print_test_event(v: &TestEventView, to: &str) {
    let status = v.status.map(|s| s.to_string()).unwrap_or_else(|| "no reply yet".into());
    println!(
        "Sent a signed test event ({}) to endpoint {}: {} {}{} → {status}",
        v.scheme.label(),
        v.endpoint,
        v.method,
        to.trim_end_matches('/'),
        v.path
    );
    match (&v.capture, v.capture_id) {
        (Some(c), _) => {
            let verdict = c.verdict.as_ref().map_or("none", |s| status_word(s.status));
            println!("capture #{}: signature {}", c.id, verdict.to_uppercase());
            if let Some(s) = c.verdict.as_ref().filter(|s| s.status != VerdictStatus::Valid) {
                let reason = serde_json::to_value(s.reason).ok().and_then(|r| r.as_str().map(str::to_owned));
                println!("reason: {}; the diagnosis: hookloupe verify {}", reason.unwrap_or_default(), c.id);
            }
        }
        (None, Some(id)) => println!("capture #{id}, stored by a receiver on another database (its verdict is there)"),
        (None, None) => println!("the target reported no capture id: is it a Hookloupe receiver?"),
    }
}
