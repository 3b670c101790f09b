//! The one outbound HTTP client: sends exactly the request [`crate::forward`] built and returns
//! the response, or why there is none as a stable [`SendFailure`] code with plain words.
//!
//! The request head is written by hand, because no well-kept Rust HTTP client writes header
//! names in their original case and repeated headers interleaved in their original order
//! (hyper's `HeaderMap` lower-cases names and groups repeats; reqwest and ureq sit on it or on
//! the `http` crate's map). The response is read with `httparse` (head and chunk sizes), HTTP/1.1
//! framing by RFC 9112 §6.3; interim 1xx answers are skipped. TLS is rustls with the system's
//! roots, ALPN `http/1.1`; "insecure" accepts any certificate, for self-signed staging. One
//! connection per request (no pooling: each attempt is independent and its timing honest). The
//! body kept is capped; the rest is read and counted, so memory stays flat. This module must not
//! decide what to send, store anything, or read any clock but its own timeouts.

mod tls;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;

pub use crate::forward::failure::SendFailure;
use crate::forward::Outgoing;
use crate::model::HeaderList;

/// Largest response head read (as for requests).
const MAX_HEAD: usize = 1024 * 1024;
const MAX_HEADERS: usize = 512;
const READ_CHUNK: usize = 64 * 1024;

/// A failure with its words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: SendFailure,
    pub message: String,
}

fn fail(code: SendFailure, message: impl Into<String>) -> Failure {
    Failure { code, message: message.into() }
}

/// How to send.
#[derive(Debug, Clone)]
pub struct SendOptions {
    /// For the whole attempt: resolving, connecting, writing and reading the full answer.
    pub timeout: Duration,
    /// Accept any TLS certificate.
    pub insecure: bool,
    /// Response body bytes kept; the rest is read and counted.
    pub max_body: usize,
}

/// The target's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub reason: String,
    /// In the order and name case received.
    pub headers: HeaderList,
    /// Up to `max_body` bytes (after chunked decoding; content codings are left as sent).
    pub body: Vec<u8>,
    /// The whole body's size.
    pub body_size: u64,
    pub truncated: bool,
}

/// One attempt: the answer or the failure, and how long it took.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub result: Result<Response, Failure>,
    pub duration: Duration,
}

/// Sends `req` and reads the answer, within `opts.timeout`, unless `cancel` fires first.
pub async fn send(req: &Outgoing, opts: &SendOptions, cancel: &CancellationToken) -> Attempt {
    let started = Instant::now();
    let result = tokio::select! {
        r = tokio::time::timeout(opts.timeout, exchange(req, opts)) => match r {
            Ok(r) => r,
            Err(_) => Err(fail(SendFailure::Timeout, format!(
                "no complete answer within {} (the timeout); raise it for a handler paused at a breakpoint",
                human_duration(opts.timeout)
            ))),
        },
        _ = cancel.cancelled() => Err(fail(SendFailure::Cancelled, "cancelled while waiting for the answer")),
    };
    Attempt { result, duration: started.elapsed() }
}

fn human_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms % 1000 == 0 { format!("{} s", ms / 1000) } else { format!("{ms} ms") }
}

async fn exchange(req: &Outgoing, opts: &SendOptions) -> Result<Response, Failure> {
    let dest = &req.destination;
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((dest.host.as_str(), dest.port))
        .await
        .map_err(|e| fail(SendFailure::Dns, format!("cannot resolve {}: {e}", dest.host)))?
        .collect();
    if addrs.is_empty() {
        return Err(fail(SendFailure::Dns, format!("{} has no address", dest.host)));
    }
    let mut last = None;
    let mut tcp = None;
    for addr in &addrs {
        match TcpStream::connect(addr).await {
            Ok(s) => {
                tcp = Some(s);
                break;
            }
            Err(e) => last = Some((addr, e)),
        }
    }
    let tcp = match tcp {
        Some(t) => t,
        None => {
            let (addr, e) = last.expect("at least one address was tried");
            let code = if e.kind() == std::io::ErrorKind::ConnectionRefused { SendFailure::Refused } else { SendFailure::Network };
            let words = if code == SendFailure::Refused {
                format!("nothing is listening at {addr} (connection refused): is the target running?")
            } else {
                format!("cannot connect to {addr}: {e}")
            };
            return Err(fail(code, words));
        }
    };
    let _ = tcp.set_nodelay(true);
    if dest.tls {
        let stream = tls::connect(tcp, &dest.host, opts.insecure).await?;
        converse(stream, req, opts).await
    } else {
        converse(tcp, req, opts).await
    }
}

