//! The widget in a real browser, against a fake platform:
//! `wasm-pack test --headless --chrome --firefox --mode no-install`.
#![cfg(target_arch = "wasm32")]

mod support;

use epay_core::callback::{PaymentStatus, Sum};
use epay_core::catalog::{methods_for, CustomerField};
use epay_core::flow::CallFailure;
use epay_core::params::CustomerData;
use epay_core::protocol::{ApiError, NextAction, PaymentView};
use epay_core::redirect::{FormBody, HttpMethod};
use epay_core::ErrorCode;
use epay_core::ParamError;
use epay_core::{MethodCode, MinorUnits, RedirectData};
use std::cell::RefCell;
use std::rc::Rc;
use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlInputElement;

wasm_bindgen_test_configure!(run_in_browser);

fn methods_on_picker(root: &web_sys::ShadowRoot) -> Vec<String> {
    qa(root, "button[data-method]").iter().filter_map(|b| b.get_attribute("data-method")).collect()
}

async fn picker_for(currency: &str, amount: i64) -> Vec<String> {
    let fake = Fake::new();
    *fake.open.borrow_mut() = Some(Ok(opened(currency, amount, CustomerData::default(), None)));
    let box_ = container();
    let h = mount(&params(currency, amount), &options_in(&box_), &fake, &Captured::default());
    let root = shadow(&host_in(&box_));
    until("picker", || screen(&root) == "picker").await;
    let methods = methods_on_picker(&root);
    h.destroy();
    box_.remove();
    methods
}

/// Each currency of the catalog: the picker shows the methods that take it, in catalog order.
#[wasm_bindgen_test]
async fn picker_offers_the_method_of_each_currency() {
    for m in MethodCode::ALL {
        for l in m.rule().currencies {
            let amount = l.min.map_or(10_000, |min| min.0.max(10_000)).min(l.max.map_or(i64::MAX, |max| max.0));
            let expected: Vec<&str> = methods_for(l.currency, MinorUnits(amount)).into_iter().map(MethodCode::as_str).collect();
            assert!(expected.contains(&m.as_str()), "{m:?} in {}", l.currency);
            assert_eq!(picker_for(l.currency, amount).await, expected, "{}", l.currency);
        }
    }
}

#[wasm_bindgen_test]
async fn picker_buttons_are_real_buttons_with_title_and_hint() {
    let fake = Fake::new();
    *fake.open.borrow_mut() = Some(Ok(opened("KES", 10_000, CustomerData::default(), None)));
    let box_ = container();
    let h = mount(&params("KES", 10_000), &options_in(&box_), &fake, &Captured::default());
    let root = shadow(&host_in(&box_));
    until("picker", || screen(&root) == "picker").await;
    let b = q(&root, "button[data-method=\"card-partner\"]").unwrap();
    assert_eq!(b.get_attribute("type").as_deref(), Some("button"));
    assert!(b.text_content().unwrap().contains("Card"));
    assert!(b.text_content().unwrap().contains("partner"));
    assert!(text(&root).contains("Order X03936"));
    assert!(text(&root).contains("100.00") || text(&root).contains("100,00"), "{}", text(&root));
    h.destroy();
    box_.remove();
}

/// Issue 26: the platform is the one authority on the parameters' rules. The widget sends
/// what the merchant gave, exactly, and shows the platform's refusal: the error screen in the
/// customer's language (from the code), the parameter and the rule in the shop's details,
/// `onError` with the code and the parameter, no retry for a merchant mistake.
async fn shows_the_platforms_refusal(p: wasm_bindgen::JsValue, refused: ParamError) {
    let fake = Fake::new();
    let param = refused.param.clone();
    let rule = refused.message.clone();
    *fake.open.borrow_mut() = Some(Err(CallFailure::Rejected(ApiError::from_params(vec![refused]))));
    let on_error = Recorder::new();
    let sent = js_sys::JSON::stringify(&p).unwrap().as_string().unwrap();
    set(&p, "onError", on_error.function().clone());
    let box_ = container();
    let h = mount(&p, &options_in(&box_), &fake, &Captured::default());
    let root = shadow(&host_in(&box_));
    until("the error screen", || screen(&root) == "error").await;
    assert_eq!(fake.calls.borrow().as_slice(), ["open"], "the parameters go to the platform");
    assert_eq!(fake.open_bodies.borrow()[0], sent, "as the merchant gave them");
    assert!(text(&root).contains("Payment cannot be started"), "{}", text(&root));
    let details = q(&root, "details .epay-details-text").unwrap().text_content().unwrap();
    assert!(details.contains(&param) && details.contains(&rule), "{details}");
    assert_eq!(on_error.count(), 1);
    assert_eq!(get(&on_error.last(), "code").as_string().as_deref(), Some("invalid_params"));
    assert_eq!(get(&on_error.last(), "param").as_string().as_deref(), Some(param.as_str()));
    assert!(q(&root, ".epay-primary").is_none(), "no retry for a merchant mistake");
    assert!(q(&root, "svg").is_none(), "no code drawn");
    h.destroy();
    box_.remove();
}

#[wasm_bindgen_test]
async fn an_amount_the_platform_refuses_is_shown_naming_payment_amount() {
    let rule = "card-partner takes at most 3,000.00 USD (300000 minor units)";
    shows_the_platforms_refusal(params("USD", 300_001), ParamError::new("payment_amount", "amount_out_of_range", rule)).await;
    let missing = params("KES", 10_000);
    js_sys::Reflect::delete_property(missing.unchecked_ref::<js_sys::Object>(), &"payment_amount".into()).unwrap();
    shows_the_platforms_refusal(missing, ParamError::new("payment_amount", "required", "is required")).await;
}

