//! The payment platform the sandbox plays: its HTTP API, its data, its callbacks.
//!
//! - [`checkout`]: the widget-to-platform API (`epay_core::protocol`): open, pay, status.
//! - [`payment_page`]: the hosted Payment Page (`GET /payment`) the official SDKs' URLs open.
//! - [`gate`]: the Gate API a merchant's server calls (sale, refund, clarification, status).
//! - [`operations`]: what every method does to a payment's operations: a sale that starts,
//!   a sale that ends, the standard callback. The methods build on it (and on [`store`]).
//! - [`callbacks`]: where callbacks go, and the developer's callback list (`/sandbox/callbacks`).
//! - [`outbox`]: signed callbacks, delivered and retried until the merchant answers 200.
//! - [`store`]: one SQLite file for all of it; a restart loses nothing.

pub mod callbacks;
pub mod checkout;
pub mod gate;
pub mod operations;
pub mod outbox;
pub mod payment_page;
pub mod store;
