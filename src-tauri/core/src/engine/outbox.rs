//! The outbox worker: makes the due attempts of queued forwards, in capture order per rule,
//! within each target's rate limit, and records each one.
//!
//! One task per listening engine. Each pass reads the head of every rule's queue (its oldest
//! open forward); a head that is due and whose rule is not busy is claimed with a lease (so
//! two processes on one database never make the same attempt, and a killed worker's claim
//! expires and is made again) and handed to a task of its own. That task checks the forward
//! once (only valid signatures, the filter, duplicates: [`crate::forward::rule`]), builds the
//! request at that moment (transform, re-signature with a fresh timestamp), waits for the
//! target's token, sends, and stores the attempt in the delivery log together with what
//! follows ([`crate::forward::policy::next`]) in one transaction. A rule that answers the
//! provider gets the first answer relayed to the waiting receiver.
//!
//! Guarantees: at least once. An attempt stored as succeeded is never made again; a crash
//! between the target's answer and that commit makes the attempt again after the lease
//! (the target may see it twice). This module reads the clock; the decisions are pure.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{broadcast, watch, Notify};
use tokio_util::sync::CancellationToken;

use super::forwarding::Loaded;
use super::replay::{attempt_record, now_us, resign_config};
use super::Inner;
use crate::event::Event;
use crate::forward::policy::{self, AttemptResult, Bucket, Final, Next};
use crate::forward::rule::Decision;
use crate::forward::{self, Edits, Outgoing, ResignOptions, Source};
use crate::ipc::{rfc3339_us, DeliverySummary};
use crate::model::{Capture, Relayed};
use crate::sender::{self, SendOptions};
use crate::store::outbox::{self, AfterAttempt, ForwardRow};
use crate::store::{captures, rules};

/// How often the worker looks at the outbox when nothing wakes it (rows queued or retried by
/// another process, a paused rule resumed elsewhere).
const POLL: Duration = Duration::from_secs(1);
/// A claim lasts the attempt's timeout plus this; past it the attempt is made again.
const LEASE_MARGIN_MS: i64 = 5_000;

/// What the worker shares with the engine's actions.
#[derive(Default)]
pub(super) struct OutboxState {
    wake: Notify,
    /// Cancel handles of the attempts in flight in this process, by forward id.
    in_flight: Mutex<HashMap<i64, CancellationToken>>,
    /// Rules with an attempt being made (their queue waits for it).
    busy: Mutex<HashSet<i64>>,
    /// One token bucket per target origin.
    buckets: tokio::sync::Mutex<HashMap<String, Bucket>>,
}

fn now_ms() -> i64 {
    now_us().div_euclid(1000)
}

impl Inner {
    pub(super) fn wake_outbox(&self) {
        self.outbox.wake.notify_one();
    }

    pub(super) fn cancel_in_flight(&self, forward_id: i64) {
        if let Some(t) = self.outbox.in_flight.lock().unwrap().get(&forward_id) {
            t.cancel();
        }
    }
}

/// Runs until `stop` turns true.
pub(super) async fn run(inner: Arc<Inner>, mut stop: watch::Receiver<bool>) {
    let mut events = inner.events.subscribe();
    loop {
        let wait = match tokio::task::spawn_blocking({
            let inner = inner.clone();
            move || pass(&inner)
        })
        .await
        {
            Ok(Ok(wait)) => wait,
            Ok(Err(e)) => {
                tracing::warn!("the outbox could not be read: {e}");
                POLL
            }
            Err(e) => {
                tracing::error!("the outbox pass failed: {e}");
                POLL
            }
        };
        let until = tokio::time::Instant::now() + wait;
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(until) => break,
                _ = inner.outbox.wake.notified() => break,
                e = events.recv() => match e {
                    // A capture may have queued forwards: only when some rule routes captures.
                    Ok(Event::Captured(_)) | Err(broadcast::error::RecvError::Lagged(_)) => {
                        // One pass for a burst of captures, not one each.
                        while let Ok(_) | Err(broadcast::error::TryRecvError::Lagged(_)) = events.try_recv() {}
                        if !inner.rules.routes.read().map(|r| r.is_empty()).unwrap_or(false) {
                            break;
                        }
                    }
                    Ok(_) => {}
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                _ = stop.changed() => return,
            }
        }
        if *stop.borrow() {
            return;
        }
    }
}

