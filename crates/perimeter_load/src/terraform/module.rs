//! One Terraform module: its `.tf` files parsed, its variables (defaults, then auto-loaded
//! tfvars), locals, data sources, and resource instances (`count` / `for_each` expanded when
//! their collection is known). Local child modules called with a known `count` / `for_each`
//! are copied once per instance under the instance's scope (`module.api["orders"].`).

use super::expr::{Bindings, Ev, scalar};
use crate::doc::Node;
use hcl_edit::Span;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body};
use std::collections::HashMap;

/// Most instances one `count` / `for_each` expands to.
const MAX_INSTANCES: usize = 256;

/// One parsed `.tf` file.
#[derive(Clone)]
pub(crate) struct TfFile {
    /// Path relative to the scan root.
    pub rel: String,
    pub text: String,
    pub body: Body,
    /// Address prefix of the module the file belongs to: `""` for the root module,
    /// `module.name.` for a local child module called from it.
    pub scope: String,
    /// A child module file read for a module call with `count` / `for_each`: the call's
    /// instances read copies of it under their own scopes, this one is no longer part of the
    /// module.
    pub dropped: bool,
    /// Byte offset of each line start.
    line_starts: Vec<usize>,
    /// For a file written in JSON syntax (`.tf.json`): the JSON (line, column) each line of
    /// `text` (the HCL it was converted to) comes from.
    origins: Option<Vec<(u32, u32)>>,
}

impl TfFile {
    pub fn new(rel: String, text: String, body: Body) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        TfFile {
            rel,
            text,
            body,
            scope: String::new(),
            dropped: false,
            line_starts,
            origins: None,
        }
    }

    /// A file converted from JSON syntax: positions are mapped back to the JSON file.
    pub fn from_json(rel: String, converted: super::tfjson::Converted, body: Body) -> Self {
        let mut f = TfFile::new(rel, converted.text, body);
        f.origins = Some(converted.origins);
        f
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn pos(&self, offset: usize) -> (u32, u32) {
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        if let Some(origins) = &self.origins {
            return origins
                .get(line - 1)
                .or(origins.last())
                .copied()
                .unwrap_or((1, 1));
        }
        let start = self.line_starts[line - 1];
        let end = offset.min(self.text.len());
        let column = self
            .text
            .get(start..end)
            .map(|s| s.chars().count())
            .unwrap_or(0)
            + 1;
        (line as u32, column as u32)
    }
}

/// One instance of a `resource` block.
pub(crate) struct Instance {
    /// Synthetic CloudFormation logical ID (`TfR{n}E`): alphanumeric, as the CloudFormation
    /// loader's reference conventions need; renamed to [`Instance::address`] afterwards.
    pub syn: String,
    /// Terraform address: `aws_lambda_function.f`, `aws_sqs_queue.q[0]`, `aws_sns_topic.t["a"]`.
    pub address: String,
    pub tf_type: String,
    pub name: String,
    /// Module scope (see [`TfFile::scope`]).
    pub scope: String,
    /// Key in the module's instance table: `type.name` plus the index as written, if any.
    pub key: Option<String>,
    pub file: usize,
    pub block: usize,
    pub bindings: Bindings,
}

/// A call of a local child module: its scope, and where the call is written.
#[derive(Clone)]
pub(crate) struct ModuleCall {
    pub scope: String,
    pub file: usize,
    pub block: usize,
}

/// Keys are `(scope, name)`.
type Scoped<T> = HashMap<(String, String), T>;

pub(crate) struct Module {
    pub files: Vec<TfFile>,
    /// Variable defaults, module inputs and tfvars values → (file the expression is written
    /// in, expression): a module input is evaluated in the calling module's scope.
    vars: Scoped<(usize, Expression)>,
    locals: Scoped<(usize, Expression)>,
    outputs: Scoped<(usize, Expression)>,
    /// `data "type" "name"` blocks: (scope, "type.name") → (file, block index).
    data: Scoped<(usize, usize)>,
    pub instances: Vec<Instance>,
    /// Expression evaluations left for the whole module: locals that refer to each other
    /// several times (`a = [local.b, local.b]`, `b = [local.c, local.c]`, …) would otherwise
    /// cost exponential time. Once spent, everything left is unresolved.
    pub budget: std::cell::Cell<u64>,
    /// The scan root on disk, for `file()` / `templatefile()` (which never read outside it);
    /// `None` when the module was given as text.
    pub root: Option<std::path::PathBuf>,
    /// `count.index` / `each.key` / `each.value` of each instance of a counted module call,
    /// by the instance's scope (`module.api["orders"].`): the call's arguments (the child's
    /// variables) are evaluated with them.
    call_bindings: HashMap<String, Bindings>,
}

