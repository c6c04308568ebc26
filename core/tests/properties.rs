//! Property tests of the parsers and the signer (issue 13): random parameter sets, splices
//! of their signing strings, unicode, huge values. Nothing panics, and no re-split of an
//! accepted signed set is accepted with other values.
//!
//! `fuzz_long` (ignored) runs the same properties with many more inputs and prints how many
//! it tried: `scripts/fuzz.sh` (cargo-fuzz needs nightly; this is proptest's runner).

use epay_core::epay_cash::{parse_valid_time, EpayCode};
use epay_core::params::{resplit_name, Params, PaymentRequest, Scalar, KNOWN_PARAMS};
use epay_core::redirect::{check_url, origin, scheme_and_host, FormBody, HttpMethod, RedirectData, UrlPolicy};
use epay_core::signature::{sign_checked, string_to_sign};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Map, Value};

const SANDBOX: UrlPolicy = UrlPolicy { allow_loopback_http: true };

/// Pieces that make splices likely: separators, known names, digits, unicode.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(";".to_string()),
        Just(":".to_string()),
        Just("_".to_string()),
        prop::sample::select(KNOWN_PARAMS.to_vec()).prop_map(str::to_string),
        Just("payment_amount_".to_string()),
        "[0-9]{1,6}",
        "[A-Za-z ]{1,5}",
        "\\PC{1,3}",
    ]
}

fn spliceable_text() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..7).prop_map(|v| v.concat())
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => spliceable_text().prop_map(Value::from),
        1 => (1i64..10_000_000).prop_map(Value::from),
        1 => any::<bool>().prop_map(Value::from),
    ]
}

/// A parameter set over the known names (the base ones always there).
fn known_set() -> impl Strategy<Value = Map<String, Value>> {
    let optional: Vec<&str> = KNOWN_PARAMS.iter().copied().filter(|k| *k != "signature").collect();
    (prop::collection::btree_map(prop::sample::select(optional), value(), 0..8), prop::sample::select(vec!["KES", "MYR", "USD", "KZT"]), 1000i64..300_000)
        .prop_map(|(extra, currency, amount)| {
            let mut m = Map::new();
            m.insert("project_id".into(), Value::from(250));
            m.insert("payment_id".into(), Value::from("order-1"));
            m.insert("payment_amount".into(), Value::from(amount));
            m.insert("payment_currency".into(), Value::from(currency));
            m.insert("customer_id".into(), Value::from("customer1"));
            for (k, v) in extra {
                m.insert(k.to_string(), v);
            }
            m
        })
}

fn to_params(obj: &Map<String, Value>) -> Params {
    Params::from_pairs(
        obj.iter()
            .map(|(k, v)| {
                let s = match v {
                    Value::Bool(b) => Scalar::Bool(*b),
                    Value::Number(n) => n.as_i64().map_or(Scalar::Float(n.as_f64().unwrap_or(f64::NAN)), Scalar::Int),
                    Value::String(s) => Scalar::Text(s.clone()),
                    _ => Scalar::Null,
                };
                (k.clone(), s)
            })
            .collect(),
    )
}

fn accepted(obj: &Map<String, Value>) -> bool {
    let mut p = to_params(obj);
    p.insert("signature".into(), Scalar::Text("c2ln".into()));
    PaymentRequest::parse(&p).is_ok()
}

/// Every other way to read `s` as `name:value` items joined by `;` (at most 2^11 of them).
fn re_splits(s: &str) -> Vec<Map<String, Value>> {
    let tokens: Vec<&str> = s.split(';').collect();
    if tokens.len() > 12 || tokens.is_empty() {
        return vec![];
    }
    let mut out = Vec::new();
    for mask in 0u32..(1 << (tokens.len() - 1)) {
        // Bit i set: a new item starts at token i + 1.
        let mut items: Vec<String> = vec![tokens[0].to_string()];
        for (i, t) in tokens.iter().enumerate().skip(1) {
            if mask & (1 << (i - 1)) != 0 {
                items.push(t.to_string());
            } else {
                let last = items.last_mut().unwrap();
                last.push(';');
                last.push_str(t);
            }
        }
        let mut m = Map::new();
        let mut ok = true;
        for item in items {
            match item.split_once(':') {
                Some((k, v)) if !k.is_empty() && !m.contains_key(k) => {
                    m.insert(k.to_string(), Value::from(v));
                }
                _ => {
                    ok = false;
                    break;
                }
            }
        }
        if ok {
            out.push(m);
        }
    }
    out
}

