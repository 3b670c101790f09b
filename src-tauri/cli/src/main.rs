//! `hookloupe`: the command-line host over hookloupe-core.
//!
//! Each subcommand parses its arguments, makes one engine call and prints the result — for
//! people by default, as JSON with `--json` (errors as `{"code","message"}` on stderr with a
//! non-zero exit). It must hold no logic of its own: anything worth testing lives in core.

mod certs;
mod diff;
mod forward;
mod list;
mod print;
mod replay;
mod schemes;
mod share;
mod sign;
mod tunnel;
mod verify;

use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use hookloupe_core::config::{ListenAddr, DEFAULT_BODY_LIMIT, DEFAULT_PORT};
use hookloupe_core::ipc::{EndpointView, ErrorView, ResponseRuleView};
use hookloupe_core::{paths, Config, Engine, ErrorCode, Event, KeyringMode, PortPolicy};

#[derive(Parser)]
#[command(name = "hookloupe", version, about = "Capture, inspect and replay webhooks.")]
struct Cli {
    /// Data directory holding hookloupe.db (default: $HOOKLOUPE_DATA_DIR, else the OS data directory).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Machine-readable output: JSON on stdout, errors as {"code","message"} on stderr.
    #[arg(long, global = true)]
    json: bool,
    /// Where new secrets go: `auto` (the OS keyring when one answers, else the database) or
    /// `off` (always the database).
    #[arg(long, global = true, env = "HOOKLOUPE_KEYRING", value_name = "auto|off", default_value = "auto", value_parser = parse_keyring)]
    keyring: KeyringMode,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the receiver and print one line per capture (with --json, one JSON object per line).
    Listen {
        #[arg(long, env = "HOOKLOUPE_PORT", default_value_t = DEFAULT_PORT)]
        port: u16,
        #[arg(long, default_value = "127.0.0.1")]
        bind: IpAddr,
        /// Largest body stored, in bytes; larger requests get 413 and are recorded without their body.
        #[arg(long, default_value_t = DEFAULT_BODY_LIMIT)]
        body_limit: usize,
        /// Also open a public URL: `ngrok` (token from `hookloupe tunnel token` or NGROK_AUTHTOKEN)
        /// or `bore=HOST[:PORT][,secret=S]` (a self-hosted `bore server`).
        #[arg(long, value_name = "ngrok | bore=HOST[:PORT][,secret=S]")]
        tunnel: Option<String>,
        /// ngrok: a domain reserved on your account.
        #[arg(long, value_name = "DOMAIN")]
        ngrok_domain: Option<String>,
        /// Forward every capture of this session to URL (repeatable), like `stripe listen
        /// --forward-to`: queued durably, retried 0s/5s/25s, one line per attempt.
        #[arg(long = "forward-to", value_name = "URL")]
        forward_to: Vec<String>,
        /// With --forward-to: rebase each capture's path and query onto the URL.
        #[arg(long, requires = "forward_to")]
        forward_keep_path: bool,
        /// With --forward-to: the timeout of each attempt (up to 10m for a breakpoint).
        #[arg(long, value_name = "DURATION", default_value = "10s", requires = "forward_to")]
        forward_timeout: String,
    },
    /// List captures, newest first: full-text search, an expression, chips; counts; streams with --all.
    List(list::ListArgs),
    /// Pin a capture: retention never removes it.
    Pin { id: i64 },
    /// Unpin a capture.
    Unpin { id: i64 },
    /// Saved filters (named, to use again in the app).
    #[command(subcommand)]
    Filters(list::FiltersCmd),
    /// Export captures (all, or those the filter options match): lossless JSONL (default) or HAR 1.2,
    /// redacted for a ticket with --redact; to stdout, or -o FILE.
    Export(share::ExportArgs),
    /// Import a JSONL export or a HAR file (FILE, or - for stdin), or one pasted curl command
    /// (--curl 'curl …'); exit 1 when some lines were not imported.
    Import(share::ImportArgs),
    /// Show one capture.
    Show {
        id: i64,
        /// Write the body bytes exactly as received to stdout, nothing else.
        #[arg(long)]
        raw: bool,
    },
    /// Delete one capture.
    Delete { id: i64 },
    /// Delete all captures (of one endpoint with --endpoint).
    Clear {
        #[arg(long)]
        endpoint: Option<String>,
        /// Confirm: without it nothing is deleted.
        #[arg(long)]
        yes: bool,
    },
    /// Manage endpoints: named path prefixes and how they answer.
    #[command(subcommand)]
    Endpoint(EndpointCmd),
    /// Public URL settings.
    #[command(subcommand)]
    Tunnel(tunnel::TunnelCmd),
    /// Say where secrets are kept: the OS keyring (when one answers) or the database.
    Keyring,
    /// Check a signature: a stored capture's, or a request file's with a given scheme and secrets.
    Verify(verify::VerifyArgs),
    /// List the signature catalog: built-in schemes and providers (id, name, secret kind, whether
    /// it can sign, engine, what it signs); --json prints one object per line.
    Schemes,
    /// Signing certificates of Amazon SNS and PayPal (published at the URL each delivery names):
    /// list, add one from a file (offline), or fetch one now.
    #[command(subcommand)]
    Certs(certs::CertsCmd),
    /// Sign a request file as the scheme's sender would; prints it in the capture shape (or as curl).
    Sign(sign::SignArgs),
    /// Compare two captures: request, headers, JSON structure and body lines.
    Diff(diff::DiffArgs),
    /// Send captures to a URL, as captured or edited (and re-signed); every attempt is kept.
    Replay(replay::ReplayArgs),
    /// Delivery attempts (replays and forwards), newest first, with their answers.
    Deliveries(replay::DeliveriesArgs),
    /// Forward rules: send each new capture of an endpoint to a URL (filtered, transformed, re-signed, retried).
    #[command(subcommand)]
    Forward(forward::ForwardCmd),
    /// Forwards queued and done, newest first; retry or cancel them.
    Outbox(forward::OutboxArgs),
    /// Show or set how many captures are kept (oldest removed first; 0 keeps everything).
    Retention {
        #[arg(long)]
        max: Option<u64>,
    },
}

