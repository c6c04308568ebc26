//! What a receiver takes for a callback (issue 22): exactly one JSON value, a matching
//! signature, and a callback's structure. The order's signed Payment Page parameters, which
//! every customer's browser holds, are never a callback.

use epay_core::callback::{one_json_value, verify_callback, verify_callback_bytes, CallbackError};
use epay_core::signature::with_signature;
use proptest::prelude::*;
use serde_json::{json, Value};

const SECRET: &str = "sandbox-secret-250";

fn callback() -> Value {
    json!({
        "project_id": 250,
        "payment": {"id": "order-1", "type": "purchase", "status": "success", "date": "2026-01-01T00:00:00+0000",
                    "method": "card-partner", "sum": {"amount": 10000, "currency": "KES"}, "description": ""},
        "operation": {"id": 7, "type": "sale", "status": "success", "date": "d", "created_date": "d", "request_id": "r",
                      "sum_initial": {"amount": 10000, "currency": "KES"}, "sum_converted": {"amount": 10000, "currency": "KES"},
                      "code": "0", "message": "Success", "provider": {"id": 1, "payment_id": "p", "auth_code": ""}}
    })
}

fn code(r: Result<epay_core::Callback, CallbackError>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

#[test]
fn a_signed_callback_verifies_and_keeps_its_fields() {
    let body = with_signature(callback(), SECRET).to_string();
    let cb = verify_callback(&body, SECRET).unwrap();
    assert_eq!(cb.payment.id, "order-1");
    assert_eq!(cb.key().to_string(), "250/order-1/7/success/success");
    // Whitespace around the one value is fine.
    assert_eq!(code(verify_callback(&format!("\n {body}\r\n"), SECRET)), "ok");
}

#[test]
fn the_orders_signed_parameters_are_not_a_callback() {
    let params = with_signature(
        json!({"project_id": 250, "payment_id": "order-1", "payment_amount": 10000, "payment_currency": "KES", "customer_id": "c"}),
        SECRET,
    );
    let e = verify_callback(&params.to_string(), SECRET).unwrap_err();
    assert_eq!(e.code(), "not_a_callback");
    assert!(e.to_string().contains("payment: is required"), "{e}");
    // A Gate request (signature in general) neither.
    let gate = with_signature(
        json!({"general": {"project_id": 250, "payment_id": "order-1"}, "payment": {"amount": 1, "currency": "KES"}}),
        SECRET,
    );
    assert_eq!(code(verify_callback(&gate.to_string(), SECRET)), "not_a_callback");
}

#[test]
fn empty_or_missing_payment_and_operation_are_not_a_callback() {
    type Case = (&'static str, fn(&mut Value));
    let cases: [Case; 6] = [
        ("payment: must not be empty", |v| v["payment"] = json!({})),
        ("operation: must not be empty", |v| v["operation"] = json!({})),
        ("operation: is required", |v| {
            v.as_object_mut().unwrap().remove("operation");
        }),
        ("payment.status: is required", |v| {
            v["payment"].as_object_mut().unwrap().remove("status");
        }),
        ("payment.status: must be a non-empty string", |v| v["payment"]["status"] = json!("")),
        ("operation.id: must be an integer", |v| v["operation"]["id"] = json!("7")),
    ];
    for (want, change) in cases {
        let mut doc = callback();
        change(&mut doc);
        let e = verify_callback(&with_signature(doc, SECRET).to_string(), SECRET).unwrap_err();
        assert_eq!(e.code(), "not_a_callback", "{want}");
        assert!(e.to_string().contains(want), "{want}: {e}");
    }
}

#[test]
fn one_trailing_byte_is_not_json() {
    let body = with_signature(callback(), SECRET).to_string();
    for tail in ["}", "x", "{}", " 1", "\u{0}"] {
        let e = verify_callback(&format!("{body}{tail}"), SECRET).unwrap_err();
        assert_eq!(e.code(), "not_json", "{tail:?}");
        assert!(e.to_string().contains("trailing"), "{tail:?}: {e}");
    }
    assert_eq!(one_json_value("").unwrap_err().code(), "not_json");
    assert_eq!(one_json_value("  ").unwrap_err().code(), "not_json");
}

#[test]
fn wrong_signature_and_too_large_are_named() {
    let body = with_signature(callback(), "another-secret").to_string();
    assert_eq!(code(verify_callback(&body, SECRET)), "bad_signature");
    let body = with_signature(callback(), SECRET).to_string();
    assert_eq!(code(verify_callback_bytes(body.as_bytes(), SECRET, body.len())), "ok");
    let e = verify_callback_bytes(body.as_bytes(), SECRET, body.len() - 1).unwrap_err();
    assert_eq!(e.code(), "too_large");
    assert_eq!(code(verify_callback_bytes(&[0xff, 0xfe], SECRET, 100)), "not_json");
}

proptest! {
    /// Whatever follows a signed callback (other than whitespace), it is refused as not JSON.
    #[test]
    fn any_trailing_text_is_refused(tail in "[^ \t\r\n]{1}.{0,20}") {
        let body = with_signature(callback(), SECRET).to_string();
        let r = verify_callback(&format!("{body}{tail}"), SECRET);
        prop_assert_eq!(code(r), "not_json");
    }

    /// Signed flat parameter sets (what a shop signs for the widget) are never callbacks.
    #[test]
    fn signed_flat_parameters_are_never_callbacks(
        params in proptest::collection::btree_map("[a-z_]{1,12}", "[ -~]{0,16}", 0..8)
    ) {
        let doc = with_signature(serde_json::to_value(&params).unwrap(), SECRET);
        prop_assert_eq!(code(verify_callback(&doc.to_string(), SECRET)), "not_a_callback");
    }
}
