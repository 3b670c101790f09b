//! Mailgun: the signature is in the body (JSON `signature.{timestamp,token,signature}` or
//! form fields `timestamp`, `token`, `signature`), HMAC-SHA256 hex over `timestamp||token`
//! with the HTTP webhook signing key; freshness window ±300 s (inspector policy). The event
//! data is not covered, which explanations say. Extraction and signing here; the check
//! itself runs through the HMAC engine.

use crate::signature::codec;
use crate::signature::generic::{self, Locator, Part, Recipe, TsSource};
use crate::signature::{
    Request, SchemeConfig, SchemeId, Secret, SignExtra, SignatureError, Signed, Verdict,
};

struct Found {
    ts: String,
    token: String,
    sigs: Vec<String>,
}

fn as_text(v: Option<&serde_json::Value>) -> Option<String> {
    match v? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn find(req: &Request) -> Option<Found> {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(req.body) {
        let s = v.get("signature")?;
        let sigs = ["signature", "parent-signature"]
            .iter()
            .filter_map(|k| as_text(s.get(*k)))
            .collect();
        return Some(Found {
            ts: as_text(s.get("timestamp")).unwrap_or_default(),
            token: as_text(s.get("token")).unwrap_or_default(),
            sigs,
        });
    }
    if codec::is_form(req) {
        let pairs = codec::parse_pairs(req.body);
        let get = |n: &str| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        // No `signature` yet (an unsigned form to sign): still found, for its token.
        return Some(Found {
            ts: get("timestamp").unwrap_or_default(),
            token: get("token").unwrap_or_default(),
            sigs: get("signature").into_iter().collect(),
        });
    }
    None
}

fn recipe(cfg: &SchemeConfig, f: &Found) -> Result<Recipe, SignatureError> {
    let mut r = Recipe::body_hmac(SchemeId::Mailgun, "");
    r.locator = Locator::Given {
        values: f.sigs.clone(),
        what: "`signature` in the body".into(),
    };
    r.template = vec![Part::Lit(f.ts.clone()), Part::Lit(f.token.clone())];
    r.ts = TsSource::Given(f.ts.clone());
    r.tolerance = cfg.tolerance(300)?;
    r.advice = "use the HTTP webhook signing key (Dashboard → Sending → Webhooks), not the sending API key";
    Ok(r)
}

pub(crate) fn verify(
    cfg: &SchemeConfig,
    req: &Request,
    now: i64,
    others: &[(String, Secret)],
) -> Verdict {
    let Some(f) = find(req).filter(|f| !f.sigs.is_empty()) else {
        return Verdict::unsigned(
            SchemeId::Mailgun,
            "Mailgun `signature` (in the JSON body or form fields)",
        );
    };
    match recipe(cfg, &f) {
        Ok(r) => {
            let mut v = generic::verify(&r, &cfg.secrets, req, now, others);
            if v.is_valid() {
                v.explanation
                    .push_str(" Mailgun signs only the timestamp and token, not the event data.");
            }
            v
        }
        Err(e) => Verdict::config_error(SchemeId::Mailgun, &e),
    }
}

pub(crate) fn sign(
    secret: &Secret,
    req: &Request,
    now: i64,
    extra: &SignExtra,
) -> Result<Signed, SignatureError> {
    let ts = now.to_string();
    let existing = find(req);
    let token = extra
        .token
        .clone()
        .or_else(|| existing.map(|f| f.token).filter(|t| !t.is_empty()))
        .ok_or_else(|| SignatureError::MissingInput {
            what: "a Mailgun token (in the body, or one given with --token)".into(),
        })?;
    let mac = codec::digest(
        codec::Alg::Sha256,
        codec::MacKind::Hmac,
        secret.expose().as_bytes(),
        &[ts.as_bytes(), token.as_bytes()],
    );
    let sig = hex::encode(mac);
    let body = if let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(req.body) {
        let obj = v
            .as_object_mut()
            .ok_or_else(|| SignatureError::MissingInput {
                what: "a JSON object body".into(),
            })?;
        obj.insert(
            "signature".into(),
            serde_json::json!({ "timestamp": ts, "token": token, "signature": sig }),
        );
        serde_json::to_vec(&v).map_err(|e| SignatureError::MissingInput {
            what: e.to_string(),
        })?
    } else {
        let mut pairs: Vec<(String, String)> = codec::parse_pairs(req.body)
            .into_iter()
            .filter(|(k, _)| !matches!(k.as_str(), "timestamp" | "token" | "signature"))
            .collect();
        pairs.extend([
            ("timestamp".into(), ts),
            ("token".into(), token),
            ("signature".into(), sig),
        ]);
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
            .into_bytes()
    };
    Ok(Signed {
        headers: vec![],
        body: Some(body),
        url: None,
    })
}
