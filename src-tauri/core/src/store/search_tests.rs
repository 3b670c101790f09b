//! The search SQL over a real SQLite file: FTS5 contentless-delete kept in step by inserts,
//! deletes, clear and retention; chips; counts; query plans that use the indexes.

use super::*;
use crate::model::{CaptureSignature, EventKeys, HeaderList, NewCapture, Via};
use crate::store::{capture_text, captures, Store};

fn capture(endpoint: &str, content_type: Option<&str>, body: &[u8]) -> NewCapture {
    NewCapture {
        received_at_us: 1_000,
        endpoint: endpoint.into(),
        method: "POST".into(),
        path: "/hook".into(),
        query: "token=abc&note=caf%C3%A9".into(),
        url: "http://127.0.0.1/hook".into(),
        headers: HeaderList(vec![("x-finsight-event".into(), b"kpi.threshold_reached".to_vec())]),
        body_size: body.len() as u64,
        body: body.to_vec(),
        body_over_limit: false,
        content_type: content_type.map(str::to_owned),
        remote_addr: "127.0.0.1:1".into(),
        via: Via::Local,
        forwarded_for: None,
        event: EventKeys::default(),
        duplicate_of: None,
    }
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.db")).unwrap();
    (dir, store)
}

fn insert(store: &Store, c: &NewCapture) -> CaptureId {
    store
        .with(|conn| {
            let tx = conn.transaction()?;
            let (id, _) = captures::insert(&tx, c, &CaptureSignature::default())?;
            tx.commit()?;
            Ok(id)
        })
        .unwrap()
}

fn search(store: &Store, words: &str) -> Vec<CaptureId> {
    let filter = CaptureFilter { search: Some(words.into()), ..Default::default() };
    store.with(|c| candidate_ids(c, &Sql::of(&filter), i64::MAX, 100)).unwrap()
}

fn fts_rows(store: &Store) -> i64 {
    // A contentless table cannot be counted with count(*) over its content; ask by rowid.
    store.with(|c| c.query_row("SELECT count(*) FROM capture_text WHERE capture_text MATCH 'hook'", [], |r| r.get(0))).unwrap()
}

