//! Serverless Framework variables (`${self:…}`, `${opt:…}`, `${sls:…}`, `${file(…):…}`, …).
//!
//! [`resolve_document`] returns a copy of the service document in which every variable that
//! can be known statically and safely is replaced by its value; `${aws:accountId}`,
//! `${aws:region}` and `${aws:partition}` take the shapes the CloudFormation loader gives its
//! pseudo-parameters (`${AWS::AccountId}`, `${AWS::Region}`, `aws`). Anything else
//! (`${ssm:…}`, `${cf:…}`, other `${aws:…}`, `${s3:…}`, `${env:…}` unless allowed, unknown
//! sources, cycles, files outside the scanned tree, work over budget) becomes an *unresolved
//! marker*: a one-key mapping `{Fn::PerimeterUnresolved: reason}`. The CloudFormation
//! evaluator (used for `resources:` and IAM statements) treats the marker, and anything built
//! from it, as unresolved with the marker's reason; the serverless readers turn it into
//! `Value::Unresolved(reason)` with [`unresolved_reason`].
//!
//! Substituted values take the position of the variable that referenced them, so every
//! location in the result points into the service file itself, even for values read from
//! another file. The work is bounded (lookups, copied nodes, string length, nesting), so a
//! hostile file finishes fast with markers instead of hanging.

use crate::LoadOptions;
use crate::doc::{self, Key, Node, NodeKind};
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

/// The key of an unresolved marker mapping (the CloudFormation evaluator reports its reason).
pub const UNRESOLVED_KEY: &str = crate::cloudformation::UNRESOLVED_MARKER;

/// Most work units (nodes visited or copied, lookups) spent resolving one service.
const BUDGET: usize = 400_000;
/// Deepest recursion (document nesting plus chains of variables referring to variables):
/// keeps the stack small on hostile input.
const MAX_DEPTH: usize = 160;
/// Most bytes and files `${file(…)}` may read for one service.
const MAX_INCLUDE_BYTES: u64 = 64 * 1024 * 1024;
const MAX_INCLUDE_FILES: usize = 256;
/// Longest string that interpolation may build.
const MAX_STRING: usize = 256 * 1024;

/// The reason of an unresolved marker, when `node` is one.
pub fn unresolved_reason(node: &Node) -> Option<&str> {
    match node.single_entry() {
        Some((k, v)) if k.name == UNRESOLVED_KEY => {
            Some(v.as_str().unwrap_or("unresolved variable"))
        }
        _ => None,
    }
}

/// The first unresolved marker anywhere under `node`.
pub fn find_unresolved(node: &Node) -> Option<&str> {
    if let Some(r) = unresolved_reason(node) {
        return Some(r);
    }
    match &node.kind {
        NodeKind::Map(m) => m.iter().find_map(|(_, v)| find_unresolved(v)),
        NodeKind::Seq(s) => s.iter().find_map(find_unresolved),
        _ => None,
    }
}

/// An unresolved marker at a position.
pub fn marker(reason: impl Into<String>, line: u32, column: u32) -> Node {
    Node {
        kind: NodeKind::Map(vec![(
            Key {
                name: UNRESOLVED_KEY.to_string(),
                line,
                column,
            },
            Node::scalar(reason, line, column),
        )]),
        line,
        column,
        tag: None,
    }
}

/// The outcome of one variable.
#[derive(Debug, Clone)]
enum Resolved {
    Value(Node),
    /// The source has no value (an `${opt:…}` not given, a missing key or file): a fallback
    /// applies.
    Missing(String),
    Unresolved(String),
}

/// Resolves every variable of `doc`, the service file `file` (relative to `root`).
pub fn resolve_document(file: &str, doc: &Node, root: &Path, options: &LoadOptions) -> Node {
    let mut resolver = Resolver::new(file, doc, root, options);
    resolver.resolve_tree(doc, 0)
}

/// The stage `${sls:stage}` gives: `options.stage`, else `provider.stage` of the resolved
/// document, else `dev`.
pub fn stage_of(resolved: &Node, options: &LoadOptions) -> Option<String> {
    if let Some(s) = &options.stage {
        return Some(s.clone());
    }
    match resolved.get("provider").and_then(|p| p.get("stage")) {
        None => Some("dev".to_string()),
        Some(n) => n.as_str().map(str::to_string),
    }
}

