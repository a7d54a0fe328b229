//! Denial of wallet in dollars: what a request flood against a publicly reachable function
//! costs per hour at the limits that actually bind, and which limit to set to cap it.
//!
//! The worst case is an attacker who sends as many requests as the platform accepts, each of
//! which runs for the function's full timeout. Invocations per second are the smallest of:
//! the concurrency available to the function (its reserved concurrency, else the account's
//! unreserved pool, 1,000 by default) divided by the timeout; the API's stage throttle when an
//! API Gateway API is in front; and API Gateway's account-level limit (10,000 requests per
//! second per region). The hourly cost is then
//!
//! ```text
//! rate × 3600 × (lambda request price + API request price)
//!   + rate × timeout × memory GB × 3600 × GB-second price (x86_64 or arm64)
//! ```
//!
//! with prices from the dated table in [`prices`]. Every estimate carries its assumptions as
//! sentences, and the caps a setting would give ("reserved concurrency 10 → $0.60/h").
//!
//! This crate needs only the model, so the DOW rules (in `perimeter_rules`) and the scorer
//! (`perimeter_score::cost`, which adds the exposure-aware [`CostInputs`] of a function) can
//! both use it.

pub mod prices;

pub use prices::{PRICE_TABLE, PRICES_DATE, PRICES_SOURCE, Prices, default_prices, prices};

use perimeter_model::{ApiKind, App, Function, TriggerKind};
use serde::Serialize;

/// Lambda's default concurrency quota per account and region.
pub const DEFAULT_ACCOUNT_CONCURRENCY: u32 = 1_000;
/// API Gateway's default account-level throttle, requests per second per region.
pub const API_GATEWAY_ACCOUNT_RPS: f64 = 10_000.0;
/// Lambda's maximum timeout and memory: the worst case when a value cannot be read.
pub const MAX_TIMEOUT: u32 = 900;
pub const MAX_MEMORY: u32 = 10_240;
/// The settings suggested as caps.
pub const SUGGESTED_RESERVED: u32 = 10;
pub const SUGGESTED_THROTTLE_RPS: f64 = 10.0;

/// An API Gateway API in front of the function.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ApiFront {
    pub kind: ApiKind,
    /// Stage or route throttle, requests per second, when set.
    pub throttle_rate: Option<f64>,
}

/// What the estimate needs to know.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostInputs {
    pub memory_mb: u32,
    pub timeout_s: u32,
    pub arm64: bool,
    /// Reserved concurrency, when set.
    pub reserved: Option<u32>,
    /// The account's concurrency quota in the region.
    pub account_concurrency: u32,
    pub api: Option<ApiFront>,
}

/// The limit that sets the flood's rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Limit {
    ReservedConcurrency,
    AccountConcurrency,
    ApiThrottle,
    ApiGatewayAccountLimit,
}

impl Limit {
    pub fn as_str(self) -> &'static str {
        match self {
            Limit::ReservedConcurrency => "the function's reserved concurrency",
            Limit::AccountConcurrency => "the account's concurrency limit",
            Limit::ApiThrottle => "the API's throttling",
            Limit::ApiGatewayAccountLimit => "API Gateway's account-level throttle",
        }
    }
}

/// A setting and what it would cap the cost at.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cap {
    /// `reserved concurrency 10`, `API throttling 10 requests/s`.
    pub setting: String,
    pub per_hour: f64,
}

/// The worst-case cost of a flood.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostEstimate {
    /// Dollars per hour, all charges.
    pub per_hour: f64,
    pub lambda_requests_per_hour: f64,
    pub lambda_compute_per_hour: f64,
    pub api_requests_per_hour: f64,
    /// Invocations per second the limits allow.
    pub invocations_per_second: f64,
    /// Concurrent executions at that rate.
    pub concurrency: f64,
    pub binding: Limit,
    pub region: &'static str,
    pub prices_date: &'static str,
    /// The assumptions, as sentences.
    pub assumptions: Vec<String>,
    /// Settings that would lower the cost, with the cost they would cap it at.
    pub caps: Vec<Cap>,
}

