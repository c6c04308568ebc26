//! The merchant's arguments, read: `params` (→ core [`Params`] of its non-function keys,
//! the exact JSON body the platform verifies, and the `on*` handlers), `options`,
//! `showCode`'s target and options, and a `redirect_data` handed to `followRedirect` or
//! `showCode`. A wrong type is a thrown `invalid_argument` naming the argument.

use super::wire::{decode_redirect_data, scalar_of_number, JsWire};
use crate::error::Error;
use epay_core::text::u64_text;
use epay_core::wire::WireValue;
use epay_core::{ErrorCode, MinorUnits, ParamError, Params, RedirectData, Scalar};
use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

pub use epay_core::handlers::HANDLER_NAMES;

/// The merchant's event handlers (`on*` functions).
#[derive(Debug, Clone, Default)]
pub struct Handlers(pub [Option<Function>; 9]);

impl Handlers {
    /// The slot of handler `name` (no index into the array: no bounds-check panic).
    fn slot_mut(&mut self, name: &str) -> Option<&mut Option<Function>> {
        HANDLER_NAMES.iter().zip(self.0.iter_mut()).find(|(n, _)| **n == name).map(|(_, f)| f)
    }
    pub fn get(&self, name: &str) -> Option<&Function> {
        HANDLER_NAMES.iter().zip(self.0.iter()).find(|(n, _)| **n == name).and_then(|(_, f)| f.as_ref())
    }
    /// `other`'s handlers replace ours where it has one (options win over params).
    pub fn overlay(mut self, other: Handlers) -> Handlers {
        for (mine, theirs) in self.0.iter_mut().zip(other.0) {
            if theirs.is_some() {
                *mine = theirs;
            }
        }
        self
    }
}

/// What `run` learns from its first argument.
#[derive(Debug, Clone, Default)]
pub struct RunParams {
    /// Flat scalar parameters: what the widget reads (`flow::Signed`, `language_code`).
    pub params: Params,
    /// `JSON.stringify` of the non-function keys, in the merchant's order: numbers stay
    /// numbers, so the platform verifies exactly the values the merchant signed.
    pub body: String,
    pub handlers: Handlers,
    /// Values that cannot be sent at all (BigInt, cycles), named.
    pub problems: Vec<ParamError>,
}

fn field(v: &JsValue, key: &str) -> JsValue {
    JsWire(v.clone()).member(key).0
}

fn absent(v: &JsValue) -> bool {
    v.is_undefined() || v.is_null()
}

fn is_plain_object(v: &JsValue) -> bool {
    v.is_object() && !v.is_function() && !Array::is_array(v)
}

/// The `on*` functions of `params`, looked up by name (nothing else is read).
pub fn handlers_of(params: &JsValue) -> Handlers {
    let mut out = Handlers::default();
    for (slot, name) in out.0.iter_mut().zip(HANDLER_NAMES) {
        *slot = Reflect::get(params, &JsValue::from_str(name)).ok().and_then(|f| f.dyn_into::<Function>().ok());
    }
    out
}

