//! Signatures: a Stripe-signed delivery to an endpoint with no scheme is recognised ("no
//! secret", one-click "Configure as Stripe"); configuring the secret in the Signature tab turns
//! it valid (the app runs against a private Secret Service, so the secret is seen going to the
//! OS keyring); "Send test event" has the engine sign a Stripe sample and deliver it to itself,
//! and the new capture is selected, valid; a delivery signed with another secret shows red with
//! its diagnosis visible.

use hookloupe_core::signature::{sign, Request, SchemeConfig, SchemeId, SignExtra};

use hookloupe_tests::KeyringSession;

use crate::harness::Gui;

const SECRET: &str = "whsec_e2e_4eC39HqLyjWDarjtT1zdp7dc";

async fn deliver_stripe(url: &str, secret: &str, body: &str) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let mut headers = vec![("content-type".to_string(), "application/json".to_string())];
    let cfg = SchemeConfig::new(SchemeId::Stripe, &[secret]);
    let req = Request { method: "POST", url, headers: &headers, body: body.as_bytes(), remote_ip: None };
    sign(&cfg, 0, &req, now, &SignExtra::default()).unwrap().apply_headers(&mut headers);
    let mut r = reqwest::Client::new().post(url).body(body.to_owned());
    for (n, v) in &headers {
        r = r.header(n.as_str(), v.as_str());
    }
    let resp = r.send().await.unwrap();
    assert_eq!(resp.status(), 200);
    resp.headers()["x-hookloupe-capture-id"].to_str().unwrap().to_owned()
}

/// Waits until the badge inside `scope` has `data-status` = `status`.
async fn wait_badge(gui: &Gui, scope: &str, status: &str) {
    gui.find(&format!("{scope} [data-testid=verdict-badge][data-status={status}]")).await;
}

