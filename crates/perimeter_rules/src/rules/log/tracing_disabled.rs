//! ## What it does
//! Flags functions with AWS X-Ray active tracing off when they have a public or synchronous
//! trigger (an API route, a function URL, a load balancer, anything someone waits on or anyone
//! can call).
//!
//! ## Why is this bad?
//! Without traces, an investigation of an abused endpoint has only the function's own logs:
//! no request path through API Gateway and downstream services, no timing of the slow calls an
//! attacker is exploiting, no way to tell which caller led to which database write. Tracing is a
//! cheap, sampled record of exactly the paths that face the internet. This is a hygiene finding
//! (low), raised only where it matters most.
//!
//! ## Example
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Checkout:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: nodejs22.x
//!       Handler: index.handler
//!       CodeUri: src/
//!       Events:
//!         Pay:
//!           Type: HttpApi
//!           Properties:
//!             Path: /checkout
//!             Method: post
//! ```
//!
//! Use instead:
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Checkout:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: nodejs22.x
//!       Handler: index.handler
//!       CodeUri: src/
//!       Tracing: Active
//!       Events:
//!         Pay:
//!           Type: HttpApi
//!           Properties:
//!             Path: /checkout
//!             Method: post
//! ```
//!
//! ## Remediation
//! Set `Tracing: Active` on the function (SAM `Globals.Function.Tracing` for all of them;
//! Serverless `provider.tracing.lambda: true`) and grant the role `xray:PutTraceSegments` /
//! `xray:PutTelemetryRecords` (SAM does this for you). Turn on stage tracing on REST APIs too.
//!
//! ## References
//! - CWE-778: Insufficient Logging
//! - https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html
//! - https://docs.aws.amazon.com/xray/latest/devguide/xray-services-lambda.html

use crate::exposure::function_exposure;
use crate::exposure::function_label;
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::App;

pub struct TracingDisabled;

static META: RuleMeta = RuleMeta {
    code: "LOG002",
    name: "tracing-disabled",
    family: Family::Log,
    summary: "X-Ray tracing off on a public or synchronous function",
    severity: Severity::Low,
    likelihood: Level::Low,
    impact: Level::Low,
    confidence: Level::High,
    source: include_str!("tracing_disabled.rs"),
};

const REMEDIATION: &str = "Set Tracing: Active on the function (SAM Globals, or Serverless provider.tracing.lambda: true).";

impl Rule for TracingDisabled {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        for function in &app.functions {
            if function.tracing.known() != Some(&false) {
                continue;
            }
            let exposure = function_exposure(app, function);
            let Some(entry) = exposure
                .entry_points
                .iter()
                .find(|e| e.public)
                .or_else(|| exposure.entry_points.iter().find(|e| e.synchronous))
            else {
                continue;
            };
            let how = if entry.public {
                "public"
            } else {
                "synchronous"
            };
            out.push(
                Finding::new(
                    &META,
                    &app.id,
                    Some(&function.id),
                    &function.id,
                    "tracing",
                    format!(
                        "Function `{}` has X-Ray tracing off although it has a {how} trigger ({}).",
                        function_label(function),
                        entry.description
                    ),
                    function.tracing.location.clone(),
                    REMEDIATION,
                )
                .with_related(
                    format!("{how} trigger: {}", entry.description),
                    entry.location.clone(),
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::auth::testing::*;
    use perimeter_model::{Attr, Auth, TriggerKind};

    #[test]
    fn fires_on_public_or_synchronous_untraced() {
        let mut app = app();
        let mut public = function("Public");
        public
            .triggers
            .push(api_trigger("Get", "GET", "/", Auth::None));
        let mut sync = function("Sync");
        sync.triggers
            .push(api_trigger("Get", "GET", "/", Auth::Iam));
        let mut traced = public.clone();
        traced.id = "Traced".into();
        traced.tracing = Attr::explicit(true, loc(6));
        let mut queue = function("Queue");
        queue
            .triggers
            .push(source_trigger("Q", TriggerKind::Sqs, "Jobs"));
        app.functions.extend([public, sync, traced, queue]);
        let found = run(&TracingDisabled, &app);
        let names: Vec<_> = found.iter().map(|f| f.resource.as_str()).collect();
        assert_eq!(names, ["Public", "Sync"]);
        assert!(found[0].message.contains("public trigger"));
        assert!(found[1].message.contains("synchronous trigger"));
    }
}
