//! From raw findings to reported ones: rules switched off, severity overrides, ignores.
//!
//! Order matters and is fixed: findings of disabled rules and of excluded paths are dropped
//! first (they are not "suppressed", they were never asked for); severities are overridden;
//! then each remaining finding is checked against the inline ignores (closest to the code,
//! so they win) and then the configuration's `[[ignore]]` entries. Every ignore that matched
//! nothing is reported as a problem, per code, so stale suppressions get cleaned up.

use crate::config::Config;
use crate::inline::{InlineIgnore, MARKER, scan_inline};
use perimeter_model::{LoadError, Model};
use perimeter_rules::Finding;
use std::collections::{BTreeSet, HashMap, HashSet};

/// What [`apply`] decided.
#[derive(Debug, Default)]
pub struct Applied {
    /// Findings to report, in their input order.
    pub kept: Vec<Finding>,
    pub suppressed: Vec<Suppressed>,
    /// Malformed inline ignores and ignores that match no finding.
    pub problems: Vec<LoadError>,
}

/// A finding hidden by an ignore, with the ignore's reason.
#[derive(Debug, Clone)]
pub struct Suppressed {
    pub finding: Finding,
    pub reason: String,
    pub by: SuppressedBy,
}

/// Which ignore hid a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SuppressedBy {
    /// A `perimeter:ignore` comment at `file:line`.
    Inline { file: String, line: u32 },
    /// An `[[ignore]]` entry at this line of the configuration file.
    Config { line: u32 },
}

/// Applies `config` and the inline ignores to `findings`. `read` returns a file's text by its
/// path relative to the scan root (`None` when it cannot be read); it is asked for the files
/// that have findings and for every app's declaring file, nothing else.
pub fn apply(
    config: &Config,
    model: &Model,
    findings: Vec<Finding>,
    read: &dyn Fn(&str) -> Option<String>,
) -> Applied {
    let mut applied = Applied::default();

    let findings: Vec<Finding> = findings
        .into_iter()
        .filter(|f| config.is_enabled(f.code) && !config.is_excluded(&f.location.file))
        .map(|f| match config.severity_of(f.code) {
            Some(severity) => f.with_severity(severity),
            None => f,
        })
        .collect();

    // Inline ignores, from the files that could hold a relevant one.
    let files: BTreeSet<&str> = findings
        .iter()
        .map(|f| f.location.file.as_str())
        .chain(model.apps.iter().map(|a| a.file.as_str()))
        .filter(|f| !config.is_excluded(f))
        .collect();
    let mut inline: Vec<InlineIgnore> = Vec::new();
    for file in files {
        let Some(text) = read(file) else { continue };
        if !text.contains(MARKER) {
            continue;
        }
        let (ignores, problems) = scan_inline(file, &text);
        inline.extend(ignores);
        applied.problems.extend(problems);
    }

    // Where each resource is declared: (file, line) -> [(app id, resource id)].
    let mut declared: HashMap<(&str, u32), Vec<(&str, &str)>> = HashMap::new();
    for app in &model.apps {
        let located = app
            .functions
            .iter()
            .map(|f| (&f.location, f.id.as_str()))
            .chain(app.resources.iter().map(|r| (&r.location, r.id.as_str())))
            .chain(app.roles.iter().map(|r| (&r.location, r.id.as_str())))
            .chain(app.apis.iter().map(|a| (&a.location, a.id.as_str())))
            .chain(app.permissions.iter().map(|p| (&p.location, p.id.as_str())));
        for (location, id) in located {
            declared
                .entry((location.file.as_str(), location.line))
                .or_default()
                .push((app.id.as_str(), id));
        }
    }
    // Per inline ignore: the resources it covers.
    let covered: Vec<HashSet<(&str, &str)>> = inline
        .iter()
        .map(|ig| {
            ig.target
                .into_iter()
                .flat_map(|line| {
                    declared
                        .get(&(ig.file.as_str(), line))
                        .into_iter()
                        .flatten()
                        .copied()
                })
                .collect()
        })
        .collect();

    let mut inline_used: HashSet<(usize, &str)> = HashSet::new();
    let mut config_used = vec![false; config.ignores.len()];
    for finding in findings {
        // Every config ignore that covers the finding counts as used, even when an inline
        // ignore (or an earlier entry) is the one that hides it: "matches no finding" must
        // mean exactly that.
        let mut config_hit = None;
        for (i, ig) in config.ignores.iter().enumerate() {
            if ig.matches(
                finding.code,
                &finding.location.file,
                &finding.resource,
                finding.function.as_deref(),
            ) {
                config_used[i] = true;
                config_hit.get_or_insert(i);
            }
        }
        let inline_hit = inline.iter().enumerate().find_map(|(i, ig)| {
            let code = ig
                .codes
                .iter()
                .find(|c| c.eq_ignore_ascii_case(finding.code))?;
            let here = finding.location.file == ig.file
                && (finding.location.line == ig.line || Some(finding.location.line) == ig.target);
            let in_resource =
                covered[i].contains(&(finding.app.as_str(), finding.resource.as_str()));
            (here || in_resource).then_some((i, code.as_str()))
        });
        if let Some((i, code)) = inline_hit {
            inline_used.insert((i, code));
            let ig = &inline[i];
            applied.suppressed.push(Suppressed {
                reason: ig.reason.clone(),
                by: SuppressedBy::Inline {
                    file: ig.file.clone(),
                    line: ig.line,
                },
                finding,
            });
            continue;
        }
        if let Some(i) = config_hit {
            let ig = &config.ignores[i];
            applied.suppressed.push(Suppressed {
                reason: ig.reason.clone(),
                by: SuppressedBy::Config { line: ig.line },
                finding,
            });
            continue;
        }
        applied.kept.push(finding);
    }

    for (i, ig) in inline.iter().enumerate() {
        for code in &ig.codes {
            if !inline_used.contains(&(i, code.as_str())) {
                applied.problems.push(LoadError {
                    file: ig.file.clone(),
                    line: Some(ig.line),
                    column: None,
                    message: format!("{MARKER} {code} matches no finding"),
                });
            }
        }
    }
    for (ig, used) in config.ignores.iter().zip(config_used) {
        if !used {
            applied.problems.push(LoadError {
                file: config.source.clone(),
                line: Some(ig.line),
                column: None,
                message: format!("ignore for {} matches no finding", ig.code),
            });
        }
    }
    applied
}
