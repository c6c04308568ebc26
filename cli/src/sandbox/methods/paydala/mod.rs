//! PayDala Terminal on the platform side (seed 000), and the simulated terminal.
//!
//! A customer at a PayDala terminal picks the merchant's service and types their account
//! number. The platform then asks the merchant's web service, synchronously and signed
//! with the project secret:
//!
//! 1. `verify` ([`epay_core::paydala::build_verify`]): does the account exist? Code 0 with
//!    its `currency` (and maybe `additional_customer_id`), 404 unknown, 400 signature
//!    error, 500 with a `message`.
//! 2. `check_deposit` ([`epay_core::paydala::build_check_deposit`], amount in minor
//!    units): the merchant books the top-up and answers its own `payment_id`.
//!
//! On code 0 the platform records the top-up as one successful `sale` of one payment and
//! puts the signed result callback naming that payment (`payment.id`, `payment.method`
//! `paydala`, `account.number`) into the outbox in the same transaction ([`target`]):
//! - the merchant answered the `payment_id` of a Payment Page checkout waiting for a
//!   top-up of this account (seed 000, the `check_deposit` answer and scheme steps 11–14:
//!   the merchant names its own payment): that checkout ends in `success` with the
//!   deposited sum, and the callback names it;
//! - it answered a fresh id while such a checkout waits: the newest waiting checkout ends
//!   the same way and the callback names it (the fresh id is on the terminal's receipt;
//!   no second payment, one top-up is one callback);
//! - it answered a fresh id and nothing waits: a new payment with that id (the seed's
//!   `payment_47`);
//! - it answered an id already used otherwise: nothing booked, no callback, the terminal
//!   says why (`duplicate`, `mismatch`).
//!
//! The widget polling the checkout sees the result on its own.
//!
//! One terminal transaction sends `check_deposit` at most once: the deposit form claims
//! the transaction in the database before the request leaves, and a repeated submit (a
//! double click, a reload) only shows the recorded result. `check_deposit` carries
//! exactly seed 000's parameters (`type`, `project_id`, `customer_id`, `amount`,
//! `currency`, `payment_method`, `signature`), nothing the real platform would not send;
//! the platform's own request id only appears later, as the callback's
//! `operation.request_id`.
//!
//! The terminal's pages (`/sim/paydala...`) are server-rendered HTML with no script and
//! no inline style; every value shown is escaped.
//!
//! By job (each file imports only those listed after it): `method` (the
//! [`PaymentMethod`](super::PaymentMethod) impl), `terminal` (the simulated terminal's
//! pages and forms), `deposit` (terminal transactions booked as sales, the target payment),
//! `merchant_protocol` (`verify` / `check_deposit` to the merchant), `lifetime` (expiry of
//! a waiting payment), `consts` (names and paths). This file only re-exports.

mod consts;
mod deposit;
mod lifetime;
mod merchant_protocol;
mod method;
mod terminal;

pub use crate::sandbox::ledger::paydala_settings::{
    PaydalaArgs, PaydalaConfig, Service, Settings, BASE_LIFETIME, DEFAULT_SERVICE_NAME, DEFAULT_TIMEOUT, MAX_LIFETIME, MERCHANT_PATH,
    PROJECT_ID,
};
pub use consts::{CHECK_PATH, CURRENCY, DEPOSIT_PATH, LIFETIME_CODE, PROVIDER_ID, TERMINAL_PATH, TITLE};
pub use lifetime::{expire_due, lifetime_message};
pub use merchant_protocol::{check_deposit_body, verify_account, Booked, Failure, MerchantCallOutcome, Verified};
pub use method::{apply_callback_url, Paydala};
pub use terminal::parse_major;

#[cfg(test)]
mod tests {
    use super::*;
    use epay_core::MinorUnits;
    use std::time::Duration;

    #[test]
    fn amounts_in_major_units() {
        assert_eq!(parse_major("1000.00", "KZT"), Ok(100_000));
        assert_eq!(parse_major("1000", "KZT"), Ok(100_000));
        assert_eq!(parse_major("1 000,5", "KZT"), Ok(100_050));
        assert_eq!(parse_major("0.01", "KZT"), Ok(1));
        for bad in ["", "0", "0.00", "-5", "1.234", "1.", ".5", "abc", "1e3", "1.2.3", "9999999999999"] {
            assert!(parse_major(bad, "KZT").is_err(), "{bad:?}");
        }
        assert!(parse_major("abc", "KZT").unwrap_err().starts_with("Amount:"));
    }

    #[test]
    fn check_deposit_carries_exactly_the_seed_keys() {
        let body = check_deposit_body(1234, "7123456789", MinorUnits(100_000), "KZT", "sandbox-secret-1234");
        let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["type", "project_id", "customer_id", "amount", "currency", "payment_method", "signature"]);
        assert!(epay_core::signature::verify(&body, "sandbox-secret-1234").is_ok());
        assert_eq!(body["amount"], 100_000);
        assert_eq!(body["payment_method"], "terminal/paydala");
    }

    #[test]
    fn settings_check_the_url_and_timeout() {
        let ok = Settings::resolve(&PaydalaConfig::default(), "http://127.0.0.1:9").unwrap();
        assert_eq!(ok.services[0].merchant_url, "http://127.0.0.1:9/merchant/paydala");
        assert_eq!(ok.services[0].name, "Demo Shop");
        let bad_url = PaydalaConfig { merchant_url: Some("ftp://x".into()), ..PaydalaConfig::default() };
        assert!(Settings::resolve(&bad_url, "http://127.0.0.1:9").unwrap_err().contains("http or https"));
        let no_time = PaydalaConfig { timeout: Duration::ZERO, ..PaydalaConfig::default() };
        assert!(Settings::resolve(&no_time, "http://127.0.0.1:9").is_err());
        let blank = PaydalaConfig { service_name: " ".into(), ..PaydalaConfig::default() };
        assert!(Settings::resolve(&blank, "http://127.0.0.1:9").is_err());
    }
}
