//! API Gateway (REST `AWS::ApiGateway::*` and HTTP/WebSocket `AWS::ApiGatewayV2::*`): APIs
//! with their stage settings, usage plans and resource policies, and the routes that invoke
//! functions, from an inline `Body` definition or from `Method` / `Route` resources, with the
//! authorizer and API-key requirement of each route.

use super::{Entry, Linker, trigger};
use crate::cloudformation::context::Context;
use crate::cloudformation::{openapi, parse_statements};
use crate::doc::Node;
use perimeter_model::{Api, ApiKind, App, Attr, Auth, Cors, HttpRoute, Location, TriggerKind};
use std::collections::HashMap;

pub(crate) fn create(app: &mut App, ctx: &Context, e: &Entry) {
    let kind = match e.type_name {
        "AWS::ApiGateway::RestApi" => ApiKind::Rest,
        "AWS::ApiGatewayV2::Api" => {
            match e
                .prop("ProtocolType")
                .and_then(|p| ctx.string(p).known().cloned())
                .as_deref()
            {
                Some("WEBSOCKET") => ApiKind::WebSocket,
                _ => ApiKind::Http,
            }
        }
        _ => return,
    };
    let mut api = Api::new(e.id, kind, e.loc(ctx));
    api.private = is_private(ctx, e.prop("EndpointConfiguration"));
    // The resource policy is the `Policy` property or, in an imported definition,
    // `x-amazon-apigateway-policy`.
    let body_policy = e
        .prop("Body")
        .and_then(|b| b.get("x-amazon-apigateway-policy"));
    if let Some(p) = e.prop("Policy").or(body_policy) {
        api.policy = parse_statements(ctx, p);
    }
    if let Some(c) = e.prop("CorsConfiguration") {
        api.cors = Some(v2_cors(ctx, c));
    } else if let Some(c) = e
        .prop("Body")
        .and_then(|b| b.get("x-amazon-apigateway-cors"))
    {
        api.cors = Some(body_cors(ctx, c));
    }
    app.apis.push(api);
}

/// `EndpointConfiguration` (`{Types: [PRIVATE]}`, or SAM's `PRIVATE` / `{Type: PRIVATE}`).
pub(crate) fn is_private(ctx: &Context, node: Option<&Node>) -> bool {
    let Some(n) = node else { return false };
    let types = n.get("Types").or_else(|| n.get("Type")).unwrap_or(n);
    ctx.strings(types)
        .iter()
        .any(|t| t.as_str() == Some("PRIVATE"))
}

/// An HTTP API's `CorsConfiguration`.
pub(crate) fn v2_cors(ctx: &Context, c: &Node) -> Cors {
    Cors {
        allow_origins: c
            .get("AllowOrigins")
            .map(|o| ctx.strings(o))
            .unwrap_or_default(),
        allow_credentials: c.get("AllowCredentials").map(|v| ctx.bool(v)),
        location: ctx.loc(c),
    }
}

fn body_cors(ctx: &Context, c: &Node) -> Cors {
    Cors {
        allow_origins: c
            .get("allowOrigins")
            .map(|o| ctx.strings(o))
            .unwrap_or_default(),
        allow_credentials: c.get("allowCredentials").map(|v| ctx.bool(v)),
        location: ctx.loc(c),
    }
}

/// An HTTP trigger for `function` on `api`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn route_trigger(
    app: &mut App,
    linker: &Linker,
    function: &str,
    id: &str,
    type_name: &str,
    api_id: &str,
    method: &str,
    path: &str,
    auth: Attr<Auth>,
    api_key: Attr<bool>,
    loc: Location,
) {
    let api = app.api(api_id);
    let kind = match api.map(|a| a.kind) {
        Some(ApiKind::Http) => TriggerKind::HttpApi,
        Some(ApiKind::WebSocket) => TriggerKind::WebSocket,
        _ => TriggerKind::Api,
    };
    let private = api.is_some_and(|a| a.private);
    let cors = api.and_then(|a| a.cors.clone());
    let mut t = trigger(id, kind, type_name, loc.clone());
    t.source = Some(match api {
        Some(_) => Attr::explicit(api_id.to_string(), loc.clone()),
        None => Attr::unresolved("API not declared in this template", loc.clone()),
    });
    t.http = Some(HttpRoute {
        api: api.map(|_| api_id.to_string()),
        method: method.to_string(),
        path: path.to_string(),
        auth,
        api_key_required: api_key,
        private: if private {
            Attr::explicit(true, loc)
        } else {
            Attr::defaulted(false, loc)
        },
        cors,
    });
    linker.add_trigger(app, function, t);
}

