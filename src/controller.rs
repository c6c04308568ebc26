//! Owns the `Checkout` state machine and performs its effects: platform calls (abortable),
//! the poll timer, the visibility listener, the redirect form, events to the merchant.
//!
//! Every mounted widget is kept in a registry until `destroy()`, so a page that drops
//! the handle (seed 002 does) does not lose its checkout to the garbage collector.
//! Messages go through a queue: a merchant handler that calls back into the widget
//! (even `destroy()`) never meets a borrowed state.

use crate::api::Transport;
use crate::error::Error;
use crate::interop::{self, Handlers, Options, RunParams, Target};
use crate::view::dom::{console_error, Listener, Timeout};
use crate::view::screens::Ctx;
use crate::view::{self, Ui, View};
use epay_core::epay_cash::EpayCode;
use epay_core::flow::{poll_delay_ms, Checkout, Effect, Event, Msg, Screen, WidgetError};
use epay_core::i18n::Lang;
use epay_core::params::CustomerData;
use epay_core::protocol::{PayRequest, PaymentView};
use epay_core::redirect::{is_loopback_host, scheme_and_host, HttpMethod};
use epay_core::{MinorUnits, PaymentRequest, RedirectData, UrlPolicy};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::{Rc, Weak};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortController, Document, Element, HtmlFormElement, Window};

pub type NavigateHook = Rc<dyn Fn(&HtmlFormElement)>;
pub type PollDelayHook = Rc<dyn Fn(u32) -> u32>;

/// Test seams: what the browser tests replace.
#[derive(Clone, Default)]
pub struct Hooks {
    /// Receives the built redirect form instead of it being submitted.
    pub navigate: Option<NavigateHook>,
    /// Poll delay for attempt N; default `flow::poll_delay_ms(attempt, Math.random())`.
    pub poll_delay: Option<PollDelayHook>,
}

/// Sandbox mode (plain http redirects to loopback) only when the platform itself is
/// reached over http on a loopback host.
pub fn url_policy(base_url: &str) -> UrlPolicy {
    let allow = matches!(scheme_and_host(base_url), Ok((s, h)) if s == "http" && is_loopback_host(&h));
    UrlPolicy { allow_loopback_http: allow }
}

struct State {
    checkout: Checkout,
    lang: Lang,
    doc: Document,
    view: View,
    handlers: Handlers,
    transport: Rc<dyn Transport>,
    open_body: String,
    payment_id: Option<String>,
    /// Amount and currency from the parameters, until the platform confirms them.
    amount: Option<(MinorUnits, String)>,
    draft: CustomerData,
    abort: Option<AbortController>,
    timer: Option<Timeout>,
    listeners: Vec<Listener>,
    redirect_form: Option<HtmlFormElement>,
    /// After the redirect form is submitted: did the browser leave?
    redirect_watch: Option<NavigationWatch>,
    hooks: Hooks,
    /// The customer did something: focus may follow the screens.
    interacted: bool,
}

pub struct Shared {
    id: u32,
    /// Where it is mounted; `None`: the modal. One widget per place: a second `run` on the
    /// same target replaces the first.
    target: Option<Element>,
    alive: Cell<bool>,
    running: Cell<bool>,
    queue: RefCell<VecDeque<Ui>>,
    state: RefCell<Option<State>>,
}

thread_local! {
    static WIDGETS: RefCell<Vec<Rc<Shared>>> = const { RefCell::new(Vec::new()) };
    static NEXT_ID: Cell<u32> = const { Cell::new(1) };
}

/// Number of mounted (not destroyed) widgets.
pub fn live_count() -> usize {
    WIDGETS.with(|w| w.borrow().len())
}

fn find(id: u32) -> Option<Rc<Shared>> {
    WIDGETS.with(|w| w.borrow().iter().find(|s| s.id == id).cloned())
}

fn browser() -> Result<(Window, Document), Error> {
    let no_doc = || Error::new("no_document", None, "EPayWidget needs a browser window and document");
    let window = web_sys::window().ok_or_else(no_doc)?;
    let doc = window.document().ok_or_else(no_doc)?;
    Ok((window, doc))
}

