//! Issue 25 (hostile input, round 3), the core side of Gate bodies: the limits on size,
//! keys and depth are counted on the bytes before any parsing (property tests on random
//! bodies), and the check for values hiding another item (`resplit_problems`) takes time
//! linear in the body, whatever the number of keys.

use epay_core::gate::{body_limit_problem, resplit_problems, BodyLimits, GATE_BODY_LIMITS, MAX_BODY_DEPTH, MAX_BODY_KEYS};
use epay_core::params::resplit_name;
use epay_core::signature::{SIGNED_OBJECTS, SKIPPED_KEYS};
use proptest::prelude::*;
use serde_json::{json, Map, Value};
use std::time::{Duration, Instant};

/// Keys and depth of a parsed value, as the byte scan should count them.
fn keys_and_depth(v: &Value) -> (usize, usize) {
    match v {
        Value::Object(m) => {
            let (mut keys, mut depth) = (m.len(), 0);
            for v in m.values() {
                let (k, d) = keys_and_depth(v);
                keys += k;
                depth = depth.max(d);
            }
            (keys, depth + 1)
        }
        Value::Array(list) => {
            let (mut keys, mut depth) = (0, 0);
            for v in list {
                let (k, d) = keys_and_depth(v);
                keys += k;
                depth = depth.max(d);
            }
            (keys, depth + 1)
        }
        _ => (0, 0),
    }
}

/// Text likely to confuse a byte scan: quotes, backslashes, colons, brackets, unicode.
fn tricky_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("\"".to_string()),
            Just("\\".to_string()),
            Just(":".to_string()),
            Just(";".to_string()),
            Just("{".to_string()),
            Just("]".to_string()),
            Just("general".to_string()),
            "[a-z]{1,4}",
            "\\PC{1,2}",
        ],
        0..6,
    )
    .prop_map(|v| v.concat())
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        tricky_text().prop_map(Value::from),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((tricky_text(), inner), 0..6).prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// On any JSON body the byte scan counts exactly the keys and the depth the parser
    /// finds: it refuses what is over a limit, naming it, and nothing else.
    #[test]
    fn the_byte_scan_counts_what_the_parser_finds(v in json_value(), keys in 0usize..12, depth in 0usize..5, pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_string_pretty(&v).unwrap() } else { v.to_string() };
        let limits = BodyLimits { bytes: usize::MAX, keys, depth };
        let (k, d) = keys_and_depth(&v);
        match body_limit_problem(text.as_bytes(), limits) {
            None => prop_assert!(k <= keys && d <= depth, "{k} keys, depth {d} accepted: {text}"),
            Some(e) => {
                prop_assert_eq!(e.param.as_str(), "body");
                match e.code.as_str() {
                    "too_many_keys" => prop_assert!(k > keys && e.message.contains(&keys.to_string())),
                    "too_deep" => prop_assert!(d > depth && e.message.contains(&depth.to_string())),
                    other => prop_assert!(false, "unexpected code {other}"),
                }
            }
        }
        // And the size limit: exactly the bytes.
        let by_size = body_limit_problem(text.as_bytes(), BodyLimits { bytes: text.len(), keys: usize::MAX, depth: usize::MAX });
        prop_assert!(by_size.is_none());
        if !text.is_empty() {
            let e = body_limit_problem(text.as_bytes(), BodyLimits { bytes: text.len() - 1, keys: usize::MAX, depth: usize::MAX });
            prop_assert_eq!(e.map(|e| e.code), Some("too_large".to_string()));
        }
    }

    /// Random bytes (not JSON): never a panic, and a refusal only names one of the limits.
    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        if let Some(e) = body_limit_problem(&bytes, GATE_BODY_LIMITS) {
            prop_assert!(["too_many_keys", "too_deep", "too_large"].contains(&e.code.as_str()));
        }
    }

    /// The linear check finds the same values hiding another item as the one that tried
    /// every name on every value (`params::resplit_name`), naming the same name.
    #[test]
    fn the_linear_resplit_check_agrees_with_trying_every_name(
        top in prop::collection::vec((prop_oneof![
            Just("general".to_string()), Just("customer".to_string()), Just("zz".to_string()),
            Just("return_url".to_string()), "[a-z]{1,3}",
        ], prop_oneof![
            tricky_text().prop_map(Value::from),
            prop::collection::vec(("[a-z]{1,3}", tricky_text()), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k, Value::from(v))).collect())),
        ]), 0..8),
    ) {
        let doc = Value::Object(top.into_iter().collect());
        let got: Vec<(String, String)> = resplit_problems(&doc).into_iter().map(|e| (e.param, e.message)).collect();
        prop_assert_eq!(got, reference_problems(&doc));
    }
}

