//! The screen builder: what every screen is built with (the context, element helpers,
//! buttons that send view events, the error body), kept apart from the screens themselves
//! so that `screens` and `codes` both use it and neither imports the other's insides.

use super::dom::{el, El, Interval, Listener};
use super::event::{Send, ViewEvent};
use super::model;
use epay_core::catalog::MethodCode;
use epay_core::flow::{Msg, WidgetError};
use epay_core::i18n::{t, Key, Lang};
use epay_core::params::CustomerData;
use epay_core::protocol::PaymentView;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement};

/// What a screen needs to know besides the core screen.
pub struct Ctx<'a> {
    pub doc: &'a Document,
    pub lang: Lang,
    pub modal: bool,
    /// The payment's amount, formatted for the customer's locale.
    pub amount: Option<String>,
    pub payment_id: Option<&'a str>,
    /// The method chosen (or forced), for method-specific texts.
    pub method: Option<MethodCode>,
    pub methods: &'a [MethodCode],
    pub paying: bool,
    /// A method was forced: there is no picker to go back to.
    pub forced: bool,
    /// What the customer typed so far.
    pub draft: &'a CustomerData,
    /// Formats an amount of another payment view (the result's `sum`).
    pub format: &'a dyn Fn(&PaymentView) -> Option<String>,
    pub send: Send,
}

pub struct Rendered {
    pub root: Element,
    pub heading: Option<HtmlElement>,
    /// The first input marked invalid, to focus after a refused submit.
    pub first_invalid: Option<HtmlElement>,
    pub listeners: Vec<Listener>,
    /// The code screen's countdown, kept as long as the screen.
    pub interval: Option<Interval>,
}

/// Builds one screen's elements and collects what must live as long as the screen.
pub struct ScreenBuilder<'a, 'c> {
    pub ctx: &'a Ctx<'c>,
    pub listeners: Vec<Listener>,
    heading: Option<HtmlElement>,
    pub first_invalid: Option<HtmlElement>,
    pub interval: Option<Interval>,
}

impl ScreenBuilder<'_, '_> {
    pub fn new<'a, 'c>(ctx: &'a Ctx<'c>) -> ScreenBuilder<'a, 'c> {
        ScreenBuilder { ctx, listeners: vec![], heading: None, first_invalid: None, interval: None }
    }
    /// What was built, with the screen's root element.
    pub fn finish(self, root: Element) -> Rendered {
        Rendered { root, heading: self.heading, first_invalid: self.first_invalid, listeners: self.listeners, interval: self.interval }
    }
    pub fn el(&self, tag: &str) -> El {
        el(self.ctx.doc, tag)
    }
    pub fn t(&self, k: Key) -> &'static str {
        t(self.ctx.lang, k)
    }
    pub fn heading(&mut self, text: &str) -> Element {
        let h = self.el("h2").class("epay-h").attr("tabindex", "-1").attr("id", "epay-heading").text(text).build();
        self.heading = h.dyn_ref::<HtmlElement>().cloned();
        h
    }
    pub fn p(&self, class: &str, text: &str) -> Element {
        self.el("p").class(class).text(text).build()
    }
    /// A real `<button>` that sends `ui` when pressed.
    pub fn button(&mut self, class: &str, text: &str, ui: impl Fn() -> ViewEvent + 'static) -> Element {
        let b = self.el("button").attr("type", "button").class(class).text(text);
        let send = self.ctx.send.clone();
        self.listeners.push(b.on("click", move |_| send(ui())));
        b.build()
    }
    pub fn spinner(&self) -> Element {
        self.el("div").class("epay-spinner").attr("aria-hidden", "true").build()
    }
    pub fn amount(&self) -> String {
        self.ctx.amount.clone().unwrap_or_default()
    }
    pub fn steps(&self, title: Key, steps: &[String]) -> Element {
        let ol = self.el("ol").class("epay-steps");
        for s in steps {
            let _ = ol.0.append_child(&self.el("li").text(s).build());
        }
        self.el("div").child(self.el("h3").class("epay-h3").text(self.t(title))).child(ol).build()
    }

    /// The error screen's body: what went wrong for the customer, the details for the
    /// merchant (in English), Try again when it may help, Close in a modal.
    #[inline(never)]
    pub fn error(&mut self, body: &Element, e: &WidgetError) {
        let _ = body.set_attribute("data-code", e.code.as_str());
        let _ = body.append_child(&self.p("epay-text", self.t(model::error_body(e))));
        let details = self
            .el("details")
            .class("epay-details")
            .child(self.el("summary").text(self.t(Key::ErrorDetails)))
            .child(self.el("p").class("epay-details-text").attr("lang", "en").text(&model::error_details(e)));
        let _ = body.append_child(&details.build());
        if e.retryable {
            let btn = self.button("epay-primary", self.t(Key::TryAgain), || ViewEvent::Msg(Msg::Retry));
            let _ = body.append_child(&btn);
        }
        if self.ctx.modal {
            let btn = self.button("epay-secondary", self.t(Key::Close), || ViewEvent::Close);
            let _ = body.append_child(&btn);
        }
    }
}
