//! Calls: sink checks, same-file functions (followed with their tainted arguments, bounded
//! depth), callbacks over tainted collections, and what a library call's result carries.

use super::engine::{
    Analyzer, CallInfo, Frame, Lang, MAX_CALL_DEPTH, Taint, bit, first_identifier, fixed_host,
    is_function, is_string_literal, literal_value, root_identifier, shorten, union,
};
use super::symbols::named;
use perimeter_model::SinkKind;
use tree_sitter::Node;

impl<'a, 't> Analyzer<'a, 't> {
    pub(super) fn eval_call(&mut self, node: Node<'t>) -> Option<Taint> {
        let call = self.call_info(node);
        let receiver_taint = call.receiver.and_then(|r| self.eval(r));
        // A callee that is itself an expression (`getattr(x, 'y')(z)`, `(0, f)(x)`).
        if call.receiver.is_none()
            && let Some(f) = self
                .field(node, "function")
                .filter(|f| !matches!(f.kind(), "identifier" | "attribute" | "member_expression"))
        {
            self.eval(f);
        }
        let iterates = matches!(
            call.method.as_str(),
            "forEach"
                | "map"
                | "filter"
                | "flatMap"
                | "some"
                | "every"
                | "find"
                | "reduce"
                | "then"
                | "for_each"
        );
        let mut arg_taints = Vec::with_capacity(call.args.len());
        for arg in &call.args {
            if iterates
                && let Some(rt) = receiver_taint.clone()
                && is_function(*arg)
            {
                self.bind_callback(*arg, rt, call.receiver);
                arg_taints.push(None);
                continue;
            }
            if iterates
                && let Some(rt) = receiver_taint.clone()
                && arg.kind() == "identifier"
                && self.file.has_function(self.text(*arg))
            {
                // event.Records.map(processRecord)
                let name = self.text(*arg).to_string();
                let rt = rt.step(self.loc(*arg), format!("each element passed to `{name}()`"));
                self.call_function(&name, vec![Some(rt)], &[], node);
                arg_taints.push(None);
                continue;
            }
            let t = self.eval(*arg);
            arg_taints.push(t);
        }
        let mut kw_taints = Vec::with_capacity(call.kwargs.len());
        for (name, value) in &call.kwargs {
            let t = self.eval(*value);
            kw_taints.push((name.clone(), t));
        }

        self.check_sinks(&call, receiver_taint.as_ref(), &arg_taints, &kw_taints);

        // app.resolve(event, context), serverless_wsgi.handle_request(app, event, context):
        // the event goes to the router's routes.
        if self.lang == Lang::Python && arg_taints.iter().any(Option::is_some) {
            let receiver = call
                .receiver
                .filter(|r| r.kind() == "identifier" && call.method == "resolve");
            let routers: Vec<String> = receiver
                .into_iter()
                .chain(
                    call.args
                        .iter()
                        .copied()
                        .filter(|a| a.kind() == "identifier"),
                )
                .map(|r| self.text(r).to_string())
                .filter(|r| self.file.routes.iter().any(|route| &route.router == r))
                .collect();
            for router in routers {
                self.run_routes(&router);
            }
        }

        // Same-file function.
        if let Some(name) = self.same_file_callee(&call)
            && !self.calls.iter().any(|c| c == &name)
        {
            let kw: Vec<(String, Option<Taint>)> = kw_taints.clone();
            let ret = self.call_function(&name, arg_taints.clone(), &kw, node);
            // Whatever the callee does, also accept taint returned by it.
            return ret;
        }

        self.call_result(&call, receiver_taint, &arg_taints, &kw_taints)
    }

    pub(super) fn bind_callback(
        &mut self,
        callback: Node<'t>,
        element: Taint,
        receiver: Option<Node<'t>>,
    ) {
        let params = match self.field(callback, "parameter") {
            Some(p) => vec![p],
            None => named(self.field(callback, "parameters")),
        };
        if let Some(first) = params.first() {
            let note = format!(
                "`{}` is each element of {}",
                self.short(*first),
                receiver.map(|r| self.short(r)).unwrap_or_default()
            );
            let t = self.element(element, self.loc(*first), note);
            self.bind_param(*first, Some(t));
        }
        self.eval_closure(callback);
    }

