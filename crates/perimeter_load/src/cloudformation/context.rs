//! The evaluation context of one template: its parameters (with defaults), mappings,
//! conditions (evaluated once, on parameter defaults), the logical IDs and types of its
//! resources, and the typed accessors loaders use to read property values.
//!
//! The intrinsic functions themselves live in [`super::intrinsics`]; this module holds the
//! state they read and the public, documented conventions the loaders rely on.

use super::intrinsics::{Ev, MAX_EVAL_DEPTH};
use crate::doc::{Node, NodeKind};
use perimeter_model::{Attr, Location};
use std::collections::{HashMap, HashSet};

/// A template parameter as the evaluator needs it.
pub(crate) struct Param<'a> {
    pub(crate) default: Option<&'a Node>,
    /// `List<…>` and `CommaDelimitedList` parameters evaluate to lists.
    pub(crate) is_list: bool,
}

/// The evaluation context of one template.
pub struct Context<'a> {
    pub file: &'a str,
    pub template: &'a Node,
    pub(crate) params: HashMap<String, Param<'a>>,
    /// Resource logical ID → declared type.
    pub(crate) resources: HashMap<String, String>,
    /// Logical IDs that exist without being written as resources (SAM's generated roles and
    /// implicit APIs, a Serverless service's generated functions), so `Ref`/`GetAtt` to them
    /// follow the resource convention.
    pub(crate) extra_ids: HashSet<String>,
    /// Generated logical IDs of functions whose model ID differs (a Serverless service's
    /// `{Name}LambdaFunction` → its function key), so links to them find the function.
    pub(crate) function_ids: HashMap<String, String>,
    /// Each named condition: `Some(value)` when it can be decided on parameter defaults.
    pub(crate) conditions: HashMap<String, Option<bool>>,
}

