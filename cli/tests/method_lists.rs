//! The places outside Rust that list the payment methods, held to the catalog
//! (`MethodCode::ALL`): a method added to the core and missing from one of them fails here,
//! naming the file and the method. (Rust code takes its lists from the catalog; the d.ts
//! union is also compared both ways in `src/error.rs`.) Two lists are fixed sets by design
//! and are held the other way, every entry a method of the catalog: the bench's
//! `OURS_METHODS` (paired with the three methods of the Adyen page) and the screens of
//! `e2e/lib/screens.js` (one per screen; each kind of next step has its screen there).
//! The npm package's description is the crate's, written in by `scripts/build-widget.sh`;
//! the demo shop's order form (`www/index.html`, `www/module.html`) takes its methods and
//! currencies from the sandbox (`/merchant/methods.js`, the catalog).

mod common;

use common::Sandbox;
use epay_cli::sandbox::demo_shop::orders::METHODS_JS_PATH;
use epay_core::protocol::ActionKind;
use epay_core::MethodCode;
use std::path::Path;

fn read(file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// The text between the first `start` and the next `end` after it.
fn section<'a>(file: &str, text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("{file}: no {start:?} (the test reads the method list there)"));
    let rest = &text[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// Lower-case letters and digits only: `EPay cash`, `epaycash` and `E-Pay cash` are alike.
fn squeezed(text: &str) -> String {
    text.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// A method as the lists name it: its code and its currencies.
struct Named<'a> {
    code: &'a str,
    currencies: &'a [&'a str],
}

/// One place that lists the methods: the file, what it must hold for a method, and
/// whether it does.
struct Place {
    file: &'static str,
    rule: &'static str,
    lists: fn(&str, &Named) -> bool,
}

const PLACES: &[Place] = &[
    Place {
        file: "js/epay-widget.d.ts",
        rule: "'CODE' in the MethodCode union",
        lists: |text, m| section("js/epay-widget.d.ts", text, "export type MethodCode =", ";").contains(&format!("'{}'", m.code)),
    },
    Place {
        file: "Cargo.toml",
        rule: "its name and currencies in the package's description",
        lists: |text, m| names(section("Cargo.toml", text, "description =", "\n"), m),
    },
    Place {
        file: "README.md",
        rule: "its name and currencies in the first paragraph (what the widget does)",
        lists: |text, m| names(text.split("\n\n").nth(1).unwrap_or_default(), m),
    },
    Place {
        file: "docs/protocol.md",
        rule: "`CODE` in the list of `force_payment_method` values",
        lists: |text, m| section("docs/protocol.md", text, "`force_payment_method` one of", "\n").contains(&format!("`{}`", m.code)),
    },
];

/// Whether prose names the method (its code, spaces, hyphens and case aside, or each word
/// of it: `card payments through a partner` names `card-partner`) and its currencies.
fn names(prose: &str, m: &Named) -> bool {
    let lower = prose.to_ascii_lowercase();
    let named = squeezed(prose).contains(&squeezed(m.code)) || m.code.split('-').all(|w| lower.contains(w));
    named && m.currencies.iter().all(|c| prose.contains(c))
}

#[test]
fn every_place_that_lists_methods_lists_every_method() {
    let mut missing = Vec::new();
    for place in PLACES {
        let text = read(place.file);
        for m in MethodCode::ALL {
            let currencies: Vec<&str> = m.rule().currencies.iter().map(|l| l.currency).collect();
            if !(place.lists)(&text, &Named { code: m.as_str(), currencies: &currencies }) {
                missing.push(format!("{}: {} is missing (wanted: {})", place.file, m.as_str(), place.rule));
            }
        }
    }
    assert!(missing.is_empty(), "methods of MethodCode::ALL missing from the lists outside Rust:\n{}", missing.join("\n"));
}

/// A method no file lists is seen as missing everywhere (the checks are not vacuous).
#[test]
fn the_checks_see_a_missing_method() {
    let absent = Named { code: "bank-transfer-x", currencies: &["XTS"] };
    for place in PLACES {
        assert!(!(place.lists)(&read(place.file), &absent), "{}: the check does not notice a missing method", place.file);
    }
}

/// The values of `key` in `text`: `method: 'x'` or `method=x` gives `x`.
fn values<'a>(text: &'a str, key: &str) -> Vec<&'a str> {
    text.match_indices(key)
        .map(|(i, _)| &text[i + key.len()..])
        .map(|rest| rest.trim_start_matches('\'').split(['\'', '&', '`', '"']).next().unwrap_or_default())
        .collect()
}

