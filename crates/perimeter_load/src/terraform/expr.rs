//! Static evaluation of Terraform expressions into the loaders' [`Node`] tree.
//!
//! Terraform is translated into the CloudFormation shape the [`crate::cloudformation`] loader
//! already reads, so every expression becomes a [`Node`]: literals as scalars, lists and
//! objects as sequences and mappings, references to resources of the module as `Ref` /
//! `Fn::GetAtt` (or `${Id}` / `${Id.Attr}` inside a string template, the convention of
//! [`crate::cloudformation::Context::string`]), `var.x` as the variable's value (tfvars, then
//! default), `local.x` as the local's expression. Anything that cannot be known without
//! running Terraform becomes `{Fn::PerimeterUnresolved: reason}`, so rules stay silent on it.
//! Recursion through locals and variables is bounded.

use super::module::{Instance, Module};
use crate::cloudformation::UNRESOLVED_MARKER;
use crate::doc::{Key, Node, NodeKind};
use hcl_edit::Span;
use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::template::{Element, Template};
use std::collections::HashMap;

/// Deepest chain of locals/variables/nested expressions followed.
const MAX_DEPTH: usize = 48;

/// What `count.index`, `each.key` and `each.value` stand for while one instance is read.
/// Names bound while one instance or one element is read: `count.index`, `each.key`,
/// `each.value`, the variables of a `for` expression, the iterator of a `dynamic` block.
pub(crate) type Bindings = HashMap<String, Node>;

/// Most elements a `for` expression produces.
const MAX_FOR_ITEMS: usize = 256;
/// Largest file `file()` / `templatefile()` read.
const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// The evaluation context for one expression: the module, the file it is written in, and the
/// instance bindings.
pub(crate) struct Ev<'m> {
    pub module: &'m Module,
    pub file: usize,
    pub bindings: &'m Bindings,
}

pub(crate) fn scalar(text: impl Into<String>, line: u32, column: u32) -> Node {
    Node::scalar(text, line, column)
}

pub(crate) fn unresolved(reason: impl Into<String>, line: u32, column: u32) -> Node {
    map(
        vec![(UNRESOLVED_MARKER.to_string(), scalar(reason, line, column))],
        line,
        column,
    )
}

pub(crate) fn map(entries: Vec<(String, Node)>, line: u32, column: u32) -> Node {
    Node {
        kind: NodeKind::Map(
            entries
                .into_iter()
                .map(|(name, v)| {
                    (
                        Key {
                            name,
                            line: v.line,
                            column: v.column,
                        },
                        v,
                    )
                })
                .collect(),
        ),
        line,
        column,
        tag: None,
    }
}

pub(crate) fn seq(items: Vec<Node>, line: u32, column: u32) -> Node {
    Node {
        kind: NodeKind::Seq(items),
        line,
        column,
        tag: None,
    }
}

/// `node` and everything in it moved to `(line, column)`: a variable's default is reported
/// where the variable is used, since that is in the file being loaded.
pub(crate) fn moved(node: &Node, line: u32, column: u32) -> Node {
    let kind = match &node.kind {
        NodeKind::Seq(items) => {
            NodeKind::Seq(items.iter().map(|i| moved(i, line, column)).collect())
        }
        NodeKind::Map(entries) => NodeKind::Map(
            entries
                .iter()
                .map(|(k, v)| {
                    (
                        Key {
                            name: k.name.clone(),
                            line,
                            column,
                        },
                        moved(v, line, column),
                    )
                })
                .collect(),
        ),
        other => other.clone(),
    };
    Node {
        kind,
        line,
        column,
        tag: None,
    }
}

pub(crate) fn is_unresolved(node: &Node) -> bool {
    node.get(UNRESOLVED_MARKER).is_some()
}

