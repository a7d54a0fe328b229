//! JavaScript and TypeScript: SDK v3 (`new PutItemCommand({...})` sent by a client,
//! `@aws-sdk/lib-dynamodb`, the aggregated `new DynamoDB({}).putItem()`), SDK v2
//! (`new AWS.S3().getObject()`, `new AWS.DynamoDB.DocumentClient().put()`).

use super::data::catalog;
use super::helpers::{helper, lib_dynamodb_op};
use super::{Cx, Extraction, arg, descendants, resource_param, string_value};
use perimeter_model::{ArgValue, ResourceArg, Sdk};
use std::collections::HashMap;
use tree_sitter::Node;

#[derive(Debug, Clone)]
enum Js {
    Module(String),
    ProcessEnv,
    Value(ArgValue),
    // Classes and functions imported from the SDKs.
    V2Class(String),
    V2DocClass,
    V3ClientClass,
    V3AggClass(String),
    V3Command(String, String),
    V3DocClientClass,
    V3DocAggClass,
    V3Upload,
    V3Presign,
    // Instances.
    V2Client(String),
    V2DocClient,
    V3Client,
    V3Agg(String),
    V3DocAgg,
}

struct Env<'a> {
    cx: &'a Cx<'a>,
    names: HashMap<String, Js>,
    /// Nesting of `eval` calls: bounded, as expressions in untrusted files can nest deeply.
    depth: std::cell::Cell<u32>,
}

