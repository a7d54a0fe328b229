//! Serverless Framework services (`serverless.yml`/`.yaml`/`.json`, v1–v4) into the model.
//!
//! The document is first copied with its variables resolved ([`variables`]); what cannot be
//! known statically becomes a marker that reads as `Value::Unresolved`. The `resources:`
//! block becomes a template-like node that the CloudFormation loader reads into the same
//! [`App`] ([`resources`]), and whose context also evaluates intrinsics written elsewhere in
//! the service. Then each function is built with what it inherits from `provider:`
//! ([`provider`], [`functions`]), its events become triggers ([`events`]), the APIs the
//! framework creates for HTTP events are added ([`apis`]), and the roles it generates are
//! assembled ([`iam`]).
//!
//! The CloudFormation loader reads `resources:` in its two passes around the functions:
//! resources are created before them (events and roles refer to them), and their links to
//! the functions (permissions, bucket notifications, subscriptions, event source mappings,
//! log groups, …) are made after, by the functions' generated logical IDs
//! (`{NormalizedName}LambdaFunction`, declared with [`Context::add_function_id`]), deployed
//! names or ARNs.

mod apis;
mod azure;
mod events;
mod functions;
mod google;
mod iam;
mod provider;
mod read;
mod resources;
pub mod variables;

use crate::LoadOptions;
use crate::cloudformation::{self, Context};
use crate::doc::{Key, Node};
use events::Events;
use functions::{Built, RolePlan, Service};
use iam::RoleNeeds;
use perimeter_model::{App, Attr, Cloud, LoadError, Location, Resource, ResourceKind, SourceKind};
use provider::Provider;
use read::Reader;
use std::path::Path;

/// Loads one service file. `file` is its path relative to the scan root, `root` the scan root
/// on disk (the only tree `${file(…)}` may read from).
pub fn load(file: &str, doc: &Node, root: &Path, options: &LoadOptions) -> Result<App, LoadError> {
    if !doc.is_map() {
        return Err(LoadError {
            file: file.to_string(),
            line: Some(doc.line),
            column: Some(doc.column),
            message: "a Serverless service file must be a mapping".to_string(),
        });
    }
    let resolved = variables::resolve_document(file, doc, root, options);
    let stage = variables::stage_of(&resolved, options);
    let provider = Provider::new(&resolved, stage);
    match provider.name.to_ascii_lowercase().as_str() {
        "aws" => {}
        "azure" => return Ok(other_cloud(file, &resolved, &provider, root, Cloud::Azure)),
        "google" => return Ok(other_cloud(file, &resolved, &provider, root, Cloud::Gcp)),
        other => {
            let at = provider
                .get("name")
                .or_else(|| resolved.get("provider"))
                .unwrap_or(&resolved);
            return Err(LoadError {
                file: file.to_string(),
                line: Some(at.line),
                column: Some(at.column),
                message: format!(
                    "provider `{other}` is not supported: perimeter reads Serverless services \
                     for the aws, azure and google providers; this service was not scanned"
                ),
            });
        }
    }
    let name = provider.service.clone().unwrap_or_else(|| file.to_string());
    let template = resources::template(&resolved);
    let functions = function_entries(&resolved);
    let mut ctx = Context::new(file, &template);
    // `resources:` refers to the functions by the logical IDs the framework generates.
    for (key, _) in &functions {
        ctx.add_function_id(resources::function_logical_id(&key.name), key.name.clone());
    }
    let ctx = ctx;
    let reader = Reader::new(&ctx);

    // Resources first (events and roles refer to them), then the functions, then what the
    // resources say about the functions (permissions, notifications, log groups, …).
    let mut app = App::new(file, name, SourceKind::Serverless, file);
    cloudformation::create_resources_into(&mut app, &ctx);

    let service_dir = Path::new(file)
        .parent()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    let layers: Vec<String> = resolved
        .get("layers")
        .map(|l| {
            l.entries()
                .iter()
                .map(|(k, _)| format!("{}LambdaLayer", read::normalize_name(&k.name)))
                .collect()
        })
        .unwrap_or_default();
    // The service's own layers, with the folder each packages (`layers.<name>.path`).
    if let Some(declared) = resolved.get("layers") {
        for ((key, layer), id) in declared.entries().iter().zip(&layers) {
            let mut r = Resource::new(
                id.clone(),
                ResourceKind::Layer,
                "AWS::Lambda::LayerVersion",
                reader.loc(layer),
            );
            r.name = Some(Attr::explicit(key.name.clone(), reader.loc(layer)));
            r.code_path = layer.get("path").and_then(|p| {
                let path = reader.string(p);
                let text = path.as_str()?.to_string();
                Some(Attr::explicit(
                    cloudformation::join_relative(&service_dir, &text),
                    path.location,
                ))
            });
            app.resources.push(r);
        }
    }
    let artifact = resolved.get("package").and_then(|p| p.get("artifact"));
    let service = Service {
        root,
        dir: &service_dir,
        artifact,
        layers,
    };

    // The implicit APIs exist when some event needs them; they are declared where the
    // provider configures them, else at the first such event.
    let first_event = |kind: &str| -> Option<Location> {
        functions
            .iter()
            .flat_map(|(_, f)| f.get("events").map(Node::items).unwrap_or_default())
            .find_map(|e| match events::event_shape(e) {
                Some((k, _)) if k == kind => Some(reader.loc(e)),
                _ => None,
            })
    };
    let aws = provider.is_aws();
    let rest = first_event("http")
        .filter(|_| aws)
        .and_then(|l| apis::rest_api(&reader, &provider, l));
    let http = first_event("httpApi")
        .filter(|_| aws)
        .and_then(|l| apis::http_api(&reader, &provider, l));
    let websocket = first_event("websocket")
        .filter(|_| aws)
        .and_then(|l| apis::websocket_api(&reader, &provider, l));
    let events = Events {
        reader: &reader,
        app: &app,
        provider: &provider,
        rest_api: rest.as_ref().map(|a| a.id.clone()),
        http_api: http.as_ref().map(|a| a.id.clone()),
        websocket_api: websocket.as_ref().map(|a| a.id.clone()),
        websocket_auth: events::websocket_connect_auth(&reader, &functions),
        rest_private: rest.as_ref().is_some_and(|a| a.private),
    };

    let built: Vec<Built> = functions
        .iter()
        .map(|(key, node)| {
            let mut b = functions::build(&reader, &app, &provider, &events, &service, key, node);
            if let Some(reason) = variables::unresolved_reason(node) {
                b.function.handler = Attr::unresolved(reason, b.function.location.clone());
            }
            b
        })
        .collect();
    let roles = generated_roles(&reader, &app, &provider, &resolved, &built);

    let mut url_permissions = Vec::new();
    for b in built {
        url_permissions.extend(b.permission);
        app.functions.push(b.function);
    }
    cloudformation::link_resources_into(&mut app, &ctx);
    app.permissions.extend(url_permissions);
    app.roles.extend(roles);
    app.apis
        .extend([rest, http, websocket].into_iter().flatten());
    Ok(app)
}

