//! Access level of an action (`List`, `Read`, `Write`, `PermissionsManagement`, `Tagging`).
//!
//! **A heuristic until the action catalog lands.** AWS documents an access level for every
//! action; without that table we tell it from the action's leading verb (`GetObject` → Read,
//! `PutItem` → Write, `ListBuckets` → List), then promote writes that change who may do what
//! (IAM policies, resource policies, ACLs, grants, `*Permission`) to `PermissionsManagement`
//! and tag edits to `Tagging`. A small explicit table ([`OVERRIDES`]) fixes known actions the
//! verb gets wrong or that matter most (`iam:PassRole`, `sqs:SetQueueAttributes`,
//! `kms:CreateGrant`, `apigateway:GET`). Unknown verbs are classed `Write`: for a security
//! tool, over-stating what an action can do is the safer mistake. Each answer says where it
//! came from ([`LevelSource`]) so callers can lower their confidence for heuristic answers.
//!
//! Deliberate departures from AWS's own table: `iam:PassRole` and the assume-role-policy
//! actions are `PermissionsManagement` here (AWS says Write) because they hand privilege to
//! someone else, which is what the level is used to judge.

use crate::pattern::{has_wildcard, split_action, wildcard_match};

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
    /// The explicit table of known actions.
    Override,
    /// The action's verb (and name words such as `Policy`, `Acl`, `Tagging`).
    Verb,
    /// No known verb: assumed `Write`.
    Default,
}

/// Known actions whose level the verb heuristic would get wrong, or that matter too much to
/// leave to it. Lower-case `service:name`.
pub const OVERRIDES: &[(&str, AccessLevel)] = {
    use AccessLevel::*;
    &[
        // IAM: handing out or editing privilege.
        ("iam:passrole", PermissionsManagement),
        ("iam:updateassumerolepolicy", PermissionsManagement),
        ("iam:createassumerolepolicy", PermissionsManagement),
        ("iam:addusertogroup", PermissionsManagement),
        ("iam:removeuserfromgroup", PermissionsManagement),
        ("iam:createaccesskey", Write),
        ("iam:createloginprofile", Write),
        ("iam:updateloginprofile", Write),
        ("iam:createservicelinkedrole", Write),
        ("iam:simulateprincipalpolicy", Read),
        ("iam:simulatecustompolicy", Read),
        // Resource policies, ACLs and grants.
        ("s3:putbucketpolicy", PermissionsManagement),
        ("s3:deletebucketpolicy", PermissionsManagement),
        ("s3:putbucketacl", PermissionsManagement),
        ("s3:putobjectacl", PermissionsManagement),
        ("s3:putobjectversionacl", PermissionsManagement),
        ("s3:putbucketpublicaccessblock", PermissionsManagement),
        ("s3:putaccountpublicaccessblock", PermissionsManagement),
        ("s3:putbucketownershipcontrols", PermissionsManagement),
        ("kms:creategrant", PermissionsManagement),
        ("kms:revokegrant", PermissionsManagement),
        ("kms:retiregrant", PermissionsManagement),
        ("kms:putkeypolicy", PermissionsManagement),
        ("lambda:addpermission", PermissionsManagement),
        ("lambda:removepermission", PermissionsManagement),
        ("lambda:addlayerversionpermission", PermissionsManagement),
        ("lambda:removelayerversionpermission", PermissionsManagement),
        ("lambda:createfunctionurlconfig", PermissionsManagement),
        ("lambda:updatefunctionurlconfig", PermissionsManagement),
        ("sqs:setqueueattributes", PermissionsManagement),
        ("sqs:addpermission", PermissionsManagement),
        ("sqs:removepermission", PermissionsManagement),
        ("sns:settopicattributes", PermissionsManagement),
        ("sns:addpermission", PermissionsManagement),
        ("sns:removepermission", PermissionsManagement),
        ("secretsmanager:putresourcepolicy", PermissionsManagement),
        ("secretsmanager:deleteresourcepolicy", PermissionsManagement),
        ("ecr:setrepositorypolicy", PermissionsManagement),
        ("ecr:deleterepositorypolicy", PermissionsManagement),
        ("logs:putresourcepolicy", PermissionsManagement),
        ("logs:deleteresourcepolicy", PermissionsManagement),
        ("glacier:setvaultaccesspolicy", PermissionsManagement),
        ("apigateway:updaterestapipolicy", PermissionsManagement),
        ("dynamodb:putresourcepolicy", PermissionsManagement),
        ("dynamodb:deleteresourcepolicy", PermissionsManagement),
        ("events:putpermission", PermissionsManagement),
        ("events:removepermission", PermissionsManagement),
        ("ec2:modifysnapshotattribute", PermissionsManagement),
        ("ec2:modifyimageattribute", PermissionsManagement),
        ("ram:createresourceshare", PermissionsManagement),
        // Services whose actions are not verb-first.
        ("codecommit:gitpull", Read),
        ("codecommit:gitpush", Write),
        ("elasticfilesystem:clientmount", Read),
        ("elasticfilesystem:clientwrite", Write),
        ("elasticfilesystem:clientrootaccess", Write),
        ("es:eshttpget", Read),
        ("es:eshttphead", Read),
        ("es:eshttppost", Write),
        ("es:eshttpput", Write),
        ("es:eshttppatch", Write),
        ("es:eshttpdelete", Write),
        ("polly:synthesizespeech", Read),
        // Model inference reads a model; AWS lists these as Read.
        ("bedrock:invokemodel", Read),
        ("bedrock:invokemodelwithresponsestream", Read),
        ("bedrock:converse", Read),
        ("bedrock:conversestream", Read),
        ("translate:translatetext", Read),
        ("translate:translatedocument", Read),
        // Reads that do not start with a read verb.
        ("sqs:receivemessage", Read),
        ("kinesis:getrecords", Read),
        ("sts:getcalleridentity", Read),
        ("logs:filterlogevents", Read),
        ("logs:startquery", Read),
        ("athena:getqueryresults", Read),
        ("dynamodb:partiqlselect", Read),
        ("dynamodb:conditioncheckitem", Read),
        ("cloudwatch:getmetricdata", Read),
        // Tagging actions named unusually.
        ("s3:putobjecttagging", Tagging),
        ("s3:putbuckettagging", Tagging),
        ("s3:deleteobjecttagging", Tagging),
        ("s3:putobjectversiontagging", Tagging),
    ]
};

