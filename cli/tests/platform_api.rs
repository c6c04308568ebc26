//! The widget-to-platform API of the sandbox: open, pay, status, over HTTP.

mod common;

use common::{signed, Sandbox, SECRET_1234, SECRET_250};
use epay_cli::sandbox::demo_project;
use epay_core::catalog::{methods_for, CustomerField};
use epay_core::{MethodCode, MinorUnits};
use serde_json::{json, Value};

fn base(currency: &str, amount: i64) -> Value {
    json!({
        "project_id": if currency == "KZT" { 1234 } else { 250 },
        "payment_id": format!("test-{currency}-{amount}"),
        "payment_amount": amount,
        "payment_currency": currency,
        "customer_id": "customer1",
    })
}

fn codes(open: &Value) -> Vec<String> {
    open["methods"].as_array().unwrap().iter().map(|m| m["code"].as_str().unwrap().to_string()).collect()
}

fn error_params(body: &Value) -> Vec<String> {
    body["error"]["errors"].as_array().unwrap().iter().map(|e| e["param"].as_str().unwrap().to_string()).collect()
}

/// Every method of the catalog is offered in each of its currencies by its platform's demo
/// project, with the fields its rule asks for (the lists come from the catalog).
#[tokio::test]
async fn open_offers_the_methods_of_each_currency() {
    let sb = Sandbox::start().await;
    for m in MethodCode::ALL {
        let rule = m.rule();
        let project = demo_project(rule.platform);
        for l in rule.currencies {
            let amount = l.min.map_or(10_000, |min| min.0.max(10_000)).min(l.max.map_or(i64::MAX, |max| max.0));
            let mut p = base(l.currency, amount);
            p["project_id"] = json!(project.id);
            let (status, open) = sb.open(&signed(p, project.secret)).await;
            assert_eq!(status, 200, "{m:?} in {}: {open}", l.currency);
            let expected: Vec<&str> = methods_for(l.currency, MinorUnits(amount))
                .into_iter()
                .filter(|o| o.rule().platform == rule.platform)
                .map(MethodCode::as_str)
                .collect();
            assert_eq!(codes(&open), expected, "{m:?} in {}", l.currency);
            let offer = open["methods"].as_array().unwrap().iter().find(|o| o["code"] == m.as_str()).unwrap();
            let fields: Vec<&str> = rule.fields_to_ask(|_| false).into_iter().map(CustomerField::gate_key).collect();
            assert_eq!(offer["fields"], json!(fields), "{m:?}");
            assert_eq!(open["currency"], l.currency);
            assert_eq!(open["amount"], amount);
            assert_eq!(open["payment"], json!({}), "no payment yet");
            assert_eq!(open["session"].as_str().unwrap().len(), 64);
        }
    }
    sb.stop().await;
}

#[tokio::test]
async fn seed_example_with_phone_and_email_asks_for_nothing_and_keeps_the_customer() {
    let sb = Sandbox::start().await;
    let mut p = base("KES", 10000);
    p["customer_phone"] = json!("123456789");
    p["customer_email"] = json!("customer@example.com");
    p["force_payment_method"] = json!("card-partner");
    let (status, open) = sb.open(&signed(p, SECRET_250)).await;
    assert_eq!(status, 200, "{open}");
    assert_eq!(open["methods"], json!([{"code": "card-partner", "fields": []}]));
    assert_eq!(open["forced_method"], "card-partner");
    assert_eq!(open["customer"], json!({"email": "customer@example.com", "phone": "123456789"}));
    sb.stop().await;
}

#[tokio::test]
async fn a_bad_signature_is_refused_with_403_naming_signature() {
    let sb = Sandbox::start().await;
    // Valid parameters, one changed after signing: the rules pass, the signature does not.
    for (key, value) in
        [("payment_amount", json!(20000)), ("payment_currency", json!("USD")), ("force_payment_method", json!("card-partner"))]
    {
        let mut p = signed(base("KES", 10000), SECRET_250);
        p[key] = value;
        let (status, body) = sb.open(&p).await;
        assert_eq!(status, 403, "{key}: {body}");
        assert_eq!(body["error"]["code"], "bad_signature", "{key}");
        assert_eq!(body["error"]["param"], "signature", "{key}");
        assert_eq!(body["error"]["errors"].as_array().map(Vec::len).unwrap_or(0), 0, "{body}");
    }

    let (status, body) = sb.open(&signed(base("KES", 10000), "not-the-secret")).await;
    assert_eq!((status, body["error"]["param"].as_str()), (403, Some("signature")));
    sb.stop().await;
}

