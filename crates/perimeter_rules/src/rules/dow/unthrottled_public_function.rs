//! ## What it does
//! Flags functions that anyone can invoke (an unauthenticated API route, a public function URL,
//! a `*` resource policy, a publicly writable trigger source) and that have neither reserved
//! concurrency nor API Gateway throttling or a usage plan in front of them.
//!
//! ## Why is this bad?
//! Lambda scales out to meet demand, and you pay for every invocation. A flood of requests
//! against a public, unthrottled function (a script, a botnet, a retry storm) scales it up to
//! the account's concurrency limit: the bill grows with the attacker's budget, not yours
//! (denial of wallet), and the function eats the concurrency that every other function in the
//! account and region shares, so they start to throttle too (denial of service).
//!
//! The message gives the worst case in dollars (us-east-1 prices, the account's default
//! concurrency of 1,000, every invocation running its full timeout at its memory size) and what
//! reserved concurrency 10 would cap it at; `perimeter graph --format json` carries the same
//! figure per function, and `perimeter_score::cost` the assumptions behind it.
//!
//! On Google Cloud and Azure the same flaw is an HTTP function anyone can call (an `allUsers`
//! invoker binding, `authLevel: anonymous`) with no cap of its own on scale-out: a Cloud
//! Function without `max_instance_count` (Terraform `service_config`, 2nd gen) /
//! `max_instances` (1st gen) / `maxInstances` (Serverless), which Google scales to 100
//! instances by default on 2nd gen and 3,000 on 1st gen; an Azure function app without
//! `functionAppScaleLimit` (Terraform `site_config.app_scale_limit`) or, on Flex Consumption,
//! `maximum_instance_count`, which the Consumption plan scales to 200 instances (100 on Linux)
//! and Flex Consumption to 100. Those limits are quotas, not budgets. perimeter's cost model
//! holds AWS prices only, so these findings carry no dollar figure. An Azure Functions project
//! (`function.json`) cannot set the scale limit: it is a setting of the function app, so the
//! finding says to set it there.
//!
//! ## Example
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Search:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       Events:
//!         Query:
//!           Type: HttpApi
//!           Properties:
//!             Path: /search
//!             Method: get
//! ```
//!
//! Use instead:
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Search:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       ReservedConcurrentExecutions: 20
//!       Events:
//!         Query:
//!           Type: HttpApi
//!           Properties:
//!             Path: /search
//!             Method: get
//! ```
//!
//! ## Remediation
//! Set `ReservedConcurrentExecutions` on the function to the most concurrency it legitimately
//! needs (it caps both cost and blast radius), and/or set stage or route throttling on the API
//! (`ThrottlingRateLimit`/`ThrottlingBurstLimit`, `DefaultRouteSettings` for HTTP APIs) or a usage
//! plan with API keys. Add AWS WAF rate-based rules for internet-facing APIs and a budget alarm.
//!
//! ## References
//! - CWE-770: Allocation of Resources Without Limits or Throttling
//! - https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
//! - https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
//! - https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html
//! - https://cloud.google.com/functions/docs/configuring/max-instances
//! - https://learn.microsoft.com/en-us/azure/azure-functions/event-driven-scaling#limit-scale-out
//! - https://learn.microsoft.com/en-us/azure/azure-functions/flex-consumption-plan#instance-memory

use crate::exposure::function_exposure;
use crate::exposure::function_label;
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_cost::{
    DEFAULT_ACCOUNT_CONCURRENCY, api_front, default_prices, dollars, estimate, function_inputs,
};
use perimeter_model::{App, Cloud, TriggerKind};

pub struct UnthrottledPublicFunction;

static META: RuleMeta = RuleMeta {
    code: "DOW001",
    name: "unthrottled-public-function",
    family: Family::Dow,
    summary: "Public function with no reserved concurrency and no API throttling",
    severity: Severity::Medium,
    likelihood: Level::Medium,
    impact: Level::Medium,
    confidence: Level::High,
    source: include_str!("unthrottled_public_function.rs"),
};

const REMEDIATION: &str = "Set ReservedConcurrentExecutions on the function, and/or throttling or a usage plan on the API in front of it.";

impl Rule for UnthrottledPublicFunction {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        for function in &app.functions {
            // Any reserved concurrency (even an unresolved one) caps the function.
            if function.reserved_concurrency.is_some() {
                continue;
            }
            let exposure = function_exposure(app, function);
            let unthrottled = exposure.public_entry_points().find(|entry| {
                let via_api = matches!(
                    entry.kind,
                    TriggerKind::Api | TriggerKind::HttpApi | TriggerKind::WebSocket
                );
                let api = entry.source.as_deref().and_then(|id| app.api(id));
                !(via_api && api.is_some_and(|a| a.throttle_rate.is_some() || a.usage_plan))
            });
            let Some(entry) = unthrottled else { continue };
            if !app.cloud.is_aws() {
                out.push(other_cloud(app, function, entry));
                continue;
            }
            let api = api_front(app, entry.kind, entry.source.as_deref());
            let (inputs, _) = function_inputs(function, api, DEFAULT_ACCOUNT_CONCURRENCY);
            let cost = estimate(&inputs, default_prices());
            let cap = cost
                .caps
                .first()
                .map(|c| format!(", {} would cap it at {}/h", c.setting, dollars(c.per_hour)))
                .unwrap_or_default();
            out.push(
                Finding::new(
                    &META,
                    &app.id,
                    Some(&function.id),
                    &function.id,
                    "concurrency",
                    format!(
                        "Function `{}` can be invoked by anyone ({}) and has no reserved concurrency and no API throttling: a request flood scales it to the account's concurrency limit at your expense, up to {}/h ({} s × {} MB, {} prices of {}){cap}.",
                        function_label(function),
                        entry.description,
                        dollars(cost.per_hour),
                        inputs.timeout_s,
                        inputs.memory_mb,
                        cost.region,
                        cost.prices_date
                    ),
                    function.location.clone(),
                    REMEDIATION,
                )
                .with_related(format!("public entry point: {}", entry.description), entry.location.clone()),
            );
        }
    }
}

