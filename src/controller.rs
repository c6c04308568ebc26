//! Owns the `Checkout` state machine and performs its effects: platform calls (abortable),
//! the poll timer, the visibility listener, the redirect form, events to the merchant.
//!
//! Every mounted widget is kept in a registry until `destroy()`, so a page that drops
//! the handle (seed 002 does) does not lose its checkout to the garbage collector.
//! Messages go through a queue: a merchant handler that calls back into the widget
//! (even `destroy()`) never meets a borrowed state.

use crate::error::Error;
use crate::interop::{self, Handlers, Options, RunParams, Target};
use crate::view::builder::Ctx;
use crate::view::dom::{console_error, Listener, Timeout};
use crate::view::{self, View, ViewEvent};
use epay_core::epay_cash::EpayCode;
use epay_core::flow::{poll_delay_ms, Checkout, Effect, Event, Msg, Screen, WidgetError};
use epay_core::i18n::Lang;
use epay_core::params::CustomerData;
use epay_core::protocol::{PayRequest, PaymentView};
use epay_core::redirect::HttpMethod;
use epay_core::ErrorCode;
use epay_core::{MinorUnits, UrlPolicy};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::{Rc, Weak};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortController, Document, Element, HtmlFormElement, Window};

use crate::browser::{browser, js_error_text};
pub use crate::redirect::NavigateHook;
use crate::redirect::{browser_parses, build_form, parse_url, submit_form, url_policy, NavigationWatch};
pub type PollDelayHook = Rc<dyn Fn(u32) -> u32>;

/// Test seams: what the browser tests replace.
#[derive(Clone, Default)]
pub struct Hooks {
    /// Receives the built redirect form instead of it being submitted.
    pub navigate: Option<NavigateHook>,
    /// Poll delay for attempt N; default `flow::poll_delay_ms(attempt, Math.random())`.
    pub poll_delay: Option<PollDelayHook>,
}

struct State {
    checkout: Checkout,
    lang: Lang,
    doc: Document,
    view: View,
    handlers: Handlers,
    transport: Rc<dyn crate::api::Transport>,
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
    /// Waiting for the customer's language pack: nothing is rendered until it is here, or
    /// until `texts_timer` gives up on it (English then).
    texts_pending: bool,
    texts_timer: Option<Timeout>,
}

impl State {
    /// A mounted checkout's state before its first render: nothing typed, nothing running.
    fn new(
        checkout: Checkout,
        lang: Lang,
        doc: &Document,
        view: View,
        handlers: Handlers,
        transport: Rc<dyn crate::api::Transport>,
        hooks: Hooks,
    ) -> State {
        State {
            checkout,
            lang,
            doc: doc.clone(),
            view,
            handlers,
            transport,
            open_body: String::new(),
            payment_id: None,
            amount: None,
            draft: CustomerData::default(),
            abort: None,
            timer: None,
            listeners: vec![],
            redirect_form: None,
            redirect_watch: None,
            hooks,
            interacted: false,
            texts_pending: view::packs::needed(lang),
            texts_timer: None,
        }
    }
}

/// The flows module taking over from the first module (`src/first.rs`, issue 26): the
/// `open` answer comes as `options.opened` does; `method`, the customer's choice, is made
/// again here; `readyTold`: the first module told `onReady`.
#[derive(Default)]
pub struct Resume {
    pub method: Option<epay_core::catalog::MethodCode>,
    pub ready_told: bool,
}

impl Resume {
    pub fn read(v: &JsValue) -> Resume {
        if !v.is_object() {
            return Resume::default();
        }
        let get = |k: &str| js_sys::Reflect::get(v, &k.into()).unwrap_or_default();
        Resume {
            method: get("method").as_string().and_then(|m| epay_core::catalog::MethodCode::parse(&m)),
            ready_told: get("readyTold").is_truthy(),
        }
    }
}

