//! Durability and concurrency of the store behind the receiver.

use std::collections::HashSet;
use std::sync::Arc;

use hookloupe_core::ipc::ListCapturesReq;
use hookloupe_core::{Engine, ErrorCode};
use hookloupe_tests::Running;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_senders_every_acknowledged_request_stored_exactly_once() {
    const TASKS: usize = 32;
    const PER_TASK: usize = 200;
    let r = Running::start().await;
    let client = reqwest::Client::new();
    let url = Arc::new(r.url.clone());
    let mut tasks = Vec::new();
    for t in 0..TASKS {
        let client = client.clone();
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let mut acked = Vec::new();
            for i in 0..PER_TASK {
                let marker = format!("{{\"task\":{t},\"seq\":{i}}}");
                let resp = client.post(format!("{url}/load/{t}")).body(marker.clone()).send().await.unwrap();
                assert_eq!(resp.status(), 200);
                acked.push(marker);
            }
            acked
        }));
    }
    let mut sent = Vec::new();
    for t in tasks {
        sent.extend(t.await.unwrap());
    }
    let stored: Vec<String> =
        r.all_captures().await.into_iter().map(|c| String::from_utf8(c.data.body).unwrap()).collect();
    assert_eq!(stored.len(), TASKS * PER_TASK, "each request stored exactly once");
    let unique: HashSet<&String> = stored.iter().collect();
    assert_eq!(unique.len(), stored.len(), "no duplicates");
    assert_eq!(unique, sent.iter().collect::<HashSet<_>>());
}

#[tokio::test]
async fn restart_keeps_everything() {
    let r = Running::start().await;
    let client = reqwest::Client::new();
    for i in 0..25 {
        client.post(format!("{}/r", r.url)).body(format!("n{i}")).send().await.unwrap();
    }
    let before: Vec<_> = r.all_captures().await.into_iter().map(|c| (c.id, c.data.body)).collect();
    let dir = r.stop();
    let r2 = Running::start_in(dir).await;
    let after: Vec<_> = r2.all_captures().await.into_iter().map(|c| (c.id, c.data.body)).collect();
    assert_eq!(before, after);
    // New captures continue the id sequence.
    let resp = client.post(format!("{}/r", r2.url)).body("later").send().await.unwrap();
    let id: i64 = resp.headers()["x-hookloupe-capture-id"].to_str().unwrap().parse().unwrap();
    assert!(id > after.last().unwrap().0);
}

