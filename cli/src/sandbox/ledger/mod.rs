//! The ledger: the platform's data and the state every handler shares, the layer the
//! payment methods, the platform and the demo shop all build on (see the layering in
//! [`crate::sandbox`]). It imports only `server` (the HTTP error type), never a layer above.
//!
//! - [`store`]: one SQLite file for all of it; a restart loses nothing.
//! - [`operations`]: what every method does to a payment's operations: a sale that starts,
//!   a sale that ends, the standard callback.
//! - [`state`]: [`state::Shared`] / [`state::AppState`], the demo projects, the URL policy,
//!   the callback backoff.
//! - [`paydala_settings`]: PayDala's configuration, resolved at start (held by the state).
//! - [`projects`]: the demo projects (one per platform) and their secrets.
//! - [`clock`]: `now_ms`, `random_hex`.

pub mod clock;
pub mod operations;
pub mod paydala_settings;
pub mod projects;
pub mod state;
pub mod store;
