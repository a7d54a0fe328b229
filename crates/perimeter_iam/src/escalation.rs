//! Privilege-escalation paths, as data in one place: single actions and combinations that let
//! an identity grant itself (or reach) more privilege than it was given.
//!
//! The catalog gathers the public ones: Rhino Security Labs' "AWS IAM Privilege Escalation –
//! Methods and Mitigation" (its 21 methods, numbered in [`EscalationPath::source`]), Bishop
//! Fox's iam-vulnerable and pathfinding.cloud (PassRole to ECS, CodeBuild,
//! SageMaker, App Runner, Auto Scaling; SSM commands and sessions; permissions boundaries;
//! CloudFormation stack updates). A path is a list of requirement groups: every group must be
//! satisfied by at least one of its actions. Some paths only matter on every resource
//! (`sts:AssumeRole` on `*`, `lambda:InvokeFunction` on `*`): assuming or invoking one named
//! role or function is normal; assuming any is not. Every action named here is checked
//! against the catalog by a unit test.

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
    /// Where the method is documented.
    pub source: &'static str,
}

const PATHFINDING: &str = "pathfinding.cloud / iam-vulnerable";

macro_rules! path {
    ($id:literal, $name:literal, [$([$($a:literal),+ $(,)?]),+ $(,)?], $any:literal, $why:literal, $src:expr) => {
        EscalationPath {
            id: $id,
            name: $name,
            requires: &[$(&[$($a),+]),+],
            any_resource_only: $any,
            explanation: $why,
            source: $src,
        }
    };
}

