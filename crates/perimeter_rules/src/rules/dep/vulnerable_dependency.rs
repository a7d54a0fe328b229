//! ## What it does
//! Flags packages that a function's code bundle ships and that have a known vulnerability in
//! the OSV advisory database: every lockfile and manifest of the bundle (package-lock.json,
//! yarn.lock, pnpm-lock.yaml, requirements*.txt, Pipfile.lock, poetry.lock, uv.lock, go.mod,
//! Cargo.lock, pom.xml, gradle.lockfile, Gemfile.lock, packages.lock.json, package.json) is
//! matched against the database given by `--vuln-db`, `PERIMETER_VULN_DB` or
//! `perimeter db update`. One finding per vulnerable package, at its line in the lockfile,
//! naming the installed version, each advisory with its aliases and fixed version, and the
//! functions that deploy it. Development-only packages (`devDependencies`, `dev` sections,
//! test scopes) are not deployed and not reported.
//!
//! Severity follows the worst advisory: critical and high advisories are **high**, moderate
//! ones **medium**, low ones **low**, and advisories without a severity **medium**. A version
//! range from a manifest without a lockfile (`"lodash": "^4.17.0"`, `Jinja2>=2.10`) is reported
//! one level lower, as the installed version may not be affected.
//!
//! ## Why is this bad?
//! A function runs its dependencies with its own permissions and on its own event data. A
//! known vulnerability in one of them — prototype pollution in `lodash`, code execution in
//! `node-serialize`'s `unserialize`, a JNDI lookup in `log4j-core` — is often exploitable
//! with a crafted event field, and public exploits exist for most of them. The attacker then
//! acts as the function: with its role's access to your tables, buckets and secrets.
//!
//! ## Example
//! A SAM function with `CodeUri: src/` whose `src/package-lock.json` pins a vulnerable lodash:
//! ```json
//! {
//!   "name": "orders",
//!   "lockfileVersion": 3,
//!   "packages": {
//!     "": { "dependencies": { "lodash": "^4.17.15" } },
//!     "node_modules/lodash": { "version": "4.17.15" }
//!   }
//! }
//! ```
//!
//! Use instead:
//! ```json
//! {
//!   "name": "orders",
//!   "lockfileVersion": 3,
//!   "packages": {
//!     "": { "dependencies": { "lodash": "^4.17.21" } },
//!     "node_modules/lodash": { "version": "4.17.21" }
//!   }
//! }
//! ```
//!
//! ## Remediation
//! Upgrade the package to the version named in the finding (the lowest one that fixes every
//! listed advisory), regenerate the lockfile (`npm install`, `pip-compile`, `go get`, …), test
//! and redeploy. For a transitive package, upgrade the direct dependency that pulls it in, or
//! force the version (npm `overrides`, Yarn `resolutions`, a Maven `dependencyManagement`
//! entry). When no fix exists, remove or replace the package, or make sure untrusted event data
//! never reaches the vulnerable function. Keep the advisory database fresh:
//! `perimeter db update` (a database older than 7 days is reported as stale).
//!
//! ## References
//! - CWE-1395: Dependency on Vulnerable Third-Party Component
//! - CWE-937: OWASP Top Ten 2013 A9 — Using Components with Known Vulnerabilities
//! - https://osv.dev/
//! - https://docs.aws.amazon.com/lambda/latest/dg/security-dataprotection.html

use crate::exposure::function_label;
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::{Advisory, App, CodeBundle, Dependency};
use std::cmp::Ordering;
use std::collections::HashSet;

pub struct VulnerableDependency;

static META: RuleMeta = RuleMeta {
    code: "DEP002",
    name: "vulnerable-dependency",
    family: Family::Dep,
    summary: "A deployed package has a known vulnerability (OSV advisory)",
    severity: Severity::High,
    likelihood: Level::Medium,
    impact: Level::High,
    confidence: Level::High,
    source: include_str!("vulnerable_dependency.rs"),
};

