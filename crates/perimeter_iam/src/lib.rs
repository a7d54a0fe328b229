//! IAM knowledge that perimeter's rules, graph and scorer share.
//!
//! This first version works without the AWS action catalog: action patterns are matched with
//! IAM's own wildcard semantics ([`pattern`]), the access level of an action is told from its
//! verb with a small table of known exceptions ([`access`]), privilege-escalation paths are a
//! hand-written catalog after Rhino Security Labs' classic list ([`escalation`]), AWS managed
//! policies that mean broad power are known by name ([`managed`]), and a role's effective
//! permissions are its Allow statements minus unconditional Deny statements ([`effective`]).
//! When the generated action catalog lands, [`access::access_level`] and wildcard expansion
//! will consult it first and keep the heuristic as a fallback for actions it does not list.

pub mod access;
pub mod effective;
pub mod escalation;
pub mod least_privilege;
pub mod managed;
pub mod pattern;

pub use access::{AccessLevel, LevelSource, access_level, pattern_access_levels};
pub use effective::{Allowance, EffectivePermissions, Grant, Via, not_action_allows};
pub use escalation::{ESCALATION_PATHS, EscalationHit, EscalationPath, find_escalations};
pub use managed::{ManagedPolicyClass, ManagedPolicyInfo, classify_managed_policy};
pub use pattern::{
    action_matches, has_wildcard, is_full_wildcard, is_service_wildcard, list_covers, service_of,
    split_action, wildcard_match, wildcard_match_case,
};
