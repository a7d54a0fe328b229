//! Terraform configurations into the model: one folder of `.tf` files is one module, one
//! [`App`] with [`SourceKind::Terraform`].
//!
//! The module is parsed with `hcl-edit` (which keeps spans), its expressions are evaluated
//! statically ([`expr`]: literals, `var.x` from tfvars then defaults, `local.x`, references
//! between resources, string templates, `jsonencode`, known `count` / `for_each`), and each
//! supported `aws_*` resource is translated into the CloudFormation shape ([`translate`]) that
//! the CloudFormation loader then reads, so Terraform apps get the same functions, triggers,
//! roles, policies, APIs and resources, and the same rules fire on them. Each `.tf` file gets
//! its own synthetic template so every location names the right file; references across files
//! are registered in each file's context. Afterwards the synthetic logical IDs are renamed to
//! Terraform addresses (`aws_lambda_function.api`, `aws_sqs_queue.q[0]`), which is what
//! findings and fingerprints show.
//!
//! Azure and Google Cloud functions are built into the model directly ([`clouds`]);
//! `terraform show -json` plans and state are read by [`plan`].
//!
//! `.tf.json` files (Terraform's JSON syntax) are rewritten as HCL by [`tfjson`], with their
//! positions mapped back to the JSON. Module calls with `count` / `for_each` over a known
//! collection are read once per instance ([`module`]).
//!
//! Known limits: only local child modules are followed (registry and git modules leave their
//! outputs unresolved, with a note naming the source); template directives and functions not
//! listed in [`expr`] are unresolved.

mod clouds;
mod expr;
mod module;
pub mod plan;
mod rename;
mod tfjson;
mod translate;

use crate::cloudformation::{Context, create_resources_into, link_resources_into};
use module::{Module, ModuleCall, TfFile, block_label};
use perimeter_model::{App, LoadError, SourceKind};
use std::path::Path;

/// Largest `.tf` / `.tfvars` file read.
const MAX_BYTES: u64 = 4 * 1024 * 1024;
/// Deepest chain of local child modules followed, and most files one root module may pull in.
const MAX_MODULE_DEPTH: usize = 4;
const MAX_MODULE_FILES: usize = 500;

/// What loading one module gave: the app (when any file of it could be read) and the errors
/// of the files that could not.
pub struct ModuleOutcome {
    pub app: Option<App>,
    pub errors: Vec<LoadError>,
    /// Folders (relative to the scan root) loaded as child modules of this one: they are not
    /// root modules of their own.
    pub children: Vec<String>,
}

/// Loads the module made of `files` (`(path on disk, path relative to the scan root)`), all in
/// the folder `dir` (relative to the scan root `base`, `""` for the root itself). Auto-loaded
/// variable files (`terraform.tfvars`, `*.auto.tfvars`) are read from `dir_path`; local child
/// modules (`source = "./…"`) inside the scan root are read and loaded into the same app.
pub fn load_module(
    base: &Path,
    dir_path: &Path,
    dir: &str,
    files: &[(std::path::PathBuf, String)],
) -> ModuleOutcome {
    let mut errors = Vec::new();
    let mut parsed = Vec::new();
    for (path, rel) in files {
        match read_parse(path, rel) {
            Ok(f) => parsed.push(f),
            Err(e) => errors.push(e),
        }
    }
    if parsed.is_empty() {
        return ModuleOutcome {
            app: None,
            errors,
            children: Vec::new(),
        };
    }
    let mut tfvars = Vec::new();
    for (path, rel) in tfvars_files(dir_path, dir) {
        match read_parse(&path, &rel) {
            Ok(f) => tfvars.push(f),
            Err(e) => errors.push(e),
        }
    }
    let (calls, children) = load_children(base, dir, &mut parsed, &mut errors);
    let mut module = Module::new(parsed, tfvars, &calls);
    module.root = Some(base.to_path_buf());
    ModuleOutcome {
        app: Some(build(dir, &module)),
        errors,
        children,
    }
}

