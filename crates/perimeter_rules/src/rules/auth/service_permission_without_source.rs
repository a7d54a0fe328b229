//! ## What it does
//! Flags function permissions granted to an AWS service principal (`s3.amazonaws.com`,
//! `sns.amazonaws.com`, `events.amazonaws.com`, …) without a `SourceArn` or `SourceAccount`.
//!
//! ## Why is this bad?
//! A service principal is shared by every AWS customer. `Principal: s3.amazonaws.com` with no
//! source condition means *any* bucket, in *any* account, may invoke your function: an attacker
//! points their own bucket's notifications (or their own SNS topic, EventBridge rule, …) at your
//! function's ARN and feeds it events of their choosing. This is the confused-deputy problem.
//! Permissions that SAM generates for API events carry a `SourceArn` and are not flagged.
//!
//! ## Example
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Resources:
//!   Thumbnailer:
//!     Type: AWS::Lambda::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       Role: arn:aws:iam::123456789012:role/thumbnailer
//!       Code: { S3Bucket: artifacts, S3Key: thumbnailer.zip }
//!   S3MayInvoke:
//!     Type: AWS::Lambda::Permission
//!     Properties:
//!       FunctionName: !GetAtt Thumbnailer.Arn
//!       Action: lambda:InvokeFunction
//!       Principal: s3.amazonaws.com
//! ```
//!
//! Use instead:
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Resources:
//!   Thumbnailer:
//!     Type: AWS::Lambda::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       Role: arn:aws:iam::123456789012:role/thumbnailer
//!       Code: { S3Bucket: artifacts, S3Key: thumbnailer.zip }
//!   S3MayInvoke:
//!     Type: AWS::Lambda::Permission
//!     Properties:
//!       FunctionName: !GetAtt Thumbnailer.Arn
//!       Action: lambda:InvokeFunction
//!       Principal: s3.amazonaws.com
//!       SourceAccount: !Ref AWS::AccountId
//!       SourceArn: arn:aws:s3:::my-photo-uploads
//! ```
//!
//! ## Remediation
//! Add `SourceArn` (the exact bucket, topic, rule or API that should invoke the function) and,
//! for S3 whose bucket ARNs carry no account, `SourceAccount` as well.
//!
//! ## References
//! - CWE-441: Unintended Proxy or Intermediary ('Confused Deputy')
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
//! - https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html
//! - https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-permission.html

use crate::exposure::function_label;
use crate::exposure::is_service_principal;
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::App;

pub struct ServicePermissionWithoutSource;

static META: RuleMeta = RuleMeta {
    code: "AUTH004",
    name: "service-permission-without-source",
    family: Family::Auth,
    summary: "Service principal may invoke the function from any account (no SourceArn/SourceAccount)",
    severity: Severity::Medium,
    likelihood: Level::Medium,
    impact: Level::Medium,
    confidence: Level::High,
    source: include_str!("service_permission_without_source.rs"),
};

const REMEDIATION: &str =
    "Add SourceArn (the exact bucket, topic, rule or API) and SourceAccount to the permission.";

impl Rule for ServicePermissionWithoutSource {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        for permission in &app.permissions {
            let Some(principal) = permission.principal.as_str() else {
                continue;
            };
            if !is_service_principal(principal) {
                continue;
            }
            // Alexa skills are narrowed by EventSourceToken, which the model does not carry.
            if principal.starts_with("alexa-") {
                continue;
            }
            if permission.source_arn.is_some() || permission.source_account.is_some() {
                continue;
            }
            let function = permission.function.as_str().and_then(|id| app.function(id));
            let target = function
                .map(|f| function_label(f).to_string())
                .or_else(|| permission.function.as_str().map(str::to_string))
                .unwrap_or_else(|| "?".to_string());
            out.push(Finding::new(
                &META,
                &app.id,
                function.map(|f| f.id.as_str()),
                &permission.id,
                "principal",
                format!(
                    "Permission `{}` lets `{principal}` invoke function `{target}` on behalf of any account: it has no SourceArn or SourceAccount.",
                    permission.id
                ),
                permission.principal.location.clone(),
                REMEDIATION,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::auth::testing::*;
    use perimeter_model::Attr;

    #[test]
    fn fires_without_source_only() {
        let mut app = app();
        app.functions.push(function("Fn"));
        app.permissions
            .push(permission("S3", "Fn", "s3.amazonaws.com"));
        let mut api = permission("Api", "Fn", "apigateway.amazonaws.com");
        api.source_arn = Some(Attr::explicit("arn:aws:execute-api:...".into(), loc(9)));
        let mut acct = permission("Acct", "Fn", "s3.amazonaws.com");
        acct.source_account = Some(Attr::unresolved("Ref AWS::AccountId", loc(9)));
        app.permissions
            .extend([api, acct, permission("Star", "Fn", "*")]);
        let found = run(&ServicePermissionWithoutSource, &app);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].resource, "S3");
        assert!(found[0].message.contains("s3.amazonaws.com"));
    }
}
