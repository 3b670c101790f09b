//! Presets of the HMAC engine for schemes whose signature is one header over the raw body,
//! optionally with a timestamp: Servolution, FinSight, GitHub, Shopify (classic and Events
//! API header names), Typeform, Lemon Squeezy, Intercom, Linear, Slack, Zoom. Only recipes
//! live here: no verification logic, no explanations beyond a one-line advice per scheme.

use crate::signature::codec::{self, Alg, OutEnc};
use crate::signature::generic::{Locator, Part, Recipe, TsSource};
use crate::signature::{Request, SchemeConfig, SchemeId, SignatureError};

fn timed(mut r: Recipe, sig_prefix: &str, version: &str, ts_header: &str) -> Recipe {
    r.prefix = sig_prefix.to_string();
    r.template = vec![
        Part::Lit(format!("{version}:")),
        Part::Timestamp,
        Part::Lit(":".into()),
        Part::Body,
    ];
    r.ts = TsSource::Header(vec![ts_header.to_string()]);
    r
}

pub(crate) fn recipe(cfg: &SchemeConfig, req: &Request) -> Result<Recipe, SignatureError> {
    use SchemeId as S;
    let mut r = match cfg.scheme {
        S::Servolution => {
            let mut r = Recipe::body_hmac(S::Servolution, "X-Servolution-Signature");
            r.advice = "check the HMAC secret shown in Comptentra → Settings → Webhooks";
            r
        }
        S::Finsight => {
            let mut r = Recipe::body_hmac(S::Finsight, "X-FinSight-Signature");
            r.accept_reserialized = true;
            r.advice =
                "the secret is shown only once when the webhook is created; recreate it if unsure";
            r
        }
        S::Github => {
            // Legacy X-Hub-Signature (sha1) only when the sha256 header is absent.
            let legacy = codec::header(req, "x-hub-signature-256").is_none()
                && codec::header(req, "x-hub-signature").is_some();
            let mut r = if legacy {
                let mut r = Recipe::body_hmac(S::Github, "X-Hub-Signature");
                r.alg = Alg::Sha1;
                r.prefix = "sha1=".into();
                r
            } else {
                let mut r = Recipe::body_hmac(S::Github, "X-Hub-Signature-256");
                r.prefix = "sha256=".into();
                r
            };
            r.advice = "compare with the secret in the repository's Settings → Webhooks";
            r
        }
        S::Shopify => {
            let mut r = Recipe::body_hmac(S::Shopify, "X-Shopify-Hmac-Sha256");
            // The Events API sends the same HMAC without `X-`. @shopify/shopify-api reads
            // `Shopify-Hmac-Sha256` first when present, else `X-Shopify-Hmac-Sha256`, and then
            // requires that family's other headers; signing writes the request's family.
            let events = codec::header(req, "shopify-hmac-sha256").is_some()
                || codec::header(req, "x-shopify-hmac-sha256").is_none()
                    && ["shopify-topic", "shopify-webhook-id", "shopify-event-id"]
                        .iter()
                        .any(|h| codec::header(req, h).is_some());
            let (first, second) = if events {
                ("Shopify-Hmac-Sha256", "X-Shopify-Hmac-Sha256")
            } else {
                ("X-Shopify-Hmac-Sha256", "Shopify-Hmac-Sha256")
            };
            r.locator = Locator::Header(vec![first.into(), second.into()]);
            r.out_enc = OutEnc::Base64;
            r.advice = "use the app's client secret (or the signing secret shown under Settings → Notifications), not the access token";
            r
        }
        S::Typeform => {
            let mut r = Recipe::body_hmac(S::Typeform, "Typeform-Signature");
            r.prefix = "sha256=".into();
            r.out_enc = OutEnc::Base64;
            r
        }
        S::LemonSqueezy => {
            let mut r = Recipe::body_hmac(S::LemonSqueezy, "X-Signature");
            r.advice = "use the webhook's signing secret, not the API key";
            r
        }
        S::Intercom => {
            let mut r = Recipe::body_hmac(S::Intercom, "X-Hub-Signature");
            r.alg = Alg::Sha1;
            r.prefix = "sha1=".into();
            r.advice = "use the app's client_secret, not the access token";
            r
        }
        S::Linear => {
            let mut r = Recipe::body_hmac(S::Linear, "Linear-Signature");
            r.ts = TsSource::JsonField("webhookTimestamp");
            r.ts_millis = true;
            r.tolerance = 60;
            r
        }
        S::Slack => {
            let mut r = timed(
                Recipe::body_hmac(S::Slack, "X-Slack-Signature"),
                "v0=",
                "v0",
                "X-Slack-Request-Timestamp",
            );
            r.tolerance = 300;
            r.advice = "use the app's Signing Secret as text (not hex-decoded), not the deprecated verification token";
            r
        }
        S::Zoom => {
            let mut r = timed(
                Recipe::body_hmac(S::Zoom, "x-zm-signature"),
                "v0=",
                "v0",
                "x-zm-request-timestamp",
            );
            r.tolerance = 300;
            r.advice = "use the app's Secret Token, not the deprecated Verification Token";
            r
        }
        other => unreachable!("{other:?} is not a body-HMAC preset"),
    };
    if r.tolerance > 0 || !matches!(r.ts, TsSource::None) {
        r.tolerance = cfg.tolerance(r.tolerance)?;
    }
    Ok(r)
}
