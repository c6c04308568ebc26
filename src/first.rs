//! The widget's first module (feature `picker`, shipped as `pkg/epay_widget_bg.wasm`; issue
//! 26, decision 4): it draws the method picker from `open`'s answer and nothing else. The
//! flows module (`pkg/epay_flows_bg.wasm`, this crate without the feature: the whole widget)
//! is fetched once the picker is on screen, while the customer chooses.
//!
//! Only the way to the picker is here. The loader sends `open` (its early request, or the
//! page's `options.opened`); when the answer is a payment to pick a method for (the platform
//! accepted the parameters, offers methods, forces none, no payment is under way, and it
//! repeats what the merchant signed), this module shows the picker and tells `onReady`.
//! Everything else (an error to show, a forced method, a payment under way, a selector that
//! matches nothing, no early request) is handed over at once: the flows module draws it, from
//! the same answer, with its own checks and messages. A click on a method hands over too; the
//! flows module makes the choice again (`onMethodSelected`, `pay`), so nothing is sent twice
//! and nothing is lost. Close (modal) is handled here, as the flows module would.
//!
//! `run`'s last argument comes from the loader: `{ shown(), handover(method, readyTold, url,
//! body, status, text) }`. `shown(codes)` is called once the picker is drawn (the loader then
//! fetches the flows module, and the drawings module when a method on offer shows a code); `handover` gives the checkout to the flows module: the method
//! chosen (or `null`), whether `onReady` was told, and the `open` request with its answer
//! (absent: there is none yet, the flows module asks).

use crate::api::EarlyOpen;
use crate::error::Error;
use crate::interop::{self, Handlers, Target};
use crate::view::builder::Ctx;
use crate::view::dom::{console_error, Listener, Timeout};
use crate::view::{self, View, ViewEvent};
use epay_core::catalog::MethodCode;
use epay_core::flow::{Msg, Screen, Signed};
use epay_core::i18n::Lang;
use epay_core::params::CustomerData;
use epay_core::protocol::OpenResponse;
use epay_core::Scalar;
use js_sys::{Function, Reflect};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element};

struct First {
    doc: Document,
    view: View,
    lang: Lang,
    handlers: Handlers,
    /// `open`'s URL and body, and the request until it answers.
    request: (String, String),
    early: Option<EarlyOpen>,
    shown: Option<Function>,
    handover: Function,
    /// The answer on display and its text.
    open: Option<(OpenResponse, String)>,
    screen: Screen,
    /// Handed over: no more clicks (the loader destroys this widget when the flows module mounts).
    handed: bool,
    /// The customer chose and the flows module has not taken over yet (it is still coming):
    /// the picker shows its buttons disabled, as while paying.
    waiting: bool,
    waiting_timer: Option<Timeout>,
    texts_pending: bool,
    texts_timer: Option<Timeout>,
    listeners: Vec<Listener>,
}

type Slot = Rc<RefCell<Option<First>>>;

thread_local! {
    static LIVE: RefCell<Vec<(u32, Slot)>> = const { RefCell::new(Vec::new()) };
    static NEXT: Cell<u32> = const { Cell::new(1) };
}

fn find(id: u32) -> Option<Slot> {
    LIVE.with(|l| l.borrow().iter().find(|(i, _)| *i == id).map(|(_, s)| s.clone()))
}

/// The widget `id` is mounted: not destroyed, not closed.
pub fn is_live(id: u32) -> bool {
    find(id).is_some()
}

/// Removes the widget `id` and everything it started. Idempotent; from inside a handler too.
pub fn destroy(id: u32) {
    let Some(slot) = find(id) else { return };
    LIVE.with(|l| l.borrow_mut().retain(|(i, _)| *i != id));
    // Borrowed (a handler called inside `with`): `with` tears it down when it returns.
    let taken = slot.try_borrow_mut().ok().and_then(|mut g| g.take());
    if let Some(mut f) = taken {
        teardown(&mut f);
    }
}