/// The element to render in; a selector that matches nothing is an error shown in a modal.
fn resolve_target(doc: &Document, target: &Target) -> Result<Option<Element>, WidgetError> {
    let not_found = |why: &str| Error::new("target_not_found", Some("target"), ["target: ", why].concat()).into_widget(false);
    match target {
        Target::Modal => Ok(None),
        Target::Element(e) => Ok(Some(e.clone())),
        Target::Selector(sel) => match doc.query_selector(sel) {
            Ok(Some(e)) => Ok(Some(e)),
            // Quoted by hand: Debug formatting would bring Unicode tables into the wasm.
            Ok(None) => Err(not_found(&["no element matches the selector \"", sel, "\""].concat())),
            Err(_) => Err(not_found(&["\"", sel, "\" is not a valid CSS selector"].concat())),
        },
    }
}

fn pick_lang(window: &Window, language_code: Option<&str>) -> Lang {
    let browser_langs: Vec<String> = window.navigator().languages().iter().filter_map(|v| v.as_string()).collect();
    Lang::pick(language_code, &browser_langs)
}

/// Mounts a widget. `Err` only for programming mistakes (see `error.rs`).
pub fn mount(params: &JsValue, options: &JsValue, transport: Option<Rc<dyn Transport>>, hooks: Hooks) -> Result<u32, Error> {
    let run: RunParams = interop::read_params(params)?;
    let opts: Options = interop::read_options(options)?;
    let (window, doc) = browser()?;

    // What is wrong, if anything: shown on the error screen instead of calling the platform.
    let mut problem: Option<WidgetError> = None;
    let mut problems = run.problems.clone();
    let request = match PaymentRequest::parse_fields(&run.params) {
        Ok(r) => Some(r),
        Err(errs) => {
            problems.extend(errs);
            None
        }
    };
    if !problems.is_empty() {
        problem = Some(Error::from_params(&problems).into_widget(false));
    }

    let base_url = opts.base_url.clone().unwrap_or_else(|| window.location().origin().unwrap_or_default());
    if problem.is_none() && scheme_and_host(&base_url).is_err() {
        problem = Some(
            Error::new("invalid_option", Some("baseUrl"), ["baseUrl: must be an absolute URL such as https://platform.example, got \"", &base_url, "\""].concat())
                .into_widget(false),
        );
    }
    let target = resolve_target(&doc, &opts.target).unwrap_or_else(|e| {
        problem = Some(e);
        None
    });

    let language_code = match run.params.get("language_code") {
        Some(epay_core::Scalar::Text(s)) => Some(s.clone()),
        _ => None,
    };
    let lang = pick_lang(&window, language_code.as_deref());

    let (mut checkout, mut effects) = Checkout::new(url_policy(&base_url));
    if let Some(e) = problem {
        checkout.screen = Screen::Error(e.clone());
        effects = vec![Effect::Emit(Event::Error(e))];
    }
    let transport = transport.unwrap_or_else(|| Rc::new(crate::api::HttpTransport::new(&base_url)));
    let payment_id = request.as_ref().map(|r| r.payment_id.clone()).or_else(|| match run.params.get("payment_id") {
        Some(epay_core::Scalar::Text(s)) => Some(s.clone()),
        Some(epay_core::Scalar::Int(i)) => Some(i.to_string()),
        _ => None,
    });
    let amount = request.as_ref().map(|r| (r.amount, r.currency.clone()));
    let handlers = run.handlers.overlay(opts.handlers);
    replace_existing(target.as_ref());
    let view = View::mount(&doc, target.as_ref(), opts.theme, lang)?;
    let d = doc.clone();
    let state = State {
        checkout,
        lang,
        doc: d,
        view,
        handlers,
        transport,
        open_body: run.body,
        payment_id,
        amount,
        draft: CustomerData::default(),
        abort: AbortController::new().ok(),
        timer: None,
        listeners: vec![],
        redirect_form: None,
        redirect_watch: None,
        hooks,
        interacted: false,
    };
    start(&doc, state, effects, target)
}

