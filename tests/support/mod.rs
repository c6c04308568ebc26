//! Shared helpers of the browser tests: a fake platform (canned answers, recorded calls),
//! parameter objects, DOM queries, and waiting.
#![allow(dead_code)]

use epay_core::catalog::{methods_for, CustomerField};
use epay_core::flow::CallFailure;
use epay_core::params::CustomerData;
use epay_core::protocol::{MethodOffer, OpenResponse, PayRequest, PaymentView};
use epay_core::{MethodCode, MinorUnits};
use epay_widget::api::{Call, Transport};
use epay_widget::controller::Hooks;
use epay_widget::WidgetHandle;
use js_sys::{Function, Object, Reflect};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Document, Element, HtmlElement, HtmlFormElement, ShadowRoot};

pub const SANDBOX: &str = "http://127.0.0.1:8787";

/// The platform, played from memory. Unset answers never arrive (pending forever).
#[derive(Default)]
pub struct Fake {
    pub open: RefCell<Option<Result<OpenResponse, CallFailure>>>,
    pub pay: RefCell<VecDeque<Result<PaymentView, CallFailure>>>,
    /// Status answers in order; the last one repeats.
    pub status: RefCell<VecDeque<Result<PaymentView, CallFailure>>>,
    pub calls: RefCell<Vec<&'static str>>,
    pub open_bodies: RefCell<Vec<String>>,
    pub pay_requests: RefCell<Vec<PayRequest>>,
}

fn answer<T: 'static>(v: Option<Result<T, CallFailure>>) -> Call<T> {
    match v {
        Some(r) => Box::pin(std::future::ready(r)),
        None => Box::pin(std::future::pending()),
    }
}

impl Transport for Fake {
    fn open(&self, body: String, _signal: &AbortSignal) -> Call<OpenResponse> {
        self.calls.borrow_mut().push("open");
        self.open_bodies.borrow_mut().push(body);
        answer(self.open.borrow().clone())
    }
    fn pay(&self, request: PayRequest, _signal: &AbortSignal) -> Call<PaymentView> {
        self.calls.borrow_mut().push("pay");
        self.pay_requests.borrow_mut().push(request);
        answer(self.pay.borrow_mut().pop_front())
    }
    fn status(&self, _session: String, _signal: &AbortSignal) -> Call<PaymentView> {
        self.calls.borrow_mut().push("status");
        let mut q = self.status.borrow_mut();
        let next = if q.len() > 1 { q.pop_front() } else { q.front().cloned() };
        answer(next)
    }
}

impl Fake {
    pub fn new() -> Rc<Fake> {
        Rc::new(Fake::default())
    }
    pub fn count(&self, call: &str) -> usize {
        self.calls.borrow().iter().filter(|c| **c == call).count()
    }
}

/// What the platform answers to `open` for these parameters (same rules as the sandbox:
/// methods from the catalog, fields the merchant did not send).
pub fn opened(currency: &str, amount: i64, customer: CustomerData, forced: Option<MethodCode>) -> OpenResponse {
    let codes = match forced {
        Some(m) => vec![m],
        None => methods_for(currency, MinorUnits(amount)),
    };
    let methods = codes.into_iter().map(|code| MethodOffer { code, fields: code.rule().fields_to_ask(|f| customer.has(f)) }).collect();
    OpenResponse {
        session: "s1".into(),
        project_id: 250,
        payment_id: "X03936".into(),
        amount: MinorUnits(amount),
        currency: currency.into(),
        description: None,
        methods,
        forced_method: forced,
        customer,
        payment: PaymentView::default(),
    }
}

pub fn customer(pairs: &[(CustomerField, &str)]) -> CustomerData {
    let mut c = CustomerData::default();
    for (f, v) in pairs {
        c.set(*f, Some(v.to_string()));
    }
    c
}

pub fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &(*k).into(), v).unwrap();
    }
    o.into()
}

pub fn set(o: &JsValue, k: &str, v: impl Into<JsValue>) {
    Reflect::set(o, &k.into(), &v.into()).unwrap();
}

pub fn get(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &k.into()).unwrap()
}

/// Payment Page parameters as in seed 002.
pub fn params(currency: &str, amount: i64) -> JsValue {
    object(&[
        ("project_id", 250.into()),
        ("payment_id", "X03936".into()),
        ("payment_amount", (amount as f64).into()),
        ("payment_currency", currency.into()),
        ("customer_id", "customer1".into()),
        ("signature", "c2lnbmF0dXJl".into()),
    ])
}