struct Resolver<'a> {
    doc: &'a Node,
    options: &'a LoadOptions,
    root_canon: Option<PathBuf>,
    service_dir: PathBuf,
    memo: HashMap<String, Resolved>,
    in_progress: HashSet<String>,
    files: HashMap<PathBuf, Result<Node, String>>,
    /// Bytes read by `${file(…)}` so far.
    included_bytes: u64,
    budget: usize,
}

impl<'a> Resolver<'a> {
    fn new(file: &str, doc: &'a Node, root: &Path, options: &'a LoadOptions) -> Self {
        let service_dir = root.join(Path::new(file).parent().unwrap_or(Path::new("")));
        Resolver {
            doc,
            options,
            root_canon: root.canonicalize().ok(),
            service_dir,
            memo: HashMap::new(),
            in_progress: HashSet::new(),
            files: HashMap::new(),
            included_bytes: 0,
            budget: BUDGET,
        }
    }

    /// Takes `units` of work; `false` when the budget is spent.
    fn spend(&mut self, units: usize) -> bool {
        if self.budget < units {
            self.budget = 0;
            return false;
        }
        self.budget -= units;
        true
    }

    /// A copy of `node` with its variables resolved.
    fn resolve_tree(&mut self, node: &Node, depth: usize) -> Node {
        // Walking the structure is bounded by the document's own size; only variables
        // spend the budget, so an exhausted budget leaves markers on the strings that still
        // needed work rather than on whole sections.
        if depth >= MAX_DEPTH {
            return if contains_variable(node) {
                marker("variables nested too deeply", node.line, node.column)
            } else {
                node.clone()
            };
        }
        match &node.kind {
            NodeKind::Scalar { text, .. } if text.contains("${") => {
                match self.resolve_string(text, node.line, node.column, depth) {
                    Resolved::Value(mut v) => {
                        if v.tag.is_none() {
                            v.tag = node.tag.clone();
                        }
                        v
                    }
                    Resolved::Missing(r) | Resolved::Unresolved(r) => {
                        marker(r, node.line, node.column)
                    }
                }
            }
            NodeKind::Map(entries) => {
                let entries = entries
                    .iter()
                    .map(|(k, v)| (k.clone(), self.resolve_tree(v, depth + 1)))
                    .collect();
                Node {
                    kind: NodeKind::Map(entries),
                    line: node.line,
                    column: node.column,
                    tag: node.tag.clone(),
                }
            }
            NodeKind::Seq(items) => {
                let items = items
                    .iter()
                    .map(|v| self.resolve_tree(v, depth + 1))
                    .collect();
                Node {
                    kind: NodeKind::Seq(items),
                    line: node.line,
                    column: node.column,
                    tag: node.tag.clone(),
                }
            }
            _ => node.clone(),
        }
    }

    /// A string that contains `${`: one whole variable gives its value (of any type); text
    /// around variables gives an interpolated string.
    fn resolve_string(&mut self, text: &str, line: u32, column: u32, depth: usize) -> Resolved {
        let segments = split_segments(text);
        if let [Segment::Var(content)] = segments.as_slice() {
            return match self.resolve_var(content, depth) {
                Resolved::Value(v) => self.stamped(v, line, column),
                other => other,
            };
        }
        let mut out = String::new();
        for segment in &segments {
            match segment {
                Segment::Text(t) => out.push_str(t),
                Segment::Var(content) => match self.resolve_var(content, depth) {
                    Resolved::Value(v) => match &v.kind {
                        NodeKind::Scalar { text, .. } => out.push_str(text),
                        NodeKind::Null => out.push_str("null"),
                        _ => {
                            return Resolved::Unresolved(format!(
                                "${{{content}}} is an object inside a string"
                            ));
                        }
                    },
                    Resolved::Missing(r) => return Resolved::Unresolved(r),
                    Resolved::Unresolved(r) => return Resolved::Unresolved(r),
                },
            }
            if out.len() > MAX_STRING {
                return Resolved::Unresolved("interpolated string too long".to_string());
            }
        }
        Resolved::Value(Node {
            kind: NodeKind::Scalar {
                text: out,
                quoted: true,
            },
            line,
            column,
            tag: None,
        })
    }

    /// `v` re-positioned at the referencing variable, paying for the copy.
    fn stamped(&mut self, mut v: Node, line: u32, column: u32) -> Resolved {
        if !self.spend(v.size()) {
            return Resolved::Unresolved("variable resolution budget exhausted".to_string());
        }
        restamp(&mut v, line, column);
        Resolved::Value(v)
    }

