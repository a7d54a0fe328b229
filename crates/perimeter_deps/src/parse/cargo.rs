//! Cargo.lock (v1 to v4): `[[package]]` with a `source` are crates.io (or git) packages; those
//! without are the workspace's own crates, whose `dependencies` name the direct ones.

use super::dep;
use super::python::{packages, str_of};
use super::toml_doc;
use crate::DepsError;
use crate::text::Finder;
use perimeter_model::{Dependency, Ecosystem};
use std::collections::HashSet;

pub(crate) fn cargo_lock(file: &str, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let doc = toml_doc(file, text)?;
    let mut direct: HashSet<&str> = HashSet::new();
    for member in packages(&doc).filter(|p| !p.contains_key("source")) {
        for d in member
            .get("dependencies")
            .and_then(|d| d.as_array())
            .into_iter()
            .flatten()
        {
            if let Some(s) = d.as_str() {
                direct.insert(s.split(' ').next().unwrap_or(s));
            }
        }
    }
    let mut finder = Finder::new(text);
    let mut out = Vec::new();
    for package in packages(&doc) {
        let (Some(name), Some(version)) = (str_of(package, "name"), str_of(package, "version"))
        else {
            continue;
        };
        let line = finder.line_of(&format!("name = \"{name}\""), 1);
        // Workspace crates and git sources are not in the crates.io advisory ecosystem.
        match str_of(package, "source") {
            Some(source) if source.starts_with("registry+") || source.starts_with("sparse+") => {}
            _ => continue,
        }
        let mut d = dep(Ecosystem::CratesIo, name, version, true, file, line);
        d.direct = Some(direct.contains(name));
        out.push(d);
    }
    Ok(out)
}
