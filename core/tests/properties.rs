//! Property tests of the parsers and the signer (issue 13): random parameter sets, splices
//! of their signing strings, unicode, huge values. Nothing panics, and no re-split of an
//! accepted signed set is accepted with other values.
//!
//! `fuzz_long` (ignored) runs the same properties with many more inputs and prints how many
//! it tried: `scripts/fuzz.sh` (cargo-fuzz needs nightly; this is proptest's runner).

use epay_core::epay_cash::{parse_valid_time, EpayCode};
use epay_core::gate::{self, GateCustomer, GatePayment, GeneralIds, ReturnUrl, SaleKind};
use epay_core::params::{
    documented_problems, is_param_name, read_flat, resplit_name, CustomerData, Params, PaymentRequest, Scalar, KNOWN_PARAMS,
};
use epay_core::redirect::{check_url, origin, scheme_and_host, FormBody, HttpMethod, RedirectData, UrlPolicy};
use epay_core::signature::{natural_cmp, sign_checked, string_to_sign, SIGNED_OBJECTS};
use epay_core::MinorUnits;
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
    (
        prop::collection::btree_map(prop::sample::select(optional), value(), 0..8),
        prop::sample::select(vec!["KES", "MYR", "USD", "KZT"]),
        1000i64..300_000,
    )
        .prop_map(|(extra, currency, amount)| {
            let mut m = base_set(amount, currency);
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

/// The five base parameters of a Payment Page set (project 250, order-1, customer1).
fn base_set(amount: i64, currency: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("project_id".into(), Value::from(250));
    m.insert("payment_id".into(), Value::from("order-1"));
    m.insert("payment_amount".into(), Value::from(amount));
    m.insert("payment_currency".into(), Value::from(currency));
    m.insert("customer_id".into(), Value::from("customer1"));
    m
}

/// The values as the signature sees them.
fn as_text(obj: &Map<String, Value>) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = obj
        .iter()
        .filter(|(k, _)| !epay_core::signature::SKIPPED_KEYS.contains(&k.as_str()))
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

/// What the platform accepts with the structural rule switched off: readable names and
/// each parameter's own rule, nothing about how the values sign.
fn accepted_without_structure(obj: &Map<String, Value>) -> bool {
    let mut p = to_params(obj);
    p.insert("signature".into(), Scalar::Text("c2ln".into()));
    p.iter().all(|(k, _)| is_param_name(k)) && documented_problems(&p).is_empty() && PaymentRequest::parse_fields(&p).is_ok()
}

/// The splices of `set` that `accept` takes together with `set` itself: other readings of
/// its signing string, accepted with the same signature.
fn splices_accepted_with(set: &Map<String, Value>, accept: fn(&Map<String, Value>) -> bool) -> Vec<Map<String, Value>> {
    let s = string_to_sign(&Value::Object(set.clone()));
    if !accept(set) {
        return vec![];
    }
    re_splits(&s)
        .into_iter()
        .filter(|other| as_text(other) != as_text(set) && string_to_sign(&Value::Object(other.clone())) == s && accept(other))
        .collect()
}

/// The splice property on one set: no other reading of its signing string is accepted when
/// the set itself is; a set the checked signer does not warn about is accepted or refused
/// for another rule, never for how it signs; and an accepted set's string reads back as
/// the set (`read_flat`, the platform's one reading).
fn no_accepted_splice(set: &Map<String, Value>) -> Result<(), TestCaseError> {
    let doc = Value::Object(set.clone());
    let splices = splices_accepted_with(set, accepted);
    prop_assert!(splices.is_empty(), "both accepted with one signature:\n{set:?}\n{:?}", splices[0]);
    let warned = !sign_checked(&doc, "k").warnings.is_empty();
    let mut p = to_params(set);
    p.insert("signature".into(), Scalar::Text("c2ln".into()));
    prop_assert_eq!(
        warned,
        !PaymentRequest::set_problems(&p).is_empty(),
        "the signer warns exactly when the platform refuses how the set signs: {:?}",
        set
    );
    if accepted(set) {
        let mut expected = as_text(set);
        expected.sort_by(|a, b| natural_cmp(&a.0, &b.0));
        prop_assert_eq!(read_flat(&string_to_sign(&doc)), Some(expected));
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

    /// The attack, around random sets: a value hiding `;payment_amount:`. In a
    /// parameter sorting before `payment_amount` it reads as another item: the signer warns
    /// and the platform refuses. In `payment_description` (after it) no reading can split
    /// it, so it is no splice: no warning, and never two accepted readings.
    #[test]
    fn a_hidden_amount_is_refused_by_the_signer_and_the_platform(mut set in known_set(), fake in 1i64..1_000_000, field in prop::sample::select(vec!["customer_last_name", "customer_first_name", "payment_description", "customer_email"])) {
        set.insert(field.to_string(), Value::from(format!("Tan;payment_amount:{fake};payment_amount_")));
        let warned = sign_checked(&Value::Object(set.clone()), "k").warnings.iter().any(|w| w.param == field && w.code == "separator");
        // In every field: where payment_amount sorts after the field the value would split
        // (rule 3); in payment_description, which sorts after it, the value could hold the
        // set's real amount, swallowed (rule 3b).
        prop_assert!(warned);
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

/// Sets the platform mostly accepts: the base parameters, plus free-text documented
/// parameters and undocumented readable names, with values full of `;`, `:` and names.
fn mostly_accepted_set() -> impl Strategy<Value = Map<String, Value>> {
    let names = prop_oneof![
        prop::sample::select(vec![
            "customer_first_name",
            "customer_last_name",
            "payment_description",
            "payment_extra_param",
            "billing_address",
            "target_element",
            "zz",
            "a",
        ])
        .prop_map(str::to_string),
        "[a-z]{1,3}",
        "[a-z_]{1,12}",
    ];
    (
        prop::collection::btree_map(names, spliceable_text(), 1..5),
        prop::sample::select(vec![("KES", 10_000i64), ("MYR", 500_000), ("KZT", 100_000)]),
    )
        .prop_map(|(extra, (currency, amount))| {
            let mut m = base_set(amount, currency);
            for (k, v) in extra {
                m.entry(k).or_insert(Value::from(v));
            }
            m
        })
}

/// Issue 23: no two different sets the platform accepts share a signing string, hence a
/// signature: for random sets (most of them accepted), every other reading of the signing
/// string is refused, and the platform's one reading gives the set back.
#[test]
fn accepted_sets_never_share_a_signing_string() {
    let mut runner = TestRunner::new(Config { cases: 512, failure_persistence: None, ..Config::default() });
    let (seen, took) = (std::cell::Cell::new(0u32), std::cell::Cell::new(0u32));
    runner
        .run(&mostly_accepted_set(), |set| {
            seen.set(seen.get() + 1);
            if accepted(&set) {
                took.set(took.get() + 1);
            }
            no_accepted_splice(&set)
        })
        .unwrap();
    assert!(took.get() * 3 >= seen.get(), "only {} of {} random sets accepted: the property says little", took.get(), seen.get());
}

/// What a customer can make of a set the shop signed, accepted or not: any other reading of
/// its signing string that the platform accepts keeps every parameter of the set whose
/// value holds no `;` (the amount, the currency, the ids) as the shop signed it; it can only
/// add parameters the shop did not send (rule 3b, params.rs "Splicing, by structure").
fn no_reading_changes_what_the_shop_signed(set: &Map<String, Value>) -> Result<(), TestCaseError> {
    let s = string_to_sign(&Value::Object(set.clone()));
    let signed = as_text(set);
    for other in re_splits(&s) {
        if as_text(&other) == signed || string_to_sign(&Value::Object(other.clone())) != s || !accepted(&other) {
            continue;
        }
        let read: std::collections::HashMap<String, String> = as_text(&other).into_iter().collect();
        for (k, v) in signed.iter().filter(|(_, v)| !v.contains(';')) {
            prop_assert_eq!(read.get(k), Some(v), "{} changed by a reading the platform accepts:\n{:?}\n{:?}", k, set, other);
        }
    }
    Ok(())
}

/// The issue-13 splice in the shape the structural rule must stop: a value the customer
/// typed holding later items, the real ones swallowed by a later, undocumented name. With
/// the rule switched off, both readings are accepted under one signature; with it, one.
#[test]
fn the_structural_rule_is_what_stops_the_splice() {
    let set: Map<String, Value> = serde_json::from_value(serde_json::json!({
        "project_id": 250, "payment_id": "order-1", "payment_amount": 500000, "payment_currency": "MYR",
        "customer_id": "customer1",
        "customer_last_name": "Tan;payment_amount:1000;payment_currency:MYR;payment_id:order-1;project_id:250;zzz:",
    }))
    .unwrap();
    let off = splices_accepted_with(&set, accepted_without_structure);
    assert!(off.iter().any(|o| o["payment_amount"] == "1000"), "{off:?}");
    assert!(!accepted(&set), "the shop's set is refused: its value reads as later items");
    assert!(splices_accepted_with(&set, accepted).is_empty());
    assert!(sign_checked(&Value::Object(set.clone()), "k").warnings.iter().any(|w| w.param == "customer_last_name"));
    no_reading_changes_what_the_shop_signed(&set).unwrap();

    // And on random sets with a hidden amount: the search finds splices when the rule is off.
    let mut runner = TestRunner::new(Config { cases: 256, failure_persistence: None, ..Config::default() });
    let found = std::cell::Cell::new(0u32);
    let strategy = (known_set(), 1000i64..1_000_000, "[a-z]{0,3}", prop::sample::select(vec!["customer_last_name", "customer_first_name"]));
    runner
        .run(&strategy, |(mut set, fake, tail, field)| {
            let currency = set["payment_currency"].as_str().unwrap_or_default().to_string();
            set.insert(
                field.to_string(),
                Value::from(format!("x;payment_amount:{fake};payment_currency:{currency};payment_id:order-1;project_id:250;zz{tail}:")),
            );
            if !splices_accepted_with(&set, accepted_without_structure).is_empty() {
                found.set(found.get() + 1);
            }
            prop_assert!(splices_accepted_with(&set, accepted).is_empty());
            // The shop's set is refused, but it signed it: no reading the platform takes
            // may move the amount (rule 3 alone let `zz…` swallow the real one).
            no_reading_changes_what_the_shop_signed(&set)?;
            Ok(())
        })
        .unwrap();
    assert!(found.get() > 0, "with the rule off the search must find a splice");
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
    runner
        .run(&"\\PC{0,60}", |s| {
            let _ = parse_valid_time(&s);
            let _ = check_url(&s, SANDBOX);
            let _ = origin(&format!("https://{s}"));
            Ok(())
        })
        .unwrap();
    report("parse_valid_time, check_url, origin on random unicode", cases as u64);

    let mut runner = TestRunner::new(config());
    runner.run(&known_set(), |set| no_accepted_splice(&set)).unwrap();
    report("splices of random signed sets", cases as u64);

    let mut runner = TestRunner::new(config());
    runner.run(&gate_sale(), |sale| no_accepted_gate_splice(&sale)).unwrap();
    report("splices of signed Gate sales", cases as u64);

    let mut runner = TestRunner::new(config());
    let pairs = prop::collection::vec(("\\PC{0,12}", "\\PC{0,80}"), 0..30);
    runner
        .run(&pairs, |pairs| {
            let p = Params::from_pairs(pairs.into_iter().map(|(k, v)| (k, Scalar::Text(v))).collect());
            let _ = PaymentRequest::parse(&p);
            Ok(())
        })
        .unwrap();
    report("PaymentRequest::parse on random sets", cases as u64);

    println!("fuzz: {total} inputs tried in all");
}

// ---------------------------------------------------------------- Gate

/// Whole items of a Gate body as the signing string writes them (`path:value`), as a
/// customer could type them into a name or a description; `zz` is a key the platform
/// does not read.
const GATE_ITEMS: [&str; 10] = [
    "customer:phone:254700000001",
    "customer:email:x@evil.example",
    "customer:last_name:",
    "general:merchant_callback_url:https://evil.example/cb",
    "general:payment_id:other",
    "payment:amount:1000",
    "payment:currency:KES",
    "payment:description:",
    "return_url:success:https://evil.example/",
    "zz:",
];

/// Pieces of Gate values that make splices likely: the separators, whole items (mostly
/// after a `;`, where the signer puts them), words, digits.
fn gate_piece() -> impl Strategy<Value = String> {
    let item = || prop::sample::select(GATE_ITEMS.to_vec());
    prop_oneof![
        2 => Just(";".to_string()),
        1 => Just(":".to_string()),
        3 => item().prop_map(|i| format!(";{i}")),
        1 => item().prop_map(str::to_string),
        2 => "[A-Za-z ]{1,5}",
        1 => "[0-9]{1,4}",
    ]
}

fn gate_text() -> impl Strategy<Value = String> {
    prop::collection::vec(gate_piece(), 1..5).prop_map(|v| v.concat())
}

/// A card-partner or EPay cash sale as a merchant's server would build it, with
/// customer-typed names and a description that may hold anything.
#[derive(Debug, Clone)]
struct GateSale {
    kind: SaleKind,
    general: GeneralIds,
    customer: GateCustomer,
    payment: GatePayment,
    back: ReturnUrl,
}

fn gate_sale() -> impl Strategy<Value = GateSale> {
    let text = || prop::option::of(gate_text());
    (any::<bool>(), any::<bool>(), any::<bool>(), text(), text(), text(), any::<bool>()).prop_map(
        |(epay, phone, email, first, last, description, back)| {
            let mut customer = GateCustomer::new("customer-42", "1.2.3.4");
            customer.data.first_name = first;
            customer.data.last_name = last;
            let mut payment = GatePayment::new(MinorUnits(500_000), if epay { "MYR" } else { "KES" });
            payment.description = description;
            if epay {
                // EPay cash requires every one of them.
                customer.data.phone = Some("60123456789".into());
                customer.data.email = Some("customer@example.com".into());
                customer.data.first_name.get_or_insert_with(|| "Siti".into());
                customer.data.last_name.get_or_insert_with(|| "Tan".into());
                payment.description.get_or_insert_with(|| "Order 5".into());
            } else {
                customer.data.phone = phone.then(|| "254712345678".into());
                customer.data.email = email.then(|| "customer@example.com".into());
            }
            GateSale {
                kind: if epay { SaleKind::Epay } else { SaleKind::CardPartner },
                general: GeneralIds { project_id: 250, payment_id: "order-1".into() },
                customer,
                payment,
                back: if back && !epay { ReturnUrl::both("https://shop.example/back") } else { ReturnUrl::default() },
            }
        },
    )
}

/// The signed body the core's builders make of `sale` (or their refusal).
fn build_gate_sale(sale: &GateSale) -> Result<Value, Vec<epay_core::ParamError>> {
    match sale.kind {
        SaleKind::CardPartner => gate::card_partner_sale_returning(&sale.general, &sale.customer, &sale.payment, &sale.back, "k"),
        SaleKind::Epay => gate::epay_sale(&sale.general, &sale.customer, &sale.payment, "k"),
    }
}

/// Everything the platform reads of a Gate sale: the sale, its return URLs, where its
/// callbacks go. `None` when the platform refuses the body.
type GateReading = (gate::SaleRequest, ReturnUrl, Option<Value>);

fn gate_reading(kind: SaleKind, doc: &Value) -> Option<GateReading> {
    if !gate::resplit_problems(doc).is_empty() {
        return None;
    }
    let sale = gate::parse_sale(kind, doc).ok()?;
    let back = gate::parse_return_url(doc, SANDBOX).ok()?;
    Some((sale, back, doc.pointer("/general/merchant_callback_url").cloned()))
}

/// Every way to read one item of a signing string as `path:value`: the path's keys are
/// joined by `:` (`::` is a colon inside a key); the value is the rest. Each step spends
/// one of `budget`.
fn item_readings(item: &str, budget: &mut usize) -> Vec<(Vec<String>, String)> {
    let bytes = item.as_bytes();
    let mut out = Vec::new();
    // (position, keys so far, the key being read)
    let mut stack: Vec<(usize, Vec<String>, String)> = vec![(0, Vec::new(), String::new())];
    while let Some((i, keys, key)) = stack.pop() {
        if *budget == 0 {
            break;
        }
        *budget -= 1;
        let Some(rel) = item[i..].find(':') else { continue };
        let at = i + rel;
        let key = format!("{key}{}", &item[i..at]);
        if !key.is_empty() {
            let mut path = keys.clone();
            path.push(key.clone());
            // This colon ends the path.
            out.push((path.clone(), item[at + 1..].to_string()));
            // ... or ends one key of it.
            stack.push((at + 1, path, String::new()));
        }
        // ... or, doubled, is a colon inside the key.
        if bytes.get(at + 1) == Some(&b':') {
            stack.push((at + 2, keys, format!("{key}:")));
        }
    }
    out
}

/// A leaf of a re-split reading as JSON: a number where the platform reads a number.
fn gate_leaf(path: &[String], text: &str) -> Value {
    let numeric = matches!(path, [a, b] if (a == "general" && b == "project_id") || (a == "payment" && b == "amount"));
    match text.parse::<u64>() {
        Ok(n) if numeric && n.to_string() == text => Value::from(n),
        _ => Value::from(text),
    }
}

fn insert_leaf(root: &mut Map<String, Value>, path: &[String], leaf: Value) -> bool {
    let (last, parents) = path.split_last().expect("a path has a key");
    let mut obj = root;
    for key in parents {
        let next = obj.entry(key.clone()).or_insert_with(|| Value::Object(Map::new()));
        let Value::Object(next) = next else { return false };
        obj = next;
    }
    obj.insert(last.clone(), leaf).is_none()
}

/// Every other reading of the signing string `s` as a nested JSON body whose signing
/// string is `s` again: items split at any `;`, paths at any `:`, in the signing order,
/// no key both a value and an object. Readings the platform refuses on their face are
/// left out, since it refuses them before anything else (`gate::resplit_problems`, tested
/// on its own below): a key holding `;` or `:`, a value hiding `;general:` or another Gate
/// object. `None` when that takes more than `budget` steps.
fn gate_re_splits(s: &str, budget: usize) -> Option<Vec<Value>> {
    /// One reading of an item: its keys, its path as the signer writes it, its value.
    type Item = (Vec<String>, String, String);
    struct Walk<'a> {
        tokens: Vec<&'a str>,
        /// The readings of tokens `from..to` joined, by (from, to), read once.
        items: std::collections::HashMap<(usize, usize), Vec<Item>>,
        budget: usize,
        out: Vec<Value>,
    }
    fn prefix_of(a: &[String], b: &[String]) -> bool {
        a.len() <= b.len() && a == &b[..a.len()]
    }
    impl Walk<'_> {
        fn walk(&mut self, from: usize, chosen: &mut Vec<Item>) -> bool {
            if from == self.tokens.len() {
                let mut root = Map::new();
                if chosen.iter().all(|(path, _, text)| insert_leaf(&mut root, path, gate_leaf(path, text))) {
                    self.out.push(Value::Object(root));
                }
                return true;
            }
            for to in from + 1..=self.tokens.len() {
                if !self.items.contains_key(&(from, to)) {
                    let text = self.tokens[from..to].join(";");
                    let readings = item_readings(&text, &mut self.budget)
                        .into_iter()
                        .filter(|(path, value)| {
                            path.iter().all(|k| !k.contains([';', ':'])) && resplit_name(value, SIGNED_OBJECTS).is_none()
                        })
                        .map(|(path, value)| {
                            let written = path.join(":");
                            (path, written, value)
                        })
                        .collect();
                    self.items.insert((from, to), readings);
                }
                for i in 0..self.items[&(from, to)].len() {
                    if self.budget == 0 {
                        return false;
                    }
                    self.budget -= 1;
                    let item = self.items[&(from, to)][i].clone();
                    // The signer sorts the items: a reading keeps their order; and a key
                    // holds either a value or an object.
                    let in_order = chosen.last().is_none_or(|last| natural_cmp(&last.1, &item.1) == std::cmp::Ordering::Less);
                    if !in_order || chosen.iter().any(|c| prefix_of(&c.0, &item.0) || prefix_of(&item.0, &c.0)) {
                        continue;
                    }
                    chosen.push(item);
                    let complete = self.walk(to, chosen);
                    chosen.pop();
                    if !complete {
                        return false;
                    }
                }
            }
            true
        }
    }
    let mut w = Walk { tokens: s.split(';').collect(), items: Default::default(), budget, out: Vec::new() };
    w.walk(0, &mut Vec::new()).then_some(w.out)
}

/// The Gate splice property on one sale: when the builders sign it, no other reading of
/// its signing string is a body the platform accepts and reads differently.
fn no_accepted_gate_splice(sale: &GateSale) -> Result<(), TestCaseError> {
    let Ok(signed) = build_gate_sale(sale) else { return Ok(()) };
    let reading = gate_reading(sale.kind, &signed);
    prop_assert!(reading.is_some(), "the platform refuses what the builders signed: {signed}");
    let s = string_to_sign(&signed);
    let Some(others) = gate_re_splits(&s, 100_000) else { return Ok(()) };
    for mut other in others {
        if string_to_sign(&other) != s {
            continue;
        }
        if let Some(general) = other.get_mut("general").and_then(Value::as_object_mut) {
            general.insert("signature".into(), signed["general"]["signature"].clone());
        }
        let Some(other_reading) = gate_reading(sale.kind, &other) else { continue };
        prop_assert_eq!(
            &other_reading,
            reading.as_ref().unwrap(),
            "one signature, two accepted sales:\nsigned {}\nspliced {}",
            signed,
            other
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(Config { cases: 256, ..Config::default() })]

    /// Gate bodies are nested, and the signing string prefixes each value with its whole
    /// path (`customer:last_name:...`), but a value is not escaped: `Tan;customer:phone:2547...`
    /// signs exactly like a last name `Tan` and a phone. The builders refuse such a value
    /// and the platform refuses a body holding one, so no re-split of a signed sale is
    /// accepted as another.
    #[test]
    fn splices_of_signed_gate_sales_are_never_accepted(sale in gate_sale()) {
        no_accepted_gate_splice(&sale)?;
    }
}

/// The splices the property found before the fix, each now refused.
#[test]
fn the_gate_splices_found_before_the_fix_are_refused() {
    let sale = |last_name: Option<&str>, description: Option<&str>, back: ReturnUrl| GateSale {
        kind: SaleKind::CardPartner,
        general: GeneralIds { project_id: 250, payment_id: "order-1".into() },
        customer: GateCustomer {
            data: CustomerData { last_name: last_name.map(str::to_string), ..Default::default() },
            ..GateCustomer::new("customer-42", "1.2.3.4")
        },
        payment: GatePayment { description: description.map(str::to_string), ..GatePayment::new(MinorUnits(500_000), "KES") },
        back,
    };
    // A description that reads as a success URL sending the customer to evil.example:
    // the builders refuse to sign it.
    let evil = sale(None, Some(";return_url:success:https://evil.example/"), ReturnUrl::default());
    assert_eq!(build_gate_sale(&evil).unwrap_err()[0].param, "payment.description");
    // Signed as they are, but with other readings: the decline URL swallowing the success
    // URL; a last name `::` read as a key `last_name:` holding nothing. The platform refuses
    // those readings.
    let both = build_gate_sale(&sale(None, None, ReturnUrl::both("https://shop.example/back"))).unwrap();
    let mut swallowed = both.clone();
    swallowed["return_url"] = serde_json::json!({"decline": "https://shop.example/back;return_url:success:https://shop.example/back"});
    let colons = build_gate_sale(&sale(Some("::"), None, ReturnUrl::default())).unwrap();
    let mut keyed = colons.clone();
    keyed["customer"].as_object_mut().unwrap().remove("last_name");
    keyed["customer"]["last_name:"] = Value::from("");
    for (signed, spliced) in [(both, swallowed), (colons, keyed)] {
        assert_eq!(string_to_sign(&spliced), string_to_sign(&signed));
        assert!(gate_reading(SaleKind::CardPartner, &signed).is_some());
        assert!(gate_reading(SaleKind::CardPartner, &spliced).is_none(), "accepted: {spliced}");
    }
}

#[test]
fn item_readings_split_the_path_at_every_colon() {
    let r = item_readings("customer:last_name:Tan:x", &mut 100);
    let paths: Vec<String> = r.iter().map(|(p, v)| format!("{}={v}", p.join("/"))).collect();
    assert_eq!(paths.len(), 3, "{paths:?}");
    assert!(paths.contains(&"customer=last_name:Tan:x".to_string()));
    assert!(paths.contains(&"customer/last_name=Tan:x".to_string()));
    assert!(paths.contains(&"customer/last_name/Tan=x".to_string()));
    assert!(item_readings("e::f:1", &mut 100).iter().any(|(p, v)| p == &["e:f".to_string()] && v == "1"));
}

#[test]
fn the_platform_refuses_a_gate_body_hiding_an_item_naming_it() {
    use serde_json::json;
    let named = |doc: &Value| gate::resplit_problems(doc).into_iter().map(|e| e.param).collect::<Vec<_>>();
    // A last name hiding a phone; a decline URL that swallowed the success URL.
    let doc = json!({"general": {"project_id": 250, "payment_id": "p"}, "customer": {"last_name": "Tan;customer:phone:254700000001"}});
    assert_eq!(named(&doc), ["customer.last_name"]);
    let doc = json!({"return_url": {"decline": "https://a.example/;return_url:success:https://a.example/"}});
    assert_eq!(named(&doc), ["return_url.decline"]);
    // Keys holding a separator: `;` joins items, `:` (written `::`) is what a value
    // starting with `:` makes of the key before it.
    let doc = json!({"customer": {"last_name:": "", "a;b": "c"}});
    assert_eq!(named(&doc), ["customer.last_name:", "customer.a;b"]);
    // `;` and `:` as text are fine.
    assert!(named(&json!({"payment": {"description": "2 items; gift: yes"}})).is_empty());
}

#[test]
fn the_gate_builders_refuse_a_value_that_reads_as_another_item() {
    let general = GeneralIds { project_id: 250, payment_id: "order-1".into() };
    let customer = GateCustomer::new("customer-42", "1.2.3.4").with_name("Siti", "Tan;customer:phone:254700000001");
    let errs = gate::card_partner_sale(&general, &customer, &GatePayment::new(MinorUnits(10_000), "KES"), "k").unwrap_err();
    assert_eq!(errs[0].param, "customer.last_name");
    assert!(errs[0].message.contains(";customer:"), "{}", errs[0].message);
    // Gate takes keys it does not know: any `;name:` could become one.
    let payment = GatePayment::new(MinorUnits(10_000), "KES").with_description("Shoes;size:42");
    let customer = GateCustomer::new("customer-42", "1.2.3.4");
    assert_eq!(gate::card_partner_sale(&general, &customer, &payment, "k").unwrap_err()[0].param, "payment.description");
    let payment = GatePayment::new(MinorUnits(10_000), "KES").with_description("Shoes; size 42: blue");
    assert_eq!(gate::card_partner_sale(&general, &customer, &payment, "k").unwrap_err()[0].param, "payment.description");
    let payment = GatePayment::new(MinorUnits(10_000), "KES").with_description("2 items; gift wrap");
    assert!(gate::card_partner_sale(&general, &customer, &payment, "k").is_ok());
    let back = ReturnUrl::both("https://shop.example/back;x:1");
    let errs = gate::card_partner_sale_returning(&general, &customer, &payment, &back, "k").unwrap_err();
    assert_eq!(errs[0].param, "return_url.success");
    let odd = GeneralIds { project_id: 250, payment_id: "order;general:project_id:1".into() };
    assert_eq!(gate::card_partner_refund(&odd, "k").unwrap_err()[0].param, "general.payment_id");
}

#[test]
fn the_gate_reader_finds_the_splice_of_a_hidden_phone() {
    // The reading the property looks for: a last name hiding a phone.
    let doc = serde_json::json!({"customer": {"id": "c", "last_name": "Tan;customer:phone:254700000001"}, "general": {"project_id": 250}});
    let s = string_to_sign(&doc);
    let found = gate_re_splits(&s, 10_000).unwrap();
    assert!(found
        .iter()
        .any(|d| d.pointer("/customer/phone") == Some(&Value::from("254700000001")) && d["customer"]["last_name"] == "Tan"));
}
