//! Connection hygiene for a receiver that may sit on a public URL: how many connections are
//! open, which of them are idle, and shedding the oldest idle one when a new sender arrives at
//! the cap — so that silent or trickling connections (a slowloris, or a thousand sockets that
//! never send a byte) can never lock real providers out. Also raises the process's soft
//! open-files limit to its hard limit once, so the cap, not the OS, decides. Header-read and
//! idle timeouts are hyper's own ([`super::serve`] sets them). This module must not read
//! requests.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use tokio::sync::Notify;

/// File descriptors kept free for the database, the outbound sender and the tunnel.
const RESERVED_FDS: u64 = 256;
/// Most connections a receiver keeps open, whatever the limit allows.
const MAX_CAP: u64 = 16_384;
const MIN_CAP: u64 = 64;

/// Raises the soft `RLIMIT_NOFILE` to the hard limit (once per process) and returns the soft
/// limit in force.
pub fn raise_open_files_limit() -> u64 {
    static LIMIT: OnceLock<u64> = OnceLock::new();
    *LIMIT.get_or_init(|| {
        #[cfg(unix)]
        {
            let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
            // SAFETY: getrlimit/setrlimit only read and write the struct passed.
            unsafe {
                if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
                    return 1024;
                }
                if lim.rlim_cur < lim.rlim_max {
                    let raised = libc::rlimit { rlim_cur: lim.rlim_max, rlim_max: lim.rlim_max };
                    if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                        lim.rlim_cur = lim.rlim_max;
                    }
                }
            }
            lim.rlim_cur as u64
        }
        #[cfg(not(unix))]
        {
            MAX_CAP
        }
    })
}

/// How many connections to keep open given the open-files limit.
pub fn cap_for(limit: u64) -> usize {
    (limit.saturating_sub(RESERVED_FDS) / 2).clamp(MIN_CAP, MAX_CAP) as usize
}

struct Entry {
    busy: Arc<AtomicBool>,
    close: Arc<Notify>,
}

/// The open connections of one receiver, oldest first.
pub struct Conns {
    cap: usize,
    next: AtomicU64,
    open: Mutex<BTreeMap<u64, Entry>>,
}

/// One admitted connection: mark it busy while a request is being answered; dropping it
/// forgets the connection.
pub struct Slot {
    conns: Arc<Conns>,
    id: u64,
    pub busy: Arc<AtomicBool>,
    /// Notified when the connection is shed to make room.
    pub close: Arc<Notify>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut open) = self.conns.open.lock() {
            open.remove(&self.id);
        }
    }
}

impl Conns {
    pub fn new(cap: usize) -> Arc<Conns> {
        Arc::new(Conns { cap, next: AtomicU64::new(0), open: Mutex::new(BTreeMap::new()) })
    }

    pub fn open_count(&self) -> usize {
        self.open.lock().map(|o| o.len()).unwrap_or(0)
    }

    /// Admits a new connection. At the cap the oldest idle connection is shed (told to close);
    /// when every connection is busy answering, the new one is refused (`None`).
    pub fn admit(self: &Arc<Self>) -> Option<Slot> {
        let mut open = self.open.lock().ok()?;
        if open.len() >= self.cap {
            let oldest_idle = open.iter().find(|(_, e)| !e.busy.load(Ordering::Relaxed)).map(|(id, _)| *id);
            match oldest_idle {
                Some(id) => {
                    if let Some(e) = open.remove(&id) {
                        e.close.notify_one();
                    }
                }
                None => return None,
            }
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let busy = Arc::new(AtomicBool::new(false));
        let close = Arc::new(Notify::new());
        open.insert(id, Entry { busy: busy.clone(), close: close.clone() });
        Some(Slot { conns: self.clone(), id, busy, close })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_idle_connection_is_shed_at_the_cap() {
        let conns = Conns::new(3);
        let a = conns.admit().unwrap();
        let b = conns.admit().unwrap();
        let c = conns.admit().unwrap();
        a.busy.store(true, Ordering::Relaxed);
        let d = conns.admit().expect("room made");
        assert_eq!(conns.open_count(), 3);
        // b was the oldest idle one: it was told to close; a (busy) was kept.
        let shed = b.close.clone();
        let told = std::pin::pin!(shed.notified());
        assert!(futures_ready(told));
        b.busy.store(true, Ordering::Relaxed);
        c.busy.store(true, Ordering::Relaxed);
        d.busy.store(true, Ordering::Relaxed);
        assert!(conns.admit().is_none(), "all busy: the new one is refused");
        drop(c);
        assert_eq!(conns.open_count(), 2, "a dropped slot frees its place");
        assert!(conns.admit().is_some());
        assert_eq!(cap_for(1024), 384);
        assert_eq!(cap_for(100), MIN_CAP as usize);
        assert_eq!(cap_for(1 << 20), MAX_CAP as usize);
    }

    /// Polls a future once: true when it is ready.
    fn futures_ready<F: std::future::Future>(f: std::pin::Pin<&mut F>) -> bool {
        let waker = std::task::Waker::noop();
        f.poll(&mut std::task::Context::from_waker(waker)).is_ready()
    }
}
