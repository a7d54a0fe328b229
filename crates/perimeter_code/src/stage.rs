//! [`attach`]: plans one job per code folder or archive, runs the jobs in parallel, and
//! writes their results into the model.

use crate::CodeOptions;
use crate::bundle::{Bundle, is_archive};
use crate::handler::{self, runtime_language};
use crate::imports::{dir_of, reachable};
use crate::parsed::Cache;
use crate::scope;
use crate::taint;
use perimeter_model::{
    BundleKind, CodeBundle, FunctionCode, HandlerRef, Language, LoadError, Location, Model,
    SdkCall, SourceFile, SourceKind,
};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

/// What the code stage did, for measurements.
#[derive(Debug, Default, Clone)]
pub struct CodeStats {
    /// Functions considered (zip-packaged).
    pub functions: usize,
    /// Functions whose code folder or archive was found in the scanned tree.
    pub with_code: usize,
    /// Functions whose code location holds at least one source file perimeter parses.
    pub with_source: usize,
    /// Functions whose handler file and symbol were found.
    pub handlers_resolved: usize,
    pub bundles: usize,
    pub sdk_calls: usize,
    /// Call sites that looked like AWS SDK calls but were not recognized (`file:line: text`).
    pub unrecognized: Vec<String>,
    /// Why handlers were not found (`problem` of each function without a handler).
    pub problems: Vec<String>,
}

/// One function's place in the model and where its code may be.
#[derive(Debug, Clone)]
struct Target {
    app: usize,
    function: usize,
    handler: Option<String>,
    runtime: Option<String>,
    /// Code locations to try in order (relative to the scan root); the first is the job's.
    candidates: Vec<String>,
    /// Inline code: (bundle root, file name, source).
    inline: Option<(String, String, String)>,
}

struct JobResult {
    /// The app every function of the job belongs to.
    app: usize,
    bundles: Vec<CodeBundle>,
    functions: Vec<(usize, usize, FunctionCode)>,
    with_source: usize,
    errors: Vec<LoadError>,
    unrecognized: Vec<String>,
}

/// Reads every function's code under `root` (the scan root) and records it in `model`.
/// Problems become [`LoadError`]s in `model.errors`; the stage never fails as a whole.
pub fn attach(model: &mut Model, root: &Path, options: &CodeOptions) -> CodeStats {
    let base = if root.is_file() {
        root.parent().unwrap_or(Path::new("."))
    } else {
        root
    };
    let mut stats = CodeStats::default();
    // Group functions by app and first code location: one job per bundle.
    let mut jobs: BTreeMap<(usize, String), Vec<Target>> = BTreeMap::new();
    for (ai, app) in model.apps.iter().enumerate() {
        for (fi, f) in app.functions.iter().enumerate() {
            if f.package_type.as_str() == Some("Image") {
                continue;
            }
            stats.functions += 1;
            let candidates: Vec<String> = candidates(app, f)
                .into_iter()
                .filter(|c| base.join(c).exists())
                .collect();
            let inline = match (&f.inline_code, candidates.is_empty()) {
                (Some(code), true) => code.as_str().map(|src| {
                    let root = format!("{}#{}", app.file, f.id);
                    (root, inline_file_name(f), src.to_string())
                }),
                _ => None,
            };
            let first = match (&inline, candidates.first()) {
                (Some((root, ..)), _) => root.clone(),
                (None, Some(c)) => c.clone(),
                (None, None) => continue,
            };
            stats.with_code += 1;
            jobs.entry((ai, first)).or_default().push(Target {
                app: ai,
                function: fi,
                handler: f.handler.as_str().map(str::to_string),
                runtime: f.runtime.as_str().map(str::to_string),
                candidates,
                inline,
            });
        }
    }
    let results: Vec<JobResult> = jobs
        .into_par_iter()
        .map(|(_, targets)| run_job(base, &targets, options))
        .collect();
    for r in results {
        stats.unrecognized.extend(r.unrecognized);
        stats.with_source += r.with_source;
        model.errors.extend(r.errors);
        for (ai, fi, code) in r.functions {
            if code.handler.is_some() {
                stats.handlers_resolved += 1;
            } else if let Some(p) = &code.problem {
                stats.problems.push(p.clone());
            }
            stats.sdk_calls += code.sdk_calls.len();
            model.apps[ai].functions[fi].code = Some(code);
        }
        for b in r.bundles {
            if let Some(app) = model.apps.get_mut(r.app)
                && !app.code.iter().any(|x| x.id == b.id)
            {
                stats.bundles += 1;
                app.code.push(b);
            }
        }
    }
    attach_layers(model, base, options, &mut stats);
    for app in &mut model.apps {
        app.code.sort_by(|a, b| a.id.cmp(&b.id));
    }
    stats
}

