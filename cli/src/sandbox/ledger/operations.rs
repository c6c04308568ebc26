//! What happens to a payment's operations whatever the method and the channel (Payment
//! Page or Gate): an operation's own data, a sale that starts, a sale that ends, and the
//! standard callback that tells the merchant, signed with the project's secret.
//!
//! The payment methods build on this module (and on [`super::store`]); it knows none of
//! them, and none of the platform's HTTP handlers: each method passes what is its own (its
//! title in callbacks, how its sale ends, the shape of its callback).

use super::store::{self, NewOperation, OperationResult, OperationRow, PaymentRow, Project};
use crate::sandbox::ledger::clock::now_ms;
use crate::sandbox::ledger::state::Shared;
use crate::sandbox::server::HttpError;
use epay_core::callback::{CallbackCustomer, CallbackPayment, Id, Operation, Provider, ProviderPosition, Sum};
use epay_core::params::CustomerData;
use epay_core::signature::with_signature;
use epay_core::time::callback_date_ms;
use epay_core::{Callback, MethodCode, MinorUnits, PaymentStatus};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

/// `operation.provider.id` of a callback whose method does not set its own: the card
/// partner's (seed 001). EPay cash and PayDala callbacks carry theirs; the Gate status
/// answer shows this one for every operation.
pub const DEFAULT_PROVIDER_ID: i64 = 2377;

/// Method-specific state of an operation, kept in `operations.data`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OperationData {
    /// Where the partner sends the customer back.
    pub return_url: String,
    /// The customer data the payment was made with (signed values, then typed ones).
    #[serde(default)]
    pub customer: CustomerData,
}

impl OperationData {
    pub fn parse(op: &OperationRow) -> rusqlite::Result<OperationData> {
        serde_json::from_str(&op.data).map_err(|e| store::store_error(format!("operation {} has unreadable data: {e}", op.id)))
    }
}

/// A `sale` operation that starts, on the Payment Page (`pay`) or by a Gate sale.
pub struct NewSale<'a> {
    pub payment_rowid: i64,
    pub method: MethodCode,
    /// The status the payment and the operation take (the method's start status).
    pub status: PaymentStatus,
    pub data: &'a OperationData,
    pub request_id: &'a str,
    pub now: &'a str,
}

/// Inserts the sale operation and gives the payment its status and method, inside the
/// caller's transaction; returns the operation's id.
pub fn insert_sale(c: &Connection, sale: &NewSale) -> rusqlite::Result<i64> {
    let data = serde_json::to_string(sale.data).map_err(|e| store::store_error(format!("operation data: {e}")))?;
    let method = sale.method.as_str();
    let op_id = store::insert_operation(
        c,
        &NewOperation {
            payment_rowid: sale.payment_rowid,
            kind: "sale",
            method,
            status: sale.status.as_str(),
            created_date: sale.now,
            request_id: sale.request_id,
            data: &data,
        },
    )?;
    store::set_payment_status(c, sale.payment_rowid, sale.status.as_str(), method, sale.now)?;
    Ok(op_id)
}

/// How a pending sale ends, as its method decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleResult {
    /// The payment's new status (EPay cash: `expired`, which the merchant is told as `decline`).
    pub payment_status: PaymentStatus,
    pub operation_status: PaymentStatus,
    /// `operation.code` and `operation.message`, as in the seeds' callbacks.
    pub code: String,
    pub message: String,
    pub provider_payment_id: String,
}

impl SaleResult {
    /// Paid: payment and operation `success`, code `0` `Success`.
    pub fn success(provider_payment_id: impl Into<String>) -> SaleResult {
        SaleResult {
            payment_status: PaymentStatus::Success,
            operation_status: PaymentStatus::Success,
            code: "0".into(),
            message: "Success".into(),
            provider_payment_id: provider_payment_id.into(),
        }
    }

    /// Declined: payment and operation `decline`, with this code and message.
    pub fn decline(code: &str, message: impl Into<String>, provider_payment_id: impl Into<String>) -> SaleResult {
        SaleResult {
            payment_status: PaymentStatus::Decline,
            operation_status: PaymentStatus::Decline,
            code: code.into(),
            message: message.into(),
            provider_payment_id: provider_payment_id.into(),
        }
    }
}

/// What [`finish_sale`] did.
#[derive(Debug, Clone)]
pub enum SaleEnd {
    /// The payment is now final; one callback was enqueued.
    Ended { payment: PaymentRow, data: OperationData },
    /// It was final already: nothing changed (so a repeated answer is harmless).
    AlreadyFinal { payment: PaymentRow, data: OperationData },
    /// No such operation, or not one its method knows.
    UnknownOperation,
}

