//! Engine configuration, resolved and validated once by the host before the engine starts.
//!
//! Holds where data lives and the receiver's limits. It must not read flags or environment
//! variables itself beyond [`crate::paths::default_data_dir`]: hosts pass values in.

use std::net::IpAddr;
use std::path::PathBuf;

pub use crate::keyring::KeyringMode;

/// The documented default port of the receiver ("HOOK" on a phone keypad).
pub const DEFAULT_PORT: u16 = 4665;
/// Default body limit: 10 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 10 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    /// Largest body stored; larger requests get 413 and are recorded without their body.
    pub body_limit: usize,
    /// Whether secrets go to the OS keyring (when one answers) or stay in the database.
    pub keyring: KeyringMode,
    /// Most connections a receiver keeps open (the oldest idle one is closed to make room);
    /// `None`: as many as the open-files limit allows, up to 16,384.
    pub max_connections: Option<usize>,
    /// A request head must arrive within this; also how long an idle keep-alive connection
    /// waits for its next request.
    pub header_read_timeout: std::time::Duration,
}

impl Config {
    pub fn new(data_dir: PathBuf) -> Config {
        Config { data_dir, body_limit: DEFAULT_BODY_LIMIT, keyring: KeyringMode::Auto, max_connections: None, header_read_timeout: crate::receiver::HEADER_READ_TIMEOUT }
    }

    pub fn receiver_limits(&self) -> crate::receiver::Limits {
        crate::receiver::Limits { max_connections: self.max_connections, header_read_timeout: self.header_read_timeout }
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join(crate::paths::DB_FILE)
    }
}

/// What to do when the requested port is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortPolicy {
    /// Fail with [`crate::Error::PortInUse`] (the CLI: the user asked for that port).
    Exact,
    /// Try the next ports, then any free port (the desktop app: it must come up).
    NextFree,
}

/// Where the receiver listens.
#[derive(Debug, Clone, Copy)]
pub struct ListenAddr {
    pub bind: IpAddr,
    pub port: u16,
    pub policy: PortPolicy,
}
