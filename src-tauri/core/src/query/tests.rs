use super::vars::plain_number;
use super::*;
use crate::model::{CaptureSignature, EventKeys, NewCapture};
use crate::signature::{ReasonCode, SchemeId, Verdict};

fn headers(pairs: &[(&str, &[u8])]) -> HeaderList {
    HeaderList(pairs.iter().map(|(n, v)| (n.to_string(), v.to_vec())).collect())
}

fn filter(src: &str) -> Filter {
    parse(src).unwrap_or_else(|e| panic!("{src:?} should parse: {e}"))
}

fn outcome(src: &str, s: &Subject) -> Outcome {
    filter(src).matches(s)
}

fn error_of(src: &str, s: &Subject) -> String {
    match outcome(src, s) {
        Outcome::Error(e) => e,
        other => panic!("{src:?} should fail on this capture, gave {other:?}"),
    }
}

/// Runs `f` on a thread with a 2 MiB stack (a tokio worker's, and the test harness's default),
/// so that a stack overflow would show here, whatever RUST_MIN_STACK says.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new().stack_size(STACK).spawn(f).unwrap().join().unwrap();
}

const STACK: usize = 2 << 20;
const JSON: &[u8] = b"application/json";
const FORM: &str = "application/x-www-form-urlencoded";

/// A Servolution (Comptentra) `invoice.overdue` delivery, as seed 000's receiver reads it.
fn servolution(kind: &str, total_cents: i64) -> Vec<u8> {
    format!(
        r#"{{"id":"evt_01JD8K2M4Q","type":"{kind}","created_at":"2025-11-28T09:00:00Z","event_id":"evt_01JD8K2M4Q",
           "data":{{"numero":"FA-2025-0142","client_nom":"Boulangerie Martin","total_cents":{total_cents},
                   "due_date":"2025-10-29","statut":"impayee","lignes":[{{"libelle":"Pain","qte":120}}]}}}}"#
    )
    .into_bytes()
}

fn json_subject<'a>(h: &'a HeaderList, body: &'a [u8]) -> Subject<'a> {
    Subject {
        method: "POST",
        path: "/servolution",
        headers: h,
        body,
        content_type: Some("application/json"),
        endpoint: "servolution",
        ..Subject::default()
    }
}

// ---- the issue's and the seeds' rules ----