/// One look at the outbox: claims and starts every due head; returns how long until the next
/// one is due (at most [`POLL`]).
fn pass(inner: &Arc<Inner>) -> crate::Result<Duration> {
    let heads = inner.store.with(|c| outbox::heads(c))?;
    let now = now_ms();
    let mut next = now + POLL.as_millis() as i64;
    for head in heads {
        if inner.outbox.busy.lock().unwrap().contains(&head.rule_id) {
            continue;
        }
        let loaded = match inner.rules.get(head.rule_id) {
            Some(l) => l,
            None => {
                // Removed, or made by another process since the last reload.
                if inner.store.with(|c| rules::get(c, head.rule_id))?.is_none() {
                    fail_orphan(inner, &head, now)?;
                } else {
                    let _ = inner.reload_rules();
                }
                continue;
            }
        };
        if !loaded.rule.spec.enabled || !inner.rules.ours(&loaded) {
            continue;
        }
        let due_at = if head.state == outbox::SENDING { head.lease_until_ms.unwrap_or(0) } else { head.next_at_ms.unwrap_or(0) };
        if due_at > now {
            next = next.min(due_at);
            continue;
        }
        let lease = now + loaded.rule.spec.policy.timeout_ms as i64 + LEASE_MARGIN_MS;
        if !inner.store.with(|c| outbox::claim(c, &head, lease, now))? {
            continue;
        }
        inner.outbox.busy.lock().unwrap().insert(head.rule_id);
        inner.publish_forward(head.id);
        let inner = inner.clone();
        tokio::runtime::Handle::current().spawn(async move {
            let rule_id = head.rule_id;
            let forward_id = head.id;
            attempt(&inner, head, loaded).await;
            inner.outbox.busy.lock().unwrap().remove(&rule_id);
            inner.outbox.in_flight.lock().unwrap().remove(&forward_id);
            // The relay slot, if the forward ended without an answer to give.
            inner.rules.relays.lock().unwrap().remove(&forward_id);
            inner.publish_forward(forward_id);
            inner.wake_outbox();
        });
    }
    Ok(Duration::from_millis((next - now).clamp(1, POLL.as_millis() as i64) as u64))
}

fn fail_orphan(inner: &Inner, head: &ForwardRow, now: i64) -> crate::Result<()> {
    if inner.store.with(|c| outbox::claim(c, head, now + LEASE_MARGIN_MS, now))? {
        inner.store.with(|c| outbox::close(c, head.id, outbox::FAILED, "its forward rule was removed", now))?;
        inner.publish_forward(head.id);
    }
    Ok(())
}

/// Runs a blocking store call off the async workers.
async fn blocking<T: Send + 'static>(
    inner: &Arc<Inner>,
    f: impl FnOnce(&Inner) -> crate::Result<T> + Send + 'static,
) -> crate::Result<T> {
    let inner = inner.clone();
    tokio::task::spawn_blocking(move || f(&inner))
        .await
        .map_err(|e| crate::Error::Internal(format!("store task failed: {e}")))?
}

/// Closes a claimed forward without an attempt.
async fn close(inner: &Arc<Inner>, id: i64, state: &'static str, detail: String) {
    if let Err(e) = blocking(inner, move |i| i.store.with(|c| outbox::close(c, id, state, &detail, now_ms()))).await {
        tracing::warn!("forward {id} could not be closed as {state}: {e}");
    }
}

