//! Re-signing an outgoing request: the endpoint's scheme signs the request exactly as it will
//! be sent (target URL, final headers and body) at `now`, and the signature's headers, body
//! fields or query parameters are set on it. The signing itself is [`crate::signature::sign`].

use super::{set_body, set_header, Outgoing};
use crate::signature::{self, Request, SchemeConfig, SignExtra, SignatureError};

/// Which secret signs, and the message id to use instead of the captured one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResignOptions {
    pub secret_index: usize,
    /// A new event/message id (Standard Webhooks, Svix); `None` keeps the request's own.
    pub message_id: Option<String>,
}

/// The scheme settings used for an outgoing request: a configured `public_url` names where the
/// provider called Hookloupe, but the signature must be over where the request now goes.
pub(crate) fn outgoing_config(cfg: &SchemeConfig) -> SchemeConfig {
    let mut cfg = cfg.clone();
    cfg.options.remove("public_url");
    cfg
}

/// Runs `f` on the verifier's view of `out` (lowercase names, values as text).
pub(crate) fn with_view<T>(out: &Outgoing, f: impl FnOnce(&Request) -> T) -> T {
    let headers: Vec<(String, String)> =
        out.headers.to_text_pairs().into_iter().map(|(n, v)| (n.to_ascii_lowercase(), v)).collect();
    let url = out.url();
    f(&Request { method: &out.method, url: &url, headers: &headers, body: &out.body, remote_ip: None })
}

/// Signs `out` in place with `cfg` at `now` (unix seconds); returns the names of the headers the
/// signature set (the editor highlights them).
pub fn resign(out: &mut Outgoing, cfg: &SchemeConfig, opts: &ResignOptions, now: i64) -> Result<Vec<String>, SignatureError> {
    let cfg = outgoing_config(cfg);
    let extra = SignExtra { message_id: opts.message_id.clone(), token: None };
    let signed = with_view(out, |req| signature::sign(&cfg, opts.secret_index, req, now, &extra))?;
    let mut names = Vec::new();
    for (name, value) in &signed.headers {
        set_header(&mut out.headers.0, name, value.as_bytes().to_vec());
        // Report the name as it goes out (a captured header keeps its own case).
        let sent = out.headers.0.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(n, _)| n.clone());
        names.push(sent.unwrap_or_else(|| name.clone()));
    }
    if let Some(body) = signed.body {
        set_body(out, body);
    }
    if let Some(url) = signed.url {
        let origin = format!("{}://{}", if out.destination.tls { "https" } else { "http" }, out.destination.authority());
        out.destination.target = match url.strip_prefix(&origin) {
            Some("") => "/".to_string(),
            Some(rest) => rest.to_string(),
            None => url::Url::parse(&url)
                .map(|u| format!("{}{}", u.path(), u.query().map(|q| format!("?{q}")).unwrap_or_default()))
                .unwrap_or_else(|_| out.destination.target.clone()),
        };
    }
    Ok(names)
}