const REMEDIATION: &str = "Upgrade the package to the fixed version named in the finding, regenerate the lockfile, test and redeploy; when no fix exists, remove or replace the package.";

/// Advisories named in one message; the rest are counted.
const MAX_LISTED: usize = 5;
/// Characters of an advisory's summary quoted in a message (PyPI records have only details).
const MAX_SUMMARY: usize = 80;

/// The finding severity of one advisory's OSV severity label.
pub fn advisory_severity(label: Option<&str>) -> Severity {
    match label.map(str::to_ascii_uppercase).as_deref() {
        Some("CRITICAL" | "HIGH") => Severity::High,
        Some("MODERATE" | "MEDIUM") => Severity::Medium,
        Some("LOW") => Severity::Low,
        _ => Severity::Medium,
    }
}

/// One level lower, for a declared range (the installed version may not be affected).
fn lower(severity: Severity) -> Severity {
    match severity {
        Severity::Critical => Severity::High,
        Severity::High => Severity::Medium,
        _ => Severity::Low,
    }
}

/// Natural order of two version strings (digit runs compared as numbers), enough to pick the
/// highest of one package's fixed versions.
fn natural_cmp(a: &str, b: &str) -> Ordering {
    let parts = |s: &str| -> Vec<(u64, String)> {
        s.split(['.', '-', '+'])
            .map(|p| {
                let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
                (digits.parse().unwrap_or(0), p[digits.len()..].to_string())
            })
            .collect()
    };
    let (pa, pb) = (parts(a), parts(b));
    for i in 0..pa.len().max(pb.len()) {
        let x = pa.get(i).cloned().unwrap_or_default();
        let y = pb.get(i).cloned().unwrap_or_default();
        let ord =
            x.0.cmp(&y.0)
                .then_with(|| match (x.1.is_empty(), y.1.is_empty()) {
                    // A suffix (`rc1`) sorts before the plain release.
                    (true, false) => Ordering::Greater,
                    (false, true) => Ordering::Less,
                    _ => x.1.cmp(&y.1),
                });
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

fn describe(advisory: &Advisory) -> String {
    let mut inner: Vec<String> = Vec::new();
    if !advisory.aliases.is_empty() {
        inner.push(advisory.aliases.join(", "));
    }
    inner.push(match &advisory.severity {
        Some(s) => s.to_ascii_lowercase(),
        None => "severity unknown".to_string(),
    });
    inner.push(match &advisory.fixed {
        Some(f) => format!("fixed in {f}"),
        None => "no fixed version".to_string(),
    });
    let summary = match advisory.summary.trim() {
        "" => String::new(),
        s if s.chars().count() > MAX_SUMMARY => {
            let cut: String = s.chars().take(MAX_SUMMARY - 1).collect();
            format!(": {}…", cut.trim_end())
        }
        s => format!(": {s}"),
    };
    format!("{} ({}){summary}", advisory.id, inner.join("; "))
}

impl VulnerableDependency {
    fn report(&self, app: &App, bundle: &CodeBundle, dep: &Dependency, out: &mut Vec<Finding>) {
        let shippers: Vec<_> = app
            .functions
            .iter()
            .filter(|f| {
                f.code
                    .as_ref()
                    .is_some_and(|c| c.bundle == bundle.id || c.layers.contains(&bundle.id))
            })
            .collect();
        let worst = dep
            .advisories
            .iter()
            .map(|a| advisory_severity(a.severity.as_deref()))
            .max()
            .unwrap_or(Severity::Medium);
        let severity = if dep.exact { worst } else { lower(worst) };

        let count = dep.advisories.len();
        let mut listed: Vec<String> = dep
            .advisories
            .iter()
            .take(MAX_LISTED)
            .map(describe)
            .collect();
        if count > MAX_LISTED {
            listed.push(format!("and {} more", count - MAX_LISTED));
        }
        let version = if dep.exact {
            dep.version.clone()
        } else {
            format!(
                "`{}` (a declared range, not a locked version: lower confidence)",
                dep.version
            )
        };
        let noun = if count == 1 { "advisory" } else { "advisories" };
        let unfixed: Vec<&str> = dep
            .advisories
            .iter()
            .filter(|a| a.fixed.is_none())
            .map(|a| a.id.as_str())
            .collect();
        let upgrade = dep
            .advisories
            .iter()
            .filter_map(|a| a.fixed.as_deref())
            .max_by(|a, b| natural_cmp(a, b));
        let advice = match (upgrade, unfixed.is_empty()) {
            (Some(v), true) => format!("Upgrade to {v}."),
            (Some(v), false) => format!(
                "Upgrade to {v}; {} {} no fix: replace the package or keep event data away from it.",
                unfixed.join(", "),
                if unfixed.len() == 1 { "has" } else { "have" }
            ),
            (None, _) => "No fixed version is known: remove or replace the package.".to_string(),
        };
        let shipped = if shippers.is_empty() {
            format!("in code bundle `{}`", bundle.root)
        } else {
            let names: Vec<String> = shippers
                .iter()
                .map(|f| format!("`{}`", function_label(f)))
                .collect();
            let noun = if names.len() == 1 {
                "function"
            } else {
                "functions"
            };
            format!("shipped by {noun} {}", names.join(", "))
        };
        let message = format!(
            "{} package `{}` {version} has {count} known {noun}: {}. {advice} ({shipped})",
            dep.ecosystem.osv_name(),
            dep.name,
            listed.join("; ")
        );
        let key = format!("{}:{}@{}", dep.ecosystem.osv_name(), dep.name, dep.version);
        let function = (shippers.len() == 1).then(|| shippers[0].id.as_str());
        let mut finding = Finding::new(
            &META,
            &app.id,
            function,
            &bundle.id,
            &key,
            message,
            dep.location.clone(),
            REMEDIATION,
        )
        .with_severity(severity);
        for f in &shippers {
            finding = finding.with_related(
                format!("function `{}` deploys this package", function_label(f)),
                f.location.clone(),
            );
        }
        out.push(finding);
    }
}

impl Rule for VulnerableDependency {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        for bundle in &app.code {
            // A package the bundle's lockfiles pin is judged at that version, not by the range
            // of a manifest next to them; a package listed twice is reported once.
            let key = |d: &Dependency| {
                let name = d.name.to_ascii_lowercase().replace(['_', '.'], "-");
                (d.ecosystem, name)
            };
            let locked: HashSet<_> = bundle
                .dependencies
                .iter()
                .filter(|d| d.exact)
                .map(key)
                .collect();
            let mut reported = HashSet::new();
            for dep in &bundle.dependencies {
                if dep.advisories.is_empty() || dep.dev {
                    continue;
                }
                if !dep.exact && locked.contains(&key(dep)) {
                    continue;
                }
                if !reported.insert((key(dep), dep.version.clone())) {
                    continue;
                }
                self.report(app, bundle, dep, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::auth::testing::*;
    use perimeter_model::{BundleKind, Ecosystem, FunctionCode, Language, Location};

    fn advisory(id: &str, severity: Option<&str>, fixed: Option<&str>) -> Advisory {
        Advisory {
            id: id.into(),
            aliases: vec![format!("CVE-{id}")],
            summary: format!("summary of {id}"),
            severity: severity.map(str::to_string),
            fixed: fixed.map(str::to_string),
            url: None,
        }
    }

    fn dependency(name: &str, version: &str, exact: bool, advisories: Vec<Advisory>) -> Dependency {
        Dependency {
            ecosystem: Ecosystem::Npm,
            name: name.into(),
            version: version.into(),
            exact,
            direct: Some(true),
            dev: false,
            location: Location::new("src/package-lock.json", 12, 1),
            advisories,
        }
    }

    fn shipped(deps: Vec<Dependency>, functions: &[&str]) -> App {
        let mut app = app();
        app.code.push(CodeBundle {
            id: "src".into(),
            root: "src".into(),
            kind: BundleKind::Folder,
            files: Vec::new(),
            dependencies: deps,
            secrets: Vec::new(),
        });
        for id in functions {
            let mut f = function(id);
            f.code = Some(FunctionCode {
                bundle: "src".into(),
                layers: Vec::new(),
                language: Language::JavaScript,
                handler: None,
                problem: None,
                files: Vec::new(),
                sdk_calls: Vec::new(),
                flows: Vec::new(),
            });
            app.functions.push(f);
        }
        app
    }

    #[test]
    fn one_finding_per_package_with_worst_severity_and_highest_fix() {
        let app = shipped(
            vec![
                dependency(
                    "lodash",
                    "4.17.15",
                    true,
                    vec![
                        advisory("A", Some("MODERATE"), Some("4.17.19")),
                        advisory("B", Some("CRITICAL"), Some("4.17.21")),
                    ],
                ),
                dependency("jest", "29.7.0", true, Vec::new()),
            ],
            &["Orders", "Api"],
        );
        let found = run(&VulnerableDependency, &app);
        assert_eq!(found.len(), 1);
        let f = &found[0];
        assert_eq!(f.severity, Severity::High);
        assert_eq!(f.location, Location::new("src/package-lock.json", 12, 1));
        assert_eq!(f.function, None, "two functions ship it");
        assert_eq!(f.related.len(), 2);
        assert_eq!(
            f.message,
            "npm package `lodash` 4.17.15 has 2 known advisories: A (CVE-A; moderate; fixed in 4.17.19): summary of A; B (CVE-B; critical; fixed in 4.17.21): summary of B. Upgrade to 4.17.21. (shipped by functions `Orders`, `Api`)"
        );
    }

    #[test]
    fn ranges_are_one_level_lower_and_dev_packages_are_skipped() {
        let mut dev = dependency(
            "mocha",
            "5.0.0",
            true,
            vec![advisory("C", Some("HIGH"), None)],
        );
        dev.dev = true;
        let app = shipped(
            vec![
                dependency(
                    "lodash",
                    "^4.17.0",
                    false,
                    vec![advisory("B", Some("HIGH"), Some("4.17.21"))],
                ),
                dev,
            ],
            &["Orders"],
        );
        let found = run(&VulnerableDependency, &app);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Medium);
        assert_eq!(found[0].function.as_deref(), Some("Orders"));
        assert!(
            found[0].message.contains("lower confidence"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn unknown_severity_is_medium_and_missing_fix_is_said() {
        let app = shipped(
            vec![dependency(
                "node-serialize",
                "0.0.4",
                true,
                vec![advisory("D", None, None)],
            )],
            &[],
        );
        let found = run(&VulnerableDependency, &app);
        assert_eq!(found[0].severity, Severity::Medium);
        assert!(
            found[0].message.contains("No fixed version is known"),
            "{}",
            found[0].message
        );
        assert!(
            found[0].message.contains("in code bundle `src`"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn lockfile_versions_win_over_manifest_ranges_and_duplicates_report_once() {
        let adv = || vec![advisory("B", Some("HIGH"), Some("4.17.21"))];
        let mut installed = dependency("lodash", "4.17.15", true, adv());
        installed.location = Location::new("src/node_modules/lodash/package.json", 3, 1);
        let app = shipped(
            vec![
                dependency("lodash", "^4.17.0", false, adv()),
                dependency("lodash", "4.17.15", true, adv()),
                installed,
            ],
            &["Orders"],
        );
        let found = run(&VulnerableDependency, &app);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::High);
        assert_eq!(found[0].location.file, "src/package-lock.json");
    }

    #[test]
    fn natural_order_of_fixes() {
        assert_eq!(natural_cmp("4.17.21", "4.17.9"), Ordering::Greater);
        assert_eq!(natural_cmp("2.15.0", "2.15.0-rc1"), Ordering::Greater);
        assert_eq!(natural_cmp("1.2", "1.2.0"), Ordering::Equal);
    }
}