/// Issue 26: the platform is the one authority on the rules and checks them before the
/// signature: a missing or bad parameter is answered by its rule, naming it (the widget
/// localizes the code), never as `bad_signature`, however the set is signed.
#[tokio::test]
async fn open_names_a_broken_rule_before_it_checks_the_signature() {
    let sb = Sandbox::start().await;
    let without = |key: &str| without_key(base("KES", 10000), key);
    let with = |key: &str, v: Value| {
        let mut p = base("KES", 10000);
        p[key] = v;
        p
    };
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        ("missing payment_amount", without("payment_amount"), "payment_amount", "required"),
        ("payment_amount not an integer", with("payment_amount", json!("10.50")), "payment_amount", "integer"),
        ("payment_amount below the limit", with("payment_amount", json!(1)), "payment_amount", "amount_out_of_range"),
        ("missing payment_id", without("payment_id"), "payment_id", "required"),
        ("lower-case currency", with("payment_currency", json!("kes")), "payment_currency", "currency_format"),
        ("no method takes the currency", with("payment_currency", json!("XTS")), "payment_currency", "currency_not_supported"),
        (
            "forced method of another currency",
            with("force_payment_method", json!("epaycash")),
            "payment_currency",
            "currency_not_supported",
        ),
        ("unknown forced method", with("force_payment_method", json!("cash")), "force_payment_method", "unknown_method"),
        ("bad e-mail", with("customer_email", json!("nope")), "customer_email", "format"),
    ];
    for (what, params, param, rule) in cases {
        // Signed with the project's secret, with another secret, and not signed at all: the
        // same answer, so the rule tells nothing about the signature or the secret.
        let mut answers = vec![];
        for p in [signed(params.clone(), SECRET_250), signed(params.clone(), "not-the-secret"), {
            let mut p = params.clone();
            p["signature"] = json!("AAAA");
            p
        }] {
            let (status, body) = sb.open(&p).await;
            assert_eq!(status, 400, "{what}: {body}");
            assert_eq!(body["error"]["code"], "invalid_params", "{what}: {body}");
            assert_eq!(body["error"]["param"], param, "{what}: {body}");
            assert_eq!(body["error"]["errors"][0]["code"], rule, "{what}: {body}");
            answers.push(body);
        }
        assert!(answers.windows(2).all(|w| w[0] == w[1]), "{what}: {answers:?}");
    }
    // An unknown project with a broken rule: the rule first; with every rule kept, the project.
    let p = with("project_id", json!(999));
    let (status, body) = sb.open(&signed(without_key(p.clone(), "payment_amount"), "x")).await;
    assert_eq!((status, body["error"]["param"].as_str()), (400, Some("payment_amount")), "{body}");
    let (status, body) = sb.open(&signed(p, "x")).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("unknown_project")), "{body}");
    sb.stop().await;
}

fn without_key(mut p: Value, key: &str) -> Value {
    p.as_object_mut().unwrap().remove(key);
    p
}

#[tokio::test]
async fn open_answers_only_the_methods_this_payment_can_use() {
    let sb = Sandbox::start().await;
    for (currency, amount, forced, expected) in [
        ("KES", 1_000, None, Some("card-partner")),
        ("KES", 20_000_000, None, Some("card-partner")),
        ("KES", 20_000_001, None, None),
        ("USD", 99, None, None),
        ("USD", 300_000, Some("card-partner"), Some("card-partner")),
        ("MYR", 500_000, None, Some("epaycash")),
        ("MYR", 500_000, Some("card-partner"), None),
        ("KZT", 100_000, Some("terminal/paydala"), Some("paydala")),
    ] {
        let mut p = base(currency, amount);
        if let Some(m) = forced {
            p["force_payment_method"] = json!(m);
        }
        let secret = if currency == "KZT" { SECRET_1234 } else { SECRET_250 };
        let (status, open) = sb.open(&signed(p, secret)).await;
        match expected {
            Some(code) => {
                assert_eq!(status, 200, "{currency} {amount} {forced:?}: {open}");
                assert_eq!(codes(&open), vec![code], "{currency} {amount} {forced:?}");
                if forced.is_some() {
                    assert_eq!(open["forced_method"], code);
                }
            }
            None => {
                assert_eq!(status, 400, "{currency} {amount} {forced:?}: {open}");
                assert_eq!(open["error"]["code"], "invalid_params");
                let param = open["error"]["param"].as_str().unwrap();
                assert!(param == "payment_amount" || param == "payment_currency", "{open}");
            }
        }
    }
    sb.stop().await;
}

