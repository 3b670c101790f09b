//! The diagnosis of a public-key signature that did not verify: it retries with the
//! settings people most often get wrong (the digest, a pre-hash, how the timestamp joins the
//! body, the signature's text encoding) and, when one of them verifies, says which setting
//! to change. It only re-runs verification; it decides nothing else and never signs.

use super::{message, Run, SigAlg};
use crate::signature::codec::Alg;
use crate::signature::generic::{self, Cand, Content, Part};
use crate::signature::{ReasonCode, Verdict};

/// A near miss found by the diagnosis: the signature verifies once one setting is changed.
fn near_miss(v: &mut Verdict, label: &str, reason: ReasonCode, i: usize, why: String) {
    v.reason = reason;
    v.matched_secret_index = Some(i as u32);
    v.explanation = format!("The {label} signature does not verify as configured, but {why}");
}

fn prehash_id(p: Option<Alg>) -> &'static str {
    match p {
        None => "none",
        Some(Alg::Sha512) => "sha512",
        Some(_) => "sha256",
    }
}

/// Nothing verified: look for the usual near misses (another hash, a pre-hash, another signed
/// content, another encoding) before saying the signature is simply wrong.
pub(super) fn diagnose(
    mut v: Verdict,
    run: &Run<'_>,
    cands: &[Cand],
    content: &Content<'_>,
    unreadable: usize,
) -> Verdict {
    let set = run.set;
    let r = &set.recipe;
    let label = r.label.as_str();

    // Another digest or a pre-hash, same key.
    let algs = match run.alg {
        SigAlg::RsaSha256 | SigAlg::RsaSha512 => vec![SigAlg::RsaSha256, SigAlg::RsaSha512],
        a => vec![a],
    };
    for alg in algs {
        for prehash in [None, Some(Alg::Sha256), Some(Alg::Sha512)] {
            if (alg, prehash) == (run.alg, set.prehash) {
                continue;
            }
            let Some((i, _)) = run.find(alg, &message(content, prehash), &run.sigs) else {
                continue;
            };
            let mut how = vec![];
            if alg != run.alg {
                how.push(format!("`signature_algorithm` to `{}`", alg.id()));
            }
            if prehash != set.prehash {
                how.push(format!("`prehash` to `{}`", prehash_id(prehash)));
            }
            let over = match prehash {
                Some(a) => format!(
                    " over the {} digest of the signed content (two passes of hashing)",
                    a.name()
                ),
                None => " over the signed content itself, not its digest".into(),
            };
            let why = format!(
                "it verifies with {} as {}{}: set {}.",
                run.which_key(i),
                alg.name(),
                if prehash == set.prehash {
                    ""
                } else {
                    over.as_str()
                },
                how.join(" and ")
            );
            near_miss(&mut v, label, ReasonCode::WrongAlgorithm, i, why);
            return v;
        }
    }

    // Another signed content: the usual ways of joining a timestamp and the body.
    if r.uses(&Part::Timestamp) || r.template == [Part::Body] {
        for t in [
            "{timestamp}{body}",
            "{timestamp}.{body}",
            "{timestamp}|{body}",
            "{timestamp}:{body}",
            "{body}",
        ] {
            let Ok(parts) = generic::parse_template(t) else {
                continue;
            };
            if parts == r.template || (parts.contains(&Part::Timestamp) && run.ctx.ts.is_none()) {
                continue;
            }
            let mut alt = r.clone();
            alt.template = parts;
            let c = generic::build(&alt, &run.ctx, &run.url, run.ctx.req.body);
            if let Some((i, _)) = run.find(run.alg, &message(&c, set.prehash), &run.sigs) {
                let why = format!(
                    "it verifies with {} over `{t}`: set `template` to `{t}`.",
                    run.which_key(i)
                );
                near_miss(&mut v, label, ReasonCode::BadSignature, i, why);
                v.signed_content = Some(generic::display(&c));
                return v;
            }
        }
    }

    // Another encoding of the signature text.
    let other = set.enc.other();
    let decoded: Vec<(&Cand, Vec<u8>)> = cands
        .iter()
        .filter(|c| c.had_prefix)
        .filter_map(|c| other.decode(&c.value).map(|b| (c, b)))
        .collect();
    if let Some((i, _)) = run.find(run.alg, &message(content, set.prehash), &decoded) {
        let why = format!(
            "it verifies when read as {0}: set `signature_encoding` to `{0}`.",
            other.name()
        );
        near_miss(&mut v, label, ReasonCode::WrongEncoding, i, why);
        return v;
    }

    if run.sigs.is_empty() {
        v.reason = ReasonCode::WrongEncoding;
        v.explanation = format!(
            "The {} value is not a {} signature.",
            r.where_desc(),
            set.enc.name()
        );
        return v;
    }
    v.explanation = format!(
        "The {label} signature does not verify ({}) with {}. Check that this is {label}'s current public key for this endpoint (test and live keys differ), and that the body reached Hookloupe byte for byte as sent: a proxy or framework that re-serializes the JSON breaks the signature.{}",
        run.alg.name(),
        if run.key_count > 1 { format!("any of the {} configured public keys", run.key_count) } else { "the configured public key".into() },
        if unreadable > 0 {
            format!(" ({unreadable} of the configured keys could not be read as public keys and were skipped.)")
        } else {
            String::new()
        }
    );
    v
}
