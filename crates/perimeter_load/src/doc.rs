//! A small spanned document tree that YAML and JSON files both become.
//!
//! Loaders read [`Node`]s, never a parser's own types, so one CloudFormation loader serves
//! YAML and JSON templates alike. Every node and every mapping key knows its 1-based line and
//! column. CloudFormation short-form tags are rewritten to their long form while reading
//! (`!Ref X` becomes `{Ref: X}`, `!GetAtt A.B` becomes `{Fn::GetAtt: A.B}`), YAML `<<` merge
//! keys are merged, and anchors are expanded within a node budget.
//!
//! Everything here treats the file as hostile: the size, the nesting depth and the number of
//! nodes produced by aliases are bounded, and invalid UTF-8 or binary content is an error that
//! names the line, never a panic.

use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use std::collections::HashMap;
use thiserror::Error;

/// Largest file a loader will read.
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
/// Deepest nesting of mappings and sequences accepted.
pub const MAX_DEPTH: usize = 256;
/// Most nodes that alias expansion may add to one document (billion-laughs guard).
pub const MAX_ALIAS_NODES: usize = 100_000;

/// Why a file could not be read as a document. Line and column are 1-based when known.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[error("{message}")]
pub struct DocError {
    pub message: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
}

impl DocError {
    fn new(message: impl Into<String>, line: Option<u32>, column: Option<u32>) -> Self {
        DocError {
            message: message.into(),
            line,
            column,
        }
    }
}

/// A mapping key with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub name: String,
    pub line: u32,
    pub column: u32,
}

/// The value of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Null,
    /// Any scalar, as text. `quoted` tells a quoted YAML scalar or JSON string from a plain
    /// YAML scalar or a JSON number/boolean, so that `"true"` and `true` can be told apart
    /// where that matters.
    Scalar {
        text: String,
        quoted: bool,
    },
    Seq(Vec<Node>),
    /// Entries in document order; a repeated key keeps its last value.
    Map(Vec<(Key, Node)>),
}

/// One node of a document, with the position where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    pub line: u32,
    pub column: u32,
    /// A YAML tag that was not a CloudFormation short form (e.g. `!!str`, `!Custom`).
    pub tag: Option<String>,
}

impl Node {
    pub fn scalar(text: impl Into<String>, line: u32, column: u32) -> Node {
        Node {
            kind: NodeKind::Scalar {
                text: text.into(),
                quoted: true,
            },
            line,
            column,
            tag: None,
        }
    }

    pub fn null(line: u32, column: u32) -> Node {
        Node {
            kind: NodeKind::Null,
            line,
            column,
            tag: None,
        }
    }

    /// The value for `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries()
            .iter()
            .rev()
            .find(|(k, _)| k.name == key)
            .map(|(_, v)| v)
    }

    /// The key and value for `key` in a mapping.
    pub fn get_entry(&self, key: &str) -> Option<(&Key, &Node)> {
        self.entries()
            .iter()
            .rev()
            .find(|(k, _)| k.name == key)
            .map(|(k, v)| (k, v))
    }

    /// A mapping's entries; empty for any other node.
    pub fn entries(&self) -> &[(Key, Node)] {
        match &self.kind {
            NodeKind::Map(m) => m,
            _ => &[],
        }
    }

    /// A sequence's items; empty for any other node.
    pub fn items(&self) -> &[Node] {
        match &self.kind {
            NodeKind::Seq(s) => s,
            _ => &[],
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.kind, NodeKind::Map(_))
    }

    pub fn is_seq(&self) -> bool {
        matches!(self.kind, NodeKind::Seq(_))
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, NodeKind::Null)
    }

    /// The text of a scalar (strings, numbers and booleans alike).
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// A scalar read as a boolean (`true`/`false` in any case, as CloudFormation accepts).
    pub fn as_bool(&self) -> Option<bool> {
        match self.as_str()?.to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }

    /// A scalar read as an integer (`"30"` and `30` alike).
    pub fn as_i64(&self) -> Option<i64> {
        self.as_str()?.trim().parse().ok()
    }

    pub fn as_f64(&self) -> Option<f64> {
        self.as_str()?.trim().parse().ok()
    }

    /// For a one-key mapping, that key and its value: how intrinsic functions are written.
    pub fn single_entry(&self) -> Option<(&Key, &Node)> {
        match &self.kind {
            NodeKind::Map(m) if m.len() == 1 => Some((&m[0].0, &m[0].1)),
            _ => None,
        }
    }

    /// Number of nodes in this subtree.
    pub fn size(&self) -> usize {
        1 + match &self.kind {
            NodeKind::Seq(s) => s.iter().map(Node::size).sum(),
            NodeKind::Map(m) => m.iter().map(|(_, v)| 1 + v.size()).sum(),
            _ => 0,
        }
    }
}

