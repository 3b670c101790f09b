//! Kill -9 while a sender streams requests: every request that got a 2xx is on disk.

use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hookloupe_core::Engine;
use hookloupe_tests::{all_captures, cli_path};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_loses_no_acknowledged_capture() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(cli_path())
        .args(["--data-dir", dir.path().to_str().unwrap(), "listen", "--port", "0"])
        .env_remove("HOOKLOUPE_PORT")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let url = super::cli::listening_url(child.stderr.take().unwrap());
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
    let mut senders = Vec::new();
    for t in 0..8 {
        let (client, url, acked) = (client.clone(), url.clone(), acked.clone());
        senders.push(tokio::spawn(async move {
            for i in 0.. {
                let marker = format!("crash-{t}-{i}");
                match client.post(format!("{url}/crash")).body(marker.clone()).send().await {
                    Ok(resp) if resp.status().is_success() => acked.lock().unwrap().push(marker),
                    Ok(_) => {}
                    Err(_) => return, // the listener is gone
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let pid = child.id() as i32;
    // SAFETY: sending a signal to our own child process.
    unsafe { libc::kill(pid, libc::SIGKILL) };
    child.wait().unwrap();
    for s in senders {
        let _ = s.await;
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() > 50, "the sender should have been acknowledged many times, got {}", acked.len());
    let engine = Engine::open(hookloupe_tests::test_config(dir.path())).unwrap();
    let stored: std::collections::HashSet<Vec<u8>> =
        all_captures(&engine).await.into_iter().map(|c| c.data.body).collect();
    let lost: Vec<&String> = acked.iter().filter(|m| !stored.contains(m.as_bytes())).collect();
    assert!(lost.is_empty(), "{} acknowledged captures lost after SIGKILL, e.g. {:?}", lost.len(), &lost[..lost.len().min(5)]);
}