    pub(super) fn same_file_callee(&self, call: &CallInfo<'t>) -> Option<String> {
        if !self.file.has_function(&call.method) {
            return None;
        }
        let local = match call.receiver {
            None => true,
            Some(r) => {
                matches!(self.text(r), "self" | "this" | "cls")
                    || (self.lang == Lang::Go && r.kind() == "identifier")
                    // renderer.read(name), where `read` is a method of a class of this file
                    || (r.kind() == "identifier"
                        && self.file.methods.contains(&call.method)
                        && !self.file.aliases.contains_key(self.text(r))
                        && self.lookup(self.text(r)).is_none())
            }
        };
        if !local || call.is_new {
            return None;
        }
        // An imported name shadows nothing here: `from os import system` is not local.
        if call.receiver.is_none()
            && self
                .file
                .aliases
                .get(&call.method)
                .is_some_and(|a| !a.starts_with("@fn:"))
        {
            return None;
        }
        Some(call.method.clone())
    }

    /// Follows tainted arguments into a same-file function; returns the taint it returns.
    pub(super) fn call_function(
        &mut self,
        name: &str,
        args: Vec<Option<Taint>>,
        kwargs: &[(String, Option<Taint>)],
        call: Node<'t>,
    ) -> Option<Taint> {
        if self.calls.len() >= MAX_CALL_DEPTH
            || (args.iter().all(Option::is_none) && kwargs.iter().all(|(_, t)| t.is_none()))
        {
            return None;
        }
        let def = self.file.functions(name).into_iter().next()?;
        let def_params = def.params;
        let body = def.body;
        // The callee sees the caller's names only through its parameters.
        self.frames.push(Frame::default());
        self.calls.push(name.to_string());
        let call_loc = self.loc(call);
        for (i, param) in def_params.iter().enumerate() {
            let pname = param_name(self, *param);
            let by_kw = kwargs
                .iter()
                .find(|(k, _)| Some(k.as_str()) == pname.as_deref())
                .and_then(|(_, t)| t.clone());
            let t = args.get(i).cloned().flatten().or(by_kw);
            let t = t.map(|t| {
                t.step(
                    call_loc.clone(),
                    format!(
                        "passed to `{name}()` as `{}`",
                        pname.clone().unwrap_or_default()
                    ),
                )
            });
            self.bind_param(*param, t);
        }
        let expression_body = !matches!(body.kind(), "block" | "statement_block");
        let value = self.eval(body);
        self.calls.pop();
        let frame = self.frames.pop().unwrap_or_default();
        let ret = if expression_body {
            union(frame.ret, value)
        } else {
            frame.ret
        };
        ret.map(|t| t.step(call_loc, format!("returned by `{name}()`")))
    }