pub(crate) fn link(app: &mut App, linker: &Linker, entries: &[Entry]) {
    let ctx = linker.ctx;
    let by_id: HashMap<&str, &Entry> = entries.iter().map(|e| (e.id, e)).collect();
    for e in entries {
        match e.type_name {
            "AWS::ApiGateway::RestApi" | "AWS::ApiGatewayV2::Api" => {
                if let Some(body) = e.prop("Body") {
                    body_routes(app, linker, e.id, body, e.type_name);
                }
                if let Some(target) = e.prop("Target")
                    && let Some(f) = linker.function_of(app, target)
                {
                    let route = e
                        .prop("RouteKey")
                        .and_then(|r| ctx.string(r).known().cloned());
                    let route = route.unwrap_or_else(|| "$default".to_string());
                    let (method, path) = split_route_key(&route);
                    let loc = e.loc(ctx);
                    let none = Attr::defaulted(Auth::None, loc.clone());
                    let no_key = Attr::defaulted(false, loc.clone());
                    route_trigger(
                        app,
                        linker,
                        &f,
                        e.id,
                        e.type_name,
                        e.id,
                        &method,
                        &path,
                        none,
                        no_key,
                        loc,
                    );
                }
            }
            "AWS::ApiGateway::Stage" | "AWS::ApiGateway::Deployment" => {
                let settings = if e.type_name == "AWS::ApiGateway::Deployment" {
                    match e.prop("StageDescription") {
                        Some(s) => s,
                        None => continue,
                    }
                } else {
                    &e.props
                };
                let Some(api_id) = e.prop("RestApiId").and_then(|a| ctx.ref_target(a)) else {
                    continue;
                };
                stage_settings(
                    app,
                    ctx,
                    &api_id,
                    settings,
                    "AccessLogSetting",
                    "MethodSettings",
                );
            }
            "AWS::ApiGatewayV2::Stage" => {
                let Some(api_id) = e.prop("ApiId").and_then(|a| ctx.ref_target(a)) else {
                    continue;
                };
                stage_settings(
                    app,
                    ctx,
                    &api_id,
                    &e.props,
                    "AccessLogSettings",
                    "DefaultRouteSettings",
                );
            }
            "AWS::ApiGateway::UsagePlan" => {
                for s in e.prop("ApiStages").map(Node::items).unwrap_or_default() {
                    if let Some(id) = s.get("ApiId").and_then(|a| ctx.ref_target(a))
                        && let Some(api) = app.apis.iter_mut().find(|a| a.id == id)
                    {
                        api.usage_plan = true;
                    }
                }
            }
            "AWS::ApiGateway::Method" => method(app, linker, e, &by_id),
            "AWS::ApiGatewayV2::Route" => v2_route(app, linker, e, &by_id),
            _ => {}
        }
    }
}

/// Triggers for the routes of an inline definition whose integration invokes a function.
pub(crate) fn body_routes(
    app: &mut App,
    linker: &Linker,
    api_id: &str,
    body: &Node,
    type_name: &str,
) {
    let ctx = linker.ctx;
    for r in openapi::routes(ctx, body) {
        let Some(uri) = r.uri else { continue };
        let Some(f) = linker.function_of(app, uri) else {
            continue;
        };
        let loc = ctx.loc(r.op);
        let id = format!("{} {}", r.method, r.path);
        let auth = Attr::explicit(r.auth, loc.clone());
        let key = Attr::explicit(r.api_key, loc.clone());
        route_trigger(
            app, linker, &f, &id, type_name, api_id, &r.method, &r.path, auth, key, loc,
        );
    }
}

/// `GET /path` → (`GET`, `/path`); `$default` → (`ANY`, `$default`).
pub(crate) fn split_route_key(key: &str) -> (String, String) {
    match key.split_once(' ') {
        Some((m, p)) => (m.to_ascii_uppercase(), p.to_string()),
        None => ("ANY".to_string(), key.to_string()),
    }
}

fn stage_settings(
    app: &mut App,
    ctx: &Context,
    api_id: &str,
    s: &Node,
    log_key: &str,
    throttle_key: &str,
) {
    let Some(api) = app.apis.iter_mut().find(|a| a.id == api_id) else {
        return;
    };
    if let Some(l) = s.get(log_key)
        && l.get("DestinationArn").is_some()
    {
        api.access_logging = Attr::explicit(true, ctx.loc(l));
    }
    if let Some(t) = s.get("TracingEnabled") {
        api.tracing = ctx.bool(t);
    }
    let throttles: Vec<&Node> = match s.get(throttle_key) {
        Some(n) if n.is_seq() => n.items().iter().collect(),
        Some(n) => vec![n],
        None => Vec::new(),
    };
    // Stage-wide values on the stage itself (REST `ThrottlingRateLimit` of a deployment).
    for t in throttles.into_iter().chain(std::iter::once(s)) {
        if let Some(r) = t.get("ThrottlingRateLimit") {
            let a = ctx.string(r);
            let loc = a.location.clone();
            api.throttle_rate = Some(match a.as_str().and_then(|v| v.parse::<f64>().ok()) {
                Some(v) => Attr::explicit(v, loc),
                None => Attr::unresolved("not a static number", loc),
            });
        }
        if let Some(b) = t.get("ThrottlingBurstLimit") {
            api.throttle_burst = Some(ctx.int(b));
        }
    }
}