/// Checks the raw bytes of a file before parsing: size cap, binary content, UTF-8.
pub fn decode(bytes: &[u8]) -> Result<&str, DocError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(DocError::new(
            format!(
                "file is {} MB, larger than the {} MB limit for templates",
                bytes.len() / (1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
            None,
            None,
        ));
    }
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        let line = line_of_byte(bytes, pos);
        return Err(DocError::new(
            "binary content (NUL byte): not a text template",
            Some(line),
            None,
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let line = line_of_byte(bytes, e.valid_up_to());
        DocError::new(
            format!("invalid UTF-8 at byte {}", e.valid_up_to()),
            Some(line),
            None,
        )
    })
}

fn line_of_byte(bytes: &[u8], pos: usize) -> u32 {
    1 + bytes[..pos].iter().filter(|&&b| b == b'\n').count() as u32
}

/// Parses YAML text (the first document of a stream) into a [`Node`].
///
/// Returns `Ok(None)` for an empty file.
pub fn parse_yaml(text: &str) -> Result<Option<Node>, DocError> {
    let mut builder = YamlBuilder::default();
    let mut parser = Parser::new_from_str(text);
    for event in &mut parser {
        let (event, span) = event.map_err(|e| {
            let m = e.marker();
            DocError::new(
                e.info().to_string(),
                Some(m.line() as u32),
                Some(m.col() as u32 + 1),
            )
        })?;
        if builder.on_event(event, span)? {
            break;
        }
    }
    Ok(builder.document)
}

/// Parses strict JSON text into a [`Node`]. Returns `Ok(None)` for an empty file.
pub fn parse_json(text: &str) -> Result<Option<Node>, DocError> {
    let index = LineIndex::new(text);
    // jsonc-parser descends recursively: refuse hostile nesting before it sees the text.
    check_json_depth(text, &index)?;
    let options = jsonc_parser::ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let parsed = jsonc_parser::parse_to_ast(text, &Default::default(), &options).map_err(|e| {
        let (line, column) = index.position(e.range().start);
        DocError::new(e.kind().to_string(), Some(line), Some(column))
    })?;
    Ok(parsed.value.map(|v| json_node(&v, &index)))
}

fn check_json_depth(text: &str, index: &LineIndex) -> Result<(), DocError> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, b) in text.bytes().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    let (line, column) = index.position(i);
                    return Err(too_deep(line, column));
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

fn too_deep(line: u32, column: u32) -> DocError {
    DocError::new(
        format!("nesting deeper than {MAX_DEPTH} levels"),
        Some(line),
        Some(column),
    )
}

fn json_node(value: &jsonc_parser::ast::Value, index: &LineIndex) -> Node {
    use jsonc_parser::ast::Value as J;
    let at = |start: usize| index.position(start);
    let (kind, start) = match value {
        J::StringLit(s) => (
            NodeKind::Scalar {
                text: s.value.to_string(),
                quoted: true,
            },
            s.range.start,
        ),
        J::NumberLit(n) => (
            NodeKind::Scalar {
                text: n.value.to_string(),
                quoted: false,
            },
            n.range.start,
        ),
        J::BooleanLit(b) => (
            NodeKind::Scalar {
                text: b.value.to_string(),
                quoted: false,
            },
            b.range.start,
        ),
        J::NullKeyword(n) => (NodeKind::Null, n.range.start),
        J::Array(a) => (
            NodeKind::Seq(a.elements.iter().map(|e| json_node(e, index)).collect()),
            a.range.start,
        ),
        J::Object(o) => {
            let mut entries: Vec<(Key, Node)> = Vec::with_capacity(o.properties.len());
            for prop in &o.properties {
                let (name, start) = match &prop.name {
                    jsonc_parser::ast::ObjectPropName::String(s) => {
                        (s.value.to_string(), s.range.start)
                    }
                    jsonc_parser::ast::ObjectPropName::Word(w) => {
                        (w.value.to_string(), w.range.start)
                    }
                };
                let (line, column) = at(start);
                insert_entry(
                    &mut entries,
                    Key { name, line, column },
                    json_node(&prop.value, index),
                );
            }
            (NodeKind::Map(entries), o.range.start)
        }
    };
    let (line, column) = at(start);
    Node {
        kind,
        line,
        column,
        tag: None,
    }
}

