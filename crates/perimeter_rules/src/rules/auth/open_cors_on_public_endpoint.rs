//! ## What it does
//! Flags CORS configurations that allow any origin (`*`) on a public HTTP endpoint: an API whose
//! routes need no authentication, or a function URL with `AuthType: NONE`. It is reported with a
//! higher severity when credentials are allowed too.
//!
//! ## Why is this bad?
//! `Access-Control-Allow-Origin: *` lets scripts on *every* website read the endpoint's responses
//! from a visitor's browser. On an unauthenticated endpoint that can expose data reachable only
//! from the visitor's network position (an intranet, a VPN), and it removes the last
//! browser-side barrier against other sites building on your API and your bill. Combined with
//! `AllowCredentials: true`, some stacks reflect the caller's origin to make the combination
//! work, and then any site can make authenticated requests with the visitor's cookies and read
//! the answers (CWE-942).
//!
//! ## Example
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Profile:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: nodejs22.x
//!       Handler: index.handler
//!       CodeUri: src/
//!       FunctionUrlConfig:
//!         AuthType: NONE
//!         Cors:
//!           AllowOrigins: ['*']
//!           AllowCredentials: true
//! ```
//!
//! Use instead:
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Profile:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: nodejs22.x
//!       Handler: index.handler
//!       CodeUri: src/
//!       FunctionUrlConfig:
//!         AuthType: NONE
//!         Cors:
//!           AllowOrigins: ['https://app.example.com']
//!           AllowCredentials: true
//! ```
//!
//! ## Remediation
//! List the exact origins of your front ends in `AllowOrigins` (API `Cors`/`CorsConfiguration`,
//! or the function URL's `Cors`). Never combine a wildcard with `AllowCredentials: true`.
//!
//! ## References
//! - CWE-942: Permissive Cross-domain Policy with Untrusted Domains
//! - https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html
//! - https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html#urls-cors
//! - https://developer.mozilla.org/en-US/docs/Web/HTTP/CORS

use crate::exposure::function_exposure;
use crate::exposure::function_label;
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::{App, Cors, Location};
use std::collections::BTreeSet;

pub struct OpenCorsOnPublicEndpoint;

static META: RuleMeta = RuleMeta {
    code: "AUTH005",
    name: "open-cors-on-public-endpoint",
    family: Family::Auth,
    summary: "CORS allows any origin on a public HTTP endpoint",
    severity: Severity::Low,
    likelihood: Level::Medium,
    impact: Level::Low,
    confidence: Level::High,
    source: include_str!("open_cors_on_public_endpoint.rs"),
};

const REMEDIATION: &str = "List the exact front-end origins in AllowOrigins instead of `*`, and never combine `*` with AllowCredentials.";

/// The `*` origin attribute of `cors`, when there is one.
fn wildcard_origin(cors: &Cors) -> Option<Location> {
    if !cors.allows_any_origin() {
        return None;
    }
    cors.allow_origins
        .iter()
        .find(|o| matches!(o.as_str(), Some("*") | Some("'*'")))
        .map(|o| o.location.clone())
}

fn finding(
    app: &App,
    function: Option<&str>,
    resource: &str,
    what: String,
    cors: &Cors,
    at: Location,
) -> Finding {
    let credentials = cors
        .allow_credentials
        .as_ref()
        .and_then(|c| c.known().copied())
        .unwrap_or(false);
    let message = if credentials {
        format!(
            "{what} allows any origin (`*`) with credentials on a public endpoint: any website can call it from a visitor's browser and read the answers."
        )
    } else {
        format!(
            "{what} allows any origin (`*`) on a public endpoint: any website can call it from a visitor's browser and read the answers."
        )
    };
    let f = Finding::new(
        &META,
        &app.id,
        function,
        resource,
        "cors",
        message,
        at,
        REMEDIATION,
    );
    if credentials {
        f.with_severity(Severity::Medium)
    } else {
        f
    }
}