#[test]
fn the_bench_and_the_screens_name_methods_of_the_catalog() {
    let bench = read("bench/bench.mjs");
    let ours = section("bench/bench.mjs", &bench, "const OURS_METHODS", "];");
    let methods = values(ours, "method: ");
    let currencies = values(ours, "currency: ");
    assert!(!methods.is_empty() && methods.len() == currencies.len(), "bench/bench.mjs: OURS_METHODS unreadable: {ours}");
    for (code, currency) in methods.iter().zip(&currencies) {
        let m = MethodCode::parse(code).unwrap_or_else(|| panic!("bench/bench.mjs: OURS_METHODS names {code:?}, not a method"));
        assert!(m.rule().currencies.iter().any(|l| l.currency == *currency), "bench/bench.mjs: {code} does not take {currency}");
    }
    let screens = read("e2e/lib/screens.js");
    let named = values(&screens, "method=");
    assert!(!named.is_empty(), "e2e/lib/screens.js: no method=... query");
    for code in named.into_iter().chain(values(&screens, "method = '")) {
        assert!(MethodCode::parse(code).is_some(), "e2e/lib/screens.js: {code:?} is not a method");
    }
}

/// The screen (`data-screen`) the widget shows for a kind of next step.
fn screen_of(kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::Redirect => "redirecting",
        ActionKind::ShowCode => "code",
        ActionKind::Terminal => "terminal",
    }
}

#[test]
fn every_kind_of_next_step_has_its_screen_in_screens_js() {
    let screens = read("e2e/lib/screens.js");
    for kind in ActionKind::ALL {
        let screen = screen_of(kind);
        assert!(screens.contains(&format!("screen: '{screen}'")), "e2e/lib/screens.js: no '{screen}' screen ({})", kind.as_str());
    }
}

#[test]
fn the_npm_description_is_the_crates() {
    let package = read("js/package.json");
    assert!(
        package.contains("\"description\": \"set-by-build-widget: the crate's description\""),
        "js/package.json: the description is written by scripts/build-widget.sh from Cargo.toml's, which method_lists holds to the catalog"
    );
    assert!(read("scripts/build-widget.sh").contains("set-by-build-widget: the crate's description"), "scripts/build-widget.sh writes it");
}

/// The demo forms list no method themselves: `www/demo-form.js` builds them from
/// `/merchant/methods.js`, which lists every method of the catalog with its currencies.
#[tokio::test]
async fn the_demo_forms_take_the_methods_from_the_catalog() {
    for page in ["www/index.html", "www/module.html"] {
        let text = read(page);
        assert!(text.contains("src=\"/demo.js\""), "{page}: the demo shop's script");
        for m in MethodCode::ALL {
            assert!(
                !text.contains(&format!("<option value=\"{}\">", m.as_str())),
                "{page}: lists {} (demo-form.js adds the methods)",
                m.as_str()
            );
        }
    }
    let form = read("www/demo-form.js");
    assert!(form.contains(&format!("import {{ METHODS }} from '{METHODS_JS_PATH}';")), "www/demo-form.js: imports the methods");
    for m in MethodCode::ALL {
        assert!(!form.contains(&format!("'{}'", m.as_str())), "www/demo-form.js: lists {} (it takes METHODS)", m.as_str());
    }
    let sb = Sandbox::start().await;
    let r = sb.http.get(sb.url(METHODS_JS_PATH)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
    let js = r.text().await.unwrap();
    let list = js.split_once("export const METHODS = ").map(|(_, l)| l.trim_end().trim_end_matches(';')).expect("the export");
    let methods: serde_json::Value = serde_json::from_str(list).unwrap();
    let expected: Vec<serde_json::Value> = MethodCode::ALL
        .iter()
        .map(|m| {
            let currencies: Vec<&str> = m.rule().currencies.iter().map(|l| l.currency).collect();
            serde_json::json!({ "code": m.as_str(), "name": epay_core::i18n::t(epay_core::i18n::Lang::En, epay_core::i18n::method_keys(*m).0), "currencies": currencies })
        })
        .collect();
    assert_eq!(methods, serde_json::Value::Array(expected));
    sb.stop().await;
}