/// Layers declared in the same app whose content is in the scanned tree become `Layer`
/// bundles (read once per app), listed in [`FunctionCode::layers`] of the functions using them:
/// their dependencies and secrets ship with those functions.
fn attach_layers(model: &mut Model, base: &Path, options: &CodeOptions, stats: &mut CodeStats) {
    for app in &mut model.apps {
        let mut wanted: BTreeMap<String, String> = BTreeMap::new();
        for f in &app.functions {
            for layer in f.layers.iter().filter_map(|l| l.as_str()) {
                let Some(resource) = app.resource(layer) else {
                    continue;
                };
                let path = resource.code_path.as_ref().and_then(|p| p.as_str());
                if let Some(path) = path.filter(|p| is_safe_relative(p) && base.join(p).exists()) {
                    wanted.insert(layer.to_string(), path.to_string());
                }
            }
        }
        let mut loaded: BTreeMap<String, String> = BTreeMap::new();
        for (layer, path) in &wanted {
            if !app.code.iter().any(|b| &b.id == path) {
                let bundle = if is_archive(path) || base.join(path).is_file() {
                    Bundle::archive(base, path, BundleKind::Layer, options)
                } else {
                    Bundle::folder(base, path, BundleKind::Layer, options)
                };
                model.errors.extend(bundle.errors.iter().cloned());
                let code = code_bundle(&bundle, &mut model.errors);
                stats.bundles += 1;
                app.code.push(code);
            }
            loaded.insert(layer.clone(), path.clone());
        }
        for f in &mut app.functions {
            let ids: Vec<String> = f
                .layers
                .iter()
                .filter_map(|l| l.as_str())
                .filter_map(|l| loaded.get(l).cloned())
                .collect();
            if let Some(code) = f.code.as_mut() {
                code.layers = ids;
            }
        }
    }
}

/// A path inside the scan root: relative, no `..`.
fn is_safe_relative(path: &str) -> bool {
    !path.starts_with('/') && !path.split('/').any(|c| c == "..")
}

/// Where a function's code may be, best first (relative to the scan root, maybe absent).
fn candidates(app: &perimeter_model::App, f: &perimeter_model::Function) -> Vec<String> {
    let app_dir = dir_of(&app.file);
    let under = |p: &str| {
        if app_dir.is_empty() {
            p.to_string()
        } else {
            format!("{app_dir}/{p}")
        }
    };
    let mut out = Vec::new();
    let code_path = f
        .code_path
        .as_ref()
        .and_then(|c| c.as_str())
        .map(str::to_string);
    match app.source {
        SourceKind::Serverless => {
            // The whole service folder is packaged; the handler path is relative to it. A
            // prebuilt `package.artifact` replaces it.
            match code_path {
                Some(p) if is_archive(&p) => out.push(p),
                _ => out.push(if app_dir.is_empty() {
                    ".".to_string()
                } else {
                    app_dir.clone()
                }),
            }
            // `sls package` output, when the folder does not hold the handler.
            out.push(under(&format!(".serverless/{}.zip", f.id)));
            out.push(under(&format!(".serverless/{}.zip", app.name)));
        }
        _ => {
            if let Some(p) = code_path {
                out.push(p);
            }
            // `sam build` output.
            out.push(under(&format!(".aws-sam/build/{}", f.id)));
        }
    }
    out.retain(|p| is_safe_relative(p));
    out.dedup();
    out
}

/// The file name Lambda gives inline code: the handler's module with the runtime's extension
/// (`index.handler` on Python → `index.py`).
fn inline_file_name(f: &perimeter_model::Function) -> String {
    let module = f
        .handler
        .as_str()
        .and_then(|h| h.rsplit_once('.'))
        .map(|(m, _)| m)
        .filter(|m| !m.is_empty() && !m.contains('/'))
        .unwrap_or("index");
    let ext = match f.runtime.as_str().and_then(runtime_language) {
        Some(Language::Python) => "py",
        Some(Language::JavaScript) => "js",
        _ => "txt",
    };
    format!("{module}.{ext}")
}

fn load(base: &Path, root: &str, options: &CodeOptions) -> Bundle {
    if is_archive(root) || base.join(root).is_file() {
        Bundle::archive(base, root, BundleKind::Archive, options)
    } else {
        Bundle::folder(base, root, BundleKind::Folder, options)
    }
}