impl CostEstimate {
    /// One line for messages and score reasons: `up to $60.14/h (…); reserved concurrency 10
    /// would cap it at $0.60/h`.
    pub fn summary(&self) -> String {
        let mut text = format!(
            "a request flood costs up to {}/h ({} prices of {}, bound by {})",
            dollars(self.per_hour),
            self.region,
            self.prices_date,
            self.binding.as_str()
        );
        if let Some(cap) = self.caps.first() {
            text.push_str(&format!(
                "; {} would cap it at {}/h",
                cap.setting,
                dollars(cap.per_hour)
            ));
        }
        text
    }
}

/// `$60.14`, `$0.0036`: cents for amounts of a dollar or more, four decimals below.
pub fn dollars(amount: f64) -> String {
    if amount >= 1.0 {
        format!("${amount:.2}")
    } else {
        format!("${amount:.4}")
    }
}

/// The worst-case hourly cost for `inputs` at `prices`.
pub fn estimate(inputs: &CostInputs, prices: &'static Prices) -> CostEstimate {
    let mut est = raw(inputs, prices);
    let gb = f64::from(inputs.memory_mb) / 1024.0;
    let arch = if inputs.arm64 { "arm64" } else { "x86_64" };
    est.assumptions.push(format!(
        "each invocation runs its full {} s timeout at {} MB ({arch})",
        inputs.timeout_s, inputs.memory_mb
    ));
    est.assumptions.push(format!(
        "the attacker sustains {:.2} invocations/s ({:.0} concurrent executions, {gb:.3} GB each), the most {} allows",
        est.invocations_per_second,
        est.concurrency,
        est.binding.as_str()
    ));
    if inputs.reserved.is_none() {
        est.assumptions.push(format!(
            "no reserved concurrency: the function can take the account's whole pool of {}",
            inputs.account_concurrency
        ));
    }
    if let Some(api) = inputs.api {
        est.assumptions.push(format!(
            "every request that reaches the function is billed by the {} API; throttled requests are not",
            match api.kind {
                ApiKind::Rest => "REST",
                ApiKind::Http => "HTTP",
                ApiKind::WebSocket => "WebSocket",
            }
        ));
    }
    est.assumptions.push(format!(
        "first-tier on-demand prices for {} as of {PRICES_DATE}; free tier and data transfer ignored",
        prices.region
    ));
    if inputs.reserved.is_none_or(|r| r > SUGGESTED_RESERVED) {
        let capped = CostInputs {
            reserved: Some(SUGGESTED_RESERVED),
            ..inputs.clone()
        };
        est.caps.push(Cap {
            setting: format!("reserved concurrency {SUGGESTED_RESERVED}"),
            per_hour: raw(&capped, prices).per_hour,
        });
    }
    if let Some(api) = inputs.api
        && api.throttle_rate.is_none_or(|r| r > SUGGESTED_THROTTLE_RPS)
    {
        let capped = CostInputs {
            api: Some(ApiFront {
                throttle_rate: Some(SUGGESTED_THROTTLE_RPS),
                ..api
            }),
            ..inputs.clone()
        };
        est.caps.push(Cap {
            setting: format!("API throttling {SUGGESTED_THROTTLE_RPS:.0} requests/s"),
            per_hour: raw(&capped, prices).per_hour,
        });
    }
    est
}

