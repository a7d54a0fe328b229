//! Permissions a role grants that no function of the role uses.
//!
//! Each action element of each Allow statement of the role (inline, customer managed, SAM
//! policy templates, and AWS managed policies whose content is known) is compared with the
//! actions the role's functions need: an element that covers none of them is unused; a
//! wildcard that covers some of them but many more actions (counted with the catalog) is
//! reported with what it is really used for. With the action catalog, counts come from the
//! policy engine's effective permissions (a Deny that removes actions everywhere is taken
//! into account, and a denied action is not "granted"). A `NotAction` statement grants nearly
//! everything and is reported whole. Unresolved elements and Deny statements are left alone.

use super::ActionKnowledge;
use crate::pattern::{action_matches, has_wildcard};
use perimeter_model::{Policy, PolicySource, Role, Statement};
use serde::Serialize;

/// One granted-but-unused permission.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Unused {
    /// The action or pattern as written (`dynamodb:*`, `s3:DeleteObject`), or
    /// `NotAction [...]` for a `NotAction` statement.
    pub action: String,
    /// For a wildcard partly used: the needed actions it covers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub used_for: Vec<String>,
    /// For a wildcard: how many actions it grants that nothing needs, when the catalog knows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unused_count: Option<usize>,
    pub granted_by: GrantedBy,
}

/// Where an unused permission is granted.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GrantedBy {
    /// The policy's name.
    pub policy: String,
    /// `inline`, `customer-managed`, `aws-managed`, `sam-template`.
    pub source: String,
    /// The statement's `Sid`, else its position in the policy.
    pub statement: String,
    pub file: String,
    pub line: u32,
}

fn source_name(p: &Policy) -> &'static str {
    match p.source {
        PolicySource::Inline => "inline",
        PolicySource::CustomerManaged(_) => "customer-managed",
        PolicySource::AwsManaged(_) => "aws-managed",
        PolicySource::SamTemplate(_) => "sam-template",
    }
}

fn granted_by(
    policy: &Policy,
    index: usize,
    statement: &Statement,
    line_of: &perimeter_model::Location,
) -> GrantedBy {
    GrantedBy {
        policy: policy.name.clone(),
        source: source_name(policy).to_string(),
        statement: statement.sid.clone().unwrap_or_else(|| index.to_string()),
        file: line_of.file.clone(),
        line: line_of.line,
    }
}

/// The role's granted-but-unused permissions, given the actions its functions need. AWS
/// managed policies attached by ARN are expanded from the embedded managed-policy data and
/// reported at the ARN. Notes what could not be judged.
pub fn granted_unused(
    role: &Role,
    used: &[&str],
    knowledge: &dyn ActionKnowledge,
    notes: &mut Vec<String>,
) -> Vec<Unused> {
    let mut out = Vec::new();
    for policy in &role.policies {
        compare(role, policy, None, used, knowledge, notes, &mut out);
    }
    for arn in &role.managed_policy_arns {
        let Some(a) = arn.as_str() else { continue };
        let name = a.rsplit('/').next().unwrap_or(a);
        let expanded = role.policies.iter().any(|p| {
            matches!(&p.source, PolicySource::AwsManaged(n) | PolicySource::CustomerManaged(n) if n == name)
                || p.name == name
        });
        if expanded {
            continue;
        }
        match crate::managed::managed_policy(a) {
            Some(m) => compare(
                role,
                &m.policy,
                Some(&arn.location),
                used,
                knowledge,
                notes,
                &mut out,
            ),
            None => {
                let note = format!(
                    "managed policy `{name}` is attached but its content is not known: not compared"
                );
                if !notes.contains(&note) {
                    notes.push(note);
                }
            }
        }
    }
    out
}

/// Compares one policy's Allow statements with the used actions; `at` overrides where its
/// elements are reported (the ARN that attaches a managed policy).
#[allow(clippy::too_many_arguments)]
fn compare(
    role: &Role,
    policy: &Policy,
    at: Option<&perimeter_model::Location>,
    used: &[&str],
    knowledge: &dyn ActionKnowledge,
    notes: &mut Vec<String>,
    out: &mut Vec<Unused>,
) {
    for (index, statement) in policy.statements.iter().enumerate() {
        if !statement.is_allow() {
            continue;
        }
        if statement.actions.is_empty() && !statement.not_actions.is_empty() {
            let written: Vec<&str> = statement
                .not_actions
                .iter()
                .filter_map(|a| a.as_str())
                .collect();
            out.push(Unused {
                action: format!("NotAction [{}]", written.join(", ")),
                used_for: Vec::new(),
                unused_count: None,
                granted_by: granted_by(
                    policy,
                    index,
                    statement,
                    at.unwrap_or_else(|| {
                        statement
                            .not_actions
                            .first()
                            .map_or(&statement.location, |a| &a.location)
                    }),
                ),
            });
            continue;
        }
        for element in &statement.actions {
            let Some(pattern) = element.as_str() else {
                continue;
            };
            let mut covered: Vec<String> = Vec::new();
            for u in used {
                if action_matches(pattern, u) && !covered.iter().any(|c| c.eq_ignore_ascii_case(u))
                {
                    covered.push(u.to_string());
                }
            }
            let by = granted_by(policy, index, statement, at.unwrap_or(&element.location));
            // A Deny that removes it everywhere: not really granted.
            if !has_wildcard(pattern) && knowledge.denied(role, pattern) {
                continue;
            }
            if covered.is_empty() {
                out.push(Unused {
                    action: pattern.to_string(),
                    used_for: Vec::new(),
                    unused_count: if has_wildcard(pattern) {
                        knowledge.allowed_count(role, pattern)
                    } else {
                        None
                    },
                    granted_by: by,
                });
            } else if has_wildcard(pattern) {
                match knowledge.allowed_count(role, pattern) {
                    Some(n) if n > covered.len() => {
                        covered.sort_by_key(|c| c.to_ascii_lowercase());
                        out.push(Unused {
                            action: pattern.to_string(),
                            unused_count: Some(n - covered.len()),
                            used_for: covered,
                            granted_by: by,
                        });
                    }
                    Some(_) => {}
                    None => {
                        let note = format!(
                            "`{pattern}` is used for {}; how much more it grants is not known without the action catalog",
                            covered.join(", ")
                        );
                        if !notes.contains(&note) {
                            notes.push(note);
                        }
                    }
                }
            }
        }
    }
}
