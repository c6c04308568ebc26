//! The EPay code screen and the PayDala terminal screen: a large copyable number, its QR
//! code and (EPay) Code 128 barcode drawn as inline SVG — one `<path>` each, built with
//! `createElementNS` and attributes only — the expiry in the customer's local time and a
//! live countdown that turns the screen to "expired" by itself at zero.
//!
//! The countdown is an owned `setInterval` (dropped with the screen or the widget). It
//! writes the visible `role="timer"` every second (`aria-live="off"`) and speaks through
//! the widget's live region only at `epay_cash::should_announce` marks and at expiry.

use super::builder::ScreenBuilder;
use super::dom::{Interval, Listener};
use super::drawings::{self, Drawing};
use super::event::ViewEvent;
use super::intl::format_time;
use epay_core::catalog::MethodCode;
use epay_core::epay_cash::{countdown_text, should_announce, EpayCode};
use epay_core::flow::WidgetError;
use epay_core::i18n::{t, tf, Key, Lang};
use epay_core::RedirectData;
use std::cell::Cell;
use std::rc::Rc;
use web_sys::{Element, Node};

const SVG_NS: &str = "http://www.w3.org/2000/svg";

fn add(parent: &Element, child: &Node) {
    let _ = parent.append_child(child);
}

/// `<svg viewBox role="img" aria-label><path d/></svg>`.
fn svg(doc: &web_sys::Document, testid: &str, view_box: &str, d: &str, label: &str) -> Option<Element> {
    let svg = doc.create_element_ns(Some(SVG_NS), "svg").ok()?;
    let path = doc.create_element_ns(Some(SVG_NS), "path").ok()?;
    path.set_attribute("d", d).ok()?;
    for (k, v) in [
        ("viewBox", view_box),
        ("class", ["epay-", testid].concat().as_str()),
        ("data-testid", testid),
        ("role", "img"),
        ("aria-label", label),
        ("shape-rendering", "crispEdges"),
    ] {
        let _ = svg.set_attribute(k, v);
    }
    svg.append_child(&path).ok()?;
    Some(svg)
}

/// The drawing of `data` (`testid` `qr` or `barcode`): a blank of its size now, the SVG in
/// its place when the drawings module has drawn it (`drawings`), nothing if it cannot be.
/// The barcode is followed by its text.
fn drawing(b: &ScreenBuilder, parent: &Element, kind: Drawing, data: &str, label: Key) {
    let testid = if kind == Drawing::Qr { "qr" } else { "barcode" };
    let blank = b.el("div").class(&["epay-", testid].concat()).attr("data-drawing", "pending").attr("aria-hidden", "true").build();
    add(parent, &blank);
    let (doc, label, text) = (b.ctx.doc.clone(), t(b.ctx.lang, label), data.to_string());
    drawings::draw(kind, data, move |drawn| {
        let Some(s) = drawn.and_then(|d| svg(&doc, testid, &d.view_box, &d.path, label)) else {
            blank.remove();
            return;
        };
        if kind == Drawing::Code128 {
            let _ = s.set_attribute("preserveAspectRatio", "none");
        }
        let _ = blank.replace_with_with_node_1(&s);
        if kind == Drawing::Code128 {
            if let Ok(p) = doc.create_element("p") {
                let _ = p.set_attribute("class", "epay-barcode-text");
                let _ = p.set_attribute("aria-hidden", "true");
                p.set_text_content(Some(&text));
                let _ = s.after_with_node_1(&p);
            }
        }
    });
}

/// The live region of the widget this element is in.
fn announce(from: &Element, text: &str) {
    if let Some(live) = from.closest(".epay").ok().flatten().and_then(|f| f.query_selector(".epay-sr").ok().flatten()) {
        live.set_text_content(Some(text));
    }
}

fn copied(btn: &Element, lang: Lang) {
    let text = t(lang, Key::Copied);
    btn.set_text_content(Some(text));
    announce(btn, text);
}

