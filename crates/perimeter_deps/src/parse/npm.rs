//! npm: package-lock.json / npm-shrinkwrap.json (lockfileVersion 1, 2, 3) and package.json.

use super::{dep, json};
use crate::DepsError;
use crate::text::{Finder, json_quoted};
use perimeter_model::{Dependency, Ecosystem};
use serde::Deserialize;
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::HashSet;
use std::marker::PhantomData;

/// Nesting of v1 `dependencies` followed (real trees are < 20 deep).
const MAX_DEPTH: usize = 64;

/// package-lock.json: the `packages` map when present (v2, v3), else the legacy nested
/// `dependencies` tree (v1). The `packages` map is read into typed, borrowed structs (every
/// other field skipped): a 50k-package lockfile is tens of MB.
pub(crate) fn package_lock(file: &str, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let lock: Lock = serde_json::from_str(text)
        .map_err(|e| DepsError::parse(file, e.line() as u32, e.to_string()))?;
    let mut finder = Finder::new(text);
    let mut out = Vec::new();
    if let Some(Ordered(packages)) = lock.packages {
        finder.skip_to("\"packages\"");
        let mut direct: HashSet<String> = HashSet::new();
        if let Some((_, root)) = packages.iter().find(|(k, _)| k.is_empty()) {
            for section in [
                root.dependencies,
                root.dev_dependencies,
                root.optional_dependencies,
                root.peer_dependencies,
            ]
            .into_iter()
            .flatten()
            {
                let names: Ordered<IgnoredAny> = serde_json::from_str(section.get())
                    .map_err(|e| DepsError::parse(file, 0, e.to_string()))?;
                direct.extend(names.0.into_iter().map(|(k, _)| k.into_owned()));
            }
        }
        for (key, entry) in &packages {
            if key.is_empty() {
                continue;
            }
            let line = finder.line_of(&json_quoted(key), 1);
            // Workspace members and `file:` links are local code, not registry packages.
            if entry.link {
                continue;
            }
            let Some(pos) = key.rfind("node_modules/") else {
                continue;
            };
            let name = entry
                .name
                .as_deref()
                .unwrap_or(&key[pos + "node_modules/".len()..]);
            let Some(version) = entry.version.as_deref() else {
                continue;
            };
            if !is_registry_version(version) {
                continue;
            }
            let mut d = dep(Ecosystem::Npm, name, version, true, file, line);
            let top_level = pos == 0 && !key[13..].contains("/node_modules/");
            d.direct = Some(top_level && direct.contains(name));
            d.dev = entry.dev || entry.dev_optional;
            out.push(d);
        }
        return Ok(out);
    }
    if let Some(raw) = lock.dependencies {
        let deps: Value = serde_json::from_str(raw.get())
            .map_err(|e| DepsError::parse(file, 0, e.to_string()))?;
        if let Some(deps) = deps.as_object() {
            finder.skip_to("\"dependencies\"");
            legacy(file, deps, &mut finder, 0, &mut out);
        }
    }
    Ok(out)
}

/// The parts of a package-lock.json read.
#[derive(Deserialize)]
struct Lock<'a> {
    #[serde(borrow, default)]
    packages: Option<Ordered<'a, Entry<'a>>>,
    #[serde(borrow, default)]
    dependencies: Option<&'a RawValue>,
}

/// One `packages` entry.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Entry<'a> {
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    version: Option<Cow<'a, str>>,
    dev: bool,
    #[serde(rename = "devOptional")]
    dev_optional: bool,
    link: bool,
    #[serde(borrow)]
    dependencies: Option<&'a RawValue>,
    #[serde(borrow, rename = "devDependencies")]
    dev_dependencies: Option<&'a RawValue>,
    #[serde(borrow, rename = "optionalDependencies")]
    optional_dependencies: Option<&'a RawValue>,
    #[serde(borrow, rename = "peerDependencies")]
    peer_dependencies: Option<&'a RawValue>,
}

/// A JSON object's entries in file order (the order the line finder walks).
struct Ordered<'a, T>(Vec<(Cow<'a, str>, T)>);

impl<'de: 'a, 'a, T: Deserialize<'de>> Deserialize<'de> for Ordered<'a, T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries<'a, T>(PhantomData<(&'a (), T)>);
        impl<'de: 'a, 'a, T: Deserialize<'de>> Visitor<'de> for Entries<'a, T> {
            type Value = Ordered<'a, T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some((k, v)) = map.next_entry::<Cow<'de, str>, T>()? {
                    out.push((k, v));
                }
                Ok(Ordered(out))
            }
        }
        deserializer.deserialize_map(Entries(PhantomData))
    }
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
