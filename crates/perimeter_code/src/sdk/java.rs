//! Java: AWS SDK for Java v2 (`DynamoDbClient.builder()...build()`,
//! `client.putItem(PutItemRequest.builder().tableName(System.getenv("T")).build())`, and the
//! consumer-builder form `client.putItem(b -> b.tableName(...))`).

use super::data::catalog;
use super::{Cx, Extraction, arg, descendants, resource_param, string_value};
use perimeter_model::{ArgValue, ResourceArg, Sdk};
use std::collections::HashMap;
use tree_sitter::Node;

#[derive(Debug, Clone)]
enum Jv {
    Client(String),
    Value(ArgValue),
}

struct Env<'a> {
    cx: &'a Cx<'a>,
    /// Simple class name → service, for classes imported from `software.amazon.awssdk.services`.
    classes: HashMap<String, String>,
    /// Services whose whole package (`...services.dynamodb.*`, `.model.*`) is imported.
    wildcard: Vec<String>,
    names: HashMap<String, Jv>,
    /// Nesting of `eval` calls: bounded, as expressions in untrusted files can nest deeply.
    depth: std::cell::Cell<u32>,
}

const PREFIX: &str = "software.amazon.awssdk.services.";

pub(super) fn extract(cx: &Cx, root: Node) -> Extraction {
    let nodes = descendants(root);
    let mut env = Env {
        cx,
        classes: HashMap::new(),
        wildcard: Vec::new(),
        names: HashMap::new(),
        depth: std::cell::Cell::new(0),
    };
    for n in &nodes {
        if n.kind() == "import_declaration" {
            env.import(*n);
        }
    }
    if env.classes.is_empty() && env.wildcard.is_empty() {
        return Extraction::default();
    }
    for _ in 0..2 {
        for n in &nodes {
            if !matches!(n.kind(), "local_variable_declaration" | "field_declaration") {
                continue;
            }
            let ty = n
                .child_by_field_name("type")
                .map(|t| cx.text(t).to_string());
            let mut c = n.walk();
            let decls: Vec<Node> = n.children_by_field_name("declarator", &mut c).collect();
            for d in decls {
                let Some(name) = d.child_by_field_name("name") else {
                    continue;
                };
                let from_type = ty.as_deref().and_then(|t| env.client_class(t));
                let v = match from_type {
                    Some(svc) => Some(Jv::Client(svc)),
                    None => d.child_by_field_name("value").and_then(|v| env.eval(v)),
                };
                if let Some(v) = v {
                    env.names.insert(cx.text(name).to_string(), v);
                }
            }
        }
    }
    let mut out = Extraction::default();
    for n in &nodes {
        if n.kind() == "method_invocation" {
            env.call(*n, &mut out);
        }
    }
    out
}