/// Reads the local child modules called from `files` (recursively), appending their files
/// with their scope set. Returns the calls and the child folders read.
fn load_children(
    base: &Path,
    dir: &str,
    files: &mut Vec<TfFile>,
    errors: &mut Vec<LoadError>,
) -> (Vec<ModuleCall>, Vec<String>) {
    let mut calls = Vec::new();
    let mut children = Vec::new();
    // (first file index, end, folder, scope, depth) of each module still to look into.
    let mut queue = vec![(0, files.len(), dir.to_string(), String::new(), 0)];
    while let Some((start, end, folder, scope, depth)) = queue.pop() {
        if depth >= MAX_MODULE_DEPTH {
            continue;
        }
        for fi in start..end {
            let found: Vec<(usize, String, String)> = files[fi]
                .body
                .blocks()
                .enumerate()
                .filter(|(_, b)| b.ident.value().as_str() == "module")
                .filter_map(|(bi, b)| {
                    let name = block_label(b, 0)?.to_string();
                    let source = b.body.get_attribute("source")?.value.as_str()?.to_string();
                    (source.starts_with("./") || source.starts_with("../"))
                        .then_some((bi, name, source))
                })
                .collect();
            for (bi, name, source) in found {
                let child = crate::cloudformation::join_relative(&folder, &source);
                let child = if child == "." { String::new() } else { child };
                // Never read outside the scan root.
                if child.starts_with("..") || files.len() >= MAX_MODULE_FILES {
                    continue;
                }
                let child_scope = format!("{scope}module.{name}.");
                let mut list: Vec<std::path::PathBuf> = std::fs::read_dir(base.join(&child))
                    .into_iter()
                    .flatten()
                    .flatten()
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                    .map(|e| e.path())
                    .filter(|p| is_config_file(p))
                    .collect();
                list.sort();
                let first = files.len();
                for path in list {
                    let Some(fname) = path.file_name().and_then(|n| n.to_str()) else {
                        continue;
                    };
                    let rel = if child.is_empty() {
                        fname.to_string()
                    } else {
                        format!("{child}/{fname}")
                    };
                    match read_parse(&path, &rel) {
                        Ok(mut f) => {
                            f.scope = child_scope.clone();
                            files.push(f);
                        }
                        Err(e) => errors.push(e),
                    }
                }
                calls.push(ModuleCall {
                    scope: child_scope.clone(),
                    file: fi,
                    block: bi,
                });
                children.push(child.clone());
                queue.push((first, files.len(), child, child_scope, depth + 1));
            }
        }
    }
    (calls, children)
}

/// Loads a module given as text (tests, and callers that read files themselves):
/// `(relative path, text)` of each `.tf` file, then of each tfvars file.
pub fn load_texts(dir: &str, files: &[(&str, &str)], tfvars: &[(&str, &str)]) -> ModuleOutcome {
    let mut errors = Vec::new();
    let mut parse_all = |list: &[(&str, &str)]| {
        let mut out = Vec::new();
        for (rel, text) in list {
            match parse(rel, text.to_string()) {
                Ok(f) => out.push(f),
                Err(e) => errors.push(e),
            }
        }
        out
    };
    let parsed = parse_all(files);
    let vars = parse_all(tfvars);
    if parsed.is_empty() {
        return ModuleOutcome {
            app: None,
            errors,
            children: Vec::new(),
        };
    }
    let module = Module::new(parsed, vars, &[]);
    ModuleOutcome {
        app: Some(build(dir, &module)),
        errors,
        children: Vec::new(),
    }
}