impl<'a> Context<'a> {
    /// A context over `template` (a whole template mapping: `Parameters`, `Conditions`,
    /// `Mappings`, `Resources`, …), declared in `file` (relative to the scan root).
    pub fn new(file: &'a str, template: &'a Node) -> Self {
        let params = template
            .get("Parameters")
            .map(|p| {
                p.entries()
                    .iter()
                    .map(|(k, v)| {
                        let ty = v.get("Type").and_then(Node::as_str).unwrap_or("String");
                        let is_list = ty.starts_with("List<") || ty == "CommaDelimitedList";
                        (
                            k.name.clone(),
                            Param {
                                default: v.get("Default").filter(|d| !d.is_null()),
                                is_list,
                            },
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let resources = template
            .get("Resources")
            .map(|r| {
                r.entries()
                    .iter()
                    .map(|(k, v)| {
                        let ty = v
                            .get("Type")
                            .and_then(Node::as_str)
                            .unwrap_or("")
                            .to_string();
                        (k.name.clone(), ty)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut ctx = Context {
            file,
            template,
            params,
            resources,
            extra_ids: HashSet::new(),
            function_ids: HashMap::new(),
            conditions: HashMap::new(),
        };
        ctx.compute_conditions();
        ctx
    }

    /// Declares a logical ID that exists without being written in `Resources` (a generated
    /// resource), so that `Ref`/`Fn::GetAtt` to it evaluate like a resource reference.
    pub fn add_resource_id(&mut self, id: impl Into<String>) {
        self.extra_ids.insert(id.into());
    }

    /// Declares a generated function: `logical_id` is a resource (as with
    /// [`Context::add_resource_id`]) that stands for the function `function_id` of the app,
    /// so that permissions, event source mappings, notifications, subscriptions, rules and
    /// log groups referring to `logical_id` link to that function.
    pub fn add_function_id(
        &mut self,
        logical_id: impl Into<String>,
        function_id: impl Into<String>,
    ) {
        let logical_id = logical_id.into();
        self.extra_ids.insert(logical_id.clone());
        self.function_ids.insert(logical_id, function_id.into());
    }

    /// `true` when `id` is a resource of this template (written or generated).
    pub fn is_resource(&self, id: &str) -> bool {
        self.resources.contains_key(id) || self.extra_ids.contains(id)
    }

    /// The declared type of resource `id` (`AWS::S3::Bucket`, …), when written in the template.
    pub fn resource_type(&self, id: &str) -> Option<&str> {
        self.resources.get(id).map(String::as_str)
    }

    /// The value of a named condition, when it can be decided on parameter defaults.
    pub fn condition(&self, name: &str) -> Option<bool> {
        self.conditions.get(name).copied().flatten()
    }

    /// Where `node` is written.
    pub fn loc(&self, node: &Node) -> Location {
        Location::new(self.file, node.line, node.column)
    }

    /// Evaluates `node` to a string.
    ///
    /// Conventions: a `Ref` to a resource gives `${LogicalId}`, `Fn::GetAtt` gives
    /// `${LogicalId.Attribute}`; `AWS::Region`/`AWS::AccountId`/`AWS::StackName` stay as
    /// `${AWS::Region}` etc.; `AWS::Partition` is `aws`, `AWS::URLSuffix` `amazonaws.com`;
    /// a parameter gives its default (unresolved without one); `Fn::ImportValue`, unknown
    /// functions and anything depending on an unresolved value are unresolved.
    pub fn string(&self, node: &Node) -> Attr<String> {
        let loc = self.loc(node);
        match self.eval(node, 0) {
            Ev::Val(n) => match n.kind {
                NodeKind::Scalar { text, .. } => Attr::explicit(text, loc),
                NodeKind::Null => Attr::unresolved("null value", loc),
                NodeKind::Seq(_) => Attr::unresolved("a list where a string was expected", loc),
                NodeKind::Map(_) => Attr::unresolved("a mapping where a string was expected", loc),
            },
            Ev::NoValue => Attr::unresolved("AWS::NoValue", loc),
            Ev::Unres(reason) => Attr::unresolved(reason, loc),
        }
    }

    /// A string or a list of strings (each element evaluated).
    pub fn strings(&self, node: &Node) -> Vec<Attr<String>> {
        match self.eval(node, 0) {
            Ev::Val(n) if n.is_seq() => {
                // Keep each element's own position when the list was written literally.
                if node.is_seq() && node.items().len() == n.items().len() {
                    node.items().iter().map(|i| self.string(i)).collect()
                } else {
                    let loc = self.loc(node);
                    n.items()
                        .iter()
                        .map(|i| match i.as_str() {
                            Some(s) => Attr::explicit(s.to_string(), loc.clone()),
                            None => Attr::unresolved("not a string", loc.clone()),
                        })
                        .collect()
                }
            }
            Ev::NoValue => Vec::new(),
            // A literal list with an unresolved element: keep the resolved ones.
            _ if node.is_seq() => node
                .items()
                .iter()
                .filter(|i| !matches!(self.eval(i, 0), Ev::NoValue))
                .map(|i| self.string(i))
                .collect(),
            _ => vec![self.string(node)],
        }
    }

    pub fn bool(&self, node: &Node) -> Attr<bool> {
        let s = self.string(node);
        let loc = s.location.clone();
        match s.as_str().map(str::to_ascii_lowercase).as_deref() {
            Some("true") => Attr::explicit(true, loc),
            Some("false") => Attr::explicit(false, loc),
            Some(_) => Attr::unresolved("not a static boolean", loc),
            None => Attr {
                value: perimeter_model::Value::Unresolved(unresolved_reason(&s)),
                ..s.map(|_| false)
            },
        }
    }

    pub fn int(&self, node: &Node) -> Attr<i64> {
        let s = self.string(node);
        let loc = s.location.clone();
        match s.as_str().map(|v| v.trim().parse()) {
            Some(Ok(v)) => Attr::explicit(v, loc),
            Some(Err(_)) => Attr::unresolved("not a static number", loc),
            None => Attr {
                value: perimeter_model::Value::Unresolved(unresolved_reason(&s)),
                ..s.map(|_| 0)
            },
        }
    }

    /// The logical ID a `Ref`/`Fn::GetAtt`/`Fn::Sub` of a single resource points at, when that
    /// resource is declared in this template.
    pub fn ref_target(&self, node: &Node) -> Option<String> {
        let Ev::Val(n) = self.eval(node, 0) else {
            return None;
        };
        let text = n.as_str()?;
        let inner = text.strip_prefix("${")?.strip_suffix('}')?;
        let id = inner.split('.').next()?;
        (self.is_resource(id) && !inner.contains(['$', '{', '}'])).then(|| id.to_string())
    }

    /// `node` with every intrinsic that can be evaluated replaced by its value (`Fn::If` takes
    /// the branch its condition selects), so loaders can read properties with plain lookups.
    ///
    /// An intrinsic that cannot be evaluated is kept as written (so [`Context::string`] on it
    /// is unresolved with its reason); `AWS::NoValue` removes the entry or item holding it.
    pub fn evaluate(&self, node: &Node) -> Node {
        self.partial(node, 0)
            .unwrap_or_else(|| Node::null(node.line, node.column))
    }

    /// Evaluates every named condition once, on parameter defaults. Cycles and unknown
    /// inputs leave a condition undecided (`None`).
    fn compute_conditions(&mut self) {
        let Some(conds) = self.template.get("Conditions") else {
            return;
        };
        let names: Vec<String> = conds
            .entries()
            .iter()
            .map(|(k, _)| k.name.clone())
            .collect();
        let mut visiting = HashSet::new();
        for name in names {
            self.condition_named(&name, &mut visiting, 0);
        }
    }

    fn condition_named(
        &mut self,
        name: &str,
        visiting: &mut HashSet<String>,
        depth: usize,
    ) -> Option<bool> {
        if let Some(v) = self.conditions.get(name) {
            return *v;
        }
        if depth > MAX_EVAL_DEPTH || !visiting.insert(name.to_string()) {
            return None; // a cycle or hostile depth: undecided
        }
        let expr = self.template.get("Conditions").and_then(|c| c.get(name));
        let value = match expr {
            Some(e) => self.condition_expr(e, visiting, depth + 1),
            None => None,
        };
        visiting.remove(name);
        self.conditions.insert(name.to_string(), value);
        value
    }

    fn condition_expr(
        &mut self,
        node: &'a Node,
        visiting: &mut HashSet<String>,
        depth: usize,
    ) -> Option<bool> {
        if depth > MAX_EVAL_DEPTH {
            return None;
        }
        let (key, arg) = node.single_entry()?;
        match key.name.as_str() {
            "Condition" => {
                let name = arg.as_str()?.to_string();
                self.condition_named(&name, visiting, depth + 1)
            }
            "Fn::Not" => {
                let inner = if arg.is_seq() {
                    arg.items().first()?
                } else {
                    arg
                };
                self.condition_expr(inner, visiting, depth + 1).map(|v| !v)
            }
            "Fn::And" | "Fn::Or" => {
                let is_and = key.name == "Fn::And";
                let mut undecided = false;
                for item in arg.items() {
                    match self.condition_expr(item, visiting, depth + 1) {
                        Some(v) if v != is_and => return Some(v),
                        Some(_) => {}
                        None => undecided = true,
                    }
                }
                if undecided { None } else { Some(is_and) }
            }
            "Fn::Equals" => {
                // Sub-conditions referenced from inside Equals are computed first.
                self.prepare_nested_ifs(arg, visiting, depth + 1);
                self.equals(arg, depth + 1)
            }
            _ => None,
        }
    }

    /// Decides conditions used by `Fn::If` inside a condition expression before it is
    /// evaluated, so the order of the `Conditions` block does not matter.
    fn prepare_nested_ifs(&mut self, node: &'a Node, visiting: &mut HashSet<String>, depth: usize) {
        if depth > MAX_EVAL_DEPTH {
            return;
        }
        if let Some((k, arg)) = node.single_entry()
            && k.name == "Fn::If"
            && let Some(name) = arg.items().first().and_then(Node::as_str)
        {
            let name = name.to_string();
            self.condition_named(&name, visiting, depth + 1);
        }
        match &node.kind {
            NodeKind::Map(m) => m
                .iter()
                .for_each(|(_, v)| self.prepare_nested_ifs(v, visiting, depth + 1)),
            NodeKind::Seq(s) => s
                .iter()
                .for_each(|v| self.prepare_nested_ifs(v, visiting, depth + 1)),
            _ => {}
        }
    }

    /// `Fn::Equals` on two evaluated values; `None` when either is unresolved.
    pub(crate) fn equals(&self, arg: &Node, depth: usize) -> Option<bool> {
        let [a, b] = arg.items() else { return None };
        let (Ev::Val(a), Ev::Val(b)) = (self.eval(a, depth), self.eval(b, depth)) else {
            return None;
        };
        Some(same_value(&a, &b))
    }
}

/// The reason an unresolved string attribute carries.
fn unresolved_reason(a: &Attr<String>) -> String {
    match &a.value {
        perimeter_model::Value::Unresolved(r) => r.clone(),
        perimeter_model::Value::Known(_) => String::new(),
    }
}

/// Structural equality that ignores positions and quoting.
fn same_value(a: &Node, b: &Node) -> bool {
    match (&a.kind, &b.kind) {
        (NodeKind::Scalar { text: x, .. }, NodeKind::Scalar { text: y, .. }) => x == y,
        (NodeKind::Null, NodeKind::Null) => true,
        (NodeKind::Seq(x), NodeKind::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_value(p, q))
        }
        (NodeKind::Map(x), NodeKind::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((kp, p), (kq, q))| kp.name == kq.name && same_value(p, q))
        }
        _ => false,
    }
}
