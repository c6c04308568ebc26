//! Pure core of epay-widget: no DOM, no I/O. Compiles natively and to wasm.
//!
//! The `merchant` feature (on by default, off in the browser widget) adds the parts
//! that need the project secret: signing, callback verification, Gate requests and
//! the PayDala merchant handler.

pub mod callback;
pub mod catalog;
pub mod drawing;
pub mod epay_cash;
pub mod error_code;
pub mod flow;
pub mod handlers;
pub mod i18n;
pub mod money;
pub mod params;
pub mod protocol;
pub mod redirect;
pub mod time;
pub mod wire;

#[cfg(feature = "merchant")]
pub mod gate;
#[cfg(feature = "merchant")]
mod json_check;
#[cfg(feature = "merchant")]
pub mod paydala;
#[cfg(feature = "merchant")]
pub mod signature;

pub use callback::{Callback, PaymentStatus};
pub use catalog::{CustomerField, MethodCode};
pub use error_code::ErrorCode;
pub use money::MinorUnits;
pub use params::{ParamError, Params, PaymentRequest, Scalar};
pub use redirect::{RedirectData, UrlPolicy};
