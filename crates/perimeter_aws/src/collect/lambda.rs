//! Lambda: functions (`ListFunctions`) and, per function, the URL config, resource policy,
//! event invoke configs, reserved concurrency, code signing config and tags; then every event
//! source mapping of the region (no function filter, so mappings of deleted functions are
//! seen). Environment values the secret detectors flag are redacted here, before anything
//! is stored.

use super::Ctx;
use super::gaps::{self, Failure};
use aws_config::SdkConfig;
use aws_sdk_lambda::Client;
use aws_sdk_lambda::types::FunctionConfiguration;
use futures_util::future::join_all;
use perimeter_load::snapshot::{
    EventInvokeConfig, EventSourceMapping, FunctionData, RegionData, UrlConfig,
};
use perimeter_model::{Attr, EnvVar, Function, Location};
use std::collections::{BTreeMap, HashMap};

/// Most pages read from one list: a guard against an endpoint that repeats its marker.
pub(crate) const MAX_PAGES: usize = 10_000;

/// Reads the region's functions and mappings. `None` when the region refused the
/// credentials while probing (`--all-regions`): it is then not part of the scan.
pub(crate) async fn read_region(
    ctx: &Ctx,
    conf: &SdkConfig,
    region: &str,
    probing: bool,
) -> Option<RegionData> {
    let client = Client::new(conf);
    let mut data = RegionData {
        region: region.to_string(),
        ..RegionData::default()
    };
    let mut configs: Vec<FunctionConfiguration> = Vec::new();
    let mut marker: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let page = {
            let _permit = ctx.permit().await;
            client
                .list_functions()
                .set_marker(marker.clone())
                .send()
                .await
        };
        match page {
            Ok(out) => {
                configs.extend(out.functions().iter().cloned());
                let next = out.next_marker().map(str::to_string);
                if next.is_none() || next == marker {
                    break;
                }
                marker = next;
            }
            Err(e) => {
                let failure = gaps::classify(&e);
                if probing && matches!(failure, Failure::Refused(_)) {
                    ctx.gap(format!(
                        "region {region} refused the credentials (an opt-in region not enabled \
                         for the account?): it was not scanned"
                    ));
                    return None;
                }
                ctx.gap(gaps::sentence(
                    &format!("Lambda functions in {region}"),
                    "lambda:ListFunctions",
                    "no function of this region is scanned",
                    &failure,
                ));
                break;
            }
        }
    }
    data.functions = join_all(configs.iter().map(|c| read_function(ctx, &client, c))).await;
    data.functions.sort_by(|a, b| a.name.cmp(&b.name));
    data.event_source_mappings = read_mappings(ctx, &client).await;
    Some(data)
}

async fn read_function(ctx: &Ctx, client: &Client, c: &FunctionConfiguration) -> FunctionData {
    let name = c.function_name().unwrap_or_default().to_string();
    let arn = c.function_arn().unwrap_or_default().to_string();
    let environment = c
        .environment()
        .and_then(|e| e.variables())
        .map(|vars| redacted_environment(&name, &arn, vars))
        .unwrap_or_default();
    let mut f = FunctionData {
        runtime: c.runtime().map(|r| r.as_str().to_string()),
        handler: c.handler().map(str::to_string),
        package_type: c.package_type().map(|p| p.as_str().to_string()),
        role: c.role().map(str::to_string),
        timeout: c.timeout().and_then(|t| u32::try_from(t).ok()),
        memory: c.memory_size().and_then(|m| u32::try_from(m).ok()),
        environment,
        tracing_mode: c
            .tracing_config()
            .and_then(|t| t.mode())
            .map(|m| m.as_str().to_string()),
        layers: c
            .layers()
            .iter()
            .filter_map(|l| l.arn())
            .map(str::to_string)
            .collect(),
        vpc: c.vpc_config().is_some_and(|v| !v.subnet_ids().is_empty()),
        dead_letter_target: c
            .dead_letter_config()
            .and_then(|d| d.target_arn())
            .map(str::to_string),
        architectures: c
            .architectures()
            .iter()
            .map(|a| a.as_str().to_string())
            .collect(),
        last_modified: c.last_modified().map(str::to_string),
        code_sha256: c.code_sha256().map(str::to_string),
        code_size: u64::try_from(c.code_size()).ok(),
        state: c.state().map(|s| s.as_str().to_string()),
        name,
        arn,
        ..FunctionData::default()
    };
    let (url, policy, invoke, concurrency, signing, tags) = tokio::join!(
        url_config(ctx, client, &f.name),
        policy(ctx, client, &f.name),
        invoke_configs(ctx, client, &f.name),
        concurrency(ctx, client, &f.name),
        code_signing(ctx, client, &f.name),
        tags(ctx, client, &f.arn),
    );
    f.url = url;
    f.policy = policy;
    f.event_invoke_configs = invoke;
    f.reserved_concurrency = concurrency;
    f.code_signing_config_arn = signing;
    f.tags = tags;
    f
}

