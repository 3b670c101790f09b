//! Recovers each request head's headers exactly as sent: original name case and the true
//! arrival order, which hyper's `HeaderMap` does not keep (it lowercases names and groups
//! repeated ones).
//!
//! [`Tap`] wraps a connection's stream; every byte hyper reads also goes through a small
//! HTTP/1.1 framing tracker that parses request heads with `httparse`, skips bodies
//! (Content-Length or chunked) and queues each head's header list. The handler pops one list per
//! request, in order. The tracker never changes the bytes hyper sees; on anything it does not
//! understand it stops, and the handler falls back to the `HeaderMap` ([`reconcile`] also checks
//! that both agree before trusting the raw list). This module must not parse bodies for meaning.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::model::HeaderList;

/// Most request headers accepted; more gets hyper's 431.
pub const MAX_HEADERS: usize = 512;
/// Largest request head (request line + headers) accepted, in bytes.
pub const MAX_HEAD_BYTES: usize = 1024 * 1024;
const MAX_HEAD: usize = MAX_HEAD_BYTES;

/// Header lists of the heads read so far on one connection, oldest first.
pub type Heads = Arc<Mutex<VecDeque<HeaderList>>>;

enum State {
    Head(Vec<u8>),
    Body(u64),
    ChunkSize(Vec<u8>),
    ChunkData(u64),
    ChunkDataEnd(u8),
    Trailers(Vec<u8>),
    /// Lost track (malformed input, upgrade): queue nothing more.
    Stopped,
}

/// Follows HTTP/1.1 request framing over a byte stream.
pub struct Tracker {
    state: State,
    heads: Heads,
}

impl Tracker {
    pub fn new(heads: Heads) -> Tracker {
        Tracker { state: State::Head(Vec::new()), heads }
    }

