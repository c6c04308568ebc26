//! Every conversion between JS values and Rust values, by job:
//! - [`args`]: the merchant's arguments in (`params`, `options`, `redirect_data`);
//! - [`events`]: what the merchant's page hears (handler and DOM event payloads);
//! - [`wire`]: the platform's answers in and the requests out.

pub mod args;
pub mod events;
pub mod wire;

pub use args::*;
pub use events::*;
pub use wire::*;
