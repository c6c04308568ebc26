//! The method catalog: what each seed allows (currencies, amount limits in minor
//! units, required and recommended customer fields).

use crate::money::MinorUnits;
use serde::{Deserialize, Serialize};

/// Declares the payment methods from one list: the [`MethodCode`] enum with its serde
/// names, [`MethodCode::ALL`] (in list order), the wire names ([`MethodCode::as_str`],
/// [`MethodCode::parse`] with the aliases after `|`), each method's [`MethodRule`], and
/// the keys of its picker texts, which `i18n` declares through `with_method_keys!` (so the
/// language files' exhaustive `match`es ask for the texts; `i18n::method_keys`). A method
/// cannot be missing from `ALL`: all of it comes from the same line. (`$d` is a `$`, for
/// the macro this one writes.)
macro_rules! methods {
    ($d:tt $( $(#[$doc:meta])* $variant:ident = $wire:literal $(| $alias:literal)* => $rule:ident, keys($name:ident, $hint:ident), )*) => {
        /// A payment method, named on the wire by its `force_payment_method` code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum MethodCode {
            $( $(#[$doc])* #[serde(rename = $wire)] $variant, )*
        }

        impl MethodCode {
            /// Every method, in catalog order (the order of the picker).
            pub const ALL: [MethodCode; [$($wire),*].len()] = [$(MethodCode::$variant),*];

            /// The wire name (`force_payment_method`, `method` in the checkout API).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(MethodCode::$variant => $wire,)*
                }
            }

            /// Accepts the method code, and the other names a method is known by
            /// (PayDala: its payment group `terminal/paydala`).
            pub fn parse(s: &str) -> Option<MethodCode> {
                match s {
                    $($wire $(| $alias)* => Some(MethodCode::$variant),)*
                    _ => None,
                }
            }

            /// What the seed allows for the method.
            pub const fn rule(self) -> &'static MethodRule {
                match self {
                    $(MethodCode::$variant => &$rule,)*
                }
            }
        }

        /// `with_method_keys! { m { a, b } }` is `m! { methods { Variant => Name, Hint; ... } a, b }`:
        /// `i18n` declares its `Key`s so.
        macro_rules! with_method_keys {
            ($d m:ident { $d ($d rest:tt)* }) => {
                $d m! { methods { $($variant => $name, $hint;)* } $d ($d rest)* }
            };
        }
        pub(crate) use with_method_keys;
    };
}

// The methods. A new one is a line here and its `MethodRule` below; the compiler and the
// tests then point to the rest (CONTRIBUTING.md, "Add a payment method").
methods! { $
    /// Cards through the partner (seed 001): a form posted to the partner's page.
    CardPartner = "card-partner" => CARD_PARTNER, keys(MethodCardPartner, MethodCardPartnerHint),
    /// EPay cash (seed 002): a code paid in cash at a terminal.
    EpayCash = "epaycash" => EPAY_CASH, keys(MethodEpay, MethodEpayHint),
    /// PayDala (seed 000): an account topped up at a terminal.
    Paydala = "paydala" | "terminal/paydala" => PAYDALA, keys(MethodPaydala, MethodPaydalaHint),
}

impl MethodCode {
    /// Whether its screen shows a number to take to a terminal, drawn as a QR code (and a
    /// barcode): the widget fetches the drawings module while such a method is on offer.
    pub fn shows_code(self) -> bool {
        self.rule().shows_code
    }
}

/// The platform that runs a method (seed 000 is JetPay's, 001 and 002 ECommPay's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Ecommpay,
    Jetpay,
}

impl Platform {
    /// Every platform (a test checks that each method's is here).
    pub const ALL: [Platform; 2] = [Platform::Ecommpay, Platform::Jetpay];
}

/// Customer fields a method may need; the names are the Payment Page parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerField {
    FirstName,
    LastName,
    Email,
    Phone,
}

impl CustomerField {
    pub const ALL: [CustomerField; 4] = [CustomerField::FirstName, CustomerField::LastName, CustomerField::Email, CustomerField::Phone];

