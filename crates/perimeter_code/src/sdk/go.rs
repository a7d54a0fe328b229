//! Go: AWS SDK for Go v2 (`dynamodb.NewFromConfig(cfg)` then
//! `client.PutItem(ctx, &dynamodb.PutItemInput{...})`) and the v1 SDK's identical call shape,
//! plus the `feature/s3/manager` uploader and downloader.

use super::data::catalog;
use super::{Cx, Extraction, arg, descendants, resource_param, string_value};
use perimeter_model::{ArgValue, ResourceArg, Sdk};
use std::collections::HashMap;
use tree_sitter::Node;

#[derive(Debug, Clone)]
enum Go {
    Client(String),
    Uploader,
    Downloader,
    /// `&pkg.OpInput{...}` bound to a variable: service, operation, the literal.
    Input(String, String, usize),
    Value(ArgValue),
}

struct Env<'a, 't> {
    cx: &'a Cx<'a>,
    /// Import name → botocore service.
    packages: HashMap<String, String>,
    manager: Option<String>,
    names: HashMap<String, Go>,
    /// Nesting of `eval` calls: bounded, as expressions in untrusted files can nest deeply.
    depth: std::cell::Cell<u32>,
    literals: Vec<Node<'t>>,
}

pub(super) fn extract(cx: &Cx, root: Node) -> Extraction {
    let nodes = descendants(root);
    let mut env = Env {
        cx,
        packages: HashMap::new(),
        manager: None,
        names: HashMap::new(),
        depth: std::cell::Cell::new(0),
        literals: Vec::new(),
    };
    for n in &nodes {
        if n.kind() == "import_spec" {
            env.import(*n);
        }
    }
    if env.packages.is_empty() && env.manager.is_none() {
        return Extraction::default();
    }
    for _ in 0..2 {
        for n in &nodes {
            match n.kind() {
                "short_var_declaration" | "assignment_statement" => {
                    let (Some(l), Some(r)) = (
                        n.child_by_field_name("left"),
                        n.child_by_field_name("right"),
                    ) else {
                        continue;
                    };
                    // `a, err := f()`: the first name takes the first value.
                    let (Some(name), Some(value)) = (l.named_child(0), r.named_child(0)) else {
                        continue;
                    };
                    if let Some(v) = env.eval(value) {
                        env.names.insert(cx.text(name).to_string(), v);
                    }
                }
                "var_spec" | "const_spec" => {
                    let (Some(name), Some(value)) = (
                        n.child_by_field_name("name"),
                        n.child_by_field_name("value")
                            .and_then(|v| v.named_child(0)),
                    ) else {
                        continue;
                    };
                    if let Some(v) = env.eval(value) {
                        env.names.insert(cx.text(name).to_string(), v);
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Extraction::default();
    for n in &nodes {
        if n.kind() == "call_expression" {
            env.call(*n, &mut out);
        }
    }
    out
}

impl<'t> Env<'_, 't> {
    fn import(&mut self, n: Node) {
        let cx = self.cx;
        let Some(path) = n
            .child_by_field_name("path")
            .and_then(|p| string_value(cx, p))
        else {
            return;
        };
        let local = n
            .child_by_field_name("name")
            .map(|a| cx.text(a).to_string());
        if path == "github.com/aws/aws-sdk-go-v2/feature/s3/manager"
            || path == "github.com/aws/aws-sdk-go/service/s3/s3manager"
        {
            let last = path.rsplit('/').next().unwrap_or("manager").to_string();
            self.manager = Some(local.unwrap_or(last));
            return;
        }
        let pkg = path
            .strip_prefix("github.com/aws/aws-sdk-go-v2/service/")
            .or_else(|| path.strip_prefix("github.com/aws/aws-sdk-go/service/"));
        if let Some(pkg) = pkg.filter(|p| !p.contains('/'))
            && let Some(svc) = catalog().service(pkg)
        {
            self.packages
                .insert(local.unwrap_or_else(|| pkg.to_string()), svc.name.clone());
        }
    }

    /// `pkg.OpInput{...}` or `&pkg.OpInput{...}`: (service, operation, literal).
    fn input_literal(&self, n: Node<'t>) -> Option<(String, String, Node<'t>)> {
        let lit = if n.kind() == "unary_expression" {
            n.child_by_field_name("operand")?
        } else {
            n
        };
        if lit.kind() != "composite_literal" {
            return None;
        }
        let ty = lit.child_by_field_name("type")?;
        if ty.kind() != "qualified_type" {
            return None;
        }
        let svc = self
            .packages
            .get(self.cx.text(ty.child_by_field_name("package")?))?;
        let name = self.cx.text(ty.child_by_field_name("name")?);
        let op = name.strip_suffix("Input")?;
        catalog()
            .by_botocore(svc)?
            .has_op(op)
            .then(|| (svc.clone(), op.to_string(), lit))
    }

    fn eval(&mut self, n: Node<'t>) -> Option<Go> {
        if self.depth.get() >= super::MAX_EVAL_DEPTH {
            return None;
        }
        self.depth.set(self.depth.get() + 1);
        let v = self.eval_node(n);
        self.depth.set(self.depth.get() - 1);
        v
    }

    fn eval_node(&mut self, n: Node<'t>) -> Option<Go> {
        let cx = self.cx;
        if let Some((svc, op, lit)) = self.input_literal(n) {
            self.literals.push(lit);
            return Some(Go::Input(svc, op, self.literals.len() - 1));
        }
        match n.kind() {
            "identifier" => self.names.get(cx.text(n)).cloned(),
            "interpreted_string_literal" | "raw_string_literal" => {
                string_value(cx, n).map(|s| Go::Value(ArgValue::Literal(s)))
            }
            "unary_expression" => self.eval(n.child_by_field_name("operand")?),
            "call_expression" => {
                let func = n.child_by_field_name("function")?;
                let args = n.child_by_field_name("arguments")?;
                let ft = cx.text(func);
                if ft == "os.Getenv" {
                    let name = args.named_child(0).and_then(|a| string_value(cx, a));
                    return Some(Go::Value(
                        name.map(ArgValue::EnvVar).unwrap_or(ArgValue::Unknown),
                    ));
                }
                if ft == "aws.String" {
                    return self.eval(args.named_child(0)?);
                }
                if func.kind() == "selector_expression" {
                    let pkg = cx.text(func.child_by_field_name("operand")?);
                    let f = cx.text(func.child_by_field_name("field")?);
                    if let Some(svc) = self.packages.get(pkg)
                        && matches!(f, "NewFromConfig" | "New")
                    {
                        return Some(Go::Client(svc.clone()));
                    }
                    if self.manager.as_deref() == Some(pkg) {
                        return match f {
                            "NewUploader" => Some(Go::Uploader),
                            "NewDownloader" => Some(Go::Downloader),
                            _ => None,
                        };
                    }
                }
                None
            }
            _ => None,
        }
    }

    fn value(&mut self, n: Node<'t>) -> ArgValue {
        match self.eval(n) {
            Some(Go::Value(v)) => v,
            _ => ArgValue::Unknown,
        }
    }

    fn literal_resources(&mut self, service: &str, lit: Node<'t>) -> Vec<ResourceArg> {
        let cx = self.cx;
        let Some(body) = lit.child_by_field_name("body") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut c = body.walk();
        let elems: Vec<Node> = body
            .named_children(&mut c)
            .filter(|e| e.kind() == "keyed_element")
            .collect();
        for e in elems {
            let (Some(k), Some(v)) = (e.named_child(0), e.named_child(1)) else {
                continue;
            };
            let v = if v.kind() == "literal_element" {
                v.named_child(0).unwrap_or(v)
            } else {
                v
            };
            if let Some(p) = resource_param(service, cx.text(k)) {
                let value = self.value(v);
                out.push(arg(p, value));
            }
        }
        out
    }

    fn call(&mut self, n: Node<'t>, out: &mut Extraction) {
        let cx = self.cx;
        let (Some(func), Some(args)) = (
            n.child_by_field_name("function"),
            n.child_by_field_name("arguments"),
        ) else {
            return;
        };
        if func.kind() != "selector_expression" {
            return;
        }
        let (Some(recv), Some(field)) = (
            func.child_by_field_name("operand"),
            func.child_by_field_name("field"),
        ) else {
            return;
        };
        let method = cx.text(field);
        let mut c = args.walk();
        let arg_nodes: Vec<Node<'t>> = args.named_children(&mut c).collect();
        let recv_v = self.eval(recv);
        if let Some(h @ (Go::Uploader | Go::Downloader)) = &recv_v {
            let name = match (h, method) {
                (Go::Uploader, "Upload") => "@manager.Upload",
                (Go::Downloader, "Download") => "@manager.Download",
                _ => return,
            };
            let mut res = Vec::new();
            for a in &arg_nodes {
                if let Some((_, _, lit)) = self.input_literal(*a) {
                    res = self.literal_resources("s3", lit);
                }
            }
            out.calls.push(cx.call(Sdk::GoV2, "s3", name, res, n));
            return;
        }
        // The input literal names service and operation, whatever the receiver is.
        for a in &arg_nodes {
            let found = match self.input_literal(*a) {
                Some((svc, op, lit)) => Some((svc, op, lit)),
                None => match self.eval(*a) {
                    Some(Go::Input(svc, op, i)) => Some((svc, op, self.literals[i])),
                    _ => None,
                },
            };
            if let Some((svc, op, lit)) = found
                && op == method
            {
                let res = self.literal_resources(&svc, lit);
                out.calls.push(cx.call(Sdk::GoV2, &svc, &op, res, n));
                return;
            }
        }
        if let Some(Go::Client(svc)) = recv_v {
            if matches!(method, "Options") {
                return;
            }
            let has = catalog()
                .by_botocore(&svc)
                .is_some_and(|s| s.has_op(method));
            if has {
                out.calls
                    .push(cx.call(Sdk::GoV2, &svc, method, Vec::new(), n));
            } else {
                out.unrecognized.push(cx.unrecognized(n));
            }
        }
    }
}
