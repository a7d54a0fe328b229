//! What changed between two [`ScanSummary`]s, as typed [`Change`]s.
//!
//! Two modes. [`DiffMode::Changes`] compares two scans of the same thing (two recorded scans,
//! two snapshots, two runs of `watch`): functions are matched by key, then by ARN, then by
//! deployed name; score and findings are compared too. [`DiffMode::Drift`] compares what the
//! IaC declares (left) with what is deployed (right): functions are matched by their
//! CloudFormation tags (`aws:cloudformation:logical-id`, with `stack-name` to choose between
//! stacks), by declared name, and by Serverless's `{service}-{stage}-{function}` naming;
//! scores and findings are not compared (they are consequences of the facts, and their
//! fingerprints name different files). In both modes a fact unknown on either side (an
//! unresolved IaC value, a redacted value, an IaC code hash) never counts as a change.

use crate::summary::{Fact, FindingSummary, FunctionSummary, ScanSummary, TriggerSummary};
use serde::Serialize;
use std::collections::BTreeSet;

/// How the two sides relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffMode {
    /// Two scans of the same source.
    Changes,
    /// IaC (left) against the deployed account (right).
    Drift,
}

/// One difference. `function` is a label naming the function (both sides' names in drift).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Change {
    /// Only on the right (new since the earlier scan; deployed but not in the IaC).
    FunctionAdded {
        function: String,
        public: bool,
        score: u32,
    },
    /// Only on the left (gone since the earlier scan; declared but not deployed).
    FunctionRemoved {
        function: String,
    },
    /// An entry point anyone on the internet can use, that was not public before.
    NewPublicEntry {
        function: String,
        entry: String,
    },
    TriggerAdded {
        function: String,
        trigger: String,
    },
    TriggerRemoved {
        function: String,
        trigger: String,
    },
    /// The role allows more actions (or other sensitive ones).
    PermissionsGrown {
        function: String,
        before: usize,
        after: usize,
        new_sensitive: Vec<String>,
    },
    PermissionsShrunk {
        function: String,
        before: usize,
        after: usize,
    },
    RoleChanged {
        function: String,
        before: String,
        after: String,
    },
    /// Variables added, removed, or whose value changed (names only, never values).
    EnvironmentChanged {
        function: String,
        added: Vec<String>,
        removed: Vec<String>,
        changed: Vec<String>,
    },
    LayersChanged {
        function: String,
        before: Vec<String>,
        after: Vec<String>,
    },
    CodeChanged {
        function: String,
        before: String,
        after: String,
    },
    RuntimeChanged {
        function: String,
        before: String,
        after: String,
    },
    /// `memory`, `timeout` or `reserved-concurrency` (`none` when unreserved).
    SettingChanged {
        function: String,
        setting: String,
        before: String,
        after: String,
    },
    ScoreRisen {
        function: String,
        before: u32,
        after: u32,
    },
    ScoreFallen {
        function: String,
        before: u32,
        after: u32,
    },
    FindingNew {
        function: Option<String>,
        code: String,
        severity: String,
        message: String,
        fingerprint: String,
    },
    FindingFixed {
        function: Option<String>,
        code: String,
        severity: String,
        message: String,
        fingerprint: String,
    },
}

