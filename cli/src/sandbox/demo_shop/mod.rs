//! The demo shop: a merchant's back end as a real shop would write it, against the
//! platform's HTTP API only (its own copy of the secrets, its own tables).
//!
//! - [`orders`]: Payment Page orders and the callback endpoint (`/merchant/...`).
//! - [`gate`]: the shop's Gate mode (`/merchant/gate/...`).
//! - [`paydala`]: its PayDala web service (`/merchant/paydala`).
//! - `order`: what `orders` and `gate` read alike from an order.

pub mod gate;
mod order;
pub mod orders;
pub mod paydala;

use crate::sandbox::ledger::state::AppState;
use crate::sandbox::ledger::store::Store;
use axum::Router;

/// The shop's own tables.
pub fn init(store: &Store) -> rusqlite::Result<()> {
    [orders::SCHEMA, gate::SCHEMA, paydala::SCHEMA].into_iter().try_for_each(|schema| store.with(|c| c.execute_batch(schema)))
}

/// The shop's endpoints (`/merchant/...`).
pub fn routes() -> Router<AppState> {
    Router::new().merge(orders::routes()).merge(gate::routes()).merge(paydala::routes())
}
