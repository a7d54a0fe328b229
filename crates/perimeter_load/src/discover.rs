//! Finding the files that declare applications under a scan root.
//!
//! Discovery only looks at names and file types; it never reads a file's content (that is
//! the load step's job, once per file). It walks the root with the `ignore` crate so that
//! `.gitignore`/`.ignore` rules apply as developers expect, skips folders that hold
//! dependencies, build output and generated copies of templates, never follows a symlink,
//! and applies the user's exclude globs. What comes out is a sorted list of [`Candidate`]s:
//! Serverless Framework service files by name, and YAML/JSON files that *may* be
//! CloudFormation templates (decided later by content).

use crate::{LoadOptions, LoadPathError};
use ignore::overrides::{Override, OverrideBuilder};
use ignore::{DirEntry, WalkBuilder};
use perimeter_model::LoadError;
use std::ffi::OsStr;
use std::fs;
use std::path::{Component, Path, PathBuf};

/// Folders never worth descending into: dependencies (`node_modules`, `vendor`, virtualenvs),
/// VCS data, build output, and tools' generated copies of templates (`.aws-sam` holds `sam
/// build` copies of `template.yaml`, `.serverless` the compiled CloudFormation of a service,
/// `.terraform` downloaded modules). Scanning them would report the same app twice or scan
/// third-party code as the user's.
const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    ".git",
    "vendor",
    "build",
    "dist",
    "target",
    ".venv",
    "venv",
    "__pycache__",
    ".aws-sam",
    ".serverless",
    ".terraform",
];

/// Folder name of a synthesized CDK cloud assembly.
const CDK_OUT: &str = "cdk.out";

/// JSON/YAML files that are never templates and can be large; skipped by name so they are
/// not even read.
const NEVER_TEMPLATES: &[&str] = &[
    "package.json",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "composer.json",
    "composer.lock",
    "tsconfig.json",
    "jsconfig.json",
    "cdk.json",
    "cdk.context.json",
    "tslint.json",
    "pnpm-lock.yaml",
    ".eslintrc.json",
    ".prettierrc.json",
    "Pipfile.lock",
    "appsettings.json",
    "launchSettings.json",
    "aws-lambda-tools-defaults.json",
];

/// File names the SAM CLI looks for by default: a file so named that cannot be read is worth
/// an error even when its content does not announce a template.
const SAM_DEFAULT_NAMES: &[&str] = &["template.yaml", "template.yml", "template.json"];

/// How a candidate was recognized, which decides how loud its failures are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CandidateKind {
    /// `serverless.yml` / `.yaml` / `.json`: always loaded; any failure is an error.
    Serverless,
    /// A file whose name says it is a template (`template.yaml`, `*.template`,
    /// `*.template.json`, `cdk.out/*.template.json`): unreadable or unparsable content is an
    /// error; parsable content that is not a template is a silent miss.
    NamedTemplate,
    /// `serverless.ts` / `.js` / `.cjs` / `.mjs`: a service declared in code. perimeter never
    /// runs scanned code, so it is reported as not read rather than silently missed.
    ServerlessCode,
    /// A Terraform `.tf` file: the files of one folder are loaded together as one module
    /// (see [`crate::terraform`]).
    Terraform,
    /// `host.json`: an Azure Functions project when `*/function.json` files sit beside it or
    /// its content says so (see [`crate::azure`]); otherwise a silent miss.
    AzureHost,
    /// `cdk.json`: a CDK app. Its templates are read from `cdk.out`; when there are none the
    /// load step says to run `cdk synth` rather than reporting nothing.
    CdkApp,
    /// Any other `.yaml`/`.yml`/`.json`: a template only if its content says so. Files that do
    /// not even mention `Resources`/`AWSTemplateFormatVersion` are not parsed, and misses are
    /// silent.
    MaybeTemplate,
}

/// A file that may declare an application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Path on disk.
    pub path: PathBuf,
    /// Path relative to the scan root, with `/` separators (for a file root: its name).
    pub rel: String,
    pub kind: CandidateKind,
    /// `true` inside a CDK cloud assembly (`cdk.out`): the template is CDK output.
    pub in_cdk_out: bool,
}