impl Change {
    /// The kebab-case kind (`new-public-entry`, …), as in the JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            Change::FunctionAdded { .. } => "function-added",
            Change::FunctionRemoved { .. } => "function-removed",
            Change::NewPublicEntry { .. } => "new-public-entry",
            Change::TriggerAdded { .. } => "trigger-added",
            Change::TriggerRemoved { .. } => "trigger-removed",
            Change::PermissionsGrown { .. } => "permissions-grown",
            Change::PermissionsShrunk { .. } => "permissions-shrunk",
            Change::RoleChanged { .. } => "role-changed",
            Change::EnvironmentChanged { .. } => "environment-changed",
            Change::LayersChanged { .. } => "layers-changed",
            Change::CodeChanged { .. } => "code-changed",
            Change::RuntimeChanged { .. } => "runtime-changed",
            Change::SettingChanged { .. } => "setting-changed",
            Change::ScoreRisen { .. } => "score-risen",
            Change::ScoreFallen { .. } => "score-fallen",
            Change::FindingNew { .. } => "finding-new",
            Change::FindingFixed { .. } => "finding-fixed",
        }
    }

    /// The function label, when the change concerns one.
    pub fn function(&self) -> Option<&str> {
        match self {
            Change::FindingNew { function, .. } | Change::FindingFixed { function, .. } => {
                function.as_deref()
            }
            Change::FunctionAdded { function, .. }
            | Change::FunctionRemoved { function }
            | Change::NewPublicEntry { function, .. }
            | Change::TriggerAdded { function, .. }
            | Change::TriggerRemoved { function, .. }
            | Change::PermissionsGrown { function, .. }
            | Change::PermissionsShrunk { function, .. }
            | Change::RoleChanged { function, .. }
            | Change::EnvironmentChanged { function, .. }
            | Change::LayersChanged { function, .. }
            | Change::CodeChanged { function, .. }
            | Change::RuntimeChanged { function, .. }
            | Change::SettingChanged { function, .. }
            | Change::ScoreRisen { function, .. }
            | Change::ScoreFallen { function, .. } => Some(function),
        }
    }

    /// One line for a human.
    pub fn describe(&self) -> String {
        let list = |v: &[String]| v.join(", ");
        match self {
            Change::FunctionAdded {
                function,
                public,
                score,
            } => format!(
                "+ function {function} (score {score}{})",
                if *public { ", public" } else { "" }
            ),
            Change::FunctionRemoved { function } => format!("- function {function}"),
            Change::NewPublicEntry { function, entry } => {
                format!("! {function}: new public entry: {entry}")
            }
            Change::TriggerAdded { function, trigger } => {
                format!("~ {function}: trigger added: {trigger}")
            }
            Change::TriggerRemoved { function, trigger } => {
                format!("~ {function}: trigger removed: {trigger}")
            }
            Change::PermissionsGrown {
                function,
                before,
                after,
                new_sensitive,
            } => {
                let mut s = format!("! {function}: permissions grown: {before} → {after} actions");
                if !new_sensitive.is_empty() {
                    s.push_str(&format!("; new sensitive: {}", list(new_sensitive)));
                }
                s
            }
            Change::PermissionsShrunk {
                function,
                before,
                after,
            } => format!("~ {function}: permissions shrunk: {before} → {after} actions"),
            Change::RoleChanged {
                function,
                before,
                after,
            } => format!("~ {function}: role {before} → {after}"),
            Change::EnvironmentChanged {
                function,
                added,
                removed,
                changed,
            } => {
                let mut parts = Vec::new();
                if !added.is_empty() {
                    parts.push(format!("added {}", list(added)));
                }
                if !removed.is_empty() {
                    parts.push(format!("removed {}", list(removed)));
                }
                if !changed.is_empty() {
                    parts.push(format!("changed {}", list(changed)));
                }
                format!("~ {function}: environment: {}", parts.join("; "))
            }
            Change::LayersChanged {
                function,
                before,
                after,
            } => format!(
                "~ {function}: layers [{}] → [{}]",
                list(before),
                list(after)
            ),
            Change::CodeChanged { function, .. } => format!("~ {function}: code changed"),
            Change::RuntimeChanged {
                function,
                before,
                after,
            } => format!("~ {function}: runtime {before} → {after}"),
            Change::SettingChanged {
                function,
                setting,
                before,
                after,
            } => format!("~ {function}: {setting} {before} → {after}"),
            Change::ScoreRisen {
                function,
                before,
                after,
            } => format!("! {function}: score risen {before} → {after}"),
            Change::ScoreFallen {
                function,
                before,
                after,
            } => format!("~ {function}: score fallen {before} → {after}"),
            Change::FindingNew {
                function,
                code,
                severity,
                message,
                ..
            } => format!(
                "+ {code} [{severity}]{}: {message}",
                function
                    .as_ref()
                    .map(|f| format!(" {f}"))
                    .unwrap_or_default()
            ),
            Change::FindingFixed {
                function,
                code,
                severity,
                message,
                ..
            } => format!(
                "- {code} [{severity}] fixed{}: {message}",
                function
                    .as_ref()
                    .map(|f| format!(" {f}"))
                    .unwrap_or_default()
            ),
        }
    }
}

