//! Maven: pom.xml (direct dependencies, `${property}` resolved from `<properties>` and the
//! project's own coordinates, versions taken from `<dependencyManagement>` when the dependency
//! has none) and Gradle's gradle.lockfile (`group:artifact:version=configurations`).
//!
//! A version that still holds an unresolved `${…}` (from a parent POM perimeter cannot see) is
//! left out rather than guessed.

use super::dep;
use crate::DepsError;
use perimeter_model::{Dependency, Ecosystem};
use roxmltree::{Document, Node};
use std::collections::HashMap;

/// Nested `${…}` expansions followed before giving up (cycles).
const MAX_EXPANSIONS: usize = 16;

pub(crate) fn pom(file: &str, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let doc = Document::parse(text).map_err(|e| {
        let pos = e.pos();
        DepsError::parse(file, pos.row, e.to_string())
    })?;
    let project = doc.root_element();
    let mut props: HashMap<String, String> = HashMap::new();
    if let Some(properties) = child(project, "properties") {
        for p in properties.children().filter(Node::is_element) {
            props.insert(p.tag_name().name().to_string(), text_of(p));
        }
    }
    let parent = child(project, "parent");
    for (key, node) in [
        (
            "project.version",
            child(project, "version").or_else(|| parent.and_then(|p| child(p, "version"))),
        ),
        (
            "project.groupId",
            child(project, "groupId").or_else(|| parent.and_then(|p| child(p, "groupId"))),
        ),
        ("project.artifactId", child(project, "artifactId")),
        (
            "project.parent.version",
            parent.and_then(|p| child(p, "version")),
        ),
    ] {
        if let Some(node) = node {
            props.insert(key.to_string(), text_of(node));
            props.insert(
                key.trim_start_matches("project.").to_string(),
                text_of(node),
            );
        }
    }

    // Managed versions: groupId:artifactId -> version.
    let mut managed: HashMap<String, String> = HashMap::new();
    let management = child(project, "dependencyManagement").and_then(|m| child(m, "dependencies"));
    for d in management
        .into_iter()
        .flat_map(|m| m.children().filter(Node::is_element))
    {
        if let (Some(key), Some(version)) = (coordinates(d, &props), child(d, "version")) {
            managed.insert(key, expand(&text_of(version), &props));
        }
    }

    let mut out = Vec::new();
    let Some(deps) = child(project, "dependencies") else {
        return Ok(out);
    };
    for d in deps.children().filter(|n| n.has_tag_name("dependency")) {
        let Some(key) = coordinates(d, &props) else {
            continue;
        };
        let version = match child(d, "version") {
            Some(v) => expand(&text_of(v), &props),
            None => match managed.get(&key) {
                Some(v) => v.clone(),
                None => continue,
            },
        };
        if version.is_empty() || version.contains("${") {
            continue;
        }
        let line = doc.text_pos_at(d.range().start).row;
        let range = version.starts_with(['[', '(']);
        let mut entry = dep(Ecosystem::Maven, key, version, !range, file, line);
        entry.direct = Some(true);
        let scope = child(d, "scope").map(text_of).unwrap_or_default();
        entry.dev = matches!(scope.as_str(), "test" | "provided" | "system");
        out.push(entry);
    }
    Ok(out)
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|n| n.has_tag_name(name))
}

fn text_of(node: Node) -> String {
    node.text().unwrap_or("").trim().to_string()
}

fn coordinates(d: Node, props: &HashMap<String, String>) -> Option<String> {
    let group = expand(&text_of(child(d, "groupId")?), props);
    let artifact = expand(&text_of(child(d, "artifactId")?), props);
    Some(format!("{group}:{artifact}"))
}

/// Replaces `${name}` from `props`, repeatedly (properties may refer to properties).
fn expand(value: &str, props: &HashMap<String, String>) -> String {
    let mut current = value.to_string();
    for _ in 0..MAX_EXPANSIONS {
        let Some(start) = current.find("${") else {
            break;
        };
        let Some(len) = current[start..].find('}') else {
            break;
        };
        let name = &current[start + 2..start + len];
        let Some(replacement) = props.get(name) else {
            break;
        };
        current = format!(
            "{}{}{}",
            &current[..start],
            replacement,
            &current[start + len + 1..]
        );
    }
    current
}

/// gradle.lockfile: `group:artifact:version=conf,conf`. Dependencies only on test
/// configurations are dev.
pub(crate) fn gradle_lockfile(file: &str, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("empty=") {
            continue;
        }
        let (coords, confs) = line.split_once('=').unwrap_or((line, ""));
        let mut parts = coords.split(':');
        let (Some(group), Some(artifact), Some(version)) =
            (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let mut d = dep(
            Ecosystem::Maven,
            format!("{group}:{artifact}"),
            version,
            true,
            file,
            i as u32 + 1,
        );
        d.dev = !confs.is_empty() && confs.split(',').all(|c| c.trim().starts_with("test"));
        out.push(d);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_expand_recursively_and_stop_on_cycles() {
        let props: HashMap<String, String> = [
            ("a".to_string(), "${b}".to_string()),
            ("b".to_string(), "1.2".to_string()),
            ("x".to_string(), "${x}".to_string()),
        ]
        .into_iter()
        .collect();
        assert_eq!(expand("${a}.3", &props), "1.2.3");
        assert_eq!(expand("${x}", &props), "${x}");
        assert_eq!(expand("${missing}", &props), "${missing}");
    }
}
