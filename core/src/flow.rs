//! The checkout as a pure state machine: `Checkout::update(msg)` changes the screen
//! and returns the effects the browser layer must perform (HTTP calls, timers,
//! navigation, events). Nothing here touches the DOM or the clock, so every rule of
//! the flow is tested natively.

use crate::callback::PaymentStatus;
use crate::catalog::{CustomerField, FieldProblem, MethodCode};
use crate::epay_cash::{CodeDataError, EpayCode};
use crate::error_code::ErrorCode;
use crate::money::MinorUnits;
use crate::params::{CustomerData, Params, Scalar};
use crate::protocol::{ApiError, NextAction, OpenResponse, PaymentView};
use crate::redirect::{check_url_with, RedirectData, RedirectError, UrlParser, UrlPolicy};

#[cfg(feature = "url-grammar")]
const DEFAULT_URL_PARSER: UrlParser = crate::redirect::grammar;
#[cfg(not(feature = "url-grammar"))]
const DEFAULT_URL_PARSER: UrlParser = |_, _| Err(RedirectError::Malformed("no URL parser".into()));

/// Consecutive failed status polls before the widget stops and offers "check again".
pub const MAX_POLL_FAILURES: u32 = 5;
/// First poll delay and the ceiling, in milliseconds.
pub const POLL_FIRST_MS: u32 = 1_000;
pub const POLL_MAX_MS: u32 = 10_000;

/// Delay before poll number `attempt` (0-based): grows ×1.5 from 1 s to 10 s, with ±20 %
/// jitter from `jitter` in [0, 1) so that many widgets do not poll in step.
pub fn poll_delay_ms(attempt: u32, jitter: f64) -> u32 {
    let mut base = POLL_FIRST_MS as f64;
    for _ in 0..attempt.min(16) {
        base *= 1.5;
    }
    let base = base.min(POLL_MAX_MS as f64);
    let j = 0.8 + 0.4 * jitter.clamp(0.0, 1.0);
    (base * j).round() as u32
}

/// Why a call to the platform failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallFailure {
    /// No answer (offline, timeout, CORS): worth retrying.
    Network(String),
    /// The platform refused the request and said why.
    Rejected(ApiError),
    /// An answer that is not what the protocol says (HTTP status, body).
    Protocol(String),
}

impl CallFailure {
    /// The platform no longer knows the checkout's session (404 `unknown_session`).
    fn session_gone(&self) -> bool {
        matches!(self, CallFailure::Rejected(api) if api.error.code == ErrorCode::UnknownSession)
    }
    pub fn message(&self) -> String {
        match self {
            CallFailure::Network(m) => ["network: ", m].concat(),
            CallFailure::Rejected(e) => e.error.message.clone(),
            CallFailure::Protocol(m) => ["platform answer: ", m].concat(),
        }
    }
    pub fn code(&self) -> ErrorCode {
        match self {
            CallFailure::Network(_) => ErrorCode::Network,
            CallFailure::Rejected(e) => e.error.code,
            CallFailure::Protocol(_) => ErrorCode::Protocol,
        }
    }
    pub fn param(&self) -> Option<&str> {
        match self {
            CallFailure::Rejected(e) => e.error.param.as_deref(),
            _ => None,
        }
    }
}

/// What the merchant signed that an `open` answer must repeat: the answer is drawn (the
/// amount, the methods) and paid against, so an answer for another payment is refused,
/// whether the page handed it over (`options.opened`) or the platform sent it (issue 25:
/// an `opened` with another amount showed KES 1.00 for a payment signed at KES 100.00).
///
/// Read from the parameters as sent, without the parameter rules (issue 26: the platform
/// is the one authority on them, and they stay out of the widget's wasm). A value that
/// does not read (`None`) matches no answer: the platform refuses such parameters, so an
/// answer for them is not one it gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub project_id: Option<u64>,
    pub payment_id: Option<String>,
    pub amount: Option<MinorUnits>,
    pub currency: Option<String>,
    /// `force_payment_method`: `None` when not sent (then the platform's choice of
    /// methods stands), `Some(None)` when it names no method.
    pub forced: Option<Option<MethodCode>>,
}

/// A positive integer as a number or as its digits (`250`, `"250"`).
fn positive(v: Option<&Scalar>) -> Option<u64> {
    match v? {
        Scalar::Int(i) if *i > 0 => Some(*i as u64),
        Scalar::Text(s) if !s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit()) => s.parse().ok().filter(|n| *n > 0),
        _ => None,
    }
}

impl Signed {
    /// What `p` signs for the answer to repeat; nothing here checks the rules.
    pub fn read(p: &Params) -> Signed {
        Signed::read_with(|key| p.get(key).cloned())
    }

    /// [`Signed::read`] over a look-up of the five values (the widget's first module reads
    /// them from the merchant's object, without building [`Params`]).
    pub fn read_with(get: impl Fn(&str) -> Option<Scalar>) -> Signed {
        let text = |key: &str| match get(key) {
            Some(Scalar::Text(s)) if !s.trim().is_empty() => Some(s),
            _ => None,
        };
        Signed {
            project_id: positive(get("project_id").as_ref()),
            payment_id: match get("payment_id") {
                Some(Scalar::Int(i)) => Some(crate::text::i64_text(i)),
                _ => text("payment_id"),
            },
            amount: positive(get("payment_amount").as_ref()).and_then(|a| i64::try_from(a).ok()).map(MinorUnits),
            currency: text("payment_currency"),
            forced: match get("force_payment_method") {
                None | Some(Scalar::Null) => None,
                Some(Scalar::Text(s)) if s.trim().is_empty() => None,
                Some(Scalar::Text(s)) => Some(MethodCode::parse(&s)),
                Some(_) => Some(None),
            },
        }
    }

    /// The first thing `open` answered that the merchant did not sign, as the error to show.
    pub fn mismatch(&self, open: &OpenResponse) -> Option<WidgetError> {
        let forced_other = |m: MethodCode| self.forced.is_some_and(|f| f != Some(m));
        let param = if self.project_id != Some(open.project_id) {
            "project_id"
        } else if self.payment_id.as_deref() != Some(open.payment_id.as_str()) {
            "payment_id"
        } else if self.currency.as_deref() != Some(open.currency.as_str()) {
            "payment_currency"
        } else if self.amount != Some(open.amount) {
            "payment_amount"
        } else if open.methods.iter().map(|o| o.code).chain(open.forced_method).any(forced_other) {
            "force_payment_method"
        } else {
            return None;
        };
        Some(WidgetError {
            code: ErrorCode::Protocol,
            param: Some(param.into()),
            message: [param, ": the checkout's answer is for another ", param, " than the signed parameters; nothing was paid"].concat(),
            retryable: false,
        })
    }
}

