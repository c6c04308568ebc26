//! What every language file fills in: the [`Key`]s of the texts and its [`MoneyStyle`].
//! A leaf: the language files and `i18n` use it, it uses neither.

/// Declares `Key` and `Key::ALL` from one list, so the two cannot drift apart: first the
/// methods' name and hint keys, as the catalog's `methods!` list gives them (with
/// [`method_keys`]), then the rest.
macro_rules! keys {
    (methods { $($method:ident => $name:ident, $hint:ident;)* } $($key:ident),* $(,)?) => {
        /// A text of the widget's interface. Add a key only with all five languages.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Key {
            $($name, $hint,)*
            $($key),*
        }

        impl Key {
            /// Every key, in declaration order.
            pub const ALL: &'static [Key] = &[$(Key::$name, Key::$hint,)* $(Key::$key),*];

            /// The key's name, as language packs write it (`"ChooseMethod"`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Key::$name => stringify!($name), Key::$hint => stringify!($hint),)*
                    $(Key::$key => stringify!($key)),*
                }
            }
        }

        /// A method's name and hint on the widget's picker.
        pub const fn method_keys(m: crate::catalog::MethodCode) -> (Key, Key) {
            match m {
                $(crate::catalog::MethodCode::$method => (Key::$name, Key::$hint),)*
            }
        }
    };
}

crate::catalog::with_method_keys! { keys {
    Title, Close, Loading, Back, Continue, TryAgain, CheckAgain, Copy, Copied, Print,
    Amount, Order, PayAmount, ChooseMethod,
    FieldsTitle, FieldsIntro, FirstName, LastName, Email, Phone,
    ProblemEmpty, ProblemEmail, ProblemPhone, ProblemName,
    RedirectTitle, RedirectBody, RedirectButton,
    WaitingTitle, WaitingBody, StalledTitle, StalledBody,
    SuccessTitle, SuccessBody, DeclineTitle, DeclineBody, DeclineReason,
    ExpiredTitle, ExpiredBody, RefundedTitle, RefundedBody,
    ErrorTitle, ErrorBody, ErrorNetwork, ErrorRedirect, ErrorDetails,
    CodeTitle, CodeReference, CodeUserName, CodeValidUntil, CodeExpiresIn, CodeExpired,
    CodeQrLabel, CodeBarcodeLabel, CodeStepsTitle,
    CodeStep1, CodeStep2, CodeStep3, CodeStep3NoAmount, CodeStep4,
    TerminalTitle, TerminalService, TerminalAccount, TerminalStepsTitle,
    TerminalStep1, TerminalStep2, TerminalStep3, TerminalStep4,
    TerminalWaiting, DepositReceived, AccountQrLabel,
} }

/// How a language writes an amount of money: CLDR's pattern for the customers' countries,
/// which `Intl.NumberFormat` follows (a browser test compares the two in Chromium and
/// Firefox). Written out here so that the first screen needs no `Intl` (its first use
/// loads locale data: 50 ms, 200 ms on a slow phone).
pub struct MoneyStyle {
    /// Between groups of three digits.
    pub(super) group: char,
    pub(super) decimal: char,
    /// `KES 1,000.00` (true) or `1 000,00 KES` (false).
    pub(super) currency_first: bool,
    /// Currencies written with a symbol, the no-break space included where there is one
    /// (`"$"`, `"RM\u{a0}"`, `"\u{a0}₸"`); others are their code, spaced.
    pub(super) symbols: &'static [(&'static str, &'static str)],
}