/// The authorizer of a method or route from its `AuthorizationType` and authorizer resource.
fn authorizer_auth(
    ctx: &Context,
    kind: Option<&str>,
    authorizer: Option<&Entry>,
    name: String,
) -> Option<Auth> {
    let atype = authorizer
        .and_then(|a| a.prop("Type").or_else(|| a.prop("AuthorizerType")))
        .and_then(|t| ctx.string(t).known().cloned());
    Some(match kind.unwrap_or("NONE") {
        "NONE" => Auth::None,
        "AWS_IAM" => Auth::Iam,
        "COGNITO_USER_POOLS" => Auth::Cognito(name),
        "JWT" => Auth::Jwt(name),
        "CUSTOM" => match atype.as_deref() {
            Some("COGNITO_USER_POOLS") => Auth::Cognito(name),
            Some("JWT") => Auth::Jwt(name),
            _ => Auth::Lambda(name),
        },
        _ => return None,
    })
}

fn method(app: &mut App, linker: &Linker, e: &Entry, by_id: &HashMap<&str, &Entry>) {
    let ctx = linker.ctx;
    let Some(uri) = e.prop("Integration").and_then(|i| i.get("Uri")) else {
        return;
    };
    let Some(f) = linker.function_of(app, uri) else {
        return;
    };
    let Some(api_id) = e.prop("RestApiId").and_then(|a| ctx.ref_target(a)) else {
        return;
    };
    let method = e
        .prop("HttpMethod")
        .and_then(|m| ctx.string(m).known().cloned())
        .unwrap_or_else(|| "ANY".into());
    let path = e
        .prop("ResourceId")
        .map(|r| resource_path(ctx, r, by_id, 0))
        .unwrap_or_else(|| "/".to_string());
    let loc = e.loc(ctx);
    let authorizer = e.prop("AuthorizerId").and_then(|a| ctx.ref_target(a));
    let name = authorizer.clone().unwrap_or_default();
    let auth_type = e.prop("AuthorizationType").map(|a| ctx.string(a));
    let auth = match auth_type.as_ref().map(|a| a.as_str()) {
        Some(None) => Attr::unresolved("AuthorizationType cannot be evaluated", loc.clone()),
        kind => match authorizer_auth(
            ctx,
            kind.flatten(),
            authorizer.as_deref().and_then(|a| by_id.get(a).copied()),
            name,
        ) {
            Some(a) => Attr::explicit(a, loc.clone()),
            None => Attr::unresolved("unknown AuthorizationType", loc.clone()),
        },
    };
    let key = match e.prop("ApiKeyRequired") {
        Some(k) => ctx.bool(k),
        None => Attr::defaulted(false, loc.clone()),
    };
    let method = method.to_ascii_uppercase();
    route_trigger(
        app,
        linker,
        &f,
        e.id,
        e.type_name,
        &api_id,
        &method,
        &path,
        auth,
        key,
        loc,
    );
}

/// The path of an `AWS::ApiGateway::Resource` chain (`${Api.RootResourceId}` is `/`).
fn resource_path(
    ctx: &Context,
    node: &Node,
    by_id: &HashMap<&str, &Entry>,
    depth: usize,
) -> String {
    let s = ctx.string(node);
    let text = s.as_str().unwrap_or("");
    if text.ends_with(".RootResourceId}") || depth > 64 {
        return "/".to_string();
    }
    let Some(id) = ctx.ref_target(node) else {
        return "/".to_string();
    };
    let Some(res) = by_id.get(id.as_str()) else {
        return "/".to_string();
    };
    let part = res
        .prop("PathPart")
        .and_then(|p| ctx.string(p).known().cloned())
        .unwrap_or_default();
    let parent = res
        .prop("ParentId")
        .map(|p| resource_path(ctx, p, by_id, depth + 1))
        .unwrap_or_else(|| "/".into());
    if parent.ends_with('/') {
        format!("{parent}{part}")
    } else {
        format!("{parent}/{part}")
    }
}

