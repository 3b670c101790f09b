//! Conversions from the store's own row types to wire types: deliveries, forward rules, outbox
//! rows and counts. Built with the `runtime` feature only, like the store itself (the fuzz build
//! has neither). This module converts; it must not do I/O.

use base64::Engine as _;

use crate::ipc::{
    rfc3339_us, DeliveryOutcome, DeliverySummary, DeliveryView, ForwardRuleView, ForwardState, ForwardView,
    OutboxCounts, SendFailure,
};
use crate::store::deliveries::{Delivery, DeliveryHead};
use crate::store::outbox::{Counts, ForwardRow};
use crate::store::rules::RuleRow;

impl From<&RuleRow> for ForwardRuleView {
    fn from(r: &RuleRow) -> Self {
        ForwardRuleView {
            id: r.id,
            spec: r.spec.clone(),
            session: r.session_owner.is_some(),
            created_at: rfc3339_us(r.created_at_us),
        }
    }
}

impl ForwardView {
    pub fn of(f: &ForwardRow, last: Option<DeliverySummary>) -> ForwardView {
        let ms = |t: i64| rfc3339_us(t.saturating_mul(1000));
        ForwardView {
            id: f.id,
            capture_id: f.capture_id,
            rule_id: f.rule_id,
            url: f.url.clone(),
            state: ForwardState::parse(&f.state).unwrap_or(ForwardState::Failed),
            attempts: f.attempts,
            queued_at: ms(f.queued_at_ms),
            next_at: f.next_at_ms.map(ms),
            updated_at: ms(f.updated_at_ms),
            detail: f.detail.clone(),
            last,
        }
    }
}

impl From<Counts> for OutboxCounts {
    fn from(c: Counts) -> Self {
        OutboxCounts { pending: c.pending, scheduled: c.scheduled, sending: c.sending, failed: c.failed }
    }
}

impl From<&DeliveryHead> for DeliverySummary {
    fn from(h: &DeliveryHead) -> Self {
        let outcome = match h.outcome.as_str() {
            "response" => DeliveryOutcome::Response,
            "cancelled" => DeliveryOutcome::Cancelled,
            _ => DeliveryOutcome::Failed,
        };
        DeliverySummary {
            id: h.id,
            capture_id: h.capture_id,
            kind: h.kind.clone(),
            started_at: rfc3339_us(h.started_at_us),
            started_at_us: h.started_at_us,
            duration_ms: h.duration_us as f64 / 1000.0,
            method: h.method.clone(),
            url: h.url.clone(),
            resigned: h.resigned,
            insecure: h.insecure,
            outcome,
            status: h.status,
            error_code: h.error_code.as_deref().and_then(SendFailure::parse),
            error_message: h.error_message.clone(),
            response_size: h.response_size,
            response_truncated: h.response_truncated,
            forward_id: h.forward_id,
            attempt: h.attempt,
        }
    }
}

impl From<&Delivery> for DeliveryView {
    fn from(d: &Delivery) -> Self {
        let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
        let response_headers = d.response_headers.as_ref().map(|h| h.to_text_pairs()).unwrap_or_default();
        let response_content_type = d.response_headers.as_ref().and_then(|h| h.get("content-type"));
        DeliveryView {
            summary: DeliverySummary::from(&d.head),
            request_headers: d.request_headers.to_text_pairs(),
            request_body_b64: b64(&d.request_body),
            request_body_size: d.request_body.len() as u64,
            response_reason: d.head.reason.clone(),
            response_headers,
            response_body_b64: d.response_body.as_deref().map(b64).unwrap_or_default(),
            response_content_type,
        }
    }
}