pub fn doc() -> Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A fresh container on the page, as a merchant's `<div id="checkout">`.
pub fn container() -> Element {
    let d = doc();
    let el = d.create_element("div").unwrap();
    d.body().unwrap().append_child(&el).unwrap();
    el
}

pub fn options_in(target: &Element) -> JsValue {
    object(&[("target", target.into()), ("baseUrl", SANDBOX.into())])
}

/// Records what a handler is called with.
pub struct Recorder {
    pub calls: Rc<RefCell<Vec<JsValue>>>,
    closure: Closure<dyn FnMut(JsValue)>,
}

impl Recorder {
    pub fn new() -> Recorder {
        let calls = Rc::new(RefCell::new(vec![]));
        let c = calls.clone();
        let closure = Closure::<dyn FnMut(JsValue)>::new(move |v| c.borrow_mut().push(v));
        Recorder { calls, closure }
    }
    pub fn function(&self) -> &Function {
        self.closure.as_ref().unchecked_ref()
    }
    pub fn count(&self) -> usize {
        self.calls.borrow().len()
    }
    pub fn last(&self) -> JsValue {
        self.calls.borrow().last().cloned().unwrap_or(JsValue::UNDEFINED)
    }
}

#[derive(Default, Clone)]
pub struct Captured(pub Rc<RefCell<Vec<HtmlFormElement>>>);

/// Hooks: fast polls, and redirect forms captured instead of submitted.
pub fn hooks(captured: &Captured) -> Hooks {
    let c = captured.0.clone();
    Hooks { navigate: Some(Rc::new(move |f: &HtmlFormElement| c.borrow_mut().push(f.clone()))), poll_delay: Some(Rc::new(|_| 15)) }
}

pub fn mount(params: &JsValue, options: &JsValue, fake: &Rc<Fake>, captured: &Captured) -> WidgetHandle {
    let t: Rc<dyn Transport> = fake.clone();
    epay_widget::mount_with(params, options, t, hooks(captured)).unwrap_or_else(|e| panic!("mount: {e}"))
}

pub fn host_in(el: &Element) -> Element {
    el.query_selector("epay-checkout").unwrap().expect("host element")
}

pub fn shadow(host: &Element) -> ShadowRoot {
    host.shadow_root().expect("open shadow root")
}

pub fn q(root: &ShadowRoot, sel: &str) -> Option<Element> {
    root.query_selector(sel).unwrap()
}

pub fn qa(root: &ShadowRoot, sel: &str) -> Vec<Element> {
    let list = root.query_selector_all(sel).unwrap();
    (0..list.length()).filter_map(|i| list.item(i)).filter_map(|n| n.dyn_into::<Element>().ok()).collect()
}

pub fn text(root: &ShadowRoot) -> String {
    root.text_content().unwrap_or_default()
}

pub fn screen(root: &ShadowRoot) -> String {
    q(root, ".epay-body").and_then(|b| b.get_attribute("data-screen")).unwrap_or_default()
}

pub fn click(el: &Element) {
    el.unchecked_ref::<HtmlElement>().click();
}

pub async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms).unwrap();
    });
    JsFuture::from(p).await.unwrap();
}

/// Waits (up to 3 s) until `cond` holds.
pub async fn until(what: &str, cond: impl Fn() -> bool) {
    for _ in 0..300 {
        if cond() {
            return;
        }
        sleep(10).await;
    }
    panic!("timed out waiting for {what}");
}

/// The loader's early `open` for `params` when the page already had the `answer`
/// (`options.opened`): `ready` at once, as `js/loader.js` hands it over.
pub fn early_ready(params: &JsValue, answer: &OpenResponse) -> JsValue {
    let body = js_sys::JSON::stringify(params).unwrap().as_string().unwrap(); // what the loader sends (no handlers yet)
    let text = serde_json::to_string(answer).unwrap();
    let given = object(&[("status", 200.into()), ("text", text.into())]);
    object(&[
        ("url", [SANDBOX, "/api/v1/checkout/open"].concat().into()),
        ("body", body.into()),
        ("answer", js_sys::Promise::resolve(&given).into()),
        ("abort", js_sys::Function::new_no_args("").into()),
        ("ready", given),
    ])
}