#[derive(Subcommand)]
enum EndpointCmd {
    /// Add an endpoint, or replace the one with this name.
    Add(EndpointArgs),
    /// List endpoints.
    List,
    /// Remove an endpoint (its captures stay).
    Remove { name: String },
    /// Send a signed test event (a sample of the endpoint's provider) to a running receiver.
    Test(sign::TestArgs),
    /// Print the endpoint's signature settings as a provider description (the catalog's TOML
    /// format, no secrets): `endpoint add … --describe FILE` reads it back.
    Describe {
        name: String,
        /// The provider's id in the description (snake_case; default from its name).
        #[arg(long)]
        id: Option<String>,
        /// The provider's display name (default: the settings' provider or label).
        #[arg(long = "name")]
        provider_name: Option<String>,
    },
}

#[derive(Args)]
struct EndpointArgs {
    name: String,
    /// Path prefix, e.g. /stripe or /api/paybox/callback.
    #[arg(long = "path")]
    path_prefix: String,
    /// Status to answer with (e.g. 503 to watch the provider retry).
    #[arg(long, default_value_t = 200)]
    status: u16,
    /// Response header, "Name: value"; repeatable.
    #[arg(long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// Response body (default: a short JSON acknowledgement).
    #[arg(long, default_value = "")]
    body: String,
    /// Wait this long before answering (e.g. 15000 to watch the provider time out).
    #[arg(long, default_value_t = 0)]
    delay_ms: u64,
    #[command(flatten)]
    signature: verify::SignatureArgs,
}

fn main() -> ExitCode {
    #[cfg(unix)]
    // SAFETY: restores the default disposition of SIGPIPE before any thread starts, as every
    // Unix filter has it: a closed pipe (`| head`) ends the process quietly.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("HOOKLOUPE_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let json = cli.json;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            let view = match e.downcast_ref::<hookloupe_core::Error>() {
                Some(core) => ErrorView::from(core),
                None => ErrorView { code: ErrorCode::Internal, message: format!("{e:#}") },
            };
            if json {
                eprintln!("{}", serde_json::to_string(&view).unwrap_or_default());
            } else {
                eprintln!("error: {}", view.message);
            }
            // 2 like grep and diff: 1 is an answer ("not valid"), 2 is "could not tell".
            ExitCode::from(2)
        }
    }
}

