//! Deciding what to show: pure functions of the core state, tested natively.

use epay_core::catalog::{CustomerField, FieldProblem, MethodCode};
use epay_core::flow::{Screen, WidgetError};
use epay_core::i18n::Key;
use epay_core::protocol::PaymentView;
use epay_core::ErrorCode;
use epay_core::PaymentStatus;

/// The kind of screen: focus moves and the live region speaks when it changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Loading,
    Error,
    Picker,
    Fields,
    Redirecting,
    Code,
    Terminal,
    Waiting,
    Stalled,
    Result,
}

pub fn kind(screen: &Screen) -> Kind {
    match screen {
        Screen::Loading => Kind::Loading,
        Screen::Error(_) => Kind::Error,
        Screen::Picker => Kind::Picker,
        Screen::Fields { .. } => Kind::Fields,
        Screen::Redirecting { .. } => Kind::Redirecting,
        Screen::Code { .. } => Kind::Code,
        Screen::Terminal { .. } => Kind::Terminal,
        Screen::Waiting { stalled: false } => Kind::Waiting,
        Screen::Waiting { stalled: true } => Kind::Stalled,
        Screen::Result { .. } => Kind::Result,
    }
}

impl Kind {
    /// Stable name, set as `data-screen` for styling and tests.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Loading => "loading",
            Kind::Error => "error",
            Kind::Picker => "picker",
            Kind::Fields => "fields",
            Kind::Redirecting => "redirecting",
            Kind::Code => "code",
            Kind::Terminal => "terminal",
            Kind::Waiting => "waiting",
            Kind::Stalled => "stalled",
            Kind::Result => "result",
        }
    }
}

/// Title and hint of a method on the picker (the catalog's).
pub fn method_copy(m: MethodCode) -> (Key, Key) {
    epay_core::i18n::method_keys(m)
}

/// How one customer field is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// `name` and `id` of the input: the Payment Page parameter (`customer_phone`).
    pub name: &'static str,
    pub label: Key,
    pub input_type: &'static str,
    pub autocomplete: &'static str,
    pub inputmode: Option<&'static str>,
}

pub fn field_spec(f: CustomerField) -> FieldSpec {
    let (label, input_type, autocomplete, inputmode) = match f {
        CustomerField::FirstName => (Key::FirstName, "text", "given-name", None),
        CustomerField::LastName => (Key::LastName, "text", "family-name", None),
        CustomerField::Email => (Key::Email, "email", "email", Some("email")),
        CustomerField::Phone => (Key::Phone, "tel", "tel", Some("tel")),
    };
    FieldSpec { name: f.param(), label, input_type, autocomplete, inputmode }
}

pub fn problem_key(p: FieldProblem) -> Key {
    match p {
        FieldProblem::Empty => Key::ProblemEmpty,
        FieldProblem::Email => Key::ProblemEmail,
        FieldProblem::Phone => Key::ProblemPhone,
        FieldProblem::Name => Key::ProblemName,
    }
}

/// What a final payment means for the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultKind {
    Success,
    Decline,
    Expired,
    Refunded,
}

impl ResultKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ResultKind::Success => "success",
            ResultKind::Decline => "decline",
            ResultKind::Expired => "expired",
            ResultKind::Refunded => "refunded",
        }
    }
}

pub fn result_kind(view: &PaymentView) -> ResultKind {
    match view.status.as_ref() {
        Some(PaymentStatus::Expired) => ResultKind::Expired,
        Some(PaymentStatus::Refunded | PaymentStatus::PartiallyRefunded) => ResultKind::Refunded,
        Some(s) if s.is_paid() => ResultKind::Success,
        _ => ResultKind::Decline,
    }
}

/// The platform's reason for a decline, worth showing under the result: its operation
/// message, unless there is none or it only says "Success".
pub fn decline_reason(o: ResultKind, view: &PaymentView) -> Option<&str> {
    let m = view.message.as_deref()?.trim();
    (o == ResultKind::Decline && !m.is_empty() && !m.eq_ignore_ascii_case("success")).then_some(m)
}

/// Title and body of the result screen; the body may hold `{amount}`.
pub fn result_copy(o: ResultKind) -> (Key, Key) {
    match o {
        ResultKind::Success => (Key::SuccessTitle, Key::SuccessBody),
        ResultKind::Decline => (Key::DeclineTitle, Key::DeclineBody),
        ResultKind::Expired => (Key::ExpiredTitle, Key::ExpiredBody),
        ResultKind::Refunded => (Key::RefundedTitle, Key::RefundedBody),
    }
}

/// Body of the error screen: connection trouble the customer can retry, or a request the
/// shop must fix.
pub fn error_body(e: &WidgetError) -> Key {
    if e.code == ErrorCode::RedirectFailed {
        Key::ErrorRedirect
    } else if e.retryable {
        Key::ErrorNetwork
    } else {
        Key::ErrorBody
    }
}

/// The English text for the shop under "Details for the shop": `param: message` (the
/// message is not repeated when it already starts with the parameter), then the code.
pub fn error_details(e: &WidgetError) -> String {
    let mut s = match &e.param {
        Some(p) if !e.message.starts_with(p.as_str()) => [p, ": ", &e.message].concat(),
        _ => e.message.clone(),
    };
    s.push_str(" (");
    s.push_str(e.code.as_str());
    s.push(')');
    s
}

