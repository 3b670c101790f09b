//! Presets for the Lyra platform (PayZen, Systempay, CyberPlus…): the `vads_*` form with a
//! `signature` field — HMAC-SHA256 base64 (key = shop key, also appended to the message) or
//! legacy plain SHA-1 hex (option `algorithm` = `hmac_sha256` | `sha1`) — and the REST
//! `kr-hash` (hex HMAC-SHA256 of `kr-answer`). Recipes only.

use crate::signature::codec::{self, Alg, MacKind, OutEnc};
use crate::signature::generic::{Locator, Part, Recipe};
use crate::signature::{Request, SchemeConfig, SignatureError};

pub(crate) fn recipe(cfg: &SchemeConfig, req: &Request) -> Result<Recipe, SignatureError> {
    let mut r = Recipe::body_hmac(cfg.scheme, "");
    let rest = codec::is_form(req)
        && codec::parse_pairs(req.body)
            .iter()
            .any(|(k, _)| k == "kr-hash");
    if rest {
        r.locator = Locator::Form(vec!["kr-hash".into()]);
        r.template = vec![Part::FormField("kr-answer".into())];
        r.advice = "for the IPN the key is the REST API password; for the browser return it is the HMAC-SHA-256 key";
        return Ok(r);
    }
    r.locator = Locator::Form(vec!["signature".into()]);
    r.template = vec![Part::VadsValues, Part::Lit("+".into()), Part::Secret];
    r.advice = "use the TEST key when `vads_ctx_mode` is TEST and the PRODUCTION key otherwise";
    match cfg.opt("algorithm").map(|s| s.trim().to_ascii_lowercase()) {
        None => {}
        Some(a) if a == "hmac_sha256" || a == "hmac-sha-256" => {}
        Some(a) if a == "sha1" || a == "sha-1" => {
            r.kind = MacKind::Hash;
            r.alg = Alg::Sha1;
        }
        Some(a) => {
            return Err(SignatureError::BadOption {
                option: "algorithm".into(),
                reason: format!("`{a}` is not one of hmac_sha256, sha1"),
            });
        }
    }
    if r.kind == MacKind::Hmac {
        r.out_enc = OutEnc::Base64;
        r.alt_kind = Some(MacKind::Hash);
    } else {
        r.out_enc = OutEnc::Hex;
        r.alt_kind = Some(MacKind::Hmac);
    }
    Ok(r)
}