/// Reads the merchant's `params`. Throws (returns `Err`) only when it is not an object.
pub fn read_params(value: &JsValue) -> Result<RunParams, Error> {
    if !is_plain_object(value) {
        return Err(Error::argument(
            "params",
            "must be an object of payment parameters, as in EPayWidget.run({ project_id, payment_id, ... })",
        ));
    }
    let obj: &Object = value.unchecked_ref();
    let mut out = RunParams::default();
    let keys = Object::keys(obj);
    let limit = epay_core::params::MAX_PARAMS;
    // An oversized set is refused at once, before any per-key work: only the handlers are
    // looked up, by name, so that `onError` hears of it (issue 25: 100,000 keys held the
    // page's main thread for 2.1 s).
    if keys.length() as usize > 2 * limit {
        out.handlers = handlers_of(value);
        out.problems.push(too_many(keys.length() as usize, limit));
        return Ok(out);
    }
    let body = Object::new();
    // At most `limit` + a handler per name reach this loop (checked above), so the sorted
    // inserts stay a few thousand steps (a sort would cost kilobytes of wasm).
    for key in keys.iter() {
        let Some(name) = key.as_string() else { continue };
        let v = Reflect::get(obj, &key).unwrap_or(JsValue::UNDEFINED);
        if let Some(f) = v.dyn_ref::<Function>() {
            // Function-valued keys are handlers, never sent; an unknown one is never
            // called, so the console says which handler was probably meant.
            match out.handlers.slot_mut(&name) {
                Some(slot) => *slot = Some(f.clone()),
                None => web_sys::console::warn_1(&JsValue::from_str(&epay_core::handlers::unknown_handler_warning(&name))),
            }
            continue;
        }
        if v.is_undefined() {
            continue; // JSON.stringify drops it too: it is not sent, so not signed
        }
        if v.is_bigint() {
            out.problems.push(ParamError::new(&name, "type", "must be a number or a string; a BigInt cannot be sent as JSON"));
            continue;
        }
        let scalar = if v.is_null() {
            Some(Scalar::Null)
        } else if let Some(b) = v.as_bool() {
            Some(Scalar::Bool(b))
        } else if let Some(n) = v.as_f64() {
            Some(scalar_of_number(n))
        } else {
            v.as_string().map(Scalar::Text)
        };
        // Nested objects are sent as they are; the flat check does not look at them.
        if let Some(s) = scalar {
            out.params.insert(name, s);
        }
        let _ = Reflect::set(&body, &key, &v);
    }
    if out.params.len() > limit {
        out.problems.push(too_many(out.params.len(), limit));
        return Ok(out);
    }
    match js_sys::JSON::stringify(&body) {
        Ok(s) => out.body = s.as_string().unwrap_or_default(),
        Err(e) => {
            let why = e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).unwrap_or_default();
            out.problems.push(ParamError::new("params", "json", ["cannot be sent as JSON (", &why, ")"].concat()));
        }
    }
    Ok(out)
}

fn too_many(count: usize, limit: usize) -> ParamError {
    ParamError::new(
        "params",
        "too_many",
        [&u64_text(count as u64), " keys sent; at most ", &u64_text(limit as u64), " parameters are accepted"].concat(),
    )
}

/// The text value of `key` in the JSON `body` the merchant signed (`return_url`).
pub fn signed_text(body: &str, key: &str) -> Option<String> {
    js_sys::JSON::parse(body).ok().map(|v| field(&v, key)).and_then(|v| v.as_string()).filter(|s| !s.is_empty())
}

/// Where the widget renders.
#[derive(Debug, Clone, Default)]
pub enum Target {
    /// A modal overlay appended to `document.body`.
    #[default]
    Modal,
    Element(web_sys::Element),
    Selector(String),
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
    /// Follows `prefers-color-scheme` (light unless the system asks for dark).
    #[default]
    Auto,
}