    /// The Payment Page parameter (`customer_phone`, ...).
    pub fn param(self) -> &'static str {
        match self {
            CustomerField::FirstName => "customer_first_name",
            CustomerField::LastName => "customer_last_name",
            CustomerField::Email => "customer_email",
            CustomerField::Phone => "customer_phone",
        }
    }

    /// The key inside a Gate `customer` object (`phone`, ...).
    pub fn gate_key(self) -> &'static str {
        let p = self.param();
        p.strip_prefix("customer_").unwrap_or(p)
    }

    /// Checks a value typed by the customer or sent by the merchant.
    pub fn check(self, value: &str) -> Result<(), FieldProblem> {
        let v = value.trim();
        if v.is_empty() {
            return Err(FieldProblem::Empty);
        }
        match self {
            CustomerField::Email => {
                let ok = v.len() <= 254
                    && !v.chars().any(|c| c.is_whitespace() || c.is_control())
                    && match v.split_once('@') {
                        Some((local, domain)) => {
                            !local.is_empty()
                                && !domain.contains('@')
                                && domain.contains('.')
                                && !domain.starts_with('.')
                                && !domain.ends_with('.')
                        }
                        None => false,
                    };
                if ok {
                    Ok(())
                } else {
                    Err(FieldProblem::Email)
                }
            }
            CustomerField::Phone => {
                let body = v.strip_prefix('+').unwrap_or(v);
                let digits: String = body.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')')).collect();
                if (5..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
                    Ok(())
                } else {
                    Err(FieldProblem::Phone)
                }
            }
            CustomerField::FirstName | CustomerField::LastName => {
                if v.chars().count() > 100 || v.chars().any(|c| c.is_control()) {
                    Err(FieldProblem::Name)
                } else {
                    Ok(())
                }
            }
        }
    }

    /// The value as sent on: phones keep only `+` and digits.
    pub fn normalize(self, value: &str) -> String {
        let v = value.trim();
        match self {
            CustomerField::Phone => v.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect(),
            _ => v.to_string(),
        }
    }
}

/// Why a customer field value is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldProblem {
    Empty,
    Email,
    Phone,
    Name,
}

impl FieldProblem {
    /// The rule in English, for developers (customers see the translated text).
    pub fn rule(self) -> &'static str {
        match self {
            FieldProblem::Empty => "must not be empty",
            FieldProblem::Email => "must be an e-mail address like name@example.com",
            FieldProblem::Phone => "must be a phone number of 5 to 15 digits, optionally starting with +",
            FieldProblem::Name => "must be at most 100 characters with no control characters",
        }
    }
}

/// Amount limits of one currency, inclusive, in minor units. `None`: set by the platform per project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurrencyLimit {
    pub currency: &'static str,
    pub min: Option<MinorUnits>,
    pub max: Option<MinorUnits>,
}

/// What the seed allows for one method. Each is a `const` (read at compile time too: the
/// sandbox takes PayDala's lifetime from here).
#[derive(Debug)]
pub struct MethodRule {
    /// The platform that runs the method; the sandbox's demo shop sends a currency's
    /// orders to that platform's demo project.
    pub platform: Platform,
    pub currencies: &'static [CurrencyLimit],
    /// Must be present before paying: the widget asks for the missing ones.
    pub required: &'static [CustomerField],
    /// Asked for when absent, as the seed's Payment Page does.
    pub recommended: &'static [CustomerField],
    /// Whether the method's screen shows a code ([`MethodCode::shows_code`]).
    pub shows_code: bool,
    /// How long a payment waits for the customer, where the seed says.
    pub lifetime: Option<Lifetime>,
}

/// A payment's lifetime as a seed gives it: a base time and an upper bound, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetime {
    pub base_secs: u64,
    pub max_secs: u64,
}

pub const CARD_PARTNER: MethodRule = MethodRule {
    platform: Platform::Ecommpay,
    currencies: &[
        CurrencyLimit { currency: "KES", min: Some(MinorUnits(1_000)), max: Some(MinorUnits(20_000_000)) },
        CurrencyLimit { currency: "USD", min: Some(MinorUnits(100)), max: Some(MinorUnits(300_000)) },
    ],
    required: &[],
    recommended: &[CustomerField::Phone, CustomerField::Email],
    shows_code: false,
    lifetime: None,
};

pub const EPAY_CASH: MethodRule = MethodRule {
    platform: Platform::Ecommpay,
    currencies: &[CurrencyLimit { currency: "MYR", min: None, max: None }],
    required: &[CustomerField::FirstName, CustomerField::LastName, CustomerField::Email, CustomerField::Phone],
    recommended: &[],
    shows_code: true,
    lifetime: None,
};

/// Seed 000: a base time of 1 minute and a limit ("предельное" time) of 36 days.
pub const PAYDALA: MethodRule = MethodRule {
    platform: Platform::Jetpay,
    currencies: &[CurrencyLimit { currency: "KZT", min: None, max: None }],
    required: &[],
    recommended: &[],
    shows_code: true,
    lifetime: Some(Lifetime { base_secs: 60, max_secs: 36 * 24 * 3600 }),
};

/// Why a method cannot take a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MethodProblem {
    Currency { accepted: Vec<&'static str> },
    BelowMin { min: MinorUnits },
    AboveMax { max: MinorUnits },
}

impl MethodRule {
    pub fn check(&self, currency: &str, amount: MinorUnits) -> Result<(), MethodProblem> {
        let limit = self
            .currencies
            .iter()
            .find(|l| l.currency == currency)
            .ok_or_else(|| MethodProblem::Currency { accepted: self.currencies.iter().map(|l| l.currency).collect() })?;
        if let Some(min) = limit.min {
            if amount < min {
                return Err(MethodProblem::BelowMin { min });
            }
        }
        if let Some(max) = limit.max {
            if amount > max {
                return Err(MethodProblem::AboveMax { max });
            }
        }
        Ok(())
    }