/// Inserts a mapping entry; a repeated key replaces the earlier value in place.
fn insert_entry(entries: &mut Vec<(Key, Node)>, key: Key, value: Node) {
    if let Some(slot) = entries.iter_mut().find(|(k, _)| k.name == key.name) {
        *slot = (key, value);
    } else {
        entries.push((key, value));
    }
}

/// Byte offset to 1-based line and character column.
struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { text, starts }
    }

    fn position(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line as u32 + 1, column as u32 + 1)
    }
}

/// The long name of a CloudFormation short-form tag, if `suffix` is one.
fn cfn_long_form(suffix: &str) -> Option<String> {
    const FUNCTIONS: &[&str] = &[
        "Base64",
        "Cidr",
        "FindInMap",
        "GetAtt",
        "GetAZs",
        "ImportValue",
        "Join",
        "Select",
        "Split",
        "Sub",
        "Transform",
        "And",
        "Equals",
        "If",
        "Not",
        "Or",
        "Length",
        "ToJsonString",
        "ForEach",
    ];
    match suffix {
        "Ref" | "Condition" => Some(suffix.to_string()),
        s if FUNCTIONS.contains(&s) => Some(format!("Fn::{s}")),
        _ => None,
    }
}

/// A container being built, and what it will become.
enum Open {
    Seq {
        node: Node,
        anchor: usize,
        cfn: Option<String>,
    },
    Map {
        node: Node,
        anchor: usize,
        cfn: Option<String>,
        pending_key: Option<Key>,
        merges: Vec<Node>,
    },
}

#[derive(Default)]
struct YamlBuilder {
    stack: Vec<Open>,
    anchors: HashMap<usize, Node>,
    alias_budget_used: usize,
    document: Option<Node>,
}