/// One claimed head: checked, built, rate-limited, sent, recorded.
async fn attempt(inner: &Arc<Inner>, head: ForwardRow, loaded: Loaded) {
    let rule = loaded.rule.clone();
    let id = head.id;
    let capture_id = head.capture_id;
    let capture = match blocking(inner, move |i| i.store.with(|c| captures::get(c, capture_id))).await {
        Ok(Some(c)) => c,
        Ok(None) => {
            return close(inner, id, outbox::FAILED, format!("capture {capture_id} was deleted before it could be forwarded")).await
        }
        Err(e) => {
            // The lease expires and the next pass tries again.
            tracing::warn!("forward {id}: capture {capture_id} could not be read: {e}");
            return;
        }
    };
    if !head.decided {
        let rule_id = head.rule_id;
        let decision = {
            let rule = rule.clone();
            let capture = capture.clone();
            blocking(inner, move |i| {
                let mut failed = None;
                let d = rule.decide(&capture, |event| match i.store.with(|c| outbox::first_success(c, rule_id, event)) {
                    Ok(first) => first,
                    Err(e) => {
                        failed = Some(e);
                        None
                    }
                });
                // A forward that goes is marked checked with its first attempt's record.
                match failed {
                    Some(e) => Err(e),
                    None => Ok(d),
                }
            })
            .await
        };
        match decision {
            Ok(Decision::Send) => {}
            Ok(Decision::Filtered(why)) => return close(inner, id, outbox::FILTERED, why).await,
            Ok(Decision::Duplicate(why)) => return close(inner, id, outbox::SKIPPED_DUPLICATE, why).await,
            Err(e) => {
                tracing::warn!("forward {id} could not be checked: {e}");
                return;
            }
        }
    }
    if let Some(rate) = rule.rate() {
        let origin = forward::destination(&rule.spec.url, false, "/", "").map(|d| d.authority()).unwrap_or_default();
        let key = format!("{}://{origin}", if rule.spec.url.starts_with("https") { "https" } else { "http" });
        loop {
            let wait = {
                let mut buckets = inner.outbox.buckets.lock().await;
                let bucket = buckets.entry(key.clone()).or_insert_with(|| Bucket::new(rate));
                if bucket.rate() != rate {
                    *bucket = Bucket::new(rate);
                }
                bucket.take(now_ms())
            };
            match wait {
                Ok(()) => break,
                Err(ms) => {
                    let lease = now_ms() + ms + rule.spec.policy.timeout_ms as i64 + LEASE_MARGIN_MS;
                    let _ = blocking(inner, move |i| i.store.with(|c| outbox::extend(c, id, lease))).await;
                    tokio::time::sleep(Duration::from_millis(ms as u64)).await;
                }
            }
        }
    }
    let started_at_us = now_us();
    let (outgoing, resigned) = match build(inner, &capture, &loaded, started_at_us) {
        Ok(b) => b,
        Err(why) => return close(inner, id, outbox::FAILED, why).await,
    };
    let cancel = CancellationToken::new();
    inner.outbox.in_flight.lock().unwrap().insert(id, cancel.clone());
    let opts = SendOptions {
        timeout: Duration::from_millis(rule.spec.policy.timeout_ms),
        insecure: rule.spec.insecure,
        max_body: inner.config.body_limit,
    };
    let sent = sender::send(&outgoing, &opts, &cancel).await;
    let finished = now_ms();
    let number = head.attempts + 1;
    let (result, relayed) = match &sent.result {
        Ok(r) => {
            let retry_after = r.headers.get("retry-after");
            (Ok((r.status, retry_after)), Some(Relayed { status: r.status, headers: r.headers.clone(), body: r.body.clone() }))
        }
        Err(f) => (Err((f.code, f.message.clone())), None),
    };
    let next = match &result {
        Ok((status, retry_after)) => {
            policy::next(&rule.spec.policy, number, AttemptResult::Response { status: *status, retry_after: retry_after.as_deref() }, finished)
        }
        Err((code, _)) => policy::next(&rule.spec.policy, number, AttemptResult::Failure(*code), finished),
    };
    let attempts = rule.spec.policy.attempts;
    let what = match &result {
        Ok((status, _)) => format!("answered {status}"),
        Err((code, message)) => format!("{}: {message}", code.as_str()),
    };
    let after = match next {
        Next::Done(Final::Succeeded) => AfterAttempt { state: outbox::SUCCEEDED, next_at_ms: None, detail: None },
        Next::Done(Final::Cancelled) => {
            AfterAttempt { state: outbox::CANCELLED, next_at_ms: None, detail: Some("cancelled while sending".into()) }
        }
        Next::Done(Final::Failed) => {
            let why = if number >= attempts { format!("{what}, after {number} of {attempts} attempts") } else { format!("{what}: not retried") };
            AfterAttempt { state: outbox::FAILED, next_at_ms: None, detail: Some(why) }
        }
        Next::RetryAt(at) => AfterAttempt {
            state: outbox::SCHEDULED,
            next_at_ms: Some(at),
            // When the next attempt is due is the row's own field (`next_at`), shown by each view.
            detail: Some(format!("attempt {number} of {attempts} {what}")),
        },
    };
    let record = attempt_record(capture.id, "forward", started_at_us, outgoing, resigned, rule.spec.insecure, sent, Some((id, number)));
    let stored = blocking(inner, move |i| {
        let mut record = record;
        let state = after.state;
        let (delivery_id, _) = i.store.with(|c| outbox::record_attempt(c, id, &record, &after, finished))?;
        record.head.id = delivery_id;
        Ok((DeliverySummary::from(&record.head), state))
    })
    .await;
    match stored {
        Ok((summary, _)) => {
            let _ = inner.events.send(Event::Delivered(summary));
        }
        Err(e) => {
            // Not recorded: the lease expires and the attempt is made again (at least once).
            tracing::error!("forward {id}: the attempt could not be recorded: {e}");
            return;
        }
    }
    if number == 1 {
        let slot = inner.rules.relays.lock().unwrap().remove(&id);
        if let (Some(slot), Some(answer)) = (slot, relayed) {
            let _ = slot.send(answer);
        }
    }
}

