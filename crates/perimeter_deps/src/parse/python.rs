//! Python: requirements*.txt, Pipfile.lock, poetry.lock, uv.lock.

use super::{dep, json, toml_doc};
use crate::DepsError;
use crate::text::{Finder, json_quoted};
use perimeter_model::{Dependency, Ecosystem};
use serde_json::Value;
use std::collections::HashSet;

/// requirements*.txt (pip's format): `name[extras] spec ; marker  # comment`, `\` continuations,
/// `--hash` options. `==`/`===` pins are exact; anything else is kept as the written range
/// (`exact = false`; a bare name has an empty range). Option lines (`-r other.txt`, `-e .`,
/// `--index-url`) and URL requirements are skipped: includes are read as files of their own.
/// A file named like `requirements-dev.txt` / `test-requirements.txt` holds dev dependencies.
pub(crate) fn requirements(file: &str, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let base = file
        .rsplit(['/', '\\', '!'])
        .next()
        .unwrap_or(file)
        .to_ascii_lowercase();
    let dev = ["dev", "test", "lint", "doc"]
        .iter()
        .any(|w| base.contains(w));
    let mut out = Vec::new();
    let mut logical = String::new();
    let mut start = 0u32;
    for (i, raw) in text.lines().enumerate() {
        if logical.is_empty() {
            start = i as u32 + 1;
        }
        // A comment starts at `#` at the line start or after whitespace.
        let line = match raw.find(" #").or_else(|| raw.find("\t#")) {
            Some(at) => &raw[..at],
            None if raw.trim_start().starts_with('#') => "",
            None => raw,
        };
        if let Some(cont) = line.trim_end().strip_suffix('\\') {
            logical.push_str(cont);
            logical.push(' ');
            continue;
        }
        logical.push_str(line);
        if let Some(mut d) = requirement(&logical, file, start) {
            d.dev = dev;
            out.push(d);
        }
        logical.clear();
    }
    Ok(out)
}

/// One logical requirement line.
fn requirement(line: &str, file: &str, number: u32) -> Option<Dependency> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('-') {
        return None;
    }
    // Options after the requirement (`--hash=sha256:…`) and the environment marker.
    let line = line.split(" --").next().unwrap_or(line);
    let line = line.split(';').next().unwrap_or(line).trim();
    let name_end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(line.len());
    let name = &line[..name_end];
    if name.is_empty() {
        return None;
    }
    let mut rest = line[name_end..].trim_start();
    if rest.starts_with('[') {
        rest = rest.split_once(']').map_or("", |(_, r)| r).trim_start();
    }
    if rest.starts_with('@') || rest.contains("://") {
        return None; // a URL requirement: no registry version
    }
    let spec: String = rest.chars().filter(|c| !c.is_whitespace()).collect();
    let spec = spec
        .trim_start_matches('(')
        .trim_end_matches(')')
        .to_string();
    let pinned = spec
        .strip_prefix("===")
        .or_else(|| spec.strip_prefix("=="))
        .filter(|v| !v.contains([',', '*', '<', '>', '!', '~', '=']));
    Some(match pinned {
        Some(v) => dep(Ecosystem::PyPI, name, v, true, file, number),
        None => dep(Ecosystem::PyPI, name, spec, false, file, number),
    })
}

/// Pipfile.lock: `default` (deployed) and `develop` (dev) maps of `name: {version: "==1.2"}`.
pub(crate) fn pipfile_lock(file: &str, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let doc = json(file, text)?;
    let mut out = Vec::new();
    for (section, dev) in [("default", false), ("develop", true)] {
        let Some(map) = doc.get(section).and_then(Value::as_object) else {
            continue;
        };
        let mut finder = Finder::new(text);
        finder.skip_to(&format!("\"{section}\""));
        for (name, entry) in map {
            let line = finder.line_of(&json_quoted(name), 1);
            let Some(version) = entry.get("version").and_then(Value::as_str) else {
                continue;
            };
            let version = version.trim_start_matches("===").trim_start_matches("==");
            let mut d = dep(Ecosystem::PyPI, name, version, true, file, line);
            d.dev = dev;
            out.push(d);
        }
    }
    Ok(out)
}

