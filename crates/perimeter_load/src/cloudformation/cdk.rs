//! What a CDK cloud assembly (`cdk.out`) adds to its CloudFormation templates: nested stacks,
//! assets and stack names.
//!
//! `cdk synth` writes each `NestedStack` as `<Parent><Id><hash>.nested.template.json` next to
//! its parent, referenced by an `AWS::CloudFormation::Stack` whose `TemplateURL` is an S3 URL
//! and whose `Metadata: aws:asset:path` names the local file. Function code and layer content
//! are `asset.<hash>` folders (or `.zip` files) named the same way (`aws:asset:property: Code`
//! or `Content`). Stack names are in the assembly's `manifest.json`.
//!
//! A nested template is loaded into its parent's [`App`]: one deployed application, so roles,
//! tables and layers on either side of the boundary link. The parent's `Parameters` on the
//! Stack resource become the nested template's parameter values (a `Ref`/`Fn::GetAtt` of a
//! parent resource stays a reference to it, as `${Id}`/`${Id.Attr}`). Values going the other
//! way (the parent reading a nested stack's `Outputs`) are not followed. Plain CloudFormation
//! nested stacks whose `TemplateURL` is a local path (before `aws cloudformation package`) are
//! followed the same way. A nested template that is also found on its own is dropped by
//! [`drop_nested_duplicates`] so nothing is counted twice.

use super::context::Context;
use super::join_relative;
use crate::doc::{self, Key, Node, NodeKind};
use perimeter_model::{App, Attr, LoadError, Location, SourceKind};
use std::collections::{BTreeSet, HashSet};
use std::path::Path;

/// Deepest chain of nested stacks followed (CloudFormation itself allows five levels in
/// practice; more is a cycle or a hostile input).
const MAX_NESTING: usize = 8;
/// Most nested templates loaded into one app.
const MAX_NESTED: usize = 200;
/// Largest `manifest.json` read for stack names (real ones are tens of kilobytes).
const MAX_MANIFEST_BYTES: u64 = 5 * 1024 * 1024;

/// A template loaded with what it pulls in from disk, and the problems met doing so.
pub struct Loaded {
    pub app: App,
    pub errors: Vec<LoadError>,
}

/// Loads the template `template` read from `path` (shown as `file`, relative to the scan
/// root), following nested stacks and, for CDK output, assets and the stack name.
pub fn load_from_disk(file: &str, path: &Path, template: &Node, source: SourceKind) -> Loaded {
    let mut app = super::load(file, template, source);
    let mut errors = Vec::new();
    if source == SourceKind::Cdk {
        attach_assets(&mut app, file, template);
        if let Some(name) = stack_name(path) {
            app.name = name;
        }
    }
    let ctx = Context::new(file, template);
    let mut visible: HashSet<String> = resource_ids(template).into_iter().collect();
    let mut state = Walk {
        errors: &mut errors,
        seen: BTreeSet::from([file.to_string()]),
        count: 0,
    };
    load_nested(&mut app, &ctx, path, source, &mut visible, 0, &mut state);
    Loaded { app, errors }
}

/// Drops the apps loaded from a template that another app already loaded as its nested
/// stack (its elements carry locations in that file), so nothing is counted twice when both
/// the parent and the nested template are discovered.
pub fn drop_nested_duplicates(apps: &mut Vec<App>) {
    // Only templates nest templates; other loaders spread one app over several files.
    let is_template = |a: &App| {
        matches!(
            a.source,
            SourceKind::CloudFormation | SourceKind::Cdk | SourceKind::Sam
        )
    };
    // The files each template app holds elements from, besides its own.
    let foreign: Vec<HashSet<&str>> = apps
        .iter()
        .map(|app| {
            if !is_template(app) {
                return HashSet::new();
            }
            app.functions
                .iter()
                .map(|f| f.location.file.as_str())
                .chain(app.resources.iter().map(|r| r.location.file.as_str()))
                .chain(app.roles.iter().map(|r| r.location.file.as_str()))
                .chain(app.apis.iter().map(|a| a.location.file.as_str()))
                .filter(|f| *f != app.file)
                .collect()
        })
        .collect();
    // Dropped: an app whose file another app nests, unless they nest each other (a cycle,
    // where both are kept rather than both lost).
    let drop: Vec<bool> = apps
        .iter()
        .enumerate()
        .map(|(i, a)| {
            is_template(a)
                && foreign.iter().enumerate().any(|(j, other)| {
                    j != i
                        && other.contains(a.file.as_str())
                        && !foreign[i].contains(apps[j].file.as_str())
                })
        })
        .collect();
    let mut index = 0;
    apps.retain(|_| {
        let keep = !drop[index];
        index += 1;
        keep
    });
}

