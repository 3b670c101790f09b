//! Unit tests of body templates: refusals with their line, strict fields, JSON escaping, the
//! ready Slack template over the seed payloads.

use super::*;

/// Seed 000's event, as the sample of `signature::sample` sends it.
const SERVOLUTION: &str = r#"{"id":"evt_1","type":"invoice.overdue","created_at":"2024-02-14T09:00:00Z","data":{"numero":"F-2024-42","client_nom":"Boulangerie Martin","total_cents":182050,"due_date":"2024-01-15","statut":"impayee"}}"#;

fn ctx(body: &str) -> TemplateContext {
    TemplateContext {
        body: TemplateContext::body_value(body.as_bytes(), Some("application/json")),
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("X-Servolution-Signature".into(), "ab12".into()),
            ("x-multi".into(), "a".into()),
            ("X-Multi".into(), "b".into()),
        ],
        method: "POST".into(),
        path: "/servolution".into(),
        query: "a=1".into(),
        endpoint: "servolution".into(),
        verdict: "valid".into(),
        event_type: Some("invoice.overdue".into()),
        event_id: Some("evt_1".into()),
        received_at: "2024-02-14T09:00:01Z".into(),
        capture_id: 7,
    }
}

fn render(src: &str, c: &TemplateContext) -> Result<String, TemplateError> {
    Template::parse(src)?.render(c)
}

/// The `text` of a rendered Slack body, which must be valid JSON with only that key.
fn slack_text(c: &TemplateContext) -> String {
    let out = Template::slack().render(c).unwrap();
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"));
    let obj = v.as_object().unwrap();
    assert_eq!(obj.keys().collect::<Vec<_>>(), ["text"], "{out}");
    obj["text"].as_str().unwrap().to_string()
}

#[test]
fn every_field_is_there() {
    let c = ctx(SERVOLUTION);
    let src = "{{ method }} {{ path }}?{{ query }} {{ endpoint }} {{ verdict }} {{ event_type }} {{ event_id }} \
               {{ received_at }} {{ capture_id }} {{ headers['x-servolution-signature'] }} {{ headers['x-multi'] }} \
               {{ body.data.numero }} {{ body.data.total_cents + 1 }}";
    assert_eq!(
        render(src, &c).unwrap(),
        "POST /servolution?a=1 servolution valid invoice.overdue evt_1 2024-02-14T09:00:01Z 7 ab12 a, b F-2024-42 182051"
    );
    // Key order is the payload's.
    assert_eq!(render("{{ body.data | tojson }}", &c).unwrap(), serde_json::to_string(&c.body["data"]).unwrap().replace(":", ": ").replace(",\"", ", \""));
}

#[test]
fn bodies_as_seen() {
    let form = TemplateContext::body_value(b"vads_amount=7790&vads_cust_name=Jean+Dupont&x=%C3%A9&x=2", Some("application/x-www-form-urlencoded; charset=utf-8"));
    assert_eq!(form, serde_json::json!({"vads_amount": "7790", "vads_cust_name": "Jean Dupont", "x": "é"}));
    assert_eq!(TemplateContext::body_value(b"[1,2]", None), serde_json::json!([1, 2]));
    assert_eq!(TemplateContext::body_value(b"{not json", Some("application/json")), serde_json::json!("{not json"));
    assert_eq!(TemplateContext::body_value(b"hello \xff", Some("text/plain")), serde_json::json!("hello \u{fffd}"));
    let mut c = ctx("");
    c.body = serde_json::json!("plain text");
    assert_eq!(render("{{ body | upper }}", &c).unwrap(), "PLAIN TEXT");
}

#[test]
fn refuses_bad_templates_with_line_and_words() {
    let err = Template::parse("{\"text\": \n{{ body.data.numero \n}").unwrap_err();
    assert_eq!(err.line, Some(3), "{err}");
    assert!(err.message.contains("syntax error"), "{err}");
    assert!(err.to_string().starts_with("line 3: syntax error"), "{err}");
    let err = Template::parse("ok\n{% if x %}never closed").unwrap_err();
    assert!(err.message.contains("syntax error") && err.line.is_some(), "{err}");
    assert!(Template::parse("{% include 'other' %}").is_err() || render("{% include 'other' %}", &ctx("{}")).is_err());
}