/// Leading verbs and the level they mean. Longest match wins, so `BatchGet` beats `Batch`.
const VERBS: &[(&str, AccessLevel)] = {
    use AccessLevel::*;
    &[
        ("List", List),
        ("Describe", List),
        ("Get", Read),
        ("BatchGet", Read),
        ("Head", Read),
        ("Search", Read),
        ("Query", Read),
        ("Scan", Read),
        ("Select", Read),
        ("Read", Read),
        ("Download", Read),
        ("Lookup", Read),
        ("Receive", Read),
        ("Filter", Read),
        ("View", Read),
        ("Retrieve", Read),
        ("Preview", Read),
        ("Estimate", Read),
        ("Simulate", Read),
        ("Check", Read),
        ("Discover", Read),
        ("Detect", Read),
        ("BatchDetect", Read),
        ("Compare", Read),
        ("Analyze", Read),
        ("Test", Read),
        ("Tag", Tagging),
        ("Untag", Tagging),
        ("AddTags", Tagging),
        ("RemoveTags", Tagging),
        ("CreateTags", Tagging),
        ("DeleteTags", Tagging),
        ("Put", Write),
        ("Create", Write),
        ("Update", Write),
        ("Delete", Write),
        ("Send", Write),
        ("Publish", Write),
        ("Invoke", Write),
        ("Write", Write),
        ("Upload", Write),
        ("Start", Write),
        ("Stop", Write),
        ("Terminate", Write),
        ("Run", Write),
        ("Modify", Write),
        ("Attach", Write),
        ("Detach", Write),
        ("Set", Write),
        ("Add", Write),
        ("Remove", Write),
        ("Enable", Write),
        ("Disable", Write),
        ("Associate", Write),
        ("Disassociate", Write),
        ("Register", Write),
        ("Deregister", Write),
        ("Reset", Write),
        ("Restore", Write),
        ("Copy", Write),
        ("Import", Write),
        ("Export", Write),
        ("Execute", Write),
        ("Change", Write),
        ("Cancel", Write),
        ("Reboot", Write),
        ("Rotate", Write),
        ("Replace", Write),
        ("Assume", Write),
        ("Pass", Write),
        ("Encrypt", Write),
        ("Decrypt", Write),
        ("ReEncrypt", Write),
        ("Generate", Write),
        ("Sign", Write),
        ("Batch", Write),
        ("BatchWrite", Write),
        ("Complete", Write),
        ("Abort", Write),
        ("Purge", Write),
        ("Accept", Write),
        ("Reject", Write),
        ("Authorize", Write),
        ("Revoke", Write),
        ("Request", Write),
        ("Submit", Write),
        ("Subscribe", Write),
        ("Unsubscribe", Write),
        ("Confirm", Write),
        ("Flush", Write),
        ("Post", Write),
        ("Patch", Write),
        ("Apply", Write),
        ("Merge", Write),
        ("Split", Write),
        ("Index", Write),
        ("Verify", Write),
        ("Connect", Write),
        ("Manage", Write),
        ("Increase", Write),
        ("Decrease", Write),
        ("PartiQLInsert", Write),
        ("PartiQLUpdate", Write),
        ("PartiQLDelete", Write),
    ]
};

