//! epay-widget: the browser checkout, thin DOM code over the pure state machine
//! `epay_core::flow::Checkout`.
//!
//! JS API (`#[wasm_bindgen]` exports; the loaders in `js/` wrap them):
//! - `run(params, options) -> WidgetHandle`: mounts a checkout. `params` are the Payment
//!   Page parameters exactly as the merchant's server signed them (function-valued keys
//!   are the `on*` handlers and are not sent). `options`: `target` (Element or selector;
//!   default: a modal), `baseUrl` (the platform), `theme` (`'light'|'dark'|'auto'`), and
//!   the same `on*` handlers (they win over those in `params`).
//! - `WidgetHandle.destroy()`: aborts requests, clears the timers, removes listeners, the
//!   host and the overlay. Calling it twice is fine.
//! - `showCode(target, redirect_data, options) -> WidgetHandle` (Gate mode): the EPay code
//!   screen from a callback's `redirect_data` alone, no platform call and no polling.
//!   `options`: `language_code`, `payment_amount` + `payment_currency` (the amount to show,
//!   minor units), `theme`, `onExpire` (the countdown reached zero), `onError`. A
//!   `redirect_data` that cannot be shown is rendered as an error naming the field
//!   (`redirect_data.body.valid_time`) and reported to `onError`; it does not throw.
//! - `followRedirect(redirect_data, options)` (Gate mode): submits `redirect_data` as a form;
//!   throws `bad_redirect` naming the field for anything it refuses (see
//!   [`redirect::follow_redirect`]; the URL rules are the core's `redirect::check_url_with`, over the browser's `URL` parser).
//!
//! Errors: `run` throws (a JS `Error` with `code` and `param`) only for programming
//! mistakes: `params` not an object (`invalid_argument`, `params`), `options` not an
//! object or an option of the wrong type (`invalid_argument`, `options.*`), no document
//! (`no_document`). Everything else — parameters that fail validation (`invalid_params`),
//! a `target` selector that matches nothing (`target_not_found`, shown in a modal), a bad
//! `baseUrl` (`invalid_option`), the platform refusing or unreachable — is shown on the
//! widget's error screen and reported through `onError` and the `epay:error` event. The
//! parameters' rules are the platform's (issue 26): `open` refuses bad parameters naming
//! the parameter and the rule, and the widget shows that; it sends no request only for
//! what the browser alone can know (a value JSON cannot carry, too many keys, a bad target
//! or `baseUrl`), and then stops the `open` the loader may have started while this module
//! downloaded (`api::EarlyOpen`).
//!
//! Importing the module runs nothing: no `start` function, no access to `window` or
//! `document` before `run` (safe under server-side rendering).

// The first module (feature `picker`) is this crate with everything after the picker left
// out: what only the flows use is dead there.
#![cfg_attr(feature = "picker", allow(dead_code, unused_imports))]

mod alloc;
pub mod api;
mod browser;
pub mod controller;
pub mod error;
#[cfg(feature = "picker")]
mod first;
pub mod interop;
pub mod redirect;
pub mod view;

use wasm_bindgen::prelude::*;

/// A mounted checkout.
#[wasm_bindgen]
pub struct WidgetHandle {
    id: u32,
}

#[wasm_bindgen]
impl WidgetHandle {
    /// Removes the widget and everything it started. Idempotent.
    pub fn destroy(&self) {
        #[cfg(feature = "picker")]
        first::destroy(self.id);
        #[cfg(not(feature = "picker"))]
        controller::destroy(self.id);
    }

    /// Still mounted (not destroyed, not closed by the customer). Not public API: the loader
    /// hands a checkout over only while its first module's widget is live.
    #[wasm_bindgen(js_name = __live)]
    pub fn live(&self) -> bool {
        #[cfg(feature = "picker")]
        return first::is_live(self.id);
        #[cfg(not(feature = "picker"))]
        controller::is_live(self.id)
    }
}

impl WidgetHandle {
    pub fn id(&self) -> u32 {
        self.id
    }
}

