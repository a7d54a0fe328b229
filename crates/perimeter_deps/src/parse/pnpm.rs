//! pnpm-lock.yaml, lockfileVersion 5.x to 9.0.
//!
//! Package keys changed over the versions: `/name/1.2.3` and `/name/1.2.3_peer@1` (v5),
//! `/name@1.2.3(peer@1)` (v6), `name@1.2.3(peer@1)` (v7 to v9). Direct dependencies are the
//! importers' (or, before workspaces, the top-level) `dependencies`/`devDependencies`.

use super::dep;
use super::npm::is_registry_version;
use crate::DepsError;
use crate::yaml::{self, Node};
use perimeter_model::{Dependency, Ecosystem};
use std::collections::HashSet;

pub(crate) fn parse(file: &str, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let doc = yaml::parse(text).map_err(|(line, m)| DepsError::parse(file, line, m))?;
    let v5 = doc
        .get("lockfileVersion")
        .and_then(Node::as_str)
        .is_some_and(|v| v.starts_with('5') || v.starts_with('4') || v.starts_with('3'));

    // Direct names: prod and dev, from every importer (or the top level before v5.3 workspaces).
    let mut prod: HashSet<&str> = HashSet::new();
    let mut dev: HashSet<&str> = HashSet::new();
    let mut importers: Vec<&Node> = vec![&doc];
    if let Some(Node::Map(entries)) = doc.get("importers") {
        importers.extend(entries.iter().map(|(_, _, n)| n));
    }
    for importer in importers {
        for (section, is_dev) in [
            ("dependencies", false),
            ("optionalDependencies", false),
            ("devDependencies", true),
        ] {
            if let Some(map) = importer.get(section) {
                let set = if is_dev { &mut dev } else { &mut prod };
                set.extend(map.entries().iter().map(|(k, _, _)| k.as_str()));
            }
        }
    }

    let mut out = Vec::new();
    let Some(packages) = doc.get("packages") else {
        return Ok(out);
    };
    for (key, line, entry) in packages.entries() {
        let Some((name, version)) = split_key(key, v5) else {
            continue;
        };
        let version = entry
            .get("version")
            .and_then(Node::as_str)
            .filter(|v| is_registry_version(v))
            .unwrap_or(version);
        if !is_registry_version(version) {
            continue;
        }
        let mut d = dep(Ecosystem::Npm, name, version, true, file, *line);
        let is_direct = prod.contains(name) || dev.contains(name);
        d.direct = Some(is_direct);
        d.dev = match entry.get("dev") {
            Some(flag) => flag.is_true(),
            // v9 dropped the flag: only a dev-only direct dependency is known to be dev.
            None => dev.contains(name) && !prod.contains(name),
        };
        out.push(d);
    }
    Ok(out)
}

/// `(name, version)` of a package key.
fn split_key(key: &str, v5: bool) -> Option<(&str, &str)> {
    let key = key.strip_prefix('/').unwrap_or(key);
    // Peer-dependency suffixes: `(…)` from v6, `_…` in v5.
    let key = key.split('(').next().unwrap_or(key);
    if v5 {
        let (name, version) = key.rsplit_once('/')?;
        let version = version.split('_').next().unwrap_or(version);
        return Some((name, version));
    }
    let at = key.char_indices().skip(1).find(|(_, c)| *c == '@')?.0;
    Some((&key[..at], &key[at + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_formats() {
        assert_eq!(
            split_key("/lodash/4.17.21", true),
            Some(("lodash", "4.17.21"))
        );
        assert_eq!(
            split_key("/@babel/core/7.2.2_react@17.0.0", true),
            Some(("@babel/core", "7.2.2"))
        );
        assert_eq!(
            split_key("/@babel/core@7.2.2(supports-color@8.1.1)", false),
            Some(("@babel/core", "7.2.2"))
        );
        assert_eq!(
            split_key("lodash@4.17.21", false),
            Some(("lodash", "4.17.21"))
        );
    }
}
