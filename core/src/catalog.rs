//! The method catalog: what each seed allows (currencies, amount limits in minor
//! units, required and recommended customer fields).

use crate::money::MinorUnits;
use serde::{Deserialize, Serialize};

/// A payment method, named on the wire by its `force_payment_method` code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MethodCode {
    #[serde(rename = "card-partner")]
    CardPartner,
    #[serde(rename = "epaycash")]
    EpayCash,
    #[serde(rename = "paydala")]
    Paydala,
}

impl MethodCode {
    pub const ALL: [MethodCode; 3] = [MethodCode::CardPartner, MethodCode::EpayCash, MethodCode::Paydala];

    pub fn as_str(self) -> &'static str {
        match self {
            MethodCode::CardPartner => "card-partner",
            MethodCode::EpayCash => "epaycash",
            MethodCode::Paydala => "paydala",
        }
    }

    /// Accepts the method code, and for PayDala also its payment group `terminal/paydala`.
    pub fn parse(s: &str) -> Option<MethodCode> {
        match s {
            "card-partner" => Some(MethodCode::CardPartner),
            "epaycash" => Some(MethodCode::EpayCash),
            "paydala" | "terminal/paydala" => Some(MethodCode::Paydala),
            _ => None,
        }
    }

    pub fn rule(self) -> &'static MethodRule {
        match self {
            MethodCode::CardPartner => &CARD_PARTNER,
            MethodCode::EpayCash => &EPAY_CASH,
            MethodCode::Paydala => &PAYDALA,
        }
    }

    /// Whether its screen shows a number to take to a terminal, drawn as a QR code (and a
    /// barcode): the widget fetches the drawings module while such a method is on offer.
    pub fn shows_code(self) -> bool {
        match self {
            MethodCode::CardPartner => false,
            MethodCode::EpayCash | MethodCode::Paydala => true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Ecommpay,
    Jetpay,
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

#[derive(Debug)]
pub struct MethodRule {
    pub code: MethodCode,
    pub platform: Platform,
    pub currencies: &'static [CurrencyLimit],
    /// Must be present before paying: the widget asks for the missing ones.
    pub required: &'static [CustomerField],
    /// Asked for when absent, as the seed's Payment Page does.
    pub recommended: &'static [CustomerField],
    /// Lifetime of a payment in seconds: base and upper bound, where the seed gives them.
    pub lifetime_secs: Option<(u64, u64)>,
}

pub static CARD_PARTNER: MethodRule = MethodRule {
    code: MethodCode::CardPartner,
    platform: Platform::Ecommpay,
    currencies: &[
        CurrencyLimit { currency: "KES", min: Some(MinorUnits(1_000)), max: Some(MinorUnits(20_000_000)) },
        CurrencyLimit { currency: "USD", min: Some(MinorUnits(100)), max: Some(MinorUnits(300_000)) },
    ],
    required: &[],
    recommended: &[CustomerField::Phone, CustomerField::Email],
    lifetime_secs: None,
};

pub static EPAY_CASH: MethodRule = MethodRule {
    code: MethodCode::EpayCash,
    platform: Platform::Ecommpay,
    currencies: &[CurrencyLimit { currency: "MYR", min: None, max: None }],
    required: &[CustomerField::FirstName, CustomerField::LastName, CustomerField::Email, CustomerField::Phone],
    recommended: &[],
    lifetime_secs: None,
};

pub static PAYDALA: MethodRule = MethodRule {
    code: MethodCode::Paydala,
    platform: Platform::Jetpay,
    currencies: &[CurrencyLimit { currency: "KZT", min: None, max: None }],
    required: &[],
    recommended: &[],
    lifetime_secs: Some((60, 36 * 24 * 3600)),
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

    /// A method's place in `MethodCode::ALL`: a new variant does not compile here until it
    /// has one, and `all_lists_every_method` then fails until `ALL` lists it.
    fn position(m: MethodCode) -> usize {
        match m {
            MethodCode::CardPartner => 0,
            MethodCode::EpayCash => 1,
            MethodCode::Paydala => 2,
        }
    }

    #[test]
    fn all_lists_every_method() {
        for (i, m) in MethodCode::ALL.iter().enumerate() {
            assert_eq!(position(*m), i, "{m:?}");
        }
        let last = MethodCode::ALL.iter().map(|m| position(*m)).max().unwrap();
        assert_eq!(MethodCode::ALL.len(), last + 1);
    }

    use super::*;

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
    fn each_currency_gets_its_own_method() {
        assert_eq!(methods_for("KES", MinorUnits(10_000)), vec![MethodCode::CardPartner]);
        assert_eq!(methods_for("USD", MinorUnits(10_000)), vec![MethodCode::CardPartner]);
        assert_eq!(methods_for("MYR", MinorUnits(500_000)), vec![MethodCode::EpayCash]);
        assert_eq!(methods_for("KZT", MinorUnits(100_000)), vec![MethodCode::Paydala]);
        assert_eq!(methods_for("EUR", MinorUnits(100)), vec![]);
        assert_eq!(methods_for("USD", MinorUnits(99)), vec![]);
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