/// What discovery found.
#[derive(Debug, Default)]
pub struct Discovery {
    /// The folder that relative paths start from (for a file root: its parent folder). The
    /// Serverless loader may read `${file(…)}` includes inside it only.
    pub base: PathBuf,
    /// Candidates sorted by relative path.
    pub candidates: Vec<Candidate>,
    /// Folders or files that could not be listed (permissions, broken ignore files).
    pub errors: Vec<LoadError>,
}

/// Lists the candidate files under `root` (or `root` itself when it is a file).
pub fn discover(root: &Path, options: &LoadOptions) -> Result<Discovery, LoadPathError> {
    let meta = fs::metadata(root).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => LoadPathError::NotFound {
            path: root.to_path_buf(),
        },
        _ => LoadPathError::Unreadable {
            path: root.to_path_buf(),
            source: e,
        },
    })?;
    if meta.is_file() {
        return Ok(discover_file(root));
    }
    let overrides = build_overrides(root, &options.exclude)?;
    let mut found = Discovery {
        base: root.to_path_buf(),
        ..Discovery::default()
    };

    // The root itself may be a cloud assembly (`perimeter scan cdk.out`): then only its
    // templates matter, not the bundled assets beside them.
    if root.file_name() == Some(OsStr::new(CDK_OUT)) {
        collect_cdk_out(root, root, &overrides, &mut found);
        found.candidates.sort_by(|a, b| a.rel.cmp(&b.rel));
        return Ok(found);
    }

    let mut walker = WalkBuilder::new(root);
    walker
        .follow_links(false)
        // Hidden files and folders are skipped, as ripgrep does: they hold tool state and
        // caches (`.aws-sam`, `.serverless`, `.cache`, `.idea`), not the user's templates.
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        // A user's global gitignore would make the same checkout scan differently on two
        // machines (a developer's and CI's): only the project's own ignore files count.
        .git_global(false)
        .require_git(false)
        .overrides(overrides.clone())
        .filter_entry(|entry| !is_skipped_dir(entry));

    for entry in walker.build() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                found.errors.push(walk_error(root, &err));
                continue;
            }
        };
        // A broken ignore file in a folder comes attached to the folder's entry; the folder
        // is still walked with the rest of the file's rules.
        if let Some(err) = entry.error() {
            found.errors.push(walk_error(root, err));
        }
        let Some(file_type) = entry.file_type() else {
            continue;
        };
        if file_type.is_dir() {
            // `cdk.out` is skipped by the walk but looked at here, next to the folder that
            // contains it. Projects almost always list `cdk.out` in `.gitignore` (it is build
            // output), yet for a CDK app the synthesized templates in it are the only
            // declarative view of the app that exists: reading them despite the ignore rule is
            // what makes CDK apps visible at all. Only `*.template.json` are taken; the asset
            // folders beside them hold bundled code and copies that are not the user's
            // templates.
            let cdk_out = entry.path().join(CDK_OUT);
            if is_real_dir(&cdk_out) && !overrides.matched(&cdk_out, true).is_ignore() {
                collect_cdk_out(root, &cdk_out, &overrides, &mut found);
            }
            continue;
        }
        // Symlinks are never followed: a link may loop, or lead out of the scanned tree (a
        // hostile repository could point one at `/etc` or at a CI's credentials).
        if !file_type.is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        if let Some(kind) = classify(&name) {
            found.candidates.push(Candidate {
                rel: relative(root, entry.path()),
                path: entry.into_path(),
                kind,
                in_cdk_out: false,
            });
        }
    }
    found.candidates.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(found)
}

/// A single file given as the root: scanned whatever its name, since the user named it.
fn discover_file(path: &Path) -> Discovery {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let kind = classify(&name).unwrap_or(CandidateKind::NamedTemplate);
    let kind = if kind == CandidateKind::MaybeTemplate {
        CandidateKind::NamedTemplate
    } else {
        kind
    };
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let in_cdk_out = base.file_name() == Some(OsStr::new(CDK_OUT));
    Discovery {
        base,
        candidates: vec![Candidate {
            path: path.to_path_buf(),
            rel: name,
            kind,
            in_cdk_out,
        }],
        errors: Vec::new(),
    }
}