/// The values as the signature sees them.
fn as_text(obj: &Map<String, Value>) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = obj
        .iter()
        .map(|(k, v)| {
            let t = match v {
                Value::String(s) => s.clone(),
                Value::Bool(b) => if *b { "1" } else { "0" }.into(),
                other => other.to_string(),
            };
            (k.clone(), t)
        })
        .collect();
    v.sort();
    v
}

/// The splice property on one set: no other reading of its signing string is accepted when
/// the set itself is, and none at all when the checked signer agreed to sign it.
fn no_accepted_splice(set: &Map<String, Value>) -> Result<(), TestCaseError> {
    let doc = Value::Object(set.clone());
    let s = string_to_sign(&doc);
    let set_ok = accepted(set);
    let signable = sign_checked(&doc, "k").is_ok();
    for other in re_splits(&s) {
        if as_text(&other) == as_text(set) || string_to_sign(&Value::Object(other.clone())) != s {
            continue;
        }
        let other_ok = accepted(&other);
        prop_assert!(!(set_ok && other_ok), "both accepted with one signature:\n{set:?}\n{other:?}");
        let all_known = set.keys().all(|k| KNOWN_PARAMS.contains(&k.as_str()));
        prop_assert!(!(signable && all_known && other_ok), "signed, then re-split and accepted:\n{set:?}\n{other:?}");
    }
    Ok(())
}

