//! `epay gate ...`: the merchant toolkit's Gate requests, built and signed with
//! `epay_core::gate` (the same builders a Rust back end calls).
//!
//! - `epay gate sale`: card-partner sale (`/v2/payment/card-partner/sale`)
//! - `epay gate refund`: full card-partner refund (`/v2/payment/card-partner/refund`)
//! - `epay gate epay-sale`: EPay cash sale (`/v2/payment/cash/epay/sale`)
//! - `epay gate status`: the sandbox's signed status request (`/v2/payment/status`)
//! - `epay gate clarify`: the customer fields a sale was asked to clarify (`/v2/payment/clarification`)
//!
//! Without `--send` the signed JSON body is printed (send it with any HTTP client). With
//! `--send URL` it is POSTed to `URL` + the request's path and the answer is printed.
//! Exit codes: 0 printed / accepted, 1 refused (by the builder, naming each parameter,
//! or by the platform) or not sent, 2 usage errors.

use clap::{Args, Subcommand};
use epay_core::gate::{
    self, ClarificationData, GateCustomer, GatePayment, GateResponse, GeneralIds, ReturnUrl, CARD_PARTNER_REFUND_PATH,
    CARD_PARTNER_SALE_PATH, CLARIFICATION_PATH, EPAY_SALE_PATH, PAYMENT_STATUS_PATH,
};
use epay_core::{MinorUnits, ParamError};
use serde_json::Value;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, Args)]
pub struct Ids {
    /// general.project_id
    #[arg(long = "project", value_name = "ID")]
    pub project: u64,
    /// general.payment_id (unique in the project)
    #[arg(long = "payment-id", value_name = "ID")]
    pub payment_id: String,
    /// The project secret the request is signed with.
    #[arg(long)]
    pub secret: String,
}

#[derive(Debug, Args)]
pub struct SaleArgs {
    /// payment.amount in minor units (1000 is 10.00)
    #[arg(long, allow_negative_numbers = true)]
    pub amount: i64,
    /// payment.currency, ISO 4217 alpha-3 (card-partner: KES or USD; epay-sale: MYR)
    #[arg(long)]
    pub currency: String,
    /// customer.id
    #[arg(long = "customer-id", value_name = "ID")]
    pub customer_id: String,
    /// customer.ip_address
    #[arg(long = "ip", value_name = "ADDRESS")]
    pub ip: String,
}

#[derive(Debug, Args)]
pub struct Send {
    /// POST the request to this platform base URL (e.g. http://127.0.0.1:8787) and print
    /// its answer. Plain http only (this build has no TLS): for https, send the printed body.
    #[arg(long, value_name = "URL")]
    pub send: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum GateCommand {
    /// A card-partner sale: general, customer {id, ip_address, phone?, email?}, payment {amount, currency}.
    Sale {
        #[command(flatten)]
        ids: Ids,
        #[command(flatten)]
        sale: SaleArgs,
        /// customer.email (recommended)
        #[arg(long)]
        email: Option<String>,
        /// customer.phone (recommended)
        #[arg(long)]
        phone: Option<String>,
        /// customer.first_name
        #[arg(long = "first-name")]
        first_name: Option<String>,
        /// customer.last_name
        #[arg(long = "last-name")]
        last_name: Option<String>,
        /// payment.description
        #[arg(long)]
        description: Option<String>,
        /// return_url.success: where the partner sends the customer after a successful payment
        #[arg(long = "return-success", value_name = "URL")]
        return_success: Option<String>,
        /// return_url.decline: where the partner sends the customer after a declined payment
        #[arg(long = "return-decline", value_name = "URL")]
        return_decline: Option<String>,
        #[command(flatten)]
        send: Send,
    },
    /// A full card-partner refund: general only.
    Refund {
        #[command(flatten)]
        ids: Ids,
        #[command(flatten)]
        send: Send,
    },
    /// An EPay cash sale (MYR): names, e-mail, phone and description are required.
    EpaySale {
        #[command(flatten)]
        ids: Ids,
        #[command(flatten)]
        sale: SaleArgs,
        /// customer.first_name
        #[arg(long = "first-name")]
        first_name: String,
        /// customer.last_name
        #[arg(long = "last-name")]
        last_name: String,
        /// customer.email
        #[arg(long)]
        email: String,
        /// customer.phone
        #[arg(long)]
        phone: String,
        /// payment.description
        #[arg(long)]
        description: String,
        #[command(flatten)]
        send: Send,
    },
    /// The sandbox's status request: general only; the answer lists the payment's operations.
    Status {
        #[command(flatten)]
        ids: Ids,
        #[command(flatten)]
        send: Send,
    },
    /// Supplies what a sale's `awaiting clarification` callback listed in
    /// `clarification_fields`: general plus additional_data.customer {phone?, email?}.
    Clarify {
        #[command(flatten)]
        ids: Ids,
        /// additional_data.customer.phone (when the callback asks for customer.phone)
        #[arg(long)]
        phone: Option<String>,
        /// additional_data.customer.email (when the callback asks for customer.email)
        #[arg(long)]
        email: Option<String>,
        #[command(flatten)]
        send: Send,
    },
}

impl GateCommand {
    fn name(&self) -> &'static str {
        match self {
            GateCommand::Sale { .. } => "sale",
            GateCommand::Refund { .. } => "refund",
            GateCommand::EpaySale { .. } => "epay-sale",
            GateCommand::Status { .. } => "status",
            GateCommand::Clarify { .. } => "clarify",
        }
    }
}

