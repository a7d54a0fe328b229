//! Effective permissions of a role: its Allow statements minus explicit Deny statements.
//!
//! Deliberately simple until policy evaluation lands: a Deny removes an action only when it
//! is unconditional and applies to every resource (`Resource: "*"`); a conditional or
//! resource-scoped Deny leaves the action allowed somewhere, so it does not remove it.
//! Conditions on an Allow are not evaluated: the allowance is kept and marked `conditional`.
//! Unresolved elements (intrinsics that could not be read) are ignored; a statement whose
//! effect is unresolved counts as neither Allow nor Deny. AWS managed policies attached by
//! ARN whose content is not loaded are taken into account by name ([`crate::managed`]).

use crate::managed::{ManagedPolicyClass, ManagedPolicyInfo, classify_managed_policy};
use crate::pattern::{action_matches, is_full_wildcard, list_covers};
use perimeter_model::{Attr, Effect, Policy, Role, Statement, Value};

/// One statement seen as a grant (or a denial).
#[derive(Debug, Clone)]
pub struct Grant<'a> {
    pub policy: &'a Policy,
    pub statement: &'a Statement,
    /// Position of the statement in its policy (for stable finding keys).
    pub index: usize,
    /// `true` when the statement uses `NotAction`.
    pub not_action: bool,
    /// `true` when `Resource` includes `*` or `NotResource` is used.
    pub any_resource: bool,
    /// `true` when the statement has conditions (or an unreadable `Condition` block).
    pub conditional: bool,
}

impl<'a> Grant<'a> {
    fn new(policy: &'a Policy, index: usize, statement: &'a Statement) -> Self {
        Grant {
            policy,
            statement,
            index,
            not_action: !statement.not_actions.is_empty() && statement.actions.is_empty(),
            any_resource: statement.known_resources().any(|r| r.trim() == "*")
                || !statement.not_resources.is_empty(),
            conditional: statement.has_conditions(),
        }
    }

    /// The element that grants `action` (the matching `Action` entry), or for a `NotAction`
    /// statement its first `NotAction` entry; `None` when the statement does not cover it.
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
    let excluded = statement.not_actions.iter().filter_map(|a| a.as_str());
    list_covers(excluded, true, action)
}

/// How an action is allowed.
#[derive(Debug, Clone)]
pub enum Via<'a> {
    /// By a statement, through one of its elements.
    Statement {
        grant: Grant<'a>,
        element: &'a Attr<String>,
    },
    /// By an AWS managed policy attached by ARN whose content is known by name.
    Managed {
        arn: &'a Attr<String>,
        info: ManagedPolicyInfo,
    },
}

/// An action found allowed.
#[derive(Debug, Clone)]
pub struct Allowance<'a> {
    pub via: Via<'a>,
    /// The allow carries conditions that were not evaluated.
    pub conditional: bool,
    /// The allow applies to every resource.
    pub any_resource: bool,
}

impl<'a> Allowance<'a> {
    /// Where the allowing element is written.
    pub fn location(&self) -> &'a perimeter_model::Location {
        match &self.via {
            Via::Statement { element, .. } => &element.location,
            Via::Managed { arn, .. } => &arn.location,
        }
    }

    /// A short description of the source: the policy name or the managed policy name.
    pub fn source_name(&self) -> String {
        match &self.via {
            Via::Statement { grant, .. } => grant.policy.name.clone(),
            Via::Managed { info, .. } => info.name.clone(),
        }
    }
}

/// The Allow and Deny statements of a role, ready to be asked "is this action allowed?".
#[derive(Debug, Clone, Default)]
pub struct EffectivePermissions<'a> {
    pub allows: Vec<Grant<'a>>,
    pub denies: Vec<Grant<'a>>,
    /// AWS managed policies attached by ARN, recognised by name.
    pub managed: Vec<(&'a Attr<String>, ManagedPolicyInfo)>,
}

impl<'a> EffectivePermissions<'a> {
    /// Every statement of the role's policies, plus its managed policy ARNs.
    pub fn of_role(role: &'a Role) -> Self {
        let mut perms = Self::of_policies(role.policies.iter());
        for arn in &role.managed_policy_arns {
            if let Some(info) = arn.as_str().and_then(classify_managed_policy) {
                perms.managed.push((arn, info));
            }
        }
        perms
    }

    /// The statements of the given policies.
    pub fn of_policies(policies: impl IntoIterator<Item = &'a Policy>) -> Self {
        let mut perms = EffectivePermissions::default();
        for policy in policies {
            for (index, statement) in policy.statements.iter().enumerate() {
                let grant = Grant::new(policy, index, statement);
                match statement.effect {
                    Value::Known(Effect::Allow) => perms.allows.push(grant),
                    Value::Known(Effect::Deny) => perms.denies.push(grant),
                    Value::Unresolved(_) => {}
                }
            }
        }
        perms
    }

