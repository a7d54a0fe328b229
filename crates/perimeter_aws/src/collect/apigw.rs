//! API Gateway v1 (REST APIs: resources, methods with their authorization and integration,
//! authorizers, stages, usage plans) and v2 (HTTP and WebSocket APIs: routes, authorizers,
//! integrations, stages).

use super::Ctx;
use super::gaps;
use aws_config::SdkConfig;
use futures_util::future::join_all;
use perimeter_load::snapshot::{
    Authorizer, HttpApi, HttpRoute, RegionData, RestApi, RestMethod, StageData,
};
use std::collections::BTreeMap;

const V1: &str = "API Gateway REST APIs";
const V2: &str = "API Gateway HTTP APIs";
const CONSEQUENCE: &str = "unauthenticated-route findings may be missing";

pub(crate) async fn read_region(ctx: &Ctx, conf: &SdkConfig, data: &mut RegionData) {
    let (rest, usage, http) = tokio::join!(
        rest_apis(ctx, conf),
        usage_plans(ctx, conf),
        http_apis(ctx, conf)
    );
    data.rest_apis = rest;
    data.usage_plan_api_ids = usage;
    data.http_apis = http;
}

/// API Gateway returns a REST API's policy as JSON with escaped quotes.
fn api_policy(text: &str) -> Option<serde_json::Value> {
    serde_json::from_str(text)
        .ok()
        .or_else(|| serde_json::from_str(&text.replace("\\\"", "\"")).ok())
}

fn gap<E, R>(ctx: &Ctx, what: &str, action: &str, err: &gaps::SdkError<E, R>)
where
    E: gaps::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    ctx.gap(gaps::sentence(
        what,
        action,
        CONSEQUENCE,
        &gaps::classify(err),
    ));
}

async fn rest_apis(ctx: &Ctx, conf: &SdkConfig) -> Vec<RestApi> {
    let client = aws_sdk_apigateway::Client::new(conf);
    let mut apis = Vec::new();
    ctx.pages(
        |position| {
            client
                .get_rest_apis()
                .limit(500)
                .set_position(position)
                .send()
        },
        |page| {
            apis.extend(page.items().iter().map(|a| {
                RestApi {
                    id: a.id().unwrap_or_default().to_string(),
                    name: a.name().map(str::to_string),
                    endpoint_types: a
                        .endpoint_configuration()
                        .map(|e| e.types().iter().map(|t| t.as_str().to_string()).collect())
                        .unwrap_or_default(),
                    policy: a.policy().and_then(api_policy),
                    ..RestApi::default()
                }
            }));
            page.position().map(str::to_string)
        },
        (V1, "apigateway:GET", CONSEQUENCE),
    )
    .await;
    let client = &client;
    join_all(apis.into_iter().map(|mut api| async move {
        let (methods, authorizers, stages) = tokio::join!(
            rest_methods(ctx, client, &api.id),
            rest_authorizers(ctx, client, &api.id),
            rest_stages(ctx, client, &api.id)
        );
        api.methods = methods;
        api.authorizers = authorizers;
        api.stages = stages;
        api
    }))
    .await
}

async fn rest_methods(
    ctx: &Ctx,
    client: &aws_sdk_apigateway::Client,
    api: &str,
) -> Vec<RestMethod> {
    let mut listed: Vec<(String, String, String)> = Vec::new();
    ctx.pages(
        |position| {
            client
                .get_resources()
                .rest_api_id(api)
                .limit(500)
                .set_position(position)
                .send()
        },
        |page| {
            for r in page.items() {
                let (Some(id), Some(path)) = (r.id(), r.path()) else {
                    continue;
                };
                let mut methods: Vec<&String> = r
                    .resource_methods()
                    .map(|m| m.keys().collect())
                    .unwrap_or_default();
                methods.sort();
                for m in methods {
                    listed.push((id.to_string(), path.to_string(), m.clone()));
                }
            }
            page.position().map(str::to_string)
        },
        (V1, "apigateway:GET", CONSEQUENCE),
    )
    .await;
    let methods = join_all(listed.into_iter().map(|(id, path, method)| async move {
        let answer = {
            let _permit = ctx.permit().await;
            client
                .get_method()
                .rest_api_id(api)
                .resource_id(&id)
                .http_method(&method)
                .send()
                .await
        };
        match answer {
            Ok(out) => Some(RestMethod {
                path,
                http_method: method,
                authorization_type: out.authorization_type().map(str::to_string),
                authorizer_id: out.authorizer_id().map(str::to_string),
                api_key_required: out.api_key_required().unwrap_or(false),
                integration_uri: out
                    .method_integration()
                    .and_then(|i| i.uri())
                    .map(str::to_string),
            }),
            Err(e) => {
                gap(ctx, V1, "apigateway:GET", &e);
                None
            }
        }
    }))
    .await;
    methods.into_iter().flatten().collect()
}

