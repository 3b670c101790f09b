//! The HTTP receiver: any method, any path, turned into a capture and answered.
//!
//! [`router`] builds a plain axum `Router` whose catch-all handler takes the body as raw
//! bytes (never parsed), routes the path to an endpoint, hands the capture to the store
//! writer and answers with the endpoint's response rule only after the capture is committed —
//! or, when a forward rule says so, with its target's first answer (relayed by the outbox
//! worker, bounded by the rule's deadline), or, for a provider's handshake, with the reply its
//! protocol requires (computed by the judge).
//! [`serve`] runs it on a caller-supplied listener with hyper's HTTP/1.1 (keep-alive, generous
//! header limits). This module must not touch SQL or decide what the UI shows.

mod body;
mod conns;
pub(crate) mod rawhead;
pub(crate) mod response;

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header;
use axum::response::Response;
use axum::Router;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;

use crate::model::{route, CaptureSignature, Endpoint, EventKeys, HeaderList, NewCapture, Via, DEFAULT_ENDPOINT};
use crate::store::writer::CaptureWriter;

/// Header on every reply that names the capture's id.
pub const CAPTURE_ID_HEADER: &str = "x-hookloupe-capture-id";
// The head limits, shared by hyper and the raw-head tracker (defined with the tracker).
pub use rawhead::{MAX_HEADERS, MAX_HEAD_BYTES};
/// A request head must arrive within this (slow senders trickling headers are closed); it is
/// also how long an idle keep-alive connection waits for its next request.
pub const HEADER_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// Bodies larger than this are judged on the blocking pool rather than in the handler.
const INLINE_VERIFY_MAX: usize = 256 * 1024;

/// Computes a capture's signature verdict before it is stored (pure; may take milliseconds on large bodies).
pub type Judge = Arc<dyn Fn(&NewCapture) -> Judgement + Send + Sync>;

/// What the judge says of a capture: the verdict stored with it, and, when the request is its
/// provider's handshake (Meta's `hub.challenge`, X's CRC, Zoom's URL validation…), the reply
/// that protocol requires. The reply is not stored: it is sent instead of the response rule.
#[derive(Clone, Debug, Default)]
pub struct Judgement {
    pub signature: CaptureSignature,
    pub handshake: Option<crate::signature::handshake::HandshakeReply>,
}

/// The endpoint table the receiver routes with; swapped whole when endpoints change.
pub type EndpointTable = Arc<RwLock<Arc<Vec<Endpoint>>>>;

#[derive(Clone)]
pub struct ReceiverState {
    pub writer: CaptureWriter,
    pub endpoints: EndpointTable,
    pub body_limit: usize,
    pub judge: Judge,
    pub ingress: Ingress,
}

/// Which door a listener is: the local one, or the one only the tunnel forwards to.
#[derive(Clone)]
pub enum Ingress {
    Local,
    /// Requests arrive from the tunnel client; the status gives the public base URL.
    Tunnel {
        status: watch::Receiver<crate::tunnel::TunnelStatusView>,
        /// The tunnel appends the client it saw to `X-Forwarded-For` (ngrok). bore forwards raw
        /// TCP, so there any such header was written by the sender and is not trusted.
        trust_forwarded_for: bool,
    },
}

/// Bodies larger than this get their event keys computed on the blocking pool.
const BLOCKING_KEYS_ABOVE: usize = 256 * 1024;

/// RFC 9112 §3.2: HTTP/1.1 requests carry exactly one `Host` (HTTP/1.0 may omit it), and its
/// value is `uri-host [ ":" port ]` — never a path, query, credentials or spaces, which would
/// otherwise be copied into the stored URL.
fn check_host(headers: &HeaderList, version: axum::http::Version, absolute_form: bool) -> Result<(), &'static str> {
    let hosts: Vec<&[u8]> =
        headers.0.iter().filter(|(n, _)| n.eq_ignore_ascii_case("host")).map(|(_, v)| v.as_slice()).collect();
    match hosts.as_slice() {
        [] if version == axum::http::Version::HTTP_11 && !absolute_form => {
            Err("an HTTP/1.1 request must carry a Host header (RFC 9112 §3.2)")
        }
        [] => Ok(()),
        [one] => {
            let ok = one.iter().all(|b| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:[]%".contains(b));
            if ok { Ok(()) } else { Err("the Host header holds characters a host name cannot (a path, query, credentials or spaces)") }
        }
        _ => Err("a request must carry one Host header, not several (RFC 9112 §3.2)"),
    }
}

