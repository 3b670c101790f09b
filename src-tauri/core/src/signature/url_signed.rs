//! Presets for URL-signed schemes: HubSpot v1 (plain SHA-256 of secret||body), v2 (plain
//! SHA-256 of secret||method||uri||body), v3 (HMAC-SHA256 base64 of method||uri||body||ts,
//! ms timestamp, URI decoding rules, past-only 300 s) and Square (HMAC-SHA256 base64 of
//! notification URL||body; legacy SHA-1 header). Option `public_url` = URL the sender
//! calls. Recipes only.

use crate::signature::codec::{self, Alg, MacKind, OutEnc};
use crate::signature::generic::{Part, Recipe, TsSource};
use crate::signature::{Request, SchemeConfig, SchemeId, SignatureError};

pub(crate) fn recipe(cfg: &SchemeConfig, req: &Request) -> Result<Recipe, SignatureError> {
    use SchemeId as S;
    let mut r = match cfg.scheme {
        S::HubspotV1 | S::HubspotV2 => {
            let mut r = Recipe::body_hmac(cfg.scheme, "X-HubSpot-Signature");
            r.kind = MacKind::Hash;
            r.template = if cfg.scheme == S::HubspotV1 {
                vec![Part::Secret, Part::Body]
            } else {
                vec![Part::Secret, Part::Method, Part::Url, Part::Body]
            };
            r.advice = "use the app's client secret";
            r
        }
        S::HubspotV3 => {
            let mut r = Recipe::body_hmac(S::HubspotV3, "X-HubSpot-Signature-v3");
            r.out_enc = OutEnc::Base64;
            r.template = vec![Part::Method, Part::HubspotUri, Part::Body, Part::Timestamp];
            r.ts = TsSource::Header(vec!["X-HubSpot-Request-Timestamp".into()]);
            r.ts_millis = true;
            r.past_only = true;
            r.tolerance = cfg.tolerance(300)?;
            r.advice = "use the app's client secret";
            r
        }
        S::Square => {
            let legacy = codec::header(req, "x-square-hmacsha256-signature").is_none()
                && codec::header(req, "x-square-signature").is_some();
            let mut r = if legacy {
                let mut r = Recipe::body_hmac(S::Square, "x-square-signature");
                r.alg = Alg::Sha1;
                r
            } else {
                Recipe::body_hmac(S::Square, "x-square-hmacsha256-signature")
            };
            r.out_enc = OutEnc::Base64;
            r.template = vec![Part::Url, Part::Body];
            r.advice = "use the subscription's signature key as text";
            r
        }
        other => unreachable!("{other:?} is not a URL-signed preset"),
    };
    r.public_url = cfg.opt("public_url").map(|s| s.trim().to_string());
    Ok(r)
}