/// `EPayWidget.showCode(target, redirect_data, options)`: the EPay code screen from a
/// Gate callback's `redirect_data` alone — no platform call, no polling. A `redirect_data`
/// that cannot be shown (not an object, method not GET, a body field missing, a bad
/// `valid_time`) is shown on the error screen naming the field (`redirect_data.body.
/// valid_time`) and reported through `options.onError`; it does not throw. Throws only
/// for programming mistakes: `target` not an Element or selector, a bad option.
pub fn mount_code(target: &JsValue, redirect_data: &JsValue, options: &JsValue) -> Result<u32, Error> {
    let mut opts: Options = interop::read_options(options)?;
    opts.target = interop::read_target(target, "target")?;
    if matches!(opts.target, Target::Modal) {
        return Err(Error::argument("target", "must be an Element or a CSS selector string, as in showCode('#checkout', redirect_data)"));
    }
    let extra = interop::read_code_options(options)?;
    let (window, doc) = browser()?;
    let shown = interop::read_redirect_data(redirect_data).map_err(|e| e.into_widget(false)).and_then(|rd| {
        if rd.method != HttpMethod::Get {
            return Err(Error::new("bad_redirect", Some("redirect_data.method"), "redirect_data.method: must be GET for an EPay code").into_widget(false));
        }
        EpayCode::from_redirect(&rd).map_err(|e| WidgetError::code_data(&e))?;
        Ok(rd)
    });
    let target = resolve_target(&doc, &opts.target);
    let shown = match &target {
        Ok(_) => shown,
        Err(e) => Err(e.clone()),
    };
    let target = target.ok().flatten();
    let lang = pick_lang(&window, extra.language_code.as_deref());
    let (mut checkout, _) = Checkout::new(UrlPolicy { allow_loopback_http: false });
    let effects = match shown {
        Ok(redirect_data) => {
            checkout.screen = Screen::Code { redirect_data };
            vec![]
        }
        Err(e) => {
            checkout.screen = Screen::Error(e.clone());
            vec![Effect::Emit(Event::Error(e))]
        }
    };
    replace_existing(target.as_ref());
    let view = View::mount(&doc, target.as_ref(), opts.theme, lang)?;
    let d = doc.clone();
    let state = State {
        checkout,
        lang,
        doc: d,
        view,
        handlers: opts.handlers,
        transport: Rc::new(crate::api::HttpTransport::new("")),
        open_body: String::new(),
        payment_id: None,
        amount: extra.amount,
        draft: CustomerData::default(),
        abort: None,
        timer: None,
        listeners: vec![],
        redirect_form: None,
        redirect_watch: None,
        hooks: Hooks::default(),
        interacted: false,
    };
    start(&doc, state, effects, target)
}

/// Registers the widget, renders it and performs the first effects.
fn start(doc: &Document, state: State, effects: Vec<Effect>, target: Option<Element>) -> Result<u32, Error> {
    let id = next_id();
    let shared = Rc::new(Shared { id, target, alive: Cell::new(true), running: Cell::new(false), queue: RefCell::new(VecDeque::new()), state: RefCell::new(Some(state)) });
    WIDGETS.with(|w| w.borrow_mut().push(shared.clone()));

    // Page-level listeners, owned by the widget and removed on destroy.
    {
        let mut guard = shared.state.borrow_mut();
        if let Some(st) = guard.as_mut() {
            let weak = Rc::downgrade(&shared);
            let d = doc.clone();
            st.listeners.push(Listener::new(doc, "visibilitychange", move |_| {
                send(&weak, Ui::Msg(Msg::Visibility(!d.hidden())));
            }));
            if st.view.overlay.is_some() {
                let weak = Rc::downgrade(&shared);
                st.listeners.push(Listener::new(doc, "keydown", move |ev| {
                    let esc = ev.dyn_ref::<web_sys::KeyboardEvent>().is_some_and(|k| k.key() == "Escape");
                    if esc {
                        send(&weak, Ui::Close);
                    }
                }));
            }
            render(st, &shared);
        }
    }
    if doc.hidden() {
        // Opened in a background tab: no polling until it is seen.
        shared.queue.borrow_mut().push_back(Ui::Msg(Msg::Visibility(false)));
    }
    drain(&shared, effects);
    Ok(id)
}