impl Theme {
    pub fn parse(s: &str) -> Option<Theme> {
        match s {
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            "auto" => Some(Theme::Auto),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::Auto => "auto",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub target: Target,
    /// The platform's base URL (`https://platform.example`); default: the page's origin.
    pub base_url: Option<String>,
    pub theme: Theme,
    pub handlers: Handlers,
}

/// Reads `options`; a wrong type is a programming mistake and throws.
pub fn read_options(value: &JsValue) -> Result<Options, Error> {
    let mut out = Options::default();
    if value.is_undefined() || value.is_null() {
        return Ok(out);
    }
    if !is_plain_object(value) {
        return Err(Error::argument("options", "must be an object such as { target: '#checkout' }"));
    }
    let get = |k: &str| Reflect::get(value, &k.into()).unwrap_or(JsValue::UNDEFINED);
    out.target = read_target(&get("target"), "options.target")?;
    let base = get("baseUrl");
    if let Some(s) = base.as_string() {
        out.base_url = Some(s);
    } else if !(base.is_undefined() || base.is_null()) {
        return Err(Error::argument("options.baseUrl", "must be a string such as 'https://platform.example'"));
    }
    let theme = get("theme");
    if !(theme.is_undefined() || theme.is_null()) {
        out.theme = theme
            .as_string()
            .and_then(|s| Theme::parse(&s))
            .ok_or_else(|| Error::argument("options.theme", "must be 'light', 'dark' or 'auto'"))?;
    }
    for (name, slot) in HANDLER_NAMES.iter().zip(out.handlers.0.iter_mut()) {
        let v = get(name);
        if let Some(f) = v.dyn_ref::<Function>() {
            *slot = Some(f.clone());
        } else if !(v.is_undefined() || v.is_null()) {
            return Err(Error::argument(&["options.", name].concat(), "must be a function"));
        }
    }
    Ok(out)
}

/// An Element or a CSS selector; `undefined`/`null` is the modal.
pub fn read_target(target: &JsValue, name: &str) -> Result<Target, Error> {
    if let Some(s) = target.as_string() {
        Ok(Target::Selector(s))
    } else if let Some(el) = target.dyn_ref::<web_sys::Element>() {
        Ok(Target::Element(el.clone()))
    } else if absent(target) {
        Ok(Target::Modal)
    } else {
        Err(Error::argument(name, "must be an Element or a CSS selector string"))
    }
}

/// What `showCode` reads from its options besides [`Options`].
#[derive(Debug, Clone, Default)]
pub struct CodeOptions {
    pub language_code: Option<String>,
    /// `payment_amount` (minor units) with `payment_currency`, to show the amount.
    pub amount: Option<(MinorUnits, String)>,
}

/// `language_code`, and `payment_amount` (minor units, a number) with `payment_currency`.
pub fn read_code_options(value: &JsValue) -> Result<CodeOptions, Error> {
    let amount = field(value, "payment_amount");
    let amount = if absent(&amount) {
        None
    } else {
        let n = match amount.as_f64().map(scalar_of_number) {
            Some(Scalar::Int(n)) if n >= 0 => n,
            _ => return Err(Error::argument("options.payment_amount", "must be an integer amount in minor units, such as 500000")),
        };
        let currency = field(value, "payment_currency").as_string().filter(|c| epay_core::money::is_currency_code(c));
        let currency = currency.ok_or_else(|| {
            Error::argument("options.payment_currency", "must be an ISO 4217 code such as MYR, given with payment_amount")
        })?;
        Some((MinorUnits(n), currency))
    };
    Ok(CodeOptions { language_code: field(value, "language_code").as_string(), amount })
}

/// `followRedirect`'s `options.sandbox` (default `false`).
pub fn read_sandbox(options: &JsValue) -> Result<bool, Error> {
    if absent(options) {
        return Ok(false);
    }
    if !is_plain_object(options) {
        return Err(Error::argument("options", "must be an object such as { sandbox: true }"));
    }
    let v = field(options, "sandbox");
    if absent(&v) {
        return Ok(false);
    }
    v.as_bool().ok_or_else(|| Error::argument("options.sandbox", "must be true or false"))
}

/// `redirect_data` from the merchant (`followRedirect`, `showCode`); errors are
/// `bad_redirect` naming the field.
pub fn read_redirect_data(v: &JsValue) -> Result<RedirectData, Error> {
    if !is_plain_object(v) {
        return Err(Error::new(ErrorCode::BadRedirect, Some("redirect_data"), "redirect_data: must be an object { method, url, body }"));
    }
    decode_redirect_data(v).map_err(|m| Error::new(ErrorCode::BadRedirect, Some(&m.field), m.message()))
}

/// A plain object from key/value pairs; `undefined` values are left out.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integral_numbers_stay_integers() {
        assert_eq!(scalar_of_number(500000.0), Scalar::Int(500000));
        assert_eq!(scalar_of_number(-3.0), Scalar::Int(-3));
        assert_eq!(scalar_of_number(100.5), Scalar::Float(100.5));
        assert!(matches!(scalar_of_number(f64::NAN), Scalar::Float(_)));
        assert!(matches!(scalar_of_number(1e300), Scalar::Float(_)));
    }

    #[test]
    fn themes_parse_only_the_three_names() {
        assert_eq!(Theme::parse("dark"), Some(Theme::Dark));
        assert_eq!(Theme::parse("Dark"), None);
        assert_eq!(Theme::default().as_str(), "auto");
    }
}