/// Evaluations one module may spend (a real module needs a few thousand).
const EVAL_BUDGET: u64 = 200_000;
/// Most instances one module call with `count` / `for_each` expands to: each copies the
/// child module's files.
const MAX_MODULE_INSTANCES: usize = 32;

/// The instances a `count` / `for_each` (of a resource or a module call) gives: `None` when the
/// block has neither, `Some(None)` when the collection is not known statically, else the
/// instance keys (`0`, `"orders"`) with their bindings.
type Expansion = Option<Option<Vec<(String, Bindings)>>>;

fn expansion(ev: &Ev, body: &Body, max: usize) -> Expansion {
    if let Some(count) = body.get_attribute("count") {
        let n = ev.node(&count.value);
        let Some(c) = n.as_str().and_then(|s| s.parse::<f64>().ok()) else {
            return Some(None);
        };
        let (l, col) = ev.pos(count.value.span());
        let list = (0..(c.max(0.0) as usize).min(max))
            .map(|i| {
                let mut bind = Bindings::new();
                bind.insert("count.index".into(), scalar(i.to_string(), l, col));
                (i.to_string(), bind)
            })
            .collect();
        return Some(Some(list));
    }
    let each = body.get_attribute("for_each")?;
    let n = ev.node(&each.value);
    let pairs: Vec<(String, Node)> = if n.is_map() && !super::expr::is_unresolved(&n) {
        n.entries()
            .iter()
            .map(|(k, v)| (k.name.clone(), v.clone()))
            .collect()
    } else if n.is_seq() {
        n.items()
            .iter()
            .filter_map(|v| v.as_str().map(|s| (s.to_string(), v.clone())))
            .collect()
    } else {
        return Some(None);
    };
    let list = pairs
        .into_iter()
        .take(max)
        .map(|(k, v)| {
            let mut bind = Bindings::new();
            bind.insert("each.key".into(), scalar(k.clone(), v.line, v.column));
            bind.insert("each.value".into(), v);
            (k, bind)
        })
        .collect();
    Some(Some(list))
}

/// The index of an instance as Terraform writes it in addresses: `[0]` for `count`,
/// `["orders"]` for `for_each`.
fn index_text(key: &str, bindings: &Bindings) -> String {
    if bindings.contains_key("count.index") {
        format!("[{key}]")
    } else {
        format!("[{key:?}]")
    }
}

pub(crate) fn block_label(b: &Block, i: usize) -> Option<&str> {
    b.labels.get(i).map(|l| l.as_str())
}

impl Module {
    /// `tfvars` are `(file name, body)` pairs already parsed, applied in order.
    pub fn new(files: Vec<TfFile>, tfvars: Vec<TfFile>, calls: &[ModuleCall]) -> Module {
        let mut m = Module {
            files,
            vars: HashMap::new(),
            locals: HashMap::new(),
            outputs: HashMap::new(),
            data: HashMap::new(),
            instances: Vec::new(),
            budget: std::cell::Cell::new(EVAL_BUDGET),
            root: None,
            call_bindings: HashMap::new(),
        };
        for (fi, f) in m.files.iter().enumerate() {
            let scope = f.scope.clone();
            let key = |n: &str| (scope.clone(), n.to_string());
            for (bi, b) in f.body.blocks().enumerate() {
                match b.ident.value().as_str() {
                    "variable" => {
                        if let (Some(name), Some(d)) =
                            (block_label(b, 0), b.body.get_attribute("default"))
                        {
                            m.vars.entry(key(name)).or_insert((fi, d.value.clone()));
                        }
                    }
                    "output" => {
                        if let (Some(name), Some(v)) =
                            (block_label(b, 0), b.body.get_attribute("value"))
                        {
                            m.outputs.insert(key(name), (fi, v.value.clone()));
                        }
                    }
                    "locals" => {
                        for a in b.body.attributes() {
                            m.locals
                                .insert(key(a.key.value().as_str()), (fi, a.value.clone()));
                        }
                    }
                    "data" => {
                        if let (Some(t), Some(n)) = (block_label(b, 0), block_label(b, 1)) {
                            m.data.insert(key(&format!("{t}.{n}")), (fi, bi));
                        }
                    }
                    _ => {}
                }
            }
        }
        // Inputs of module calls win over the child's defaults.
        for call in calls {
            let Some(block) = m.block(call.file, call.block) else {
                continue;
            };
            let inputs: Vec<(String, Expression)> = block
                .body
                .attributes()
                .map(|a| (a.key.value().as_str().to_string(), a.value.clone()))
                .filter(|(k, _)| {
                    !matches!(
                        k.as_str(),
                        "source" | "version" | "count" | "for_each" | "providers" | "depends_on"
                    )
                })
                .collect();
            for (k, v) in inputs {
                m.vars.insert((call.scope.clone(), k), (call.file, v));
            }
        }
        // tfvars values win over defaults; they are appended as extra files so their positions
        // can be computed.
        for tv in tfvars {
            let fi = m.files.len();
            let values: Vec<(String, Expression)> = tv
                .body
                .attributes()
                .map(|a| (a.key.value().as_str().to_string(), a.value.clone()))
                .collect();
            m.files.push(tv);
            for (k, v) in values {
                m.vars.insert((String::new(), k), (fi, v));
            }
        }
        m.expand_calls(calls);
        m.expand();
        m
    }