/// Destroys the widget mounted on `target` (`None`: the modal), if any: one checkout, one
/// open request per place.
fn replace_existing(target: Option<&Element>) {
    let same: Vec<Rc<Shared>> = WIDGETS.with(|w| w.borrow().iter().filter(|s| s.target.as_ref() == target).cloned().collect());
    for sh in same {
        destroy_shared(&sh);
    }
}

fn next_id() -> u32 {
    NEXT_ID.with(|n| {
        let id = n.get();
        n.set(id.wrapping_add(1));
        id
    })
}

fn send(weak: &Weak<Shared>, ui: Ui) {
    if let Some(sh) = weak.upgrade() {
        dispatch(&sh, ui);
    }
}

/// Queues `ui` and, unless already running, processes the queue.
fn dispatch(sh: &Rc<Shared>, ui: Ui) {
    if !sh.alive.get() {
        return;
    }
    sh.queue.borrow_mut().push_back(ui);
    drain(sh, vec![]);
}

/// Performs `effects`, then every queued message in order. Re-entrant calls (a merchant
/// handler clicking, or destroying) only queue; the outermost call does the work.
fn drain(sh: &Rc<Shared>, effects: Vec<Effect>) {
    if sh.running.replace(true) {
        return;
    }
    run_effects(sh, effects);
    loop {
        if !sh.alive.get() {
            break;
        }
        let next = sh.queue.borrow_mut().pop_front();
        let Some(ui) = next else { break };
        let effects = match ui {
            // Outside the state borrow: it calls the merchant, then destroys.
            Ui::Close => {
                close(sh);
                continue;
            }
            Ui::Expired => {
                notify(sh, "onExpire", "epay:expire", &|st| match &st.checkout.screen {
                    Screen::Code { redirect_data } => Some(interop::event_payload(&Event::Code(redirect_data.clone()), pid(st).as_deref(), st.checkout.method)),
                    _ => None,
                });
                continue;
            }
            Ui::Resubmit => {
                {
                    let mut guard = sh.state.borrow_mut();
                    if let Some(st) = guard.as_mut() {
                        if let Some(f) = st.redirect_form.clone() {
                            submit(st, sh, &f);
                        }
                    }
                }
                continue;
            }
            Ui::Msg(msg) => {
                let mut guard = sh.state.borrow_mut();
                let Some(st) = guard.as_mut() else { break };
                st.interacted |= !matches!(msg, Msg::Opened(_) | Msg::PayAnswered(_) | Msg::StatusAnswered(_) | Msg::PollDue | Msg::Visibility(_));
                if let Msg::FieldsSubmitted(values) = &msg {
                    st.draft = values.clone();
                } else {
                    capture_draft(st);
                }
                let fx = st.checkout.update(msg);
                render(st, sh);
                fx
            }
        };
        run_effects(sh, effects);
    }
    sh.running.set(false);
    if !sh.alive.get() {
        sh.queue.borrow_mut().clear();
        teardown(sh);
    }
}

/// Keeps what the customer typed across re-renders.
fn capture_draft(st: &mut State) {
    if let (Screen::Fields { fields, .. }, Some(form)) = (&st.checkout.screen, st.view.form()) {
        let typed = view::screens::read_fields(&form, fields);
        for f in fields {
            st.draft.set(*f, typed.get(*f).map(str::to_string));
        }
    }
}

fn render(st: &mut State, sh: &Rc<Shared>) {
    let weak = Rc::downgrade(sh);
    let send_fn: view::Send = Rc::new(move |ui| send(&weak, ui));
    let session = st.checkout.session.as_ref();
    let (amount, currency) = match (session, &st.amount) {
        (Some(s), _) => (Some(s.amount), s.currency.clone()),
        (None, Some((a, c))) => (Some(*a), c.clone()),
        (None, None) => (None, String::new()),
    };
    let lang = st.lang;
    let amount_text = amount.map(|a| view::format_amount(lang, a, &currency));
    let payment_id = session.map(|s| s.payment_id.clone()).or_else(|| st.payment_id.clone());
    let methods = st.checkout.methods();
    let format = move |v: &PaymentView| v.sum.as_ref().map(|s| view::format_amount(lang, s.amount, &s.currency));
    let modal = st.view.overlay.is_some();
    let move_focus = modal || st.interacted;
    let ctx = Ctx {
        doc: &st.doc,
        lang,
        modal,
        amount: amount_text,
        payment_id: payment_id.as_deref(),
        method: st.checkout.method,
        methods: &methods,
        paying: st.checkout.paying,
        forced: session.and_then(|s| s.forced_method).is_some(),
        draft: &st.draft,
        format: &format,
        send: send_fn,
    };
    let screen = st.checkout.screen.clone();
    st.view.render(&ctx, &screen, move_focus);
}