    /// The content of one `${…}`: a source and its fallbacks, first value wins.
    fn resolve_var(&mut self, content: &str, depth: usize) -> Resolved {
        if depth >= MAX_DEPTH {
            return Resolved::Unresolved(format!("${{{content}}}: variables nested too deeply"));
        }
        if !self.spend(1) {
            return Resolved::Unresolved("variable resolution budget exhausted".to_string());
        }
        let mut last = Resolved::Missing(format!("${{{content}}} has no value"));
        for part in split_top_level(content, ',') {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            match self.eval_part(part, depth + 1) {
                Resolved::Missing(r) => last = Resolved::Missing(r),
                Resolved::Value(v) if v.is_null() => {
                    last = Resolved::Missing(format!("${{{content}}} is null"))
                }
                other => return other,
            }
        }
        match last {
            // No fallback applied: the framework would stop here.
            Resolved::Missing(r) => Resolved::Unresolved(r),
            other => other,
        }
    }

    /// One alternative of a variable: a literal or a source reference.
    fn eval_part(&mut self, part: &str, depth: usize) -> Resolved {
        if let Some(s) = unquote(part) {
            return Resolved::Value(Node::scalar(s, 0, 0));
        }
        if part.parse::<f64>().is_ok() || matches!(part, "true" | "false") {
            return Resolved::Value(Node {
                kind: NodeKind::Scalar {
                    text: part.to_string(),
                    quoted: false,
                },
                line: 0,
                column: 0,
                tag: None,
            });
        }
        if part == "null" {
            return Resolved::Value(Node::null(0, 0));
        }
        // A whole nested variable as a fallback (`${opt:stage, ${self:custom.stage}}`).
        if part.starts_with("${") && matches!(split_segments(part).as_slice(), [Segment::Var(_)]) {
            return self.resolve_string(part, 0, 0, depth);
        }
        // Nested variables inside the reference (`self:custom.${opt:stage}`) first.
        let expr = if part.contains("${") {
            match self.resolve_string(part, 0, 0, depth) {
                Resolved::Value(v) => match v.as_str() {
                    Some(s) => s.to_string(),
                    None => {
                        return Resolved::Unresolved(format!(
                            "${{{part}}}: a nested variable is not a string"
                        ));
                    }
                },
                Resolved::Missing(r) | Resolved::Unresolved(r) => return Resolved::Unresolved(r),
            }
        } else {
            part.to_string()
        };
        self.eval_source(expr.trim(), depth)
    }

    fn eval_source(&mut self, expr: &str, depth: usize) -> Resolved {
        let unresolved = |why: &str| Resolved::Unresolved(format!("${{{expr}}} {why}"));
        if let Some(rest) = expr.strip_prefix("file(") {
            let Some(close) = rest.find(')') else {
                return unresolved("is malformed");
            };
            let path = rest[..close].trim();
            let path = unquote(path).unwrap_or(path);
            let after = rest[close + 1..].trim_start();
            let address = after.strip_prefix(':').map(str::trim);
            return self.file_value(path, address, expr, depth);
        }
        let Some((source, address)) = expr.split_once(':') else {
            if expr.contains('(') {
                // `${strToBool(…)}` and other functions of the framework are not evaluated.
                return unresolved("is a function that is not evaluated");
            }
            // A bare word is a literal fallback in older frameworks.
            return Resolved::Value(Node::scalar(expr, 0, 0));
        };
        let address = address.trim();
        match source.trim() {
            "self" => self.self_value(address, depth),
            "opt" => match (address, &self.options.stage) {
                ("stage", Some(stage)) => Resolved::Value(Node::scalar(stage.clone(), 0, 0)),
                _ => Resolved::Missing(format!("${{{expr}}} is a command-line option not given")),
            },
            "sls" => match address {
                "stage" => self.sls_stage(depth),
                _ => unresolved("is known only at deploy time"),
            },
            "env" if self.options.resolve_env => match std::env::var(address) {
                Ok(v) => Resolved::Value(Node::scalar(v, 0, 0)),
                Err(_) => Resolved::Missing(format!("${{{expr}}} is not set")),
            },
            "env" => unresolved("is read from the environment (not allowed)"),
            "param" => self.param(address, expr, depth),
            "aws" => aws_value(address).unwrap_or_else(|| unresolved("is resolved at deploy time")),
            "ssm" | "cf" | "s3" | "secrets" | "construct" => {
                unresolved("is resolved at deploy time")
            }
            _ => unresolved("has an unsupported source"),
        }
    }

