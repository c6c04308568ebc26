//! The HTTP plumbing every part of the sandbox shares: the Host/Origin guard, connection
//! and request limits, the widget's files as a CDN serves them, and the HTML page shell.

pub mod assets;
pub mod guard;
pub mod html;
pub mod limits;
