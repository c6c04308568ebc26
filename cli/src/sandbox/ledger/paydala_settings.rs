//! PayDala's configuration (`epay sandbox --paydala-...`) and the settings resolved from it
//! at start, which [`Shared`](super::state::Shared) carries for the method
//! (`methods::paydala`, which re-exports them).

use epay_core::catalog::{Lifetime, MethodCode};
use std::time::Duration;

/// The JetPay demo project that takes PayDala top-ups.
pub const PROJECT_ID: u64 = super::projects::demo_project(MethodCode::Paydala.rule().platform).id;
/// The service name terminals list for it, unless configured otherwise.
pub const DEFAULT_SERVICE_NAME: &str = "Demo Shop";
/// How long the platform waits for each `verify` / `check_deposit` answer by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// The demo merchant's web service, under the sandbox's base URL.
pub const MERCHANT_PATH: &str = "/merchant/paydala";

/// How the sandbox's PayDala is set up for project 1234.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaydalaConfig {
    /// The name the terminal lists for the project (the customer picks it).
    pub service_name: String,
    /// The merchant web service for `verify` and `check_deposit`; `None`: the demo
    /// merchant at `http://127.0.0.1:PORT/merchant/paydala`.
    pub merchant_url: Option<String>,
    /// Applies to each of the two calls.
    pub timeout: Duration,
    /// Where project 1234's callbacks go; `None`: the demo merchant's callback URL.
    pub callback_url: Option<String>,
    /// How long a Payment Page PayDala payment waits for a top-up before it is declined
    /// (`methods::paydala::LIFETIME_CODE`, `lifetime_message`). Seed 000: base time 1 minute, limit 36
    /// days; the default is the limit, the most a real payment can wait.
    pub lifetime: Duration,
}

/// Seed 000's lifetime, from the catalog (`epay_core::catalog::PAYDALA`).
const LIFETIME: Lifetime = match MethodCode::Paydala.rule().lifetime {
    Some(l) => l,
    None => panic!("the catalog gives PayDala a lifetime (seed 000)"),
};
/// Seed 000's limit ("предельное" time): 36 days.
pub const MAX_LIFETIME: Duration = Duration::from_secs(LIFETIME.max_secs);
/// Seed 000's base time: 1 minute.
pub const BASE_LIFETIME: Duration = Duration::from_secs(LIFETIME.base_secs);

impl Default for PaydalaConfig {
    fn default() -> Self {
        PaydalaConfig {
            service_name: DEFAULT_SERVICE_NAME.into(),
            merchant_url: None,
            timeout: DEFAULT_TIMEOUT,
            callback_url: None,
            lifetime: MAX_LIFETIME,
        }
    }
}

/// `epay sandbox` flags for PayDala.
#[derive(Debug, Clone, clap::Args)]
pub struct PaydalaArgs {
    /// The service name PayDala terminals list for JetPay project 1234.
    #[arg(long = "paydala-service", default_value = DEFAULT_SERVICE_NAME)]
    pub service_name: String,
    /// The merchant web service that answers verify and check_deposit
    /// [default: the demo shop, http://127.0.0.1:PORT/merchant/paydala].
    #[arg(long = "paydala-url")]
    pub merchant_url: Option<String>,
    /// How long the platform waits for each verify / check_deposit answer, in milliseconds.
    #[arg(long = "paydala-timeout-ms", default_value_t = 5000)]
    pub timeout_ms: u64,
    /// Where the callbacks of project 1234 go
    /// [default: the demo shop, http://127.0.0.1:PORT/merchant/callback].
    #[arg(long = "paydala-callback-url")]
    pub callback_url: Option<String>,
    /// How long a Payment Page PayDala payment waits for a top-up before it is declined, in
    /// seconds (seed 000: base 60, limit 3110400 = 36 days).
    #[arg(long = "paydala-lifetime-secs", default_value_t = MAX_LIFETIME.as_secs())]
    pub lifetime_secs: u64,
}

impl From<PaydalaArgs> for PaydalaConfig {
    fn from(a: PaydalaArgs) -> Self {
        PaydalaConfig {
            service_name: a.service_name,
            merchant_url: a.merchant_url,
            timeout: Duration::from_millis(a.timeout_ms),
            callback_url: a.callback_url,
            lifetime: Duration::from_secs(a.lifetime_secs),
        }
    }
}

/// A merchant service the terminal lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub project_id: u64,
    pub name: String,
    pub merchant_url: String,
}

/// The configuration, checked and resolved against the port the sandbox listens on.
#[derive(Debug, Clone)]
pub struct Settings {
    pub services: Vec<Service>,
    pub timeout: Duration,
    pub lifetime: Duration,
}

impl Settings {
    pub fn resolve(config: &PaydalaConfig, base_url: &str) -> Result<Settings, String> {
        let name = config.service_name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err("PayDala service name: must be 1 to 100 characters with no control characters".into());
        }
        let url = config.merchant_url.clone().unwrap_or_else(|| format!("{base_url}{MERCHANT_PATH}"));
        check_http_url("PayDala merchant URL", &url)?;
        if let Some(cb) = &config.callback_url {
            check_http_url("PayDala callback URL", cb)?;
        }
        if config.timeout.is_zero() || config.timeout > Duration::from_secs(600) {
            return Err("PayDala merchant timeout: must be between 1 ms and 600 s".into());
        }
        if config.lifetime < Duration::from_secs(1) || config.lifetime > MAX_LIFETIME {
            return Err(format!("PayDala payment lifetime: must be between 1 s and {} (seed 000's limit)", shown_duration(MAX_LIFETIME)));
        }
        Ok(Settings {
            services: vec![Service { project_id: PROJECT_ID, name: name.to_string(), merchant_url: url }],
            timeout: config.timeout,
            lifetime: config.lifetime,
        })
    }

    pub fn service(&self, project_id: u64) -> Option<&Service> {
        self.services.iter().find(|s| s.project_id == project_id)
    }
}

fn check_http_url(what: &str, url: &str) -> Result<(), String> {
    match reqwest::Url::parse(url) {
        Ok(u) if (u.scheme() == "http" || u.scheme() == "https") && u.host_str().is_some() => Ok(()),
        Ok(_) => Err(format!("{what}: must be an absolute http or https URL, got {url:?}")),
        Err(e) => Err(format!("{what}: {e}, got {url:?}")),
    }
}

/// A whole duration in its largest whole unit: `36 days`, `1 minute`.
pub fn shown_duration(d: Duration) -> String {
    let secs = d.as_secs();
    let (n, unit) = if secs.is_multiple_of(86_400) {
        (secs / 86_400, "day")
    } else if secs.is_multiple_of(3600) {
        (secs / 3600, "hour")
    } else if secs.is_multiple_of(60) {
        (secs / 60, "minute")
    } else {
        (secs, "second")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}