#[wasm_bindgen_test]
async fn a_forced_method_the_platform_refuses_is_shown_naming_the_parameter() {
    for (currency, method, says) in
        [("KES", "epaycash", "epaycash accepts only MYR; got KES"), ("MYR", "paydala", "paydala accepts only KZT; got MYR")]
    {
        let p = params(currency, 500_000);
        set(&p, "force_payment_method", method);
        shows_the_platforms_refusal(p, ParamError::new("payment_currency", "currency_not_supported", says)).await;
    }
}

#[wasm_bindgen_test]
async fn rejected_open_shows_the_parameter_and_reports_code_and_param() {
    let fake = Fake::new();
    *fake.open.borrow_mut() = Some(Err(CallFailure::Rejected(ApiError::new(
        ErrorCode::BadSignature,
        Some("signature"),
        "signature: does not match the parameters",
    ))));
    let on_error = Recorder::new();
    let p = params("KES", 10_000);
    set(&p, "onError", on_error.function().clone());
    let box_ = container();
    let events = Recorder::new();
    box_.add_event_listener_with_callback("epay:error", events.function()).unwrap();
    let h = mount(&p, &options_in(&box_), &fake, &Captured::default());
    let root = shadow(&host_in(&box_));
    until("error screen", || screen(&root) == "error").await;
    let details = q(&root, "details .epay-details-text").unwrap().text_content().unwrap();
    assert!(details.starts_with("signature: does not match"), "{details}");
    assert!(text(&root).contains("Details for the shop"));
    assert_eq!(get(&on_error.last(), "code").as_string().as_deref(), Some("bad_signature"));
    assert_eq!(get(&on_error.last(), "param").as_string().as_deref(), Some("signature"));
    // The DOM event bubbles out of the widget to the merchant's container.
    assert_eq!(events.count(), 1);
    let detail = get(&events.last(), "detail");
    assert_eq!(get(&detail, "param").as_string().as_deref(), Some("signature"));
    h.destroy();
    box_.remove();
}

#[wasm_bindgen_test]
async fn forced_method_skips_the_picker_and_the_redirect_form_is_built_outside_the_widget() {
    let fake = Fake::new();
    let known = customer(&[(CustomerField::Phone, "254712345678"), (CustomerField::Email, "c@example.com")]);
    *fake.open.borrow_mut() = Some(Ok(opened("KES", 10_000, known, Some(MethodCode::CardPartner))));
    let rd = RedirectData {
        method: HttpMethod::Post,
        url: "http://127.0.0.1:8787/sim/partner/pay".into(),
        body: FormBody(vec![("live".into(), "0".into()), ("oid".into(), "112".into()), ("hsh".into(), "a\"b<c>".into())]),
    };
    fake.pay.borrow_mut().push_back(Ok(PaymentView {
        status: Some(PaymentStatus::AwaitingRedirectResult),
        action: Some(NextAction::Redirect { redirect_data: rd }),
        ..Default::default()
    }));
    let on_redirect = Recorder::new();
    let on_method = Recorder::new();
    let p = params("KES", 10_000);
    set(&p, "force_payment_method", "card-partner");
    set(&p, "onRedirect", on_redirect.function().clone());
    set(&p, "onMethodSelected", on_method.function().clone());
    let captured = Captured::default();
    let box_ = container();
    let h = mount(&p, &options_in(&box_), &fake, &captured);
    let root = shadow(&host_in(&box_));
    until("form captured", || !captured.0.borrow().is_empty()).await;
    assert_eq!(*fake.calls.borrow(), vec!["open", "pay"], "no picker, straight to pay");
    assert_eq!(screen(&root), "redirecting");
    assert_eq!(fake.pay_requests.borrow()[0].method, MethodCode::CardPartner);
    let form = captured.0.borrow()[0].clone();
    assert_eq!(form.method(), "post");
    assert_eq!(form.action(), "http://127.0.0.1:8787/sim/partner/pay");
    assert_eq!(form.parent_element().unwrap().tag_name(), "BODY", "outside the shadow root");
    let inputs = form.query_selector_all("input").unwrap();
    let pairs: Vec<(String, String, String)> = (0..inputs.length())
        .map(|i| inputs.item(i).unwrap().unchecked_into::<HtmlInputElement>())
        .map(|i| (i.type_(), i.name(), i.value()))
        .collect();
    assert_eq!(
        pairs,
        vec![
            ("hidden".into(), "live".into(), "0".into()),
            ("hidden".into(), "oid".into(), "112".into()),
            ("hidden".into(), "hsh".into(), "a\"b<c>".into())
        ]
    );
    assert_eq!(on_method.count(), 1);
    assert_eq!(get(&on_method.last(), "method").as_string().as_deref(), Some("card-partner"));
    assert_eq!(get(&on_redirect.last(), "url").as_string().as_deref(), Some("http://127.0.0.1:8787/sim/partner/pay"));
    assert_eq!(get(&on_redirect.last(), "method").as_string().as_deref(), Some("POST"));
    h.destroy();
    assert!(doc().query_selector("form[data-epay-redirect]").unwrap().is_none(), "destroy removes the form");
    box_.remove();
}