/// The differences between two scans.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    /// The left side's source (the earlier scan, or the IaC).
    pub left: String,
    /// The right side's source (the later scan, or the deployed account).
    pub right: String,
    /// Functions found on both sides.
    pub matched: usize,
    /// Drift only: deployed functions left out because nothing ties them to this IaC (other
    /// stacks and services of the account).
    pub unrelated: usize,
    pub changes: Vec<Change>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// Compares `left` (earlier, or IaC) with `right` (later, or deployed).
pub fn diff(left: &ScanSummary, right: &ScanSummary, mode: DiffMode) -> Diff {
    let pairs = match_functions(&left.functions, &right.functions, mode);
    let mut changes = Vec::new();
    let mut left_matched = vec![false; left.functions.len()];
    let mut right_matched = vec![false; right.functions.len()];
    for &(l, r) in &pairs {
        left_matched[l] = true;
        right_matched[r] = true;
        compare_function(&left.functions[l], &right.functions[r], mode, &mut changes);
    }
    for (i, f) in left.functions.iter().enumerate() {
        if !left_matched[i] {
            changes.push(Change::FunctionRemoved {
                function: f.label(),
            });
        }
    }
    // In drift, a deployed function is "only deployed" when it belongs to a stack (or a
    // Serverless service and stage) that deploys some function of this IaC; the rest of the
    // account is someone else's.
    let stacks: BTreeSet<&str> = pairs
        .iter()
        .filter_map(|&(_, r)| right.functions[r].cfn_stack.as_deref())
        .collect();
    let prefixes: BTreeSet<String> = pairs
        .iter()
        .filter_map(|&(l, r)| {
            let (l, r) = (&left.functions[l], &right.functions[r]);
            let name = r.name.known()?;
            (l.app_kind == "serverless")
                .then(|| name.strip_suffix(&l.id))
                .flatten()
                .map(str::to_string)
        })
        .collect();
    let related = |f: &FunctionSummary| {
        mode == DiffMode::Changes
            || f.cfn_stack.as_deref().is_some_and(|s| stacks.contains(s))
            || f.name
                .known()
                .is_some_and(|n| prefixes.iter().any(|p| n.starts_with(p.as_str())))
    };
    let mut unrelated = 0;
    for (i, f) in right.functions.iter().enumerate() {
        if !right_matched[i] && !related(f) {
            unrelated += 1;
        } else if !right_matched[i] {
            changes.push(Change::FunctionAdded {
                function: f.label(),
                public: f.is_public(),
                score: f.score,
            });
            for t in f.triggers.iter().filter(|t| t.public) {
                changes.push(Change::NewPublicEntry {
                    function: f.label(),
                    entry: t.description.clone(),
                });
            }
        }
    }
    if mode == DiffMode::Changes {
        compare_findings(&left.findings, &right.findings, &mut changes);
    }
    Diff {
        left: left.source.clone(),
        right: right.source.clone(),
        matched: pairs.len(),
        unrelated,
        changes,
    }
}

/// Pairs of (left index, right index), each function in at most one pair.
fn match_functions(
    left: &[FunctionSummary],
    right: &[FunctionSummary],
    mode: DiffMode,
) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    let mut used_left = vec![false; left.len()];
    let mut used_right = vec![false; right.len()];
    // Strategies in order of confidence; each only sees what earlier ones left unmatched.
    type Test = fn(&FunctionSummary, &FunctionSummary) -> bool;
    let strategies: &[Test] = match mode {
        DiffMode::Changes => &[
            |l, r| l.key == r.key,
            |l, r| l.arn.is_some() && l.arn == r.arn,
            |l, r| l.name.known().is_some() && l.name == r.name,
        ],
        DiffMode::Drift => &[
            |l, r| {
                r.cfn_logical_id.as_deref() == Some(l.id.as_str())
                    && r.cfn_stack
                        .as_deref()
                        .is_some_and(|s| stack_matches(s, &l.app_name))
            },
            |l, r| r.cfn_logical_id.as_deref() == Some(l.id.as_str()),
            |l, r| l.name_declared && l.name.known().is_some() && l.name == r.name,
            |l, r| {
                // Serverless: `{service}-{stage}-{function}`, whatever the stage.
                l.app_kind == "serverless"
                    && r.name.known().is_some_and(|n| {
                        n.strip_prefix(&format!("{}-", l.app_name))
                            .and_then(|rest| rest.strip_suffix(&format!("-{}", l.id)))
                            .is_some_and(|stage| !stage.is_empty() && !stage.contains('-'))
                    })
            },
        ],
    };
    for test in strategies {
        for (li, l) in left.iter().enumerate() {
            if used_left[li] {
                continue;
            }
            let candidates: Vec<usize> = right
                .iter()
                .enumerate()
                .filter(|(ri, r)| !used_right[*ri] && test(l, r))
                .map(|(ri, _)| ri)
                .collect();
            // An ambiguous match (two stacks with the same logical ID) is left to a later
            // strategy, or reported on both sides.
            if let [ri] = candidates[..] {
                used_left[li] = true;
                used_right[ri] = true;
                pairs.push((li, ri));
            }
        }
    }
    pairs.sort_unstable();
    pairs
}

