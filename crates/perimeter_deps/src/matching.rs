//! Matching packages against advisories: OSV `affected[]` entries with `SEMVER`/`ECOSYSTEM`
//! ranges (events `introduced`, `fixed`, `last_affected`, `limit`; `GIT` ranges skipped) and
//! explicit `versions` lists, ordered by the package's ecosystem ([`crate::version`]).
//!
//! An exact version matches when it is inside a range or listed. A range from a manifest
//! (`exact = false`) matches when it admits some affected version: the candidates are the
//! versions written in the range and the advisory's boundary and listed versions. `fixed` is the
//! lowest fixed version above the installed (or lowest admitted affected) version.

use crate::db::{Database, Entry};
use crate::osv::OsvRange;
use crate::version::{self, Version};
use perimeter_model::{Advisory, Dependency, Ecosystem, Model};
use rayon::prelude::*;
use std::cmp::Ordering;

/// Fills [`Dependency::advisories`] of every dependency of every bundle of `model`.
pub fn annotate(model: &mut Model, db: &Database) {
    for app in &mut model.apps {
        for bundle in &mut app.code {
            bundle.dependencies.par_iter_mut().for_each(|d| {
                d.advisories = matches(db, d);
            });
        }
    }
}

/// The advisories affecting one dependency, in id order.
pub fn matches(db: &Database, dependency: &Dependency) -> Vec<Advisory> {
    let entries = db.entries(dependency.ecosystem, &dependency.name);
    if entries.is_empty() {
        return Vec::new();
    }
    let eco = dependency.ecosystem;
    let mut out: Vec<Advisory> = Vec::new();
    if dependency.exact {
        let Some(installed) = version::parse(eco, &dependency.version) else {
            return out;
        };
        for entry in entries {
            if affects(eco, entry, &installed, &dependency.version) {
                push(
                    &mut out,
                    entry,
                    lowest_fixed_above(eco, entry, &installed, entries),
                );
            }
        }
    } else {
        let range = dependency.version.trim();
        if range.is_empty() || range == "*" {
            return out; // no requirement: nothing to judge
        }
        for entry in entries {
            let mut candidates: Vec<(Version, String)> = version::range_versions(eco, range)
                .into_iter()
                .chain(entry_versions(entry))
                .filter_map(|s| version::parse(eco, &s).map(|v| (v, s)))
                .filter(|(v, _)| version::range_allows(eco, range, v) == Some(true))
                .filter(|(v, s)| affects(eco, entry, v, s))
                .collect();
            candidates.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(Ordering::Equal));
            if let Some((lowest, _)) = candidates.first() {
                push(
                    &mut out,
                    entry,
                    lowest_fixed_above(eco, entry, lowest, entries),
                );
            }
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

fn push(out: &mut Vec<Advisory>, entry: &Entry, fixed: Option<String>) {
    if out.iter().any(|a| a.id == entry.record.id) {
        return;
    }
    let r = &entry.record;
    out.push(Advisory {
        id: r.id.clone(),
        aliases: r.aliases.clone(),
        summary: r.summary.clone(),
        severity: r.severity.clone(),
        fixed,
        url: r.url.clone(),
    });
}

/// Every version an entry names (listed, and range events other than `fixed`/`limit`).
fn entry_versions(entry: &Entry) -> impl Iterator<Item = String> + '_ {
    let listed = entry.affected.versions.iter().cloned();
    let events = entry.affected.ranges.iter().flat_map(|r| {
        r.events
            .iter()
            .filter_map(|e| e.introduced.clone().or_else(|| e.last_affected.clone()))
            .filter(|v| v != "0")
    });
    listed.chain(events)
}

/// Whether `installed` is affected by one `affected[]` entry: inside a range, or listed. Listed
/// versions are compared as text first and parsed only when no range could be judged (OSV
/// derives the lists from the ranges; PyPI records list hundreds of versions).
fn affects(eco: Ecosystem, entry: &Entry, installed: &Version, raw: &str) -> bool {
    let mut judged = false;
    for range in &entry.affected.ranges {
        match in_range(eco, range, installed) {
            Some(true) => return true,
            Some(false) => judged = true,
            None => {}
        }
    }
    let listed = &entry.affected.versions;
    if listed.iter().any(|v| v == raw) {
        return true;
    }
    !judged
        && listed.iter().any(|v| {
            version::parse(eco, v)
                .is_some_and(|p| p.partial_cmp(installed) == Some(Ordering::Equal))
        })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Introduced,
    Fixed,
    LastAffected,
    Limit,
}

/// OSV's evaluation: events sorted by version (introduced `0` first); an `introduced` at or
/// below the version opens, a `fixed` at or below it (or a `last_affected` below it) closes;
/// a `limit` at or below it excludes it. `None` for `GIT` ranges and unparsable events.
fn in_range(eco: Ecosystem, range: &OsvRange, installed: &Version) -> Option<bool> {
    if !matches!(range.kind.as_str(), "SEMVER" | "ECOSYSTEM") {
        return None;
    }
    let mut events: Vec<(Kind, Option<Version>)> = Vec::with_capacity(range.events.len());
    for e in &range.events {
        let (kind, text) = match (&e.introduced, &e.fixed, &e.last_affected, &e.limit) {
            (Some(v), _, _, _) => (Kind::Introduced, v),
            (_, Some(v), _, _) => (Kind::Fixed, v),
            (_, _, Some(v), _) => (Kind::LastAffected, v),
            (_, _, _, Some(v)) => (Kind::Limit, v),
            _ => continue,
        };
        let parsed = if kind == Kind::Introduced && text == "0" {
            None
        } else if kind == Kind::Limit && text == "*" {
            continue;
        } else {
            Some(version::parse(eco, text)?)
        };
        events.push((kind, parsed));
    }
    events.sort_by(|a, b| match (&a.1, &b.1) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
    });
    let mut affected = false;
    for (kind, v) in &events {
        let at_or_below = |v: &Option<Version>| match v {
            None => true,
            Some(v) => v
                .partial_cmp(installed)
                .is_some_and(|o| o != Ordering::Greater),
        };
        match kind {
            Kind::Introduced if at_or_below(v) => affected = true,
            Kind::Fixed if at_or_below(v) => affected = false,
            Kind::LastAffected
                if v.as_ref()
                    .is_some_and(|v| v.partial_cmp(installed) == Some(Ordering::Less)) =>
            {
                affected = false
            }
            Kind::Limit if at_or_below(v) => return Some(false),
            _ => {}
        }
    }
    Some(affected)
}

/// The lowest `fixed` event above `installed` among the advisory's entries for this package.
fn lowest_fixed_above(
    eco: Ecosystem,
    entry: &Entry,
    installed: &Version,
    all: &[Entry],
) -> Option<String> {
    let mut best: Option<(Version, &str)> = None;
    let same_record = all
        .iter()
        .filter(|e| std::sync::Arc::ptr_eq(&e.record, &entry.record));
    for e in same_record {
        for range in &e.affected.ranges {
            for fixed in range.events.iter().filter_map(|ev| ev.fixed.as_deref()) {
                let Some(v) = version::parse(eco, fixed) else {
                    continue;
                };
                if v.partial_cmp(installed) != Some(Ordering::Greater) {
                    continue;
                }
                if best
                    .as_ref()
                    .is_none_or(|(b, _)| v.partial_cmp(b) == Some(Ordering::Less))
                {
                    best = Some((v, fixed));
                }
            }
        }
    }
    best.map(|(_, s)| s.to_string())
}
