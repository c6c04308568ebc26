//! Terminal transactions: an account check that succeeded, its deposit claimed once,
//! booked as a sale of the right payment with its callback, in one transaction.

use super::consts::{DEPOSIT_KEY, PROVIDER_ID, TITLE};
use super::merchant_protocol::{Booked, Failure, MerchantCallOutcome};
use crate::sandbox::ledger::clock::now_ms;
use crate::sandbox::ledger::operations::{operation_of, signed_callback, OperationData};
use crate::sandbox::ledger::state::Shared;
use crate::sandbox::ledger::store::{self, NewOperation, NewPayment, OperationResult, OperationRow, PaymentRow};
use crate::sandbox::server::HttpError;
use epay_core::callback::{Callback, CallbackAccount, CallbackPayment, Id, Sum};
use epay_core::time::callback_date_ms;
use epay_core::{MethodCode, MinorUnits, PaymentStatus};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------
// Terminal transactions
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub(super) struct Txn {
    pub(super) id: String,
    pub(super) project_id: u64,
    pub(super) account: String,
    pub(super) currency: String,
    pub(super) additional_customer_id: Option<String>,
    pub(super) state: String,
    pub(super) amount: Option<i64>,
    pub(super) outcome: Option<String>,
    pub(super) message: Option<String>,
    pub(super) merchant_payment_id: Option<String>,
    pub(super) page_payment_id: Option<String>,
}

pub(super) fn txn(c: &Connection, id: &str) -> rusqlite::Result<Option<Txn>> {
    c.query_row(
        "SELECT id, project_id, account, currency, additional_customer_id, state, amount, outcome, message,
                merchant_payment_id, page_payment_id
         FROM paydala_transactions WHERE id = ?1",
        [id],
        |r| {
            Ok(Txn {
                id: r.get(0)?,
                project_id: r.get::<_, i64>(1)? as u64,
                account: r.get(2)?,
                currency: r.get(3)?,
                additional_customer_id: r.get(4)?,
                state: r.get(5)?,
                amount: r.get(6)?,
                outcome: r.get(7)?,
                message: r.get(8)?,
                merchant_payment_id: r.get(9)?,
                page_payment_id: r.get(10)?,
            })
        },
    )
    .optional()
}

pub(super) fn fail_txn(c: &Connection, id: &str, f: &Failure) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE paydala_transactions SET state = 'failed', outcome = ?2, message = ?3 WHERE id = ?1",
        params![id, f.outcome.as_str(), f.message],
    )?;
    Ok(())
}

/// The newest Payment Page payment of the project waiting for a top-up of `account`.
pub(super) fn pending_page_operation(c: &Connection, project_id: u64, account: &str, currency: &str) -> rusqlite::Result<Option<i64>> {
    c.query_row(
        "SELECT o.id FROM operations o JOIN payments p ON p.rowid = o.payment_rowid
         WHERE p.project_id = ?1 AND p.customer_id = ?2 AND p.currency = ?3
           AND o.kind = 'sale' AND o.method = ?4 AND o.status = ?5
         ORDER BY o.id DESC LIMIT 1",
        params![project_id as i64, account, currency, MethodCode::Paydala.as_str(), PaymentStatus::AwaitingCustomer.as_str()],
        |r| r.get(0),
    )
    .optional()
}

/// The seed's PayDala callback for a recorded top-up (seed 000, "Формат оповещений"):
/// `payment.id` is the payment the top-up paid, `account.number` the account, no
/// `customer`, PayDala's provider block after `code, message`. `payment.description` is the
/// checkout's own; a top-up started at the terminal has none (the seed's example sends ""
/// although the merchant's `check_deposit` answer said "Success").
pub(super) fn top_up_callback(project_id: u64, payment: &PaymentRow, account: &str, op: &OperationRow, sum: &Sum, page: bool) -> Callback {
    let date = op.date.clone().unwrap_or_else(|| op.created_date.clone());
    Callback {
        project_id: Id::Int(project_id as i64),
        payment: CallbackPayment {
            id: payment.payment_id.clone(),
            kind: "purchase".into(),
            status: PaymentStatus::Success,
            date,
            method: TITLE.into(),
            sum: sum.clone(),
            description: if page { payment.description.clone().unwrap_or_default() } else { String::new() },
        },
        customer: None,
        account: Some(CallbackAccount { number: account.to_string() }),
        operation: Some(operation_of(op, sum, PROVIDER_ID)),
        redirect_data: None,
        signature: None,
    }
}

/// Which payment a booked top-up pays.
pub(super) enum Target {
    /// A Payment Page PayDala payment waiting for this account: its sale operation.
    Page(Box<OperationRow>),
    /// A new payment with the merchant's `payment_id` (a top-up started at the terminal).
    New,
}