    pub fn call_info(&self, node: Node<'t>) -> CallInfo<'t> {
        let is_new = matches!(node.kind(), "new_expression" | "object_creation_expression");
        let (canonical, method, receiver) = match node.kind() {
            "method_invocation" => {
                let object = self.field(node, "object");
                let name = self
                    .field(node, "name")
                    .map(|n| self.text(n).to_string())
                    .unwrap_or_default();
                let canonical = match object {
                    Some(o) => format!("{}.{name}", self.canonical(o)),
                    None => name.clone(),
                };
                (canonical, name, object)
            }
            "object_creation_expression" => {
                let ty = self
                    .field(node, "type")
                    .map(|t| self.text(t).to_string())
                    .unwrap_or_default();
                let ty = ty.split('<').next().unwrap_or(&ty).to_string();
                let last = ty.rsplit('.').next().unwrap_or(&ty).to_string();
                (ty, last, None)
            }
            _ => {
                let callee = self
                    .field(node, "function")
                    .or_else(|| self.field(node, "constructor"));
                match callee {
                    Some(c) => {
                        let canonical = self.canonical(c);
                        let (method, receiver) = match c.kind() {
                            "attribute" | "member_expression" | "selector_expression" => {
                                let prop = self
                                    .field(c, "attribute")
                                    .or_else(|| self.field(c, "property"))
                                    .or_else(|| self.field(c, "field"))
                                    .map(|p| self.text(p).to_string())
                                    .unwrap_or_default();
                                let object =
                                    self.field(c, "object").or_else(|| self.field(c, "operand"));
                                (prop, object)
                            }
                            _ => (self.text(c).to_string(), None),
                        };
                        (canonical, method, receiver)
                    }
                    None => (String::new(), String::new(), None),
                }
            }
        };
        let mut args = Vec::new();
        let mut kwargs = Vec::new();
        if let Some(list) = self.field(node, "arguments") {
            if list.kind() == "generator_expression" {
                args.push(list);
            } else {
                for a in named(Some(list)) {
                    if a.kind() == "keyword_argument" {
                        if let (Some(n), Some(v)) = (self.field(a, "name"), self.field(a, "value"))
                        {
                            kwargs.push((self.text(n).to_string(), v));
                        }
                    } else {
                        args.push(a);
                    }
                }
            }
        }
        CallInfo {
            node,
            canonical,
            method,
            receiver,
            args,
            kwargs,
            is_new,
        }
    }

    /// The callee as a dotted name through the file's imports.
    pub fn canonical(&self, node: Node<'t>) -> String {
        self.canonical_at(node, 0)
    }

    fn canonical_at(&self, node: Node<'t>, depth: usize) -> String {
        // Long member chains are named by their text beyond this depth.
        if depth > 32 {
            return shorten(self.text(node));
        }
        match node.kind() {
            "identifier" => {
                let name = self.text(node);
                match self.file.aliases.get(name) {
                    Some(a) if !a.starts_with("@fn:") => a.clone(),
                    _ => name.to_string(),
                }
            }
            "attribute" | "member_expression" | "selector_expression" | "field_access" => {
                let object = self
                    .field(node, "object")
                    .or_else(|| self.field(node, "operand"));
                let prop = self
                    .field(node, "attribute")
                    .or_else(|| self.field(node, "property"))
                    .or_else(|| self.field(node, "field"))
                    .map(|p| self.text(p))
                    .unwrap_or("");
                match object {
                    Some(o) => format!("{}.{prop}", self.canonical_at(o, depth + 1)),
                    None => prop.to_string(),
                }
            }
            "call_expression" => {
                // require('child_process').exec
                let function = self.field(node, "function").map(|f| self.text(f));
                if matches!(function, Some("require")) {
                    let arg = named(self.field(node, "arguments")).into_iter().next();
                    if let Some(arg) = arg {
                        let m = self
                            .text(arg)
                            .trim_matches(|c| c == '\'' || c == '"' || c == '`');
                        let m = m.strip_prefix("node:").unwrap_or(m);
                        return m.strip_suffix("/promises").unwrap_or(m).to_string();
                    }
                }
                self.text(node).split_whitespace().collect()
            }
            "parenthesized_expression" | "await_expression" | "non_null_expression" => node
                .named_child(0)
                .map(|c| self.canonical_at(c, depth + 1))
                .unwrap_or_default(),
            _ => self.text(node).split_whitespace().collect(),
        }
    }

    /// The taint of a call's value when it is not a sink nor a same-file function.
    pub(super) fn call_result(
        &mut self,
        call: &CallInfo<'t>,
        receiver: Option<Taint>,
        args: &[Option<Taint>],
        kwargs: &[(String, Option<Taint>)],
    ) -> Option<Taint> {
        let all_args = || {
            let mut t = None;
            for a in args {
                t = union(t, a.clone());
            }
            for (_, k) in kwargs {
                t = union(t, k.clone());
            }
            t
        };
        // sql`SELECT ... ${x}` (postgres.js, sql-template-strings, Prisma.sql): a tagged
        // template is parameterized by the tag.
        let tagged = call
            .node
            .child_by_field_name("arguments")
            .is_some_and(|a| a.kind() == "template_string");
        if tagged {
            let mut t = union(receiver, all_args())?;
            t.clean |= bit(SinkKind::Sql);
            t.fresh = false;
            return Some(t);
        }
        if let Some(clean) = super::sinks::sanitizer(self.lang, &call.canonical, &call.method) {
            let mut t = union(receiver, all_args())?;
            t.clean |= clean;
            t.fresh = false;
            return Some(t);
        }
        let m = call.method.as_str();
        // Appending event data to a builder or list taints the builder.
        if matches!(
            m,
            "append"
                | "push"
                | "extend"
                | "add"
                | "insert"
                | "update"
                | "put"
                | "unshift"
                | "setdefault"
                | "addAll"
                | "WriteString"
        ) && receiver.is_none()
            && let Some(t) = all_args()
            && let Some(r) = call.receiver
        {
            let note = format!("{} adds it", self.short(call.node));
            let loc = self.loc(call.node);
            let mut t = t.step(loc, note);
            t.container = m != "append" || self.lang != Lang::Python;
            if self.lang == Lang::Java || m == "WriteString" {
                t.container = false;
            }
            if let Some(root) = root_identifier(r) {
                let name = self.text(root).to_string();
                self.env().insert(name, t.clone());
            }
            return Some(t);
        }
        // json.Unmarshal(data, &v) fills v.
        if m == "Unmarshal"
            && let Some(t) = args.first().cloned().flatten()
            && let Some(target) = call.args.get(1)
            && let Some(root) = root_identifier(*target)
        {
            let name = self.text(root).to_string();
            let mut t = t.step(self.loc(call.node), format!("decoded into `{name}`"));
            t.structured = true;
            self.env().insert(name, t);
            return None;
        }
        if let Some(rt) = receiver {
            // JavaScript's `find` returns an element, Python's a position.
            let js_element = self.lang == Lang::Js && matches!(m, "find" | "findLast" | "at");
            if NON_PROPAGATING.contains(&m) && !js_element {
                return None;
            }
            // Getters on the bare source extend it: event.get('body'), event.getBody().
            let getter = m == "get" || (m.starts_with("get") && self.lang == Lang::Java);
            if getter && rt.fresh {
                let mut t = self.extend(
                    rt,
                    call.node,
                    call.receiver,
                    first_literal(self, &call.args),
                );
                t.structured = true;
                return Some(t);
            }
            let mut t = union(Some(rt), all_args())?;
            t.fresh = false;
            t.container = false;
            if !matches!(m, "get" | "pop" | "copy" | "values" | "items" | "keys") {
                t.structured = false;
            }
            return Some(t);
        }
        let t = all_args()?;
        let bare = call.receiver.is_none();
        let parses = matches!(
            m,
            "loads" | "load" | "parse" | "literal_eval" | "readValue" | "fromJson" | "parseObject"
        );
        let receiver_is_literal = call.receiver.is_some_and(is_string_literal);
        // `_.merge({}, parsed)`, `Object.assign(target, parsed)`: the result is the parsed
        // object itself, still shaped by the sender.
        let merges = MERGING.contains(&m);
        let propagates = bare
            || call.is_new
            || receiver_is_literal
            || PROPAGATING.contains(&m)
            || parses
            || merges;
        if !propagates {
            return None;
        }
        let mut t = t;
        t.fresh = false;
        t.container = false;
        t.structured = parses || (merges && t.structured);
        if matches!(m, "format" | "Sprintf" | "formatted") {
            // The format string is the literal receiver (`"{}/x".format(a)`) or the first
            // argument (`fmt.Sprintf("%s/x", a)`, `String.format(...)`).
            let (format, values) = match call.receiver.filter(|r| is_string_literal(*r)) {
                Some(r) => (Some(r), args),
                None => (call.args.first().copied(), args.get(1..).unwrap_or(&[])),
            };
            if let Some(format) = format {
                let value = literal_value(self, format).unwrap_or_default();
                let clean_first_value = ["{}", "{0}", "%s", "%v"]
                    .iter()
                    .any(|p| value.starts_with(p))
                    && values.first().is_some_and(Option::is_none);
                if fixed_host(self.text(format)) || clean_first_value {
                    t.clean |= bit(SinkKind::Ssrf);
                }
            }
        }
        Some(t)
    }
}

/// Methods whose result carries no event text (booleans, numbers, lengths).
const NON_PROPAGATING: &[&str] = &[
    "startswith",
    "endswith",
    "isdigit",
    "isalnum",
    "isalpha",
    "isnumeric",
    "includes",
    "startsWith",
    "endsWith",
    "test",
    "has",
    "indexOf",
    "lastIndexOf",
    "count",
    "index",
    "find",
    "rfind",
    "equals",
    "equalsIgnoreCase",
    "contains",
    "containsKey",
    "isEmpty",
    "size",
    "length",
    "hashCode",
    "compareTo",
    "len",
    "localeCompare",
    "digest",
    "hexdigest",
];

/// Library functions (called on a module or a clean object) whose result carries the event
/// text of their arguments.
/// Object-merging helpers (lodash, Object, deepmerge): their result carries every argument.
const MERGING: &[&str] = &[
    "merge",
    "mergeWith",
    "assign",
    "assignIn",
    "defaults",
    "defaultsDeep",
    "extend",
    "clone",
    "cloneDeep",
    "deepmerge",
    "pick",
    "omit",
];

const PROPAGATING: &[&str] = &[
    "b64decode",
    "b64encode",
    "urlsafe_b64decode",
    "decodebytes",
    "unquote",
    "unquote_plus",
    "quote",
    "quote_plus",
    "urljoin",
    "join",
    "normpath",
    "abspath",
    "realpath",
    "expanduser",
    "dirname",
    "format",
    "sub",
    "text",
    "deepcopy",
    "dumps",
    "stringify",
    "Sprintf",
    "Sprint",
    "Sprintln",
    "Join",
    "TrimSpace",
    "Trim",
    "TrimPrefix",
    "TrimSuffix",
    "ToLower",
    "ToUpper",
    "Replace",
    "ReplaceAll",
    "QueryUnescape",
    "PathUnescape",
    "Clean",
    "Abs",
    "resolve",
    "normalize",
    "from",
    "concat",
    "valueOf",
    "toString",
    "get",
    "of",
    "create",
    "asList",
    "decode",
    "encode",
    "NewReader",
    "NewBufferString",
    "format_map",
    "Path",
    "PurePath",
    "URL",
    "URI",
    "toPath",
    // aws.String(x), strings.Builder's String()
    "String",
    "decompress",
    "unhexlify",
    "b32decode",
    "b16decode",
    "urlsafe_b64encode",
    "parse_qs",
    "parse_qsl",
    "urlparse",
    "urlsplit",
    "DecodeString",
    "Parse",
    "ParseRequestURI",
    "Split",
    "SplitN",
    "Fields",
];

pub(super) fn callee_parts<'t>(a: &Analyzer<'_, 't>, call: Node<'t>) -> (String, Option<Node<'t>>) {
    let info = a.call_info(call);
    (info.method, info.receiver)
}

fn param_name(a: &Analyzer, param: Node) -> Option<String> {
    match param.kind() {
        "identifier" => Some(a.text(param).to_string()),
        _ => first_identifier(param).map(|n| a.text(n).to_string()),
    }
}

fn first_literal<'t>(a: &Analyzer<'_, 't>, args: &[Node<'t>]) -> &'static str {
    // Only used to decide whether a field is a known string: the value does not matter
    // beyond that check.
    match args.first().and_then(|n| literal_value(a, *n)).as_deref() {
        Some("body") => "body",
        Some("queryStringParameters") => "queryStringParameters",
        Some("pathParameters") => "pathParameters",
        Some("headers") => "headers",
        _ => "",
    }
}