    /// The bindings the arguments of the module call whose scope is `scope` are read with.
    pub fn call_bindings(&self, scope: &str) -> Option<&Bindings> {
        self.call_bindings.get(scope)
    }

    /// Module calls with `count` / `for_each`: each known instance gets copies of the child
    /// module's files (and of its variables, locals, outputs and data sources, nested calls
    /// included) under its own scope, `module.api["orders"].`, with `each.*` / `count.index`
    /// bound for the call's arguments. An empty collection drops the child; an unknown one
    /// leaves a single instance without index whose `each.*` / `count.index` are unresolved
    /// with a reason, so what depends on them stays silent.
    fn expand_calls(&mut self, calls: &[ModuleCall]) {
        let mut calls = calls.to_vec();
        // Callers before the modules they call, so a nested call is expanded in its final scope.
        calls.sort_by_key(|c| c.scope.matches("module.").count());
        let empty = Bindings::new();
        let mut i = 0;
        while i < calls.len() {
            let call = calls[i].clone();
            i += 1;
            if self.files.get(call.file).is_none_or(|f| f.dropped) {
                continue;
            }
            let Some(block) = self.block(call.file, call.block) else {
                continue;
            };
            let ev = Ev {
                module: self,
                file: call.file,
                bindings: &empty,
            };
            let list = match expansion(&ev, &block.body, MAX_MODULE_INSTANCES) {
                None => continue,
                Some(Some(list)) => list,
                Some(None) => {
                    let name = call.scope.trim_end_matches('.');
                    let (l, c) = ev.pos(block.span());
                    let why = super::expr::unresolved(
                        format!(
                            "{name} has a count / for_each that is not known statically; \
                             its instances are not expanded"
                        ),
                        l,
                        c,
                    );
                    let bind: Bindings = ["count.index", "each.key", "each.value"]
                        .into_iter()
                        .map(|k| (k.to_string(), why.clone()))
                        .collect();
                    self.call_bindings.insert(call.scope.clone(), bind);
                    continue;
                }
            };
            let old = call.scope.clone();
            let subtree: Vec<usize> = (0..self.files.len())
                .filter(|&fi| !self.files[fi].dropped && self.files[fi].scope.starts_with(&old))
                .collect();
            let base = old.trim_end_matches('.');
            for (key, bind) in list {
                if self.files.len() >= super::MAX_MODULE_FILES {
                    break;
                }
                let new = format!("{base}{}.", index_text(&key, &bind));
                let rescope = |s: &str| format!("{new}{}", &s[old.len()..]);
                let mut remap = HashMap::new();
                for &fi in &subtree {
                    let mut f = self.files[fi].clone();
                    f.scope = rescope(&f.scope);
                    remap.insert(fi, self.files.len());
                    self.files.push(f);
                }
                let at = |f: usize| remap.get(&f).copied().unwrap_or(f);
                for table in [&mut self.vars, &mut self.locals, &mut self.outputs] {
                    let copies: Vec<_> = table
                        .iter()
                        .filter(|((s, _), _)| s.starts_with(&old))
                        .map(|((s, n), (f, e))| ((rescope(s), n.clone()), (at(*f), e.clone())))
                        .collect();
                    table.extend(copies);
                }
                let copies: Vec<_> = self
                    .data
                    .iter()
                    .filter(|((s, _), _)| s.starts_with(&old))
                    .map(|((s, n), (f, b))| ((rescope(s), n.clone()), (at(*f), *b)))
                    .collect();
                self.data.extend(copies);
                let nested: Vec<ModuleCall> = calls
                    .iter()
                    .filter(|c| c.scope.len() > old.len() && c.scope.starts_with(&old))
                    .map(|c| ModuleCall {
                        scope: rescope(&c.scope),
                        file: at(c.file),
                        block: c.block,
                    })
                    .collect();
                calls.extend(nested);
                self.call_bindings.insert(new, bind);
            }
            for fi in subtree {
                self.files[fi].dropped = true;
            }
            for table in [&mut self.vars, &mut self.locals, &mut self.outputs] {
                table.retain(|(s, _), _| !s.starts_with(&old));
            }
            self.data.retain(|(s, _), _| !s.starts_with(&old));
        }
    }

