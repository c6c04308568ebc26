//! The library's functions as the JS entry calls them (JSON in, JSON out), natively: the
//! same answers as the core, checked with the core's own parsers and the seeds' examples.

use epay_core::paydala::{self, ResponseCode};
use epay_core::signature::{sign, verify, with_signature};
use epay_core::MinorUnits;
use epay_node::*;
use serde_json::{json, Value};

const SECRET: &str = "sandbox-secret-1234";

fn j(s: String) -> Value {
    serde_json::from_str(&s).unwrap()
}

fn seed(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("{}/../core/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn sign_is_the_cores_and_only_warns_about_a_resplit_value() {
    let p = json!({"project_id": 250, "payment_id": "o-1", "payment_amount": 500000, "customer_last_name": "Tan;payment_amount:1000;payment_amount_"});
    let r = j(sign_json(&p.to_string(), "k"));
    assert_eq!(r["ok"], true);
    assert_eq!(r["signature"], sign(&p, "k"), "signed, not refused");
    // The platform's own warnings (core `sign_checked`), naming the value and the rule.
    assert_eq!(r["warnings"][0]["param"], "customer_last_name");
    assert_eq!(r["warnings"][0]["code"], "separator");
    assert!(r["warnings"][0]["message"].as_str().unwrap().contains(";payment_amount:"), "{r}");
    let ok = json!({"a": "x; y:z;", "b": [1, true, null], "c": {"d": "ü"}});
    assert_eq!(j(sign_json(&ok.to_string(), "k"))["warnings"], json!([]));
    assert_eq!(j(sign_json("[1]", "k"))["ok"], false);
    assert_eq!(j(sign_json("{", "k"))["ok"], false);
}

#[test]
fn verify_callback_names_each_refusal() {
    let cb = seed("seed_paydala_callback_success.json");
    let signed = with_signature(cb, SECRET).to_string();
    let r = j(verify_callback_bytes(signed.as_bytes(), SECRET, 65536));
    assert_eq!((r["ok"].clone(), r["callback"]["payment"]["id"].clone()), (json!(true), json!("payment_47")));
    assert_eq!(r["key"], "1234/payment_47/28/success/success");
    assert_eq!(r["callback"]["payment"]["sum"]["amount"], 100000);
    let code = |body: &str, max: u32| j(verify_callback_bytes(body.as_bytes(), SECRET, max))["code"].as_str().unwrap().to_string();
    assert_eq!(code(&format!("{signed}}}"), 65536), "not_json");
    assert_eq!(code(&signed, 10), "too_large");
    assert_eq!(code(&with_signature(json!({"project_id": 1234, "payment_id": "x"}), SECRET).to_string(), 65536), "not_a_callback");
    assert_eq!(code(&signed.replace("payment_47", "payment_48"), 65536), "bad_signature");
}

#[test]
fn paydala_requests_are_read_in_the_handlers_order() {
    let verify_req = with_signature(json!({"type": "verify", "customer_id": "7123456789", "project_id": 1234}), SECRET);
    let r = j(paydala_read(verify_req.to_string().as_bytes(), SECRET));
    assert_eq!(r["request"], json!({"type": "verify", "project_id": 1234, "customer_id": "7123456789"}));
    // The seed's printed request: its signature is a placeholder, so 400, as handle answers.
    let printed = seed("seed_paydala_verify_request.json").to_string();
    let r = j(paydala_read(printed.as_bytes(), SECRET));
    assert_eq!(r["code"], 400);
    let answer = paydala::parse_verify_response(r["body"].as_str().unwrap()).unwrap();
    assert_eq!(answer.code(), ResponseCode::BadSignature);
    // The same body answered by the core's handler: the same answer.
    struct Nobody;
    impl paydala::PaydalaMerchant for Nobody {
        fn lookup_account(&self, _: &str) -> Result<Option<paydala::Account>, String> {
            Ok(None)
        }
        fn create_deposit(&self, _: &paydala::CheckDeposit) -> Result<paydala::Deposit, paydala::DepositError> {
            Err(paydala::DepositError::UnknownAccount)
        }
    }
    for body in
        [printed.clone(), "not json".into(), "[]".into(), with_signature(json!({"type": "verify", "project_id": 1234}), SECRET).to_string()]
    {
        let lib = j(paydala_read(body.as_bytes(), SECRET));
        let core = paydala::handle(body.as_bytes(), SECRET, &Nobody);
        assert_eq!((lib["code"].as_u64(), lib["body"].as_str()), (Some(core.code.as_u16() as u64), Some(core.body.as_str())), "{body}");
    }
}

#[test]
fn paydala_answers_are_the_seeds_and_the_cores() {
    let ok = |spec: Value| -> String {
        let r = j(paydala_response(&spec.to_string()));
        assert_eq!(r["ok"], true, "{spec}: {r}");
        r["body"].as_str().unwrap().to_string()
    };
    let v = ok(json!({"type": "verify", "code": 0, "currency": "KZT", "additional_customer_id": "customer_123"}));
    assert_eq!(j(v.clone()), seed("seed_paydala_verify_response_ok.json"));
    assert_eq!(paydala::parse_verify_response(&v).unwrap().currency(), Some("KZT"));
    let nf = ok(json!({"type": "verify", "code": 404}));
    assert_eq!(j(nf), seed("seed_paydala_verify_response_not_found.json"));
    let d = ok(json!({"type": "check_deposit", "code": 0, "payment_id": "payment_47", "description": "Success"}));
    assert_eq!(j(d.clone()), seed("seed_paydala_check_deposit_response_ok.json"));
    assert_eq!(paydala::parse_check_deposit_response(&d).unwrap().payment_id(), Some("payment_47"));
    let e = ok(json!({"type": "check_deposit", "code": 500, "message": "Something went wrong"}));
    assert_eq!(j(e), seed("seed_paydala_check_deposit_response_error.json"));
    // What the seed forbids is refused, naming the field.
    for (spec, field) in [
        (json!({"type": "verify", "code": 0}), "currency"),
        (json!({"type": "verify", "code": 0, "currency": "kzt"}), "currency"),
        (json!({"type": "check_deposit", "code": 0}), "payment_id"),
        (json!({"type": "verify", "code": 500}), "message"),
        (json!({"type": "verify", "code": 201}), "code"),
    ] {
        let r = j(paydala_response(&spec.to_string()));
        assert_eq!(r["ok"], false, "{spec}");
        assert!(r["message"].as_str().unwrap().starts_with(field), "{spec}: {r}");
    }
}

#[test]
fn paydala_answer_follows_the_cores_rules_and_asks_for_the_deposit_only_when_due() {
    let verify_req = json!({"type": "verify", "project_id": 1234, "customer_id": "7123456789"}).to_string();
    let acc = json!({"account": {"currency": "KZT", "additional_customer_id": "customer_123"}}).to_string();
    let r = j(paydala_answer(&verify_req, &acc, ""));
    assert_eq!((r["done"].clone(), r["code"].clone()), (json!(true), json!(0)));
    assert_eq!(j(r["body"].as_str().unwrap().to_string()), seed("seed_paydala_verify_response_ok.json"));
    assert_eq!(j(paydala_answer(&verify_req, r#"{"account":null}"#, ""))["code"], 404);
    assert_eq!(j(paydala_answer(&verify_req, r#"{"error":"db down"}"#, ""))["code"], 500);
    assert_eq!(j(paydala_answer(&verify_req, r#"{"account":{"currency":"tenge"}}"#, ""))["code"], 500);

    let dep =
        json!({"type": "check_deposit", "project_id": 1234, "customer_id": "7123456789", "amount": 100000, "currency": "KZT"}).to_string();
    assert_eq!(j(paydala_answer(&dep, &acc, "")), json!({"done": false}), "the booking is asked for");
    let usd = json!({"account": {"currency": "USD"}}).to_string();
    assert_eq!(j(paydala_answer(&dep, &usd, ""))["code"], 404, "another currency than the account's: no booking asked");
    let booked = j(paydala_answer(&dep, &acc, r#"{"deposit":{"payment_id":"payment_47","description":"Success"}}"#));
    assert_eq!(j(booked["body"].as_str().unwrap().to_string()), seed("seed_paydala_check_deposit_response_ok.json"));
    assert_eq!(j(paydala_answer(&dep, &acc, r#"{"unknown_account":true}"#))["code"], 404);
    assert_eq!(
        j(paydala_answer(&dep, &acc, r#"{"error":"Something went wrong"}"#))["body"],
        r#"{"code":500,"message":"Something went wrong"}"#
    );
    assert_eq!(j(paydala_answer(&dep, &acc, r#"{"deposit":{"payment_id":" "}}"#))["code"], 500);
}

#[test]
fn gate_requests_are_the_cores_builders() {
    let sale = json!({"project_id": 250, "payment_id": "order-1002",
        "customer": {"id": "customer-42", "ip_address": "1.2.3.4", "phone": "254712345678", "email": "customer@example.com"},
        "payment": {"amount": 10000, "currency": "KES"}, "return_url": {"success": "https://shop.example/o", "decline": "https://shop.example/o"}});
    let r = j(gate_sale(&sale.to_string(), "sandbox-secret-250"));
    assert_eq!(r["path"], "/v2/payment/card-partner/sale");
    assert_eq!(verify(&r["body"], "sandbox-secret-250"), Ok(()));
    let core = epay_core::gate::card_partner_sale_returning(
        &epay_core::gate::GeneralIds { project_id: 250, payment_id: "order-1002".into() },
        &epay_core::gate::GateCustomer::new("customer-42", "1.2.3.4").with_phone("254712345678").with_email("customer@example.com"),
        &epay_core::gate::GatePayment::new(MinorUnits(10000), "KES"),
        &epay_core::gate::ReturnUrl::both("https://shop.example/o"),
        "sandbox-secret-250",
    )
    .unwrap();
    assert_eq!(r["body"], core);
    let mut bad = sale.clone();
    bad["payment"]["currency"] = json!("MYR");
    let r = j(gate_sale(&bad.to_string(), "sandbox-secret-250"));
    assert_eq!(r["ok"], false);
    assert!(r["errors"].as_array().unwrap().iter().any(|e| e["param"] == "payment.currency"), "{r}");
    let r = j(gate_refund(&json!({"project_id": 250, "payment_id": "order-1002"}).to_string(), "sandbox-secret-250"));
    assert_eq!(
        (r["path"].clone(), r["body"]["general"]["payment_id"].clone()),
        (json!("/v2/payment/card-partner/refund"), json!("order-1002"))
    );
    assert_eq!(j(gate_refund(r#"{"project_id": 250}"#, "k"))["errors"][0]["param"], "refund");
}
