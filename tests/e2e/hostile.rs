//! Hostile payloads in the real window: captures whose body, headers, path and query hold
//! markup and script (`<script>`, `<img onerror>`, `javascript:` URLs, SVG with scripts), huge
//! and deep JSON (10 MiB on one line, 100,000 elements, 10,000 levels), invalid UTF-8, NUL
//! bytes, controls, bidi overrides and zero-width characters. Each is opened in every body view
//! and tab; a canary the payloads would set stays unset, no payload element reaches the DOM,
//! the CSP refuses injected inline script, handlers and eval, a click answers within 1 s while
//! the capture is open, hidden characters show as markers, and the huge body opens as a
//! truncated preview that can be saved raw, byte for byte.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::harness::Gui;

/// What the payloads would run if any of them were ever treated as markup.
const CANARY: &str = "window.__pwned";

fn markup_json() -> String {
    serde_json::json!({
        "type": "<script>window.__pwned='script'</script>",
        "img": "<img src=x onerror=\"window.__pwned='img'\">",
        "link": "javascript:window.__pwned='js'",
        "svg": "<svg xmlns='http://www.w3.org/2000/svg' onload=\"window.__pwned='svg'\"><script>window.__pwned='svg-script'</script></svg>",
        "iframe": "<iframe srcdoc=\"<script>parent.__pwned='iframe'</script>\"></iframe>",
        // Sent raw, not as \u escapes: shown as markers, never applied.
        "file": "invoice\u{202E}fdp.exe",
        "zero_width": "pay\u{200B}pal\u{200D}",
    })
    .to_string()
}

const HTML: &str = "<!doctype html><html><body><script>window.__pwned='html'</script>\
<img src=x onerror=\"window.__pwned='html-img'\"><a href=\"javascript:window.__pwned='a'\">x</a></body></html>";

const SVG: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"window.__pwned='svg-doc'\">\
<script>window.__pwned='svg-doc-script'</script><foreignObject><body xmlns=\"http://www.w3.org/1999/xhtml\">\
<img src=x onerror=\"window.__pwned='fo'\"/></body></foreignObject></svg>";

struct Sent {
    name: &'static str,
    /// The path as sent, without the query (the detail's URL shows it).
    path: String,
    id: i64,
    body: Vec<u8>,
}

async fn post(gui: &Gui, name: &'static str, path: &str, content_type: &str, extra: &[(&str, &[u8])], body: Vec<u8>) -> Sent {
    let mut req = reqwest::Client::new().post(format!("{}{path}", gui.url)).header("content-type", content_type);
    for (k, v) in extra {
        req = req.header(*k, reqwest::header::HeaderValue::from_bytes(v).unwrap());
    }
    let resp = req.body(body.clone()).send().await.unwrap();
    assert_eq!(resp.status(), 200, "{name} stored");
    let id = resp.headers()["x-hookloupe-capture-id"].to_str().unwrap().parse().unwrap();
    Sent { name, path: path.split('?').next().unwrap().to_owned(), id, body }
}