fn run_job(base: &Path, targets: &[Target], options: &CodeOptions) -> JobResult {
    let mut out = JobResult {
        app: targets.first().map_or(0, |t| t.app),
        bundles: Vec::new(),
        functions: Vec::new(),
        with_source: 0,
        errors: Vec::new(),
        unrecognized: Vec::new(),
    };
    let mut loaded: BTreeMap<String, Bundle> = BTreeMap::new();
    let mut used: Vec<String> = Vec::new();
    // First pass: which bundle each function resolves in.
    let mut plan: Vec<(usize, String)> = Vec::new();
    for (ti, t) in targets.iter().enumerate() {
        if let Some((root, file, source)) = &t.inline {
            loaded
                .entry(root.clone())
                .or_insert_with(|| Bundle::inline(root, file, source));
            used.push(root.clone());
            plan.push((ti, root.clone()));
            continue;
        }
        let mut chosen = t.candidates[0].clone();
        for c in &t.candidates {
            let b = loaded
                .entry(c.clone())
                .or_insert_with(|| load(base, c, options));
            let mut cache = Cache::new(b);
            if try_resolve(&mut cache, t).is_ok() {
                chosen = c.clone();
                break;
            }
        }
        if !used.contains(&chosen) {
            used.push(chosen.clone());
        }
        plan.push((ti, chosen));
    }
    for root in &used {
        let Some(bundle) = loaded.get(root) else {
            continue;
        };
        out.errors.extend(bundle.errors.iter().cloned());
        let mut cache = Cache::new(bundle);
        for (ti, _) in plan.iter().filter(|(_, r)| r == root) {
            let t = &targets[*ti];
            if bundle
                .files
                .values()
                .any(|f| crate::lang::grammar(f.language, false).is_some())
            {
                out.with_source += 1;
            }
            let code = function_code(&mut cache, t, options, &mut out.unrecognized);
            out.functions.push((t.app, t.function, code));
        }
        out.errors.append(&mut cache.errors);
        out.bundles.push(code_bundle(bundle, &mut out.errors));
    }
    out.unrecognized.sort();
    out.unrecognized.dedup();
    out
}

