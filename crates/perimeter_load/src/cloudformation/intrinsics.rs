//! CloudFormation intrinsic functions, evaluated statically.
//!
//! `Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::If` (with the
//! template's conditions), `Fn::FindInMap`, `Fn::Base64`, `Fn::Length` and the condition
//! functions are computed; values only known at deploy time follow the conventions of
//! [`Context::string`]: resource references become `${LogicalId}` / `${LogicalId.Attr}` text,
//! and anything truly unknowable (`Fn::ImportValue`, `Fn::GetAZs`, a parameter without a
//! default, …) is unresolved with a short reason. Every recursion is bounded by
//! [`MAX_EVAL_DEPTH`], so hostile nesting cannot overflow the stack.

use super::context::Context;
use crate::doc::{Key, Node, NodeKind};

/// Deepest nesting of values and intrinsics the evaluator descends into.
pub(crate) const MAX_EVAL_DEPTH: usize = 300;

/// The result of evaluating a node.
#[derive(Debug, Clone)]
pub(crate) enum Ev {
    /// Fully known.
    Val(Node),
    /// `Ref: AWS::NoValue` (or an `Fn::If` branch selecting it): the property is absent.
    NoValue,
    /// Not knowable statically, with the reason.
    Unres(String),
}

/// `true` when a one-key mapping `{name: arg}` is an intrinsic function call.
pub(crate) fn is_intrinsic(name: &str, arg: &Node) -> bool {
    name == "Ref" || name.starts_with("Fn::") || (name == "Condition" && arg.as_str().is_some())
}

fn text(s: impl Into<String>, at: &Node) -> Ev {
    Ev::Val(Node::scalar(s, at.line, at.column))
}

fn unres(reason: impl Into<String>) -> Ev {
    Ev::Unres(reason.into())
}

/// The key of a marker `{Fn::PerimeterUnresolved: reason}` that a front end (the Serverless
/// variable resolver) leaves where it could not resolve a value. It evaluates as unresolved
/// with the marker's own reason, and so does anything built from it.
pub const UNRESOLVED_MARKER: &str = "Fn::PerimeterUnresolved";

/// The pseudo-parameters that stay as `${AWS::…}` text.
const KEPT_PSEUDO: &[&str] = &[
    "AWS::Region",
    "AWS::AccountId",
    "AWS::StackName",
    "AWS::StackId",
];