impl Ev<'_> {
    pub fn pos(&self, span: Option<std::ops::Range<usize>>) -> (u32, u32) {
        self.module.files[self.file].pos(span.map(|s| s.start).unwrap_or(0))
    }

    /// The module scope of the file being read.
    fn scope(&self) -> &str {
        self.module
            .files
            .get(self.file)
            .map(|f| f.scope.as_str())
            .unwrap_or("")
    }

    /// `expr` as a node.
    pub fn node(&self, expr: &Expression) -> Node {
        self.eval(expr, 0)
    }

    fn eval(&self, expr: &Expression, depth: usize) -> Node {
        let (line, col) = self.pos(expr.span());
        if depth > MAX_DEPTH {
            return unresolved("expression nested too deeply", line, col);
        }
        let left = self.module.budget.get();
        if left == 0 {
            return unresolved("evaluation budget exhausted", line, col);
        }
        self.module.budget.set(left - 1);
        match expr {
            Expression::Null(_) => Node::null(line, col),
            Expression::Bool(b) => Node {
                kind: NodeKind::Scalar {
                    text: b.value().to_string(),
                    quoted: false,
                },
                line,
                column: col,
                tag: None,
            },
            Expression::Number(n) => Node {
                kind: NodeKind::Scalar {
                    text: n.value().to_string(),
                    quoted: false,
                },
                line,
                column: col,
                tag: None,
            },
            Expression::String(s) => scalar(s.value().clone(), line, col),
            Expression::Array(a) => seq(
                a.iter().map(|e| self.eval(e, depth + 1)).collect(),
                line,
                col,
            ),
            Expression::Object(o) => {
                let mut entries = Vec::new();
                for (k, v) in o.iter() {
                    let name = match k {
                        ObjectKey::Ident(i) => i.value().as_str().to_string(),
                        ObjectKey::Expression(e) => {
                            let n = self.eval(e, depth + 1);
                            match n.as_str() {
                                Some(s) => s.to_string(),
                                None => return unresolved("object key not known", line, col),
                            }
                        }
                    };
                    let (kl, kc) = self.pos(k.span());
                    let value = self.eval(v.expr(), depth + 1);
                    entries.push((
                        Key {
                            name,
                            line: kl,
                            column: kc,
                        },
                        value,
                    ));
                }
                Node {
                    kind: NodeKind::Map(entries),
                    line,
                    column: col,
                    tag: None,
                }
            }
            Expression::StringTemplate(t) => self.template(t, line, col, depth),
            Expression::HeredocTemplate(h) => {
                // The template's text starts with the newline after `<<EOF`, so JSON parsed
                // from it keeps its real line numbers when counted from the `<<EOF` line.
                let mut n = self.template(&h.template, line, col, depth);
                if h.indent().is_some()
                    && let NodeKind::Scalar { text, .. } = &mut n.kind
                {
                    *text = dedent(text);
                }
                n
            }
            Expression::Parenthesis(p) => self.eval(p.inner(), depth + 1),
            Expression::Variable(v) => match self.bindings.get(v.value().as_str()) {
                Some(n) => moved(n, line, col),
                None => unresolved(format!("bare name `{}`", v.value().as_str()), line, col),
            },
            Expression::Conditional(c) => {
                let cond = self.eval(&c.cond_expr, depth + 1);
                match cond.as_str() {
                    Some("true") => self.eval(&c.true_expr, depth + 1),
                    Some("false") => self.eval(&c.false_expr, depth + 1),
                    _ => unresolved("condition not known statically", line, col),
                }
            }
            Expression::FuncCall(f) => {
                let name = f.name.name.value().as_str();
                let arg = |i: usize| f.args.get(i).map(|a| self.eval(a, depth + 1));
                match name {
                    // The structure is kept: a policy document reads the same either way.
                    "jsonencode" | "tolist" | "toset" | "tomap" | "tostring" | "tonumber"
                    | "tobool" | "sensitive" | "nonsensitive" => {
                        arg(0).unwrap_or_else(|| unresolved("missing argument", line, col))
                    }
                    "jsondecode" => match arg(0) {
                        Some(n) => match n.as_str() {
                            Some(text) => parse_json_at(text, line, col),
                            None => n,
                        },
                        None => unresolved("missing argument", line, col),
                    },
                    "length" => match arg(0) {
                        Some(n) if n.is_seq() => scalar(n.items().len().to_string(), line, col),
                        Some(n) if n.is_map() && !is_unresolved(&n) => {
                            scalar(n.entries().len().to_string(), line, col)
                        }
                        Some(n) if n.as_str().is_some() => scalar(
                            n.as_str()
                                .map(|s| s.chars().count())
                                .unwrap_or(0)
                                .to_string(),
                            line,
                            col,
                        ),
                        _ => unresolved("length of an unknown value", line, col),
                    },
                    "lower" | "upper" | "trimspace" => match arg(0) {
                        Some(n) => match n.as_str() {
                            Some(t) => scalar(
                                match name {
                                    "lower" => t.to_lowercase(),
                                    "upper" => t.to_uppercase(),
                                    _ => t.trim().to_string(),
                                },
                                line,
                                col,
                            ),
                            None => unresolved(format!("{name}() of an unknown value"), line, col),
                        },
                        None => unresolved("missing argument", line, col),
                    },
                    "element" => match (arg(0), arg(1)) {
                        (Some(list), Some(i)) if list.is_seq() && !list.items().is_empty() => {
                            match i.as_str().and_then(|i| i.parse::<usize>().ok()) {
                                Some(i) => list.items()[i % list.items().len()].clone(),
                                None => unresolved("element index not known", line, col),
                            }
                        }
                        _ => unresolved("element() of an unknown list", line, col),
                    },
                    "join" => match (arg(0), arg(1)) {
                        (Some(sep), Some(list)) if list.is_seq() => {
                            let parts: Option<Vec<&str>> =
                                list.items().iter().map(Node::as_str).collect();
                            match (sep.as_str(), parts) {
                                (Some(sep), Some(parts)) => scalar(parts.join(sep), line, col),
                                _ => unresolved("join() of unknown values", line, col),
                            }
                        }
                        _ => unresolved("join() of an unknown list", line, col),
                    },
                    "lookup" => match (arg(0), arg(1)) {
                        (Some(m), Some(k)) if m.is_map() && !is_unresolved(&m) => {
                            match k.as_str().and_then(|k| m.get(k)) {
                                Some(v) => v.clone(),
                                None => arg(2).unwrap_or_else(|| {
                                    unresolved("lookup() of a missing key", line, col)
                                }),
                            }
                        }
                        _ => unresolved("lookup() in an unknown map", line, col),
                    },
                    "coalesce" => f
                        .args
                        .iter()
                        .map(|a| self.eval(a, depth + 1))
                        .find(|n| !n.is_null() && n.as_str() != Some(""))
                        .filter(|n| !is_unresolved(n))
                        .unwrap_or_else(|| unresolved("coalesce() of unknown values", line, col)),
                    // `try(x, fallback)`: the first argument when it can be evaluated.
                    "try" => f
                        .args
                        .iter()
                        .map(|a| self.eval(a, depth + 1))
                        .find(|n| !is_unresolved(n))
                        .unwrap_or_else(|| unresolved("try() of unknown values", line, col)),
                    "format" => match arg(0) {
                        Some(fmt) if fmt.as_str().is_some() => {
                            let fmt = fmt.as_str().unwrap_or_default().to_string();
                            let mut out = String::new();
                            let mut args = f.args.iter().skip(1);
                            let mut pieces = fmt.split("%s");
                            out.push_str(pieces.next().unwrap_or_default());
                            for piece in pieces {
                                let Some(v) = args.next().map(|a| self.eval(a, depth + 1)) else {
                                    return unresolved(
                                        "format() with too few arguments",
                                        line,
                                        col,
                                    );
                                };
                                match inline_text(&v) {
                                    Some(t) => out.push_str(&t),
                                    None => {
                                        return unresolved("format() of unknown values", line, col);
                                    }
                                }
                                out.push_str(piece);
                            }
                            if out.contains('%') {
                                unresolved("format() verb other than %s", line, col)
                            } else {
                                scalar(out, line, col)
                            }
                        }
                        _ => unresolved("format() of an unknown format", line, col),
                    },
                    "concat" => {
                        let mut items = Vec::new();
                        for a in f.args.iter() {
                            let n = self.eval(a, depth + 1);
                            if !n.is_seq() {
                                return unresolved("concat of unknown lists", line, col);
                            }
                            items.extend(n.items().iter().cloned());
                        }
                        seq(items, line, col)
                    }
                    "file" | "templatefile" => match arg(0).as_ref().and_then(|n| n.as_str()) {
                        Some(path) => {
                            let vars = if name == "templatefile" { arg(1) } else { None };
                            self.read_file(path, vars.as_ref(), line, col)
                        }
                        None => unresolved(format!("{name}() of an unknown path"), line, col),
                    },
                    "flatten" => match arg(0) {
                        Some(n) if n.is_seq() => {
                            let mut items = Vec::new();
                            for i in n.items() {
                                if i.is_seq() {
                                    items.extend(i.items().iter().cloned());
                                } else {
                                    items.push(i.clone());
                                }
                            }
                            seq(items, line, col)
                        }
                        _ => unresolved("flatten() of an unknown list", line, col),
                    },
                    "merge" => {
                        let mut entries: Vec<(Key, Node)> = Vec::new();
                        for a in f.args.iter() {
                            let n = self.eval(a, depth + 1);
                            if !n.is_map() || is_unresolved(&n) {
                                return unresolved("merge() of unknown maps", line, col);
                            }
                            for (k, v) in n.entries() {
                                entries.retain(|(e, _)| e.name != k.name);
                                entries.push((k.clone(), v.clone()));
                            }
                        }
                        Node {
                            kind: NodeKind::Map(entries),
                            line,
                            column: col,
                            tag: None,
                        }
                    }
                    _ => unresolved(format!("{name}() is not evaluated"), line, col),
                }
            }
            Expression::Traversal(t) => self.traversal(&t.expr, &t.operators, line, col, depth),
            Expression::BinaryOp(b) => {
                use hcl_edit::expr::BinaryOperator as B;
                let l = self.eval(&b.lhs_expr, depth + 1);
                let r = self.eval(&b.rhs_expr, depth + 1);
                let (Some(l), Some(r)) = (l.as_str(), r.as_str()) else {
                    return unresolved("operation on unknown values", line, col);
                };
                let out = match b.operator.value() {
                    B::Eq => Some((l == r).to_string()),
                    B::NotEq => Some((l != r).to_string()),
                    B::And => Some((l == "true" && r == "true").to_string()),
                    B::Or => Some((l == "true" || r == "true").to_string()),
                    _ => None,
                };
                match out {
                    Some(v) => scalar(v, line, col),
                    None => unresolved("arithmetic is not evaluated", line, col),
                }
            }
            Expression::UnaryOp(u) => {
                let v = self.eval(&u.expr, depth + 1);
                match (u.operator.value(), v.as_str()) {
                    (hcl_edit::expr::UnaryOperator::Not, Some("true")) => {
                        scalar("false", line, col)
                    }
                    (hcl_edit::expr::UnaryOperator::Not, Some("false")) => {
                        scalar("true", line, col)
                    }
                    (hcl_edit::expr::UnaryOperator::Neg, Some(n)) => {
                        scalar(format!("-{n}"), line, col)
                    }
                    _ => unresolved("operation on unknown value", line, col),
                }
            }
            Expression::ForExpr(f) => self.for_expr(f, line, col, depth),
        }
    }

    /// A string template: literal when every interpolation is known; references to resources
    /// become `${Id}` / `${Id.Attr}`.
    fn template(&self, t: &Template, line: u32, col: u32, depth: usize) -> Node {
        let mut out = String::new();
        for el in t.iter() {
            match el {
                Element::Literal(s) => out.push_str(s.value()),
                Element::Interpolation(i) => {
                    let n = self.eval(&i.expr, depth + 1);
                    match inline_text(&n) {
                        Some(s) => out.push_str(&s),
                        None => {
                            let why = n
                                .get(UNRESOLVED_MARKER)
                                .and_then(Node::as_str)
                                .unwrap_or("interpolation not known statically");
                            return unresolved(why.to_string(), line, col);
                        }
                    }
                }
                Element::Directive(_) => {
                    return unresolved("template directive is not evaluated", line, col);
                }
            }
        }
        scalar(out, line, col)
    }

    fn traversal(
        &self,
        root: &Expression,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
        line: u32,
        col: u32,
        depth: usize,
    ) -> Node {
        let Expression::Variable(root) = root else {
            let base = self.eval(root, depth + 1);
            return self.apply(base, ops, line, col, depth);
        };
        let root = root.value().as_str();
        let attr = |i: usize| match ops.get(i).map(|o| o.value()) {
            Some(TraversalOperator::GetAttr(a)) => Some(a.value().as_str()),
            _ => None,
        };
        // Names bound by a `for` expression or a `dynamic` block shadow everything else.
        if let Some(v) = self.bindings.get(root) {
            return self.apply(moved(v, line, col), ops, line, col, depth);
        }
        match root {
            "var" => {
                let Some(name) = attr(0) else {
                    return unresolved("var without a name", line, col);
                };
                match self.module.variable(self.scope(), name) {
                    Some((file, expr)) => {
                        // An argument of a counted module call sees its instance's
                        // `count.index` / `each.*`.
                        let bindings = self
                            .module
                            .call_bindings(self.scope())
                            .unwrap_or(&NO_BINDINGS);
                        let ev = Ev {
                            module: self.module,
                            file,
                            bindings,
                        };
                        let v = moved(&ev.eval(expr, depth + 1), line, col);
                        self.apply(v, &ops[1..], line, col, depth)
                    }
                    None => unresolved(format!("var.{name} has no default"), line, col),
                }
            }
            "local" => {
                let Some(name) = attr(0) else {
                    return unresolved("local without a name", line, col);
                };
                match self.module.local(self.scope(), name) {
                    Some((file, expr)) => {
                        let ev = Ev {
                            module: self.module,
                            file,
                            bindings: self.bindings,
                        };
                        let v = moved(&ev.eval(expr, depth + 1), line, col);
                        self.apply(v, &ops[1..], line, col, depth)
                    }
                    None => unresolved(format!("local.{name} is not declared"), line, col),
                }
            }
            "count" | "each" => {
                let key = match (root, attr(0)) {
                    ("count", Some("index")) => "count.index",
                    ("each", Some("key")) => "each.key",
                    ("each", Some("value")) => "each.value",
                    _ => return unresolved(format!("{root}.? is not known"), line, col),
                };
                match self.bindings.get(key) {
                    Some(v) => self.apply(moved(v, line, col), &ops[1..], line, col, depth),
                    None => unresolved(format!("{key} outside a counted resource"), line, col),
                }
            }
            "path" => scalar(".", line, col),
            "data" => {
                let (Some(ty), Some(name)) = (attr(0), attr(1)) else {
                    return unresolved("data source reference", line, col);
                };
                let (idx, rest) = index_of(ops, 2, self, depth);
                if ty == "aws_iam_policy_document"
                    && rest.first().and_then(|o| get_attr(o)) == Some("json")
                    && let Some(d) = self.module.data(self.scope(), ty, name, idx.as_deref())
                {
                    let doc = super::translate::policy_document(self.module, d);
                    // Written in this file: statements keep their own lines, so a finding
                    // points at the statement to fix.
                    return if d.0 == self.file {
                        doc
                    } else {
                        moved(&doc, line, col)
                    };
                }
                // A zip built by `archive_file` deploys its source: the code is that folder.
                if ty == "archive_file"
                    && rest.first().and_then(|o| get_attr(o)) == Some("output_path")
                    && let Some((file, block)) =
                        self.module.data(self.scope(), ty, name, idx.as_deref())
                    && let Some(src) = block
                        .body
                        .get_attribute("source_dir")
                        .or_else(|| block.body.get_attribute("source_file"))
                {
                    let ev = Ev {
                        module: self.module,
                        file,
                        bindings: &NO_BINDINGS,
                    };
                    return moved(&ev.eval(&src.value, depth + 1), line, col);
                }
                // `data "aws_iam_policy"` given by ARN reads as that ARN.
                if ty == "aws_iam_policy"
                    && rest.first().and_then(|o| get_attr(o)) == Some("arn")
                    && let Some((file, block)) =
                        self.module.data(self.scope(), ty, name, idx.as_deref())
                    && let Some(arn) = block.body.get_attribute("arn")
                {
                    let ev = Ev {
                        module: self.module,
                        file,
                        bindings: &NO_BINDINGS,
                    };
                    return moved(&ev.eval(&arn.value, depth + 1), line, col);
                }
                match (ty, rest.first().and_then(|o| get_attr(o))) {
                    ("aws_region", Some("name" | "id" | "region")) => {
                        scalar("${AWS::Region}", line, col)
                    }
                    ("aws_caller_identity", Some("account_id")) => {
                        scalar("${AWS::AccountId}", line, col)
                    }
                    ("aws_partition", Some("partition")) => scalar("aws", line, col),
                    _ => unresolved(format!("data.{ty}.{name} is read at plan time"), line, col),
                }
            }
            "module" => {
                let Some(m) = attr(0) else {
                    return unresolved("module output", line, col);
                };
                // `module.x[*].out`: the output of every instance of a counted call.
                if matches!(
                    ops.get(1).map(|o| o.value()),
                    Some(TraversalOperator::FullSplat(_) | TraversalOperator::AttrSplat(_))
                ) {
                    let Some(out) = ops.get(2).and_then(|o| get_attr(o)) else {
                        return unresolved(
                            format!("module.{m}[*] as a whole is not read"),
                            line,
                            col,
                        );
                    };
                    let items = self.module_instance_outputs(m, out);
                    if items.is_empty() {
                        return unresolved(format!("module.{m}[*].{out} is not known"), line, col);
                    }
                    let items = items
                        .into_iter()
                        .map(|(file, expr)| {
                            let ev = Ev {
                                module: self.module,
                                file,
                                bindings: &NO_BINDINGS,
                            };
                            moved(&ev.eval(expr, depth + 1), line, col)
                        })
                        .collect();
                    return seq(items, line, col);
                }
                // `module.x.out`, or `module.x[0].out` / `module.x["k"].out` for an instance of
                // a counted call.
                let (idx, rest) = index_of(ops, 1, self, depth);
                let Some(out) = rest.first().and_then(|o| get_attr(o)) else {
                    return unresolved(format!("module.{m} as a whole is not read"), line, col);
                };
                let scope = self.scope();
                let found = match &idx {
                    None => self.module.output(&format!("{scope}module.{m}."), out),
                    Some(k) => self
                        .module
                        .output(&format!("{scope}module.{m}[{k}]."), out)
                        .or_else(|| {
                            self.module
                                .output(&format!("{scope}module.{m}[{k:?}]."), out)
                        }),
                };
                match found {
                    Some((file, expr)) => {
                        let ev = Ev {
                            module: self.module,
                            file,
                            bindings: &NO_BINDINGS,
                        };
                        let v = moved(&ev.eval(expr, depth + 1), line, col);
                        self.apply(v, &rest[1..], line, col, depth)
                    }
                    None => match self.module_source(m) {
                        Some(src) if !src.starts_with("./") && !src.starts_with("../") => {
                            unresolved(
                                format!(
                                    "module.{m}.{out}: module.{m} comes from `{src}`; registry, \
                                     git and other remote modules are not read"
                                ),
                                line,
                                col,
                            )
                        }
                        _ => unresolved(format!("module.{m}.{out} is not known"), line, col),
                    },
                }
            }
            ty => {
                let Some(name) = attr(0) else {
                    return unresolved(format!("unknown name `{ty}`"), line, col);
                };
                // `type.name[*].attr` / `type.name.*.attr`: one reference per instance.
                if matches!(
                    ops.get(1).map(|o| o.value()),
                    Some(TraversalOperator::FullSplat(_) | TraversalOperator::AttrSplat(_))
                ) {
                    let attr = ops.get(2).and_then(|o| get_attr(o));
                    let items: Vec<Node> = self
                        .module
                        .instances
                        .iter()
                        .filter(|i| i.scope == self.scope() && i.tf_type == ty && i.name == name)
                        .map(|i| reference(i, attr, line, col))
                        .collect();
                    if items.is_empty() {
                        return unresolved(format!("{ty}.{name} is not in this module"), line, col);
                    }
                    return seq(items, line, col);
                }
                let (idx, rest) = index_of(ops, 1, self, depth);
                let Some(inst) = self.module.instance(self.scope(), ty, name, idx.as_deref())
                else {
                    return unresolved(format!("{ty}.{name} is not in this module"), line, col);
                };
                let attr = rest.first().and_then(|o| get_attr(o));
                // An input argument of the resource (`http_method`, `stage_name`) reads as
                // written there; identities and computed attributes become references.
                if let Some(a) = attr
                    && !is_identity(a)
                    && let Some(block) = self.module.block(inst.file, inst.block)
                    && let Some(v) = block.body.get_attribute(a)
                {
                    let ev = Ev {
                        module: self.module,
                        file: inst.file,
                        bindings: &inst.bindings,
                    };
                    return moved(&ev.eval(&v.value, depth + 1), line, col);
                }
                reference(inst, attr, line, col)
            }
        }
    }

    /// The output `out` of every instance (`module.name[…].`) of a counted module call of the
    /// current scope, in the order the instances were read.
    fn module_instance_outputs(&self, name: &str, out: &str) -> Vec<(usize, &Expression)> {
        let prefix = format!("{}module.{name}[", self.scope());
        let mut scopes: Vec<(usize, &str)> = Vec::new();
        for (i, f) in self.module.files.iter().enumerate() {
            if f.dropped || !f.scope.starts_with(&prefix) {
                continue;
            }
            // The instance's own scope: up to the first `].` after the prefix.
            let Some(end) = f.scope[prefix.len()..].find("].") else {
                continue;
            };
            let scope = &f.scope[..prefix.len() + end + 2];
            if !scopes.iter().any(|(_, s)| *s == scope) {
                scopes.push((i, scope));
            }
        }
        scopes
            .into_iter()
            .filter_map(|(_, scope)| self.module.output(scope, out))
            .collect()
    }

    /// The `source` of the module call `name` in the current module scope.
    fn module_source(&self, name: &str) -> Option<String> {
        let scope = self.scope();
        self.module
            .files
            .iter()
            .filter(|f| f.scope == scope)
            .flat_map(|f| f.body.blocks())
            .find(|b| {
                b.ident.value().as_str() == "module"
                    && b.labels.first().is_some_and(|l| l.as_str() == name)
            })
            .and_then(|b| b.body.get_attribute("source"))
            .and_then(|a| a.value.as_str().map(str::to_string))
    }

    /// `[for v in coll : expr if cond]` and `{for k, v in coll : kexpr => vexpr}` over a known
    /// collection.
    fn for_expr(&self, f: &hcl_edit::expr::ForExpr, line: u32, col: u32, depth: usize) -> Node {
        let coll = self.eval(&f.intro.collection_expr, depth + 1);
        let pairs: Vec<(Node, Node)> = if coll.is_seq() {
            coll.items()
                .iter()
                .enumerate()
                .map(|(i, v)| (scalar(i.to_string(), v.line, v.column), v.clone()))
                .collect()
        } else if coll.is_map() && !is_unresolved(&coll) {
            coll.entries()
                .iter()
                .map(|(k, v)| (scalar(k.name.clone(), k.line, k.column), v.clone()))
                .collect()
        } else {
            return unresolved("for expression over an unknown collection", line, col);
        };
        let mut items = Vec::new();
        let mut entries: Vec<(Key, Node)> = Vec::new();
        for (k, v) in pairs.into_iter().take(MAX_FOR_ITEMS) {
            let mut bindings = self.bindings.clone();
            if let Some(kv) = &f.intro.key_var {
                bindings.insert(kv.value().as_str().to_string(), k);
            }
            bindings.insert(f.intro.value_var.value().as_str().to_string(), v);
            let ev = Ev {
                module: self.module,
                file: self.file,
                bindings: &bindings,
            };
            if let Some(cond) = &f.cond {
                match ev.eval(&cond.expr, depth + 1).as_str() {
                    Some("true") => {}
                    Some("false") => continue,
                    _ => return unresolved("for expression condition not known", line, col),
                }
            }
            let value = ev.eval(&f.value_expr, depth + 1);
            match &f.key_expr {
                Some(ke) => {
                    let key = ev.eval(ke, depth + 1);
                    let Some(name) = key.as_str() else {
                        return unresolved("for expression key not known", line, col);
                    };
                    entries.retain(|(e, _)| e.name != name);
                    entries.push((
                        Key {
                            name: name.to_string(),
                            line: value.line,
                            column: value.column,
                        },
                        value,
                    ));
                }
                None => items.push(value),
            }
        }
        if f.key_expr.is_some() {
            Node {
                kind: NodeKind::Map(entries),
                line,
                column: col,
                tag: None,
            }
        } else {
            seq(items, line, col)
        }
    }

    /// `file(path)` / `templatefile(path, vars)`: the text of a file inside the scan root
    /// (relative to the module's folder), with `${name}` interpolations of a template filled
    /// from `vars`. Anything else (outside the root, too big, template directives, unknown
    /// names) is unresolved.
    fn read_file(&self, path: &str, vars: Option<&Node>, line: u32, col: u32) -> Node {
        let Some(root) = &self.module.root else {
            return unresolved("file() of a module given as text", line, col);
        };
        let rel = &self.module.files[self.file].rel;
        let dir = rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        let joined = crate::cloudformation::join_relative(dir, path.trim_start_matches("./"));
        if path.starts_with('/') || joined.starts_with("..") {
            return unresolved(format!("file() outside the scan root: {path}"), line, col);
        }
        let full = root.join(&joined);
        let text = match std::fs::metadata(&full) {
            Ok(m) if m.is_file() && m.len() <= MAX_FILE_BYTES => std::fs::read(&full)
                .ok()
                .and_then(|b| String::from_utf8(b).ok()),
            _ => None,
        };
        let Some(text) = text else {
            return unresolved(format!("file() cannot read {joined}"), line, col);
        };
        let Some(vars) = vars else {
            return scalar(text, line, col);
        };
        if text.contains("%{") {
            return unresolved("template directives are not evaluated", line, col);
        }
        let mut out = String::new();
        let mut rest = text.as_str();
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                return unresolved("unterminated template interpolation", line, col);
            };
            let name = after[..end].trim();
            match vars.get(name).and_then(inline_text) {
                Some(v) => out.push_str(&v),
                None => {
                    return unresolved(format!("template variable `{name}` not known"), line, col);
                }
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        scalar(out, line, col)
    }

    fn apply(
        &self,
        mut node: Node,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
        line: u32,
        col: u32,
        depth: usize,
    ) -> Node {
        for (i, op) in ops.iter().enumerate() {
            if is_unresolved(&node) {
                return node;
            }
            if matches!(
                op.value(),
                TraversalOperator::FullSplat(_) | TraversalOperator::AttrSplat(_)
            ) {
                // The rest of the traversal applies to each element (a single value counts as
                // a list of one, null as an empty list).
                let items: Vec<Node> = if node.is_seq() {
                    node.items().to_vec()
                } else if node.is_null() {
                    Vec::new()
                } else {
                    vec![node.clone()]
                };
                let rest = &ops[i + 1..];
                return seq(
                    items
                        .into_iter()
                        .map(|n| self.apply(n, rest, line, col, depth + 1))
                        .collect(),
                    line,
                    col,
                );
            }
            node = match op.value() {
                TraversalOperator::GetAttr(a) => match node.get(a.value().as_str()) {
                    Some(v) => v.clone(),
                    None => {
                        return unresolved(
                            format!("no attribute {}", a.value().as_str()),
                            line,
                            col,
                        );
                    }
                },
                TraversalOperator::Index(e) => {
                    let k = self.eval(e, depth + 1);
                    let Some(k) = k.as_str() else {
                        return unresolved("index not known", line, col);
                    };
                    let found = if node.is_seq() {
                        k.parse::<usize>().ok().and_then(|i| node.items().get(i))
                    } else {
                        node.get(k)
                    };
                    match found {
                        Some(v) => v.clone(),
                        None => return unresolved(format!("no element {k}"), line, col),
                    }
                }
                TraversalOperator::LegacyIndex(i) => match node.items().get(*i.value() as usize) {
                    Some(v) => v.clone(),
                    None => return unresolved("no such element", line, col),
                },
                _ => return unresolved("splat is not evaluated", line, col),
            };
        }
        node
    }
}

