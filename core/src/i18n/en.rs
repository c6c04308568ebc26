//! English texts of the widget: one arm per [`Key`](super::Key) in [`first_text`] (a key
//! missing there does not compile) and its text there or in [`text`] (a test checks that
//! every key has one).

use super::keys::{Key, MoneyStyle};

/// Amounts as `Intl.NumberFormat` writes them in this language (CLDR).
pub(super) const MONEY: MoneyStyle = MoneyStyle { group: ',', decimal: '.', currency_first: true, symbols: &[("USD", "$")] };

/// The texts the widget's first module shows (the loading screen, the picker and its
/// frame): all of English its build carries (core feature `first-texts`, issue 26). The
/// others are `None` here and in [`text`].
pub(super) fn first_text(k: Key) -> Option<&'static str> {
    use Key::*;
    Some(match k {
        Title => "Checkout",
        Close => "Close",
        Loading => "Loading…",
        Order => "Order {id}",
        ChooseMethod => "Choose how to pay",
        MethodCardPartner => "Card",
        MethodCardPartnerHint => "Pay by card or mobile money with our partner",
        MethodEpay => "EPay cash",
        MethodEpayHint => "Get a code and pay cash at an EPay terminal",
        MethodPaydala => "PayDala terminal",
        MethodPaydalaHint => "Top up your account with cash at a PayDala terminal",
        Back | Continue | TryAgain | CheckAgain | Copy | Copied | Print | Amount | PayAmount | FieldsTitle | FieldsIntro | FirstName
        | LastName | Email | Phone | ProblemEmpty | ProblemEmail | ProblemPhone | ProblemName | RedirectTitle | RedirectBody
        | RedirectButton | WaitingTitle | WaitingBody | StalledTitle | StalledBody | SuccessTitle | SuccessBody | DeclineTitle
        | DeclineBody | DeclineReason | ExpiredTitle | ExpiredBody | RefundedTitle | RefundedBody | ErrorTitle | ErrorBody
        | ErrorNetwork | ErrorRedirect | ErrorDetails | CodeTitle | CodeReference | CodeUserName | CodeValidUntil | CodeExpiresIn
        | CodeExpired | CodeQrLabel | CodeBarcodeLabel | CodeStepsTitle | CodeStep1 | CodeStep2 | CodeStep3 | CodeStep3NoAmount
        | CodeStep4 | TerminalTitle | TerminalService | TerminalAccount | TerminalStepsTitle | TerminalStep1 | TerminalStep2
        | TerminalStep3 | TerminalStep4 | TerminalWaiting | DepositReceived | AccountQrLabel => return None,
    })
}

#[cfg_attr(feature = "first-texts", allow(dead_code))] // the first module: `first_text` only
pub(super) fn text(k: Key) -> &'static str {
    use Key::*;
    if let Some(s) = first_text(k) {
        return s;
    }
    match k {
        Back => "Back",
        Continue => "Continue",
        TryAgain => "Try again",
        CheckAgain => "Check again",
        Copy => "Copy",
        Copied => "Copied",
        Print => "Print",
        Amount => "Amount",
        PayAmount => "Pay {amount}",
        FieldsTitle => "Your details",
        FieldsIntro => "We need a few details to continue.",
        FirstName => "First name",
        LastName => "Last name",
        Email => "Email",
        Phone => "Phone number",
        ProblemEmpty => "Please fill in this field.",
        ProblemEmail => "Enter an email address like name@example.com.",
        ProblemPhone => "Enter a phone number of 5 to 15 digits, starting with + if international.",
        ProblemName => "Use at most 100 characters.",
        RedirectTitle => "Taking you to the payment partner",
        RedirectBody => "You will finish the payment on the partner's page and come back here.",
        RedirectButton => "Continue to payment",
        WaitingTitle => "Checking your payment",
        WaitingBody => "This page updates by itself. You can keep it open.",
        StalledTitle => "Still waiting",
        StalledBody => "We could not reach the payment service. Check your connection and try again.",
        SuccessTitle => "Payment successful",
        SuccessBody => "Thank you! Your payment of {amount} is complete.",
        DeclineTitle => "Payment declined",
        DeclineBody => "The payment was not completed. No money was taken.",
        DeclineReason => "Reason:",
        ExpiredTitle => "Payment expired",
        ExpiredBody => "The time to pay has run out. Start a new payment to try again.",
        RefundedTitle => "Payment refunded",
        RefundedBody => "The payment of {amount} was refunded.",
        ErrorTitle => "Payment cannot be started",
        ErrorBody => "Something is wrong with this payment request. Please contact the shop.",
        ErrorNetwork => "We could not reach the payment service. Check your connection and try again.",
        ErrorRedirect => "This page could not take you to the payment partner. Try again, or contact the shop.",
        ErrorDetails => "Details for the shop",
        CodeTitle => "Pay cash with this code",
        CodeReference => "Payment code",
        CodeUserName => "Name",
        CodeValidUntil => "Pay before {time}",
        CodeExpiresIn => "Time left: {time}",
        CodeExpired => "This code has expired.",
        CodeQrLabel => "QR code of the payment code",
        CodeBarcodeLabel => "Barcode of the payment code",
        CodeStepsTitle => "How to pay",
        CodeStep1 => "Go to any EPay terminal.",
        CodeStep2 => "Scan the QR code or barcode at the terminal, or type the payment code.",
        CodeStep3 => "Check the name and amount, then insert cash for {amount}.",
        CodeStep3NoAmount => "Check the name and the amount on the terminal's screen, then insert the cash.",
        CodeStep4 => "Keep the receipt. This page shows the result when the payment arrives.",
        TerminalTitle => "Top up at a PayDala terminal",
        TerminalService => "Service",
        TerminalAccount => "Account number",
        TerminalStepsTitle => "How to top up",
        TerminalStep1 => "Find a PayDala terminal and choose “{service}”.",
        TerminalStep2 => "Type your account number {account}.",
        TerminalStep3 => "Insert cash and confirm the amount.",
        TerminalStep4 => "Keep the receipt. This page shows the deposit when it arrives.",
        TerminalWaiting => "Waiting for your deposit…",
        DepositReceived => "Deposit of {amount} received",
        AccountQrLabel => "QR code of the account number",
        // In `first_text` (a test checks that every key has its English text).
        _ => "",
    }
}
