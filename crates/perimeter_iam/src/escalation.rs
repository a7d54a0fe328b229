//! Privilege-escalation paths: single actions and combinations that let an identity grant
//! itself (or reach) more privilege than it was given.
//!
//! The catalog follows Rhino Security Labs' "AWS IAM Privilege Escalation – Methods and
//! Mitigation" (2018) and its later additions, narrowed to what a function's execution role
//! can do. A path is a list of requirement groups: every group must be satisfied by at least
//! one of its actions. Some paths only matter on every resource (`sts:AssumeRole` on `*`,
//! `lambda:InvokeFunction` on `*`): assuming or invoking one named role or function is
//! normal; assuming any is not.

use crate::effective::{Allowance, EffectivePermissions};

/// One way to escalate privilege.
#[derive(Debug)]
pub struct EscalationPath {
    /// Stable identifier (`iam-create-policy-version`).
    pub id: &'static str,
    /// Short human name.
    pub name: &'static str,
    /// Every group must be allowed; any action of a group satisfies it.
    pub requires: &'static [&'static [&'static str]],
    /// The first group only counts when allowed on every resource (`*`).
    pub any_resource_only: bool,
    /// What an attacker who controls the function's code does with it.
    pub explanation: &'static str,
}

/// The catalog.
pub static ESCALATION_PATHS: &[EscalationPath] = &[
    EscalationPath {
        id: "iam-create-policy-version",
        name: "create a new policy version",
        requires: &[&["iam:CreatePolicyVersion"]],
        any_resource_only: false,
        explanation: "writes a new default version of a managed policy attached to the role with `*` on `*`",
    },
    EscalationPath {
        id: "iam-set-default-policy-version",
        name: "switch the default policy version",
        requires: &[&["iam:SetDefaultPolicyVersion"]],
        any_resource_only: false,
        explanation: "makes an older, broader version of an attached managed policy the active one",
    },
    EscalationPath {
        id: "iam-attach-policy",
        name: "attach a managed policy",
        requires: &[&[
            "iam:AttachRolePolicy",
            "iam:AttachUserPolicy",
            "iam:AttachGroupPolicy",
        ]],
        any_resource_only: false,
        explanation: "attaches AdministratorAccess to its own role (or a user or group it controls)",
    },
    EscalationPath {
        id: "iam-put-inline-policy",
        name: "write an inline policy",
        requires: &[&[
            "iam:PutRolePolicy",
            "iam:PutUserPolicy",
            "iam:PutGroupPolicy",
        ]],
        any_resource_only: false,
        explanation: "adds an inline policy granting `*` on `*` to its own role, or a user or group",
    },
    EscalationPath {
        id: "iam-add-user-to-group",
        name: "add a user to a group",
        requires: &[&["iam:AddUserToGroup"]],
        any_resource_only: false,
        explanation: "adds a user it controls to a more privileged group",
    },
    EscalationPath {
        id: "iam-create-access-key",
        name: "create access keys for a user",
        requires: &[&["iam:CreateAccessKey"]],
        any_resource_only: false,
        explanation: "mints long-lived access keys for a more privileged IAM user",
    },
    EscalationPath {
        id: "iam-create-login-profile",
        name: "create a console password",
        requires: &[&["iam:CreateLoginProfile"]],
        any_resource_only: false,
        explanation: "sets a console password on a privileged user that has none, then signs in as it",
    },
    EscalationPath {
        id: "iam-update-login-profile",
        name: "change a console password",
        requires: &[&["iam:UpdateLoginProfile"]],
        any_resource_only: false,
        explanation: "resets a privileged user's console password and signs in as it",
    },
    EscalationPath {
        id: "iam-update-assume-role-policy",
        name: "rewrite a role's trust policy",
        requires: &[&["iam:UpdateAssumeRolePolicy"]],
        any_resource_only: false,
        explanation: "makes a privileged role trust an identity the attacker holds, then assumes it",
    },
    EscalationPath {
        id: "passrole-lambda",
        name: "pass a role to a new Lambda function",
        requires: &[
            &["iam:PassRole"],
            &["lambda:CreateFunction"],
            &[
                "lambda:InvokeFunction",
                "lambda:CreateEventSourceMapping",
                "lambda:AddPermission",
                "lambda:CreateFunctionUrlConfig",
            ],
        ],
        any_resource_only: false,
        explanation: "creates a function running with a more privileged role and runs it (invoke, event source or URL)",
    },
    EscalationPath {
        id: "lambda-update-function-code",
        name: "replace another function's code",
        requires: &[&["lambda:UpdateFunctionCode"]],
        any_resource_only: false,
        explanation: "uploads code into a function that runs with a more privileged role",
    },
    EscalationPath {
        id: "lambda-update-function-configuration",
        name: "change another function's configuration",
        requires: &[&["lambda:UpdateFunctionConfiguration"]],
        any_resource_only: false,
        explanation: "adds a malicious layer or changes the handler of a function with a more privileged role",
    },
    EscalationPath {
        id: "passrole-glue",
        name: "pass a role to a Glue development endpoint",
        requires: &[&["iam:PassRole"], &["glue:CreateDevEndpoint"]],
        any_resource_only: false,
        explanation: "creates a Glue endpoint with a privileged role and reads its credentials over SSH",
    },
    EscalationPath {
        id: "glue-update-dev-endpoint",
        name: "take over a Glue development endpoint",
        requires: &[&["glue:UpdateDevEndpoint"]],
        any_resource_only: false,
        explanation: "adds its SSH key to an existing Glue endpoint and uses the endpoint's role",
    },
    EscalationPath {
        id: "passrole-cloudformation",
        name: "pass a role to CloudFormation",
        requires: &[
            &["iam:PassRole"],
            &[
                "cloudformation:CreateStack",
                "cloudformation:UpdateStack",
                "cloudformation:CreateChangeSet",
            ],
        ],
        any_resource_only: false,
        explanation: "deploys a stack with a privileged service role that creates whatever the attacker asks",
    },
    EscalationPath {
        id: "passrole-ec2",
        name: "pass a role to a new EC2 instance",
        requires: &[&["iam:PassRole"], &["ec2:RunInstances"]],
        any_resource_only: false,
        explanation: "launches an instance with a privileged instance profile and reads its credentials",
    },
    EscalationPath {
        id: "passrole-datapipeline",
        name: "pass a role to a Data Pipeline",
        requires: &[
            &["iam:PassRole"],
            &["datapipeline:CreatePipeline"],
            &["datapipeline:PutPipelineDefinition"],
        ],
        any_resource_only: false,
        explanation: "defines a pipeline that runs commands with a privileged role",
    },
    EscalationPath {
        id: "passrole-codebuild",
        name: "pass a role to a CodeBuild project",
        requires: &[
            &["iam:PassRole"],
            &["codebuild:CreateProject"],
            &["codebuild:StartBuild"],
        ],
        any_resource_only: false,
        explanation: "runs a build with a privileged service role and arbitrary build commands",
    },
    EscalationPath {
        id: "passrole-sagemaker",
        name: "pass a role to a SageMaker notebook",
        requires: &[
            &["iam:PassRole"],
            &["sagemaker:CreateNotebookInstance"],
            &["sagemaker:CreatePresignedNotebookInstanceUrl"],
        ],
        any_resource_only: false,
        explanation: "opens a notebook running with a privileged role",
    },
    EscalationPath {
        id: "sts-assume-any-role",
        name: "assume any role",
        requires: &[&["sts:AssumeRole"]],
        any_resource_only: true,
        explanation: "assumes every role whose trust policy trusts this account",
    },
    EscalationPath {
        id: "lambda-invoke-any-function",
        name: "invoke any function",
        requires: &[&["lambda:InvokeFunction"]],
        any_resource_only: true,
        explanation: "invokes more privileged functions with crafted events (a confused deputy)",
    },
];

/// A path found open, with the allowance that satisfies each requirement group.
#[derive(Debug, Clone)]
pub struct EscalationHit<'a> {
    pub path: &'static EscalationPath,
    /// One `(action, allowance)` per requirement group, in order.
    pub satisfied_by: Vec<(&'static str, Allowance<'a>)>,
    /// Some allowance carries conditions that were not evaluated.
    pub conditional: bool,
}

