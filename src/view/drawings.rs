//! The QR and Code 128 drawings of the code screens, from the second wasm module
//! (`drawings/`, shipped as `pkg/epay_codes.wasm`): about an eighth of the widget that only EPay and
//! PayDala payments use, so it stays out of the first download. The loader hands the
//! widget a function that fetches it once ([`set_loader`]); the widget calls it as soon as
//! a method with a code is on offer ([`prefetch`]), so on a fast network the drawings are
//! there when the code screen is. Until then the screen shows the number and a blank of
//! the drawing's size; a module that cannot be had leaves the blank (the number is what
//! the customer types).
//!
//! With the `standalone` feature (the browser tests) the drawings are made in this
//! module, at once, with the same code (`epay_core::drawing`).

use js_sys::{Function, Promise};
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drawing {
    Qr,
    Code128,
}

/// A drawing: the SVG `viewBox` and the `d` of its one path.
pub struct Svg {
    pub view_box: String,
    pub path: String,
}

thread_local! {
    static LOADER: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// The loader's `() => Promise<{ qr(text), code128(text) }>` (each `[viewBox, d]` or null).
pub fn set_loader(f: Function) {
    LOADER.with(|l| *l.borrow_mut() = Some(f));
}

fn load() -> Option<Promise> {
    let f = LOADER.with(|l| l.borrow().clone())?;
    f.call0(&JsValue::UNDEFINED).ok()?.dyn_into::<Promise>().ok()
}

/// Starts fetching the module (the loader fetches it once).
pub fn prefetch() {
    if !cfg!(feature = "standalone") {
        let _ = load();
    }
}

/// Draws `text`, now or when the module is there; `done` gets `None` when it cannot be
/// drawn (or the module cannot be had).
pub fn draw(kind: Drawing, text: &str, done: impl FnOnce(Option<Svg>) + 'static) {
    #[cfg(feature = "standalone")]
    {
        let svg = match kind {
            Drawing::Qr => epay_core::drawing::qr_svg(text).ok().map(|s| Svg { view_box: s.view_box, path: s.path }),
            Drawing::Code128 => epay_core::drawing::code128(text).ok().map(|b| Svg { view_box: b.view_box(), path: b.path }),
        };
        done(svg);
    }
    #[cfg(not(feature = "standalone"))]
    {
        let Some(promise) = load() else { return done(None) };
        let text = text.to_string();
        wasm_bindgen_futures::spawn_local(async move {
            let module = wasm_bindgen_futures::JsFuture::from(promise).await.ok();
            done(module.and_then(|c| call(&c, kind, &text)));
        });
    }
}

#[cfg(not(feature = "standalone"))]
fn call(module: &JsValue, kind: Drawing, text: &str) -> Option<Svg> {
    use js_sys::Reflect;
    let name = match kind {
        Drawing::Qr => "qr",
        Drawing::Code128 => "code128",
    };
    let f: Function = Reflect::get(module, &name.into()).ok()?.dyn_into().ok()?;
    let pair = f.call1(module, &text.into()).ok()?;
    let get = |i: u32| Reflect::get_u32(&pair, i).ok().and_then(|v| v.as_string());
    Some(Svg { view_box: get(0)?, path: get(1)? })
}
