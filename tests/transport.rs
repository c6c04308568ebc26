//! The widget's HTTP calls as the browser makes them: `open` and `pay` are CORS simple
//! requests (a POST whose body goes without a Content-Type header, so the browser sends
//! it as text/plain), so a merchant page on another origin pays no preflight round trip;
//! `status` is a plain GET.
#![cfg(target_arch = "wasm32")]

mod support;

use epay_core::catalog::MethodCode;
use epay_core::params::CustomerData;
use epay_core::protocol::PayRequest;
use epay_widget::api::{HttpTransport, Transport};
use js_sys::{Array, Reflect};
use support::{container, early_ready, host_in, opened, options_in, params, screen, set, shadow, sleep, Recorder};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

use support::get;

/// Puts `fetch(args)` with this JavaScript body in place of the browser's; returns the
/// window and the real `fetch`, for `restore_fetch`.
fn replace_fetch(args: &str, body: &str) -> (JsValue, JsValue) {
    let window: JsValue = web_sys::window().unwrap().into();
    let real = get(&window, "fetch");
    Reflect::set(&window, &"fetch".into(), &js_sys::Function::new_with_args(args, body)).unwrap();
    (window, real)
}

fn restore_fetch((window, real): &(JsValue, JsValue)) {
    Reflect::set(window, &"fetch".into(), real).unwrap();
}

