//! What one file declares: its functions (by name) and its imports (local name → module
//! path), and how the handler is found among the functions.

use super::engine::Lang;
use std::collections::{HashMap, HashSet};
use tree_sitter::{Node, Tree};

/// Files with more nodes than this are walked only up to it when collecting symbols.
const MAX_SYMBOL_NODES: usize = 400_000;

/// One function, method, or function-valued variable.
#[derive(Clone)]
pub struct FuncDef<'t> {
    /// The parameter nodes, in order (identifiers or patterns, language-specific shapes).
    pub params: Vec<Node<'t>>,
    /// The body (a block, or an expression for arrow functions).
    pub body: Node<'t>,
}

struct OwnedDef<'t> {
    params: Vec<Node<'t>>,
    body: Node<'t>,
}

pub struct FileSymbols<'t> {
    pub lang: Lang,
    pub source: &'t str,
    root: Node<'t>,
    funcs: HashMap<String, Vec<OwnedDef<'t>>>,
    /// Local name → canonical dotted name (`sp` → `subprocess`, `exec` → `child_process.exec`,
    /// `system` → `os.system`).
    pub aliases: HashMap<String, String>,
    /// Names of functions defined as class methods (callable on a local instance).
    pub methods: HashSet<String>,
    /// Route functions of an in-handler router: Powertools `@app.get("/x")` functions, Express
    /// `app.get("/x", (req, res) => ...)` callbacks. The handler hands the event to the router
    /// (`app.resolve(event, context)`, `serverless(app)`).
    pub routes: Vec<Route<'t>>,
    /// Express applications and routers (`const app = express()`).
    pub express_apps: HashSet<String>,
}

/// One route function and the router that dispatches to it.
#[derive(Clone)]
pub struct Route<'t> {
    pub router: String,
    pub def: FuncDef<'t>,
}

const ROUTE_VERBS: &[&str] = &[
    "get", "post", "put", "delete", "patch", "head", "options", "route", "all",
];

impl<'t> FileSymbols<'t> {
    pub fn collect(lang: Lang, source: &'t str, tree: &'t Tree) -> Self {
        let mut file = FileSymbols {
            lang,
            source,
            root: tree.root_node(),
            funcs: HashMap::new(),
            aliases: HashMap::new(),
            methods: HashSet::new(),
            routes: Vec::new(),
            express_apps: HashSet::new(),
        };
        let mut stack = vec![tree.root_node()];
        let mut seen = 0usize;
        while let Some(node) = stack.pop() {
            seen += 1;
            if seen > MAX_SYMBOL_NODES {
                break;
            }
            file.visit(node);
            // Source order (children pushed last-first), so an alias sees earlier imports.
            let mut cursor = node.walk();
            let children: Vec<_> = node.named_children(&mut cursor).collect();
            stack.extend(children.into_iter().rev());
        }
        file
    }