fn run_effects(sh: &Rc<Shared>, effects: Vec<Effect>) {
    for fx in effects {
        if !sh.alive.get() {
            return;
        }
        match fx {
            Effect::Emit(ev) => emit(sh, &ev),
            other => {
                let mut guard = sh.state.borrow_mut();
                if let Some(st) = guard.as_mut() {
                    perform(st, sh, other);
                }
            }
        }
    }
}

/// Runs a future's answer back into the widget, unless it was destroyed meanwhile.
fn spawn_call<T: 'static>(sh: &Rc<Shared>, fut: crate::api::Call<T>, wrap: fn(Result<T, epay_core::flow::ApiFailure>) -> Msg) {
    let weak = Rc::downgrade(sh);
    wasm_bindgen_futures::spawn_local(async move {
        let res = fut.await;
        if let Some(sh) = weak.upgrade() {
            if sh.alive.get() {
                dispatch(&sh, Ui::Msg(wrap(res)));
            }
        }
    });
}

fn signal(st: &State) -> web_sys::AbortSignal {
    match &st.abort {
        Some(a) => a.signal(),
        // No AbortController (very old browser): a signal that never fires.
        None => AbortController::new().map(|a| a.signal()).unwrap_or_else(|_| JsValue::UNDEFINED.unchecked_into()),
    }
}

fn perform(st: &mut State, sh: &Rc<Shared>, fx: Effect) {
    match fx {
        Effect::CallOpen => {
            let fut = st.transport.open(st.open_body.clone(), &signal(st));
            spawn_call(sh, fut, Msg::Opened);
        }
        Effect::CallPay { method, customer } => {
            let Some(session) = st.checkout.session.as_ref().map(|s| s.session.clone()) else { return };
            // The return URL the merchant signed, else this page (the platform takes it only
            // on an origin registered for the project).
            let return_url = interop::signed_text(&st.open_body, "return_url")
                .or_else(|| web_sys::window().and_then(|w| w.location().href().ok()))
                .unwrap_or_default();
            let req = PayRequest { session, method, customer, return_url };
            let fut = st.transport.pay(req, &signal(st));
            spawn_call(sh, fut, Msg::PayAnswered);
        }
        Effect::CallStatus => {
            let Some(session) = st.checkout.session.as_ref().map(|s| s.session.clone()) else { return };
            let fut = st.transport.status(session, &signal(st));
            spawn_call(sh, fut, Msg::StatusAnswered);
        }
        Effect::SchedulePoll { attempt } => {
            let delay = match &st.hooks.poll_delay {
                Some(f) => f(attempt),
                None => poll_delay_ms(attempt, js_sys::Math::random()),
            };
            let weak = Rc::downgrade(sh);
            // Replacing the old timer clears it.
            st.timer = Some(Timeout::new(delay, move || send(&weak, Ui::Msg(Msg::PollDue))));
        }
        Effect::CancelPoll => st.timer = None,
        Effect::Navigate(rd) => {
            if let Some(form) = build_form(&st.doc, &rd) {
                if let Some(old) = st.redirect_form.replace(form.clone()) {
                    old.remove();
                }
                submit(st, sh, &form);
            }
        }
        Effect::Emit(_) => {}
    }
}