    /// `true` when an unconditional Deny on every resource removes `action`.
    pub fn is_denied(&self, action: &str) -> bool {
        self.denies
            .iter()
            .any(|d| !d.conditional && d.any_resource && d.covers(action).is_some())
    }

    /// Whether `action` is allowed, and how. Unconditional allows on every resource are
    /// preferred over narrower ones, so the answer is the strongest grant.
    pub fn allows(&self, action: &str) -> Option<Allowance<'a>> {
        if self.is_denied(action) {
            return None;
        }
        let mut best: Option<Allowance<'a>> = None;
        for grant in &self.allows {
            let Some(element) = grant.covers(action) else {
                continue;
            };
            let candidate = Allowance {
                conditional: grant.conditional,
                any_resource: grant.any_resource,
                via: Via::Statement {
                    grant: grant.clone(),
                    element,
                },
            };
            if best
                .as_ref()
                .is_none_or(|b| strength(&candidate) > strength(b))
            {
                best = Some(candidate);
            }
        }
        if best.as_ref().is_some_and(|b| strength(b) == 2) {
            return best;
        }
        for (arn, info) in &self.managed {
            if info.allows(action) {
                return Some(Allowance {
                    via: Via::Managed {
                        arn,
                        info: info.clone(),
                    },
                    conditional: false,
                    any_resource: true,
                });
            }
        }
        best
    }

    /// The grant that makes the role an administrator: an unconditional Allow of `*` (or
    /// `*:*`) on every resource, or `AdministratorAccess` attached. `None` otherwise.
    pub fn admin_grant(&self) -> Option<&'a Attr<String>> {
        for grant in &self.allows {
            if grant.not_action
                || grant.conditional
                || !grant.any_resource
                || !grant.statement.not_resources.is_empty()
            {
                continue;
            }
            // A Deny carving out part of everything makes it no longer plain admin.
            let carved = self.denies.iter().any(|d| !d.conditional);
            let full = grant
                .statement
                .actions
                .iter()
                .find(|a| a.as_str().is_some_and(is_full_wildcard));
            if let Some(a) = full
                && !carved
            {
                return Some(a);
            }
        }
        self.managed
            .iter()
            .find(|(_, info)| info.class == ManagedPolicyClass::Admin)
            .map(|(arn, _)| *arn)
    }

    /// Like [`Self::allows`], but only allowances on every resource.
    pub fn allows_on_any_resource(&self, action: &str) -> Option<Allowance<'a>> {
        self.allows(action).filter(|a| a.any_resource)
    }

    /// The written action patterns of the Allow statements (not `NotAction`), with their grant:
    /// the "effective allowed actions" until wildcard expansion against the catalog exists.
    pub fn allowed_patterns(&self) -> impl Iterator<Item = (&'a Attr<String>, &Grant<'a>)> + '_ {
        self.allows
            .iter()
            .filter(|g| !g.not_action)
            .flat_map(|g| g.statement.actions.iter().map(move |a| (a, g)))
    }
}

fn strength(a: &Allowance<'_>) -> u8 {
    u8::from(!a.conditional) + u8::from(a.any_resource)
}

#[cfg(test)]
mod tests {
    use super::*;
    use perimeter_model::{Location, PolicySource};

    fn loc(line: u32) -> Location {
        Location::new("t.yaml", line, 1)
    }

    fn stmt(effect: Effect, actions: &[&str], resources: &[&str], line: u32) -> Statement {
        let mut s = Statement::new(loc(line));
        s.effect = Value::Known(effect);
        s.actions = actions
            .iter()
            .map(|a| Attr::explicit(a.to_string(), loc(line)))
            .collect();
        s.resources = resources
            .iter()
            .map(|r| Attr::explicit(r.to_string(), loc(line)))
            .collect();
        s
    }

    fn role(statements: Vec<Statement>) -> Role {
        let mut r = Role::new("R", loc(1), false);
        r.policies.push(Policy {
            name: "p".into(),
            source: PolicySource::Inline,
            location: loc(1),
            statements,
        });
        r
    }

    #[test]
    fn allow_minus_deny() {
        let r = role(vec![
            stmt(Effect::Allow, &["s3:*"], &["*"], 2),
            stmt(Effect::Deny, &["s3:Delete*"], &["*"], 3),
        ]);
        let p = EffectivePermissions::of_role(&r);
        assert!(p.allows("s3:GetObject").is_some());
        assert!(p.allows("s3:DeleteObject").is_none());
        assert!(p.admin_grant().is_none());
        let admin = role(vec![stmt(Effect::Allow, &["*"], &["*"], 2)]);
        assert_eq!(
            EffectivePermissions::of_role(&admin)
                .admin_grant()
                .map(|a| a.location.line),
            Some(2)
        );
        assert!(p.allows("sqs:SendMessage").is_none());
    }

