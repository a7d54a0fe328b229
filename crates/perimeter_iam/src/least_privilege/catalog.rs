//! What synthesis needs to know about IAM actions: the resource types each action acts on
//! and their ARN formats, and how many actions a wildcard covers.
//!
//! Behind a small trait so synthesis runs against the embedded IAM action catalog
//! ([`crate::catalog::Catalog`], the default) and tests against a hand-built one. With no
//! knowledge at all ([`NoCatalog`]) every resource falls back to `*` with a note saying so.

/// One resource type an action acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionResourceType {
    /// `object`, `bucket`, `table`, `index`, …
    pub name: String,
    /// The ARN format, e.g. `arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}`.
    pub arn: String,
}

/// Knowledge of IAM actions.
pub trait ActionKnowledge {
    /// The resource types `action` acts on, in AWS's order: `Some(empty)` when it supports only
    /// `Resource: "*"`, `None` when the action is not known.
    fn resource_types(&self, action: &str) -> Option<Vec<ActionResourceType>>;
    /// How many actions the pattern (`s3:*`, `dynamodb:Get*`) covers, when known.
    fn count(&self, pattern: &str) -> Option<usize>;
    /// The date of the data, for reports.
    fn date(&self) -> Option<String> {
        None
    }
    /// How many actions of `pattern` the role really allows (its Deny statements removed).
    fn allowed_count(&self, _role: &perimeter_model::Role, pattern: &str) -> Option<usize> {
        self.count(pattern)
    }
    /// `true` when an unconditional Deny of the role removes `action` everywhere.
    fn denied(&self, _role: &perimeter_model::Role, _action: &str) -> bool {
        false
    }
}

/// No knowledge: resources fall back to `*` (with a note), wildcards are not counted.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoCatalog;

impl ActionKnowledge for NoCatalog {
    fn resource_types(&self, _action: &str) -> Option<Vec<ActionResourceType>> {
        None
    }
    fn count(&self, _pattern: &str) -> Option<usize> {
        None
    }
}

/// A hand-built catalog, for tests and for callers with their own data: action (any case) →
/// resource types; `count` expands patterns over the listed actions.
#[derive(Debug, Clone, Default)]
pub struct StaticCatalog {
    pub actions: Vec<(String, Vec<ActionResourceType>)>,
}

impl StaticCatalog {
    /// Adds an action with `(type, ARN format)` pairs.
    pub fn with(mut self, action: &str, types: &[(&str, &str)]) -> Self {
        self.actions.push((
            action.to_string(),
            types
                .iter()
                .map(|(n, a)| ActionResourceType {
                    name: n.to_string(),
                    arn: a.to_string(),
                })
                .collect(),
        ));
        self
    }
}

impl ActionKnowledge for StaticCatalog {
    fn resource_types(&self, action: &str) -> Option<Vec<ActionResourceType>> {
        self.actions
            .iter()
            .find(|(a, _)| a.eq_ignore_ascii_case(action))
            .map(|(_, t)| t.clone())
    }
    fn count(&self, pattern: &str) -> Option<usize> {
        Some(
            self.actions
                .iter()
                .filter(|(a, _)| crate::pattern::action_matches(pattern, a))
                .count(),
        )
    }
}

impl ActionKnowledge for crate::catalog::Catalog {
    fn resource_types(&self, action: &str) -> Option<Vec<ActionResourceType>> {
        let a = self.action(action)?;
        Some(
            a.resource_arns(self)
                .into_iter()
                .map(|(t, _)| ActionResourceType {
                    name: t.name.clone(),
                    arn: t.arn.clone(),
                })
                .collect(),
        )
    }
    fn count(&self, pattern: &str) -> Option<usize> {
        Some(crate::catalog::Catalog::count(self, pattern))
    }
    fn date(&self) -> Option<String> {
        Some(crate::catalog::Catalog::date(self).to_string())
    }
    /// With the policy engine: the pattern's actions that the role's effective permissions keep.
    fn allowed_count(&self, role: &perimeter_model::Role, pattern: &str) -> Option<usize> {
        let perms = crate::effective::EffectivePermissions::of_role(role);
        let set = crate::effective::expand_pattern(pattern);
        Some(
            set.indices()
                .filter(|&i| perms.allowed().contains(i))
                .count(),
        )
    }
    fn denied(&self, role: &perimeter_model::Role, action: &str) -> bool {
        crate::effective::EffectivePermissions::of_role(role).is_denied(action)
    }
}