/// A service on Azure (`serverless-azure-functions`) or Google Cloud
/// (`serverless-google-cloudfunctions`). Their `resources:` are ARM / Deployment Manager
/// templates, not CloudFormation, so they are not read; each function is built by its
/// provider's module.
fn other_cloud(file: &str, doc: &Node, provider: &Provider, root: &Path, cloud: Cloud) -> App {
    let empty = Node::null(1, 1);
    let ctx = Context::new(file, &empty);
    let reader = Reader::new(&ctx);
    let name = provider.service.clone().unwrap_or_else(|| file.to_string());
    let mut app = App::new(file, name, SourceKind::Serverless, file);
    app.cloud = cloud;
    let service_dir = Path::new(file)
        .parent()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    let service = Service {
        root,
        dir: &service_dir,
        artifact: None,
        layers: Vec::new(),
    };
    for (key, node) in function_entries(doc) {
        let mut f = match cloud {
            Cloud::Gcp => google::build(&reader, provider, &service, key, node),
            _ => azure::build(&reader, provider, &service, key, node),
        };
        if let Some(reason) = variables::unresolved_reason(node) {
            f.handler = Attr::unresolved(reason, f.location.clone());
        }
        app.functions.push(f);
    }
    app
}

/// `functions:` as a mapping, or (older services) a list of mappings.
fn function_entries(doc: &Node) -> Vec<(&Key, &Node)> {
    let Some(functions) = doc.get("functions") else {
        return Vec::new();
    };
    let blocks: Vec<&Node> = if functions.is_seq() {
        functions.items().iter().collect()
    } else {
        vec![functions]
    };
    blocks
        .into_iter()
        .filter(|b| variables::unresolved_reason(b).is_none())
        .flat_map(|b| b.entries().iter().map(|(k, v)| (k, v)))
        .collect()
}

/// The shared role and the per-function roles the framework generates.
fn generated_roles(
    reader: &Reader,
    app: &App,
    provider: &Provider,
    doc: &Node,
    built: &[Built],
) -> Vec<perimeter_model::Role> {
    let location = provider
        .get("iam")
        .or_else(|| provider.get("iamRoleStatements"))
        .or(provider.node)
        .or_else(|| doc.get("functions"))
        .map(|n| reader.loc(n))
        .unwrap_or_else(|| reader.loc(doc));
    let policy_name = provider
        .prefix()
        .map(|p| format!("{p}-lambda"))
        .unwrap_or_else(|| "lambda".to_string());
    let provider_statements = || iam::statements(reader, &provider.statements());
    let provider_managed = || iam::managed_arns(reader, &provider.managed_policies());
    let boundary = provider.permissions_boundary().map(|n| reader.string(n));
    let mut roles = Vec::new();

    let mut shared = RoleNeeds::default();
    let mut any_shared = false;
    for b in built.iter().filter(|b| matches!(b.plan, RolePlan::Shared)) {
        any_shared = true;
        merge_needs(&mut shared, &b.needs);
    }
    // A role of that name in `resources:` replaces the generated one.
    if any_shared && app.role(iam::SHARED_ROLE).is_none() {
        roles.push(iam::generated_role(
            iam::SHARED_ROLE,
            &policy_name,
            &location,
            provider_statements(),
            provider_managed(),
            boundary.clone(),
            shared,
        ));
    }
    for b in built {
        let RolePlan::Own {
            statements,
            managed,
            inherit,
        } = &b.plan
        else {
            continue;
        };
        let Some(id) = b.function.role.as_str() else {
            continue;
        };
        if app.role(id).is_some() {
            continue;
        }
        let mut authored = iam::statements(reader, statements);
        let mut arns = iam::managed_arns(reader, managed);
        if *inherit {
            authored.extend(provider_statements());
            arns.extend(provider_managed());
        }
        let mut needs = RoleNeeds::default();
        merge_needs(&mut needs, &b.needs);
        let policy = format!("{}-lambda", b.function.name);
        roles.push(iam::generated_role(
            id,
            &policy,
            &b.function.role.location,
            authored,
            arns,
            boundary.clone(),
            needs,
        ));
    }
    roles
}

fn merge_needs(into: &mut RoleNeeds, from: &RoleNeeds) {
    into.vpc |= from.vpc;
    into.tracing |= from.tracing;
    into.event_statements
        .extend(from.event_statements.iter().cloned());
    into.log_groups.extend(from.log_groups.iter().cloned());
}
