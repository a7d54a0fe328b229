//! CloudFormation, SAM and CDK-output templates into the model.
//!
//! INTERFACE (kept stable for the serverless loader and discovery):
//! - [`Context`]: evaluation context of one template (parameters with defaults, conditions,
//!   mappings, resource logical IDs and types, pseudo-parameters).
//! - [`parse_statements`]: an IAM policy document node into model statements.
//! - [`load`]: a whole template into an [`App`].
//! - [`load_resources_into`]: every resource of a template into an existing [`App`] (used for
//!   the `resources:` block of a Serverless service), also available as its two passes
//!   [`create_resources_into`] and [`link_resources_into`].
//! - [`UNRESOLVED_MARKER`]: the key of `{Fn::PerimeterUnresolved: reason}`, a value a front
//!   end could not resolve; it evaluates as unresolved with that reason.
//!
//! Modules (private): `context` (state and typed accessors), `intrinsics` (static
//! evaluation), `policy` (IAM documents), `openapi` (routes and their auth in inline API
//! definitions), `resources` (plain CloudFormation, in two passes: create, then link), and
//! [`sam`] (the SAM transform, applied to the model: globals, functions and their events,
//! APIs and authorizers, policies and policy templates, connectors).
//!
//! Choices worth knowing: a resource whose `Condition` is false on the parameter defaults is
//! not loaded (it is not deployed with them); an undecided condition keeps the resource and
//! leaves the values it selects unresolved; resource references follow the conventions of
//! [`Context::string`].

mod cdk;
mod context;
mod intrinsics;
mod openapi;
mod policy;
mod resources;
pub mod sam;

use crate::doc::Node;
use perimeter_model::{App, SourceKind};

pub use cdk::{Loaded, drop_nested_duplicates, load_from_disk};
pub use context::Context;
pub use intrinsics::UNRESOLVED_MARKER;
pub use policy::parse_statements;
pub(crate) use resources::lambda::join_relative;

/// Loads a whole template. `source` says whether it is SAM, plain CloudFormation or CDK output;
/// `file` is the template's path relative to the scan root (its folder anchors `CodeUri`).
pub fn load(file: &str, template: &Node, source: SourceKind) -> App {
    let name = file.rsplit('/').next().unwrap_or(file);
    let name = name
        .split('.')
        .next()
        .filter(|n| !n.is_empty())
        .unwrap_or(name);
    let mut app = App::new(file, name, source, file);
    let ctx = Context::new(file, template);
    fill(&mut app, &ctx, template, source);
    if source == SourceKind::Cdk {
        attach_construct_paths(&mut app, template);
    }
    app
}

/// Loads the resources of `template` (evaluated in `ctx`) into `app`, through SAM's expansion
/// when it is a SAM template.
fn fill(app: &mut App, ctx: &Context, template: &Node, source: SourceKind) {
    if source == SourceKind::Sam || sam::is_sam(template) {
        // SAM registers its generated IDs on a context of its own (keeping the IDs a parent
        // stack made visible).
        let mut own = Context::new(ctx.file, template);
        for id in &ctx.extra_ids {
            own.add_resource_id(id.clone());
        }
        let mut ctx = own;
        sam::register_generated_ids(&mut ctx);
        // Properties are evaluated once for the three passes.
        let entries = resources::entries(&ctx);
        let pending = sam::load(app, &ctx, &entries);
        resources::load_entries(app, &ctx, &entries);
        sam::finish(app, &ctx, &entries, pending);
    } else {
        load_resources_into(app, ctx);
    }
}

/// Copies each resource's `Metadata: aws:cdk:path` (`Stack/Construct/Resource`) onto the
/// model element with that logical ID, so findings can name the construct the user wrote
/// as well as the template line. SAM-expanded or framework-generated elements without a
/// template resource of their own keep `None`.
fn attach_construct_paths(app: &mut App, template: &Node) {
    let Some(resources) = template.get("Resources") else {
        return;
    };
    let path_of = |id: &str| -> Option<String> {
        resources
            .get(id)?
            .get("Metadata")?
            .get("aws:cdk:path")?
            .as_str()
            .map(str::to_string)
    };
    // Only set, never cleared: the app may hold elements of a parent or nested template.
    for f in &mut app.functions {
        f.construct_path = path_of(&f.id).or(f.construct_path.take());
    }
    for r in &mut app.roles {
        r.construct_path = path_of(&r.id).or(r.construct_path.take());
    }
    for r in &mut app.resources {
        r.construct_path = path_of(&r.id).or(r.construct_path.take());
    }
    for a in &mut app.apis {
        a.construct_path = path_of(&a.id).or(a.construct_path.take());
    }
}

/// Adds every resource of `ctx.template` to `app`.
///
/// Links (permissions, event source mappings, bucket notifications, subscriptions, rules,
/// API routes, log groups, standalone IAM policies) only find functions and roles already in
/// `app`. A caller that adds its own functions afterwards (the Serverless Framework's
/// generated `…LambdaFunction`s) can instead call [`create_resources_into`], add its
/// functions, then [`link_resources_into`]. Registering their logical IDs first makes
/// `Ref`/`Fn::GetAtt` to them resolve and link: [`Context::add_function_id`] when the
/// function's ID in the model differs from its logical ID, else [`Context::add_resource_id`].
pub fn load_resources_into(app: &mut App, ctx: &Context) {
    resources::load_into(app, ctx);
}

/// Pass one of [`load_resources_into`]: the functions, roles, data stores and APIs declared in
/// `ctx.template`.
pub fn create_resources_into(app: &mut App, ctx: &Context) {
    resources::create(app, ctx, &resources::entries(ctx));
}

/// Pass two of [`load_resources_into`]: what the template's resources say about the functions,
/// roles and APIs now in `app` (triggers, permissions, policies, routes, log groups).
pub fn link_resources_into(app: &mut App, ctx: &Context) {
    resources::link(app, ctx, &resources::entries(ctx));
}

/// `true` when a parsed document looks like a CloudFormation/SAM template (by content, not by
/// file name): an `AWSTemplateFormatVersion`, a SAM `Transform`, or a `Resources` mapping whose
/// entries have a `Type` such as `AWS::…`.
pub fn is_template(doc: &Node) -> bool {
    doc.get("AWSTemplateFormatVersion").is_some()
        || doc.get("Resources").is_some_and(|r| {
            r.entries().iter().any(|(_, v)| {
                v.get("Type")
                    .and_then(Node::as_str)
                    .is_some_and(|t| t.contains("::"))
            })
        })
}