fn teardown(f: &mut First) {
    if let Some(e) = f.early.take() {
        e.abort();
    }
    f.texts_timer = None;
    f.waiting_timer = None;
    f.listeners.clear();
    f.view.remove();
}

/// Runs `f` on the live widget `id`; then tears it down if it was destroyed meanwhile.
fn with<T>(id: u32, f: impl FnOnce(&mut First) -> T) -> Option<T> {
    let slot = find(id)?;
    let mut guard = slot.try_borrow_mut().ok()?;
    let out = guard.as_mut().map(f);
    if find(id).is_none() {
        if let Some(mut first) = guard.take() {
            teardown(&mut first);
        }
    }
    out
}

/// `None`: the modal; `Some(None)`: a selector that matches nothing (the flows module says so).
fn target_element(doc: &Document, target: &Target) -> Option<Option<Element>> {
    match target {
        Target::Modal => None,
        Target::Element(e) => Some(Some(e.clone())),
        Target::Selector(sel) => Some(doc.query_selector(sel).ok().flatten()),
    }
}

/// Destroys the widgets this module shows on `target` (see [`crate::controller::clear`]).
pub fn clear(target: &JsValue) {
    let Ok(target) = interop::read_target(target, "options.target") else { return };
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
    match target_element(&doc, &target) {
        Some(None) => {}
        Some(Some(el)) => clear_at(Some(&el)),
        None => clear_at(None),
    }
}

/// Destroys the widgets this module shows in `place` (`None`: the modal).
fn clear_at(place: Option<&Element>) {
    let here = |f: &First| match place {
        None => f.view.overlay.is_some(),
        Some(el) => f.view.overlay.is_none() && f.view.host.parent_element().as_ref() == Some(el),
    };
    let ids: Vec<u32> = LIVE.with(|l| {
        l.borrow().iter().filter(|(_, s)| s.try_borrow().ok().is_some_and(|g| g.as_ref().is_some_and(here))).map(|(i, _)| *i).collect()
    });
    for id in ids {
        destroy(id);
    }
}

/// What the merchant signed that the answer must repeat, read as the flows module reads it
/// (`Signed::read`), straight from the merchant's object.
fn signed(params: &JsValue) -> Signed {
    Signed::read_with(|key| {
        let v = Reflect::get(params, &key.into()).ok()?;
        Some(match (v.as_string(), v.as_f64()) {
            (Some(s), _) => Scalar::Text(s),
            (None, Some(n)) if n.fract() == 0.0 && n.abs() < 9.0e15 => Scalar::Int(n as i64),
            _ if v.is_undefined() => return None,
            // Anything else: no answer matches it; the flows module names it.
            _ => Scalar::Null,
        })
    })
}