/// The heading of a screen kind, also announced by the live region.
pub fn heading_key(kind: Kind, screen: &Screen) -> Key {
    match (kind, screen) {
        (_, Screen::Result { view }) => result_copy(result_kind(view)).0,
        (Kind::Loading, _) => Key::Loading,
        (Kind::Error, _) => Key::ErrorTitle,
        (Kind::Picker, _) => Key::ChooseMethod,
        (Kind::Fields, _) => Key::FieldsTitle,
        (Kind::Redirecting, _) => Key::RedirectTitle,
        (Kind::Code, _) => Key::CodeTitle,
        (Kind::Terminal, _) => Key::TerminalTitle,
        (Kind::Waiting, _) => Key::WaitingTitle,
        (Kind::Stalled, _) => Key::StalledTitle,
        (Kind::Result, _) => Key::DeclineTitle,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use epay_core::callback::Sum;
    use epay_core::MinorUnits;

    fn view(status: PaymentStatus) -> PaymentView {
        PaymentView { status: Some(status), sum: Some(Sum { amount: MinorUnits(10000), currency: "KES".into() }), ..Default::default() }
    }

    #[test]
    fn final_statuses_map_to_the_four_result_screens() {
        assert_eq!(result_kind(&view(PaymentStatus::Success)), ResultKind::Success);
        assert_eq!(result_kind(&view(PaymentStatus::Decline)), ResultKind::Decline);
        assert_eq!(result_kind(&view(PaymentStatus::Error)), ResultKind::Decline);
        assert_eq!(result_kind(&view(PaymentStatus::Cancelled)), ResultKind::Decline);
        assert_eq!(result_kind(&view(PaymentStatus::Expired)), ResultKind::Expired);
        assert_eq!(result_kind(&view(PaymentStatus::Refunded)), ResultKind::Refunded);
        assert_eq!(result_kind(&view(PaymentStatus::PartiallyRefunded)), ResultKind::Refunded);
        assert_eq!(result_kind(&view(PaymentStatus::PartiallyReversed)), ResultKind::Success);
        let s = Screen::Result { view: view(PaymentStatus::Expired) };
        assert_eq!(heading_key(kind(&s), &s), Key::ExpiredTitle);
    }

    #[test]
    fn a_decline_shows_the_platforms_message_and_nothing_else_does() {
        let with = |status, m: &str| PaymentView { message: Some(m.into()), ..view(status) };
        let declined = with(PaymentStatus::Decline, "General decline");
        assert_eq!(decline_reason(result_kind(&declined), &declined), Some("General decline"));
        for v in [
            with(PaymentStatus::Success, "Success"),
            with(PaymentStatus::Decline, "  "),
            with(PaymentStatus::Decline, "success"),
            view(PaymentStatus::Decline),
        ] {
            assert_eq!(decline_reason(result_kind(&v), &v), None, "{v:?}");
        }
        let expired = with(PaymentStatus::Expired, "Payment code expired");
        assert_eq!(decline_reason(result_kind(&expired), &expired), None, "the expired screen says it already");
    }

    #[test]
    fn fields_are_asked_with_the_right_input_kinds() {
        let phone = field_spec(CustomerField::Phone);
        assert_eq!((phone.name, phone.input_type, phone.autocomplete, phone.inputmode), ("customer_phone", "tel", "tel", Some("tel")));
        let email = field_spec(CustomerField::Email);
        assert_eq!((email.name, email.input_type, email.autocomplete), ("customer_email", "email", "email"));
        assert_eq!(field_spec(CustomerField::FirstName).autocomplete, "given-name");
        assert_eq!(field_spec(CustomerField::LastName).autocomplete, "family-name");
        assert_eq!(problem_key(FieldProblem::Phone), Key::ProblemPhone);
    }

    #[test]
    fn stalled_waiting_is_its_own_kind() {
        assert_eq!(kind(&Screen::Waiting { stalled: false }), Kind::Waiting);
        assert_eq!(kind(&Screen::Waiting { stalled: true }), Kind::Stalled);
        assert_eq!(heading_key(Kind::Stalled, &Screen::Waiting { stalled: true }), Key::StalledTitle);
    }

    #[test]
    fn details_name_the_parameter_once() {
        let e = WidgetError {
            code: ErrorCode::InvalidParams,
            param: Some("payment_amount".into()),
            message: "payment_amount: card-partner takes at most 3,000.00 USD".into(),
            retryable: false,
        };
        assert_eq!(error_details(&e), "payment_amount: card-partner takes at most 3,000.00 USD (invalid_params)");
        let e = WidgetError {
            code: ErrorCode::BadSignature,
            param: Some("signature".into()),
            message: "does not match".into(),
            retryable: false,
        };
        assert_eq!(error_details(&e), "signature: does not match (bad_signature)");
        assert_eq!(error_body(&e), Key::ErrorBody);
        let net = WidgetError { code: ErrorCode::Network, param: None, message: "network: offline".into(), retryable: true };
        assert_eq!(error_details(&net), "network: offline (network)");
        assert_eq!(error_body(&net), Key::ErrorNetwork);
    }

    #[test]
    fn every_method_has_a_title_and_a_hint() {
        for m in MethodCode::ALL {
            let (a, b) = method_copy(m);
            assert_ne!(a, b);
        }
    }
}
