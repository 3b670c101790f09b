//! Body templates of forward rules: a capture's fields rendered into the body a target wants
//! (minijinja, Jinja syntax), and the ready Slack incoming-webhook template ([`SLACK_TEMPLATE`]).
//! Pure: a template is compiled once when the rule is saved ([`Template::parse`], which refuses
//! a bad one with its line and words) and rendered per capture from a [`TemplateContext`] the
//! caller fills (time included, as text). It must not read captures, send, or read the clock.
//!
//! Choices:
//! - Output is not auto-escaped (a template may build JSON, a form or plain text); values go into
//!   JSON through `tojson`, which writes a JSON literal and escapes quotes, backslashes, control
//!   characters and `<`, `>`, `&`, `'` (so `</script>` cannot survive either):
//!   `{"text": {{ body.data.client_name | tojson }}}`. To mix words and values in one JSON string,
//!   build it first: `{% set t %}Facture {{ body.data.numero }}{% endset %}{"text": {{ t | tojson }}}`.
//! - Undefined is semi-strict: printing, iterating or looking into a missing field is an error
//!   for that payload (the forward records it) rather than an empty string sent on; testing it is
//!   allowed, so `{% if body.data.x %}`, `x is defined` and `x | default("…")` guard optional fields.
//! - Rendering is bounded by fuel (minijinja's work budget): a runaway loop fails the render.
//! - `slack_escape` escapes `&`, `<`, `>` as Slack asks, so a value cannot become a mention
//!   (`<!channel>`) or a disguised link.

use minijinja::value::{Kwargs, StringInput};
use minijinja::{AutoEscape, Environment, State, UndefinedBehavior};
use serde_json::{Map, Value};

const NAME: &str = "body";

/// Work budget of one render: enough to `tojson` a 10 MiB body a few times over, small enough
/// that a runaway loop stops within a second or so.
const FUEL: u64 = 20_000_000;

/// Why a template was refused, or failed on one payload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", match .line { Some(l) => format!("line {l}: {}", .message), None => .message.clone() })]
pub struct TemplateError {
    pub message: String,
    /// 1-based line of the template, when known.
    pub line: Option<usize>,
}

impl From<minijinja::Error> for TemplateError {
    fn from(err: minijinja::Error) -> Self {
        let mut message = match err.detail() {
            Some(d) => format!("{}: {d}", err.kind()),
            None => err.kind().to_string(),
        };
        let mut cause = std::error::Error::source(&err);
        while let Some(c) = cause {
            message.push_str(&format!(" ({c})"));
            cause = c.source();
        }
        TemplateError { message, line: err.line() }
    }
}

/// What a template sees of one capture. The caller fills it (`received_at` as RFC 3339 text).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TemplateContext {
    /// See [`TemplateContext::body_value`].
    pub body: Value,
    /// As captured; a template sees them by lower-cased name, repeated ones joined with `, `.
    pub headers: Vec<(String, String)>,
    pub method: String,
    pub path: String,
    /// Raw, without `?`.
    pub query: String,
    /// The endpoint's name.
    pub endpoint: String,
    /// `valid`, `invalid`, `expired`, `unsigned`, `no_secret`.
    pub verdict: String,
    pub event_type: Option<String>,
    pub event_id: Option<String>,
    pub received_at: String,
    pub capture_id: i64,
}

impl TemplateContext {
    /// A body as a template sees it: parsed JSON (for a JSON content type, or a body that parses
    /// as JSON), form fields by name (first value of a repeated name) for
    /// `application/x-www-form-urlencoded`, else the text (invalid UTF-8 replaced).
    pub fn body_value(body: &[u8], content_type: Option<&str>) -> Value {
        let mt = content_type.and_then(|c| c.split(';').next()).unwrap_or("").trim().to_ascii_lowercase();
        if mt == "application/x-www-form-urlencoded" {
            let mut map = Map::new();
            for (k, v) in form_urlencoded::parse(body) {
                map.entry(k.into_owned()).or_insert(Value::String(v.into_owned()));
            }
            return Value::Object(map);
        }
        let text = String::from_utf8_lossy(body);
        let lead = text.trim_start();
        if mt.contains("json") || lead.starts_with('{') || lead.starts_with('[') {
            if let Ok(v) = serde_json::from_str(&text) {
                return v;
            }
        }
        Value::String(text.into_owned())
    }