static NO_BINDINGS: std::sync::LazyLock<Bindings> = std::sync::LazyLock::new(HashMap::new);

fn get_attr(op: &hcl_edit::Decorated<TraversalOperator>) -> Option<&str> {
    match op.value() {
        TraversalOperator::GetAttr(a) => Some(a.value().as_str()),
        _ => None,
    }
}

/// The instance key after `type.name` (`[0]`, `["k"]`), and the operators after it.
fn index_of<'o>(
    ops: &'o [hcl_edit::Decorated<TraversalOperator>],
    at: usize,
    ev: &Ev,
    depth: usize,
) -> (Option<String>, &'o [hcl_edit::Decorated<TraversalOperator>]) {
    let rest = ops.get(at..).unwrap_or(&[]);
    match rest.first().map(|o| o.value()) {
        Some(TraversalOperator::Index(e)) => {
            let k = ev.eval(e, depth + 1);
            (Some(k.as_str().unwrap_or("?").to_string()), &rest[1..])
        }
        Some(TraversalOperator::LegacyIndex(i)) => (Some(i.value().to_string()), &rest[1..]),
        _ => (None, rest),
    }
}

/// Attributes that stand for the resource itself: they become `Ref` / `Fn::GetAtt`, so that
/// links follow them, even when the same value is also written as an argument.
fn is_identity(attr: &str) -> bool {
    matches!(
        attr,
        "arn"
            | "qualified_arn"
            | "invoke_arn"
            | "qualified_invoke_arn"
            | "execution_arn"
            | "root_resource_id"
            | "stream_arn"
            | "id"
            | "name"
            | "function_name"
            | "bucket"
            | "url"
            | "role"
            | "api_id"
            | "layer_arn"
            | "unique_id"
    )
}

