//! `hookloupe schemes`: the provider catalog (built-in schemes and data providers) as a table
//! or, with --json, one object per entry. Presentation only: the catalog is hookloupe-core's.

use hookloupe_core::signature::{providers, ProviderInfo, SecretKind};

fn kind(k: SecretKind) -> &'static str {
    match k {
        SecretKind::HmacKey => "hmac key",
        SecretKind::Token => "token",
        SecretKind::PublicKey => "public key",
    }
}

fn engine(p: &ProviderInfo) -> String {
    serde_json::to_value(p.scheme).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

pub fn run(json: bool) -> anyhow::Result<()> {
    let all = providers();
    if json {
        for p in &all {
            println!("{}", serde_json::to_string(p)?);
        }
        return Ok(());
    }
    let w_id = all.iter().map(|p| p.id.len()).max().unwrap_or(2).max(2);
    let w_name = all.iter().map(|p| p.name.chars().count()).max().unwrap_or(4).max(4);
    println!("{:w_id$}  {:w_name$}  {:10}  {:4}  {:18}  SIGNS", "ID", "NAME", "SECRET", "SIGN", "ENGINE");
    for p in &all {
        println!(
            "{:w_id$}  {:w_name$}  {:10}  {:4}  {:18}  {}",
            p.id,
            p.name,
            kind(p.secret_kind),
            if p.can_sign { "yes" } else { "no" },
            engine(p),
            p.signs
        );
    }
    println!("{} entries ({} built-in schemes, {} catalog providers)", all.len(), all.iter().filter(|p| p.builtin).count(), all.iter().filter(|p| !p.builtin).count());
    Ok(())
}
