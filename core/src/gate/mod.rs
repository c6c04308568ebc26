//! Gate requests (seeds 001 and 002): card-partner sale and full refund, EPay cash sale.
//!
//! Bodies are JSON objects with `general` (`project_id`, `payment_id`, `signature`),
//! `customer` and `payment`, signed with the project secret into `general.signature`.
//! The merchant side builds them ([`card_partner_sale`], [`card_partner_refund`],
//! [`epay_sale`]); the platform side (the sandbox) checks them ([`parse_sale`],
//! [`parse_refund`]) after checking the signature with [`crate::signature::verify`].
//! A builder runs the same check on what it built, so whatever it returns the platform
//! accepts. A card-partner sale may carry a root `return_url {success, decline}`
//! ([`card_partner_sale_returning`], [`parse_return_url`]); the sandbox also answers a
//! signed status request ([`payment_status_request`], [`PAYMENT_STATUS_PATH`]).
//!
//! The immediate answer to a Gate request is our own design ([`GateResponse`]):
//!
//! - accepted, HTTP 200: `{"project_id": 250, "payment_id": "X1", "status": "success", "request_id": "…"}`;
//!   the outcome comes later in callbacks (first with `redirect_data`, then the result);
//! - refused: `{"status": "error", "code": "invalid_params", "param": "payment.amount",
//!   "message": "payment.amount: …", "errors": [{"param", "code", "message"}, …]}`,
//!   with the HTTP status of [`GateRejected::http_status`].
//!
//! ```
//! use epay_core::gate::{self, GateCustomer, GatePayment, GeneralIds, SaleKind};
//! use epay_core::MinorUnits;
//!
//! let general = GeneralIds { project_id: 250, payment_id: "TEST_184".into() };
//! let customer = GateCustomer::new("123", "1.2.3.4").with_phone("123456789");
//! let payment = GatePayment::new(MinorUnits(1000), "KES");
//! let body = gate::card_partner_sale(&general, &customer, &payment, "secret").unwrap();
//! assert!(body["general"]["signature"].is_string());
//!
//! // Platform side: signature first, then the parameters.
//! epay_core::signature::verify(&body, "secret").unwrap();
//! let sale = gate::parse_sale(SaleKind::CardPartner, &body).unwrap();
//! assert_eq!(sale.payment.amount, MinorUnits(1000));
//!
//! // Below the seed's minimum of 10.00 KES: refused, naming the parameter.
//! let errs = gate::card_partner_sale(&general, &customer, &GatePayment::new(MinorUnits(999), "KES"), "secret")
//!     .unwrap_err();
//! assert_eq!(errs[0].param, "payment.amount");
//! ```
//!
//! By job: `request` (what a body is made of), `build` (merchant side), `splicing` (what a
//! signed value must not hold), `limits` (a body's size before parsing), `parse` (platform
//! side), `return_url` (return URLs, the status request), `clarification`, `answer` (the
//! immediate answer). This file only re-exports.

mod answer;
mod build;
mod clarification;
mod limits;
mod parse;
mod request;
mod return_url;
mod splicing;

pub use answer::{AcceptedStatus, GateAccepted, GateRejected, GateResponse, RejectedStatus};
pub use build::{card_partner_refund, card_partner_sale, epay_sale};
pub use clarification::{
    clarification, clarification_fields, customer_key, missing_after, parse_clarification, ClarificationAsked, ClarificationData,
    ClarificationRequest, CLARIFIABLE, CLARIFICATION_PATH,
};
pub use limits::{body_limit_problem, BodyLimits, GATE_BODY_LIMITS, MAX_BODY_BYTES, MAX_BODY_DEPTH, MAX_BODY_KEYS};
pub use parse::{parse_refund, parse_sale};
pub use request::{
    GateCustomer, GateEndpoint, GatePayment, GeneralIds, RefundRequest, SaleKind, SaleRequest, CARD_PARTNER_REFUND_PATH,
    CARD_PARTNER_SALE_PATH, EPAY_SALE_PATH,
};
pub use return_url::{
    card_partner_sale_returning, parse_return_url, parse_status_request, payment_status_request, ReturnUrl, StatusRequest,
    PAYMENT_STATUS_PATH,
};
pub use splicing::resplit_problems;
