//! Azure Functions projects (`host.json` with `*/function.json` beside it) into the model.
//!
//! A project is the folder of a `host.json`: each direct subfolder holding a `function.json`
//! is one function, whose `bindings` give its triggers ([`triggers`]: `httpTrigger` with its
//! `authLevel`, `methods` and `route` under `host.json`'s route prefix, `api` by default; the
//! other `*Trigger` types), whose `scriptFile`/`entryPoint` give its handler and code folder.
//! `local.settings.json` (the local copy of the function app's settings, often committed with
//! real connection strings) gives every function its environment (`Values`) and the worker
//! runtime (`FUNCTIONS_WORKER_RUNTIME`), spelled as in [`runtime`].
//!
//! What a project does not say stays unresolved and keeps rules silent: the managed identity
//! and its role assignments, memory, and the language version (all set on the function app,
//! in the portal or in Terraform/Bicep). Projects whose functions are declared in code
//! (the Python v2 and Node v4 programming models, .NET attributes before a build) have no
//! `function.json`: the loader says so instead of reporting an empty app.

pub mod runtime;
pub mod triggers;

use crate::cloudformation::join_relative;
use crate::doc::{self, Node};
use perimeter_model::{App, Attr, Cloud, EnvVar, Function, LoadError, Location, SourceKind};
use std::fs;
use std::io::Read;
use std::path::Path;

/// Most function folders read in one project (each is one small file).
const MAX_FUNCTIONS: usize = 2_000;

/// What loading one `host.json` gave.
#[derive(Debug, Default)]
pub struct ProjectOutcome {
    /// `None` when the `host.json` is not an Azure Functions project's.
    pub app: Option<App>,
    /// Files of the project that could not be read (the app keeps what could).
    pub errors: Vec<LoadError>,
}

/// Loads the project whose `host.json` is at `host_rel` (relative to `base`, the scan root).
pub fn load_project(base: &Path, host_rel: &str) -> ProjectOutcome {
    let mut out = ProjectOutcome::default();
    let host = match read_json(&base.join(host_rel), host_rel) {
        Ok(Some(node)) if node.is_map() => node,
        Ok(_) => return out,
        Err(e) => {
            out.errors.push(e);
            return out;
        }
    };
    let dir_rel = host_rel
        .rsplit_once('/')
        .map(|(d, _)| d.to_string())
        .unwrap_or_default();
    let dir = base.join(&dir_rel);
    let folders = function_folders(&dir, &dir_rel, &mut out.errors);
    // `host.json` is a common name: without function folders it is a project only when it
    // says it is one (the `version` every Functions host.json carries).
    if folders.is_empty() && host.get("version").is_none() {
        return out;
    }
    let settings_rel = rel_join(&dir_rel, "local.settings.json");
    let settings = match read_json(&dir.join("local.settings.json"), &settings_rel) {
        Ok(node) => node.filter(Node::is_map),
        Err(e) => {
            out.errors.push(e);
            None
        }
    };
    let project = Project::new(host_rel, &host, &settings_rel, settings.as_ref());
    let name = if dir_rel.is_empty() {
        base.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| ".".to_string())
    } else {
        dir_rel.rsplit('/').next().unwrap_or(&dir_rel).to_string()
    };
    let mut app = App::new(host_rel, name, SourceKind::AzureFunctions, host_rel);
    app.cloud = Cloud::Azure;
    for (folder, rel) in folders {
        match read_json(&dir.join(&folder).join("function.json"), &rel) {
            Ok(Some(node)) if node.is_map() => {
                app.functions
                    .push(project.function(&folder, &rel, &dir_rel, &node));
            }
            Ok(_) => out.errors.push(LoadError {
                file: rel,
                line: None,
                column: None,
                message: "function.json is not a JSON object: function not read".to_string(),
            }),
            Err(e) => out.errors.push(e),
        }
    }
    if app.functions.is_empty() {
        out.errors.push(LoadError {
            file: host_rel.to_string(),
            line: None,
            column: None,
            message: "Azure Functions project without function.json files: functions declared \
                      in code (Python v2 or Node.js v4 programming model, .NET attributes) are \
                      not read; scan the build output that holds the generated function.json \
                      files"
                .to_string(),
        });
    }
    out.app = Some(app);
    out
}