impl<'a> Context<'a> {
    /// Fully evaluates `node`: any unresolved part makes the whole value unresolved.
    pub(crate) fn eval(&self, node: &Node, depth: usize) -> Ev {
        if depth > MAX_EVAL_DEPTH {
            return unres("expression nested too deeply");
        }
        if let Some((k, arg)) = node.single_entry()
            && is_intrinsic(&k.name, arg)
        {
            return self.eval_fn(&k.name, arg, node, depth + 1);
        }
        match &node.kind {
            NodeKind::Map(entries) => {
                let mut out = Vec::with_capacity(entries.len());
                for (k, v) in entries {
                    match self.eval(v, depth + 1) {
                        Ev::Val(n) => out.push((k.clone(), n)),
                        Ev::NoValue => {}
                        u @ Ev::Unres(_) => return u,
                    }
                }
                Ev::Val(Node {
                    kind: NodeKind::Map(out),
                    ..node.clone_shallow()
                })
            }
            NodeKind::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for v in items {
                    match self.eval(v, depth + 1) {
                        Ev::Val(n) => out.push(n),
                        Ev::NoValue => {}
                        u @ Ev::Unres(_) => return u,
                    }
                }
                Ev::Val(Node {
                    kind: NodeKind::Seq(out),
                    ..node.clone_shallow()
                })
            }
            _ => Ev::Val(node.clone()),
        }
    }

    /// Evaluates what can be evaluated and keeps the rest as written; `None` for NoValue.
    pub(crate) fn partial(&self, node: &Node, depth: usize) -> Option<Node> {
        if depth > MAX_EVAL_DEPTH {
            return Some(node.clone());
        }
        if let Some((k, arg)) = node.single_entry()
            && is_intrinsic(&k.name, arg)
        {
            // A decided `Fn::If` selects a branch that may itself be partly unresolved.
            if k.name == "Fn::If"
                && let [cond, yes, no] = arg.items()
                && let Some(c) = cond.as_str().and_then(|c| self.condition(c))
            {
                return self.partial(if c { yes } else { no }, depth + 1);
            }
            return match self.eval_fn(&k.name, arg, node, depth + 1) {
                Ev::Val(mut n) => {
                    n.line = node.line;
                    n.column = node.column;
                    Some(n)
                }
                Ev::NoValue => None,
                Ev::Unres(_) => Some(node.clone()),
            };
        }
        match &node.kind {
            NodeKind::Map(entries) => {
                let out = entries
                    .iter()
                    .filter_map(|(k, v)| self.partial(v, depth + 1).map(|n| (k.clone(), n)))
                    .collect();
                Some(Node {
                    kind: NodeKind::Map(out),
                    ..node.clone_shallow()
                })
            }
            NodeKind::Seq(items) => {
                let out = items
                    .iter()
                    .filter_map(|v| self.partial(v, depth + 1))
                    .collect();
                Some(Node {
                    kind: NodeKind::Seq(out),
                    ..node.clone_shallow()
                })
            }
            _ => Some(node.clone()),
        }
    }

    /// Evaluates to a string, or says why not.
    fn eval_str(&self, node: &Node, depth: usize) -> Result<String, String> {
        match self.eval(node, depth) {
            Ev::Val(n) => match n.kind {
                NodeKind::Scalar { text, .. } => Ok(text),
                _ => Err("not a string".to_string()),
            },
            Ev::NoValue => Err("AWS::NoValue".to_string()),
            Ev::Unres(r) => Err(r),
        }
    }

    fn eval_fn(&self, name: &str, arg: &Node, at: &Node, depth: usize) -> Ev {
        match name {
            "Ref" => match arg.as_str() {
                Some(target) => self.eval_ref(target, at),
                None => unres("Ref to a non-string"),
            },
            "Fn::GetAtt" => self.eval_getatt(arg, at, depth),
            "Fn::Sub" => self.eval_sub(arg, at, depth),
            "Fn::Join" => self.eval_join(arg, at, depth),
            "Fn::Select" => self.eval_select(arg, depth),
            "Fn::Split" => self.eval_split(arg, at, depth),
            "Fn::If" => {
                let [cond, yes, no] = arg.items() else {
                    return unres("malformed Fn::If");
                };
                let Some(cname) = cond.as_str() else {
                    return unres("malformed Fn::If");
                };
                match self.condition(cname) {
                    Some(true) => self.eval(yes, depth),
                    Some(false) => self.eval(no, depth),
                    None => unres(format!("condition {cname} cannot be evaluated")),
                }
            }
            "Fn::FindInMap" => self.eval_find_in_map(arg, depth),
            "Fn::Base64" => match self.eval_str(arg, depth) {
                Ok(s) => text(base64(s.as_bytes()), at),
                Err(r) => unres(r),
            },
            "Fn::Length" => match self.eval(arg, depth) {
                Ev::Val(n) if n.is_seq() => text(n.items().len().to_string(), at),
                Ev::Unres(r) => unres(r),
                _ => unres("malformed Fn::Length"),
            },
            "Fn::Equals" => match self.equals(arg, depth) {
                Some(b) => text(b.to_string(), at),
                None => unres("Fn::Equals cannot be evaluated"),
            },
            "Condition" => match arg.as_str().and_then(|c| self.condition(c)) {
                Some(b) => text(b.to_string(), at),
                None => unres("condition cannot be evaluated"),
            },
            "Fn::And" | "Fn::Or" | "Fn::Not" => unres(format!("{name} outside Conditions")),
            "Fn::ImportValue" => unres("Fn::ImportValue"),
            "Fn::GetAZs" => unres("Fn::GetAZs"),
            "Fn::Cidr" => unres("Fn::Cidr"),
            "Fn::Transform" => unres("Fn::Transform"),
            // A value the front end could not resolve: its reason is the useful part.
            UNRESOLVED_MARKER => unres(arg.as_str().unwrap_or("unresolved value")),
            other => unres(format!("{other} is not evaluated")),
        }
    }

    fn eval_ref(&self, target: &str, at: &Node) -> Ev {
        match target {
            "AWS::NoValue" => Ev::NoValue,
            "AWS::Partition" => text("aws", at),
            "AWS::URLSuffix" => text("amazonaws.com", at),
            t if KEPT_PSEUDO.contains(&t) => text(format!("${{{t}}}"), at),
            t if t.starts_with("AWS::") => unres(format!("pseudo-parameter {t}")),
            t => {
                if let Some(p) = self.params.get(t) {
                    return match p.default {
                        None => unres(format!("parameter {t} has no default")),
                        Some(d) if p.is_list && !d.is_seq() => match d.as_str() {
                            Some(s) => Ev::Val(Node {
                                kind: NodeKind::Seq(
                                    s.split(',')
                                        .map(|x| Node::scalar(x.trim(), d.line, d.column))
                                        .collect(),
                                ),
                                ..d.clone_shallow()
                            }),
                            None => unres(format!("parameter {t} has a malformed default")),
                        },
                        Some(d) => Ev::Val(d.clone()),
                    };
                }
                if self.is_resource(t) {
                    text(format!("${{{t}}}"), at)
                } else {
                    unres(format!("Ref to undeclared {t}"))
                }
            }
        }
    }

    fn eval_getatt(&self, arg: &Node, at: &Node, depth: usize) -> Ev {
        let (id, attr) = if let Some(s) = arg.as_str() {
            match s.split_once('.') {
                Some((a, b)) => (a.to_string(), b.to_string()),
                None => return unres("malformed Fn::GetAtt"),
            }
        } else if let [a, b, ..] = arg.items() {
            let Some(a) = a.as_str() else {
                return unres("malformed Fn::GetAtt");
            };
            match self.eval_str(b, depth) {
                Ok(b) => (a.to_string(), b),
                Err(r) => return unres(r),
            }
        } else {
            return unres("malformed Fn::GetAtt");
        };
        if self.is_resource(&id) {
            text(format!("${{{id}.{attr}}}"), at)
        } else {
            unres(format!("Fn::GetAtt of undeclared {id}"))
        }
    }

    fn eval_sub(&self, arg: &Node, at: &Node, depth: usize) -> Ev {
        let (template, vars) = if let Some(s) = arg.as_str() {
            (s, None)
        } else if let [s, vars, ..] = arg.items() {
            match s.as_str() {
                Some(s) => (s, Some(vars)),
                None => return unres("malformed Fn::Sub"),
            }
        } else {
            return unres("malformed Fn::Sub");
        };
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let name = &after[..end];
            if let Some(literal) = name.strip_prefix('!') {
                // `${!Literal}` is written out as `${Literal}`.
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else {
                match self.sub_var(name.trim(), vars, at, depth) {
                    Ok(v) => out.push_str(&v),
                    Err(r) => return unres(r),
                }
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        text(out, at)
    }

    /// The text one `${name}` of an `Fn::Sub` stands for.
    fn sub_var(
        &self,
        name: &str,
        vars: Option<&Node>,
        at: &Node,
        depth: usize,
    ) -> Result<String, String> {
        if let Some(v) = vars.and_then(|v| v.get(name)) {
            return self.eval_str(v, depth);
        }
        if let Some((id, attr)) = name.split_once('.') {
            return if self.is_resource(id) {
                Ok(format!("${{{id}.{attr}}}"))
            } else {
                Err(format!("Fn::Sub of undeclared {id}"))
            };
        }
        match self.eval_ref(name, at) {
            Ev::Val(n) => match n.kind {
                NodeKind::Scalar { text, .. } => Ok(text),
                _ => Err(format!("list parameter {name} in Fn::Sub")),
            },
            Ev::NoValue => Err("AWS::NoValue in Fn::Sub".to_string()),
            Ev::Unres(r) => Err(r),
        }
    }

    fn eval_join(&self, arg: &Node, at: &Node, depth: usize) -> Ev {
        let [delim, list] = arg.items() else {
            return unres("malformed Fn::Join");
        };
        let delim = match self.eval_str(delim, depth) {
            Ok(d) => d,
            Err(r) => return unres(r),
        };
        let list = match self.eval(list, depth) {
            Ev::Val(n) if n.is_seq() => n,
            Ev::Unres(r) => return unres(r),
            _ => return unres("malformed Fn::Join"),
        };
        let mut parts = Vec::with_capacity(list.items().len());
        for item in list.items() {
            match item.as_str() {
                Some(s) => parts.push(s),
                None => return unres("Fn::Join of a non-string"),
            }
        }
        text(parts.join(&delim), at)
    }

    fn eval_select(&self, arg: &Node, depth: usize) -> Ev {
        let [index, list] = arg.items() else {
            return unres("malformed Fn::Select");
        };
        let index: usize = match self.eval_str(index, depth).map(|s| s.trim().parse()) {
            Ok(Ok(i)) => i,
            Ok(Err(_)) => return unres("malformed Fn::Select index"),
            Err(r) => return unres(r),
        };
        match self.eval(list, depth) {
            Ev::Val(n) => match n.items().get(index) {
                Some(item) => Ev::Val(item.clone()),
                None => unres("Fn::Select index out of range"),
            },
            Ev::Unres(r) => unres(r),
            Ev::NoValue => unres("Fn::Select of AWS::NoValue"),
        }
    }

    fn eval_split(&self, arg: &Node, at: &Node, depth: usize) -> Ev {
        let [delim, source] = arg.items() else {
            return unres("malformed Fn::Split");
        };
        let (delim, source) = match (self.eval_str(delim, depth), self.eval_str(source, depth)) {
            (Ok(d), Ok(s)) => (d, s),
            (Err(r), _) | (_, Err(r)) => return unres(r),
        };
        if delim.is_empty() {
            return unres("Fn::Split with an empty delimiter");
        }
        let items = source
            .split(delim.as_str())
            .map(|p| Node::scalar(p, at.line, at.column))
            .collect();
        Ev::Val(Node {
            kind: NodeKind::Seq(items),
            line: at.line,
            column: at.column,
            tag: None,
        })
    }

    fn eval_find_in_map(&self, arg: &Node, depth: usize) -> Ev {
        let items = arg.items();
        if items.len() < 3 {
            return unres("malformed Fn::FindInMap");
        }
        let mut keys = Vec::with_capacity(3);
        for k in &items[..3] {
            match self.eval_str(k, depth) {
                Ok(s) => keys.push(s),
                Err(r) => return unres(r),
            }
        }
        let found = self
            .template
            .get("Mappings")
            .and_then(|m| m.get(&keys[0]))
            .and_then(|m| m.get(&keys[1]))
            .and_then(|m| m.get(&keys[2]));
        match found {
            Some(v) => self.eval(v, depth),
            None => match items.get(3).and_then(|d| d.get("DefaultValue")) {
                Some(d) => self.eval(d, depth),
                None => unres(format!(
                    "Fn::FindInMap {}/{}/{} not found",
                    keys[0], keys[1], keys[2]
                )),
            },
        }
    }
}

/// A node's position and tag without its children (the children are rebuilt by the caller).
trait CloneShallow {
    fn clone_shallow(&self) -> Node;
}

impl CloneShallow for Node {
    fn clone_shallow(&self) -> Node {
        Node {
            kind: NodeKind::Null,
            line: self.line,
            column: self.column,
            tag: self.tag.clone(),
        }
    }
}

/// Standard base64 with padding, as `Fn::Base64` produces.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A one-key mapping `{name: value}` positioned at `at`, for building intrinsic calls.
#[allow(dead_code)] // used by the SAM transform
pub(crate) fn call(name: &str, value: Node, at: &Node) -> Node {
    Node {
        kind: NodeKind::Map(vec![(
            Key {
                name: name.to_string(),
                line: at.line,
                column: at.column,
            },
            value,
        )]),
        line: at.line,
        column: at.column,
        tag: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::parse_yaml;

    const TEMPLATE: &str = r#"
Parameters:
  Env: {Type: String, Default: prod}
  NoDefault: {Type: String}
  Subnets: {Type: CommaDelimitedList, Default: "a, b,c"}
Mappings:
  Sizes:
    prod: {Memory: 1024}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  Both: !And [!Condition IsProd, !Condition IsDev]
  Either: !Or [!Condition IsDev, !Condition IsProd]
  Unknown: !Equals [!Ref NoDefault, x]
  CycleA: !Condition CycleB
  CycleB: !Condition CycleA
  Later: !Equals [!If [IsProd, yes, no], yes]
Resources:
  Bucket: {Type: AWS::S3::Bucket}
  Fn: {Type: AWS::Lambda::Function}
"#;

    fn with<T>(f: impl FnOnce(&Context) -> T) -> T {
        let doc = parse_yaml(TEMPLATE).unwrap().unwrap();
        let ctx = Context::new("t.yaml", &doc);
        f(&ctx)
    }

    fn s(ctx: &Context, yaml: &str) -> Result<String, String> {
        let node = parse_yaml(yaml).unwrap().unwrap();
        let node = node.get("v").unwrap();
        match ctx.string(node).value {
            perimeter_model::Value::Known(v) => Ok(v),
            perimeter_model::Value::Unresolved(r) => Err(r),
        }
    }

    #[test]
    fn refs() {
        with(|c| {
            assert_eq!(s(c, "v: !Ref Env"), Ok("prod".into()));
            assert_eq!(s(c, "v: !Ref Bucket"), Ok("${Bucket}".into()));
            assert_eq!(s(c, "v: !Ref AWS::Region"), Ok("${AWS::Region}".into()));
            assert_eq!(s(c, "v: !Ref AWS::Partition"), Ok("aws".into()));
            assert_eq!(s(c, "v: !Ref AWS::URLSuffix"), Ok("amazonaws.com".into()));
            assert!(
                s(c, "v: !Ref NoDefault")
                    .unwrap_err()
                    .contains("no default")
            );
            assert!(s(c, "v: !Ref Nothing").unwrap_err().contains("undeclared"));
        })
    }

    #[test]
    fn getatt_both_forms() {
        with(|c| {
            assert_eq!(s(c, "v: !GetAtt Fn.Arn"), Ok("${Fn.Arn}".into()));
            assert_eq!(s(c, "v: {Fn::GetAtt: [Fn, Arn]}"), Ok("${Fn.Arn}".into()));
            assert!(s(c, "v: !GetAtt Ghost.Arn").is_err());
            assert_eq!(
                c.ref_target(parse_yaml("!GetAtt Fn.Arn").unwrap().as_ref().unwrap()),
                Some("Fn".into())
            );
            assert_eq!(
                c.ref_target(parse_yaml("!Sub '${Bucket}'").unwrap().as_ref().unwrap()),
                Some("Bucket".into())
            );
            assert_eq!(
                c.ref_target(parse_yaml("!Sub 'x${Bucket}'").unwrap().as_ref().unwrap()),
                None
            );
        })
    }

    #[test]
    fn sub_forms_and_escapes() {
        with(|c| {
            assert_eq!(
                s(
                    c,
                    "v: !Sub 'arn:${AWS::Partition}:s3:::${Bucket}-${Env}/${!Literal}'"
                ),
                Ok("arn:aws:s3:::${Bucket}-prod/${Literal}".into())
            );
            assert_eq!(
                s(c, "v: !Sub ['${A}-${Fn.Arn}', {A: !Ref Env}]"),
                Ok("prod-${Fn.Arn}".into())
            );
            assert!(s(c, "v: !Sub '${NoDefault}'").is_err());
            assert!(s(c, "v: !Sub ['${A}', {A: !ImportValue x}]").is_err());
        })
    }

    #[test]
    fn join_select_split_findinmap_base64() {
        with(|c| {
            assert_eq!(s(c, "v: !Join ['-', [a, !Ref Env]]"), Ok("a-prod".into()));
            assert_eq!(
                s(c, "v: !Select [1, !Split [',', 'x,y,z']]"),
                Ok("y".into())
            );
            assert_eq!(s(c, "v: !Select [2, !Ref Subnets]"), Ok("c".into()));
            assert!(s(c, "v: !Select [9, [a]]").is_err());
            assert_eq!(
                s(c, "v: !FindInMap [Sizes, !Ref Env, Memory]"),
                Ok("1024".into())
            );
            assert!(s(c, "v: !FindInMap [Sizes, dev, Memory]").is_err());
            assert_eq!(
                s(c, "v: !FindInMap [Sizes, dev, Memory, {DefaultValue: 1}]"),
                Ok("1".into())
            );
            assert_eq!(s(c, "v: !Base64 'hello'"), Ok("aGVsbG8=".into()));
            assert!(s(c, "v: !Join ['', [a, !ImportValue b]]").is_err());
        })
    }

    #[test]
    fn unresolvable_functions() {
        with(|c| {
            assert_eq!(s(c, "v: !ImportValue x"), Err("Fn::ImportValue".into()));
            assert!(s(c, "v: !GetAZs ''").is_err());
            assert!(s(c, "v: !Cidr [a, 1, 2]").is_err());
            assert!(s(c, "v: {Fn::Unknown: 1}").is_err());
        })
    }

    #[test]
    fn unresolved_markers_keep_their_reason() {
        with(|c| {
            let why = "${ssm:/db/password} is resolved at deploy time";
            assert_eq!(
                s(c, &format!("v: {{Fn::PerimeterUnresolved: '{why}'}}")),
                Err(why.into())
            );
            assert_eq!(
                s(
                    c,
                    &format!("v: !Join ['', [a, {{Fn::PerimeterUnresolved: '{why}'}}]]")
                ),
                Err(why.into())
            );
            let e = c.evaluate(
                &parse_yaml(&format!("K: {{Fn::PerimeterUnresolved: '{why}'}}"))
                    .unwrap()
                    .unwrap(),
            );
            assert_eq!(
                c.string(e.get("K").unwrap()).value,
                perimeter_model::Value::Unresolved(why.to_string())
            );
        })
    }

    #[test]
    fn conditions() {
        with(|c| {
            assert_eq!(c.condition("IsProd"), Some(true));
            assert_eq!(c.condition("IsDev"), Some(false));
            assert_eq!(c.condition("Both"), Some(false));
            assert_eq!(c.condition("Either"), Some(true));
            assert_eq!(c.condition("Unknown"), None);
            assert_eq!(c.condition("CycleA"), None);
            assert_eq!(c.condition("Later"), Some(true));
            assert_eq!(s(c, "v: !If [IsProd, a, b]"), Ok("a".into()));
            assert_eq!(s(c, "v: !If [IsDev, a, b]"), Ok("b".into()));
            assert!(s(c, "v: !If [Unknown, a, b]").is_err());
        })
    }

    #[test]
    fn evaluate_drops_novalue_and_keeps_unresolved() {
        with(|c| {
            let node = parse_yaml(
                "A: !If [IsDev, x, !Ref AWS::NoValue]\nB: !ImportValue y\nC: [!Ref Env, !If [IsProd, !Ref AWS::NoValue, z]]\nD: !If [IsProd, {K: !Ref Env, U: !ImportValue q}, 1]\n",
            )
            .unwrap()
            .unwrap();
            let e = c.evaluate(&node);
            assert!(e.get("A").is_none());
            assert!(e.get("B").unwrap().get("Fn::ImportValue").is_some());
            assert_eq!(e.get("C").unwrap().items().len(), 1);
            assert_eq!(e.get("D").unwrap().get("K").unwrap().as_str(), Some("prod"));
            assert!(
                e.get("D")
                    .unwrap()
                    .get("U")
                    .unwrap()
                    .get("Fn::ImportValue")
                    .is_some()
            );
        })
    }

    #[test]
    fn hostile_depth_does_not_overflow() {
        // Deeper than the evaluation bound (400 levels), built directly.
        let mut v = Node::scalar("x", 1, 1);
        for _ in 0..200 {
            let list = Node {
                kind: NodeKind::Seq(vec![v]),
                line: 1,
                column: 1,
                tag: None,
            };
            v = call("Fn::Base64", list, &Node::null(1, 1));
        }
        let t = parse_yaml(TEMPLATE).unwrap().unwrap();
        let c = Context::new("t", &t);
        assert!(c.string(&v).known().is_none());
        let _ = c.evaluate(&v);
        assert_eq!(c.ref_target(&v), None);
    }

    #[test]
    fn base64_padding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"a"), "YQ==");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"abc"), "YWJj");
    }
}