/// What a file is, by its name alone; `None` when it cannot declare an application.
pub fn classify(name: &str) -> Option<CandidateKind> {
    if matches!(
        name,
        "serverless.yml" | "serverless.yaml" | "serverless.json"
    ) {
        return Some(CandidateKind::Serverless);
    }
    if matches!(
        name,
        "serverless.ts" | "serverless.js" | "serverless.cjs" | "serverless.mjs"
    ) {
        return Some(CandidateKind::ServerlessCode);
    }
    match name {
        "host.json" => return Some(CandidateKind::AzureHost),
        "cdk.json" => return Some(CandidateKind::CdkApp),
        _ => {}
    }
    if NEVER_TEMPLATES.contains(&name) || name.starts_with("tsconfig.") {
        return None;
    }
    if SAM_DEFAULT_NAMES.contains(&name) || name.ends_with(".template") {
        return Some(CandidateKind::NamedTemplate);
    }
    let lower = name.to_ascii_lowercase();
    // Terraform's JSON syntax: part of the folder's module, like `.tf`.
    if lower.ends_with(".tf.json") {
        return Some(CandidateKind::Terraform);
    }
    let (stem, ext) = lower.rsplit_once('.')?;
    match ext {
        "yaml" | "yml" | "json" if stem.ends_with(".template") => {
            Some(CandidateKind::NamedTemplate)
        }
        "yaml" | "yml" | "json" => Some(CandidateKind::MaybeTemplate),
        "tf" => Some(CandidateKind::Terraform),
        _ => None,
    }
}

/// The `*.template.json` files of a cloud assembly, and of the nested assemblies that CDK
/// Pipelines stages write as `assembly-*` subfolders.
fn collect_cdk_out(root: &Path, cdk_out: &Path, overrides: &Override, found: &mut Discovery) {
    let mut dirs = vec![(cdk_out.to_path_buf(), 0)];
    while let Some((dir, depth)) = dirs.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(err) => {
                found.errors.push(LoadError {
                    file: relative(root, &dir),
                    line: None,
                    column: None,
                    message: format!("cannot list folder: {err}"),
                });
                continue;
            }
        };
        for entry in entries.flatten() {
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if file_type.is_dir() && depth == 0 && name.starts_with("assembly-") {
                if !overrides.matched(&path, true).is_ignore() {
                    dirs.push((path, depth + 1));
                }
            } else if file_type.is_file()
                && name.ends_with(".template.json")
                && !overrides.matched(&path, false).is_ignore()
            {
                found.candidates.push(Candidate {
                    rel: relative(root, &path),
                    path,
                    kind: CandidateKind::NamedTemplate,
                    in_cdk_out: true,
                });
            }
        }
    }
}

fn is_skipped_dir(entry: &DirEntry) -> bool {
    entry.depth() > 0
        && entry.file_type().is_some_and(|t| t.is_dir())
        && entry
            .file_name()
            .to_str()
            .is_some_and(|n| n == CDK_OUT || SKIPPED_DIRS.contains(&n))
}

/// `true` for a directory that is not a symlink.
fn is_real_dir(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
}

/// The user's exclude globs, gitignore-style, relative to the root.
fn build_overrides(root: &Path, exclude: &[String]) -> Result<Override, LoadPathError> {
    let mut builder = OverrideBuilder::new(root);
    for pattern in exclude {
        // An override glob whitelists; `!` makes it an ignore rule, which is what an exclude is.
        let glob = format!("!{}", pattern.strip_prefix("./").unwrap_or(pattern));
        builder
            .add(&glob)
            .map_err(|e| LoadPathError::InvalidExclude {
                pattern: pattern.clone(),
                message: e.to_string(),
            })?;
    }
    builder.build().map_err(|e| LoadPathError::InvalidExclude {
        pattern: exclude.join(", "),
        message: e.to_string(),
    })
}

/// `path` relative to `root`, with `/` separators whatever the platform.
pub fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<_> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(part) => Some(part.to_string_lossy()),
            _ => None,
        })
        .collect();
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

fn walk_error(root: &Path, err: &ignore::Error) -> LoadError {
    let file = error_path(err).map_or_else(|| ".".to_string(), |p| relative(root, p));
    LoadError {
        file,
        line: error_line(err),
        column: None,
        message: format!("cannot read: {}", strip_path(err)),
    }
}

