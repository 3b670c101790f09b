//! Why an outbound attempt got no complete answer, as a stable code: what the sender reports,
//! the retry policy judges and the Outbox stores. Plain data, so it builds without the network
//! runtime (the fuzz build); this module must not send anything.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Why an attempt got no complete answer. Stable codes (the UI and `--json` switch on them).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SendFailure {
    /// The host name could not be resolved.
    Dns,
    /// Nothing listens at the target (connection refused).
    Refused,
    /// No answer (or no complete answer) within the timeout.
    Timeout,
    /// The TLS handshake failed (e.g. an invalid certificate).
    Tls,
    /// The connection was reset or closed before the answer was complete.
    Reset,
    /// The answer's head was too large to read (over 1 MiB or 512 headers).
    TooLarge,
    /// The target answered something that is not HTTP/1.x.
    InvalidResponse,
    /// Another network error (e.g. host unreachable).
    Network,
    /// Stopped by the user.
    Cancelled,
}

impl SendFailure {
    pub fn as_str(self) -> &'static str {
        match self {
            SendFailure::Dns => "dns",
            SendFailure::Refused => "refused",
            SendFailure::Timeout => "timeout",
            SendFailure::Tls => "tls",
            SendFailure::Reset => "reset",
            SendFailure::TooLarge => "too_large",
            SendFailure::InvalidResponse => "invalid_response",
            SendFailure::Network => "network",
            SendFailure::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<SendFailure> {
        serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
    }
}
