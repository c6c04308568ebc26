//! Issue 13 in a real browser: nothing panics or hangs on hostile input (items 6 and 9),
//! and the pay request carries the return URL the merchant signed (item 2).
#![cfg(target_arch = "wasm32")]

mod support;

use epay_core::callback::PaymentStatus;
use epay_core::catalog::CustomerField;
use epay_core::flow::CallFailure;
use epay_core::params::CustomerData;
use epay_core::protocol::PaymentView;
use epay_core::redirect::{FormBody, HttpMethod};
use epay_core::{MethodCode, RedirectData};
use epay_widget::interop::{decode_open, decode_payment_view, redirect_data_to_js};
use epay_widget::redirect::{follow_redirect, NavigateHook};
use std::cell::RefCell;
use std::rc::Rc;
use support::*;
use wasm_bindgen_test::*;
use web_sys::HtmlFormElement;

wasm_bindgen_test_configure!(run_in_browser);

/// Item 6: `valid_time` with a non-ASCII character after the offset sign panicked at a byte
/// slice (`RuntimeError: unreachable`). Now: the error screen and `onError` naming it.
#[wasm_bindgen_test]
async fn show_code_with_a_non_ascii_valid_time_is_an_error_screen_not_a_panic() {
    for valid_time in ["2019-06-15T14:17:26+1é1", "2019-06-15T14:17:26+é:00", "2019-06-15 14:1é:26"] {
        let rd = RedirectData {
            method: HttpMethod::Get,
            url: "https://onlinepayment.epay.com".into(),
            body: FormBody(vec![
                ("reference_number".into(), "045-050-000".into()),
                ("valid_time".into(), valid_time.into()),
                ("user_name".into(), "THANAPAT JISAMANYA".into()),
            ]),
        };
        let on_error = Recorder::new();
        let box_ = container();
        let h = epay_widget::show_code((&box_).into(), redirect_data_to_js(&rd), object(&[("onError", on_error.function().into())]))
            .unwrap_or_else(|e| panic!("showCode: {e}"));
        let root = shadow(&host_in(&box_));
        assert_eq!(screen(&root), "error", "{valid_time}");
        assert_eq!(on_error.count(), 1, "{valid_time}");
        assert_eq!(get(&on_error.last(), "param").as_string().as_deref(), Some("redirect_data.body.valid_time"));
        h.destroy();
        box_.remove();
    }
}

/// Item 6: a platform answer with a bad `currency` made `Intl.NumberFormat` throw a
/// RangeError out of the widget, which stayed on its loading screen.
#[wasm_bindgen_test]
fn a_bad_currency_in_a_platform_answer_is_refused_by_the_decoder_naming_the_field() {
    let open = r#"{"session":"s1","project_id":250,"payment_id":"X","amount":1000,"currency":"m$","methods":[],"payment":{}}"#;
    let err = epay_widget::api::decode(200, open, decode_open).expect_err("refused");
    assert_eq!((err.code().as_str(), err.param()), ("protocol", Some("currency")), "{}", err.message());
    let view = r#"{"status":"success","sum":{"amount":1000,"currency":"€€€€"}}"#;
    let err = epay_widget::api::decode(200, view, decode_payment_view).expect_err("refused");
    assert_eq!((err.code().as_str(), err.param()), ("protocol", Some("sum.currency")), "{}", err.message());
    // Formatting never throws, whatever it is given.
    let _ = epay_widget::view::format_amount(epay_core::i18n::Lang::En, epay_core::MinorUnits(1000), "not a currency");
}

#[wasm_bindgen_test]
async fn a_bad_currency_in_the_open_answer_is_the_error_screen_and_on_error() {
    let answer = r#"{"session":"s1","project_id":250,"payment_id":"X03936","amount":10000,"currency":"kes1","methods":[{"code":"card-partner","fields":[]}],"payment":{}}"#;
    let (error, _) = error_for_open_answer(epay_widget::api::decode(200, answer, decode_open)).await;
    assert_eq!(get(&error, "param").as_string().as_deref(), Some("currency"));
}

/// Mounts `params("KES", 10_000)` whose `open` answers `answer`; waits for the error screen
/// and returns what `onError` got, and how many `pay` calls went out.
async fn error_for_open_answer(answer: Result<epay_core::protocol::OpenResponse, CallFailure>) -> (wasm_bindgen::JsValue, usize) {
    error_for_open_answer_to(params("KES", 10_000), answer).await
}