/// Selects the number, for the customer to copy by hand.
fn select(el: &Element) {
    if let Some(Ok(Some(sel))) = web_sys::window().map(|w| w.get_selection()) {
        let _ = sel.select_all_children(el);
    }
}

/// `navigator.clipboard.writeText` where the page may use it ("Copied"); else, or if it
/// is refused, the number is selected.
fn copy(text: &str, el: &Element, btn: &Element, lang: Lang) {
    let Some(w) = web_sys::window() else { return };
    let nav = w.navigator();
    if !js_sys::Reflect::get(&nav, &"clipboard".into()).is_ok_and(|c| c.is_object()) {
        return select(el);
    }
    let promise = nav.clipboard().write_text(text);
    let (el, btn) = (el.clone(), btn.clone());
    wasm_bindgen_futures::spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(promise).await {
            Ok(_) => copied(&btn, lang),
            Err(_) => select(&el),
        }
    });
}

/// Label, the number in large selectable type, and its Copy button.
fn number(b: &mut ScreenBuilder, parent: &Element, label: Key, value: &str, testid: &str) {
    let label_id = ["epay-", testid].concat();
    add(parent, &b.el("p").class("epay-label").attr("id", &label_id).text(b.t(label)).build());
    let num = b.el("span").class("epay-number").attr("data-testid", testid).text(value).build();
    let btn = b
        .el("button")
        .attr("type", "button")
        .class("epay-secondary epay-copy")
        .attr("data-action", "copy")
        .attr("aria-describedby", &label_id)
        .text(b.t(Key::Copy))
        .build();
    let (v, n, bt, lang) = (value.to_string(), num.clone(), btn.clone(), b.ctx.lang);
    b.listeners.push(Listener::new(&btn, "click", move |_| copy(&v, &n, &bt, lang)));
    add(parent, &b.el("div").class("epay-number-row").child(num).child(btn).build());
}

/// A `<dl>` row whose value carries a `data-testid`.
fn fact(b: &ScreenBuilder, dl: &Element, label: Key, value: &str, testid: &str) {
    add(dl, &b.el("dt").text(b.t(label)).build());
    add(dl, &b.el("dd").attr_if(!testid.is_empty(), "data-testid", testid).text(value).build());
}

/// The countdown's state between ticks.
struct Countdown {
    until: i64,
    left: Cell<i64>,
    timer: Element,
    block: Element,
    lang: Lang,
    send: super::event::Send,
}

/// Shows the time left; at zero greys the code and hides its drawings. `live`: a tick of
/// the interval (announces, and at zero reports the expiry and stops); not `live`: the
/// first drawing. Returns whether to keep ticking.
fn tick(c: &Countdown, live: bool) -> bool {
    let now = (js_sys::Date::now() / 1000.0).floor() as i64;
    let left = (c.until - now).max(0);
    let before = c.left.replace(left);
    if left == 0 {
        if before != 0 {
            let _ = c.block.set_attribute("data-expired", "");
            c.timer.set_text_content(Some(t(c.lang, Key::CodeExpired)));
        }
        if live {
            announce(&c.timer, t(c.lang, Key::CodeExpired));
            (c.send)(ViewEvent::Expired);
        }
        return !live;
    }
    let text = tf(c.lang, Key::CodeExpiresIn, &[("time", &countdown_text(left))]);
    c.timer.set_text_content(Some(&text));
    if live && should_announce(before, left) {
        announce(&c.timer, &text);
    }
    true
}

fn steps(b: &ScreenBuilder, body: &Element, title: Key, items: [String; 4]) {
    add(body, &b.steps(title, &items));
}

