//! Which declared resources a grant covers.
//!
//! A policy names a resource by reference (`${Table.Arn}`, `arn:aws:s3:::${Bucket}/*`, as the
//! loaders write intrinsics), by its physical name or ARN, or by a wildcard that covers it
//! (`arn:aws:dynamodb:*:*:table/*`, `*`). References are matched as text; everything else is
//! matched with IAM's wildcard rules against a stand-in ARN built from the resource's name
//! (region `us-east-1`, account `123456789012`, where `${AWS::Region}`-style pseudo
//! parameters in the pattern match anything).

use perimeter_iam::{Grant, PolicyStatement, ResourceScope, wildcard_match_case};
use perimeter_model::{Attr, ResourceKind};

/// How a grant reaches a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reach {
    /// A wildcard (or `*`, or `NotResource`) covers it.
    Wildcard,
    /// The policy names it.
    Named,
}

/// A declared thing a policy may name: its logical id, physical name and the services whose
/// actions act on it.
pub struct Target<'a> {
    pub id: &'a str,
    pub name: &'a str,
    /// Stand-in ARNs (a bucket has the bucket and its objects).
    pub arns: Vec<String>,
}

impl<'a> Target<'a> {
    pub fn new(id: &'a str, name: &'a str, kind: Option<ResourceKind>) -> Self {
        Target {
            id,
            name,
            arns: stand_in_arns(kind, name),
        }
    }
}

/// The services whose actions act on a resource of `kind` (`None`: a function).
pub fn services(kind: Option<ResourceKind>) -> &'static [&'static str] {
    match kind {
        None => &["lambda"],
        Some(ResourceKind::Bucket) => &["s3"],
        Some(ResourceKind::Table) => &["dynamodb"],
        Some(ResourceKind::Queue) => &["sqs"],
        Some(ResourceKind::Topic) => &["sns"],
        Some(ResourceKind::Stream) => &["kinesis"],
        Some(ResourceKind::Secret) => &["secretsmanager"],
        Some(ResourceKind::Key) => &["kms"],
        Some(ResourceKind::Parameter) => &["ssm"],
        Some(ResourceKind::LogGroup) => &["logs"],
        Some(ResourceKind::Database) => &["rds", "rds-data", "rds-db"],
        Some(ResourceKind::EventBus) => &["events"],
        Some(ResourceKind::Layer) => &["lambda"],
        Some(ResourceKind::Other) => &[],
    }
}

fn stand_in_arns(kind: Option<ResourceKind>, name: &str) -> Vec<String> {
    const RA: &str = "us-east-1:123456789012";
    match kind {
        None => vec![format!("arn:aws:lambda:{RA}:function:{name}")],
        Some(ResourceKind::Bucket) => vec![
            format!("arn:aws:s3:::{name}"),
            format!("arn:aws:s3:::{name}/object"),
        ],
        Some(ResourceKind::Table) => vec![format!("arn:aws:dynamodb:{RA}:table/{name}")],
        Some(ResourceKind::Queue) => vec![format!("arn:aws:sqs:{RA}:{name}")],
        Some(ResourceKind::Topic) => vec![format!("arn:aws:sns:{RA}:{name}")],
        Some(ResourceKind::Stream) => vec![format!("arn:aws:kinesis:{RA}:stream/{name}")],
        Some(ResourceKind::Secret) => {
            vec![format!("arn:aws:secretsmanager:{RA}:secret:{name}-AbCdEf")]
        }
        Some(ResourceKind::Key) => vec![format!("arn:aws:kms:{RA}:key/{name}")],
        Some(ResourceKind::Parameter) => vec![format!("arn:aws:ssm:{RA}:parameter/{name}")],
        Some(ResourceKind::LogGroup) => vec![format!("arn:aws:logs:{RA}:log-group:{name}")],
        Some(ResourceKind::Database) => vec![
            format!("arn:aws:rds:{RA}:db:{name}"),
            format!("arn:aws:rds:{RA}:cluster:{name}"),
        ],
        Some(ResourceKind::EventBus) => vec![format!("arn:aws:events:{RA}:event-bus/{name}")],
        Some(ResourceKind::Layer) => vec![format!("arn:aws:lambda:{RA}:layer:{name}")],
        Some(ResourceKind::Other) => Vec::new(),
    }
}

