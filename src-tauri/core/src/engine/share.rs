//! Export and import, the engine's side: which captures (the search filter), read from the
//! store in small batches and streamed to the file, so memory stays flat whatever the count; the
//! file written aside (`<name>.partial` in the same directory), flushed, fsynced and only then
//! renamed, and removed on any error (a full disk says `disk_full`), so no half-written file
//! is ever left under the name asked for. Import reads a file (format from its content), a
//! stream or a pasted curl command, lands each capture in an endpoint, judges it there with the
//! endpoint's own secrets (the receiver's [`super::signatures::judge`], at the capture's own
//! time, so signatures that verified still verify) and stores good lines in bounded
//! transactions; a bad line is reported with its number and stores nothing. Imported captures
//! are not forwarded (they are not new deliveries). The formats themselves are
//! [`crate::share`]; the SQL is `store::share`. It must not format output for a host.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use super::{Engine, Inner};
use crate::error::{Error, Result};
use crate::event::Event;
use crate::ipc::{ExportFormat, ExportReport, ExportReq, ImportCurlReq, ImportProblem, ImportReport, ImportReq, RedactOptions};
use crate::model::{route, CaptureId, Endpoint, DEFAULT_ENDPOINT};
use crate::share::har::HarWriter;
use crate::share::redact::Redactor;
use crate::share::{jsonl, Incoming, Reply};
use crate::store::share::{self as share_store, ImportRow};

/// Captures read from the store per round trip while exporting (bodies up to the body limit
/// each, so this bounds memory).
const EXPORT_BATCH: usize = 100;
/// Imported captures stored per transaction, at most…
const IMPORT_BATCH: usize = 1000;
/// …and at most this many body bytes.
const IMPORT_BATCH_BYTES: usize = 32 * 1024 * 1024;
/// Problems listed one by one in a report; the rest are counted in one last line.
const MAX_PROBLEMS: usize = 1000;
/// Output buffer of an export.
const WRITE_BUFFER: usize = 256 * 1024;

/// Counts what goes through to the inner writer.
struct Counting<W: Write> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// An I/O error while writing `path`: a full disk gets its own code.
fn write_error(path: &Path, e: std::io::Error) -> Error {
    const ENOSPC: i32 = 28;
    const EDQUOT: i32 = 122;
    if e.kind() == std::io::ErrorKind::StorageFull || matches!(e.raw_os_error(), Some(ENOSPC) | Some(EDQUOT)) {
        return Error::DiskFull { path: path.display().to_string() };
    }
    Error::io(format!("cannot write {}", path.display()), e)
}