#[wasm_bindgen_test]
async fn javascript_redirect_is_refused_with_an_error_and_no_form() {
    let fake = Fake::new();
    let known = customer(&[(CustomerField::Phone, "254712345678"), (CustomerField::Email, "c@example.com")]);
    *fake.open.borrow_mut() = Some(Ok(opened("KES", 10_000, known, Some(MethodCode::CardPartner))));
    fake.pay.borrow_mut().push_back(Ok(PaymentView {
        status: Some(PaymentStatus::AwaitingRedirectResult),
        action: Some(NextAction::Redirect {
            redirect_data: RedirectData { method: HttpMethod::Post, url: "javascript:alert(1)".into(), body: FormBody::default() },
        }),
        ..Default::default()
    }));
    let on_error = Recorder::new();
    let p = params("KES", 10_000);
    set(&p, "force_payment_method", "card-partner");
    set(&p, "onError", on_error.function().clone());
    let captured = Captured::default();
    let box_ = container();
    let h = mount(&p, &options_in(&box_), &fake, &captured);
    let root = shadow(&host_in(&box_));
    until("error screen", || screen(&root) == "error").await;
    assert!(captured.0.borrow().is_empty());
    assert!(doc().query_selector("form[data-epay-redirect]").unwrap().is_none());
    assert_eq!(get(&on_error.last(), "code").as_string().as_deref(), Some("bad_redirect"));
    assert!(text(&root).contains("redirect_data.url"), "{}", text(&root));
    h.destroy();
    box_.remove();
}

#[wasm_bindgen_test]
async fn missing_fields_form_asks_exactly_what_is_missing_and_marks_invalid_values() {
    let fake = Fake::new();
    let known = customer(&[(CustomerField::FirstName, "Putra"), (CustomerField::Email, "putra@mail.com")]);
    *fake.open.borrow_mut() = Some(Ok(opened("MYR", 500_000, known, Some(MethodCode::EpayCash))));
    let box_ = container();
    let h = mount(&params("MYR", 500_000), &options_in(&box_), &fake, &Captured::default());
    let root = shadow(&host_in(&box_));
    until("fields form", || screen(&root) == "fields").await;
    let names: Vec<String> = qa(&root, "form input").iter().filter_map(|i| i.get_attribute("name")).collect();
    assert_eq!(names, vec!["customer_last_name", "customer_phone"]);
    // Labels point at their inputs; inputs say what they hold.
    for name in &names {
        let label = q(&root, &format!("label[for=\"{name}\"]")).expect("label");
        assert!(!label.text_content().unwrap().is_empty());
        assert!(q(&root, &format!("#{name}")).is_some());
    }
    let phone = q(&root, "#customer_phone").unwrap();
    assert_eq!(phone.get_attribute("type").as_deref(), Some("tel"));
    assert_eq!(phone.get_attribute("autocomplete").as_deref(), Some("tel"));
    assert_eq!(q(&root, "#customer_last_name").unwrap().get_attribute("autocomplete").as_deref(), Some("family-name"));

    // An invalid phone stays on the form, marked, described, and nothing is paid.
    q(&root, "#customer_last_name").unwrap().unchecked_into::<HtmlInputElement>().set_value("Cane");
    phone.unchecked_into::<HtmlInputElement>().set_value("12ab");
    click(&q(&root, "button[type=submit]").unwrap());
    until("invalid mark", || q(&root, "#customer_phone[aria-invalid=true]").is_some()).await;
    let phone = q(&root, "#customer_phone").unwrap();
    let described = phone.get_attribute("aria-describedby").unwrap();
    let err = root.get_element_by_id(&described).expect("error text");
    assert!(err.text_content().unwrap().contains("5 to 15 digits"));
    assert!(q(&root, "#customer_last_name").unwrap().get_attribute("aria-invalid").is_none());
    // What the customer typed survives the re-render.
    assert_eq!(q(&root, "#customer_last_name").unwrap().unchecked_into::<HtmlInputElement>().value(), "Cane");
    assert_eq!(fake.count("pay"), 0);
    // Focus goes to the field to fix.
    assert_eq!(root.active_element().map(|e| e.id()).as_deref(), Some("customer_phone"));

    phone.unchecked_into::<HtmlInputElement>().set_value("+60 321 669 552");
    click(&q(&root, "button[type=submit]").unwrap());
    until("pay", || fake.count("pay") == 1).await;
    let sent = fake.pay_requests.borrow()[0].customer.clone();
    assert_eq!(sent.phone.as_deref(), Some("+60321669552"));
    assert_eq!(sent.last_name.as_deref(), Some("Cane"));
    h.destroy();
    box_.remove();
}

#[wasm_bindgen_test]
async fn double_click_on_pay_sends_one_pay() {
    let fake = Fake::new();
    let known = customer(&[(CustomerField::Email, "c@example.com")]);
    *fake.open.borrow_mut() = Some(Ok(opened("KES", 10_000, known, None)));
    // `pay` never answers: the button must stay disabled.
    let box_ = container();
    let h = mount(&params("KES", 10_000), &options_in(&box_), &fake, &Captured::default());
    let root = shadow(&host_in(&box_));
    until("picker", || screen(&root) == "picker").await;
    click(&q(&root, "button[data-method]").unwrap());
    until("fields", || screen(&root) == "fields").await;
    let pay_text = q(&root, "button[type=submit]").unwrap().text_content().unwrap();
    assert!(pay_text.starts_with("Pay ") && pay_text.contains("100"), "{pay_text}");
    q(&root, "#customer_phone").unwrap().unchecked_into::<HtmlInputElement>().set_value("254712345678");
    let first = q(&root, "button[type=submit]").unwrap();
    click(&first);
    click(&first);
    let again = q(&root, "button[type=submit]").unwrap();
    assert!(again.has_attribute("disabled"), "Pay is disabled while paying");
    click(&again);
    let form = q(&root, "form").unwrap();
    form.dispatch_event(&web_sys::Event::new("submit").unwrap()).unwrap();
    sleep(50).await;
    assert_eq!(fake.count("pay"), 1);
    h.destroy();
    box_.remove();
}

