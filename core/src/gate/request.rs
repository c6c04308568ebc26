//! What a Gate request is made of: the endpoints, the sale kinds, the ids, customer and
//! payment of a body, and the requests the platform reads from one.

use crate::catalog::MethodCode;
use crate::money::MinorUnits;
use crate::params::CustomerData;

pub const CARD_PARTNER_SALE_PATH: &str = "/v2/payment/card-partner/sale";
pub const CARD_PARTNER_REFUND_PATH: &str = "/v2/payment/card-partner/refund";
pub const EPAY_SALE_PATH: &str = "/v2/payment/cash/epay/sale";

/// Which sale request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SaleKind {
    /// `/v2/payment/card-partner/sale`: KES or USD within the seed's limits.
    CardPartner,
    /// `/v2/payment/cash/epay/sale`: MYR; names, e-mail, phone and description required.
    Epay,
}

impl SaleKind {
    pub fn path(self) -> &'static str {
        match self {
            SaleKind::CardPartner => CARD_PARTNER_SALE_PATH,
            SaleKind::Epay => EPAY_SALE_PATH,
        }
    }

    pub fn method(self) -> MethodCode {
        match self {
            SaleKind::CardPartner => MethodCode::CardPartner,
            SaleKind::Epay => MethodCode::EpayCash,
        }
    }
}

/// What a Gate path asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GateEndpoint {
    Sale(SaleKind),
    Refund,
}

impl GateEndpoint {
    /// The endpoint of a request path (exact match, with or without a trailing `/`).
    pub fn from_path(path: &str) -> Option<GateEndpoint> {
        let path = path.strip_suffix('/').unwrap_or(path);
        match path {
            CARD_PARTNER_SALE_PATH => Some(GateEndpoint::Sale(SaleKind::CardPartner)),
            EPAY_SALE_PATH => Some(GateEndpoint::Sale(SaleKind::Epay)),
            CARD_PARTNER_REFUND_PATH => Some(GateEndpoint::Refund),
            _ => None,
        }
    }

    pub fn path(self) -> &'static str {
        match self {
            GateEndpoint::Sale(kind) => kind.path(),
            GateEndpoint::Refund => CARD_PARTNER_REFUND_PATH,
        }
    }
}

/// `general` without the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneralIds {
    pub project_id: u64,
    pub payment_id: String,
}

/// `customer`: Gate's `id` and `ip_address`, and the names, email and phone as the
/// Payment Page takes them ([`CustomerData`]). `phone` and `email` are recommended for
/// card-partner; EPay requires `first_name`, `last_name`, `email` and `phone` too.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GateCustomer {
    pub id: String,
    pub ip_address: String,
    pub data: CustomerData,
}

impl GateCustomer {
    pub fn new(id: impl Into<String>, ip_address: impl Into<String>) -> Self {
        GateCustomer { id: id.into(), ip_address: ip_address.into(), ..Default::default() }
    }
    pub fn with_phone(mut self, v: impl Into<String>) -> Self {
        self.data.phone = Some(v.into());
        self
    }
    pub fn with_email(mut self, v: impl Into<String>) -> Self {
        self.data.email = Some(v.into());
        self
    }
    pub fn with_name(mut self, first: impl Into<String>, last: impl Into<String>) -> Self {
        self.data.first_name = Some(first.into());
        self.data.last_name = Some(last.into());
        self
    }
}

/// `payment`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatePayment {
    pub amount: MinorUnits,
    pub currency: String,
    pub description: Option<String>,
}

impl GatePayment {
    pub fn new(amount: MinorUnits, currency: impl Into<String>) -> Self {
        GatePayment { amount, currency: currency.into(), description: None }
    }
    pub fn with_description(mut self, v: impl Into<String>) -> Self {
        self.description = Some(v.into());
        self
    }
}

/// A checked sale request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleRequest {
    pub kind: SaleKind,
    pub general: GeneralIds,
    pub customer: GateCustomer,
    pub payment: GatePayment,
    /// `general.signature` as sent; [`crate::signature::verify`] checks it.
    pub signature: String,
}

/// A checked (full) refund request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    pub general: GeneralIds,
    pub signature: String,
}
