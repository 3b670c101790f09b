//! Test events: one small, realistic delivery per provider (a catalog provider's own
//! `[provider.sample]`, else, for the built-in schemes, a Stripe event, a GitHub ping, a
//! PayZen/CyberPlus `vads_*` form, a Paybox query-string callback…), kept as data in
//! [`SAMPLES`] — method, query, headers and body with placeholders filled from the time and a
//! caller-given nonce. Every sample also carries [`TEST_EVENT_HEADER`] so a capture can be told
//! apart from a real delivery. No signing here (that is `sign`), no clock, no randomness.

use crate::signature::{OwnedRequest, SchemeConfig, SchemeId};

/// Header every test event carries, valued with its id (`{id}` below).
pub const TEST_EVENT_HEADER: &str = "X-Hookloupe-Test-Event";

/// One provider's sample. Placeholders in `query`, header values and `body`:
/// `{now}` unix seconds, `{now_ms}` unix milliseconds, `{iso}` RFC 3339 UTC, `{ymdhms}`
/// `YYYYMMDDHHMMSS` UTC, `{id}` 24 hex digits, `{uuid}` a UUID, `{n}` a 6-digit number (all from the nonce).
struct Sample {
    schemes: &'static [SchemeId],
    method: &'static str,
    /// Appended to the endpoint URL after `?` when not empty.
    query: &'static str,
    headers: &'static [(&'static str, &'static str)],
    body: &'static str,
}

const JSON: (&str, &str) = ("Content-Type", "application/json");
const FORM: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");

use SchemeId as S;

/// Generic HMAC with `form_field` set: the signature goes in a form field, so the body is a form.
const GENERIC_FORM: Sample = Sample {
    schemes: &[S::GenericHmac],
    method: "POST",
    query: "",
    headers: &[FORM, ("User-Agent", "Hookloupe-Test/1.0")],
    body: "event=order.paid&order_id=ORD-{n}&amount=4200&currency=EUR&created_at={now}",
};

