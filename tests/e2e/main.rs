//! GUI end-to-end tests: the real `hookloupe-app` window under Xvfb, driven through
//! tauri-driver → WebKitWebDriver with fantoccini, fed by real HTTP requests.
//!
//! Run by `scripts/test.sh` (which starts Xvfb, installs tauri-driver and builds the app with
//! the UI embedded); `cargo test -p hookloupe-tests --features e2e --test e2e -- --test-threads=1`
//! does the same by hand when DISPLAY is set. Each capability adds one module here using
//! [`harness::Gui`]; screenshots land in `artifacts/e2e/`.
//!
//! - captures: a webhook appears live, opens, shows a header value and a body field; retention set in Settings trims the list
//! - diff: two ticked captures are compared; the changed field is listed and emphasised
//! - tunnel: a bore tunnel started from the panel goes online, shows its URL, captures through it
//! - signatures: a valid and an invalid signature, configured in the Signature tab, diagnosis visible
//! - storage: a banner while captures are refused (the database locked by another program), gone after
//! - replay: a capture edited in the body editor, re-signed, sent to a real server; response, Deliveries, Outbox, diff
//! - forward: a filtered forward rule added in the endpoint panel; succeeded, filtered out, failed (500) and retried from the Outbox
//! - hostile: markup, script, huge/deep JSON, binary and bidi payloads opened in every view: nothing runs, the CSP holds, clicks answer, the huge body saved raw
//! - search: a searched word counted and marked in the inspector, a chip, the filtered list exported; 10,000 rows scrolled to the oldest

mod harness;

mod captures;
mod diff;
mod tunnel;
mod signatures;
mod replay;
mod storage;
mod forward;
mod search;
mod hostile;