/// What every function of a project shares: host settings and app settings.
struct Project<'a> {
    route_prefix: String,
    timeout: Option<Attr<u32>>,
    settings_file: &'a str,
    values: Option<&'a Node>,
    worker: Option<String>,
    runtime: Attr<String>,
}

impl<'a> Project<'a> {
    fn new(
        host_rel: &'a str,
        host: &Node,
        settings_rel: &'a str,
        settings: Option<&'a Node>,
    ) -> Self {
        let loc = |n: &Node| Location::new(host_rel, n.line, n.column);
        let route_prefix = host
            .get("extensions")
            .and_then(|e| e.get("http"))
            .or_else(|| host.get("http"))
            .and_then(|h| h.get("routePrefix"))
            .and_then(Node::as_str)
            .unwrap_or(triggers::DEFAULT_ROUTE_PREFIX)
            .to_string();
        let timeout =
            host.get("functionTimeout")
                .map(|t| match t.as_str().and_then(timespan_seconds) {
                    Some(s) => Attr::explicit(s, loc(t)),
                    None => {
                        Attr::unresolved("functionTimeout is not a time span (hh:mm:ss)", loc(t))
                    }
                });
        let values = settings
            .and_then(|s| s.get("Values"))
            .filter(|v| v.is_map());
        let setting = |k: &str| values.and_then(|v| v.get(k));
        let sloc = |n: &Node| Location::new(settings_rel, n.line, n.column);
        let worker = setting("FUNCTIONS_WORKER_RUNTIME")
            .and_then(Node::as_str)
            .map(str::to_string);
        let version = match worker.as_deref().map(runtime::worker_stack) {
            Some("node") => setting("WEBSITE_NODE_DEFAULT_VERSION")
                .or_else(|| setting("FUNCTIONS_WORKER_RUNTIME_VERSION")),
            // PowerShell (`~7`, `7.4`) and, on some plans, Python carry their version here.
            _ => setting("FUNCTIONS_WORKER_RUNTIME_VERSION"),
        };
        let runtime = match (setting("FUNCTIONS_WORKER_RUNTIME"), &worker) {
            (Some(n), Some(w)) => match runtime::from_worker(w, version.and_then(Node::as_str)) {
                Some(r) => Attr::explicit(r, sloc(version.unwrap_or(n))),
                None => Attr::unresolved(
                    format!(
                        "FUNCTIONS_WORKER_RUNTIME is `{w}`; the language version is set on \
                             the function app, not in the project"
                    ),
                    sloc(n),
                ),
            },
            _ => Attr::unresolved(
                "no FUNCTIONS_WORKER_RUNTIME in local.settings.json",
                Location::new(host_rel, 1, 1),
            ),
        };
        Project {
            route_prefix,
            timeout,
            settings_file: settings_rel,
            values,
            worker,
            runtime,
        }
    }