impl Rule for OpenCorsOnPublicEndpoint {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        // One finding per CORS configuration, however many public routes share it.
        let mut seen: BTreeSet<Location> = BTreeSet::new();
        for function in &app.functions {
            if let Some(url) = &function.url
                && url
                    .auth_type
                    .as_str()
                    .is_some_and(|a| a.eq_ignore_ascii_case("NONE"))
                && let Some(cors) = &url.cors
                && let Some(at) = wildcard_origin(cors)
                && seen.insert(cors.location.clone())
            {
                let what = format!("The function URL of `{}`", function_label(function));
                out.push(finding(
                    app,
                    Some(&function.id),
                    &function.id,
                    what,
                    cors,
                    at,
                ));
            }
            let exposure = function_exposure(app, function);
            for entry in exposure.public_entry_points() {
                let Some(trigger) = entry.declared_trigger(function) else {
                    continue;
                };
                let Some(route) = &trigger.http else { continue };
                let api = route.api.as_deref().and_then(|id| app.api(id));
                let Some(cors) = route
                    .cors
                    .as_ref()
                    .or_else(|| api.and_then(|a| a.cors.as_ref()))
                else {
                    continue;
                };
                let Some(at) = wildcard_origin(cors) else {
                    continue;
                };
                if !seen.insert(cors.location.clone()) {
                    continue;
                }
                let (resource, what) = match &route.api {
                    Some(api_id) => (
                        api_id.clone(),
                        format!("The CORS configuration of API `{api_id}`"),
                    ),
                    None => (
                        function.id.clone(),
                        format!(
                            "The CORS configuration of function `{}`",
                            function_label(function)
                        ),
                    ),
                };
                let mut f = finding(app, Some(&function.id), &resource, what, cors, at)
                    .with_related(
                        format!(
                            "public route `{} {}` of function `{}`",
                            route.method,
                            route.path,
                            function_label(function)
                        ),
                        trigger.location.clone(),
                    );
                if let Some(api) = api {
                    f = f.with_related(format!("API `{}`", api.id), api.location.clone());
                }
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::auth::testing::*;
    use perimeter_model::{Attr, Auth};

    fn cors(origin: &str, credentials: bool, line: u32) -> Cors {
        Cors {
            allow_origins: vec![Attr::explicit(origin.into(), loc(line + 1))],
            allow_credentials: Some(Attr::explicit(credentials, loc(line + 2))),
            location: loc(line),
        }
    }

    #[test]
    fn function_url_with_wildcard_and_credentials_is_medium() {
        let mut app = app();
        let mut f = function("Fn");
        let mut u = url("NONE");
        u.cors = Some(cors("*", true, 90));
        f.url = Some(u);
        let mut iam = function("Iam");
        let mut u = url("AWS_IAM");
        u.cors = Some(cors("*", true, 95));
        iam.url = Some(u);
        app.functions.extend([f, iam]);
        let found = run(&OpenCorsOnPublicEndpoint, &app);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Medium);
        assert_eq!(found[0].location, loc(91));
    }

    #[test]
    fn api_cors_reported_once_for_public_routes() {
        let mut app = app();
        let mut api = rest_api("ServerlessRestApi");
        api.cors = Some(cors("'*'", false, 100));
        app.apis.push(api);
        let mut f = function("Fn");
        f.triggers.push(api_trigger("A", "GET", "/a", Auth::None));
        f.triggers.push(api_trigger("B", "GET", "/b", Auth::None));
        let mut g = function("Private");
        g.triggers.push(api_trigger("C", "GET", "/c", Auth::Iam));
        app.functions.extend([f, g]);
        let found = run(&OpenCorsOnPublicEndpoint, &app);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Low);
        assert_eq!(found[0].resource, "ServerlessRestApi");

        // Only authenticated routes: silent.
        app.functions.remove(0);
        assert!(run(&OpenCorsOnPublicEndpoint, &app).is_empty());
    }
}