/// A reference to an attribute of a resource of the module, in CloudFormation terms.
fn reference(inst: &Instance, attr: Option<&str>, line: u32, col: u32) -> Node {
    let id = inst.syn.clone();
    let get_att = |a: &str| {
        map(
            vec![(
                "Fn::GetAtt".to_string(),
                seq(
                    vec![scalar(id.clone(), line, col), scalar(a, line, col)],
                    line,
                    col,
                ),
            )],
            line,
            col,
        )
    };
    let r#ref = || {
        map(
            vec![("Ref".to_string(), scalar(id.clone(), line, col))],
            line,
            col,
        )
    };
    match attr {
        // A managed policy's `Ref` is its ARN; a queue's is its URL.
        Some("arn") if inst.tf_type == "aws_iam_policy" => r#ref(),
        Some("arn" | "qualified_arn") => get_att("Arn"),
        Some("invoke_arn" | "qualified_invoke_arn") => scalar(
            format!(
                "arn:aws:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{{id}.Arn}}/invocations"
            ),
            line,
            col,
        ),
        Some("execution_arn") => scalar(
            format!("arn:aws:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{id}}}"),
            line,
            col,
        ),
        Some("root_resource_id") => get_att("RootResourceId"),
        Some("stream_arn") => get_att("StreamArn"),
        Some(
            "id" | "name" | "function_name" | "bucket" | "url" | "role" | "api_id" | "layer_arn"
            | "unique_id",
        )
        | None => r#ref(),
        Some(other) => get_att(other),
    }
}