#[test]
fn seed_000_rule_matches_an_overdue_invoice_over_1500_euros() {
    let rule = filter(r#"type == "invoice.overdue" && data.total_cents > 150000"#);
    let h = headers(&[("Content-Type", JSON), ("X-Servolution-Signature", b"9f2c")]);
    let over = servolution("invoice.overdue", 182_500);
    let exactly = servolution("invoice.overdue", 150_000);
    let paid = servolution("invoice.paid", 182_500);
    assert_eq!(rule.matches(&json_subject(&h, &over)), Outcome::Match);
    assert_eq!(rule.matches(&json_subject(&h, &exactly)), Outcome::NoMatch, "not over 1500 €");
    assert_eq!(rule.matches(&json_subject(&h, &paid)), Outcome::NoMatch, "another event type");
    assert_eq!(rule.source(), r#"type == "invoice.overdue" && data.total_cents > 150000"#);
}

#[test]
fn finsight_rule_reads_a_header_by_its_lower_case_name() {
    let rule = filter(r#"headers["x-finsight-event"] == "kpi.threshold_reached""#);
    let body = br#"{"event":"kpi.threshold_reached","data":{"metric":"cashFlow","value":-12000,"threshold":-10000}}"#;
    let kpi = headers(&[("Content-Type", JSON), ("X-FinSight-Event", b"kpi.threshold_reached")]);
    let created = headers(&[("Content-Type", JSON), ("X-FinSight-Event", b"dashboard.created")]);
    let none = headers(&[("Content-Type", JSON)]);
    assert_eq!(rule.matches(&json_subject(&kpi, body)), Outcome::Match);
    assert_eq!(rule.matches(&json_subject(&created, body)), Outcome::NoMatch);
    let Outcome::Error(why) = rule.matches(&json_subject(&none, body)) else { panic!("a missing header is an error") };
    assert!(why.contains("x-finsight-event") && why.contains("missing"), "{why}");
    // presence, and the body's own fields, read the same way
    assert_eq!(outcome(r#""x-finsight-event" in headers"#, &json_subject(&none, body)), Outcome::NoMatch);
    assert_eq!(outcome("data.value < data.threshold", &json_subject(&kpi, body)), Outcome::Match);
}

fn form_subject<'a>(h: &'a HeaderList, body: &'a [u8]) -> Subject<'a> {
    Subject {
        method: "POST",
        path: "/supersaas",
        headers: h,
        body,
        content_type: Some(FORM),
        endpoint: "supersaas",
        ..Subject::default()
    }
}

#[test]
fn supersaas_rule_compares_a_numeric_form_field_as_a_number() {
    let rule = filter(r#"event == "en_attente" && role >= 3"#);
    let h = headers(&[("Content-Type", FORM.as_bytes())]);
    let user = b"id=8812&event=en_attente&role=3&full_name=Jean+Dupont&email=jean%40exemple.fr";
    let ip_validated = b"id=8812&event=en_attente&role=2&full_name=Jean+Dupont";
    let admin_create = b"id=8812&event=cr%C3%A9er&role=5";
    assert_eq!(rule.matches(&form_subject(&h, user)), Outcome::Match);
    assert_eq!(rule.matches(&form_subject(&h, ip_validated)), Outcome::NoMatch, "role 2 is below 3");
    assert_eq!(rule.matches(&form_subject(&h, admin_create)), Outcome::NoMatch);
    let s = form_subject(&h, user);
    assert_eq!(outcome("role == 3", &s), Outcome::Match);
    assert_eq!(outcome(r#"body.role == "3" && body["role"] == "3""#, &s), Outcome::Match, "the text is kept under body");
    assert_eq!(outcome(r#"role == "3""#, &s), Outcome::NoMatch, "a number is never equal to a string in CEL");
    assert_eq!(outcome(r#"full_name == "Jean Dupont" && email == "jean@exemple.fr""#, &s), Outcome::Match);
    assert_eq!(outcome(r#"event == "créer""#, &form_subject(&h, admin_create)), Outcome::Match, "percent-decoded UTF-8");
}

#[test]
fn only_plain_decimal_form_texts_become_numbers() {
    let as_text = |t: &str| plain_number(t).map(|v| format!("{v:?}"));
    for (text, number) in [("3", true), ("-12", true), ("0", true), ("-0", true), ("12.50", true), ("0.5", true)] {
        assert_eq!(as_text(text).is_some(), number, "{text}");
    }
    for text in ["00000", "007", "+1", "1e3", " 1", "1 ", "", "-", "1.", ".5", "0x1f", "1_000", "9223372036854775808", "NaN", "inf", "１"] {
        assert_eq!(as_text(text), None, "{text:?} stays text");
    }
    // Paybox: codes stay text, amounts are numbers, and `body` always has the text.
    let h = headers(&[]);
    let paybox = b"Mt=7790&Ref=ORD-2024-001&Auto=123456&Erreur=00000&K=ABC123";
    let s = form_subject(&h, paybox);
    assert_eq!(outcome(r#"Erreur == "00000" && Mt > 5000 && Mt == 7790.0"#, &s), Outcome::Match);
    assert_eq!(outcome(r#"body.Mt == "7790" && int(body.Mt) == Mt"#, &s), Outcome::Match);
    assert_eq!(outcome(r#"Ref.startsWith("ORD-")"#, &s), Outcome::Match);
    // a repeated field: the first value, like the query
    assert_eq!(outcome(r#"role == 1 && body.role == "1""#, &form_subject(&h, b"role=1&role=7")), Outcome::Match);
}

#[test]
fn search_by_verdict() {
    let rule = filter(r#"verdict == "invalid""#);
    let invalid = Subject { verdict: Some("invalid"), ..Subject::default() };
    let valid = Subject { verdict: Some("valid"), ..Subject::default() };
    let unjudged = Subject { verdict: None, ..Subject::default() };
    assert_eq!(rule.matches(&invalid), Outcome::Match);
    assert_eq!(rule.matches(&valid), Outcome::NoMatch);
    assert_eq!(rule.matches(&unjudged), Outcome::NoMatch);
    assert_eq!(outcome("verdict == null", &unjudged), Outcome::Match);
    assert_eq!(outcome(r#"verdict in ["invalid", "expired"]"#, &invalid), Outcome::Match);
}

// ---- the language ----

#[test]
fn in_on_lists_and_maps() {
    let h = headers(&[("Content-Type", JSON), ("X-Request-Id", b"r1")]);
    let body = servolution("invoice.overdue", 182_500);
    let s = json_subject(&h, &body);
    assert_eq!(outcome(r#"type in ["invoice.overdue", "invoice.paid"]"#, &s), Outcome::Match);
    assert_eq!(outcome(r#"method in ["GET", "DELETE"]"#, &s), Outcome::NoMatch);
    assert_eq!(outcome("120 in data.lignes.map(l, l.qte)", &s), Outcome::Match);
    assert_eq!(outcome(r#""total_cents" in data && !("remise" in data)"#, &s), Outcome::Match);
    assert_eq!(outcome(r#""x-request-id" in headers"#, &s), Outcome::Match);
    assert_eq!(outcome(r#"data.lignes.exists(l, l.libelle == "Pain")"#, &s), Outcome::Match);
}

#[test]
fn string_functions() {
    let h = headers(&[("User-Agent", b"FinSight-Webhooks/1.0")]);
    let body = servolution("invoice.overdue", 182_500);
    let s = Subject { path: "/webhooks/finsight", ..json_subject(&h, &body) };
    assert_eq!(outcome(r#"path.startsWith("/webhooks/")"#, &s), Outcome::Match);
    assert_eq!(outcome(r#"data.client_nom.contains("Martin")"#, &s), Outcome::Match);
    assert_eq!(outcome(r#"data.client_nom.contains("Durand")"#, &s), Outcome::NoMatch);
    assert_eq!(outcome(r#"headers["user-agent"].startsWith("FinSight-")"#, &s), Outcome::Match);
    assert_eq!(outcome(r#"type.endsWith(".overdue")"#, &s), Outcome::Match);
    assert_eq!(outcome(r#"path.matches("^/webhooks/[a-z]+$")"#, &s), Outcome::Match);
    assert_eq!(outcome(r#"size(data.numero) == 12"#, &s), Outcome::Match);
}

#[test]
fn not_and_or() {
    let h = headers(&[]);
    let body = servolution("invoice.overdue", 182_500);
    let s = json_subject(&h, &body);
    assert_eq!(outcome(r#"!(type == "invoice.paid")"#, &s), Outcome::Match);
    assert_eq!(outcome(r#"!(type == "invoice.overdue")"#, &s), Outcome::NoMatch);
    assert_eq!(outcome(r#"type == "invoice.paid" || data.total_cents > 100"#, &s), Outcome::Match);
    assert_eq!(outcome(r#"type == "invoice.paid" || data.total_cents < 100"#, &s), Outcome::NoMatch);
    // CEL's logic absorbs an error when the other side decides
    assert_eq!(outcome(r#"data.absent == 1 || method == "POST""#, &s), Outcome::Match);
    assert_eq!(outcome(r#"data.absent == 1 && method == "GET""#, &s), Outcome::NoMatch);
    assert!(matches!(outcome(r#"data.absent == 1 && method == "POST""#, &s), Outcome::Error(_)));
}

#[test]
fn capture_variables() {
    let h = headers(&[("Content-Type", JSON)]);
    let s = Subject {
        method: "POST",
        path: "/api/webhooks/n8n/order-fulfillment-v2",
        query: "secret=abc123def456&x=1&x=2&vide=",
        headers: &h,
        body: br#"{"workflowId":"order-fulfillment-v2","event":"order.validated"}"#,
        content_type: Some("application/json; charset=utf-8"),
        endpoint: "n8n",
        verdict: Some("valid"),
        event_type: Some("order.validated"),
        event_id: None,
        via: Via::Tunnel,
        received_at_us: 1_764_320_400_000_000,
    };
    for rule in [
        r#"query.secret == "abc123def456" && query.x == "1" && query.vide == """#,
        r#"endpoint == "n8n" && via == "tunnel" && content_type.startsWith("application/json")"#,
        r#"event_type == "order.validated" && event_id == null && event == "order.validated""#,
        "received_at_us > 1700000000000000",
        r#"workflowId == "order-fulfillment-v2" && body.workflowId == workflowId"#,
    ] {
        assert_eq!(outcome(rule, &s), Outcome::Match, "{rule}");
    }
    assert!(error_of("query.missing == \"1\"", &s).contains("`missing` is missing"));
}

#[test]
fn subject_of_a_stored_capture() {
    let data = NewCapture {
        received_at_us: 42,
        endpoint: "stripe".into(),
        method: "POST".into(),
        path: "/stripe".into(),
        query: "a=1".into(),
        url: "http://127.0.0.1:4665/stripe?a=1".into(),
        headers: headers(&[("Content-Type", JSON), ("Stripe-Signature", b"t=1,v1=00")]),
        body: br#"{"id":"evt_1","type":"invoice.paid"}"#.to_vec(),
        body_size: 36,
        body_over_limit: false,
        content_type: Some("application/json".into()),
        remote_addr: "127.0.0.1:50000".into(),
        via: Via::Local,
        forwarded_for: None,
        event: EventKeys { id: Some("stripe_id:evt_1".into()), event_type: Some("invoice.paid".into()) },
        duplicate_of: None,
    };
    let verdict = Verdict::new(SchemeId::Stripe, VerdictStatus::Invalid, ReasonCode::BadSignature, "no");
    let capture = Capture { id: 7, data, signature: CaptureSignature { verdict: Some(verdict), detected: None } };
    let rule = filter(
        r#"verdict == "invalid" && event_type == "invoice.paid" && event_id == "stripe_id:evt_1"
           && endpoint == "stripe" && query.a == "1" && received_at_us == 42 && via == "local" && id == "evt_1""#,
    );
    assert_eq!(rule.matches(&Subject::of(&capture)), Outcome::Match);
    assert_eq!(verdict_name(VerdictStatus::NoSecret), "no_secret");
}

// ---- failures on one capture are outcomes, not crashes ----

#[test]
fn a_missing_field_is_an_error_with_words() {
    let h = headers(&[]);
    let body = servolution("invoice.overdue", 182_500);
    let s = json_subject(&h, &body);
    let why = error_of("data.remise_cents > 0", &s);
    assert!(why.contains("`remise_cents` is missing"), "{why}");
    let why = error_of("montant > 0", &s);
    assert!(why.contains("`montant` is not a field"), "{why}");
    // the documented quirk: a missing `type` reads as CEL's type `type`, so it is no match
    let untyped = br#"{"data":{"total_cents":182500}}"#;
    assert_eq!(outcome(r#"type == "invoice.overdue""#, &json_subject(&h, untyped)), Outcome::NoMatch);
    // on a body that has no fields, the error says why
    let text = Subject { body: b"hello", content_type: Some("text/plain"), ..s };
    let why = error_of("data.total_cents > 0", &text);
    assert!(why.contains("neither JSON nor a form"), "{why}");
    let empty = Subject { body: b"", ..s };
    assert!(error_of("data.total_cents > 0", &empty).contains("the body is empty"));
    let array = Subject { body: br#"[{"id":1}]"#, ..s };
    assert!(error_of("id == 1", &array).contains("JSON but not an object"));
    assert_eq!(outcome("body[0].id == 1", &array), Outcome::Match);
}

#[test]
fn a_type_mismatch_is_an_error_with_words() {
    let h = headers(&[]);
    let body = servolution("invoice.overdue", 182_500);
    let s = json_subject(&h, &body);
    let why = error_of(r#"data.numero > 3"#, &s);
    assert!(why.contains("`>`") && why.contains("string and int") && why.contains("int(x)"), "{why}");
    let why = error_of(r#"data.total_cents.startsWith("1")"#, &s);
    assert!(why.contains("`.startsWith()`") && why.contains("int"), "{why}");
}

#[test]
fn a_result_that_is_not_a_boolean_is_an_error() {
    let h = headers(&[]);
    let body = servolution("invoice.overdue", 182_500);
    let s = json_subject(&h, &body);
    let why = error_of("data.total_cents", &s);
    assert!(why.contains("gave a int (Int(182500))") && why.contains("not true or false"), "{why}");
    assert!(error_of(r#""text""#, &s).contains("string"));
    // a huge result is never rendered whole
    let big = format!(r#"{{"items":[{}]}}"#, vec!["\"xxxxxxxxxx\""; 200_000].join(","));
    let s = json_subject(&h, big.as_bytes());
    let why = error_of("body", &s);
    assert!(why.contains("gave a map") && why.chars().count() < 320, "{why}");
    let why = error_of("body.items > 1", &s);
    assert!(why.chars().count() < 320, "{why}");
}

#[test]
fn a_reserved_name_in_the_body_is_read_through_body() {
    let h = headers(&[]);
    let body = br#"{"method":"DELETE","path":"/elsewhere","headers":{"a":"b"},"verdict":"ok","type":"t"}"#;
    let s = json_subject(&h, body);
    assert_eq!(outcome(r#"method == "POST" && path == "/servolution""#, &s), Outcome::Match);
    assert_eq!(outcome(r#"body.method == "DELETE" && body.path == "/elsewhere" && body.headers.a == "b""#, &s), Outcome::Match);
    assert_eq!(outcome(r#"verdict == null && body.verdict == "ok" && type == "t""#, &s), Outcome::Match);
    let form = form_subject(&h, b"method=GET&event=x");
    assert_eq!(outcome(r#"method == "POST" && body.method == "GET" && event == "x""#, &form), Outcome::Match);
}

#[test]
fn keys_that_are_not_identifiers_and_dotted_keys() {
    let h = headers(&[]);
    let body = br#"{"x-id":"a","data.total":1,"data":{"total":2},"in":true}"#;
    let s = json_subject(&h, body);
    assert_eq!(outcome(r#"body["x-id"] == "a" && body["in"]"#, &s), Outcome::Match);
    assert_eq!(outcome(r#"data.total == 2 && body["data.total"] == 1"#, &s), Outcome::Match, "a.b is the field b of a");
}

#[test]
fn a_binary_body_is_bytes() {
    let h = headers(&[("Content-Type", b"application/octet-stream")]);
    let bin: &[u8] = &[0xff, 0x00, 0xfe, 0x01];
    let s = Subject { body: bin, content_type: Some("application/octet-stream"), ..form_subject(&h, b"") };
    assert_eq!(outcome(r#"method == "POST" && size(body) == 4 && body == b"\xff\x00\xfe\x01""#, &s), Outcome::Match);
    assert!(error_of("data.x == 1", &s).contains("binary"));
    // binary bytes sent as JSON, or as a form
    let as_json = Subject { content_type: Some("application/json"), ..s };
    assert!(error_of("data.x == 1", &as_json).contains("not valid JSON"));
    let as_form = Subject { content_type: Some(FORM), ..s };
    assert!(matches!(outcome("size(body) >= 0", &as_form), Outcome::Match));
    let noise: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    for ct in [None, Some("application/json"), Some(FORM), Some("text/plain")] {
        let s = Subject { body: &noise, content_type: ct, ..s };
        for rule in ["size(body) > 0", "body.a == 1", "a == 1", "body"] {
            let _ = outcome(rule, &s); // any outcome, no panic
        }
    }
}

#[test]
fn an_invalid_utf8_header_value_reads_as_latin1_and_repeats_are_joined() {
    let h = headers(&[("X-Bin", &[0xff, b'a']), ("X-A", b"1"), ("x-a", b"2"), ("X-Empty", b"")]);
    let s = Subject { headers: &h, ..Subject::default() };
    assert_eq!(outcome(r#"headers["x-bin"] == "ÿa""#, &s), Outcome::Match);
    assert_eq!(outcome(r#"headers["x-a"] == "1, 2" && headers["x-empty"] == """#, &s), Outcome::Match);
    assert_eq!(outcome(r#"size(headers) == 3"#, &s), Outcome::Match);
    // names are lower-cased: the displayed case does not find the header
    assert!(matches!(outcome(r#"headers["X-Bin"] == "ÿa""#, &s), Outcome::Error(_)));
}

#[test]
fn deep_json_is_refused_as_json_and_never_overflows() {
    on_small_stack(|| {
        let h = headers(&[]);
        let deep = format!("{}1{}", r#"{"a":"#.repeat(1000), "}".repeat(1000));
        let s = json_subject(&h, deep.as_bytes());
        assert_eq!(outcome(r#"method == "POST""#, &s), Outcome::Match);
        let why = error_of("a.a == 1", &s);
        assert!(why.contains("not valid JSON") && why.contains("recursion limit"), "{why}");
        let lists = "[".repeat(1000) + &"]".repeat(1000);
        let s = json_subject(&h, lists.as_bytes());
        assert!(matches!(outcome("size(body) == 1", &s), Outcome::Match | Outcome::NoMatch));

        // as deep as serde_json reads: converted, compared and dropped within a small stack
        let deepest = format!("{}1{}", r#"{"a":"#.repeat(127), "}".repeat(127));
        let s = json_subject(&h, deepest.as_bytes());
        assert_eq!(outcome("body == body && has(a.a.a) && size(body) == 1", &s), Outcome::Match);
        assert!(matches!(outcome("body", &s), Outcome::Error(_)));
    });
}

#[test]
fn a_huge_array_is_fine() {
    let h = headers(&[]);
    let items = format!(r#"{{"items":[{}]}}"#, vec!["1"; 1_000_000].join(","));
    let s = json_subject(&h, items.as_bytes());
    assert_eq!(outcome("size(items) == 1000000 && items[999999] == 1", &s), Outcome::Match);
}

#[test]
fn a_prepared_subject_converts_its_body_once_and_only_when_read() {
    let h = headers(&[("X-FinSight-Event", b"kpi.threshold_reached")]);
    let body = servolution("invoice.overdue", 182_500);
    let prepared = json_subject(&h, &body).prepare();
    let rules = [filter(r#"headers["x-finsight-event"] == "kpi.threshold_reached""#), filter(r#"method == "POST""#)];
    for r in &rules {
        assert_eq!(r.matches_prepared(&prepared), Outcome::Match);
    }
    assert!(!prepared.body_converted(), "no rule read the body");
    let body_rules = [filter(r#"type == "invoice.overdue""#), filter("data.total_cents > 150000")];
    for r in &body_rules {
        assert_eq!(r.matches_prepared(&prepared), Outcome::Match);
    }
    assert!(prepared.body_converted());
    assert_eq!(prepared.subject().endpoint, "servolution");
}

// ---- refused when saved ----

#[test]
fn a_syntax_error_reports_its_position() {
    let e = parse(r#"type == "#).unwrap_err();
    assert_eq!(e.position, Some(Position { line: 1, column: 9, offset: 8 }), "{e:?}");
    assert!(e.message.contains("ends too early"), "{e}");
    assert!(e.to_string().ends_with("(line 1, column 9)"), "{e}");

    let src = "type == \"invoice.overdue\" &&\n  data.total_cents > > 1";
    let e = parse(src).unwrap_err();
    let p = e.position.expect("a position");
    assert_eq!((p.line, p.column), (2, 22), "{e:?}");
    assert!(src[p.offset..].starts_with("> 1"), "{e:?}");

    // columns count characters, the offset is in bytes
    let src = r#""é€" == x y"#;
    let e = parse(src).unwrap_err();
    let p = e.position.expect("a position");
    assert_eq!(p.column, 11, "{e:?}");
    assert_eq!(&src[p.offset..], "y", "{e:?}");
    assert!(e.message.contains("unexpected 'y'"), "{e}");

    let e = parse("a &&& b").unwrap_err();
    assert!(e.message.contains("`&&`") && e.position.is_some(), "{e}");
    let e = parse(r#"x == "unterminated"#).unwrap_err();
    assert!(e.message.contains("not closed"), "{e}");
    assert_eq!(e.position.map(|p| p.column), Some(6));
}

#[test]
fn empty_long_and_deep_filters_are_refused() {
    assert!(parse("   ").unwrap_err().message.contains("empty"));
    let long = format!("x in [{}]", vec!["\"a\""; 2000].join(","));
    assert!(parse(&long).unwrap_err().message.contains("at most 4096"));
    let e = parse(&vec!["1"; 100].join(" + ")).unwrap_err();
    assert!(e.message.contains("nests too deeply"), "{e}");
    let e = parse(&format!("{}1{}", "(".repeat(200), ")".repeat(200))).unwrap_err();
    assert!(e.message.contains("nests too deeply"), "{e}");
    // a long flat list is fine
    let list = format!("event in [{}]", (0..300).map(|i| format!("\"e{i}\"")).collect::<Vec<_>>().join(","));
    assert!(list.len() <= MAX_SOURCE_BYTES);
    let h = headers(&[]);
    assert_eq!(filter(&list).matches(&form_subject(&h, b"event=e299")), Outcome::Match);
}

/// The worst shapes the parser meets, as long as accepted: refused or parsed, never a crash.
#[test]
fn the_longest_sources_of_every_shape_do_not_crash_the_parser() {
    let n = MAX_SOURCE_BYTES;
    let fill = |unit: &str, head: &str, tail: &str| {
        let count = (n - head.len() - tail.len()) / unit.len();
        format!("{head}{}{tail}", unit.repeat(count))
    };
    let shapes = [
        fill("1+", "", "1"),
        fill("1==", "", "1"),
        fill("a.", "", "b"),
        fill("[0]", "a", ""),
        fill(".f()", "a", ""),
        fill("(", "", ""),
        fill("[", "", ""),
        fill("{", "", ""),
        fill("!", "", "true"),
        fill("-", "", "1"),
        fill("f(", "", ""),
        fill("true?1:", "", "2"),
        fill("[1].exists(x,", "", ""),
        fill("a&&", "", "b"),
        fill("a||", "", "b"),
        fill("\"\\", "", ""),
        fill("'", "", ""),
    ];
    on_small_stack(move || {
        for src in &shapes {
            assert!(src.len() <= MAX_SOURCE_BYTES);
            if let Ok(f) = parse(src) {
                let _ = f.matches(&Subject::default());
            }
        }
    });
}

/// The deepest accepted filters of each shape evaluate within a 2 MiB stack.
#[test]
fn the_deepest_accepted_filters_evaluate_on_a_small_stack() {
    type Shape = fn(usize) -> String;
    let shapes: [Shape; 7] = [
        |k| vec!["1"; k].join(" + ") + " > 0",
        |k| "[[1]]".to_string() + &"[0]".repeat(k) + " == 1",
        |k| r#"{"b":1}"#.to_string() + &".b".repeat(k) + " == 1",
        |k| r#""A""#.to_string() + &".lowerAscii()".repeat(k) + r#" == "a""#,
        |k| "[1]".to_string() + &".exists(x, [1]".repeat(k) + &".size() > 0)".repeat(k),
        |k| "(".repeat(k) + "true" + &")".repeat(k),
        |k| "!".repeat(k) + "true",
    ];
    let deepest: Vec<Filter> = shapes
        .iter()
        .map(|shape| {
            let mut last = None;
            for k in 1..200 {
                match parse(&shape(k)) {
                    Ok(f) => last = Some(f),
                    Err(e) if e.message.contains("nests too deeply") => break,
                    Err(e) => panic!("{}: {e}", shape(k)),
                }
            }
            last.expect("some depth is accepted")
        })
        .collect();
    on_small_stack(move || {
        for f in &deepest {
            let outcome = f.matches(&Subject::default());
            assert!(!matches!(outcome, Outcome::Error(ref e) if e.contains("internal")), "{f:?}: {outcome:?}");
        }
    });
}

#[test]
fn filters_and_subjects_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Filter>();
    send_sync::<Prepared<'static>>();
    send_sync::<QueryError>();
}