#[test]
fn a_missing_field_fails_that_payload() {
    let t = Template::parse("{\"text\": {{ body.data.client_name | tojson }}}").unwrap();
    let err = t.render(&ctx(SERVOLUTION)).unwrap_err();
    assert!(err.message.contains("`body.data.client_name` is undefined"), "{err}");
    assert_eq!(err.line, Some(1));
    let err = render("line one\n{{ body.data.nope }}", &ctx(SERVOLUTION)).unwrap_err();
    assert_eq!(err.to_string(), "line 2: undefined value: `body.data.nope` is undefined");
    // Deeper, through a missing parent: an error too, not an empty string.
    assert!(render("{{ body.nope.deeper }}", &ctx(SERVOLUTION)).is_err());
    // Guards are allowed.
    let c = ctx(SERVOLUTION);
    assert_eq!(render("{% if body.data.client_name %}x{% else %}none{% endif %}", &c).unwrap(), "none");
    assert_eq!(render("{{ body.data.client_name | default('?') }}", &c).unwrap(), "?");
    assert_eq!(render("{{ body.data.client_name is defined }}", &c).unwrap(), "False");
}

#[test]
fn runaway_templates_stop() {
    let err = render("{% for a in range(10000) %}{% for b in range(10000) %}x{% endfor %}{% endfor %}", &ctx("{}")).unwrap_err();
    assert!(err.message.contains("fuel"), "{err}");
}

#[test]
fn tojson_escapes_everything_that_matters() {
    let hostile = "Quote \" back \\ new\nline tab\t </script><script>alert('x')</script> & \u{1} \u{1f} \u{7f} é 😀";
    let mut c = ctx("{}");
    c.body = serde_json::json!({ "data": { "client_name": hostile } });
    let out = render("{\"text\": {{ body.data.client_name | tojson }}}", &c).unwrap();
    assert!(!out.contains("</script>") && !out.contains('<') && !out.contains('\n') && !out.contains('\u{1}'), "{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["text"], hostile);
    // Whole values keep their type.
    c.body = serde_json::json!({"n": 1.5, "list": [1, "a"], "none": null, "yes": true});
    let out = render("{{ body.n | tojson }} {{ body.list | tojson }} {{ body.none | tojson }} {{ body.yes | tojson }}", &c).unwrap();
    assert_eq!(out, "1.5 [1, \"a\"] null true");
}

#[test]
fn slack_servolution_invoice_overdue() {
    assert_eq!(
        slack_text(&ctx(SERVOLUTION)),
        ":warning: Facture impayée *F-2024-42* — Boulangerie Martin : 1820,50 € (échéance 2024-01-15)"
    );
    // Whole euros still get their two decimals; the event type is read from the body when the
    // caller found none; a missing due date is left out.
    let mut c = ctx(r#"{"type":"invoice.overdue","data":{"numero":"F-1","client_nom":"A","total_cents":150000}}"#);
    c.event_type = None;
    assert_eq!(slack_text(&c), ":warning: Facture impayée *F-1* — A : 1500,00 €");
}

#[test]
fn slack_hostile_client_name_stays_text() {
    let name = "Martin \"&\" fils\n<script>alert(1)</script> <!channel>";
    let mut c = ctx(SERVOLUTION);
    c.body["data"]["client_nom"] = serde_json::json!(name);
    let text = slack_text(&c);
    assert!(!text.contains('<') && !text.contains('>'), "no raw mention or link can get through: {text}");
    // What Slack shows once it decodes its three entities: the name exactly.
    let shown = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    assert_eq!(shown, format!(":warning: Facture impayée *F-2024-42* — {name} : 1820,50 € (échéance 2024-01-15)"));
}

#[test]
fn slack_finsight_and_others() {
    let mut c = ctx(r#"{"event":"kpi.threshold_reached","timestamp":"2025-11-28T10:30:00.000Z","data":{"metric":"cashFlow","value":-12000,"threshold":-10000}}"#);
    c.event_type = Some("kpi.threshold_reached".into());
    assert_eq!(slack_text(&c), ":chart_with_downwards_trend: Alerte KPI: cashFlow = -12000 (seuil: -10000)");

    // An invoice.overdue without the fields it needs falls back instead of failing.
    let mut c = ctx(r#"{"type":"invoice.overdue","data":"gone"}"#);
    c.verdict = "invalid".into();
    assert_eq!(
        slack_text(&c),
        ":incoming_envelope: *invoice.overdue* received on servolution (POST /servolution) — evt_1 — :no_entry: signature invalid"
    );
    let mut c = ctx("ping");
    c.body = TemplateContext::body_value(b"ping", Some("text/plain"));
    c.event_type = None;
    c.event_id = None;
    c.endpoint = "default".into();
    c.path = "/x<y>".into();
    assert_eq!(slack_text(&c), ":incoming_envelope: *Webhook* received on default (POST /x&lt;y&gt;)");
}
