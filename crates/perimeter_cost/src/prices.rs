//! The dated, region-aware price table built into the binary.
//!
//! First-tier on-demand prices (the tier a flood starts in) from AWS's public pricing pages,
//! <https://aws.amazon.com/lambda/pricing/> and <https://aws.amazon.com/api-gateway/pricing/>,
//! as recorded on [`PRICES_DATE`]. Lambda's request and GB-second prices are the same in the
//! regions listed; API Gateway's differ. The free tier is ignored (a flood exhausts it).
//!
//! Checked against a second published source: the us-east-1 Lambda figures ($0.20 per
//! million requests, $0.0000166667 / $0.0000133334 per GB-second on x86_64 / arm64) and the
//! us-east-1 API Gateway figures ($3.50 REST, $1.00 HTTP per million). The other regions' API
//! Gateway figures have not been cross-checked yet: re-verify them against the pricing page
//! before relying on a non-default region's estimate.

use serde::Serialize;

/// When the table was recorded.
pub const PRICES_DATE: &str = "2026-11-22";

/// Where the figures come from.
pub const PRICES_SOURCE: &str =
    "AWS Lambda and Amazon API Gateway public pricing pages (first tier, on demand)";

/// Prices of one region, in US dollars.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Prices {
    pub region: &'static str,
    /// Per million Lambda requests.
    pub lambda_requests_per_million: f64,
    /// Per GB-second of x86_64 compute.
    pub gb_second_x86: f64,
    /// Per GB-second of arm64 (Graviton) compute.
    pub gb_second_arm: f64,
    /// Per million REST API requests (first 333 million a month).
    pub rest_per_million: f64,
    /// Per million HTTP API requests (first 300 million a month).
    pub http_per_million: f64,
    /// Per million WebSocket messages (first billion a month).
    pub websocket_per_million: f64,
}

const LAMBDA_REQ: f64 = 0.20;
const GBS_X86: f64 = 0.000_016_666_7;
const GBS_ARM: f64 = 0.000_013_333_4;

/// The table. `us-east-1` first: it is the default.
pub const PRICE_TABLE: &[Prices] = &[
    region("us-east-1", 3.50, 1.00, 1.00),
    region("us-east-2", 3.50, 1.00, 1.00),
    region("us-west-2", 3.50, 1.00, 1.00),
    region("eu-west-1", 3.50, 1.11, 1.14),
    region("eu-central-1", 3.70, 1.20, 1.20),
    region("ap-northeast-1", 4.25, 1.29, 1.29),
];

const fn region(name: &'static str, rest: f64, http: f64, websocket: f64) -> Prices {
    Prices {
        region: name,
        lambda_requests_per_million: LAMBDA_REQ,
        gb_second_x86: GBS_X86,
        gb_second_arm: GBS_ARM,
        rest_per_million: rest,
        http_per_million: http,
        websocket_per_million: websocket,
    }
}

/// The prices of `region`, if the table has it.
pub fn prices(region: &str) -> Option<&'static Prices> {
    PRICE_TABLE.iter().find(|p| p.region == region)
}

/// The default region's prices (`us-east-1`).
pub fn default_prices() -> &'static Prices {
    &PRICE_TABLE[0]
}
