//! The taint walker shared by every language: evaluates each node of a function body in
//! source order, returning the taint of expressions and recording assignments, loops,
//! sanitizing checks, returns and calls. Sinks are matched in [`super::sinks`].

use super::guards::Guards;
use super::symbols::{FileSymbols, FuncDef, named};
use perimeter_model::{FlowStep, Language, Location, SinkKind, TaintFlow};
use std::collections::{HashMap, HashSet};
use tree_sitter::Node;

/// Node evaluations per file (all functions and call contexts together).
const MAX_EVALS: usize = 300_000;
/// Nesting of evaluation (deep expressions, nested calls): bounds the Rust stack.
const MAX_NEST: usize = 160;
/// Depth of same-file calls followed from the handler.
pub(super) const MAX_CALL_DEPTH: usize = 4;
/// Steps kept per taint (the first ones, then the sink).
const MAX_STEPS: usize = 24;
/// Characters of an expression kept in notes and source texts.
const MAX_TEXT: usize = 100;

/// The language families the walker knows (TypeScript is walked as JavaScript).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Python,
    Js,
    Go,
    Java,
}

impl Lang {
    pub fn of(language: Language) -> Option<Lang> {
        Some(match language {
            Language::Python => Lang::Python,
            Language::JavaScript | Language::TypeScript => Lang::Js,
            Language::Go => Lang::Go,
            Language::Java => Lang::Java,
            _ => return None,
        })
    }
}

/// A bit per sink kind, for sanitizers that make a value safe for some sinks only.
pub fn bit(kind: SinkKind) -> u8 {
    match kind {
        SinkKind::OsCommand => 1,
        SinkKind::Code => 2,
        SinkKind::Deserialization => 4,
        SinkKind::Sql => 8,
        SinkKind::NoSql => 16,
        SinkKind::Path => 32,
        SinkKind::Ssrf => 64,
    }
}
pub const ALL_KINDS: u8 = 127;

/// Event data held by a value.
#[derive(Debug, Clone)]
pub struct Taint {
    /// The source expression (`event['body']`).
    pub source: String,
    pub source_loc: Location,
    /// Steps after the source.
    pub steps: Vec<FlowStep>,
    /// Kinds of sink this value was sanitized for.
    pub clean: u8,
    /// The value may be an object or array straight from parsed event data (operator
    /// injection), not a string.
    pub structured: bool,
    /// The value was built as a container literal around event data (a dict of params),
    /// so a string sink does not receive it as text.
    pub container: bool,
    /// Still the bare source chain: member access extends the source text.
    pub fresh: bool,
}

impl Taint {
    pub(super) fn step(mut self, location: Location, note: String) -> Taint {
        self.fresh = false;
        if self.steps.len() < MAX_STEPS {
            self.steps.push(FlowStep { location, note });
        }
        self
    }
}

/// Joins the taint of two operands: the first tainted one, cleaned only where both are.
pub fn union(a: Option<Taint>, b: Option<Taint>) -> Option<Taint> {
    match (a, b) {
        (Some(mut a), Some(b)) => {
            a.clean &= b.clean;
            a.structured |= b.structured;
            a.container &= b.container;
            Some(a)
        }
        (a, b) => a.or(b),
    }
}

#[derive(Default)]
pub(super) struct Frame<'t> {
    pub(super) env: HashMap<String, Taint>,
    pub(super) ret: Option<Taint>,
    /// Names bound to a list literal (`cmd = ["/bin/bash", "-c", x]`), so that a sink given
    /// the name still sees the shell and its flag.
    pub(super) lists: HashMap<String, Node<'t>>,
}

/// One call as the sink tables see it.
pub struct CallInfo<'t> {
    pub node: Node<'t>,
    /// Canonical dotted callee (`subprocess.run`, `child_process.exec`, `cursor.execute`).
    pub canonical: String,
    /// The last name of the callee (`run`, `exec`, `execute`).
    pub method: String,
    pub receiver: Option<Node<'t>>,
    /// Positional arguments.
    pub args: Vec<Node<'t>>,
    /// Keyword arguments (Python).
    pub kwargs: Vec<(String, Node<'t>)>,
    pub is_new: bool,
}

pub struct Analyzer<'a, 't> {
    pub lang: Lang,
    pub path: &'a str,
    pub file: &'a FileSymbols<'t>,
    pub(super) flows: Vec<TaintFlow>,
    pub(super) seen: HashSet<(SinkKind, u32, u32)>,
    pub(super) evals: usize,
    pub(super) nest: usize,
    pub(super) frames: Vec<Frame<'t>>,
    /// Same-file functions being analyzed (call stack), to stop recursion.
    pub(super) calls: Vec<String>,
    /// Routers whose routes have been analyzed.
    pub(super) routed: HashSet<String>,
}

