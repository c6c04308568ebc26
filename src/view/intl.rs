//! Amounts and times in the customer's language (`Intl` where the browser has it).

use epay_core::i18n::Lang;
use epay_core::MinorUnits;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen::JsValue;

/// Formats an amount for the customer in their language, as `Intl.NumberFormat` would
/// (`epay_core::i18n::format_amount`): no `Intl` before the first screen.
pub fn format_amount(lang: Lang, amount: MinorUnits, currency: &str) -> String {
    epay_core::i18n::format_amount(lang, amount, currency)
}

/// `Intl.<name>` exists, and `options` for it with these pairs.
#[cfg(target_arch = "wasm32")]
fn intl_options(name: &str, pairs: &[(&str, &str)]) -> Option<js_sys::Object> {
    use js_sys::Reflect;
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    if !intl.is_object() || !Reflect::has(&intl, &name.into()).unwrap_or(false) {
        return None;
    }
    let opts = js_sys::Object::new();
    for (k, v) in pairs {
        Reflect::set(&opts, &(*k).into(), &(*v).into()).ok()?;
    }
    Some(opts)
}

/// Unix seconds as a date and time in the customer's language and time zone
/// (`Intl.DateTimeFormat`); `None` where `Intl` is missing.
pub fn format_time(lang: Lang, unix_secs: i64) -> Option<String> {
    #[cfg(target_arch = "wasm32")]
    {
        let opts = intl_options("DateTimeFormat", &[("dateStyle", "medium"), ("timeStyle", "short")])?;
        let f = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::of1(&lang.bcp47().into()), &opts);
        let date = js_sys::Date::new(&JsValue::from_f64(unix_secs as f64 * 1000.0));
        f.format().call1(&JsValue::UNDEFINED, &date).ok()?.as_string()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = (lang, unix_secs);
        None
    }
}