    pub fn feed(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            data = match std::mem::replace(&mut self.state, State::Stopped) {
                State::Stopped => return,
                State::Head(mut buf) => {
                    let before = buf.len();
                    buf.extend_from_slice(data);
                    match parse_head(&buf) {
                        Head::Partial if buf.len() > MAX_HEAD => return,
                        Head::Partial => {
                            self.state = State::Head(buf);
                            return;
                        }
                        Head::Invalid => return,
                        Head::Complete { len, headers, framing } => {
                            self.heads.lock().unwrap().push_back(headers);
                            self.state = match framing {
                                Framing::None => State::Head(Vec::new()),
                                Framing::Length(n) => State::Body(n),
                                Framing::Chunked => State::ChunkSize(Vec::new()),
                                Framing::Unknown => return,
                            };
                            &data[len - before..]
                        }
                    }
                }
                State::Body(n) => {
                    let take = (n as usize).min(data.len());
                    let left = n - take as u64;
                    self.state = if left == 0 { State::Head(Vec::new()) } else { State::Body(left) };
                    &data[take..]
                }
                State::ChunkSize(mut line) => match data.iter().position(|&b| b == b'\n') {
                    None => {
                        line.extend_from_slice(data);
                        if line.len() > 4096 {
                            return;
                        }
                        self.state = State::ChunkSize(line);
                        return;
                    }
                    Some(i) => {
                        line.extend_from_slice(&data[..i]);
                        let text = String::from_utf8_lossy(&line);
                        let size = text.trim_end_matches('\r').split(';').next().unwrap_or("").trim();
                        let Ok(size) = u64::from_str_radix(size, 16) else { return };
                        self.state = if size == 0 { State::Trailers(Vec::new()) } else { State::ChunkData(size) };
                        &data[i + 1..]
                    }
                },
                State::ChunkData(n) => {
                    let take = (n as usize).min(data.len());
                    let left = n - take as u64;
                    self.state = if left == 0 { State::ChunkDataEnd(0) } else { State::ChunkData(left) };
                    &data[take..]
                }
                State::ChunkDataEnd(seen) => {
                    // Expect "\r\n" (tolerate a bare "\n").
                    match (seen, data[0]) {
                        (0, b'\r') => self.state = State::ChunkDataEnd(1),
                        (_, b'\n') => self.state = State::ChunkSize(Vec::new()),
                        _ => return,
                    }
                    &data[1..]
                }
                State::Trailers(mut buf) => {
                    buf.extend_from_slice(data);
                    // Trailers end with an empty line; with none, that line comes first.
                    let end = if buf.starts_with(b"\r\n") {
                        Some(2)
                    } else if buf.starts_with(b"\n") {
                        Some(1)
                    } else {
                        // The first blank line, however it is written (found by the fuzzer:
                        // preferring a later CRLF one made the result depend on how the bytes
                        // were split).
                        let crlf = find(&buf, b"\r\n\r\n").map(|i| i + 4);
                        let lf = find(&buf, b"\n\n").map(|i| i + 2);
                        match (crlf, lf) {
                            (Some(a), Some(b)) => Some(a.min(b)),
                            (a, b) => a.or(b),
                        }
                    };
                    match end {
                        None if buf.len() > MAX_HEAD => return,
                        None => {
                            self.state = State::Trailers(buf);
                            return;
                        }
                        Some(end) => {
                            let consumed_from_data = end - (buf.len() - data.len());
                            self.state = State::Head(Vec::new());
                            &data[consumed_from_data..]
                        }
                    }
                }
            };
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

enum Framing {
    None,
    Length(u64),
    Chunked,
    Unknown,
}

enum Head {
    Partial,
    Invalid,
    Complete { len: usize, headers: HeaderList, framing: Framing },
}

fn parse_head(buf: &[u8]) -> Head {
    // Requests may be preceded by empty lines (RFC 9112 §2.2); httparse skips them.
    let mut storage = vec![httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut storage);
    match req.parse(buf) {
        Ok(httparse::Status::Partial) => Head::Partial,
        Err(_) => Head::Invalid,
        Ok(httparse::Status::Complete(len)) => {
            let headers = HeaderList(req.headers.iter().map(|h| (h.name.to_owned(), h.value.to_vec())).collect());
            let mut framing = Framing::None;
            for (name, value) in &headers.0 {
                if name.eq_ignore_ascii_case("transfer-encoding") {
                    let last = value.rsplit(|&b| b == b',').next().unwrap_or(b"");
                    framing = if last.trim_ascii().eq_ignore_ascii_case(b"chunked") { Framing::Chunked } else { Framing::Unknown };
                    break;
                }
                if name.eq_ignore_ascii_case("content-length") {
                    framing = std::str::from_utf8(value)
                        .ok()
                        .and_then(|v| v.trim().parse().ok())
                        .map_or(Framing::Unknown, |n| if n == 0 { Framing::None } else { Framing::Length(n) });
                }
            }
            // The receiver never switches protocols (hyper serves it without upgrades, and no
            // reply is 101), so a request asking for one (`Upgrade: h2c`, websocket) is framed
            // as any other and the connection goes on as HTTP/1.1. Only CONNECT leaves HTTP.
            if req.method == Some("CONNECT") {
                framing = Framing::Unknown;
            }
            Head::Complete { len, headers, framing }
        }
    }
}

/// Uses the raw list when it holds exactly the headers hyper parsed (same lowercased names and
/// values, as multisets); otherwise the `HeaderMap`'s list.
pub fn reconcile(raw: Option<HeaderList>, parsed: HeaderList) -> HeaderList {
    let Some(raw) = raw else { return parsed };
    let key = |l: &HeaderList| {
        let mut v: Vec<(String, Vec<u8>)> = l.0.iter().map(|(n, v)| (n.to_ascii_lowercase(), v.clone())).collect();
        v.sort();
        // hyper keeps one of several identical Content-Length headers (RFC 9112 §6.3 allows
        // them): compare with repeats of the same value folded, and keep every raw one.
        v.dedup_by(|a, b| a.0 == "content-length" && a == b);
        v
    };
    if key(&raw) == key(&parsed) {
        raw
    } else {
        parsed
    }
}

/// A stream whose reads are also fed to a [`Tracker`].
pub struct Tap<S> {
    inner: S,
    tracker: Tracker,
}

impl<S> Tap<S> {
    pub fn new(inner: S, heads: Heads) -> Tap<S> {
        Tap { inner, tracker: Tracker::new(heads) }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Tap<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let this = &mut *self;
        let poll = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = poll {
            this.tracker.feed(&buf.filled()[before..]);
        }
        poll
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Tap<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, data)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
    fn poll_write_vectored(mut self: Pin<&mut Self>, cx: &mut Context<'_>, bufs: &[io::IoSlice<'_>]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heads_of(chunks: &[&[u8]]) -> Vec<Vec<(String, String)>> {
        let heads: Heads = Default::default();
        let mut t = Tracker::new(heads.clone());
        for c in chunks {
            t.feed(c);
        }
        let q = heads.lock().unwrap();
        q.iter().map(|h| h.0.iter().map(|(n, v)| (n.clone(), String::from_utf8_lossy(v).into_owned())).collect()).collect()
    }

    #[test]
    fn keeps_case_and_interleaved_order_across_pipelined_requests() {
        let wire = b"POST /a HTTP/1.1\r\nHost: x\r\nX-Dup: 1\r\nX-Other: o\r\nx-dup: 2\r\nContent-Length: 5\r\n\r\nhelloGET /b HTTP/1.1\r\nHost: y\r\nStripe-Signature: t=1\r\n\r\n";
        let one = heads_of(&[wire]);
        // The same bytes split at every position give the same result.
        for cut in 1..wire.len() {
            assert_eq!(heads_of(&[&wire[..cut], &wire[cut..]]), one, "split at {cut}");
        }
        assert_eq!(one.len(), 2);
        let names: Vec<&str> = one[0].iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["Host", "X-Dup", "X-Other", "x-dup", "Content-Length"]);
        assert_eq!(one[1][1], ("Stripe-Signature".to_string(), "t=1".to_string()));
    }

    #[test]
    fn skips_chunked_bodies_with_extensions_and_trailers() {
        let wire = b"POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\nPOST /d HTTP/1.1\r\nA: b\r\nContent-Length: 0\r\n\r\n";
        let heads = heads_of(&[wire]);
        assert_eq!(heads.len(), 2);
        assert_eq!(heads[1][0], ("A".to_string(), "b".to_string()));
        for cut in 1..wire.len() {
            assert_eq!(heads_of(&[&wire[..cut], &wire[cut..]]), heads, "split at {cut}");
        }
    }

    #[test]
    fn trailers_end_at_the_first_blank_line_however_written() {
        // Found by the fuzzer: a bare-LF blank line after the trailers, and a CRLF one later in
        // the next request; the whole stream used to pick the later one, byte-by-byte the first.
        let wire = b"POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 5\n\nPOST /d HTTP/1.1\r\nB: c\r\n\r\n";
        let heads = heads_of(&[wire]);
        let bytes: Vec<&[u8]> = wire.chunks(1).collect();
        assert_eq!(heads_of(&bytes), heads);
        assert_eq!(heads.len(), 2, "{heads:?}");
        assert_eq!(heads[1][0], ("B".to_string(), "c".to_string()));
    }

    #[test]
    fn stops_on_garbage_and_reconcile_falls_back() {
        assert!(heads_of(&[b"\x00\x01 not http\r\n\r\n"]).is_empty());
        let parsed = HeaderList(vec![("a".into(), b"1".to_vec())]);
        let raw = HeaderList(vec![("A".into(), b"2".to_vec())]);
        assert_eq!(reconcile(Some(raw), parsed.clone()), parsed);
        let raw_ok = HeaderList(vec![("A".into(), b"1".to_vec())]);
        assert_eq!(reconcile(Some(raw_ok.clone()), parsed), raw_ok);
    }
}