/// Mounts the first module's checkout. `Err` only for programming mistakes, as the flows
/// module's `run` (an option of the wrong type); `Ok(None)`: handed over at once.
pub fn run(params: &JsValue, options: &JsValue, early: &JsValue, from_loader: &JsValue) -> Result<Option<u32>, Error> {
    let opts = interop::read_options(options)?;
    let get = |k: &str| Reflect::get(from_loader, &k.into()).ok().and_then(|f| f.dyn_into::<Function>().ok());
    let handover = get("handover").ok_or_else(|| Error::argument("run", "the first module runs under the loader only"))?;
    let (window, doc) = crate::browser::browser()?;
    let early = EarlyOpen::read(early);
    // No request to wait for (no `baseUrl`, a value JSON cannot carry), or a selector that
    // matches nothing: the flows module, which names what is wrong.
    let place = target_element(&doc, &opts.target);
    let (Some(early), false) = (early.clone(), matches!(place, Some(None))) else {
        if let Some(e) = early {
            e.abort();
        }
        hand_over(&handover, None, None, false);
        return Ok(None);
    };
    let target = place.flatten();
    let language = Reflect::get(params, &"language_code".into()).ok().and_then(|v| v.as_string());
    let lang = crate::controller::pick_lang(&window, language.as_deref());
    clear_at(target.as_ref());
    let view = View::mount(&doc, target.as_ref(), opts.theme, lang)?;
    let id = NEXT.with(|n| n.replace(n.get().wrapping_add(1)));
    let slot: Slot = Rc::new(RefCell::new(Some(First {
        doc: doc.clone(),
        view,
        lang,
        handlers: interop::handlers_of(params).overlay(opts.handlers),
        request: early.request(),
        early: Some(early.clone()),
        shown: get("shown"),
        handover,
        open: None,
        screen: Screen::Loading,
        handed: false,
        waiting: false,
        waiting_timer: None,
        texts_pending: view::packs::needed(lang),
        texts_timer: None,
        listeners: vec![],
    })));
    LIVE.with(|l| l.borrow_mut().push((id, slot)));
    let signed = signed(params);
    with(id, |f| {
        if f.view.overlay.is_some() {
            f.listeners.push(Listener::new(&doc, "keydown", move |ev| {
                if ev.dyn_ref::<web_sys::KeyboardEvent>().is_some_and(|k| k.key() == "Escape") {
                    close(id);
                }
            }));
        }
        if f.texts_pending {
            view::packs::fetch(lang, move || texts(id));
            f.texts_timer = Some(Timeout::new(view::packs::WAIT_MS, move || texts(id)));
        }
        render(f, id);
    });
    // The page's answer (`options.opened`) draws the picker within `run`; `onReady` comes
    // after `run` has returned, as after a request (the flows module does the same).
    match early.ready_now() {
        Some(answer) => {
            if answered(id, &signed, Some(answer)) {
                crate::view::dom::settle(&js_sys::Promise::resolve(&JsValue::UNDEFINED), move |_| tell_ready(id));
            }
        }
        None => early.on_answer(move |answer| {
            if answered(id, &signed, answer) {
                tell_ready(id);
            }
        }),
    }
    Ok(Some(id))
}

/// Calls the loader's `handover(method, readyTold, url, body, status, text)`; `answer`: the
/// request and its answer (`None`: there is none, the flows module asks).
/// `open`'s answer: the picker when it is one to pick from (true: tell `onReady`), else
/// handed over at once.
fn answered(id: u32, signed: &Signed, answer: Option<(u16, String)>) -> bool {
    with(id, |f| {
        f.early = None;
        let (status, text) = answer.unwrap_or_default();
        let open = (status == 200)
            .then(|| js_sys::JSON::parse(&text).ok())
            .flatten()
            .and_then(|v| epay_core::wire::decode_open_for_picker(&interop::JsWire(v)).ok().flatten())
            .filter(|o| signed.forced.is_none() && signed.mismatch(o).is_none());
        match open {
            Some(o) => {
                f.open = Some((o, text));
                f.screen = Screen::Picker;
                render(f, id);
                true
            }
            // What the flows module shows (an error, a payment under way), from the same
            // answer; no answer at all (the network): it asks again.
            None => {
                f.handed = true;
                let request = (status != 0).then(|| (f.request.clone(), (status, text)));
                hand_over(&f.handover, None, request, false);
                false
            }
        }
    })
    .unwrap_or(false)
}

fn hand_over(handover: &Function, method: Option<MethodCode>, answer: Option<((String, String), (u16, String))>, ready_told: bool) {
    let args = js_sys::Array::of2(&method.map_or(JsValue::NULL, |m| m.as_str().into()), &ready_told.into());
    if let Some(((url, body), (status, text))) = answer {
        for v in [JsValue::from_str(&url), body.into(), status.into(), text.into()] {
            args.push(&v);
        }
    }
    if let Err(e) = handover.apply(&JsValue::UNDEFINED, &args) {
        console_error("[epay-widget] handing over failed:", &e);
    }
}

/// The language pack arrived, or the wait for it ended (English): draw.
fn texts(id: u32) {
    with(id, |f| {
        f.texts_timer = None;
        f.texts_pending = false;
        f.view.invalidate();
        render(f, id);
    });
}

