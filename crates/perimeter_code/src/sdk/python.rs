//! boto3: clients (`boto3.client('s3')`, session clients), resources
//! (`boto3.resource('dynamodb').Table(name)` and their actions), and the S3 transfer helpers.

use super::data::{IdentSource, catalog};
use super::helpers::{boto3_bucket_position, helper};
use super::{Cx, Extraction, arg, descendants, resource_param, string_value};
use perimeter_model::{ArgValue, ResourceArg, Sdk};
use std::collections::HashMap;
use tree_sitter::Node;

/// What a name or expression is bound to.
#[derive(Debug, Clone)]
enum Py {
    Boto3,
    /// `client` / `resource` imported by name (`from boto3 import client`).
    Boto3Fn(&'static str),
    Session,
    Client(String),
    Resource {
        service: String,
        rtype: Option<String>,
        ids: Vec<(String, ArgValue)>,
    },
    Value(ArgValue),
}

/// Client methods that are not operations and not worth reporting.
const CLIENT_NON_OPS: &[&str] = &["can_paginate", "close", "get_waiter", "meta", "exceptions"];

struct Env<'a> {
    cx: &'a Cx<'a>,
    names: HashMap<String, Py>,
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
    // Two passes over assignments so a name bound after its use in a function body (module
    // constants below the handler) still resolves.
    for n in &nodes {
        // `from boto3 import client, resource as res` / `from boto3.session import Session`.
        if n.kind() == "import_from_statement"
            && let Some(m) = n.child_by_field_name("module_name")
            && matches!(cx.text(m), "boto3" | "boto3.session")
        {
            let mut c = n.walk();
            for name in n.children_by_field_name("name", &mut c) {
                let (orig, local) = match name.child_by_field_name("name") {
                    Some(o) => (o, name.child_by_field_name("alias").unwrap_or(o)),
                    None => (name, name),
                };
                let v = match cx.text(orig) {
                    "client" => Py::Boto3Fn("client"),
                    "resource" => Py::Boto3Fn("resource"),
                    "Session" => Py::Boto3Fn("Session"),
                    _ => continue,
                };
                env.names.insert(cx.text(local).to_string(), v);
            }
        }
        // `import boto3 as b3`.
        if n.kind() == "aliased_import"
            && n.child_by_field_name("name")
                .is_some_and(|x| cx.text(x) == "boto3")
            && let Some(alias) = n.child_by_field_name("alias")
        {
            env.names.insert(cx.text(alias).to_string(), Py::Boto3);
        }
    }
    for _ in 0..2 {
        for n in &nodes {
            if n.kind() == "assignment"
                && let (Some(l), Some(r)) = (
                    n.child_by_field_name("left"),
                    n.child_by_field_name("right"),
                )
                && matches!(l.kind(), "identifier" | "attribute")
                && let Some(v) = env.eval(r)
            {
                env.names.insert(cx.text(l).to_string(), v);
            }
        }
    }
    let mut out = Extraction::default();
    for n in &nodes {
        if n.kind() == "call" {
            env.call(*n, &mut out);
        }
    }
    out
}