    fn value(&self) -> Value {
        let mut headers = Map::new();
        for (name, value) in &self.headers {
            match headers.entry(name.to_ascii_lowercase()) {
                serde_json::map::Entry::Vacant(e) => {
                    e.insert(Value::String(value.clone()));
                }
                serde_json::map::Entry::Occupied(mut e) => {
                    if let Value::String(s) = e.get_mut() {
                        s.push_str(", ");
                        s.push_str(value);
                    }
                }
            }
        }
        serde_json::json!({
            "body": self.body,
            "headers": headers,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "endpoint": self.endpoint,
            "verdict": self.verdict,
            "event_type": self.event_type,
            "event_id": self.event_id,
            "received_at": self.received_at,
            "capture_id": self.capture_id,
        })
    }
}

/// A Slack incoming-webhook body `{"text": …}`. For a Servolution `invoice.overdue` (seed 000)
/// the seed's message, the amount in euros with 2 decimals; for a FinSight
/// `kpi.threshold_reached` (seed 001) its KPI alert; for anything else the event type, where it
/// came from and its id. A signature that did not check out is said in the message.
pub const SLACK_TEMPLATE: &str = r#"
{%- set etype = event_type or (body.type if body is mapping and body.type is string else "") -%}
{%- set d = body.data if body is mapping and body.data is mapping else {} -%}
{%- if etype == "invoice.overdue" and d.numero is defined and d.total_cents is number -%}
{%- set text -%}
:warning: Facture impayée *{{ d.numero | string | slack_escape }}* — {{ d.client_nom | default("client inconnu") | string | slack_escape }} : {{ ("%.2f" | format(d.total_cents / 100)) | replace(".", ",") }} €
{%- if d.due_date is defined %} (échéance {{ d.due_date | string | slack_escape }}){% endif %}
{%- endset -%}
{%- elif etype == "kpi.threshold_reached" and d.metric is defined -%}
{%- set text -%}
:chart_with_downwards_trend: Alerte KPI: {{ d.metric | string | slack_escape }} = {{ d.value | default("?") | string | slack_escape }} (seuil: {{ d.threshold | default("?") | string | slack_escape }})
{%- endset -%}
{%- else -%}
{%- set text -%}
:incoming_envelope: *{{ (etype or "Webhook") | slack_escape }}* received on {{ endpoint | slack_escape }} ({{ method }} {{ path | slack_escape }})
{%- if event_id %} — {{ event_id | slack_escape }}{% endif %}
{%- endset -%}
{%- endif -%}
{%- if verdict == "invalid" or verdict == "expired" %}{% set text = text ~ " — :no_entry: signature " ~ verdict %}{% endif -%}
{"text": {{ text | tojson }}}
"#;

/// `&`, `<` and `>` as Slack's entities (the only three it decodes).
fn slack_escape(value: String) -> String {
    value.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The built-in `tojson`, but a missing field is an error rather than `null`: minijinja lets
/// undefined through filters taking any value, and a `null` sent on would hide the mistake.
/// `StringInput::new` is minijinja's public check of the undefined behaviour (it names the field).
fn tojson(state: &State, value: &minijinja::Value, indent: Option<minijinja::Value>, kwargs: Kwargs) -> Result<minijinja::Value, minijinja::Error> {
    if value.is_undefined() {
        StringInput::new(state, value)?;
    }
    minijinja::filters::tojson(value, indent, kwargs)
}

/// A compiled body template.
pub struct Template {
    env: Environment<'static>,
}

impl std::fmt::Debug for Template {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Template").finish_non_exhaustive()
    }
}

impl Template {
    /// Compiles `src`, or says where and why it is not a template.
    pub fn parse(src: &str) -> Result<Template, TemplateError> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| AutoEscape::None);
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        env.set_fuel(Some(FUEL));
        env.set_debug(true);
        env.add_filter("tojson", tojson);
        env.add_filter("slack_escape", slack_escape);
        env.add_template_owned(NAME, src.to_string())?;
        Ok(Template { env })
    }

    /// The ready Slack template ([`SLACK_TEMPLATE`]).
    pub fn slack() -> Template {
        Template::parse(SLACK_TEMPLATE).expect("the Slack template compiles")
    }

    /// The body for one capture, or why this payload does not fit the template.
    pub fn render(&self, ctx: &TemplateContext) -> Result<String, TemplateError> {
        let tmpl = self.env.get_template(NAME)?;
        Ok(tmpl.render(minijinja::value::Serde(ctx.value()))?)
    }
}

#[cfg(test)]
#[path = "template_tests.rs"]
mod tests;