fn io_failure(e: &std::io::Error, when: &str) -> Failure {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof => {
            fail(SendFailure::Reset, format!("the connection was reset {when}"))
        }
        _ => fail(SendFailure::Network, format!("network error {when}: {e}")),
    }
}

async fn converse<S: AsyncRead + AsyncWrite + Unpin>(mut s: S, req: &Outgoing, opts: &SendOptions) -> Result<Response, Failure> {
    let head = req.head();
    let mut wire = Vec::with_capacity(head.len() + req.body.len());
    wire.extend_from_slice(&head);
    wire.extend_from_slice(&req.body);
    let written = async {
        s.write_all(&wire).await?;
        s.flush().await
    }
    .await;
    // A target may answer (e.g. 413) and close before taking the whole body: read what it said.
    let mut reader = Reader { stream: s, buf: Vec::new() };
    let answer = read_response(&mut reader, req, opts).await;
    match (written, answer) {
        (_, Ok(r)) => Ok(r),
        (Err(e), Err(_)) => Err(io_failure(&e, "while sending the request")),
        (Ok(()), Err(f)) => Err(f),
    }
}

struct Reader<S> {
    stream: S,
    buf: Vec<u8>,
}

impl<S: AsyncRead + Unpin> Reader<S> {
    /// Reads more bytes into the buffer; 0 at end of stream.
    async fn fill(&mut self) -> std::io::Result<usize> {
        let start = self.buf.len();
        self.buf.resize(start + READ_CHUNK, 0);
        let n = self.stream.read(&mut self.buf[start..]).await;
        self.buf.truncate(start + *n.as_ref().unwrap_or(&0));
        n
    }
}

async fn read_response<S: AsyncRead + Unpin>(r: &mut Reader<S>, req: &Outgoing, opts: &SendOptions) -> Result<Response, Failure> {
    loop {
        let (status, reason, headers, head_len) = read_head(r).await?;
        r.buf.drain(..head_len);
        // Interim answers (100 Continue, 103 Early Hints) are followed by the real one.
        if (100..200).contains(&status) && status != 101 {
            continue;
        }
        let mut resp = Response { status, reason, headers, body: Vec::new(), body_size: 0, truncated: false };
        read_body(r, req, &mut resp, opts.max_body).await?;
        return Ok(resp);
    }
}

async fn read_head<S: AsyncRead + Unpin>(r: &mut Reader<S>) -> Result<(u16, String, HeaderList, usize), Failure> {
    loop {
        if !r.buf.is_empty() {
            let mut slots = vec![httparse::EMPTY_HEADER; MAX_HEADERS];
            let mut parsed = httparse::Response::new(&mut slots);
            match parsed.parse(&r.buf) {
                Ok(httparse::Status::Complete(len)) => {
                    let headers = HeaderList(
                        parsed.headers.iter().map(|h| (h.name.to_string(), h.value.to_vec())).collect(),
                    );
                    let status = parsed.code.unwrap_or(0);
                    let reason = parsed.reason.unwrap_or("").to_string();
                    return Ok((status, reason, headers, len));
                }
                Ok(httparse::Status::Partial) => {}
                Err(httparse::Error::TooManyHeaders) => {
                    return Err(fail(SendFailure::TooLarge, format!("the answer has more than {MAX_HEADERS} headers")));
                }
                Err(e) => {
                    return Err(fail(SendFailure::InvalidResponse, format!("the target's answer is not HTTP/1.x ({e})")));
                }
            }
            if r.buf.len() > MAX_HEAD {
                return Err(fail(SendFailure::TooLarge, "the answer's head is larger than 1 MiB"));
            }
        }
        match r.fill().await {
            Ok(0) if r.buf.is_empty() => {
                return Err(fail(SendFailure::Reset, "the target closed the connection without answering"));
            }
            Ok(0) => return Err(fail(SendFailure::Reset, "the target closed the connection in the middle of its answer's head")),
            Ok(_) => {}
            Err(e) => return Err(io_failure(&e, "before the answer arrived")),
        }
    }
}

fn header<'a>(h: &'a HeaderList, name: &str) -> impl Iterator<Item = &'a [u8]> + 'a {
    let name = name.to_string();
    h.0.iter().filter(move |(n, _)| n.eq_ignore_ascii_case(&name)).map(|(_, v)| v.as_slice())
}

