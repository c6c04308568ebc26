//! How long a Payment Page PayDala payment waits for a top-up (seed 000: base 1 minute,
//! limit 36 days), and its expiry.

use super::consts::{LIFETIME_CODE, PROVIDER_ID, TITLE};
use crate::sandbox::ledger::clock::now_ms;
use crate::sandbox::ledger::operations::{callback, finish_sale, SaleEnd, SaleResult};
use crate::sandbox::ledger::paydala_settings::shown_duration;
use crate::sandbox::ledger::state::Shared;
use crate::sandbox::server::HttpError;
use epay_core::callback::CallbackAccount;
use epay_core::time::callback_date_ms;
use epay_core::{MethodCode, PaymentStatus};
use rusqlite::params;
use std::time::Duration;

// ---------------------------------------------------------------------------------------
// Lifetime of a Payment Page PayDala payment (seed 000: base 1 minute, limit 36 days)
// ---------------------------------------------------------------------------------------

/// `operation.message` of that decline.
pub fn lifetime_message(lifetime: Duration) -> String {
    format!("PayDala payment lifetime expired: no top-up at a terminal within {}", shown_duration(lifetime))
}

/// Declines every Payment Page PayDala payment still `awaiting customer` after the
/// configured lifetime: operation and payment `decline` ([`LIFETIME_CODE`],
/// [`lifetime_message`]) and the signed callback, one transaction each
/// (`operations::finish_sale`); returns how many.
/// The widget's status then shows the decline with that message.
pub fn expire_due(s: &Shared) -> Result<usize, HttpError> {
    let lifetime_ms = i64::try_from(s.paydala.lifetime.as_millis()).unwrap_or(i64::MAX);
    // Dates are `YYYY-MM-DDTHH:MM:SS+0000`: their text order is their time order.
    let cutoff = callback_date_ms(now_ms().saturating_sub(lifetime_ms));
    let message = lifetime_message(s.paydala.lifetime);
    let due: Vec<i64> = s.store.with(|c| {
        let mut stmt =
            c.prepare("SELECT id FROM operations WHERE kind = 'sale' AND method = ?1 AND status = ?2 AND created_date <= ?3 ORDER BY id")?;
        let rows = stmt.query_map(params![MethodCode::Paydala.as_str(), PaymentStatus::AwaitingCustomer.as_str(), cutoff], |r| r.get(0))?;
        rows.collect()
    })?;
    let mut n = 0;
    for op_id in due {
        let end = finish_sale(
            s,
            op_id,
            // A top-up may have settled it meanwhile.
            |_, op, _| {
                Ok((PaymentStatus::parse(&op.status) == PaymentStatus::AwaitingCustomer)
                    .then(|| SaleResult::decline(LIFETIME_CODE, message.clone(), "")))
            },
            // Seed 000's callback shape: `account`, no `customer`, PayDala's provider.
            |_, project, payment, op, data| {
                let mut cb = callback(TITLE, project, payment, op, data);
                cb.customer = None;
                cb.account = Some(CallbackAccount { number: payment.customer_id.clone() });
                if let Some(o) = cb.operation.as_mut() {
                    o.provider.id = PROVIDER_ID;
                }
                Ok(cb)
            },
        )?;
        if matches!(end, SaleEnd::Ended { .. }) {
            n += 1;
        }
    }
    Ok(n)
}
