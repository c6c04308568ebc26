//! Gate request builders and validators (seeds 001 and 002).

use epay_core::callback::first_json_value;
use epay_core::gate::{
    card_partner_refund, card_partner_sale, epay_sale, parse_refund, parse_sale, AcceptedStatus, GateAccepted, GateCustomer, GateEndpoint,
    GatePayment, GateRejected, GateResponse, GeneralIds, SaleKind, CARD_PARTNER_REFUND_PATH, CARD_PARTNER_SALE_PATH, EPAY_SALE_PATH,
};
use epay_core::params::ParamError;
use epay_core::signature::{verify, with_signature, SignatureError};
use epay_core::MinorUnits;
use serde_json::{json, Value};

const SECRET: &str = "sandbox-secret-250";

fn data(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    first_json_value(&text).unwrap()
}

/// Keys and nesting of a document, in order: `general.project_id`, ...
fn shape(v: &Value) -> Vec<String> {
    fn walk(v: &Value, path: &str, out: &mut Vec<String>) {
        if let Value::Object(m) = v {
            for (k, child) in m {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                out.push(p.clone());
                walk(child, &p, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(v, "", &mut out);
    out
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn params(errs: &[ParamError]) -> Vec<&str> {
    errs.iter().map(|e| e.param.as_str()).collect()
}

fn card_customer() -> GateCustomer {
    GateCustomer::new("123", "1.2.3.4").with_phone("123456789").with_email("customer@example.com")
}

fn epay_customer() -> GateCustomer {
    GateCustomer::new("123", "172.10.123.11").with_name("Petra", "Davis").with_phone("640991025894").with_email("d@df.com")
}

fn ids(project_id: u64, payment_id: &str) -> GeneralIds {
    GeneralIds { project_id, payment_id: payment_id.into() }
}

#[test]
fn paths_are_the_seeds_and_route_back_to_their_endpoint() {
    assert_eq!(CARD_PARTNER_SALE_PATH, "/v2/payment/card-partner/sale");
    assert_eq!(CARD_PARTNER_REFUND_PATH, "/v2/payment/card-partner/refund");
    assert_eq!(EPAY_SALE_PATH, "/v2/payment/cash/epay/sale");
    for e in [GateEndpoint::Sale(SaleKind::CardPartner), GateEndpoint::Sale(SaleKind::Epay), GateEndpoint::Refund] {
        assert_eq!(GateEndpoint::from_path(e.path()), Some(e));
    }
    assert_eq!(GateEndpoint::from_path("/v2/payment/card-partner/sale/"), Some(GateEndpoint::Sale(SaleKind::CardPartner)));
    assert_eq!(GateEndpoint::from_path("/v2/payment/cash/other/sale"), None);
}

// --- builders ---------------------------------------------------------------------------------

#[test]
fn card_partner_sale_has_the_seeds_shape_and_verifies() {
    let seed = data("seed_card_partner_sale_request.json");
    let built = card_partner_sale(&ids(125, "TEST_184"), &card_customer(), &GatePayment::new(MinorUnits(1000), "KES"), SECRET).unwrap();
    assert_eq!(sorted(shape(&built)), sorted(shape(&seed)));
    // Same values apart from the signature.
    let mut unsigned = built.clone();
    unsigned["general"]["signature"] = seed["general"]["signature"].clone();
    assert_eq!(unsigned, seed);
    assert_eq!(verify(&built, SECRET), Ok(()));
    assert_eq!(verify(&built, "other"), Err(SignatureError::Mismatch));
    let sale = parse_sale(SaleKind::CardPartner, &built).unwrap();
    assert_eq!(sale.customer, card_customer());
    assert_eq!(sale.signature, built["general"]["signature"].as_str().unwrap());
}

#[test]
fn epay_sale_has_the_seeds_shape_and_order_and_verifies() {
    let seed = data("seed_epay_sale_request_repaired.json");
    let built = epay_sale(
        &ids(318, "EP5fb7-bdg6"),
        &epay_customer(),
        &GatePayment::new(MinorUnits(50000), "MYR").with_description("payment cash"),
        SECRET,
    )
    .unwrap();
    assert_eq!(shape(&built), shape(&seed), "same keys in the same order");
    let mut unsigned = built.clone();
    unsigned["general"]["signature"] = seed["general"]["signature"].clone();
    assert_eq!(unsigned, seed);
    assert_eq!(verify(&built, SECRET), Ok(()));
}

#[test]
fn refund_has_the_seeds_shape_and_verifies() {
    let seed = data("seed_card_partner_refund_request.json");
    let built = card_partner_refund(&ids(239, "refund_02"), SECRET).unwrap();
    assert_eq!(shape(&built), shape(&seed));
    assert_eq!(verify(&built, SECRET), Ok(()));
    assert_eq!(parse_refund(&built).unwrap().general, ids(239, "refund_02"));
}

#[test]
fn optional_card_partner_fields_are_left_out_when_absent() {
    let built =
        card_partner_sale(&ids(250, "p1"), &GateCustomer::new("c1", "::1"), &GatePayment::new(MinorUnits(100), "USD"), SECRET).unwrap();
    assert_eq!(
        shape(&built),
        [
            "general",
            "general.project_id",
            "general.payment_id",
            "general.signature",
            "customer",
            "customer.ip_address",
            "customer.id",
            "payment",
            "payment.amount",
            "payment.currency"
        ]
    );
}

#[test]
fn builders_refuse_what_the_platform_would_refuse() {
    let g = ids(250, "p1");
    let errs = card_partner_sale(&g, &card_customer(), &GatePayment::new(MinorUnits(1000), "MYR"), SECRET).unwrap_err();
    assert_eq!(params(&errs), ["payment.currency"]);
    assert_eq!(errs[0].message, "card-partner accepts only KES, USD; got MYR");
    let errs = epay_sale(&g, &GateCustomer::new("c1", "1.2.3.4"), &GatePayment::new(MinorUnits(500), "MYR"), SECRET).unwrap_err();
    assert_eq!(params(&errs), ["customer.first_name", "customer.last_name", "customer.email", "customer.phone", "payment.description"]);
    assert!(errs.iter().all(|e| e.code == "required"));
    let errs = card_partner_refund(&ids(250, ""), SECRET).unwrap_err();
    assert_eq!(params(&errs), ["general.payment_id"]);
    let errs = card_partner_sale(&ids(0, "p"), &card_customer(), &GatePayment::new(MinorUnits(1000), "KES"), SECRET).unwrap_err();
    assert_eq!(params(&errs), ["general.project_id"]);
}

// --- limits -----------------------------------------------------------------------------------

#[test]
fn card_partner_limits_are_the_seeds() {
    let sale = |amount: i64, currency: &str| {
        card_partner_sale(&ids(250, "p"), &card_customer(), &GatePayment::new(MinorUnits(amount), currency), SECRET)
    };
    for (amount, currency) in [(1_000, "KES"), (20_000_000, "KES"), (100, "USD"), (300_000, "USD")] {
        assert!(sale(amount, currency).is_ok(), "{amount} {currency}");
    }
    for (amount, currency, words) in [
        (999, "KES", "at least 10.00 KES"),
        (20_000_001, "KES", "at most 200,000.00 KES"),
        (99, "USD", "at least 1.00 USD"),
        (300_001, "USD", "at most 3,000.00 USD"),
    ] {
        let errs = sale(amount, currency).unwrap_err();
        assert_eq!(params(&errs), ["payment.amount"], "{amount} {currency}");
        assert_eq!(errs[0].code, "amount_out_of_range");
        assert!(errs[0].message.contains(words), "{}", errs[0].message);
    }
}

#[test]
fn epay_takes_only_myr() {
    let errs =
        epay_sale(&ids(250, "p"), &epay_customer(), &GatePayment::new(MinorUnits(50000), "KES").with_description("x"), SECRET).unwrap_err();
    assert_eq!(params(&errs), ["payment.currency"]);
    assert_eq!(errs[0].message, "epaycash accepts only MYR; got KES");
}

// --- validators -------------------------------------------------------------------------------

/// A valid signed card-partner body, changed by `f` and signed again.
fn card_body(f: impl FnOnce(&mut Value)) -> Value {
    let mut v = card_partner_sale(&ids(250, "p1"), &card_customer(), &GatePayment::new(MinorUnits(1000), "KES"), SECRET).unwrap();
    f(&mut v);
    v["general"].as_object_mut().map(|g| g.remove("signature"));
    with_signature(v, SECRET)
}

fn epay_body(f: impl FnOnce(&mut Value)) -> Value {
    let mut v = data("seed_epay_sale_request_repaired.json");
    f(&mut v);
    v["general"].as_object_mut().map(|g| g.remove("signature"));
    with_signature(v, SECRET)
}

fn card_errors(f: impl FnOnce(&mut Value)) -> Vec<ParamError> {
    parse_sale(SaleKind::CardPartner, &card_body(f)).unwrap_err()
}

#[test]
fn each_missing_required_field_is_named_by_its_dotted_path() {
    for (section, key) in [
        ("general", "project_id"),
        ("general", "payment_id"),
        ("customer", "id"),
        ("customer", "ip_address"),
        ("payment", "amount"),
        ("payment", "currency"),
    ] {
        let errs = card_errors(|v| {
            v[section].as_object_mut().unwrap().remove(key);
        });
        let path = format!("{section}.{key}");
        assert_eq!(params(&errs), [path.as_str()], "{errs:?}");
        assert_eq!(errs[0].code, "required");
    }
    for key in ["first_name", "last_name", "email", "phone", "ip_address", "id"] {
        let body = epay_body(|v| {
            v["customer"].as_object_mut().unwrap().remove(key);
        });
        let errs = parse_sale(SaleKind::Epay, &body).unwrap_err();
        assert_eq!(params(&errs), [format!("customer.{key}").as_str()]);
    }
    let errs = parse_sale(SaleKind::Epay, &epay_body(|v| v["payment"]["description"] = json!(""))).unwrap_err();
    assert_eq!(params(&errs), ["payment.description"]);
}

#[test]
fn missing_sections_are_named_once() {
    for section in ["general", "customer", "payment"] {
        let mut v = data("seed_card_partner_sale_request.json");
        v.as_object_mut().unwrap().remove(section);
        let errs = parse_sale(SaleKind::CardPartner, &v).unwrap_err();
        assert_eq!(params(&errs), [section]);
        v[section] = json!("x");
        let errs = parse_sale(SaleKind::CardPartner, &v).unwrap_err();
        assert_eq!((params(&errs), errs[0].code.as_str()), (vec![section], "type"));
    }
    let errs = parse_sale(SaleKind::CardPartner, &json!([1])).unwrap_err();
    assert_eq!(params(&errs), ["body"]);
}

#[test]
fn a_missing_signature_is_named() {
    let mut v = card_body(|_| {});
    v["general"].as_object_mut().unwrap().remove("signature");
    assert_eq!(params(&parse_sale(SaleKind::CardPartner, &v).unwrap_err()), ["general.signature"]);
    assert_eq!(params(&parse_refund(&json!({"general": {"project_id": 1, "payment_id": "p"}})).unwrap_err()), ["general.signature"]);
}

#[test]
fn invalid_values_are_named_with_the_rule() {
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        ("payment.amount", json!(10.5), "integer", "must be a positive integer in minor units (1000 is 10.00), got 10.5"),
        ("payment.amount", json!("1000"), "integer", "got \"1000\""),
        ("payment.amount", json!(0), "integer", "positive integer"),
        ("payment.amount", json!(-100), "integer", "positive integer"),
        ("payment.currency", json!("kes"), "currency_format", "ISO 4217"),
        ("payment.currency", json!("EUR"), "currency_not_supported", "card-partner accepts only KES, USD; got EUR"),
        ("payment.description", json!(5), "type", "must be a string"),
        ("customer.ip_address", json!("1.2.3"), "format", "IPv4 or IPv6"),
        ("customer.ip_address", json!(1234), "format", "IPv4 or IPv6"),
        ("customer.email", json!("nope"), "format", "e-mail"),
        ("customer.phone", json!("12ab"), "format", "phone number"),
        ("customer.id", json!(true), "type", "must be a string"),
        ("general.project_id", json!("250"), "integer", "positive integer"),
        ("general.payment_id", json!({}), "type", "must be a string"),
        ("general.payment_id", json!("a\u{0}b"), "format", "control characters"),
    ];
    for (path, value, code, words) in cases {
        let (section, key) = path.split_once('.').unwrap();
        let errs = card_errors(|v| v[section][key] = value.clone());
        assert_eq!(params(&errs), [path], "{path}={value}: {errs:?}");
        assert_eq!(errs[0].code, code, "{path}={value}");
        assert!(errs[0].message.contains(words), "{path}={value}: {}", errs[0].message);
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    let errs = parse_sale(
        SaleKind::Epay,
        &json!({"general": {"project_id": -1}, "customer": {"ip_address": "x"}, "payment": {"amount": 1.5, "currency": "myr"}}),
    )
    .unwrap_err();
    assert_eq!(
        params(&errs),
        [
            "general.project_id",
            "general.payment_id",
            "general.signature",
            "customer.id",
            "customer.ip_address",
            "customer.first_name",
            "customer.last_name",
            "customer.email",
            "customer.phone",
            "payment.amount",
            "payment.currency",
            "payment.description"
        ]
    );
}

#[test]
fn extra_parameters_of_the_specification_are_allowed() {
    let v = card_body(|v| {
        v["return_url"] = json!({"success": "https://shop.example/ok"});
        v["customer"]["language"] = json!("en");
    });
    assert!(parse_sale(SaleKind::CardPartner, &v).is_ok());
}

#[test]
fn numeric_ids_and_phone_are_read_as_text() {
    let v = card_body(|v| {
        v["general"]["payment_id"] = json!(184);
        v["customer"]["id"] = json!(123);
        v["customer"]["phone"] = json!(254712345678u64);
    });
    let sale = parse_sale(SaleKind::CardPartner, &v).unwrap();
    assert_eq!((sale.general.payment_id.as_str(), sale.customer.id.as_str()), ("184", "123"));
    assert_eq!(sale.customer.data.phone.as_deref(), Some("254712345678"));
}

#[test]
fn seed_requests_pass_the_validators() {
    let sale = parse_sale(SaleKind::CardPartner, &data("seed_card_partner_sale_request.json")).unwrap();
    assert_eq!((sale.general.project_id, sale.payment.amount, sale.payment.currency.as_str()), (125, MinorUnits(1000), "KES"));
    let sale = parse_sale(SaleKind::Epay, &data("seed_epay_sale_request_repaired.json")).unwrap();
    assert_eq!(sale.customer.data.first_name.as_deref(), Some("Petra"));
    assert_eq!(sale.payment.description.as_deref(), Some("payment cash"));
    let refund = parse_refund(&data("seed_card_partner_refund_request.json")).unwrap();
    assert_eq!(refund.general, ids(239, "refund_02"));
    // The card-partner body is not an EPay one: names and description are missing.
    let errs = parse_sale(SaleKind::Epay, &data("seed_card_partner_sale_request.json")).unwrap_err();
    assert!(params(&errs).contains(&"customer.first_name") && params(&errs).contains(&"payment.currency"));
}

#[test]
fn partial_refunds_are_refused() {
    let v = with_signature(
        json!({"general": {"project_id": 239, "payment_id": "refund_02"}, "payment": {"amount": 500, "currency": "KES"}}),
        SECRET,
    );
    let errs = parse_refund(&v).unwrap_err();
    assert_eq!((params(&errs), errs[0].code.as_str()), (vec!["payment.amount"], "partial_refund"));
}

// --- immediate answers --------------------------------------------------------------------------

#[test]
fn accepted_answer_has_the_documented_shape() {
    let a = GateAccepted::new(&ids(250, "p1"), "req-1");
    let v = serde_json::to_value(&a).unwrap();
    assert_eq!(v, json!({"project_id": 250, "payment_id": "p1", "status": "success", "request_id": "req-1"}));
    assert_eq!(serde_json::to_string(&a).unwrap(), r#"{"project_id":250,"payment_id":"p1","status":"success","request_id":"req-1"}"#);
    assert_eq!(a.status, AcceptedStatus::Success);
    assert_eq!(GateResponse::parse(&v.to_string()), Ok(GateResponse::Accepted(a)));
}

#[test]
fn rejected_answer_names_the_parameter() {
    let errs = card_errors(|v| v["payment"]["amount"] = json!(10.5));
    let r = GateRejected::invalid(errs);
    assert_eq!(r.http_status(), 400);
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["status"], "error");
    assert_eq!(v["code"], "invalid_params");
    assert_eq!(v["param"], "payment.amount");
    assert!(v["message"].as_str().unwrap().starts_with("payment.amount: "));
    assert_eq!(v["errors"][0]["param"], "payment.amount");
    assert_eq!(GateResponse::parse(&v.to_string()), Ok(GateResponse::Rejected(r)));

    let r = GateRejected::bad_signature(&SignatureError::Mismatch);
    assert_eq!((r.http_status(), r.error.param.as_deref()), (403, Some("general.signature")));
    let v = serde_json::to_value(&r).unwrap();
    assert!(v.get("errors").is_none(), "empty lists are left out");
    assert_eq!(GateRejected::new(epay_core::ErrorCode::UnknownPayment, Some("general.payment_id"), "no such payment").http_status(), 404);
}

#[test]
fn answers_that_are_neither_shape_are_refused() {
    for text in ["", "{}", r#"{"status":"pending"}"#, r#"{"status":"success"}"#, r#"{"status":"error"}"#] {
        assert!(GateResponse::parse(text).is_err(), "{text}");
    }
}

fn arb_json() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "[ -~]{0,8}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map(
                proptest::sample::select(vec![
                    "general",
                    "customer",
                    "payment",
                    "project_id",
                    "payment_id",
                    "signature",
                    "id",
                    "ip_address",
                    "amount",
                    "currency",
                    "description",
                    "phone",
                    "email",
                    "first_name",
                    "last_name"
                ])
                .prop_map(String::from),
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest::proptest! {
    #[test]
    fn validators_never_panic_and_every_error_names_a_path(doc in arb_json()) {
        for kind in [SaleKind::CardPartner, SaleKind::Epay] {
            if let Err(errs) = parse_sale(kind, &doc) {
                proptest::prop_assert!(!errs.is_empty());
                proptest::prop_assert!(errs.iter().all(|e| !e.param.is_empty() && !e.message.is_empty()));
            }
        }
        if let Err(errs) = parse_refund(&doc) {
            proptest::prop_assert!(!errs.is_empty());
        }
    }
}

// --- clarification (seed 001 "Дополнение информации о платеже", issue 12 item 1) -------

#[test]
fn the_clarification_of_the_seeds_sale_supplies_its_phone_and_email() {
    use epay_core::gate::{clarification, clarification_fields, parse_clarification, ClarificationAsked, ClarificationData, CLARIFIABLE};
    // Seed 001's sale (project 125, TEST_184) without the recommended phone and email:
    // the platform asks for both; the merchant supplies the seed's values.
    let general = GeneralIds { project_id: 125, payment_id: "TEST_184".into() };
    let data = ClarificationData { phone: Some("123456789".into()), email: Some("customer@example.com".into()) };
    let body = clarification(&general, &data, "secret").unwrap();
    let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&body), ["general", "additional_data"]);
    assert_eq!(keys(&body["general"]), ["project_id", "payment_id", "signature"]);
    assert_eq!(body["additional_data"], serde_json::json!({"customer": {"phone": "123456789", "email": "customer@example.com"}}));
    assert!(epay_core::signature::verify(&body, "secret").is_ok());
    assert_eq!(parse_clarification(&body).unwrap().data, data);

    // What the platform refuses, by name.
    let bad = |v: serde_json::Value| -> Vec<String> {
        let signed = epay_core::signature::with_signature(v, "secret");
        parse_clarification(&signed).unwrap_err().into_iter().map(|e| e.param.to_string()).collect()
    };
    let g = serde_json::json!({"project_id": 125, "payment_id": "TEST_184"});
    assert_eq!(bad(serde_json::json!({"general": g})), ["additional_data"]);
    assert_eq!(bad(serde_json::json!({"general": g, "additional_data": {}})), ["additional_data.customer"]);
    assert_eq!(
        bad(serde_json::json!({"general": g, "additional_data": {"customer": {"email": "nope"}}})),
        ["additional_data.customer.email"]
    );
    assert_eq!(bad(serde_json::json!({"general": g, "additional_data": {"customer": {"name": "X"}}})), ["additional_data.customer.name"]);
    assert!(clarification(&general, &ClarificationData::default(), "secret").is_err());

    // The callback's clarification_fields, and the merchant's reading of it.
    let fields = clarification_fields(&CLARIFIABLE);
    assert_eq!(fields["properties"]["customer"]["required"], serde_json::json!(["phone", "email"]));
    let cb = serde_json::json!({"project_id": 125, "payment": {"id": "TEST_184", "status": "awaiting clarification"}, "clarification_fields": fields});
    let asked = ClarificationAsked::from_callback(&cb).unwrap();
    assert_eq!((asked.project_id, asked.payment_id.as_str()), (125, "TEST_184"));
    assert_eq!(asked.missing, ["customer.phone", "customer.email"]);
    assert!(ClarificationAsked::from_callback(&serde_json::json!({"payment": {"id": "x"}})).is_none());
}
