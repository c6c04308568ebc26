//! What a payment method is to the platform ([`PaymentMethod`], [`GateSale`]) and the
//! simulators' form tokens: what every method file imports (`methods` re-exports it).

use crate::sandbox::ledger::operations::OperationData;
use crate::sandbox::ledger::state::{AppState, Shared};
use crate::sandbox::ledger::store::{store_error, OperationRow, PaymentRow, Project};
use crate::sandbox::server::HttpError;
use axum::Router;
use epay_core::callback::Sum;
use epay_core::params::CustomerData;
use epay_core::protocol::NextAction;
use epay_core::{CustomerField, MethodCode, ParamError, PaymentRequest, PaymentStatus};
use hmac::{Hmac, Mac};
use rusqlite::Connection;
use serde_json::Value;
use sha2::Sha256;

/// What the platform needs from a payment method. The defaults are what a method with
/// nothing to say there does.
pub trait PaymentMethod: Sync {
    fn code(&self) -> MethodCode;

    /// The method's name in callbacks' `payment.method`, as the seeds write it.
    fn title(&self) -> &'static str;

    /// A new operation's `request_id`, shaped as the method's seed shows it.
    fn new_request_id(&self) -> Result<String, HttpError>;

    /// The method's own tables: SQL run at every start (`CREATE TABLE IF NOT EXISTS`).
    fn schema(&self) -> &'static str {
        ""
    }

    /// The method's own pages and endpoints (its simulated partner or terminal).
    fn routes(&self) -> Router<AppState>;

    /// Those of its paths that take writes from any origin by design (a merchant's page
    /// posts the customer there, or the partner's server notifies): the guard does not
    /// check their `Origin`.
    fn cross_origin_paths(&self) -> &'static [&'static str] {
        &[]
    }

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

    /// The customer fields a sale lacks that the method asks the merchant for with a
    /// clarification callback (card partner: phone and e-mail, seed 001); none by default.
    fn clarification_fields(&self, _customer: &CustomerData) -> Vec<CustomerField> {
        Vec::new()
    }

    /// The signed callback that takes a sale on once `POST /v2/payment/clarification`
    /// supplied those fields (card partner: `redirect_data`). Only a method that asks
    /// ([`GateSale::clarification_fields`]) is reached here.
    fn clarified_callback(
        &self,
        _s: &Shared,
        _project: &Project,
        _payment: &PaymentRow,
        _op: &OperationRow,
        _data: &OperationData,
    ) -> rusqlite::Result<String> {
        Err(store_error(format!("{}: asks for no clarification", self.title())))
    }

    /// Whether the method's partner is to decline this payment's refund (a test knob, used
    /// up); no by default.
    fn declines_next_refund(&self, _c: &Connection, _project_id: u64, _payment_id: &str) -> rusqlite::Result<bool> {
        Ok(false)
    }
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