/// The access level of a concrete action (`s3:GetObject`), and where the answer came from.
/// A malformed action (no `service:` prefix) is `Write` from [`LevelSource::Default`].
pub fn access_level(action: &str) -> (AccessLevel, LevelSource) {
    let action = action.trim();
    let lower = action.to_ascii_lowercase();
    if let Some((_, level)) = OVERRIDES.iter().find(|(a, _)| *a == lower) {
        return (*level, LevelSource::Override);
    }
    let Some((service, name)) = split_action(action) else {
        return (AccessLevel::Write, LevelSource::Default);
    };
    let service = service.to_ascii_lowercase();
    // API Gateway's management actions are HTTP verbs (`apigateway:GET`).
    if service == "apigateway" && name.chars().all(|c| c.is_ascii_uppercase()) {
        let level = if name == "GET" {
            AccessLevel::Read
        } else {
            AccessLevel::Write
        };
        return (level, LevelSource::Verb);
    }
    match leading_verb(name) {
        Some(level) => (refine(&service, name, level), LevelSource::Verb),
        None => (
            refine(&service, name, AccessLevel::Write),
            LevelSource::Default,
        ),
    }
}

/// Every level a (possibly wildcarded) action pattern may grant, sorted from least to most
/// powerful. `*`, `service:*` and patterns starting with a wildcard may grant all of them.
pub fn pattern_access_levels(pattern: &str) -> Vec<AccessLevel> {
    let pattern = pattern.trim();
    if !has_wildcard(pattern) {
        return vec![access_level(pattern).0];
    }
    let Some((service, name)) = split_action(pattern) else {
        return AccessLevel::ALL.to_vec();
    };
    let prefix_end = name.find(['*', '?']).unwrap_or(name.len());
    let prefix = &name[..prefix_end];
    if prefix.is_empty() || has_wildcard(service) {
        return AccessLevel::ALL.to_vec();
    }
    let service_l = service.to_ascii_lowercase();
    let mut levels = Vec::new();
    let prefix_l = prefix.to_ascii_lowercase();
    for (verb, level) in VERBS {
        let verb_l = verb.to_ascii_lowercase();
        // `Ge*` could be any verb starting so; `GetBucket*` is fixed to `Get`.
        if verb_l.starts_with(&prefix_l) || prefix_l.starts_with(&verb_l) {
            levels.push(*level);
        }
    }
    if levels.is_empty() {
        levels.push(AccessLevel::Write);
    }
    // The wildcard may reach known exceptions (`s3:Put*` covers `s3:PutBucketPolicy`).
    for (action, level) in OVERRIDES {
        if wildcard_match(pattern, action) {
            levels.push(*level);
        }
    }
    // In IAM, any mutating wildcard may reach a policy action.
    if service_l == "iam" && levels.iter().any(|l| l.is_mutating()) {
        levels.push(AccessLevel::PermissionsManagement);
    }
    if levels.iter().any(|l| l.is_mutating())
        && refine(&service_l, name, AccessLevel::Write) != AccessLevel::Write
    {
        levels.push(refine(&service_l, name, AccessLevel::Write));
    }
    levels.sort();
    levels.dedup();
    levels
}

/// The level of the longest verb `name` starts with. Verbs must end at a word boundary (an
/// upper-case letter or the end), unless the name is written all lower-case.
fn leading_verb(name: &str) -> Option<AccessLevel> {
    let lower_only = !name.chars().any(|c| c.is_ascii_uppercase());
    let mut best: Option<(usize, AccessLevel)> = None;
    for (verb, level) in VERBS {
        let Some(head) = name.get(..verb.len()) else {
            continue;
        };
        if !head.eq_ignore_ascii_case(verb) {
            continue;
        }
        let boundary = match name[verb.len()..].chars().next() {
            None => true,
            Some(c) => c.is_ascii_uppercase() || c.is_ascii_digit() || lower_only,
        };
        if boundary && best.is_none_or(|(len, _)| verb.len() > len) {
            best = Some((verb.len(), *level));
        }
    }
    best.map(|(_, l)| l)
}

