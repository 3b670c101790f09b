//! Every catalog entry, checked the same way: it parses, its settings compile, its own
//! sample signed by the engine verifies, a tampered body, a wrong secret and a stale
//! timestamp do not, detection ranks it first for its sample and strictly above every other
//! entry, and its official example vectors give the documented verdict.

use super::*;
use crate::signature::{detect, providers, sign_request, test_event, verify, Request, Secret, SignExtra, VerdictStatus};
use base64::Engine;

const NOW: i64 = 1_764_000_000;
const NONCE: u128 = 0x5eed_0000_1111_2222_3333_4444_5555_6666;
const URL: &str = "https://hooks.example.com/hooks/provider";

/// A secret of the shape the provider's key encoding reads.
fn test_secret(p: &ProviderDef, n: u8) -> String {
    let raw: Vec<u8> = (0..32u8).map(|i| i.wrapping_mul(7).wrapping_add(n)).collect();
    match p.options.get("key_encoding").map(|s| s.as_str()) {
        Some("hex") => raw.iter().map(|b| format!("{b:02x}")).collect(),
        Some("base64") => base64::engine::general_purpose::STANDARD.encode(&raw),
        Some("whsec") => format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(&raw)),
        _ if matches!(p.scheme, SchemeId::StandardWebhooks | SchemeId::Svix) => {
            format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(&raw))
        }
        _ => format!("test_secret_{n}_{}", raw.iter().take(8).map(|b| format!("{b:02x}")).collect::<String>()),
    }
}

fn cfg_with(p: &ProviderDef, secret: &str) -> SchemeConfig {
    let mut c = p.config();
    c.secrets = vec![Secret::new(secret)];
    c
}

fn signable(p: &ProviderDef) -> bool {
    crate::signature::cannot_sign(p.scheme).is_none()
}

#[test]
fn the_embedded_files_parse_and_entries_are_complete() {
    assert_eq!(broken_files(), vec![], "an embedded catalog file does not parse");
    let builtin: Vec<String> = providers().into_iter().filter(|i| i.builtin).map(|i| i.id).collect();
    let mut seen = std::collections::BTreeSet::new();
    for p in all() {
        assert!(seen.insert(p.id.clone()), "duplicate provider id {}", p.id);
        assert!(!builtin.contains(&p.id) && p.id != "generic_hmac", "{} shadows a built-in scheme id", p.id);
        assert!(p.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'), "{}: id is not snake_case", p.id);
        for (what, v) in [("name", &p.name), ("signs", &p.signs), ("secret_help", &p.secret_help), ("source", &p.source)] {
            assert!(!v.trim().is_empty(), "{}: {what} is empty", p.id);
        }
        assert!(["A", "B", "C", "D", "COV", "U"].contains(&p.class.as_str()), "{}: class `{}`", p.id, p.class);
        assert!(p.detect.headers.iter().all(|h| *h == h.to_ascii_lowercase()), "{}: detect headers must be lowercase", p.id);
        assert!(!p.detect.headers.is_empty() || p.detect.user_agent.is_some(), "{}: no detection rule", p.id);
        assert!(p.sample.is_some(), "{}: no sample", p.id);
        assert!(!p.options.contains_key(PROVIDER_OPTION), "{}: `provider` is set by the catalog", p.id);
    }
}

#[test]
fn every_signable_provider_signs_its_sample_and_rejects_tampering() {
    let mut failures = vec![];
    for p in all().iter().filter(|p| signable(p)) {
        let cfg = cfg_with(p, &test_secret(p, 1));
        let req = match test_event(&cfg, URL, NOW, NONCE) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{}: cannot sign its sample: {e}", p.id));
                continue;
            }
        };
        let v = req.with_view(None, |r| verify(&cfg, r, NOW));
        if v.status != VerdictStatus::Valid {
            failures.push(format!("{}: own sample is {:?}/{:?}: {}", p.id, v.status, v.reason, v.explanation));
            continue;
        }
        assert_eq!(v.provider.as_deref(), Some(p.id.as_str()));
        assert!(v.explanation.contains(&p.name), "{}: the verdict does not name the provider: {}", p.id, v.explanation);
        // Class D (basic auth, static tokens) authenticates the sender, not the body.
        if !req.body.is_empty() && p.class != "D" && p.covers_body {
            let mut t = req.clone();
            let i = t.body.len() / 2;
            t.body[i] = if t.body[i] == b'7' { b'8' } else { b'7' };
            let tv = t.with_view(None, |r| verify(&cfg, r, NOW));
            if tv.status == VerdictStatus::Valid {
                failures.push(format!("{}: a tampered body still verifies", p.id));
            }
        }
        let wrong = cfg_with(p, &test_secret(p, 2));
        let wv = req.with_view(None, |r| verify(&wrong, r, NOW));
        if wv.status == VerdictStatus::Valid {
            failures.push(format!("{}: the wrong secret verifies", p.id));
        }
        if v.skew_secs.is_some() {
            let sv = req.with_view(None, |r| verify(&cfg, r, NOW + 86_400 * 30));
            if sv.status != VerdictStatus::Expired {
                failures.push(format!("{}: a month-old delivery is {:?}, not expired", p.id, sv.status));
            }
        }
        // Re-signing a captured delivery replaces the signature in place.
        let again = sign_request(&cfg, 0, &req, NOW + 10, &SignExtra::default()).map(|r| r.with_view(None, |r| verify(&cfg, r, NOW + 10).status));
        if again != Ok(VerdictStatus::Valid) {
            failures.push(format!("{}: re-signing its own capture gives {again:?}", p.id));
        }
    }
    assert!(failures.is_empty(), "{} providers fail:\n{}", failures.len(), failures.join("\n"));
}