/// Keeps up to `max` bytes of the body, counts all of them.
fn keep(resp: &mut Response, bytes: &[u8], max: usize) {
    resp.body_size += bytes.len() as u64;
    let room = max.saturating_sub(resp.body.len());
    if bytes.len() > room {
        resp.truncated = true;
    }
    resp.body.extend_from_slice(&bytes[..bytes.len().min(room)]);
}

async fn read_body<S: AsyncRead + Unpin>(r: &mut Reader<S>, req: &Outgoing, resp: &mut Response, max: usize) -> Result<(), Failure> {
    let status = resp.status;
    if req.method.eq_ignore_ascii_case("HEAD") || status == 204 || status == 304 || (100..200).contains(&status) {
        return Ok(());
    }
    let chunked = header(&resp.headers, "transfer-encoding")
        .last()
        .map(|v| String::from_utf8_lossy(v).rsplit(',').next().unwrap_or("").trim().eq_ignore_ascii_case("chunked"))
        .unwrap_or(false);
    if chunked {
        return read_chunked(r, resp, max).await;
    }
    let length = header(&resp.headers, "content-length").next().map(|v| String::from_utf8_lossy(v).trim().parse::<u64>());
    match length {
        Some(Ok(mut left)) => {
            loop {
                let take = (left as usize).min(r.buf.len());
                let bytes: Vec<u8> = r.buf.drain(..take).collect();
                keep(resp, &bytes, max);
                left -= take as u64;
                if left == 0 {
                    return Ok(());
                }
                match r.fill().await {
                    Ok(0) => {
                        return Err(fail(
                            SendFailure::Reset,
                            format!("the connection closed {left} bytes before the end of the answer's body"),
                        ))
                    }
                    Ok(_) => {}
                    Err(e) => return Err(io_failure(&e, "while reading the answer's body")),
                }
            }
        }
        Some(Err(_)) => Err(fail(SendFailure::InvalidResponse, "the answer's Content-Length is not a number")),
        None => loop {
            // No framing: the body runs to the end of the connection.
            let bytes: Vec<u8> = std::mem::take(&mut r.buf);
            keep(resp, &bytes, max);
            match r.fill().await {
                Ok(0) => return Ok(()),
                Ok(_) => {}
                Err(e) => return Err(io_failure(&e, "while reading the answer's body")),
            }
        },
    }
}

async fn read_chunked<S: AsyncRead + Unpin>(r: &mut Reader<S>, resp: &mut Response, max: usize) -> Result<(), Failure> {
    let closed = || fail(SendFailure::Reset, "the connection closed in the middle of the answer's chunked body");
    loop {
        let (consumed, size) = loop {
            match httparse::parse_chunk_size(&r.buf) {
                Ok(httparse::Status::Complete((consumed, size))) => break (consumed, size),
                Ok(httparse::Status::Partial) => match r.fill().await {
                    Ok(0) => return Err(closed()),
                    Ok(_) => {}
                    Err(e) => return Err(io_failure(&e, "while reading the answer's body")),
                },
                Err(_) => return Err(fail(SendFailure::InvalidResponse, "the answer's chunked body is malformed")),
            }
        };
        r.buf.drain(..consumed);
        if size == 0 {
            // Trailers, then the blank line: read up to it and stop.
            loop {
                if let Some(end) = find(&r.buf, b"\r\n") {
                    if end == 0 {
                        return Ok(());
                    }
                    r.buf.drain(..end + 2);
                    continue;
                }
                match r.fill().await {
                    Ok(0) => return Ok(()),
                    Ok(_) => {}
                    Err(e) => return Err(io_failure(&e, "while reading the answer's trailers")),
                }
            }
        }
        let mut left = size;
        while left > 0 {
            if r.buf.is_empty() {
                match r.fill().await {
                    Ok(0) => return Err(closed()),
                    Ok(_) => {}
                    Err(e) => return Err(io_failure(&e, "while reading the answer's body")),
                }
            }
            let take = (left as usize).min(r.buf.len());
            let bytes: Vec<u8> = r.buf.drain(..take).collect();
            keep(resp, &bytes, max);
            left -= take as u64;
        }
        // The CRLF after the chunk's data.
        while r.buf.len() < 2 {
            match r.fill().await {
                Ok(0) => return Err(closed()),
                Ok(_) => {}
                Err(e) => return Err(io_failure(&e, "while reading the answer's body")),
            }
        }
        if &r.buf[..2] != b"\r\n" {
            return Err(fail(SendFailure::InvalidResponse, "the answer's chunked body is malformed"));
        }
        r.buf.drain(..2);
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