/// Ends a pending sale operation: its method decides how (`result`, given the operation
/// and the time in unix ms; `None`: the method does not know this operation) and shapes
/// its callback (`callback`). Operation and payment final, the signed callback into the
/// outbox, all in one transaction; then the outbox worker is woken. An operation that is
/// final already is left as it is.
pub fn finish_sale(
    s: &Shared,
    op_id: i64,
    result: impl FnOnce(&Connection, &OperationRow, i64) -> rusqlite::Result<Option<SaleResult>>,
    callback: impl FnOnce(&Connection, &Project, &PaymentRow, &OperationRow, &OperationData) -> rusqlite::Result<Callback>,
) -> Result<SaleEnd, HttpError> {
    let now_ms = now_ms();
    let now = callback_date_ms(now_ms);
    let end = s.store.with(|c| {
        let tx = c.transaction()?;
        let Some(op) = store::operation(&tx, op_id)? else { return Ok(SaleEnd::UnknownOperation) };
        let data = OperationData::parse(&op)?;
        if PaymentStatus::parse(&op.status).is_final() {
            let payment = store::payment(&tx, op.payment_rowid)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
            return Ok(SaleEnd::AlreadyFinal { payment, data });
        }
        let Some(r) = result(&tx, &op, now_ms)? else { return Ok(SaleEnd::UnknownOperation) };
        store::finish_operation(
            &tx,
            op.id,
            &OperationResult {
                status: r.operation_status.as_str(),
                date: &now,
                code: &r.code,
                message: &r.message,
                provider_payment_id: &r.provider_payment_id,
            },
        )?;
        store::set_payment_status(&tx, op.payment_rowid, r.payment_status.as_str(), &op.method, &now)?;
        let op = store::operation(&tx, op.id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        let payment = store::payment(&tx, op.payment_rowid)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        let project = store::project(&tx, payment.project_id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        let body = signed_callback(&project, &callback(&tx, &project, &payment, &op, &data)?)?;
        store::enqueue_callback(&tx, project.id, payment.rowid, Some(op.id), &body, &now, now_ms)?;
        tx.commit()?;
        Ok(SaleEnd::Ended { payment, data })
    })?;
    if matches!(end, SaleEnd::Ended { .. }) {
        s.outbox_wake.notify_one();
    }
    Ok(end)
}

/// The payment status the merchant is told (callbacks, Gate status): the seeds' results
/// are success and decline, so a payment code that ran out is a decline, and its operation
/// says why. The platform keeps `expired` for itself and the widget (its own protocol), so
/// the customer sees "expired" rather than "declined".
pub fn reported_status(status: PaymentStatus) -> PaymentStatus {
    match status {
        PaymentStatus::Expired => PaymentStatus::Decline,
        other => other,
    }
}

/// The standard callback of an operation, unsigned: `title` is the method's name in
/// `payment.method`. Methods and Gate adjust it (`redirect_data`, a refund's sums, their
/// provider) before signing it with [`signed_callback`].
pub fn callback(title: &str, project: &Project, payment: &PaymentRow, op: &OperationRow, data: &OperationData) -> Callback {
    let sum = Sum { amount: MinorUnits(payment.amount), currency: payment.currency.clone() };
    let date = op.date.clone().unwrap_or_else(|| op.created_date.clone());
    Callback {
        project_id: Id::Int(project.id as i64),
        payment: CallbackPayment {
            id: payment.payment_id.clone(),
            kind: "purchase".into(),
            status: reported_status(PaymentStatus::parse(payment.status.as_deref().unwrap_or(&op.status))),
            date: payment.date.clone().unwrap_or_else(|| date.clone()),
            method: title.into(),
            sum: sum.clone(),
            description: payment.description.clone().unwrap_or_default(),
        },
        // Seed 001 and 002 show `customer` in every callback: always there, `phone` when
        // known (`{}` only before a Gate sale's clarification supplies it).
        customer: Some(CallbackCustomer { id: None, phone: data.customer.phone.clone(), email: None }),
        account: None,
        operation: Some(operation_of(op, &sum, DEFAULT_PROVIDER_ID)),
        redirect_data: None,
        signature: None,
    }
}

/// A callback's `operation` block from its row: `sum` both initial and converted (no
/// conversion in the sandbox), the provider's id and the row's provider payment id.
pub fn operation_of(op: &OperationRow, sum: &Sum, provider_id: i64) -> Operation {
    Operation {
        id: op.id,
        kind: op.kind.clone(),
        status: PaymentStatus::parse(&op.status),
        date: op.date.clone().unwrap_or_else(|| op.created_date.clone()),
        created_date: op.created_date.clone(),
        request_id: op.request_id.clone(),
        sum_initial: sum.clone(),
        sum_converted: sum.clone(),
        code: op.code.clone().unwrap_or_default(),
        message: op.message.clone().unwrap_or_default(),
        provider: Provider {
            id: provider_id,
            payment_id: op.provider_payment_id.clone().unwrap_or_default(),
            date: None,
            auth_code: String::new(),
        },
        provider_position: provider_position(&op.method),
    }
}

/// Where `provider` goes in an operation block of `method`: `code, message, provider` as
/// seeds 000 (PayDala) and 001 (card-partner) print it, `provider, code, message` for EPay
/// as seed 002's four callback examples print it ("Формат оповещений").
pub fn provider_position(method: &str) -> ProviderPosition {
    if method == MethodCode::EpayCash.as_str() {
        ProviderPosition::BeforeCode
    } else {
        ProviderPosition::AfterMessage
    }
}

/// A callback signed with the project's secret, as JSON text.
pub fn signed_callback(project: &Project, callback: &Callback) -> rusqlite::Result<String> {
    let doc = serde_json::to_value(callback).map_err(|e| store::store_error(format!("callback: {e}")))?;
    Ok(with_signature(doc, &project.secret).to_string())
}