#[tokio::test]
async fn paging_is_newest_first_and_complete() {
    let r = Running::start().await;
    let client = reqwest::Client::new();
    for i in 0..7 {
        client.post(format!("{}/p", r.url)).body(format!("{i}")).send().await.unwrap();
    }
    let first = r.engine.list_captures(ListCapturesReq { limit: Some(3), ..Default::default() }).await.unwrap();
    let ids: Vec<i64> = first.items.iter().map(|c| c.id).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
    assert_eq!(first.next_before, Some(ids[2]));
    let second = r
        .engine
        .list_captures(ListCapturesReq { limit: Some(10), before: first.next_before, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(second.items.len(), 4);
    assert_eq!(second.next_before, None);
}

#[tokio::test]
async fn retention_removes_oldest_first() {
    let r = Running::start().await;
    r.engine.set_retention(5).await.unwrap();
    let client = reqwest::Client::new();
    for i in 0..12 {
        client.post(format!("{}/ret", r.url)).body(format!("{i}")).send().await.unwrap();
    }
    let bodies: Vec<String> =
        r.all_captures().await.into_iter().map(|c| String::from_utf8(c.data.body).unwrap()).collect();
    assert_eq!(bodies, ["7", "8", "9", "10", "11"]);
    // The setting is persisted.
    let dir = r.stop();
    let again = Engine::open(hookloupe_tests::test_config(dir.path())).unwrap();
    assert_eq!(again.retention(), 5);
}

/// Retention keeps exactly the newest N even when another process deleted some in between (the
/// count it reads is kept by the database itself), and the count matches the table.
#[tokio::test]
async fn retention_counts_deletes_made_by_another_process() {
    let r = Running::start().await;
    r.engine.set_retention(5).await.unwrap();
    let client = reqwest::Client::new();
    for i in 0..5 {
        client.post(format!("{}/ret", r.url)).body(format!("{i}")).send().await.unwrap();
    }
    let ids: Vec<i64> = r.all_captures().await.iter().map(|c| c.id).collect();
    let dir = r.data_dir().to_owned();
    let (a, b) = (ids[1], ids[3]);
    tokio::task::spawn_blocking(move || {
        hookloupe_tests::cli(&dir).args(["delete", &a.to_string()]).assert().success();
        hookloupe_tests::cli(&dir).args(["delete", &b.to_string()]).assert().success();
    })
    .await
    .unwrap();
    assert_eq!(r.engine.count_captures().await.unwrap(), 3);
    for i in 5..8 {
        client.post(format!("{}/ret", r.url)).body(format!("{i}")).send().await.unwrap();
    }
    let bodies: Vec<String> =
        r.all_captures().await.into_iter().map(|c| String::from_utf8(c.data.body).unwrap()).collect();
    assert_eq!(bodies, ["2", "4", "5", "6", "7"], "only the one excess capture removed, oldest first");
    assert_eq!(r.engine.count_captures().await.unwrap(), 5);
    r.engine.clear_captures(None).await.unwrap();
    assert_eq!(r.engine.count_captures().await.unwrap(), 0);
}

#[tokio::test]
async fn delete_and_clear() {
    let r = Running::start().await;
    let client = reqwest::Client::new();
    for _ in 0..3 {
        client.post(format!("{}/d", r.url)).body("x").send().await.unwrap();
    }
    let ids: Vec<i64> = r.all_captures().await.iter().map(|c| c.id).collect();
    r.engine.delete_capture(ids[1]).await.unwrap();
    let err = r.engine.delete_capture(ids[1]).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
    assert_eq!(r.all_captures().await.len(), 2);
    assert_eq!(r.engine.clear_captures(None).await.unwrap(), 2);
    assert!(r.all_captures().await.is_empty());
}

/// While another program holds the write lock, a request is never acknowledged with 2xx (it
/// gets 503 naming the lock) and nothing is lost; afterwards everything works again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn locked_database_refuses_to_acknowledge_and_recovers() {
    let r = Running::start().await;
    let client = reqwest::Client::new();
    client.post(format!("{}/before", r.url)).body("before").send().await.unwrap();
    let db = r.data_dir().join("hookloupe.db");
    let locker = rusqlite::Connection::open(&db).unwrap();
    locker.execute_batch("BEGIN IMMEDIATE; INSERT INTO settings VALUES ('lock', 'x');").unwrap();
    let resp = client.post(format!("{}/during", r.url)).body("during").send().await.unwrap();
    assert_eq!(resp.status(), 503);
    let json: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(json["error"], "database_locked", "the code names the failure");
    assert!(json["message"].as_str().unwrap().contains("locked"), "{json}");
    locker.execute_batch("ROLLBACK").unwrap();
    drop(locker);
    let resp = client.post(format!("{}/after", r.url)).body("after").send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let bodies: Vec<Vec<u8>> = r.all_captures().await.into_iter().map(|c| c.data.body).collect();
    assert_eq!(bodies, vec![b"before".to_vec(), b"after".to_vec()]);
}

/// A listening engine notices captures written by another process on the same database (here a
/// second engine with its own connections and receiver) and tells its subscribers to reload.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_process_capturing_into_the_same_database_is_noticed() {
    let app = Running::start().await;
    let mut events = app.engine.subscribe();
    let other = Engine::open(hookloupe_tests::test_config(app.data_dir())).unwrap();
    let view = other
        .listen(hookloupe_core::config::ListenAddr { bind: [127, 0, 0, 1].into(), port: 0, policy: hookloupe_core::PortPolicy::Exact })
        .await
        .unwrap();
    // Let the first engine take its baseline fingerprint.
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    reqwest::Client::new().post(format!("{}/elsewhere", view.url)).body("x").send().await.unwrap();
    let noticed = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            if let Ok(hookloupe_core::Event::CapturesChanged) = events.recv().await {
                return;
            }
        }
    })
    .await;
    assert!(noticed.is_ok(), "no CapturesChanged after another process captured");
    assert_eq!(app.all_captures().await.len(), 1);
}

/// A history far over the limit is trimmed in bounded steps: each capture commit removes at most
/// one step (no sender waits on a huge delete), and lowering retention trims it all, in steps.
#[tokio::test]
async fn retention_far_over_the_limit_is_trimmed_in_steps() {
    use hookloupe_core::store::captures::RETENTION_STEP;
    let r = Running::start().await;
    let client = reqwest::Client::new();
    client.post(format!("{}/seed", r.url)).body("seed").send().await.unwrap();
    let extra = 2 * RETENTION_STEP as i64 + 500;
    {
        let conn = rusqlite::Connection::open(r.data_dir().join("hookloupe.db")).unwrap();
        conn.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
        let cols = "received_at_us, endpoint, method, path, query, url, headers, body, body_size, body_over_limit, content_type, remote_addr, event_indexed, via";
        conn.execute(
            &format!("WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?1)
                      INSERT INTO captures ({cols}) SELECT {cols} FROM k, (SELECT * FROM captures LIMIT 1)"),
            [extra],
        )
        .unwrap();
        conn.execute("UPDATE settings SET value = '100' WHERE key = 'retention.max_captures'", []).unwrap();
    }
    let before = (extra + 1) as u64;
    assert_eq!(r.engine.count_captures().await.unwrap(), before);
    // Wait for the engine's reload to read the new retention (every 2 s).
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    client.post(format!("{}/one", r.url)).body("one").send().await.unwrap();
    assert_eq!(r.engine.count_captures().await.unwrap(), before + 1 - RETENTION_STEP, "one bounded step per commit");
    r.engine.set_retention(100).await.unwrap();
    assert_eq!(r.engine.count_captures().await.unwrap(), 100, "lowering retention trims everything, in steps");
    let newest = r.all_captures().await.pop().unwrap();
    assert_eq!(newest.data.body, b"one");
}