/// The environment with every value the SEC engine flags replaced by its redaction marker
/// (judged together, so an AWS secret key next to its key id is recognised).
fn redacted_environment(
    name: &str,
    arn: &str,
    vars: &HashMap<String, String>,
) -> BTreeMap<String, String> {
    let at = Location::new(arn, 0, 0);
    let mut function = Function::new(name, at.clone());
    let sorted: BTreeMap<&String, &String> = vars.iter().collect();
    function.environment = sorted
        .into_iter()
        .map(|(k, v)| EnvVar {
            name: k.clone(),
            value: Attr::explicit(v.clone(), at.clone()),
            location: at.clone(),
        })
        .collect();
    function
        .environment
        .iter()
        .map(|var| {
            let value = perimeter_rules::rules::sec::redaction_marker(&function, var)
                .unwrap_or_else(|| var.value.as_str().unwrap_or_default().to_string());
            (var.name.clone(), value)
        })
        .collect()
}

fn not_found(code: Option<&str>) -> bool {
    matches!(
        code,
        Some("ResourceNotFoundException") | Some("ResourceNotFound") | Some("NotFound")
    )
}

/// moto has no `ListFunctionUrlConfigs`: `GetFunctionUrlConfig` per function, where
/// `ResourceNotFoundException` means "no URL".
async fn url_config(ctx: &Ctx, client: &Client, name: &str) -> Option<UrlConfig> {
    let answer = {
        let _permit = ctx.permit().await;
        client
            .get_function_url_config()
            .function_name(name)
            .send()
            .await
    };
    match answer {
        Ok(out) => {
            let cors = out.cors();
            Some(UrlConfig {
                url: Some(out.function_url().to_string()),
                auth_type: out.auth_type().as_str().to_string(),
                allow_origins: cors.map(|c| c.allow_origins().to_vec()).unwrap_or_default(),
                allow_credentials: cors.and_then(|c| c.allow_credentials()),
                cors: cors.is_some(),
            })
        }
        Err(e) if not_found(gaps::code(&e)) => None,
        Err(e) => {
            ctx.gap(gaps::sentence(
                "function URL configs",
                "lambda:GetFunctionUrlConfig",
                "public function URL findings may be missing",
                &gaps::classify(&e),
            ));
            None
        }
    }
}

async fn policy(ctx: &Ctx, client: &Client, name: &str) -> Option<serde_json::Value> {
    let answer = {
        let _permit = ctx.permit().await;
        client.get_policy().function_name(name).send().await
    };
    match answer {
        Ok(out) => out.policy().and_then(|p| serde_json::from_str(p).ok()),
        Err(e) if not_found(gaps::code(&e)) => None,
        Err(e) => {
            ctx.gap(gaps::sentence(
                "function resource policies",
                "lambda:GetPolicy",
                "public-invocation findings may be missing",
                &gaps::classify(&e),
            ));
            None
        }
    }
}

