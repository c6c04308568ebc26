//! Issue 13 ("Hostile input and faults"): signature splicing, the customer's return URL,
//! quadratic work before the signature check. Each test repeats the attack as reported.

mod common;

use common::{signed, Sandbox, SECRET_250};
use serde_json::{json, Map, Value};
use std::time::{Duration, Instant};

fn error_params(body: &Value) -> Vec<String> {
    body["error"]["errors"].as_array().map_or_else(Vec::new, |l| l.iter().map(|e| e["param"].as_str().unwrap().to_string()).collect())
}

/// An EPay order as a shop signs it when the customer typed only a last name there (the
/// widget asks for the other fields later).
fn epay_order(payment_id: &str, last_name: &str) -> Value {
    json!({
        "project_id": 250,
        "payment_id": payment_id,
        "payment_amount": 500000,
        "payment_currency": "MYR",
        "customer_id": "customer1",
        "customer_last_name": last_name,
    })
}

/// Item 1: the last name `Tan;payment_amount:1000;payment_amount_` signed by the shop, then
/// re-split by the customer into `payment_amount: 1000` and a key that swallows the real
/// amount. Same signing string, so the same signature; it opened 5,000.00 MYR as 10.00.
#[tokio::test]
async fn a_re_split_signed_set_cannot_change_the_amount() {
    let sb = Sandbox::start().await;
    let signed_by_shop = signed(epay_order("splice-1", "Tan;payment_amount:1000;payment_amount_"), SECRET_250);
    let mut spliced: Map<String, Value> = signed_by_shop.as_object().unwrap().clone();
    spliced.insert("customer_last_name".into(), json!("Tan"));
    spliced.insert("payment_amount".into(), json!(1000));
    spliced.insert("payment_amount_;payment_amount".into(), json!("500000"));
    let spliced = Value::Object(spliced);
    // The splice is real: the signature still matches.
    assert_eq!(
        epay_core::signature::string_to_sign(&spliced),
        epay_core::signature::string_to_sign(&signed_by_shop),
        "the attack needs the same signing string"
    );
    assert_eq!(epay_core::signature::verify(&spliced, SECRET_250), Ok(()));

    let (status, body) = sb.open(&spliced).await;
    assert_eq!(status, 400, "the spliced set must be refused: {body}");
    assert_eq!(body["error"]["code"], "invalid_params");
    assert_eq!(error_params(&body), vec!["payment_amount_;payment_amount"], "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("not a Payment Page parameter"), "{body}");

    // The value the shop signed is refused too, naming it and the parameter it hides.
    let (status, body) = sb.open(&signed_by_shop).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_params(&body), vec!["customer_last_name"], "{body}");
    assert_eq!(body["error"]["errors"][0]["code"], "separator");
    assert!(body["error"]["message"].as_str().unwrap().contains(";payment_amount:"), "{body}");

    // Nothing was opened for either: no payment row to pay or call back about.
    let (status, _) = sb.open(&signed(epay_order("splice-1", "Tan"), SECRET_250)).await;
    assert_eq!(status, 200, "payment_id splice-1 is still free");
    sb.stop().await;
}

