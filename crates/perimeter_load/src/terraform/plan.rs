//! `terraform show -json` output (a saved plan, or the state) as a Terraform app.
//!
//! A plan is recognised by its shape: `format_version` with `planned_values.root_module` (a
//! plan) or `values.root_module` (`terraform show -json` of the state). Its resources carry
//! the values Terraform computed, so variables, locals, `count`/`for_each`, modules from the
//! registry and functions are all already evaluated: it is the most precise input perimeter
//! reads. Each resource is written back as a `resource` block of a synthetic module (arrays
//! of objects become nested blocks, as in HCL) and goes through the same translation as `.tf`
//! files, so the same rules fire with the same codes. Values that are only known after apply
//! (an ARN of a role created by the same plan) are taken from the plan's `configuration`
//! section, which names the resource they refer to, so references between resources still
//! link (`role = aws_iam_role.fn.arn`).
//!
//! Limits: locations name the plan file, with line numbers of the synthetic module (the
//! resource's order), not of the original `.tf` source; instances of a counted resource are
//! named `name_0`, `name_key`, and resources of child modules `module_x__name`.

use crate::doc::{Node, NodeKind};
use perimeter_model::{App, LoadError};

/// Attributes whose value names another resource: written as the configuration's reference
/// when it has one, so that links survive.
const LINKS: &[&str] = &[
    "role",
    "function_name",
    "rest_api_id",
    "api_id",
    "resource_id",
    "parent_id",
    "bucket",
    "topic_arn",
    "queue_url",
    "event_source_arn",
    "policy_arn",
    "authorizer_id",
    "uri",
    "integration_uri",
    "function_app_id",
    "cloud_function",
    "service",
    "principal_id",
    "service_account_email",
    "target_group_arn",
    "target_id",
    "rule",
    "secret_arn",
    "log_group_name",
    "roles",
    "layers",
];

/// Most resources read from one plan.
const MAX_RESOURCES: usize = 5000;
/// Deepest value nesting written back.
const MAX_DEPTH: usize = 32;

/// The root module of a `terraform show -json` document, when `node` is one.
fn root_module(node: &Node) -> Option<&Node> {
    node.get("format_version")?;
    node.get("planned_values")
        .or_else(|| node.get("values"))?
        .get("root_module")
}

/// `true` when `node` is `terraform show -json` output.
pub fn is_plan(node: &Node) -> bool {
    root_module(node).is_some()
}

/// Loads a plan or state document as one Terraform app named after the file.
pub fn load(file: &str, node: &Node) -> Result<App, LoadError> {
    let root = root_module(node).ok_or_else(|| LoadError {
        file: file.to_string(),
        line: None,
        column: None,
        message: "not terraform show -json output".to_string(),
    })?;
    let config = node.get("configuration").and_then(|c| c.get("root_module"));
    let mut text = String::new();
    let mut count = 0;
    write_module(root, config, "", &mut text, &mut count);
    let dir = file.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let outcome = super::load_texts(dir, &[(file, &text)], &[]);
    match outcome.app {
        Some(mut app) => {
            app.id = file.to_string();
            app.file = file.to_string();
            app.name = file
                .rsplit('/')
                .next()
                .unwrap_or(file)
                .trim_end_matches(".json")
                .to_string();
            Ok(app)
        }
        None => Err(outcome.errors.into_iter().next().unwrap_or(LoadError {
            file: file.to_string(),
            line: None,
            column: None,
            message: "the plan could not be read".to_string(),
        })),
    }
}

