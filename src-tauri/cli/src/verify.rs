//! `hookloupe verify` and the signature flags of `hookloupe endpoint add`: argument shapes,
//! one engine call each, and printing verdicts (for people, or `--json`). Presentation only:
//! verification and diagnosis live in hookloupe-core.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;
use hookloupe_core::ipc::{EndpointView, RequestInput, SecretEdit, SetEndpointSignatureReq};
use hookloupe_core::signature::{provider, SchemeConfig, SchemeId, Secret, Verdict, VerdictStatus};
use hookloupe_core::{Engine, Error};

#[derive(Args)]
pub struct VerifyArgs {
    /// Id of a stored capture, checked with its endpoint's current settings (omit with --request).
    pub id: Option<i64>,
    /// A request as JSON in the capture shape (`hookloupe show ID --json` works; `-` reads stdin):
    /// method, url, headers as [name, value] pairs, body_b64 or body, optional remote_addr.
    #[arg(long, value_name = "FILE", conflicts_with = "id")]
    pub request: Option<PathBuf>,
    #[command(flatten)]
    pub signature: SignatureArgs,
    /// The time to check timestamps against, in Unix seconds (default: now).
    #[arg(long, value_name = "UNIX")]
    pub now: Option<i64>,
}

#[derive(Args, Default)]
pub struct SignatureArgs {
    /// Signature scheme or catalog provider, e.g. stripe, github, generic_hmac, bitbucket, zendesk
    /// (`hookloupe schemes` lists them; a provider's preset options come with it).
    #[arg(long, value_name = "NAME")]
    pub scheme: Option<String>,
    /// Secret (HMAC key, token or public key); repeat for rotation: any may match.
    #[arg(long = "secret", value_name = "S")]
    pub secrets: Vec<String>,
    /// A provider description (the catalog's TOML format, as `hookloupe endpoint describe`
    /// writes it): its engine and options, instead of --scheme.
    #[arg(long, value_name = "FILE", conflicts_with = "scheme")]
    pub describe: Option<PathBuf>,
    /// Scheme option, e.g. tolerance_secs=300 or public_url=https://example.com/hook; repeatable.
    #[arg(long = "option", value_name = "KEY=VALUE")]
    pub options: Vec<String>,
}

impl SignatureArgs {
    fn given(&self) -> bool {
        self.scheme.is_some() || self.describe.is_some() || !self.secrets.is_empty() || !self.options.is_empty()
    }

    /// The scheme, and the preset options when the name is a catalog provider (`bitbucket`).
    pub fn scheme_id(&self) -> anyhow::Result<Option<(SchemeId, BTreeMap<String, String>)>> {
        if let Some(file) = &self.describe {
            let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
            let p = Engine::read_provider_description(&text)?;
            return Ok(Some((p.scheme, p.options)));
        }
        self.scheme.as_deref().map(parse_scheme).transpose()
    }

    /// The scheme (or provider's preset), secrets and options given on the command line, the
    /// given options over the preset's; `missing` when no --scheme.
    pub fn scheme_config(&self, missing: &str) -> anyhow::Result<SchemeConfig> {
        let Some((scheme, mut options)) = self.scheme_id()? else {
            anyhow::bail!(Error::InvalidInput(missing.into()));
        };
        options.extend(self.option_map()?);
        Ok(SchemeConfig { scheme, secrets: self.secrets.iter().map(Secret::new).collect(), options })
    }

    pub fn option_map(&self) -> anyhow::Result<BTreeMap<String, String>> {
        self.options
            .iter()
            .map(|o| {
                o.split_once('=').map(|(k, v)| (k.trim().to_owned(), v.to_owned())).ok_or_else(|| {
                    anyhow::Error::new(Error::InvalidInput(format!("option {o:?} is not in the form KEY=VALUE")))
                })
            })
            .collect()
    }
}

/// Parses a scheme or catalog provider name (`stripe`, `standard-webhooks`, `HubSpot_v3`,
/// `bitbucket`): a provider gives its engine and preset options (`hookloupe schemes` lists them).
pub fn parse_scheme(name: &str) -> anyhow::Result<(SchemeId, BTreeMap<String, String>)> {
    let norm = name.trim().to_ascii_lowercase().replace('-', "_");
    if let Ok(s) = serde_json::from_value::<SchemeId>(serde_json::Value::String(norm.clone())) {
        return Ok((s, BTreeMap::new()));
    }
    if let Some(p) = provider::find(&norm) {
        return Ok((p.scheme, p.config().options));
    }
    let all = hookloupe_core::signature::providers();
    let like: Vec<&str> = all
        .iter()
        .map(|p| p.id.as_str())
        .filter(|id| norm.len() >= 3 && (id.contains(norm.as_str()) || norm.contains(id)))
        .take(8)
        .collect();
    let schemes: Vec<String> =
        SchemeId::ALL.iter().filter_map(|s| serde_json::to_value(s).ok()?.as_str().map(str::to_owned)).collect();
    anyhow::bail!(Error::InvalidInput(format!(
        "unknown scheme or provider {name:?}{}; schemes: {}; and {} catalog providers (`hookloupe schemes` lists them)",
        if like.is_empty() { String::new() } else { format!(" (did you mean {}?)", like.join(", ")) },
        schemes.join(", "),
        all.iter().filter(|p| !p.builtin).count()
    )))
}