    /// The fields the customer is asked for, given what the merchant already sent.
    pub fn fields_to_ask(&self, known: impl Fn(CustomerField) -> bool) -> Vec<CustomerField> {
        self.required.iter().chain(self.recommended).copied().filter(|f| !known(*f)).collect()
    }
}

/// Methods that accept this currency and amount, in catalog order.
pub fn methods_for(currency: &str, amount: MinorUnits) -> Vec<MethodCode> {
    MethodCode::ALL.into_iter().filter(|m| m.rule().check(currency, amount).is_ok()).collect()
}

#[cfg(test)]
mod tests {

    use super::*;

    #[test]
    fn every_method_has_its_wire_name_and_its_platform() {
        for (i, m) in MethodCode::ALL.into_iter().enumerate() {
            assert_eq!(MethodCode::parse(m.as_str()), Some(m));
            assert_eq!(serde_json::to_value(m).unwrap(), m.as_str());
            assert!(MethodCode::ALL[..i].iter().all(|o| o.as_str() != m.as_str()), "{m:?}: its wire name is taken");
            assert!(Platform::ALL.contains(&m.rule().platform), "{m:?}");
            assert!(!m.rule().currencies.is_empty(), "{m:?} takes no currency");
        }
    }

    #[test]
    fn card_partner_limits_follow_the_seed() {
        let r = MethodCode::CardPartner.rule();
        assert_eq!(r.check("KES", MinorUnits(1_000)), Ok(()));
        assert_eq!(r.check("KES", MinorUnits(999)), Err(MethodProblem::BelowMin { min: MinorUnits(1_000) }));
        assert_eq!(r.check("KES", MinorUnits(20_000_000)), Ok(()));
        assert_eq!(r.check("KES", MinorUnits(20_000_001)), Err(MethodProblem::AboveMax { max: MinorUnits(20_000_000) }));
        assert_eq!(r.check("USD", MinorUnits(100)), Ok(()));
        assert_eq!(r.check("USD", MinorUnits(99)), Err(MethodProblem::BelowMin { min: MinorUnits(100) }));
        assert_eq!(r.check("USD", MinorUnits(300_000)), Ok(()));
        assert_eq!(r.check("USD", MinorUnits(300_001)), Err(MethodProblem::AboveMax { max: MinorUnits(300_000) }));
        assert!(matches!(r.check("MYR", MinorUnits(1_000)), Err(MethodProblem::Currency { .. })));
    }

    #[test]
    fn each_method_is_offered_in_its_currencies_within_its_limits() {
        for m in MethodCode::ALL {
            for l in m.rule().currencies {
                let inside = l.min.or(l.max).unwrap_or(MinorUnits(10_000));
                assert!(methods_for(l.currency, inside).contains(&m), "{m:?} in {}", l.currency);
                if let Some(min) = l.min {
                    assert!(!methods_for(l.currency, MinorUnits(min.0 - 1)).contains(&m), "{m:?} below its minimum");
                }
                if let Some(max) = l.max {
                    assert!(!methods_for(l.currency, MinorUnits(max.0 + 1)).contains(&m), "{m:?} above its maximum");
                }
            }
        }
        assert_eq!(methods_for("XTS", MinorUnits(100)), vec![], "XTS: ISO 4217's code for testing");
        assert_eq!(methods_for("KES", MinorUnits(10_000)), vec![MethodCode::CardPartner], "seed 001");
    }

    #[test]
    fn epay_requires_all_four_customer_fields_and_card_recommends_two() {
        assert_eq!(MethodCode::EpayCash.rule().fields_to_ask(|_| false).len(), 4);
        assert_eq!(MethodCode::EpayCash.rule().fields_to_ask(|f| f != CustomerField::Phone), vec![CustomerField::Phone]);
        assert_eq!(MethodCode::CardPartner.rule().fields_to_ask(|_| false), vec![CustomerField::Phone, CustomerField::Email]);
        assert!(MethodCode::Paydala.rule().fields_to_ask(|_| false).is_empty());
    }

    #[test]
    fn field_checks() {
        assert_eq!(CustomerField::Email.check("putra@mail.com"), Ok(()));
        assert_eq!(CustomerField::Email.check("putra@mail"), Err(FieldProblem::Email));
        assert_eq!(CustomerField::Email.check("a b@c.d"), Err(FieldProblem::Email));
        assert_eq!(CustomerField::Phone.check("60321669552"), Ok(()));
        assert_eq!(CustomerField::Phone.check("+254 712-345 678"), Ok(()));
        assert_eq!(CustomerField::Phone.check("12ab"), Err(FieldProblem::Phone));
        assert_eq!(CustomerField::Phone.normalize("+254 712-345 678"), "+254712345678");
        assert_eq!(CustomerField::FirstName.check("  "), Err(FieldProblem::Empty));
        assert_eq!(CustomerField::Phone.gate_key(), "phone");
    }

    #[test]
    fn paydala_group_code_is_accepted() {
        assert_eq!(MethodCode::parse("terminal/paydala"), Some(MethodCode::Paydala));
        assert_eq!(MethodCode::parse("card"), None);
    }
}
