//! The policy engine: effective permissions of a role (or of the function running with it).
//!
//! Every statement of the role's policies — inline, customer managed, SAM templates, and the
//! AWS managed policies attached by ARN, expanded from the embedded data — is turned into the
//! set of real actions it names ([`ActionSet`]): written patterns are expanded against the
//! catalog (case-insensitive, wildcards anywhere), `NotAction` is the complement. The allowed
//! actions are the union of the Allow statements minus the actions an explicit Deny removes
//! everywhere (unconditional, on every resource). A Deny that is conditional or scoped to some
//! resources leaves the action allowed elsewhere; it is honoured by [`EffectivePermissions::allows`],
//! which answers for one resource. Conditions on an Allow are not evaluated: the grant is kept
//! and marked `conditional` (so answers over-state access, the safe side for a scanner).
//!
//! Names that match no real action are reported in [`EffectivePermissions::unknown_actions`]
//! (a typo grants nothing). Unresolved elements (intrinsics that could not be read) grant
//! nothing; an unresolved `NotAction` entry makes the whole statement grant nothing, since it
//! might be the entry that excludes the action. A statement whose effect is unresolved is
//! neither Allow nor Deny.
//!
//! Pattern expansions are cached process-wide (bounded), so the thousand functions of a big
//! app that repeat the same patterns expand each once.

use crate::access::AccessLevel;
use crate::catalog::{Action, catalog};
use crate::classes::{Sensitivity, sensitivity};
use crate::managed::{ManagedPolicyClass, ManagedPolicyInfo, classify_managed_policy};
use crate::pattern::{action_matches, is_full_wildcard, split_action, wildcard_match_case};
use perimeter_model::{
    App, Attr, Effect, Function, Location, Policy, PolicySource, Role, Statement, Value,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// A set of catalog actions (a bit per action of [`crate::Catalog::actions`]).
#[derive(Clone, PartialEq, Eq)]
pub struct ActionSet {
    words: Vec<u64>,
}

impl std::fmt::Debug for ActionSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ActionSet({} actions)", self.len())
    }
}

impl ActionSet {
    fn words() -> usize {
        catalog().actions().len().div_ceil(64)
    }

    pub fn empty() -> Self {
        ActionSet {
            words: vec![0; Self::words()],
        }
    }

    /// Every action of the catalog.
    pub fn full() -> Self {
        let n = catalog().actions().len();
        let mut words = vec![u64::MAX; Self::words()];
        if !n.is_multiple_of(64)
            && let Some(last) = words.last_mut()
        {
            *last = (1u64 << (n % 64)) - 1;
        }
        ActionSet { words }
    }

    pub fn insert(&mut self, index: usize) {
        if let Some(w) = self.words.get_mut(index / 64) {
            *w |= 1 << (index % 64);
        }
    }

    pub fn contains(&self, index: usize) -> bool {
        self.words
            .get(index / 64)
            .is_some_and(|w| w & (1 << (index % 64)) != 0)
    }

    pub fn union_with(&mut self, other: &ActionSet) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    pub fn subtract(&mut self, other: &ActionSet) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= !b;
        }
    }

    fn complement(&self) -> ActionSet {
        let mut full = ActionSet::full();
        full.subtract(self);
        full
    }

    pub fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }

    /// Indices of the actions in the set, ascending.
    pub fn indices(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(i, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let bit = w.trailing_zeros() as usize;
                w &= w - 1;
                Some(i * 64 + bit)
            })
        })
    }

    /// The actions in the set, in catalog order.
    pub fn actions(&self) -> impl Iterator<Item = &'static Action> + '_ {
        let all = catalog().actions();
        self.indices().filter_map(move |i| all.get(i))
    }
}

/// Most patterns kept in the expansion cache before it is emptied.
const CACHE_LIMIT: usize = 4096;