pub fn router(state: ReceiverState) -> Router {
    Router::new().fallback(capture).with_state(state)
}

async fn capture(State(st): State<ReceiverState>, ConnectInfo(remote): ConnectInfo<SocketAddr>, req: Request) -> Response {
    let received_at_us = chrono::Utc::now().timestamp_micros();
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().unwrap_or("").to_owned();
    let endpoint = {
        let table = st.endpoints.read().map(|t| t.clone()).unwrap_or_default();
        route(&table, &path).cloned()
    };
    let endpoint_name = endpoint.as_ref().map_or(DEFAULT_ENDPOINT.to_owned(), |e| e.name.clone());
    let parsed = HeaderList(
        parts.headers.iter().map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec())).collect(),
    );
    let raw = parts.extensions.get::<rawhead::Heads>().and_then(|q| q.lock().ok()?.pop_front());
    let headers = rawhead::reconcile(raw, parsed);
    if let Err(why) = check_host(&headers, parts.version, parts.uri.authority().is_some()) {
        // RFC 9112 §3.2: a request without a valid Host is answered 400 and not recorded.
        return response::error(axum::http::StatusCode::BAD_REQUEST, "bad_host", why, None);
    }
    let target = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let (via, public_base, forwarded_for) = match &st.ingress {
        Ingress::Local => (Via::Local, None, None),
        Ingress::Tunnel { status, trust_forwarded_for } => {
            // ngrok appends the client it saw as the last X-Forwarded-For hop; earlier hops were
            // written by the sender and are not trusted.
            let hop = headers
                .0
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case("x-forwarded-for"))
                .next_back()
                .and_then(|(_, v)| std::str::from_utf8(v).ok())
                .and_then(|v| v.rsplit(',').next())
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty() && *trust_forwarded_for);
            (Via::Tunnel, status.borrow().public_url.clone(), hop)
        }
    };
    let url = match (parts.uri.scheme_str(), parts.uri.authority(), public_base) {
        (Some(_), Some(_), _) => parts.uri.to_string(),
        // Through the tunnel the sender addressed the public URL: that is what URL-signed
        // schemes (Twilio, Square, HubSpot) signed.
        (_, _, Some(base)) => format!("{}{target}", base.trim_end_matches('/')),
        _ => {
            let host = headers.get(header::HOST.as_str()).unwrap_or_else(|| "localhost".into());
            format!("http://{host}{target}")
        }
    };
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let read = body::read(body, declared, st.body_limit).await;
    let (bytes, body_size, over_limit) = match read {
        body::BodyRead::Complete(b) => {
            let n = b.len() as u64;
            (b, n, false)
        }
        body::BodyRead::OverLimit { size } => (Vec::new(), size, true),
        body::BodyRead::Aborted(e) => {
            tracing::warn!("request to {path} from {remote} aborted while sending its body: {e}");
            return response::error(axum::http::StatusCode::BAD_REQUEST, "body_aborted", &format!("reading the request body failed: {e}"), None);
        }
    };
    let content_type = headers.get(header::CONTENT_TYPE.as_str());
    // Reading the event id/type parses the body: off the async workers when it is large.
    let (event, headers, bytes) = if bytes.len() > BLOCKING_KEYS_ABOVE {
        match tokio::task::spawn_blocking(move || (EventKeys::of(&headers, &bytes), headers, bytes)).await {
            Ok(done) => done,
            Err(e) => {
                return response::error(
                    axum::http::StatusCode::SERVICE_UNAVAILABLE,
                    "storage",
                    &format!("the request could not be stored, so it is not acknowledged: {e}"),
                    None,
                )
            }
        }
    } else {
        (EventKeys::of(&headers, &bytes), headers, bytes)
    };
    let new = NewCapture {
        received_at_us,
        endpoint: endpoint_name,
        method: parts.method.as_str().to_owned(),
        path,
        query,
        url,
        headers,
        body: bytes,
        body_size,
        body_over_limit: over_limit,
        content_type,
        remote_addr: remote.to_string(),
        via,
        forwarded_for,
        event,
        duplicate_of: None,
    };
    let (new, Judgement { signature, handshake }) = if new.body.len() <= INLINE_VERIFY_MAX {
        let s = (st.judge)(&new);
        (new, s)
    } else {
        let judge = st.judge.clone();
        match tokio::task::spawn_blocking(move || {
            let s = judge(&new);
            (new, s)
        })
        .await
        {
            Ok(done) => done,
            Err(e) => {
                return response::error(
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    &format!("checking the signature failed: {e}"),
                    None,
                )
            }
        }
    };
    match st.writer.write_answered(new, signature).await {
        Ok(w) if over_limit => {
            let c = w.capture;
            response::error(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "body_over_limit",
            &format!(
                "the request body ({} bytes) is over this receiver's limit of {} bytes; the request was recorded without its body",
                c.data.body_size, st.body_limit
            ),
            Some(c.id),
            )
        }
        Ok(w) => {
            // A rule relays its target's first answer; past its deadline (or when the forward
            // does not go) a provider's handshake gets the reply its protocol requires, and
            // anything else the endpoint's own response.
            if let Some(answer) = w.answer {
                if let Ok(Ok(relayed)) = tokio::time::timeout(answer.deadline, answer.relayed).await {
                    return response::relayed(relayed, w.capture.id);
                }
            }
            if let Some(reply) = handshake {
                return response::handshake(reply, w.capture.id);
            }
            response::rule(endpoint.as_ref().map(|e| &e.response), w.capture.id).await
        }
        Err(e) => {
            // The code says which storage failure it was (disk_full, database_locked, read_only…).
            let code = serde_json::to_value(e.code()).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
            response::error(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                &code,
                &format!("the request could not be stored, so it is not acknowledged: {e}"),
                None,
            )
        }
    }
}

