//! The widget-to-platform protocol (our design; docs/protocol.md tells it in prose).
//! Both the widget and the sandbox use these types, so they cannot drift apart.
//!
//! - `POST {base}/api/v1/checkout/open`: body is the merchant's signed parameters (a JSON
//!   object, event handlers removed). 200 → [`OpenResponse`]; 400/403 → [`ApiError`].
//! - `POST {base}/api/v1/checkout/pay`: body [`PayRequest`]. 200 → [`PaymentView`]. Repeating
//!   it returns the same payment: one click is one payment.
//! - `GET {base}/api/v1/checkout/status?session=S`: 200 → [`PaymentView`].

use crate::callback::{PaymentStatus, Sum};
use crate::catalog::{CustomerField, MethodCode};
use crate::error_code::ErrorCode;
use crate::money::MinorUnits;
use crate::params::{CustomerData, ParamError};
use crate::redirect::RedirectData;
use serde::{Deserialize, Serialize};

pub const OPEN_PATH: &str = "/api/v1/checkout/open";
pub const PAY_PATH: &str = "/api/v1/checkout/pay";
pub const STATUS_PATH: &str = "/api/v1/checkout/status";

/// One method the customer may pick, with the fields they will be asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodOffer {
    pub code: MethodCode,
    #[serde(default)]
    pub fields: Vec<CustomerField>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenResponse {
    /// Opaque token for `pay` and `status`, bound to this project and payment.
    pub session: String,
    pub project_id: u64,
    pub payment_id: String,
    pub amount: MinorUnits,
    pub currency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub methods: Vec<MethodOffer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forced_method: Option<MethodCode>,
    /// What the merchant already sent about the customer.
    #[serde(default)]
    pub customer: CustomerData,
    /// Where the payment stands: a returning customer resumes here.
    pub payment: PaymentView,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayRequest {
    pub session: String,
    pub method: MethodCode,
    /// Fields the customer typed; the merchant's signed values take precedence.
    #[serde(default)]
    pub customer: CustomerData,
    /// Where the partner sends the customer back (the merchant page).
    pub return_url: String,
}

/// What the customer has to do now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NextAction {
    /// Card partner: submit a form to the partner.
    Redirect { redirect_data: RedirectData },
    /// EPay: show the code from `redirect_data.body` (`reference_number`, `valid_time`, `user_name`).
    ShowCode { redirect_data: RedirectData },
    /// PayDala: top up at a terminal with this account number under this service name.
    Terminal { account: String, service_name: String },
}

/// Declares the kinds of [`NextAction`] from one list: [`ActionKind`], its `ALL`, its wire
/// name (serde's `kind`, checked by a test in `wire.rs`) and [`NextAction::kind`], whose
/// `match` makes a new `NextAction` variant fail to compile until it has a line here;
/// `wire::decode_action` then matches on the new kind (exhaustive) as `flow.rs` does.
macro_rules! action_kinds {
    ($( $kind:ident = $wire:literal, )*) => {
        /// The `kind` of a [`NextAction`] on the wire.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ActionKind {
            $( $kind, )*
        }

        impl ActionKind {
            pub const ALL: [ActionKind; [$($wire),*].len()] = [$(ActionKind::$kind),*];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ActionKind::$kind => $wire,)*
                }
            }
        }

        impl NextAction {
            pub fn kind(&self) -> ActionKind {
                match self {
                    $(NextAction::$kind { .. } => ActionKind::$kind,)*
                }
            }
        }
    };
}

action_kinds! {
    Redirect = "redirect",
    ShowCode = "show_code",
    Terminal = "terminal",
}

/// The payment as the widget sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentView {
    /// `None`: no payment yet (the customer has not paid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<PaymentStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<MethodCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<NextAction>,
    /// The amount actually paid or deposited, once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sum: Option<Sum>,
    /// The operation code (`"0"` success, `"20000"` general decline, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl PaymentView {
    pub fn is_final(&self) -> bool {
        self.status.as_ref().is_some_and(PaymentStatus::is_final)
    }
}

/// Error answer of every endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub error: ApiErrorBody,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    /// Stable error code (its wire text: `invalid_params`, `bad_signature`, ...).
    pub code: ErrorCode,
    /// The first offending parameter, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
    pub message: String,
    /// Every parameter problem, for `invalid_params`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ParamError>,
}

impl ApiError {
    pub fn new(code: ErrorCode, param: Option<&str>, message: impl Into<String>) -> ApiError {
        ApiError { error: ApiErrorBody { code, param: param.map(Into::into), message: message.into(), errors: vec![] } }
    }
    pub fn from_params(errors: Vec<ParamError>) -> ApiError {
        let first = errors.first().cloned();
        let message = errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
        ApiError { error: ApiErrorBody { code: ErrorCode::InvalidParams, param: first.map(|e| e.param), message, errors } }
    }
}