pub(super) fn extract(cx: &Cx, root: Node) -> Extraction {
    let nodes = descendants(root);
    let mut env = Env {
        cx,
        names: HashMap::new(),
        depth: std::cell::Cell::new(0),
    };
    for _ in 0..2 {
        for n in &nodes {
            match n.kind() {
                "import_statement" => env.import(*n),
                // Class fields: `private client = new DynamoDBClient({})`, used as `this.client`.
                "field_definition" | "public_field_definition" => {
                    let name = n
                        .child_by_field_name("property")
                        .or_else(|| n.child_by_field_name("name"));
                    if let (Some(name), Some(value)) = (name, n.child_by_field_name("value"))
                        && let Some(v) = env.eval(value)
                    {
                        env.names.insert(format!("this.{}", cx.text(name)), v);
                    }
                }
                "variable_declarator" => {
                    if let (Some(name), Some(value)) = (
                        n.child_by_field_name("name"),
                        n.child_by_field_name("value"),
                    ) {
                        env.bind_pattern(name, value);
                    }
                }
                "assignment_expression" => {
                    if let (Some(l), Some(r)) = (
                        n.child_by_field_name("left"),
                        n.child_by_field_name("right"),
                    ) && matches!(l.kind(), "identifier" | "member_expression")
                        && let Some(v) = env.eval(r)
                    {
                        env.names.insert(cx.text(l).to_string(), v);
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Extraction::default();
    for n in &nodes {
        match n.kind() {
            "new_expression" => env.new_call(*n, &mut out),
            "call_expression" => env.call(*n, &mut out),
            _ => {}
        }
    }
    out
}

/// What `name` imported from `module` is.
fn classify(module: &str, name: &str) -> Option<Js> {
    let cat = catalog();
    if module == "aws-sdk" || module == "aws-sdk/global" {
        return cat.service(name).map(|s| Js::V2Class(s.name.clone()));
    }
    if let Some(client) = module.strip_prefix("aws-sdk/clients/") {
        let svc = cat.service(client)?;
        return match name {
            // `require('aws-sdk/clients/s3')` is the class itself.
            "" => Some(Js::V2Class(svc.name.clone())),
            "DocumentClient" if svc.name == "dynamodb" => Some(Js::V2DocClass),
            _ => None,
        };
    }
    if let Some(suffix) = module.strip_prefix("@aws-sdk/client-") {
        let svc = cat.service(suffix)?;
        if let Some(op) = name.strip_suffix("Command") {
            return svc
                .op_from_camel(op)
                .filter(|o| *o == op)
                .map(|o| Js::V3Command(svc.name.clone(), o.to_string()));
        }
        if let Some(base) = name.strip_suffix("Client")
            && cat.service(base).is_some_and(|s| s.name == svc.name)
        {
            return Some(Js::V3ClientClass);
        }
        if cat.service(name).is_some_and(|s| s.name == svc.name) {
            return Some(Js::V3AggClass(svc.name.clone()));
        }
        return None;
    }
    match (module, name) {
        ("@aws-sdk/lib-dynamodb", "DynamoDBDocumentClient") => Some(Js::V3DocClientClass),
        ("@aws-sdk/lib-dynamodb", "DynamoDBDocument") => Some(Js::V3DocAggClass),
        ("@aws-sdk/lib-dynamodb", n) if n.ends_with("Command") => {
            lib_dynamodb_op(n).map(|op| Js::V3Command("dynamodb".into(), op.into()))
        }
        ("@aws-sdk/lib-storage", "Upload") => Some(Js::V3Upload),
        ("@aws-sdk/s3-request-presigner", "getSignedUrl") => Some(Js::V3Presign),
        _ => None,
    }
}

fn member_of(base: &Js, prop: &str) -> Option<Js> {
    match base {
        Js::Module(m) => classify(m, prop),
        Js::ProcessEnv => Some(Js::Value(ArgValue::EnvVar(prop.to_string()))),
        Js::V2Class(s) if s == "dynamodb" && prop == "DocumentClient" => Some(Js::V2DocClass),
        _ => None,
    }
}

impl Env<'_> {
    fn import(&mut self, n: Node) {
        let cx = self.cx;
        let Some(module) = n
            .child_by_field_name("source")
            .and_then(|s| string_value(cx, s))
        else {
            return;
        };
        for d in descendants(n) {
            match d.kind() {
                "import_specifier" => {
                    let Some(name) = d.child_by_field_name("name") else {
                        continue;
                    };
                    let local = d.child_by_field_name("alias").unwrap_or(name);
                    if let Some(v) = classify(&module, cx.text(name)) {
                        self.names.insert(cx.text(local).to_string(), v);
                    }
                }
                "namespace_import" => {
                    if let Some(id) = d.named_child(0) {
                        self.names
                            .insert(cx.text(id).to_string(), Js::Module(module.clone()));
                    }
                }
                "import_clause" => {
                    // Default import: `import AWS from 'aws-sdk'`, `import S3 from 'aws-sdk/clients/s3'`.
                    if let Some(id) = d.named_child(0).filter(|c| c.kind() == "identifier") {
                        let v = match classify(&module, "") {
                            Some(v) => v,
                            None => Js::Module(module.clone()),
                        };
                        self.names.insert(cx.text(id).to_string(), v);
                    }
                }
                _ => {}
            }
        }
    }

    fn bind_pattern(&mut self, name: Node, value: Node) {
        let cx = self.cx;
        match name.kind() {
            "identifier" => {
                if let Some(v) = self.eval(value) {
                    self.names.insert(cx.text(name).to_string(), v);
                }
            }
            "object_pattern" => {
                let Some(base) = self.eval(value) else {
                    return;
                };
                let mut c = name.walk();
                for p in name.named_children(&mut c) {
                    let (key, local) = match p.kind() {
                        "shorthand_property_identifier_pattern" => (p, p),
                        "pair_pattern" => {
                            match (p.child_by_field_name("key"), p.child_by_field_name("value")) {
                                (Some(k), Some(v)) if v.kind() == "identifier" => (k, v),
                                _ => continue,
                            }
                        }
                        _ => continue,
                    };
                    if let Some(v) = member_of(&base, cx.text(key)) {
                        self.names.insert(cx.text(local).to_string(), v);
                    }
                }
            }
            _ => {}
        }
    }

    fn eval(&self, n: Node) -> Option<Js> {
        if self.depth.get() >= super::MAX_EVAL_DEPTH {
            return None;
        }
        self.depth.set(self.depth.get() + 1);
        let v = self.eval_node(n);
        self.depth.set(self.depth.get() - 1);
        v
    }

    fn eval_node(&self, n: Node) -> Option<Js> {
        let cx = self.cx;
        match n.kind() {
            "identifier" => self.names.get(cx.text(n)).cloned(),
            "member_expression" => {
                let t = cx.text(n);
                if let Some(v) = self.names.get(t) {
                    return Some(v.clone());
                }
                if t == "process.env" {
                    return Some(Js::ProcessEnv);
                }
                let obj = n.child_by_field_name("object")?;
                let prop = n.child_by_field_name("property")?;
                member_of(&self.eval(obj)?, cx.text(prop))
            }
            "subscript_expression" => {
                let obj = self.eval(n.child_by_field_name("object")?)?;
                let key = string_value(cx, n.child_by_field_name("index")?);
                match (obj, key) {
                    (Js::ProcessEnv, Some(k)) => Some(Js::Value(ArgValue::EnvVar(k))),
                    (Js::ProcessEnv, None) => Some(Js::Value(ArgValue::Unknown)),
                    (base, Some(k)) => member_of(&base, &k),
                    _ => None,
                }
            }
            "string" | "template_string" => {
                string_value(cx, n).map(|s| Js::Value(ArgValue::Literal(s)))
            }
            "parenthesized_expression"
            | "await_expression"
            | "non_null_expression"
            | "as_expression"
            | "satisfies_expression" => n.named_child(0).and_then(|c| self.eval(c)),
            "binary_expression" => {
                // `process.env.TABLE || 'orders'`: the variable is what the code means.
                let op = n.child_by_field_name("operator").map(|o| cx.text(o));
                if matches!(op, Some("||" | "??")) {
                    return self.eval(n.child_by_field_name("left")?);
                }
                None
            }
            "new_expression" => {
                let ctor = self.eval(n.child_by_field_name("constructor")?)?;
                match ctor {
                    Js::V2Class(s) => Some(Js::V2Client(s)),
                    Js::V2DocClass => Some(Js::V2DocClient),
                    Js::V3ClientClass => Some(Js::V3Client),
                    Js::V3AggClass(s) => Some(Js::V3Agg(s)),
                    Js::V3DocAggClass => Some(Js::V3DocAgg),
                    Js::V3DocClientClass => Some(Js::V3Client),
                    // A command object, sent later by `client.send(cmd)`.
                    Js::V3Command(s, o) => Some(Js::V3Command(s, o)),
                    _ => None,
                }
            }
            "call_expression" => {
                let func = n.child_by_field_name("function")?;
                let args = n.child_by_field_name("arguments");
                let first = args.and_then(|a| a.named_child(0));
                let ft = cx.text(func);
                if ft == "require" {
                    let m = string_value(cx, first?)?;
                    return Some(match classify(&m, "") {
                        Some(v) => v,
                        None => Js::Module(m),
                    });
                }
                // Tracing wrappers return the client they are given.
                if ft.ends_with("captureAWSClient")
                    || ft.ends_with("captureAWSv3Client")
                    || ft.ends_with("captureAWS")
                {
                    return self.eval(first?);
                }
                if func.kind() == "member_expression" {
                    let prop = func.child_by_field_name("property").map(|p| cx.text(p));
                    let obj = func
                        .child_by_field_name("object")
                        .and_then(|o| self.eval(o));
                    match (obj, prop) {
                        (Some(Js::V3DocClientClass), Some("from")) => {
                            return Some(Js::V3Client);
                        }
                        (Some(Js::V3DocAggClass), Some("from")) => return Some(Js::V3DocAgg),
                        _ => {}
                    }
                }
                None
            }
            _ => None,
        }
    }

    fn value(&self, n: Node) -> ArgValue {
        match self.eval(n) {
            Some(Js::Value(v)) => v,
            _ => ArgValue::Unknown,
        }
    }

    /// Resource arguments of an object literal `{ TableName: TABLE, ... }`.
    fn object_resources(&self, service: &str, obj: Option<Node>) -> Vec<ResourceArg> {
        let cx = self.cx;
        let Some(obj) = obj.filter(|o| o.kind() == "object") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut c = obj.walk();
        for p in obj.named_children(&mut c) {
            match p.kind() {
                "pair" => {
                    let (Some(k), Some(v)) =
                        (p.child_by_field_name("key"), p.child_by_field_name("value"))
                    else {
                        continue;
                    };
                    let key = string_value(cx, k).unwrap_or_else(|| cx.text(k).to_string());
                    // Object keys are the model's names exactly (`TableName`, not `tableName`).
                    if let Some(param) = resource_param(service, &key).filter(|p| *p == key) {
                        out.push(arg(param, self.value(v)));
                    }
                }
                "shorthand_property_identifier" => {
                    if let Some(param) =
                        resource_param(service, cx.text(p)).filter(|x| *x == cx.text(p))
                    {
                        out.push(arg(param, self.value(p)));
                    }
                }
                _ => {}
            }
        }
        out
    }

    fn new_call(&self, n: Node, out: &mut Extraction) {
        let cx = self.cx;
        let Some(ctor) = n.child_by_field_name("constructor") else {
            return;
        };
        let first = n
            .child_by_field_name("arguments")
            .and_then(|a| a.named_child(0));
        match self.eval(ctor) {
            Some(Js::V3Command(svc, op)) => {
                let res = self.object_resources(&svc, first);
                out.calls.push(cx.call(Sdk::JsV3, &svc, &op, res, n));
            }
            Some(Js::V3Upload) => {
                // `new Upload({ client, params: { Bucket, Key, Body } })`.
                let params = first.and_then(|o| {
                    let mut c = o.walk();
                    o.named_children(&mut c)
                        .filter(|p| p.kind() == "pair")
                        .find(|p| {
                            p.child_by_field_name("key")
                                .is_some_and(|k| cx.text(k) == "params")
                        })
                        .and_then(|p| p.child_by_field_name("value"))
                });
                let res = self.object_resources("s3", params);
                out.calls.push(cx.call(Sdk::JsV3, "s3", "@Upload", res, n));
            }
            None => {
                // `new FooCommand(...)` that no import explains: count it when the name is an
                // operation of some service (it probably is an SDK call we cannot place).
                let t = cx.text(ctor);
                if let Some(op) = t.strip_suffix("Command")
                    && catalog().services.iter().any(|s| s.has_op(op))
                {
                    out.unrecognized.push(cx.unrecognized(n));
                }
            }
            _ => {}
        }
    }

    fn call(&self, n: Node, out: &mut Extraction) {
        let cx = self.cx;
        let Some(func) = n.child_by_field_name("function") else {
            return;
        };
        let first = n
            .child_by_field_name("arguments")
            .and_then(|a| a.named_child(0));
        if let Some(Js::V3Presign) = self.eval(func) {
            out.calls
                .push(cx.call(Sdk::JsV3, "s3", "@getSignedUrl", Vec::new(), n));
            return;
        }
        if func.kind() != "member_expression" {
            return;
        }
        let (Some(obj), Some(prop)) = (
            func.child_by_field_name("object"),
            func.child_by_field_name("property"),
        ) else {
            return;
        };
        let method = cx.text(prop);
        let cat = catalog();
        match self.eval(obj) {
            Some(Js::V2Client(svc)) => {
                if matches!(
                    method,
                    "config"
                        | "makeRequest"
                        | "makeUnauthenticatedRequest"
                        | "waitFor"
                        | "on"
                        | "setupRequestListeners"
                        | "defineService"
                ) {
                    return;
                }
                // `s3.getSignedUrl('getObject', {Bucket})`: the URL performs the operation it
                // names with the signer's permissions, so it is reported as that one.
                if matches!(method, "getSignedUrl" | "getSignedUrlPromise")
                    && let Some(op) = first
                        .and_then(|a| string_value(cx, a))
                        .and_then(|m| cat.by_botocore(&svc).and_then(|s| s.op_from_camel(&m)))
                {
                    let params = n
                        .child_by_field_name("arguments")
                        .and_then(|a| a.named_child(1));
                    let res = self.object_resources(&svc, params);
                    out.calls.push(cx.call(Sdk::JsV2, &svc, op, res, n));
                    return;
                }
                if let Some(h) = helper(Sdk::JsV2, &svc, method) {
                    let res = self.object_resources(&svc, first);
                    out.calls.push(cx.call(Sdk::JsV2, &svc, h.name, res, n));
                    return;
                }
                match cat.by_botocore(&svc).and_then(|s| s.op_from_camel(method)) {
                    Some(op) => {
                        let res = self.object_resources(&svc, first);
                        out.calls.push(cx.call(Sdk::JsV2, &svc, op, res, n));
                    }
                    None => out.unrecognized.push(cx.unrecognized(n)),
                }
            }
            Some(Js::V2DocClient) => {
                if method == "createSet" {
                    return;
                }
                match helper(Sdk::JsV2, "dynamodb", &format!("DocumentClient.{method}")) {
                    Some(h) => {
                        let res = self.object_resources("dynamodb", first);
                        out.calls
                            .push(cx.call(Sdk::JsV2, "dynamodb", h.name, res, n));
                    }
                    None => out.unrecognized.push(cx.unrecognized(n)),
                }
            }
            Some(Js::V3Agg(svc)) => {
                if matches!(method, "send" | "destroy" | "middlewareStack" | "config") {
                    return;
                }
                match cat.by_botocore(&svc).and_then(|s| s.op_from_camel(method)) {
                    Some(op) => {
                        let res = self.object_resources(&svc, first);
                        out.calls.push(cx.call(Sdk::JsV3, &svc, op, res, n));
                    }
                    None => out.unrecognized.push(cx.unrecognized(n)),
                }
            }
            Some(Js::V3DocAgg) => {
                if matches!(method, "send" | "destroy" | "middlewareStack" | "config") {
                    return;
                }
                match lib_dynamodb_op(method) {
                    Some(op) => {
                        let res = self.object_resources("dynamodb", first);
                        out.calls.push(cx.call(Sdk::JsV3, "dynamodb", op, res, n));
                    }
                    None => out.unrecognized.push(cx.unrecognized(n)),
                }
            }
            Some(Js::V3Client) if method == "send" => {
                // The command is reported where it is built; a command we cannot place is not.
                let known = first.and_then(|a| match a.kind() {
                    "new_expression" => a
                        .child_by_field_name("constructor")
                        .and_then(|c| self.eval(c)),
                    _ => self.names.get(cx.text(a)).cloned(),
                });
                if !matches!(known, Some(Js::V3Command(..))) {
                    out.unrecognized.push(cx.unrecognized(n));
                }
            }
            _ => {}
        }
    }
}