/// `true` when `text` refers to the logical id `id` (`${Id}`, `${Id.Arn}`, `${Id.Name}`).
pub fn references(text: &str, id: &str) -> bool {
    text.contains(&format!("${{{id}}}")) || text.contains(&format!("${{{id}."))
}

/// Pseudo parameters (`${AWS::Region}`, `${aws:region}`, …) become `*` so a pattern written
/// for any region and account still matches the stand-in ARN.
fn normalise(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        match after.find('}') {
            Some(end) => {
                let inner = &after[2..end];
                if inner.starts_with("AWS::") || inner.starts_with("aws:") {
                    out.push('*');
                } else {
                    out.push_str(&after[..=end]);
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(after);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// How one resource entry reaches `target`, if it does.
fn entry_reach(pattern: &str, target: &Target) -> Option<Reach> {
    let p = pattern.trim();
    if p == "*" {
        return Some(Reach::Wildcard);
    }
    if references(p, target.id) || p == target.name {
        return Some(Reach::Named);
    }
    let n = normalise(p);
    if target.arns.iter().any(|arn| wildcard_match_case(&n, arn)) {
        // Named when the pattern spells the resource's name (a wildcard only for region,
        // account or object keys).
        let names_it =
            n.contains(&format!(":{}", target.name)) || n.contains(&format!("/{}", target.name));
        return Some(if names_it {
            Reach::Named
        } else {
            Reach::Wildcard
        });
    }
    None
}

fn list_reach(list: &[Attr<String>], target: &Target) -> Option<Reach> {
    list.iter()
        .filter_map(|r| r.as_str())
        .filter_map(|p| entry_reach(p, target))
        .max()
}

/// How a statement's resources reach `target`.
pub fn scope_reach(scope: &ResourceScope, target: &Target) -> Option<Reach> {
    match scope {
        ResourceScope::Any => Some(Reach::Wildcard),
        ResourceScope::Only(list) => list_reach(list, target),
        ResourceScope::AllBut(list) => match list_reach(list, target) {
            Some(_) => None,
            None => Some(Reach::Wildcard),
        },
    }
}

/// How `grant` reaches `target`, minus unconditional denies that cover it.
pub fn grant_reach(grant: &Grant, denies: &[PolicyStatement], target: &Target) -> Option<Reach> {
    let reach = scope_reach(&grant.resources, target)?;
    if grant.partially_denied {
        let i = grant.action.index();
        let denied = denies.iter().any(|d| {
            !d.conditional && d.actions.contains(i) && scope_reach(&d.scope(), target).is_some()
        });
        if denied {
            return None;
        }
    }
    Some(reach)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reaches_by_reference_name_and_wildcard() {
        let t = Target::new("Orders", "orders-prod", Some(ResourceKind::Table));
        assert_eq!(entry_reach("${Orders.Arn}", &t), Some(Reach::Named));
        assert_eq!(
            entry_reach(
                "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/orders-prod",
                &t
            ),
            Some(Reach::Named)
        );
        assert_eq!(
            entry_reach("arn:aws:dynamodb:*:*:table/*", &t),
            Some(Reach::Wildcard)
        );
        assert_eq!(entry_reach("*", &t), Some(Reach::Wildcard));
        assert_eq!(entry_reach("${Other.Arn}", &t), None);
        assert_eq!(entry_reach("arn:aws:dynamodb:*:*:table/users", &t), None);
        let b = Target::new("Uploads", "Uploads", Some(ResourceKind::Bucket));
        assert_eq!(entry_reach("arn:aws:s3:::*/*", &b), Some(Reach::Wildcard));
    }
}