/// The request for `capture` at `now_us`: transformed, re-signed when the rule says so.
fn build(inner: &Inner, capture: &Capture, loaded: &Loaded, now_us: i64) -> Result<(Outgoing, bool), String> {
    let spec = &loaded.rule.spec;
    let d = &capture.data;
    let destination = forward::destination(&spec.url, spec.keep_path, &d.path, &d.query).map_err(|e| e.0)?;
    let mut edits = Edits::default();
    match loaded.rule.body(capture, &rfc3339_us(d.received_at_us)) {
        Some(Ok((body, content_type))) => {
            edits.body = Some(body);
            edits.set_headers.push(("Content-Type".into(), content_type));
        }
        Some(Err(why)) => return Err(why),
        None if d.body_over_limit => {
            return Err(format!(
                "capture {} has no stored body (it was over the size limit), so it cannot be forwarded as captured",
                capture.id
            ))
        }
        None => {}
    }
    let src = Source { method: &d.method, path: &d.path, query: &d.query, headers: &d.headers, body: &d.body };
    let mut outgoing = forward::build(&src, &edits, destination).map_err(|e| e.0)?;
    if spec.resign {
        let settings = inner.signatures.table.read().unwrap().get(&d.endpoint).cloned().unwrap_or_default();
        let (cfg, _) = resign_config(&settings, &d.endpoint).map_err(|e| format!("cannot re-sign: {e}"))?;
        let opts = ResignOptions { secret_index: 0, message_id: None };
        forward::resign(&mut outgoing, &cfg, &opts, now_us.div_euclid(1_000_000)).map_err(|e| format!("cannot re-sign: {e}"))?;
    }
    Ok((outgoing, spec.resign))
}