/// The actions a written pattern covers. Cached twice: per thread by the pattern as written
/// (a lookup without allocation or lock, the common case of a big app repeating patterns),
/// and process-wide by lower-case pattern.
pub fn expand_pattern(pattern: &str) -> Arc<ActionSet> {
    thread_local! {
        static LOCAL: std::cell::RefCell<HashMap<String, Arc<ActionSet>>> = Default::default();
    }
    if let Some(set) = LOCAL.with(|m| m.borrow().get(pattern).cloned()) {
        return set;
    }
    let set = expand_shared(pattern);
    LOCAL.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= CACHE_LIMIT {
            m.clear();
        }
        m.insert(pattern.to_string(), Arc::clone(&set));
    });
    set
}

fn expand_shared(pattern: &str) -> Arc<ActionSet> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<ActionSet>>>> = OnceLock::new();
    let key = pattern.trim().to_ascii_lowercase();
    let cache = CACHE.get_or_init(Default::default);
    if let Ok(map) = cache.lock()
        && let Some(set) = map.get(&key)
    {
        return Arc::clone(set);
    }
    let set = Arc::new(if is_full_wildcard(&key) {
        ActionSet::full()
    } else {
        let mut set = ActionSet::empty();
        for a in catalog().expand_iter(&key) {
            set.insert(a.index());
        }
        set
    });
    if let Ok(mut map) = cache.lock() {
        if map.len() >= CACHE_LIMIT {
            map.clear();
        }
        map.insert(key, Arc::clone(&set));
    }
    set
}

/// Which resources a statement names.
#[derive(Debug, Clone, Copy)]
pub enum ResourceScope<'a> {
    /// `Resource: "*"`.
    Any,
    /// The `Resource` entries (patterns, ARNs, or unresolved intrinsics).
    Only(&'a [Attr<String>]),
    /// Every resource but the `NotResource` entries.
    AllBut(&'a [Attr<String>]),
}

impl<'a> ResourceScope<'a> {
    fn of(statement: &'a Statement) -> Self {
        if !statement.not_resources.is_empty() {
            ResourceScope::AllBut(&statement.not_resources)
        } else if statement.known_resources().any(|r| r.trim() == "*") {
            ResourceScope::Any
        } else {
            ResourceScope::Only(&statement.resources)
        }
    }

    /// Whether the scope covers `resource` (an ARN, or a template's text for one; ARNs
    /// compare case-sensitively). `None` when an unresolved entry makes it impossible to say.
    pub fn matches(&self, resource: &str) -> Option<bool> {
        let hit = |list: &[Attr<String>]| -> Option<bool> {
            if list
                .iter()
                .filter_map(|r| r.as_str())
                .any(|p| wildcard_match_case(p.trim(), resource))
            {
                return Some(true);
            }
            if list.iter().any(|r| r.as_str().is_none()) {
                None
            } else {
                Some(false)
            }
        };
        match self {
            ResourceScope::Any => Some(true),
            ResourceScope::Only(list) => hit(list),
            ResourceScope::AllBut(list) => hit(list).map(|h| !h),
        }
    }

    /// `true` for `*`.
    pub fn is_any(&self) -> bool {
        matches!(self, ResourceScope::Any)
    }
}

/// One statement of one policy, with the real actions it names.
#[derive(Debug, Clone)]
pub struct PolicyStatement<'a> {
    pub policy: &'a Policy,
    pub statement: &'a Statement,
    /// Position of the statement in its policy (for stable finding keys).
    pub index: usize,
    pub effect: Effect,
    /// `true` when the statement uses `NotAction`.
    pub not_action: bool,
    /// `true` when `Resource` includes `*` or `NotResource` is used.
    pub any_resource: bool,
    /// `true` when the statement has conditions (or an unreadable `Condition` block).
    pub conditional: bool,
    /// For an AWS managed policy expanded from the data: the ARN that attaches it.
    pub attached_by: Option<&'a Attr<String>>,
    /// The real actions the statement names (after `NotAction` complement).
    pub actions: Arc<ActionSet>,
}

