//! One Terraform module: its `.tf` files parsed, its variables (defaults, then auto-loaded
//! tfvars), locals, data sources, and resource instances (`count` / `for_each` expanded when
//! their collection is known).

use super::expr::{Bindings, Ev, scalar};
use crate::doc::Node;
use hcl_edit::Span;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body};
use std::collections::HashMap;

/// Most instances one `count` / `for_each` expands to.
const MAX_INSTANCES: usize = 256;

/// One parsed `.tf` file.
pub(crate) struct TfFile {
    /// Path relative to the scan root.
    pub rel: String,
    pub text: String,
    pub body: Body,
    /// Address prefix of the module the file belongs to: `""` for the root module,
    /// `module.name.` for a local child module called from it.
    pub scope: String,
    /// Byte offset of each line start.
    line_starts: Vec<usize>,
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
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn pos(&self, offset: usize) -> (u32, u32) {
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
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
}

/// Evaluations one module may spend (a real module needs a few thousand).
const EVAL_BUDGET: u64 = 200_000;

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
        m.expand();
        m
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
                        Some(k) if bindings.contains_key("count.index") => {
                            format!("{scope}{ty}.{name}[{k}]")
                        }
                        Some(k) => format!("{scope}{ty}.{name}[{k:?}]"),
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
                if let Some(count) = b.body.get_attribute("count") {
                    let n = ev.node(&count.value);
                    match n.as_str().and_then(|s| s.parse::<f64>().ok()) {
                        Some(c) => {
                            let (l, col) = ev.pos(count.value.span());
                            for i in 0..(c.max(0.0) as usize).min(MAX_INSTANCES) {
                                let mut bind = Bindings::new();
                                bind.insert("count.index".into(), scalar(i.to_string(), l, col));
                                push(Some(i.to_string()), bind);
                            }
                        }
                        // Unknown count: one instance whose `count.index` stays unresolved.
                        None => push(None, Bindings::new()),
                    }
                    continue;
                }
                if let Some(each) = b.body.get_attribute("for_each") {
                    let n = ev.node(&each.value);
                    let pairs: Vec<(String, Node)> =
                        if n.is_map() && !super::expr::is_unresolved(&n) {
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
                            push(None, Bindings::new());
                            continue;
                        };
                    for (k, v) in pairs.into_iter().take(MAX_INSTANCES) {
                        let mut bind = Bindings::new();
                        bind.insert("each.key".into(), scalar(k.clone(), v.line, v.column));
                        bind.insert("each.value".into(), v);
                        push(Some(k), bind);
                    }
                    continue;
                }
                push(None, Bindings::new());
            }
        }
        for (i, inst) in out.iter_mut().enumerate() {
            inst.syn = format!("TfR{i}E");
        }
        self.instances = out;
    }
}
