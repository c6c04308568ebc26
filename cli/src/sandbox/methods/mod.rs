//! The payment methods, one module each: what the platform does for a method and the
//! method's simulated partner or terminal.
//!
//! - [`card_partner`]: the simulated card partner pages (`/sim/partner/...`).
//! - [`epay_cash`]: EPay cash: payment codes, the simulated terminal (`/sim/epay`), expiry.
//! - [`paydala`]: PayDala terminal top-ups: `verify`/`check_deposit` to the merchant, the
//!   simulated terminal (`/sim/paydala`), the result callback.

pub mod card_partner;
pub mod epay_cash;
pub mod paydala;