impl<'a> PolicyStatement<'a> {
    fn new(
        policy: &'a Policy,
        index: usize,
        statement: &'a Statement,
        effect: Effect,
        attached_by: Option<&'a Attr<String>>,
    ) -> Self {
        let not_action = !statement.not_actions.is_empty() && statement.actions.is_empty();
        let actions = if not_action {
            if statement.not_actions.iter().any(|a| a.as_str().is_none()) {
                Arc::new(ActionSet::empty())
            } else {
                let mut excluded = ActionSet::empty();
                for a in statement.not_actions.iter().filter_map(|a| a.as_str()) {
                    excluded.union_with(&expand_pattern(a));
                }
                Arc::new(excluded.complement())
            }
        } else {
            let mut known = statement.actions.iter().filter_map(|a| a.as_str());
            match (known.next(), known.next()) {
                (None, _) => Arc::new(ActionSet::empty()),
                // One pattern: share the cached set.
                (Some(only), None) => expand_pattern(only),
                (Some(first), Some(second)) => {
                    let mut set = (*expand_pattern(first)).clone();
                    set.union_with(&expand_pattern(second));
                    for a in known {
                        set.union_with(&expand_pattern(a));
                    }
                    Arc::new(set)
                }
            }
        };
        PolicyStatement {
            policy,
            statement,
            index,
            effect,
            not_action,
            any_resource: statement.known_resources().any(|r| r.trim() == "*")
                || !statement.not_resources.is_empty(),
            conditional: statement.has_conditions(),
            attached_by,
            actions,
        }
    }

    /// The resources the statement names.
    pub fn scope(&self) -> ResourceScope<'a> {
        ResourceScope::of(self.statement)
    }

    /// `true` when the statement applies to every resource (`*`, no `NotResource`).
    pub fn on_every_resource(&self) -> bool {
        self.statement.not_resources.is_empty()
            && self.statement.known_resources().any(|r| r.trim() == "*")
    }

    /// Where a finding about this statement points: the managed policy ARN in the template
    /// when the statement comes from an AWS managed policy, else the statement.
    pub fn location(&self) -> &'a Location {
        match self.attached_by {
            Some(arn) => &arn.location,
            None => &self.statement.location,
        }
    }

    /// The element that names `action` (the matching `Action` entry, or for a `NotAction`
    /// statement its first `NotAction` entry); `None` when the statement does not cover it.
    pub fn covers(&self, action: &str) -> Option<&'a Attr<String>> {
        if self.not_action {
            if !not_action_allows(self.statement, action) {
                return None;
            }
            return self.statement.not_actions.first();
        }
        self.statement
            .actions
            .iter()
            .find(|a| a.as_str().is_some_and(|p| action_matches(p, action)))
    }
}

/// `true` when the statement's `NotAction` list lets `action` through: no entry matches it,
/// and every entry is known (an unresolved entry might be the very one that excludes it, so
/// the answer is "not granted" to stay silent).
pub fn not_action_allows(statement: &Statement, action: &str) -> bool {
    if statement.not_actions.iter().any(|a| a.as_str().is_none()) {
        return false;
    }
    !statement
        .not_actions
        .iter()
        .filter_map(|a| a.as_str())
        .any(|p| action_matches(p, action))
}

/// One real action granted by one Allow statement: the unit a least-privilege generator or
/// an attack graph works on.
#[derive(Debug, Clone)]
pub struct Grant<'a> {
    pub action: &'static Action,
    /// The resources the statement grants it on.
    pub resources: ResourceScope<'a>,
    pub policy: &'a Policy,
    pub statement: &'a Statement,
    /// Position of the statement in its policy.
    pub statement_index: usize,
    /// The ARN attaching the AWS managed policy the statement comes from, if so.
    pub attached_by: Option<&'a Attr<String>>,
    /// The statement has conditions that were not evaluated.
    pub conditional: bool,
    /// A Deny that is conditional or scoped to some resources also names the action.
    pub partially_denied: bool,
}

impl<'a> Grant<'a> {
    /// Where the grant is written (the managed policy ARN for AWS managed policies).
    pub fn location(&self) -> &'a Location {
        match self.attached_by {
            Some(arn) => &arn.location,
            None => &self.statement.location,
        }
    }

    /// The policy's name (the managed policy's name for AWS managed policies).
    pub fn policy_name(&self) -> &'a str {
        &self.policy.name
    }
}