/// Promotes a write to permissions management or tagging by the words of its name.
fn refine(service: &str, name: &str, level: AccessLevel) -> AccessLevel {
    if level != AccessLevel::Write {
        return level;
    }
    let n = name.to_ascii_lowercase();
    let policy_like = (service == "iam" && n.contains("policy"))
        || n.contains("permission")
        || n.ends_with("resourcepolicy")
        || n.ends_with("bucketpolicy")
        || n.ends_with("keypolicy")
        || n.ends_with("repositorypolicy")
        || n.ends_with("accesspolicy")
        || n.ends_with("acl");
    if policy_like {
        return AccessLevel::PermissionsManagement;
    }
    if n.contains("tagging") || n.ends_with("tags") {
        return AccessLevel::Tagging;
    }
    AccessLevel::Write
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
            ("s3:DeleteObject", Write),
            ("s3:PutBucketPolicy", PermissionsManagement),
            ("s3:PutBucketAcl", PermissionsManagement),
            ("s3:GetBucketPolicy", Read),
            ("s3:PutObjectTagging", Tagging),
            ("dynamodb:GetItem", Read),
            ("dynamodb:BatchGetItem", Read),
            ("dynamodb:Query", Read),
            ("dynamodb:Scan", Read),
            ("dynamodb:PutItem", Write),
            ("dynamodb:BatchWriteItem", Write),
            ("dynamodb:DescribeTable", List),
            ("dynamodb:TagResource", Tagging),
            ("dynamodb:UntagResource", Tagging),
            ("sqs:SendMessage", Write),
            ("sqs:ReceiveMessage", Read),
            ("sqs:SetQueueAttributes", PermissionsManagement),
            ("sqs:AddPermission", PermissionsManagement),
            ("sns:Publish", Write),
            ("sns:SetTopicAttributes", PermissionsManagement),
            ("lambda:InvokeFunction", Write),
            ("lambda:AddPermission", PermissionsManagement),
            ("lambda:UpdateFunctionCode", Write),
            ("iam:PassRole", PermissionsManagement),
            ("iam:PutRolePolicy", PermissionsManagement),
            ("iam:AttachRolePolicy", PermissionsManagement),
            ("iam:CreatePolicyVersion", PermissionsManagement),
            ("iam:GetRolePolicy", Read),
            ("iam:ListRoles", List),
            ("iam:CreateUser", Write),
            ("iam:UpdateAssumeRolePolicy", PermissionsManagement),
            ("kms:CreateGrant", PermissionsManagement),
            ("kms:PutKeyPolicy", PermissionsManagement),
            ("kms:Decrypt", Write),
            ("secretsmanager:GetSecretValue", Read),
            ("secretsmanager:PutResourcePolicy", PermissionsManagement),
            ("ssm:GetParametersByPath", Read),
            ("ec2:DescribeInstances", List),
            ("ec2:RunInstances", Write),
            ("ec2:CreateTags", Tagging),
            (
                "ec2:CreateNetworkInterfacePermission",
                PermissionsManagement,
            ),
            ("xray:PutTraceSegments", Write),
            ("logs:CreateLogGroup", Write),
            ("logs:PutLogEvents", Write),
            ("logs:FilterLogEvents", Read),
            ("cloudwatch:PutMetricData", Write),
            ("states:StartExecution", Write),
            ("sts:AssumeRole", Write),
            ("sts:GetCallerIdentity", Read),
            ("kinesis:GetRecords", Read),
            ("kinesis:PutRecords", Write),
            ("apigateway:GET", Read),
            ("apigateway:POST", Write),
            ("execute-api:Invoke", Write),
            ("events:PutEvents", Write),
            ("ecr:SetRepositoryPolicy", PermissionsManagement),
            ("s3:getobject", Read),
            ("comprehend:BatchDetectSentiment", Read),
            ("bedrock:InvokeModel", Read),
            ("translate:TranslateText", Read),
            ("rekognition:DetectLabels", Read),
            ("ses:TestRenderTemplate", Read),
        ];
        for (action, want) in cases {
            assert_eq!(access_level(action).0, *want, "{action}");
        }
    }

    #[test]
    fn sources() {
        assert_eq!(access_level("iam:PassRole").1, LevelSource::Override);
        assert_eq!(access_level("s3:GetObject").1, LevelSource::Verb);
        assert_eq!(
            access_level("foo:Frobnicate"),
            (Write, LevelSource::Default)
        );
        assert_eq!(access_level("garbage").1, LevelSource::Default);
    }

    #[test]
    fn patterns() {
        assert_eq!(pattern_access_levels("s3:Get*"), vec![Read]);
        assert_eq!(pattern_access_levels("s3:List*"), vec![List]);
        assert_eq!(pattern_access_levels("*"), AccessLevel::ALL.to_vec());
        assert_eq!(pattern_access_levels("s3:*"), AccessLevel::ALL.to_vec());
        let put = pattern_access_levels("s3:Put*");
        assert!(
            put.contains(&Write) && put.contains(&PermissionsManagement) && put.contains(&Tagging)
        );
        assert!(pattern_access_levels("iam:Create*").contains(&PermissionsManagement));
        assert_eq!(pattern_access_levels("dynamodb:GetItem"), vec![Read]);
        // `De*` may be Describe (List) or Delete (Write).
        let de = pattern_access_levels("dynamodb:De*");
        assert!(de.contains(&List) && de.contains(&Write));
    }
}