/// A stack name matches an app when equal or prefixed by it (`orders-prod` for `orders`).
fn stack_matches(stack: &str, app_name: &str) -> bool {
    let (s, a) = (stack.to_ascii_lowercase(), app_name.to_ascii_lowercase());
    s == a || s.starts_with(&format!("{a}-"))
}

fn label_pair(l: &FunctionSummary, r: &FunctionSummary, mode: DiffMode) -> String {
    match mode {
        DiffMode::Changes => r.label(),
        DiffMode::Drift => format!(
            "{} ⇄ {}",
            l.key,
            r.name.known().cloned().unwrap_or_else(|| r.key.clone())
        ),
    }
}

fn both<'a, T>(l: &'a Fact<T>, r: &'a Fact<T>) -> Option<(&'a T, &'a T)> {
    Some((l.known()?, r.known()?))
}

fn compare_function(
    l: &FunctionSummary,
    r: &FunctionSummary,
    mode: DiffMode,
    out: &mut Vec<Change>,
) {
    let function = label_pair(l, r, mode);
    compare_triggers(&function, &l.triggers, &r.triggers, out);

    // Role identity only compares within one source: the IaC names roles by logical ID.
    if mode == DiffMode::Changes
        && let Some((a, b)) = both(&l.role.role, &r.role.role)
        && a != b
    {
        out.push(Change::RoleChanged {
            function: function.clone(),
            before: a.clone(),
            after: b.clone(),
        });
    }
    if let Some((&a, &b)) = both(&l.role.actions, &r.role.actions) {
        let old: BTreeSet<&String> = l.role.sensitive.iter().collect();
        let new_sensitive: Vec<String> = r
            .role
            .sensitive
            .iter()
            .filter(|s| !old.contains(s))
            .cloned()
            .collect();
        if b > a || (!new_sensitive.is_empty() && l.role.actions_hash != r.role.actions_hash) {
            out.push(Change::PermissionsGrown {
                function: function.clone(),
                before: a,
                after: b,
                new_sensitive,
            });
        } else if b < a {
            out.push(Change::PermissionsShrunk {
                function: function.clone(),
                before: a,
                after: b,
            });
        }
    }

    let (mut added, mut removed, mut changed) = (Vec::new(), Vec::new(), Vec::new());
    for (name, value) in &r.environment {
        match l.environment.get(name) {
            None => added.push(name.clone()),
            Some(old) => {
                if both(old, value).is_some_and(|(a, b)| a != b) {
                    changed.push(name.clone());
                }
            }
        }
    }
    for name in l.environment.keys() {
        if !r.environment.contains_key(name) {
            removed.push(name.clone());
        }
    }
    if !(added.is_empty() && removed.is_empty() && changed.is_empty()) {
        out.push(Change::EnvironmentChanged {
            function: function.clone(),
            added,
            removed,
            changed,
        });
    }
    if let Some((a, b)) = both(&l.layers, &r.layers)
        && a != b
    {
        out.push(Change::LayersChanged {
            function: function.clone(),
            before: a.clone(),
            after: b.clone(),
        });
    }
    if let Some((a, b)) = both(&l.code_hash, &r.code_hash)
        && a != b
    {
        out.push(Change::CodeChanged {
            function: function.clone(),
            before: a.clone(),
            after: b.clone(),
        });
    }
    if let Some((a, b)) = both(&l.runtime, &r.runtime)
        && a != b
    {
        out.push(Change::RuntimeChanged {
            function: function.clone(),
            before: a.clone(),
            after: b.clone(),
        });
    }
    let settings = [
        (
            "memory",
            both(&l.memory, &r.memory).map(|(a, b)| (a.to_string(), b.to_string())),
        ),
        (
            "timeout",
            both(&l.timeout, &r.timeout).map(|(a, b)| (a.to_string(), b.to_string())),
        ),
        (
            "reserved-concurrency",
            both(&l.reserved_concurrency, &r.reserved_concurrency).map(|(a, b)| {
                let show = |v: &Option<i64>| v.map_or("none".to_string(), |n| n.to_string());
                (show(a), show(b))
            }),
        ),
    ];
    for (setting, values) in settings {
        if let Some((a, b)) = values
            && a != b
        {
            out.push(Change::SettingChanged {
                function: function.clone(),
                setting: setting.to_string(),
                before: a,
                after: b,
            });
        }
    }
    if mode == DiffMode::Changes {
        if r.score > l.score {
            out.push(Change::ScoreRisen {
                function,
                before: l.score,
                after: r.score,
            });
        } else if r.score < l.score {
            out.push(Change::ScoreFallen {
                function,
                before: l.score,
                after: r.score,
            });
        }
    }
}