impl Env<'_> {
    fn eval(&self, n: Node) -> Option<Py> {
        if self.depth.get() >= super::MAX_EVAL_DEPTH {
            return None;
        }
        self.depth.set(self.depth.get() + 1);
        let v = self.eval_node(n);
        self.depth.set(self.depth.get() - 1);
        v
    }

    fn eval_node(&self, n: Node) -> Option<Py> {
        let cx = self.cx;
        match n.kind() {
            "identifier" | "attribute" => {
                let t = cx.text(n);
                if let Some(v) = self.names.get(t) {
                    return Some(v.clone());
                }
                match t {
                    "boto3" => Some(Py::Boto3),
                    _ => None,
                }
            }
            "string" => string_value(cx, n).map(|s| Py::Value(ArgValue::Literal(s))),
            "subscript" => {
                let value = n.child_by_field_name("value")?;
                let key = n.child_by_field_name("subscript")?;
                if is_environ(cx.text(value)) {
                    return Some(Py::Value(env_or_unknown(string_value(cx, key))));
                }
                None
            }
            "parenthesized_expression" => n.named_child(0).and_then(|c| self.eval(c)),
            "call" => self.eval_call(n),
            _ => None,
        }
    }

    fn eval_call(&self, n: Node) -> Option<Py> {
        let cx = self.cx;
        let func = n.child_by_field_name("function")?;
        let args = n.child_by_field_name("arguments");
        let ftext = cx.text(func);
        if matches!(
            ftext,
            "os.getenv" | "getenv" | "os.environ.get" | "environ.get"
        ) {
            let first = args.and_then(|a| positional(a).into_iter().next());
            return Some(Py::Value(env_or_unknown(
                first.and_then(|f| string_value(cx, f)),
            )));
        }
        if matches!(ftext, "boto3.Session" | "boto3.session.Session" | "Session") {
            return Some(Py::Session);
        }
        let (receiver, method) = match func.kind() {
            "attribute" => (
                self.eval(func.child_by_field_name("object")?)?,
                cx.text(func.child_by_field_name("attribute")?),
            ),
            "identifier" => match self.names.get(ftext) {
                Some(Py::Boto3Fn("Session")) => return Some(Py::Session),
                Some(Py::Boto3Fn(m)) => (Py::Boto3, *m),
                _ => return None,
            },
            _ => return None,
        };
        match (receiver, method) {
            (Py::Boto3 | Py::Session, "client" | "resource") => {
                let svc = self.service_arg(args?)?;
                // A service the catalog does not know is reported once, where it is created.
                catalog().by_botocore(&svc)?;
                Some(if method == "client" {
                    Py::Client(svc)
                } else {
                    Py::Resource {
                        service: svc,
                        rtype: None,
                        ids: Vec::new(),
                    }
                })
            }
            (
                Py::Resource {
                    service,
                    rtype,
                    ids,
                },
                name,
            ) => {
                let has = catalog().resource_has(&service, rtype.as_deref(), name)?;
                let mut inputs = args.map(positional).unwrap_or_default().into_iter();
                let new_ids = has
                    .identifiers
                    .iter()
                    .map(|(target, source)| {
                        let v = match source {
                            IdentSource::Input => inputs
                                .next()
                                .map(|a| self.value(a))
                                .unwrap_or(ArgValue::Unknown),
                            IdentSource::Parent(p) => ids
                                .iter()
                                .find(|(k, _)| k == p)
                                .map(|(_, v)| v.clone())
                                .unwrap_or(ArgValue::Unknown),
                            IdentSource::Other => ArgValue::Unknown,
                        };
                        (target.clone(), v)
                    })
                    .collect();
                Some(Py::Resource {
                    service,
                    rtype: Some(has.target.clone()),
                    ids: new_ids,
                })
            }
            _ => None,
        }
    }

    /// The service named by `boto3.client('s3')` / `client(service_name='s3')`.
    fn service_arg(&self, args: Node) -> Option<String> {
        let first = positional(args).into_iter().next().or_else(|| {
            keywords(self.cx, args)
                .into_iter()
                .find(|(k, _)| *k == "service_name")
                .map(|(_, v)| v)
        })?;
        match self.value(first) {
            ArgValue::Literal(s) => Some(s),
            _ => None,
        }
    }

    fn value(&self, n: Node) -> ArgValue {
        match self.eval(n) {
            Some(Py::Value(v)) => v,
            _ => ArgValue::Unknown,
        }
    }

    fn kw_resources(&self, service: &str, args: Option<Node>) -> Vec<ResourceArg> {
        let Some(args) = args else {
            return Vec::new();
        };
        keywords(self.cx, args)
            .into_iter()
            .filter_map(|(k, v)| resource_param(service, k).map(|p| arg(p, self.value(v))))
            .collect()
    }

    /// `generate_presigned_url('get_object', Params={'Bucket': b, ...})`: the URL performs
    /// the operation it names with the signer's permissions, so it is reported as that one.
    fn presigned(
        &self,
        svc: &str,
        args: Option<Node>,
        n: Node,
    ) -> Option<perimeter_model::SdkCall> {
        let cx = self.cx;
        let args = args?;
        let method = positional(args).into_iter().next().or_else(|| {
            let mut c = args.walk();
            args.named_children(&mut c)
                .filter(|a| a.kind() == "keyword_argument")
                .find(|a| {
                    a.child_by_field_name("name")
                        .is_some_and(|k| cx.text(k) == "ClientMethod")
                })
                .and_then(|a| a.child_by_field_name("value"))
        })?;
        let op = catalog()
            .by_botocore(svc)?
            .op_from_snake(&string_value(cx, method)?)?
            .to_string();
        let mut res = Vec::new();
        let mut c = args.walk();
        let params = args
            .named_children(&mut c)
            .filter(|a| a.kind() == "keyword_argument")
            .find(|a| {
                a.child_by_field_name("name")
                    .is_some_and(|k| cx.text(k) == "Params")
            })
            .and_then(|a| a.child_by_field_name("value"))
            .filter(|v| v.kind() == "dictionary");
        if let Some(d) = params {
            let mut c = d.walk();
            for pair in d.named_children(&mut c).filter(|p| p.kind() == "pair") {
                if let (Some(k), Some(v)) = (
                    pair.child_by_field_name("key"),
                    pair.child_by_field_name("value"),
                ) && let Some(key) = string_value(cx, k)
                    && let Some(p) = resource_param(svc, &key).filter(|p| *p == key)
                {
                    res.push(arg(p, self.value(v)));
                }
            }
        }
        Some(cx.call(Sdk::Boto3, svc, &op, res, n))
    }

    fn call(&self, n: Node, out: &mut Extraction) {
        let cx = self.cx;
        let Some(func) = n.child_by_field_name("function") else {
            return;
        };
        let args = n.child_by_field_name("arguments");
        if func.kind() != "attribute" {
            return;
        }
        let (Some(obj), Some(attr)) = (
            func.child_by_field_name("object"),
            func.child_by_field_name("attribute"),
        ) else {
            return;
        };
        let method = cx.text(attr);
        match self.eval(obj) {
            Some(Py::Client(svc)) => {
                if CLIENT_NON_OPS.contains(&method) {
                    return;
                }
                if method == "get_paginator" {
                    // The paginator runs the operation it names.
                    let op = args
                        .and_then(|a| positional(a).into_iter().next())
                        .and_then(|a| string_value(cx, a))
                        .and_then(|s| {
                            catalog()
                                .by_botocore(&svc)
                                .and_then(|c| c.op_from_snake(&s).map(str::to_string))
                        });
                    match op {
                        Some(op) => out
                            .calls
                            .push(cx.call(Sdk::Boto3, &svc, &op, Vec::new(), n)),
                        None => out.unrecognized.push(cx.unrecognized(n)),
                    }
                    return;
                }
                if method == "generate_presigned_url"
                    && let Some(call) = self.presigned(&svc, args, n)
                {
                    out.calls.push(call);
                    return;
                }
                if let Some(h) = helper(Sdk::Boto3, &svc, method) {
                    let mut res = self.kw_resources(&svc, args);
                    if let (Some(pos), Some(a)) = (boto3_bucket_position(method), args)
                        && !res.iter().any(|r| r.param == "Bucket")
                        && let Some(b) = positional(a).get(pos)
                    {
                        res.push(arg("Bucket", self.value(*b)));
                    }
                    out.calls.push(cx.call(Sdk::Boto3, &svc, h.name, res, n));
                    return;
                }
                match catalog()
                    .by_botocore(&svc)
                    .and_then(|s| s.op_from_snake(method))
                {
                    Some(op) => {
                        let res = self.kw_resources(&svc, args);
                        out.calls.push(cx.call(Sdk::Boto3, &svc, op, res, n));
                    }
                    None => out.unrecognized.push(cx.unrecognized(n)),
                }
            }
            Some(Py::Resource {
                service,
                rtype,
                ids,
            }) => {
                let cat = catalog();
                if cat
                    .resource_has(&service, rtype.as_deref(), method)
                    .is_some()
                    || matches!(
                        method,
                        "load" | "reload" | "wait_until_exists" | "wait_until_not_exists"
                    )
                {
                    return;
                }
                let id = |name: &str| {
                    ids.iter()
                        .find(|(k, _)| k == name)
                        .map(|(_, v)| v.clone())
                        .unwrap_or(ArgValue::Unknown)
                };
                if let Some(a) = cat.resource_action(&service, rtype.as_deref(), method) {
                    let mut res: Vec<ResourceArg> = a
                        .params
                        .iter()
                        .filter(|(p, _)| resource_param(&service, p).is_some())
                        .map(|(p, i)| arg(p, id(i)))
                        .collect();
                    for r in self.kw_resources(&service, args) {
                        if !res.iter().any(|x| x.param == r.param) {
                            res.push(r);
                        }
                    }
                    out.calls
                        .push(cx.call(Sdk::Boto3, &service, &a.operation, res, n));
                    return;
                }
                if let Some(h) = helper(Sdk::Boto3, &service, method) {
                    let mut res = Vec::new();
                    match (service.as_str(), rtype.as_deref()) {
                        ("s3", Some("Bucket")) => res.push(arg("Bucket", id("Name"))),
                        ("s3", Some("Object")) => res.push(arg("Bucket", id("BucketName"))),
                        ("dynamodb", Some("Table")) => res.push(arg("TableName", id("Name"))),
                        _ => {}
                    }
                    out.calls
                        .push(cx.call(Sdk::Boto3, &service, h.name, res, n));
                    return;
                }
                out.unrecognized.push(cx.unrecognized(n));
            }
            Some(Py::Boto3 | Py::Session)
                if matches!(method, "client" | "resource")
                    && args
                        .and_then(|a| self.service_arg(a))
                        .is_none_or(|s| catalog().by_botocore(&s).is_none()) =>
            {
                out.unrecognized.push(cx.unrecognized(n));
            }
            _ => {}
        }
    }
}