/// Writes `target` through `write`: into `<name>.partial` beside it, flushed, fsynced, then
/// renamed over the target (and the directory fsynced), so a reader never finds a half-written
/// file under that name; on any error the partial file is removed. Returns what `write` gave
/// and the bytes written.
fn write_aside<T>(target: &Path, write: impl FnOnce(&mut dyn Write) -> Result<T>) -> Result<(T, u64)> {
    let partial = partial_path(target);
    let result = (|| -> Result<(T, u64)> {
        let file = std::fs::File::create(&partial).map_err(|e| write_error(target, e))?;
        let mut out = Counting { inner: std::io::BufWriter::with_capacity(WRITE_BUFFER, file), bytes: 0 };
        let value = write(&mut out)?;
        out.flush().map_err(|e| write_error(target, e))?;
        let file = out.inner.into_inner().map_err(|e| write_error(target, e.into_error()))?;
        file.sync_all().map_err(|e| write_error(target, e))?;
        drop(file);
        std::fs::rename(&partial, target).map_err(|e| write_error(target, e))?;
        if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
            // The rename itself made durable (best effort: not every filesystem allows it).
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok((value, out.bytes))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

/// `dir/name.partial`, beside the target (a rename within one directory is atomic).
fn partial_path(target: &Path) -> PathBuf {
    let mut name = target.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".partial");
    target.with_file_name(name)
}

impl Inner {
    /// Writes the captures `ids` to `out`; returns how many were written and what was redacted.
    fn write_export(
        &self,
        ids: &[CaptureId],
        format: ExportFormat,
        redact: Option<&RedactOptions>,
        out: &mut dyn Write,
        target: &Path,
    ) -> Result<(u64, Vec<crate::ipc::RedactedItem>)> {
        let endpoints: Vec<Endpoint> = self.endpoints.read().map(|t| t.as_ref().clone()).unwrap_or_default();
        let mut redactor = match redact {
            Some(opts) => {
                let (headers, params) = self.signature_names();
                Some(Redactor::new(opts, &headers, &params).map_err(Error::InvalidInput)?)
            }
            None => None,
        };
        let io = |e| write_error(target, e);
        let summary = redactor.as_ref().map(Redactor::summary);
        enum Sink<'a> {
            Har(HarWriter<&'a mut dyn Write>),
            Jsonl(&'a mut dyn Write),
        }
        let mut sink = match format {
            ExportFormat::Har => Sink::Har(HarWriter::start(out, env!("CARGO_PKG_VERSION"), summary.as_ref()).map_err(io)?),
            ExportFormat::Jsonl => {
                if let Some(s) = &summary {
                    jsonl::write_bundle_line(out, s).map_err(io)?;
                }
                Sink::Jsonl(out)
            }
        };
        let mut written = 0u64;
        for chunk in ids.chunks(EXPORT_BATCH) {
            let rows = self.store.with(|c| share_store::get_many(c, chunk))?;
            for (mut capture, provenance) in rows {
                if let Some(r) = redactor.as_mut() {
                    r.apply(&mut capture);
                }
                match &mut sink {
                    Sink::Har(w) => {
                        let rule = endpoints.iter().find(|e| e.name == capture.data.endpoint).map(|e| e.response.clone()).unwrap_or_default();
                        let mut reply: Reply = crate::receiver::response::reply_of(&rule, capture.id);
                        if let Some(r) = redactor.as_mut() {
                            r.reply(&mut reply);
                        }
                        w.entry(&capture, &reply).map_err(io)?;
                    }
                    Sink::Jsonl(out) => {
                        match redactor {
                            Some(_) => jsonl::write_redacted(*out, &capture).map_err(io)?,
                            None => jsonl::write_capture(*out, &capture, provenance.as_ref()).map_err(io)?,
                        }
                    }
                }
                written += 1;
            }
        }
        if let Sink::Har(w) = sink {
            w.finish().map_err(io)?;
        }
        Ok((written, redactor.map(|r| r.report()).unwrap_or_default()))
    }

    /// Header and parameter names the endpoints' signature settings use (a generic HMAC's
    /// `header`, `query_param`, `form_field`…), so a redacted export hides them too.
    fn signature_names(&self) -> (Vec<String>, Vec<String>) {
        let table = self.signatures.table.read().map(|t| t.clone()).unwrap_or_default();
        let (mut headers, mut params) = (Vec::new(), Vec::new());
        for sig in table.values() {
            for (k, v) in &sig.options {
                match k.as_str() {
                    "header" => headers.push(v.clone()),
                    "query_param" | "form_field" | "param" => params.push(v.clone()),
                    _ => {}
                }
            }
        }
        (headers, params)
    }

    /// Lands, judges and stores imported captures; `read` feeds them (1-based position and the
    /// capture or why it cannot be imported).
    fn import_all(
        &self,
        format: &str,
        endpoint: Option<&str>,
        read: impl FnOnce(&mut dyn FnMut(u32, std::result::Result<Incoming, String>)) -> std::result::Result<(), String>,
    ) -> Result<ImportReport> {
        let endpoints: Vec<Endpoint> = self.endpoints.read().map(|t| t.as_ref().clone()).unwrap_or_default();
        if let Some(name) = endpoint {
            if !endpoints.iter().any(|e| e.name == name) {
                return Err(Error::NotFound(format!("no endpoint named {name:?}: add it first, or leave --endpoint out")));
            }
        }
        let table = self.signatures.table.read().map(|t| t.clone()).unwrap_or_default();
        let retention = self.retention.load(std::sync::atomic::Ordering::Relaxed);
        let mut report = ImportReport { format: format.to_owned(), ids: Vec::new(), problems: Vec::new() };
        let mut more_problems = 0u64;
        let mut batch: Vec<ImportRow> = Vec::new();
        let mut batch_bytes = 0usize;
        let mut failed: Option<Error> = None;
        let flush = |batch: &mut Vec<ImportRow>, report: &mut ImportReport| -> Result<()> {
            if batch.is_empty() {
                return Ok(());
            }
            let ids = self.store.with(|c| share_store::import_batch(c, batch, retention))?;
            report.ids.extend(ids);
            batch.clear();
            Ok(())
        };
        let mut each = |at: u32, item: std::result::Result<Incoming, String>| {
            if failed.is_some() {
                return;
            }
            match item {
                Ok(incoming) => {
                    let mut capture = incoming.capture;
                    let named = std::mem::take(&mut capture.endpoint);
                    capture.endpoint = match endpoint {
                        Some(e) => e.to_owned(),
                        None if !named.is_empty() && endpoints.iter().any(|e| e.name == named) => named,
                        None => route(&endpoints, &capture.path).map_or(DEFAULT_ENDPOINT.to_owned(), |e| e.name.clone()),
                    };
                    let signature = super::signatures::judge(&table, &*self.signatures.certs, &capture);
                    batch_bytes += capture.body.len();
                    batch.push((capture, signature, incoming.provenance));
                    if batch.len() >= IMPORT_BATCH || batch_bytes >= IMPORT_BATCH_BYTES {
                        batch_bytes = 0;
                        if let Err(e) = flush(&mut batch, &mut report) {
                            failed = Some(e);
                        }
                    }
                }
                Err(message) => {
                    if report.problems.len() < MAX_PROBLEMS {
                        report.problems.push(ImportProblem { at, message });
                    } else {
                        more_problems += 1;
                    }
                }
            }
        };
        let outcome = read(&mut each);
        if let Some(e) = failed {
            self.imported(&report);
            return Err(e);
        }
        outcome.map_err(Error::InvalidInput)?;
        flush(&mut batch, &mut report)?;
        if more_problems > 0 {
            report.problems.push(ImportProblem { at: 0, message: format!("{more_problems} more were not imported") });
        }
        self.imported(&report);
        Ok(report)
    }

    fn imported(&self, report: &ImportReport) {
        if !report.ids.is_empty() {
            let _ = self.events.send(Event::CapturesChanged);
        }
    }

    /// Imports a stream: Hookloupe JSONL when its first line says so, else HAR.
    fn import_stream(&self, input: Box<dyn Read + Send>, endpoint: Option<&str>) -> Result<ImportReport> {
        let mut input = BufReader::with_capacity(WRITE_BUFFER, input);
        let start = input.fill_buf().map_err(|e| Error::io("cannot read the import", e))?;
        if start.is_empty() {
            return Err(Error::InvalidInput("the file to import is empty".into()));
        }
        let now_us = chrono::Utc::now().timestamp_micros();
        if jsonl::looks_like(start) {
            self.import_all("jsonl", endpoint, |each| {
                let mut line = Vec::new();
                let mut at = 0u32;
                loop {
                    line.clear();
                    let n = input.read_until(b'\n', &mut line).map_err(|e| format!("reading the file failed: {e}"))?;
                    if n == 0 {
                        return Ok(());
                    }
                    at += 1;
                    let text = line.strip_suffix(b"\n").unwrap_or(&line);
                    let text = text.strip_suffix(b"\r").unwrap_or(text);
                    match jsonl::read_line(text, at == 1) {
                        Ok(jsonl::Read::Capture(incoming)) => each(at, Ok(*incoming)),
                        Ok(jsonl::Read::Skip) => {}
                        Err(message) => each(at, Err(message)),
                    }
                }
            })
        } else {
            self.import_all("har", endpoint, |each| crate::share::har::read_entries(input, now_us, each).map(|_| ()))
        }
    }
}

impl Engine {
    /// Writes the captures matching `req.filter` to `req.path` (HAR or JSONL, redacted when
    /// asked): aside first, then renamed, never left half-written under that name.
    pub async fn export(&self, req: ExportReq) -> Result<ExportReport> {
        if req.path.trim().is_empty() {
            return Err(Error::InvalidInput("give the file to export to".into()));
        }
        let ids = self.matching_ids(req.filter.clone()).await?;
        self.blocking(move |i| {
            let target = PathBuf::from(&req.path);
            let ((captures, redacted), bytes) =
                write_aside(&target, |out| i.write_export(&ids, req.format, req.redact.as_ref(), out, &target))?;
            Ok(ExportReport { path: req.path.clone(), format: req.format, captures, bytes, redacted })
        })
        .await
    }

    /// Saves a capture's body, its exact bytes, to `path` (the window's "Save body…"), written
    /// aside and renamed like an export; returns the bytes written.
    pub async fn save_body(&self, id: CaptureId, path: String) -> Result<u64> {
        if path.trim().is_empty() {
            return Err(Error::InvalidInput("give the file to save the body to".into()));
        }
        let capture = self.capture(id).await?;
        self.blocking(move |_| {
            let ((), bytes) = write_aside(Path::new(&path), |out| {
                out.write_all(&capture.data.body).map_err(|e| write_error(Path::new(&path), e))
            })?;
            Ok(bytes)
        })
        .await
    }

    /// [`Engine::export`] to a stream (the CLI's stdout): written as it goes, nothing renamed.
    pub async fn export_to(&self, req: ExportReq, out: Box<dyn Write + Send>) -> Result<ExportReport> {
        let ids = self.matching_ids(req.filter.clone()).await?;
        self.blocking(move |i| {
            let target = PathBuf::from(&req.path);
            let mut out = Counting { inner: std::io::BufWriter::with_capacity(WRITE_BUFFER, out), bytes: 0 };
            let (captures, redacted) = i.write_export(&ids, req.format, req.redact.as_ref(), &mut out, &target)?;
            out.flush().map_err(|e| write_error(&target, e))?;
            Ok(ExportReport { path: req.path.clone(), format: req.format, captures, bytes: out.bytes, redacted })
        })
        .await
    }

    /// Imports a Hookloupe JSONL or a HAR file (told apart by content).
    pub async fn import(&self, req: ImportReq) -> Result<ImportReport> {
        let file = std::fs::File::open(&req.path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::NotFound(format!("no file {}", req.path)),
            _ => Error::io(format!("cannot open {}", req.path), e),
        })?;
        self.import_from(Box::new(file), req.endpoint).await
    }

    /// [`Engine::import`] from a stream (the CLI's stdin).
    pub async fn import_from(&self, input: Box<dyn Read + Send>, endpoint: Option<String>) -> Result<ImportReport> {
        self.blocking(move |i| i.import_stream(input, endpoint.as_deref())).await
    }

    /// Imports one request from a pasted curl command, received now.
    pub async fn import_curl(&self, req: ImportCurlReq) -> Result<ImportReport> {
        let incoming = crate::curl_parse::parse(&req.command, chrono::Utc::now().timestamp_micros()).map_err(Error::InvalidInput)?;
        self.blocking(move |i| {
            i.import_all("curl", req.endpoint.as_deref(), move |each| {
                each(1, Ok(incoming));
                Ok(())
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_sits_beside_the_target() {
        assert_eq!(partial_path(Path::new("/a/b/out.har")), PathBuf::from("/a/b/out.har.partial"));
        assert_eq!(partial_path(Path::new("out.jsonl")), PathBuf::from("out.jsonl.partial"));
    }

    #[test]
    fn a_full_disk_is_named() {
        let e = write_error(Path::new("/x"), std::io::Error::from_raw_os_error(28));
        assert_eq!(e.code(), crate::error::ErrorCode::DiskFull);
    }
}