/// The first entry naming a scheme is its sample; the last one is the fallback.
const SAMPLES: &[Sample] = &[
    Sample {
        schemes: &[S::Stripe],
        method: "POST",
        query: "",
        headers: &[
            ("Content-Type", "application/json; charset=utf-8"),
            ("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)"),
        ],
        body: r#"{"id":"evt_test_{id}","object":"event","api_version":"2024-06-20","created":{now},"type":"payment_intent.succeeded","livemode":false,"pending_webhooks":1,"data":{"object":{"id":"pi_test_{id}","object":"payment_intent","amount":4200,"amount_received":4200,"currency":"eur","status":"succeeded","metadata":{"order_id":"ORD-{n}"}}},"request":{"id":null,"idempotency_key":null}}"#,
    },
    Sample {
        schemes: &[S::Github],
        method: "POST",
        query: "",
        headers: &[
            JSON,
            ("User-Agent", "GitHub-Hookshot/044aadd"),
            ("X-GitHub-Event", "ping"),
            ("X-GitHub-Delivery", "{uuid}"),
            ("X-GitHub-Hook-ID", "123456789"),
        ],
        body: r#"{"zen":"Keep it logically awesome.","hook_id":123456789,"hook":{"type":"Repository","id":123456789,"name":"web","active":true,"events":["push","pull_request"],"config":{"content_type":"json","insecure_ssl":"0","url":"https://example.com/webhooks/github"}},"repository":{"id":35129377,"name":"hello-world","full_name":"octo-org/hello-world","private":false},"sender":{"login":"octocat","id":583231,"type":"User"}}"#,
    },
    Sample {
        schemes: &[S::Slack],
        method: "POST",
        query: "",
        headers: &[JSON, ("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")],
        body: r#"{"token":"XXYYZZ","team_id":"T061EG9R6","api_app_id":"A0PNCHHK2","event":{"type":"app_mention","user":"U061F7AUR","text":"<@U0LAN0Z89> is it everything a river should be?","ts":"{now}.000200","channel":"C0LAN2Q65","event_ts":"{now}.000200"},"type":"event_callback","event_id":"Ev{id}","event_time":{now},"authorizations":[{"team_id":"T061EG9R6","user_id":"U0LAN0Z89","is_bot":true}]}"#,
    },
    Sample {
        schemes: &[S::Shopify],
        method: "POST",
        query: "",
        headers: &[
            JSON,
            ("User-Agent", "Shopify-Captain-Hook"),
            ("X-Shopify-Topic", "orders/create"),
            ("X-Shopify-Shop-Domain", "example.myshopify.com"),
            ("X-Shopify-API-Version", "2024-07"),
            ("X-Shopify-Webhook-Id", "{uuid}"),
            ("X-Shopify-Triggered-At", "{iso}"),
        ],
        body: r##"{"id":5{n},"admin_graphql_api_id":"gid://shopify/Order/5{n}","name":"#1{n}","email":"jon@example.com","created_at":"{iso}","currency":"EUR","total_price":"42.00","financial_status":"paid","line_items":[{"id":1,"title":"Hookloupe T-shirt","quantity":1,"price":"42.00","sku":"HL-TS-01"}]}"##,
    },
    Sample {
        schemes: &[S::StandardWebhooks],
        method: "POST",
        query: "",
        headers: &[JSON, ("webhook-id", "msg_{id}")],
        body: r#"{"type":"invoice.paid","timestamp":"{iso}","data":{"id":"inv_{id}","amount":4200,"currency":"EUR","customer":"cus_{n}"}}"#,
    },
    Sample {
        schemes: &[S::Svix],
        method: "POST",
        query: "",
        headers: &[JSON, ("User-Agent", "Svix-Webhooks/1.24"), ("svix-id", "msg_{id}")],
        body: r#"{"type":"user.created","timestamp":"{iso}","data":{"id":"user_{id}","email_addresses":[{"email_address":"jon@example.com"}],"first_name":"Jon","created_at":{now_ms}}}"#,
    },
    Sample {
        schemes: &[S::Twilio],
        method: "POST",
        query: "",
        headers: &[FORM, ("User-Agent", "TwilioProxy/1.1"), ("I-Twilio-Idempotency-Token", "{uuid}")],
        body: "ToCountry=FR&ToState=&SmsMessageSid=SM{id}&NumMedia=0&FromCountry=FR&SmsSid=SM{id}&SmsStatus=received&Body=Hello+from+Hookloupe&To=%2B33700000001&From=%2B33600000002&MessageSid=SM{id}&AccountSid=AC{id}&ApiVersion=2010-04-01",
    },
    Sample {
        schemes: &[S::Gitlab],
        method: "POST",
        query: "",
        headers: &[
            JSON,
            ("User-Agent", "GitLab/17.3.0"),
            ("X-Gitlab-Event", "Push Hook"),
            ("X-Gitlab-Event-UUID", "{uuid}"),
            ("X-Gitlab-Instance", "https://gitlab.example.com"),
        ],
        body: r#"{"object_kind":"push","event_name":"push","before":"95790bf891e76fee5e1747ab589903a6a1f80f22","after":"da1560886d4f094c3e6c9ef40349f7d38b5d27d7","ref":"refs/heads/main","user_username":"jsmith","project_id":15,"project":{"name":"Diaspora","path_with_namespace":"mike/diaspora"},"commits":[{"id":"da1560886d4f094c3e6c9ef40349f7d38b5d27d7","message":"Test event from Hookloupe","timestamp":"{iso}"}],"total_commits_count":1}"#,
    },
    Sample {
        schemes: &[S::Paddle],
        method: "POST",
        query: "",
        headers: &[JSON, ("User-Agent", "Paddle")],
        body: r#"{"event_id":"evt_{id}","event_type":"transaction.completed","occurred_at":"{iso}","notification_id":"ntf_{id}","data":{"id":"txn_{id}","status":"completed","currency_code":"EUR","details":{"totals":{"total":"4200"}}}}"#,
    },
    Sample {
        schemes: &[S::Square],
        method: "POST",
        query: "",
        headers: &[JSON, ("User-Agent", "Square Connect v2")],
        body: r#"{"merchant_id":"MLEFBHHSJGVHD","type":"payment.updated","event_id":"{uuid}","created_at":"{iso}","data":{"type":"payment","id":"KkAkhdMsgzn59SM8A89WgKwekxLZY","object":{"payment":{"id":"KkAkhdMsgzn59SM8A89WgKwekxLZY","amount_money":{"amount":4200,"currency":"EUR"},"status":"COMPLETED"}}}}"#,
    },
    Sample {
        schemes: &[S::Zoom],
        method: "POST",
        query: "",
        headers: &[JSON, ("User-Agent", "Zoom Marketplace/1.0a")],
        body: r#"{"event":"meeting.started","event_ts":{now_ms},"payload":{"account_id":"AAAAAABBBB","object":{"id":"8{n}","uuid":"{id}==","host_id":"z8yCxjabcdEFGHfp8uQ","topic":"Hookloupe test meeting","type":2,"start_time":"{iso}","timezone":"Europe/Paris","duration":30}}}"#,
    },
    Sample {
        schemes: &[S::Linear],
        method: "POST",
        query: "",
        headers: &[JSON, ("User-Agent", "Linear-Webhook"), ("Linear-Delivery", "{uuid}"), ("Linear-Event", "Issue")],
        body: r#"{"action":"create","type":"Issue","createdAt":"{iso}","data":{"id":"{uuid}","identifier":"ENG-{n}","title":"Test issue from Hookloupe","priority":2,"state":{"name":"Todo"}},"url":"https://linear.app/example/issue/ENG-{n}","organizationId":"{uuid}","webhookTimestamp":{now_ms},"webhookId":"{uuid}"}"#,
    },
    Sample {
        schemes: &[S::Typeform],
        method: "POST",
        query: "",
        headers: &[JSON, ("User-Agent", "Typeform Webhooks")],
        body: r#"{"event_id":"01{id}","event_type":"form_response","form_response":{"form_id":"lT4Z3j","token":"{id}","submitted_at":"{iso}","definition":{"id":"lT4Z3j","title":"Avis client"},"answers":[{"type":"text","text":"Très bien, merci !","field":{"id":"DlXFaesGBpoF","type":"long_text"}},{"type":"number","number":9,"field":{"id":"NRsxU591jIW9","type":"opinion_scale"}}]}}"#,
    },
    Sample {
        schemes: &[S::LemonSqueezy],
        method: "POST",
        query: "",
        headers: &[JSON, ("User-Agent", "LemonSqueezy-Hookshot"), ("X-Event-Name", "order_created")],
        body: r#"{"meta":{"event_name":"order_created","custom_data":null},"data":{"type":"orders","id":"{n}","attributes":{"store_id":1,"identifier":"{uuid}","order_number":{n},"user_email":"jon@example.com","currency":"EUR","total":4200,"status":"paid","created_at":"{iso}"}}}"#,
    },
    Sample {
        schemes: &[S::Intercom],
        method: "POST",
        query: "",
        headers: &[JSON, ("User-Agent", "Intercom-Webhooks")],
        body: r#"{"type":"notification_event","app_id":"abc12345","data":{"type":"notification_event_data","item":{"type":"ping","message":"something something interzen"}},"links":{},"id":"notif_{uuid}","topic":"ping","delivery_status":"pending","delivery_attempts":1,"delivered_at":0,"first_sent_at":{now},"created_at":{now}}"#,
    },
    Sample {
        schemes: &[S::HubspotV1, S::HubspotV2, S::HubspotV3],
        method: "POST",
        query: "",
        headers: &[JSON, ("User-Agent", "HubSpot Connect 2.0 (http://dev.hubspot.com/)")],
        body: r#"[{"eventId":{n},"subscriptionId":12345,"portalId":62515,"appId":54321,"occurredAt":{now_ms},"subscriptionType":"contact.creation","attemptNumber":0,"objectId":1{n},"changeFlag":"NEW","changeSource":"CRM"}]"#,
    },
    Sample {
        schemes: &[S::Mailgun],
        method: "POST",
        query: "",
        headers: &[JSON, ("User-Agent", "mailgun/treq-16.12.0")],
        body: r#"{"signature":{"timestamp":"{now}","token":"{id}{id}","signature":""},"event-data":{"id":"{id}","timestamp":{now}.0,"event":"delivered","recipient":"jon@example.com","message":{"headers":{"message-id":"{id}@example.com","subject":"Hookloupe test"}},"delivery-status":{"code":250,"message":"OK"}}}"#,
    },
    Sample {
        schemes: &[S::Payzen],
        method: "POST",
        query: "",
        headers: &[FORM, ("User-Agent", "PayZen IPN")],
        body: "vads_action_mode=INTERACTIVE&vads_amount=7790&vads_auth_result=00&vads_ctx_mode=TEST&vads_currency=978&vads_cust_email=jon%40example.com&vads_operation_type=DEBIT&vads_order_id=ORD-{n}&vads_page_action=PAYMENT&vads_payment_config=SINGLE&vads_site_id=12345678&vads_trans_date={ymdhms}&vads_trans_id={n}&vads_trans_status=AUTHORISED&vads_url_check_src=PAY&vads_version=V2",
    },
    Sample {
        schemes: &[S::Cyberplus],
        method: "POST",
        query: "",
        headers: &[FORM],
        body: "vads_amount=7790&vads_auth_result=00&vads_ctx_mode=TEST&vads_currency=978&vads_order_id=ORD-{n}&vads_site_id=12345678&vads_trans_date={ymdhms}&vads_trans_id={n}&vads_trans_status=AUTHORISED&vads_version=V2",
    },
    Sample {
        // The seed's callback: the variables in the query string, the signature appended as `K`.
        schemes: &[S::PayboxHmac],
        method: "POST",
        query: "Mt=7790&Ref=ORD-{n}&Auto=XXXXXX&Erreur=00000&Date={ymdhms}&Pays=FRA&Carte=VISA",
        headers: &[],
        body: "",
    },
    Sample {
        schemes: &[S::Servolution],
        method: "POST",
        query: "",
        headers: &[JSON, ("User-Agent", "Servolution-Webhooks/1.0")],
        body: r#"{"id":"evt_{id}","type":"invoice.overdue","created_at":"{iso}","data":{"numero":"F-2024-{n}","client_nom":"Boulangerie Martin","total_cents":182000,"due_date":"2024-01-15","statut":"impayee"}}"#,
    },
    Sample {
        schemes: &[S::Finsight],
        method: "POST",
        query: "",
        headers: &[JSON, ("User-Agent", "FinSight-Webhooks/1.0"), ("X-FinSight-Event", "kpi.threshold_reached")],
        body: r#"{"event":"kpi.threshold_reached","timestamp":"{iso}","userId":"user_{id}","data":{"metric":"cashFlow","value":-12000,"threshold":-10000,"dashboardId":"dash_{id}"}}"#,
    },
    Sample {
        schemes: &[S::QuerySecret],
        method: "POST",
        query: "",
        headers: &[JSON, ("User-Agent", "n8n")],
        body: r#"{"workflow":"order-sync","execution_id":"{n}","event":"order.created","order":{"id":"ORD-{n}","total":77.9,"currency":"EUR"},"sent_at":"{iso}"}"#,
    },
    Sample {
        schemes: &[S::ApiKeyIp],
        method: "POST",
        query: "",
        headers: &[JSON, ("User-Agent", "TecDoc-Notifier/2.0")],
        body: r#"{"eventType":"STOCK_UPDATE","productId":"TD-{n}","ean":"5012345678900","stock":150,"supplier":"VALEO","timestamp":"{iso}"}"#,
    },
    Sample {
        schemes: &[S::BasicAuth],
        method: "POST",
        query: "",
        headers: &[JSON, ("User-Agent", "Billing-Webhooks/1.0")],
        body: r#"{"id":"evt_{id}","event_type":"invoice.paid","occurred_at":"{iso}","content":{"invoice":{"id":"INV-{n}","amount_paid":4200,"currency_code":"EUR","customer_id":"cus_{id}"}}}"#,
    },
    // The engines catalog providers are data over (jwt, json_fields, gcms), used on their own:
    // each provider's `[provider.sample]` is its own.
    Sample {
        schemes: &[S::Jwt],
        method: "POST",
        query: "",
        headers: &[JSON, ("User-Agent", "Hookloupe-Test/1.0")],
        body: r#"{"event":"user.created","id":"evt_{id}","created_at":"{iso}","user":{"id":"usr_{n}","email":"ada@example.com"}}"#,
    },
    Sample {
        schemes: &[S::JsonFields],
        method: "POST",
        query: "",
        headers: &[JSON, ("User-Agent", "Hookloupe-Test/1.0")],
        body: r#"{"live":"false","notificationItems":[{"NotificationRequestItem":{"additionalData":{"authCode":"{n}"},"amount":{"currency":"EUR","value":4200},"eventCode":"AUTHORISATION","eventDate":"{iso}","merchantAccountCode":"HookloupeTestECOM","merchantReference":"ORD-{n}","paymentMethod":"visa","pspReference":"{id}","success":"true"}}]}"#,
    },
    Sample {
        schemes: &[S::GcmsSignature],
        method: "POST",
        query: "",
        headers: &[JSON, ("User-Agent", "Hookloupe-Test/1.0")],
        body: r#"{"operation":"publish","data":{"__typename":"Post","id":"{id}","stage":"PUBLISHED","title":"Hello from Hookloupe","updatedAt":"{iso}"}}"#,
    },
    // Generic HMAC, and any other scheme without a sample of its own.
    Sample {
        schemes: &[S::GenericHmac],
        method: "POST",
        query: "",
        headers: &[JSON, ("User-Agent", "Hookloupe-Test/1.0")],
        body: r#"{"id":"evt_{id}","type":"test.event","created_at":"{iso}","data":{"message":"Hello from Hookloupe","amount":4200,"currency":"EUR"}}"#,
    },
];