/// The signed sample (or, for public-key providers, the first vector) as a request.
fn sample_request(p: &ProviderDef) -> Option<crate::signature::OwnedRequest> {
    if signable(p) {
        return test_event(&cfg_with(p, &test_secret(p, 1)), URL, NOW, NONCE).ok();
    }
    p.vectors.first().map(vector_request)
}

/// An official vector as the request it describes.
fn vector_request(v: &VectorDef) -> crate::signature::OwnedRequest {
    crate::signature::OwnedRequest {
        method: v.method.clone(),
        url: v.url.clone(),
        headers: v.headers.clone(),
        body: v.body.clone().into_bytes(),
    }
}

#[test]
fn detection_ranks_each_provider_first_for_its_own_sample() {
    let mut failures = vec![];
    for p in all() {
        let Some(req) = sample_request(p) else {
            failures.push(format!("{}: no sample request to detect", p.id));
            continue;
        };
        let d = req.with_view(None, |r: &Request| detect(r));
        let top = d.first();
        let next = d.iter().skip(1).find(|x| x.provider.as_deref() != Some(p.id.as_str()));
        match top {
            Some(t) if t.provider.as_deref() == Some(p.id.as_str()) => {
                if let Some(n) = next.filter(|n| n.confidence >= t.confidence) {
                    failures.push(format!("{}: ties with {:?}/{:?} at {}", p.id, n.scheme, n.provider, n.confidence));
                }
            }
            other => failures.push(format!(
                "{}: detected as {:?}",
                p.id,
                other.map(|t| (t.scheme, t.provider.clone(), t.confidence))
            )),
        }
    }
    assert!(failures.is_empty(), "{} providers are not detected as themselves:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn no_provider_rule_takes_a_builtin_schemes_sample() {
    let mut failures = vec![];
    for s in crate::signature::catalog() {
        let mut cfg = SchemeConfig::new(s.id, &["whsec_dGVzdC1zZWNyZXQtZm9yLWRldGVjdGlvbg=="]);
        if s.id == SchemeId::GenericHmac {
            cfg = cfg.with("header", "X-Signature");
        }
        let req = crate::signature::sample::event(&cfg, URL, NOW, NONCE);
        let d = req.with_view(None, |r: &Request| detect(r));
        if let Some(t) = d.first().filter(|t| t.provider.is_some()) {
            failures.push(format!("{:?}'s sample is detected as provider {:?}", s.id, t.provider));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn official_vectors_give_the_documented_verdict() {
    let mut failures = vec![];
    for p in all() {
        for v in &p.vectors {
            let mut cfg = cfg_with(p, &v.secret);
            cfg.options.extend(v.options.clone());
            let req = vector_request(v);
            // Certificate-URL providers (Amazon SNS, PayPal): the certificates their vectors name.
            let certs = crate::signature::cert_url::testing::Known::vectors();
            let got = req.with_view(None, |r| crate::signature::verify_with_certificates(&cfg, r, v.now, &[], &certs));
            let want = match v.expect.as_str() {
                "valid" => VerdictStatus::Valid,
                "expired" => VerdictStatus::Expired,
                "invalid" => VerdictStatus::Invalid,
                other => panic!("{}: vector expects {other:?} (valid, invalid or expired)", p.id),
            };
            if got.status != want {
                failures.push(format!("{} ({}): {:?}/{:?}: {}", p.id, v.note, got.status, got.reason, got.explanation));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_users_description_round_trips_through_the_catalog_format() {
    let text = r#"
[[provider]]
id = "acme"
name = "Acme Hooks"
scheme = "generic_hmac"
signs = "{timestamp}.{body}"
secret_help = "Acme's signing key."
source = "written by a user"
[provider.options]
header = "Acme-Signature"
signature_format = "kv"
template = "{timestamp}.{body}"
[provider.detect]
headers = ["acme-signature"]
"#;
    let parsed = parse(text).unwrap();
    assert_eq!(parsed.len(), 1);
    assert_eq!(parsed[0].options.get("signature_format").map(String::as_str), Some("kv"));
    assert_eq!(parsed[0].detect.confidence, 0.9);
    let err = parse("[[provider]]\nid = \"x\"\nname = \"X\"\nscheme = \"nope\"\nsigns = \"\"\nsecret_help = \"\"\n").unwrap_err();
    assert!(err.contains("nope") || err.contains("variant"), "{err}");
}

/// Writes docs/providers.md and the README's catalog count from the catalog (like the IPC
/// bindings, CI fails when the committed files differ from what this writes).
#[test]
fn the_catalog_docs_are_generated_from_the_catalog() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let page = crate::signature::catalog::markdown();
    assert!(page.contains("| `stripe` | Stripe |"), "{page}");
    for p in all() {
        assert!(page.contains(&format!("| `{}` |", p.id)), "{} missing from the page", p.id);
    }
    std::fs::write(root.join("docs/providers.md"), &page).unwrap();
    let readme_path = root.join("README.md");
    let readme = std::fs::read_to_string(&readme_path).unwrap();
    let (start, end) = ("<!-- catalog-count -->", "<!-- /catalog-count -->");
    let (a, b) = (readme.find(start).expect("README has the catalog-count marker"), readme.find(end).expect("and its end"));
    let updated = format!("{}{start}{}{}", &readme[..a], crate::signature::catalog::count_line(), &readme[b..]);
    if updated != readme {
        std::fs::write(&readme_path, updated).unwrap();
    }
}

#[test]
fn a_described_endpoint_reads_back_as_the_same_settings_without_secrets() {
    let cfg = SchemeConfig::new(SchemeId::GenericHmac, &["s3cret-never-exported"])
        .with("label", "Acme Hooks")
        .with("header", "Acme-Signature")
        .with("signature_format", "kv")
        .with("template", "{timestamp}.{body}");
    let text = describe(&cfg, None, None).unwrap();
    assert!(!text.contains("s3cret"), "{text}");
    assert!(text.contains("id = \"acme_hooks\"") && text.contains("name = \"Acme Hooks\""), "{text}");
    let (def, back) = read_description(&text).unwrap();
    assert_eq!(def.detect.headers, vec!["acme-signature".to_string()]);
    assert_eq!(back.scheme, SchemeId::GenericHmac);
    assert!(back.secrets.is_empty());
    assert_eq!(back.options, cfg.options, "label included, nothing else added");
    // Verdicts name the described provider.
    let signed = test_event(&cfg, URL, NOW, NONCE).unwrap();
    let v = signed.with_view(None, |r| verify(&cfg, r, NOW));
    assert_eq!(v.status, VerdictStatus::Valid);
    assert!(v.explanation.contains("Acme Hooks"), "{}", v.explanation);
    // A catalog provider's description reads back as the catalog's own preset.
    let bb = find("bitbucket").expect("bitbucket is in the catalog");
    let (_, again) = read_description(&describe(&bb.config(), None, None).unwrap()).unwrap();
    assert_eq!(again, bb.config());
    assert!(read_description("").unwrap_err().contains("one [[provider]]"));
    assert!(describe(&cfg, Some("Bad Id"), None).is_err());
}
