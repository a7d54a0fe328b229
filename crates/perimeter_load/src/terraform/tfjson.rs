//! Terraform's JSON syntax (`*.tf.json`, `*.tfvars.json`) as HCL text, so the rest of the
//! loader reads one syntax.
//!
//! The JSON is parsed with positions ([`crate::doc::parse_json`]: a malformed file is an error
//! with its line and column), then written back as HCL following Terraform's rules for JSON
//! (<https://developer.hashicorp.com/terraform/language/syntax/json>): `resource` / `data` /
//! `module` / `variable` / `output` / `locals` objects become blocks with their labels, strings
//! in expression positions are string templates (`"${aws_iam_role.fn.arn}"` is the reference,
//! `"x-${var.env}"` the template), strings in literal positions (variable defaults, tfvars)
//! have their `${` escaped, and `"//"` keys are comments. Every HCL line written records the
//! JSON position it comes from ([`Converted::origins`]), so locations point into the JSON file.
//!
//! JSON cannot tell a nested block from an attribute holding an object (Terraform asks the
//! provider's schema). Without schemas an object, or an array of objects, inside a resource is
//! read as nested block(s) (`environment`, `statement`, `cors`), except for the attributes
//! listed in [`MAP_ATTRIBUTES`] that hold maps (`variables`, `tags`, `app_settings`, …).

use crate::doc::{Node, NodeKind};

/// Attributes of resources and data sources whose value is a map, not a nested block.
const MAP_ATTRIBUTES: &[&str] = &[
    "variables",
    "environment_variables",
    "build_environment_variables",
    "app_settings",
    "tags",
    "tags_all",
    "labels",
    "triggers",
    "request_parameters",
    "request_templates",
    "request_models",
    "response_parameters",
    "response_models",
    "response_templates",
    "stage_variables",
    "variables_json",
    "metadata",
    "attributes",
    "context",
    "input_transformer",
];

/// Meta-arguments that hold bare references or settings the loader does not read.
const SKIPPED: &[&str] = &[
    "depends_on",
    "provider",
    "providers",
    "lifecycle",
    "provisioner",
    "connection",
];

/// HCL text written from a JSON file, and for each of its lines the JSON (line, column) it
/// was written from.
pub(crate) struct Converted {
    pub text: String,
    pub origins: Vec<(u32, u32)>,
}

/// The error of a malformed or unusable JSON file, with its position when known.
pub(crate) struct JsonError {
    pub message: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
}

/// Converts a `.tf.json` configuration file.
pub(crate) fn config_to_hcl(text: &str) -> Result<Converted, JsonError> {
    let root = parse(text)?;
    let mut w = Writer::default();
    for (k, v) in root.entries() {
        let labels = match k.name.as_str() {
            "resource" | "data" => 2,
            "module" | "variable" | "output" => 1,
            "locals" => 0,
            // `terraform`, `provider`, `moved`, `import`, comments: not read by the loader.
            _ => continue,
        };
        for item in objects(v) {
            w.labelled(&k.name, labels, item, &[]);
        }
    }
    Ok(w.finish())
}

/// Converts a `.tfvars.json` file: every value is a literal.
pub(crate) fn tfvars_to_hcl(text: &str) -> Result<Converted, JsonError> {
    let root = parse(text)?;
    let mut w = Writer::default();
    for (k, v) in root.entries() {
        if k.name == "//" {
            continue;
        }
        w.line(k.line, k.column);
        w.push(&format!("{} = ", ident(&k.name)));
        w.value(v, Mode::Literal, 0);
        w.push("\n");
    }
    Ok(w.finish())
}

fn parse(text: &str) -> Result<Node, JsonError> {
    let node = crate::doc::parse_json(text)
        .map_err(|e| JsonError {
            message: format!("invalid JSON: {}", e.message),
            line: e.line,
            column: e.column,
        })?
        .ok_or_else(|| JsonError {
            message: "empty JSON file".into(),
            line: None,
            column: None,
        })?;
    if !node.is_map() {
        return Err(JsonError {
            message: "a Terraform JSON file must hold one object at the top level".into(),
            line: Some(node.line),
            column: Some(node.column),
        });
    }
    Ok(node)
}

