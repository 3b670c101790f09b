//! The receiver under abuse, on 127.0.0.1: silent and trickling connections cannot lock real
//! senders out (header-read timeout, idle timeout, a connection cap that sheds the oldest idle
//! connection), and header fidelity and Host rules hold on every connection (a request asking
//! for an upgrade, duplicate identical Content-Length, missing or malformed Host).

use std::time::{Duration, Instant};

use hookloupe_tests::{capture_id_of, raw_http, Running};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Reads until the peer closes (or `limit`); true when it closed.
async fn closed_within(s: &mut TcpStream, limit: Duration) -> bool {
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline.into(), s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_and_trickling_connections_do_not_lock_senders_out() {
    let r = Running::start().await;
    let mut silent = Vec::new();
    for _ in 0..2000 {
        silent.push(TcpStream::connect(r.addr).await.expect("connect"));
    }
    let mut tricklers = Vec::new();
    for _ in 0..300 {
        let mut s = TcpStream::connect(r.addr).await.unwrap();
        tricklers.push(tokio::spawn(async move {
            for b in b"POST /slow HTTP/1.1\r\nHost: x\r\nX-Slow: ".iter().cycle().take(40) {
                if s.write_all(&[*b]).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        }));
    }
    let client = reqwest::Client::new();
    for i in 0..20 {
        let resp = tokio::time::timeout(
            Duration::from_secs(10),
            client.post(format!("{}/real/{i}", r.url)).body("{}").send(),
        )
        .await
        .expect("a real sender is answered while 2,300 idle connections are open")
        .unwrap();
        assert!(resp.status().is_success());
    }
    assert_eq!(r.engine.count_captures().await.unwrap(), 20, "nothing recorded for the silent ones");
    for t in tricklers {
        t.abort();
    }
}

#[tokio::test]
async fn slow_heads_and_idle_connections_are_closed_after_the_timeout() {
    let r = Running::start_with(tempfile::tempdir().unwrap(), |c| c.header_read_timeout = Duration::from_millis(800)).await;
    // A head trickled byte by byte never completes in time.
    let mut slow = TcpStream::connect(r.addr).await.unwrap();
    slow.write_all(b"POST / HTTP/1.1\r\nHo").await.unwrap();
    assert!(closed_within(&mut slow, Duration::from_secs(5)).await, "a slow head is cut off");
    // A connection that says nothing is closed too.
    let mut idle = TcpStream::connect(r.addr).await.unwrap();
    assert!(closed_within(&mut idle, Duration::from_secs(5)).await, "a silent connection is closed");
    // A keep-alive connection idle after its request is closed, its capture kept.
    let mut ka = TcpStream::connect(r.addr).await.unwrap();
    ka.write_all(b"POST /ka HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}").await.unwrap();
    assert!(closed_within(&mut ka, Duration::from_secs(5)).await);
    assert_eq!(r.engine.count_captures().await.unwrap(), 1);
}

#[tokio::test]
async fn at_the_cap_the_oldest_idle_connection_makes_room() {
    let r = Running::start_with(tempfile::tempdir().unwrap(), |c| c.max_connections = Some(50)).await;
    let mut silent = Vec::new();
    for _ in 0..50 {
        silent.push(TcpStream::connect(r.addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (status, _) = raw_http(r.addr, b"POST /room HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}").await;
    assert_eq!(status, 200, "a new sender gets in");
    assert!(closed_within(&mut silent[0], Duration::from_secs(2)).await, "the oldest idle connection was shed");
    assert!(!closed_within(&mut silent[49], Duration::from_millis(300)).await, "newer ones are kept");
}

#[tokio::test]
async fn header_fidelity_holds_after_an_upgrade_request_and_with_duplicate_lengths() {
    let r = Running::start().await;
    let mut s = TcpStream::connect(r.addr).await.unwrap();
    s.write_all(b"GET /up HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n")
        .await
        .unwrap();
    s.write_all(b"POST /after HTTP/1.1\r\nHost: x\r\nX-Mixed-Case: 1\r\nx-mixed-case: 2\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut buf)).await;
    let text = String::from_utf8_lossy(&buf);
    assert_eq!(text.matches("HTTP/1.1 200").count(), 2, "both answered on one connection: {text}");
    let caps = r.all_captures().await;
    let after = caps.iter().find(|c| c.data.path == "/after").expect("second request captured");
    let names: Vec<&str> = after.data.headers.0.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Host", "X-Mixed-Case", "x-mixed-case", "Content-Length", "Connection"]);

    let (status, text) =
        raw_http(r.addr, b"POST /dup HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nX-A: 1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}").await;
    assert_eq!(status, 200, "{text}");
    let c = r.engine.capture(capture_id_of(&text).unwrap()).await.unwrap();
    let names: Vec<&str> = c.data.headers.0.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Host", "Content-Length", "X-A", "Content-Length", "Connection"], "both kept, case kept");
}

#[tokio::test]
async fn requests_without_a_valid_host_are_refused() {
    let r = Running::start().await;
    for (raw, want) in [
        (&b"POST /nohost HTTP/1.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"[..], 400),
        (b"POST /path HTTP/1.1\r\nHost: evil.test/x?y#z\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 400),
        (b"POST /two HTTP/1.1\r\nHost: a\r\nHost: b\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 400),
        (b"POST /ten HTTP/1.0\r\nContent-Length: 0\r\n\r\n", 200),
        (b"POST /ok HTTP/1.1\r\nHost: [::1]:4665\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 200),
    ] {
        let (status, text) = raw_http(r.addr, raw).await;
        assert_eq!(status, want, "{}: {text}", String::from_utf8_lossy(raw).lines().next().unwrap());
    }
    let paths: Vec<String> = r.all_captures().await.into_iter().map(|c| c.data.path).collect();
    assert_eq!(paths, ["/ten", "/ok"], "refused requests are not recorded");
}
