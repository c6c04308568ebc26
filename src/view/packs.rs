//! Language packs: the widget carries English; the customer's other language comes as a
//! pack (`pkg/lang/<code>.json`, written from `core/src/i18n/*.rs` by the build), fetched
//! through the loader at mount, beside the checkout's `open` request. The widget renders
//! once the pack is installed, or in English if it cannot be had within [`WAIT_MS`]. With the `standalone`
//! feature (the browser tests, which run without the loader) every language is built in.

use epay_core::i18n::{self, Lang};
use js_sys::{Function, Promise};
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};

/// How long the widget waits for a language pack before it speaks English.
pub const WAIT_MS: u32 = 3000;

thread_local! {
    static LOADER: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// The loader's `(code) => Promise<{ Title: "...", ... }>`.
pub fn set_loader(f: Function) {
    LOADER.with(|l| *l.borrow_mut() = Some(f));
}

/// Whether `lang` needs its pack fetched before the widget can speak it.
pub fn needed(lang: Lang) -> bool {
    !i18n::has_texts(lang)
}

/// Fetches and installs `lang`'s pack; `done` runs afterwards, installed or not.
pub fn fetch(lang: Lang, done: impl FnOnce() + 'static) {
    let promise = LOADER
        .with(|l| l.borrow().clone())
        .and_then(|f| f.call1(&JsValue::UNDEFINED, &lang.code().into()).ok())
        .and_then(|p| p.dyn_into::<Promise>().ok());
    let Some(promise) = promise else { return done() };
    super::dom::settle(&promise, move |pack| {
        match pack {
            // `null`, `undefined`, a number or a string: `Object.entries` would throw on
            // the first two, out of the widget and into the merchant's page (issue 25).
            Ok(pack) if !pack.is_object() => warn(lang, "is not an object"),
            Ok(pack) => {
                let list = js_sys::Object::entries(pack.unchecked_ref());
                let entries: Vec<(String, String)> = list
                    .iter()
                    .filter_map(|e| {
                        let e: js_sys::Array = e.unchecked_into();
                        Some((e.get(0).as_string()?, e.get(1).as_string()?))
                    })
                    .collect();
                if let Err(e) = i18n::install_pack(lang, entries) {
                    let why = match e {
                        i18n::PackError::Missing(k) => ["is from another version (has no ", k, ")"].concat(),
                        i18n::PackError::Placeholders(k) => {
                            ["is from another version (", k, " has other placeholders than the English text)"].concat()
                        }
                    };
                    warn(lang, &why);
                }
            }
            Err(e) => web_sys::console::warn_1(
                &[
                    "[epay-widget] could not load the ",
                    lang.code(),
                    " language pack: ",
                    &crate::browser::js_error_text(&e),
                    "; English instead",
                ]
                .concat()
                .into(),
            ),
        }
        done();
    });
}

fn warn(lang: Lang, why: &str) {
    web_sys::console::warn_1(&["[epay-widget] the ", lang.code(), " language pack ", why, ": English instead"].concat().into());
}
