//! Presets for Standard Webhooks (`webhook-id/-timestamp/-signature`) and Svix (`svix-*`,
//! also accepting `webhook-*`): HMAC-SHA256 over `id.timestamp.body`, key = `whsec_`
//! stripped and base64-decoded, `v1,<base64>` space-separated list, ±300 s. Recipes only.

use crate::signature::codec::{self, KeyEnc, OutEnc};
use crate::signature::generic::{Format, Part, Recipe, TsSource};
use crate::signature::{Request, SchemeConfig, SchemeId, SignatureError};

pub(crate) fn recipe(cfg: &SchemeConfig, req: &Request) -> Result<Recipe, SignatureError> {
    // Svix: svix-* take precedence, webhook-* accepted; Standard Webhooks: webhook-* only.
    let svix_set = cfg.scheme == SchemeId::Svix
        && (codec::header(req, "svix-signature").is_some()
            || codec::header(req, "webhook-signature").is_none());
    let (sig, id, ts) = if svix_set {
        ("svix-signature", "svix-id", "svix-timestamp")
    } else {
        ("webhook-signature", "webhook-id", "webhook-timestamp")
    };
    let mut r = Recipe::body_hmac(cfg.scheme, sig);
    r.format = Format::SpaceList { version: "v1" };
    r.key_enc = KeyEnc::Whsec;
    r.out_enc = OutEnc::Base64;
    r.template = vec![
        Part::Id,
        Part::Lit(".".into()),
        Part::Timestamp,
        Part::Lit(".".into()),
        Part::Body,
    ];
    r.ts = TsSource::Header(vec![ts.to_string()]);
    r.id_headers = vec![id.to_string()];
    r.tolerance = cfg.tolerance(300)?;
    r.advice = "use this endpoint's `whsec_…` signing secret";
    Ok(r)
}
