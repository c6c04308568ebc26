//! The payment methods, one module each: what the platform does for the method, and the
//! method's simulated partner or terminal.
//!
//! - [`card_partner`]: cards through the partner (seed 001): the `redirect_data` form, the
//!   partner's pages (`/sim/partner/...`), the Gate sale's own parts (return pages,
//!   clarification).
//! - [`epay_cash`]: EPay cash (seed 002): payment codes, the simulated terminal
//!   (`/sim/epay`), expiry.
//! - [`paydala`]: PayDala terminal top-ups (seed 000): `verify`/`check_deposit` to the
//!   merchant, the simulated terminal (`/sim/paydala`), the result callback, the lifetime.
//!
//! Each implements [`PaymentMethod`]; the platform picks one with [`of`], an exhaustive
//! `match` on [`MethodCode`]: a new code does not compile until it has its method here.
//! A method Gate can start also implements [`GateSale`] ([`gate_sale`], an exhaustive
//! `match` on `core::gate::SaleKind`).
//! The traits live in [`method`], a file the methods import and this one re-exports, so that
//! no method imports this list. The methods build on the ledger (`ledger::operations`,
//! `ledger::store`) and `server`, never on the platform.

pub mod card_partner;
pub mod epay_cash;
pub mod method;
pub mod paydala;

pub use method::{form_token, form_token_ok, GateSale, GateSaleStart, PaymentMethod};

use crate::sandbox::ledger::state::AppState;
use crate::sandbox::ledger::store::Store;
use axum::Router;
use epay_core::gate::SaleKind;
use epay_core::MethodCode;
use std::time::Duration;
use tokio::sync::watch;

/// The method of a code.
pub fn of(code: MethodCode) -> &'static dyn PaymentMethod {
    match code {
        MethodCode::CardPartner => &card_partner::CardPartner,
        MethodCode::EpayCash => &epay_cash::EpayCash,
        MethodCode::Paydala => &paydala::Paydala,
    }
}

/// The method of a Gate sale.
pub fn gate_sale(kind: SaleKind) -> &'static dyn GateSale {
    match kind {
        SaleKind::CardPartner => &card_partner::CardPartner,
        SaleKind::Epay => &epay_cash::EpayCash,
    }
}

/// Every method.
pub fn all() -> impl Iterator<Item = &'static dyn PaymentMethod> {
    MethodCode::ALL.into_iter().map(of)
}

/// The name of the method in callbacks' `payment.method` (a code the platform does not
/// know, as it is).
pub fn title(method: &str) -> &str {
    MethodCode::parse(method).map_or(method, |m| of(m).title())
}

/// Every method's own tables.
pub fn init(store: &Store) -> rusqlite::Result<()> {
    all().try_for_each(|m| store.with(|c| c.execute_batch(m.schema())))
}

/// Every method's own pages and endpoints.
pub fn routes() -> Router<AppState> {
    all().fold(Router::new(), |router, m| router.merge(m.routes()))
}

/// Every method's [`PaymentMethod::cross_origin_paths`], for the guard.
pub fn cross_origin_paths() -> Vec<&'static str> {
    all().flat_map(|m| m.cross_origin_paths().iter().copied()).collect()
}

/// Runs every method's [`PaymentMethod::expire_due`] every second until the sandbox stops.
pub async fn expiry_sweeper(s: AppState, mut shutdown: watch::Receiver<bool>) {
    loop {
        if *shutdown.borrow() {
            return;
        }
        for m in all() {
            if let Err(e) = m.expire_due(&s) {
                eprintln!("epay sandbox: {} expiry sweep: {}", m.code().as_str(), e.1.error.message);
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = shutdown.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_code_has_its_own_method() {
        for code in MethodCode::ALL {
            assert_eq!(of(code).code(), code);
        }
        assert_eq!(title("card-partner"), "Card partner");
        assert_eq!(title("epaycash"), "ePayViaEGHL");
        assert_eq!(title("paydala"), "paydala");
        assert_eq!(title("other"), "other");
    }

    /// The guard leaves these to any origin (server/guard.rs): exactly the partner's page
    /// and its notification.
    #[test]
    fn only_the_partner_page_and_notification_take_any_origin() {
        assert_eq!(cross_origin_paths(), vec!["/sim/partner/pay", "/sim/partner/notify"]);
    }
}
