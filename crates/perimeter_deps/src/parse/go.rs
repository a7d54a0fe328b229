//! Go modules: go.mod (`require`, `replace`) and go.sum.

use super::dep;
use crate::DepsError;
use crate::version::go_semver;
use perimeter_model::{Dependency, Ecosystem};
use std::collections::HashMap;

/// A `replace`: module, the version it applies to (all when `None`), and the replacement
/// module and version (`None`: a local directory).
type Replace = (String, Option<String>, Option<(String, String)>);

/// go.mod: every `require`d module (single lines and blocks; `// indirect` marks transitive
/// ones), with `replace` directives applied: a module replaced by a local path is dropped, one
/// replaced by another module version is reported as that module at that version.
pub(crate) fn go_mod(file: &str, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let mut requires: Vec<(String, String, bool, u32)> = Vec::new();
    let mut replaces: Vec<Replace> = Vec::new();
    let mut block: Option<&str> = None;
    for (i, raw) in text.lines().enumerate() {
        let number = i as u32 + 1;
        let (code, comment) = match raw.find("//") {
            Some(at) => (&raw[..at], &raw[at + 2..]),
            None => (raw, ""),
        };
        let code = code.trim();
        if code.is_empty() {
            continue;
        }
        let (verb, args) = match block {
            Some(verb) => {
                if code == ")" {
                    block = None;
                    continue;
                }
                (verb, code)
            }
            None => {
                let (verb, rest) = code.split_once(char::is_whitespace).unwrap_or((code, ""));
                let rest = rest.trim();
                if rest == "(" {
                    block = Some(match verb {
                        "require" => "require",
                        "replace" => "replace",
                        _ => "other",
                    });
                    continue;
                }
                (verb, rest)
            }
        };
        match verb {
            "require" => {
                let mut parts = args.split_whitespace();
                if let (Some(module), Some(version)) = (parts.next(), parts.next()) {
                    let indirect = comment.trim_start().starts_with("indirect");
                    requires.push((unquote(module), version.to_string(), !indirect, number));
                }
            }
            "replace" => {
                let Some((old, new)) = args.split_once("=>") else {
                    continue;
                };
                let old: Vec<&str> = old.split_whitespace().collect();
                let new: Vec<&str> = new.split_whitespace().collect();
                let Some(module) = old.first() else { continue };
                let target = match new.as_slice() {
                    [path, version] => Some((unquote(path), version.to_string())),
                    _ => None, // a local directory
                };
                replaces.push((unquote(module), old.get(1).map(|v| v.to_string()), target));
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    'next: for (module, version, direct, line) in requires {
        let (mut name, mut version) = (module, version);
        for (old, old_version, target) in &replaces {
            if *old == name && old_version.as_ref().is_none_or(|v| *v == version) {
                match target {
                    Some((new, new_version)) => {
                        name = new.clone();
                        version = new_version.clone();
                    }
                    None => continue 'next,
                }
                break;
            }
        }
        let mut d = dep(Ecosystem::Go, name, version, true, file, line);
        d.direct = Some(direct);
        out.push(d);
    }
    Ok(out)
}

fn unquote(s: &str) -> String {
    s.trim_matches('"').trim_matches('`').to_string()
}

/// go.sum: `module version[/go.mod] hash` lines. Only modules whose content was hashed (no
/// `/go.mod` suffix) count, at the highest version listed: that is the one the build selected
/// (go.sum also keeps versions that lost minimal version selection).
pub(crate) fn go_sum(file: &str, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let mut best: HashMap<&str, (&str, u32)> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut parts = line.split_whitespace();
        let (Some(module), Some(version)) = (parts.next(), parts.next()) else {
            continue;
        };
        if version.ends_with("/go.mod") {
            continue;
        }
        let number = i as u32 + 1;
        match best.get(module) {
            Some((current, _)) if !newer(version, current) => {}
            Some(_) => {
                best.insert(module, (version, number));
            }
            None => {
                order.push(module);
                best.insert(module, (version, number));
            }
        }
    }
    Ok(order
        .into_iter()
        .filter_map(|m| {
            best.get(m)
                .map(|(v, l)| dep(Ecosystem::Go, m, *v, true, file, *l))
        })
        .collect())
}

fn newer(a: &str, b: &str) -> bool {
    match (go_semver(a), go_semver(b)) {
        (Some(a), Some(b)) => a > b,
        _ => false,
    }
}
