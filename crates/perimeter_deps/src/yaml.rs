//! A small YAML tree with the line of every mapping key, for pnpm-lock.yaml and Yarn berry's
//! yarn.lock, built on `saphyr-parser` events (the workspace's YAML parser).
//!
//! Lockfiles use no anchors or tags: aliases become null (no expansion, so no alias bombs) and
//! nesting is capped.

use saphyr_parser::{Event, Parser, ScalarStyle};

/// Deepest nesting accepted; lockfiles need 5.
const MAX_DEPTH: usize = 64;

#[derive(Debug)]
pub(crate) enum Node {
    /// Entries in file order: key, the key's 1-based line, value.
    Map(Vec<(String, u32, Node)>),
    /// Kept for completeness; no lockfile field read here is a sequence yet.
    #[allow(dead_code)]
    Seq(Vec<Node>),
    Scalar(String),
    Null,
}

impl Node {
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(entries) => entries.iter().find(|(k, _, _)| k == key).map(|(_, _, v)| v),
            _ => None,
        }
    }

    pub(crate) fn entries(&self) -> &[(String, u32, Node)] {
        match self {
            Node::Map(entries) => entries,
            _ => &[],
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Node::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn is_true(&self) -> bool {
        self.as_str() == Some("true")
    }
}

enum Open {
    Map(Vec<(String, u32, Node)>, Option<(String, u32)>),
    /// Kept for completeness; no lockfile field read here is a sequence yet.
    #[allow(dead_code)]
    Seq(Vec<Node>),
}

/// Parses the first document. Errors carry a 1-based line.
pub(crate) fn parse(text: &str) -> Result<Node, (u32, String)> {
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Node> = None;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| (e.marker().line() as u32, e.info().to_string()))?;
        let line = span.start.line() as u32;
        let node = match event {
            Event::Scalar(value, style, _, _) => {
                let plain = matches!(style, ScalarStyle::Plain);
                if plain && matches!(value.as_ref(), "~" | "null" | "") {
                    Node::Null
                } else {
                    Node::Scalar(value.into_owned())
                }
            }
            Event::Alias(_) => Node::Null,
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                if stack.len() >= MAX_DEPTH {
                    return Err((line, format!("nesting deeper than {MAX_DEPTH} levels")));
                }
                stack.push(if matches!(event, Event::MappingStart(..)) {
                    Open::Map(Vec::new(), None)
                } else {
                    Open::Seq(Vec::new())
                });
                continue;
            }
            Event::MappingEnd => match stack.pop() {
                Some(Open::Map(entries, _)) => Node::Map(entries),
                _ => return Err((line, "unbalanced mapping".into())),
            },
            Event::SequenceEnd => match stack.pop() {
                Some(Open::Seq(items)) => Node::Seq(items),
                _ => return Err((line, "unbalanced sequence".into())),
            },
            Event::DocumentEnd | Event::StreamEnd => break,
            _ => continue,
        };
        match stack.last_mut() {
            None => {
                root = Some(node);
                break;
            }
            Some(Open::Seq(items)) => items.push(node),
            Some(Open::Map(entries, pending)) => match pending.take() {
                None => {
                    // A key: only scalar keys matter in lockfiles.
                    let key = match node {
                        Node::Scalar(s) => s,
                        _ => String::new(),
                    };
                    *pending = Some((key, line));
                }
                Some((key, key_line)) => entries.push((key, key_line, node)),
            },
        }
    }
    Ok(root.unwrap_or(Node::Null))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_key_lines_and_nulls() {
        let node = parse("a: 1\nb:\n  c: x\n  d: ~\n  e: [1, 2]\n").unwrap();
        let b = node.get("b").unwrap();
        assert_eq!(node.entries()[1].1, 2);
        assert_eq!(b.entries()[0].1, 3);
        assert_eq!(b.get("c").and_then(Node::as_str), Some("x"));
        assert!(matches!(b.get("d"), Some(Node::Null)));
        assert!(matches!(b.get("e"), Some(Node::Seq(v)) if v.len() == 2));
    }

    #[test]
    fn rejects_deep_nesting() {
        let text = "[".repeat(100) + &"]".repeat(100);
        assert!(parse(&text).is_err());
    }
}