fn write_module(
    module: &Node,
    config: Option<&Node>,
    prefix: &str,
    out: &mut String,
    count: &mut usize,
) {
    for r in module.get("resources").map(Node::items).unwrap_or(&[]) {
        if *count >= MAX_RESOURCES {
            return;
        }
        if r.get("mode").and_then(Node::as_str) == Some("data") {
            continue;
        }
        let (Some(ty), Some(name)) = (
            r.get("type").and_then(Node::as_str),
            r.get("name").and_then(Node::as_str),
        ) else {
            continue;
        };
        if !label_ok(ty) {
            continue;
        }
        let label = match r.get("index") {
            Some(i) => match i.as_str() {
                Some(k) => format!("{prefix}{name}_{}", sanitize(k)),
                None => format!("{prefix}{name}"),
            },
            None => format!("{prefix}{name}"),
        };
        let expressions = config.and_then(|c| config_resource(c, ty, name));
        *count += 1;
        out.push_str(&format!("resource \"{ty}\" \"{label}\" {{\n"));
        if let Some(values) = r.get("values") {
            for (k, v) in values.entries() {
                if !label_ok(&k.name) {
                    continue;
                }
                // Known after apply, or an attribute that links resources: the reference the
                // configuration writes, so the link is kept.
                if v.is_null() || LINKS.contains(&k.name.as_str()) {
                    if let Some(reference) = expressions.and_then(|e| first_reference(e, &k.name)) {
                        out.push_str(&format!("  {} = {reference}\n", k.name));
                        continue;
                    }
                    if v.is_null() {
                        continue;
                    }
                }
                write_attr(&k.name, v, 1, out);
            }
        }
        out.push_str("}\n");
    }
    for (i, child) in module
        .get("child_modules")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        let address = child.get("address").and_then(Node::as_str).unwrap_or("");
        let short = address.rsplit("module.").next().unwrap_or("");
        let call = short.split(['[', '.']).next().unwrap_or("");
        let child_config = config
            .and_then(|c| c.get("module_calls"))
            .and_then(|m| m.get(call))
            .and_then(|m| m.get("module"));
        let idx = i.to_string();
        let base = if call.is_empty() { idx.as_str() } else { short };
        let prefix = format!("{prefix}module_{}__", sanitize(base));
        write_module(child, child_config, &prefix, out, count);
    }
}

/// The `expressions` of resource `ty.name` in a configuration module.
fn config_resource<'n>(config: &'n Node, ty: &str, name: &str) -> Option<&'n Node> {
    config
        .get("resources")?
        .items()
        .iter()
        .find(|r| {
            r.get("type").and_then(Node::as_str) == Some(ty)
                && r.get("name").and_then(Node::as_str) == Some(name)
        })?
        .get("expressions")
}

/// The first reference of an expression that names an attribute of a managed resource
/// (`aws_iam_role.fn.arn`), written as an HCL traversal.
fn first_reference(expressions: &Node, attr: &str) -> Option<String> {
    let refs = expressions.get(attr)?.get("references")?;
    refs.items()
        .iter()
        .filter_map(Node::as_str)
        .find(|r| {
            let parts: Vec<&str> = r.split('.').collect();
            parts.len() >= 3
                && !matches!(
                    parts[0],
                    "var" | "local" | "data" | "module" | "each" | "count"
                )
                && parts.iter().all(|p| label_ok(p))
        })
        .map(str::to_string)
}

fn label_ok(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn indent(depth: usize) -> String {
    "  ".repeat(depth)
}

/// `name = value`, or nested blocks for a list of objects.
fn write_attr(name: &str, v: &Node, depth: usize, out: &mut String) {
    if depth > MAX_DEPTH {
        return;
    }
    if v.is_seq() && !v.items().is_empty() && v.items().iter().all(Node::is_map) {
        for item in v.items() {
            out.push_str(&format!("{}{name} {{\n", indent(depth)));
            for (k, iv) in item.entries() {
                if label_ok(&k.name) && !iv.is_null() {
                    write_attr(&k.name, iv, depth + 1, out);
                }
            }
            out.push_str(&format!("{}}}\n", indent(depth)));
        }
        return;
    }
    out.push_str(&format!("{}{name} = {}\n", indent(depth), value(v, depth)));
}

/// A JSON value as an HCL expression.
fn value(v: &Node, depth: usize) -> String {
    if depth > MAX_DEPTH {
        return "null".to_string();
    }
    match &v.kind {
        NodeKind::Null => "null".to_string(),
        NodeKind::Scalar { text, quoted } => {
            if *quoted {
                quote(text)
            } else {
                text.clone()
            }
        }
        NodeKind::Seq(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|i| value(i, depth + 1))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        NodeKind::Map(entries) => format!(
            "{{ {} }}",
            entries
                .iter()
                .map(|(k, i)| format!("{} = {}", quote(&k.name), value(i, depth + 1)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A string literal: escapes, and `${` / `%{` doubled so they stay text.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