fn render(f: &mut First, id: u32) {
    if f.texts_pending {
        return;
    }
    let lang = f.lang;
    let (amount, payment_id, methods) = match &f.open {
        Some((o, _)) => (
            Some(view::format_amount(lang, o.amount, &o.currency)),
            Some(o.payment_id.as_str()),
            o.methods.iter().map(|m| m.code).collect::<Vec<MethodCode>>(),
        ),
        None => (None, None, vec![]),
    };
    let draft = CustomerData::default();
    let ctx = Ctx {
        doc: &f.doc,
        lang,
        modal: f.view.overlay.is_some(),
        amount,
        payment_id,
        method: None,
        methods: &methods,
        paying: f.waiting,
        forced: false,
        draft: &draft,
        format: &|_| None,
        send: Rc::new(move |ev| event(id, ev)),
    };
    f.view.render(&ctx, &f.screen, ctx.modal);
    // The picker is on screen: the flows module may come now, while the customer chooses.
    // With a method that shows a code, the drawings module too.
    if let Some(shown) = matches!(f.screen, Screen::Picker).then(|| f.shown.take()).flatten() {
        let _ = shown.call1(&JsValue::UNDEFINED, &methods.iter().any(|m| m.shows_code()).into());
    }
}

/// How long a choice may wait for the flows module before the picker shows it taken.
const WAITING_MS: u32 = 150;

fn event(id: u32, ev: ViewEvent) {
    match ev {
        ViewEvent::Msg(Msg::MethodChosen(m)) => {
            with(id, |f| {
                if let (false, Some((_, text))) = (f.handed, &f.open) {
                    f.handed = true;
                    hand_over(&f.handover, Some(m), Some((f.request.clone(), (200, text.clone()))), true);
                    // Still here in a moment: the flows module is on its way (a slow network).
                    // The customer sees the choice taken: the buttons disabled, as while paying.
                    f.waiting_timer = Some(Timeout::new(WAITING_MS, move || {
                        with(id, |f| {
                            f.waiting = true;
                            f.view.invalidate();
                            render(f, id);
                        });
                    }));
                }
            });
        }
        ViewEvent::Close => close(id),
        _ => {}
    }
}

/// Close button or Escape (modal): `onClose` and `epay:close`, then destroy, as the flows
/// module does.
fn close(id: u32) {
    let told = with(id, |f| {
        let pid = f.open.as_ref().map(|(o, _)| JsValue::from_str(&o.payment_id)).unwrap_or(JsValue::UNDEFINED);
        f.view.overlay.is_some().then(|| interop::object(&[("payment_id", pid), ("status", JsValue::UNDEFINED)]))
    });
    if let Some(Some(payload)) = told {
        notify(id, "onClose", "epay:close", &payload);
        destroy(id);
    }
}

/// `onReady` and `epay:ready`, with the payload the flows module would give.
fn tell_ready(id: u32) {
    let payload = with(id, |f| {
        let pid = f.open.as_ref().map_or(JsValue::UNDEFINED, |(o, _)| JsValue::from_str(&o.payment_id));
        interop::object(&[("payment_id", pid)])
    });
    if let Some(p) = payload {
        notify(id, "onReady", "epay:ready", &p);
    }
}

/// The `dom` event on the host, then the merchant's `handler`, outside any borrow (a handler
/// may destroy the widget). A handler that throws is logged.
fn notify(id: u32, handler: &str, dom: &str, payload: &JsValue) {
    let Some((host, f)) = with(id, |f| (f.view.host.clone(), f.handlers.get(handler).cloned())) else { return };
    crate::controller::dispatch_dom_event(&host, dom, payload);
    if let Some(f) = f {
        if let Err(err) = f.call1(&JsValue::UNDEFINED, payload) {
            console_error("[epay-widget] an event handler threw:", &err);
        }
    }
}
