//! The widget's DOM: a host element with an open shadow root, a persistent live region,
//! and the current screen re-rendered from `Checkout.screen` after each update.

pub mod builder;
pub mod code_screen;
pub mod dom;
pub mod drawings;
pub mod event;
pub mod intl;
pub mod model;
pub mod packs;
pub mod screens;

use crate::error::Error;
use crate::interop::Theme;
use dom::{Interval, Listener};
use epay_core::flow::Screen;
use epay_core::i18n::Lang;
use epay_core::ErrorCode;
pub use event::{Send, ViewEvent};
pub use intl::{format_amount, format_time};
use model::Kind;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, HtmlElement, ShadowRoot};

/// The stylesheet (src/view/style.css, minified by build.rs), applied inside the shadow root only;
/// the first module's leaves out what only the flows module draws (issue 26).
#[cfg(not(feature = "picker"))]
pub const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/style.min.css"));
#[cfg(feature = "picker")]
pub const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/picker.min.css"));

/// Tag names: custom element names, so page rules for `div` never match our host.
pub const HOST_TAG: &str = "epay-checkout";
pub const OVERLAY_TAG: &str = "epay-overlay";

pub struct View {
    pub host: HtmlElement,
    pub overlay: Option<HtmlElement>,
    shadow: ShadowRoot,
    live: Element,
    content: Element,
    listeners: Vec<Listener>,
    /// The countdown of the code screen on display.
    ticker: Option<Interval>,
    /// What is on screen now, to skip identical re-renders (polls) and to know when the
    /// kind changes.
    shown: Option<(Screen, bool)>,
    kind: Option<Kind>,
    /// Modal: where focus was before it opened, to give it back on close.
    return_focus: Option<HtmlElement>,
}

fn set_styles(el: &HtmlElement, styles: &[(&str, &str)]) {
    // CSSOM, not the `style` attribute: allowed under a strict style-src CSP.
    let s = el.style();
    for (k, v) in styles {
        let _ = s.set_property(k, v);
    }
}

fn apply_stylesheet(doc: &Document, shadow: &ShadowRoot) {
    let same_doc = web_sys::window().and_then(|w| w.document()).is_some_and(|d| js_sys::Object::is(&d, doc));
    if same_doc && js_sys::Reflect::has(shadow, &"adoptedStyleSheets".into()).unwrap_or(false) {
        if let Some(sheet) = shared_sheet() {
            if js_sys::Reflect::set(shadow, &"adoptedStyleSheets".into(), &js_sys::Array::of1(&sheet)).unwrap_or(false) {
                return;
            }
        }
    }
    if let Ok(style) = doc.create_element("style") {
        style.set_text_content(Some(CSS));
        let _ = shadow.append_child(&style);
    }
}

thread_local! {
    static SHEET: std::cell::RefCell<Option<web_sys::CssStyleSheet>> = const { std::cell::RefCell::new(None) };
}

/// One constructed stylesheet shared by every mount (parsed once).
pub(crate) fn shared_sheet() -> Option<JsValue> {
    SHEET.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let sheet = web_sys::CssStyleSheet::new().ok()?;
            sheet.replace_sync(CSS).ok()?;
            *slot = Some(sheet);
        }
        slot.clone().map(Into::into)
    })
}

