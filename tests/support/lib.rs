//! Test support over real parts: an engine listening on 127.0.0.1 port 0 in a temporary data
//! directory, the real `hookloupe` binary, and a raw HTTP/1.1 client for requests that
//! ordinary clients refuse to send (non-UTF-8 header values, chunked bodies, exact header
//! order). Nothing here fakes a Hookloupe component.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Instant;
use std::path::{Path, PathBuf};
use std::time::Duration;

use hookloupe_core::config::ListenAddr;
use hookloupe_core::ipc::ListCapturesReq;
use hookloupe_core::model::Capture;
use hookloupe_core::{Config, Engine, KeyringMode, PortPolicy};

pub mod load;
pub mod target;
pub use target::{Behaviour, Received, Target};

/// An engine receiving on a free loopback port, with its own data directory.
pub struct Running {
    pub engine: Engine,
    pub url: String,
    pub addr: SocketAddr,
    pub dir: tempfile::TempDir,
}

impl Running {
    pub async fn start() -> Running {
        let dir = tempfile::tempdir().expect("temp dir");
        Running::start_in(dir).await
    }

    /// Starts an engine on an existing data directory (e.g. to check a restart).
    pub async fn start_in(dir: tempfile::TempDir) -> Running {
        Running::start_with(dir, |_| {}).await
    }

    pub async fn start_with(dir: tempfile::TempDir, tweak: impl FnOnce(&mut Config)) -> Running {
        let mut config = test_config(dir.path());
        tweak(&mut config);
        let engine = Engine::open(config).expect("open engine");
        let view = engine
            .listen(ListenAddr { bind: [127, 0, 0, 1].into(), port: 0, policy: PortPolicy::Exact })
            .await
            .expect("listen");
        let addr: SocketAddr = format!("127.0.0.1:{}", view.port).parse().unwrap();
        Running { engine, url: view.url, addr, dir }
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// Every stored capture, oldest first, with bodies.
    pub async fn all_captures(&self) -> Vec<Capture> {
        all_captures(&self.engine).await
    }

    /// Stops the receiver and hands back the data directory.
    pub fn stop(self) -> tempfile::TempDir {
        self.engine.stop();
        self.dir
    }
}

pub async fn all_captures(engine: &Engine) -> Vec<Capture> {
    let mut out = Vec::new();
    let mut before = None;
    loop {
        let page = engine
            .list_captures(ListCapturesReq { limit: Some(1000), before, ..Default::default() })
            .await
            .expect("list");
        for s in &page.items {
            out.push(engine.capture(s.id).await.expect("get"));
        }
        match page.next_before {
            Some(b) => before = Some(b),
            None => break,
        }
    }
    out.reverse();
    out
}

/// Path of the real `hookloupe` binary, built by `cargo test` (or `cargo build -p hookloupe`);
/// `HOOKLOUPE_CLI` names another one (e.g. a copy, when several checkouts share a target dir).
pub fn cli_path() -> PathBuf {
    if let Some(bin) = std::env::var_os("HOOKLOUPE_CLI") {
        return PathBuf::from(bin);
    }
    let exe = std::env::current_exe().expect("current exe");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let bin = dir.join(format!("hookloupe{}", std::env::consts::EXE_SUFFIX));
    assert!(bin.exists(), "{} is missing: run `cargo build -p hookloupe` first", bin.display());
    bin
}

/// `hookloupe --data-dir DIR …` through assert_cmd.
pub fn cli(data_dir: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(cli_path());
    cmd.arg("--data-dir").arg(data_dir).env_remove("HOOKLOUPE_DATA_DIR").env_remove("HOOKLOUPE_PORT");
    // Never the developer's own keyring: tests/it/keyring.rs sets a private one.
    cmd.env("HOOKLOUPE_KEYRING", "off");
    cmd.timeout(Duration::from_secs(60));
    cmd
}

/// A raw HTTP/1.1 exchange: writes `request` as is, reads until the server closes (send
/// `Connection: close`). Returns (status code, whole response as lossy text).
pub async fn raw_http(addr: SocketAddr, request: &[u8]) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request).await.expect("write");
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut buf)).await;
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, text)
}

