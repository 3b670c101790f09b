//! Target servers for outbound tests (replay, forwarding): a real TCP server on 127.0.0.1 port 0
//! that records every request's raw bytes exactly as they arrived and answers as told — a
//! status, a reset, silence, a slow or chunked or huge body, or plain TLS with a self-signed
//! certificate. Raw sockets on purpose: the tests must see the bytes a client really wrote.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How the target answers every request.
#[derive(Clone, Debug)]
pub enum Behaviour {
    /// `status` with these headers (Content-Length is added) and body.
    Answer { status: u16, headers: Vec<(String, String)>, body: Vec<u8> },
    /// Reads the request, then resets the connection (RST) without answering.
    Reset,
    /// Reads the request and never answers.
    Hang,
    /// Answers 200 with a chunked body made of these chunks.
    Chunked(Vec<Vec<u8>>),
    /// Answers 200 with a body of this many bytes (`x`), written in 64 KiB pieces.
    Big(usize),
    /// Answers `100 Continue`, then 200 with this body.
    ContinueThen(Vec<u8>),
}

impl Behaviour {
    pub fn status(status: u16, body: &str) -> Behaviour {
        Behaviour::Answer {
            status,
            headers: vec![("Content-Type".into(), "application/json".into()), ("X-Target".into(), "yes".into())],
            body: body.as_bytes().to_vec(),
        }
    }
}

/// One request as it arrived.
#[derive(Clone, Debug)]
pub struct Received {
    /// The head exactly as written (request line and headers, up to and including the blank line).
    pub head: Vec<u8>,
    pub body: Vec<u8>,
    /// When the whole request had arrived.
    pub at: std::time::Instant,
}

impl Received {
    pub fn head_text(&self) -> String {
        String::from_utf8_lossy(&self.head).into_owned()
    }
    /// `(name, raw value)` pairs in the order written.
    pub fn headers(&self) -> Vec<(String, Vec<u8>)> {
        let mut slots = vec![httparse::EMPTY_HEADER; 512];
        let mut req = httparse::Request::new(&mut slots);
        req.parse(&self.head).expect("a valid request head");
        req.headers.iter().map(|h| (h.name.to_string(), h.value.to_vec())).collect()
    }
    pub fn request_line(&self) -> String {
        self.head_text().lines().next().unwrap_or("").to_string()
    }
}

pub struct Target {
    pub addr: SocketAddr,
    /// `http://127.0.0.1:PORT` (or `https://` with [`Target::start_tls`]).
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
    behaviour: Arc<Mutex<Behaviour>>,
    script: Script,
    task: tokio::task::JoinHandle<()>,
}

/// Answers used one per request, in order, before the behaviour applies.
type Script = Arc<Mutex<std::collections::VecDeque<Behaviour>>>;

impl Drop for Target {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Target {
    pub async fn start(behaviour: Behaviour) -> Target {
        Target::start_inner(behaviour, None, 0).await
    }

    /// A plain target on this port (e.g. one that was down comes back where it was).
    pub async fn start_on(port: u16, behaviour: Behaviour) -> Target {
        Target::start_inner(behaviour, None, port).await
    }

    /// A free loopback port with nothing listening on it (a target that is down).
    pub fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
    }

