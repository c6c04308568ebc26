//! A tiny element builder and owned event listeners / timers (gloo style: dropping one
//! removes it, so a destroyed widget leaves nothing behind; no `Closure::forget`).
//!
//! Text only ever reaches the DOM through `textContent` and attribute values.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, Event, EventTarget};

/// An element under construction.
pub struct El(pub Element);

pub fn el(doc: &Document, tag: &str) -> El {
    // Only fails for invalid tag names, and ours are literals. (A JS throw, not a panic:
    // no panic machinery in the wasm.)
    El(doc.create_element(tag).unwrap_or_else(|_| wasm_bindgen::throw_str("epay-widget: invalid tag name")))
}

impl El {
    pub fn class(self, class: &str) -> El {
        self.0.set_class_name(class);
        self
    }
    pub fn attr(self, name: &str, value: &str) -> El {
        let _ = self.0.set_attribute(name, value);
        self
    }
    pub fn attr_if(self, cond: bool, name: &str, value: &str) -> El {
        if cond {
            self.attr(name, value)
        } else {
            self
        }
    }
    /// Sets the text (as text: markup in it stays literal).
    pub fn text(self, text: &str) -> El {
        self.0.set_text_content(Some(text));
        self
    }
    pub fn child(self, child: impl AsRef<web_sys::Node>) -> El {
        let _ = self.0.append_child(child.as_ref());
        self
    }
    pub fn child_opt(self, child: Option<impl AsRef<web_sys::Node>>) -> El {
        match child {
            Some(c) => self.child(c),
            None => self,
        }
    }
    /// Listens for `event`; the listener lives as long as the returned value.
    pub fn on(&self, event: &'static str, f: impl FnMut(Event) + 'static) -> Listener {
        Listener::new(&self.0, event, f)
    }
    pub fn build(self) -> Element {
        self.0
    }
}

impl AsRef<web_sys::Node> for El {
    fn as_ref(&self) -> &web_sys::Node {
        &self.0
    }
}

/// Calls `f` once `promise` settles, with its value (`Ok`) or its reason (`Err`), without an
/// async runtime (the first module has none: issue 26). Both callbacks share one slot, so `f`
/// runs once; each frees itself when called, and the other (never called) holds only the
/// emptied slot.
pub fn settle(promise: &js_sys::Promise, f: impl FnOnce(Result<JsValue, JsValue>) + 'static) {
    let slot = std::rc::Rc::new(std::cell::Cell::new(Some(f)));
    let other = slot.clone();
    let ok = Closure::once_into_js(move |v: JsValue| {
        if let Some(f) = slot.take() {
            f(Ok(v))
        }
    });
    let err = Closure::once_into_js(move |e: JsValue| {
        if let Some(f) = other.take() {
            f(Err(e))
        }
    });
    // `then` called with the two functions as they are (js-sys's `then2` takes `Closure`s,
    // which would have to be leaked whole).
    if let Some(then) = js_sys::Reflect::get(promise, &"then".into()).ok().and_then(|t| t.dyn_into::<js_sys::Function>().ok()) {
        let _ = then.call2(promise, &ok, &err);
    }
}

/// An event listener removed when dropped.
#[must_use = "the listener is removed when this is dropped"]
pub struct Listener {
    target: EventTarget,
    event: &'static str,
    callback: Closure<dyn FnMut(Event)>,
}

impl Listener {
    pub fn new(target: &EventTarget, event: &'static str, f: impl FnMut(Event) + 'static) -> Listener {
        let callback = Closure::<dyn FnMut(Event)>::new(f);
        let _ = target.add_event_listener_with_callback(event, callback.as_ref().unchecked_ref());
        Listener { target: target.clone(), event, callback }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback(self.event, self.callback.as_ref().unchecked_ref());
    }
}

/// A `setTimeout` cleared when dropped.
#[must_use = "the timer is cleared when this is dropped"]
pub struct Timeout {
    id: Option<i32>,
    _callback: Closure<dyn FnMut()>,
}

impl Timeout {
    pub fn new(ms: u32, f: impl FnMut() + 'static) -> Timeout {
        let callback = Closure::<dyn FnMut()>::new(f);
        let id = web_sys::window().and_then(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(callback.as_ref().unchecked_ref(), ms.min(i32::MAX as u32) as i32).ok()
        });
        Timeout { id, _callback: callback }
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        if let (Some(id), Some(w)) = (self.id, web_sys::window()) {
            w.clear_timeout_with_handle(id);
        }
    }
}

/// A `setInterval` cleared when dropped, or when `f` returns `false`.
#[must_use = "the interval is cleared when this is dropped"]
pub struct Interval {
    id: std::rc::Rc<std::cell::Cell<i32>>,
    _callback: Closure<dyn FnMut()>,
}

fn clear_interval(id: i32) {
    if let Some(w) = web_sys::window() {
        w.clear_interval_with_handle(id);
    }
}

impl Interval {
    pub fn new(ms: i32, mut f: impl FnMut() -> bool + 'static) -> Interval {
        let id = std::rc::Rc::new(std::cell::Cell::new(0));
        let own = id.clone();
        let callback = Closure::<dyn FnMut()>::new(move || {
            if !f() {
                clear_interval(own.get());
            }
        });
        if let Some(w) = web_sys::window() {
            id.set(w.set_interval_with_callback_and_timeout_and_arguments_0(callback.as_ref().unchecked_ref(), ms).unwrap_or(0));
        }
        Interval { id, _callback: callback }
    }
}

impl Drop for Interval {
    fn drop(&mut self) {
        clear_interval(self.id.get());
    }
}

/// `console.error`, for merchant handlers that throw.
pub fn console_error(what: &str, err: &JsValue) {
    web_sys::console::error_2(&JsValue::from_str(what), err);
}