    /// One `function.json` (`rel`: its path relative to the scan root) of folder `folder`.
    fn function(&self, folder: &str, rel: &str, dir_rel: &str, node: &Node) -> Function {
        let loc = |n: &Node| Location::new(rel, n.line, n.column);
        let location = Location::new(rel, node.line, node.column);
        let mut f = Function::new(folder, location.clone());
        f.runtime = self.runtime.clone();
        f.memory = Attr::unresolved(
            "memory is set by the function app's hosting plan",
            location.clone(),
        );
        f.timeout = self.timeout.clone().unwrap_or_else(|| {
            Attr::unresolved(
                "timeout is the hosting plan's default (no functionTimeout in host.json)",
                location.clone(),
            )
        });
        f.tracing = Attr::unresolved(
            "tracing (Application Insights) is set on the function app",
            location.clone(),
        );
        f.role = Attr::unresolved(
            "the managed identity is set on the function app, not in the project",
            location.clone(),
        );
        let folder_rel = rel_join(dir_rel, folder);
        let (code, handler) = self.handler(node, &folder_rel, &loc, &location);
        f.code_path = Some(code);
        f.handler = handler;
        f.environment = self.environment();
        let bindings = node.get("bindings").map(Node::items).unwrap_or_default();
        for (i, b) in bindings.iter().enumerate() {
            let Some(ty) = b.get("type").and_then(Node::as_str) else {
                continue;
            };
            if !triggers::is_trigger_type(ty) {
                continue;
            }
            let bloc = loc(b);
            if ty.eq_ignore_ascii_case("httpTrigger") {
                let level = b.get("authLevel").map(|n| match n.as_str() {
                    Some(s) => Attr::explicit(s.to_string(), loc(n)),
                    None => Attr::unresolved("authLevel is not a string", loc(n)),
                });
                let auth = triggers::auth_level(level, &bloc);
                let methods: Vec<String> = b
                    .get("methods")
                    .map(Node::items)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|m| m.as_str().map(str::to_string))
                    .collect();
                let route = b.get("route").and_then(Node::as_str).unwrap_or(folder);
                let path = triggers::http_path(&self.route_prefix, route);
                f.triggers.extend(triggers::http_triggers(
                    &format!("http-{i}"),
                    &methods,
                    &path,
                    auth,
                    &bloc,
                ));
            } else {
                let source = triggers::SOURCE_KEYS.iter().find_map(|k| {
                    let n = b.get(k)?;
                    Some(Attr::explicit(n.as_str()?.to_string(), loc(n)))
                });
                f.triggers.push(triggers::other_trigger(
                    &format!("{ty}-{i}"),
                    ty,
                    source,
                    &bloc,
                ));
            }
        }
        f
    }

    /// The code folder and handler from `scriptFile`/`entryPoint`. The folder is the
    /// script's (a `scriptFile` of `../dist/Orders/index.js` points at the build output),
    /// else the function's own; the handler is `{script stem}.{entry point}` relative to it,
    /// as for Lambda (`__init__.main` for Python's default).
    fn handler(
        &self,
        node: &Node,
        folder_rel: &str,
        loc: &dyn Fn(&Node) -> Location,
        location: &Location,
    ) -> (Attr<String>, Attr<String>) {
        let script = node.get("scriptFile");
        let entry = node.get("entryPoint");
        let script_text = script.and_then(Node::as_str);
        let (script_dir, script_name) = match script_text {
            Some(s) => match s.rsplit_once('/') {
                Some((d, n)) => (join_relative(folder_rel, d), n.to_string()),
                None => (folder_rel.to_string(), s.to_string()),
            },
            None => (folder_rel.to_string(), String::new()),
        };
        // A script outside the scanned tree (`../../elsewhere`) is not ours to read.
        let code_dir = if script_dir.starts_with("..") || script_dir.starts_with('/') {
            folder_rel.to_string()
        } else {
            script_dir
        };
        let code = match script {
            Some(s) => Attr::explicit(code_dir, loc(s)),
            None => Attr::defaulted(folder_rel.to_string(), location.clone()),
        };
        let stem = script_name
            .rsplit_once('.')
            .map(|(s, _)| s.to_string())
            .unwrap_or(script_name.clone());
        let python = self.worker.as_deref().map(runtime::worker_stack) == Some("python")
            || script_name.ends_with(".py");
        let stem = match (stem.is_empty(), python) {
            (false, _) => stem,
            (true, true) => "__init__".to_string(),
            (true, false) => "index".to_string(),
        };
        let handler = match (entry.and_then(Node::as_str), python) {
            (Some(e), _) => Attr::explicit(format!("{stem}.{e}"), loc(entry.unwrap_or(node))),
            (None, true) => Attr::defaulted(format!("{stem}.main"), location.clone()),
            // Node.js: the module's single export (`module.exports = …`) is the function,
            // which the code stage reads as the module's `default` export.
            (None, false) => Attr::defaulted(format!("{stem}.default"), location.clone()),
        };
        (code, handler)
    }

    /// `local.settings.json` `Values`: the function app's settings, as environment.
    fn environment(&self) -> Vec<EnvVar> {
        let Some(values) = self.values else {
            return Vec::new();
        };
        values
            .entries()
            .iter()
            .map(|(k, v)| {
                let key_loc = Location::new(self.settings_file, k.line, k.column);
                let vloc = Location::new(self.settings_file, v.line, v.column);
                let value = match v.as_str() {
                    Some(s) => Attr::explicit(s.to_string(), vloc),
                    None => Attr::unresolved("not a string", vloc),
                };
                EnvVar {
                    name: k.name.clone(),
                    value,
                    location: key_loc,
                }
            })
            .collect()
    }
}