fn v2_route(app: &mut App, linker: &Linker, e: &Entry, by_id: &HashMap<&str, &Entry>) {
    let ctx = linker.ctx;
    let Some(target) = e
        .prop("Target")
        .and_then(|t| ctx.string(t).known().cloned())
    else {
        return;
    };
    let integration = super::referenced_ids(&target)
        .into_iter()
        .next()
        .and_then(|id| by_id.get(id).copied());
    let Some(uri) = integration.and_then(|i| i.prop("IntegrationUri")) else {
        return;
    };
    let Some(f) = linker.function_of(app, uri) else {
        return;
    };
    let Some(api_id) = e.prop("ApiId").and_then(|a| ctx.ref_target(a)) else {
        return;
    };
    let key = e
        .prop("RouteKey")
        .and_then(|r| ctx.string(r).known().cloned())
        .unwrap_or_else(|| "$default".into());
    let (method, path) = split_route_key(&key);
    let loc = e.loc(ctx);
    let authorizer = e.prop("AuthorizerId").and_then(|a| ctx.ref_target(a));
    let name = authorizer.clone().unwrap_or_default();
    let kind = e
        .prop("AuthorizationType")
        .and_then(|a| ctx.string(a).known().cloned());
    let auth = match authorizer_auth(
        ctx,
        kind.as_deref(),
        authorizer.as_deref().and_then(|a| by_id.get(a).copied()),
        name,
    ) {
        Some(a) => Attr::explicit(a, loc.clone()),
        None => Attr::unresolved("unknown AuthorizationType", loc.clone()),
    };
    let api_key = match e.prop("ApiKeyRequired") {
        Some(k) => ctx.bool(k),
        None => Attr::defaulted(false, loc.clone()),
    };
    route_trigger(
        app,
        linker,
        &f,
        e.id,
        e.type_name,
        &api_id,
        &method,
        &path,
        auth,
        api_key,
        loc,
    );
}

/// Routes known only from an API Gateway invoke permission (an API whose definition is
/// outside the template, e.g. `BodyS3Location`): `…:${Api}/stage/METHOD/path`. The route's
/// authentication is not knowable here.
pub(crate) fn permission_routes(app: &mut App, linker: &Linker) {
    let mut found = Vec::new();
    for p in &app.permissions {
        if p.principal.as_str() != Some("apigateway.amazonaws.com") {
            continue;
        }
        let (Some(f), Some(arn)) = (
            p.function.as_str(),
            p.source_arn.as_ref().and_then(|s| s.as_str()),
        ) else {
            continue;
        };
        if app.function(f).is_none() {
            continue;
        }
        // `arn:aws:execute-api:region:account:api/stage/METHOD/path`
        let arn = arn
            .replace("${AWS::Region}", "region")
            .replace("${AWS::AccountId}", "account");
        let Some(resource) = arn.splitn(6, ':').nth(5) else {
            continue;
        };
        let Some((api_part, rest)) = resource.split_once('/') else {
            continue;
        };
        let api_id = api_part.trim_start_matches("${").trim_end_matches('}');
        if app.api(api_id).is_none() {
            continue;
        }
        let mut parts = rest.splitn(3, '/');
        let (_stage, method, path) = (
            parts.next(),
            parts.next().unwrap_or("*"),
            parts.next().unwrap_or(""),
        );
        if method == "authorizers" || rest.starts_with("authorizers/") {
            continue;
        }
        let has_route = app.function(f).is_some_and(|func| {
            func.triggers.iter().any(|t| {
                t.http
                    .as_ref()
                    .is_some_and(|h| h.api.as_deref() == Some(api_id))
            })
        });
        if has_route {
            continue;
        }
        let method = if method == "*" {
            "ANY".to_string()
        } else {
            method.to_ascii_uppercase()
        };
        // An HTTP API permission for every route stands for its catch-all `$default` route.
        let http = app.api(api_id).is_some_and(|a| a.kind == ApiKind::Http);
        let path = if http && method == "ANY" && path.is_empty() {
            "$default".to_string()
        } else {
            format!("/{path}")
        };
        found.push((
            f.to_string(),
            p.id.clone(),
            api_id.to_string(),
            method,
            path,
            p.location.clone(),
        ));
    }
    for (f, id, api_id, method, path, loc) in found {
        let auth = Attr::unresolved("routes defined outside the template", loc.clone());
        let key = Attr::unresolved("routes defined outside the template", loc.clone());
        route_trigger(
            app,
            linker,
            &f,
            &id,
            "AWS::Lambda::Permission",
            &api_id,
            &method,
            &path,
            auth,
            key,
            loc,
        );
    }
}
