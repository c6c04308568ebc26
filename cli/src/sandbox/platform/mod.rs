//! The payment platform the sandbox plays: its HTTP API, its data, its callbacks.
//!
//! - [`checkout`]: the widget-to-platform API (`epay_core::protocol`): open, pay, status.
//! - [`payment_page`]: the hosted Payment Page (`GET /payment`) the official SDKs' URLs open.
//! - [`gate`]: the Gate API a merchant's server calls (sale, refund, clarification, status).
//! - [`callbacks`]: where callbacks go, and the developer's callback list (`/sandbox/callbacks`).
//! - [`sessions`]: unused checkout sessions are deleted.
//! - [`outbox`]: signed callbacks, delivered and retried until the merchant answers 200.
//!
//! Its data ([`store`]) and the operations every method shares live one layer down, in
//! [`crate::sandbox::ledger`]; `store` and `operations` are re-exported here for the old paths.

pub mod callbacks;
pub mod checkout;
pub mod gate;
pub mod outbox;
pub mod payment_page;
pub mod sessions;

pub use crate::sandbox::ledger::{operations, store};
