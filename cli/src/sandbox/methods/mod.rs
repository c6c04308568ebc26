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
//! The methods build on `platform::operations` and `platform::store`, never on the
//! platform's HTTP handlers.

pub mod card_partner;
pub mod epay_cash;
pub mod paydala;

use crate::sandbox::platform::operations::OperationData;
use crate::sandbox::platform::store::{OperationRow, PaymentRow, Project, Store};
use crate::sandbox::{AppState, HttpError, Shared};
use axum::Router;
use epay_core::callback::Sum;
use epay_core::gate::SaleKind;
use epay_core::params::CustomerData;
use epay_core::protocol::NextAction;
use epay_core::{MethodCode, ParamError, PaymentRequest, PaymentStatus};
use hmac::{Hmac, Mac};
use rusqlite::Connection;
use serde_json::Value;
use sha2::Sha256;
use std::time::Duration;
use tokio::sync::watch;

/// What the platform needs from a payment method. The defaults are what a method with
/// nothing to say there does.
pub trait PaymentMethod: Sync {
    fn code(&self) -> MethodCode;

    /// The method's name in callbacks' `payment.method`, as the seeds write it.
    fn title(&self) -> &'static str;

    /// A new operation's `request_id`, shaped as the method's seed shows it.
    fn new_request_id(&self) -> Result<String, HttpError>;

    /// Creates the method's own tables (at every start).
    fn init(&self, _store: &Store) -> rusqlite::Result<()> {
        Ok(())
    }

    /// The method's own pages and endpoints (its simulated partner or terminal).
    fn routes(&self) -> Router<AppState>;

    /// Why the project cannot take this method in this sandbox (`open` does not offer it,
    /// `pay` refuses it); `None` when it can.
    fn unavailable(&self, _s: &Shared, _project_id: u64) -> Option<String> {
        None
    }

    /// A warning for the merchant, in `open`'s answer and the log, when the signed
    /// parameters lack what the real platform expects for this method.
    fn open_warning(&self, _req: &PaymentRequest) -> Option<Value> {
        None
    }

    /// The status the payment takes when the customer starts paying with the method
    /// (`pay`, the widget's `choose`).
    fn start_status(&self) -> PaymentStatus;

    /// The method's own part of starting a Payment Page payment, in `pay`'s transaction,
    /// once the sale operation `op_id` exists (EPay cash: the code).
    fn start(&self, _s: &Shared, _c: &Connection, _op_id: i64, _data: &OperationData) -> rusqlite::Result<()> {
        Ok(())
    }

    /// What the customer does next for a pending operation: the action `pay` and
    /// `status` answer (go to the partner, show the code, go to a terminal).
    fn next_action(&self, s: &Shared, payment: &PaymentRow, op: &OperationRow) -> Result<Option<NextAction>, HttpError>;

    /// The sum of a final payment when it is not the payment's amount (PayDala: what the
    /// customer deposited).
    fn settled_sum(&self, _op: &OperationRow) -> Option<Sum> {
        None
    }

    /// Ends the method's pending payments whose time is up (each with its callback);
    /// returns how many. Called every second by [`expiry_sweeper`].
    fn expire_due(&self, _s: &Shared) -> Result<usize, HttpError> {
        Ok(0)
    }
}

/// A method a merchant's server starts with a Gate sale (`POST /v2/payment/...sale`).
pub trait GateSale: PaymentMethod {
    /// Checks what a sale of this method carries beyond `core::gate::parse_sale`, before
    /// anything is written (card partner: `return_url`); each refusal names its parameter.
    fn check_sale(&self, _doc: &Value) -> Result<(), Vec<ParamError>> {
        Ok(())
    }

    /// Starts an accepted sale inside its transaction, once its payment exists: the sale
    /// operation (`operations::insert_sale`), the method's own rows, and the first
    /// callback, signed. Returns the operation's id and that callback's body.
    fn start_sale(&self, s: &Shared, c: &Connection, sale: &GateSaleStart) -> rusqlite::Result<(i64, String)>;
}

/// A Gate sale the platform accepted, as [`GateSale::start_sale`] gets it.
pub struct GateSaleStart<'a> {
    pub project: &'a Project,
    pub payment_rowid: i64,
    pub customer: &'a CustomerData,
    /// The request as received (its parameters checked).
    pub doc: &'a Value,
    pub request_id: &'a str,
    pub now: &'a str,
}

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
    all().try_for_each(|m| m.init(store))
}

/// Every method's own pages and endpoints.
pub fn routes() -> Router<AppState> {
    all().fold(Router::new(), |router, m| router.merge(m.routes()))
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

/// The token a simulator's own forms carry (the partner's `hsh`, its Approve/Decline
/// forms, the EPay terminal's buttons): HMAC-SHA256 of `text` with the sandbox's key, in
/// hex, so that only the simulator's own pages act.
pub fn form_token(key: &[u8], text: &str) -> String {
    hex::encode(mac(key, text).finalize().into_bytes())
}

/// Checks a [`form_token`] in constant time.
pub fn form_token_ok(key: &[u8], text: &str, given: &str) -> bool {
    match hex::decode(given.trim()) {
        Ok(bytes) => mac(key, text).verify_slice(&bytes).is_ok(),
        Err(_) => false,
    }
}

fn mac(key: &[u8], text: &str) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(text.as_bytes());
    mac
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
}