proptest! {
    #![proptest_config(Config { cases: 256, ..Config::default() })]

    #[test]
    fn splices_of_random_signed_sets_are_never_accepted(set in known_set()) {
        no_accepted_splice(&set)?;
    }

    /// With one unknown key (as a merchant might sign): the platform still never accepts
    /// two readings.
    #[test]
    fn splices_with_an_unknown_key_are_never_both_accepted(mut set in known_set(), key in "[a-z_;]{1,16}", v in spliceable_text()) {
        set.insert(key, Value::from(v));
        no_accepted_splice(&set)?;
    }

    /// The attack, around random sets: a value hiding `;payment_amount:`.
    #[test]
    fn a_hidden_amount_is_refused_by_the_signer_and_the_platform(mut set in known_set(), fake in 1i64..1_000_000, field in prop::sample::select(vec!["customer_last_name", "customer_first_name", "payment_description", "customer_email"])) {
        set.insert(field.to_string(), Value::from(format!("Tan;payment_amount:{fake};payment_amount_")));
        prop_assert!(sign_checked(&Value::Object(set.clone()), "k").is_err());
        prop_assert!(!accepted(&set));
        no_accepted_splice(&set)?;
    }

    #[test]
    fn resplit_name_finds_exactly_the_hidden_names(prefix in "\\PC{0,8}", name in prop::sample::select(KNOWN_PARAMS.to_vec()), suffix in "\\PC{0,8}") {
        let v = format!("{prefix};{name}:{suffix}");
        prop_assert!(resplit_name(&v, KNOWN_PARAMS).is_some());
        prop_assert!(resplit_name(&v.replace(';', ","), KNOWN_PARAMS).is_none());
    }

    #[test]
    fn from_pairs_is_insert_one_by_one(pairs in prop::collection::vec(("[a-c]{1,2}", any::<i64>()), 0..40)) {
        let pairs: Vec<(String, Scalar)> = pairs.into_iter().map(|(k, v)| (k, Scalar::Int(v))).collect();
        let mut p = Params::new();
        for (k, v) in pairs.clone() {
            p.insert(k, v);
        }
        prop_assert_eq!(Params::from_pairs(pairs), p);
    }

    #[test]
    fn payment_request_parse_never_panics(pairs in prop::collection::vec((prop_oneof![prop::sample::select(KNOWN_PARAMS.to_vec()).prop_map(str::to_string), "\\PC{0,12}"], prop_oneof![
        "\\PC{0,40}".prop_map(Scalar::Text),
        any::<i64>().prop_map(Scalar::Int),
        any::<f64>().prop_map(Scalar::Float),
        any::<bool>().prop_map(Scalar::Bool),
        Just(Scalar::Null),
        (0usize..5000).prop_map(|n| Scalar::Text("é;".repeat(n))),
    ]), 0..20)) {
        let _ = PaymentRequest::parse(&Params::from_pairs(pairs));
    }

    #[test]
    fn parse_valid_time_never_panics(s in "\\PC{0,40}") {
        let _ = parse_valid_time(&s);
    }

    /// Mutations of a valid time: one character replaced by anything, unicode included.
    #[test]
    fn mutated_valid_times_never_panic(at in 0usize..25, c in any::<char>(), base in prop::sample::select(vec!["2019-06-15 14:17:26", "2019-06-15T14:17:26+08:00", "2019-06-15T06:17:26.123Z", "2019-06-15T14:17:26+0800"])) {
        let mut chars: Vec<char> = base.chars().collect();
        let i = at % chars.len();
        chars[i] = c;
        let s: String = chars.into_iter().collect();
        let _ = parse_valid_time(&s);
        let rd = RedirectData { method: HttpMethod::Get, url: "https://x.example".into(), body: FormBody(vec![
            ("reference_number".into(), "1".into()), ("valid_time".into(), s), ("user_name".into(), "A".into()),
        ])};
        let _ = EpayCode::from_redirect(&rd);
    }

    #[test]
    fn url_checks_never_panic(s in "\\PC{0,60}", tail in "[\\[\\]:0-9a-f.@/]{0,20}") {
        for u in [s.clone(), format!("https://{s}"), format!("https://{tail}"), format!("http://[{tail}")] {
            let _ = check_url(&u, SANDBOX);
            let _ = scheme_and_host(&u);
            let _ = origin(&u);
        }
    }

    /// Well-formed https URLs still pass, and their origin reads back.
    #[test]
    fn well_formed_urls_pass(labels in prop::collection::vec("[a-z][a-z0-9-]{0,8}", 1..4), port in prop::option::of(0u32..=65535), path in "(/[a-z0-9._~-]{0,8}){0,3}") {
        let host = labels.join(".");
        let url = match port {
            Some(p) => format!("https://{host}:{p}{path}"),
            None => format!("https://{host}{path}"),
        };
        prop_assert_eq!(check_url(&url, SANDBOX), Ok(()));
        let o = origin(&url).unwrap();
        let expected = format!("https://{host}");
        prop_assert!(o.starts_with(&expected), "{} for {}", o, url);
    }
}

/// Runs each property with `FUZZ_CASES` inputs (default 100 000) and prints how many it
/// tried. `scripts/fuzz.sh` runs it in release mode.
#[test]
#[ignore]
fn fuzz_long() {
    let cases: u32 = std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let config = || Config { cases, failure_persistence: None, ..Config::default() };
    let mut total: u64 = 0;
    let mut report = |name: &str, n: u64| {
        println!("fuzz: {name}: {n} inputs, no failure");
        total += n;
    };

    let mut runner = TestRunner::new(config());
    runner.run(&"\\PC{0,60}", |s| {
        let _ = parse_valid_time(&s);
        let _ = check_url(&s, SANDBOX);
        let _ = origin(&format!("https://{s}"));
        Ok(())
    }).unwrap();
    report("parse_valid_time, check_url, origin on random unicode", cases as u64);

    let mut runner = TestRunner::new(config());
    runner.run(&known_set(), |set| no_accepted_splice(&set)).unwrap();
    report("splices of random signed sets", cases as u64);

    let mut runner = TestRunner::new(config());
    let pairs = prop::collection::vec(("\\PC{0,12}", "\\PC{0,80}"), 0..30);
    runner.run(&pairs, |pairs| {
        let p = Params::from_pairs(pairs.into_iter().map(|(k, v)| (k, Scalar::Text(v))).collect());
        let _ = PaymentRequest::parse(&p);
        Ok(())
    }).unwrap();
    report("PaymentRequest::parse on random sets", cases as u64);

    println!("fuzz: {total} inputs tried in all");
}