/// The redirect form: one hidden input per body pair; for GET the browser puts them in
/// the query (replacing any query of `url`, as browsers do for GET forms). Appended to
/// `document.body`, outside the shadow root.
pub fn build_form(doc: &Document, rd: &RedirectData) -> Option<HtmlFormElement> {
    let form: HtmlFormElement = doc.create_element("form").ok()?.dyn_into().ok()?;
    form.set_method(rd.method.as_str());
    form.set_action(&rd.url);
    let _ = form.set_attribute("data-epay-redirect", "");
    form.set_hidden(true);
    for (k, v) in &rd.body.0 {
        let input: web_sys::HtmlInputElement = doc.create_element("input").ok()?.dyn_into().ok()?;
        input.set_type("hidden");
        input.set_name(k);
        input.set_value(v);
        let _ = form.append_child(&input);
    }
    doc.body()?.append_child(&form).ok()?;
    Some(form)
}

/// `followRedirect`'s URL rule: loopback http only with `options.sandbox`, or from a page
/// that is itself served over http from a loopback host (the sandbox's own pages).
pub fn redirect_policy(sandbox: bool, page_origin: &str) -> UrlPolicy {
    UrlPolicy { allow_loopback_http: sandbox || url_policy(page_origin).allow_loopback_http }
}

/// `EPayWidget.followRedirect(redirect_data, options)` (Gate mode): checks `redirect_data`
/// and submits it as a hidden form — `method` to `url`, `body` as fields (for GET the
/// browser puts them in the query). `url` must be https; plain http only to a loopback
/// host (127.0.0.0/8, localhost, [::1]), and only when `options.sandbox` is `true` or the
/// page itself is served over http from a loopback host. Anything refused throws a JS
/// `Error` with `code` `bad_redirect` and `param` naming the field
/// (`redirect_data.method`, `redirect_data.url`, `redirect_data.body.<key>`), and
/// nothing navigates. `navigate` replaces the submit (tests).
pub fn follow_redirect(redirect_data: &JsValue, options: &JsValue, navigate: Option<&NavigateHook>) -> Result<js_sys::Promise, Error> {
    let sandbox = interop::read_sandbox(options)?;
    let rd = interop::read_redirect_data(redirect_data)?;
    let (window, doc) = browser()?;
    rd.check(redirect_policy(sandbox, &window.location().origin().unwrap_or_default())).map_err(|e| {
        let w = WidgetError::redirect(&e);
        Error { code: w.code, param: w.param, message: w.message }
    })?;
    // And the browser's own URL parser: a URL it cannot parse would leave the customer on
    // `about:blank#blocked`.
    if web_sys::Url::new(&rd.url).is_err() {
        return Err(Error::new("bad_redirect", Some("redirect_data.url"), "redirect_data.url: the browser cannot parse this URL"));
    }
    let form = build_form(&doc, &rd).ok_or_else(|| Error::new("no_document", None, "followRedirect: the page has no body to hold the form"))?;
    if let Some(hook) = navigate {
        hook(&form);
        return Ok(js_sys::Promise::resolve(&JsValue::UNDEFINED));
    }
    // Settles when the browser starts leaving, or rejects with `redirect_failed` when it
    // refuses (see `NavigationWatch`): the watch lives in the promise's callbacks until then.
    let url = rd.url.clone();
    let keep: Rc<RefCell<Option<NavigationWatch>>> = Rc::default();
    let mut submitted = Ok(());
    let promise = js_sys::Promise::new(&mut |resolve: js_sys::Function, reject: js_sys::Function| {
        let (k1, k2) = (keep.clone(), keep.clone());
        let url = url.clone();
        let watch = NavigationWatch::new(
            &doc,
            Box::new(move || {
                let _ = resolve.call0(&JsValue::UNDEFINED);
                k1.borrow_mut().take();
            }),
            Box::new(move |why: String| {
                let e = WidgetError::redirect_failed(&url, &why);
                web_sys::console::warn_1(&JsValue::from_str(&["[epay-widget] redirect_failed: ", &e.message].concat()));
                let _ = reject.call1(&JsValue::UNDEFINED, &Error { code: e.code, param: e.param, message: e.message }.into());
                k2.borrow_mut().take();
            }),
        );
        *keep.borrow_mut() = watch;
        submitted = submit_form(&form);
    });
    submitted.map_err(|_| Error::new("redirect_failed", Some("redirect_data.url"), "followRedirect: the browser refused to submit the form"))?;
    Ok(promise)
}