    fn sls_stage(&mut self, depth: usize) -> Resolved {
        if let Some(s) = &self.options.stage {
            return Resolved::Value(Node::scalar(s.clone(), 0, 0));
        }
        match self.self_value("provider.stage", depth) {
            Resolved::Value(v) if v.as_str().is_some() => Resolved::Value(v),
            Resolved::Value(_) => {
                Resolved::Unresolved("${sls:stage}: provider.stage is not a string".to_string())
            }
            Resolved::Missing(_) => Resolved::Value(Node::scalar("dev", 0, 0)),
            Resolved::Unresolved(r) => Resolved::Unresolved(r),
        }
    }

    /// `${param:x}`: the stage's parameters, from `params.<stage>`
    /// (v3) or `stages.<stage>.params` (v4), then the `default` ones.
    fn param(&mut self, name: &str, expr: &str, depth: usize) -> Resolved {
        let stage = match self.sls_stage(depth) {
            Resolved::Value(s) => s.as_str().map(str::to_string),
            _ => None,
        };
        let stages = stage.iter().map(String::as_str).chain(["default"]);
        let candidates: Vec<String> = stages
            .flat_map(|s| {
                [
                    format!("params.{s}.{name}"),
                    format!("stages.{s}.params.{name}"),
                ]
            })
            .collect();
        for address in candidates {
            if let r @ Resolved::Value(_) = self.self_value(&address, depth) {
                return r;
            }
        }
        Resolved::Unresolved(format!("${{{expr}}} may come from the dashboard"))
    }

    /// `${self:a.b.0}`: a path into the service document, resolved in turn.
    fn self_value(&mut self, address: &str, depth: usize) -> Resolved {
        let key = format!("self:{address}");
        let doc = self.doc;
        let found = self.lookup(&key, doc, address, depth);
        match (found, address) {
            // The framework's own defaults for the two settings most often referenced.
            (Resolved::Missing(_), "provider.stage") => match &self.options.stage {
                Some(s) => Resolved::Value(Node::scalar(s.clone(), 0, 0)),
                None => Resolved::Value(Node::scalar("dev", 0, 0)),
            },
            // `service: {name: …}` (v1) reads as its name.
            (Resolved::Value(v), "service") if v.is_map() => match v.get("name") {
                Some(n) => Resolved::Value(n.clone()),
                None => Resolved::Value(v),
            },
            (Resolved::Missing(_), "provider.region") => {
                Resolved::Value(Node::scalar("us-east-1", 0, 0))
            }
            (other, _) => other,
        }
    }

    /// A path into `base`, memoized under `key`, with cycle detection.
    fn lookup(&mut self, key: &str, base: &Node, address: &str, depth: usize) -> Resolved {
        if let Some(r) = self.memo.get(key) {
            let r = r.clone();
            if let Resolved::Value(v) = &r
                && !self.spend(v.size())
            {
                return Resolved::Unresolved("variable resolution budget exhausted".to_string());
            }
            return r;
        }
        if !self.in_progress.insert(key.to_string()) {
            return Resolved::Unresolved(format!("${{{key}}} refers to itself"));
        }
        let result = self.walk(base, address, key, depth);
        self.in_progress.remove(key);
        self.memo.insert(key.to_string(), result.clone());
        result
    }

    fn walk(&mut self, base: &Node, address: &str, key: &str, depth: usize) -> Resolved {
        let segments: Vec<&str> = address.split('.').filter(|s| !s.is_empty()).collect();
        let mut owned: Node;
        let mut current: &Node = base;
        let mut i = 0;
        loop {
            // Descend by reference while the path is plain data.
            while i < segments.len() && !has_variable_text(current) {
                if !self.spend(1) {
                    return Resolved::Unresolved(
                        "variable resolution budget exhausted".to_string(),
                    );
                }
                let next = match &current.kind {
                    NodeKind::Map(_) => current.get(segments[i]),
                    NodeKind::Seq(items) => {
                        segments[i].parse::<usize>().ok().and_then(|n| items.get(n))
                    }
                    _ => None,
                };
                match next {
                    Some(n) => current = n,
                    None => return Resolved::Missing(format!("${{{key}}} is not declared")),
                }
                i += 1;
            }
            if i == segments.len() {
                break;
            }
            // An intermediate value is itself a variable (`custom: ${file(x.yml)}`).
            let text = current.as_str().unwrap_or_default().to_string();
            let (line, column) = (current.line, current.column);
            match self.resolve_string(&text, line, column, depth + 1) {
                Resolved::Value(v) => {
                    owned = v;
                    current = &owned;
                }
                other => return other,
            }
        }
        if !self.spend(current.size()) {
            return Resolved::Unresolved("variable resolution budget exhausted".to_string());
        }
        let value = self.resolve_tree(current, depth + 1);
        match unresolved_reason(&value) {
            Some(r) => Resolved::Unresolved(r.to_string()),
            None if value.is_null() => Resolved::Missing(format!("${{{key}}} is null")),
            None => Resolved::Value(value),
        }
    }

