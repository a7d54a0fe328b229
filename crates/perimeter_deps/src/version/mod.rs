//! Version ordering per ecosystem, as OSV's `ECOSYSTEM` ranges mean it.
//!
//! - npm: node-semver (`nodejs-semver`), also for ranges (`^1.2 || 2.x`);
//! - PyPI: PEP 440 (`pep440_rs`), also for specifiers (`>=2.0,<3`);
//! - Go: semantic versions with Go's `v` prefix; `+incompatible` is dropped, pseudo-versions
//!   (`v0.0.0-20200101000000-abcdef`) are prereleases and order by their timestamp (`semver`);
//! - crates.io: `semver`;
//! - Maven: Maven's own `ComparableVersion` ([`maven`]);
//! - RubyGems: `Gem::Version` ([`gem`]);
//! - NuGet: `NuGetVersion` ([`nuget`]).

pub mod gem;
pub mod maven;
pub mod nuget;

use perimeter_model::Ecosystem;
use std::cmp::Ordering;
use std::str::FromStr;

/// A parsed version of one ecosystem. Versions of different ecosystems do not compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Version {
    Semver(semver::Version),
    Npm(nodejs_semver::Version),
    Pep440(pep440_rs::Version),
    Maven(maven::MavenVersion),
    Gem(gem::GemVersion),
    NuGet(nuget::NuGetVersion),
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        use Version::*;
        match (self, other) {
            (Semver(a), Semver(b)) => Some(a.cmp_precedence(b)),
            (Npm(a), Npm(b)) => Some(a.cmp(b)),
            (Pep440(a), Pep440(b)) => Some(a.cmp(b)),
            (Maven(a), Maven(b)) => Some(a.cmp(b)),
            (Gem(a), Gem(b)) => Some(a.cmp(b)),
            (NuGet(a), NuGet(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

/// Parses `text` as a version of `ecosystem`; `None` when it is not one.
pub fn parse(ecosystem: Ecosystem, text: &str) -> Option<Version> {
    let text = text.trim();
    if text.is_empty() || text.len() > 256 {
        return None;
    }
    Some(match ecosystem {
        Ecosystem::Npm => Version::Npm(nodejs_semver::Version::parse(text).ok()?),
        Ecosystem::PyPI => Version::Pep440(pep440_rs::Version::from_str(text).ok()?),
        Ecosystem::Go => Version::Semver(go_semver(text)?),
        Ecosystem::CratesIo => Version::Semver(semver::Version::parse(text).ok()?),
        Ecosystem::Maven => Version::Maven(maven::MavenVersion::parse(text)),
        Ecosystem::RubyGems => Version::Gem(gem::GemVersion::parse(text)?),
        Ecosystem::NuGet => Version::NuGet(nuget::NuGetVersion::parse(text)?),
    })
}

/// Orders two versions of `ecosystem`; `None` when either does not parse.
pub fn compare(ecosystem: Ecosystem, a: &str, b: &str) -> Option<Ordering> {
    parse(ecosystem, a)?.partial_cmp(&parse(ecosystem, b)?)
}

/// A Go module version (`v1.2.3`, `1.2.3`, `v2.0.0+incompatible`, pseudo-versions).
pub fn go_semver(text: &str) -> Option<semver::Version> {
    let text = text.trim();
    let text = text.strip_prefix("go").unwrap_or(text);
    let text = text.strip_prefix('v').unwrap_or(text);
    let text = text.strip_suffix("+incompatible").unwrap_or(text);
    if let Ok(v) = semver::Version::parse(text) {
        return Some(v);
    }
    // Go toolchain versions: `1.21` and `1.21rc2`.
    let (release, pre) = match text.find(|c: char| c.is_ascii_alphabetic()) {
        Some(at) => (&text[..at], Some(&text[at..])),
        None => (text, None),
    };
    let mut parts: Vec<&str> = release.split('.').collect();
    if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    while parts.len() < 3 {
        parts.push("0");
    }
    let mut full = parts.join(".");
    if let Some(pre) = pre {
        full = format!("{full}-{pre}");
    }
    semver::Version::parse(&full).ok()
}

/// Whether a requirement (a manifest range) admits `version`. Only npm ranges and PEP 440
/// specifiers are understood; `None` for other ecosystems or unparsable ranges.
pub fn range_allows(ecosystem: Ecosystem, range: &str, version: &Version) -> Option<bool> {
    match (ecosystem, version) {
        (Ecosystem::Npm, Version::Npm(v)) => {
            Some(nodejs_semver::Range::parse(range).ok()?.satisfies(v))
        }
        (Ecosystem::PyPI, Version::Pep440(v)) => {
            let spec = pep440_rs::VersionSpecifiers::from_str(range).ok()?;
            Some(spec.contains(v))
        }
        _ => None,
    }
}

/// Version-looking tokens in a range (`>=2.0,<3` → `2.0`, `3`; `^4.17.0` → `4.17.0`), padded
/// for npm (`4.17` → `4.17.0`): the candidates a range match starts from.
pub fn range_versions(ecosystem: Ecosystem, range: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = range;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        let token_len = rest[start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '!')))
            .unwrap_or(rest.len() - start);
        let token = rest[start..start + token_len].trim_end_matches(['.', '*']);
        let mut token = token.to_string();
        if ecosystem == Ecosystem::Npm {
            let core = token.split(['-', '+']).next().unwrap_or("").to_string();
            let dots = core.matches('.').count();
            if dots < 2
                && core
                    .split('.')
                    .all(|p| p.chars().all(|c| c.is_ascii_digit()))
            {
                token = format!("{core}{}", ".0".repeat(2 - dots));
            }
        }
        if !token.is_empty() {
            out.push(token);
        }
        rest = &rest[start + token_len.max(1)..];
    }
    out
}

#[cfg(test)]
mod tests;
