//! Forwards engine events to the webview: `capture:new` (a CaptureSummary), `captures:changed`,
//! `endpoints:changed`, `tunnel:changed` (a TunnelStatusView), `delivery:new` (a
//! DeliverySummary, after each stored attempt, replay or forward), `replay:progress` (a
//! ReplayProgressView), `forward:changed` (a ForwardView, when a forward changes state),
//! `outbox:changed` (many forwards changed: outbox views reload), `rules:changed` (forward rules
//! added, changed or removed) and `storage:changed` (a StorageTrouble while captures are
//! refused, `null` once they are stored again). Only summaries cross: bodies are fetched on demand.

use hookloupe_core::ipc::CaptureSummary;
use hookloupe_core::Event;
use tauri::{AppHandle, Emitter};
use tokio::sync::broadcast;

pub fn forward(app: AppHandle, mut events: broadcast::Receiver<Event>) {
    tauri::async_runtime::spawn(async move {
        loop {
            let sent = match events.recv().await {
                Ok(Event::Captured(c)) => app.emit("capture:new", CaptureSummary::from(c.as_ref())),
                Ok(Event::CapturesChanged) => app.emit("captures:changed", ()),
                Ok(Event::EndpointsChanged) => app.emit("endpoints:changed", ()),
                Ok(Event::TunnelChanged(status)) => app.emit("tunnel:changed", status),
                Ok(Event::VerdictsChanged { .. }) => app.emit("captures:changed", ()),
                Ok(Event::Delivered(summary)) => app.emit("delivery:new", summary),
                Ok(Event::ReplayProgress(progress)) => app.emit("replay:progress", progress),
                Ok(Event::StorageChanged(trouble)) => app.emit("storage:changed", trouble),
                Ok(Event::Forwarded(forward)) => app.emit("forward:changed", forward),
                Ok(Event::OutboxChanged) => app.emit("outbox:changed", ()),
                Ok(Event::RulesChanged) => app.emit("rules:changed", ()),
                // The window missed some events: have it reload the lists.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    app.emit("captures:changed", ()).and_then(|_| app.emit("outbox:changed", ()))
                }
                Err(broadcast::error::RecvError::Closed) => return,
            };
            if let Err(e) = sent {
                eprintln!("hookloupe-app: could not emit an event to the window: {e}");
            }
        }
    });
}