struct Walk<'e> {
    errors: &'e mut Vec<LoadError>,
    /// Files already loaded into this app (cycle guard).
    seen: BTreeSet<String>,
    count: usize,
}

fn load_nested(
    app: &mut App,
    parent: &Context,
    parent_path: &Path,
    source: SourceKind,
    visible: &mut HashSet<String>,
    depth: usize,
    walk: &mut Walk<'_>,
) {
    let Some(resources) = parent.template.get("Resources") else {
        return;
    };
    for (key, res) in resources.entries() {
        if res.get("Type").and_then(Node::as_str) != Some("AWS::CloudFormation::Stack") {
            continue;
        }
        // A stack whose condition is false on the defaults is not deployed.
        if let Some(cond) = res.get("Condition").and_then(Node::as_str)
            && parent.condition(cond) == Some(false)
        {
            continue;
        }
        let Some(local) = nested_template_path(res) else {
            continue;
        };
        let error = |message: String| LoadError {
            file: parent.file.to_string(),
            line: Some(key.line),
            column: Some(key.column),
            message,
        };
        let rel = join_relative(dir_of(parent.file), &local);
        if local.starts_with('/') || rel.starts_with("..") {
            walk.errors.push(error(format!(
                "nested stack {}: template path {local} is outside the scanned folder; not read",
                key.name
            )));
            continue;
        }
        if depth >= MAX_NESTING || walk.count >= MAX_NESTED {
            walk.errors.push(error(format!(
                "nested stack {}: more than {MAX_NESTING} levels or {MAX_NESTED} nested \
                 templates; not read",
                key.name
            )));
            continue;
        }
        if !walk.seen.insert(rel.clone()) {
            continue;
        }
        walk.count += 1;
        let Some(dir) = parent_path.parent() else {
            continue;
        };
        let disk = dir.join(&local);
        let nested = match read_template(&disk) {
            Ok(node) => node,
            Err(message) => {
                walk.errors.push(error(format!(
                    "nested stack {}: {rel}: {message}",
                    key.name
                )));
                continue;
            }
        };
        let passed = res.get("Properties").and_then(|p| p.get("Parameters"));
        let nested = with_parameters(nested, parent, passed);
        let nested_ids = resource_ids(&nested);
        let mut ctx = Context::new(&rel, &nested);
        // Parent resources passed in by reference stay references to them.
        for id in visible.iter() {
            if !ctx.is_resource(id) {
                ctx.add_resource_id(id.clone());
            }
        }
        super::fill(app, &ctx, &nested, source);
        if source == SourceKind::Cdk {
            super::attach_construct_paths(app, &nested);
            attach_assets(app, &rel, &nested);
        }
        visible.extend(nested_ids);
        load_nested(app, &ctx, &disk, source, visible, depth + 1, walk);
    }
}

/// The local file of a nested stack: CDK's `aws:asset:path` metadata, else a `TemplateURL`
/// that is a relative path (a template not yet packaged).
fn nested_template_path(res: &Node) -> Option<String> {
    let meta = res
        .get("Metadata")
        .and_then(|m| m.get("aws:asset:path"))
        .and_then(Node::as_str)
        .filter(|p| !p.is_empty());
    if let Some(p) = meta {
        return Some(p.to_string());
    }
    res.get("Properties")
        .and_then(|p| p.get("TemplateURL"))
        .and_then(Node::as_str)
        .filter(|u| !u.is_empty() && !u.contains("://") && !u.starts_with("s3."))
        .map(str::to_string)
}