impl Env<'_> {
    fn import(&mut self, n: Node) {
        let text = self.cx.text(n);
        let path = text
            .trim_start_matches("import")
            .trim()
            .trim_start_matches("static ")
            .trim_end_matches(';')
            .trim();
        let Some(rest) = path.strip_prefix(PREFIX) else {
            return;
        };
        let Some(pkg) = rest.split('.').next() else {
            return;
        };
        let Some(svc) = catalog().service(pkg) else {
            return;
        };
        let svc = svc.name.clone();
        let last = rest.rsplit('.').next().unwrap_or("");
        if last == "*" {
            self.wildcard.push(svc);
        } else {
            self.classes.insert(last.to_string(), svc);
        }
    }

    /// The service of a client class name (`DynamoDbClient`, `S3AsyncClient`).
    fn client_class(&self, name: &str) -> Option<String> {
        if !(name.ends_with("Client")) {
            return None;
        }
        if let Some(s) = self.classes.get(name) {
            return Some(s.clone());
        }
        let base = name
            .strip_suffix("AsyncClient")
            .or_else(|| name.strip_suffix("Client"))?;
        let svc = catalog().service(base)?;
        self.wildcard.contains(&svc.name).then(|| svc.name.clone())
    }

    /// The service of a request class (`PutItemRequest`), when it is imported from an SDK
    /// package and names an operation of it.
    fn request_class(&self, name: &str) -> Option<(String, String)> {
        let op = name.strip_suffix("Request")?;
        let cat = catalog();
        let candidates: Vec<&String> = match self.classes.get(name) {
            Some(s) => vec![s],
            None => self.wildcard.iter().collect(),
        };
        candidates
            .into_iter()
            .find(|s| cat.by_botocore(s).is_some_and(|x| x.has_op(op)))
            .map(|s| (s.clone(), op.to_string()))
    }

    fn eval(&self, n: Node) -> Option<Jv> {
        if self.depth.get() >= super::MAX_EVAL_DEPTH {
            return None;
        }
        self.depth.set(self.depth.get() + 1);
        let v = self.eval_node(n);
        self.depth.set(self.depth.get() - 1);
        v
    }

    fn eval_node(&self, n: Node) -> Option<Jv> {
        let cx = self.cx;
        match n.kind() {
            "identifier" => self.names.get(cx.text(n)).cloned(),
            "field_access" => self
                .names
                .get(cx.text(n.child_by_field_name("field")?))
                .cloned(),
            "string_literal" => string_value(cx, n).map(|s| Jv::Value(ArgValue::Literal(s))),
            "parenthesized_expression" => n.named_child(0).and_then(|c| self.eval(c)),
            "method_invocation" => {
                let name = cx.text(n.child_by_field_name("name")?);
                let obj = n.child_by_field_name("object");
                let args = n.child_by_field_name("arguments");
                if obj.is_some_and(|o| cx.text(o) == "System") && name == "getenv" {
                    let v = args
                        .and_then(|a| a.named_child(0))
                        .and_then(|a| string_value(cx, a));
                    return Some(Jv::Value(
                        v.map(ArgValue::EnvVar).unwrap_or(ArgValue::Unknown),
                    ));
                }
                // `DynamoDbClient.create()`, `DynamoDbClient.builder()....build()`.
                let mut root = n;
                while let Some(o) = root.child_by_field_name("object") {
                    root = o;
                }
                if root.kind() == "identifier" {
                    return self.client_class(cx.text(root)).map(Jv::Client);
                }
                None
            }
            _ => None,
        }
    }

    fn value(&self, n: Node) -> ArgValue {
        match self.eval(n) {
            Some(Jv::Value(v)) => v,
            _ => ArgValue::Unknown,
        }
    }

    /// Builder setters in the arguments (`.tableName(x)`, `b -> b.bucket(x)`).
    fn builder_resources(&self, service: &str, args: Node) -> Vec<ResourceArg> {
        let cx = self.cx;
        let mut out: Vec<ResourceArg> = Vec::new();
        for d in descendants(args) {
            if d.kind() != "method_invocation" {
                continue;
            }
            let (Some(name), Some(a)) = (
                d.child_by_field_name("name"),
                d.child_by_field_name("arguments"),
            ) else {
                continue;
            };
            if a.named_child_count() != 1 {
                continue;
            }
            let name = cx.text(name);
            let mut cap = name.to_string();
            if let Some(f) = cap.get_mut(0..1) {
                f.make_ascii_uppercase();
            }
            if let (Some(p), Some(v)) = (resource_param(service, &cap), a.named_child(0))
                && !out.iter().any(|r| r.param == p)
            {
                out.push(arg(p, self.value(v)));
            }
        }
        out
    }

    fn call(&self, n: Node, out: &mut Extraction) {
        let cx = self.cx;
        let (Some(name), Some(args)) = (
            n.child_by_field_name("name"),
            n.child_by_field_name("arguments"),
        ) else {
            return;
        };
        let method = cx.text(name);
        let mut op_name = method.to_string();
        if let Some(f) = op_name.get_mut(0..1) {
            f.make_ascii_uppercase();
        }
        // A request builder of the same operation in the arguments.
        for d in descendants(args) {
            if d.kind() == "method_invocation"
                && d.child_by_field_name("name")
                    .is_some_and(|x| cx.text(x) == "builder")
                && let Some(o) = d.child_by_field_name("object")
                && let Some((svc, op)) = self.request_class(cx.text(o))
                && op == op_name
            {
                let res = self.builder_resources(&svc, args);
                out.calls.push(cx.call(Sdk::JavaV2, &svc, &op, res, n));
                return;
            }
        }
        let Some(obj) = n.child_by_field_name("object") else {
            return;
        };
        if let Some(Jv::Client(svc)) = self.eval(obj) {
            if matches!(
                method,
                "close"
                    | "serviceName"
                    | "utilities"
                    | "waiter"
                    | "serviceClientConfiguration"
                    | "build"
                    | "builder"
                    | "create"
            ) {
                return;
            }
            let cat = catalog();
            // Paginators run their operation (`listObjectsV2Paginator`).
            let base = op_name.strip_suffix("Paginator").unwrap_or(&op_name);
            match cat.by_botocore(&svc).and_then(|s| s.op_from_camel(base)) {
                Some(op) => {
                    let res = self.builder_resources(&svc, args);
                    out.calls.push(cx.call(Sdk::JavaV2, &svc, op, res, n));
                }
                None => out.unrecognized.push(cx.unrecognized(n)),
            }
        }
    }
}
