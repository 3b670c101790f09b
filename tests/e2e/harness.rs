//! The GUI test harness: starts tauri-driver (with a wrapper that lets WebKitWebDriver
//! replace a stale session), launches the app on a fresh data directory with the receiver on
//! a free port, and offers the few DOM helpers tests need. Dropping a [`Gui`] closes the
//! session and stops tauri-driver with SIGTERM (SIGKILL would orphan WebKitWebDriver).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

const WAIT: Duration = Duration::from_secs(20);

pub struct Gui {
    pub client: Client,
    /// The receiver's base URL, as the window shows it.
    pub url: String,
    #[allow(dead_code)] // kept alive for the app; tests may inspect it
    pub data_dir: tempfile::TempDir,
    driver: Child,
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_owned()
}

fn app_path() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace_root().join("target"));
    let app = target.join("debug").join("hookloupe-app");
    assert!(app.exists(), "{} is missing: build it with `scripts/test.sh` (UI embedded)", app.display());
    app
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Gui {
    pub async fn start() -> Gui {
        // Never the developer's own keyring.
        Gui::start_with(&[("HOOKLOUPE_KEYRING".into(), "off".into())]).await
    }

    /// Starts the app with extra environment (e.g. a private keyring's, [`KeyringSession::env`]).
    ///
    /// [`KeyringSession::env`]: hookloupe_tests::KeyringSession::env
    pub async fn start_with(env: &[(String, String)]) -> Gui {
        let mut gui = Gui::launch(tempfile::tempdir().unwrap(), env).await;
        gui.url = gui.text("[data-testid=listen-url]").await;
        assert!(gui.url.starts_with("http://127.0.0.1:"), "listening URL shown: {}", gui.url);
        gui
    }

    /// Starts the app on `data_dir` as it is (e.g. holding a damaged database) without waiting
    /// for the receiver: `url` stays empty.
    pub async fn launch(data_dir: tempfile::TempDir, env: &[(String, String)]) -> Gui {
        assert!(std::env::var_os("DISPLAY").is_some(), "GUI tests need DISPLAY (scripts/test.sh starts Xvfb)");
        let wrapper = data_dir.path().join("webkit-driver.sh");
        std::fs::write(&wrapper, "#!/bin/sh\nexec /usr/bin/WebKitWebDriver --replace-on-new-session \"$@\"\n").unwrap();
        std::fs::set_permissions(&wrapper, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let (port, native_port) = (free_port(), free_port());
        let driver = Command::new("tauri-driver")
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .arg("--native-driver")
            .arg(&wrapper)
            .env("HOOKLOUPE_DATA_DIR", data_dir.path())
            .env("HOOKLOUPE_PORT", "0")
            .envs(env.iter().cloned())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tauri-driver on PATH (cargo install tauri-driver --locked)");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < WAIT, "tauri-driver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app_path().to_str().unwrap(), "args": [] }),
        );
        let client = ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("WebDriver session with the app");
        Gui { client, url: String::new(), data_dir, driver }
    }

    /// Saves a picture of the window as `artifacts/e2e/FAILED-….png`, then fails the test.
    pub async fn fail(&self, message: String) -> ! {
        let name: String = message.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).take(60).collect();
        let shot = self.screenshot(&format!("FAILED-{name}")).await;
        panic!("{message} (window: {})", shot.display());
    }

    /// Waits for the first element matching `css`.
    pub async fn find(&self, css: &str) -> Element {
        match self.client.wait().at_most(WAIT).for_element(Locator::Css(css)).await {
            Ok(el) => el,
            Err(e) => self.fail(format!("no element {css} after {WAIT:?}: {e}")).await,
        }
    }

    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        self.client.find_all(Locator::Css(css)).await.unwrap_or_default()
    }

    /// The `textContent` of every element matching `css` (WebDriver's rendered text is empty
    /// for elements scrolled out of view, so tests read the DOM instead).
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let v = self
            .client
            .execute(
                "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.textContent);",
                vec![serde_json::Value::from(css)],
            )
            .await
            .unwrap_or_default();
        serde_json::from_value(v).unwrap_or_default()
    }

    /// Waits until an element matching `css` has non-empty text, and returns it.
    pub async fn text(&self, css: &str) -> String {
        let started = Instant::now();
        loop {
            let t = self.texts(css).await.into_iter().next().unwrap_or_default();
            if !t.trim().is_empty() {
                return t;
            }
            if started.elapsed() > WAIT {
                self.fail(format!("{css} stayed empty")).await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Replaces the text of the input matching `css` with `text`, typed key by key. (Fields may
    /// be prefilled: the webview keeps its storage across runs of the app.)
    pub async fn type_into(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.unwrap_or_else(|e| panic!("clear {css}: {e}"));
        field.send_keys(text).await.unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Waits until some element matching `css` has a text containing `needle`; returns that text.
    pub async fn wait_text(&self, css: &str, needle: &str) -> String {
        let started = Instant::now();
        loop {
            if let Some(t) = self.texts(css).await.into_iter().find(|t| t.contains(needle)) {
                return t;
            }
            if started.elapsed() > WAIT {
                self.fail(format!("no {css} containing {needle:?} after {WAIT:?}")).await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Saves a PNG of the window to `artifacts/e2e/NAME.png` (after two animation frames, so the
    /// picture shows the current DOM).
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let _ = self
            .client
            .execute_async("const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done()));", vec![])
            .await;
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = workspace_root().join("artifacts").join("e2e");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        stop_driver(&mut self.driver);
    }
}

fn stop_driver(driver: &mut Child) {
    // SAFETY: signalling our own child.
    unsafe { libc::kill(driver.id() as i32, libc::SIGTERM) };
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if let Ok(Some(_)) = driver.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = driver.kill();
    let _ = driver.wait();
}

impl Drop for Gui {
    fn drop(&mut self) {
        if let Ok(None) = self.driver.try_wait() {
            stop_driver(&mut self.driver);
        }
    }
}
