//! Engine methods of forward rules and of the outbox as the user acts on it: add, change, pause,
//! resume and remove rules (checked by [`crate::forward::rule::compile`]), the session rules of
//! `listen --forward-to`, and the outbox's list, detail, counts, "retry now", "retry all
//! failed" and "cancel". Rules are loaded into memory (compiled, and as the writer's routes)
//! at open, after each change, and every few seconds with the endpoints, so a listening app
//! picks up rules changed by the CLI. The sending itself is [`super::outbox`]'s. This module
//! must not format output for a host.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use super::replay::now_us;
use super::Engine;
use crate::error::{Error, Result};
use crate::event::Event;
use crate::forward::rule::{self, Rule, RuleSpec};
use crate::ipc::{
    DeliverySummary, ForwardDetailView, ForwardFilter, ForwardPage, ForwardRuleView, ForwardView, ListForwardsReq,
    OutboxCounts, SaveForwardRuleReq,
};
use crate::model::{Route, RouteTable};
use crate::store::outbox::{self, ForwardRow, States};
use crate::store::{deliveries, endpoints, rules};

/// The rules in memory: compiled, by id, with their owner; and the writer's routes.
#[derive(Default)]
pub(super) struct RuleState {
    pub compiled: RwLock<Arc<HashMap<i64, Loaded>>>,
    pub routes: RouteTable,
    pub relays: crate::model::Relays,
    /// This process's token, owner of the session rules it makes or adopts.
    pub owner: String,
}

/// One loaded rule.
#[derive(Clone)]
pub(super) struct Loaded {
    pub rule: Arc<Rule>,
    pub session_owner: Option<String>,
}

impl RuleState {
    pub fn new() -> RuleState {
        let mut token = [0u8; 8];
        let _ = getrandom::fill(&mut token);
        let owner = format!("pid{}-{}", std::process::id(), token.iter().map(|b| format!("{b:02x}")).collect::<String>());
        RuleState { owner, ..Default::default() }
    }

    pub fn get(&self, id: i64) -> Option<Loaded> {
        self.compiled.read().ok()?.get(&id).cloned()
    }

    /// Whether this process sends the forwards of this rule: any user rule, and the session
    /// rules it owns.
    pub fn ours(&self, l: &Loaded) -> bool {
        l.session_owner.as_ref().is_none_or(|o| *o == self.owner)
    }
}

fn refused(e: rule::RuleError) -> Error {
    Error::InvalidInput(e.to_string())
}

impl super::Inner {
    /// Reads the rules into memory and makes the writer's routes. A stored rule that no longer
    /// compiles (written by a newer version) is left out, with a warning.
    pub(super) fn reload_rules(&self) -> Result<bool> {
        let rows = self.store.with(|c| rules::list(c))?;
        let before = self.rules.compiled.read().unwrap().clone();
        let mut compiled = HashMap::new();
        let mut routes = Vec::new();
        for row in rows {
            // Unchanged rules keep their compiled filter and template (this runs every 2 s).
            let kept = before.get(&row.id).filter(|l| l.rule.spec == row.spec).map(|l| l.rule.clone());
            let rule = match kept.map(Ok).unwrap_or_else(|| rule::compile(row.spec.clone()).map(Arc::new)) {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!("forward rule {} is left out: {e}", row.id);
                    continue;
                }
            };
            let loaded = Loaded { rule: rule.clone(), session_owner: row.session_owner.clone() };
            if rule.spec.enabled && self.rules.ours(&loaded) {
                routes.push(Route {
                    rule_id: row.id,
                    endpoint: rule.spec.endpoint.clone(),
                    url: rule.spec.url.clone(),
                    first_wait_ms: rule.spec.policy.wait_before(1),
                    answer_deadline_ms: rule.spec.answer.then_some(rule.spec.answer_deadline_ms),
                });
            }
            compiled.insert(row.id, loaded);
        }
        let changed = {
            let before = self.rules.routes.read().unwrap();
            **before != routes
        };
        *self.rules.routes.write().unwrap() = Arc::new(routes);
        *self.rules.compiled.write().unwrap() = Arc::new(compiled);
        Ok(changed)
    }

    fn check_rule(&self, spec: &RuleSpec, id: Option<i64>) -> Result<RuleSpec> {
        let compiled = rule::compile(spec.clone()).map_err(refused)?;
        let spec = compiled.spec.clone();
        if let Some(name) = &spec.endpoint {
            if !self.store.with(|c| endpoints::list(c))?.iter().any(|e| e.name == *name) {
                return Err(Error::NotFound(format!("no endpoint named {name:?}; forward rules belong to an endpoint")));
            }
        }
        if spec.answer {
            let others = self.store.with(|c| rules::list(c))?;
            if let Some(other) = others
                .iter()
                .find(|r| Some(r.id) != id && r.spec.answer && r.spec.endpoint == spec.endpoint && r.spec.enabled)
            {
                return Err(Error::Conflict(format!(
                    "rule {} already answers the provider with its target's response; only one rule of an endpoint can",
                    other.id
                )));
            }
        }
        Ok(spec)
    }

    fn rules_changed(&self) -> Result<()> {
        self.reload_rules()?;
        let _ = self.events.send(Event::RulesChanged);
        self.wake_outbox();
        Ok(())
    }

    fn forward_view(&self, f: &ForwardRow) -> Result<ForwardView> {
        let last = match f.last_delivery_id {
            Some(id) => self.store.with(|c| deliveries::get(c, id))?.map(|d| DeliverySummary::from(&d.head)),
            None => None,
        };
        Ok(ForwardView::of(f, last))
    }

    /// Announces a forward's new state.
    pub(super) fn publish_forward(&self, id: i64) {
        match self.store.with(|c| outbox::get(c, id)).and_then(|f| f.map(|f| self.forward_view(&f)).transpose()) {
            Ok(Some(view)) => {
                let _ = self.events.send(Event::Forwarded(view));
            }
            Ok(None) => {}
            Err(e) => tracing::warn!("could not read forward {id}: {e}"),
        }
    }
}