#[wasm_bindgen_test]
async fn open_pay_and_status_need_no_preflight() {
    // A fetch that records what it was asked and answers 503 (the answer does not matter here).
    let fetch = replace_fetch(
        "url, init",
        "(globalThis.__asked = globalThis.__asked || []).push({ url: String(url), init: init || {} });
         return Promise.resolve(new Response('{}', { status: 503 }));",
    );
    let window = fetch.0.clone();
    let t = HttpTransport::new("https://platform.example/");
    let signal = web_sys::AbortController::new().unwrap().signal();
    let opened = t.open(r#"{"project_id":250}"#.into(), &signal).await;
    let paid = t
        .pay(
            PayRequest {
                session: "s-1".into(),
                method: MethodCode::EpayCash,
                customer: CustomerData::default(),
                return_url: "https://shop.example/".into(),
            },
            &signal,
        )
        .await;
    let status = t.status("s 1".into(), &signal).await;
    restore_fetch(&fetch);
    assert!(opened.is_err() && paid.is_err() && status.is_err(), "503 is a failure");

    let asked: Array = get(&window, "__asked").into();
    assert_eq!(asked.length(), 3);
    let expect = [
        ("https://platform.example/api/v1/checkout/open", "POST", Some(r#"{"project_id":250}"#)),
        ("https://platform.example/api/v1/checkout/pay", "POST", None),
        ("https://platform.example/api/v1/checkout/status?session=s%201", "GET", None),
    ];
    for (i, (url, method, body)) in expect.iter().enumerate() {
        let call = asked.get(i as u32);
        let init = get(&call, "init");
        assert_eq!(get(&call, "url").as_string().as_deref(), Some(*url));
        assert_eq!(get(&init, "method").as_string().unwrap_or_else(|| "GET".into()), *method, "{url}");
        // No header at all: a Content-Type of application/json would make a preflight.
        assert!(get(&init, "headers").is_undefined(), "{url}: headers {:?}", get(&init, "headers"));
        assert!(!get(&init, "signal").is_undefined(), "{url}: abortable");
        if let Some(b) = body {
            assert_eq!(get(&init, "body").as_string().as_deref(), Some(*b));
        }
        if *method == "POST" && body.is_none() {
            let sent = get(&init, "body").as_string().unwrap();
            assert!(sent.contains(r#""session":"s-1""#) && sent.contains("epaycash"), "{sent}");
        }
    }
}

/// `options.opened` (the loader hands it over as an early `open` that is `ready`): the
/// first screen drawn is the picker, within `run`, with no request; `onReady` comes after
/// `run` has returned, as it would after a request.
#[wasm_bindgen_test]
async fn an_answer_the_page_had_draws_the_picker_within_run_and_on_ready_after() {
    let fetch = replace_fetch("url", "globalThis.__fetched = String(url); return Promise.reject(new TypeError('no fetch here'));");
    let window = fetch.0.clone();

    let p = params("KES", 10000);
    let early = early_ready(&p, &opened("KES", 10000, CustomerData::default(), None));
    let ready = Recorder::new();
    set(&p, "onReady", ready.function().clone());
    let el = container();
    let handle = epay_widget::run(p, options_in(&el), early, JsValue::UNDEFINED).unwrap_or_else(|e| panic!("run: {e}"));
    let root = shadow(&host_in(&el));
    assert_eq!(screen(&root), "picker", "drawn within run");
    assert_eq!(ready.count(), 0, "onReady waits until run has returned");
    sleep(0).await;
    assert_eq!(ready.count(), 1);
    handle.destroy();
    restore_fetch(&fetch);
    assert!(get(&window, "__fetched").is_undefined(), "no request: {:?}", get(&window, "__fetched"));
}

/// The flows module taking over from the first module (issue 26, decision 4): the loader
/// hands it the `open` answer the picker was drawn from and the customer's choice. It draws
/// the chosen method's first screen within `run` (no picker, no request), tells
/// `onMethodSelected` once and not `onReady` again (the first module told it), and moves
/// focus to the new screen's heading; without `readyTold` it tells `onReady` as usual.
#[wasm_bindgen_test]
async fn the_flows_module_takes_a_handed_over_choice_without_a_request_or_a_second_on_ready() {
    let fetch = replace_fetch("url", "globalThis.__fetched2 = String(url); return Promise.reject(new TypeError('no fetch here'));");
    let window = fetch.0.clone();
    for ready_told in [true, false] {
        let p = params("KES", 10000);
        let early = early_ready(&p, &opened("KES", 10000, CustomerData::default(), None));
        let (ready, selected) = (Recorder::new(), Recorder::new());
        set(&p, "onReady", ready.function().clone());
        set(&p, "onMethodSelected", selected.function().clone());
        let resume = js_sys::Object::new();
        set(&resume, "method", "card-partner");
        set(&resume, "readyTold", ready_told);
        let el = container();
        let handle = epay_widget::run(p, options_in(&el), early, resume.into()).unwrap_or_else(|e| panic!("run: {e}"));
        let root = shadow(&host_in(&el));
        assert_eq!(screen(&root), "fields", "the card's form, drawn within run");
        sleep(0).await;
        assert_eq!((ready.count(), selected.count()), (usize::from(!ready_told), 1), "readyTold {ready_told}");
        let focused = root.active_element().map(|e| e.id());
        assert_eq!(focused.as_deref(), Some("epay-heading"), "focus on the new screen's heading");
        handle.destroy();
    }
    restore_fetch(&fetch);
    assert!(get(&window, "__fetched2").is_undefined(), "no request: {:?}", get(&window, "__fetched2"));
}

/// The flows module's warm-up (the loader calls it while the customer looks at the first
/// module's picker) runs a handed-over checkout out of the page: no request, nothing left in
/// the page or the registry, focus where it was.
#[wasm_bindgen_test]
async fn warming_the_flows_module_leaves_nothing_and_sends_nothing() {
    let fetch = replace_fetch("url", "globalThis.__fetched3 = String(url); return Promise.reject(new TypeError('no fetch here'));");
    let window = fetch.0.clone();
    let doc = web_sys::window().unwrap().document().unwrap();
    let before = doc.active_element().map(|e| e.tag_name());
    let live = epay_widget::controller::live_count();
    epay_widget::warm();
    sleep(0).await;
    assert_eq!(epay_widget::controller::live_count(), live, "no widget left mounted");
    assert!(doc.query_selector("epay-checkout").unwrap().is_none(), "nothing in the page");
    assert_eq!(doc.active_element().map(|e| e.tag_name()), before, "focus where it was");
    restore_fetch(&fetch);
    assert!(get(&window, "__fetched3").is_undefined(), "no request: {:?}", get(&window, "__fetched3"));
}