/// Mounts a checkout; see the crate docs for `params`, `options` and errors. `early`: the
/// `open` request the loader started while this module downloaded; `from_loader`: the
/// flows module's `{ method, readyTold }` when it takes over from the first module
/// ([`controller::Resume`]). Neither is public API.
#[cfg(not(feature = "picker"))]
#[wasm_bindgen(js_name = run)]
pub fn run(params: JsValue, options: JsValue, early: JsValue, from_loader: JsValue) -> Result<WidgetHandle, error::Error> {
    #[cfg(feature = "dev")]
    console_error_panic_hook::set_once();
    let early = api::EarlyOpen::read(&early);
    let resume = controller::Resume::read(&from_loader);
    let mounted =
        controller::mount(&params, &options, controller::Transport::Http { early: early.clone() }, controller::Hooks::default(), resume);
    if mounted.is_err() {
        if let Some(e) = early {
            e.abort();
        }
    }
    mounted.map(|id| WidgetHandle { id })
}

/// The first module's `run` (`src/first.rs`): the picker, or `undefined` when it handed the
/// checkout over at once. `from_loader`: `{ shown, handover }`. Not public API.
#[cfg(feature = "picker")]
#[wasm_bindgen(js_name = run)]
pub fn run(params: JsValue, options: JsValue, early: JsValue, from_loader: JsValue) -> Result<Option<WidgetHandle>, error::Error> {
    first::run(&params, &options, &early, &from_loader).map(|id| id.map(|id| WidgetHandle { id }))
}

/// Renders the EPay code screen from `redirect_data`; see the crate docs.
#[cfg(not(feature = "picker"))]
#[wasm_bindgen(js_name = showCode)]
pub fn show_code(target: JsValue, redirect_data: JsValue, options: JsValue) -> Result<WidgetHandle, error::Error> {
    controller::mount_code(&target, &redirect_data, &options).map(|id| WidgetHandle { id })
}

/// Submits `redirect_data` as a form (Gate mode); throws `bad_redirect` naming the field.
/// The promise resolves when the browser starts leaving the page and rejects with
/// `redirect_failed` when it refuses (a CSP `form-action`, a sandboxed frame).
#[cfg(not(feature = "picker"))]
#[wasm_bindgen(js_name = followRedirect)]
pub fn follow_redirect(redirect_data: JsValue, options: JsValue) -> Result<js_sys::Promise, error::Error> {
    redirect::follow_redirect(&redirect_data, &options, None)
}

/// Called by the loader (`js/loader.js`) once the module is ready: `load` fetches the
/// drawings module (`epay_codes.wasm`, QR and barcode drawings) once and resolves to
/// `{ qr(text), code128(text) }`. Not part of the public API.
#[cfg(not(feature = "picker"))]
#[wasm_bindgen(js_name = __setDrawingLoader)]
pub fn set_drawing_loader(load: js_sys::Function) {
    view::drawings::set_loader(load);
}

/// Destroys what this module shows on `target` (an Element, a selector, or absent for the
/// modal): the loader's call before the other module mounts there. Not public API.
#[wasm_bindgen(js_name = __clear)]
pub fn clear(target: JsValue) {
    #[cfg(feature = "picker")]
    first::clear(&target);
    #[cfg(not(feature = "picker"))]
    controller::clear(&target);
}

/// Called by the loader once the flows module is ready, while the customer chooses: the work
/// the first screen after the choice would otherwise do at the click (the stylesheet parsed,
/// the functions of a handed-over checkout compiled by running one out of the page).
/// Not public API.
#[cfg(not(feature = "picker"))]
#[wasm_bindgen(js_name = __warm)]
pub fn warm() {
    controller::warm();
}

/// Called by the loader once the module is ready: `load(code)` fetches the language pack
/// `lang/<code>.json` (once per language). Not part of the public API.
#[wasm_bindgen(js_name = __setLangLoader)]
pub fn set_lang_loader(load: js_sys::Function) {
    view::packs::set_loader(load);
}

/// Rust-side entry for tests and embedders: `run` with another transport and hooks.
pub fn mount_with(
    params: &JsValue,
    options: &JsValue,
    transport: std::rc::Rc<dyn api::Transport>,
    hooks: controller::Hooks,
) -> Result<WidgetHandle, error::Error> {
    controller::mount(params, options, controller::Transport::Given(transport), hooks, controller::Resume::default())
        .map(|id| WidgetHandle { id })
}