    pub fn variable(&self, scope: &str, name: &str) -> Option<(usize, &Expression)> {
        self.vars
            .get(&(scope.to_string(), name.to_string()))
            .map(|(f, e)| (*f, e))
    }

    pub fn local(&self, scope: &str, name: &str) -> Option<(usize, &Expression)> {
        self.locals
            .get(&(scope.to_string(), name.to_string()))
            .map(|(f, e)| (*f, e))
    }

    /// The `output "name"` of the child module whose scope is `scope`.
    pub fn output(&self, scope: &str, name: &str) -> Option<(usize, &Expression)> {
        self.outputs
            .get(&(scope.to_string(), name.to_string()))
            .map(|(f, e)| (*f, e))
    }

    pub fn block(&self, file: usize, block: usize) -> Option<&Block> {
        self.files.get(file)?.body.blocks().nth(block)
    }

    /// A data source block with its file.
    pub fn data(
        &self,
        scope: &str,
        ty: &str,
        name: &str,
        _index: Option<&str>,
    ) -> Option<(usize, &Block)> {
        let (f, b) = self
            .data
            .get(&(scope.to_string(), format!("{ty}.{name}")))?;
        Some((*f, self.block(*f, *b)?))
    }

    /// The instance `type.name[index]`; without an index, the only instance.
    pub fn instance(
        &self,
        scope: &str,
        ty: &str,
        name: &str,
        index: Option<&str>,
    ) -> Option<&Instance> {
        let mut all = self
            .instances
            .iter()
            .filter(|i| i.scope == scope && i.tf_type == ty && i.name == name);
        match index {
            Some(k) => all.find(|i| i.key.as_deref() == Some(k)),
            None => {
                let first = all.next()?;
                all.next().is_none().then_some(first)
            }
        }
    }

    /// One instance per `resource` block, or one per element of a known `count` / `for_each`.
    fn expand(&mut self) {
        let mut out = Vec::new();
        let empty = Bindings::new();
        for (fi, f) in self.files.iter().enumerate() {
            if f.dropped {
                continue;
            }
            for (bi, b) in f.body.blocks().enumerate() {
                if b.ident.value().as_str() != "resource" {
                    continue;
                }
                let (Some(ty), Some(name)) = (block_label(b, 0), block_label(b, 1)) else {
                    continue;
                };
                let ev = Ev {
                    module: self,
                    file: fi,
                    bindings: &empty,
                };
                let scope = f.scope.clone();
                let mut push = |key: Option<String>, bindings: Bindings| {
                    let address = match &key {
                        None => format!("{scope}{ty}.{name}"),
                        Some(k) => format!("{scope}{ty}.{name}{}", index_text(k, &bindings)),
                    };
                    out.push(Instance {
                        syn: String::new(),
                        address,
                        tf_type: ty.to_string(),
                        name: name.to_string(),
                        scope: scope.clone(),
                        key,
                        file: fi,
                        block: bi,
                        bindings,
                    });
                };
                match expansion(&ev, &b.body, MAX_INSTANCES) {
                    Some(Some(list)) => {
                        for (k, bind) in list {
                            push(Some(k), bind);
                        }
                    }
                    // No count / for_each, or an unknown collection: one instance (whose
                    // `count.index` / `each.*` then stay unresolved).
                    Some(None) | None => push(None, Bindings::new()),
                }
            }
        }
        for (i, inst) in out.iter_mut().enumerate() {
            inst.syn = format!("TfR{i}E");
        }
        self.instances = out;
    }
}
