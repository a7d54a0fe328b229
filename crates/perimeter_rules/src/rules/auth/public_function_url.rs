//! ## What it does
//! Flags Lambda function URLs whose `AuthType` is `NONE`.
//!
//! ## Why is this bad?
//! A function URL with `AuthType: NONE` is a public HTTPS endpoint
//! (`https://<id>.lambda-url.<region>.on.aws`) that anyone can call: no IAM signature, no
//! authorizer, no API Gateway in front to throttle or validate. Every request runs the function
//! with its role's permissions, so whatever the handler does with its input is reachable from
//! the internet, and every request is billed to you. Unless the handler checks a credential
//! itself, this is an unauthenticated API.
//!
//! ## Example
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Webhook:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       FunctionUrlConfig:
//!         AuthType: NONE
//! ```
//!
//! Use instead:
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Webhook:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       FunctionUrlConfig:
//!         AuthType: AWS_IAM
//! ```
//!
//! ## Remediation
//! Set `AuthType: AWS_IAM` and have callers sign requests with SigV4 (CloudFront can do this with
//! origin access control), or put the function behind API Gateway with an authorizer. If the URL
//! must be public (a third-party webhook), verify the caller's signature in the handler, set
//! reserved concurrency, and suppress this finding with that reason.
//!
//! ## References
//! - CWE-306: Missing Authentication for Critical Function
//! - https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
//! - https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html

use crate::exposure::function_label;
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::App;

pub struct PublicFunctionUrl;

static META: RuleMeta = RuleMeta {
    code: "AUTH002",
    name: "public-function-url",
    family: Family::Auth,
    summary: "Function URL with AuthType NONE",
    severity: Severity::High,
    likelihood: Level::High,
    impact: Level::High,
    confidence: Level::High,
    source: include_str!("public_function_url.rs"),
};

const REMEDIATION: &str = "Set the function URL's AuthType to AWS_IAM (sign requests, e.g. through CloudFront origin access control) or front the function with API Gateway and an authorizer.";

impl Rule for PublicFunctionUrl {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        for function in &app.functions {
            let Some(url) = &function.url else { continue };
            if !url
                .auth_type
                .as_str()
                .is_some_and(|a| a.eq_ignore_ascii_case("NONE"))
            {
                continue;
            }
            let mut finding = Finding::new(
                &META,
                &app.id,
                Some(&function.id),
                &function.id,
                "url",
                format!(
                    "Function `{}` has a function URL with AuthType NONE: anyone on the internet can invoke it.",
                    function_label(function)
                ),
                url.auth_type.location.clone(),
                REMEDIATION,
            );
            for permission in app.permissions_of(function) {
                if permission.function_url_auth_type.is_some() {
                    finding = finding.with_related(
                        format!(
                            "permission `{}` grants public lambda:InvokeFunctionUrl",
                            permission.id
                        ),
                        permission.location.clone(),
                    );
                }
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
    fn fires_on_none_only() {
        let mut app = app();
        let mut open = function("Open");
        open.url = Some(url("NONE"));
        let mut iam = function("Iam");
        iam.url = Some(url("AWS_IAM"));
        let mut unresolved = function("Unresolved");
        let mut u = url("NONE");
        u.auth_type = Attr::unresolved("Ref AuthParam", loc(60));
        unresolved.url = Some(u);
        app.functions
            .extend([open, iam, unresolved, function("NoUrl")]);
        let found = run(&PublicFunctionUrl, &app);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].resource, "Open");
        assert_eq!(found[0].location, loc(60));
    }
}
