//! Building the replies the receiver sends: an endpoint's response rule, a provider's
//! handshake reply, a relayed answer, or a JSON error.

use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::CAPTURE_ID_HEADER;
use crate::model::{CaptureId, ResponseRule};

/// The endpoint's configured reply (after its delay), or the default JSON acknowledgement.
pub async fn rule(rule: Option<&ResponseRule>, id: CaptureId) -> Response {
    let default = ResponseRule::default();
    let rule = rule.unwrap_or(&default);
    if rule.delay_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(rule.delay_ms)).await;
    }
    let status = StatusCode::from_u16(rule.status).unwrap_or(StatusCode::OK);
    let (body, guessed_type) = body_of(rule, id);
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.remove("content-type");
    if let Some(t) = guessed_type {
        headers.insert("content-type", HeaderValue::from_static(t));
    }
    for (n, v) in &rule.headers {
        if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(n.as_bytes()), HeaderValue::from_str(v)) {
            headers.append(n, v);
        }
    }
    headers.insert(CAPTURE_ID_HEADER, HeaderValue::from(id));
    response
}

/// The body a rule answers with, and the content type guessed for it (`None`: the rule sets
/// one): the default JSON acknowledgement when the rule has no body.
pub(crate) fn body_of(rule: &ResponseRule, id: CaptureId) -> (String, Option<&'static str>) {
    let has_content_type = rule.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("content-type"));
    if rule.body.is_empty() && !has_content_type && rule.status != 204 {
        (format!("{{\"ok\":true,\"id\":{id}}}"), Some("application/json"))
    } else if has_content_type {
        (rule.body.clone(), None)
    } else if serde_json::from_str::<serde_json::Value>(&rule.body).is_ok() {
        (rule.body.clone(), Some("application/json"))
    } else {
        (rule.body.clone(), Some("text/plain; charset=utf-8"))
    }
}

/// The reply a rule gives to capture `id`, as data (status, headers in the order sent, body),
/// for a HAR export.
pub(crate) fn reply_of(rule: &ResponseRule, id: CaptureId) -> crate::share::Reply {
    let (body, guessed_type) = body_of(rule, id);
    let mut headers: Vec<(String, String)> = guessed_type.map(|t| ("content-type".to_owned(), t.to_owned())).into_iter().collect();
    headers.extend(rule.headers.iter().cloned());
    headers.push((CAPTURE_ID_HEADER.to_owned(), id.to_string()));
    let status = if (100..=599).contains(&rule.status) { rule.status } else { 200 };
    crate::share::Reply { status, headers, body, delay_ms: rule.delay_ms }
}

/// The reply a provider's handshake requires (built by `signature::handshake`: the challenge
/// or its HMAC, never a secret), with the capture id header every reply carries.
pub fn handshake(reply: crate::signature::handshake::HandshakeReply, id: CaptureId) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
    let mut response = (status, reply.body).into_response();
    let headers = response.headers_mut();
    headers.remove("content-type");
    for (n, v) in &reply.headers {
        if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(n.as_bytes()), HeaderValue::from_str(v)) {
            headers.append(n, v);
        }
    }
    headers.insert(CAPTURE_ID_HEADER, HeaderValue::from(id));
    response
}

/// A JSON error reply `{"error": code, "message": ..., "id": ...}`.
pub fn error(status: StatusCode, code: &str, message: &str, id: Option<CaptureId>) -> Response {
    let body = serde_json::json!({ "error": code, "message": message, "id": id });
    let mut response = (status, axum::Json(body)).into_response();
    if let Some(id) = id {
        response.headers_mut().insert(CAPTURE_ID_HEADER, HeaderValue::from(id));
    }
    response
}

/// Headers of a relayed answer that describe the target's connection, not the answer.
const NOT_RELAYED: &[&str] = &["connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "content-length"];

/// The target's answer, relayed as the provider's reply (status, headers in order, body).
pub fn relayed(answer: crate::model::Relayed, id: CaptureId) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut response = (status, answer.body).into_response();
    let headers = response.headers_mut();
    headers.remove("content-type");
    for (n, v) in &answer.headers.0 {
        if NOT_RELAYED.iter().any(|h| n.eq_ignore_ascii_case(h)) {
            continue;
        }
        if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(n.as_bytes()), HeaderValue::from_bytes(v)) {
            headers.append(n, v);
        }
    }
    headers.insert(CAPTURE_ID_HEADER, HeaderValue::from(id));
    response
}
