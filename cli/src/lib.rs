//! The `epay` command line tool and the local sandbox platform.
//!
//! - [`cli`]: `epay sign`, `epay verify`, `epay gate ...` ([`gate_cli`]), `epay sandbox`.
//! - [`sandbox`]: the sandbox server (platform API, simulated partner, callback outbox,
//!   demo merchant), startable in-process for tests with [`sandbox::start`].

pub mod callbacks_cli;
pub mod cli;
pub mod gate_cli;
pub mod sandbox;
