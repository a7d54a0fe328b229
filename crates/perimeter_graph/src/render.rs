//! Text renderings of a graph: Graphviz DOT and Mermaid `flowchart LR`.
//!
//! Both quote every label: DOT escapes `\` and `"` inside double quotes; Mermaid node ids are
//! generated (`n0`, `n1`, …) because its ids must be plain words, and labels use Mermaid's
//! `#quot;`-style entity codes for characters its parser reserves.

use crate::{Graph, NodeKind};
use std::collections::HashMap;

fn dot_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn dot_shape(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Entry => "doubleoctagon",
        NodeKind::Trigger => "cds",
        NodeKind::Function => "box",
        NodeKind::Role => "hexagon",
        NodeKind::DataStore => "cylinder",
        NodeKind::Resource => "folder",
        NodeKind::Account => "tripleoctagon",
    }
}

/// Graphviz DOT.
pub fn dot(graph: &Graph) -> String {
    let mut out =
        String::from("digraph perimeter {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n");
    for n in &graph.nodes {
        let colour = if n.public { ", color=\"red\"" } else { "" };
        out.push_str(&format!(
            "  \"{}\" [label=\"{}\", shape={}{colour}];\n",
            dot_escape(&n.id),
            dot_escape(&n.label),
            dot_shape(n.kind)
        ));
    }
    for e in &graph.edges {
        out.push_str(&format!(
            "  \"{}\" -> \"{}\" [label=\"{}: {}\"];\n",
            dot_escape(&e.from),
            dot_escape(&e.to),
            e.kind.as_str(),
            dot_escape(&e.label)
        ));
    }
    out.push_str("}\n");
    out
}

fn mermaid_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '|' => out.push_str("#124;"),
            '`' => out.push_str("#96;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Mermaid `flowchart LR`.
pub fn mermaid(graph: &Graph) -> String {
    let mut out = String::from("flowchart LR\n");
    let ids: HashMap<&str, String> = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), format!("n{i}")))
        .collect();
    for (i, n) in graph.nodes.iter().enumerate() {
        let label = mermaid_escape(&n.label);
        let shape = match n.kind {
            NodeKind::Entry | NodeKind::Account => format!("n{i}((\"{label}\"))"),
            NodeKind::DataStore => format!("n{i}[(\"{label}\")]"),
            NodeKind::Role => format!("n{i}{{{{\"{label}\"}}}}"),
            NodeKind::Trigger => format!("n{i}>\"{label}\"]"),
            NodeKind::Function | NodeKind::Resource => format!("n{i}[\"{label}\"]"),
        };
        out.push_str(&format!("  {shape}\n"));
    }
    for e in &graph.edges {
        let (Some(from), Some(to)) = (ids.get(e.from.as_str()), ids.get(e.to.as_str())) else {
            continue;
        };
        out.push_str(&format!(
            "  {from} -->|\"{}: {}\"| {to}\n",
            e.kind.as_str(),
            mermaid_escape(&e.label)
        ));
    }
    out
}
