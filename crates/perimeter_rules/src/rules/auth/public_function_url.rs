//! ## What it does
//! Flags Lambda function URLs whose `AuthType` is `NONE`, and the same public HTTP endpoint on
//! the other clouds: a Google Cloud function whose invoker role (`roles/cloudfunctions.invoker`,
//! or `roles/run.invoker` on the Cloud Run service of a 2nd-gen function) is granted to
//! `allUsers` or `allAuthenticatedUsers` (any Google account) without internal-only ingress,
//! and an Azure HTTP trigger with `authLevel: anonymous` and no App Service authentication in
//! front of it.
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
//! On Google Cloud, drop the `allUsers` / `allAuthenticatedUsers` invoker binding and grant
//! `roles/cloudfunctions.invoker` (or `roles/run.invoker`) to the callers' service accounts, or
//! set `ingress_settings = "ALLOW_INTERNAL_ONLY"`. On Azure, use `authLevel: function` (a key)
//! or turn on App Service authentication (`auth_settings_v2` with `require_authentication`).
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
//! - https://cloud.google.com/functions/docs/securing/managing-access-iam
//! - https://learn.microsoft.com/en-us/azure/azure-functions/functions-bindings-http-webhook-trigger#http-auth

use crate::exposure::function_label;
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::{App, Auth, Cloud, TriggerKind};

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
        // Other clouds: HTTP endpoints are `FunctionUrl` triggers carrying their auth.
        for function in &app.functions {
            if function.url.is_some() {
                continue;
            }
            for trigger in &function.triggers {
                if trigger.kind != TriggerKind::FunctionUrl {
                    continue;
                }
                let Some(route) = &trigger.http else { continue };
                if route.auth.known() != Some(&Auth::None)
                    || route.private.known() != Some(&false)
                    || route.api_key_required.known() == Some(&true)
                {
                    continue;
                }
                let what = match app.cloud {
                    Cloud::Gcp => "an HTTP trigger whose invoker role is granted to `allUsers`/`allAuthenticatedUsers`".to_string(),
                    Cloud::Azure => format!(
                        "an HTTP trigger (`{} {}`) with authLevel anonymous and no App Service authentication",
                        route.method, route.path
                    ),
                    Cloud::Aws => "a public HTTP endpoint".to_string(),
                };
                out.push(Finding::new(
                    &META,
                    &app.id,
                    Some(&function.id),
                    &function.id,
                    &trigger.id,
                    format!(
                        "Function `{}` has {what}: anyone on the internet can invoke it.",
                        function_label(function)
                    ),
                    route.auth.location.clone(),
                    match app.cloud {
                        Cloud::Gcp => REMEDIATION_GCP,
                        Cloud::Azure => REMEDIATION_AZURE,
                        Cloud::Aws => REMEDIATION,
                    },
                ));
            }
        }
    }
}

const REMEDIATION_GCP: &str = "Remove the allUsers/allAuthenticatedUsers invoker binding and grant roles/cloudfunctions.invoker (or roles/run.invoker) to the callers' service accounts, or set ingress_settings to ALLOW_INTERNAL_ONLY.";
const REMEDIATION_AZURE: &str = "Use authLevel function (a key) or turn on App Service authentication that rejects unauthenticated requests.";

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

    #[test]
    fn other_clouds_http_triggers() {
        use perimeter_model::{Auth, Cloud, HttpRoute, Trigger, TriggerKind};
        let http = |auth: Attr<Auth>, private: bool| Trigger {
            id: "http".into(),
            kind: TriggerKind::FunctionUrl,
            type_name: "google_cloudfunctions_function.trigger_http".into(),
            location: loc(4),
            source: None,
            http: Some(HttpRoute {
                api: None,
                method: "ANY".into(),
                path: "/".into(),
                auth,
                api_key_required: Attr::defaulted(false, loc(4)),
                private: Attr::explicit(private, loc(5)),
                cors: None,
            }),
        };
        let mut app = app();
        app.cloud = Cloud::Gcp;
        let mut open = function("Open");
        open.triggers
            .push(http(Attr::explicit(Auth::None, loc(9)), false));
        let mut internal = function("Internal");
        internal
            .triggers
            .push(http(Attr::explicit(Auth::None, loc(9)), true));
        let mut iam = function("Iam");
        iam.triggers
            .push(http(Attr::defaulted(Auth::Iam, loc(4)), false));
        let mut unknown = function("Unknown");
        unknown
            .triggers
            .push(http(Attr::unresolved("member not known", loc(4)), false));
        app.functions.extend([open, internal, iam, unknown]);
        let found = run(&PublicFunctionUrl, &app);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].resource, "Open");
        assert_eq!(found[0].location, loc(9));
        assert!(
            found[0].message.contains("allUsers"),
            "{}",
            found[0].message
        );
    }
}
