//! The APIs the framework creates implicitly for `http`, `httpApi` and `websocket` events
//! (`ApiGatewayRestApi`, `HttpApi`, `WebsocketsApi`), with the stage settings of the
//! `provider` block: access logging, tracing, usage plans and throttling, CORS, resource
//! policy, private endpoints.

use super::iam;
use super::provider::Provider;
use super::read::{Reader, first};
use super::variables::unresolved_reason;
use crate::doc::Node;
use perimeter_model::{Api, ApiKind, Attr, Cors, Location};

pub const REST_API: &str = "ApiGatewayRestApi";
pub const HTTP_API: &str = "HttpApi";
pub const WEBSOCKET_API: &str = "WebsocketsApi";

/// The implicit REST API, unless the service attaches its routes to an existing one.
pub fn rest_api(reader: &Reader, provider: &Provider, fallback: Location) -> Option<Api> {
    if provider.api_gateway("restApiId").is_some() {
        return None;
    }
    let location = provider
        .get("apiGateway")
        .map(|n| reader.loc(n))
        .unwrap_or(fallback);
    let mut api = Api::new(REST_API, ApiKind::Rest, location);
    if let Some(logs) = provider.path(&["logs", "restApi"]) {
        api.access_logging = access_logging(reader, logs);
    }
    if let Some(t) = provider.path(&["tracing", "apiGateway"]) {
        api.tracing = reader.bool(t);
    }
    let plan = provider.api_gateway("usagePlan");
    api.usage_plan = plan.is_some() || provider.api_gateway("apiKeys").is_some();
    if let Some(throttle) = plan.and_then(plan_throttle) {
        api.throttle_rate = throttle.get("rateLimit").map(|n| reader.f64(n));
        api.throttle_burst = throttle.get("burstLimit").map(|n| reader.i64(n));
    }
    if let Some(policy) = provider.api_gateway("resourcePolicy") {
        api.policy = iam::statements(reader, &[policy]);
    }
    api.private = provider
        .get("endpointType")
        .or_else(|| provider.path(&["apiGateway", "endpointType"]))
        .and_then(Node::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("private"));
    Some(api)
}

/// The implicit HTTP API, unless the service uses an existing one (`httpApi.id`).
pub fn http_api(reader: &Reader, provider: &Provider, fallback: Location) -> Option<Api> {
    if provider.path(&["httpApi", "id"]).is_some() {
        return None;
    }
    let location = provider
        .get("httpApi")
        .map(|n| reader.loc(n))
        .unwrap_or(fallback);
    let mut api = Api::new(HTTP_API, ApiKind::Http, location);
    if let Some(logs) = provider.path(&["logs", "httpApi"]) {
        api.access_logging = access_logging(reader, logs);
    }
    if let Some(c) = provider.path(&["httpApi", "cors"]) {
        api.cors = cors(reader, c, &["allowedOrigins"]);
    }
    Some(api)
}

/// The implicit WebSocket API, unless the service uses an existing one.
pub fn websocket_api(reader: &Reader, provider: &Provider, fallback: Location) -> Option<Api> {
    if provider.get("websocketsApiId").is_some() || provider.get("websocketApiId").is_some() {
        return None;
    }
    let mut api = Api::new(WEBSOCKET_API, ApiKind::WebSocket, fallback);
    if let Some(logs) = provider.path(&["logs", "websocket"]) {
        api.access_logging = access_logging(reader, logs);
    }
    Some(api)
}

/// `logs.restApi: true` or a settings mapping (on unless `accessLogging: false`).
fn access_logging(reader: &Reader, node: &Node) -> Attr<bool> {
    if node.is_map() && unresolved_reason(node).is_none() {
        return match node.get("accessLogging") {
            Some(a) => reader.bool(a),
            None => Attr::explicit(true, reader.loc(node)),
        };
    }
    reader.bool(node)
}

/// The throttle of a usage plan: `{throttle: …}` or the first of a list of named plans.
fn plan_throttle(plan: &Node) -> Option<&Node> {
    if let Some(t) = plan.get("throttle") {
        return Some(t);
    }
    plan.items()
        .iter()
        .find_map(|p| p.entries().iter().find_map(|(_, v)| v.get("throttle")))
}

/// CORS settings written as `true`, or as a mapping whose origins are under one of
/// `origin_keys` (the framework allows any origin when none is listed).
pub fn cors(reader: &Reader, node: &Node, origin_keys: &[&str]) -> Option<Cors> {
    let location = reader.loc(node);
    if let Some(reason) = unresolved_reason(node) {
        return Some(Cors {
            allow_origins: vec![Attr::unresolved(reason, location.clone())],
            allow_credentials: None,
            location,
        });
    }
    if !node.is_map() {
        let on = reader.bool(node);
        return match on.known() {
            // `cors: true` is the author asking for any origin.
            Some(true) => Some(Cors {
                allow_origins: vec![Attr::explicit("*".to_string(), location.clone())],
                allow_credentials: None,
                location,
            }),
            Some(false) => None,
            None => Some(Cors {
                allow_origins: vec![Attr::unresolved(
                    "CORS setting not static",
                    location.clone(),
                )],
                allow_credentials: None,
                location,
            }),
        };
    }
    let mut allow_origins: Vec<Attr<String>> = origin_keys
        .iter()
        .filter_map(|k| node.get(k))
        .flat_map(|n| reader.strings(n))
        .collect();
    if allow_origins.is_empty() {
        allow_origins.push(Attr::defaulted("*".to_string(), location.clone()));
    }
    let allow_credentials =
        first(node, &["allowCredentials", "allowedCredentials"]).map(|n| reader.bool(n));
    Some(Cors {
        allow_origins,
        allow_credentials,
        location,
    })
}
