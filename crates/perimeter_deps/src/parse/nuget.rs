//! NuGet packages.lock.json: `dependencies.<target framework>.<package>` with `type`
//! (`Direct`, `Transitive`, `CentralTransitive`, `Project`) and `resolved`. A package appears
//! once per target framework; it is reported once per version.

use super::{dep, json};
use crate::DepsError;
use crate::text::{Finder, json_quoted};
use perimeter_model::{Dependency, Ecosystem};
use serde_json::Value;
use std::collections::HashSet;

pub(crate) fn packages_lock(file: &str, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let doc = json(file, text)?;
    let mut finder = Finder::new(text);
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut out = Vec::new();
    let frameworks = doc.get("dependencies").and_then(Value::as_object);
    for (_, packages) in frameworks.into_iter().flatten() {
        let Some(packages) = packages.as_object() else {
            continue;
        };
        for (name, entry) in packages {
            let line = finder.line_of(&json_quoted(name), 1);
            let kind = entry.get("type").and_then(Value::as_str).unwrap_or("");
            let Some(version) = entry.get("resolved").and_then(Value::as_str) else {
                continue;
            };
            if kind == "Project" || !seen.insert((name.to_ascii_lowercase(), version.into())) {
                continue;
            }
            let mut d = dep(Ecosystem::NuGet, name, version, true, file, line);
            d.direct = Some(kind == "Direct");
            out.push(d);
        }
    }
    Ok(out)
}