    #[test]
    fn scoped_or_conditional_deny_does_not_remove() {
        let mut deny = stmt(Effect::Deny, &["s3:Delete*"], &["*"], 3);
        deny.conditions.push(perimeter_model::Condition {
            operator: "Bool".into(),
            key: "aws:SecureTransport".into(),
            values: vec![],
        });
        let r = role(vec![
            stmt(Effect::Allow, &["s3:*"], &["*"], 2),
            deny,
            stmt(Effect::Deny, &["s3:GetObject"], &["arn:aws:s3:::b/*"], 4),
        ]);
        let p = EffectivePermissions::of_role(&r);
        assert!(p.allows("s3:DeleteObject").is_some());
        assert!(p.allows("s3:GetObject").is_some());
    }

    #[test]
    fn not_action_and_conditions() {
        let mut s = Statement::new(loc(2));
        s.not_actions = vec![Attr::explicit("iam:*".to_string(), loc(2))];
        s.resources = vec![Attr::explicit("*".to_string(), loc(2))];
        s.conditions_known = false;
        let r = role(vec![s]);
        let p = EffectivePermissions::of_role(&r);
        let a = p.allows("s3:GetObject").unwrap();
        assert!(a.conditional && a.any_resource);
        assert!(p.allows("iam:PassRole").is_none());
    }

    #[test]
    fn strongest_grant_wins_and_managed_by_name() {
        let mut r = role(vec![
            stmt(
                Effect::Allow,
                &["lambda:InvokeFunction"],
                &["arn:aws:lambda:::function:f"],
                2,
            ),
            stmt(Effect::Allow, &["lambda:Invoke*"], &["*"], 3),
        ]);
        let a = EffectivePermissions::of_role(&r)
            .allows("lambda:InvokeFunction")
            .unwrap();
        assert!(a.any_resource);
        assert_eq!(a.location().line, 3);
        r.managed_policy_arns.push(Attr::explicit(
            "arn:aws:iam::aws:policy/IAMFullAccess".into(),
            loc(9),
        ));
        let p = EffectivePermissions::of_role(&r);
        let m = p.allows("iam:PassRole").unwrap();
        assert_eq!(m.location().line, 9);
        assert_eq!(m.source_name(), "IAMFullAccess");
    }

    #[test]
    fn allowed_patterns_and_managed_admin() {
        let mut r = role(vec![
            stmt(Effect::Allow, &["s3:Get*", "sqs:SendMessage"], &["*"], 2),
            stmt(Effect::Deny, &["s3:GetObject"], &["*"], 3),
        ]);
        let p = EffectivePermissions::of_role(&r);
        let written: Vec<_> = p
            .allowed_patterns()
            .filter_map(|(a, _)| a.as_str())
            .collect();
        assert_eq!(written, vec!["s3:Get*", "sqs:SendMessage"]);
        assert!(p.allows("s3:GetObjectAcl").is_some() && p.allows("s3:GetObject").is_none());
        assert!(p.admin_grant().is_none());
        r.managed_policy_arns.push(Attr::explicit(
            "arn:aws:iam::aws:policy/AdministratorAccess".into(),
            loc(7),
        ));
        r.managed_policy_arns
            .push(Attr::unresolved("Fn::ImportValue", loc(8)));
        let p = EffectivePermissions::of_role(&r);
        assert_eq!(p.admin_grant().map(|a| a.location.line), Some(7));
        assert_eq!(p.managed.len(), 1);
    }

    #[test]
    fn not_action_list_with_an_unresolved_entry_grants_nothing() {
        let mut s = Statement::new(loc(2));
        s.not_actions = vec![Attr::explicit("iam:*".to_string(), loc(2))];
        assert!(not_action_allows(&s, "s3:GetObject"));
        assert!(!not_action_allows(&s, "iam:PassRole"));
        s.not_actions.push(Attr::unresolved("Fn::If", loc(2)));
        assert!(!not_action_allows(&s, "s3:GetObject"));
    }

    #[test]
    fn unresolved_elements_are_ignored() {
        let mut s = stmt(Effect::Allow, &[], &["*"], 2);
        s.actions.push(Attr::unresolved("Fn::If", loc(2)));
        let r = role(vec![s]);
        assert!(
            EffectivePermissions::of_role(&r)
                .allows("s3:GetObject")
                .is_none()
        );
    }
}