#[wasm_bindgen_test]
async fn a_final_status_calls_on_success_and_shows_the_result() {
    let fake = Fake::new();
    let mut o = opened("KES", 10_000, CustomerData::default(), None);
    o.payment = PaymentView { status: Some(PaymentStatus::Processing), method: Some(MethodCode::CardPartner), ..Default::default() };
    *fake.open.borrow_mut() = Some(Ok(o));
    let paid = PaymentView {
        status: Some(PaymentStatus::Success),
        method: Some(MethodCode::CardPartner),
        sum: Some(Sum { amount: MinorUnits(10_000), currency: "KES".into() }),
        code: Some("0".into()),
        message: Some("Success".into()),
        ..Default::default()
    };
    fake.status.borrow_mut().extend([Ok(PaymentView { status: Some(PaymentStatus::Processing), ..Default::default() }), Ok(paid)]);
    let on_success = Recorder::new();
    let on_decline = Recorder::new();
    let p = params("KES", 10_000);
    set(&p, "onSuccess", on_success.function().clone());
    set(&p, "onDecline", on_decline.function().clone());
    let box_ = container();
    let h = mount(&p, &options_in(&box_), &fake, &Captured::default());
    let root = shadow(&host_in(&box_));
    until("result", || screen(&root) == "result").await;
    assert_eq!(on_success.count(), 1);
    assert_eq!(on_decline.count(), 0);
    let e = on_success.last();
    assert_eq!(get(&e, "status").as_string().as_deref(), Some("success"));
    assert_eq!(get(&e, "payment_id").as_string().as_deref(), Some("X03936"));
    assert_eq!(get(&e, "method").as_string().as_deref(), Some("card-partner"));
    assert_eq!(get(&get(&e, "sum"), "amount").as_f64(), Some(10_000.0));
    assert_eq!(get(&get(&e, "sum"), "currency").as_string().as_deref(), Some("KES"));
    assert!(text(&root).contains("Payment successful"));
    assert_eq!(q(&root, ".epay-body").unwrap().get_attribute("data-status").as_deref(), Some("success"));
    let polls = fake.count("status");
    sleep(80).await;
    assert_eq!(fake.count("status"), polls, "no polling after a final status");
    h.destroy();
    box_.remove();
}

#[wasm_bindgen_test]
async fn a_declined_payment_calls_on_decline() {
    let fake = Fake::new();
    let mut o = opened("KES", 10_000, CustomerData::default(), None);
    o.payment = PaymentView { status: Some(PaymentStatus::AwaitingRedirectResult), ..Default::default() };
    *fake.open.borrow_mut() = Some(Ok(o));
    fake.status.borrow_mut().push_back(Ok(PaymentView {
        status: Some(PaymentStatus::Decline),
        code: Some("20000".into()),
        message: Some("General decline".into()),
        ..Default::default()
    }));
    let on_decline = Recorder::new();
    let p = params("KES", 10_000);
    set(&p, "onDecline", on_decline.function().clone());
    let box_ = container();
    let h = mount(&p, &options_in(&box_), &fake, &Captured::default());
    let root = shadow(&host_in(&box_));
    until("result", || screen(&root) == "result").await;
    assert_eq!(on_decline.count(), 1);
    assert_eq!(get(&on_decline.last(), "code").as_string().as_deref(), Some("20000"));
    assert!(text(&root).contains("Payment declined"));
    let reason = root.query_selector("[data-testid=decline-reason]").unwrap().expect("the platform's reason is shown");
    assert_eq!(reason.text_content().as_deref(), Some("Reason: General decline"));
    assert_eq!(reason.last_element_child().unwrap().get_attribute("lang").as_deref(), Some("en"));
    h.destroy();
    box_.remove();
}

#[wasm_bindgen_test]
async fn text_from_params_and_platform_is_rendered_as_text() {
    let evil = "<img src=x onerror=\"window.__pwned=1\">";
    let fake = Fake::new();
    let mut o = opened("MYR", 500_000, CustomerData::default(), Some(MethodCode::EpayCash));
    o.payment_id = evil.into();
    o.payment = PaymentView {
        status: Some(PaymentStatus::AwaitingCustomer),
        action: Some(NextAction::ShowCode {
            redirect_data: RedirectData {
                method: HttpMethod::Get,
                url: "https://onlinepayment.epay.com".into(),
                body: FormBody(vec![
                    ("reference_number".into(), "045-050-000".into()),
                    ("valid_time".into(), "2019-06-15 14:17:26".into()),
                    ("user_name".into(), evil.into()),
                ]),
            },
        }),
        ..Default::default()
    };
    *fake.open.borrow_mut() = Some(Ok(o));
    let p = params("MYR", 500_000);
    set(&p, "payment_id", evil);
    let box_ = container();
    let h = mount(&p, &options_in(&box_), &fake, &Captured::default());
    let root = shadow(&host_in(&box_));
    until("code screen", || screen(&root) == "code").await;
    assert!(qa(&root, "img").is_empty(), "no element created from text");
    assert!(text(&root).contains(evil), "{}", text(&root));
    assert!(text(&root).contains("045-050-000"));
    assert!(js_sys::Reflect::get(&js_sys::global(), &"__pwned".into()).unwrap().is_undefined());
    h.destroy();
    box_.remove();
}