/// An error the widget shows and reports through `onError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WidgetError {
    pub code: ErrorCode,
    pub param: Option<String>,
    pub message: String,
    /// The customer may try again (network trouble), as opposed to a merchant mistake.
    pub retryable: bool,
}

impl WidgetError {
    pub fn from_failure(f: &CallFailure) -> WidgetError {
        WidgetError {
            code: f.code(),
            param: f.param().map(str::to_string),
            message: f.message(),
            retryable: matches!(f, CallFailure::Network(_)),
        }
    }
    pub fn redirect(e: &RedirectError) -> WidgetError {
        WidgetError { code: ErrorCode::BadRedirect, param: Some("redirect_data.url".into()), message: e.message(), retryable: false }
    }
    /// The browser did not leave for `url` after the redirect form was submitted.
    pub fn redirect_failed(url: &str, why: &str) -> WidgetError {
        WidgetError {
            code: ErrorCode::RedirectFailed,
            param: Some("redirect_data.url".into()),
            message: ["the browser did not open ", url, ": ", why].concat(),
            retryable: true,
        }
    }
    /// An EPay code that cannot be shown: names `redirect_data.body.<field>`.
    pub fn code_data(e: &CodeDataError) -> WidgetError {
        let field = match e {
            CodeDataError::Missing(k) => k,
            CodeDataError::BadTime(_) => "valid_time",
        };
        WidgetError {
            code: ErrorCode::BadRedirect,
            param: Some(["redirect_data.body.", field].concat()),
            message: e.message(),
            retryable: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    Loading,
    Error(WidgetError),
    Picker,
    Fields {
        method: MethodCode,
        fields: Vec<CustomerField>,
        problems: Vec<(CustomerField, FieldProblem)>,
        busy: bool,
    },
    /// Sending the customer to the partner; the form is being submitted.
    Redirecting {
        redirect_data: RedirectData,
    },
    /// EPay code screen.
    Code {
        redirect_data: RedirectData,
    },
    /// PayDala instructions.
    Terminal {
        account: String,
        service_name: String,
    },
    /// Following the payment; `stalled` after repeated network failures.
    Waiting {
        stalled: bool,
    },
    Result {
        view: PaymentView,
    },
}

/// What the widget tells the merchant page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Ready,
    MethodSelected(MethodCode),
    Redirect(RedirectData),
    /// EPay code issued (`onCode`).
    Code(RedirectData),
    Success(PaymentView),
    Decline(PaymentView),
    Error(WidgetError),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    CallOpen,
    CallPay {
        method: MethodCode,
        customer: CustomerData,
    },
    CallStatus,
    /// Poll again after this many milliseconds (replaces any pending poll).
    SchedulePoll {
        attempt: u32,
    },
    CancelPoll,
    /// Build the form and submit it (already checked against the URL policy).
    Navigate(RedirectData),
    Emit(Event),
}

// Messages live for one `update` call; boxing the open answer would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Opened(Result<OpenResponse, CallFailure>),
    MethodChosen(MethodCode),
    /// The customer submitted the fields form with these values.
    FieldsSubmitted(CustomerData),
    /// Back from the fields form to the picker.
    Back,
    PayAnswered(Result<PaymentView, CallFailure>),
    StatusAnswered(Result<PaymentView, CallFailure>),
    PollDue,
    /// "Try again" / "check again".
    Retry,
    /// The browser refused to submit the redirect form (a Content-Security-Policy
    /// `form-action` that does not allow the partner, a sandboxed frame): the reason.
    RedirectFailed(String),
    Visibility(bool),
}

#[derive(Debug, Clone)]
pub struct Checkout {
    screen: Screen,
    policy: UrlPolicy,
    /// The URL grammar under the redirect rules (`set_url_parser`).
    url_parser: UrlParser,
    session: Option<OpenResponse>,
    method: Option<MethodCode>,
    customer: CustomerData,
    /// A `pay` call is in flight: further clicks do nothing.
    paying: bool,
    /// The last pay attempt, for "try again" after a network error.
    last_pay: Option<(MethodCode, CustomerData)>,
    /// `pay` or `status` found the checkout's session gone (unused too long: a page left
    /// open, a tab hidden while the customer pays at a terminal, an `options.opened` answer
    /// from long ago): opening again, then paying again or following the payment.
    reopening: bool,
    /// The session was renewed and has not answered yet: it is not renewed again.
    reopened: bool,
    /// `onReady` went out (once per checkout, even if it opens again).
    ready: bool,
    /// What every `open` answer must repeat (set by the widget from the signed parameters).
    signed: Option<Signed>,
    following: bool,
    poll_attempt: u32,
    poll_failures: u32,
    visible: bool,
}

impl Checkout {
    /// A checkout that opens: the loading screen, and the `open` call to make.
    pub fn new(policy: UrlPolicy) -> (Checkout, Vec<Effect>) {
        (Checkout::on(Screen::Loading, policy), vec![Effect::CallOpen])
    }

    /// A checkout that cannot start (bad parameters, no target): the error screen, and
    /// the error to report. No call is made.
    pub fn failed(policy: UrlPolicy, error: WidgetError) -> (Checkout, Vec<Effect>) {
        (Checkout::on(Screen::Error(error.clone()), policy), vec![Effect::Emit(Event::Error(error))])
    }

    /// Gate mode's code screen (`showCode`): the EPay code from `redirect_data` alone,
    /// no platform behind it (no calls, no polling, no redirects).
    pub fn showing_code(redirect_data: RedirectData) -> Checkout {
        Checkout::on(Screen::Code { redirect_data }, UrlPolicy { allow_loopback_http: false })
    }

    /// The URL parser the redirect rules use (the widget: the browser's `URL`); by default
    /// the core's grammar, or, built without it, none: every redirect refused.
    pub fn set_url_parser(&mut self, parser: UrlParser) {
        self.url_parser = parser;
    }