fn is_environ(t: &str) -> bool {
    matches!(t, "os.environ" | "environ")
}

fn env_or_unknown(name: Option<String>) -> ArgValue {
    name.map(ArgValue::EnvVar).unwrap_or(ArgValue::Unknown)
}

fn positional(args: Node) -> Vec<Node> {
    let mut c = args.walk();
    args.named_children(&mut c)
        .filter(|a| {
            !matches!(
                a.kind(),
                "keyword_argument" | "list_splat" | "dictionary_splat" | "comment"
            )
        })
        .collect()
}

fn keywords<'t>(cx: &Cx, args: Node<'t>) -> Vec<(&'static str, Node<'t>)> {
    let mut c = args.walk();
    args.named_children(&mut c)
        .filter(|a| a.kind() == "keyword_argument")
        .filter_map(|a| {
            let name = cx.text(a.child_by_field_name("name")?);
            let v = a.child_by_field_name("value")?;
            Some((intern(name)?, v))
        })
        .collect()
}

/// Keyword names worth keeping (resource parameters and `service_name`), as static strings.
fn intern(name: &str) -> Option<&'static str> {
    if name == "service_name" {
        return Some("service_name");
    }
    if name == "Name" {
        return Some("Name");
    }
    if name == "Names" {
        return Some("Names");
    }
    super::RESOURCE_PARAMS.iter().find(|p| **p == name).copied()
}