impl YamlBuilder {
    /// Feeds one event; returns `true` when the first document is complete.
    fn on_event(&mut self, event: Event, span: Span) -> Result<bool, DocError> {
        let line = span.start.line() as u32;
        let column = span.start.col() as u32 + 1;
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let (cfn, tag) = split_tag(tag.as_deref());
                let plain = matches!(style, ScalarStyle::Plain);
                let kind = if plain
                    && tag.is_none()
                    && matches!(text.as_ref(), "" | "~" | "null" | "Null" | "NULL")
                {
                    NodeKind::Null
                } else {
                    NodeKind::Scalar {
                        text: text.into_owned(),
                        quoted: !plain,
                    }
                };
                let node = wrap_cfn(
                    Node {
                        kind,
                        line,
                        column,
                        tag,
                    },
                    cfn,
                );
                self.complete(node, anchor)
            }
            Event::SequenceStart(anchor, tag) => {
                self.open_guard(line, column)?;
                let (cfn, tag) = split_tag(tag.as_deref());
                let node = Node {
                    kind: NodeKind::Seq(Vec::new()),
                    line,
                    column,
                    tag,
                };
                self.stack.push(Open::Seq { node, anchor, cfn });
                Ok(false)
            }
            Event::MappingStart(anchor, tag) => {
                self.open_guard(line, column)?;
                let (cfn, tag) = split_tag(tag.as_deref());
                let node = Node {
                    kind: NodeKind::Map(Vec::new()),
                    line,
                    column,
                    tag,
                };
                self.stack.push(Open::Map {
                    node,
                    anchor,
                    cfn,
                    pending_key: None,
                    merges: Vec::new(),
                });
                Ok(false)
            }
            Event::SequenceEnd => match self.stack.pop() {
                Some(Open::Seq { node, anchor, cfn }) => self.complete(wrap_cfn(node, cfn), anchor),
                _ => Err(DocError::new(
                    "unbalanced sequence end",
                    Some(line),
                    Some(column),
                )),
            },
            Event::MappingEnd => match self.stack.pop() {
                Some(Open::Map {
                    mut node,
                    anchor,
                    cfn,
                    merges,
                    ..
                }) => {
                    apply_merges(&mut node, merges);
                    self.complete(wrap_cfn(node, cfn), anchor)
                }
                _ => Err(DocError::new(
                    "unbalanced mapping end",
                    Some(line),
                    Some(column),
                )),
            },
            Event::Alias(id) => {
                let Some(target) = self.anchors.get(&id) else {
                    return Err(DocError::new(
                        "alias to an unknown anchor",
                        Some(line),
                        Some(column),
                    ));
                };
                self.alias_budget_used += target.size();
                if self.alias_budget_used > MAX_ALIAS_NODES {
                    return Err(DocError::new(
                        format!(
                            "YAML alias expansion exceeds {MAX_ALIAS_NODES} nodes (possible alias bomb)"
                        ),
                        Some(line),
                        Some(column),
                    ));
                }
                let node = target.clone();
                self.complete(node, 0)
            }
            Event::DocumentEnd => Ok(self.document.is_some()),
            Event::StreamEnd => Ok(true),
            Event::StreamStart | Event::DocumentStart(_) | Event::Nothing => Ok(false),
        }
    }

    fn open_guard(&self, line: u32, column: u32) -> Result<(), DocError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(too_deep(line, column));
        }
        Ok(())
    }

    /// Places a finished node in its parent (or as the document).
    fn complete(&mut self, node: Node, anchor: usize) -> Result<bool, DocError> {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => {
                self.document = Some(node);
                Ok(false)
            }
            Some(Open::Seq { node: parent, .. }) => {
                if let NodeKind::Seq(items) = &mut parent.kind {
                    items.push(node);
                }
                Ok(false)
            }
            Some(Open::Map {
                node: parent,
                pending_key,
                merges,
                ..
            }) => {
                match pending_key.take() {
                    None => {
                        let name = match &node.kind {
                            NodeKind::Scalar { text, .. } => text.clone(),
                            NodeKind::Null => String::new(),
                            _ => {
                                return Err(DocError::new(
                                    "complex mapping keys are not supported",
                                    Some(node.line),
                                    Some(node.column),
                                ));
                            }
                        };
                        *pending_key = Some(Key {
                            name,
                            line: node.line,
                            column: node.column,
                        });
                    }
                    Some(key)
                        if key.name == "<<"
                            && node.tag.is_none()
                            && (node.is_map() || node.is_seq()) =>
                    {
                        merges.push(node);
                    }
                    Some(key) => {
                        if let NodeKind::Map(entries) = &mut parent.kind {
                            insert_entry(entries, key, node);
                        }
                    }
                }
                Ok(false)
            }
        }
    }
}

/// Applies YAML merge keys: entries of merged maps that the map does not set itself.
fn apply_merges(node: &mut Node, merges: Vec<Node>) {
    let NodeKind::Map(entries) = &mut node.kind else {
        return;
    };
    for merged in merges {
        let sources: Vec<Node> = match merged.kind {
            NodeKind::Seq(items) => items,
            _ => vec![merged],
        };
        for source in sources {
            if let NodeKind::Map(src) = source.kind {
                for (k, v) in src {
                    if !entries.iter().any(|(e, _)| e.name == k.name) {
                        entries.push((k, v));
                    }
                }
            }
        }
    }
}

/// Splits a tag into a CloudFormation long-form name, or a tag kept on the node.
fn split_tag(tag: Option<&saphyr_parser::Tag>) -> (Option<String>, Option<String>) {
    match tag {
        None => (None, None),
        Some(t) if t.handle == "!" => match cfn_long_form(&t.suffix) {
            Some(long) => (Some(long), None),
            None => (None, Some(format!("!{}", t.suffix))),
        },
        Some(t) => (None, Some(format!("{}{}", t.handle, t.suffix))),
    }
}