/// Issue 23's structural rule, attacked as in issue 13 with a name the platform now carries:
/// the shop signs a last name `Tan;payment_amount:1000;...;zzz:` (its set is refused, but
/// the official SDKs sign it without a word), and the customer sends the other reading of
/// the same signing string, where `zzz` swallows the shop's real amount and the rest. It
/// opened 5,000.00 MYR as 10.00 under rule 3 alone; `zzz`'s value hides `;payment_amount:`,
/// a parameter of the set, so it is refused naming `zzz` (rule 3b).
#[tokio::test]
async fn a_customer_cannot_send_another_reading_of_a_set_the_shop_signed() {
    let sb = Sandbox::start().await;
    let typed = "Tan;payment_amount:1000;payment_currency:MYR;payment_id:splice-2;project_id:250;zzz:";
    let signed_by_shop = signed(epay_order("splice-2", typed), SECRET_250);
    let mut other: Map<String, Value> = signed_by_shop.as_object().unwrap().clone();
    other.insert("customer_last_name".into(), json!("Tan"));
    other.insert("payment_amount".into(), json!(1000));
    other.insert("zzz".into(), json!(";payment_amount:500000;payment_currency:MYR;payment_id:splice-2;project_id:250"));
    let other = Value::Object(other);
    assert_eq!(
        epay_core::signature::string_to_sign(&other),
        epay_core::signature::string_to_sign(&signed_by_shop),
        "the attack needs the same signing string"
    );
    assert_eq!(epay_core::signature::verify(&other, SECRET_250), Ok(()));

    let (status, body) = sb.open(&other).await;
    assert_eq!(status, 400, "the other reading must be refused: {body}");
    assert_eq!(error_params(&body), vec!["zzz"], "{body}");
    assert_eq!(body["error"]["errors"][0]["code"], "separator");
    assert!(body["error"]["message"].as_str().unwrap().contains(";payment_amount:"), "{body}");
    let (status, body) = sb.open(&signed_by_shop).await;
    assert_eq!((status, error_params(&body)), (400, vec!["customer_last_name".to_string()]), "{body}");
    // The signer warns about both; neither opened a payment.
    assert!(!epay_core::signature::sign_checked(&other, SECRET_250).warnings.is_empty());
    let (status, _) = sb.open(&signed(epay_order("splice-2", "Tan"), SECRET_250)).await;
    assert_eq!(status, 200, "payment_id splice-2 is still free");
    sb.stop().await;
}