/// The capture id the receiver reports in `x-hookloupe-capture-id`.
pub fn capture_id_of(response: &str) -> Option<i64> {
    response
        .lines()
        .find_map(|l| l.strip_prefix("x-hookloupe-capture-id: "))
        .and_then(|v| v.trim().parse().ok())
}

/// The `bore` binary (scripts/test.sh installs it with `cargo install bore-cli`).
pub fn bore_bin() -> Option<PathBuf> {
    let home = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo/bin/bore"));
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join("bore"))
        .chain(home)
        .find(|p| p.is_file())
}

/// A real `bore server` process on 127.0.0.1 (control port 7835, so one at a time).
pub struct BoreServer(Child);

impl BoreServer {
    pub fn start(bin: &Path, secret: &str) -> BoreServer {
        let child = Command::new(bin)
            .args(["server", "--min-port", "47000", "--max-port", "47999", "--bind-addr", "127.0.0.1", "--secret", secret])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start bore server");
        let started = Instant::now();
        while std::net::TcpStream::connect("127.0.0.1:7835").is_err() {
            assert!(started.elapsed() < Duration::from_secs(10), "bore server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        BoreServer(child)
    }
}

impl Drop for BoreServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        // Wait until the control port is free again.
        let started = Instant::now();
        while std::net::TcpStream::connect("127.0.0.1:7835").is_ok() && started.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}


/// A private OS keyring for tests: a session `dbus-daemon` on a socket in a temporary
/// directory and a `gnome-keyring-daemon` (Secret Service) unlocked with a throwaway password,
/// its keyring files in the same directory. Nothing touches the user's own session or keyring.
/// `None` when the programs are missing (scripts/test.sh installs them; it sets
/// `HOOKLOUPE_REQUIRE_KEYRING=1` so that a missing program fails instead).
pub struct KeyringSession {
    dir: tempfile::TempDir,
    bus: Child,
    keyring: Child,
}

impl KeyringSession {
    pub fn start() -> Option<KeyringSession> {
        let missing: Vec<&str> = ["dbus-daemon", "gnome-keyring-daemon", "secret-tool"]
            .into_iter()
            .filter(|p| Command::new(p).arg("--version").output().is_err())
            .collect();
        if !missing.is_empty() {
            let why = format!("{} not installed (apt-get install dbus gnome-keyring libsecret-tools)", missing.join(", "));
            assert!(std::env::var_os("HOOKLOUPE_REQUIRE_KEYRING").is_none(), "{why}");
            println!("SKIPPED: OS keyring test — {why}");
            return None;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        for sub in ["run", "data"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        std::fs::set_permissions(dir.path().join("run"), std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
        let socket = dir.path().join("bus");
        let bus = Command::new("dbus-daemon")
            .args(["--config-file=/usr/share/dbus-1/session.conf", "--nofork", "--nopidfile"])
            .arg(format!("--address=unix:path={}", socket.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dbus-daemon");
        let started = Instant::now();
        while !socket.exists() {
            assert!(started.elapsed() < Duration::from_secs(10), "dbus-daemon did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        let mut session = KeyringSession { bus, keyring: Command::new("true").spawn().unwrap(), dir };
        session.start_keyring();
        Some(session)
    }

    /// Starts gnome-keyring-daemon (unlocking the login keyring with the session's password)
    /// and waits until it owns the Secret Service name.
    fn start_keyring(&mut self) {
        let mut keyring = self
            .command("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start gnome-keyring-daemon");
        {
            use std::io::Write;
            let mut stdin = keyring.stdin.take().unwrap();
            stdin.write_all(b"hookloupe-test-keyring").unwrap();
        }
        self.keyring = keyring;
        self.wait_for_name(true);
    }

    fn wait_for_name(&self, owned: bool) {
        let started = Instant::now();
        loop {
            let out = self
                .command("dbus-send")
                .args(["--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus"])
                .args(["org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.secrets"])
                .output()
                .expect("dbus-send");
            if String::from_utf8_lossy(&out.stdout).contains(if owned { "boolean true" } else { "boolean false" }) {
                return;
            }
            assert!(started.elapsed() < Duration::from_secs(15), "the Secret Service name did not become owned={owned}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops and starts the keyring daemon: its login keyring comes back unlocked, with the
    /// items it had (as after the user unlocks it again).
    pub fn restart(&mut self) {
        let _ = self.keyring.kill();
        let _ = self.keyring.wait();
        self.wait_for_name(false);
        self.start_keyring();
    }

    /// The environment that points a process at this keyring.
    pub fn env(&self) -> Vec<(String, String)> {
        let d = self.dir.path();
        vec![
            ("DBUS_SESSION_BUS_ADDRESS".into(), format!("unix:path={}", d.join("bus").display())),
            ("XDG_RUNTIME_DIR".into(), d.join("run").display().to_string()),
            ("XDG_DATA_HOME".into(), d.join("data").display().to_string()),
            ("HOOKLOUPE_KEYRING".into(), "auto".into()),
        ]
    }

    /// A command that runs against this keyring.
    pub fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.envs(self.env());
        cmd
    }

    /// The keyring's items of `service` (label and value), read with `secret-tool`.
    pub fn items(&self, service: &str) -> Vec<KeyringItem> {
        let out = self.command("secret-tool").args(["search", "--all", "--unlock", "service", service]).output().unwrap();
        let mut items: Vec<KeyringItem> = Vec::new();
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            if line.starts_with('[') {
                items.push(KeyringItem::default());
            } else if let (Some(item), Some((k, v))) = (items.last_mut(), line.split_once(" = ")) {
                match k {
                    "label" => item.label = v.to_owned(),
                    "secret" => item.secret = v.to_owned(),
                    _ => {}
                }
            }
        }
        items
    }

    /// Locks the login keyring, as the desktop does on screen lock; unlocking then needs a
    /// password prompt, which this headless session cannot show (it is dismissed).
    pub fn lock(&self) {
        let out = self
            .command("dbus-send")
            .args(["--session", "--print-reply", "--dest=org.freedesktop.secrets", "/org/freedesktop/secrets"])
            .args(["org.freedesktop.Secret.Service.Lock", "array:objpath:/org/freedesktop/secrets/collection/login"])
            .output()
            .unwrap();
        assert!(out.status.success(), "lock: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// Deletes every item of `service`, as a user could from Seahorse.
    pub fn clear(&self, service: &str) {
        let ok = self.command("secret-tool").args(["clear", "service", service]).status().unwrap().success();
        assert!(ok, "secret-tool clear failed");
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct KeyringItem {
    pub label: String,
    pub secret: String,
}

impl Drop for KeyringSession {
    fn drop(&mut self) {
        for child in [&mut self.keyring, &mut self.bus] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Adds (or replaces) an endpoint that answers `status` after `delay_ms`, with a signature
/// scheme, secrets and options, and waits until its stored captures are re-evaluated.
#[allow(clippy::too_many_arguments)]
pub async fn signed_endpoint(
    engine: &Engine,
    name: &str,
    prefix: &str,
    scheme: Option<hookloupe_core::signature::SchemeId>,
    secrets: &[&str],
    options: &[(&str, &str)],
    status: u16,
    delay_ms: u64,
) {
    use hookloupe_core::ipc::{EndpointView, ResponseRuleView, SecretEdit, SetEndpointSignatureReq};
    engine
        .save_endpoint(EndpointView {
            name: name.into(),
            path_prefix: prefix.into(),
            response: ResponseRuleView { status, headers: vec![], body: String::new(), delay_ms },
            signature: None,
        })
        .await
        .unwrap();
    engine
        .set_endpoint_signature(SetEndpointSignatureReq {
            endpoint: name.into(),
            scheme,
            secrets: Some(secrets.iter().map(|s| SecretEdit::New((*s).into())).collect()),
            options: options.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        })
        .await
        .unwrap();
    engine.settle().await;
}

/// An engine configuration for tests: the database in `dir`, and never the developer's own OS
/// keyring (tests/it/keyring.rs uses a private one through the CLI).
pub fn test_config(dir: &Path) -> Config {
    Config { keyring: KeyringMode::Off, ..Config::new(dir.to_owned()) }
}
