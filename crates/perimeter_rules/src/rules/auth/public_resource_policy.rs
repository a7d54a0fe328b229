//! ## What it does
//! Flags resource-based permissions on a function (`AWS::Lambda::Permission`) that let
//! everyone (`Principal: "*"`, or any account) invoke it, with no `SourceArn`, `SourceAccount`
//! or `PrincipalOrgID` to narrow who.
//!
//! ## Why is this bad?
//! Such a permission lets any AWS account in the world call `lambda:Invoke` on the function
//! with its own credentials: no API in front, no throttling, no authentication of the end
//! user. Attackers who learn the function's ARN (it appears in logs, error messages, templates
//! on GitHub) can invoke it directly with any payload and run up your bill. This includes
//! `lambda:InvokeFunctionUrl` grants to `*` on an `AWS_IAM` function URL: any AWS account can sign
//! requests to it. Function URL permissions with `FunctionUrlAuthType: NONE` are reported by
//! AUTH002 instead.
//!
//! ## Example
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Resources:
//!   Worker:
//!     Type: AWS::Lambda::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       Role: arn:aws:iam::123456789012:role/worker
//!       Code: { S3Bucket: artifacts, S3Key: worker.zip }
//!   AnyoneMayInvoke:
//!     Type: AWS::Lambda::Permission
//!     Properties:
//!       FunctionName: !Ref Worker
//!       Action: lambda:InvokeFunction
//!       Principal: '*'
//! ```
//!
//! Use instead:
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Resources:
//!   Worker:
//!     Type: AWS::Lambda::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       Role: arn:aws:iam::123456789012:role/worker
//!       Code: { S3Bucket: artifacts, S3Key: worker.zip }
//!   PartnerMayInvoke:
//!     Type: AWS::Lambda::Permission
//!     Properties:
//!       FunctionName: !Ref Worker
//!       Action: lambda:InvokeFunction
//!       Principal: '*'
//!       PrincipalOrgID: o-a1b2c3d4e5
//! ```
//!
//! ## Remediation
//! Name the exact principal (an account ID or role ARN) instead of `*`, or keep `*` and add
//! `PrincipalOrgID` (your AWS Organization), `SourceAccount` or `SourceArn` so that only the
//! intended callers qualify.
//!
//! ## References
//! - CWE-284: Improper Access Control
//! - https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html
//! - https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-permission.html

use crate::exposure::{function_label, is_any_account, is_narrowed_permission};
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::App;

pub struct PublicResourcePolicy;

static META: RuleMeta = RuleMeta {
    code: "AUTH003",
    name: "public-resource-policy",
    family: Family::Auth,
    summary: "Function resource policy lets everyone invoke it",
    severity: Severity::High,
    likelihood: Level::Medium,
    impact: Level::High,
    confidence: Level::High,
    source: include_str!("public_resource_policy.rs"),
};

const REMEDIATION: &str = "Replace the `*` principal with the account or role that should invoke the function, or add PrincipalOrgID, SourceAccount or SourceArn.";

impl Rule for PublicResourcePolicy {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        for permission in &app.permissions {
            let Some(principal) = permission.principal.as_str() else {
                continue;
            };
            if !is_any_account(principal) || is_narrowed_permission(permission) {
                continue;
            }
            let function = permission.function.as_str().and_then(|id| app.function(id));
            // A public function URL (`FunctionUrlAuthType: NONE`) is AUTH002's business. With
            // `AWS_IAM` the grant still lets any AWS account call the URL with its own
            // signature, which is this rule's. An unresolved URL auth type keeps it silent.
            let url_auth = match &permission.function_url_auth_type {
                Some(t) => t.as_str(),
                None if permission
                    .action
                    .as_str()
                    .is_some_and(|a| a.eq_ignore_ascii_case("lambda:InvokeFunctionUrl")) =>
                {
                    function
                        .and_then(|f| f.url.as_ref())
                        .and_then(|u| u.auth_type.as_str())
                }
                None => Some("-"),
            };
            if url_auth.is_none_or(|t| t.eq_ignore_ascii_case("NONE")) {
                continue;
            }
            let target = function
                .map(|f| format!("function `{}`", function_label(f)))
                .or_else(|| {
                    permission
                        .function
                        .as_str()
                        .map(|f| format!("function `{f}`"))
                })
                .unwrap_or_else(|| "its function".to_string());
            let action = permission
                .action
                .as_str()
                .unwrap_or("lambda:InvokeFunction");
            let mut finding = Finding::new(
                &META,
                &app.id,
                function.map(|f| f.id.as_str()),
                &permission.id,
                "principal",
                format!(
                    "Permission `{}` lets any AWS account ({action}) invoke {target}: principal `*` with no SourceArn, SourceAccount or PrincipalOrgID.",
                    permission.id
                ),
                permission.principal.location.clone(),
                REMEDIATION,
            );
            if let Some(f) = function {
                finding = finding.with_related(
                    format!("function `{}`", function_label(f)),
                    f.location.clone(),
                );
            }
            out.push(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::auth::testing::*;
    use perimeter_model::Attr;

    #[test]
    fn fires_on_unnarrowed_star() {
        let mut app = app();
        app.functions.push(function("Fn"));
        app.permissions.push(permission("Open", "Fn", "*"));
        let mut org = permission("Org", "Fn", "*");
        org.principal_org_id = Some(Attr::explicit("o-123".into(), loc(9)));
        let mut url_perm = permission("Url", "Fn", "*");
        url_perm.function_url_auth_type = Some(Attr::explicit("NONE".into(), loc(9)));
        let mut iam_url = permission("IamUrl", "Fn", "*");
        iam_url.action = Attr::explicit("lambda:InvokeFunctionUrl".into(), loc(9));
        iam_url.function_url_auth_type = Some(Attr::explicit("AWS_IAM".into(), loc(9)));
        app.permissions.push(iam_url);
        let mut unresolved = permission("U", "Fn", "*");
        unresolved.principal = Attr::unresolved("Ref P", loc(9));
        app.permissions.extend([
            org,
            url_perm,
            unresolved,
            permission("Acct", "Fn", "123456789012"),
        ]);
        let found = run(&PublicResourcePolicy, &app);
        let names: Vec<_> = found.iter().map(|f| f.resource.as_str()).collect();
        assert_eq!(names, ["Open", "IamUrl"]);
        assert_eq!(found[0].function.as_deref(), Some("Fn"));
    }
}