impl<'a, 't> Analyzer<'a, 't> {
    pub fn new(lang: Lang, path: &'a str, file: &'a FileSymbols<'t>) -> Self {
        Analyzer {
            lang,
            path,
            file,
            flows: Vec::new(),
            seen: HashSet::new(),
            evals: 0,
            nest: 0,
            frames: vec![Frame::default()],
            calls: Vec::new(),
            routed: HashSet::new(),
        }
    }

    pub fn into_flows(mut self) -> Vec<TaintFlow> {
        self.flows.sort_by(|a, b| {
            (a.location.line, a.location.column, a.kind).cmp(&(
                b.location.line,
                b.location.column,
                b.kind,
            ))
        });
        self.flows
    }

    pub fn text(&self, node: Node) -> &'t str {
        self.file.text(node)
    }

    pub fn short(&self, node: Node) -> String {
        shorten(self.text(node))
    }

    pub fn loc(&self, node: Node) -> Location {
        let p = node.start_position();
        Location::new(self.path, p.row as u32 + 1, p.column as u32 + 1)
    }

    pub(super) fn env(&mut self) -> &mut HashMap<String, Taint> {
        if self.frames.is_empty() {
            self.frames.push(Frame::default());
        }
        let last = self.frames.len() - 1;
        &mut self.frames[last].env
    }

    /// The list literal a name was bound to, if any.
    pub fn list_literal(&self, name: &str) -> Option<Node<'t>> {
        self.frames.last().and_then(|f| f.lists.get(name)).copied()
    }

    pub(super) fn lookup(&self, name: &str) -> Option<Taint> {
        self.frames.last().and_then(|f| f.env.get(name)).cloned()
    }

    /// Analyzes the handler with its event parameter as the source.
    pub fn run_handler(&mut self, def: FuncDef<'t>) {
        let Some(param) = self.event_param(&def) else {
            return;
        };
        let name = match param.kind() {
            "identifier" => self.text(param).to_string(),
            _ => first_identifier(param)
                .map(|n| self.text(n).to_string())
                .filter(|_| !matches!(param.kind(), "object_pattern" | "array_pattern"))
                .unwrap_or_else(|| "event".to_string()),
        };
        let taint = Taint {
            source: name,
            source_loc: self.loc(param),
            steps: Vec::new(),
            clean: 0,
            structured: true,
            container: false,
            fresh: true,
        };
        self.bind_param(param, Some(taint));
        self.eval_body(def.body);
    }

    /// Analyzes the routes of a router the event is handed to: Powertools routes read
    /// `app.current_event` and get path parameters as arguments; Express callbacks get the
    /// request as their first parameter.
    pub fn run_routes(&mut self, router: &str) {
        if !self.routed.insert(router.to_string()) {
            return;
        }
        let routes: Vec<_> = self
            .file
            .routes
            .iter()
            .filter(|r| r.router == router)
            .cloned()
            .collect();
        for route in routes {
            self.frames.push(Frame::default());
            let fresh = |source: String, location: Location| Taint {
                source,
                source_loc: location,
                steps: Vec::new(),
                clean: 0,
                structured: true,
                container: false,
                fresh: true,
            };
            let at = self.loc(route.def.body);
            match self.lang {
                Lang::Python => {
                    // Powertools `app.current_event`, Chalice `app.current_request`, Flask's
                    // `request` (imported from flask).
                    for key in [
                        format!("{router}.current_event"),
                        format!("{router}.current_request"),
                    ] {
                        self.env().insert(key.clone(), fresh(key, at.clone()));
                    }
                    let flask_request = self
                        .file
                        .aliases
                        .iter()
                        .find(|(_, full)| full.as_str() == "flask.request")
                        .map(|(local, _)| local.clone());
                    if let Some(local) = flask_request {
                        self.env().insert(local.clone(), fresh(local, at.clone()));
                    }
                    for param in &route.def.params {
                        let name = first_identifier(*param)
                            .map(|n| self.text(n).to_string())
                            .unwrap_or_default();
                        let mut t = fresh(format!("path parameter `{name}`"), self.loc(*param));
                        t.structured = false;
                        self.bind_param(*param, Some(t));
                    }
                }
                _ => {
                    if let Some(req) = route.def.params.first() {
                        let t = fresh(self.text(*req).to_string(), self.loc(*req));
                        self.bind_param(*req, Some(t));
                    }
                }
            }
            self.eval(route.def.body);
            self.frames.pop();
        }
    }

    pub(super) fn event_param(&self, def: &FuncDef<'t>) -> Option<Node<'t>> {
        match self.lang {
            Lang::Go => def
                .params
                .iter()
                .copied()
                .find(|p| {
                    let decl = if p.kind() == "parameter_declaration" {
                        Some(*p)
                    } else {
                        p.parent()
                    };
                    let ty = decl
                        .and_then(|d| d.child_by_field_name("type"))
                        .map(|t| self.text(t))
                        .unwrap_or("");
                    !ty.ends_with("Context")
                })
                .filter(|p| p.kind() == "identifier"),
            // Azure Functions' Node.js v3 model passes `(context, req)`: the trigger's data is
            // the second parameter. Lambda handlers never name their event `context`.
            Lang::Js
                if def.params.len() >= 2
                    && def.params.first().is_some_and(|p| {
                        matches!(
                            self.text(*p).split(':').next().map(str::trim),
                            Some("context" | "ctx" | "_context")
                        )
                    }) =>
            {
                def.params.get(1).copied()
            }
            _ => def.params.first().copied(),
        }
    }

    /// Binds a parameter node (identifier, pattern, typed/default parameter).
    pub(super) fn bind_param(&mut self, param: Node<'t>, taint: Option<Taint>) {
        let target = match param.kind() {
            "typed_parameter" | "list_splat_pattern" | "dictionary_splat_pattern" => {
                param.named_child(0)
            }
            "default_parameter" | "typed_default_parameter" => param.child_by_field_name("name"),
            "required_parameter" | "optional_parameter" => param.child_by_field_name("pattern"),
            "assignment_pattern" => param.child_by_field_name("left"),
            "rest_pattern" => param.named_child(0),
            _ => Some(param),
        };
        if let Some(target) = target {
            match target.kind() {
                "identifier" => {
                    let name = self.text(target).to_string();
                    match taint {
                        Some(t) => {
                            self.env().insert(name, t);
                        }
                        None => {
                            self.env().remove(&name);
                        }
                    }
                }
                _ => self.bind(target, taint, None),
            }
        }
    }

    pub(super) fn eval_body(&mut self, body: Node<'t>) {
        self.eval(body);
    }

    /// Evaluates a node: its taint when it is an expression, after visiting everything in it.
    pub fn eval(&mut self, node: Node<'t>) -> Option<Taint> {
        if self.evals >= MAX_EVALS || self.nest >= MAX_NEST {
            return None;
        }
        self.evals += 1;
        self.nest += 1;
        let result = self.eval_inner(node);
        self.nest -= 1;
        result
    }

    pub(super) fn eval_children(&mut self, node: Node<'t>) -> Option<Taint> {
        let mut taint = None;
        for child in named(Some(node)) {
            let t = self.eval(child);
            taint = union(taint, t);
        }
        taint
    }

    pub(super) fn field(&self, node: Node<'t>, name: &str) -> Option<Node<'t>> {
        node.child_by_field_name(name)
    }

    pub(super) fn eval_field(&mut self, node: Node<'t>, name: &str) -> Option<Taint> {
        self.field(node, name).and_then(|n| self.eval(n))
    }

    pub(super) fn eval_inner(&mut self, node: Node<'t>) -> Option<Taint> {
        match node.kind() {
            "comment" | "line_comment" | "block_comment" => None,
            "identifier" | "shorthand_property_identifier" => self.lookup(self.text(node)),
            "this" | "self" => self.lookup(self.text(node)),
            // Literals.
            "integer"
            | "float"
            | "number"
            | "true"
            | "false"
            | "none"
            | "null"
            | "undefined"
            | "int_literal"
            | "float_literal"
            | "decimal_integer_literal"
            | "nil"
            | "interpreted_string_literal"
            | "raw_string_literal"
            | "rune_literal"
            | "character_literal"
            | "regex"
            | "type_identifier"
            | "predefined_type" => None,
            "string_literal" | "string" | "template_string" | "concatenated_string" => {
                self.eval_string(node)
            }
            // Member and element access.
            "attribute" | "member_expression" | "selector_expression" | "field_access" => {
                if let Some(t) = self.lookup(self.text(node)) {
                    return Some(t);
                }
                let object = self
                    .field(node, "object")
                    .or_else(|| self.field(node, "operand"));
                let t = object.and_then(|o| self.eval(o))?;
                let last = self
                    .field(node, "attribute")
                    .or_else(|| self.field(node, "property"))
                    .or_else(|| self.field(node, "field"))
                    .map(|n| self.text(n))
                    .unwrap_or("");
                Some(self.extend(t, node, object, last))
            }
            "subscript" | "subscript_expression" | "index_expression" | "array_access" => {
                let object = self
                    .field(node, "value")
                    .or_else(|| self.field(node, "object"))
                    .or_else(|| self.field(node, "operand"))
                    .or_else(|| self.field(node, "array"));
                let index = self
                    .field(node, "subscript")
                    .or_else(|| self.field(node, "index"));
                let t = object.and_then(|o| self.eval(o));
                if let Some(index) = index {
                    self.eval(index);
                }
                let key = index
                    .map(|i| self.text(i).trim_matches(|c| c == '"' || c == '\''))
                    .unwrap_or("");
                Some(self.extend(t?, node, object, key))
            }
            "call"
            | "call_expression"
            | "new_expression"
            | "method_invocation"
            | "object_creation_expression" => self.eval_call(node),
            // Assignments.
            "assignment" | "variable_declarator" | "assignment_expression" => {
                let left = self
                    .field(node, "left")
                    .or_else(|| self.field(node, "name"));
                let right = self
                    .field(node, "right")
                    .or_else(|| self.field(node, "value"));
                let right = right?;
                if let Some(left) = left
                    && self.pairwise(left, right)
                {
                    return None;
                }
                let t = self.eval(right);
                if let Some(left) = left {
                    self.bind(left, t.clone(), Some(right));
                }
                t
            }
            "augmented_assignment" | "augmented_assignment_expression" => {
                let t = self.eval_field(node, "right");
                if let (Some(left), Some(t)) = (self.field(node, "left"), t.clone()) {
                    let right = self.field(node, "right");
                    self.bind(left, Some(t), right);
                }
                t
            }
            "short_var_declaration" | "assignment_statement" | "var_spec" | "const_spec" => {
                let left = self
                    .field(node, "left")
                    .or_else(|| self.field(node, "name"));
                let right = self
                    .field(node, "right")
                    .or_else(|| self.field(node, "value"));
                let (Some(left), Some(right)) = (left, right) else {
                    return self.eval_children(node);
                };
                let lefts = if left.kind() == "expression_list" {
                    named(Some(left))
                } else {
                    let mut cursor = node.walk();
                    node.children_by_field_name("name", &mut cursor).collect()
                };
                let lefts = if lefts.is_empty() { vec![left] } else { lefts };
                let rights = named(Some(right));
                if lefts.len() == rights.len() && rights.len() > 1 {
                    for (l, r) in lefts.iter().zip(&rights) {
                        let t = self.eval(*r);
                        self.bind(*l, t, Some(*r));
                    }
                    return None;
                }
                let t = self.eval(right);
                for l in lefts {
                    self.bind(l, t.clone(), Some(right));
                }
                None
            }
            "keyword_argument" => self.eval_field(node, "value"),
            // Control flow.
            "if_statement" | "elif_clause" => {
                self.eval_field(node, "initializer");
                let guards = match self.field(node, "condition") {
                    Some(cond) => {
                        self.eval(cond);
                        self.guards(cond)
                    }
                    None => Guards::default(),
                };
                // Each branch starts from the names as they are here, with what the condition
                // vouches for in that branch; afterwards a name holds event data when it does
                // at the end of a branch that falls through (or when no branch ran).
                let before = self.env().clone();
                let mut ends: Vec<HashMap<String, Taint>> = Vec::new();
                self.clean_names(&guards.pass);
                let consequence = self.field(node, "consequence");
                if let Some(c) = consequence {
                    self.eval(c);
                }
                let then_env = std::mem::replace(self.env(), before.clone());
                if !consequence.is_some_and(|c| self.leaves(c)) {
                    ends.push(then_env);
                }
                let mut cursor = node.walk();
                let alternatives: Vec<_> = node
                    .children_by_field_name("alternative", &mut cursor)
                    .collect();
                let has_else = alternatives.iter().any(|a| {
                    matches!(
                        a.kind(),
                        "else_clause" | "block" | "statement_block" | "if_statement"
                    )
                });
                for alt in alternatives {
                    *self.env() = before.clone();
                    self.clean_names(&guards.fail);
                    self.eval(alt);
                    let branch = std::mem::take(self.env());
                    if !self.leaves(alt) {
                        ends.push(branch);
                    }
                }
                if !has_else {
                    *self.env() = before.clone();
                    self.clean_names(&guards.fail);
                    ends.push(std::mem::take(self.env()));
                }
                let mut ends = ends.into_iter();
                let mut merged = ends.next().unwrap_or(before);
                for branch in ends {
                    merge_env(&mut merged, branch);
                }
                *self.env() = merged;
                None
            }
            "while_statement" => {
                if let Some(cond) = self.field(node, "condition") {
                    self.eval(cond);
                    let guards = self.guards(cond);
                    self.clean_names(&guards.pass);
                }
                self.eval_field(node, "body");
                None
            }
            "for_statement" | "for_in_statement" | "enhanced_for_statement" => {
                self.eval_loop(node);
                None
            }
            "list_comprehension"
            | "set_comprehension"
            | "generator_expression"
            | "dictionary_comprehension" => {
                let mut body = None;
                for child in named(Some(node)) {
                    match child.kind() {
                        "for_in_clause" => {
                            let t = self.eval_field(child, "right");
                            if let Some(left) = self.field(child, "left") {
                                let t = t.map(|t| {
                                    let note = format!(
                                        "`{}` iterates over {}",
                                        self.short(left),
                                        self.field(child, "right")
                                            .map(|r| self.short(r))
                                            .unwrap_or_default()
                                    );
                                    self.element(t, self.loc(left), note)
                                });
                                self.bind(left, t, None);
                            }
                        }
                        "if_clause" => {
                            self.eval_children(child);
                        }
                        _ => body = Some(child),
                    }
                }
                body.and_then(|b| self.eval(b))
            }
            "return_statement" => {
                let t = self.eval_children(node);
                if let Some(frame) = self.frames.last_mut() {
                    frame.ret = union(frame.ret.take(), t);
                }
                None
            }
            "conditional_expression" => {
                let parts = named(Some(node));
                let mut t = None;
                for (i, p) in parts.iter().enumerate() {
                    let pt = self.eval(*p);
                    if i != 1 {
                        t = union(t, pt);
                    }
                }
                t
            }
            "ternary_expression" => {
                self.eval_field(node, "condition");
                let a = self.eval_field(node, "consequence");
                let b = self.eval_field(node, "alternative");
                union(a, b)
            }
            "binary_operator" | "binary_expression" | "boolean_operator" => {
                let op = self
                    .field(node, "operator")
                    .map(|o| self.text(o))
                    .unwrap_or("");
                let left = self.eval_field(node, "left");
                let right = self.eval_field(node, "right");
                // Python's `/` joins pathlib paths.
                let propagates = matches!(
                    op,
                    "+" | "%" | "||" | "??" | "&&" | "or" | "and" | "|" | "+=" | ""
                ) || (op == "/" && self.lang == Lang::Python);
                if !propagates {
                    return None;
                }
                let mut t = union(left, right)?;
                t.container = false;
                t.structured = false;
                t.fresh = false;
                if let Some(l) = self.field(node, "left")
                    && (op == "+" || op == "%")
                    && (fixed_host(self.text(l)) || self.clean_leftmost(l))
                {
                    t.clean |= bit(SinkKind::Ssrf);
                }
                Some(t)
            }
            "comparison_operator"
            | "not_operator"
            | "unary_expression"
            | "unary_operator"
            | "instanceof_expression"
            | "update_expression" => {
                let op = self
                    .field(node, "operator")
                    .map(|o| self.text(o))
                    .unwrap_or("");
                let t = self.eval_children(node);
                // Go `&x`, `*x` keep the value.
                matches!(op, "&" | "*").then_some(t).flatten()
            }
            // Functions defined inside the body (callbacks, closures): their body is
            // walked with the enclosing names visible; their returns are their own.
            "function_definition"
            | "arrow_function"
            | "function_expression"
            | "function"
            | "func_literal"
            | "lambda"
            | "lambda_expression"
            | "generator_function" => {
                self.eval_closure(node);
                None
            }
            "class_definition"
            | "class_declaration"
            | "decorator"
            | "import_statement"
            | "import_from_statement"
            | "type_annotation"
            | "type" => None,
            // Containers and everything else: the union of the parts.
            "list"
            | "tuple"
            | "set"
            | "dictionary"
            | "array"
            | "object"
            | "composite_literal"
            | "literal_value"
            | "array_initializer"
            | "array_creation_expression" => {
                let mut t = self.eval_children(node)?;
                t.container = true;
                t.fresh = false;
                Some(t)
            }
            _ => self.eval_children(node),
        }
    }

    /// A branch that always leaves the enclosing block (return, raise/throw, continue, break,
    /// `sys.exit`, Flask's `abort`, `process.exit`).
    fn leaves(&self, node: Node<'t>) -> bool {
        let mut n = node;
        for _ in 0..16 {
            match n.kind() {
                "return_statement" | "raise_statement" | "throw_statement"
                | "continue_statement" | "break_statement" => return true,
                "block" | "statement_block" | "else_clause" | "elif_clause" => {
                    let next = n
                        .child_by_field_name("consequence")
                        .or_else(|| n.child_by_field_name("body"))
                        .or_else(|| named(Some(n)).last().copied());
                    match next {
                        Some(c) => n = c,
                        None => return false,
                    }
                }
                "expression_statement" => {
                    let callee = n
                        .named_child(0)
                        .filter(|c| matches!(c.kind(), "call" | "call_expression"))
                        .and_then(|c| c.child_by_field_name("function"))
                        .map(|f| self.canonical(f));
                    return matches!(
                        callee.as_deref(),
                        Some(
                            "sys.exit"
                                | "exit"
                                | "abort"
                                | "flask.abort"
                                | "os._exit"
                                | "process.exit"
                        )
                    );
                }
                _ => return false,
            }
        }
        false
    }

    /// `a, b = x, y` with as many values as names: binds each to its own value.
    pub(super) fn pairwise(&mut self, left: Node<'t>, right: Node<'t>) -> bool {
        let tuple_left = matches!(
            left.kind(),
            "pattern_list" | "tuple_pattern" | "list_pattern" | "array_pattern"
        );
        let tuple_right = matches!(right.kind(), "expression_list" | "tuple" | "list" | "array");
        if !(tuple_left && tuple_right) {
            return false;
        }
        let lefts = named(Some(left));
        let rights = named(Some(right));
        if lefts.len() != rights.len() {
            return false;
        }
        for (l, r) in lefts.iter().zip(&rights) {
            let t = self.eval(*r);
            self.bind(*l, t, Some(*r));
        }
        true
    }

    pub(super) fn eval_string(&mut self, node: Node<'t>) -> Option<Taint> {
        let mut t = None;
        // The first piece decides who chooses the host of a URL: `f"{BASE_URL}/users/{id}"`.
        let mut first_piece_clean = None;
        for child in named(Some(node)) {
            match child.kind() {
                "interpolation" | "template_substitution" => {
                    let ct = self.eval_children(child);
                    first_piece_clean.get_or_insert(ct.is_none());
                    t = union(t, ct);
                }
                "string_content" | "string_fragment" | "escape_sequence" => {
                    first_piece_clean.get_or_insert(false);
                }
                "string" | "template_string" => {
                    let ct = self.eval_string(child);
                    t = union(t, ct);
                }
                _ => {}
            }
        }
        let mut t = t?;
        t.container = false;
        t.structured = false;
        t.fresh = false;
        if fixed_host(self.text(node)) || first_piece_clean == Some(true) {
            t.clean |= bit(SinkKind::Ssrf);
        }
        Some(t)
    }

    /// `BASE_URL + "/users/" + id`: the leftmost operand is a clean name (an environment
    /// variable, a constant, a field), so event data cannot choose the host.
    pub(super) fn clean_leftmost(&self, node: Node<'t>) -> bool {
        let mut n = node;
        for _ in 0..256 {
            match n.kind() {
                "binary_operator" | "binary_expression" => match n.child_by_field_name("left") {
                    Some(l) => n = l,
                    None => return false,
                },
                "parenthesized_expression" => match n.named_child(0) {
                    Some(c) => n = c,
                    None => return false,
                },
                "identifier"
                | "attribute"
                | "member_expression"
                | "selector_expression"
                | "field_access"
                | "subscript"
                | "subscript_expression" => {
                    let root_clean =
                        root_identifier(n).is_some_and(|r| self.lookup(self.text(r)).is_none());
                    return root_clean && self.lookup(self.text(n)).is_none();
                }
                _ => return false,
            }
        }
        false
    }

    /// Member access on a tainted value: the bare source chain grows (`event` →
    /// `event['body']`); parsed objects stay structured; known string fields do not.
    pub fn extend(
        &self,
        mut t: Taint,
        node: Node<'t>,
        object: Option<Node<'t>>,
        last: &str,
    ) -> Taint {
        if t.fresh {
            let text = self.text(node);
            let object_text = object.map(|o| self.text(o)).unwrap_or("");
            match text.strip_prefix(object_text) {
                // `event["Records"][*]` + `["body"]`
                Some(suffix) if !t.steps.is_empty() && !object_text.is_empty() => {
                    t.source = shorten(&format!("{}{suffix}", t.source));
                }
                _ => t.source = self.short(node),
            }
            if t.steps.is_empty() {
                t.source_loc = self.loc(node);
            }
            if matches!(
                last,
                "body"
                    | "Body"
                    | "queryStringParameters"
                    | "QueryStringParameters"
                    | "pathParameters"
                    | "PathParameters"
                    | "headers"
                    | "Headers"
                    | "rawPath"
                    | "rawQueryString"
                    | "Message"
                    | "key"
                    | "Key"
                    | "path"
            ) {
                t.structured = false;
            }
        }
        t.container = false;
        t
    }

    /// An element of a tainted collection: the source names every element (`[*]`) and
    /// member access on the element keeps extending it.
    pub(super) fn element(&self, t: Taint, location: Location, note: String) -> Taint {
        let fresh = t.fresh;
        let mut t = t;
        t.container = false;
        if fresh {
            t.source = shorten(&format!("{}[*]", t.source));
        }
        let mut t = t.step(location, note);
        t.fresh = fresh;
        t
    }

    pub(super) fn eval_loop(&mut self, node: Node<'t>) {
        let (left, right) = match node.kind() {
            "enhanced_for_statement" => (self.field(node, "name"), self.field(node, "value")),
            "for_statement" if self.lang == Lang::Go => {
                let range = named(Some(node))
                    .into_iter()
                    .find(|c| c.kind() == "range_clause");
                match range {
                    Some(r) => (self.field(r, "left"), self.field(r, "right")),
                    None => (None, None),
                }
            }
            _ => (self.field(node, "left"), self.field(node, "right")),
        };
        if let Some(right) = right {
            let t = self.eval(right);
            if let Some(left) = left {
                let t = t.map(|t| {
                    let note =
                        format!("`{}` iterates over {}", self.short(left), self.short(right));
                    let loc = self.loc(left);
                    self.element(t, loc, note)
                });
                let lefts = if left.kind() == "expression_list" {
                    named(Some(left))
                } else {
                    vec![left]
                };
                for l in lefts {
                    self.bind(l, t.clone(), None);
                }
            }
        } else {
            // C-style for: initializer, condition, update.
            for f in ["initializer", "condition", "update", "increment"] {
                self.eval_field(node, f);
            }
        }
        if let Some(body) = self.field(node, "body") {
            self.eval(body);
        } else {
            // Go `for` without range: visit everything.
            for child in named(Some(node)) {
                if child.kind() != "range_clause" {
                    self.eval(child);
                }
            }
        }
        if let Some(alt) = self.field(node, "alternative") {
            self.eval(alt);
        }
    }

    pub(super) fn eval_closure(&mut self, node: Node<'t>) {
        let Some(body) = self.field(node, "body") else {
            return;
        };
        let saved = self.frames.last_mut().and_then(|f| f.ret.take());
        self.eval(body);
        if let Some(frame) = self.frames.last_mut() {
            frame.ret = saved;
        }
    }

    /// Binds an assignment target to a taint (`None` clears plain names).
    pub fn bind(&mut self, target: Node<'t>, taint: Option<Taint>, value: Option<Node<'t>>) {
        match target.kind() {
            "identifier" | "shorthand_property_identifier_pattern" => {
                let name = self.text(target).to_string();
                if let Some(frame) = self.frames.last_mut() {
                    match value.filter(|v| matches!(v.kind(), "list" | "tuple" | "array")) {
                        Some(v) => frame.lists.insert(name.clone(), v),
                        None => frame.lists.remove(&name),
                    };
                }
                match taint {
                    Some(t) => {
                        // Without a value the caller has already said how it got here.
                        let t = match value {
                            Some(v) => {
                                let note = format!("`{name}` = {}", self.short(v));
                                t.step(self.loc(target), note)
                            }
                            None => t,
                        };
                        self.env().insert(name, t);
                    }
                    None => {
                        self.env().remove(&name);
                    }
                }
            }
            "attribute"
            | "member_expression"
            | "selector_expression"
            | "field_access"
            | "subscript"
            | "subscript_expression"
            | "index_expression"
            | "array_access" => {
                let Some(t) = taint else {
                    let key = self.text(target).to_string();
                    self.env().remove(&key);
                    return;
                };
                let key = self.text(target).to_string();
                let note = match value {
                    Some(v) => format!("`{key}` = {}", self.short(v)),
                    None => format!("`{key}` holds it"),
                };
                let t = t.step(self.loc(target), note);
                let root = root_identifier(target).map(|r| self.text(r).to_string());
                // The object now holds event data too (`params['cmd'] = x`).
                if let Some(root) = root
                    && root != "self"
                    && root != "this"
                    && self.lookup(&root).is_none()
                {
                    let mut rt = t.clone();
                    rt.container = true;
                    self.env().insert(root, rt);
                }
                self.env().insert(key, t);
            }
            "pattern_list" | "tuple_pattern" | "list_pattern" | "array_pattern"
            | "expression_list" | "list" | "tuple" => {
                for child in named(Some(target)) {
                    self.bind(child, taint.clone(), value);
                }
            }
            "list_splat_pattern" | "rest_pattern" | "parenthesized_expression" => {
                if let Some(inner) = target.named_child(0) {
                    self.bind(inner, taint, value);
                }
            }
            "object_pattern" => {
                for child in named(Some(target)) {
                    match child.kind() {
                        "shorthand_property_identifier_pattern" => {
                            let name = self.text(child);
                            let t = taint.clone().map(|t| self.extend_key(t, name));
                            self.bind(child, t, value);
                        }
                        "pair_pattern" => {
                            let key = self.field(child, "key").map(|k| self.text(k)).unwrap_or("");
                            let t = taint.clone().map(|t| self.extend_key(t, key));
                            if let Some(v) = self.field(child, "value") {
                                self.bind(v, t, value);
                            }
                        }
                        "object_assignment_pattern" => {
                            if let Some(l) = self.field(child, "left") {
                                let name = self.text(l);
                                let t = taint.clone().map(|t| self.extend_key(t, name));
                                self.bind(l, t, value);
                            }
                        }
                        "rest_pattern" => self.bind(child, taint.clone(), value),
                        _ => {}
                    }
                }
            }
            "assignment_pattern" => {
                if let Some(l) = self.field(target, "left") {
                    self.bind(l, taint, value);
                }
            }
            "unary_expression" | "pointer_expression" => {
                if let Some(inner) = target.named_child(0) {
                    self.bind(inner, taint, value);
                }
            }
            _ => {}
        }
    }

    pub(super) fn extend_key(&self, mut t: Taint, key: &str) -> Taint {
        if t.fresh {
            t.source = shorten(&format!("{}.{key}", t.source));
            if matches!(
                key,
                "body" | "queryStringParameters" | "pathParameters" | "headers"
            ) {
                t.structured = false;
            }
        }
        t.container = false;
        t
    }

    /// Records a flow (once per sink call and kind).
    pub fn report(&mut self, kind: SinkKind, sink: &str, taint: &Taint, call: Node<'t>) {
        if taint.clean & bit(kind) != 0 {
            return;
        }
        let location = self.loc(call);
        if !self.seen.insert((kind, location.line, location.column)) {
            return;
        }
        let mut steps = Vec::with_capacity(taint.steps.len() + 2);
        steps.push(FlowStep {
            location: taint.source_loc.clone(),
            note: format!("event data: {}", taint.source),
        });
        steps.extend(taint.steps.iter().cloned());
        steps.push(FlowStep {
            location: location.clone(),
            note: format!("reaches `{sink}`"),
        });
        self.flows.push(TaintFlow {
            kind,
            sink: sink.to_string(),
            source: taint.source.clone(),
            steps,
            location,
        });
    }
}

pub(super) fn first_identifier(node: Node<'_>) -> Option<Node<'_>> {
    if node.kind() == "identifier" {
        return Some(node);
    }
    let mut cursor = node.walk();
    let children: Vec<_> = node.named_children(&mut cursor).collect();
    children.into_iter().find_map(first_identifier)
}

/// Adds a branch's names to the merged ones: a name tainted in any branch stays tainted, and
/// a name sanitized in one branch but not another is not sanitized.
fn merge_env(merged: &mut HashMap<String, Taint>, branch: HashMap<String, Taint>) {
    for (name, taint) in branch {
        match merged.get(&name) {
            Some(current) if current.clean & !taint.clean == 0 => {}
            _ => {
                merged.insert(name, taint);
            }
        }
    }
}

/// The variable at the root of `a.b[c].d` (`a`), through `&a` and `*a`.
pub fn root_identifier(node: Node<'_>) -> Option<Node<'_>> {
    let mut n = node;
    for _ in 0..64 {
        match n.kind() {
            "identifier" => return Some(n),
            "attribute" | "member_expression" | "selector_expression" | "field_access" => {
                n = n
                    .child_by_field_name("object")
                    .or_else(|| n.child_by_field_name("operand"))?;
            }
            "subscript" | "subscript_expression" | "index_expression" | "array_access" => {
                n = n
                    .child_by_field_name("value")
                    .or_else(|| n.child_by_field_name("object"))
                    .or_else(|| n.child_by_field_name("operand"))
                    .or_else(|| n.child_by_field_name("array"))?;
            }
            "unary_expression" | "pointer_expression" | "parenthesized_expression" => {
                n = n
                    .child_by_field_name("operand")
                    .or_else(|| n.named_child(0))?;
            }
            _ => return None,
        }
    }
    None
}

pub fn is_function(node: Node) -> bool {
    matches!(
        node.kind(),
        "arrow_function" | "function_expression" | "function" | "lambda" | "func_literal"
    )
}

pub fn is_string_literal(node: Node) -> bool {
    matches!(
        node.kind(),
        "string"
            | "string_literal"
            | "interpreted_string_literal"
            | "raw_string_literal"
            | "template_string"
    )
}

/// The value of a string literal without interpolation.
pub fn literal_value(a: &Analyzer, node: Node) -> Option<String> {
    if !is_string_literal(node) {
        return None;
    }
    let has_interp = named(Some(node))
        .iter()
        .any(|c| matches!(c.kind(), "interpolation" | "template_substitution"));
    if has_interp {
        return None;
    }
    let text = a.text(node);
    let text = text.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let text = text
        .trim_start_matches(['"', '\'', '`'])
        .trim_end_matches(['"', '\'', '`']);
    Some(text.to_string())
}

/// A string that starts with a fixed `scheme://host/`: event data after it cannot choose
/// the host (no SSRF in the host sense).
pub fn fixed_host(text: &str) -> bool {
    let t = text.trim_start_matches(|c: char| c.is_ascii_alphabetic() && c != 'h');
    let t = t.trim_start_matches(['"', '\'', '`']);
    let Some(rest) = t
        .strip_prefix("https://")
        .or_else(|| t.strip_prefix("http://"))
    else {
        return false;
    };
    let host_end = rest.find(['/', '?', '#']);
    match host_end {
        Some(i) => {
            let host = &rest[..i];
            !host.is_empty() && !host.contains(['{', '$', '%', '"', '\'', '`', '+'])
        }
        None => false,
    }
}

pub fn shorten(text: &str) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= MAX_TEXT {
        one_line
    } else {
        let cut: String = one_line.chars().take(MAX_TEXT).collect();
        format!("{cut}…")
    }
}