    fn on(screen: Screen, policy: UrlPolicy) -> Checkout {
        Checkout {
            screen,
            policy,
            url_parser: DEFAULT_URL_PARSER,
            session: None,
            method: None,
            customer: CustomerData::default(),
            paying: false,
            last_pay: None,
            reopening: false,
            reopened: false,
            ready: false,
            signed: None,
            following: false,
            poll_attempt: 0,
            poll_failures: 0,
            visible: true,
        }
    }

    /// The screen to show.
    pub fn screen(&self) -> &Screen {
        &self.screen
    }
    /// The open checkout, once the platform has answered.
    pub fn session(&self) -> Option<&OpenResponse> {
        self.session.as_ref()
    }
    /// The method chosen (or forced).
    pub fn method(&self) -> Option<MethodCode> {
        self.method
    }
    /// A `pay` call is in flight.
    pub fn paying(&self) -> bool {
        self.paying
    }

    /// Methods on offer, in the platform's order.
    pub fn methods(&self) -> Vec<MethodCode> {
        self.session.as_ref().map(|s| s.methods.iter().map(|m| m.code).collect()).unwrap_or_default()
    }

    fn fields_for(&self, method: MethodCode) -> Vec<CustomerField> {
        let Some(s) = &self.session else { return vec![] };
        let offered = s.methods.iter().find(|m| m.code == method).map(|m| m.fields.clone()).unwrap_or_default();
        offered.into_iter().filter(|f| !s.customer.has(*f)).collect()
    }

    /// Opens again for a session the platform no longer knows; what the screen shows stays.
    fn reopen(&mut self) -> Vec<Effect> {
        self.reopening = true;
        self.following = false;
        self.session = None;
        vec![Effect::CancelPoll, Effect::CallOpen]
    }

    /// An `open` answer that matches what the merchant signed.
    fn opened(&mut self, open: OpenResponse) -> Vec<Effect> {
        // Open again after an expired session: pay what the customer already sent,
        // unless the payment moved on meanwhile (then show where it is).
        if std::mem::take(&mut self.reopening) {
            self.reopened = true;
            self.paying = false;
            let view = open.payment.clone();
            self.session = Some(open);
            return match self.last_pay.clone() {
                Some((m, c)) if view.status.is_none() => self.pay(m, c),
                _ => self.show(view, false),
            };
        }
        if open.methods.is_empty() && open.payment.status.is_none() {
            let e = WidgetError {
                code: ErrorCode::NoMethod,
                param: Some("payment_currency".into()),
                message: ["no payment method accepts ", &open.amount.format_plain(&open.currency)].concat(),
                retryable: false,
            };
            return self.fail(e);
        }
        self.customer = open.customer.clone();
        self.method = open.payment.method.or(open.forced_method);
        let view = open.payment.clone();
        self.session = Some(open);
        let mut fx = if std::mem::replace(&mut self.ready, true) { vec![] } else { vec![Effect::Emit(Event::Ready)] };
        fx.extend(self.show(view, false));
        fx
    }

    /// The merchant already heard `onReady` for this checkout (the widget's first module drew
    /// the picker and handed the checkout over, issue 26): the first `open` answer emits no
    /// second `Ready`.
    pub fn ready_told(&mut self) {
        self.ready = true;
    }

    /// Every `open` answer from now on must repeat `signed` ([`Signed::mismatch`]).
    pub fn expect(&mut self, signed: Signed) {
        self.signed = Some(signed);
    }

    fn fail(&mut self, e: WidgetError) -> Vec<Effect> {
        self.following = false;
        self.screen = Screen::Error(e.clone());
        vec![Effect::CancelPoll, Effect::Emit(Event::Error(e))]
    }

    fn choose(&mut self, method: MethodCode) -> Vec<Effect> {
        self.method = Some(method);
        let fields = self.fields_for(method);
        let mut fx = vec![Effect::Emit(Event::MethodSelected(method))];
        if fields.is_empty() {
            fx.extend(self.pay(method, CustomerData::default()));
        } else {
            self.screen = Screen::Fields { method, fields, problems: vec![], busy: false };
        }
        fx
    }

    fn pay(&mut self, method: MethodCode, customer: CustomerData) -> Vec<Effect> {
        if self.paying {
            return vec![];
        }
        self.paying = true;
        self.last_pay = Some((method, customer.clone()));
        if let Screen::Fields { busy, .. } = &mut self.screen {
            *busy = true;
        } else {
            self.screen = Screen::Loading;
        }
        vec![Effect::CallPay { method, customer }]
    }