/// A name in `Action` or `NotAction` that matches no real action.
#[derive(Debug, Clone)]
pub struct UnknownAction<'a> {
    /// The element as written.
    pub written: &'a Attr<String>,
    pub policy: &'a Policy,
    pub statement_index: usize,
    /// `true` when it is written in `NotAction`.
    pub in_not_action: bool,
    /// The closest real action (or service prefix) when one is near: the likely intent.
    pub suggestion: Option<String>,
}

/// How an action is allowed: the strongest statement allowing it.
#[derive(Debug, Clone)]
pub struct Allowance<'a> {
    pub statement: PolicyStatement<'a>,
    /// The element naming the action.
    pub element: &'a Attr<String>,
    /// The allow carries conditions that were not evaluated.
    pub conditional: bool,
    /// The allow applies to every resource.
    pub any_resource: bool,
}

impl<'a> Allowance<'a> {
    /// Where the allowing element is written (the ARN for an AWS managed policy).
    pub fn location(&self) -> &'a Location {
        match self.statement.attached_by {
            Some(arn) => &arn.location,
            None => &self.element.location,
        }
    }

    /// The name of the policy that allows it.
    pub fn source_name(&self) -> String {
        self.statement.policy.name.clone()
    }
}

/// The effective permissions of a role: its statements expanded, the allowed actions, the
/// unknown names.
#[derive(Debug, Clone)]
pub struct EffectivePermissions<'a> {
    pub allows: Vec<PolicyStatement<'a>>,
    pub denies: Vec<PolicyStatement<'a>>,
    /// AWS managed policies attached by ARN, recognised (expanded into `allows`/`denies`
    /// when the data knows them).
    pub managed: Vec<(&'a Attr<String>, ManagedPolicyInfo)>,
    /// Names in the judged policies (not AWS managed ones) that match no real action.
    pub unknown_actions: Vec<UnknownAction<'a>>,
    /// Allowed actions: union of the Allow statements minus what a Deny removes everywhere.
    allowed: ActionSet,
}

impl Default for EffectivePermissions<'_> {
    fn default() -> Self {
        EffectivePermissions {
            allows: Vec::new(),
            denies: Vec::new(),
            managed: Vec::new(),
            unknown_actions: Vec::new(),
            allowed: ActionSet::empty(),
        }
    }
}

impl<'a> EffectivePermissions<'a> {
    /// The permissions of the role `function` runs with; empty when its role is not a role
    /// of the app (an ARN of a role declared elsewhere, or an unresolved value).
    pub fn of_function(app: &'a App, function: &'a Function) -> Self {
        match app.role_of(function) {
            Some(role) => Self::of_role(role),
            None => Self::default(),
        }
    }

    /// Every statement of the role's policies, plus the AWS managed policies it attaches.
    pub fn of_role(role: &'a Role) -> Self {
        let mut managed = Vec::new();
        let mut attached: Vec<(&'a Policy, &'a Attr<String>)> = Vec::new();
        for arn in &role.managed_policy_arns {
            if let Some(info) = arn.as_str().and_then(classify_managed_policy) {
                if let Some(p) = info.policy {
                    attached.push((&p.policy, arn));
                }
                managed.push((arn, info));
            }
        }
        let mut perms = Self::build(
            role.policies
                .iter()
                .map(|p| (p, None))
                .chain(attached.into_iter().map(|(p, arn)| (p, Some(arn)))),
        );
        perms.managed = managed;
        perms
    }

    /// The statements of the given policies.
    pub fn of_policies(policies: impl IntoIterator<Item = &'a Policy>) -> Self {
        Self::build(policies.into_iter().map(|p| (p, None)))
    }

    fn build(policies: impl Iterator<Item = (&'a Policy, Option<&'a Attr<String>>)>) -> Self {
        let mut perms = EffectivePermissions::default();
        for (policy, attached_by) in policies {
            let judged = !matches!(policy.source, PolicySource::AwsManaged(_));
            for (index, statement) in policy.statements.iter().enumerate() {
                let effect = match statement.effect {
                    Value::Known(e) => e,
                    Value::Unresolved(_) => continue,
                };
                let ps = PolicyStatement::new(policy, index, statement, effect, attached_by);
                if judged {
                    perms.note_unknown(policy, index, statement);
                }
                match effect {
                    Effect::Allow => {
                        perms.allowed.union_with(&ps.actions);
                        perms.allows.push(ps);
                    }
                    Effect::Deny => perms.denies.push(ps),
                }
            }
        }
        for deny in &perms.denies {
            if !deny.conditional && deny.on_every_resource() {
                perms.allowed.subtract(&deny.actions);
            }
        }
        perms
    }

