//! ## What it does
//! Flags functions invoked asynchronously (S3, SNS, EventBridge and schedules, IoT, CloudWatch
//! Logs) that have neither a dead-letter queue nor an on-failure destination.
//!
//! ## Why is this bad?
//! For asynchronous invocations Lambda retries a failing event twice and then silently drops
//! it. An attacker who can make the handler fail (a malformed object, an oversized message)
//! makes events disappear with no trace, and ordinary bugs and throttling lose data the same
//! way: an uploaded document never processed, an order never fulfilled, a security event never
//! acted on. A failure destination keeps the event for inspection and replay, and makes the
//! failures visible.
//!
//! ## Example
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Nightly:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       Events:
//!         Every:
//!           Type: Schedule
//!           Properties:
//!             Schedule: rate(1 day)
//! ```
//!
//! Use instead:
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Failed:
//!     Type: AWS::SQS::Queue
//!   Nightly:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       DeadLetterQueue:
//!         Type: SQS
//!         TargetArn: !GetAtt Failed.Arn
//!       Events:
//!         Every:
//!           Type: Schedule
//!           Properties:
//!             Schedule: rate(1 day)
//! ```
//!
//! ## Remediation
//! Configure an on-failure destination (`EventInvokeConfig.DestinationConfig.OnFailure`, SAM
//! `EventInvokeConfig`, Serverless `destinations.onFailure`) or a dead-letter queue
//! (`DeadLetterQueue` / `DeadLetterConfig`), alarm on its depth, and make the handler idempotent
//! so failed events can be replayed.
//!
//! ## References
//! - CWE-755: Improper Handling of Exceptional Conditions
//! - https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
//! - https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html

use crate::exposure::function_label;
use crate::exposure::kind_name;
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::App;

pub struct AsyncWithoutFailureDestination;

static META: RuleMeta = RuleMeta {
    code: "LOG004",
    name: "async-without-failure-destination",
    family: Family::Log,
    summary: "Asynchronously invoked function with no DLQ or on-failure destination",
    severity: Severity::Medium,
    likelihood: Level::Medium,
    impact: Level::Medium,
    confidence: Level::High,
    source: include_str!("async_without_failure_destination.rs"),
};

const REMEDIATION: &str = "Configure an on-failure destination (EventInvokeConfig) or a dead-letter queue, and alarm on it.";

impl Rule for AsyncWithoutFailureDestination {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        for function in &app.functions {
            if function.dead_letter.is_some() || function.on_failure.is_some() {
                continue;
            }
            let asynchronous: Vec<_> = function
                .triggers
                .iter()
                .filter(|t| t.kind.is_asynchronous())
                .collect();
            let Some(first) = asynchronous.first() else {
                continue;
            };
            let names: Vec<String> = asynchronous
                .iter()
                .map(|t| format!("{} `{}`", kind_name(t.kind), t.id))
                .collect();
            out.push(Finding::new(
                &META,
                &app.id,
                Some(&function.id),
                &function.id,
                "failure-destination",
                format!(
                    "Function `{}` is invoked asynchronously ({}) but has no dead-letter queue or on-failure destination: events that fail their retries are dropped without a trace.",
                    function_label(function),
                    names.join(", ")
                ),
                first.location.clone(),
                REMEDIATION,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::auth::testing::*;
    use perimeter_model::{Attr, TriggerKind};

    #[test]
    fn fires_on_async_without_destination() {
        let mut app = app();
        let mut s3 = function("S3Fn");
        s3.triggers.push(source_trigger("Up", TriggerKind::S3, "B"));
        s3.triggers
            .push(source_trigger("Tick", TriggerKind::Schedule, "rate(1 day)"));
        let mut dlq = s3.clone();
        dlq.id = "WithDlq".into();
        dlq.dead_letter = Some(Attr::unresolved("ImportValue", loc(7)));
        let mut dest = s3.clone();
        dest.id = "WithDest".into();
        dest.on_failure = Some(Attr::explicit("arn:aws:sqs:x".into(), loc(7)));
        let mut sqs = function("SqsFn");
        sqs.triggers
            .push(source_trigger("Q", TriggerKind::Sqs, "Jobs"));
        app.functions.extend([s3, dlq, dest, sqs]);
        let found = run(&AsyncWithoutFailureDestination, &app);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].resource, "S3Fn");
        assert!(
            found[0].message.contains("s3 `Up`, schedule `Tick`"),
            "{}",
            found[0].message
        );
    }
}
