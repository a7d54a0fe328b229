//! ## What it does
//! Flags functions with a timeout above 30 seconds that anyone can invoke synchronously (an
//! unauthenticated API route, a public function URL or load balancer target).
//!
//! ## Why is this bad?
//! Every call is billed for as long as the function runs, up to its timeout. A public
//! synchronous endpoint lets an attacker choose inputs that make the handler slow (a large
//! payload, a pathological regular expression, a slow downstream) and then fire them in
//! parallel: each request holds a concurrent execution and bills up to the full timeout. Behind
//! API Gateway the extra time is pure waste: REST APIs stop waiting after 29 seconds by default
//! and HTTP APIs after 30, answer 504 to the caller, and the function keeps running and billing.
//!
//! The threshold is 30 s: it is API Gateway's own integration limit, what CloudFront waits for an
//! origin by default, and about as long as any interactive HTTP client waits. A synchronous
//! handler that needs more should be asynchronous (accept, queue, return 202). The finding is
//! medium from 300 s on: one request can then cost a hundred times a normal one.
//!
//! The rule reads Google Cloud and Azure functions too: a public HTTP function with a long
//! timeout (Cloud Functions' `timeout`, Azure's `functionTimeout` in `host.json`, whose default
//! on the Consumption plan is 5 minutes) holds an instance per request the same way; Azure's
//! front end gives up on an HTTP response after 230 s while the function keeps running.
//!
//! ## Example
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Report:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       Timeout: 900
//!       Events:
//!         Generate:
//!           Type: Api
//!           Properties:
//!             Path: /report
//!             Method: post
//! ```
//!
//! Use instead:
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Report:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       Timeout: 25
//!       Events:
//!         Generate:
//!           Type: Api
//!           Properties:
//!             Path: /report
//!             Method: post
//! ```
//!
//! ## Remediation
//! Lower `Timeout` to just above the handler's real worst case (and below 29 s behind API
//! Gateway). Move long work behind a queue: the public function validates the request, enqueues
//! it and returns `202 Accepted`; a worker with a long timeout and reserved concurrency does the
//! job. Authenticate the route if it does not need to be public.
//!
//! ## References
//! - CWE-400: Uncontrolled Resource Consumption
//! - https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
//! - https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html
//! - https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DownloadDistValuesOrigin.html#DownloadDistValuesOriginResponseTimeout
//! - https://learn.microsoft.com/en-us/azure/azure-functions/functions-scale#timeout
//! - https://cloud.google.com/functions/docs/configuring/timeout

use crate::exposure::function_exposure;
use crate::exposure::function_label;
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::{App, TriggerKind};

pub struct LongTimeoutOnSynchronousTrigger;

static META: RuleMeta = RuleMeta {
    code: "DOW002",
    name: "long-timeout-on-synchronous-trigger",
    family: Family::Dow,
    summary: "Timeout above 30 s on a publicly invocable synchronous function",
    severity: Severity::Low,
    likelihood: Level::Medium,
    impact: Level::Medium,
    confidence: Level::High,
    source: include_str!("long_timeout_on_synchronous_trigger.rs"),
};

const REMEDIATION: &str = "Lower Timeout below 29 s for API-fronted functions (30 s elsewhere), or accept the request, queue it and return 202 from a short function.";

/// Longest sane timeout, in seconds, for a function someone is waiting on.
pub const MAX_SYNC_TIMEOUT: u32 = 30;
/// From this timeout on, the finding is medium.
const MEDIUM_FROM: u32 = 300;

impl Rule for LongTimeoutOnSynchronousTrigger {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        for function in &app.functions {
            let Some(&timeout) = function.timeout.known() else {
                continue;
            };
            if timeout <= MAX_SYNC_TIMEOUT {
                continue;
            }
            let exposure = function_exposure(app, function);
            let Some(entry) = exposure
                .entry_points
                .iter()
                .find(|e| e.public && e.synchronous)
            else {
                continue;
            };
            let why = if app.cloud == perimeter_model::Cloud::Azure {
                "Azure's front end stops waiting for an HTTP response after 230 s, while the function keeps running and billing up to its timeout"
            } else if matches!(
                entry.kind,
                TriggerKind::Api | TriggerKind::HttpApi | TriggerKind::WebSocket
            ) {
                "API Gateway gives up after 29 s (HTTP APIs 30 s) and answers 504, while the function keeps running and billing"
            } else {
                "each public request can hold a concurrent execution and bill for the whole timeout"
            };
            let finding = Finding::new(
                &META,
                &app.id,
                Some(&function.id),
                &function.id,
                "timeout",
                format!(
                    "Function `{}` has a {timeout} s timeout and is invoked synchronously by anyone ({}): {why}.",
                    function_label(function), entry.description
                ),
                function.timeout.location.clone(),
                REMEDIATION,
            )
            .with_related(format!("public entry point: {}", entry.description), entry.location.clone());
            out.push(if timeout >= MEDIUM_FROM {
                finding.with_severity(Severity::Medium)
            } else {
                finding
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::auth::testing::*;
    use perimeter_model::{Attr, Auth};

    #[test]
    fn threshold_and_exposure() {
        let mut app = app();
        let mut long = function("Long");
        long.timeout = Attr::explicit(900, loc(9));
        long.triggers
            .push(api_trigger("Get", "GET", "/", Auth::None));
        let mut edge = long.clone();
        edge.id = "Edge".into();
        edge.timeout = Attr::explicit(30, loc(9));
        let mut mid = long.clone();
        mid.id = "Mid".into();
        mid.timeout = Attr::explicit(60, loc(9));
        let mut private = long.clone();
        private.id = "Private".into();
        private.triggers = vec![api_trigger("Get", "GET", "/", Auth::Iam)];
        let mut unresolved = long.clone();
        unresolved.id = "Unresolved".into();
        unresolved.timeout = Attr::unresolved("Ref Timeout", loc(9));
        app.functions.extend([long, edge, mid, private, unresolved]);
        let found = run(&LongTimeoutOnSynchronousTrigger, &app);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(
            (found[0].resource.as_str(), found[0].severity),
            ("Long", Severity::Medium)
        );
        assert_eq!(
            (found[1].resource.as_str(), found[1].severity),
            ("Mid", Severity::Low)
        );
        assert!(found[0].message.contains("29 s"));
    }
}