#[wasm_bindgen_test]
async fn destroy_removes_host_and_overlay_and_stops_polling() {
    let fake = Fake::new();
    let mut o = opened("KES", 10_000, CustomerData::default(), None);
    o.payment = PaymentView { status: Some(PaymentStatus::Processing), ..Default::default() };
    *fake.open.borrow_mut() = Some(Ok(o));
    fake.status.borrow_mut().push_back(Ok(PaymentView { status: Some(PaymentStatus::Processing), ..Default::default() }));
    let before = doc().query_selector_all("epay-overlay").unwrap().length();
    // No target: a modal overlay on document.body.
    let h = mount(&params("KES", 10_000), &object(&[("baseUrl", SANDBOX.into())]), &fake, &Captured::default());
    let overlay = doc().query_selector("epay-overlay").unwrap().expect("overlay");
    assert_eq!(overlay.parent_element().unwrap().tag_name(), "BODY");
    let root = shadow(&overlay.query_selector("epay-checkout").unwrap().unwrap());
    assert_eq!(q(&root, "[role=dialog]").unwrap().get_attribute("aria-modal").as_deref(), Some("true"));
    until("polling", || fake.count("status") >= 2).await;
    h.destroy();
    let polls = fake.count("status");
    assert_eq!(doc().query_selector_all("epay-overlay").unwrap().length(), before);
    assert!(doc().query_selector("epay-checkout").unwrap().is_none());
    sleep(120).await;
    assert_eq!(fake.count("status"), polls, "no poll after destroy");
    h.destroy(); // twice is fine
    assert_eq!(epay_widget::controller::live_count(), 0);
}

#[wasm_bindgen_test]
async fn mount_and_destroy_twenty_times_leaves_one_host() {
    let box_ = container();
    let fake = Fake::new();
    *fake.open.borrow_mut() = Some(Ok(opened("KES", 10_000, CustomerData::default(), None)));
    let mut last = None;
    for _ in 0..20 {
        if let Some(h) = last.take() {
            epay_widget::WidgetHandle::destroy(&h);
        }
        last = Some(mount(&params("KES", 10_000), &options_in(&box_), &fake, &Captured::default()));
        sleep(1).await;
    }
    assert_eq!(box_.query_selector_all("epay-checkout").unwrap().length(), 1);
    assert_eq!(box_.child_element_count(), 1);
    assert_eq!(epay_widget::controller::live_count(), 1);
    let root = shadow(&host_in(&box_));
    until("picker", || screen(&root) == "picker").await;
    last.unwrap().destroy();
    assert_eq!(box_.child_element_count(), 0);
    assert_eq!(epay_widget::controller::live_count(), 0);
    box_.remove();
}

#[wasm_bindgen_test]
async fn escape_closes_the_modal_and_calls_on_close() {
    let fake = Fake::new();
    *fake.open.borrow_mut() = Some(Ok(opened("KES", 10_000, CustomerData::default(), None)));
    let on_close = Recorder::new();
    let p = params("KES", 10_000);
    set(&p, "onClose", on_close.function().clone());
    let _h = mount(&p, &object(&[("baseUrl", SANDBOX.into())]), &fake, &Captured::default());
    assert!(doc().query_selector("epay-overlay").unwrap().is_some());
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("Escape");
    init.set_bubbles(true);
    let ev = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    doc().dispatch_event(&ev).unwrap();
    assert_eq!(on_close.count(), 1);
    assert!(doc().query_selector("epay-overlay").unwrap().is_none());
    assert_eq!(epay_widget::controller::live_count(), 0);
}

#[wasm_bindgen_test]
async fn close_button_in_the_modal_closes_it() {
    let fake = Fake::new();
    *fake.open.borrow_mut() = Some(Ok(opened("KES", 10_000, CustomerData::default(), None)));
    let on_close = Recorder::new();
    let opener = container().unchecked_into::<web_sys::HtmlElement>();
    opener.set_tab_index(0);
    opener.focus().unwrap();
    let _h = mount(
        &params("KES", 10_000),
        &object(&[("baseUrl", SANDBOX.into()), ("onClose", on_close.function().into())]),
        &fake,
        &Captured::default(),
    );
    let overlay = doc().query_selector("epay-overlay").unwrap().unwrap();
    let root = shadow(&overlay.query_selector("epay-checkout").unwrap().unwrap());
    assert!(root.active_element().is_some(), "the modal takes focus");
    let close = q(&root, ".epay-close").unwrap();
    assert_eq!(close.get_attribute("aria-label").as_deref(), Some("Close"));
    click(&close);
    assert_eq!(on_close.count(), 1, "options handlers are called too");
    assert!(doc().query_selector("epay-overlay").unwrap().is_none());
    assert_eq!(doc().active_element().as_ref(), Some(opener.unchecked_ref::<web_sys::Element>()), "focus goes back");
    opener.remove();
}

#[wasm_bindgen_test]
async fn the_open_body_is_the_signed_parameters_with_numbers_kept_and_handlers_left_out() {
    let fake = Fake::new();
    let on_success = Recorder::new();
    let p = params("KES", 10_000);
    set(&p, "customer_phone", "123456789");
    set(&p, "onSuccess", on_success.function().clone());
    let box_ = container();
    let h = mount(&p, &options_in(&box_), &fake, &Captured::default());
    assert_eq!(
        fake.open_bodies.borrow()[0],
        r#"{"project_id":250,"payment_id":"X03936","payment_amount":10000,"payment_currency":"KES","customer_id":"customer1","signature":"c2lnbmF0dXJl","customer_phone":"123456789"}"#
    );
    h.destroy();
    box_.remove();
}