    /// Shows what `view` asks for, starting or stopping the status follow-up.
    fn show(&mut self, view: PaymentView, emit_action: bool) -> Vec<Effect> {
        let mut fx = vec![];
        if view.is_final() {
            self.following = false;
            fx.push(Effect::CancelPoll);
            let paid = view.status.as_ref().is_some_and(PaymentStatus::is_paid);
            fx.push(Effect::Emit(if paid { Event::Success(view.clone()) } else { Event::Decline(view.clone()) }));
            self.screen = Screen::Result { view };
            return fx;
        }
        match view.action.clone() {
            Some(NextAction::Redirect { redirect_data }) => {
                if let Err(e) = check_url_with(&redirect_data.url, self.policy, self.url_parser) {
                    return self.fail(WidgetError::redirect(&e));
                }
                self.following = false;
                self.screen = Screen::Redirecting { redirect_data: redirect_data.clone() };
                fx.push(Effect::CancelPoll);
                fx.push(Effect::Emit(Event::Redirect(redirect_data.clone())));
                fx.push(Effect::Navigate(redirect_data));
                return fx;
            }
            Some(NextAction::ShowCode { redirect_data }) => {
                if let Err(e) = EpayCode::from_redirect(&redirect_data) {
                    return self.fail(WidgetError::code_data(&e));
                }
                if emit_action || !matches!(self.screen, Screen::Code { .. }) {
                    fx.push(Effect::Emit(Event::Code(redirect_data.clone())));
                }
                self.screen = Screen::Code { redirect_data };
            }
            Some(NextAction::Terminal { account, service_name }) => {
                self.screen = Screen::Terminal { account, service_name };
            }
            None if view.status.is_none() => {
                // Nothing started yet: the picker, or straight to the forced method.
                self.following = false;
                let forced = self.session.as_ref().and_then(|s| s.forced_method);
                return match forced {
                    Some(m) => self.choose(m),
                    None => {
                        self.screen = Screen::Picker;
                        fx
                    }
                };
            }
            None => {
                if !matches!(self.screen, Screen::Waiting { .. }) {
                    self.screen = Screen::Waiting { stalled: false };
                }
            }
        }
        if !self.following {
            self.following = true;
            self.poll_attempt = 0;
        }
        if self.visible {
            fx.push(Effect::SchedulePoll { attempt: self.poll_attempt });
        }
        fx
    }

    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Opened(Err(f)) => {
                self.reopening = false;
                self.paying = false;
                self.fail(WidgetError::from_failure(&f))
            }
            Msg::Opened(Ok(open)) => match self.signed.as_ref().and_then(|s| s.mismatch(&open)) {
                Some(e) => {
                    self.reopening = false;
                    self.paying = false;
                    self.fail(e)
                }
                None => self.opened(open),
            },
            Msg::MethodChosen(m) => {
                if !matches!(self.screen, Screen::Picker | Screen::Fields { .. }) || !self.methods().contains(&m) || self.paying {
                    return vec![];
                }
                self.choose(m)
            }
            Msg::Back => {
                let forced = self.session.as_ref().and_then(|s| s.forced_method);
                if matches!(self.screen, Screen::Fields { busy: false, .. }) && forced.is_none() {
                    self.screen = Screen::Picker;
                }
                vec![]
            }
            Msg::FieldsSubmitted(values) => {
                let Screen::Fields { method, fields, busy: false, .. } = &self.screen else { return vec![] };
                let (method, fields) = (*method, fields.clone());
                let mut problems = vec![];
                let mut clean = CustomerData::default();
                for f in &fields {
                    let v = values.get(*f).unwrap_or("");
                    match f.check(v) {
                        Ok(()) => clean.set(*f, Some(f.normalize(v))),
                        Err(p) => problems.push((*f, p)),
                    }
                }
                if !problems.is_empty() {
                    self.screen = Screen::Fields { method, fields, problems, busy: false };
                    return vec![];
                }
                self.pay(method, clean)
            }
            Msg::PayAnswered(res) => {
                self.paying = false;
                let reopened = std::mem::take(&mut self.reopened);
                match res {
                    Ok(view) => self.show(view, true),
                    Err(CallFailure::Network(m)) => {
                        // The server may have taken the payment: keep the form, let the
                        // customer retry; `pay` is idempotent so a retry never pays twice.
                        let e = WidgetError { code: ErrorCode::Network, param: None, message: ["network: ", &m].concat(), retryable: true };
                        self.screen = Screen::Error(e.clone());
                        vec![Effect::Emit(Event::Error(e))]
                    }
                    // The session expired before the customer paid: open a new one and pay
                    // with it (once; a session that will not hold is an error). Nothing was
                    // paid with the old one, so nothing is paid twice.
                    Err(f) if f.session_gone() && !reopened => {
                        self.paying = true;
                        self.reopen()
                    }
                    Err(f) => self.fail(WidgetError::from_failure(&f)),
                }
            }
            Msg::StatusAnswered(res) => {
                if !self.following {
                    return vec![];
                }
                let reopened = std::mem::take(&mut self.reopened);
                match res {
                    Ok(view) => {
                        self.poll_failures = 0;
                        self.poll_attempt = self.poll_attempt.saturating_add(1);
                        self.show(view, false)
                    }
                    Err(CallFailure::Network(_)) | Err(CallFailure::Protocol(_)) => {
                        self.poll_failures += 1;
                        self.poll_attempt = self.poll_attempt.saturating_add(1);
                        if self.poll_failures >= MAX_POLL_FAILURES {
                            self.following = false;
                            self.screen = Screen::Waiting { stalled: true };
                            vec![Effect::CancelPoll]
                        } else if self.visible {
                            vec![Effect::SchedulePoll { attempt: self.poll_attempt }]
                        } else {
                            vec![]
                        }
                    }
                    // The session expired while nobody asked (a hidden tab does not poll):
                    // open a new one and follow the payment from where it is.
                    Err(f) if f.session_gone() && !reopened => self.reopen(),
                    Err(f) => self.fail(WidgetError::from_failure(&f)),
                }
            }
            Msg::PollDue => {
                if self.following && self.visible {
                    vec![Effect::CallStatus]
                } else {
                    vec![]
                }
            }
            Msg::Retry => match &self.screen {
                Screen::Waiting { stalled: true } => {
                    self.following = true;
                    self.poll_failures = 0;
                    self.poll_attempt = 0;
                    self.screen = Screen::Waiting { stalled: false };
                    vec![Effect::CallStatus]
                }
                Screen::Error(e) if e.retryable => {
                    if self.session.is_none() {
                        self.screen = Screen::Loading;
                        return vec![Effect::CallOpen];
                    }
                    match self.last_pay.clone() {
                        Some((m, c)) => {
                            self.screen = Screen::Loading;
                            self.pay(m, c)
                        }
                        None => {
                            self.screen = Screen::Loading;
                            vec![Effect::CallOpen]
                        }
                    }
                }
                _ => vec![],
            },
            Msg::RedirectFailed(why) => {
                let Screen::Redirecting { redirect_data } = &self.screen else { return vec![] };
                // "Try again" pays again: `pay` is idempotent, so it answers the same redirect.
                let e = WidgetError::redirect_failed(&redirect_data.url, &why);
                self.screen = Screen::Error(e.clone());
                vec![Effect::Emit(Event::Error(e))]
            }
            Msg::Visibility(visible) => {
                let was = self.visible;
                self.visible = visible;
                match (was, visible, self.following) {
                    (true, false, true) => vec![Effect::CancelPoll],
                    // Back in view: ask at once, and restart the backoff. A session may
                    // have gone again while hidden: it may be renewed again.
                    (false, true, true) => {
                        self.poll_attempt = 0;
                        self.reopened = false;
                        vec![Effect::CallStatus]
                    }
                    _ => vec![],
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::callback::Sum;
    use crate::money::MinorUnits;
    use crate::protocol::MethodOffer;
    use crate::redirect::{FormBody, HttpMethod};

    const SANDBOX: UrlPolicy = UrlPolicy { allow_loopback_http: true };

    fn open(currency: &str, methods: &[(MethodCode, &[CustomerField])], forced: Option<MethodCode>) -> OpenResponse {
        OpenResponse {
            session: "s1".into(),
            project_id: 250,
            payment_id: "X03936".into(),
            amount: MinorUnits(10000),
            currency: currency.into(),
            description: None,
            methods: methods.iter().map(|(c, f)| MethodOffer { code: *c, fields: f.to_vec() }).collect(),
            forced_method: forced,
            customer: CustomerData::default(),
            payment: PaymentView::default(),
        }
    }

    fn redirect(url: &str) -> RedirectData {
        RedirectData { method: HttpMethod::Post, url: url.into(), body: FormBody(vec![("oid".into(), "112".into())]) }
    }

    fn view(status: PaymentStatus) -> PaymentView {
        PaymentView { status: Some(status), sum: Some(Sum { amount: MinorUnits(10000), currency: "KES".into() }), ..Default::default() }
    }

    fn started(o: OpenResponse) -> (Checkout, Vec<Effect>) {
        let (mut c, fx) = Checkout::new(SANDBOX);
        assert_eq!(fx, vec![Effect::CallOpen]);
        let fx = c.update(Msg::Opened(Ok(o)));
        (c, fx)
    }

    fn signed(forced: Option<MethodCode>) -> Signed {
        Signed {
            project_id: Some(250),
            payment_id: Some("X03936".into()),
            amount: Some(MinorUnits(10000)),
            currency: Some("KES".into()),
            forced: forced.map(Some),
        }
    }

    fn params(pairs: &[(&str, Scalar)]) -> Params {
        Params::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
    }

    /// Issue 26: the widget reads what an answer must repeat from the parameters as sent,
    /// numbers or digits alike, with no parameter rule; a value that does not read matches
    /// no answer.
    #[test]
    fn what_was_signed_is_read_without_the_rules() {
        use Scalar::{Float, Int, Text};
        let sent = params(&[
            ("project_id", Text("250".into())),
            ("payment_id", Int(3936)),
            ("payment_amount", Text("10000".into())),
            ("payment_currency", Text("KES".into())),
            ("force_payment_method", Text("terminal/paydala".into())),
        ]);
        let s = Signed::read(&sent);
        assert_eq!(
            s,
            Signed {
                project_id: Some(250),
                payment_id: Some("3936".into()),
                amount: Some(MinorUnits(10000)),
                currency: Some("KES".into()),
                forced: Some(Some(MethodCode::Paydala)),
            }
        );
        let bad = params(&[
            ("project_id", Int(-1)),
            ("payment_amount", Float(10.5)),
            ("payment_currency", Text(" ".into())),
            ("force_payment_method", Text("cash".into())),
        ]);
        let s = Signed::read(&bad);
        assert_eq!(s, Signed { project_id: None, payment_id: None, amount: None, currency: None, forced: Some(None) });
        // Nothing read matches no answer, whatever it says.
        let (mut c, _) = Checkout::new(SANDBOX);
        c.expect(s);
        c.update(Msg::Opened(Ok(open("KES", &[(MethodCode::CardPartner, &[])], None))));
        assert!(matches!(&c.screen, Screen::Error(e) if e.param.as_deref() == Some("project_id")), "{:?}", c.screen);
        assert_eq!(Signed::read(&params(&[("payment_amount", Int(0))])).amount, None);
        assert_eq!(Signed::read(&params(&[("force_payment_method", Scalar::Null)])).forced, None);
    }

    /// Issue 25, item 7: an answer for another amount, currency, payment or method set is
    /// refused before anything is drawn or paid, naming the parameter.
    #[test]
    fn an_open_answer_that_differs_from_the_signed_parameters_is_refused() {
        let card = [(MethodCode::CardPartner, &[][..])];
        let cases: Vec<(&str, OpenResponse, Option<MethodCode>)> = vec![
            ("payment_amount", OpenResponse { amount: MinorUnits(100), ..open("KES", &card, None) }, None),
            ("payment_currency", open("USD", &card, None), None),
            ("payment_id", OpenResponse { payment_id: "other".into(), ..open("KES", &card, None) }, None),
            ("project_id", OpenResponse { project_id: 1234, ..open("KES", &card, None) }, None),
            (
                "force_payment_method",
                open("KES", &[(MethodCode::EpayCash, &[])], Some(MethodCode::EpayCash)),
                Some(MethodCode::CardPartner),
            ),
            (
                "force_payment_method",
                open("KES", &[(MethodCode::CardPartner, &[]), (MethodCode::Paydala, &[])], Some(MethodCode::CardPartner)),
                Some(MethodCode::CardPartner),
            ),
        ];
        for (param, answer, forced) in cases {
            let (mut c, _) = Checkout::new(SANDBOX);
            c.expect(signed(forced));
            let fx = c.update(Msg::Opened(Ok(answer)));
            let Screen::Error(e) = &c.screen else { panic!("{param}: {:?}", c.screen) };
            assert_eq!((e.code, e.param.as_deref()), (ErrorCode::Protocol, Some(param)), "{}", e.message);
            assert!(e.message.starts_with(param) && e.message.contains("signed"), "{}", e.message);
            assert!(!fx.iter().any(|f| matches!(f, Effect::CallPay { .. } | Effect::Emit(Event::Ready))), "{fx:?}");
            assert!(c.session.is_none(), "{param}: nothing to pay with");
        }
        let (mut c, _) = Checkout::new(SANDBOX);
        c.expect(signed(None));
        assert_eq!(c.update(Msg::Opened(Ok(open("KES", &card, None)))), vec![Effect::Emit(Event::Ready)]);
        assert_eq!(c.screen, Screen::Picker);
    }

    #[test]
    fn a_checkout_handed_over_after_the_picker_tells_ready_once_and_selects_the_method_once() {
        // The first module drew the picker (Ready told) and the customer chose: the flows
        // module replays the same answer and choice.
        let (mut c, _) = Checkout::new(SANDBOX);
        c.expect(signed(None));
        c.ready_told();
        assert_eq!(c.update(Msg::Opened(Ok(open("KES", &[(MethodCode::CardPartner, &[])], None)))), vec![]);
        assert_eq!(c.screen, Screen::Picker);
        let fx = c.update(Msg::MethodChosen(MethodCode::CardPartner));
        assert_eq!(fx.iter().filter(|f| matches!(f, Effect::Emit(Event::MethodSelected(_)))).count(), 1, "{fx:?}");
        assert_eq!(fx.iter().filter(|f| matches!(f, Effect::CallPay { .. })).count(), 1, "{fx:?}");
    }

    #[test]
    fn a_renewed_session_for_another_amount_is_refused_and_nothing_is_paid_again() {
        let (mut c, _) = Checkout::new(SANDBOX);
        c.expect(signed(None));
        c.update(Msg::Opened(Ok(open("KES", &[(MethodCode::CardPartner, &[])], None))));
        assert!(c.update(Msg::MethodChosen(MethodCode::CardPartner)).iter().any(|f| matches!(f, Effect::CallPay { .. })));
        assert_eq!(c.update(session_gone()), vec![Effect::CancelPoll, Effect::CallOpen]);
        let cheaper = OpenResponse { amount: MinorUnits(100), ..open("KES", &[(MethodCode::CardPartner, &[])], None) };
        let fx = c.update(Msg::Opened(Ok(cheaper)));
        assert!(!fx.iter().any(|f| matches!(f, Effect::CallPay { .. })), "{fx:?}");
        assert!(matches!(&c.screen, Screen::Error(e) if e.param.as_deref() == Some("payment_amount")));
    }

    #[test]
    fn picker_shows_when_no_method_is_forced() {
        let (c, fx) = started(open("KES", &[(MethodCode::CardPartner, &[])], None));
        assert_eq!(c.screen, Screen::Picker);
        assert_eq!(fx, vec![Effect::Emit(Event::Ready)]);
    }

    #[test]
    fn forced_method_with_missing_fields_goes_straight_to_the_form() {
        let (c, _) = started(open(
            "KES",
            &[(MethodCode::CardPartner, &[CustomerField::Phone, CustomerField::Email])],
            Some(MethodCode::CardPartner),
        ));
        assert!(matches!(c.screen, Screen::Fields { method: MethodCode::CardPartner, ref fields, .. } if fields.len() == 2));
    }

    #[test]
    fn forced_method_with_all_fields_pays_at_once() {
        let (c, fx) = started(open("KES", &[(MethodCode::CardPartner, &[])], Some(MethodCode::CardPartner)));
        assert!(c.paying);
        assert!(fx.contains(&Effect::CallPay { method: MethodCode::CardPartner, customer: CustomerData::default() }));
    }

    #[test]
    fn invalid_fields_stay_on_the_form_with_problems() {
        let (mut c, _) = started(open("KES", &[(MethodCode::CardPartner, &[CustomerField::Phone, CustomerField::Email])], None));
        c.update(Msg::MethodChosen(MethodCode::CardPartner));
        let bad = CustomerData { phone: Some("12".into()), email: Some("x@y.z".into()), ..Default::default() };
        assert_eq!(c.update(Msg::FieldsSubmitted(bad)), vec![]);
        match &c.screen {
            Screen::Fields { problems, .. } => assert_eq!(problems, &vec![(CustomerField::Phone, FieldProblem::Phone)]),
            s => panic!("{s:?}"),
        }
    }

    #[test]
    fn double_submit_sends_one_pay() {
        let (mut c, _) = started(open("KES", &[(MethodCode::CardPartner, &[CustomerField::Email])], None));
        c.update(Msg::MethodChosen(MethodCode::CardPartner));
        let ok = CustomerData { email: Some("a@b.co".into()), ..Default::default() };
        let first = c.update(Msg::FieldsSubmitted(ok.clone()));
        assert!(matches!(first.as_slice(), [Effect::CallPay { .. }]));
        assert_eq!(c.update(Msg::FieldsSubmitted(ok)), vec![]);
        assert_eq!(c.update(Msg::MethodChosen(MethodCode::CardPartner)), vec![]);
    }

    #[test]
    fn redirect_answer_navigates_after_the_event() {
        let (mut c, _) = started(open("KES", &[(MethodCode::CardPartner, &[])], Some(MethodCode::CardPartner)));
        let rd = redirect("http://127.0.0.1:8080/sim/partner/1");
        let fx = c.update(Msg::PayAnswered(Ok(PaymentView {
            status: Some(PaymentStatus::AwaitingRedirectResult),
            action: Some(NextAction::Redirect { redirect_data: rd.clone() }),
            ..Default::default()
        })));
        assert_eq!(fx, vec![Effect::CancelPoll, Effect::Emit(Event::Redirect(rd.clone())), Effect::Navigate(rd)]);
    }

    #[test]
    fn a_refused_redirect_form_is_an_error_whose_retry_pays_again() {
        let (mut c, _) = started(open("KES", &[(MethodCode::CardPartner, &[])], Some(MethodCode::CardPartner)));
        let rd = redirect("http://127.0.0.1:8080/sim/partner/1");
        let answer = PaymentView {
            status: Some(PaymentStatus::AwaitingRedirectResult),
            action: Some(NextAction::Redirect { redirect_data: rd.clone() }),
            ..Default::default()
        };
        c.update(Msg::PayAnswered(Ok(answer)));
        let fx = c.update(Msg::RedirectFailed("blocked by form-action".into()));
        let e = match &c.screen {
            Screen::Error(e) => e.clone(),
            s => panic!("{s:?}"),
        };
        assert_eq!((e.code, e.param.as_deref(), e.retryable), (ErrorCode::RedirectFailed, Some("redirect_data.url"), true));
        assert!(e.message.contains("blocked by form-action"), "{}", e.message);
        assert_eq!(fx, vec![Effect::Emit(Event::Error(e))]);
        // A late report (the page is already elsewhere) changes nothing.
        assert_eq!(c.update(Msg::RedirectFailed("again".into())), vec![]);
        assert!(matches!(c.update(Msg::Retry).as_slice(), [Effect::CallPay { method: MethodCode::CardPartner, .. }]));
    }

    #[test]
    fn unsafe_redirect_is_refused_not_followed() {
        let (mut c, _) = started(open("KES", &[(MethodCode::CardPartner, &[])], Some(MethodCode::CardPartner)));
        let fx = c.update(Msg::PayAnswered(Ok(PaymentView {
            status: Some(PaymentStatus::AwaitingRedirectResult),
            action: Some(NextAction::Redirect { redirect_data: redirect("javascript:alert(1)") }),
            ..Default::default()
        })));
        assert!(!fx.iter().any(|e| matches!(e, Effect::Navigate(_))));
        assert!(matches!(c.screen, Screen::Error(ref e) if e.code == ErrorCode::BadRedirect));
    }

    #[test]
    fn a_code_without_its_reference_number_is_an_error_naming_the_field() {
        let (mut c, _) = started(open("MYR", &[(MethodCode::EpayCash, &[])], Some(MethodCode::EpayCash)));
        let rd = RedirectData {
            method: HttpMethod::Get,
            url: "https://onlinepayment.epay.com".into(),
            body: FormBody(vec![("valid_time".into(), "2019-06-15 14:17:26".into()), ("user_name".into(), "PUTRA CANE".into())]),
        };
        let fx = c.update(Msg::PayAnswered(Ok(PaymentView {
            status: Some(PaymentStatus::AwaitingCustomer),
            action: Some(NextAction::ShowCode { redirect_data: rd }),
            ..Default::default()
        })));
        assert!(!fx.iter().any(|e| matches!(e, Effect::Emit(Event::Code(_)) | Effect::SchedulePoll { .. })));
        match &c.screen {
            Screen::Error(e) => assert_eq!(e.param.as_deref(), Some("redirect_data.body.reference_number")),
            s => panic!("{s:?}"),
        }
    }

    #[test]
    fn returning_customer_with_a_final_payment_sees_the_result() {
        let mut o = open("KES", &[(MethodCode::CardPartner, &[])], None);
        o.payment = view(PaymentStatus::Success);
        let (c, fx) = started(o);
        assert!(matches!(c.screen, Screen::Result { .. }));
        assert!(fx.iter().any(|e| matches!(e, Effect::Emit(Event::Success(_)))));
    }

    #[test]
    fn returning_customer_with_a_pending_payment_is_followed_until_decline() {
        let mut o = open("KES", &[(MethodCode::CardPartner, &[])], None);
        o.payment = view(PaymentStatus::Processing);
        let (mut c, fx) = started(o);
        assert_eq!(c.screen, Screen::Waiting { stalled: false });
        assert!(fx.contains(&Effect::SchedulePoll { attempt: 0 }));
        assert_eq!(c.update(Msg::PollDue), vec![Effect::CallStatus]);
        let fx = c.update(Msg::StatusAnswered(Ok(view(PaymentStatus::Processing))));
        assert_eq!(fx, vec![Effect::SchedulePoll { attempt: 1 }]);
        let fx = c.update(Msg::StatusAnswered(Ok(view(PaymentStatus::Decline))));
        assert!(fx.iter().any(|e| matches!(e, Effect::Emit(Event::Decline(_)))));
        assert_eq!(c.update(Msg::PollDue), vec![]);
    }

    #[test]
    fn repeated_network_failures_stall_then_check_again_resumes() {
        let mut o = open("KES", &[(MethodCode::CardPartner, &[])], None);
        o.payment = view(PaymentStatus::Processing);
        let (mut c, _) = started(o);
        for i in 1..MAX_POLL_FAILURES {
            assert_eq!(c.update(Msg::StatusAnswered(Err(CallFailure::Network("x".into())))), vec![Effect::SchedulePoll { attempt: i }]);
        }
        assert_eq!(c.update(Msg::StatusAnswered(Err(CallFailure::Network("x".into())))), vec![Effect::CancelPoll]);
        assert_eq!(c.screen, Screen::Waiting { stalled: true });
        assert_eq!(c.update(Msg::PollDue), vec![]);
        assert_eq!(c.update(Msg::Retry), vec![Effect::CallStatus]);
    }

    #[test]
    fn hidden_tab_pauses_polling_and_visible_polls_at_once() {
        let mut o = open("KES", &[(MethodCode::CardPartner, &[])], None);
        o.payment = view(PaymentStatus::Processing);
        let (mut c, _) = started(o);
        assert_eq!(c.update(Msg::Visibility(false)), vec![Effect::CancelPoll]);
        assert_eq!(c.update(Msg::PollDue), vec![]);
        assert_eq!(c.update(Msg::StatusAnswered(Err(CallFailure::Network("x".into())))), vec![]);
        assert_eq!(c.update(Msg::Visibility(true)), vec![Effect::CallStatus]);
    }

    fn session_gone() -> Msg {
        Msg::PayAnswered(Err(CallFailure::Rejected(ApiError::new(
            ErrorCode::UnknownSession,
            Some("session"),
            "session: unknown; open the checkout again",
        ))))
    }

    #[test]
    fn an_expired_session_is_opened_again_and_the_same_pay_sent_once() {
        let (mut c, _) = started(open("KES", &[(MethodCode::CardPartner, &[CustomerField::Email])], None));
        c.update(Msg::MethodChosen(MethodCode::CardPartner));
        let typed = CustomerData { email: Some("a@b.co".into()), ..Default::default() };
        let pay = Effect::CallPay { method: MethodCode::CardPartner, customer: typed.clone() };
        assert_eq!(c.update(Msg::FieldsSubmitted(typed.clone())), vec![pay.clone()]);
        // The page stood open past the session's life: open again, nothing on screen changes.
        assert_eq!(c.update(session_gone()), vec![Effect::CancelPoll, Effect::CallOpen]);
        assert!(matches!(c.screen, Screen::Fields { busy: true, .. }));
        assert_eq!(c.update(Msg::FieldsSubmitted(typed.clone())), vec![], "no second pay while opening");
        assert_eq!(c.update(Msg::MethodChosen(MethodCode::CardPartner)), vec![]);
        let mut fresh = open("KES", &[(MethodCode::CardPartner, &[CustomerField::Email])], None);
        fresh.session = "s2".into();
        // What the customer sent goes again, with the new session; onReady does not fire twice.
        assert_eq!(c.update(Msg::Opened(Ok(fresh))), vec![pay]);
        assert_eq!(c.session().map(|s| s.session.as_str()), Some("s2"));
        // A session that will not hold is an error, not a loop.
        let fx = c.update(session_gone());
        assert!(matches!(&c.screen, Screen::Error(e) if e.code == ErrorCode::UnknownSession && !e.retryable));
        assert!(!fx.contains(&Effect::CallOpen));
    }

    #[test]
    fn an_expired_session_whose_payment_moved_on_shows_where_it_is() {
        let (mut c, _) = started(open("KES", &[(MethodCode::CardPartner, &[])], Some(MethodCode::CardPartner)));
        assert_eq!(c.update(session_gone()), vec![Effect::CancelPoll, Effect::CallOpen]);
        // Paid meanwhile (another tab): the result, no second pay.
        let mut moved = open("KES", &[(MethodCode::CardPartner, &[])], Some(MethodCode::CardPartner));
        moved.payment = view(PaymentStatus::Success);
        let fx = c.update(Msg::Opened(Ok(moved)));
        assert!(!fx.iter().any(|e| matches!(e, Effect::CallPay { .. })));
        assert!(matches!(c.screen, Screen::Result { .. }));
        // And an open that fails while reopening is the error screen, ready to try again.
        let (mut c, _) = started(open("KES", &[(MethodCode::CardPartner, &[])], Some(MethodCode::CardPartner)));
        c.update(session_gone());
        c.update(Msg::Opened(Err(CallFailure::Network("offline".into()))));
        assert!(matches!(&c.screen, Screen::Error(e) if e.retryable));
        assert!(!c.paying);
        // Try again opens again; onReady went out at the first open and does not again.
        assert_eq!(c.update(Msg::Retry), vec![Effect::CallOpen]);
        let fx = c.update(Msg::Opened(Ok(open("KES", &[(MethodCode::CardPartner, &[])], Some(MethodCode::CardPartner)))));
        assert!(!fx.contains(&Effect::Emit(Event::Ready)));
        assert!(fx.iter().any(|e| matches!(e, Effect::CallPay { .. })));
    }

    #[test]
    fn a_session_that_expired_while_the_tab_was_hidden_is_opened_again_and_followed() {
        let mut o = open("MYR", &[(MethodCode::EpayCash, &[])], None);
        o.payment = view(PaymentStatus::AwaitingCustomer);
        let (mut c, _) = started(o);
        c.update(Msg::Visibility(false));
        // Back after the session's life: the first status call meets a session the platform
        // deleted. Open again; the screen stays as it is meanwhile.
        assert_eq!(c.update(Msg::Visibility(true)), vec![Effect::CallStatus]);
        let before = c.screen.clone();
        let gone = Msg::StatusAnswered(Err(CallFailure::Rejected(ApiError::new(ErrorCode::UnknownSession, Some("session"), "gone"))));
        assert_eq!(c.update(gone.clone()), vec![Effect::CancelPoll, Effect::CallOpen]);
        assert_eq!(c.screen, before);
        assert_eq!(c.update(Msg::PollDue), vec![], "no status call without a session");
        // Paid at the terminal meanwhile: the new session says so, and no pay is sent.
        let mut fresh = open("MYR", &[(MethodCode::EpayCash, &[])], None);
        fresh.session = "s2".into();
        fresh.payment = view(PaymentStatus::Success);
        let fx = c.update(Msg::Opened(Ok(fresh)));
        assert!(fx.iter().any(|e| matches!(e, Effect::Emit(Event::Success(_)))));
        assert!(!fx.iter().any(|e| matches!(e, Effect::CallPay { .. } | Effect::Emit(Event::Ready))));
        assert!(matches!(c.screen, Screen::Result { .. }));
    }

    #[test]
    fn a_renewed_session_gone_again_is_an_error_unless_the_tab_was_hidden_meanwhile() {
        let mut o = open("MYR", &[(MethodCode::EpayCash, &[])], None);
        o.payment = view(PaymentStatus::AwaitingCustomer);
        let (mut c, _) = started(o.clone());
        let gone = || Msg::StatusAnswered(Err(CallFailure::Rejected(ApiError::new(ErrorCode::UnknownSession, Some("session"), "gone"))));
        assert_eq!(c.update(gone()), vec![Effect::CancelPoll, Effect::CallOpen]);
        c.update(Msg::Opened(Ok(o.clone())));
        // Hidden again long enough for the new session to go too: renewed again.
        c.update(Msg::Visibility(false));
        assert_eq!(c.update(Msg::Visibility(true)), vec![Effect::CallStatus]);
        assert_eq!(c.update(gone()), vec![Effect::CancelPoll, Effect::CallOpen]);
        c.update(Msg::Opened(Ok(o)));
        // In view all along: a platform that forgets every session is an error, not a loop.
        let fx = c.update(gone());
        assert!(!fx.contains(&Effect::CallOpen));
        assert!(matches!(&c.screen, Screen::Error(e) if e.code == ErrorCode::UnknownSession));
    }

    #[test]
    fn network_error_on_pay_retries_the_same_pay() {
        let (mut c, _) = started(open("KES", &[(MethodCode::CardPartner, &[])], Some(MethodCode::CardPartner)));
        c.update(Msg::PayAnswered(Err(CallFailure::Network("offline".into()))));
        assert!(matches!(c.screen, Screen::Error(ref e) if e.retryable));
        assert_eq!(c.update(Msg::Retry), vec![Effect::CallPay { method: MethodCode::CardPartner, customer: CustomerData::default() }]);
    }

    #[test]
    fn rejected_open_is_an_error_naming_the_parameter() {
        let (mut c, _) = Checkout::new(SANDBOX);
        let fx = c.update(Msg::Opened(Err(CallFailure::Rejected(ApiError::new(
            ErrorCode::BadSignature,
            Some("signature"),
            "signature: does not match",
        )))));
        match &c.screen {
            Screen::Error(e) => {
                assert_eq!(e.param.as_deref(), Some("signature"));
                assert!(!e.retryable);
            }
            s => panic!("{s:?}"),
        }
        assert!(matches!(fx.last(), Some(Effect::Emit(Event::Error(_)))));
    }

    #[test]
    fn poll_delay_grows_to_ten_seconds_with_bounded_jitter() {
        assert_eq!(poll_delay_ms(0, 0.5), 1000);
        assert_eq!(poll_delay_ms(1, 0.5), 1500);
        assert_eq!(poll_delay_ms(30, 0.5), 10_000);
        assert_eq!(poll_delay_ms(0, 0.0), 800);
        assert_eq!(poll_delay_ms(0, 0.999_999), 1200);
        for a in 0..40 {
            let d = poll_delay_ms(a, 0.3);
            assert!((800..=12_000).contains(&d));
        }
    }
}