fn build(dir: &str, module: &Module) -> App {
    let id = if dir.is_empty() { "." } else { dir };
    let name = dir
        .rsplit('/')
        .next()
        .filter(|n| !n.is_empty())
        .unwrap_or("root");
    let main = module
        .files
        .iter()
        .find(|f| f.rel.ends_with("main.tf") || f.rel.ends_with("main.tf.json"))
        .or(module.files.first())
        .map(|f| f.rel.clone())
        .unwrap_or_default();
    let mut app = App::new(id, name, SourceKind::Terraform, main);
    let templates = translate::templates(module);
    // The type each synthetic ID was given, in whichever file declares it.
    let types: std::collections::HashMap<&str, &str> = templates
        .iter()
        .filter_map(|t| t.get("Resources"))
        .flat_map(|r| r.entries())
        .filter_map(|(k, v)| Some((k.name.as_str(), v.get("Type")?.as_str()?)))
        .collect();
    let mut contexts = Vec::new();
    for (file, template) in module.files.iter().zip(&templates) {
        // Child files replaced by their copies per module instance declare nothing.
        if file.dropped {
            continue;
        }
        let mut ctx = Context::new(&file.rel, template);
        for inst in &module.instances {
            if !ctx.is_resource(&inst.syn)
                && let Some(ty) = types.get(inst.syn.as_str())
            {
                ctx.resources.insert(inst.syn.clone(), ty.to_string());
            }
        }
        contexts.push(ctx);
    }
    for ctx in &contexts {
        create_resources_into(&mut app, ctx);
    }
    for ctx in &contexts {
        link_resources_into(&mut app, ctx);
    }
    rename::to_addresses(&mut app, module);
    clouds::add(&mut app, module);
    app
}

fn error(rel: &str, line: Option<u32>, column: Option<u32>, message: String) -> LoadError {
    LoadError {
        file: rel.to_string(),
        line,
        column,
        message,
    }
}

fn read_parse(path: &Path, rel: &str) -> Result<TfFile, LoadError> {
    use std::io::Read;
    let handle = std::fs::File::open(path)
        .map_err(|e| error(rel, None, None, format!("cannot read: {e}")))?;
    let mut bytes = Vec::new();
    handle
        .take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| error(rel, None, None, format!("cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(error(
            rel,
            None,
            None,
            format!(
                "file is larger than the {} MB limit for Terraform files; not read",
                MAX_BYTES / (1024 * 1024)
            ),
        ));
    }
    let text = crate::doc::decode(&bytes).map_err(|e| crate::load_error(rel, &e))?;
    parse(rel, text.trim_start_matches('\u{feff}').to_string())
}

fn parse(rel: &str, text: String) -> Result<TfFile, LoadError> {
    // A plan's synthetic module keeps the plan's name (`tfplan.json`): it is HCL.
    if rel.ends_with(".tf.json") || rel.ends_with(".tfvars.json") {
        let converted = if rel.ends_with(".tfvars.json") {
            tfjson::tfvars_to_hcl(&text)
        } else {
            tfjson::config_to_hcl(&text)
        }
        .map_err(|e| error(rel, e.line, e.column, e.message))?;
        return match hcl_edit::parser::parse_body(&converted.text) {
            Ok(body) => Ok(TfFile::from_json(rel.to_string(), converted, body)),
            // The conversion writes valid HCL; if it did not, say so at the file.
            Err(e) => Err(error(
                rel,
                None,
                None,
                format!("could not read this Terraform JSON file: {}", e.message()),
            )),
        };
    }
    match hcl_edit::parser::parse_body(&text) {
        Ok(body) => Ok(TfFile::new(rel.to_string(), text, body)),
        Err(e) => {
            let loc = e.location();
            Err(error(
                rel,
                Some(loc.line() as u32),
                Some(loc.column() as u32),
                format!("invalid HCL: {}", e.message()),
            ))
        }
    }
}

/// A Terraform configuration file: `.tf`, or `.tf.json` in JSON syntax.
fn is_config_file(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(".tf") || n.ends_with(".tf.json"))
}

/// `terraform.tfvars` then `*.auto.tfvars` in name order, as Terraform loads them (each
/// name also in its JSON form, `.tfvars.json`, read after the HCL one).
fn tfvars_files(dir_path: &Path, dir: &str) -> Vec<(std::path::PathBuf, String)> {
    let rel = |name: &str| {
        if dir.is_empty() {
            name.to_string()
        } else {
            format!("{dir}/{name}")
        }
    };
    let mut out = Vec::new();
    for name in ["terraform.tfvars", "terraform.tfvars.json"] {
        let main = dir_path.join(name);
        if main.is_file() {
            out.push((main, rel(name)));
        }
    }
    let mut auto: Vec<String> = std::fs::read_dir(dir_path)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json"))
        .collect();
    auto.sort();
    for name in auto {
        out.push((dir_path.join(&name), rel(&name)));
    }
    out
}