#[wasm_bindgen_test]
async fn a_throwing_merchant_handler_does_not_break_the_widget() {
    let fake = Fake::new();
    *fake.open.borrow_mut() = Some(Ok(opened("KES", 10_000, CustomerData::default(), None)));
    let thrower = js_sys::Function::new_no_args("throw new Error('merchant bug')");
    let p = params("KES", 10_000);
    set(&p, "onReady", thrower);
    let box_ = container();
    let h = mount(&p, &options_in(&box_), &fake, &Captured::default());
    let root = shadow(&host_in(&box_));
    until("picker", || screen(&root) == "picker").await;
    h.destroy();
    box_.remove();
}

#[wasm_bindgen_test]
fn params_that_are_not_an_object_throw_with_code_and_param() {
    let fake = Fake::new();
    let t: std::rc::Rc<dyn epay_widget::api::Transport> = fake.clone();
    let err = epay_widget::mount_with(&"X03936".into(), &wasm_bindgen::JsValue::UNDEFINED, t, Default::default()).err().expect("throws");
    assert_eq!((err.code.as_str(), err.param.as_deref()), ("invalid_argument", Some("params")));
    let js: wasm_bindgen::JsValue = err.into();
    assert!(js.is_instance_of::<js_sys::Error>());
    assert_eq!(get(&js, "code").as_string().as_deref(), Some("invalid_argument"));
    assert_eq!(get(&js, "param").as_string().as_deref(), Some("params"));
    assert!(fake.calls.borrow().is_empty());
}

#[wasm_bindgen_test]
fn an_unknown_target_selector_is_an_error_screen_in_a_modal_not_a_throw() {
    let fake = Fake::new();
    let on_error = Recorder::new();
    let p = params("KES", 10_000);
    set(&p, "onError", on_error.function().clone());
    let h = mount(&p, &object(&[("target", "#nowhere".into())]), &fake, &Captured::default());
    assert_eq!(get(&on_error.last(), "code").as_string().as_deref(), Some("target_not_found"));
    assert_eq!(get(&on_error.last(), "param").as_string().as_deref(), Some("target"));
    let overlay = doc().query_selector("epay-overlay").unwrap().expect("shown in a modal");
    let root = shadow(&overlay.query_selector("epay-checkout").unwrap().unwrap());
    assert_eq!(screen(&root), "error");
    assert!(text(&root).contains("#nowhere"));
    assert!(fake.calls.borrow().is_empty());
    h.destroy();
}

#[wasm_bindgen_test]
async fn a_second_run_on_the_same_target_replaces_the_first() {
    let fake = Fake::new();
    *fake.open.borrow_mut() = Some(Ok(opened("KES", 10_000, CustomerData::default(), None)));
    let box_ = container();
    let before = epay_widget::controller::live_count();
    let first = mount(&params("KES", 10_000), &options_in(&box_), &fake, &Captured::default());
    let second = mount(&params("KES", 10_000), &options_in(&box_), &fake, &Captured::default());
    assert_eq!(epay_widget::controller::live_count(), before + 1, "one checkout per target");
    assert_eq!(box_.child_element_count(), 1, "one host in the target");
    let root = shadow(&host_in(&box_));
    until("picker", || screen(&root) == "picker").await;
    // Another target is another checkout.
    let other = container();
    let third = mount(&params("KES", 10_000), &options_in(&other), &fake, &Captured::default());
    assert_eq!(epay_widget::controller::live_count(), before + 2);
    first.destroy(); // already replaced: nothing happens
    assert_eq!(box_.child_element_count(), 1);
    second.destroy();
    third.destroy();
    assert_eq!(epay_widget::controller::live_count(), before);
    box_.remove();
    other.remove();
}

#[wasm_bindgen_test]
async fn an_unknown_function_parameter_warns_naming_the_nearest_handler() {
    let console = js_sys::Reflect::get(&js_sys::global(), &"console".into()).unwrap();
    let original = js_sys::Reflect::get(&console, &"warn".into()).unwrap();
    let warned = Recorder::new();
    js_sys::Reflect::set(&console, &"warn".into(), warned.function()).unwrap();
    let fake = Fake::new();
    *fake.open.borrow_mut() = Some(Ok(opened("KES", 10_000, CustomerData::default(), None)));
    let p = params("KES", 10_000);
    set(&p, "onSucess", Recorder::new().function().clone());
    let box_ = container();
    let h = mount(&p, &options_in(&box_), &fake, &Captured::default());
    js_sys::Reflect::set(&console, &"warn".into(), &original).unwrap();
    let said: Vec<String> = warned.calls.borrow().iter().filter_map(|v| v.as_string()).collect();
    assert!(said.iter().any(|s| s.contains("params.onSucess") && s.contains("Did you mean onSuccess?")), "{said:?}");
    // The handler is not a parameter: it is not sent.
    let root = shadow(&host_in(&box_));
    until("picker", || screen(&root) == "picker").await;
    let sent = fake.open_bodies.borrow().join("\n");
    assert!(sent.contains("payment_id") && !sent.contains("onSucess"), "{sent}");
    h.destroy();
    box_.remove();
}

/// What a `NavigationWatch` reported: "left", or "failed: <why>".
fn watch_for_navigation() -> (Rc<RefCell<Vec<String>>>, Option<epay_widget::redirect::NavigationWatch>) {
    let seen: Rc<RefCell<Vec<String>>> = Rc::default();
    let (a, b) = (seen.clone(), seen.clone());
    let watch = epay_widget::redirect::NavigationWatch::new(
        &doc(),
        Box::new(move || a.borrow_mut().push("left".into())),
        Box::new(move |why: String| b.borrow_mut().push(["failed: ", &why].concat())),
    );
    (seen, watch)
}