const REMEDIATION_GCP: &str = "Set max_instance_count (2nd gen service_config), max_instances (1st gen) or maxInstances (Serverless) to the most instances the function legitimately needs, and put a budget alert on the project.";
const REMEDIATION_AZURE: &str = "Set the function app's scale-out limit (functionAppScaleLimit; Terraform site_config.app_scale_limit, or maximum_instance_count on Flex Consumption) to what the app legitimately needs, and put a budget alert on the subscription.";

/// The finding on Google Cloud and Azure: no scale-out cap of the function's own. No cost
/// figure: the cost model has AWS prices only.
fn other_cloud(
    app: &App,
    function: &perimeter_model::Function,
    entry: &crate::exposure::EntryPoint,
) -> Finding {
    let (what, default, remediation) = match app.cloud {
        Cloud::Gcp => {
            let gen2 = entry
                .declared_trigger(function)
                .is_some_and(|t| t.type_name.contains("cloudfunctions2"));
            (
                "no maximum instance count",
                if gen2 {
                    "Cloud Functions (2nd gen) scales it out to 100 instances by default"
                } else {
                    "Cloud Functions (1st gen) scales it out to 3,000 instances by default"
                },
                REMEDIATION_GCP,
            )
        }
        _ => (
            if app.source == perimeter_model::SourceKind::AzureFunctions {
                "no scale-out limit in this project (functionAppScaleLimit is a setting of the function app: set it there)"
            } else {
                "no scale-out limit (functionAppScaleLimit / app_scale_limit)"
            },
            "the Consumption plan scales the app out to 200 instances (100 on Linux), Flex Consumption to 100",
            REMEDIATION_AZURE,
        ),
    };
    Finding::new(
        &META,
        &app.id,
        Some(&function.id),
        &function.id,
        "concurrency",
        format!(
            "Function `{}` can be invoked by anyone ({}) and has {what}: {default}, and a request flood is billed at your expense (perimeter has no {} prices to put a figure on it).",
            function_label(function),
            entry.description,
            if app.cloud == Cloud::Gcp { "Google Cloud" } else { "Azure" },
        ),
        function.location.clone(),
        remediation,
    )
    .with_related(
        format!("public entry point: {}", entry.description),
        entry.location.clone(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::auth::testing::*;
    use perimeter_model::{Attr, Auth};

    #[test]
    fn fires_unless_reserved_or_throttled() {
        let mut app = app();
        let mut open = function("Open");
        open.triggers
            .push(api_trigger("Get", "GET", "/", Auth::None));
        let mut reserved = open.clone();
        reserved.id = "Reserved".into();
        reserved.reserved_concurrency = Some(Attr::explicit(10, loc(8)));
        let mut private = function("Private");
        private
            .triggers
            .push(api_trigger("Get", "GET", "/", Auth::Iam));
        app.functions.extend([open, reserved, private]);
        app.apis.push(rest_api("ServerlessRestApi"));
        let found = run(&UnthrottledPublicFunction, &app);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].resource, "Open");
        assert!(
            found[0].message.contains("api GET / (no auth)"),
            "{}",
            found[0].message
        );
        // 3 s × 128 MB behind a REST API: 1,000 / 3 s = 333.3 inv/s = 1.2 M inv/h; requests
        // $0.24 + compute 1,000 × 0.125 GB × 3,600 s × $0.0000166667 = $7.50 + REST $4.20.
        assert!(
            found[0]
                .message
                .contains("up to $11.94/h (3 s × 128 MB, us-east-1 prices of")
                && found[0]
                    .message
                    .contains("reserved concurrency 10 would cap it at $0.1194/h"),
            "{}",
            found[0].message
        );

        app.apis[0].throttle_rate = Some(Attr::explicit(50.0, loc(51)));
        assert!(run(&UnthrottledPublicFunction, &app).is_empty());
        app.apis[0].throttle_rate = None;
        app.apis[0].usage_plan = true;
        assert!(run(&UnthrottledPublicFunction, &app).is_empty());
    }

    #[test]
    fn public_url_is_not_covered_by_api_throttling() {
        let mut app = app();
        let mut f = function("Fn");
        f.url = Some(url("NONE"));
        app.functions.push(f);
        assert_eq!(run(&UnthrottledPublicFunction, &app).len(), 1);
    }
}