/// How a node reads inside a string template.
fn inline_text(n: &Node) -> Option<String> {
    if let Some(s) = n.as_str() {
        return Some(s.to_string());
    }
    if let Some(r) = n.get("Ref").and_then(Node::as_str) {
        return Some(format!("${{{r}}}"));
    }
    if let Some(g) = n.get("Fn::GetAtt") {
        let parts: Vec<&str> = g.items().iter().filter_map(Node::as_str).collect();
        if parts.len() == 2 {
            return Some(format!("${{{}.{}}}", parts[0], parts[1]));
        }
    }
    None
}

/// Removes the common leading whitespace of a `<<-` heredoc.
fn dedent(text: &str) -> String {
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    text.lines()
        .map(|l| l.get(indent..).unwrap_or(l.trim_start()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A JSON document written as a string (a heredoc policy), as nodes placed at the string.
pub(crate) fn parse_json_at(text: &str, line: u32, col: u32) -> Node {
    match crate::doc::parse_json(text) {
        Ok(Some(n)) => shift(&n, line.saturating_sub(1)),
        Ok(None) => unresolved("empty JSON document", line, col),
        Err(e) => unresolved(format!("invalid JSON: {}", e.message), line, col),
    }
}

/// Lines of a parsed JSON string counted from the line the string starts on.
fn shift(node: &Node, lines: u32) -> Node {
    let kind = match &node.kind {
        NodeKind::Seq(items) => NodeKind::Seq(items.iter().map(|i| shift(i, lines)).collect()),
        NodeKind::Map(entries) => NodeKind::Map(
            entries
                .iter()
                .map(|(k, v)| {
                    (
                        Key {
                            name: k.name.clone(),
                            line: k.line + lines,
                            column: k.column,
                        },
                        shift(v, lines),
                    )
                })
                .collect(),
        ),
        other => other.clone(),
    };
    Node {
        kind,
        line: node.line + lines,
        column: node.column,
        tag: None,
    }
}
