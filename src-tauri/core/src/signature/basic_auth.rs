//! HTTP Basic auth (RFC 7617) as a scheme: the sender puts `Authorization: Basic
//! base64(user:password)` on every delivery (Postmark, Chargebee, Pipedrive, VMware Workspace
//! ONE…). Each configured secret is one `user:password` pair (rotation: any may match; a
//! secret without `:` is a user name with an empty password). The comparison is constant
//! time over the whole `user:password`; an explanation may name the user that was sent, never
//! a password. Nothing of the body is signed. No clock, no I/O.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use crate::signature::codec::{self, ct_eq_str};
use crate::signature::{
    ReasonCode, Request, SchemeConfig, SchemeId, Secret, SignatureError, Signed, Verdict, VerdictStatus,
};

const S: SchemeId = SchemeId::BasicAuth;

/// The `user:password` a secret stands for.
fn credentials(secret: &Secret) -> String {
    let s = secret.expose();
    if s.contains(':') {
        s.to_string()
    } else {
        format!("{s}:")
    }
}

fn user_of(credentials: &str) -> &str {
    credentials.split_once(':').map_or(credentials, |(u, _)| u)
}

/// A user name fit to print: short, no control characters (it comes from the request).
fn shown(user: &str) -> String {
    if user.is_empty() {
        return "an empty user name".into();
    }
    let clean: String = user.chars().filter(|c| !c.is_control()).take(64).collect();
    let cut = if user.chars().count() > 64 { "…" } else { "" };
    format!("user “{clean}{cut}”")
}

/// What the `Authorization` header holds.
enum Received {
    Absent,
    /// Another scheme (`Bearer …`), named.
    OtherScheme(String),
    /// `Basic` with a payload that is not base64 of `user:password`.
    Malformed,
    Credentials(String),
}

fn received(req: &Request) -> Received {
    let Some(v) = codec::header(req, "authorization").map(str::trim).filter(|v| !v.is_empty()) else {
        return Received::Absent;
    };
    let (scheme, rest) = v.split_once(' ').unwrap_or((v, ""));
    if !scheme.eq_ignore_ascii_case("basic") {
        return Received::OtherScheme(scheme.chars().take(32).collect());
    }
    let decoded = codec::b64_decode_lenient(rest.trim()).and_then(|b| String::from_utf8(b).ok());
    match decoded {
        Some(c) if c.contains(':') => Received::Credentials(c),
        _ => Received::Malformed,
    }
}

pub(crate) fn verify(cfg: &SchemeConfig, req: &Request, others: &[(String, Secret)]) -> Verdict {
    let got = match received(req) {
        Received::Absent => {
            return Verdict::new(
                S,
                VerdictStatus::Unsigned,
                ReasonCode::MissingHeader,
                "This request carries no `Authorization: Basic …` header, so it has no credentials: the sender adds them only when a user name and password are configured on its side.",
            )
        }
        Received::OtherScheme(scheme) => {
            return Verdict::new(
                S,
                VerdictStatus::Unsigned,
                ReasonCode::MissingHeader,
                format!(
                    "This request's `Authorization` header uses the `{scheme}` scheme, not `Basic`, so it carries no HTTP Basic credentials."
                ),
            )
        }
        Received::Malformed => {
            return Verdict::new(
                S,
                VerdictStatus::Invalid,
                ReasonCode::BadToken,
                "The `Authorization: Basic` header is not the base64 of `user:password`, so it cannot match any credentials.",
            )
        }
        Received::Credentials(c) => c,
    };
    if cfg.secrets.is_empty() {
        return Verdict::no_secret(S);
    }
    let user = user_of(&got);
    let expected: Vec<String> = cfg.secrets.iter().map(credentials).collect();
    let mut v = Verdict::new(S, VerdictStatus::Invalid, ReasonCode::BadToken, String::new());
    // Every pair is compared, so the time taken does not say which one was close.
    let matched = expected.iter().enumerate().fold(None, |m, (i, e)| if ct_eq_str(e, &got) { m.or(Some(i)) } else { m });
    if let Some(i) = matched {
        v.status = VerdictStatus::Valid;
        v.reason = ReasonCode::Ok;
        v.matched_secret_index = Some(i as u32);
        v.explanation = format!(
            "The HTTP Basic credentials of {} match {}. Note: Basic auth proves only that the sender knows the password; the body is not signed.",
            shown(user),
            if cfg.secrets.len() > 1 {
                format!("credentials {} of {}", i + 1, cfg.secrets.len())
            } else {
                "the configured credentials".into()
            }
        );
        return v;
    }
    let known_user = expected.iter().position(|e| ct_eq_str(user_of(e), user));
    let other = others.iter().find(|(_, sec)| ct_eq_str(&credentials(sec), &got));
    v.explanation = if let Some((name, _)) = other {
        v.other_endpoint_hint = Some(name.clone());
        format!(
            "The HTTP Basic credentials of {} are those of the endpoint “{name}”, not of this endpoint: the sender is configured with the other endpoint's credentials or URL.",
            shown(user)
        )
    } else if let Some(i) = known_user {
        v.matched_secret_index = Some(i as u32);
        format!("The request sends {}, a configured user, but the password does not match (the comparison is exact and case-sensitive).", shown(user))
    } else {
        format!(
            "The request sends {}, which is not {} (user names and passwords are compared exactly).",
            shown(user),
            if cfg.secrets.len() > 1 { "any configured user" } else { "the configured user" }
        )
    };
    v
}

