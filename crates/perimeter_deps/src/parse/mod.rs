//! Which files are dependency files, and the dispatch to one parser per format.
//!
//! Every parser returns packages in file order with the 1-based line of their entry. Versions
//! that are not registry versions (git URLs, local paths, workspace links) are left out: no
//! advisory database can judge them.

mod cargo;
mod go;
mod maven;
mod npm;
mod nuget;
mod pnpm;
mod python;
mod ruby;
mod yarn;

use crate::DepsError;
use perimeter_model::{Dependency, Ecosystem, Location};
pub(crate) use python::normalize as python_normalize;

/// Largest dependency file read (a 50k-package package-lock.json is ~25 MB).
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

/// The kind of dependency file a file name is, if perimeter reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Resolved versions (package-lock.json, yarn.lock, go.mod, requirements*.txt, …).
    Lockfile,
    /// Declared requirements (package.json, pom.xml, go.sum): use its packages only when the same
    /// folder has no [`FileKind::Lockfile`] of the same ecosystem, or they are counted twice.
    Manifest,
}

/// Whether perimeter reads a file with this name (no directories), and as what.
pub fn recognize(file_name: &str) -> Option<FileKind> {
    use FileKind::*;
    let lower = file_name.to_ascii_lowercase();
    match lower.as_str() {
        "package-lock.json"
        | "npm-shrinkwrap.json"
        | "yarn.lock"
        | "pnpm-lock.yaml"
        | "pipfile.lock"
        | "poetry.lock"
        | "uv.lock"
        | "go.mod"
        | "cargo.lock"
        | "gradle.lockfile"
        | "gemfile.lock"
        | "packages.lock.json" => Some(Lockfile),
        "package.json" | "pom.xml" | "go.sum" => Some(Manifest),
        _ if lower.ends_with(".txt") && lower.contains("requirements") => Some(Lockfile),
        _ => None,
    }
}

/// Parses one lockfile or manifest. `display_path` goes into every [`Dependency::location`];
/// its last component decides the format (as [`recognize`] does).
pub fn parse(display_path: &str, content: &[u8]) -> Result<Vec<Dependency>, DepsError> {
    if content.len() > MAX_FILE_BYTES {
        return Err(DepsError::parse(
            display_path,
            0,
            format!("larger than {} MB", MAX_FILE_BYTES / (1024 * 1024)),
        ));
    }
    let text = std::str::from_utf8(content)
        .map_err(|e| DepsError::parse(display_path, 0, format!("not UTF-8: {e}")))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let name = display_path
        .rsplit(['/', '\\', '!'])
        .next()
        .unwrap_or(display_path)
        .to_ascii_lowercase();
    let file = display_path;
    match name.as_str() {
        "package-lock.json" | "npm-shrinkwrap.json" => npm::package_lock(file, text),
        "package.json" => npm::package_json(file, text),
        "yarn.lock" => yarn::parse(file, text),
        "pnpm-lock.yaml" => pnpm::parse(file, text),
        "pipfile.lock" => python::pipfile_lock(file, text),
        "poetry.lock" => python::poetry_lock(file, text),
        "uv.lock" => python::uv_lock(file, text),
        "go.mod" => go::go_mod(file, text),
        "go.sum" => go::go_sum(file, text),
        "cargo.lock" => cargo::cargo_lock(file, text),
        "pom.xml" => maven::pom(file, text),
        "gradle.lockfile" => maven::gradle_lockfile(file, text),
        "gemfile.lock" => ruby::gemfile_lock(file, text),
        "packages.lock.json" => nuget::packages_lock(file, text),
        _ if name.ends_with(".txt") && name.contains("requirements") => {
            python::requirements(file, text)
        }
        _ => Err(DepsError::parse(
            file,
            0,
            "not a recognized dependency file",
        )),
    }
}

/// Merges the packages of one bundle's dependency files: a range from a manifest is dropped
/// when a lockfile (or an installed package) of the bundle gives the same package an exact
/// version, and an exact package listed twice (lockfile and `node_modules/*/package.json`)
/// is kept once, first occurrence first. Order is otherwise kept.
pub fn prefer_lockfiles(dependencies: Vec<Dependency>) -> Vec<Dependency> {
    use std::collections::HashSet;
    let key = |d: &Dependency| (d.ecosystem, crate::db::normalize(d.ecosystem, &d.name));
    let exact: HashSet<_> = dependencies.iter().filter(|d| d.exact).map(key).collect();
    let mut seen = HashSet::new();
    dependencies
        .into_iter()
        .filter(|d| {
            if d.exact {
                seen.insert((key(d), d.version.clone()))
            } else {
                !exact.contains(&key(d))
            }
        })
        .collect()
}

/// Builds one [`Dependency`] (column 1: entries start their line).
pub(crate) fn dep(
    ecosystem: Ecosystem,
    name: impl Into<String>,
    version: impl Into<String>,
    exact: bool,
    file: &str,
    line: u32,
) -> Dependency {
    Dependency {
        ecosystem,
        name: name.into(),
        version: version.into(),
        exact,
        direct: None,
        dev: false,
        location: Location::new(file, line, 1),
        advisories: Vec::new(),
    }
}

/// serde_json parse with the error's line.
pub(crate) fn json(file: &str, text: &str) -> Result<serde_json::Value, DepsError> {
    serde_json::from_str(text).map_err(|e| DepsError::parse(file, e.line() as u32, e.to_string()))
}

/// TOML parse with the error's line.
pub(crate) fn toml_doc(file: &str, text: &str) -> Result<toml::Table, DepsError> {
    text.parse::<toml::Table>().map_err(|e| {
        let line = e
            .span()
            .map(|s| crate::text::LineIndex::new(text).line(s.start))
            .unwrap_or(0);
        DepsError::parse(file, line, e.message().to_string())
    })
}
