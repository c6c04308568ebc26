//! PayDala's fixed names: its title in callbacks, the terminal's paths, the key of a
//! settled top-up, the lifetime code. A leaf the other parts share.

/// `payment.method` in PayDala callbacks, as seed 000 writes it.
pub const TITLE: &str = "paydala";
/// `operation.provider.id` in PayDala callbacks (the seed's example value).
pub const PROVIDER_ID: i64 = 12345;
/// PayDala takes KZT only (seed 000).
pub const CURRENCY: &str = "KZT";

pub const TERMINAL_PATH: &str = "/sim/paydala";
pub const CHECK_PATH: &str = "/sim/paydala/check";
pub const DEPOSIT_PATH: &str = "/sim/paydala/deposit";
pub(super) const STYLESHEET_PATH: &str = "/sim/paydala.css";

/// The merchant's answers are small; anything larger is refused, not buffered.
pub(super) const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// The key in a settled Payment Page operation's `data` that holds the top-up.
pub(super) const DEPOSIT_KEY: &str = "paydala_deposit";

/// `operation.code` of a Payment Page PayDala payment declined because no top-up came
/// within its lifetime (the platform's general decline code, as for an expired EPay code).
pub const LIFETIME_CODE: &str = "20000";
