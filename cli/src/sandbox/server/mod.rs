//! The HTTP plumbing every part of the sandbox shares: the Host/Origin guard, connection
//! and request limits, the widget's files as a CDN serves them, the HTML page shell, and
//! the error answers.

pub mod assets;
pub mod error;
pub mod guard;
pub mod html;
pub mod limits;

pub use error::{GateRefusal, HttpError};
