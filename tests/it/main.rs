//! Integration tests over real parts: a real receiver on 127.0.0.1 (port 0), a real SQLite
//! file in a temporary directory, the real `hookloupe` binary.
//!
//! - abuse: silent, trickling and capped connections; header fidelity after upgrade requests; Host rules
//! - receive: what the receiver records and answers (bytes, headers, methods, limits, rules)
//! - store: durability, concurrency, restart, retention, locked database
//! - cli: the `hookloupe` binary's commands and `--json` shapes
//! - diff: `hookloupe diff` over real captures, duplicate flags, partners, ignore rules
//! - crash: SIGKILL while a sender streams; every 2xx-acknowledged request survives
//! - tunnel: public URL through a real bore server (and ngrok when NGROK_AUTHTOKEN is set)
//! - faults: a full disk (a tmpfs made by the test), a file that is not a database
//! - keyring: secrets in a real Secret Service (private bus + gnome-keyring), or the database without one
//! - signatures: verdicts at capture time, rotation, re-evaluation, `verify`, provider-library cross-check
//! - forward: forward rules and the outbox worker: retry policy, rate limit, relayed answers, SIGKILL, seeds 000 and 001, CLI
//! - replay: captures sent to target servers started by the test: exact bytes, rewriting, re-signing, failures, CLI
//! - share: export (JSONL, HAR, redacted bundles) and import (JSONL, HAR, curl) through the CLI; haralyzer; a full disk
//! - search: full text, filters (the seeds' expressions), `list --all/--count`, pins, the index after delete/retention/SIGKILL, backfill
//! - test_events: `sign` (JSON and curl) verified valid, signed test events through the real receiver
//! - handshake: providers' verification requests answered as their protocols require (Meta, Asana, Okta, X CRC, Zoom, Slack, Strava, Graph); HTTP Basic auth verdicts
//! - network_keys: Amazon SNS / PayPal certificates at a URL: fetched in the background from a local server, refused foreign URLs, pasted offline, `certs add/list`

mod abuse;
mod cli;
mod crash;
mod diff;
mod faults;
mod forward;
mod handshake;
mod keyring;
mod network_keys;
mod receive;
mod replay;
mod search;
mod share;
mod signatures;
mod store;
mod test_events;
mod tunnel;