fn sample_for(cfg: &SchemeConfig) -> &'static Sample {
    if cfg.scheme == S::GenericHmac && cfg.opt("form_field").is_some() {
        return &GENERIC_FORM;
    }
    SAMPLES.iter().find(|s| s.schemes.contains(&cfg.scheme)).unwrap_or(&SAMPLES[SAMPLES.len() - 1])
}

/// The message id a test event uses (Standard Webhooks, Svix, generic `{id}` templates).
pub(crate) fn message_id(nonce: u128) -> String {
    format!("msg_{}", id(nonce))
}

fn id(nonce: u128) -> String {
    format!("{:024x}", nonce & ((1u128 << 96) - 1))
}

fn fill(text: &str, now: i64, nonce: u128) -> String {
    if !text.contains('{') {
        return text.to_string();
    }
    let t = chrono::DateTime::from_timestamp(now, 0).unwrap_or_default();
    let hex = format!("{nonce:032x}");
    let uuid = format!("{}-{}-4{}-a{}-{}", &hex[0..8], &hex[8..12], &hex[13..16], &hex[17..20], &hex[20..32]);
    [
        ("{now_ms}", (now * 1000).to_string()),
        ("{now}", now.to_string()),
        ("{iso}", t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        ("{ymdhms}", t.format("%Y%m%d%H%M%S").to_string()),
        ("{id}", id(nonce)),
        ("{uuid}", uuid),
        ("{n}", (100_000 + (nonce >> 96) as u32 % 900_000).to_string()),
    ]
    .iter()
    .fold(text.to_string(), |acc, (k, v)| acc.replace(k, v))
}

/// The unsigned sample for `cfg`'s scheme, addressed to `url` (the endpoint's URL, no query).
pub(crate) fn event(cfg: &SchemeConfig, url: &str, now: i64, nonce: u128) -> OwnedRequest {
    if let Some(s) = crate::signature::provider::of(cfg).and_then(|p| p.sample.as_ref()) {
        let query = fill(&s.query, now, nonce);
        let mut headers: Vec<(String, String)> =
            s.headers.iter().map(|(n, v)| (n.clone(), fill(v, now, nonce))).collect();
        headers.push((TEST_EVENT_HEADER.to_string(), id(nonce)));
        return OwnedRequest {
            method: s.method.clone(),
            url: if query.is_empty() { url.to_string() } else { format!("{url}?{query}") },
            headers,
            body: fill(&s.body, now, nonce).into_bytes(),
        };
    }
    let s = sample_for(cfg);
    let query = fill(s.query, now, nonce);
    let mut headers: Vec<(String, String)> =
        s.headers.iter().map(|(n, v)| (n.to_string(), fill(v, now, nonce))).collect();
    headers.push((TEST_EVENT_HEADER.to_string(), id(nonce)));
    OwnedRequest {
        method: s.method.to_string(),
        url: if query.is_empty() { url.to_string() } else { format!("{url}?{query}") },
        headers,
        body: fill(s.body, now, nonce).into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::{catalog, sign_request, test_event, verify, SchemeConfig, SignExtra, VerdictStatus};

    const NOW: i64 = 1_717_171_717;
    const NONCE: u128 = 0x0123_4567_89ab_cdef_0011_2233_4455_6677;
    const URL: &str = "http://127.0.0.1:4665/hooks/test";

    /// A secret of the right shape for each scheme.
    fn secret_for(scheme: SchemeId) -> String {
        match scheme {
            S::PayboxHmac => "0123456789abcdef".repeat(8),
            S::StandardWebhooks | S::Svix => "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
            _ => "whsec_test_4eC39HqLyjWDarjtT1zdp7dc".into(),
        }
    }

    fn check(cfg: &SchemeConfig, url: &str) {
        let n = format!("{} {:?}", cfg.scheme.label(), cfg.options);
        let signed = test_event(cfg, url, NOW, NONCE).unwrap_or_else(|e| panic!("{n}: {e}"));
        let v = signed.with_view(Some([127, 0, 0, 1].into()), |r| verify(cfg, r, NOW));
        assert_eq!(v.status, VerdictStatus::Valid, "{n}: {}", v.explanation);
        assert_eq!(v.matched_secret_index, Some(0), "{n}");
        // The unsigned sample is not valid: the signature really is what makes it so.
        let unsigned = event(cfg, url, NOW, NONCE);
        let v = unsigned.with_view(Some([127, 0, 0, 1].into()), |r| verify(cfg, r, NOW));
        assert_ne!(v.status, VerdictStatus::Valid, "{n} unsigned");
        // Another secret does not verify it.
        let mut other = cfg.clone();
        other.secrets = vec![crate::signature::Secret::new(match cfg.scheme {
            S::PayboxHmac => "fedcba9876543210".repeat(8),
            S::StandardWebhooks | S::Svix => "whsec_c2Vjb25kIHNlY3JldCBieXRlcw==".into(),
            _ => "not-the-secret".into(),
        })];
        let v = signed.with_view(Some([127, 0, 0, 1].into()), |r| verify(&other, r, NOW));
        assert_ne!(v.status, VerdictStatus::Valid, "{n} other secret");
        assert!(signed.headers.iter().any(|(h, v)| h == TEST_EVENT_HEADER && *v == id(NONCE)), "{n} marker");
    }

    #[test]
    fn every_scheme_that_can_sign_round_trips_its_sample() {
        let mut checked = 0;
        for info in catalog().into_iter().filter(|i| i.can_sign) {
            let mut cfg = SchemeConfig::new(info.id, &[&secret_for(info.id)]);
            if info.id == S::GenericHmac {
                cfg = cfg.with("header", "X-Signature");
            }
            check(&cfg, URL);
            // Rotation: the test event uses the first secret; the verifier reports it.
            checked += 1;
        }
        assert_eq!(checked, SchemeId::ALL.len() - 6, "all but Discord, Paybox RSA and the public-key engines (asymmetric, jwt_public_key); and the certificate-URL engines (sns_message, paypal_transmission)");
    }

    #[test]
    fn every_scheme_that_can_sign_has_its_own_sample() {
        for info in catalog().into_iter().filter(|i| i.can_sign) {
            assert!(SAMPLES.iter().any(|s| s.schemes.contains(&info.id)), "{:?} has no sample", info.id);
        }
    }

    #[test]
    fn options_and_public_urls_are_honoured() {
        let secret = secret_for(S::Stripe);
        let cases = [
            SchemeConfig::new(S::GenericHmac, &[&secret])
                .with("header", "X-Sig")
                .with("template", "{id}.{timestamp}.{method}.{url}.{body}")
                .with("timestamp_header", "X-Ts")
                .with("id_header", "X-Id")
                .with("output_encoding", "base64"),
            // A signature in a form field signs the other fields (`{body}` would include itself).
            SchemeConfig::new(S::GenericHmac, &[&secret])
                .with("form_field", "sig")
                .with("algorithm", "sha512")
                .with("template", "{url}{sorted_form}"),
            SchemeConfig::new(S::GenericHmac, &[&secret]).with("query_param", "signature"),
            SchemeConfig::new(S::Twilio, &[&secret]).with("public_url", "https://abc.ngrok.app/hooks/test"),
            SchemeConfig::new(S::HubspotV3, &[&secret]).with("public_url", "https://abc.ngrok.app/hooks/test"),
            SchemeConfig::new(S::Square, &[&secret]).with("public_url", "https://example.com/square"),
            SchemeConfig::new(S::QuerySecret, &[&secret]).with("param", "token"),
            SchemeConfig::new(S::ApiKeyIp, &[&secret]).with("header", "Authorization").with("allowed_ips", "127.0.0.0/8"),
            SchemeConfig::new(S::Payzen, &[&secret]).with("algorithm", "sha1"),
            SchemeConfig::new(S::PayboxHmac, &[&secret_for(S::PayboxHmac)]).with("param", "Sign"),
            SchemeConfig::new(S::Stripe, &[&secret]).with("tolerance_secs", "0"),
        ];
        for cfg in &cases {
            check(cfg, URL);
        }
    }

    #[test]
    fn placeholders_are_filled() {
        let cfg = SchemeConfig::new(S::Stripe, &["k"]);
        let e = event(&cfg, URL, NOW, NONCE);
        let body = String::from_utf8(e.body).unwrap();
        assert!(!body.contains("{now}") && !body.contains("{id}") && !body.contains("{n}"), "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["created"], NOW);
        assert_eq!(v["id"], format!("evt_test_{}", id(NONCE)));
        let gh = event(&SchemeConfig::new(S::Github, &["k"]), URL, NOW, NONCE);
        let delivery = &gh.headers.iter().find(|(n, _)| n == "X-GitHub-Delivery").unwrap().1;
        assert_eq!(delivery.len(), 36, "{delivery}");
        assert_eq!(delivery.matches('-').count(), 4);
        let paybox = event(&SchemeConfig::new(S::PayboxHmac, &["k"]), URL, NOW, NONCE);
        assert!(paybox.url.starts_with(&format!("{URL}?Mt=7790&Ref=ORD-")), "{}", paybox.url);
        assert!(paybox.url.contains("&Date=20240531160837&"), "{}", paybox.url);
        // Every sample's JSON body parses.
        for s in SAMPLES {
            if s.headers.iter().any(|(n, v)| *n == "Content-Type" && v.starts_with("application/json")) {
                let text = fill(s.body, NOW, NONCE);
                assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok(), "{:?}: {text}", s.schemes);
            }
        }
    }

    #[test]
    fn different_nonces_give_different_events() {
        let cfg = SchemeConfig::new(S::Stripe, &["k"]);
        let a = event(&cfg, URL, NOW, 1);
        let b = event(&cfg, URL, NOW, 2);
        assert_ne!(a.body, b.body);
    }

    #[test]
    fn sign_request_replaces_headers_in_place_and_fixes_content_length() {
        let cfg = SchemeConfig::new(S::Payzen, &["k3y"]);
        let mut req = event(&cfg, URL, NOW, NONCE);
        req.headers.insert(0, ("Content-Length".into(), req.body.len().to_string()));
        let signed = sign_request(&cfg, 0, &req, NOW, &SignExtra::default()).unwrap();
        assert!(signed.body.len() > req.body.len(), "the signature is added to the form");
        assert_eq!(signed.headers[0], ("Content-Length".to_string(), signed.body.len().to_string()));
        let cfg = SchemeConfig::new(S::Github, &["k3y"]);
        let mut req = event(&cfg, URL, NOW, NONCE);
        req.headers.insert(1, ("x-hub-signature-256".into(), "sha256=old".into()));
        req.headers.push(("X-Hub-Signature-256".into(), "sha256=older".into()));
        let signed = sign_request(&cfg, 0, &req, NOW, &SignExtra::default()).unwrap();
        let sigs: Vec<_> = signed.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case("x-hub-signature-256")).collect();
        assert_eq!(sigs.len(), 1);
        assert_eq!(sigs[0].0, "x-hub-signature-256", "the first one keeps its place and case");
        assert!(sigs[0].1.starts_with("sha256=") && sigs[0].1.len() == 71);
        assert_eq!(signed.headers[1].0, "x-hub-signature-256");
    }
}