/// Item 1: the demo shop's server signs what the customer typed; it refuses to.
#[tokio::test]
async fn the_demo_shop_refuses_to_sign_a_re_splittable_value() {
    let sb = Sandbox::start().await;
    let (status, body) = sb
        .post_json(
            "/merchant/orders",
            &json!({"amount": 500000, "currency": "MYR", "method": "epaycash", "customer_last_name": "Tan;payment_amount:1000;payment_amount_"}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["param"], "customer_last_name", "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("payment_amount"), "{body}");
    sb.stop().await;
}

/// Item 1: ids and formats are strict where the platform defines them.
#[tokio::test]
async fn ids_amounts_and_currencies_are_strict() {
    let sb = Sandbox::start().await;
    for (key, value) in [
        ("payment_id", json!("a;b")),
        ("customer_id", json!("c;payment_amount:1")),
        ("payment_amount", json!("1000.00")),
        ("payment_amount", json!("+1000")),
        ("payment_currency", json!("myr")),
        ("project_id", json!("250;")),
    ] {
        let mut p = epay_order("strict-1", "Tan");
        p[key] = value.clone();
        let (status, body) = sb.open(&signed(p, SECRET_250)).await;
        assert_eq!(status, 400, "{key}={value}: {body}");
        assert_eq!(error_params(&body).first().map(String::as_str), Some(key), "{key}={value}: {body}");
    }
    sb.stop().await;
}

/// Item 4: 220 000 keys (under 2 MiB) cost 43 s of CPU before the signature was even
/// looked at. Now: refused at once, naming the limit.
#[tokio::test]
async fn a_body_with_a_huge_number_of_keys_is_refused_at_once() {
    let sb = Sandbox::start().await;
    let mut body = String::from("{");
    for i in 0..220_000u32 {
        if i > 0 {
            body.push(',');
        }
        // Four-letter keys, descending: the worst case for a sorted insert, in 1.98 MB.
        let n = 220_000 - i;
        let key: String = [n / 17576, n / 676 % 26, n / 26 % 26, n % 26].iter().map(|d| (b'a' + *d as u8) as char).collect();
        body.push_str(&format!("\"{key}\":1"));
    }
    body.push('}');
    assert!(body.len() < 2 * 1024 * 1024, "{}", body.len());
    let started = Instant::now();
    let r = sb.http.post(sb.url("/api/v1/checkout/open")).header("content-type", "application/json").body(body).send().await.unwrap();
    let took = started.elapsed();
    assert_eq!(r.status().as_u16(), 400);
    let answer: Value = r.json().await.unwrap();
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert_eq!(answer["error"]["param"], "params", "{answer}");
    assert!(answer["error"]["message"].as_str().unwrap().contains("at most 64"), "{answer}");

    // A value longer than the limit is refused by name before the signature check.
    let mut p = epay_order("long-1", "Tan");
    p["payment_description"] = json!("x".repeat(100_000));
    p["signature"] = json!("not checked yet");
    let (status, body) = sb.open(&p).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_params(&body), vec!["payment_description"], "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("at most 2048 characters"), "{body}");
    sb.stop().await;
}

async fn card_session(sb: &Sandbox, extra: Value) -> String {
    let mut p = json!({
        "project_id": 250, "payment_id": format!("ret-{}", extra.to_string().len()), "payment_amount": 10000,
        "payment_currency": "KES", "customer_id": "c1", "customer_phone": "254712345678", "customer_email": "a@b.co",
    });
    for (k, v) in extra.as_object().unwrap() {
        p[k] = v.clone();
    }
    sb.session(&signed(p, SECRET_250)).await
}

async fn pay_to(sb: &Sandbox, session: &str, return_url: &str) -> (u16, Value) {
    sb.post_json("/api/v1/checkout/pay", &json!({"session": session, "method": "card-partner", "return_url": return_url})).await
}

/// Item 2: the customer's browser chose where the partner sends them afterwards.
#[tokio::test]
async fn the_return_url_is_the_merchants() {
    let sb = Sandbox::start().await;
    let session = card_session(&sb, json!({})).await;
    let (status, body) = pay_to(&sb, &session, "https://evil.example/after-pay").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_params(&body), vec!["return_url"], "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("registered"), "{body}");
    for elsewhere in ["https://127.0.0.1.evil.example/", "https://shop.example/", "http://evil.example/"] {
        let (status, body) = pay_to(&sb, &session, elsewhere).await;
        assert_eq!((status, error_params(&body)), (400, vec!["return_url".to_string()]), "{elsewhere}: {body}");
    }

    // A merchant page on a registered origin: for the demo projects, any loopback origin
    // (the sandbox's own pages, a shop's dev server on another local port).
    let (status, view) = pay_to(&sb, &session, &sb.url("/shop.html?order=1")).await;
    assert_eq!(status, 200, "{view}");
    let (_, html) = sb.partner_page(&view["action"]["redirect_data"]).await;
    let resp = sb.press(&html, "approve").await;
    assert_eq!(resp.headers()["location"], sb.url("/shop.html?order=1").as_str());

    // A return URL the merchant signed: that one, and only that one.
    // An origin registered for a project: taken; before, refused.
    let session = card_session(&sb, json!({"payment_description": "registered"})).await;
    let (status, _) = pay_to(&sb, &session, "https://shop.example/cart").await;
    assert_eq!(status, 400);
    epay_cli::sandbox::platform::checkout::register_origin(sb.running.store(), 250, "https://shop.example/anything").unwrap();
    let (status, body) = pay_to(&sb, &session, "https://shop.example/cart").await;
    assert_eq!(status, 200, "{body}");

    let signed_url = "https://shop.example/thanks?order=7";
    let session = card_session(&sb, json!({"return_url": signed_url})).await;
    let (status, body) = pay_to(&sb, &session, &sb.url("/other")).await;
    assert_eq!((status, error_params(&body)), (400, vec!["return_url".to_string()]), "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("signed"), "{body}");
    let (status, view) = pay_to(&sb, &session, signed_url).await;
    assert_eq!(status, 200, "{view}");
    let (_, html) = sb.partner_page(&view["action"]["redirect_data"]).await;
    let resp = sb.press(&html, "decline").await;
    assert_eq!(resp.headers()["location"], signed_url);

    // A signed return URL must itself be one the platform may send a customer to.
    let mut p =
        json!({"project_id": 250, "payment_id": "ret-bad", "payment_amount": 10000, "payment_currency": "KES", "customer_id": "c1"});
    p["return_url"] = json!("javascript:alert(1)");
    let (status, body) = sb.open(&signed(p, SECRET_250)).await;
    assert_eq!((status, error_params(&body)), (400, vec!["return_url".to_string()]), "{body}");
    sb.stop().await;
}