/// The figures alone, without the assumption text or caps.
fn raw(inputs: &CostInputs, prices: &'static Prices) -> CostEstimate {
    let timeout = f64::from(inputs.timeout_s.max(1));
    let gb = f64::from(inputs.memory_mb) / 1024.0;
    let (pool, mut binding) = match inputs.reserved {
        Some(r) => (
            r.min(inputs.account_concurrency),
            Limit::ReservedConcurrency,
        ),
        None => (inputs.account_concurrency, Limit::AccountConcurrency),
    };
    let mut rate = f64::from(pool) / timeout;
    if let Some(api) = inputs.api {
        if let Some(throttle) = api.throttle_rate.filter(|t| *t >= 0.0)
            && throttle < rate
        {
            rate = throttle;
            binding = Limit::ApiThrottle;
        }
        if API_GATEWAY_ACCOUNT_RPS < rate {
            rate = API_GATEWAY_ACCOUNT_RPS;
            binding = Limit::ApiGatewayAccountLimit;
        }
    }
    let per_hour_invocations = rate * 3600.0;
    let gbs_price = if inputs.arm64 {
        prices.gb_second_arm
    } else {
        prices.gb_second_x86
    };
    let api_price = match inputs.api.map(|a| a.kind) {
        Some(ApiKind::Rest) => prices.rest_per_million,
        Some(ApiKind::Http) => prices.http_per_million,
        Some(ApiKind::WebSocket) => prices.websocket_per_million,
        None => 0.0,
    };
    let lambda_requests = per_hour_invocations * prices.lambda_requests_per_million / 1e6;
    let compute = rate * timeout * gb * 3600.0 * gbs_price;
    let api = per_hour_invocations * api_price / 1e6;
    CostEstimate {
        per_hour: lambda_requests + compute + api,
        lambda_requests_per_hour: lambda_requests,
        lambda_compute_per_hour: compute,
        api_requests_per_hour: api,
        invocations_per_second: rate,
        concurrency: rate * timeout,
        binding,
        region: prices.region,
        prices_date: PRICES_DATE,
        assumptions: Vec::new(),
        caps: Vec::new(),
    }
}

/// The inputs for `function` behind `api` (`None`: invoked directly), with a note for each
/// value that could not be read and was replaced by its worst case.
pub fn function_inputs(
    function: &Function,
    api: Option<ApiFront>,
    account_concurrency: u32,
) -> (CostInputs, Vec<String>) {
    let mut notes = Vec::new();
    let timeout = function.timeout.known().copied().unwrap_or_else(|| {
        notes.push(format!(
            "timeout unresolved: assumed Lambda's maximum, {MAX_TIMEOUT} s"
        ));
        MAX_TIMEOUT
    });
    let memory = function.memory.known().copied().unwrap_or_else(|| {
        notes.push(format!(
            "memory unresolved: assumed Lambda's maximum, {MAX_MEMORY} MB"
        ));
        MAX_MEMORY
    });
    let reserved = match &function.reserved_concurrency {
        None => None,
        Some(attr) => match attr.known() {
            Some(r) => Some(u32::try_from(*r).unwrap_or(0)),
            None => {
                notes.push("reserved concurrency unresolved: assumed none".to_string());
                None
            }
        },
    };
    let arm64 = function
        .architectures
        .iter()
        .any(|a| a.eq_ignore_ascii_case("arm64"));
    (
        CostInputs {
            memory_mb: memory,
            timeout_s: timeout,
            arm64,
            reserved,
            account_concurrency,
            api,
        },
        notes,
    )
}

/// The API Gateway API in front of an entry point of kind `kind` going through `source` (an
/// API id), with its throttle when declared; `None` for entry points without one.
pub fn api_front(app: &App, kind: TriggerKind, source: Option<&str>) -> Option<ApiFront> {
    let default_kind = match kind {
        TriggerKind::Api => ApiKind::Rest,
        TriggerKind::HttpApi => ApiKind::Http,
        TriggerKind::WebSocket => ApiKind::WebSocket,
        _ => return None,
    };
    let declared = source.and_then(|id| app.api(id));
    Some(ApiFront {
        kind: declared.map_or(default_kind, |a| a.kind),
        throttle_rate: declared
            .and_then(|a| a.throttle_rate.as_ref())
            .and_then(|t| t.known().copied()),
    })
}

#[cfg(test)]
mod tests;
