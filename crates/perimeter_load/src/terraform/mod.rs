//! Terraform configurations into the model: one folder of `.tf` files is one module, one
//! [`App`] with [`SourceKind::Terraform`].
//!
//! The module is parsed with `hcl-edit` (which keeps spans), its expressions are evaluated
//! statically ([`expr`]: literals, `var.x` from tfvars then defaults, `local.x`, references
//! between resources, string templates, `jsonencode`, literal `count` / `for_each`), and each
//! supported `aws_*` resource is translated into the CloudFormation shape ([`translate`]) that
//! the CloudFormation loader then reads, so Terraform apps get the same functions, triggers,
//! roles, policies, APIs and resources, and the same rules fire on them. Each `.tf` file gets
//! its own synthetic template so every location names the right file; references across files
//! are registered in each file's context. Afterwards the synthetic logical IDs are renamed to
//! Terraform addresses (`aws_lambda_function.api`, `aws_sqs_queue.q[0]`), which is what
//! findings and fingerprints show.
//!
//! Known limits: modules called with `module "x" {}` are not followed, `for` expressions,
//! splats and most functions are unresolved, API Gateway paths are only built when the
//! resources of one API are in the same file, and `terraform show -json` plans are not read yet.

mod expr;
mod module;
mod rename;
mod translate;

use crate::cloudformation::{Context, create_resources_into, link_resources_into};
use module::{Module, TfFile};
use perimeter_model::{App, LoadError, SourceKind};
use std::path::Path;

/// Largest `.tf` / `.tfvars` file read.
const MAX_BYTES: u64 = 4 * 1024 * 1024;

/// What loading one module gave: the app (when any file of it could be read) and the errors
/// of the files that could not.
pub struct ModuleOutcome {
    pub app: Option<App>,
    pub errors: Vec<LoadError>,
}

/// Loads the module made of `files` (`(path on disk, path relative to the scan root)`), all in
/// the folder `dir` (relative to the scan root, `""` for the root itself). Auto-loaded variable
/// files (`terraform.tfvars`, `*.auto.tfvars`) are read from `dir_path`.
pub fn load_module(
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
        return ModuleOutcome { app: None, errors };
    }
    let mut tfvars = Vec::new();
    for (path, rel) in tfvars_files(dir_path, dir) {
        match read_parse(&path, &rel) {
            Ok(f) => tfvars.push(f),
            Err(e) => errors.push(e),
        }
    }
    let module = Module::new(parsed, tfvars);
    ModuleOutcome {
        app: Some(build(dir, &module)),
        errors,
    }
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
        return ModuleOutcome { app: None, errors };
    }
    let module = Module::new(parsed, vars);
    ModuleOutcome {
        app: Some(build(dir, &module)),
        errors,
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
        .find(|f| f.rel.ends_with("main.tf"))
        .or(module.files.first())
        .map(|f| f.rel.clone())
        .unwrap_or_default();
    let mut app = App::new(id, name, SourceKind::Terraform, main);
    let templates = translate::templates(module);
    let mut contexts = Vec::new();
    for (file, template) in module.files.iter().zip(&templates) {
        let mut ctx = Context::new(&file.rel, template);
        for inst in &module.instances {
            if !ctx.is_resource(&inst.syn)
                && let Some(ty) = template_type(&templates, &inst.syn)
            {
                ctx.resources.insert(inst.syn.clone(), ty);
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
    app
}

/// The CloudFormation type a synthetic ID was given, in whichever file declares it.
fn template_type(templates: &[crate::doc::Node], id: &str) -> Option<String> {
    templates.iter().find_map(|t| {
        t.get("Resources")?
            .get(id)?
            .get("Type")?
            .as_str()
            .map(str::to_string)
    })
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

/// `terraform.tfvars` then `*.auto.tfvars` in name order, as Terraform loads them.
fn tfvars_files(dir_path: &Path, dir: &str) -> Vec<(std::path::PathBuf, String)> {
    let rel = |name: &str| {
        if dir.is_empty() {
            name.to_string()
        } else {
            format!("{dir}/{name}")
        }
    };
    let mut out = Vec::new();
    let main = dir_path.join("terraform.tfvars");
    if main.is_file() {
        out.push((main, rel("terraform.tfvars")));
    }
    let mut auto: Vec<String> = std::fs::read_dir(dir_path)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| n.ends_with(".auto.tfvars"))
        .collect();
    auto.sort();
    for name in auto {
        out.push((dir_path.join(&name), rel(&name)));
    }
    out
}