/// A value that may be one object or an array of objects (several blocks with the same
/// labels), as the JSON syntax allows at every level.
fn objects(v: &Node) -> Vec<&Node> {
    match &v.kind {
        NodeKind::Map(_) => vec![v],
        NodeKind::Seq(items) => items.iter().filter(|i| i.is_map()).collect(),
        _ => Vec::new(),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// Strings are templates.
    Expr,
    /// Strings are taken as written.
    Literal,
}

/// Most nesting written (the JSON parser already refuses deeper documents).
const MAX_DEPTH: usize = 64;

#[derive(Default)]
struct Writer {
    out: String,
    origins: Vec<(u32, u32)>,
}

impl Writer {
    fn finish(self) -> Converted {
        let mut origins = self.origins;
        if origins.is_empty() {
            origins.push((1, 1));
        }
        Converted {
            text: self.out,
            origins,
        }
    }

    /// Starts a new HCL line that comes from JSON position (line, column).
    fn line(&mut self, line: u32, column: u32) {
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
        self.origins.push((line, column));
    }

    fn push(&mut self, s: &str) {
        self.out.push_str(s);
    }

    /// A block `kind "l1" "l2" { … }` from `item`, whose first `labels` levels of keys are the
    /// labels.
    fn labelled(&mut self, kind: &str, labels: usize, item: &Node, got: &[String]) {
        if got.len() == labels {
            let (l, c) = (item.line, item.column);
            let mut header = kind.to_string();
            for label in got {
                header.push_str(&format!(" {}", quoted(label, Mode::Literal)));
            }
            self.open(&header, l, c);
            let mode = if kind == "variable" {
                Mode::Literal
            } else {
                Mode::Expr
            };
            let nested = matches!(kind, "resource" | "data");
            self.body(item, mode, nested, 0);
            self.close();
            return;
        }
        for (k, v) in item.entries() {
            if k.name == "//" {
                continue;
            }
            let mut next = got.to_vec();
            next.push(k.name.clone());
            for o in objects(v) {
                self.labelled(kind, labels, o, &next);
            }
        }
    }

    fn open(&mut self, header: &str, line: u32, column: u32) {
        self.line(line, column);
        self.push(&format!("{header} {{\n"));
    }

    fn close(&mut self) {
        let at = self.origins.last().copied().unwrap_or((1, 1));
        self.line(at.0, at.1);
        self.push("}\n");
    }

    /// Closes a list or object: on a line of its own (with the last origin) after elements.
    fn end_inline(&mut self, had_items: bool, s: &str) {
        if had_items {
            let at = self.origins.last().copied().unwrap_or((1, 1));
            self.line(at.0, at.1);
        }
        self.push(s);
    }

    /// The attributes and nested blocks of a block body. `nested`: objects are blocks.
    fn body(&mut self, item: &Node, mode: Mode, nested: bool, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        for (k, v) in item.entries() {
            let name = k.name.as_str();
            if name == "//" || SKIPPED.contains(&name) {
                continue;
            }
            // A variable's `type` is a type expression, which the loader does not read.
            if mode == Mode::Literal && matches!(name, "type" | "validation") {
                continue;
            }
            if nested && name == "dynamic" {
                self.dynamic(v, depth);
                continue;
            }
            let blocks = objects(v);
            let is_block = nested
                && !blocks.is_empty()
                && !MAP_ATTRIBUTES.contains(&name)
                && !matches!(name, "for_each" | "count");
            if is_block {
                for b in blocks {
                    self.open(&ident(name), k.line, k.column);
                    self.body(b, mode, true, depth + 1);
                    self.close();
                }
                continue;
            }
            self.line(k.line, k.column);
            self.push(&format!("{} = ", ident(name)));
            self.value(v, mode, depth + 1);
            self.push("\n");
        }
    }

    /// `"dynamic": {"statement": {"for_each": …, "iterator": "s", "content": {…}}}`.
    fn dynamic(&mut self, v: &Node, depth: usize) {
        for o in objects(v) {
            for (k, spec) in o.entries() {
                for spec in objects(spec) {
                    self.open(
                        &format!("dynamic {}", quoted(&k.name, Mode::Literal)),
                        k.line,
                        k.column,
                    );
                    for (a, av) in spec.entries() {
                        match a.name.as_str() {
                            "for_each" => {
                                self.line(a.line, a.column);
                                self.push("for_each = ");
                                self.value(av, Mode::Expr, depth + 1);
                                self.push("\n");
                            }
                            "iterator" => {
                                if let Some(it) = av.as_str() {
                                    self.line(a.line, a.column);
                                    self.push(&format!("iterator = {}\n", ident(it)));
                                }
                            }
                            "content" => {
                                for c in objects(av) {
                                    self.open("content", a.line, a.column);
                                    self.body(c, Mode::Expr, true, depth + 1);
                                    self.close();
                                }
                            }
                            _ => {}
                        }
                    }
                    self.close();
                }
            }
        }
    }

    /// An expression: strings as templates (`Mode::Expr`) or literals, arrays and objects with
    /// each element on its own line (so each line keeps its origin).
    fn value(&mut self, v: &Node, mode: Mode, depth: usize) {
        if depth > MAX_DEPTH {
            self.push("null");
            return;
        }
        match &v.kind {
            NodeKind::Null => self.push("null"),
            NodeKind::Scalar { text, quoted: q } => {
                if *q {
                    self.push(&quoted(text, mode));
                } else {
                    // Numbers and booleans, as JSON writes them.
                    self.push(text);
                }
            }
            NodeKind::Seq(items) => {
                self.push("[");
                for i in items {
                    self.line(i.line, i.column);
                    self.value(i, mode, depth + 1);
                    self.push(",");
                }
                self.end_inline(!items.is_empty(), "]");
            }
            NodeKind::Map(entries) => {
                self.push("{");
                for (k, e) in entries {
                    if k.name == "//" {
                        continue;
                    }
                    self.line(k.line, k.column);
                    self.push(&format!("{} = ", quoted(&k.name, Mode::Literal)));
                    self.value(e, mode, depth + 1);
                    self.push(",");
                }
                self.end_inline(!entries.is_empty(), "}");
            }
        }
    }
}

/// A name usable as an HCL identifier (JSON allows any key; others are rare and quoted keys
/// are not allowed for attributes, so they are made safe).
fn ident(name: &str) -> String {
    let ok = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        name.to_string()
    } else {
        let cleaned: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        format!("_{cleaned}")
    }
}

