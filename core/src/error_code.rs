//! Every machine error code of the product, in one enum: what the widget reports
//! (`onError`, `epay:error`, a thrown `EPayWidgetError`), what the platform answers
//! (`{"error": {"code": ...}}`), and what the sandbox's own tools answer. The code's
//! text is the wire format; the parameter and the rule travel beside it as fields
//! (`ApiErrorBody::param`, `ParamError`), never inside the message.
//!
//! Adding a code: a variant here, its text in [`ErrorCode::as_str`], where it can be
//! heard in [`ErrorCode::heard_by_widget`] (both matches are exhaustive, so the compiler
//! asks), and, if the widget can report it, a line in `js/epay-widget.d.ts`
//! (a browser test compares the two lists).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident = $text:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The code as it is written on the wire (`"invalid_params"`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $text,)*
                }
            }

            /// The code for its wire text; `None` for a text no version of us writes.
            pub fn parse(text: &str) -> Option<ErrorCode> {
                match text {
                    $($text => Some(ErrorCode::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

error_codes! {
    // --- Raised by the widget itself.
    /// A programming mistake in an argument of `run`/`showCode`/`followRedirect` (thrown).
    InvalidArgument = "invalid_argument",
    /// Payment parameters that fail validation: the platform's rules (its `open`), or what only
    /// the browser can know (a value JSON cannot carry, too many keys).
    InvalidParams = "invalid_params",
    /// An option of the right type with a value that cannot work (`baseUrl`).
    InvalidOption = "invalid_option",
    /// `options.target` matches no element.
    TargetNotFound = "target_not_found",
    /// No `window`/`document` (server-side rendering).
    NoDocument = "no_document",
    /// The loader could not fetch or start the wasm module (raised by `js/loader.js`).
    LoadFailed = "load_failed",
    /// A widget file whose bytes differ from the SHA-384 the loader pins: refused, never run
    /// (raised by `js/loader.js`, naming the file).
    Integrity = "integrity",
    /// No answer from the platform (offline, timeout, CORS): retryable.
    Network = "network",
    /// An answer that is not what the protocol says.
    Protocol = "protocol",
    /// A `redirect_data` the widget refuses to follow or show, naming the field.
    BadRedirect = "bad_redirect",
    /// The browser refused to leave for the partner (a CSP `form-action`, a sandboxed frame).
    RedirectFailed = "redirect_failed",
    /// The platform offers no method for this order.
    NoMethod = "no_method",

    // --- Answered by the platform's widget API (and relayed by the widget).
    /// The request body is not the JSON object the endpoint takes.
    InvalidJson = "invalid_json",
    /// The signature does not match the parameters.
    BadSignature = "bad_signature",
    /// No such project.
    UnknownProject = "unknown_project",
    /// No such checkout session (or it expired).
    UnknownSession = "unknown_session",
    /// The method chosen is not one the checkout offered.
    MethodNotAllowed = "method_not_allowed",
    /// `force_payment_method` names a method the project cannot take.
    MethodNotAvailable = "method_not_available",
    /// `payment_id` was already used for another order of the project.
    PaymentIdReused = "payment_id_reused",
    /// The platform cannot save right now; nothing was changed.
    StorageUnavailable = "storage_unavailable",
    /// The platform failed.
    Internal = "internal",

    // --- Answered by the platform's Gate API (the merchant's server; never the widget).
    /// No payment with this id in the project.
    UnknownPayment = "unknown_payment",
    /// A sale with a `payment_id` the project already used.
    DuplicatePayment = "duplicate_payment",
    /// A refund of a payment whose method cannot be refunded.
    NotRefundable = "not_refundable",
    /// A clarification for a payment that is not waiting for one.
    NotAwaitingClarification = "not_awaiting_clarification",

    // --- Answered only by the sandbox's own tools (demo shop, partner simulator, callbacks page).
    /// The demo shop has no such order.
    UnknownOrder = "unknown_order",
    /// The demo shop could not reach the platform's Gate API.
    GateUnreachable = "gate_unreachable",
    /// The demo shop's callback receiver refused a callback (bad signature or body).
    BadCallback = "bad_callback",
    /// The callbacks page has no such callback.
    UnknownCallback = "unknown_callback",
    /// The callbacks page resends only a delivered callback (the outbox still retries it).
    NotDelivered = "not_delivered",
    /// A sandbox form posted from another origin.
    CrossOrigin = "cross_origin",
    /// The simulated card partner refused the operation.
    PartnerRefused = "partner_refused",
}

impl ErrorCode {
    /// Whether the widget can report this code to the merchant's page: what it raises
    /// itself plus what the platform's widget API answers. `js/epay-widget.d.ts` lists
    /// exactly these (checked by a browser test).
    pub fn heard_by_widget(self) -> bool {
        use ErrorCode::*;
        match self {
            InvalidArgument | InvalidParams | InvalidOption | TargetNotFound | NoDocument | LoadFailed | Integrity | Network | Protocol
            | BadRedirect | RedirectFailed | NoMethod => true,
            InvalidJson | BadSignature | UnknownProject | UnknownSession | MethodNotAllowed | MethodNotAvailable | PaymentIdReused
            | StorageUnavailable | Internal => true,
            // Gate is the merchant server's API: the widget never calls it.
            UnknownPayment | DuplicatePayment | NotRefundable | NotAwaitingClarification => false,
            UnknownOrder | GateUnreachable | BadCallback | UnknownCallback | NotDelivered | CrossOrigin | PartnerRefused => false,
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        ErrorCode::parse(&text).ok_or_else(|| serde::de::Error::custom(format!("unknown error code {text:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_from_its_text_and_texts_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for &c in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(c.as_str()), Some(c));
            assert!(seen.insert(c.as_str()), "{c} twice");
            assert!(c.as_str().bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{c}");
        }
        assert_eq!(ErrorCode::parse("payment_final"), None);
    }

    #[test]
    fn serde_uses_the_wire_text() {
        assert_eq!(serde_json::to_string(&ErrorCode::BadSignature).unwrap(), "\"bad_signature\"");
        assert_eq!(serde_json::from_str::<ErrorCode>("\"unknown_session\"").unwrap(), ErrorCode::UnknownSession);
        let e = serde_json::from_str::<ErrorCode>("\"no_such_code\"").unwrap_err();
        assert!(e.to_string().contains("no_such_code"), "{e}");
    }
}
