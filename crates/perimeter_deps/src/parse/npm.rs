//! npm: package-lock.json / npm-shrinkwrap.json (lockfileVersion 1, 2, 3) and package.json.

use super::{dep, json};
use crate::DepsError;
use crate::text::{Finder, json_quoted};
use perimeter_model::{Dependency, Ecosystem};
use serde_json::Value;
use std::collections::HashSet;

/// Nesting of v1 `dependencies` followed (real trees are < 20 deep).
const MAX_DEPTH: usize = 64;

/// package-lock.json: the `packages` map when present (v2, v3), else the legacy nested
/// `dependencies` tree (v1).
pub(crate) fn package_lock(file: &str, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let doc = json(file, text)?;
    let mut finder = Finder::new(text);
    let mut out = Vec::new();
    if let Some(packages) = doc.get("packages").and_then(Value::as_object) {
        finder.skip_to("\"packages\"");
        let root = packages.get("");
        let mut direct: HashSet<&str> = HashSet::new();
        for section in [
            "dependencies",
            "devDependencies",
            "optionalDependencies",
            "peerDependencies",
        ] {
            if let Some(map) = root.and_then(|r| r.get(section)).and_then(Value::as_object) {
                direct.extend(map.keys().map(String::as_str));
            }
        }
        for (key, entry) in packages {
            if key.is_empty() {
                continue;
            }
            let line = finder.line_of(&json_quoted(key), 1);
            // Workspace members and `file:` links are local code, not registry packages.
            if entry.get("link").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            let Some(pos) = key.rfind("node_modules/") else {
                continue;
            };
            let name = entry
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or(&key[pos + "node_modules/".len()..]);
            let Some(version) = entry.get("version").and_then(Value::as_str) else {
                continue;
            };
            if !is_registry_version(version) {
                continue;
            }
            let mut d = dep(Ecosystem::Npm, name, version, true, file, line);
            let top_level = pos == 0 && !key[13..].contains("/node_modules/");
            d.direct = Some(top_level && direct.contains(name));
            d.dev = flag(entry, "dev") || flag(entry, "devOptional");
            out.push(d);
        }
        return Ok(out);
    }
    if let Some(deps) = doc.get("dependencies").and_then(Value::as_object) {
        finder.skip_to("\"dependencies\"");
        legacy(file, deps, &mut finder, 0, &mut out);
    }
    Ok(out)
}

fn flag(entry: &Value, key: &str) -> bool {
    entry.get(key).and_then(Value::as_bool) == Some(true)
}

fn legacy(
    file: &str,
    deps: &serde_json::Map<String, Value>,
    finder: &mut Finder,
    depth: usize,
    out: &mut Vec<Dependency>,
) {
    if depth > MAX_DEPTH {
        return;
    }
    for (name, entry) in deps {
        let line = finder.line_of(&json_quoted(name), 1);
        if let Some(version) = entry.get("version").and_then(Value::as_str)
            && is_registry_version(version)
        {
            let mut d = dep(Ecosystem::Npm, name, version, true, file, line);
            d.dev = flag(entry, "dev");
            out.push(d);
        }
        if let Some(nested) = entry.get("dependencies").and_then(Value::as_object) {
            legacy(file, nested, finder, depth + 1, out);
        }
    }
}

/// A registry version (`1.2.3`, `1.0.0-beta.1`), not `file:`, a git URL or a tarball.
pub(crate) fn is_registry_version(version: &str) -> bool {
    version.starts_with(|c: char| c.is_ascii_digit()) && !version.contains(':')
}

/// package.json: the declared ranges, exact only when pinned to one version. Inside
/// `node_modules/` (a deployment archive without a lockfile) it is an installed package's own
/// manifest instead: the package itself, at its exact version.
pub(crate) fn package_json(file: &str, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let doc = json(file, text)?;
    let mut out = Vec::new();
    if file.replace('\\', "/").contains("node_modules/") {
        let name = doc.get("name").and_then(Value::as_str);
        let version = doc.get("version").and_then(Value::as_str);
        if let (Some(name), Some(version)) = (name, version)
            && is_registry_version(version)
        {
            let line = Finder::new(text).line_of("\"version\"", 1);
            out.push(dep(Ecosystem::Npm, name, version, true, file, line));
        }
        return Ok(out);
    }
    for (section, dev) in [
        ("dependencies", false),
        ("optionalDependencies", false),
        ("devDependencies", true),
    ] {
        let Some(map) = doc.get(section).and_then(Value::as_object) else {
            continue;
        };
        let mut section_finder = Finder::new(text);
        section_finder.skip_to(&format!("\"{section}\""));
        for (name, spec) in map {
            let Some(spec) = spec.as_str() else { continue };
            let line = section_finder.line_of(&json_quoted(name), 1);
            let spec = spec.trim();
            // Aliases (`npm:real@^1`), git, tarballs, paths and workspace links are not ranges.
            if spec.contains(':') || spec.contains('/') || spec.is_empty() {
                continue;
            }
            // Dist-tags (`latest`, `next`) are not ranges either.
            if nodejs_semver::Range::parse(spec).is_err() {
                continue;
            }
            let pinned = pinned_version(spec);
            let mut d = match pinned {
                Some(v) => dep(Ecosystem::Npm, name, v, true, file, line),
                None => dep(Ecosystem::Npm, name, spec, false, file, line),
            };
            d.direct = Some(true);
            d.dev = dev;
            out.push(d);
        }
    }
    Ok(out)
}

/// `1.2.3`, `=1.2.3`, `v1.2.3` pin one version; anything else is a range.
fn pinned_version(spec: &str) -> Option<&str> {
    let v = spec.trim_start_matches('=').trim_start_matches('v').trim();
    nodejs_semver::Version::parse(v).ok()?;
    let is_plain = v
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'));
    (is_plain && v.split(['-', '+']).next()?.split('.').count() == 3).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_and_ranges() {
        assert_eq!(pinned_version("4.17.21"), Some("4.17.21"));
        assert_eq!(pinned_version("=1.0.0-beta.2"), Some("1.0.0-beta.2"));
        assert_eq!(pinned_version("^4.17.21"), None);
        assert_eq!(pinned_version("4.x"), None);
        assert_eq!(pinned_version("1.2"), None);
        assert_eq!(pinned_version(">=1.0.0 <2"), None);
    }
}
