//! Every signature vector from the official SDKs' own tests (shared/vectors, copied here).

use epay_core::signature::{sign, string_to_sign, verify, with_signature};
use serde_json::Value;

fn cases() -> Vec<Value> {
    let text = include_str!("data/signature.json");
    serde_json::from_str::<Value>(text).unwrap().as_array().unwrap().clone()
}

#[test]
fn all_26_vectors_match_string_to_sign_and_signature() {
    let cases = cases();
    assert_eq!(cases.len(), 26);
    let mut failures = vec![];
    for c in &cases {
        let name = c["name"].as_str().unwrap();
        let secret = c["secret"].as_str().unwrap();
        let params = &c["params"];
        let s = string_to_sign(params);
        if s != c["string_to_sign"].as_str().unwrap() {
            failures.push(format!("{name}: string\n  got  {s}\n  want {}", c["string_to_sign"]));
            continue;
        }
        let sig = sign(params, secret);
        if sig != c["signature"].as_str().unwrap() {
            failures.push(format!("{name}: signature {sig} != {}", c["signature"]));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn signed_vectors_verify_and_any_tampering_is_rejected() {
    for c in cases() {
        let secret = c["secret"].as_str().unwrap();
        let signed = with_signature(c["params"].clone(), secret);
        assert!(verify(&signed, secret).is_ok(), "{}", c["name"]);
        assert!(verify(&signed, "wrong").is_err());
        let mut tampered = signed.clone();
        tampered.as_object_mut().unwrap().insert("extra".into(), Value::from("x"));
        assert!(verify(&tampered, secret).is_err(), "{}", c["name"]);
    }
}