    fn note_unknown(&mut self, policy: &'a Policy, index: usize, statement: &'a Statement) {
        let lists = [(&statement.actions, false), (&statement.not_actions, true)];
        for (list, in_not_action) in lists {
            for written in list {
                let Some(name) = written.as_str() else {
                    continue;
                };
                if expand_pattern(name).is_empty() {
                    self.unknown_actions.push(UnknownAction {
                        written,
                        policy,
                        statement_index: index,
                        in_not_action,
                        suggestion: suggest(name),
                    });
                }
            }
        }
    }

    /// The allowed actions (on some resource), after removing what a Deny removes everywhere.
    pub fn allowed(&self) -> &ActionSet {
        &self.allowed
    }

    /// The allowed actions, in catalog order.
    pub fn allowed_actions(&self) -> impl Iterator<Item = &'static Action> + '_ {
        self.allowed.actions()
    }

    /// `true` when `action` (a real action name, any case) is allowed on some resource.
    pub fn is_allowed(&self, action: &str) -> bool {
        index_of(action).is_some_and(|i| self.allowed.contains(i))
    }

    /// `true` when an unconditional Deny on every resource removes `action`.
    pub fn is_denied(&self, action: &str) -> bool {
        let Some(i) = index_of(action) else {
            return false;
        };
        self.denies
            .iter()
            .any(|d| !d.conditional && d.on_every_resource() && d.actions.contains(i))
    }

    /// IAM's answer for one action on one resource (an ARN, or `*` for "on every
    /// resource"): some Allow statement covers both, and no unconditional Deny does. Allow
    /// conditions are not evaluated (a conditional Allow counts); a Deny whose resources
    /// cannot be read does not count.
    pub fn allows(&self, action: &str, resource: &str) -> bool {
        let Some(i) = index_of(action) else {
            return false;
        };
        if !self.allowed.contains(i) {
            return false;
        }
        let denied = self.denies.iter().any(|d| {
            !d.conditional && d.actions.contains(i) && d.scope().matches(resource) == Some(true)
        });
        !denied
            && self
                .allows
                .iter()
                .any(|a| a.actions.contains(i) && a.scope().matches(resource) == Some(true))
    }

