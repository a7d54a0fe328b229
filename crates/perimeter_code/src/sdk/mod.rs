//! AWS SDK call extraction: which services and operations a file calls, and on which
//! resources, per SDK (boto3, JavaScript v3 and v2, Go v2, Java v2).
//!
//! Service and operation names come from the generated catalog ([`data`]); the SDK helpers
//! that are not API operations are listed in [`helpers`]. Each language module walks the
//! tree-sitter tree once to learn what names are bound to (clients, resources, environment
//! variables, literals), then once more to read the calls.

pub mod data;
mod go;
pub mod helpers;
mod java;
mod js;
mod python;

use perimeter_model::{ArgValue, Language, Location, ResourceArg, Sdk, SdkCall};
use tree_sitter::{Node, Tree};

/// What one file's extraction found.
#[derive(Debug, Default, Clone)]
pub struct Extraction {
    /// Recognized calls, in source order.
    pub calls: Vec<SdkCall>,
    /// Call sites that look like AWS SDK calls (on an SDK client, or an SDK type) but whose
    /// service or operation is not recognized: `"file:line: text"`.
    pub unrecognized: Vec<String>,
}

/// Extracts the AWS SDK calls of one parsed file. `path` is the display path.
pub fn extract(language: Language, path: &str, source: &str, tree: &Tree) -> Extraction {
    let cx = Cx {
        path,
        src: source.as_bytes(),
    };
    let mut out = match language {
        Language::Python => python::extract(&cx, tree.root_node()),
        Language::JavaScript | Language::TypeScript => js::extract(&cx, tree.root_node()),
        Language::Go => go::extract(&cx, tree.root_node()),
        Language::Java => java::extract(&cx, tree.root_node()),
        _ => Extraction::default(),
    };
    out.calls.sort_by(|a, b| {
        (a.location.line, a.location.column).cmp(&(b.location.line, b.location.column))
    });
    out
}

/// How deeply the extractors follow one expression (`a.b().c()...`) before giving up.
pub(crate) const MAX_EVAL_DEPTH: u32 = 64;

/// Request parameters that name the resource a call acts on (as the service models spell them).
pub const RESOURCE_PARAMS: &[&str] = &[
    "TableName",
    "Bucket",
    "QueueUrl",
    "QueueName",
    "TopicArn",
    "TargetArn",
    "SecretId",
    "SecretArn",
    "FunctionName",
    "StreamName",
    "StreamARN",
    "DeliveryStreamName",
    // Step Functions' members start in lower case.
    "stateMachineArn",
    "KeyId",
    "EventBusName",
    "LogGroupName",
    "UserPoolId",
    "ResourceArn",
    "IndexName",
];

/// The resource parameter a key names, in the service model's spelling: `TableName`,
/// `tableName` (Java builders), `Name` for SSM parameters.
pub(crate) fn resource_param(service: &str, key: &str) -> Option<&'static str> {
    if service == "ssm" && (key == "Name" || key == "name") {
        return Some("Name");
    }
    if service == "ssm" && (key == "Names" || key == "names") {
        return Some("Names");
    }
    RESOURCE_PARAMS
        .iter()
        .find(|p| p.eq_ignore_ascii_case(key) && key.chars().skip(1).eq(p.chars().skip(1)))
        .copied()
}

/// Source text and display path of the file being read.
pub(crate) struct Cx<'a> {
    pub path: &'a str,
    pub src: &'a [u8],
}

impl Cx<'_> {
    pub fn text(&self, n: Node) -> &str {
        n.utf8_text(self.src).unwrap_or("")
    }

    pub fn loc(&self, n: Node) -> Location {
        let p = n.start_position();
        // tree-sitter columns are bytes; the model counts characters.
        let line_start = n.start_byte() - p.column;
        let col = String::from_utf8_lossy(&self.src[line_start..n.start_byte()])
            .chars()
            .count();
        Location::new(self.path, p.row as u32 + 1, col as u32 + 1)
    }

    pub fn call(
        &self,
        sdk: Sdk,
        service: &str,
        operation: &str,
        resources: Vec<ResourceArg>,
        at: Node,
    ) -> SdkCall {
        SdkCall {
            sdk,
            service: service.to_string(),
            operation: operation.to_string(),
            resources,
            location: self.loc(at),
        }
    }

    pub fn unrecognized(&self, at: Node) -> String {
        let text: String = self.text(at).chars().take(80).collect();
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        format!("{}:{}: {}", self.path, at.start_position().row + 1, text)
    }
}

/// Every node of a subtree, in source order, without recursion (trees can be deep).
pub fn descendants(root: Node) -> Vec<Node> {
    let mut out = Vec::new();
    let mut cursor = root.walk();
    let mut done = false;
    while !done {
        out.push(cursor.node());
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() || cursor.node() == root {
                done = true;
                break;
            }
        }
    }
    out
}

/// The value of a string literal node, when it has no interpolation.
pub(crate) fn string_value(cx: &Cx, n: Node) -> Option<String> {
    string_value_of(cx.src, n)
}

/// [`string_value`] on raw source bytes.
pub(crate) fn string_value_of(src: &[u8], n: Node) -> Option<String> {
    let t = n.utf8_text(src).unwrap_or("");
    match n.kind() {
        // Python strings: optional prefix, then quotes; f-strings have interpolation children.
        "string"
        | "interpreted_string_literal"
        | "raw_string_literal"
        | "string_literal"
        | "template_string" => {
            let mut c = n.walk();
            if n.children(&mut c).any(|ch| {
                matches!(
                    ch.kind(),
                    "interpolation" | "template_substitution" | "escape_sequence"
                )
            }) {
                return None;
            }
            let t = t.trim_start_matches(|c: char| c.is_ascii_alphabetic());
            let t = t
                .strip_prefix("\"\"\"")
                .and_then(|s| s.strip_suffix("\"\"\""))
                .or_else(|| t.strip_prefix("'''").and_then(|s| s.strip_suffix("'''")))
                .or_else(|| {
                    let q = t.chars().next()?;
                    if matches!(q, '"' | '\'' | '`') {
                        t.strip_prefix(q)?.strip_suffix(q)
                    } else {
                        None
                    }
                })?;
            Some(t.to_string())
        }
        _ => None,
    }
}

pub(crate) fn arg(param: &str, value: ArgValue) -> ResourceArg {
    ResourceArg {
        param: param.to_string(),
        value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_params_accept_model_and_builder_spelling() {
        assert_eq!(resource_param("dynamodb", "TableName"), Some("TableName"));
        assert_eq!(resource_param("dynamodb", "tableName"), Some("TableName"));
        assert_eq!(resource_param("dynamodb", "tablename"), None);
        assert_eq!(resource_param("ssm", "Name"), Some("Name"));
        assert_eq!(resource_param("s3", "Key"), None);
        assert_eq!(
            resource_param("stepfunctions", "StateMachineArn"),
            Some("stateMachineArn")
        );
    }
}