#[tokio::test]
async fn valid_and_invalid_signatures_with_the_diagnosis() {
    let keyring = KeyringSession::start().expect("a private Secret Service (scripts/test.sh installs gnome-keyring)");
    let gui = Gui::start_with(&keyring.env()).await;
    let url = format!("{}/stripe/events", gui.url);
    let id = deliver_stripe(&url, SECRET, r#"{"id":"evt_e2e_valid","type":"invoice.paid"}"#).await;
    let row = format!("[data-testid=capture-row][data-id='{id}']");
    // No scheme on the endpoint yet: Stripe is recognised, but there is no secret to check it.
    wait_badge(&gui, &row, "no_secret").await;
    gui.click(&row).await;
    gui.click("[data-testid=tab-signature]").await;
    gui.wait_text("[data-testid=signature-configure-detected]", "Stripe").await;

    // Configure the endpoint in the form: scheme + secret, save.
    gui.client
        .execute(
            "const s = document.querySelector('[data-testid=signature-scheme]'); s.value = 'stripe'; s.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![],
        )
        .await
        .unwrap();
    gui.find("[data-testid=signature-secret]").await.send_keys(SECRET).await.unwrap();
    gui.click("[data-testid=signature-save]").await;
    gui.wait_text("[data-testid=signature-reason]", "ok").await;
    // The secret went to the OS keyring, and the form says so.
    gui.wait_text("[data-testid=signature-secret-where]", "in OS keyring").await;
    assert!(keyring.items("dev.hookloupe.app").iter().any(|i| i.secret == SECRET), "the secret is in the keyring");
    wait_badge(&gui, "[data-testid=inspector]", "valid").await;
    wait_badge(&gui, &row, "valid").await;
    gui.wait_text("[data-testid=signature-signed-body]", "evt_e2e_valid").await;
    gui.screenshot("signature-valid").await;

    // Send a signed test event: a new capture arrives through the receiver, is selected, valid.
    gui.click("[data-testid=signature-test-event]:not([disabled])").await;
    let toast = gui.wait_text("[data-testid=toast]", "signature valid").await;
    let test_id: String = toast
        .split('#')
        .nth(1)
        .map(|rest| rest.chars().take_while(char::is_ascii_digit).collect())
        .unwrap_or_default();
    assert!(!test_id.is_empty() && test_id != id, "a new capture: {toast}");
    wait_badge(&gui, &format!("[data-testid=capture-row][data-id='{test_id}'][aria-selected=true]"), "valid").await;
    wait_badge(&gui, "[data-testid=inspector]", "valid").await;
    gui.click("[data-testid=tab-signature]").await;
    gui.wait_text("[data-testid=signature-signed-body]", "payment_intent.succeeded").await;
    gui.screenshot("signature-test-event").await;

    // Signed with another secret: red, with the reason and the explanation visible.
    let bad = deliver_stripe(&url, "whsec_not_the_configured_secret_00", r#"{"id":"evt_e2e_invalid"}"#).await;
    let bad_row = format!("[data-testid=capture-row][data-id='{bad}']");
    wait_badge(&gui, &bad_row, "invalid").await;
    gui.click(&bad_row).await;
    gui.click("[data-testid=tab-signature]").await;
    gui.wait_text("[data-testid=signature-reason]", "bad_signature").await;
    let why = gui.text("[data-testid=signature-explanation]").await;
    assert!(why.len() > 40, "a plain-language explanation is shown: {why}");
    wait_badge(&gui, "[data-testid=inspector]", "invalid").await;
    let shot = gui.screenshot("signature-invalid").await;
    assert!(std::fs::metadata(shot).unwrap().len() > 10_000);

    // Settings says where secrets are kept.
    gui.click("[data-testid=open-settings]").await;
    gui.wait_text("[data-testid=settings-secrets]", "kept in the OS keyring").await;
    gui.screenshot("settings-secrets-keyring").await;
    gui.close().await;
}

/// A delivery from a catalog provider (Bitbucket Cloud: data over the generic HMAC) to an
/// endpoint with no scheme is recognised by name; "Configure as Bitbucket Cloud" fills the
/// provider's preset; with its secret saved the capture is valid and the verdict names the
/// provider. The provider picker filters the catalog, and "Describe as a provider" shows the
/// settings as a catalog entry without the secret.
#[tokio::test]
async fn a_catalog_provider_is_recognised_configured_and_described() {
    use hookloupe_core::signature::{provider, test_event};
    const BB_SECRET: &str = "bitbucket-e2e-secret-7f3a";
    let gui = Gui::start().await;
    let url = format!("{}/bitbucket/hook", gui.url);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let mut cfg = provider::find("bitbucket").expect("bitbucket is in the catalog").config();
    cfg.secrets = vec![hookloupe_core::signature::Secret::new(BB_SECRET)];
    let req = test_event(&cfg, &url, now, 42).unwrap();
    let mut r = reqwest::Client::new().post(&url).body(req.body.clone());
    for (n, v) in &req.headers {
        r = r.header(n.as_str(), v.as_str());
    }
    let resp = r.send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let id = resp.headers()["x-hookloupe-capture-id"].to_str().unwrap().to_owned();
    let row = format!("[data-testid=capture-row][data-id='{id}']");
    wait_badge(&gui, &row, "no_secret").await;
    gui.click(&row).await;
    gui.click("[data-testid=tab-signature]").await;
    gui.wait_text("[data-testid=signature-detected-name]", "Bitbucket Cloud").await;
    gui.click("[data-testid=signature-configure-detected]").await;
    // The picker shows the provider, the preset's header is filled in.
    gui.wait_text("[data-testid=signature-provider-facts]", "Bitbucket Cloud").await;
    let header: String = gui
        .client
        .execute("return document.querySelector('[data-testid=signature-option-header]').value", vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(header, "X-Hub-Signature");
    gui.find("[data-testid=signature-secret]").await.send_keys(BB_SECRET).await.unwrap();
    gui.click("[data-testid=signature-save]").await;
    gui.wait_text("[data-testid=signature-reason]", "ok").await;
    gui.wait_text("[data-testid=signature-explanation]", "Bitbucket Cloud").await;
    wait_badge(&gui, &row, "valid").await;
    gui.screenshot("signature-catalog-provider").await;

    // The filter narrows the catalog's options to the matching providers.
    gui.type_into("[data-testid=signature-provider-filter]", "zendesk").await;
    let options = gui.texts("[data-testid=signature-scheme] optgroup[label=Providers] option").await;
    assert!(options.iter().any(|o| o.starts_with("Zendesk")), "{options:?}");
    assert!(options.iter().all(|o| o.starts_with("Zendesk") || o.starts_with("Bitbucket")), "{options:?}");

    // The saved settings as a description: the catalog format, never the secret.
    gui.click("[data-testid=signature-describe]:not([disabled])").await;
    let text = gui.wait_text("[data-testid=signature-description]", "[[provider]]").await;
    assert!(text.contains("[[provider]]") && text.contains("id = \"bitbucket\""), "{text}");
    assert!(!text.contains(BB_SECRET), "the description holds no secret");
    gui.screenshot("signature-provider-description").await;
    gui.close().await;
}