/// `resplit_problems` as it was (every name tried on every value), for names without a
/// separator (a key holding one is refused by itself).
fn reference_problems(doc: &Value) -> Vec<(String, String)> {
    fn walk(v: &Value, path: &str, keys: &mut Vec<(String, String)>, texts: &mut Vec<(String, String)>) {
        let child = |k: &str| if path.is_empty() { k.to_string() } else { format!("{path}.{k}") };
        match v {
            Value::Object(m) => {
                for (k, v) in m.iter().filter(|(k, _)| !SKIPPED_KEYS.contains(&k.as_str())) {
                    keys.push((child(k), k.clone()));
                    walk(v, &child(k), keys, texts);
                }
            }
            Value::Array(list) => {
                for (i, v) in list.iter().enumerate() {
                    walk(v, &child(&i.to_string()), keys, texts);
                }
            }
            Value::String(s) => texts.push((path.to_string(), s.clone())),
            _ => {}
        }
    }
    let (mut keys, mut texts) = (Vec::new(), Vec::new());
    walk(doc, "", &mut keys, &mut texts);
    let own: Vec<&str> = doc.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
    let names: Vec<&str> = SIGNED_OBJECTS.iter().copied().chain(own).filter(|n| !n.contains([';', ':'])).collect();
    let mut out: Vec<(String, String)> = keys
        .into_iter()
        .filter(|(_, k)| k.contains([';', ':']))
        .map(|(path, _)| {
            (
                path,
                "a key must not contain ';' or ':': the signature joins items with ';' and a key to its value with ':', so it signs like other items"
                    .to_string(),
            )
        })
        .collect();
    out.extend(texts.into_iter().filter_map(|(path, value)| {
        let name = resplit_name(&value, names.iter().copied())?;
        Some((path, format!("must not contain \";{name}:\": the signature joins a body's values as path:value; so this value signs like another {name} item")))
    }));
    out
}

#[test]
fn a_gate_body_over_the_limits_is_refused_naming_each() {
    let many: Map<String, Value> = (0..=MAX_BODY_KEYS).map(|i| (format!("k{i}"), json!(i))).collect();
    let e = body_limit_problem(Value::Object(many).to_string().as_bytes(), GATE_BODY_LIMITS).unwrap();
    assert_eq!((e.param.as_str(), e.code.as_str()), ("body", "too_many_keys"));
    assert!(e.message.contains(&format!("at most {MAX_BODY_KEYS} keys")), "{}", e.message);
    let deep = format!("{}{}", "[".repeat(MAX_BODY_DEPTH + 1), "]".repeat(MAX_BODY_DEPTH + 1));
    assert_eq!(body_limit_problem(deep.as_bytes(), GATE_BODY_LIMITS).unwrap().code, "too_deep");
    let big = format!(r#"{{"payment": {{"description": "{}"}}}}"#, "x".repeat(GATE_BODY_LIMITS.bytes));
    let e = body_limit_problem(big.as_bytes(), GATE_BODY_LIMITS).unwrap();
    assert_eq!(e.code, "too_large");
    assert!(e.message.contains(&GATE_BODY_LIMITS.bytes.to_string()));
    // Colons and brackets inside strings are text, not keys or levels.
    let text = json!({"general": {"payment_id": "a:b:c:[[[[[[[[[[{{{{{{{{{{\"\\"}}).to_string();
    assert!(body_limit_problem(text.as_bytes(), GATE_BODY_LIMITS).is_none());
}

/// A body of `n` top-level keys whose values each hold `;` and `:` but no name (the
/// worst case of the old check: every value against every name).
fn many_keys(n: usize) -> Value {
    let mut m: Map<String, Value> = (0..n).map(|i| (format!("k{i}"), json!(format!("a;b{i};c;d:e;f")))).collect();
    m.insert("customer".into(), json!({"last_name": format!("Tan;k{}:x", n - 1)}));
    Value::Object(m)
}

fn best_of_3(doc: &Value) -> (Duration, usize) {
    (0..3)
        .map(|_| {
            let started = Instant::now();
            let n = resplit_problems(doc).len();
            (started.elapsed(), n)
        })
        .min()
        .unwrap()
}

#[test]
fn resplit_problems_is_linear_in_the_number_of_keys() {
    let (small, large) = (many_keys(10_000), many_keys(40_000));
    let (t_small, n_small) = best_of_3(&small);
    let (t_large, n_large) = best_of_3(&large);
    // The last name hides the last key in each: found, and only it.
    assert_eq!((n_small, n_large), (1, 1));
    assert_eq!(resplit_problems(&large)[0].param, "customer.last_name");
    // Four times the keys: about four times the time (quadratic was 16 times, and 40 k keys
    // took over 20 s on a release build); generous bounds for a loaded machine.
    assert!(t_large < t_small * 8 + Duration::from_millis(50), "10 k keys {t_small:?}, 40 k keys {t_large:?}");
    assert!(t_large < Duration::from_secs(3), "40 k keys took {t_large:?}");
}