#[wasm_bindgen_test]
async fn a_redirect_refused_by_the_page_csp_is_reported_at_once() {
    let (seen, _watch) = watch_for_navigation();
    let ev = web_sys::Event::new("securitypolicyviolation").unwrap();
    js_sys::Reflect::set(&ev, &"effectiveDirective".into(), &"form-action".into()).unwrap();
    js_sys::Reflect::set(&ev, &"originalPolicy".into(), &"form-action 'self'".into()).unwrap();
    // Another directive's violation is not ours.
    let other = web_sys::Event::new("securitypolicyviolation").unwrap();
    js_sys::Reflect::set(&other, &"effectiveDirective".into(), &"img-src".into()).unwrap();
    doc().dispatch_event(&other).unwrap();
    assert!(seen.borrow().is_empty());
    doc().dispatch_event(&ev).unwrap();
    assert_eq!(seen.borrow().len(), 1);
    assert!(seen.borrow()[0].starts_with("failed: ") && seen.borrow()[0].contains("form-action 'self'"), "{:?}", seen.borrow());
    // Once only.
    doc().dispatch_event(&ev).unwrap();
    sleep(epay_widget::redirect::REDIRECT_GRACE_MS as i32 + 300).await;
    assert_eq!(seen.borrow().len(), 1);
}

#[wasm_bindgen_test]
async fn a_redirect_that_never_leaves_the_page_fails_after_the_grace_time_and_one_that_leaves_does_not() {
    let grace = epay_widget::redirect::REDIRECT_GRACE_MS as i32;
    let (stuck, _stuck) = watch_for_navigation();
    sleep(grace - 1000).await;
    assert!(stuck.borrow().is_empty(), "not before the grace time");
    sleep(1300).await;
    assert_eq!(stuck.borrow().len(), 1);
    assert!(stuck.borrow()[0].starts_with("failed: "), "{:?}", stuck.borrow());
    let (left, _left) = watch_for_navigation();
    web_sys::window().unwrap().dispatch_event(&web_sys::Event::new("pagehide").unwrap()).unwrap();
    sleep(grace + 300).await;
    assert_eq!(left.borrow().as_slice(), ["left".to_string()]);
}

#[wasm_bindgen_test]
async fn after_beforeunload_a_late_csp_refusal_still_fails_and_silence_means_the_page_left() {
    let settle = epay_widget::redirect::REDIRECT_SETTLE_MS as i32;
    let window = web_sys::window().unwrap();
    // Chromium: the navigation starts (beforeunload), then form-action refuses it.
    let (refused, _a) = watch_for_navigation();
    window.dispatch_event(&web_sys::Event::new("beforeunload").unwrap()).unwrap();
    sleep(settle / 4).await;
    let ev = web_sys::Event::new("securitypolicyviolation").unwrap();
    js_sys::Reflect::set(&ev, &"effectiveDirective".into(), &"form-action".into()).unwrap();
    doc().dispatch_event(&ev).unwrap();
    assert_eq!(refused.borrow().len(), 1);
    assert!(refused.borrow()[0].starts_with("failed: "), "{:?}", refused.borrow());
    drop(_a);
    // The navigation starts and nothing refuses it: the page is leaving.
    let (leaving, _b) = watch_for_navigation();
    window.dispatch_event(&web_sys::Event::new("beforeunload").unwrap()).unwrap();
    sleep(settle + 300).await;
    assert_eq!(leaving.borrow().as_slice(), ["left".to_string()]);
    sleep(epay_widget::redirect::REDIRECT_GRACE_MS as i32).await;
    assert_eq!(leaving.borrow().len(), 1, "the grace timer was replaced, not added");
}

/// The widget writes amounts without `Intl` (its first use costs 50 ms before the first
/// screen); what it writes is what this browser's `Intl.NumberFormat` writes, for every
/// language, currency and sign the platform uses — except where the browser lacks the
/// language's data and writes English (Chromium's Kazakh: ours stays CLDR's Kazakh,
/// `1 234 567,50 ₸`, as Firefox writes it).
#[wasm_bindgen_test]
fn amounts_are_written_as_this_browsers_intl_writes_them() {
    use epay_core::i18n::Lang;
    let intl = |lang: Lang, currency: &str, minor: i64| {
        let opts = js_sys::Object::new();
        js_sys::Reflect::set(&opts, &"style".into(), &"currency".into()).unwrap();
        js_sys::Reflect::set(&opts, &"currency".into(), &currency.into()).unwrap();
        let nf = js_sys::Intl::NumberFormat::new(&js_sys::Array::of1(&lang.bcp47().into()), &opts);
        nf.format().call1(&wasm_bindgen::JsValue::UNDEFINED, &(minor as f64 / 100.0).into()).unwrap().as_string().unwrap()
    };
    let mut fell_back = std::collections::BTreeSet::new();
    for lang in Lang::ALL {
        for currency in ["KES", "USD", "MYR", "KZT"] {
            for minor in [123_456_750i64, 5, -100_000] {
                let theirs = intl(lang, currency, minor);
                let ours = epay_widget::view::format_amount(lang, epay_core::MinorUnits(minor), currency);
                // A browser without the language's data writes the root locale's
                // `1,234,567.50` where the language writes `1 234 567,50`.
                if ours != theirs && ours.contains(',') && !ours.contains('.') && theirs.contains('.') {
                    fell_back.insert(lang.code());
                    continue;
                }
                assert_eq!(ours, theirs, "{lang:?} {currency} {minor}");
            }
        }
    }
    assert!(fell_back.iter().all(|l| *l == "kk"), "the browser lacks {fell_back:?}");
}