/// The language to resolve a handler in: from the runtime, else the first that resolves.
fn try_resolve(cache: &mut Cache, t: &Target) -> Result<(Language, handler::Resolved), String> {
    let Some(h) = t.handler.as_deref() else {
        return Err("no handler declared".to_string());
    };
    let languages = match t.runtime.as_deref().and_then(runtime_language) {
        Some(l) => vec![l],
        None => vec![
            Language::Python,
            Language::JavaScript,
            Language::Java,
            Language::Go,
        ],
    };
    let mut first_err = None;
    for l in languages {
        match handler::resolve(cache, l, h) {
            Ok(r) => return Ok((l, r)),
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    Err(first_err.unwrap_or_else(|| "no handler".to_string()))
}

fn function_code(
    cache: &mut Cache,
    t: &Target,
    options: &CodeOptions,
    unrecognized: &mut Vec<String>,
) -> FunctionCode {
    let bundle_id = cache.bundle.root.clone();
    let runtime_lang = t.runtime.as_deref().and_then(runtime_language);
    let mut code = FunctionCode {
        bundle: bundle_id,
        layers: Vec::new(),
        language: runtime_lang.unwrap_or(Language::Other),
        handler: None,
        problem: None,
        files: Vec::new(),
        sdk_calls: Vec::new(),
        flows: Vec::new(),
    };
    let (language, resolved) = match try_resolve(cache, t) {
        Ok(x) => x,
        Err(problem) => {
            code.problem = Some(problem);
            return code;
        }
    };
    let handler_file_lang = cache.bundle.files.get(&resolved.file).map(|f| f.language);
    code.language = match handler_file_lang {
        Some(Language::TypeScript) => Language::TypeScript,
        _ => language,
    };
    let display = cache.bundle.display(&resolved.file);
    code.handler = Some(HandlerRef {
        file: display.clone(),
        symbol: resolved.symbol.clone(),
        location: Location::new(display, resolved.line, resolved.column),
    });
    let files = reachable(cache, language, &resolved.file, options.max_reachable);
    // The taint analysis looks for the handler function by its plain name.
    let symbol = resolved
        .symbol
        .rsplit("::")
        .next()
        .unwrap_or(&resolved.symbol)
        .to_string();
    let mut calls: Vec<SdkCall> = Vec::new();
    for f in &files {
        let Some(p) = cache.get(f) else { continue };
        code.files.push(p.display.clone());
        if *f == resolved.file
            && let Some(runs) = scope::handler_lines(p.language, &p.source, &p.tree, &symbol)
        {
            // Other handlers of the same file are other functions' code.
            calls.extend(
                p.sdk
                    .calls
                    .iter()
                    .filter(|c| runs(c.location.line))
                    .cloned(),
            );
        } else {
            calls.extend(p.sdk.calls.iter().cloned());
        }
        unrecognized.extend(p.sdk.unrecognized.iter().cloned());
        code.flows.extend(taint::analyze(
            p.language, &p.display, &p.source, &p.tree, &symbol,
        ));
    }
    calls.sort_by(|a, b| a.location.cmp(&b.location));
    code.sdk_calls = calls;
    code
}

/// The model's view of a bundle: its files, dependencies and secrets.
fn code_bundle(b: &Bundle, errors: &mut Vec<LoadError>) -> CodeBundle {
    let mut cb = CodeBundle {
        id: b.root.clone(),
        root: b.root.clone(),
        kind: b.kind,
        files: Vec::new(),
        dependencies: Vec::new(),
        secrets: Vec::new(),
    };
    for (rel, f) in &b.files {
        let display = b.display(rel);
        let name = rel.rsplit('/').next().unwrap_or(rel);
        cb.files.push(SourceFile {
            path: display.clone(),
            language: f.language,
            size: f.size,
        });
        if perimeter_deps::recognize(name).is_some() {
            match perimeter_deps::parse(&display, &f.bytes) {
                Ok(deps) => cb.dependencies.extend(deps),
                Err(e) => errors.push(LoadError {
                    file: display.clone(),
                    line: None,
                    column: None,
                    message: e.to_string(),
                }),
            }
        }
        if perimeter_secrets::should_scan(&display, f.size) {
            cb.secrets
                .extend(perimeter_secrets::scan(&display, &f.bytes));
        }
    }
    // A manifest's range gives way to the lockfile's exact version of the same package.
    cb.dependencies = perimeter_deps::prefer_lockfiles(std::mem::take(&mut cb.dependencies));
    cb
}

/// A deployment package or layer read from bytes (a live account's download): its bundle,
/// and for a function's package the function's code facts.
#[derive(Debug, Clone)]
pub struct ScannedArchive {
    /// Files, dependencies and secrets; `id` and `root` are the archive's id as given.
    pub bundle: CodeBundle,
    /// For a function's package: handler, reachable files, SDK calls and flows. `layers` is
    /// left empty for the caller to fill.
    pub function: Option<FunctionCode>,
    /// Entries not read (zip slip, zip bombs, caps) and lockfiles that did not parse.
    pub errors: Vec<LoadError>,
}

/// What [`scan_archive`] reads the bytes as.
#[derive(Debug, Clone)]
pub enum ArchiveRole<'a> {
    /// A function's deployment package, with the function's `Handler` and `Runtime`.
    Function {
        handler: Option<&'a str>,
        runtime: Option<&'a str>,
    },
    /// A layer's content (Lambda mounts it under `/opt`).
    Layer,
}

/// Reads a zip held in memory as the code stage reads an archive of the scanned tree, nothing
/// written to disk. `id` names the bundle and prefixes every display path as
/// `"{id}!/{entry}"` (a function or layer ARN for live data). The archive caps of
/// `options.archive` apply as to files on disk.
pub fn scan_archive(
    id: &str,
    bytes: Vec<u8>,
    role: ArchiveRole<'_>,
    options: &CodeOptions,
) -> ScannedArchive {
    // Read as an archive (display paths `id!/entry`) whatever the role; a layer is marked
    // as one on the model's bundle below.
    let mut bundle = Bundle {
        root: id.to_string(),
        kind: BundleKind::Archive,
        files: BTreeMap::new(),
        errors: Vec::new(),
    };
    bundle.read_archive(bytes, options);
    let mut errors = std::mem::take(&mut bundle.errors);
    let function = match role {
        ArchiveRole::Function { handler, runtime } => {
            let target = Target {
                app: 0,
                function: 0,
                handler: handler.map(str::to_string),
                runtime: runtime.map(str::to_string),
                candidates: vec![id.to_string()],
                inline: None,
            };
            let mut cache = Cache::new(&bundle);
            let mut unrecognized = Vec::new();
            let code = function_code(&mut cache, &target, options, &mut unrecognized);
            errors.append(&mut cache.errors);
            Some(code)
        }
        ArchiveRole::Layer => None,
    };
    let mut code = code_bundle(&bundle, &mut errors);
    if function.is_none() {
        code.kind = BundleKind::Layer;
    }
    ScannedArchive {
        bundle: code,
        function,
        errors,
    }
}
