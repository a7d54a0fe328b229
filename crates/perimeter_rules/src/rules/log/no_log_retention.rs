//! ## What it does
//! Flags functions whose CloudWatch log group has no retention: either no log group is declared
//! for the function (Lambda then creates `/aws/lambda/<name>` on first run, with logs that never
//! expire), or one is declared without `RetentionInDays`.
//!
//! ## Why is this bad?
//! Function logs routinely capture request payloads, tokens, personal data and stack traces.
//! Kept forever, they are a growing store of sensitive data that nobody reviews (a breach of one
//! log reader exposes years of it, and data-protection rules require deletion), and they are
//! billed forever. A log group created implicitly by Lambda is also outside the stack: it
//! survives the stack's deletion and cannot be given encryption or a subscription in the template.
//!
//! ## Example
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Orders:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//! ```
//!
//! Use instead:
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Orders:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!   OrdersLogGroup:
//!     Type: AWS::Logs::LogGroup
//!     Properties:
//!       LogGroupName: !Sub /aws/lambda/${Orders}
//!       RetentionInDays: 30
//! ```
//!
//! ## Remediation
//! Declare the function's log group in the template (`AWS::Logs::LogGroup` named
//! `/aws/lambda/<function name>`, or SAM/Lambda `LoggingConfig.LogGroup`) with `RetentionInDays`
//! set to what your incident-response and compliance needs require (e.g. 30 to 365 days). With
//! the Serverless Framework, set `provider.logRetentionInDays`.
//!
//! ## References
//! - CWE-532: Insertion of Sensitive Information into Log File
//! - CWE-779: Logging of Excessive Data
//! - https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html#SettingLogRetention
//! - https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-loggroups.html

use crate::exposure::function_label;
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::{App, ResourceKind};

pub struct NoLogRetention;

static META: RuleMeta = RuleMeta {
    code: "LOG001",
    name: "no-log-retention",
    family: Family::Log,
    summary: "Function logs are kept forever (no log group retention)",
    severity: Severity::Low,
    likelihood: Level::Medium,
    impact: Level::Low,
    confidence: Level::High,
    source: include_str!("no_log_retention.rs"),
};

const REMEDIATION: &str = "Declare the function's log group (/aws/lambda/<name>) with RetentionInDays, or set provider.logRetentionInDays (Serverless).";

impl Rule for NoLogRetention {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        for function in &app.functions {
            // Known or unresolved, a retention is declared: nothing to say.
            if function.log_retention_days.is_some() {
                continue;
            }
            let group = app.resources.iter().find(|r| {
                r.kind == ResourceKind::LogGroup
                    && r.log_group_for.as_deref() == Some(function.id.as_str())
            });
            let finding = match group {
                Some(group) if group.retention_days.is_some() => continue,
                Some(group) => Finding::new(
                    &META,
                    &app.id,
                    Some(&function.id),
                    &function.id,
                    "retention",
                    format!(
                        "Log group `{}` of function `{}` has no RetentionInDays: its logs are kept (and billed) forever.",
                        group.id, function_label(function)
                    ),
                    group.location.clone(),
                    REMEDIATION,
                )
                .with_related(format!("function `{}`", function_label(function)), function.location.clone()),
                None => Finding::new(
                    &META,
                    &app.id,
                    Some(&function.id),
                    &function.id,
                    "retention",
                    format!(
                        "Function `{}` has no log retention declared: its log group (created by Lambda or the deployment tool) keeps logs forever.",
                        function_label(function)
                    ),
                    function.location.clone(),
                    REMEDIATION,
                ),
            };
            out.push(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::auth::testing::*;
    use perimeter_model::{Attr, Resource};

    #[test]
    fn fires_without_retention() {
        let mut app = app();
        let mut kept = function("Kept");
        kept.log_retention_days = Some(Attr::explicit(30, loc(7)));
        let mut unresolved = function("Unresolved");
        unresolved.log_retention_days = Some(Attr::unresolved("Ref Days", loc(7)));
        app.functions.extend([
            function("Bare"),
            function("Grouped"),
            function("GroupedKept"),
            kept,
            unresolved,
        ]);
        let mut g = Resource::new(
            "GroupedLogs",
            ResourceKind::LogGroup,
            "AWS::Logs::LogGroup",
            loc(20),
        );
        g.log_group_for = Some("Grouped".into());
        let mut k = Resource::new(
            "GroupedKeptLogs",
            ResourceKind::LogGroup,
            "AWS::Logs::LogGroup",
            loc(25),
        );
        k.log_group_for = Some("GroupedKept".into());
        k.retention_days = Some(Attr::explicit(14, loc(26)));
        app.resources.extend([g, k]);
        let found = run(&NoLogRetention, &app);
        let names: Vec<_> = found.iter().map(|f| f.resource.as_str()).collect();
        assert_eq!(names, ["Bare", "Grouped"]);
        assert_eq!(found[1].location, loc(20));
    }
}