/// `endpoint add … --scheme/--secret/--option`: applies the signature settings (when any flag
/// is given) and waits for the endpoint's captures to be re-evaluated.
pub async fn apply_to_endpoint(engine: &Engine, saved: EndpointView, args: &SignatureArgs) -> anyhow::Result<EndpointView> {
    if !args.given() {
        return Ok(saved);
    }
    let current = saved.signature.as_ref().and_then(|s| s.scheme);
    let (scheme, mut options) = match args.scheme_id()? {
        Some((s, preset)) => (Some(s), preset),
        None if current.is_some() => (current, BTreeMap::new()),
        None => anyhow::bail!(Error::InvalidInput("--secret and --option need --scheme NAME".into())),
    };
    options.extend(args.option_map()?);
    let secrets = if args.secrets.is_empty() {
        None
    } else {
        Some(args.secrets.iter().map(|s| SecretEdit::New(s.clone())).collect())
    };
    let view = engine
        .set_endpoint_signature(SetEndpointSignatureReq {
            endpoint: saved.name.clone(),
            scheme,
            secrets,
            options,
        })
        .await?;
    engine.settle().await;
    Ok(view)
}

/// `hookloupe verify`: a stored capture (engine opened by the caller) or a request file.
/// Returns whether the verdict is `valid` (the exit status says it too).
pub async fn run(engine: impl FnOnce() -> anyhow::Result<Engine>, args: VerifyArgs, json: bool) -> anyhow::Result<bool> {
    let verdict = match (args.id, &args.request) {
        (Some(id), None) => {
            if args.signature.given() {
                anyhow::bail!(Error::InvalidInput(
                    "a stored capture is checked with its endpoint's settings; to try other settings use --request with `hookloupe show ID --json`".into()
                ));
            }
            engine()?.verify_capture(id).await?
        }
        (None, Some(file)) => {
            let input = read_request(file)?;
            let config = args.signature.scheme_config("--request needs --scheme NAME")?;
            Engine::verify_request(&input, &config, args.now.unwrap_or_else(unix_now))?
        }
        _ => anyhow::bail!(Error::InvalidInput("give a capture id, or --request FILE --scheme NAME --secret S".into())),
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&verdict_json(&verdict))?);
    } else {
        print_verdict(&verdict);
    }
    Ok(verdict.status == VerdictStatus::Valid)
}

/// Reads a request in the capture shape from `file` (`-` = stdin).
pub fn read_request(file: &Path) -> anyhow::Result<RequestInput> {
    let text = if file.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).context("cannot read the request from stdin")?
    } else {
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?
    };
    let input = serde_json::from_str(&text).map_err(|e| {
        let name = if file.as_os_str() == "-" { "stdin".into() } else { file.display().to_string() };
        Error::InvalidInput(format!("{name} is not a request in the capture shape: {e}"))
    })?;
    Ok(input)
}

/// The current time in Unix seconds (the default of `--now`).
pub fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// `{"verdict", "reason", "scheme", "explanation", "matched_secret_index", …the rest of the Verdict}`.
pub fn verdict_json(v: &Verdict) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    out.insert("verdict".into(), serde_json::to_value(v.status).unwrap_or_default());
    if let Ok(serde_json::Value::Object(rest)) = serde_json::to_value(v) {
        out.extend(rest);
    }
    serde_json::Value::Object(out)
}

pub fn status_word(s: VerdictStatus) -> &'static str {
    match s {
        VerdictStatus::Valid => "valid",
        VerdictStatus::Invalid => "invalid",
        VerdictStatus::Expired => "expired",
        VerdictStatus::Unsigned => "unsigned",
        VerdictStatus::NoSecret => "no secret",
    }
}

fn print_verdict(v: &Verdict) {
    let reason = serde_json::to_value(v.reason).ok().and_then(|r| r.as_str().map(str::to_owned)).unwrap_or_default();
    let secret = v.matched_secret_index.map(|i| format!(" with secret #{i}")).unwrap_or_default();
    let name = v.provider.as_deref().and_then(provider::find).map(|p| p.name.as_str()).unwrap_or(v.scheme.label());
    println!("{} — {name}{secret}  ({reason})", status_word(v.status).to_uppercase());
    println!("{}", crate::print::safe(&v.explanation));
    if let Some(skew) = v.skew_secs {
        println!("timestamp skew: {skew} s");
    }
    if let Some(e) = &v.expected {
        println!("expected: {}", crate::print::safe(e));
    }
    if let Some(r) = &v.received {
        println!("received: {}", crate::print::safe(r));
    }
    if let Some(h) = &v.other_endpoint_hint {
        println!("hint: {}", crate::print::safe(h));
    }
}
