//! What the receiver will likely think of an outgoing request that is not re-signed: checked
//! with the endpoint's own scheme and secrets at `now`, over the request exactly as it goes out.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::resign::{outgoing_config, with_view};
use super::Outgoing;
use crate::signature::{self, SchemeConfig, VerdictStatus};

/// Something the user should know before sending.
#[derive(Debug, Clone, Serialize, Deserialize, TS, PartialEq)]
#[ts(export)]
pub struct ReplayWarning {
    pub code: ReplayWarningCode,
    /// Plain words, e.g. "captured 12 min ago; Stripe accepts 300 s: …".
    pub message: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ReplayWarningCode {
    /// Not re-signed, and the signed timestamp is past the scheme's tolerance.
    StaleSignature,
    /// Not re-signed, and the request as it will go out no longer matches its signature.
    SignatureMismatch,
    /// TLS certificates are not checked.
    Insecure,
}

/// "45 s", "12 min", "3 h", "2 days".
fn age(secs: i64) -> String {
    let s = secs.abs();
    match s {
        0..90 => format!("{s} s"),
        90..5400 => format!("{} min", (s + 30) / 60),
        5400..172_800 => format!("{} h", (s + 1800) / 3600),
        _ => format!("{} days", (s + 43_200) / 86_400),
    }
}

/// The scheme's tolerance in seconds: the endpoint's `tolerance_secs`, else the scheme default.
fn tolerance(cfg: &SchemeConfig) -> Option<i64> {
    if let Some(v) = cfg.options.get("tolerance_secs").and_then(|v| v.trim().parse().ok()) {
        return Some(v);
    }
    signature::catalog().into_iter().find(|s| s.id == cfg.scheme).and_then(|s| s.default_tolerance_secs)
}

/// Warnings for sending `out`: `cfg` is the endpoint's scheme (with its readable secrets), when
/// it has one; `was_valid` says the capture's own verdict was valid; `resigned` that `out`
/// carries a fresh signature.
pub fn warnings(out: &Outgoing, cfg: Option<&SchemeConfig>, was_valid: bool, resigned: bool, insecure: bool, now: i64) -> Vec<ReplayWarning> {
    let mut list = Vec::new();
    if insecure {
        list.push(ReplayWarning {
            code: ReplayWarningCode::Insecure,
            message: "TLS certificates are not checked: anyone between you and the target could read or change this request."
                .into(),
        });
    }
    let Some(cfg) = cfg.filter(|c| !resigned && !c.secrets.is_empty()) else {
        return list;
    };
    let cfg = outgoing_config(cfg);
    let verdict = with_view(out, |req| signature::verify(&cfg, req, now));
    let label = cfg.scheme.label();
    match verdict.status {
        VerdictStatus::Expired => {
            let skew = verdict.skew_secs.unwrap_or(0);
            let accepts = tolerance(&cfg).map(|t| format!("; {label} accepts {t} s")).unwrap_or_default();
            list.push(ReplayWarning {
                code: ReplayWarningCode::StaleSignature,
                message: format!(
                    "signed {} ago{accepts}: the receiver will likely reject it as too old — re-sign?",
                    age(skew)
                ),
            });
        }
        VerdictStatus::Invalid if was_valid => list.push(ReplayWarning {
            code: ReplayWarningCode::SignatureMismatch,
            message: format!(
                "the request as it will go out no longer matches its {label} signature (edited, or sent to another URL): the receiver will likely reject it — re-sign?"
            ),
        }),
        _ => {}
    }
    list
}

#[cfg(test)]
mod tests {
    use super::age;

    #[test]
    fn ages_read_naturally() {
        assert_eq!(age(45), "45 s");
        assert_eq!(age(720), "12 min");
        assert_eq!(age(3 * 3600), "3 h");
        assert_eq!(age(3 * 86_400), "3 days");
    }
}