fn general(ids: &Ids) -> GeneralIds {
    GeneralIds { project_id: ids.project, payment_id: ids.payment_id.clone() }
}

/// The signed body, its path, and where to send it.
fn build(cmd: GateCommand) -> Result<(Value, &'static str, Option<String>), Vec<ParamError>> {
    match cmd {
        GateCommand::Sale { ids, sale, email, phone, first_name, last_name, description, return_success, return_decline, send } => {
            let customer = GateCustomer {
                data: epay_core::params::CustomerData { first_name, last_name, email, phone },
                ..GateCustomer::new(sale.customer_id, sale.ip)
            };
            let payment = GatePayment { description, ..GatePayment::new(MinorUnits(sale.amount), sale.currency) };
            let urls = ReturnUrl { success: return_success, decline: return_decline };
            let body = gate::card_partner_sale_returning(&general(&ids), &customer, &payment, &urls, &ids.secret)?;
            Ok((body, CARD_PARTNER_SALE_PATH, send.send))
        }
        GateCommand::Refund { ids, send } => {
            Ok((gate::card_partner_refund(&general(&ids), &ids.secret)?, CARD_PARTNER_REFUND_PATH, send.send))
        }
        GateCommand::EpaySale { ids, sale, first_name, last_name, email, phone, description, send } => {
            let customer =
                GateCustomer::new(sale.customer_id, sale.ip).with_name(first_name, last_name).with_email(email).with_phone(phone);
            let payment = GatePayment::new(MinorUnits(sale.amount), sale.currency).with_description(description);
            Ok((gate::epay_sale(&general(&ids), &customer, &payment, &ids.secret)?, EPAY_SALE_PATH, send.send))
        }
        GateCommand::Status { ids, send } => {
            Ok((gate::payment_status_request(&general(&ids), &ids.secret)?, PAYMENT_STATUS_PATH, send.send))
        }
        GateCommand::Clarify { ids, phone, email, send } => {
            let data = ClarificationData { phone, email };
            Ok((gate::clarification(&general(&ids), &data, &ids.secret)?, CLARIFICATION_PATH, send.send))
        }
    }
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())
}

/// Runs one `epay gate ...` command.
pub fn run(cmd: GateCommand) -> ExitCode {
    let name = cmd.name();
    let fail = |message: &str| {
        eprintln!("epay gate {name}: {message}");
        ExitCode::from(1)
    };
    let (body, path, send) = match build(cmd) {
        Ok(x) => x,
        Err(errs) => {
            for e in &errs {
                eprintln!("epay gate {name}: {e}");
            }
            return ExitCode::from(1);
        }
    };
    let Some(base) = send else {
        println!("{}", pretty(&body));
        return ExitCode::SUCCESS;
    };
    let url = format!("{}{path}", base.trim_end_matches('/'));
    if url.to_ascii_lowercase().starts_with("https:") {
        return fail(&format!(
            "cannot send to {url}: this build of epay has no TLS; --send works with plain http (the sandbox). \
             Run without --send and POST the printed body with your HTTP client"
        ));
    }
    let answer = match post(&url, &body) {
        Ok(a) => a,
        Err(e) => return fail(&format!("cannot send to {url}: {e}")),
    };
    let (status, text) = answer;
    match serde_json::from_str::<Value>(&text) {
        Ok(v) => println!("{}", pretty(&v)),
        Err(_) => println!("{text}"),
    }
    let accepted =
        if path == PAYMENT_STATUS_PATH { status == 200 } else { matches!(GateResponse::parse(&text), Ok(GateResponse::Accepted(_))) };
    if accepted {
        ExitCode::SUCCESS
    } else {
        let why = match GateResponse::parse(&text) {
            Ok(GateResponse::Rejected(r)) => format!("{} ({})", r.error.message, r.error.code),
            _ => format!("not a Gate answer: {}", text.chars().take(200).collect::<String>()),
        };
        fail(&format!("refused by the platform, HTTP {status}: {why}"))
    }
}

fn post(url: &str, body: &Value) -> Result<(u16, String), String> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| format!("async runtime: {e}"))?;
    runtime.block_on(async {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().map_err(|e| e.to_string())?;
        let r = client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = r.status().as_u16();
        let text = r.text().await.map_err(|e| e.to_string())?;
        Ok((status, text))
    })
}