async fn invoke_configs(ctx: &Ctx, client: &Client, name: &str) -> Vec<EventInvokeConfig> {
    let mut out = Vec::new();
    let mut marker: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let answer = {
            let _permit = ctx.permit().await;
            client
                .list_function_event_invoke_configs()
                .function_name(name)
                .set_marker(marker.clone())
                .send()
                .await
        };
        match answer {
            Ok(page) => {
                for c in page.function_event_invoke_configs() {
                    let dest = c.destination_config();
                    out.push(EventInvokeConfig {
                        function_arn: c.function_arn().map(str::to_string),
                        on_failure: dest
                            .and_then(|d| d.on_failure())
                            .and_then(|d| d.destination())
                            .map(str::to_string),
                        on_success: dest
                            .and_then(|d| d.on_success())
                            .and_then(|d| d.destination())
                            .map(str::to_string),
                    });
                }
                let next = page.next_marker().map(str::to_string);
                if next.is_none() || next == marker {
                    break;
                }
                marker = next;
            }
            Err(e) if not_found(gaps::code(&e)) => break,
            Err(e) => {
                ctx.gap(gaps::sentence(
                    "event invoke configs",
                    "lambda:ListFunctionEventInvokeConfigs",
                    "findings on asynchronous failure destinations may be wrong",
                    &gaps::classify(&e),
                ));
                break;
            }
        }
    }
    out
}

async fn concurrency(ctx: &Ctx, client: &Client, name: &str) -> Option<i64> {
    let answer = {
        let _permit = ctx.permit().await;
        client
            .get_function_concurrency()
            .function_name(name)
            .send()
            .await
    };
    match answer {
        Ok(out) => out.reserved_concurrent_executions().map(i64::from),
        Err(e) if not_found(gaps::code(&e)) => None,
        Err(e) => {
            ctx.gap(gaps::sentence(
                "reserved concurrency",
                "lambda:GetFunctionConcurrency",
                "concurrency findings may be wrong",
                &gaps::classify(&e),
            ));
            None
        }
    }
}

async fn code_signing(ctx: &Ctx, client: &Client, name: &str) -> Option<String> {
    let answer = {
        let _permit = ctx.permit().await;
        client
            .get_function_code_signing_config()
            .function_name(name)
            .send()
            .await
    };
    match answer {
        Ok(out) => Some(out.code_signing_config_arn().to_string()).filter(|a| !a.is_empty()),
        Err(e) if not_found(gaps::code(&e)) => None,
        Err(e) => {
            ctx.gap(gaps::sentence(
                "code signing configs",
                "lambda:GetFunctionCodeSigningConfig",
                "code-signing findings may be wrong",
                &gaps::classify(&e),
            ));
            None
        }
    }
}

async fn tags(ctx: &Ctx, client: &Client, arn: &str) -> BTreeMap<String, String> {
    let answer = {
        let _permit = ctx.permit().await;
        client.list_tags().resource(arn).send().await
    };
    match answer {
        Ok(out) => out
            .tags()
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
        Err(e) if not_found(gaps::code(&e)) => BTreeMap::new(),
        Err(e) => {
            ctx.gap(gaps::sentence(
                "function tags",
                "lambda:ListTags",
                "drift against IaC may miss the functions' stacks",
                &gaps::classify(&e),
            ));
            BTreeMap::new()
        }
    }
}

async fn read_mappings(ctx: &Ctx, client: &Client) -> Vec<EventSourceMapping> {
    let mut out = Vec::new();
    ctx.pages(
        |marker| {
            client
                .list_event_source_mappings()
                .set_marker(marker)
                .send()
        },
        |page| {
            out.extend(
                page.event_source_mappings()
                    .iter()
                    .map(|m| EventSourceMapping {
                        uuid: m.uuid().unwrap_or_default().to_string(),
                        function_arn: m.function_arn().unwrap_or_default().to_string(),
                        event_source_arn: m.event_source_arn().map(str::to_string),
                        self_managed_kafka: m.self_managed_event_source().is_some(),
                        state: m.state().map(str::to_string),
                    }),
            );
            page.next_marker().map(str::to_string)
        },
        (
            "event source mappings",
            "lambda:ListEventSourceMappings",
            "queue and stream triggers (and those of deleted functions) may be missing",
        ),
    )
    .await;
    out.sort_by(|a, b| a.uuid.cmp(&b.uuid));
    out
}