    /// `${file(path):address}`, only inside the scanned tree.
    fn file_value(
        &mut self,
        path: &str,
        address: Option<&str>,
        expr: &str,
        depth: usize,
    ) -> Resolved {
        let refuse = |why: &str| Resolved::Unresolved(format!("${{{expr}}} {why}"));
        let rel = Path::new(path);
        if rel.is_absolute()
            || rel
                .components()
                .any(|c| matches!(c, Component::Prefix(_) | Component::RootDir))
        {
            return refuse("is an absolute path (only files inside the scanned tree are read)");
        }
        let Some(root) = self.root_canon.clone() else {
            return refuse("cannot be read: scan root not found");
        };
        let joined = self.service_dir.join(rel);
        let canon = match joined.canonicalize() {
            Ok(c) => c,
            // Like the framework: a missing file has no value, so a fallback applies.
            Err(_) => return Resolved::Missing(format!("${{{expr}}}: file not found")),
        };
        if !canon.starts_with(&root) {
            return refuse("is outside the scanned tree");
        }
        if !self.spend(16) {
            return refuse("not read: variable resolution budget exhausted");
        }
        let parsed = match self.files.get(&canon) {
            Some(p) => p.clone(),
            None => {
                let size = std::fs::metadata(&canon).map(|m| m.len()).unwrap_or(0);
                if self.files.len() >= MAX_INCLUDE_FILES
                    || self.included_bytes + size > MAX_INCLUDE_BYTES
                {
                    return refuse("not read: too many included files or bytes");
                }
                self.included_bytes += size;
                let p = read_document(&canon);
                self.files.insert(canon.clone(), p.clone());
                p
            }
        };
        let node = match parsed {
            Ok(n) => n,
            Err(why) => return refuse(&why),
        };
        let key = format!("file:{}:{}", canon.display(), address.unwrap_or(""));
        self.lookup(&key, &node, address.unwrap_or(""), depth)
    }
}

/// `${aws:accountId}`, `${aws:region}` and `${aws:partition}` as the CloudFormation loader
/// writes its pseudo-parameters (`${AWS::AccountId}`, `${AWS::Region}`, `aws`), so ARNs built
/// from them keep a known shape. Nothing is read from the host or its credentials.
fn aws_value(address: &str) -> Option<Resolved> {
    let text = match address {
        "accountId" => "${AWS::AccountId}",
        "region" => "${AWS::Region}",
        "partition" => "aws",
        _ => return None,
    };
    Some(Resolved::Value(Node::scalar(text, 0, 0)))
}

