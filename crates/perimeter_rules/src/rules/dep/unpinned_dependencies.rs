//! ## What it does
//! Flags dependency manifests in deployed code that declare packages by version range with no
//! lockfile pinning them: a `package.json` without `package-lock.json`/`yarn.lock`/
//! `pnpm-lock.yaml` (or installed `node_modules`), a `requirements.txt` with `>=`, `~=` or
//! bare names. One finding per file, at the first unpinned package, naming the packages and
//! the functions that deploy them. Development-only packages are not counted, and a package
//! that a lockfile of the same bundle pins is not unpinned.
//!
//! ## Why is this bad?
//! Every build then installs whatever versions are newest that day. A maintainer account
//! takeover or a malicious release (`event-stream`, `ua-parser-js`, `ctx` on PyPI) reaches your
//! function on its next deploy without any change in your repository, and nobody reviewed
//! it. Unpinned builds are also not reproducible: the code you tested is not the code you ship,
//! and perimeter can only say a vulnerable version *may* be installed (see DEP002).
//!
//! ## Example
//! A function's `src/requirements.txt`, with no lockfile beside it:
//! ```text
//! requests>=2.0
//! boto3
//! ```
//!
//! Every package pinned (here by `pip-compile --generate-hashes`; Poetry, uv and Pipenv
//! lockfiles do as well). Use instead:
//! ```text
//! requests==2.32.3 --hash=sha256:70761cfe03c773ceb22aa2f671b4757976145175cdfca038c02654d061d6dcc6
//! boto3==1.34.0 --hash=sha256:8b3c4d4e4ad1a5a1b0b2f2c0fb1b3e1b8b0c5e3c7e9a1f0d2b3c4d5e6f7a8b9c
//! ```
//!
//! ## Remediation
//! Commit a lockfile and install from it in the build: `npm ci` with `package-lock.json`,
//! `yarn install --frozen-lockfile`, `pnpm install --frozen-lockfile`; for Python, pin every
//! package with `pip-compile` (pip-tools), or use Poetry, uv or Pipenv lockfiles and export
//! them. Update the pins deliberately (Dependabot, Renovate), reviewing what changes.
//!
//! ## References
//! - CWE-1357: Reliance on Insufficiently Trustworthy Component
//! - CWE-829: Inclusion of Functionality from Untrusted Control Sphere
//! - https://docs.npmjs.com/cli/commands/npm-ci
//! - https://pip.pypa.io/en/stable/topics/secure-installs/

use crate::exposure::function_label;
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::{App, Dependency};
use std::collections::{BTreeMap, HashSet};

pub struct UnpinnedDependencies;

static META: RuleMeta = RuleMeta {
    code: "DEP003",
    name: "unpinned-dependencies",
    family: Family::Dep,
    summary: "Deployed code declares dependencies by range with no lockfile",
    severity: Severity::Low,
    likelihood: Level::Low,
    impact: Level::High,
    confidence: Level::High,
    source: include_str!("unpinned_dependencies.rs"),
};

const REMEDIATION: &str = "Commit a lockfile (package-lock.json, yarn.lock, pnpm-lock.yaml, pinned requirements, poetry.lock, uv.lock) and install from it in the build.";

/// Packages named in one message; the rest are counted.
const MAX_LISTED: usize = 5;

fn key(d: &Dependency) -> (perimeter_model::Ecosystem, String) {
    (
        d.ecosystem,
        d.name.to_ascii_lowercase().replace(['_', '.'], "-"),
    )
}

