//! ## What it does
//! Flags API Gateway APIs (REST, HTTP, WebSocket) whose stage writes no access logs.
//!
//! ## Why is this bad?
//! Access logs are the only record of who called the API: source IP, identity, route, status,
//! latency, for every request, including the ones rejected before reaching a function (failed
//! authorizations, throttled floods, WAF blocks). Without them you cannot see credential
//! stuffing, scraping or a denial-of-wallet attack in progress, nor reconstruct an incident
//! afterwards. Function logs do not replace them: they only see requests that got through.
//!
//! ## Example
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Api:
//!     Type: AWS::Serverless::Api
//!     Properties:
//!       StageName: prod
//!   Hello:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       Events:
//!         Get:
//!           Type: Api
//!           Properties:
//!             RestApiId: !Ref Api
//!             Path: /hello
//!             Method: get
//! ```
//!
//! Use instead:
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   ApiAccessLogs:
//!     Type: AWS::Logs::LogGroup
//!     Properties:
//!       RetentionInDays: 90
//!   Api:
//!     Type: AWS::Serverless::Api
//!     Properties:
//!       StageName: prod
//!       AccessLogSetting:
//!         DestinationArn: !GetAtt ApiAccessLogs.Arn
//!         Format: '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","route":"$context.resourcePath","status":"$context.status"}'
//!   Hello:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       Events:
//!         Get:
//!           Type: Api
//!           Properties:
//!             RestApiId: !Ref Api
//!             Path: /hello
//!             Method: get
//! ```
//!
//! ## Remediation
//! Set `AccessLogSetting` (REST, SAM `AWS::Serverless::Api`) or `AccessLogSettings` (HTTP and
//! WebSocket APIs, `AWS::Serverless::HttpApi`) on every stage, pointing at a log group with a
//! retention, with a JSON format that includes at least the request ID, source IP, caller
//! identity, route, status and latency. With the Serverless Framework, set
//! `provider.logs.restApi` / `provider.logs.httpApi`.
//!
//! ## References
//! - CWE-778: Insufficient Logging
//! - https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
//! - https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging.html

use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::{ApiKind, App};

pub struct ApiAccessLoggingDisabled;

static META: RuleMeta = RuleMeta {
    code: "LOG003",
    name: "api-access-logging-disabled",
    family: Family::Log,
    summary: "API stage without access logging",
    severity: Severity::Medium,
    likelihood: Level::Medium,
    impact: Level::Medium,
    confidence: Level::High,
    source: include_str!("api_access_logging_disabled.rs"),
};

const REMEDIATION: &str = "Set AccessLogSetting (REST) / AccessLogSettings (HTTP, WebSocket) on the stage with a JSON format including request ID, source IP, identity, route and status.";

impl Rule for ApiAccessLoggingDisabled {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        for api in &app.apis {
            if api.access_logging.known() != Some(&false) {
                continue;
            }
            let kind = match api.kind {
                ApiKind::Rest => "REST API",
                ApiKind::Http => "HTTP API",
                ApiKind::WebSocket => "WebSocket API",
            };
            out.push(Finding::new(
                &META,
                &app.id,
                None,
                &api.id,
                "access-logging",
                format!("{kind} `{}` writes no access logs: requests to it, including rejected and throttled ones, leave no trace.", api.id),
                api.access_logging.location.clone(),
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
    fn fires_on_known_false_only() {
        let mut app = app();
        let mut logged = rest_api("Logged");
        logged.access_logging = Attr::explicit(true, loc(52));
        let mut unresolved = rest_api("Unresolved");
        unresolved.access_logging = Attr::unresolved("Fn::If", loc(52));
        app.apis.extend([rest_api("Bare"), logged, unresolved]);
        let found = run(&ApiAccessLoggingDisabled, &app);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].resource, "Bare");
        assert!(found[0].function.is_none());
    }
}
