//! Presets for schemes whose signature header carries both the timestamp and one or more
//! signatures as `key=value` items: Stripe (`t=…,v1=…`, past-only tolerance like
//! stripe-python) and Paddle Billing (`ts=…;h1=…`, ±5 s). Recipes only; no logic.

use crate::signature::generic::{Format, Part, Recipe, TsSource};
use crate::signature::{SchemeConfig, SchemeId, SignatureError};

pub(crate) fn recipe(cfg: &SchemeConfig) -> Result<Recipe, SignatureError> {
    let mut r = if cfg.scheme == SchemeId::Stripe {
        let mut r = Recipe::body_hmac(SchemeId::Stripe, "Stripe-Signature");
        r.format = Format::KeyValue {
            sep: ',',
            ts_key: "t".into(),
            sig_key: "v1".into(),
        };
        r.template = vec![Part::Timestamp, Part::Lit(".".into()), Part::Body];
        r.tolerance = 300;
        r.past_only = true;
        r.advice = "use this endpoint's `whsec_` signing secret from the dashboard (the `stripe listen` CLI prints a different one), not the API key";
        r
    } else {
        let mut r = Recipe::body_hmac(SchemeId::Paddle, "Paddle-Signature");
        r.format = Format::KeyValue {
            sep: ';',
            ts_key: "ts".into(),
            sig_key: "h1".into(),
        };
        r.template = vec![Part::Timestamp, Part::Lit(":".into()), Part::Body];
        r.tolerance = 5;
        r.advice =
            "use the notification destination's secret key (`pdl_ntfset_…`), not the API key";
        r
    };
    r.ts = TsSource::InSignature;
    r.tolerance = cfg.tolerance(r.tolerance)?;
    Ok(r)
}