#[tokio::test]
async fn an_unknown_project_is_refused_with_403_naming_project_id() {
    let sb = Sandbox::start().await;
    let mut p = base("KES", 10000);
    p["project_id"] = json!(999);
    let (status, body) = sb.open(&signed(p, SECRET_250)).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "unknown_project");
    assert_eq!(body["error"]["param"], "project_id");
    sb.stop().await;
}

#[tokio::test]
async fn missing_and_invalid_params_are_each_named() {
    let sb = Sandbox::start().await;
    // Signed correctly, but without payment_id and customer_id and with a bad amount and currency.
    let p = signed(json!({"project_id": 250, "payment_amount": "ten", "payment_currency": "kes"}), SECRET_250);
    let (status, body) = sb.open(&p).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "invalid_params");
    let mut named = error_params(&body);
    named.sort();
    assert_eq!(named, vec!["customer_id", "payment_amount", "payment_currency", "payment_id"]);

    // No signature at all: a missing parameter like the others.
    let (status, body) = sb.open(&base("KES", 10000)).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_params(&body), vec!["signature"]);

    // Amount outside card-partner's KES limits.
    let (status, body) = sb.open(&signed(base("KES", 999), SECRET_250)).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["param"], "payment_amount");
    assert!(body["error"]["message"].as_str().unwrap().contains("10.00 KES"), "{body}");

    // A bad e-mail from the merchant.
    let mut p = base("KES", 10000);
    p["customer_email"] = json!("nope");
    let (status, body) = sb.open(&signed(p, SECRET_250)).await;
    assert_eq!((status, error_params(&body)), (400, vec!["customer_email".to_string()]));
    sb.stop().await;
}

#[tokio::test]
async fn nested_values_are_refused_naming_the_key() {
    let sb = Sandbox::start().await;
    let mut p = base("KES", 10000);
    p["receipt"] = json!({"items": [1, 2]});
    let (status, body) = sb.open(&signed(p, SECRET_250)).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_params(&body), vec!["receipt"]);
    assert!(body["error"]["message"].as_str().unwrap().contains("must be a string, number or boolean"));

    let r = sb.http.post(sb.url("/api/v1/checkout/open")).body("not json").send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_json");
    sb.stop().await;
}

#[tokio::test]
async fn a_payment_id_reused_with_another_amount_is_refused() {
    let sb = Sandbox::start().await;
    assert_eq!(sb.open(&signed(base("KES", 10000), SECRET_250)).await.0, 200);
    let mut p = base("KES", 10000);
    p["payment_amount"] = json!(20000);
    // What the payment_id was used for is the project's: without the signature (the rules
    // all kept), nothing of it is told.
    let (status, body) = sb.open(&signed(p.clone(), "not-the-secret")).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("bad_signature")), "{body}");
    assert!(!body.to_string().contains("100.00"), "{body}");
    let (status, body) = sb.open(&signed(p, SECRET_250)).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "payment_id_reused");
    assert_eq!(body["error"]["param"], "payment_id");
    // The same parameters again are a returning customer, not a reuse.
    assert_eq!(sb.open(&signed(base("KES", 10000), SECRET_250)).await.0, 200);
    sb.stop().await;
}

#[tokio::test]
async fn card_partner_pay_answers_the_seed_shaped_redirect() {
    let sb = Sandbox::start().await;
    let (params, _session, view) = sb.card_payment().await;
    assert_eq!(view["status"], "awaiting redirect result");
    assert_eq!(view["method"], "card-partner");
    assert_eq!(view["action"]["kind"], "redirect");
    let rd = &view["action"]["redirect_data"];
    assert_eq!(rd["method"], "POST");
    assert_eq!(rd["url"], sb.url("/sim/partner/pay"));
    let body = rd["body"].as_object().unwrap();
    assert_eq!(body.keys().cloned().collect::<Vec<_>>(), common::seed_body_keys());
    assert!(body.values().all(Value::is_string), "every body value is text, as in the seed");
    for k in ["live", "mpesa", "bonga", "airtel", "equity", "mobilebanking", "debitcard", "mkoporahisi", "saida", "elipa", "crl"] {
        assert_eq!(body[k], "0", "{k}");
    }
    assert_eq!(body["inv"], params["payment_id"]);
    assert_eq!(body["ttl"], "900");
    assert_eq!(body["tel"], "254712345678");
    assert_eq!(body["eml"], "customer@example.com");
    assert_eq!(body["vid"], "sandbox");
    assert_eq!(body["curr"], "KES");
    assert_eq!(body["cst"], "1");
    assert_eq!(body["lbk"], sb.url("/?order=back"));
    assert_eq!(body["cbk"], sb.url("/sim/partner/notify"));
    assert_eq!(body["hsh"].as_str().unwrap().len(), 64);
    // The widget's own check accepts it (loopback http in sandbox mode).
    let rd: epay_core::RedirectData = serde_json::from_value(rd.clone()).unwrap();
    assert!(rd.check(epay_core::UrlPolicy { allow_loopback_http: true }).is_ok());
    sb.stop().await;
}

