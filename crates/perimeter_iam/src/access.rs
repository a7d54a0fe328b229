//! Access level of an action (`List`, `Read`, `Write`, `PermissionsManagement`, `Tagging`),
//! as AWS documents it in the Service Authorization Reference, read from the embedded
//! catalog ([`crate::catalog`]).
//!
//! An action the catalog does not know (a typo, or an action newer than the data) is
//! answered `Write` with [`LevelSource::Unknown`]: for a security tool over-stating what an
//! action can do is the safer mistake, and callers that care (the unknown-action rule) can
//! tell. A wildcard pattern has every level of the real actions it covers.

use crate::catalog::catalog;

/// What an action can do, from least to most powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AccessLevel {
    List,
    Read,
    Tagging,
    Write,
    PermissionsManagement,
}

impl AccessLevel {
    pub const ALL: [AccessLevel; 5] = [
        AccessLevel::List,
        AccessLevel::Read,
        AccessLevel::Tagging,
        AccessLevel::Write,
        AccessLevel::PermissionsManagement,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::List => "List",
            AccessLevel::Read => "Read",
            AccessLevel::Tagging => "Tagging",
            AccessLevel::Write => "Write",
            AccessLevel::PermissionsManagement => "Permissions management",
        }
    }

    /// `true` for levels that change something (Write, Tagging, Permissions management).
    pub fn is_mutating(self) -> bool {
        matches!(
            self,
            AccessLevel::Write | AccessLevel::PermissionsManagement | AccessLevel::Tagging
        )
    }
}

/// Where an answer of [`access_level`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LevelSource {
    /// The AWS action catalog.
    Catalog,
    /// The catalog does not know the action: assumed `Write`.
    Unknown,
}

/// The access level of a concrete action (`s3:GetObject`, any case), and where the answer
/// came from.
pub fn access_level(action: &str) -> (AccessLevel, LevelSource) {
    match catalog().access_level(action) {
        Some(level) => (level, LevelSource::Catalog),
        None => (AccessLevel::Write, LevelSource::Unknown),
    }
}

/// Every level the real actions covered by a (possibly wildcarded) action pattern have,
/// sorted from least to most powerful. A pattern covering no known action has none, except
/// a plain unknown name, which is `Write` as in [`access_level`].
pub fn pattern_access_levels(pattern: &str) -> Vec<AccessLevel> {
    let mut seen = [false; 5];
    let mut any = false;
    for a in catalog().expand_iter(pattern) {
        any = true;
        seen[a.level as usize] = true;
        if seen.iter().all(|s| *s) {
            break;
        }
    }
    if !any && !crate::pattern::has_wildcard(pattern) {
        return vec![AccessLevel::Write];
    }
    AccessLevel::ALL
        .into_iter()
        .filter(|l| seen[*l as usize])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use AccessLevel::*;

    #[test]
    fn real_actions() {
        let cases: &[(&str, AccessLevel)] = &[
            ("s3:GetObject", Read),
            ("s3:ListBucket", List),
            ("s3:PutObject", Write),
            ("s3:PutBucketPolicy", PermissionsManagement),
            ("s3:PutBucketAcl", PermissionsManagement),
            ("s3:PutObjectTagging", Tagging),
            ("dynamodb:Scan", Read),
            ("dynamodb:PutItem", Write),
            ("dynamodb:TagResource", Tagging),
            ("sqs:ReceiveMessage", Read),
            ("sqs:SetQueueAttributes", PermissionsManagement),
            ("lambda:AddPermission", PermissionsManagement),
            ("iam:PutRolePolicy", PermissionsManagement),
            ("iam:CreatePolicyVersion", PermissionsManagement),
            ("iam:ListRoles", List),
            ("kms:Decrypt", Write),
            ("kms:CreateGrant", PermissionsManagement),
            ("secretsmanager:GetSecretValue", Read),
            ("sts:GetCallerIdentity", Read),
            ("s3:getobject", Read),
        ];
        for (action, want) in cases {
            assert_eq!(
                access_level(action),
                (*want, LevelSource::Catalog),
                "{action}"
            );
        }
        assert_eq!(
            access_level("foo:Frobnicate"),
            (Write, LevelSource::Unknown)
        );
        assert_eq!(access_level("garbage").1, LevelSource::Unknown);
    }

    #[test]
    fn patterns() {
        assert_eq!(pattern_access_levels("s3:Get*"), vec![Read]);
        assert_eq!(pattern_access_levels("*"), AccessLevel::ALL.to_vec());
        assert_eq!(pattern_access_levels("s3:*"), AccessLevel::ALL.to_vec());
        let put = pattern_access_levels("s3:Put*");
        assert!(
            put.contains(&Write) && put.contains(&PermissionsManagement) && put.contains(&Tagging)
        );
        assert_eq!(pattern_access_levels("dynamodb:GetItem"), vec![Read]);
        let de = pattern_access_levels("dynamodb:De*");
        assert!(de.contains(&Read) && de.contains(&Write), "{de:?}");
        assert_eq!(pattern_access_levels("s3:Gte*"), vec![]);
        assert_eq!(pattern_access_levels("s3:GetObjekt"), vec![Write]);
    }
}