pub(crate) fn sign(secret: &Secret) -> Result<Signed, SignatureError> {
    let mut out = Signed::default();
    out.headers.push(("Authorization".into(), format!("Basic {}", STANDARD.encode(credentials(secret)))));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::{sign as sign_any, verify, verify_with_others, SignExtra};

    fn req_with(auth: Option<&str>) -> (Vec<(String, String)>, Vec<u8>) {
        let mut h = vec![("content-type".to_string(), "application/json".to_string())];
        if let Some(a) = auth {
            h.push(("authorization".into(), a.into()));
        }
        (h, br#"{"RecordType":"Delivery"}"#.to_vec())
    }

    fn check(cfg: &SchemeConfig, auth: Option<&str>) -> Verdict {
        let (h, b) = req_with(auth);
        verify(cfg, &Request { method: "POST", url: "https://example.com/hook", headers: &h, body: &b, remote_ip: None }, 0)
    }

    fn basic(creds: &str) -> String {
        format!("Basic {}", STANDARD.encode(creds))
    }

    #[test]
    fn the_right_credentials_are_valid_and_rotation_reports_which() {
        let cfg = SchemeConfig::new(S, &["old:pa55", "webhook:s3cr3t:with:colons"]);
        let v = check(&cfg, Some(&basic("webhook:s3cr3t:with:colons")));
        assert_eq!((v.status, v.reason, v.matched_secret_index), (VerdictStatus::Valid, ReasonCode::Ok, Some(1)), "{}", v.explanation);
        assert!(v.explanation.contains("user “webhook”") && v.explanation.contains("credentials 2 of 2"), "{}", v.explanation);
        assert!(!v.explanation.contains("s3cr3t"), "{}", v.explanation);
        // The scheme name is case-insensitive (RFC 7235); padding may be left out.
        let lower = format!("basic {}", STANDARD.encode("old:pa55").trim_end_matches('='));
        assert_eq!(check(&cfg, Some(&lower)).status, VerdictStatus::Valid);
    }

    #[test]
    fn wrong_password_wrong_user_and_malformed_are_invalid_without_echoing_the_password() {
        let cfg = SchemeConfig::new(S, &["webhook:s3cr3t"]);
        let v = check(&cfg, Some(&basic("webhook:guess-pw")));
        assert_eq!((v.status, v.reason), (VerdictStatus::Invalid, ReasonCode::BadToken));
        assert!(v.explanation.contains("user “webhook”") && v.explanation.contains("password does not match"), "{}", v.explanation);
        assert!(!v.explanation.contains("guess-pw") && !v.explanation.contains("s3cr3t"), "{}", v.explanation);
        let v = check(&cfg, Some(&basic("mallory:s3cr3t")));
        assert_eq!(v.status, VerdictStatus::Invalid);
        assert!(v.explanation.contains("user “mallory”") && v.explanation.contains("not the configured user"), "{}", v.explanation);
        assert!(!v.explanation.contains("s3cr3t"), "{}", v.explanation);
        let v = check(&cfg, Some("Basic !!!not-base64"));
        assert_eq!((v.status, v.reason), (VerdictStatus::Invalid, ReasonCode::BadToken));
        let v = check(&cfg, Some(&basic("no-colon-here")));
        assert_eq!(v.status, VerdictStatus::Invalid);
    }

    #[test]
    fn no_header_or_another_scheme_is_unsigned_and_no_secret_is_said() {
        let cfg = SchemeConfig::new(S, &["webhook:s3cr3t"]);
        let v = check(&cfg, None);
        assert_eq!((v.status, v.reason), (VerdictStatus::Unsigned, ReasonCode::MissingHeader));
        let v = check(&cfg, Some("Bearer abc"));
        assert_eq!((v.status, v.reason), (VerdictStatus::Unsigned, ReasonCode::MissingHeader));
        assert!(v.explanation.contains("`Bearer`"), "{}", v.explanation);
        let v = check(&SchemeConfig::new(S, &[]), Some(&basic("webhook:s3cr3t")));
        assert_eq!(v.status, VerdictStatus::NoSecret);
    }

    #[test]
    fn a_secret_without_a_colon_is_a_user_with_an_empty_password() {
        let cfg = SchemeConfig::new(S, &["onlyuser"]);
        assert_eq!(check(&cfg, Some(&basic("onlyuser:"))).status, VerdictStatus::Valid);
        assert_eq!(check(&cfg, Some(&basic("onlyuser:x"))).status, VerdictStatus::Invalid);
    }

    #[test]
    fn another_endpoints_credentials_are_named() {
        let cfg = SchemeConfig::new(S, &["webhook:s3cr3t"]);
        let (h, b) = req_with(Some(&basic("billing:other-pw")));
        let r = Request { method: "POST", url: "https://example.com/hook", headers: &h, body: &b, remote_ip: None };
        let v = verify_with_others(&cfg, &r, 0, &[("billing".into(), Secret::new("billing:other-pw"))]);
        assert_eq!((v.status, v.other_endpoint_hint.as_deref()), (VerdictStatus::Invalid, Some("billing")));
        assert!(!v.explanation.contains("other-pw"), "{}", v.explanation);
    }

    #[test]
    fn signing_sets_the_header_that_verifies() {
        let cfg = SchemeConfig::new(S, &["webhook:s3cr3t"]);
        let (mut h, b) = req_with(Some("Basic stale"));
        let r = Request { method: "POST", url: "https://example.com/hook", headers: &h, body: &b, remote_ip: None };
        let signed = sign_any(&cfg, 0, &r, 0, &SignExtra::default()).unwrap();
        assert_eq!(signed.headers, vec![("Authorization".to_string(), basic("webhook:s3cr3t"))]);
        signed.apply_headers(&mut h);
        let r = Request { method: "POST", url: "https://example.com/hook", headers: &h, body: &b, remote_ip: None };
        assert_eq!(verify(&cfg, &r, 0).status, VerdictStatus::Valid);
    }
}