fn error_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithLineNumber { err, .. } | ignore::Error::WithDepth { err, .. } => {
            error_path(err)
        }
        ignore::Error::Partial(errs) => errs.iter().find_map(error_path),
        _ => None,
    }
}

fn error_line(err: &ignore::Error) -> Option<u32> {
    match err {
        ignore::Error::WithLineNumber { line, .. } => u32::try_from(*line).ok(),
        ignore::Error::WithPath { err, .. } | ignore::Error::WithDepth { err, .. } => {
            error_line(err)
        }
        _ => None,
    }
}

/// The innermost message, without the path and line the wrappers add (the [`LoadError`]
/// carries those separately).
fn strip_path(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithLineNumber { err, .. }
        | ignore::Error::WithDepth { err, .. } => strip_path(err),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_classified() {
        assert_eq!(classify("serverless.yml"), Some(CandidateKind::Serverless));
        assert_eq!(classify("serverless.json"), Some(CandidateKind::Serverless));
        assert_eq!(
            classify("serverless.template"),
            Some(CandidateKind::NamedTemplate)
        );
        assert_eq!(
            classify("template.yaml"),
            Some(CandidateKind::NamedTemplate)
        );
        assert_eq!(
            classify("Stack.template.json"),
            Some(CandidateKind::NamedTemplate)
        );
        assert_eq!(classify("infra.yml"), Some(CandidateKind::MaybeTemplate));
        assert_eq!(classify("event.JSON"), Some(CandidateKind::MaybeTemplate));
        assert_eq!(classify("package-lock.json"), None);
        assert_eq!(classify("tsconfig.build.json"), None);
        assert_eq!(classify("main.tf"), Some(CandidateKind::Terraform));
        assert_eq!(classify("main.tf.json"), Some(CandidateKind::Terraform));
        assert_eq!(classify("terraform.tfvars"), None);
        assert_eq!(classify("README"), None);
    }

    fn touch(root: &Path, rel: &str) {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, "x: 1\n").expect("write");
    }

    fn found(root: &Path, exclude: &[&str]) -> Vec<(String, CandidateKind, bool)> {
        let options = LoadOptions {
            exclude: exclude.iter().map(|s| s.to_string()).collect(),
            ..LoadOptions::default()
        };
        let found = discover(root, &options).expect("discover");
        assert!(found.errors.is_empty(), "{:?}", found.errors);
        found
            .candidates
            .into_iter()
            .map(|c| (c.rel, c.kind, c.in_cdk_out))
            .collect()
    }

    fn names(root: &Path, exclude: &[&str]) -> Vec<String> {
        found(root, exclude)
            .into_iter()
            .map(|(rel, ..)| rel)
            .collect()
    }

    #[test]
    fn walk_skips_dependencies_build_output_and_ignored_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        for rel in [
            "template.yaml",
            "svc/serverless.yml",
            "svc/node_modules/pkg/template.yaml",
            "svc/.serverless/cloudformation-template-update-stack.json",
            ".aws-sam/build/template.yaml",
            "vendor/x.yaml",
            "build/template.yaml",
            "dist/template.json",
            "target/t.json",
            "venv/lib/t.yaml",
            ".venv/lib/t.yaml",
            "py/__pycache__/t.yaml",
            ".terraform/modules/m.json",
            ".git/config.json",
            "ignored/template.yaml",
            "notes.txt",
            "package-lock.json",
            "main.tf",
            "events/event.json",
            "app/Stack.template",
        ] {
            touch(root, rel);
        }
        // Not a git repository: .gitignore still applies.
        fs::write(root.join(".gitignore"), "ignored/\n").expect("write");
        assert_eq!(
            found(root, &[]),
            [
                (
                    "app/Stack.template".to_string(),
                    CandidateKind::NamedTemplate,
                    false
                ),
                (
                    "events/event.json".to_string(),
                    CandidateKind::MaybeTemplate,
                    false
                ),
                ("main.tf".to_string(), CandidateKind::Terraform, false),
                (
                    "svc/serverless.yml".to_string(),
                    CandidateKind::Serverless,
                    false
                ),
                (
                    "template.yaml".to_string(),
                    CandidateKind::NamedTemplate,
                    false
                ),
            ]
        );
    }

    #[test]
    fn cdk_out_templates_are_found_even_when_gitignored() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        for rel in [
            "infra/cdk.out/MyStack.template.json",
            "infra/cdk.out/manifest.json",
            "infra/cdk.out/tree.json",
            "infra/cdk.out/asset.abc123/template.yaml",
            "infra/cdk.out/asset.abc123/index.json",
            "infra/cdk.out/assembly-Prod/ProdStack.template.json",
            "infra/node_modules/cdk.out/Dep.template.json",
        ] {
            touch(root, rel);
        }
        fs::write(root.join(".gitignore"), "cdk.out\n").expect("write");
        assert_eq!(
            found(root, &[]),
            [
                (
                    "infra/cdk.out/MyStack.template.json".to_string(),
                    CandidateKind::NamedTemplate,
                    true
                ),
                (
                    "infra/cdk.out/assembly-Prod/ProdStack.template.json".to_string(),
                    CandidateKind::NamedTemplate,
                    true
                ),
            ]
        );
        // Scanning the cloud assembly itself.
        assert_eq!(
            names(&root.join("infra/cdk.out"), &[]),
            [
                "MyStack.template.json",
                "assembly-Prod/ProdStack.template.json"
            ]
        );
        // Excludes apply inside it too.
        assert_eq!(
            names(root, &["**/assembly-*"]),
            ["infra/cdk.out/MyStack.template.json"]
        );
        assert!(names(root, &["infra/cdk.out"]).is_empty());
    }

    #[test]
    fn exclude_globs_are_relative_to_the_root() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        for rel in [
            "a/template.yaml",
            "a/tests/template.yaml",
            "examples/x/serverless.yml",
            "b/stack.json",
        ] {
            touch(root, rel);
        }
        assert_eq!(
            names(root, &["examples/**", "tests"]),
            ["a/template.yaml", "b/stack.json"]
        );
        assert_eq!(
            names(root, &["*.json", "./a/tests/"]),
            ["a/template.yaml", "examples/x/serverless.yml"]
        );
        let bad = LoadOptions {
            exclude: vec!["a/[".to_string()],
            ..LoadOptions::default()
        };
        assert!(matches!(
            discover(root, &bad),
            Err(LoadPathError::InvalidExclude { .. })
        ));
    }

    #[test]
    fn a_file_root_is_scanned_alone_and_a_missing_root_is_an_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        touch(dir.path(), "x/infra.yml");
        touch(dir.path(), "x/other.yml");
        let found =
            discover(&dir.path().join("x/infra.yml"), &LoadOptions::default()).expect("discover");
        assert_eq!(found.base, dir.path().join("x"));
        let got: Vec<_> = found
            .candidates
            .iter()
            .map(|c| (c.rel.as_str(), c.kind))
            .collect();
        // Named by the user: its failures are reported like a named template's.
        assert_eq!(got, [("infra.yml", CandidateKind::NamedTemplate)]);
        let missing = discover(&dir.path().join("nope"), &LoadOptions::default());
        assert!(
            matches!(missing, Err(LoadPathError::NotFound { .. })),
            "{missing:?}"
        );
    }

    #[test]
    fn a_broken_ignore_file_is_reported_and_the_walk_goes_on() {
        let dir = tempfile::tempdir().expect("temp dir");
        touch(dir.path(), "template.yaml");
        fs::write(dir.path().join(".gitignore"), "ok/\nbad{a\n").expect("write");
        let found = discover(dir.path(), &LoadOptions::default()).expect("discover");
        assert_eq!(found.candidates.len(), 1);
        assert_eq!(found.errors.len(), 1, "{:?}", found.errors);
        let err = &found.errors[0];
        assert_eq!(
            (err.file.as_str(), err.line),
            (".gitignore", Some(2)),
            "{err}"
        );
        assert!(err.message.contains("bad{a"), "{err}");
    }

    #[test]
    fn relative_paths_use_slashes() {
        assert_eq!(
            relative(Path::new("."), Path::new("./a/b.yaml")),
            "a/b.yaml"
        );
        assert_eq!(
            relative(Path::new("/x/y"), Path::new("/x/y/c/d.json")),
            "c/d.json"
        );
        assert_eq!(relative(Path::new("/x/y"), Path::new("/x/y")), ".");
    }
}