#[test]
fn bundled_sqlite_has_fts5_with_contentless_delete() {
    let (_dir, store) = store();
    let sql: String = store
        .with(|c| c.query_row("SELECT sql FROM sqlite_master WHERE name = 'capture_text'", [], |r| r.get(0)))
        .unwrap();
    assert!(sql.contains("contentless_delete"), "{sql}");
    let a = insert(&store, &capture("default", Some("application/json"), br#"{"order":{"ref":"ORD-2024-003"}}"#));
    assert_eq!(search(&store, "ORD-2024-003"), [a]);
    assert!(store.with(|c| captures::delete(c, a)).unwrap());
    assert!(search(&store, "ORD-2024-003").is_empty());
    assert_eq!(fts_rows(&store), 0);
}

#[test]
fn words_come_from_json_forms_headers_query_and_text_but_not_binary() {
    let (_dir, store) = store();
    let json = insert(&store, &capture("default", Some("application/json"), br#"{"data":{"customer":{"name":"Caf\u00e9 Lumi\u00e8re"}},"total_cents":150001}"#));
    let form = insert(&store, &capture("default", Some("application/x-www-form-urlencoded"), b"event=en_attente&role=3&client=Mme+Dupont"));
    let text = insert(&store, &capture("default", Some("text/plain"), b"plain words zebra"));
    let binary = insert(&store, &capture("default", Some("application/octet-stream"), b"zebra secretbinaryword"));
    let not_utf8 = insert(&store, &capture("default", None, b"\xff\xfe zebra invalidutf"));
    assert_eq!(search(&store, "cafe lumiere"), [json], "decoded, diacritics folded");
    assert_eq!(search(&store, "customer"), [json], "keys");
    assert_eq!(search(&store, "150001"), [json], "numbers");
    assert_eq!(search(&store, "Dupont"), [form], "decoded form values");
    assert_eq!(search(&store, "en_attente"), [form]);
    assert_eq!(search(&store, "zebra"), [text]);
    assert!(search(&store, "secretbinaryword").is_empty());
    assert!(search(&store, "invalidutf").is_empty());
    assert_eq!(search(&store, "\"kpi threshold_reached\"").len(), 5, "header values");
    assert_eq!(search(&store, "café").len(), 5, "decoded query values");
    assert_eq!(search(&store, "lumi"), [json], "the last word is a prefix");
    let _ = (binary, not_utf8);
}

/// Whatever is typed, FTS5 accepts the expression (no syntax error reaches the user).
#[test]
fn hostile_search_text_never_breaks_match() {
    let (_dir, store) = store();
    let id = insert(&store, &capture("default", Some("text/plain"), b"near or not and text"));
    for input in [
        "\"", "\"\"\"", "a\"b\"c", "NEAR(a b, 2)", "near or", "OR", "AND NOT", "*", "a*b", "text:near", "^near",
        "(near", "near)", "{text}: near", "-near", "+near", "'near'", "near\u{0}or", "東京*", "\u{202e}near", "near:",
    ] {
        let filter = CaptureFilter { search: Some(input.into()), ..Default::default() };
        let sql = Sql::of(&filter);
        let ids = store.with(|c| candidate_ids(c, &sql, i64::MAX, 10));
        assert!(ids.is_ok(), "{input:?} → {:?}: {ids:?}", sql.fts());
        store.with(|c| count(c, &sql)).unwrap();
    }
    let filter = CaptureFilter { search: Some("NEAR(or not)".into()), ..Default::default() };
    assert_eq!(store.with(|c| candidate_ids(c, &Sql::of(&filter), i64::MAX, 10)).unwrap(), [id], "operators are words");
}

#[test]
fn clear_and_retention_keep_the_index_in_step_and_spare_pinned_captures() {
    let (_dir, store) = store();
    let ids: Vec<CaptureId> = (0..10).map(|_| insert(&store, &capture("default", Some("text/plain"), b"alpha"))).collect();
    assert!(store.with(|c| captures::set_pinned(c, ids[0], true)).unwrap());
    assert!(store.with(|c| captures::set_pinned(c, ids[2], true)).unwrap());
    assert!(!store.with(|c| captures::set_pinned(c, 999, true)).unwrap());
    // Keep 3 unpinned: the 5 oldest unpinned go, the pinned stay.
    assert_eq!(store.with(|c| captures::enforce_retention(c, 3)).unwrap(), 5);
    let left = search(&store, "alpha");
    assert_eq!(left, [ids[9], ids[8], ids[7], ids[2], ids[0]]);
    assert_eq!(store.with(|c| captures::enforce_retention(c, 3)).unwrap(), 0);
    let pinned = CaptureFilter { pinned: true, ..Default::default() };
    assert_eq!(store.with(|c| count(c, &Sql::of(&pinned))).unwrap(), 2);
    store.with(|c| captures::clear(c, None)).unwrap();
    assert!(search(&store, "alpha").is_empty());
    assert_eq!(fts_rows(&store), 0);
}

#[test]
fn chips_narrow_and_count() {
    let (_dir, store) = store();
    let a = insert(&store, &capture("stripe", Some("text/plain"), b"one"));
    let b = insert(&store, &capture("github", Some("text/plain"), b"two"));
    let mut tunnel = capture("github", Some("text/plain"), b"three");
    tunnel.via = Via::Tunnel;
    tunnel.received_at_us = 5_000;
    let c = insert(&store, &tunnel);
    let run = |f: CaptureFilter| {
        let s = Sql::of(&f);
        let ids = store.with(|conn| candidate_ids(conn, &s, i64::MAX, 100)).unwrap();
        let n = store.with(|conn| count(conn, &s)).unwrap();
        assert_eq!(n as usize, ids.len(), "{f:?}");
        ids
    };
    assert_eq!(run(CaptureFilter::default()), [c, b, a]);
    assert_eq!(run(CaptureFilter { endpoint: Some("github".into()), ..Default::default() }), [c, b]);
    assert_eq!(run(CaptureFilter { via: Some("tunnel".into()), ..Default::default() }), [c]);
    assert_eq!(run(CaptureFilter { via: Some("local".into()), ..Default::default() }), [b, a]);
    assert_eq!(run(CaptureFilter { since_us: Some(2_000), ..Default::default() }), [c]);
    assert_eq!(run(CaptureFilter { until_us: Some(2_000), ..Default::default() }), [b, a]);
    assert_eq!(run(CaptureFilter { verdict: Some(VerdictChip::None), ..Default::default() }), [c, b, a]);
    assert_eq!(run(CaptureFilter { verdict: Some(VerdictChip::Invalid), ..Default::default() }), Vec::<i64>::new());
    assert_eq!(run(CaptureFilter { ids: Some(vec![a, c, 999]), ..Default::default() }), [c, a]);
    assert_eq!(run(CaptureFilter { search: Some("two".into()), endpoint: Some("github".into()), ..Default::default() }), [b]);
    assert_eq!(run(CaptureFilter { search: Some("two".into()), endpoint: Some("stripe".into()), ..Default::default() }), Vec::<i64>::new());
    assert_eq!(run(CaptureFilter { duplicates: true, ..Default::default() }), Vec::<i64>::new());
    assert_eq!(run(CaptureFilter { forward_failed: true, ..Default::default() }), Vec::<i64>::new());
    // Keyset paging.
    let all = Sql::of(&CaptureFilter::default());
    assert_eq!(store.with(|conn| candidate_ids(conn, &all, c, 1)).unwrap(), [b]);
    assert_eq!(store.with(|conn| all_ids(conn, &all)).unwrap(), [a, b, c]);
}

#[test]
fn backfill_indexes_rows_stored_without_their_words() {
    let (_dir, store) = store();
    insert(&store, &capture("default", Some("text/plain"), b"fresh"));
    // As a database from before migration 0010 holds them: rows with text_indexed = 0.
    store
        .with(|c| {
            c.execute_batch(
                "INSERT INTO captures (received_at_us, endpoint, method, path, query, url, headers, body, body_size,
                                       content_type, remote_addr)
                 SELECT 1, 'default', 'POST', '/old', '', 'http://x/old', X'', CAST('ancient words' AS BLOB), 13,
                        'text/plain', '127.0.0.1:1' FROM (SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3)",
            )
        })
        .unwrap();
    assert!(store.with(|c| capture_text::pending(c)).unwrap());
    assert!(search(&store, "ancient").is_empty());
    assert_eq!(store.with(capture_text::backfill_step).unwrap(), 3);
    assert_eq!(store.with(capture_text::backfill_step).unwrap(), 0);
    assert!(!store.with(|c| capture_text::pending(c)).unwrap());
    assert_eq!(search(&store, "ancient").len(), 3);
    assert_eq!(search(&store, "fresh").len(), 1);
}

/// The plans of the list's queries: chips are read from indexes only (never a scan of the
/// captures' rows), pages come in id order without sorting.
#[test]
fn chip_queries_use_indexes() {
    let (_dir, store) = store();
    let explain = |text: &str, params: Vec<Value>| -> String {
        store
            .with(|c| {
                let mut stmt = c.prepare(&format!("EXPLAIN QUERY PLAN {text}"))?;
                let rows = stmt.query_map(params_from_iter(params), |r| r.get::<_, String>(3))?;
                rows.collect::<rusqlite::Result<Vec<_>>>()
            })
            .unwrap()
            .join(" | ")
    };
    let uses = |f: CaptureFilter, index: &str| {
        let (text, params) = page_query(&Sql::of(&f), i64::MAX, 100);
        let p = explain(&text, params);
        assert!(p.contains(index), "{f:?}: {p}");
        assert!(!p.contains("TEMP B-TREE"), "{f:?} sorts: {p}");
        assert!(!p.contains("SCAN c ") && !p.ends_with("SCAN c"), "{f:?} reads rows: {p}");
    };
    let e = || Some("e".to_owned());
    uses(CaptureFilter::default(), "(id<?)");
    uses(CaptureFilter { endpoint: e(), ..Default::default() }, "captures_endpoint_id");
    uses(CaptureFilter { verdict: Some(VerdictChip::Invalid), ..Default::default() }, "captures_verdict");
    uses(CaptureFilter { event_type: Some("t".into()), ..Default::default() }, "captures_type");
    uses(CaptureFilter { duplicates: true, ..Default::default() }, "captures_duplicate");
    uses(CaptureFilter { pinned: true, ..Default::default() }, "captures_pinned");
    uses(CaptureFilter { via: Some("tunnel".into()), ..Default::default() }, "captures_via");
    uses(CaptureFilter { method: Some("POST".into()), via: Some("local".into()), ..Default::default() }, "COVERING INDEX captures_chips");
    uses(CaptureFilter { endpoint: e(), verdict: Some(VerdictChip::None), since_us: Some(1), ..Default::default() }, "COVERING INDEX captures_chips");
    uses(CaptureFilter { search: Some("w".into()), ..Default::default() }, "VIRTUAL TABLE");
    uses(CaptureFilter { search: Some("w".into()), endpoint: e(), method: Some("GET".into()), ..Default::default() }, "COVERING INDEX captures_chips");
    let retention = explain("DELETE FROM captures WHERE id IN (SELECT id FROM captures WHERE pinned = 0 ORDER BY id LIMIT 5)", vec![]);
    assert!(!retention.contains("TEMP B-TREE"), "{retention}");
}