/// Sent on a raw socket: bytes no HTTP client library would put in a header.
async fn post_raw(addr: SocketAddr, name: &'static str, path: &str, headers: &[u8], body: Vec<u8>) -> Sent {
    let mut req = format!("POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len()).into_bytes();
    req.extend_from_slice(headers);
    req.extend_from_slice(b"\r\n");
    req.extend_from_slice(&body);
    let (status, text) = hookloupe_tests::raw_http(addr, &req).await;
    assert_eq!(status, 200, "{name} stored: {text}");
    let id = hookloupe_tests::capture_id_of(&text).expect("capture id in the reply");
    Sent { name, path: path.split('?').next().unwrap().to_owned(), id, body }
}

/// What a payload would have left behind: the canary, or one of its elements in the DOM.
async fn breach(gui: &Gui) -> Option<String> {
    let script = format!(
        "const bad = document.querySelectorAll('img[src=x], [onerror], [onload], iframe, object, embed, foreignObject, a[href^=\"javascript\"]');
         const inline = Array.from(document.scripts).filter(s => !s.src).length;
         return {CANARY} !== undefined ? 'canary set: ' + {CANARY}
              : bad.length ? bad.length + ' payload element(s): ' + bad[0].outerHTML.slice(0, 200)
              : inline ? inline + ' inline script element(s)' : null;"
    );
    let v = gui.client.execute(&script, vec![]).await.unwrap();
    v.as_str().map(str::to_owned)
}

/// Clicks `css` and waits until `wanted` is in the DOM (and, when given, the detail's URL
/// contains `url`); the time it took, seen from outside the window (so a blocked main thread
/// counts).
async fn click_answers(gui: &Gui, css: &str, wanted: &str) -> Duration {
    click_opens(gui, css, wanted, "").await
}

async fn click_opens(gui: &Gui, css: &str, wanted: &str, url: &str) -> Duration {
    let started = Instant::now();
    gui.client
        .execute_async(
            "const [css, wanted, url, done] = arguments;
             document.querySelector(css).click();
             const there = () => document.querySelector(wanted)
               && (document.querySelector('[data-testid=detail-url]')?.textContent ?? '').includes(url);
             const look = () => there() ? done(true) : requestAnimationFrame(look);
             look();",
            vec![css.into(), wanted.into(), url.into()],
        )
        .await
        .unwrap_or_else(|e| panic!("click {css}, wait for {wanted}: {e}"));
    started.elapsed()
}

#[tokio::test]
async fn hostile_payloads_never_run_and_the_window_stays_responsive() {
    let gui = Gui::start().await;
    let addr: SocketAddr = gui.url.trim_start_matches("http://").parse().unwrap();

    let mut sent = Vec::new();
    sent.push(
        post(
            &gui,
            "markup",
            "/hostile/%3Cscript%3Ewindow.__pwned=1%3C/script%3E?next=javascript:window.__pwned%3D1\
             &q=%3Cimg%20src%3Dx%20onerror%3D%22window.__pwned%3D1%22%3E&file=invoice%E2%80%AEfdp.exe",
            "application/json",
            &[
                ("x-evil", b"<img src=x onerror=\"window.__pwned='header'\">"),
                ("x-bidi", "invoice\u{202E}fdp.exe \u{200B}".as_bytes()),
                ("x-link", b"javascript:window.__pwned='header-link'"),
            ],
            markup_json().into_bytes(),
        )
        .await,
    );
    sent.push(post(&gui, "html", "/hostile/html", "text/html", &[], HTML.into()).await);
    sent.push(post(&gui, "svg", "/hostile/svg", "image/svg+xml", &[], SVG.into()).await);
    let mut binary = b"\x00\x00NUL\x1b[2J\x1b]0;pwned\x07\x08\x08\r\xff\xfe\xc3\x28".to_vec();
    binary.extend((0..=255u8).cycle().take(4096));
    sent.push(
        post_raw(addr, "binary", "/hostile/bin?x=%00%1B%5B2J%C2%9B", b"X-Latin: caf\xe9\r\n", binary).await,
    );
    let mut big = b"{\"data\":\"".to_vec();
    big.resize(10 * 1024 * 1024 - 64, b'x');
    big.extend_from_slice(b"\",\"end\":true}");
    sent.push(post(&gui, "10 MiB on one line", "/hostile/big", "application/json", &[], big).await);
    let array = format!("[{}]", (0..100_000).map(|i| i.to_string()).collect::<Vec<_>>().join(","));
    sent.push(post(&gui, "100,000 elements", "/hostile/array", "application/json", &[], array.into_bytes()).await);
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    sent.push(post(&gui, "10,000 deep", "/hostile/deep", "application/json", &[], deep.into_bytes()).await);

    for s in &sent {
        let row = format!("[data-testid=capture-row][data-id='{}']", s.id);
        gui.find(&row).await;
        let opened = click_opens(&gui, &row, "[data-testid=tab-panel-body] [data-testid=body-view]", &s.path).await;
        for mode in ["json", "text", "hex"] {
            let button = format!("[data-testid=body-mode-{mode}]");
            let enabled: bool = gui
                .client
                .execute("const b = document.querySelector(arguments[0]); return !!b && !b.disabled;", vec![button.clone().into()])
                .await
                .unwrap()
                .as_bool()
                .unwrap();
            if enabled {
                let took = click_answers(&gui, &button, "[data-testid=body-view]").await;
                assert!(took < Duration::from_secs(3), "{}: the {mode} view took {took:?}", s.name);
            }
        }
        // While the capture is open, the window answers a click within a second.
        let answer = click_answers(&gui, "[data-testid=tab-headers]", "[data-testid=tab-panel-headers] [data-testid=header-value]").await;
        assert!(answer < Duration::from_secs(1), "{}: the Headers tab answered in {answer:?}", s.name);
        if !gui.find_all("[data-testid=tab-query]").await.is_empty() {
            click_answers(&gui, "[data-testid=tab-query]", "[data-testid=tab-panel-query]").await;
        }
        println!("{}: opened in {opened:?}, a click answered in {answer:?}", s.name);
        if let Some(what) = breach(&gui).await {
            gui.fail(format!("{}: {what}", s.name)).await;
        }
        gui.click("[data-testid=tab-body]").await;
    }

    // Hidden characters are shown, not applied: the header's right-to-left override and
    // zero-width space appear as markers that name them.
    gui.click(&format!("[data-testid=capture-row][data-id='{}']", sent[0].id)).await;
    gui.click("[data-testid=tab-headers]").await;
    let markers: Vec<String> = serde_json::from_value(
        gui.client
            .execute(
                "return Array.from(document.querySelectorAll('[data-testid=tab-panel-headers] [data-testid=hidden-char]')).map(e => e.title);",
                vec![],
            )
            .await
            .unwrap(),
    )
    .unwrap();
    assert!(markers.iter().any(|t| t.contains("RIGHT-TO-LEFT OVERRIDE")), "bidi override marked: {markers:?}");
    assert!(markers.iter().any(|t| t.contains("ZERO WIDTH SPACE")), "zero-width space marked: {markers:?}");
    gui.screenshot("hostile-markup-headers").await;

    // The CSP holds: injected inline script, an inline handler and eval are all refused.
    let csp = gui
        .client
        .execute_async(
            "const done = arguments[0];
             const s = document.createElement('script'); s.textContent = 'window.__cspInline = 1'; document.body.appendChild(s);
             const i = document.createElement('img'); i.setAttribute('onerror', 'window.__cspHandler = 1'); i.src = 'data:,x'; document.body.appendChild(i);
             let evalRan = false; try { evalRan = eval('1 + 1') === 2; } catch (e) { evalRan = false; }
             setTimeout(() => { s.remove(); i.remove(); done({ inline: window.__cspInline ?? null, handler: window.__cspHandler ?? null, evalRan }); }, 500);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(csp, serde_json::json!({ "inline": null, "handler": null, "evalRan": false }), "CSP refuses injected code");

    // The 10 MiB body opens as a preview (not pretty-printed, the first 256 KiB shown, "Show
    // all" offered) and is saved raw, byte for byte.
    let big = &sent[4];
    gui.click(&format!("[data-testid=capture-row][data-id='{}']", big.id)).await;
    gui.click("[data-testid=tab-body]").await;
    gui.wait_text("[data-testid=body-note]", "shown as plain text").await;
    gui.wait_text(".more", "Showing the first").await;
    assert!(gui.texts(".more button").await.iter().any(|t| t == "Show all"), "Show all offered");
    gui.screenshot("hostile-big-preview").await;
    let out = gui.data_dir.path().join("saved-big.json");
    gui.click("[data-testid=save-body]").await;
    gui.type_into("[data-testid=save-body-path]", out.to_str().unwrap()).await;
    gui.click("[data-testid=save-body-go]").await;
    let started = Instant::now();
    while !out.exists() {
        assert!(started.elapsed() < Duration::from_secs(20), "the body was not saved to {}", out.display());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(std::fs::read(&out).unwrap() == big.body, "the saved body is the capture's exact bytes");
    assert!(!out.with_file_name("saved-big.json.partial").exists(), "nothing left aside");

    // The binary body is saved raw too (its NULs, ESC and invalid UTF-8 intact).
    let bin = &sent[3];
    gui.click(&format!("[data-testid=capture-row][data-id='{}']", bin.id)).await;
    let out = gui.data_dir.path().join("saved.bin");
    gui.click("[data-testid=save-body]").await;
    gui.type_into("[data-testid=save-body-path]", out.to_str().unwrap()).await;
    gui.click("[data-testid=save-body-go]").await;
    let started = Instant::now();
    while !out.exists() {
        assert!(started.elapsed() < Duration::from_secs(20), "the binary body was not saved");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(std::fs::read(&out).unwrap(), bin.body);

    if let Some(what) = breach(&gui).await {
        gui.fail(format!("at the end: {what}")).await;
    }
    gui.close().await;
}