/// The loader's early `open` (sent while the wasm downloaded), as `js/loader.js` builds it:
/// the answer is given, and `abort` counts its calls.
fn early_open(url: &str, body: &str, answer: js_sys::Promise, aborts: &Rc<RefCell<u32>>) -> wasm_bindgen::JsValue {
    let a = aborts.clone();
    let abort = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || *a.borrow_mut() += 1).into_js_value();
    object(&[("url", url.into()), ("body", body.into()), ("answer", answer.into()), ("abort", abort)])
}

fn body_of(p: &wasm_bindgen::JsValue) -> String {
    js_sys::JSON::stringify(p).unwrap().as_string().unwrap()
}

/// The widget takes the early `open`'s answer (no request of its own: the base URL here
/// answers nothing) when it would have sent the same request.
#[wasm_bindgen_test]
async fn the_early_open_answer_is_taken_instead_of_a_second_request() {
    let p = params("KES", 10_000);
    let box_ = container();
    let options = object(&[("target", (&box_).into()), ("baseUrl", "http://127.0.0.1:9".into())]);
    let open = serde_json::to_string(&opened("KES", 10_000, CustomerData::default(), None)).unwrap();
    let answer = js_sys::Promise::resolve(&object(&[("status", 200.into()), ("text", open.into())]));
    let aborts = Rc::new(RefCell::new(0));
    let early = early_open("http://127.0.0.1:9/api/v1/checkout/open", &body_of(&p), answer, &aborts);
    let h = epay_widget::run(p, options, early, wasm_bindgen::JsValue::UNDEFINED).unwrap_or_else(|e| panic!("run: {e}"));
    let root = shadow(&host_in(&box_));
    until("the picker from the early answer", || screen(&root) == "picker").await;
    assert_eq!(*aborts.borrow(), 0);
    h.destroy();
    box_.remove();
}

/// Issue 26, the fast page: parameters that break a rule go out in the loader's early
/// `open` like any others, and the platform's refusal in its answer is what the widget
/// shows, naming the parameter (no second request, nothing stopped).
#[wasm_bindgen_test]
async fn the_early_opens_refusal_is_shown_naming_the_parameter() {
    let p = params("KES", 10_000);
    set(&p, "payment_amount", "ten");
    let on_error = Recorder::new();
    let box_ = container();
    let options = object(&[("target", (&box_).into()), ("baseUrl", "http://127.0.0.1:9".into())]);
    let refused = ApiError::from_params(vec![ParamError::new(
        "payment_amount",
        "integer",
        "must be a positive integer in minor units (1000 is 10.00), got \"ten\"",
    )]);
    let text_ = serde_json::to_string(&refused).unwrap();
    let answer = js_sys::Promise::resolve(&object(&[("status", 400.into()), ("text", text_.into())]));
    let aborts = Rc::new(RefCell::new(0));
    let early = early_open("http://127.0.0.1:9/api/v1/checkout/open", &body_of(&p), answer, &aborts);
    set(&p, "onError", on_error.function().clone());
    let h = epay_widget::run(p, options, early, wasm_bindgen::JsValue::UNDEFINED).unwrap_or_else(|e| panic!("run: {e}"));
    let root = shadow(&host_in(&box_));
    until("the error screen from the early answer", || screen(&root) == "error").await;
    assert_eq!(*aborts.borrow(), 0);
    assert_eq!(get(&on_error.last(), "code").as_string().as_deref(), Some("invalid_params"));
    assert_eq!(get(&on_error.last(), "param").as_string().as_deref(), Some("payment_amount"));
    let details = q(&root, "details .epay-details-text").unwrap().text_content().unwrap();
    assert!(details.starts_with("payment_amount: must be a positive integer"), "{details}");
    h.destroy();
    box_.remove();
}

/// Parameters the browser cannot send stop the early `open`; an early request for other
/// parameters (or another URL) is stopped and not used. (Parameters that break a rule are
/// the platform's to refuse, issue 26: its answer to the early `open` is shown.)
#[wasm_bindgen_test]
async fn the_early_open_is_aborted_when_it_is_not_the_request_the_widget_would_send() {
    let never = js_sys::Promise::new(&mut |_, _| {});
    // 1. A value JSON cannot carry: the error screen, the request stopped.
    let bad = params("KES", 10_000);
    set(&bad, "payment_amount", js_sys::BigInt::from(10_000u32));
    let box_ = container();
    let aborts = Rc::new(RefCell::new(0));
    let early = early_open("http://127.0.0.1:9/api/v1/checkout/open", "{\"payment_amount\":10000}", never.clone(), &aborts);
    let h = epay_widget::run(
        bad,
        object(&[("target", (&box_).into()), ("baseUrl", "http://127.0.0.1:9".into())]),
        early,
        wasm_bindgen::JsValue::UNDEFINED,
    )
    .unwrap();
    let root = shadow(&host_in(&box_));
    until("the error screen", || screen(&root) == "error").await;
    assert_eq!(*aborts.borrow(), 1, "stopped once");
    h.destroy();
    box_.remove();
    // 2. A body that is not this run's: stopped, and the widget asks itself.
    let p = params("KES", 10_000);
    let box_ = container();
    let aborts = Rc::new(RefCell::new(0));
    let early = early_open("http://127.0.0.1:9/api/v1/checkout/open", "{\"payment_id\":\"other\"}", never, &aborts);
    let h = epay_widget::run(
        p,
        object(&[("target", (&box_).into()), ("baseUrl", "http://127.0.0.1:9".into())]),
        early,
        wasm_bindgen::JsValue::UNDEFINED,
    )
    .unwrap();
    assert_eq!(*aborts.borrow(), 1, "stopped at the widget's own open");
    h.destroy();
    box_.remove();
}