async fn rest_authorizers(
    ctx: &Ctx,
    client: &aws_sdk_apigateway::Client,
    api: &str,
) -> Vec<Authorizer> {
    let mut out = Vec::new();
    ctx.pages(
        |position| {
            client
                .get_authorizers()
                .rest_api_id(api)
                .limit(500)
                .set_position(position)
                .send()
        },
        |page| {
            out.extend(page.items().iter().map(|a| Authorizer {
                id: a.id().unwrap_or_default().to_string(),
                name: a.name().map(str::to_string),
                authorizer_type: a.r#type().map(|t| t.as_str().to_string()),
            }));
            page.position().map(str::to_string)
        },
        (V1, "apigateway:GET", CONSEQUENCE),
    )
    .await;
    out
}

async fn rest_stages(ctx: &Ctx, client: &aws_sdk_apigateway::Client, api: &str) -> Vec<StageData> {
    let answer = {
        let _permit = ctx.permit().await;
        client.get_stages().rest_api_id(api).send().await
    };
    match answer {
        Ok(out) => out
            .item()
            .iter()
            .map(|s| {
                let all = s.method_settings().and_then(|m| m.get("*/*"));
                StageData {
                    name: s.stage_name().unwrap_or_default().to_string(),
                    tracing: s.tracing_enabled(),
                    access_logs: s
                        .access_log_settings()
                        .and_then(|a| a.destination_arn())
                        .is_some_and(|d| !d.is_empty()),
                    throttle_rate: all.map(|m| m.throttling_rate_limit()).filter(|r| *r > 0.0),
                    throttle_burst: all
                        .map(|m| i64::from(m.throttling_burst_limit()))
                        .filter(|b| *b > 0),
                }
            })
            .collect(),
        Err(e) => {
            gap(ctx, V1, "apigateway:GET", &e);
            Vec::new()
        }
    }
}

async fn usage_plans(ctx: &Ctx, conf: &SdkConfig) -> Vec<String> {
    let client = aws_sdk_apigateway::Client::new(conf);
    let mut ids = Vec::new();
    ctx.pages(
        |position| {
            client
                .get_usage_plans()
                .limit(500)
                .set_position(position)
                .send()
        },
        |page| {
            for plan in page.items() {
                ids.extend(
                    plan.api_stages()
                        .iter()
                        .filter_map(|s| s.api_id())
                        .map(str::to_string),
                );
            }
            page.position().map(str::to_string)
        },
        (
            "API Gateway usage plans",
            "apigateway:GET",
            "REST APIs may be reported as having no usage plan",
        ),
    )
    .await;
    ids.sort();
    ids.dedup();
    ids
}

