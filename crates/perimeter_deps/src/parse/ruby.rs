//! Gemfile.lock: the `GEM` section's `specs:` (4-space indent `name (version)`, with an
//! optional platform suffix), and `DEPENDENCIES` naming the direct gems. `GIT` and `PATH`
//! sources are not registry gems and are skipped.

use super::dep;
use crate::DepsError;
use perimeter_model::{Dependency, Ecosystem};
use std::collections::HashSet;

pub(crate) fn gemfile_lock(file: &str, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let mut direct: HashSet<&str> = HashSet::new();
    let mut section = "";
    for line in text.lines() {
        if !line.starts_with(' ') && !line.is_empty() {
            section = line.trim();
        } else if section == "DEPENDENCIES"
            && let Some(name) = line.strip_prefix("  ")
            && !name.starts_with(' ')
        {
            let name = name.split([' ', '!']).next().unwrap_or(name);
            direct.insert(name);
        }
    }
    let mut out = Vec::new();
    let mut section = "";
    for (i, line) in text.lines().enumerate() {
        if !line.starts_with(' ') && !line.is_empty() {
            section = line.trim();
            continue;
        }
        if section != "GEM" {
            continue;
        }
        let Some(spec) = line.strip_prefix("    ") else {
            continue;
        };
        if spec.starts_with(' ') {
            continue; // a dependency of the gem above
        }
        let Some((name, rest)) = spec.split_once(" (") else {
            continue;
        };
        let version = rest.trim_end_matches(')');
        // `1.13.10-x86_64-linux`: the platform is not part of the version.
        let version = match version.split_once('-') {
            Some((v, platform)) if platform.chars().any(|c| c.is_ascii_alphabetic()) => v,
            _ => version,
        };
        let mut d = dep(Ecosystem::RubyGems, name, version, true, file, i as u32 + 1);
        d.direct = Some(direct.contains(name));
        out.push(d);
    }
    Ok(out)
}