fn compare_triggers(
    function: &str,
    left: &[TriggerSummary],
    right: &[TriggerSummary],
    out: &mut Vec<Change>,
) {
    let mut right_used = vec![false; right.len()];
    let mut unmatched_left = Vec::new();
    for l in left {
        let found = right
            .iter()
            .enumerate()
            .find(|(i, r)| !right_used[*i] && r.key == l.key);
        match found {
            Some((i, _)) => right_used[i] = true,
            None => unmatched_left.push(l),
        }
    }
    // A trigger named by a logical ID on one side can only be matched by kind.
    let mut removed = Vec::new();
    for l in unmatched_left {
        let found = right.iter().enumerate().find(|(i, r)| {
            !right_used[*i] && r.kind == l.kind && (l.key_is_logical || r.key_is_logical)
        });
        match found {
            Some((i, _)) => right_used[i] = true,
            None => removed.push(l),
        }
    }
    let was_public: BTreeSet<&str> = left
        .iter()
        .filter(|t| t.public)
        .map(|t| t.key.as_str())
        .collect();
    for l in removed {
        out.push(Change::TriggerRemoved {
            function: function.to_string(),
            trigger: l.description.clone(),
        });
    }
    for (i, r) in right.iter().enumerate() {
        if !right_used[i] {
            out.push(Change::TriggerAdded {
                function: function.to_string(),
                trigger: r.description.clone(),
            });
        }
        // Public now and not before under the same key: a new way in (an added trigger, or an
        // authorizer removed from an existing one).
        if r.public && !was_public.contains(r.key.as_str()) {
            out.push(Change::NewPublicEntry {
                function: function.to_string(),
                entry: r.description.clone(),
            });
        }
    }
}

fn fingerprints(list: &[FindingSummary]) -> BTreeSet<&str> {
    list.iter().map(|f| f.fingerprint.as_str()).collect()
}

fn compare_findings(left: &[FindingSummary], right: &[FindingSummary], out: &mut Vec<Change>) {
    let (old, new) = (fingerprints(left), fingerprints(right));
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for f in right {
        if !old.contains(f.fingerprint.as_str()) && seen.insert(&f.fingerprint) {
            out.push(Change::FindingNew {
                function: f.function.clone(),
                code: f.code.clone(),
                severity: f.severity.clone(),
                message: f.message.clone(),
                fingerprint: f.fingerprint.clone(),
            });
        }
    }
    for f in left {
        if !new.contains(f.fingerprint.as_str()) && seen.insert(&f.fingerprint) {
            out.push(Change::FindingFixed {
                function: f.function.clone(),
                code: f.code.clone(),
                severity: f.severity.clone(),
                message: f.message.clone(),
                fingerprint: f.fingerprint.clone(),
            });
        }
    }
}
