//! Reading a request body as raw bytes under a size limit.
//!
//! Over the limit, the body is not kept but is drained (up to [`DRAIN_CAP`]) to learn its real
//! size, so the capture can say how large it was and the connection stays usable.

use axum::body::Body;
use http_body_util::BodyExt;

/// Beyond this many bytes an over-limit body is no longer read; its size is then reported as
/// the bytes seen so far.
pub const DRAIN_CAP: u64 = 1 << 30;

pub enum BodyRead {
    Complete(Vec<u8>),
    OverLimit { size: u64 },
    Aborted(String),
}

pub async fn read(mut body: Body, declared: Option<u64>, limit: usize) -> BodyRead {
    if let Some(n) = declared {
        if n > limit as u64 {
            return BodyRead::OverLimit { size: n };
        }
    }
    let mut buf = Vec::with_capacity(declared.unwrap_or(0).min(limit as u64) as usize);
    let mut seen: u64 = 0;
    let mut over = false;
    while let Some(frame) = body.frame().await {
        let frame = match frame {
            Ok(f) => f,
            Err(e) if over => {
                tracing::debug!("over-limit body ended early: {e}");
                break;
            }
            Err(e) => return BodyRead::Aborted(e.to_string()),
        };
        if let Ok(data) = frame.into_data() {
            seen += data.len() as u64;
            if !over && seen > limit as u64 {
                over = true;
                buf = Vec::new();
            }
            if over {
                if seen >= DRAIN_CAP {
                    break;
                }
            } else {
                buf.extend_from_slice(&data);
            }
        }
    }
    if over {
        BodyRead::OverLimit { size: seen }
    } else {
        BodyRead::Complete(buf)
    }
}