/// Every catalog path that `perms` opens, in catalog order.
pub fn find_escalations<'a>(perms: &EffectivePermissions<'a>) -> Vec<EscalationHit<'a>> {
    let mut hits = Vec::new();
    'paths: for path in ESCALATION_PATHS {
        let mut satisfied_by = Vec::new();
        for (i, group) in path.requires.iter().enumerate() {
            let found = group.iter().find_map(|action| {
                let allowance = if i == 0 && path.any_resource_only {
                    perms.allows_on_any_resource(action)
                } else {
                    perms.allows(action)
                };
                allowance.map(|a| (*action, a))
            });
            match found {
                Some(f) => satisfied_by.push(f),
                None => continue 'paths,
            }
        }
        let conditional = satisfied_by.iter().any(|(_, a)| a.conditional);
        hits.push(EscalationHit {
            path,
            satisfied_by,
            conditional,
        });
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use perimeter_model::{Attr, Effect, Location, Policy, PolicySource, Role, Statement, Value};

    fn role(statements: &[(&[&str], &[&str])]) -> Role {
        let loc = Location::new("t.yaml", 1, 1);
        let mut r = Role::new("R", loc.clone(), false);
        let statements = statements
            .iter()
            .map(|(actions, resources)| {
                let mut s = Statement::new(loc.clone());
                s.effect = Value::Known(Effect::Allow);
                s.actions = actions
                    .iter()
                    .map(|a| Attr::explicit(a.to_string(), loc.clone()))
                    .collect();
                s.resources = resources
                    .iter()
                    .map(|a| Attr::explicit(a.to_string(), loc.clone()))
                    .collect();
                s
            })
            .collect();
        r.policies.push(Policy {
            name: "p".into(),
            source: PolicySource::Inline,
            location: loc,
            statements,
        });
        r
    }

    fn ids(r: &Role) -> Vec<&'static str> {
        find_escalations(&EffectivePermissions::of_role(r))
            .iter()
            .map(|h| h.path.id)
            .collect()
    }

    #[test]
    fn single_actions() {
        assert_eq!(
            ids(&role(&[(&["iam:PutRolePolicy"], &["*"])])),
            vec!["iam-put-inline-policy"]
        );
        assert_eq!(
            ids(&role(&[(
                &["iam:CreatePolicyVersion"],
                &["arn:aws:iam::1:policy/p"]
            )])),
            vec!["iam-create-policy-version"]
        );
        assert_eq!(
            ids(&role(&[(&["lambda:UpdateFunctionCode"], &["*"])])),
            vec!["lambda-update-function-code"]
        );
    }

    #[test]
    fn combinations_need_every_part() {
        assert!(
            ids(&role(&[(
                &["iam:PassRole", "lambda:CreateFunction"],
                &["*"]
            )]))
            .is_empty()
        );
        assert_eq!(
            ids(&role(&[(
                &[
                    "iam:PassRole",
                    "lambda:CreateFunction",
                    "lambda:CreateEventSourceMapping"
                ],
                &["*"]
            )])),
            vec!["passrole-lambda"]
        );
        assert_eq!(
            ids(&role(&[
                (&["iam:PassRole"], &["*"]),
                (&["ec2:RunInstances"], &["*"])
            ])),
            vec!["passrole-ec2"]
        );
    }

    #[test]
    fn any_resource_only_paths() {
        assert!(ids(&role(&[(&["sts:AssumeRole"], &["arn:aws:iam::1:role/x"])])).is_empty());
        assert_eq!(
            ids(&role(&[(&["sts:AssumeRole"], &["*"])])),
            vec!["sts-assume-any-role"]
        );
        assert!(
            ids(&role(&[(
                &["lambda:InvokeFunction"],
                &["arn:aws:lambda:us-east-1:1:function:f"]
            )]))
            .is_empty()
        );
    }

    #[test]
    fn wildcards_open_many_paths() {
        let found = ids(&role(&[(&["iam:*"], &["*"])]));
        assert!(found.contains(&"iam-attach-policy") && found.contains(&"iam-create-access-key"));
        assert!(!found.contains(&"passrole-lambda"));
        assert!(ids(&role(&[(&["s3:*", "dynamodb:*"], &["*"])])).is_empty());
    }
}