impl Rule for UnpinnedDependencies {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        for bundle in &app.code {
            let pinned: HashSet<_> = bundle
                .dependencies
                .iter()
                .filter(|d| d.exact)
                .map(key)
                .collect();
            // Unpinned, deployed packages per file, in file order.
            let mut by_file: BTreeMap<&str, Vec<&Dependency>> = BTreeMap::new();
            for d in &bundle.dependencies {
                if !d.exact && !d.dev && !pinned.contains(&key(d)) {
                    by_file.entry(d.location.file.as_str()).or_default().push(d);
                }
            }
            let shippers: Vec<String> = app
                .functions
                .iter()
                .filter(|f| {
                    f.code
                        .as_ref()
                        .is_some_and(|c| c.bundle == bundle.id || c.layers.contains(&bundle.id))
                })
                .map(|f| format!("`{}`", function_label(f)))
                .collect();
            let shipped = match shippers.len() {
                0 => format!("in code bundle `{}`", bundle.root),
                1 => format!("shipped by function {}", shippers[0]),
                _ => format!("shipped by functions {}", shippers.join(", ")),
            };
            for (file, deps) in by_file {
                let Some(first) = deps.iter().min_by_key(|d| d.location.line) else {
                    continue;
                };
                let mut names: Vec<String> = deps
                    .iter()
                    .take(MAX_LISTED)
                    .map(|d| {
                        if d.version.is_empty() {
                            format!("`{}` (any version)", d.name)
                        } else {
                            format!("`{} {}`", d.name, d.version)
                        }
                    })
                    .collect();
                if deps.len() > MAX_LISTED {
                    names.push(format!("and {} more", deps.len() - MAX_LISTED));
                }
                let noun = if deps.len() == 1 {
                    "package"
                } else {
                    "packages"
                };
                let message = format!(
                    "`{file}` declares {} {} {noun} by version range with no lockfile pinning them: {}. Each build installs the newest matching releases, reviewed by no one. ({shipped})",
                    deps.len(),
                    first.ecosystem.osv_name(),
                    names.join(", ")
                );
                let function = app
                    .functions
                    .iter()
                    .filter(|f| f.code.as_ref().is_some_and(|c| c.bundle == bundle.id))
                    .map(|f| f.id.as_str())
                    .collect::<Vec<_>>();
                let function = (function.len() == 1).then(|| function[0]);
                out.push(Finding::new(
                    &META,
                    &app.id,
                    function,
                    &bundle.id,
                    file,
                    message,
                    first.location.clone(),
                    REMEDIATION,
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::auth::testing::*;
    use perimeter_model::{BundleKind, CodeBundle, Ecosystem, Location};

    fn dep(name: &str, version: &str, exact: bool, file: &str, line: u32) -> Dependency {
        Dependency {
            ecosystem: Ecosystem::PyPI,
            name: name.into(),
            version: version.into(),
            exact,
            direct: None,
            dev: false,
            location: Location::new(file, line, 1),
            advisories: Vec::new(),
        }
    }

    fn with(deps: Vec<Dependency>) -> App {
        let mut app = app();
        app.code.push(CodeBundle {
            id: "src".into(),
            root: "src".into(),
            kind: BundleKind::Folder,
            files: Vec::new(),
            dependencies: deps,
            secrets: Vec::new(),
        });
        app
    }

    #[test]
    fn one_finding_per_manifest_at_the_first_unpinned_package() {
        let mut dev = dep("pytest", ">=7", false, "src/requirements-dev.txt", 1);
        dev.dev = true;
        let app = with(vec![
            dep("requests", ">=2.0", false, "src/requirements.txt", 2),
            dep("boto3", "", false, "src/requirements.txt", 3),
            dep("urllib3", "1.26.18", true, "src/requirements.txt", 1),
            dev,
        ]);
        let found = run(&UnpinnedDependencies, &app);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].location,
            Location::new("src/requirements.txt", 2, 1)
        );
        assert!(
            found[0].message.starts_with("`src/requirements.txt` declares 2 PyPI packages by version range with no lockfile pinning them: `requests >=2.0`, `boto3` (any version)."),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn a_lockfile_pinning_the_package_silences_its_range() {
        let app = with(vec![
            dep("Jinja2", ">=3", false, "src/pyproject.txt", 2),
            dep("jinja2", "3.1.4", true, "src/poetry.lock", 10),
        ]);
        assert!(run(&UnpinnedDependencies, &app).is_empty());
    }
}