impl Engine {
    pub async fn list_forward_rules(&self) -> Result<Vec<ForwardRuleView>> {
        self.blocking(|i| Ok(i.store.with(|c| rules::list(c))?.iter().map(ForwardRuleView::from).collect())).await
    }

    /// Adds (`id` null) or replaces a rule. Refused with the field and the reason when its URL,
    /// filter (with the position), template, policy, rate or deadline is wrong, or its endpoint
    /// does not exist.
    pub async fn save_forward_rule(&self, req: SaveForwardRuleReq) -> Result<ForwardRuleView> {
        self.blocking(move |i| {
            let spec = i.check_rule(&req.spec, req.id)?;
            let id = match req.id {
                Some(id) => {
                    if !i.store.with(|c| rules::update(c, id, &spec))? {
                        return Err(Error::NotFound(format!("no forward rule {id}")));
                    }
                    id
                }
                None => i.store.with(|c| rules::insert(c, &spec, None, now_us()))?,
            };
            i.rules_changed()?;
            let row = i.store.with(|c| rules::get(c, id))?.ok_or_else(|| Error::NotFound(format!("no forward rule {id}")))?;
            Ok(ForwardRuleView::from(&row))
        })
        .await
    }

    /// Pauses (new captures are not queued, queued ones wait) or resumes a rule.
    pub async fn set_forward_rule_enabled(&self, id: i64, enabled: bool) -> Result<ForwardRuleView> {
        self.blocking(move |i| {
            if !i.store.with(|c| rules::set_enabled(c, id, enabled))? {
                return Err(Error::NotFound(format!("no forward rule {id}")));
            }
            i.rules_changed()?;
            let row = i.store.with(|c| rules::get(c, id))?.ok_or_else(|| Error::NotFound(format!("no forward rule {id}")))?;
            Ok(ForwardRuleView::from(&row))
        })
        .await
    }

    /// Removes a rule; its queued forwards are cancelled (their history stays).
    pub async fn remove_forward_rule(&self, id: i64) -> Result<()> {
        self.blocking(move |i| {
            if !i.store.with(|c| rules::remove(c, id, now_us() / 1000))? {
                return Err(Error::NotFound(format!("no forward rule {id}")));
            }
            i.rules_changed()
        })
        .await
    }

    /// `listen --forward-to URL`: a rule forwarding every capture of every endpoint to `url`
    /// while this process runs. A rule left by an earlier `listen --forward-to` with the same
    /// URL (ended, or killed) is adopted, so its queue is finished in order.
    pub async fn start_session_forward(&self, spec: RuleSpec) -> Result<ForwardRuleView> {
        self.blocking(move |i| {
            let mut spec = rule::compile(spec).map_err(refused)?.spec.clone();
            spec.endpoint = None;
            let owner = i.rules.owner.clone();
            let id = match i.store.with(|c| rules::session_rule(c, &spec.url))? {
                Some(id) => {
                    i.store.with(|c| rules::update(c, id, &spec))?;
                    i.store.with(|c| rules::adopt(c, id, &owner))?;
                    id
                }
                None => i.store.with(|c| rules::insert(c, &spec, Some(&owner), now_us()))?,
            };
            i.rules_changed()?;
            let row = i.store.with(|c| rules::get(c, id))?.ok_or_else(|| Error::NotFound(format!("no forward rule {id}")))?;
            Ok(ForwardRuleView::from(&row))
        })
        .await
    }