    pub fn text(&self, node: Node) -> &'t str {
        node.utf8_text(self.source.as_bytes()).unwrap_or("")
    }

    /// The functions named `name` (several when overloaded or redefined), as definitions.
    pub fn functions(&self, name: &str) -> Vec<FuncDef<'t>> {
        self.funcs
            .get(name)
            .map(|defs| {
                defs.iter()
                    .map(|d| FuncDef {
                        params: d.params.clone(),
                        body: d.body,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn has_function(&self, name: &str) -> bool {
        self.funcs.contains_key(name)
    }

    fn add(&mut self, name: &str, params: Vec<Node<'t>>, body: Node<'t>) {
        if name.is_empty() {
            return;
        }
        self.funcs
            .entry(name.to_string())
            .or_default()
            .push(OwnedDef { params, body });
    }

    fn visit(&mut self, node: Node<'t>) {
        match (self.lang, node.kind()) {
            (Lang::Python, "function_definition") => {
                let (Some(name), Some(body)) = (
                    node.child_by_field_name("name"),
                    node.child_by_field_name("body"),
                ) else {
                    return;
                };
                let mut params = named(node.child_by_field_name("parameters"));
                // Methods: `self`/`cls` is bound by the call, not passed.
                if params
                    .first()
                    .is_some_and(|p| matches!(self.text(*p), "self" | "cls"))
                {
                    params.remove(0);
                }
                let name = self.text(name);
                if node
                    .parent()
                    .and_then(|b| b.parent())
                    .is_some_and(|c| c.kind() == "class_definition")
                {
                    self.methods.insert(name.to_string());
                }
                if let Some(router) = self.python_route(node) {
                    self.routes.push(Route {
                        router,
                        def: FuncDef {
                            params: params.clone(),
                            body,
                        },
                    });
                }
                self.add(name, params, body);
            }
            (Lang::Js, "call_expression") => {
                self.express_route(node);
                self.registration(node);
            }
            (Lang::Python, "import_statement") => {
                let mut cursor = node.walk();
                for child in node.children_by_field_name("name", &mut cursor) {
                    self.python_alias(child, None);
                }
            }
            (Lang::Python, "import_from_statement") => {
                let module = node
                    .child_by_field_name("module_name")
                    .map(|m| self.text(m).to_string())
                    .unwrap_or_default();
                let mut cursor = node.walk();
                for child in node.children_by_field_name("name", &mut cursor) {
                    self.python_alias(child, Some(&module));
                }
            }
            (
                Lang::Js,
                "function_declaration" | "generator_function_declaration" | "method_definition",
            ) => {
                let (Some(name), Some(body)) = (
                    node.child_by_field_name("name"),
                    node.child_by_field_name("body"),
                ) else {
                    return;
                };
                let params = named(node.child_by_field_name("parameters"));
                let name = self.text(name);
                if node.kind() == "method_definition" {
                    self.methods.insert(name.to_string());
                }
                self.add(name, params, body);
            }
            (Lang::Js, "variable_declarator") => {
                let (Some(name), Some(value)) = (
                    node.child_by_field_name("name"),
                    node.child_by_field_name("value"),
                ) else {
                    return;
                };
                if name.kind() == "identifier" {
                    let local = self.text(name).to_string();
                    self.js_value(&local, value);
                } else if name.kind() == "object_pattern" {
                    // const { exec } = require('child_process')
                    if let Some(module) = self.require_of(value) {
                        self.js_destructured_import(name, &module);
                    }
                }
            }
            (Lang::Js, "assignment_expression") => {
                // exports.handler = async (event) => {...}; module.exports.main = handler
                let (Some(left), Some(right)) = (
                    node.child_by_field_name("left"),
                    node.child_by_field_name("right"),
                ) else {
                    return;
                };
                if left.kind() == "member_expression"
                    && let Some(prop) = left.child_by_field_name("property")
                {
                    let local = self.text(prop).to_string();
                    self.js_value(&local, right);
                }
            }
            (Lang::Js, "import_statement") => self.js_import(node),
            (Lang::Js, "pair") => {
                // module.exports = { handler: async (event) => {...} }
                let (Some(key), Some(value)) = (
                    node.child_by_field_name("key"),
                    node.child_by_field_name("value"),
                ) else {
                    return;
                };
                if matches!(
                    value.kind(),
                    "arrow_function" | "function_expression" | "function"
                ) {
                    let local = self
                        .text(key)
                        .trim_matches(|c| c == '\'' || c == '"')
                        .to_string();
                    self.js_value(&local, value);
                }
            }
            (Lang::Go, "function_declaration" | "method_declaration") => {
                let (Some(name), Some(body)) = (
                    node.child_by_field_name("name"),
                    node.child_by_field_name("body"),
                ) else {
                    return;
                };
                let mut params = Vec::new();
                if let Some(list) = node.child_by_field_name("parameters") {
                    let mut cursor = list.walk();
                    for decl in list.named_children(&mut cursor) {
                        params.extend(go_param_names(decl));
                    }
                }
                let name = self.text(name);
                self.add(name, params, body);
            }
            (Lang::Java, "method_declaration" | "constructor_declaration") => {
                let (Some(name), Some(body)) = (
                    node.child_by_field_name("name"),
                    node.child_by_field_name("body"),
                ) else {
                    return;
                };
                let params = named(node.child_by_field_name("parameters"))
                    .into_iter()
                    .filter_map(|p| p.child_by_field_name("name"))
                    .collect();
                let name = self.text(name);
                self.add(name, params, body);
            }
            _ => {}
        }
    }

    /// `@app.get("/todos/<todo_id>")` on a function: the router's name.
    fn python_route(&self, function: Node<'t>) -> Option<String> {
        let decorated = function
            .parent()
            .filter(|p| p.kind() == "decorated_definition")?;
        for decorator in named(Some(decorated)) {
            if decorator.kind() != "decorator" {
                continue;
            }
            let Some(call) = decorator.named_child(0).filter(|c| c.kind() == "call") else {
                continue;
            };
            let Some(function) = call
                .child_by_field_name("function")
                .filter(|f| f.kind() == "attribute")
            else {
                continue;
            };
            let (Some(object), Some(verb)) = (
                function.child_by_field_name("object"),
                function.child_by_field_name("attribute"),
            ) else {
                continue;
            };
            if object.kind() == "identifier" && ROUTE_VERBS.contains(&self.text(verb)) {
                return Some(self.text(object).to_string());
            }
        }
        None
    }

    /// `functions.http('resize', (req, res) => …)` (Google Cloud's Functions Framework) and
    /// `app.http('orders', { handler: async (request, context) => … })` (Azure's v4 model):
    /// the function is known by the registered name, which the deployment names as its
    /// entry point.
    fn registration(&mut self, call: Node<'t>) {
        let Some(name) = crate::handler::registered_name(self.source.as_bytes(), call) else {
            return;
        };
        let name = name.to_string();
        for arg in named(call.child_by_field_name("arguments"))
            .into_iter()
            .skip(1)
        {
            let target = match arg.kind() {
                "object" => named(Some(arg))
                    .into_iter()
                    .filter(|p| p.kind() == "pair")
                    .find(|p| {
                        p.child_by_field_name("key")
                            .is_some_and(|k| self.text(k).trim_matches(['"', '\'']) == "handler")
                    })
                    .and_then(|p| p.child_by_field_name("value")),
                _ => Some(arg),
            };
            let Some(target) = target else { continue };
            match target.kind() {
                "identifier" => {
                    let local = self.text(target).to_string();
                    // Never shadow an import or a function of the same name.
                    if local != name && !self.aliases.contains_key(&name) {
                        self.aliases.insert(name.clone(), format!("@fn:{local}"));
                    }
                    return;
                }
                "arrow_function" | "function_expression" | "function" => {
                    self.js_value(&name, target);
                    return;
                }
                _ => {}
            }
        }
    }

    /// `app.get('/x', auth, (req, res) => ...)` on an Express app: the last callback.
    fn express_route(&mut self, call: Node<'t>) {
        let Some(function) = call
            .child_by_field_name("function")
            .filter(|f| f.kind() == "member_expression")
        else {
            return;
        };
        let (Some(object), Some(verb)) = (
            function.child_by_field_name("object"),
            function.child_by_field_name("property"),
        ) else {
            return;
        };
        let router = self.text(object);
        if !self.express_apps.contains(router) || !ROUTE_VERBS.contains(&self.text(verb)) {
            return;
        }
        let Some(callback) = named(call.child_by_field_name("arguments"))
            .into_iter()
            .rev()
            .find(|a| {
                matches!(
                    a.kind(),
                    "arrow_function" | "function_expression" | "function"
                )
            })
        else {
            return;
        };
        let Some(body) = callback.child_by_field_name("body") else {
            return;
        };
        let params = match callback.child_by_field_name("parameter") {
            Some(p) => vec![p],
            None => named(callback.child_by_field_name("parameters")),
        };
        self.routes.push(Route {
            router: router.to_string(),
            def: FuncDef { params, body },
        });
    }

    fn python_alias(&mut self, node: Node<'t>, module: Option<&str>) {
        let (full, local) = match node.kind() {
            "aliased_import" => {
                let (Some(name), Some(alias)) = (
                    node.child_by_field_name("name"),
                    node.child_by_field_name("alias"),
                ) else {
                    return;
                };
                (self.text(name), self.text(alias))
            }
            _ => {
                let full = self.text(node);
                // `import os.path` binds `os`.
                let local = if module.is_some() {
                    full
                } else {
                    full.split('.').next().unwrap_or(full)
                };
                (if module.is_some() { full } else { local }, local)
            }
        };
        let canonical = match module {
            Some(m) => format!("{m}.{full}"),
            None => full.to_string(),
        };
        if local != canonical {
            self.aliases.insert(local.to_string(), canonical);
        }
    }

    /// A JS variable or export whose value is a function, a `require`, or a wrapped function.
    fn js_value(&mut self, local: &str, value: Node<'t>) {
        self.js_value_at(local, value, 0);
    }

    fn js_value_at(&mut self, local: &str, value: Node<'t>, depth: usize) {
        // Wrappers nest a few levels at most (`middy(h).use(a).use(b)`).
        if depth > 16 {
            return;
        }
        match value.kind() {
            "arrow_function" | "function_expression" | "function" | "generator_function" => {
                let Some(body) = value.child_by_field_name("body") else {
                    return;
                };
                let params = match value.child_by_field_name("parameter") {
                    Some(p) => vec![p],
                    None => named(value.child_by_field_name("parameters")),
                };
                self.add(local, params, body);
            }
            "call_expression" => {
                if let Some(module) = self.require_of(value) {
                    self.aliases.insert(local.to_string(), module);
                    return;
                }
                let callee = value
                    .child_by_field_name("function")
                    .map(|f| self.text(f))
                    .unwrap_or("");
                let express = |name: &str| {
                    name == "express" || self.aliases.get(name).is_some_and(|a| a == "express")
                };
                let (head, last) = callee.rsplit_once('.').unwrap_or(("", callee));
                if express(callee) || (last == "Router" && (head.is_empty() || express(head))) {
                    self.express_apps.insert(local.to_string());
                    return;
                }
                // serverlessExpress({ app }): the wrapped application.
                if let Some(object) = named(value.child_by_field_name("arguments"))
                    .into_iter()
                    .next()
                    .filter(|a| a.kind() == "object")
                {
                    for child in named(Some(object)) {
                        let target = match child.kind() {
                            "shorthand_property_identifier" => Some(child),
                            "pair" => child
                                .child_by_field_name("value")
                                .filter(|v| v.kind() == "identifier"),
                            _ => None,
                        };
                        if let Some(t) = target
                            && self.express_apps.contains(self.text(t))
                        {
                            let app = self.text(t).to_string();
                            self.aliases.insert(local.to_string(), format!("@fn:{app}"));
                            return;
                        }
                    }
                }
                // middy(baseHandler).use(x): the innermost call is the wrapper.
                if let Some(inner) = value
                    .child_by_field_name("function")
                    .filter(|f| f.kind() == "member_expression")
                    .and_then(|f| f.child_by_field_name("object"))
                    .filter(|o| o.kind() == "call_expression")
                {
                    self.js_value_at(local, inner, depth + 1);
                    return;
                }
                // middy(baseHandler), util.promisify(exec), wrap(async (event) => ...)
                let Some(args) = value.child_by_field_name("arguments") else {
                    return;
                };
                let Some(first) = named(Some(args)).into_iter().next() else {
                    return;
                };
                match first.kind() {
                    "identifier" => {
                        let target = self.text(first).to_string();
                        if let Some(canonical) = self.aliases.get(&target).cloned() {
                            self.aliases.insert(local.to_string(), canonical);
                        } else if target != local {
                            self.aliases
                                .entry(local.to_string())
                                .or_insert_with(|| format!("@fn:{target}"));
                        }
                    }
                    "arrow_function" | "function_expression" | "function" => {
                        self.js_value_at(local, first, depth + 1)
                    }
                    _ => {}
                }
            }
            "identifier" => {
                let target = self.text(value).to_string();
                if target != local {
                    self.aliases
                        .entry(local.to_string())
                        .or_insert_with(|| format!("@fn:{target}"));
                }
            }
            "member_expression" => {
                // const exec = require('child_process').exec
                if let (Some(obj), Some(prop)) = (
                    value.child_by_field_name("object"),
                    value.child_by_field_name("property"),
                ) && let Some(module) = self.require_of(obj)
                {
                    let canonical = format!("{module}.{}", self.text(prop));
                    self.aliases.insert(local.to_string(), canonical);
                }
            }
            "await_expression" => {
                // const cp = await import('child_process')
                if let Some(inner) = value.named_child(0) {
                    self.js_value_at(local, inner, depth + 1);
                }
            }
            _ => {}
        }
    }

    /// `require('x')` / `import('x')` → `x`, normalized (`node:fs` → `fs`, `fs/promises` →
    /// `fs`).
    fn require_of(&self, node: Node) -> Option<String> {
        if node.kind() != "call_expression" {
            return None;
        }
        let function = node.child_by_field_name("function")?;
        if !matches!(self.text(function), "require" | "import") {
            return None;
        }
        let arg = named(node.child_by_field_name("arguments"))
            .into_iter()
            .next()?;
        if arg.kind() != "string" {
            return None;
        }
        Some(normalize_module(self.text(arg)))
    }

    fn js_destructured_import(&mut self, pattern: Node<'t>, module: &str) {
        let mut cursor = pattern.walk();
        for child in pattern.named_children(&mut cursor) {
            match child.kind() {
                "shorthand_property_identifier_pattern" => {
                    let name = self.text(child);
                    self.aliases
                        .insert(name.to_string(), format!("{module}.{name}"));
                }
                "pair_pattern" => {
                    if let (Some(key), Some(value)) = (
                        child.child_by_field_name("key"),
                        child.child_by_field_name("value"),
                    ) {
                        let key = self.text(key);
                        self.aliases
                            .insert(self.text(value).to_string(), format!("{module}.{key}"));
                    }
                }
                _ => {}
            }
        }
    }

    fn js_import(&mut self, node: Node<'t>) {
        let Some(source) = node.child_by_field_name("source") else {
            return;
        };
        let module = normalize_module(self.text(source));
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            match n.kind() {
                "import_specifier" => {
                    let Some(name) = n.child_by_field_name("name") else {
                        continue;
                    };
                    let local = n.child_by_field_name("alias").unwrap_or(name);
                    let name = self.text(name);
                    self.aliases
                        .insert(self.text(local).to_string(), format!("{module}.{name}"));
                }
                "namespace_import" => {
                    if let Some(id) = n.named_child(0) {
                        self.aliases
                            .insert(self.text(id).to_string(), module.clone());
                    }
                }
                "import_clause" => {
                    let mut cursor = n.walk();
                    for child in n.named_children(&mut cursor) {
                        if child.kind() == "identifier" {
                            // default import: the module itself
                            self.aliases
                                .insert(self.text(child).to_string(), module.clone());
                        } else {
                            stack.push(child);
                        }
                    }
                }
                _ => {
                    let mut cursor = n.walk();
                    for child in n.named_children(&mut cursor) {
                        if child.kind() != "string" {
                            stack.push(child);
                        }
                    }
                }
            }
        }
    }

    /// The handler definition: by name, following a JS alias (`exports.handler = main`,
    /// `middy(main)`), or, for Go with no name, the function passed to `lambda.Start`.
    pub fn find_handler(&self, handler: &str) -> Option<FuncDef<'t>> {
        let mut name = handler
            .rsplit("::")
            .next()
            .unwrap_or(handler)
            .rsplit('.')
            .next()
            .unwrap_or(handler)
            .trim()
            .to_string();
        // A Go handler setting names the binary (`bootstrap`, `main`), and a Java one may name
        // only the class: the code says which function is the entry point.
        let named_in_code = match self.lang {
            Lang::Go => !self.has_function(&name) || name == "main",
            Lang::Java => !self.has_function(&name) && !handler.contains("::"),
            _ => false,
        };
        if name.is_empty() || named_in_code {
            name = match self.lang {
                Lang::Go => match self.go_lambda_start() {
                    // lambda.Start(func(ctx context.Context, e events.S3Event) error { ... })
                    Some(arg) if arg.kind() == "func_literal" => return go_literal(arg),
                    // lambda.Start(handler(services)): the function literal it returns.
                    Some(arg) if arg.kind() == "call_expression" => {
                        let callee = arg.child_by_field_name("function")?;
                        let text = self.text(callee);
                        let factory = text.rsplit('.').next().unwrap_or(text);
                        let def = self.functions(factory).into_iter().next()?;
                        return returned_literal(def.body).and_then(go_literal);
                    }
                    Some(arg) => {
                        let text = self.text(arg);
                        text.rsplit('.').next().unwrap_or(text).to_string()
                    }
                    None => "Handler".to_string(),
                },
                Lang::Java => "handleRequest".to_string(),
                _ => "handler".to_string(),
            };
        }
        // A CommonJS module whose single export is the function (`module.exports = async
        // function (context, req)`, Azure's default entry point) registers it as `exports`.
        if self.lang == Lang::Js && name == "default" && !self.has_function("default") {
            name = "exports".to_string();
        }
        for _ in 0..4 {
            if let Some(def) = self.functions(&name).into_iter().next() {
                return Some(def);
            }
            match self.aliases.get(&name).and_then(|a| a.strip_prefix("@fn:")) {
                Some(target) => name = target.to_string(),
                None => break,
            }
        }
        if self.lang == Lang::Go {
            for fallback in ["handler", "Handler", "HandleRequest", "handleRequest"] {
                if let Some(def) = self.functions(fallback).into_iter().next() {
                    return Some(def);
                }
            }
        }
        None
    }

    /// The router a handler is: the Express application a JS handler wraps (`serverless(app)`,
    /// `serverlessExpress({ app })`), or a Python Chalice application named as the handler.
    pub fn router_handler(&self, handler: &str) -> Option<String> {
        let mut name = handler.rsplit('.').next().unwrap_or(handler).to_string();
        // Chalice: the handler is the application object itself (`app.app`).
        if self.lang == Lang::Python {
            return self.routes.iter().any(|r| r.router == name).then_some(name);
        }
        for _ in 0..4 {
            if self.express_apps.contains(&name) {
                return Some(name);
            }
            name = self.aliases.get(&name)?.strip_prefix("@fn:")?.to_string();
        }
        None
    }

    /// The argument given to `lambda.Start(...)` / `lambda.StartWithOptions(...)`.
    fn go_lambda_start(&self) -> Option<Node<'t>> {
        let mut stack = vec![self.root];
        let mut seen = 0usize;
        while let Some(node) = stack.pop() {
            seen += 1;
            if seen > MAX_SYMBOL_NODES {
                return None;
            }
            if node.kind() == "call_expression"
                && let Some(function) = node.child_by_field_name("function")
                && matches!(
                    self.text(function),
                    "lambda.Start" | "lambda.StartWithOptions" | "lambda.StartHandler"
                )
                && let Some(arg) = named(node.child_by_field_name("arguments"))
                    .into_iter()
                    .next()
            {
                return Some(arg);
            }
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                stack.push(child);
            }
        }
        None
    }
}