/// `HTMLFormElement.prototype.submit.call(form)`: a body field named `submit` (an input is
/// also a property of its form) cannot shadow the method and leave the customer stuck.
pub fn submit_form(form: &HtmlFormElement) -> Result<(), JsValue> {
    let class = js_sys::Reflect::get(&js_sys::global(), &"HTMLFormElement".into())?;
    let proto = js_sys::Reflect::get(&class, &"prototype".into())?;
    let submit: js_sys::Function = js_sys::Reflect::get(&proto, &"submit".into())?.dyn_into()?;
    submit.call0(form).map(|_| ())
}

fn submit(st: &mut State, sh: &Rc<Shared>, form: &HtmlFormElement) {
    match &st.hooks.navigate {
        Some(hook) => hook(form),
        None => {
            let weak = Rc::downgrade(sh);
            let failed = move |why: String| send(&weak, Ui::Msg(Msg::RedirectFailed(why)));
            // Watch first: a CSP refusal is reported while `submit()` runs.
            st.redirect_watch = None;
            let watch = NavigationWatch::new(&st.doc, Box::new(|| {}), Box::new(failed.clone()));
            match submit_form(form) {
                Ok(()) => st.redirect_watch = watch,
                // Reported through the error screen and onError, like a CSP refusal.
                Err(e) => failed(["the browser refused to submit the form: ", &js_error_text(&e)].concat()),
            }
        }
    }
}

/// How long the browser may take to start leaving the page after a redirect form is
/// submitted before the widget says it did not (a frame sandboxed without `allow-forms`
/// refuses silently). A Content-Security-Policy refusal is reported at once.
pub const REDIRECT_GRACE_MS: u32 = 3000;

/// After `beforeunload`, how long a Content-Security-Policy refusal may still arrive:
/// Chromium checks `form-action` once the navigation has started (after `beforeunload`).
pub const REDIRECT_SETTLE_MS: u32 = 1000;

/// Watches a submitted redirect form: the browser either leaves the page or refuses.
/// Leaving: `pagehide`, or `beforeunload` followed by no refusal for [`REDIRECT_SETTLE_MS`].
/// Refusing: a `securitypolicyviolation` for `form-action`, or neither event within
/// [`REDIRECT_GRACE_MS`]. Exactly one of `left` / `failed` runs, at most once; dropping the
/// watch stops it.
pub struct NavigationWatch {
    _listeners: [Listener; 3],
    _timer: Rc<RefCell<Option<Timeout>>>,
}

type Report = Rc<RefCell<Option<(Box<dyn FnOnce()>, Box<dyn FnOnce(String)>)>>>;

fn report_left(r: &Report) {
    if let Some((left, _)) = r.borrow_mut().take() {
        left();
    }
}

fn report_failed(r: &Report, why: String) {
    if let Some((_, failed)) = r.borrow_mut().take() {
        failed(why);
    }
}

impl NavigationWatch {
    pub fn new(doc: &Document, left: Box<dyn FnOnce()>, failed: Box<dyn FnOnce(String)>) -> Option<NavigationWatch> {
        let window = web_sys::window()?;
        let report: Report = Rc::new(RefCell::new(Some((left, failed))));
        let timer: Rc<RefCell<Option<Timeout>>> = Rc::default();
        let r = report.clone();
        let csp = Listener::new(doc, "securitypolicyviolation", move |ev| {
            let get = |k: &str| js_sys::Reflect::get(&ev, &k.into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
            let directive = get("effectiveDirective");
            if directive == "form-action" || get("violatedDirective").starts_with("form-action") {
                let policy = get("originalPolicy");
                let shown = if policy.is_empty() { directive } else { ["form-action in \"", &policy, "\""].concat() };
                report_failed(&r, ["the page's Content-Security-Policy refused it (", &shown, ")"].concat());
            }
        });
        let r = report.clone();
        let hide = Listener::new(&window, "pagehide", move |_| report_left(&r));
        let (r, t) = (report.clone(), Rc::downgrade(&timer));
        let started = Listener::new(&window, "beforeunload", move |_| {
            let r = r.clone();
            // Replacing the grace timer clears it; a refusal may still come meanwhile.
            if let Some(t) = t.upgrade() {
                *t.borrow_mut() = Some(Timeout::new(REDIRECT_SETTLE_MS, move || report_left(&r)));
            }
        });
        let r = report.clone();
        *timer.borrow_mut() = Some(Timeout::new(REDIRECT_GRACE_MS, move || {
            report_failed(&r, "the page did not start leaving within 3 s (a sandboxed frame without allow-forms?)".into());
        }));
        Some(NavigationWatch { _listeners: [csp, started, hide], _timer: timer })
    }
}

/// The message of a thrown JS value.
fn js_error_text(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).or_else(|| e.as_string()).unwrap_or_default()
}