#[tokio::test]
async fn paying_twice_returns_the_same_redirect_and_one_payment() {
    let sb = Sandbox::start().await;
    let (params, session, first) = sb.card_payment().await;
    let (status, second) = sb.pay(&session, "card-partner", json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(first, second);
    // Concurrent clicks from another session of the same payment: still one operation.
    let other = sb.session(&params).await;
    let (a, b) = tokio::join!(sb.pay(&other, "card-partner", json!({})), sb.pay(&other, "card-partner", json!({})));
    assert_eq!(a.1, first);
    assert_eq!(b.1, first);
    // A returning customer resumes where they were.
    let (_, open) = sb.open(&params).await;
    assert_eq!(open["payment"], first);
    let (status, view) = sb.get_json(&format!("/api/v1/checkout/status?session={session}")).await;
    assert_eq!((status, &view), (200, &first));
    assert_eq!(first["action"]["redirect_data"]["body"]["oid"], "1", "exactly one operation was created");
    sb.stop().await;
}

#[tokio::test]
async fn pay_asks_for_missing_fields_checks_typed_ones_and_the_return_url() {
    let sb = Sandbox::start().await;
    let params = sb.order(json!({"amount": 10000, "currency": "USD"})).await;
    let session = sb.session(&params).await;

    let (status, body) = sb.pay(&session, "card-partner", json!({})).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_params(&body), vec!["customer_phone", "customer_email"]);

    let (status, body) = sb.pay(&session, "card-partner", json!({"phone": "12ab", "email": "x@y"})).await;
    assert_eq!(status, 400);
    assert_eq!(error_params(&body), vec!["customer_email", "customer_phone"]);
    assert_eq!(body["error"]["errors"][0]["code"], "format");

    let (status, body) = sb
        .post_json(
            "/api/v1/checkout/pay",
            &json!({"session": session, "method": "card-partner", "customer": {"phone": "+254 712 345 678", "email": "a@b.co"}, "return_url": "http://evil.example/back"}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(error_params(&body), vec!["return_url"]);

    let (status, view) = sb.pay(&session, "card-partner", json!({"phone": "+254 712 345 678", "email": "a@b.co"})).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["action"]["redirect_data"]["body"]["tel"], "254712345678");
    assert_eq!(view["action"]["redirect_data"]["body"]["eml"], "a@b.co");
    sb.stop().await;
}

#[tokio::test]
async fn pay_refuses_unknown_sessions_and_methods_not_offered() {
    let sb = Sandbox::start().await;
    let (status, body) = sb.pay("nope", "card-partner", json!({})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("unknown_session")));
    let (status, body) = sb.get_json("/api/v1/checkout/status?session=nope").await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("unknown_session")));
    let (status, body) = sb.get_json("/api/v1/checkout/status").await;
    assert_eq!((status, body["error"]["param"].as_str()), (400, Some("session")));

    let params = sb.order(json!({"amount": 10000, "currency": "KES"})).await;
    let session = sb.session(&params).await;
    let (status, body) = sb.pay(&session, "epaycash", json!({})).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "method_not_allowed");
    assert_eq!(body["error"]["param"], "method");
    let (status, body) = sb.pay(&session, "cash", json!({})).await;
    assert_eq!((status, body["error"]["param"].as_str()), (400, Some("method")));
    sb.stop().await;
}

#[tokio::test]
async fn the_api_allows_merchant_pages_on_other_origins() {
    let sb = Sandbox::start().await;
    let r = sb
        .http
        .request(reqwest::Method::OPTIONS, sb.url("/api/v1/checkout/open"))
        .header("origin", "http://localhost:5173")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    let (status, _) = sb.get_json("/healthz").await;
    assert_eq!(status, 200);
    sb.stop().await;
}