/// A JSON string as HCL. `Literal`: a quoted string whose `${` and `%{` are escaped so they
/// stay text. `Expr`: a string template; a string that is one interpolation
/// (`"${aws_iam_role.fn.arn}"`) is written as its expression (Terraform then keeps the value's
/// type, as it does here), otherwise the text parts are escaped and the interpolations copied
/// as they are (their quotes are HCL's own).
fn quoted(s: &str, mode: Mode) -> String {
    if mode == Mode::Expr
        && let Some(end) = s.strip_prefix("${").and_then(|_| interpolation_end(s, 2))
        && end == s.len() - 1
    {
        return format!("({})", s[2..end].replace(['\n', '\r'], " "));
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut i = 0;
    while let Some(c) = s[i..].chars().next() {
        let next = s[i + c.len_utf8()..].chars().next();
        if (c == '$' || c == '%') && next == Some('{') {
            if mode == Mode::Literal {
                out.push(c);
                out.push(c);
                out.push('{');
                i += 2;
                continue;
            }
            if let Some(end) = interpolation_end(s, i + 2) {
                out.push_str(&s[i..=end].replace(['\n', '\r'], " "));
                i = end + 1;
                continue;
            }
        }
        // `$${` / `%%{` are escapes in both syntaxes: copied as they are.
        if (c == '$' || c == '%') && next == Some(c) && s[i + 2..].starts_with('{') {
            out.push(c);
            out.push(c);
            out.push('{');
            i += 3;
            continue;
        }
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
        i += c.len_utf8();
    }
    out.push('"');
    out
}

/// The byte index of the `}` that closes an interpolation whose expression starts at `from`,
/// skipping nested braces and quoted strings inside the expression.
fn interpolation_end(s: &str, from: usize) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut depth = 1usize;
    let mut in_string = false;
    let mut i = from;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
        } else {
            match b {
                b'"' => in_string = true,
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            }
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_attributes_and_templates() {
        let json = r#"{
  "resource": {
    "aws_lambda_function": {
      "api": {
        "function_name": "api-${var.env}",
        "role": "${aws_iam_role.fn.arn}",
        "timeout": 30,
        "environment": { "variables": { "A": "b" } },
        "depends_on": ["aws_iam_role.fn"]
      }
    }
  },
  "variable": { "env": { "default": "prod-${x}", "type": "string" } }
}"#;
        let c = config_to_hcl(json).map_err(|e| e.message).unwrap();
        assert!(
            c.text
                .contains("resource \"aws_lambda_function\" \"api\" {")
        );
        assert!(c.text.contains("function_name = \"api-${var.env}\""));
        assert!(c.text.contains("role = (aws_iam_role.fn.arn)"));
        assert!(c.text.contains("environment {"));
        assert!(c.text.contains("variables = {"));
        assert!(c.text.contains("default = \"prod-$${x}\""));
        assert!(!c.text.contains("depends_on"));
        assert!(hcl_edit::parser::parse_body(&c.text).is_ok(), "{}", c.text);
        // Each HCL line knows its JSON line: `timeout` is on line 7.
        let at = c
            .text
            .lines()
            .position(|l| l.starts_with("timeout"))
            .unwrap();
        assert_eq!(c.origins[at].0, 7);
    }

    #[test]
    fn malformed_json_has_a_line() {
        let Err(e) = config_to_hcl("{\n  \"resource\": {\n    \"x\": [1,,]\n}") else {
            panic!("accepted malformed JSON");
        };
        assert_eq!(e.line, Some(3));
        let Err(e) = config_to_hcl("[1]") else {
            panic!("accepted an array");
        };
        assert!(e.message.contains("one object"));
    }
}
#[cfg(test)]
mod fixture_tests {
    #[test]
    fn fixture_converts_to_valid_hcl() {
        for text in [
            include_str!("../../tests/fixtures/terraform/tf_json/main.tf.json"),
            include_str!("../../tests/fixtures/terraform/tf_json/variables.tf.json"),
        ] {
            let c = super::config_to_hcl(text).map_err(|e| e.message).unwrap();
            if let Err(e) = hcl_edit::parser::parse_body(&c.text) {
                panic!("{e}\n{}", c.text);
            }
        }
    }
}