async fn error_for_open_answer_to(
    p: wasm_bindgen::JsValue,
    answer: Result<epay_core::protocol::OpenResponse, CallFailure>,
) -> (wasm_bindgen::JsValue, usize) {
    let fake = Fake::new();
    *fake.open.borrow_mut() = Some(answer);
    let on_error = Recorder::new();
    set(&p, "onError", on_error.function().clone());
    let box_ = container();
    let h = mount(&p, &options_in(&box_), &fake, &Captured::default());
    let root = shadow(&host_in(&box_));
    until("the error screen", || screen(&root) == "error").await;
    assert_eq!(on_error.count(), 1);
    h.destroy();
    box_.remove();
    (on_error.last(), fake.count("pay"))
}

fn capture() -> (Rc<RefCell<Vec<HtmlFormElement>>>, NavigateHook) {
    let forms = Rc::new(RefCell::new(vec![]));
    let f = forms.clone();
    (forms, Rc::new(move |form: &HtmlFormElement| f.borrow_mut().push(form.clone())))
}

/// Item 9: URLs the browser cannot parse were accepted and submitted, leaving the page at
/// `about:blank#blocked`.
#[wasm_bindgen_test]
fn follow_redirect_refuses_urls_the_browser_cannot_parse() {
    let (forms, hook) = capture();
    for url in [
        "https://[1:2]/",
        "https://x.example:99999/",
        "http://[::1]evil.example/",
        "https://1.2.3.256/",
        "https://x.example:8a/",
        "https://[::1/",
    ] {
        let rd = js_sys::JSON::parse(&format!(r#"{{"method":"POST","url":{url:?},"body":{{}}}}"#)).unwrap();
        let err = follow_redirect(&rd, &object(&[("sandbox", true.into())]), Some(&hook)).err().unwrap_or_else(|| panic!("{url} refused"));
        assert_eq!((err.code.as_str(), err.param.as_deref()), ("bad_redirect", Some("redirect_data.url")), "{url}");
    }
    assert!(forms.borrow().is_empty(), "nothing navigates");
}

/// Item 2: the widget sends the return URL the merchant signed, when there is one.
#[wasm_bindgen_test]
async fn the_pay_request_carries_the_signed_return_url() {
    for signed in [Some("https://shop.example/thanks?order=7"), None] {
        let fake = Fake::new();
        let known = customer(&[(CustomerField::Phone, "254712345678"), (CustomerField::Email, "c@example.com")]);
        *fake.open.borrow_mut() = Some(Ok(opened("KES", 10_000, known, Some(MethodCode::CardPartner))));
        fake.pay.borrow_mut().push_back(Ok(PaymentView { status: Some(PaymentStatus::AwaitingCustomer), ..Default::default() }));
        let p = params("KES", 10_000);
        set(&p, "force_payment_method", "card-partner");
        if let Some(url) = signed {
            set(&p, "return_url", url);
        }
        let box_ = container();
        let h = mount(&p, &options_in(&box_), &fake, &Captured::default());
        until("pay sent", || fake.count("pay") == 1).await;
        let expected = signed.map(str::to_string).unwrap_or_else(|| web_sys::window().unwrap().location().href().unwrap());
        assert_eq!(fake.pay_requests.borrow()[0].return_url, expected);
        h.destroy();
        box_.remove();
    }
}

/// Issue 25, item 7: a pre-opened answer (`options.opened`, the fast page) for another
/// amount showed KES 1.00 for a payment signed at KES 100.00. Now the error screen, and
/// `onError` naming the parameter; nothing is drawn to pay with.
#[wasm_bindgen_test]
async fn an_opened_answer_for_another_amount_is_refused_naming_it() {
    let p = params("KES", 10_000);
    let early = early_ready(&p, &opened("KES", 100, CustomerData::default(), None));
    let on_error = Recorder::new();
    set(&p, "onError", on_error.function().clone());
    let box_ = container();
    let h = epay_widget::run(p, options_in(&box_), early, wasm_bindgen::JsValue::UNDEFINED).unwrap_or_else(|e| panic!("run: {e}"));
    let root = shadow(&host_in(&box_));
    assert_eq!(screen(&root), "error");
    sleep(0).await;
    assert_eq!(on_error.count(), 1);
    assert_eq!(get(&on_error.last(), "param").as_string().as_deref(), Some("payment_amount"));
    assert_eq!(get(&on_error.last(), "code").as_string().as_deref(), Some("protocol"));
    assert!(root.query_selector("button[data-method]").unwrap().is_none(), "nothing offered to pay with");
    let text = root.text_content().unwrap_or_default();
    assert!(text.contains("payment_amount") || text.contains("100.00"), "says so: {text}");
    h.destroy();
    box_.remove();
}

/// Issue 25, item 7, the same rule for an answer the platform sent: another currency or a
/// method other than the one the merchant forced is refused too. (Which methods fit an
/// unforced payment is the platform's to say, issue 26: the widget has no catalog.)
#[wasm_bindgen_test]
async fn a_fetched_open_answer_that_differs_from_the_signed_parameters_is_refused() {
    let forced = params("KES", 10_000);
    set(&forced, "force_payment_method", "card-partner");
    for (p, answer, param) in [
        (params("KES", 10_000), opened("USD", 10_000, CustomerData::default(), None), "payment_currency"),
        (forced, opened("KES", 10_000, CustomerData::default(), Some(MethodCode::EpayCash)), "force_payment_method"),
    ] {
        let (error, pays) = error_for_open_answer_to(p, Ok(answer)).await;
        assert_eq!(get(&error, "param").as_string().as_deref(), Some(param));
        assert_eq!(pays, 0);
    }
}

/// Issue 25, item 6: `run()` with 100,000 parameter keys in descending order held the
/// main thread for 2.1 s (one sorted insert per key) and then called the platform. Now the
/// set is refused at once, naming the limit, and `onError` hears of it.
#[wasm_bindgen_test]
async fn run_refuses_an_oversized_parameter_set_at_once_naming_the_limit() {
    for count in [100_000, epay_core::params::MAX_PARAMS + 1] {
        let p = params("KES", 10_000);
        for i in (0..count).rev() {
            set(&p, &format!("k{i:06}"), "v");
        }
        let on_error = Recorder::new();
        set(&p, "onError", on_error.function().clone());
        let box_ = container();
        let started = js_sys::Date::now();
        let fake = Fake::new();
        let h = mount(&p, &options_in(&box_), &fake, &Captured::default());
        let took = js_sys::Date::now() - started;
        let root = shadow(&host_in(&box_));
        until("the error screen", || screen(&root) == "error").await;
        assert_eq!(on_error.count(), 1, "{count}");
        assert_eq!(get(&on_error.last(), "param").as_string().as_deref(), Some("params"));
        let message = get(&on_error.last(), "message").as_string().unwrap_or_default();
        assert!(message.contains(&epay_core::params::MAX_PARAMS.to_string()), "names the limit: {message}");
        assert_eq!(fake.count("open"), 0, "nothing sent");
        // A bound far above the linear cost (milliseconds) and far below the quadratic one.
        assert!(took < 1000.0, "{count} keys took {took} ms");
        h.destroy();
        box_.remove();
    }
}

/// Issue 25, item 4: a language pack that is `null` threw an uncaught TypeError in the
/// merchant's page (`Object.entries(null)`); the other bad shapes fell back to English.
/// Every shape now falls back with one console warning, and the widget goes on.
#[wasm_bindgen_test]
async fn every_bad_language_pack_falls_back_to_english_with_one_warning() {
    use epay_core::i18n::Lang;
    use epay_widget::view::packs;
    let console: wasm_bindgen::JsValue = js_sys::Reflect::get(&js_sys::global(), &"console".into()).unwrap();
    let real_warn = get(&console, "warn");
    for (what, pack) in [
        ("null", "Promise.resolve(null)"),
        ("undefined", "Promise.resolve(undefined)"),
        ("an array", "Promise.resolve([])"),
        ("a string", "Promise.resolve('Title')"),
        ("a number", "Promise.resolve(5)"),
        ("wrong types", "Promise.resolve({ Title: 5, Pay: null })"),
        ("truncated JSON", "Promise.reject(new SyntaxError('Unexpected end of JSON input'))"),
    ] {
        let warnings = Recorder::new();
        js_sys::Reflect::set(&console, &"warn".into(), warnings.function()).unwrap();
        packs::set_loader(js_sys::Function::new_with_args("code", &["return ", pack].concat()));
        let done = Rc::new(RefCell::new(false));
        let d = done.clone();
        packs::fetch(Lang::Ru, move || *d.borrow_mut() = true);
        for _ in 0..50 {
            if *done.borrow() {
                break;
            }
            sleep(10).await;
        }
        js_sys::Reflect::set(&console, &"warn".into(), &real_warn).unwrap();
        assert!(*done.borrow(), "{what}: the widget goes on");
        assert_eq!(warnings.count(), 1, "{what}: one warning");
        let text = warnings.last().as_string().unwrap_or_default();
        assert!(text.contains("ru") && text.contains("English"), "{what}: {text}");
    }
}