/// The payment a top-up pays, from the merchant's `check_deposit` answer (seed 000: the
/// answer's `payment_id` is the merchant's id of the payment, and the callback names it):
/// - the id of a Payment Page PayDala payment waiting for a top-up of this account (the
///   checkout the merchant opened for it): that payment;
/// - a fresh id while such a checkout waits: the newest waiting checkout (the customer
///   came from it; one top-up is one payment, so no second payment is made for the fresh
///   id, which stays on the terminal's receipt);
/// - a fresh id and nothing waiting: a new payment with that id;
/// - any other existing id: refused (a final payment, an earlier top-up, another
///   account's or method's payment), nothing booked and no callback.
pub(super) fn target(c: &Connection, t: &Txn, booked: &Booked) -> rusqlite::Result<Result<Target, Failure>> {
    let Some(named) = store::payment_by_id(c, t.project_id, &booked.payment_id)? else {
        return Ok(Ok(match pending_page_operation(c, t.project_id, &t.account, &t.currency)? {
            Some(op_id) => Target::Page(Box::new(store::operation(c, op_id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?)),
            None => Target::New,
        }));
    };
    let sale = store::sale_operation(c, named.rowid)?;
    let waiting =
        sale.filter(|op| op.method == MethodCode::Paydala.as_str() && PaymentStatus::parse(&op.status) == PaymentStatus::AwaitingCustomer);
    let id = &booked.payment_id;
    Ok(match waiting {
        Some(op) if named.customer_id == t.account && named.currency == t.currency => Ok(Target::Page(Box::new(op))),
        Some(_) => Err(Failure::new(
            MerchantCallOutcome::Mismatch,
            format!(
                "The shop answered payment_id {id:?}, a checkout waiting for a top-up of account {:?} in {}, not of account {:?} in {}: nothing booked.",
                named.customer_id, named.currency, t.account, t.currency
            ),
        )),
        None if named.status.as_deref().map(PaymentStatus::parse).is_some_and(|st| st.is_final()) => Err(Failure::new(
            MerchantCallOutcome::Duplicate,
            format!(
                "The shop answered payment_id {id:?}, which {} already has in project {}: recorded once, no second callback.",
                if named.method.as_deref() == Some(MethodCode::Paydala.as_str()) { "an earlier top-up" } else { "another payment" },
                t.project_id
            ),
        )),
        None => Err(Failure::new(
            MerchantCallOutcome::Mismatch,
            format!(
                "The shop answered payment_id {id:?}, a payment of project {} that is not waiting for a PayDala top-up (status {}): nothing booked.",
                t.project_id,
                named.status.as_deref().unwrap_or("not paid")
            ),
        )),
    })
}

/// Records a booked top-up: the payment it pays ([`target`]), its successful sale, the
/// signed callback naming that payment, the terminal transaction, all in one transaction.
pub(super) fn record_deposit(
    s: &Shared,
    t: &Txn,
    amount: i64,
    request_id: &str,
    started: &str,
    booked: &Booked,
) -> Result<Result<(), Failure>, HttpError> {
    let now_ms = now_ms();
    let now = callback_date_ms(now_ms);
    let sum = Sum { amount: MinorUnits(amount), currency: t.currency.clone() };
    let recorded = s.store.with(|c| {
        let tx = c.transaction()?;
        let project = store::project(&tx, t.project_id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        let target = match target(&tx, t, booked)? {
            Ok(target) => target,
            Err(f) => {
                fail_txn(&tx, &t.id, &f)?;
                tx.execute("UPDATE paydala_transactions SET merchant_payment_id = ?2 WHERE id = ?1", params![t.id, booked.payment_id])?;
                tx.commit()?;
                return Ok(Err(f));
            }
        };
        let terminal = json!({ "transaction": t.id, "account": t.account });
        let (rowid, op_id, page_payment_id) = match target {
            Target::Page(page_op) => {
                // The checkout's own sale operation ends: the deposited sum, the terminal's
                // transaction and the merchant's answer kept in its data.
                let mut page_data: Value = serde_json::from_str(&page_op.data).unwrap_or_else(|_| json!({}));
                if !page_data.is_object() {
                    page_data = json!({});
                }
                page_data[DEPOSIT_KEY] = json!({ "amount": amount, "currency": t.currency, "payment_id": booked.payment_id });
                page_data["paydala_terminal"] = terminal;
                tx.execute("UPDATE operations SET data = ?2 WHERE id = ?1", params![page_op.id, page_data.to_string()])?;
                let page = store::payment(&tx, page_op.payment_rowid)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
                (page_op.payment_rowid, page_op.id, Some(page.payment_id))
            }
            Target::New => {
                let rowid = store::insert_payment(
                    &tx,
                    &NewPayment {
                        project_id: t.project_id,
                        payment_id: &booked.payment_id,
                        amount,
                        currency: &t.currency,
                        customer_id: &t.account,
                        description: booked.description.as_deref(),
                        created_at: started,
                    },
                )?;
                let mut data = serde_json::to_value(OperationData::default()).map_err(|e| store::store_error(e.to_string()))?;
                data["paydala_terminal"] = terminal;
                let op_id = store::insert_operation(
                    &tx,
                    &NewOperation {
                        payment_rowid: rowid,
                        kind: "sale",
                        method: MethodCode::Paydala.as_str(),
                        status: PaymentStatus::Processing.as_str(),
                        created_date: started,
                        request_id,
                        data: &data.to_string(),
                    },
                )?;
                (rowid, op_id, None)
            }
        };
        let result = OperationResult {
            status: PaymentStatus::Success.as_str(),
            date: &now,
            code: "0",
            message: "Success",
            provider_payment_id: &t.id,
        };
        store::finish_operation(&tx, op_id, &result)?;
        store::set_payment_status(&tx, rowid, PaymentStatus::Success.as_str(), MethodCode::Paydala.as_str(), &now)?;
        let op = store::operation(&tx, op_id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        let payment = store::payment(&tx, rowid)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
        let body = signed_callback(&project, &top_up_callback(project.id, &payment, &t.account, &op, &sum, page_payment_id.is_some()))?;
        store::enqueue_callback(&tx, project.id, rowid, Some(op_id), &body, &now, now_ms)?;
        tx.execute(
            "UPDATE paydala_transactions SET state = 'done', outcome = 'ok', message = NULL, merchant_payment_id = ?2,
                    payment_rowid = ?3, page_payment_id = ?4
             WHERE id = ?1",
            params![t.id, booked.payment_id, rowid, page_payment_id],
        )?;
        tx.commit()?;
        Ok(Ok(()))
    })?;
    if recorded.is_ok() {
        s.outbox_wake.notify_one();
    }
    Ok(recorded)
}