/// The named children of an optional node.
pub fn named(node: Option<Node<'_>>) -> Vec<Node<'_>> {
    let Some(node) = node else {
        return Vec::new();
    };
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|c| c.kind() != "comment")
        .collect()
}

/// A Go function literal as a definition.
fn go_literal(literal: Node<'_>) -> Option<FuncDef<'_>> {
    let body = literal.child_by_field_name("body")?;
    let mut params = Vec::new();
    for decl in named(literal.child_by_field_name("parameters")) {
        params.extend(go_param_names(decl));
    }
    Some(FuncDef { params, body })
}

/// The first function literal a Go function body returns (`return func(ctx, e) {...}`).
fn returned_literal(body: Node<'_>) -> Option<Node<'_>> {
    let mut stack = vec![body];
    let mut budget = 10_000;
    while let Some(n) = stack.pop() {
        budget -= 1;
        if budget == 0 {
            return None;
        }
        if n.kind() == "return_statement" {
            let mut cursor = n.walk();
            let found = n
                .named_children(&mut cursor)
                .flat_map(|c| {
                    if c.kind() == "expression_list" {
                        named(Some(c))
                    } else {
                        vec![c]
                    }
                })
                .find(|c| c.kind() == "func_literal");
            if found.is_some() {
                return found;
            }
            continue;
        }
        if n.kind() == "func_literal" {
            continue;
        }
        let mut cursor = n.walk();
        stack.extend(n.named_children(&mut cursor));
    }
    None
}

/// `a, b string` in Go declares two parameters.
fn go_param_names(decl: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = decl.walk();
    let names: Vec<_> = decl.children_by_field_name("name", &mut cursor).collect();
    if names.is_empty() {
        // An unnamed parameter still takes a position.
        vec![decl]
    } else {
        names
    }
}

fn normalize_module(quoted: &str) -> String {
    let module = quoted.trim_matches(|c| c == '\'' || c == '"' || c == '`');
    let module = module.strip_prefix("node:").unwrap_or(module);
    let module = module.strip_suffix("/promises").unwrap_or(module);
    module.to_string()
}