impl View {
    /// Creates the host (in `target`, or in a modal overlay on `document.body`).
    pub fn mount(doc: &Document, target: Option<&Element>, theme: Theme, lang: Lang) -> Result<View, Error> {
        let no_dom = || Error::new(ErrorCode::NoDocument, None, "EPayWidget.run needs a browser document");
        let host: HtmlElement = doc.create_element(HOST_TAG).map_err(|_| no_dom())?.unchecked_into();
        let _ = host.set_attribute("data-theme", theme.as_str());
        let shadow = host.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open)).map_err(|_| no_dom())?;
        apply_stylesheet(doc, &shadow);
        let frame = dom::el(doc, "div").class("epay").attr("lang", lang.bcp47());
        let frame = if target.is_none() {
            frame.attr("role", "dialog").attr("aria-modal", "true").attr("aria-labelledby", "epay-heading")
        } else {
            frame.attr("role", "region").attr("aria-labelledby", "epay-heading")
        };
        let live = dom::el(doc, "div").class("epay-sr").attr("role", "status").attr("aria-live", "polite").build();
        let content = dom::el(doc, "div").class("epay-content").build();
        let frame = frame.child(&live).child(&content).build();
        let _ = shadow.append_child(&frame);

        let overlay = match target {
            Some(t) => {
                t.append_child(&host).map_err(|_| Error::argument("options.target", "cannot hold the widget"))?;
                None
            }
            None => {
                let body = doc.body().ok_or_else(no_dom)?;
                let overlay: HtmlElement = doc.create_element(OVERLAY_TAG).map_err(|_| no_dom())?.unchecked_into();
                set_styles(
                    &overlay,
                    &[
                        ("position", "fixed"),
                        ("inset", "0"),
                        ("z-index", "2147483600"),
                        ("display", "flex"),
                        ("align-items", "flex-start"),
                        ("justify-content", "center"),
                        ("overflow-y", "auto"),
                        ("padding", "16px 8px"),
                        ("box-sizing", "border-box"),
                        ("background", "rgba(15, 18, 25, 0.6)"),
                    ],
                );
                let _ = host.set_attribute("data-modal", "");
                let _ = overlay.append_child(&host);
                body.append_child(&overlay).map_err(|_| no_dom())?;
                Some(overlay)
            }
        };
        let return_focus = match overlay {
            Some(_) => doc.active_element().and_then(|e| e.dyn_into::<HtmlElement>().ok()),
            None => None,
        };
        Ok(View { host, overlay, shadow, live, content, listeners: vec![], ticker: None, shown: None, kind: None, return_focus })
    }

    /// The fields form on screen, if any.
    pub fn form(&self) -> Option<Element> {
        self.content.query_selector("form.epay-form").ok().flatten()
    }

    /// Focus is inside the widget.
    pub fn has_focus(&self) -> bool {
        self.shadow.active_element().is_some()
    }

    /// Shows `screen`; `move_focus`: put focus on the heading when the kind changes.
    /// The next render builds the screen even if it is the one on display (its texts
    /// changed: a language pack arrived).
    pub fn invalidate(&mut self) {
        self.shown = None;
    }

    pub fn render(&mut self, ctx: &builder::Ctx, screen: &Screen, move_focus: bool) {
        // The first module draws each screen once (loading, picker; again for a language
        // pack): it keeps no copy to compare (issue 26: its size).
        #[cfg(not(feature = "picker"))]
        let key = (screen.clone(), ctx.paying);
        #[cfg(not(feature = "picker"))]
        if self.shown.as_ref() == Some(&key) {
            return;
        }
        let kind = model::kind(screen);
        let focused_id = self.shadow.active_element().map(|e| e.id()).filter(|id| !id.is_empty());
        let had_focus = self.has_focus();
        let r = screens::render(ctx, screen);
        self.content.replace_children_with_node_1(&r.root);
        // Dropping the old listeners removes them (one may be running now: that is fine,
        // wasm-bindgen frees it after it returns).
        self.listeners = r.listeners;
        self.ticker = r.interval;
        if self.kind != Some(kind) {
            if let Some(h) = &r.heading {
                self.live.set_text_content(h.text_content().as_deref());
                if move_focus || had_focus {
                    let _ = h.focus();
                }
            }
        } else if let Some(input) = &r.first_invalid {
            let _ = input.focus();
        } else if had_focus {
            // Same screen re-drawn: keep focus on the same control, or on the heading.
            let again = focused_id
                .and_then(|id| self.shadow.get_element_by_id(&id))
                .and_then(|e| e.dyn_into::<HtmlElement>().ok())
                .filter(|e| !e.has_attribute("disabled"));
            if let Some(e) = again.or(r.heading) {
                let _ = e.focus();
            }
        }
        self.kind = Some(kind);
        #[cfg(not(feature = "picker"))]
        {
            self.shown = Some(key);
        }
    }

    /// Removes everything this view put in the page.
    pub fn remove(&mut self) {
        self.listeners.clear();
        self.ticker = None;
        self.host.remove();
        if let Some(o) = self.overlay.take() {
            o.remove();
            if let Some(el) = self.return_focus.take().filter(|e| e.is_connected()) {
                let _ = el.focus();
            }
        }
    }
}