    /// Whether `action` is allowed, and how: the strongest allowing statement (unconditional
    /// and on every resource first).
    pub fn allowance(&self, action: &str) -> Option<Allowance<'a>> {
        let i = index_of(action)?;
        if !self.allowed.contains(i) {
            return None;
        }
        let mut best: Option<Allowance<'a>> = None;
        for st in self.allows.iter().filter(|s| s.actions.contains(i)) {
            let Some(element) = st.covers(action) else {
                continue;
            };
            let candidate = Allowance {
                statement: st.clone(),
                element,
                conditional: st.conditional,
                any_resource: st.any_resource,
            };
            if best
                .as_ref()
                .is_none_or(|b| strength(&candidate) > strength(b))
            {
                best = Some(candidate);
            }
        }
        best
    }

    /// Like [`Self::allowance`], but only allowances on every resource.
    pub fn allows_on_any_resource(&self, action: &str) -> Option<Allowance<'a>> {
        self.allowance(action).filter(|a| a.any_resource)
    }

    /// One [`Grant`] per (allowed action, Allow statement naming it), in statement order.
    pub fn grants(&self) -> Vec<Grant<'a>> {
        let all = catalog().actions();
        let mut out = Vec::new();
        for st in &self.allows {
            for i in st.actions.indices().filter(|i| self.allowed.contains(*i)) {
                if let Some(action) = all.get(i) {
                    out.push(self.grant(st, action, i));
                }
            }
        }
        out
    }

    /// The grants of one action (any case); empty when it is not allowed.
    pub fn grants_for(&self, action: &str) -> Vec<Grant<'a>> {
        let Some(i) = index_of(action) else {
            return Vec::new();
        };
        let Some(a) = catalog().actions().get(i) else {
            return Vec::new();
        };
        if !self.allowed.contains(i) {
            return Vec::new();
        }
        self.allows
            .iter()
            .filter(|s| s.actions.contains(i))
            .map(|s| self.grant(s, a, i))
            .collect()
    }

    fn grant(&self, st: &PolicyStatement<'a>, action: &'static Action, i: usize) -> Grant<'a> {
        Grant {
            action,
            resources: st.scope(),
            policy: st.policy,
            statement: st.statement,
            statement_index: st.index,
            attached_by: st.attached_by,
            conditional: st.conditional,
            partially_denied: self.denies.iter().any(|d| d.actions.contains(i)),
        }
    }

    /// The allowed actions of one access level.
    pub fn actions_with_level(&self, level: AccessLevel) -> Vec<&'static Action> {
        self.allowed_actions()
            .filter(|a| a.level == level)
            .collect()
    }

    /// The allowed actions that are sensitive, with why ([`crate::classes`]), in catalog
    /// order.
    pub fn sensitive(&self) -> Vec<(&'static Action, Vec<Sensitivity>)> {
        self.allowed_actions()
            .filter_map(|a| {
                let s = sensitivity(a);
                (!s.is_empty()).then_some((a, s))
            })
            .collect()
    }

    /// The grant that makes the role an administrator: an unconditional Allow of `*` (or
    /// `*:*`) on every resource with no unconditional Deny carving it, or
    /// `AdministratorAccess` attached. `None` otherwise.
    pub fn admin_grant(&self) -> Option<&'a Attr<String>> {
        let carved = self.denies.iter().any(|d| !d.conditional);
        for st in &self.allows {
            if st.not_action || st.conditional || !st.on_every_resource() || carved {
                continue;
            }
            if let Some(a) = st
                .statement
                .actions
                .iter()
                .find(|a| a.as_str().is_some_and(is_full_wildcard))
            {
                return Some(st.attached_by.unwrap_or(a));
            }
        }
        self.managed
            .iter()
            .find(|(_, info)| info.class == ManagedPolicyClass::Admin)
            .map(|(arn, _)| *arn)
    }

    /// The written action patterns of the Allow statements of the role's own policies (not
    /// `NotAction`, not AWS managed), with their statement.
    pub fn allowed_patterns(
        &self,
    ) -> impl Iterator<Item = (&'a Attr<String>, &PolicyStatement<'a>)> + '_ {
        self.allows
            .iter()
            .filter(|s| !s.not_action && s.attached_by.is_none())
            .flat_map(|s| s.statement.actions.iter().map(move |a| (a, s)))
    }
}

fn strength(a: &Allowance<'_>) -> u8 {
    u8::from(!a.conditional) + u8::from(a.any_resource)
}

/// The catalog index of a real action name.
fn index_of(action: &str) -> Option<usize> {
    catalog().action(action).map(Action::index)
}

/// The likely intended name of an unknown action: a real action of the same service within
/// a small edit distance, or the closest service prefix.
fn suggest(written: &str) -> Option<String> {
    let c = catalog();
    let (service, name) = split_action(written.trim())?;
    if name.contains(['*', '?']) && c.service(service).is_some() {
        return None;
    }
    let Some(svc) = c.service(service) else {
        let best = c
            .services()
            .iter()
            .map(|s| {
                (
                    distance(&s.prefix, &service.to_ascii_lowercase()),
                    &s.prefix,
                )
            })
            .min()?;
        return (best.0 <= 2).then(|| format!("{}:{name}", best.1));
    };
    let lname = name.to_ascii_lowercase();
    let limit = (name.len() / 4).clamp(1, 3);
    c.service_actions(&svc.prefix)
        .iter()
        .map(|a| (distance(&a.name().to_ascii_lowercase(), &lname), a))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, a)| a.full_name.clone())
}

/// Levenshtein distance (names are short; bounded by the caller's inputs).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().take(128).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().take(128).enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests;