// Not inlined into the screen switch: compiled only when a code screen is first drawn (V8
// compiles a wasm function at its first call, on the page's main thread).
#[inline(never)]
pub(super) fn code(b: &mut ScreenBuilder, body: &Element, rd: &RedirectData) {
    let code = match EpayCode::from_redirect(rd) {
        Ok(c) => c,
        // The flow and showCode check first; this only keeps a bad code off the screen.
        Err(e) => return b.error(body, &WidgetError::code_data(&e)),
    };
    let lang = b.ctx.lang;
    let block = b.el("div").class("epay-codebox").attr("data-testid", "code-block").build();
    let reference = code.reference_number.as_str();
    number(b, &block, Key::CodeReference, reference, "reference-number");
    let drawings = b.el("div").class("epay-drawings").build();
    drawing(b, &drawings, Drawing::Qr, reference, Key::CodeQrLabel);
    drawing(b, &drawings, Drawing::Code128, reference, Key::CodeBarcodeLabel);
    add(&block, &drawings);
    let dl = b.el("dl").class("epay-facts").build();
    fact(b, &dl, Key::CodeUserName, &code.user_name, "user-name");
    if let Some(a) = &b.ctx.amount {
        fact(b, &dl, Key::Amount, a, "");
    }
    add(&block, &dl);
    let local = format_time(lang, code.valid_until).unwrap_or(code.valid_time);
    add(&block, &b.p("epay-valid", &tf(lang, Key::CodeValidUntil, &[("time", &local)])));
    let timer = b.el("p").class("epay-timer").attr("role", "timer").attr("aria-live", "off").attr("data-testid", "countdown").build();
    add(&block, &timer);
    add(body, &block);

    // Gate's showCode may not know the amount: then the step points at the terminal's screen.
    let step3 = match &b.ctx.amount {
        Some(amount) => tf(lang, Key::CodeStep3, &[("amount", amount)]),
        None => b.t(Key::CodeStep3NoAmount).into(),
    };
    steps(b, body, Key::CodeStepsTitle, [b.t(Key::CodeStep1).into(), b.t(Key::CodeStep2).into(), step3, b.t(Key::CodeStep4).into()]);
    let print = b.el("button").attr("type", "button").class("epay-secondary").attr("data-action", "print").text(b.t(Key::Print)).build();
    b.listeners.push(Listener::new(&print, "click", |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    }));
    add(body, &print);

    let c = Countdown { until: code.valid_until, left: Cell::new(i64::MAX), timer, block, lang, send: b.ctx.send.clone() };
    tick(&c, false);
    let c = Rc::new(c);
    b.interval = Some(Interval::new(1000, move || tick(&c, true)));
}

#[inline(never)]
pub(super) fn terminal(b: &mut ScreenBuilder, body: &Element, account: &str, service: &str) {
    let block = b.el("div").class("epay-codebox").build();
    let dl = b.el("dl").class("epay-facts").build();
    fact(b, &dl, Key::TerminalService, service, "service-name");
    if let Some(a) = &b.ctx.amount {
        fact(b, &dl, Key::Amount, a, "");
    }
    add(&block, &dl);
    number(b, &block, Key::TerminalAccount, account, "account-number");
    let drawings = b.el("div").class("epay-drawings").build();
    drawing(b, &drawings, Drawing::Qr, account, Key::AccountQrLabel);
    add(&block, &drawings);
    add(body, &block);
    let lang = b.ctx.lang;
    steps(
        b,
        body,
        Key::TerminalStepsTitle,
        [
            tf(lang, Key::TerminalStep1, &[("service", service)]),
            tf(lang, Key::TerminalStep2, &[("account", account)]),
            b.t(Key::TerminalStep3).into(),
            b.t(Key::TerminalStep4).into(),
        ],
    );
    let waiting = b.el("div").class("epay-waiting").child(b.spinner()).child(b.p("epay-muted", b.t(Key::TerminalWaiting)));
    add(body, &waiting.build());
}

/// The result text: a PayDala deposit says what arrived; other methods use `body`.
pub(super) fn result_text(method: Option<MethodCode>, paid: bool, body: Key) -> Key {
    if paid && method == Some(MethodCode::Paydala) {
        Key::DepositReceived
    } else {
        body
    }
}
