//! Browser access and JS error text: a leaf that imports nothing of the crate but the
//! error type (`error.rs`, itself a leaf), so that `api`, `controller`, `redirect` and
//! `view::packs` reach the window without reaching each other.

use crate::error::Error;
use epay_core::ErrorCode;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Window};

/// The window and its document; `no_document` when there is none (server-side rendering).
pub(crate) fn browser() -> Result<(Window, Document), Error> {
    let no_doc = || Error::new(ErrorCode::NoDocument, None, "EPayWidget needs a browser window and document");
    let window = web_sys::window().ok_or_else(no_doc)?;
    let doc = window.document().ok_or_else(no_doc)?;
    Ok((window, doc))
}

/// The message of a thrown JS value.
pub(crate) fn js_error_text(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).or_else(|| e.as_string()).unwrap_or_default()
}
