//! Unit tests of forward rules: what is refused when saved (and where), the decisions over seed
//! 000's stream, and transformed bodies.

use super::*;
use crate::model::{CaptureSignature, EventKeys, HeaderList, NewCapture, Via};
use crate::signature::{ReasonCode, SchemeId, Verdict, VerdictStatus};

fn capture(id: i64, event_id: &str, total_cents: i64, status: Option<VerdictStatus>) -> Capture {
    let body = format!(
        r#"{{"id":"{event_id}","type":"invoice.overdue","data":{{"numero":"F-{id}","client_nom":"Client {id}","total_cents":{total_cents},"due_date":"2024-01-15"}}}}"#
    );
    let data = NewCapture {
        received_at_us: 1_700_000_000_000_000,
        endpoint: "servolution".into(),
        method: "POST".into(),
        path: "/servolution".into(),
        query: String::new(),
        url: "http://127.0.0.1:4665/servolution".into(),
        headers: HeaderList(vec![("Content-Type".into(), b"application/json".to_vec())]),
        body_size: body.len() as u64,
        body: body.into_bytes(),
        body_over_limit: false,
        content_type: Some("application/json".into()),
        remote_addr: "127.0.0.1:5000".into(),
        via: Via::Local,
        forwarded_for: None,
        event: EventKeys { id: Some(format!("servolution_id:{event_id}")), event_type: Some("invoice.overdue".into()) },
        duplicate_of: None,
    };
    let verdict = status.map(|s| {
        let reason = if s == VerdictStatus::Valid { ReasonCode::Ok } else { ReasonCode::BadSignature };
        Verdict::new(SchemeId::Servolution, s, reason, "computed signature differs")
    });
    Capture { id, data, signature: CaptureSignature { verdict, detected: None } }
}

fn seed_000() -> RuleSpec {
    let mut spec = RuleSpec::new(Some("servolution".into()), "http://127.0.0.1:9/services/T/B/x");
    spec.filter = Some(r#"type == "invoice.overdue" && data.total_cents > 150000"#.into());
    spec.only_valid = true;
    spec.skip_duplicates = true;
    spec.transform = Transform::Slack;
    spec.rate = Some("1/s".into());
    spec
}

#[test]
fn seed_000_decisions() {
    let rule = compile(seed_000()).unwrap();
    let never = |_: &str| None;
    assert_eq!(rule.decide(&capture(1, "evt_1", 182_050, Some(VerdictStatus::Valid)), never), Decision::Send);
    match rule.decide(&capture(2, "evt_2", 90_000, Some(VerdictStatus::Valid)), never) {
        Decision::Filtered(why) => assert!(why.contains("did not match"), "{why}"),
        other => panic!("{other:?}"),
    }
    match rule.decide(&capture(3, "evt_3", 200_000, Some(VerdictStatus::Invalid)), never) {
        Decision::Filtered(why) => assert!(why.contains("invalid") && why.contains("only valid"), "{why}"),
        other => panic!("{other:?}"),
    }
    match rule.decide(&capture(4, "evt_4", 200_000, None), never) {
        Decision::Filtered(why) => assert!(why.contains("not signed"), "{why}"),
        other => panic!("{other:?}"),
    }
    let sent = |id: &str| (id == "servolution_id:evt_1").then_some(1);
    match rule.decide(&capture(5, "evt_1", 182_050, Some(VerdictStatus::Valid)), sent) {
        Decision::Duplicate(why) => assert!(why.contains("capture 1"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn duplicates_go_unless_asked_and_only_valid_is_off_by_default() {
    let rule = compile(RuleSpec::new(Some("servolution".into()), "http://127.0.0.1:9/")).unwrap();
    let c = capture(5, "evt_1", 1, None);
    assert_eq!(rule.decide(&c, |_| Some(1)), Decision::Send);
}

#[test]
fn a_filter_failing_on_one_payload_is_no_match_with_words() {
    let mut spec = RuleSpec::new(None, "http://127.0.0.1:9/");
    spec.filter = Some("data.missing.deeper > 3".into());
    let rule = compile(spec).unwrap();
    match rule.decide(&capture(1, "e", 1, None), |_| None) {
        Decision::Filtered(why) => assert!(why.contains("could not be evaluated"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn refusals_name_the_field_and_the_position() {
    let mut spec = RuleSpec::new(None, "ftp://example.com/");
    assert_eq!(compile(spec.clone()).unwrap_err().field, "url");
    spec.url = "  ".into();
    assert_eq!(compile(spec.clone()).unwrap_err().field, "url");
    spec.url = "http://127.0.0.1:3000/hooks".into();
    spec.filter = Some("type == ".into());
    let e = compile(spec.clone()).unwrap_err();
    assert_eq!(e.field, "filter");
    assert!(e.offset.is_some(), "{e:?}");
    spec.filter = Some("   ".into());
    assert_eq!(compile(spec.clone()).unwrap().spec.filter, None, "a blank filter is no filter");
    spec.transform = Transform::Template { source: "{{ body.x ".into() };
    let e = compile(spec.clone()).unwrap_err();
    assert_eq!(e.field, "template");
    assert!(e.message.contains("line 1"), "{e}");
    spec.transform = Transform::None;
    spec.policy = RetryPolicy { timeout_ms: 700_000, attempts: 3, backoff_ms: vec![0] };
    assert_eq!(compile(spec.clone()).unwrap_err().field, "policy");
    spec.policy = RetryPolicy { timeout_ms: 1000, attempts: 4, backoff_ms: vec![0, 10] };
    assert_eq!(compile(spec.clone()).unwrap().spec.policy.backoff_ms, vec![0, 10, 10, 10], "the last wait repeats");
    spec.answer = true;
    spec.answer_deadline_ms = 99;
    assert_eq!(compile(spec.clone()).unwrap_err().field, "answer_deadline_ms");
    spec.answer_deadline_ms = 3000;
    spec.rate = Some("0/s".into());
    assert_eq!(compile(spec.clone()).unwrap_err().field, "rate");
    spec.rate = Some(" 60/min ".into());
    assert_eq!(compile(spec.clone()).unwrap().spec.rate.as_deref(), Some("60/min"));
    spec.rate = None;
    spec.content_type = Some("text/plain\r\nX-Evil: 1".into());
    assert_eq!(compile(spec).unwrap_err().field, "content_type");
}

#[test]
fn the_slack_transform_makes_seed_000s_message() {
    let rule = compile(seed_000()).unwrap();
    let (body, ct) = rule.body(&capture(1, "evt_1", 182_050, Some(VerdictStatus::Valid)), "2024-02-14T09:00:00Z").unwrap().unwrap();
    assert_eq!(ct, "application/json");
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["text"], ":warning: Facture impayée *F-1* — Client 1 : 1820,50 € (échéance 2024-01-15)");
    assert!(compile(RuleSpec::new(None, "http://127.0.0.1:9/")).unwrap().body(&capture(1, "e", 1, None), "").is_none());
}

#[test]
fn a_template_failing_on_one_payload_says_so() {
    let mut spec = RuleSpec::new(None, "http://127.0.0.1:9/");
    spec.transform = Transform::Template { source: r#"{"n": {{ body.data.nope | tojson }}}"#.into() };
    spec.content_type = Some("application/vnd.x+json".into());
    let rule = compile(spec).unwrap();
    let err = rule.body(&capture(1, "e", 1, None), "").unwrap().unwrap_err();
    assert!(err.contains("template failed"), "{err}");
}