/// Serves `app` on `listener` until `shutdown` turns true. Each connection is HTTP/1.1 with
/// keep-alive; the remote address is passed to handlers as `ConnectInfo<SocketAddr>`.
/// Serves `app` on `listener` until `shutdown`; at most `max_connections` open (default: what
/// the open-files limit allows).
/// Connection limits of a receiver (from [`crate::Config`]).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_connections: Option<usize>,
    pub header_read_timeout: std::time::Duration,
}

pub async fn serve(listener: TcpListener, app: Router, mut shutdown: watch::Receiver<bool>, limits: Limits) {
    let max_connections = limits.max_connections;
    let limit = conns::raise_open_files_limit();
    let conns = conns::Conns::new(max_connections.unwrap_or_else(|| conns::cap_for(limit)));
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    // Usually EMFILE: back off instead of spinning.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = shutdown.changed() => return,
        };
        // At the cap the oldest idle connection makes room; if all are busy, this one waits
        // for nothing: it is closed at once.
        let Some(slot) = conns.admit() else {
            tracing::warn!("connection from {remote} refused: every one of {} connections is busy", conns.open_count());
            continue;
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let mut conn_shutdown = shutdown.clone();
        tokio::spawn(async move {
            let heads = rawhead::Heads::default();
            let stream = rawhead::Tap::new(stream, heads.clone());
            let busy = slot.busy.clone();
            let service = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(remote));
                req.extensions_mut().insert(heads.clone());
                let busy = busy.clone();
                busy.store(true, std::sync::atomic::Ordering::Relaxed);
                let answer = app.clone().oneshot(req.map(axum::body::Body::new));
                async move {
                    let r = answer.await;
                    busy.store(false, std::sync::atomic::Ordering::Relaxed);
                    r
                }
            });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .keep_alive(true)
                .max_headers(MAX_HEADERS)
                .max_buf_size(MAX_HEAD_BYTES)
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout);
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                r = conn.as_mut() => if let Err(e) = r { tracing::debug!("connection from {remote}: {e}") },
                _ = slot.close.notified() => tracing::debug!("connection from {remote} shed to make room for a new sender"),
                _ = conn_shutdown.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
            drop(slot);
        });
    }
}