fn pid(st: &State) -> Option<String> {
    st.checkout.session.as_ref().map(|s| s.payment_id.clone()).or_else(|| st.payment_id.clone())
}

/// Tells the merchant: the `dom` event on the host, then the `handler` (`on*`), both with
/// the payload `payload` makes (`None`: nothing to tell). A handler that throws is logged
/// and changes nothing.
fn notify(sh: &Rc<Shared>, handler: &str, dom: &str, payload: &dyn Fn(&State) -> Option<JsValue>) {
    let (f, host, payload) = {
        let guard = sh.state.borrow();
        let Some(st) = guard.as_ref() else { return };
        let Some(p) = payload(st) else { return };
        (st.handlers.get(handler).cloned(), st.view.host.clone(), p)
    };
    dispatch_dom_event(&host, dom, &payload);
    if let Some(f) = f {
        if let Err(err) = f.call1(&JsValue::UNDEFINED, &payload) {
            console_error("[epay-widget] an event handler threw:", &err);
        }
    }
}

/// A core event as its `epay:*` DOM event and `on*` handler.
fn emit(sh: &Rc<Shared>, ev: &Event) {
    if let Event::Error(e) = ev {
        if !e.retryable {
            // For the developer: the customer only sees "contact the shop".
            web_sys::console::warn_1(&JsValue::from_str(&["[epay-widget] ", &e.code, ": ", &e.message].concat()));
        }
    }
    let (handler, dom) = interop::event_names(ev);
    notify(sh, handler, dom, &|st| Some(interop::event_payload(ev, pid(st).as_deref(), st.checkout.method)));
}

fn dispatch_dom_event(host: &web_sys::HtmlElement, name: &str, detail: &JsValue) {
    let init = web_sys::CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(detail);
    if let Ok(e) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = host.dispatch_event(&e);
    }
}

/// Close button or Escape: `onClose`, `epay:close`, then destroy.
fn close(sh: &Rc<Shared>) {
    let modal = sh.state.borrow().as_ref().is_some_and(|st| st.view.overlay.is_some());
    if !modal {
        return;
    }
    notify(sh, "onClose", "epay:close", &|st| {
        let status = match &st.checkout.screen {
            Screen::Result { view } => view.status.as_ref().map(|s| JsValue::from_str(s.as_str())),
            _ => None,
        };
        Some(interop::object(&[
            ("payment_id", pid(st).map_or(JsValue::UNDEFINED, |p| JsValue::from_str(&p))),
            ("status", status.unwrap_or(JsValue::UNDEFINED)),
        ]))
    });
    destroy_shared(sh);
}

/// `WidgetHandle.destroy()`. Safe to call twice, and from inside a handler.
pub fn destroy(id: u32) {
    if let Some(sh) = find(id) {
        destroy_shared(&sh);
    }
}

fn destroy_shared(sh: &Rc<Shared>) {
    sh.alive.set(false);
    WIDGETS.with(|w| w.borrow_mut().retain(|s| s.id != sh.id));
    if !sh.running.get() {
        teardown(sh);
    }
    // else: the running dispatch loop tears down when it unwinds.
}

fn teardown(sh: &Rc<Shared>) {
    let Ok(mut guard) = sh.state.try_borrow_mut() else { return };
    if let Some(mut st) = guard.take() {
        if let Some(a) = st.abort.take() {
            a.abort();
        }
        st.timer = None;
        st.listeners.clear();
        st.redirect_watch = None;
        if let Some(f) = st.redirect_form.take() {
            f.remove();
        }
        st.view.remove();
    }
}