/// Reads an included file: YAML, JSON, or (other extensions) plain text.
fn read_document(path: &Path) -> Result<Node, String> {
    if !path.is_file() {
        return Err("is not a regular file".to_string());
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if matches!(ext.as_str(), "js" | "cjs" | "mjs" | "ts") {
        return Err("is code (never executed)".to_string());
    }
    match std::fs::metadata(path) {
        Ok(m) if m.len() as usize > doc::MAX_FILE_BYTES => {
            return Err("is larger than the size limit".to_string());
        }
        Err(_) => return Err("cannot be read".to_string()),
        _ => {}
    }
    let bytes = std::fs::read(path).map_err(|_| "cannot be read".to_string())?;
    let text = doc::decode(&bytes).map_err(|e| format!("cannot be read: {e}"))?;
    let parsed = match ext.as_str() {
        "yml" | "yaml" => doc::parse_yaml(text),
        "json" => doc::parse_json(text),
        _ => return Ok(Node::scalar(text, 1, 1)),
    };
    match parsed {
        Ok(Some(n)) => Ok(n),
        Ok(None) => Ok(Node::null(1, 1)),
        Err(e) => Err(format!("cannot be parsed: {e}")),
    }
}

/// Moves a substituted subtree to the position of the variable that referenced it.
fn restamp(node: &mut Node, line: u32, column: u32) {
    node.line = line;
    node.column = column;
    match &mut node.kind {
        NodeKind::Map(entries) => {
            for (k, v) in entries {
                k.line = line;
                k.column = column;
                restamp(v, line, column);
            }
        }
        NodeKind::Seq(items) => items.iter_mut().for_each(|v| restamp(v, line, column)),
        _ => {}
    }
}

fn has_variable_text(node: &Node) -> bool {
    node.as_str().is_some_and(|t| t.contains("${"))
}

fn contains_variable(node: &Node) -> bool {
    match &node.kind {
        NodeKind::Map(m) => m.iter().any(|(_, v)| contains_variable(v)),
        NodeKind::Seq(s) => s.iter().any(contains_variable),
        _ => has_variable_text(node),
    }
}

#[derive(Debug, PartialEq)]
enum Segment<'t> {
    Text(&'t str),
    /// The content between `${` and its matching `}`.
    Var(&'t str),
}

/// Splits text into literal runs and variables. A `${…}` that is not a framework variable
/// (`${AWS::Region}`, `${MyBucket}` for `Fn::Sub`) stays literal text, as the framework leaves
/// it.
fn split_segments(text: &str) -> Vec<Segment<'_>> {
    let bytes = text.as_bytes();
    let closing = brace_pairs(bytes);
    let mut out = Vec::new();
    let mut literal_start = 0;
    let mut i = 0;
    while i + 1 < bytes.len() {
        let var = (bytes[i] == b'$' && bytes[i + 1] == b'{')
            .then(|| closing.get(&(i + 1)).copied())
            .flatten()
            .filter(|&end| is_variable(&text[i + 2..end]));
        if let Some(end) = var {
            if literal_start < i {
                out.push(Segment::Text(&text[literal_start..i]));
            }
            out.push(Segment::Var(&text[i + 2..end]));
            i = end + 1;
            literal_start = i;
            continue;
        }
        i += 1;
    }
    if literal_start < text.len() {
        out.push(Segment::Text(&text[literal_start..]));
    }
    out
}

/// The index of the `}` closing each `{`, in one pass (hostile strings full of `${` stay
/// linear).
fn brace_pairs(bytes: &[u8]) -> HashMap<usize, usize> {
    let mut open = Vec::new();
    let mut pairs = HashMap::new();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'{' => open.push(i),
            b'}' => {
                if let Some(o) = open.pop() {
                    pairs.insert(o, i);
                }
            }
            _ => {}
        }
    }
    pairs
}

/// `source:address` (address not starting with `:`, so `AWS::Region` is not one) or
/// `source(…)`.
fn is_variable(content: &str) -> bool {
    let c = content.trim_start();
    let name_len = c
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
        .count();
    if name_len == 0 || !c.as_bytes()[0].is_ascii_alphabetic() {
        return false;
    }
    match c.as_bytes().get(name_len) {
        Some(b'(') => true,
        Some(b':') => c.as_bytes().get(name_len + 1) != Some(&b':'),
        _ => false,
    }
}

/// Splits at `sep` outside quotes, parentheses and nested `${…}`.
fn split_top_level(text: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '{' | '(') => depth += 1,
            (None, '}' | ')') => depth -= 1,
            (None, c) if c == sep && depth == 0 => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

fn unquote(s: &str) -> Option<&str> {
    let s = s.trim();
    if s.len() >= 2
        && ((s.starts_with('\'') && s.ends_with('\'')) || (s.starts_with('"') && s.ends_with('"')))
    {
        Some(&s[1..s.len() - 1])
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_keep_cloudformation_subs_literal() {
        assert_eq!(
            split_segments("${AWS::Region}-${Bucket}"),
            vec![Segment::Text("${AWS::Region}-${Bucket}")]
        );
        assert_eq!(
            split_segments("a-${self:custom.${opt:stage}}-b"),
            vec![
                Segment::Text("a-"),
                Segment::Var("self:custom.${opt:stage}"),
                Segment::Text("-b")
            ]
        );
        assert_eq!(
            split_segments("${file(./x.yml):a}"),
            vec![Segment::Var("file(./x.yml):a")]
        );
        assert_eq!(
            split_segments("${unclosed"),
            vec![Segment::Text("${unclosed")]
        );
    }

    #[test]
    fn top_level_split_respects_nesting_and_quotes() {
        assert_eq!(
            split_top_level("opt:stage, 'a,b'", ','),
            vec!["opt:stage", " 'a,b'"]
        );
        assert_eq!(
            split_top_level("self:x, ${opt:y, 'z'}", ','),
            vec!["self:x", " ${opt:y, 'z'}"]
        );
    }
}