/// Direct subfolders of `dir` holding a regular `function.json`, sorted, as
/// `(folder name, function.json path relative to the root)`.
fn function_folders(
    dir: &Path,
    dir_rel: &str,
    errors: &mut Vec<LoadError>,
) -> Vec<(String, String)> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(err) => {
            errors.push(LoadError {
                file: if dir_rel.is_empty() {
                    ".".into()
                } else {
                    dir_rel.into()
                },
                line: None,
                column: None,
                message: format!("cannot list folder: {err}"),
            });
            return Vec::new();
        }
    };
    let mut out: Vec<(String, String)> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || name == "node_modules" {
                return None;
            }
            // Never follow a symlink out of the tree.
            let meta = fs::symlink_metadata(e.path().join("function.json")).ok()?;
            meta.is_file().then(|| {
                (
                    name.clone(),
                    rel_join(&rel_join(dir_rel, &name), "function.json"),
                )
            })
        })
        .collect();
    out.sort();
    if out.len() > MAX_FUNCTIONS {
        errors.push(LoadError {
            file: rel_join(dir_rel, "host.json"),
            line: None,
            column: None,
            message: format!(
                "{} function folders; only the first {MAX_FUNCTIONS} are read",
                out.len()
            ),
        });
        out.truncate(MAX_FUNCTIONS);
    }
    out
}

/// Reads and parses a JSON file, bounded; `Ok(None)` when it does not exist or is empty.
fn read_json(path: &Path, rel: &str) -> Result<Option<Node>, LoadError> {
    let err = |message: String, line: Option<u32>, column: Option<u32>| LoadError {
        file: rel.to_string(),
        line,
        column,
        message,
    };
    // Only regular files: never a symlink out of the tree, never a FIFO.
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_file() => {}
        Ok(_) => return Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(err(format!("cannot read: {e}"), None, None)),
    }
    let mut bytes = Vec::new();
    let file = fs::File::open(path).map_err(|e| err(format!("cannot read: {e}"), None, None))?;
    file.take(doc::MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| err(format!("cannot read: {e}"), None, None))?;
    if bytes.len() > doc::MAX_FILE_BYTES {
        return Err(err(
            format!(
                "larger than the {} MB limit; not read",
                doc::MAX_FILE_BYTES / (1024 * 1024)
            ),
            None,
            None,
        ));
    }
    let text = doc::decode(&bytes).map_err(|e| err(e.message.clone(), e.line, e.column))?;
    doc::parse_json(text).map_err(|e| err(e.message.clone(), e.line, e.column))
}

/// `dir/name`, or `name` at the root.
fn rel_join(dir: &str, name: &str) -> String {
    if dir.is_empty() || dir == "." {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// `hh:mm:ss` (or `d.hh:mm:ss`) into seconds; `-1` (unlimited) and garbage give `None`.
fn timespan_seconds(text: &str) -> Option<u32> {
    let (days, rest) = match text.split_once('.') {
        Some((d, r)) if !d.contains(':') => (d.parse::<u32>().ok()?, r),
        _ => (0, text),
    };
    let parts: Vec<u32> = rest
        .split(':')
        .map(|p| p.split('.').next().unwrap_or(p).parse::<u32>().ok())
        .collect::<Option<_>>()?;
    let [h, m, s] = parts[..] else { return None };
    days.checked_mul(86_400)?
        .checked_add(h.checked_mul(3600)?)?
        .checked_add(m.checked_mul(60)?)?
        .checked_add(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespans() {
        assert_eq!(timespan_seconds("00:05:00"), Some(300));
        assert_eq!(timespan_seconds("01:00:30"), Some(3630));
        assert_eq!(timespan_seconds("1.00:00:00"), Some(86_400));
        assert_eq!(timespan_seconds("-1"), None);
        assert_eq!(timespan_seconds("5m"), None);
    }
}