    /// Ends this process's session rule: no new captures; removed once its queue is empty.
    pub async fn end_session_forward(&self, id: i64) -> Result<()> {
        self.blocking(move |i| {
            let owner = i.rules.owner.clone();
            i.store.with(|c| rules::end_session(c, id, &owner))?;
            i.rules_changed()
        })
        .await
    }

    /// Forwards, newest first.
    pub async fn list_forwards(&self, req: ListForwardsReq) -> Result<ForwardPage> {
        self.blocking(move |i| {
            let filter = req.filter.unwrap_or(ForwardFilter::All);
            let one;
            let states = match filter {
                ForwardFilter::All => States::All,
                ForwardFilter::Open => States::Open,
                other => {
                    one = serde_json::to_value(other).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
                    States::One(&one)
                }
            };
            let (rows, next_before) = i.store.with(|c| outbox::page(c, states, req.capture_id, req.limit, req.before))?;
            let items = rows.iter().map(|f| i.forward_view(f)).collect::<Result<Vec<_>>>()?;
            Ok(ForwardPage { items, next_before })
        })
        .await
    }

    /// One forward with all its attempts.
    pub async fn forward(&self, id: i64) -> Result<ForwardDetailView> {
        self.blocking(move |i| {
            let f = i.store.with(|c| outbox::get(c, id))?.ok_or_else(|| Error::NotFound(format!("no forward {id}")))?;
            let attempts = i.store.with(|c| deliveries::of_forward(c, id))?;
            Ok(ForwardDetailView { forward: i.forward_view(&f)?, attempts: attempts.iter().map(DeliverySummary::from).collect() })
        })
        .await
    }

    pub async fn outbox_counts(&self) -> Result<OutboxCounts> {
        self.blocking(|i| Ok(i.store.with(|c| outbox::counts(c))?.into())).await
    }

    /// "Retry now": a failed, cancelled, filtered or skipped forward starts a new round of
    /// attempts (sent even if its filter said no); a scheduled one is due at once.
    pub async fn retry_forward(&self, id: i64) -> Result<ForwardView> {
        self.blocking(move |i| {
            let f = i.store.with(|c| outbox::get(c, id))?.ok_or_else(|| Error::NotFound(format!("no forward {id}")))?;
            if !i.store.with(|c| outbox::retry(c, id, now_us() / 1000))? {
                return Err(Error::Conflict(format!("forward {id} is being sent right now ({})", f.url)));
            }
            // Read before the worker is woken: the answer is what the action made (pending).
            let f = i.store.with(|c| outbox::get(c, id))?.ok_or_else(|| Error::NotFound(format!("no forward {id}")))?;
            let view = i.forward_view(&f)?;
            let _ = i.events.send(Event::Forwarded(view.clone()));
            i.wake_outbox();
            Ok(view)
        })
        .await
    }

    /// "Retry all failed"; returns how many.
    pub async fn retry_failed_forwards(&self) -> Result<usize> {
        self.blocking(move |i| {
            let n = i.store.with(|c| outbox::retry_failed(c, now_us() / 1000))?;
            if n > 0 {
                let _ = i.events.send(Event::OutboxChanged);
                i.wake_outbox();
            }
            Ok(n)
        })
        .await
    }

    /// Cancels an open forward (an attempt in flight in this process is stopped).
    pub async fn cancel_forward(&self, id: i64) -> Result<ForwardView> {
        self.blocking(move |i| {
            let f = i.store.with(|c| outbox::get(c, id))?.ok_or_else(|| Error::NotFound(format!("no forward {id}")))?;
            if !i.store.with(|c| outbox::cancel(c, id, now_us() / 1000))? {
                return Err(Error::Conflict(format!("forward {id} is already {}; only open forwards can be cancelled", f.state)));
            }
            i.cancel_in_flight(id);
            i.publish_forward(id);
            let f = i.store.with(|c| outbox::get(c, id))?.ok_or_else(|| Error::NotFound(format!("no forward {id}")))?;
            i.forward_view(&f)
        })
        .await
    }
}