/// `!Ref X` → `{Ref: X}`; the wrapper takes the tagged node's position.
fn wrap_cfn(node: Node, cfn: Option<String>) -> Node {
    match cfn {
        None => node,
        Some(name) => {
            let (line, column) = (node.line, node.column);
            Node {
                kind: NodeKind::Map(vec![(Key { name, line, column }, node)]),
                line,
                column,
                tag: None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Node {
        parse_yaml(text).unwrap().unwrap()
    }

    #[test]
    fn short_form_tags_become_long_form() {
        let doc = yaml("A: !Ref Foo\nB: !GetAtt Bar.Arn\nC: !Sub\n  - '${x}'\n  - x: 1\n");
        assert_eq!(
            doc.get("A").unwrap().get("Ref").unwrap().as_str(),
            Some("Foo")
        );
        assert_eq!(
            doc.get("B").unwrap().get("Fn::GetAtt").unwrap().as_str(),
            Some("Bar.Arn")
        );
        assert_eq!(
            doc.get("C").unwrap().get("Fn::Sub").unwrap().items().len(),
            2
        );
    }

    #[test]
    fn positions_are_one_based() {
        let doc = yaml("Resources:\n  Fn:\n    Type: X\n");
        let (key, value) = doc.get("Resources").unwrap().get_entry("Fn").unwrap();
        assert_eq!((key.line, key.column), (2, 3));
        assert_eq!(value.get("Type").unwrap().line, 3);
        assert_eq!(value.get("Type").unwrap().column, 11);
    }

    #[test]
    fn merge_keys_are_merged_without_overriding() {
        let doc = yaml("base: &b\n  a: 1\n  b: 2\nx:\n  <<: *b\n  b: 3\n");
        let x = doc.get("x").unwrap();
        assert_eq!(x.get("a").unwrap().as_i64(), Some(1));
        assert_eq!(x.get("b").unwrap().as_i64(), Some(3));
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            text.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
        }
        let err = parse_yaml(&text).unwrap_err();
        assert!(err.message.contains("alias"), "{err:?}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "[".repeat(100_000);
        assert!(parse_yaml(&text).is_err());
        let err = parse_json(&text).unwrap_err();
        assert!(err.message.contains("nesting"), "{err:?}");
    }

    #[test]
    fn json_positions_and_values() {
        let doc = parse_json("{\n  \"A\": {\"Ref\": \"X\"},\n  \"N\": 3\n}")
            .unwrap()
            .unwrap();
        let (key, value) = doc.get_entry("A").unwrap();
        assert_eq!((key.line, key.column), (2, 3));
        assert_eq!(value.get("Ref").unwrap().as_str(), Some("X"));
        assert_eq!(doc.get("N").unwrap().as_i64(), Some(3));
    }

    #[test]
    fn bad_bytes_are_errors_with_lines() {
        assert_eq!(decode(b"a: 1\nb: \xff\n").unwrap_err().line, Some(2));
        assert!(
            decode(b"\x00\x01binary")
                .unwrap_err()
                .message
                .contains("binary")
        );
    }

    #[test]
    fn libyaml_leniency_that_real_templates_rely_on() {
        // A multi-line quoted JSON document whose lines sit left of the key (PyYAML and
        // CloudFormation accept it; see vendor/saphyr-parser/PERIMETER-PATCHES.md).
        let doc = yaml("A:\n  Doc: !Sub '{\n    \"x\": 1,\n  \"y\": 2\n}'\nB: 1\n");
        assert!(
            doc.get("A")
                .unwrap()
                .get("Doc")
                .unwrap()
                .get("Fn::Sub")
                .is_some()
        );
        // A flow mapping whose closing brace is less indented than its key.
        let doc = yaml("A:\n  B: {\n    \"c\": 1\n}\nD: 2\n");
        assert_eq!(
            doc.get("A")
                .unwrap()
                .get("B")
                .unwrap()
                .get("c")
                .unwrap()
                .as_i64(),
            Some(1)
        );
        assert_eq!(doc.get("D").unwrap().as_i64(), Some(2));
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let err = parse_yaml("a: [1, 2\nb: c\n").unwrap_err();
        assert!(err.line.is_some());
        let err = parse_json("{\"a\": 1,}").unwrap_err();
        assert_eq!(err.line, Some(1));
    }
}