    /// The same over TLS, with a fresh self-signed certificate for `localhost` / 127.0.0.1.
    pub async fn start_tls(behaviour: Behaviour) -> Target {
        let cert = rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).expect("certificate");
        let der = rustls::pki_types::CertificateDer::from(cert.cert.der().to_vec());
        let key = rustls::pki_types::PrivateKeyDer::try_from(cert.signing_key.serialize_der()).expect("key");
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![der], key)
            .expect("server config");
        Target::start_inner(behaviour, Some(tokio_rustls::TlsAcceptor::from(Arc::new(config))), 0).await
    }

    async fn start_inner(behaviour: Behaviour, tls: Option<tokio_rustls::TlsAcceptor>, port: u16) -> Target {
        let is_tls = tls.is_some();
        let listener = TcpListener::bind(("127.0.0.1", port)).await.expect("bind");
        let addr = listener.local_addr().unwrap();
        let received = Arc::new(Mutex::new(Vec::new()));
        let behaviour = Arc::new(Mutex::new(behaviour));
        let script: Script = Default::default();
        let (r, b, sc) = (received.clone(), behaviour.clone(), script.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (r, b, tls, sc) = (r.clone(), b.clone(), tls.clone(), sc.clone());
                tokio::spawn(async move {
                    match tls {
                        Some(acceptor) => {
                            if let Ok(s) = acceptor.accept(stream).await {
                                serve(s, r, b, sc, None).await;
                            }
                        }
                        None => {
                            let raw = stream.into_std().ok();
                            let linger = raw.as_ref().and_then(|s| s.try_clone().ok());
                            if let Some(s) = raw.and_then(|s| TcpStream::from_std(s).ok()) {
                                serve(s, r, b, sc, linger).await;
                            }
                        }
                    }
                });
            }
        });
        let url = format!("{}://127.0.0.1:{}", if is_tls { "https" } else { "http" }, addr.port());
        Target { addr, url, received, behaviour, script, task }
    }

    pub fn set(&self, behaviour: Behaviour) {
        *self.behaviour.lock().unwrap() = behaviour;
    }

    /// The next requests get these answers, one each, in order; then the behaviour applies.
    pub fn script(&self, answers: Vec<Behaviour>) {
        *self.script.lock().unwrap() = answers.into();
    }

    /// Every request received so far, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits (up to 10 s) until `n` requests have arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let got = self.received();
            if got.len() >= n || std::time::Instant::now() > deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Reads requests on one connection (keep-alive) and answers each as the behaviour says.
async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    mut s: S,
    received: Arc<Mutex<Vec<Received>>>,
    behaviour: Arc<Mutex<Behaviour>>,
    script: Script,
    raw: Option<std::net::TcpStream>,
) {
    let mut buf = Vec::new();
    loop {
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let mut chunk = [0u8; 65536];
            match s.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = buf[..head_end].to_vec();
        let length = {
            let mut slots = vec![httparse::EMPTY_HEADER; 512];
            let mut req = httparse::Request::new(&mut slots);
            let _ = req.parse(&head);
            req.headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                .and_then(|h| std::str::from_utf8(h.value).ok()?.trim().parse::<usize>().ok())
                .unwrap_or(0)
        };
        while buf.len() < head_end + length {
            let mut chunk = [0u8; 65536];
            match s.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body = buf[head_end..head_end + length].to_vec();
        buf.drain(..head_end + length);
        received.lock().unwrap().push(Received { head, body, at: std::time::Instant::now() });
        let scripted = script.lock().unwrap().pop_front();
        let b = scripted.unwrap_or_else(|| behaviour.lock().unwrap().clone());
        match b {
            Behaviour::Answer { status, headers, body } => {
                let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status));
                for (n, v) in headers {
                    out.push_str(&format!("{n}: {v}\r\n"));
                }
                out.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
                let mut bytes = out.into_bytes();
                bytes.extend_from_slice(&body);
                if s.write_all(&bytes).await.is_err() {
                    return;
                }
            }
            Behaviour::Reset => {
                if let Some(raw) = &raw {
                    let _ = socket_linger_zero(raw);
                }
                drop(s);
                return;
            }
            Behaviour::Hang => {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                return;
            }
            Behaviour::Chunked(chunks) => {
                let mut out = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n".to_vec();
                for c in chunks {
                    out.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
                    out.extend_from_slice(&c);
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(b"0\r\nX-Trailer: t\r\n\r\n");
                if s.write_all(&out).await.is_err() {
                    return;
                }
            }
            Behaviour::Big(n) => {
                let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {n}\r\nContent-Type: text/plain\r\n\r\n");
                if s.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let piece = vec![b'x'; 65536];
                let mut left = n;
                while left > 0 {
                    let k = left.min(piece.len());
                    if s.write_all(&piece[..k]).await.is_err() {
                        return;
                    }
                    left -= k;
                }
            }
            Behaviour::ContinueThen(body) => {
                let mut out = b"HTTP/1.1 100 Continue\r\n\r\n".to_vec();
                out.extend_from_slice(format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len()).as_bytes());
                out.extend_from_slice(&body);
                if s.write_all(&out).await.is_err() {
                    return;
                }
            }
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        400 => "Bad Request",
        404 => "Not Found",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// SO_LINGER 0: closing then sends RST instead of FIN.
fn socket_linger_zero(s: &std::net::TcpStream) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let linger = libc::linger { l_onoff: 1, l_linger: 0 };
    let rc = unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            &linger as *const libc::linger as *const libc::c_void,
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    if rc == 0 { Ok(()) } else { Err(std::io::Error::last_os_error()) }
}