pub struct Shared {
    id: u32,
    /// Where it is mounted; `None`: the modal. One widget per place: a second `run` on the
    /// same target replaces the first.
    target: Option<Element>,
    alive: Cell<bool>,
    running: Cell<bool>,
    queue: RefCell<VecDeque<ViewEvent>>,
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

/// The element to render in; a selector that matches nothing is an error shown in a modal.
fn resolve_target(doc: &Document, target: &Target) -> Result<Option<Element>, WidgetError> {
    let not_found = |why: &str| Error::new(ErrorCode::TargetNotFound, Some("target"), ["target: ", why].concat()).into_widget(false);
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

pub(crate) fn pick_lang(window: &Window, language_code: Option<&str>) -> Lang {
    let browser_langs: Vec<String> = window.navigator().languages().iter().filter_map(|v| v.as_string()).collect();
    Lang::pick(language_code, &browser_langs)
}

/// How a mounted checkout reaches the platform.
pub enum Transport {
    /// HTTP to `baseUrl`, taking over the loader's early `open` if there is one.
    Http { early: Option<crate::api::EarlyOpen> },
    /// Another transport (the browser tests' canned answers).
    Given(Rc<dyn crate::api::Transport>),
}

/// Mounts a widget. `Err` only for programming mistakes (see `error.rs`).
pub fn mount(params: &JsValue, options: &JsValue, transport: Transport, hooks: Hooks, resume: Resume) -> Result<u32, Error> {
    let run: RunParams = interop::read_params(params)?;
    let opts: Options = interop::read_options(options)?;
    let (window, doc) = browser()?;

    // What is wrong, if anything: shown on the error screen instead of calling the platform.
    // Only what the browser alone can know (values that cannot be sent, too many keys, the
    // target, `baseUrl`): the parameters' rules are the platform's, which `open` applies
    // and answers naming the parameter (issue 26).
    let mut problem: Option<WidgetError> = None;
    if !run.problems.is_empty() {
        problem = Some(Error::from_params(&run.problems).into_widget(false));
    }

    let base_url = opts.base_url.clone().unwrap_or_else(|| window.location().origin().unwrap_or_default());
    if problem.is_none() && parse_url(&base_url).is_err() {
        problem = Some(
            Error::new(
                ErrorCode::InvalidOption,
                Some("baseUrl"),
                ["baseUrl: must be an absolute URL such as https://platform.example, got \"", &base_url, "\""].concat(),
            )
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

    let mut later = vec![];
    let (mut checkout, mut effects) = match problem {
        None => Checkout::new(url_policy(&base_url)),
        Some(e) => Checkout::failed(url_policy(&base_url), e),
    };
    checkout.set_url_parser(browser_parses);
    // Every `open` answer, handed over or fetched, must be for what the merchant signed.
    let signed = epay_core::flow::Signed::read(&run.params);
    let payment_id = signed.payment_id.clone();
    let amount = signed.amount.zip(signed.currency.clone());
    checkout.expect(signed);
    if resume.ready_told {
        checkout.ready_told();
    }
    // The answer the page already had (`options.opened`), taken now: the first screen drawn
    // is the one it asks for (the picker), with no loading screen and no task in between.
    let transport = match transport {
        Transport::Http { early: Some(e) } if effects.iter().any(|e| matches!(e, Effect::CallOpen)) => {
            let url = [base_url.trim_end_matches('/'), epay_core::protocol::OPEN_PATH].concat();
            match e.ready(&url, &run.body) {
                Some((status, text)) => {
                    effects.retain(|e| !matches!(e, Effect::CallOpen));
                    // What it sets off (onReady first) runs after `run` has returned, as it would
                    // after a request: a handler may use the handle `run` returns.
                    later = checkout.update(Msg::Opened(crate::api::decode(status, &text, interop::decode_open)));
                    // Handed over by the first module: the customer's choice, made again.
                    if let (Some(m), Screen::Picker) = (resume.method, checkout.screen()) {
                        later.extend(checkout.update(Msg::MethodChosen(m)));
                    }
                    Transport::Http { early: None }
                }
                None => Transport::Http { early: Some(e) },
            }
        }
        other => other,
    };
    let transport: Rc<dyn crate::api::Transport> = match transport {
        Transport::Given(t) => t,
        // Parameters the browser cannot send are never sent: an early `open` is stopped.
        Transport::Http { early } if !effects.iter().any(|e| matches!(e, Effect::CallOpen)) => {
            if let Some(e) = early {
                e.abort();
            }
            Rc::new(crate::api::HttpTransport::new(&base_url))
        }
        Transport::Http { early } => Rc::new(crate::api::HttpTransport::new(&base_url).with_early(early)),
    };
    let handlers = run.handlers.overlay(opts.handlers);
    replace_existing(target.as_ref());
    let view = View::mount(&doc, target.as_ref(), opts.theme, lang)?;
    let mut state = State::new(checkout, lang, &doc, view, handlers, transport, hooks);
    state.open_body = run.body;
    state.interacted = resume.method.is_some();
    state.payment_id = payment_id;
    state.amount = amount;
    state.abort = AbortController::new().ok();
    start(&doc, state, effects, target, later)
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
            return Err(Error::new(
                ErrorCode::BadRedirect,
                Some("redirect_data.method"),
                "redirect_data.method: must be GET for an EPay code",
            )
            .into_widget(false));
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
    let (checkout, effects) = match shown {
        Ok(redirect_data) => (Checkout::showing_code(redirect_data), vec![]),
        Err(e) => Checkout::failed(UrlPolicy { allow_loopback_http: false }, e),
    };
    replace_existing(target.as_ref());
    let view = View::mount(&doc, target.as_ref(), opts.theme, lang)?;
    // No platform behind a Gate code screen: a transport that is never called.
    let mut state = State::new(checkout, lang, &doc, view, opts.handlers, Rc::new(crate::api::HttpTransport::new("")), Hooks::default());
    state.amount = extra.amount;
    start(&doc, state, effects, target, vec![])
}

/// Registers the widget, renders it and performs the first effects.
/// `later`: effects to run in a microtask, once `run` has returned.
fn start(doc: &Document, state: State, effects: Vec<Effect>, target: Option<Element>, later: Vec<Effect>) -> Result<u32, Error> {
    let id = next_id();
    let shared = Rc::new(Shared {
        id,
        target,
        alive: Cell::new(true),
        running: Cell::new(false),
        queue: RefCell::new(VecDeque::new()),
        state: RefCell::new(Some(state)),
    });
    WIDGETS.with(|w| w.borrow_mut().push(shared.clone()));

    // Page-level listeners, owned by the widget and removed on destroy.
    {
        let mut guard = shared.state.borrow_mut();
        if let Some(st) = guard.as_mut() {
            let weak = Rc::downgrade(&shared);
            let d = doc.clone();
            st.listeners.push(Listener::new(doc, "visibilitychange", move |_| {
                send(&weak, ViewEvent::Msg(Msg::Visibility(!d.hidden())));
            }));
            if st.view.overlay.is_some() {
                let weak = Rc::downgrade(&shared);
                st.listeners.push(Listener::new(doc, "keydown", move |ev| {
                    let esc = ev.dyn_ref::<web_sys::KeyboardEvent>().is_some_and(|k| k.key() == "Escape");
                    if esc {
                        send(&weak, ViewEvent::Close);
                    }
                }));
            }
            if st.texts_pending {
                let weak = Rc::downgrade(&shared);
                view::packs::fetch(st.lang, move || send(&weak, ViewEvent::Texts));
                let weak = Rc::downgrade(&shared);
                st.texts_timer = Some(Timeout::new(view::packs::WAIT_MS, move || send(&weak, ViewEvent::Texts)));
            }
            render(st, &shared);
        }
    }
    if doc.hidden() {
        // Opened in a background tab: no polling until it is seen.
        shared.queue.borrow_mut().push_back(ViewEvent::Msg(Msg::Visibility(false)));
    }
    drain(&shared, effects);
    if !later.is_empty() {
        let sh = shared.clone();
        wasm_bindgen_futures::spawn_local(async move { drain(&sh, later) });
    }
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

fn send(weak: &Weak<Shared>, ui: ViewEvent) {
    if let Some(sh) = weak.upgrade() {
        dispatch(&sh, ui);
    }
}

/// Queues `ui` and, unless already running, processes the queue.
fn dispatch(sh: &Rc<Shared>, ui: ViewEvent) {
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
            ViewEvent::Close => {
                close(sh);
                continue;
            }
            ViewEvent::Expired => {
                notify(sh, "onExpire", "epay:expire", &|st| match st.checkout.screen() {
                    Screen::Code { redirect_data } => {
                        Some(interop::event_payload(&Event::Code(redirect_data.clone()), pid(st).as_deref(), st.checkout.method()))
                    }
                    _ => None,
                });
                continue;
            }
            ViewEvent::Texts => {
                let mut guard = sh.state.borrow_mut();
                let Some(st) = guard.as_mut() else { break };
                // The pack arrived, or the wait for it ended (English): render. A pack that
                // comes after the wait puts the screen on display into the language at once.
                st.texts_timer = None;
                st.texts_pending = false;
                st.view.invalidate();
                render(st, sh);
                continue;
            }
            ViewEvent::Resubmit => {
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
            ViewEvent::Msg(msg) => {
                let mut guard = sh.state.borrow_mut();
                let Some(st) = guard.as_mut() else { break };
                st.interacted |=
                    !matches!(msg, Msg::Opened(_) | Msg::PayAnswered(_) | Msg::StatusAnswered(_) | Msg::PollDue | Msg::Visibility(_));
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
    if let (Screen::Fields { fields, .. }, Some(form)) = (st.checkout.screen(), st.view.form()) {
        let typed = view::screens::read_fields(&form, fields);
        for f in fields {
            st.draft.set(*f, typed.get(*f).map(str::to_string));
        }
    }
}

fn render(st: &mut State, sh: &Rc<Shared>) {
    if st.texts_pending {
        return;
    }
    let weak = Rc::downgrade(sh);
    let send_fn: view::Send = Rc::new(move |ui| send(&weak, ui));
    let session = st.checkout.session();
    let (amount, currency) = match (session, &st.amount) {
        (Some(s), _) => (Some(s.amount), s.currency.clone()),
        (None, Some((a, c))) => (Some(*a), c.clone()),
        (None, None) => (None, String::new()),
    };
    let lang = st.lang;
    let amount_text = amount.map(|a| view::format_amount(lang, a, &currency));
    let payment_id = session.map(|s| s.payment_id.clone()).or_else(|| st.payment_id.clone());
    let methods = st.checkout.methods();
    // The code screens' drawings come from a second module: fetch it while the customer
    // picks (its loader fetches once).
    if methods.iter().any(|m| m.shows_code()) {
        view::drawings::prefetch();
    }
    let format = move |v: &PaymentView| v.sum.as_ref().map(|s| view::format_amount(lang, s.amount, &s.currency));
    let modal = st.view.overlay.is_some();
    let move_focus = modal || st.interacted;
    let ctx = Ctx {
        doc: &st.doc,
        lang,
        modal,
        amount: amount_text,
        payment_id: payment_id.as_deref(),
        method: st.checkout.method(),
        methods: &methods,
        paying: st.checkout.paying(),
        forced: session.and_then(|s| s.forced_method).is_some(),
        draft: &st.draft,
        format: &format,
        send: send_fn,
    };
    let screen = st.checkout.screen().clone();
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
fn spawn_call<T: 'static>(sh: &Rc<Shared>, fut: crate::api::Call<T>, wrap: fn(Result<T, epay_core::flow::CallFailure>) -> Msg) {
    let weak = Rc::downgrade(sh);
    wasm_bindgen_futures::spawn_local(async move {
        let res = fut.await;
        if let Some(sh) = weak.upgrade() {
            if sh.alive.get() {
                dispatch(&sh, ViewEvent::Msg(wrap(res)));
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
            let Some(session) = st.checkout.session().map(|s| s.session.clone()) else { return };
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
            let Some(session) = st.checkout.session().map(|s| s.session.clone()) else { return };
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
            st.timer = Some(Timeout::new(delay, move || send(&weak, ViewEvent::Msg(Msg::PollDue))));
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

fn submit(st: &mut State, sh: &Rc<Shared>, form: &HtmlFormElement) {
    match &st.hooks.navigate {
        Some(hook) => hook(form),
        None => {
            let weak = Rc::downgrade(sh);
            let failed = move |why: String| send(&weak, ViewEvent::Msg(Msg::RedirectFailed(why)));
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

fn pid(st: &State) -> Option<String> {
    st.checkout.session().map(|s| s.payment_id.clone()).or_else(|| st.payment_id.clone())
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
            web_sys::console::warn_1(&JsValue::from_str(&["[epay-widget] ", e.code.as_str(), ": ", &e.message].concat()));
        }
    }
    let (handler, dom) = interop::event_names(ev);
    notify(sh, handler, dom, &|st| Some(interop::event_payload(ev, pid(st).as_deref(), st.checkout.method())));
}

pub(crate) fn dispatch_dom_event(host: &web_sys::HtmlElement, name: &str, detail: &JsValue) {
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
        let status = match st.checkout.screen() {
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

/// The flows module, loaded while the customer looks at the first module's picker: does
/// once, out of the page, what taking over the checkout will do at the customer's click,
/// so that the click meets parsed styles and compiled code (V8 compiles a wasm function at
/// its first call). A checkout handed over with the card chosen and the phone missing is
/// mounted in an element that is not in the document, with its `open` answer given (no
/// request, no handler, no event a page listens to), and destroyed.
pub fn warm() {
    let _ = view::shared_sheet();
    let Ok((window, doc)) = browser() else { return };
    let Ok(place) = doc.create_element("div") else { return };
    let params = interop::object(&[
        ("project_id", JsValue::from(1)),
        ("payment_id", "warm-up".into()),
        ("payment_amount", JsValue::from(100)),
        ("payment_currency", "KES".into()),
        ("language_code", "en".into()),
    ]);
    let base = window.location().origin().unwrap_or_default();
    let answer = r#"{"session":"","project_id":1,"payment_id":"warm-up","amount":100,"currency":"KES","methods":[{"code":"card-partner","fields":["phone"]}],"customer":{},"payment":{}}"#;
    let ready = interop::object(&[("status", JsValue::from(200)), ("text", answer.into())]);
    let early = interop::object(&[
        ("url", [base.as_str(), epay_core::protocol::OPEN_PATH].concat().into()),
        ("body", js_sys::JSON::stringify(&params).map(JsValue::from).unwrap_or_default()),
        ("answer", js_sys::Promise::resolve(&ready).into()),
        ("abort", wasm_bindgen::closure::Closure::once_into_js(|| {})),
        ("ready", ready),
    ]);
    let options = interop::object(&[("target", place.into()), ("baseUrl", base.into())]);
    let resume = Resume { method: Some(epay_core::catalog::MethodCode::CardPartner), ready_told: true };
    let early = crate::api::EarlyOpen::read(&early);
    if let Ok(id) = mount(&params, &options, Transport::Http { early }, Hooks::default(), resume) {
        destroy(id);
    }
}

/// The widget `id` is mounted: not destroyed, not closed.
pub fn is_live(id: u32) -> bool {
    find(id).is_some()
}

/// Destroys the widgets this module shows on `target` (an Element or selector; absent: the
/// modal): the loader's call before the other module mounts there (one checkout per place).
pub fn clear(target: &JsValue) {
    let Ok(target) = interop::read_target(target, "options.target") else { return };
    let Ok((_, doc)) = browser() else { return };
    if let Ok(el) = resolve_target(&doc, &target) {
        replace_existing(el.as_ref());
    }
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