async fn http_apis(ctx: &Ctx, conf: &SdkConfig) -> Vec<HttpApi> {
    let client = aws_sdk_apigatewayv2::Client::new(conf);
    let mut apis = Vec::new();
    ctx.pages(
        |token| {
            client
                .get_apis()
                .max_results("500")
                .set_next_token(token)
                .send()
        },
        |page| {
            apis.extend(page.items().iter().map(|a| {
                let cors = a.cors_configuration();
                HttpApi {
                    id: a.api_id().unwrap_or_default().to_string(),
                    name: a.name().map(str::to_string),
                    protocol_type: a.protocol_type().map(|p| p.as_str().to_string()),
                    cors_allow_origins: cors
                        .map(|c| c.allow_origins().to_vec())
                        .unwrap_or_default(),
                    cors_allow_credentials: cors.and_then(|c| c.allow_credentials()),
                    cors: cors.is_some(),
                    ..HttpApi::default()
                }
            }));
            page.next_token().map(str::to_string)
        },
        (V2, "apigateway:GET", CONSEQUENCE),
    )
    .await;
    let client = &client;
    join_all(apis.into_iter().map(|mut api| async move {
        let (routes, authorizers, integrations, stages) = tokio::join!(
            http_routes(ctx, client, &api.id),
            http_authorizers(ctx, client, &api.id),
            http_integrations(ctx, client, &api.id),
            http_stages(ctx, client, &api.id)
        );
        api.routes = routes;
        api.authorizers = authorizers;
        api.integrations = integrations;
        api.stages = stages;
        api
    }))
    .await
}

/// Pages of a v2 `Get*` list call: `$call` builds the request for a token.
macro_rules! v2_pages {
    ($ctx:expr, $what:expr, $call:expr, $map:expr) => {{
        let mut out = Vec::new();
        $ctx.pages(
            |token| $call(token).send(),
            |page| {
                out.extend(page.items().iter().map($map));
                page.next_token().map(str::to_string)
            },
            ($what, "apigateway:GET", CONSEQUENCE),
        )
        .await;
        out
    }};
}

async fn http_routes(
    ctx: &Ctx,
    client: &aws_sdk_apigatewayv2::Client,
    api: &str,
) -> Vec<HttpRoute> {
    v2_pages!(
        ctx,
        "API Gateway HTTP API routes",
        |t| client.get_routes().api_id(api).set_next_token(t),
        |r: &aws_sdk_apigatewayv2::types::Route| HttpRoute {
            route_key: r.route_key().unwrap_or_default().to_string(),
            authorization_type: r.authorization_type().map(|a| a.as_str().to_string()),
            authorizer_id: r.authorizer_id().map(str::to_string),
            api_key_required: r.api_key_required().unwrap_or(false),
            target: r.target().map(str::to_string),
        }
    )
}

async fn http_authorizers(
    ctx: &Ctx,
    client: &aws_sdk_apigatewayv2::Client,
    api: &str,
) -> Vec<Authorizer> {
    v2_pages!(
        ctx,
        "API Gateway HTTP API authorizers",
        |t| client.get_authorizers().api_id(api).set_next_token(t),
        |a: &aws_sdk_apigatewayv2::types::Authorizer| Authorizer {
            id: a.authorizer_id().unwrap_or_default().to_string(),
            name: a.name().map(str::to_string),
            authorizer_type: a.authorizer_type().map(|t| t.as_str().to_string()),
        }
    )
}

async fn http_integrations(
    ctx: &Ctx,
    client: &aws_sdk_apigatewayv2::Client,
    api: &str,
) -> BTreeMap<String, String> {
    let list: Vec<Option<(String, String)>> = v2_pages!(
        ctx,
        "API Gateway HTTP API integrations",
        |t| client.get_integrations().api_id(api).set_next_token(t),
        |i: &aws_sdk_apigatewayv2::types::Integration| Some((
            i.integration_id()?.to_string(),
            i.integration_uri()?.to_string()
        ))
    );
    list.into_iter().flatten().collect()
}

async fn http_stages(
    ctx: &Ctx,
    client: &aws_sdk_apigatewayv2::Client,
    api: &str,
) -> Vec<StageData> {
    v2_pages!(
        ctx,
        "API Gateway HTTP API stages",
        |t| client.get_stages().api_id(api).set_next_token(t),
        |s: &aws_sdk_apigatewayv2::types::Stage| {
            let route = s.default_route_settings();
            StageData {
                name: s.stage_name().unwrap_or_default().to_string(),
                tracing: false,
                access_logs: s
                    .access_log_settings()
                    .and_then(|a| a.destination_arn())
                    .is_some_and(|d| !d.is_empty()),
                throttle_rate: route.and_then(|r| r.throttling_rate_limit()),
                throttle_burst: route
                    .and_then(|r| r.throttling_burst_limit())
                    .map(i64::from),
            }
        }
    )
}
