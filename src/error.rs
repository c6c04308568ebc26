//! The one error type of the widget's JS boundary.
//!
//! Two kinds of failure exist and they travel differently:
//! - mistakes in the *payment request* (a parameter the merchant's server got wrong, an
//!   unknown target selector, an unreachable platform) are shown to the customer on the
//!   error screen and reported through `onError` / `epay:error`; `run` does not throw;
//! - *programming* mistakes that leave nothing sensible to render (`params` is not an
//!   object, `options` is not an object, an option of the wrong type, no `document`) make
//!   `run` throw a JS `Error` carrying `code` and `param` properties.

use epay_core::flow::WidgetError;
use epay_core::ErrorCode;
use epay_core::ParamError;
use wasm_bindgen::JsValue;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// Stable error code (`invalid_argument`, `invalid_params`, `target_not_found`, ...).
    pub code: ErrorCode,
    /// The parameter or option at fault, when there is one (`params`, `options.target`, `payment_amount`).
    pub param: Option<String>,
    /// English, for developers: names the parameter and the rule.
    pub message: String,
}

impl Error {
    pub fn new(code: ErrorCode, param: Option<&str>, message: impl Into<String>) -> Error {
        Error { code, param: param.map(str::to_string), message: message.into() }
    }

    /// A programming mistake in an argument of `run`.
    pub fn argument(param: &str, rule: &str) -> Error {
        Error::new(ErrorCode::InvalidArgument, Some(param), [param, ": ", rule].concat())
    }

    /// Every parameter problem at once, as the platform reports them (`invalid_params`).
    pub fn from_params(errors: &[ParamError]) -> Error {
        let message = errors.iter().map(|e| [&e.param, ": ", &e.message].concat()).collect::<Vec<_>>().join("; ");
        Error { code: ErrorCode::InvalidParams, param: errors.first().map(|e| e.param.clone()), message }
    }

    /// The form the state machine shows on its error screen.
    pub fn into_widget(self, retryable: bool) -> WidgetError {
        WidgetError { code: self.code, param: self.param, message: self.message, retryable }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}
impl std::error::Error for Error {}

impl From<Error> for JsValue {
    /// A real `Error` (stack trace, `instanceof Error`) with `code` and `param` on it.
    fn from(e: Error) -> JsValue {
        let js = js_sys::Error::new(&e.message);
        js.set_name("EPayWidgetError");
        let _ = js_sys::Reflect::set(&js, &"code".into(), &e.code.as_str().into());
        let param = e.param.as_deref().map_or(JsValue::NULL, JsValue::from_str);
        let _ = js_sys::Reflect::set(&js, &"param".into(), &param);
        js.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_errors_keep_the_first_parameter_and_list_all_rules() {
        let e = Error::from_params(&[
            ParamError::new("payment_amount", "integer", "must be a positive integer"),
            ParamError::new("signature", "required", "is required"),
        ]);
        assert_eq!(e.code, ErrorCode::InvalidParams);
        assert_eq!(e.param.as_deref(), Some("payment_amount"));
        assert_eq!(e.message, "payment_amount: must be a positive integer; signature: is required");
        let w = e.into_widget(false);
        assert!(!w.retryable);
    }

    #[test]
    fn argument_errors_name_the_argument() {
        let e = Error::argument("params", "must be an object");
        assert_eq!((e.code.as_str(), e.param.as_deref()), ("invalid_argument", Some("params")));
        assert_eq!(e.to_string(), "params: must be an object");
    }

    /// The string literals of `export type <name> = 'a' | 'b' ...;` in `js/epay-widget.d.ts`.
    fn dts_union(name: &str) -> (std::collections::BTreeSet<&'static str>, &'static str) {
        let dts = include_str!("../js/epay-widget.d.ts");
        let start = dts.find(&format!("export type {name} =")).unwrap_or_else(|| panic!("{name} in the d.ts"));
        let union = &dts[start..start + dts[start..].find(';').expect("the union ends")];
        (union.split('\'').skip(1).step_by(2).collect(), union)
    }

    /// A method or a language added to the core is added to the type definitions too.
    #[test]
    fn the_type_definitions_list_every_method_and_language() {
        let methods: std::collections::BTreeSet<&str> = epay_core::MethodCode::ALL.iter().map(|m| m.as_str()).collect();
        assert_eq!(dts_union("MethodCode").0, methods);
        let langs: std::collections::BTreeSet<&str> = epay_core::i18n::Lang::ALL.iter().map(|l| l.code()).collect();
        assert_eq!(dts_union("LanguageCode").0, langs);
    }

    /// `js/epay-widget.d.ts` lists exactly the error codes the widget can report: those it raises
    /// and those the platform's widget API answers (`ErrorCode::heard_by_widget`).
    #[test]
    fn the_type_definitions_list_exactly_the_codes_the_widget_can_report() {
        let (listed, union) = dts_union("ErrorCode");
        let produced: std::collections::BTreeSet<&str> =
            ErrorCode::ALL.iter().filter(|c| c.heard_by_widget()).map(|c| c.as_str()).collect();
        assert_eq!(listed, produced);
        assert!(!union.contains("string &"), "an open union would hide a missing code");
    }
}