/// Runs one command; the exit code is 0, or 1 for a negative answer (`verify`: not valid).
async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let data_dir = cli.data_dir.clone().unwrap_or_else(paths::default_data_dir);
    let base = Config { keyring: cli.keyring, ..Config::new(data_dir) };
    let json = cli.json;
    match cli.command {
        Command::Listen { port, bind, body_limit, tunnel, ngrok_domain, forward_to, forward_keep_path, forward_timeout } => {
            let mut config = base.clone();
            config.body_limit = body_limit;
            let engine = Engine::open(config)?;
            let mut events = engine.subscribe();
            // Before listening, so that no capture arrives before its forward rule.
            let mut sessions = Vec::new();
            let mut forwarding = Vec::new();
            for url in &forward_to {
                let target = forward::TargetArgs {
                    to: url.clone(),
                    keep_path: forward_keep_path,
                    timeout: forward_timeout.clone(),
                    attempts: 3,
                    backoff: "0s,5s,25s".into(),
                    insecure: false,
                };
                let rule = engine.start_session_forward(target.spec(None)?).await?;
                forwarding.push(format!("Forwarding every capture to {} (rule {})", print::safe(&rule.spec.url), rule.id));
                sessions.push(rule.id);
            }
            let view = engine.listen(ListenAddr { bind, port, policy: PortPolicy::Exact }).await?;
            eprintln!("Listening on {} (database: {})", view.url, view.db_path);
            eprintln!("Send a webhook:  curl -X POST {}/hello -H 'Content-Type: application/json' -d '{{\"hello\":\"world\"}}'", view.url);
            for line in &forwarding {
                eprintln!("{line}");
            }
            if let Some(spec) = tunnel {
                let spec = tunnel::spec(&spec, ngrok_domain)?;
                let first = engine.start_tunnel(spec).await?;
                tunnel::print_status(&first, json);
            }
            let mut out = std::io::stdout().lock();
            loop {
                tokio::select! {
                    event = events.recv() => match event {
                        Ok(Event::Captured(c)) => {
                            let line = if json { print::capture_json(&c) } else { print::capture_line(&c) };
                            writeln!(out, "{line}")?;
                            out.flush()?;
                        }
                        Ok(Event::TunnelChanged(status)) => tunnel::print_status(&status, json),
                        Ok(Event::Delivered(a)) if a.kind == "forward" && !sessions.is_empty() => {
                            let line = if json {
                                serde_json::to_string(&serde_json::json!({ "forward": a }))?
                            } else {
                                forward::attempt_line(&a)
                            };
                            writeln!(out, "{line}")?;
                            out.flush()?;
                        }
                        Ok(_) => {}
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                            eprintln!("warning: {n} captures were stored but not printed (output too slow)");
                        }
                        Err(_) => break,
                    },
                    _ = tokio::signal::ctrl_c() => {
                        engine.stop();
                        for id in &sessions {
                            if let Err(e) = engine.end_session_forward(*id).await {
                                eprintln!("warning: forward rule {id} could not be ended: {e}");
                            }
                        }
                        eprintln!("Stopped.");
                        break;
                    }
                }
            }
        }
        Command::List(args) => list::run(&Engine::open(base.clone())?, args, json).await?,
        Command::Pin { id } => list::pin(&Engine::open(base.clone())?, id, true, json).await?,
        Command::Unpin { id } => list::pin(&Engine::open(base.clone())?, id, false, json).await?,
        Command::Filters(cmd) => list::filters(&Engine::open(base.clone())?, cmd, json).await?,
        Command::Export(args) => share::export(&Engine::open(base.clone())?, args, json).await?,
        Command::Import(args) => return share::import(&Engine::open(base.clone())?, args, json).await,
        Command::Show { id, raw } => {
            let engine = Engine::open(base.clone())?;
            let capture = engine.capture(id).await?;
            if raw {
                let mut out = std::io::stdout().lock();
                out.write_all(&capture.data.body)?;
                out.flush()?;
            } else if json {
                println!("{}", print::capture_json_pretty(&capture));
            } else {
                print::capture_detail(&capture);
            }
        }
        Command::Delete { id } => {
            Engine::open(base.clone())?.delete_capture(id).await?;
            print::done(json, &format!("Deleted capture {id}."), serde_json::json!({ "deleted": id }));
        }
        Command::Clear { endpoint, yes } => {
            if !yes {
                anyhow::bail!(hookloupe_core::Error::InvalidInput(
                    "clear deletes captures for good: add --yes to confirm".into()
                ));
            }
            let n = Engine::open(base.clone())?.clear_captures(endpoint).await?;
            print::done(json, &format!("Deleted {n} captures."), serde_json::json!({ "deleted": n }));
        }
        Command::Endpoint(cmd) => {
            let engine = Engine::open(base.clone())?;
            match cmd {
                EndpointCmd::Add(a) => {
                    let headers = a
                        .headers
                        .iter()
                        .map(|h| {
                            h.split_once(':').map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned())).ok_or_else(|| {
                                hookloupe_core::Error::InvalidInput(format!("header {h:?} is not in the form \"Name: value\""))
                            })
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    let view = EndpointView {
                        name: a.name,
                        path_prefix: a.path_prefix,
                        response: ResponseRuleView { status: a.status, headers, body: a.body, delay_ms: a.delay_ms },
                        signature: None,
                    };
                    let saved = engine.save_endpoint(view).await?;
                    let saved = verify::apply_to_endpoint(&engine, saved, &a.signature).await?;
                    let msg = format!("Endpoint {} catches {}.", saved.name, saved.path_prefix);
                    print::done(json, &msg, serde_json::to_value(&saved)?);
                }
                EndpointCmd::List => {
                    let list = engine.list_endpoints().await?;
                    if json {
                        println!("{}", serde_json::to_string_pretty(&list)?);
                    } else {
                        print::endpoint_table(&list);
                    }
                }
                EndpointCmd::Remove { name } => {
                    engine.remove_endpoint(name.clone()).await?;
                    print::done(json, &format!("Removed endpoint {name}."), serde_json::json!({ "removed": name }));
                }
                EndpointCmd::Test(args) => sign::test_event(&engine, args, json).await?,
                EndpointCmd::Describe { name, id, provider_name } => {
                    print!("{}", engine.describe_signature(&name, id, provider_name).await?);
                }
            }
        }
        Command::Tunnel(cmd) => tunnel::run(cmd, Engine::open(base.clone())?, json).await?,
        Command::Verify(args) => {
            if !verify::run(|| Ok(Engine::open(base.clone())?), args, json).await? {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Sign(args) => sign::run(args, json)?,
        Command::Schemes => schemes::run(json)?,
        Command::Certs(cmd) => certs::run(&Engine::open(base.clone())?, cmd, json).await?,
        Command::Replay(args) => {
            if !replay::run(&Engine::open(base.clone())?, args, json).await? {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Deliveries(args) => replay::list(&Engine::open(base.clone())?, args, json).await?,
        Command::Forward(cmd) => forward::run(&Engine::open(base.clone())?, cmd, json).await?,
        Command::Outbox(args) => forward::outbox(&Engine::open(base.clone())?, args, json).await?,
        Command::Diff(args) => diff::run(base, json, args).await?,
        Command::Keyring => {
            let secrets = Engine::open(base)?.settings().await?.secrets;
            let text = if secrets.keyring {
                format!("New secrets are kept in the OS keyring: {}.", secrets.detail)
            } else {
                format!("New secrets are kept in the database ({}).", secrets.detail)
            };
            print::done(json, &text, serde_json::to_value(&secrets)?);
        }
        Command::Retention { max } => {
            let engine = Engine::open(base.clone())?;
            if let Some(max) = max {
                engine.set_retention(max).await?;
            }
            let max = engine.retention();
            let text = if max == 0 { "Keeping every capture.".to_string() } else { format!("Keeping the newest {max} captures.") };
            print::done(json, &text, serde_json::json!({ "max_captures": max }));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_keyring(s: &str) -> Result<KeyringMode, String> {
    KeyringMode::parse(s).ok_or_else(|| format!("{s:?} is not a keyring mode: use auto or off"))
}
