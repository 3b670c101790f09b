//! `hookloupe export` and `hookloupe import`: argument shapes, one engine call each, and the
//! report printed. Export writes to stdout by default (the report then goes to stderr, so the
//! file is all stdout carries) or to `-o FILE`, written aside and renamed by the engine. Import
//! takes a file, `-` for stdin, or `--curl 'curl …'` (`--curl -` reads the command from stdin);
//! it exits 1 when some lines or entries were not imported. Presentation only: the formats, the
//! atomic file and the verdicts live in hookloupe-core.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use hookloupe_core::ipc::{ExportFormat, ExportReport, ExportReq, ImportCurlReq, ImportReport, ImportReq, RedactOptions};
use hookloupe_core::Engine;

use crate::list::FilterArgs;
use crate::print;

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    /// HAR 1.2, for browser devtools, HTTP Toolkit, Insomnia.
    Har,
    /// Hookloupe's lossless JSONL: importing it reproduces the captures exactly.
    Jsonl,
}

#[derive(Args)]
pub struct ExportArgs {
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: Format,
    /// A bundle for a ticket: the values of signature headers, Authorization, cookies, API-key
    /// headers and token query parameters replaced by [redacted].
    #[arg(long)]
    pub redact: bool,
    /// Also replace the value at this JSON path (`data.customer.email`, `items[*].iban`);
    /// repeatable; implies --redact.
    #[arg(long = "redact-path", value_name = "PATH")]
    pub redact_paths: Vec<String>,
    /// Write to FILE (aside, then renamed: never left half-written) instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub filter: FilterArgs,
}

#[derive(Args)]
pub struct ImportArgs {
    /// A Hookloupe JSONL export or a HAR file (told apart by content); `-` reads stdin.
    #[arg(value_name = "FILE|-", required_unless_present = "curl", conflicts_with = "curl")]
    pub file: Option<PathBuf>,
    /// Import one request from a pasted curl command instead (`-` reads it from stdin).
    #[arg(long, value_name = "COMMAND")]
    pub curl: Option<String>,
    /// The endpoint the captures land in and are judged by (default: the one each JSONL line
    /// names when it exists, else the endpoint whose path prefix matches).
    #[arg(long, value_name = "NAME")]
    pub endpoint: Option<String>,
}

/// `hookloupe export`.
pub async fn export(engine: &Engine, args: ExportArgs, json: bool) -> anyhow::Result<()> {
    let format = match args.format {
        Format::Har => ExportFormat::Har,
        Format::Jsonl => ExportFormat::Jsonl,
    };
    let redact = (args.redact || !args.redact_paths.is_empty())
        .then(|| RedactOptions { defaults: true, json_paths: args.redact_paths.clone() });
    let filter = args.filter.filter();
    match args.output {
        Some(path) => {
            let req = ExportReq { filter, format, redact, path: path.display().to_string() };
            let report = engine.export(req).await?;
            if json {
                println!("{}", serde_json::to_string(&report)?);
            } else {
                println!("{}", export_text(&report));
            }
        }
        None => {
            let req = ExportReq { filter, format, redact, path: "-".into() };
            let report = engine.export_to(req, Box::new(std::io::stdout())).await?;
            if json {
                eprintln!("{}", serde_json::to_string(&report)?);
            } else {
                eprintln!("{}", export_text(&report));
            }
        }
    }
    Ok(())
}

fn export_text(r: &ExportReport) -> String {
    let format = match r.format {
        ExportFormat::Har => "HAR",
        ExportFormat::Jsonl => "JSONL",
    };
    let to = if r.path == "-" { "stdout".to_owned() } else { print::safe(&r.path) };
    let s = if r.captures == 1 { "" } else { "s" };
    let mut text = format!("Exported {} capture{s} ({}, {}) to {to}.", r.captures, format, print::size(r.bytes));
    for item in &r.redacted {
        text.push_str(&format!("\n  redacted {} × {}", item.count, print::safe(&item.what)));
    }
    text
}

/// `hookloupe import`: exit 1 when some lines were not imported.
pub async fn import(engine: &Engine, args: ImportArgs, json: bool) -> anyhow::Result<ExitCode> {
    let report = match (&args.curl, &args.file) {
        (Some(command), _) => {
            let command = if command == "-" {
                let mut text = String::new();
                std::io::stdin().read_to_string(&mut text)?;
                text
            } else {
                command.clone()
            };
            engine.import_curl(ImportCurlReq { command, endpoint: args.endpoint.clone() }).await?
        }
        (None, Some(file)) if file.as_os_str() == "-" => {
            engine.import_from(Box::new(std::io::stdin()), args.endpoint.clone()).await?
        }
        (None, Some(file)) => {
            engine.import(ImportReq { path: file.display().to_string(), endpoint: args.endpoint.clone() }).await?
        }
        (None, None) => anyhow::bail!(hookloupe_core::Error::InvalidInput("give a file to import, - for stdin, or --curl".into())),
    };
    if json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!("{}", import_text(&report));
    }
    Ok(if report.problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn import_text(r: &ImportReport) -> String {
    let ids = match (r.ids.first(), r.ids.last()) {
        (Some(a), Some(b)) if a == b => format!(" (#{a})"),
        (Some(a), Some(b)) => format!(" (#{a}–#{b})"),
        _ => String::new(),
    };
    let n = r.ids.len();
    let mut text = format!("Imported {n} capture{} from {}{ids}.", if n == 1 { "" } else { "s" }, r.format.to_uppercase());
    if !r.problems.is_empty() {
        let unit = if r.format == "har" { "entry" } else { "line" };
        text.push_str(&format!("\n{} not imported:", r.problems.len()));
        for p in &r.problems {
            if p.at == 0 {
                text.push_str(&format!("\n  {}", print::safe(&p.message)));
            } else {
                text.push_str(&format!("\n  {unit} {}: {}", p.at, print::safe(&p.message)));
            }
        }
    }
    text
}
