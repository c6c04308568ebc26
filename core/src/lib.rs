//! Pure core of epay-widget: no DOM, no I/O. Compiles natively and to wasm.
//!
//! The `merchant` feature (on by default, off in the browser widget) adds the parts
//! that need the project secret (signing, callback verification, Gate requests, the
//! PayDala merchant handler) and the platform's parameter rules (`PaymentRequest`): the
//! platform is their one authority, the widget shows what `open` answers (issue 26).

pub mod callback;
pub mod catalog;
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

/// The payment codes as SVG paths (QR, Code 128): the `epay-drawing` crate, without std.
pub use epay_drawing as drawing;
/// Numbers written into text without `format!`: `epay-drawing`'s, one writer for the workspace.
pub use epay_drawing::text;

#[cfg(feature = "merchant")]
pub mod gate;
#[cfg(feature = "merchant")]
mod json_check;
#[cfg(feature = "merchant")]
pub mod paydala;
#[cfg(feature = "merchant")]
pub mod signature;
#[cfg(feature = "merchant")]
pub mod signing_string;

pub use callback::{Callback, PaymentStatus};
pub use catalog::{CustomerField, MethodCode};
pub use error_code::ErrorCode;
pub use money::MinorUnits;
#[cfg(feature = "merchant")]
pub use params::PaymentRequest;
pub use params::{ParamError, Params, Scalar};
pub use redirect::{RedirectData, UrlPolicy};