/// Reads and parses a nested template, bounded like any scanned file.
fn read_template(path: &Path) -> Result<Node, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    if !meta.is_file() {
        return Err("not a file".to_string());
    }
    if meta.len() > doc::MAX_FILE_BYTES as u64 {
        return Err(format!(
            "larger than the {} MB limit for templates; not read",
            doc::MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    let text = doc::decode(&bytes).map_err(|e| e.message)?;
    let json = path.extension().is_some_and(|e| e == "json")
        || text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('{');
    let parsed = if json {
        doc::parse_json(text)
    } else {
        doc::parse_yaml(text)
    };
    match parsed {
        Ok(Some(node)) if node.is_map() && super::is_template(&node) => Ok(node),
        Ok(_) => Err("not a CloudFormation template".to_string()),
        Err(e) => Err(match e.line {
            Some(line) => format!("line {line}: {}", e.message),
            None => e.message,
        }),
    }
}

/// `nested` with each parameter the parent passes given that value as its default (the
/// evaluator reads parameters through their defaults). A value the parent cannot evaluate
/// statically leaves the parameter without a default, hence unresolved.
fn with_parameters(mut nested: Node, parent: &Context, passed: Option<&Node>) -> Node {
    let NodeKind::Map(entries) = &mut nested.kind else {
        return nested;
    };
    let Some((_, params)) = entries
        .iter_mut()
        .rev()
        .find(|(k, _)| k.name == "Parameters")
    else {
        return nested;
    };
    let NodeKind::Map(params) = &mut params.kind else {
        return nested;
    };
    for (name, decl) in params.iter_mut() {
        let Some(value) = passed.and_then(|p| p.get(&name.name)) else {
            continue;
        };
        let NodeKind::Map(fields) = &mut decl.kind else {
            continue;
        };
        fields.retain(|(k, _)| k.name != "Default");
        let evaluated = parent.evaluate(value);
        if is_static(&evaluated, 0) {
            fields.push((
                Key {
                    name: "Default".to_string(),
                    line: value.line,
                    column: value.column,
                },
                evaluated,
            ));
        }
    }
    nested
}

/// `true` when no intrinsic function is left in `node` (bounded by the document depth).
fn is_static(node: &Node, depth: usize) -> bool {
    if depth > doc::MAX_DEPTH {
        return false;
    }
    match &node.kind {
        NodeKind::Map(m) => m.iter().all(|(k, v)| {
            k.name != "Ref" && !k.name.starts_with("Fn::") && is_static(v, depth + 1)
        }),
        NodeKind::Seq(s) => s.iter().all(|i| is_static(i, depth + 1)),
        _ => true,
    }
}

/// Sets the code folder of functions (`aws:asset:property: Code`) and layers (`Content`)
/// declared in `template` from their `aws:asset:path`, relative to the template's folder,
/// so the code, secrets and dependency stages read what `cdk deploy` would upload.
fn attach_assets(app: &mut App, file: &str, template: &Node) {
    let Some(resources) = template.get("Resources") else {
        return;
    };
    let asset_of = |id: &str, property: &str| -> Option<Attr<String>> {
        let meta = resources.get(id)?.get("Metadata")?;
        if meta.get("aws:asset:property")?.as_str()? != property {
            return None;
        }
        let node = meta.get("aws:asset:path")?;
        let path = node.as_str()?;
        if path.is_empty() || path.starts_with('/') || path.contains("://") {
            return None;
        }
        Some(Attr::explicit(
            join_relative(dir_of(file), path),
            Location::new(file, node.line, node.column),
        ))
    };
    for f in app.functions.iter_mut().filter(|f| f.location.file == file) {
        if f.code_path.is_none() {
            f.code_path = asset_of(&f.id, "Code");
        }
    }
    for r in app.resources.iter_mut().filter(|r| r.location.file == file) {
        if r.code_path.is_none() {
            r.code_path = asset_of(&r.id, "Content");
        }
    }
}

/// The stack's name from the assembly's `manifest.json`: the `stackName` of the artifact
/// whose `templateFile` is this file, else its display name as CDK names the stack
/// (`Prod/Reports` is deployed as `Prod-Reports`).
fn stack_name(path: &Path) -> Option<String> {
    let file_name = path.file_name()?.to_str()?;
    let manifest = path.parent()?.join("manifest.json");
    let meta = std::fs::metadata(&manifest).ok()?;
    if !meta.is_file() || meta.len() > MAX_MANIFEST_BYTES {
        return None;
    }
    let bytes = std::fs::read(&manifest).ok()?;
    let root = doc::parse_json(doc::decode(&bytes).ok()?).ok()??;
    root.get("artifacts")?.entries().iter().find_map(|(id, a)| {
        let props = a.get("properties")?;
        if a.get("type")?.as_str()? != "aws:cloudformation:stack"
            || props.get("templateFile")?.as_str()? != file_name
        {
            return None;
        }
        let named = props.get("stackName").and_then(Node::as_str);
        let display = a.get("displayName").and_then(Node::as_str);
        Some(match (named, display) {
            (Some(n), _) if !n.is_empty() => n.to_string(),
            (_, Some(d)) if !d.is_empty() => d.replace('/', "-"),
            _ => id.name.clone(),
        })
    })
}

fn resource_ids(template: &Node) -> Vec<String> {
    template
        .get("Resources")
        .map(|r| r.entries().iter().map(|(k, _)| k.name.clone()).collect())
        .unwrap_or_default()
}

fn dir_of(file: &str) -> &str {
    file.rfind('/').map_or("", |i| &file[..i])
}
