//! ## What it does
//! Flags API routes (API Gateway REST, HTTP and WebSocket `$connect` routes, Application Load
//! Balancer targets) that invoke a function with no authorizer, no IAM auth and no API key.
//!
//! ## Why is this bad?
//! Anyone who finds the URL can call the function as often as they like: enumerate and scrape
//! data, probe the handler with malicious input, or simply run up the bill. API endpoints are
//! easy to find (they leak through front-end code, logs and certificate transparency). Unless
//! the route is meant to be public (a login or health endpoint), it should authenticate callers.
//! An API key alone is not authentication, but it does stop anonymous use, so it keeps this rule
//! quiet; private (VPC-only) APIs are not reachable from the internet and are not flagged, nor
//! are `OPTIONS` routes (CORS preflights cannot carry credentials). WebSocket APIs are judged on
//! their `$connect` route, the only one that can have an authorizer.
//!
//! ## Example
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   ListUsers:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       Events:
//!         List:
//!           Type: Api
//!           Properties:
//!             Path: /users
//!             Method: get
//! ```
//!
//! Use instead:
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   ListUsers:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       Events:
//!         List:
//!           Type: Api
//!           Properties:
//!             Path: /users
//!             Method: get
//!             Auth:
//!               Authorizer: AWS_IAM
//! ```
//!
//! ## Remediation
//! Attach an authorizer to the route (a Cognito user pool, a JWT authorizer for HTTP APIs, a
//! Lambda authorizer, or `AWS_IAM`), or set a `DefaultAuthorizer` on the API so that every route
//! gets one. For machine-to-machine APIs, `AWS_IAM` is the simplest. If the route really is meant
//! to be public, suppress this finding with a reason and keep DOW001 in mind (throttle it).
//!
//! ## References
//! - CWE-306: Missing Authentication for Critical Function
//! - https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html
//! - https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-controlling-access-to-apis.html
//! - https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-authenticate-users.html

use crate::exposure::function_label;
use crate::exposure::{api_of, function_exposure};
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::{App, TriggerKind};

pub struct UnauthenticatedApiRoute;

static META: RuleMeta = RuleMeta {
    code: "AUTH001",
    name: "unauthenticated-api-route",
    family: Family::Auth,
    summary: "API route with no authorizer and no API key",
    severity: Severity::Medium,
    likelihood: Level::High,
    impact: Level::Medium,
    confidence: Level::High,
    source: include_str!("unauthenticated_api_route.rs"),
};

const REMEDIATION: &str = "Attach an authorizer (Cognito, JWT, Lambda or AWS_IAM) to the route or set a DefaultAuthorizer on the API; suppress with a reason if the route is meant to be public.";

impl Rule for UnauthenticatedApiRoute {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        for function in &app.functions {
            let exposure = function_exposure(app, function);
            for entry in exposure.public_entry_points() {
                if !matches!(
                    entry.kind,
                    TriggerKind::Api
                        | TriggerKind::HttpApi
                        | TriggerKind::WebSocket
                        | TriggerKind::Alb
                ) {
                    continue;
                }
                let Some(trigger) = entry.declared_trigger(function) else {
                    continue;
                };
                let Some(route) = &trigger.http else { continue };
                // WebSocket APIs authenticate on `$connect` only; other routes ride that connection.
                if trigger.kind == TriggerKind::WebSocket && route.path != "$connect" {
                    continue;
                }
                // CORS preflights cannot carry credentials: they are unauthenticated by design.
                if route.method.eq_ignore_ascii_case("OPTIONS") {
                    continue;
                }
                let api = api_of(app, trigger);
                let (route_name, missing) = if trigger.kind == TriggerKind::Alb {
                    (
                        "load balancer target".to_string(),
                        "no authenticate action (Cognito or OIDC)",
                    )
                } else {
                    (
                        format!("route `{} {}`", route.method, route.path),
                        "no authorizer and no API key",
                    )
                };
                let on_api = route
                    .api
                    .as_deref()
                    .map(|a| format!(" of API `{a}`"))
                    .unwrap_or_default();
                let mut finding = Finding::new(
                    &META,
                    &app.id,
                    Some(&function.id),
                    &function.id,
                    &trigger.id,
                    format!(
                        "Function `{}`: {route_name}{on_api} has {missing}, so anyone on the internet can invoke it.",
                        function_label(function)
                    ),
                    route.auth.location.clone(),
                    REMEDIATION,
                );
                if let Some(api) = api {
                    finding =
                        finding.with_related(format!("API `{}`", api.id), api.location.clone());
                }
                out.push(finding);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::auth::testing::*;
    use perimeter_model::{Attr, Auth};

    #[test]
    fn fires_on_open_route_only() {
        let mut app = app();
        let mut f = function("Fn");
        f.triggers
            .push(api_trigger("Open", "GET", "/users", Auth::None));
        f.triggers
            .push(api_trigger("Jwt", "GET", "/me", Auth::Jwt("Auth0".into())));
        let mut keyed = api_trigger("Keyed", "GET", "/k", Auth::None);
        keyed.http.as_mut().unwrap().api_key_required = Attr::explicit(true, loc(5));
        f.triggers.push(keyed);
        app.functions.push(f);
        app.apis.push(rest_api("ServerlessRestApi"));
        let found = run(&UnauthenticatedApiRoute, &app);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.contains("`GET /users`"),
            "{}",
            found[0].message
        );
        assert_eq!(found[0].related.len(), 1);
    }

    #[test]
    fn websocket_only_connect_and_unresolved_is_silent() {
        let mut app = app();
        let mut f = function("Fn");
        let mut msg = api_trigger("Msg", "ANY", "sendmessage", Auth::None);
        msg.kind = TriggerKind::WebSocket;
        let mut connect = api_trigger("Connect", "ANY", "$connect", Auth::None);
        connect.kind = TriggerKind::WebSocket;
        let mut unresolved = api_trigger("U", "GET", "/u", Auth::None);
        unresolved.http.as_mut().unwrap().auth = Attr::unresolved("Fn::If", loc(4));
        f.triggers.extend([msg, connect, unresolved]);
        app.functions.push(f);
        let found = run(&UnauthenticatedApiRoute, &app);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("$connect"));
    }
}
