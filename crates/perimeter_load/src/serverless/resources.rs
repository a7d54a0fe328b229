//! The `resources:` block: a CloudFormation fragment (or a list of them, often
//! `${file(…)}` includes) that the CloudFormation loader reads, and lookups of event sources
//! and roles among the resources it declares.

use super::read::{Reader, normalize_name};
use super::variables::unresolved_reason;
use crate::doc::{Key, Node, NodeKind};
use perimeter_model::{App, Attr};

/// Template sections of a `resources:` block that the CloudFormation context uses.
const SECTIONS: &[&str] = &[
    "Resources",
    "Conditions",
    "Outputs",
    "Mappings",
    "Parameters",
];

/// A template-like mapping (`Resources`, `Conditions`, `Outputs`, …) merged from the
/// `resources:` block of the resolved service document; blocks later in a list win, as in
/// the framework.
pub fn template(doc: &Node) -> Node {
    let (line, column) = (doc.line, doc.column);
    let mut sections: Vec<(Key, Vec<(Key, Node)>)> = Vec::new();
    let blocks: Vec<&Node> = match doc.get("resources") {
        Some(r) if r.is_seq() => r.items().iter().collect(),
        Some(r) => vec![r],
        None => Vec::new(),
    };
    for block in blocks {
        for name in SECTIONS {
            let Some((key, value)) = block.get_entry(name) else {
                continue;
            };
            if unresolved_reason(value).is_some() {
                continue;
            }
            let slot = match sections.iter_mut().position(|(k, _)| k.name == *name) {
                Some(i) => &mut sections[i].1,
                None => {
                    sections.push((key.clone(), Vec::new()));
                    &mut sections.last_mut().expect("just pushed").1
                }
            };
            for (k, v) in value.entries() {
                match slot.iter_mut().find(|(e, _)| e.name == k.name) {
                    Some(existing) => *existing = (k.clone(), v.clone()),
                    None => slot.push((k.clone(), v.clone())),
                }
            }
        }
    }
    let entries = sections
        .into_iter()
        .map(|(k, v)| {
            let node = Node {
                kind: NodeKind::Map(v),
                line: k.line,
                column: k.column,
                tag: None,
            };
            (k, node)
        })
        .collect();
    Node {
        kind: NodeKind::Map(entries),
        line,
        column,
        tag: None,
    }
}

/// The logical ID that `node` (`{Ref: X}`, `{Fn::GetAtt: [X, Arn]}`, `X.Arn`, `Fn::Sub` of
/// one resource) points at, when `X` is declared in the template.
pub fn declared_target(reader: &Reader, node: &Node) -> Option<String> {
    let declared = |id: &str| {
        reader
            .ctx
            .template
            .get("Resources")
            .is_some_and(|r| r.get(id).is_some())
    };
    if let Some(id) = reader.ctx.ref_target(node).filter(|id| declared(id)) {
        return Some(id);
    }
    let id = reference_name(node)?;
    declared(&id).then_some(id)
}

/// The source of an event: a declared resource's logical ID (by reference, by logical ID, or
/// by its physical name / ARN), else the value as written.
pub fn source(reader: &Reader, app: &App, node: &Node) -> Attr<String> {
    let loc = reader.loc(node);
    if let Some(id) = declared_target(reader, node) {
        return Attr::explicit(id, loc);
    }
    let attr = reader.string(node);
    let Some(text) = attr.as_str() else {
        return attr;
    };
    if let Some(id) = resource_named(app, text) {
        return Attr::explicit(id, loc);
    }
    attr
}

/// The resource whose logical ID or physical name is `text`, or whose name ends an ARN
/// `text`.
pub fn resource_named(app: &App, text: &str) -> Option<String> {
    if app.resource(text).is_some() || app.role(text).is_some() {
        return Some(text.to_string());
    }
    let tail = text.rsplit([':', '/']).next().unwrap_or(text);
    app.resources
        .iter()
        .find(|r| {
            r.name
                .as_ref()
                .and_then(|n| n.as_str())
                .is_some_and(|n| n == text || (text.starts_with("arn:") && n == tail))
        })
        .map(|r| r.id.clone())
}

/// The logical ID the framework gives the function `key`: `{NormalizedName}LambdaFunction`
/// (`hello-world` → `HelloDashworldLambdaFunction`).
pub fn function_logical_id(key: &str) -> String {
    format!("{}LambdaFunction", normalize_name(key))
}

/// The name a `Ref`/`Fn::GetAtt`/`Fn::Sub` of one resource refers to, declared or not.
fn reference_name(node: &Node) -> Option<String> {
    let (key, value) = node.single_entry()?;
    let name = match key.name.as_str() {
        "Ref" => value.as_str()?,
        "Fn::GetAtt" => match value.as_str() {
            Some(s) => s.split('.').next()?,
            None => value.items().first()?.as_str()?,
        },
        "Fn::Sub" => value
            .as_str()?
            .trim()
            .strip_prefix("${")?
            .strip_suffix('}')?
            .split('.')
            .next()?,
        _ => return None,
    };
    Some(name.to_string())
}