/// The catalog.
pub static ESCALATION_PATHS: &[EscalationPath] = &[
    path!(
        "iam-create-policy-version",
        "create a new policy version",
        [["iam:CreatePolicyVersion"]],
        false,
        "writes a new default version of a managed policy attached to the role with `*` on `*`",
        "Rhino Security Labs #1"
    ),
    path!(
        "iam-set-default-policy-version",
        "switch the default policy version",
        [["iam:SetDefaultPolicyVersion"]],
        false,
        "makes an older, broader version of an attached managed policy the active one",
        "Rhino Security Labs #2"
    ),
    path!(
        "iam-attach-policy",
        "attach a managed policy",
        [[
            "iam:AttachRolePolicy",
            "iam:AttachUserPolicy",
            "iam:AttachGroupPolicy"
        ]],
        false,
        "attaches AdministratorAccess to its own role (or a user or group it controls)",
        "Rhino Security Labs #7-9"
    ),
    path!(
        "iam-put-inline-policy",
        "write an inline policy",
        [[
            "iam:PutRolePolicy",
            "iam:PutUserPolicy",
            "iam:PutGroupPolicy"
        ]],
        false,
        "adds an inline policy granting `*` on `*` to its own role, or a user or group",
        "Rhino Security Labs #10-12"
    ),
    path!(
        "iam-add-user-to-group",
        "add a user to a group",
        [["iam:AddUserToGroup"]],
        false,
        "adds a user it controls to a more privileged group",
        "Rhino Security Labs #13"
    ),
    path!(
        "iam-create-access-key",
        "create access keys for a user",
        [["iam:CreateAccessKey"]],
        false,
        "mints long-lived access keys for a more privileged IAM user",
        "Rhino Security Labs #4"
    ),
    path!(
        "iam-create-login-profile",
        "create a console password",
        [["iam:CreateLoginProfile"]],
        false,
        "sets a console password on a privileged user that has none, then signs in as it",
        "Rhino Security Labs #5"
    ),
    path!(
        "iam-update-login-profile",
        "change a console password",
        [["iam:UpdateLoginProfile"]],
        false,
        "resets a privileged user's console password and signs in as it",
        "Rhino Security Labs #6"
    ),
    path!(
        "iam-update-assume-role-policy",
        "rewrite a role's trust policy",
        [["iam:UpdateAssumeRolePolicy"], ["sts:AssumeRole"]],
        false,
        "makes a privileged role trust an identity the attacker holds, then assumes it",
        "Rhino Security Labs #14"
    ),
    path!(
        "iam-permissions-boundary",
        "remove or replace a permissions boundary",
        [[
            "iam:DeleteRolePermissionsBoundary",
            "iam:PutRolePermissionsBoundary",
            "iam:DeleteUserPermissionsBoundary",
            "iam:PutUserPermissionsBoundary"
        ]],
        false,
        "lifts the permissions boundary that caps its own role's policies",
        PATHFINDING
    ),
    path!(
        "passrole-lambda",
        "pass a role to a new Lambda function",
        [
            ["iam:PassRole"],
            ["lambda:CreateFunction"],
            [
                "lambda:InvokeFunction",
                "lambda:CreateEventSourceMapping",
                "lambda:AddPermission",
                "lambda:CreateFunctionUrlConfig"
            ]
        ],
        false,
        "creates a function running with a more privileged role and runs it (invoke, event source or URL)",
        "Rhino Security Labs #15-16"
    ),
    path!(
        "lambda-update-function-code",
        "replace another function's code",
        [["lambda:UpdateFunctionCode"]],
        false,
        "uploads code into a function that runs with a more privileged role",
        "Rhino Security Labs #17"
    ),
    path!(
        "lambda-update-function-configuration",
        "change another function's configuration",
        [["lambda:UpdateFunctionConfiguration"]],
        false,
        "adds a malicious layer or changes the handler of a function with a more privileged role",
        PATHFINDING
    ),
    path!(
        "passrole-glue",
        "pass a role to a Glue development endpoint",
        [["iam:PassRole"], ["glue:CreateDevEndpoint"]],
        false,
        "creates a Glue endpoint with a privileged role and reads its credentials over SSH",
        "Rhino Security Labs #18"
    ),
    path!(
        "glue-update-dev-endpoint",
        "take over a Glue development endpoint",
        [["glue:UpdateDevEndpoint"]],
        false,
        "adds its SSH key to an existing Glue endpoint and uses the endpoint's role",
        "Rhino Security Labs #19"
    ),
    path!(
        "passrole-glue-job",
        "pass a role to a Glue job",
        [
            ["iam:PassRole"],
            ["glue:CreateJob", "glue:UpdateJob"],
            ["glue:StartJobRun", "glue:CreateTrigger"]
        ],
        false,
        "runs a Glue job script of its choosing with a privileged role",
        PATHFINDING
    ),
    path!(
        "passrole-cloudformation",
        "pass a role to CloudFormation",
        [
            ["iam:PassRole"],
            [
                "cloudformation:CreateStack",
                "cloudformation:UpdateStack",
                "cloudformation:CreateChangeSet",
                "cloudformation:CreateStackSet"
            ]
        ],
        false,
        "deploys a stack with a privileged service role that creates whatever the attacker asks",
        "Rhino Security Labs #20"
    ),
    path!(
        "cloudformation-update-stack",
        "update a stack that has a service role",
        [[
            "cloudformation:UpdateStack",
            "cloudformation:ExecuteChangeSet"
        ]],
        false,
        "changes an existing stack whose privileged service role then creates whatever the attacker asks",
        PATHFINDING
    ),
    path!(
        "passrole-datapipeline",
        "pass a role to a Data Pipeline",
        [
            ["iam:PassRole"],
            ["datapipeline:CreatePipeline"],
            ["datapipeline:PutPipelineDefinition"]
        ],
        false,
        "defines a pipeline that runs commands with a privileged role",
        "Rhino Security Labs #21"
    ),
    path!(
        "passrole-ec2",
        "pass a role to a new EC2 instance",
        [
            ["iam:PassRole"],
            ["ec2:RunInstances", "ec2:RequestSpotInstances"]
        ],
        false,
        "launches an instance with a privileged instance profile and reads its credentials",
        "Rhino Security Labs #3"
    ),
    path!(
        "ec2-modify-user-data",
        "change an instance's user data",
        [["ec2:ModifyInstanceAttribute"], ["ec2:StartInstances"]],
        false,
        "rewrites the boot script of a stopped instance with a privileged profile and starts it",
        PATHFINDING
    ),
    path!(
        "passrole-autoscaling",
        "pass a role to an Auto Scaling launch configuration",
        [
            ["iam:PassRole"],
            [
                "autoscaling:CreateLaunchConfiguration",
                "ec2:CreateLaunchTemplate"
            ],
            [
                "autoscaling:CreateAutoScalingGroup",
                "autoscaling:UpdateAutoScalingGroup"
            ]
        ],
        false,
        "makes Auto Scaling launch instances with a privileged instance profile",
        PATHFINDING
    ),
    path!(
        "passrole-ecs",
        "pass a role to an ECS task",
        [
            ["iam:PassRole"],
            ["ecs:RegisterTaskDefinition"],
            [
                "ecs:RunTask",
                "ecs:StartTask",
                "ecs:CreateService",
                "ecs:UpdateService"
            ]
        ],
        false,
        "runs a container of its choosing with a privileged task role",
        PATHFINDING
    ),
    path!(
        "passrole-codebuild",
        "pass a role to a CodeBuild project",
        [
            ["iam:PassRole"],
            ["codebuild:CreateProject"],
            ["codebuild:StartBuild", "codebuild:StartBuildBatch"]
        ],
        false,
        "runs a build with a privileged service role and arbitrary build commands",
        PATHFINDING
    ),
    path!(
        "codebuild-start-build",
        "run an existing CodeBuild project with its own commands",
        [
            ["codebuild:StartBuild", "codebuild:StartBuildBatch"],
            ["codebuild:UpdateProject"]
        ],
        false,
        "overrides the build commands of a project with a privileged service role",
        PATHFINDING
    ),
    path!(
        "passrole-sagemaker",
        "pass a role to a SageMaker notebook or job",
        [
            ["iam:PassRole"],
            [
                "sagemaker:CreateNotebookInstance",
                "sagemaker:CreateTrainingJob",
                "sagemaker:CreateProcessingJob"
            ]
        ],
        false,
        "runs code of its choosing in a notebook or job with a privileged role",
        PATHFINDING
    ),
    path!(
        "sagemaker-notebook-url",
        "open an existing SageMaker notebook",
        [["sagemaker:CreatePresignedNotebookInstanceUrl"]],
        false,
        "opens a notebook running with a privileged role and uses its credentials",
        PATHFINDING
    ),
    path!(
        "passrole-apprunner",
        "pass a role to an App Runner service",
        [["iam:PassRole"], ["apprunner:CreateService"]],
        false,
        "runs a service of its choosing with a privileged instance role",
        PATHFINDING
    ),
    path!(
        "ssm-send-command",
        "run commands on managed instances",
        [["ssm:SendCommand"]],
        false,
        "runs shell commands on instances whose profiles may be more privileged",
        PATHFINDING
    ),
    path!(
        "ssm-start-session",
        "open a shell on managed instances",
        [["ssm:StartSession"]],
        false,
        "opens an interactive shell on instances whose profiles may be more privileged",
        PATHFINDING
    ),
    path!(
        "sts-assume-any-role",
        "assume any role",
        [["sts:AssumeRole"]],
        true,
        "assumes every role whose trust policy trusts this account",
        PATHFINDING
    ),
    path!(
        "lambda-invoke-any-function",
        "invoke any function",
        [["lambda:InvokeFunction"]],
        true,
        "invokes more privileged functions with crafted events (a confused deputy)",
        PATHFINDING
    ),
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
                    perms.allowance(action)
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
    fn every_action_is_in_the_catalog() {
        let c = crate::catalog::catalog();
        for path in ESCALATION_PATHS {
            for a in path.requires.iter().flat_map(|g| g.iter()) {
                assert!(c.is_known(a), "{}: {a} is not in the catalog", path.id);
            }
        }
        assert!(ESCALATION_PATHS.len() >= 30);
    }

    #[test]
    fn wildcards_open_many_paths() {
        let found = ids(&role(&[(&["iam:*"], &["*"])]));
        assert!(found.contains(&"iam-attach-policy") && found.contains(&"iam-create-access-key"));
        assert!(!found.contains(&"passrole-lambda"));
        assert!(ids(&role(&[(&["s3:*", "dynamodb:*"], &["*"])])).is_empty());
    }
}
