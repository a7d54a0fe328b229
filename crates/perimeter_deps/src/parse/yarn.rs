//! yarn.lock: the classic v1 format (its own line syntax) and Yarn berry (v2+, YAML).

use super::dep;
use super::npm::is_registry_version;
use crate::DepsError;
use crate::yaml::{self, Node};
use perimeter_model::{Dependency, Ecosystem};

pub(crate) fn parse(file: &str, text: &str) -> Result<Vec<Dependency>, DepsError> {
    if text.lines().any(|l| l.starts_with("__metadata:")) {
        berry(file, text)
    } else {
        Ok(classic(file, text))
    }
}

/// The package name of a specifier `name@range` (`@scope/name@range`, `alias@npm:real@range`).
fn spec_name(spec: &str) -> &str {
    let spec = spec.trim().trim_matches('"');
    let at = spec
        .char_indices()
        .skip(1)
        .find(|(_, c)| *c == '@')
        .map(|(i, _)| i);
    let Some(at) = at else { return spec };
    let (name, rest) = (&spec[..at], &spec[at + 1..]);
    if let Some(real) = rest.strip_prefix("npm:")
        && real.contains('@')
        && !real.starts_with(|c: char| c.is_ascii_digit() || c == '^' || c == '~')
    {
        return spec_name(real);
    }
    name
}

/// Classic: `"a@^1", a@~1.2:` headers, then an indented `version "1.2.3"` line.
fn classic(file: &str, text: &str) -> Vec<Dependency> {
    let mut out = Vec::new();
    let mut header: Option<(&str, u32)> = None;
    for (i, line) in text.lines().enumerate() {
        let number = i as u32 + 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !line.starts_with(' ') {
            header = line
                .strip_suffix(':')
                .and_then(|specs| specs.split(',').next())
                .map(|first| (spec_name(first), number));
            continue;
        }
        let trimmed = line.trim_start();
        if let Some(version) = trimmed.strip_prefix("version ")
            && line.len() - trimmed.len() == 2
            && let Some((name, header_line)) = header.take()
        {
            let version = version.trim().trim_matches('"');
            if is_registry_version(version) && !name.is_empty() {
                out.push(dep(Ecosystem::Npm, name, version, true, file, header_line));
            }
        }
    }
    out
}

/// Berry: a YAML map of `"name@npm:^1, name@npm:^1.2"` keys to entries with `version` and
/// `resolution: "name@npm:1.2.3"`. Workspace, patch, git and link resolutions are skipped.
fn berry(file: &str, text: &str) -> Result<Vec<Dependency>, DepsError> {
    let doc = yaml::parse(text).map_err(|(line, m)| DepsError::parse(file, line, m))?;
    let mut out = Vec::new();
    for (key, line, entry) in doc.entries() {
        if key == "__metadata" {
            continue;
        }
        let Some(resolution) = entry.get("resolution").and_then(Node::as_str) else {
            continue;
        };
        let Some((name, _)) = resolution.rsplit_once("@npm:") else {
            continue;
        };
        let Some(version) = entry.get("version").and_then(Node::as_str) else {
            continue;
        };
        if is_registry_version(version) {
            out.push(dep(Ecosystem::Npm, name, version, true, file, *line));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_specifiers() {
        assert_eq!(spec_name("lodash@^4.17.0"), "lodash");
        assert_eq!(spec_name("\"@babel/core@7.2.2\""), "@babel/core");
        assert_eq!(
            spec_name("string-width-cjs@npm:string-width@^4.2.0"),
            "string-width"
        );
        assert_eq!(spec_name("foo@npm:^1.0.0"), "foo");
    }
}
