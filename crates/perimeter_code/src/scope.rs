//! Which parts of the handler's file run for this function: the handler, the functions of
//! the file it calls (transitively, by name), and module-level code. Several handlers often
//! share a file (`exports.create`, `exports.get`); each gets only its own SDK calls.

use crate::sdk::descendants;
use perimeter_model::Language;
use std::collections::{BTreeSet, HashMap};
use tree_sitter::{Node, Tree};

/// Line ranges (1-based, inclusive) of function bodies, by name.
struct Defs {
    by_name: HashMap<String, Vec<(u32, u32)>>,
    all: Vec<(u32, u32)>,
}

fn lines(n: Node) -> (u32, u32) {
    (
        n.start_position().row as u32 + 1,
        n.end_position().row as u32 + 1,
    )
}

fn is_function(kind: &str) -> bool {
    matches!(
        kind,
        "arrow_function" | "function_expression" | "function" | "generator_function" | "lambda"
    )
}

fn defs(language: Language, src: &[u8], root: Node) -> Defs {
    let text = |n: Node| n.utf8_text(src).unwrap_or("").to_string();
    let mut d = Defs {
        by_name: HashMap::new(),
        all: Vec::new(),
    };
    for n in descendants(root) {
        let named: Option<(String, Node)> = match (language, n.kind()) {
            (Language::Python, "function_definition")
            | (
                Language::JavaScript | Language::TypeScript,
                "function_declaration" | "generator_function_declaration" | "method_definition",
            )
            | (Language::Go, "function_declaration" | "method_declaration")
            | (Language::Java, "method_declaration" | "constructor_declaration") => {
                n.child_by_field_name("name").map(|x| (text(x), n))
            }
            (Language::JavaScript | Language::TypeScript, "variable_declarator") => n
                .child_by_field_name("value")
                .filter(|v| is_function(v.kind()))
                .and_then(|v| n.child_by_field_name("name").map(|x| (text(x), v))),
            (Language::JavaScript | Language::TypeScript, "assignment_expression") => n
                .child_by_field_name("right")
                .filter(|v| is_function(v.kind()))
                .and_then(|v| {
                    let l = text(n.child_by_field_name("left")?);
                    Some((l.rsplit('.').next().unwrap_or(&l).to_string(), v))
                }),
            (Language::JavaScript | Language::TypeScript, "pair") => n
                .child_by_field_name("value")
                .filter(|v| is_function(v.kind()))
                .and_then(|v| n.child_by_field_name("key").map(|k| (text(k), v))),
            (Language::Python, "assignment") => n
                .child_by_field_name("right")
                .filter(|v| is_function(v.kind()))
                .and_then(|v| n.child_by_field_name("left").map(|l| (text(l), v))),
            _ => None,
        };
        if let Some((name, node)) = named {
            let r = lines(node);
            d.by_name.entry(name).or_default().push(r);
            d.all.push(r);
        }
    }
    d
}

/// Every name the file calls or passes, with its line: `self.helper(...)`,
/// `this.helper(...)`, `pkg.Helper(...)` count by their last name, and functions passed by
/// name (`lambda.Start(handle)`) by theirs.
fn references(src: &[u8], root: Node) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    for n in descendants(root) {
        let callee = match n.kind() {
            "call" | "call_expression" => n.child_by_field_name("function"),
            "method_invocation" => n.child_by_field_name("name"),
            "identifier" => Some(n),
            _ => None,
        };
        if let Some(c) = callee {
            let t = c.utf8_text(src).unwrap_or("");
            let line = n.start_position().row as u32 + 1;
            out.push((line, t.rsplit('.').next().unwrap_or(t).to_string()));
        }
    }
    out
}

/// The lines of the file that run for `handler`: `None` when the handler's definition is
/// not found (then the whole file counts).
pub fn handler_lines(
    language: Language,
    source: &str,
    tree: &Tree,
    handler: &str,
) -> Option<impl Fn(u32) -> bool> {
    let src = source.as_bytes();
    let root = tree.root_node();
    let d = defs(language, src, root);
    let refs = references(src, root);
    let start = d.by_name.get(handler)?.clone();
    let mut reached: BTreeSet<(u32, u32)> = BTreeSet::new();
    let mut queue = start;
    while let Some(r) = queue.pop() {
        if !reached.insert(r) || reached.len() > 10_000 {
            continue;
        }
        for (_, name) in refs.iter().filter(|(l, _)| r.0 <= *l && *l <= r.1) {
            if let Some(rs) = d.by_name.get(name) {
                queue.extend(rs.iter().copied().filter(|x| !reached.contains(x)));
            }
        }
    }
    let all = d.all;
    Some(move |line: u32| {
        let inside_any = all.iter().any(|(s, e)| *s <= line && line <= *e);
        // Module-level code runs at cold start for every handler of the file.
        !inside_any || reached.iter().any(|(s, e)| *s <= line && line <= *e)
    })
}