/// poetry.lock: `[[package]]` tables with `name`, `version` and, before Poetry 1.5, `category`.
pub(crate) fn poetry_lock(file: &str, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let doc = toml_doc(file, text)?;
    let mut finder = Finder::new(text);
    let mut out = Vec::new();
    for package in packages(&doc) {
        let (Some(name), Some(version)) = (str_of(package, "name"), str_of(package, "version"))
        else {
            continue;
        };
        let line = finder.line_of(&format!("name = \"{name}\""), 1);
        let mut d = dep(Ecosystem::PyPI, name, version, true, file, line);
        d.dev = str_of(package, "category") == Some("dev");
        out.push(d);
    }
    Ok(out)
}

/// uv.lock: `[[package]]` tables; the project itself (an editable or virtual source) names the
/// direct dependencies in `dependencies` and its dev groups in `dev-dependencies`.
pub(crate) fn uv_lock(file: &str, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let doc = toml_doc(file, text)?;
    let is_local = |p: &toml::Table| {
        p.get("source").and_then(|s| s.as_table()).is_some_and(|s| {
            s.contains_key("editable") || s.contains_key("virtual") || s.contains_key("directory")
        })
    };
    let names = |p: &toml::Table, key: &str| -> Vec<String> {
        let mut found = Vec::new();
        let mut push_all = |v: Option<&toml::Value>| {
            for item in v.and_then(|v| v.as_array()).into_iter().flatten() {
                if let Some(n) = item.get("name").and_then(|n| n.as_str()) {
                    found.push(normalize(n));
                }
            }
        };
        match p.get(key) {
            Some(toml::Value::Table(groups)) => groups.values().for_each(|g| push_all(Some(g))),
            other => push_all(other),
        }
        found
    };
    let mut prod: HashSet<String> = HashSet::new();
    let mut dev: HashSet<String> = HashSet::new();
    for package in packages(&doc).filter(|p| is_local(p)) {
        prod.extend(names(package, "dependencies"));
        dev.extend(names(package, "dev-dependencies"));
    }
    let mut finder = Finder::new(text);
    let mut out = Vec::new();
    for package in packages(&doc) {
        let (Some(name), Some(version)) = (str_of(package, "name"), str_of(package, "version"))
        else {
            continue;
        };
        let line = finder.line_of(&format!("name = \"{name}\""), 1);
        if is_local(package) {
            continue;
        }
        let key = normalize(name);
        let mut d = dep(Ecosystem::PyPI, name, version, true, file, line);
        d.direct = Some(prod.contains(&key) || dev.contains(&key));
        d.dev = dev.contains(&key) && !prod.contains(&key);
        out.push(d);
    }
    Ok(out)
}

pub(crate) fn packages(doc: &toml::Table) -> impl Iterator<Item = &toml::Table> {
    doc.get("package")
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
        .filter_map(|p| p.as_table())
}

pub(crate) fn str_of<'a>(table: &'a toml::Table, key: &str) -> Option<&'a str> {
    table.get(key).and_then(|v| v.as_str())
}

/// PEP 503 normalization: lowercase, runs of `-`, `_`, `.` become one `-`.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Option<(String, String, bool)> {
        requirement(line, "r.txt", 1).map(|d| (d.name, d.version, d.exact))
    }

    #[test]
    fn requirement_lines() {
        let s = |a: &str, b: &str, e| Some((a.to_string(), b.to_string(), e));
        assert_eq!(one("requests==2.19.1"), s("requests", "2.19.1", true));
        assert_eq!(one("Django >= 2.0, < 3"), s("Django", ">=2.0,<3", false));
        assert_eq!(
            one("urllib3[socks]==1.24.1 ; python_version >= '3'"),
            s("urllib3", "1.24.1", true)
        );
        assert_eq!(
            one("PyYAML==5.1 --hash=sha256:abc"),
            s("PyYAML", "5.1", true)
        );
        assert_eq!(one("flask"), s("flask", "", false));
        assert_eq!(one("jinja2==2.*"), s("jinja2", "==2.*", false));
        assert_eq!(one("-r base.txt"), None);
        assert_eq!(one("pkg @ https://example.com/pkg.whl"), None);
    }

    #[test]
    fn pep503() {
        assert_eq!(normalize("Foo.Bar__baz"), "foo-bar-baz");
        assert_eq!(normalize("PyYAML"), "pyyaml");
    }
}
