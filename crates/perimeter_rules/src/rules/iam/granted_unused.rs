//! ## What it does
//! Compares what a function's execution role grants with what the function's code calls, and
//! flags the statements that grant permissions no function of the role uses: actions nothing
//! calls, wildcards (`dynamodb:*`) used for one or two of the actions they cover, and
//! `NotAction` statements. The AWS SDK calls come from the code stage (Python boto3,
//! JavaScript/TypeScript SDK v2 and v3, Go SDK v2, Java SDK v2); each is mapped to the IAM
//! actions it needs, and the actions every function needs anyway (writing its logs, X-Ray
//! when tracing, polling its SQS/Kinesis/DynamoDB event sources, network interfaces in a VPC,
//! sending to its dead-letter and destination targets) count as used. The finding carries the
//! generated least-privilege policy as its fix (see `perimeter policy`).
//!
//! It only speaks when the code analysis is complete enough to judge, for **every** function
//! of the role: the code stage ran and found the handler, the language is one whose SDK calls
//! are extracted, every layer the function uses was read, and every SDK call it found is in
//! the operation-to-action map (an unrecognized or dynamic call might need anything). Roles
//! declared outside the app, unresolved action elements, Deny statements and managed
//! policies whose content is unknown are left alone. Call sites the code stage saw but could
//! not name are only known to `perimeter policy` (they are not in the model yet), so a
//! dynamic call it could not even recognize as an SDK call is a known blind spot: hence
//! medium confidence.
//!
//! ## Why is this bad?
//! Every permission a function holds is one an attacker holds after finding a code injection,
//! a vulnerable dependency or a leaked credential in it. Permissions that the code never uses
//! are pure risk: a `dynamodb:*` on a function that only calls `PutItem` also lets an attacker
//! `Scan` the whole table, `DeleteTable` it, or `UpdateTable` it into a backup-less state. The
//! gap usually comes from copy-pasted roles, broad SAM policy templates and "make it work"
//! wildcards that nobody narrows later, because nobody knows what the code really calls.
//!
//! ## Example
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Orders:
//!     Type: AWS::DynamoDB::Table
//!   CreateOrder:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       Environment:
//!         Variables:
//!           TABLE: !Ref Orders
//!       Policies:
//!         - Statement:
//!             - Effect: Allow
//!               Action: dynamodb:*
//!               Resource: !GetAtt Orders.Arn
//! # src/app.py only calls table.put_item(...) on os.environ["TABLE"]
//! ```
//!
//! Use instead:
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Orders:
//!     Type: AWS::DynamoDB::Table
//!   CreateOrder:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       Environment:
//!         Variables:
//!           TABLE: !Ref Orders
//!       Policies:
//!         - Statement:
//!             - Effect: Allow
//!               Action: dynamodb:PutItem
//!               Resource: !GetAtt Orders.Arn
//! ```
//!
//! ## Remediation
//! Replace the role's statements with the generated policy shown with the finding (run
//! `perimeter policy --function NAME` for the whole policy, the evidence of every action, and
//! the patch for SAM `Policies`, a CloudFormation role's `Policies`, or serverless.yml
//! `provider.iam.role.statements`). When several functions share the role, give each its own
//! role first: the shared role must keep the union of what they all use.
//!
//! ## References
//! - CWE-250: Execution with Unnecessary Privileges
//! - https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
//! - https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html
//! - https://owasp.org/www-project-serverless-top-10/ (SAS-4: Over-privileged function permissions and roles)

use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_iam::least_privilege::{self, FunctionPolicy, unused::Unused};
use perimeter_model::{App, Location};

pub struct GrantedUnused;

static META: RuleMeta = RuleMeta {
    code: "IAM012",
    name: "granted-but-unused-permissions",
    family: Family::Iam,
    summary: "The execution role grants permissions the function's code never uses",
    severity: Severity::Medium,
    likelihood: Level::Medium,
    impact: Level::Medium,
    confidence: Level::Medium,
    source: include_str!("granted_unused.rs"),
};

const REMEDIATION: &str = "Replace the role's statements with the generated least-privilege policy shown with this finding (`perimeter policy --function NAME` prints it with the evidence and a template patch).";

/// How many unused actions a message names before "and N more".
const NAMED: usize = 6;

impl Rule for GrantedUnused {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        // Nothing to judge without code facts: skip synthesis altogether.
        if !app.functions.iter().any(|f| f.code.is_some()) {
            return;
        }
        let policies = least_privilege::synthesize_app(app, least_privilege::knowledge());
        for role in &app.roles {
            let users: Vec<&FunctionPolicy> = policies
                .iter()
                .filter(|p| p.role.as_deref() == Some(role.id.as_str()))
                .collect();
            let Some(first) = users.first() else { continue };
            if !users.iter().all(|p| p.complete) {
                continue;
            }
            // One finding per statement, listing what it grants for nothing.
            let mut groups: Vec<(String, Vec<&Unused>)> = Vec::new();
            for u in &first.granted_unused {
                let key = format!("{}/{}", u.granted_by.policy, u.granted_by.statement);
                match groups.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, list)) => list.push(u),
                    None => groups.push((key, vec![u])),
                }
            }
            let names: Vec<&str> = users.iter().map(|p| p.function.as_str()).collect();
            let function = match names.as_slice() {
                [only] => Some(*only),
                _ => None,
            };
            let used: Vec<&str> = users
                .iter()
                .flat_map(|p| p.evidence.iter().map(|e| e.action.as_str()))
                .collect();
            for (key, list) in groups {
                let Some(head) = list.first() else { continue };
                if !judged(role, head, &used) {
                    continue;
                }
                let described: Vec<String> = list.iter().take(NAMED).map(|u| describe(u)).collect();
                let more = list.len().saturating_sub(NAMED);
                let users_text = match names.as_slice() {
                    [only] => format!("function `{only}`"),
                    many => format!("the {} functions of role `{}`", many.len(), role.id),
                };
                let message = format!(
                    "Statement {} of policy `{}` on role `{}` grants what the code of {users_text} never uses: {}{}",
                    head.granted_by.statement,
                    head.granted_by.policy,
                    role.id,
                    described.join(", "),
                    if more > 0 {
                        format!(", and {more} more")
                    } else {
                        String::new()
                    }
                );
                let location = Location::new(head.granted_by.file.clone(), head.granted_by.line, 1);
                let location = find_column(app, &location).unwrap_or(location);
                let patch = &first.patch;
                // One line (JSON is YAML too): reporters print related messages on one line.
                let fix = serde_json::to_string(&patch.document).unwrap_or_default();
                out.push(
                    Finding::new(
                        &META,
                        &app.id,
                        function,
                        &role.id,
                        &key,
                        message,
                        location,
                        REMEDIATION,
                    )
                    .with_related(
                        format!(
                            "Generated least-privilege policy: {} {fix}",
                            patch.instructions
                        ),
                        Location::new(patch.file.clone(), patch.line, 1),
                    ),
                );
            }
        }
    }
}

/// AWS managed policies that SAM or the Serverless Framework attach on their own (tracing,
/// VPC, event source polling): never the author's choice, never reported.
const ATTACHED_BY_TOOLS: &[&str] = &[
    "AWSLambdaSQSQueueExecutionRole",
    "AWSLambdaKinesisExecutionRole",
    "AWSLambdaDynamoDBExecutionRole",
    "AWSLambdaMSKExecutionRole",
];

/// Whether an unused grant is judged. Statements the author wrote (inline, customer managed)
/// are judged element by element. Statements written by AWS — SAM policy templates and AWS
/// managed policies — come as a family (`DynamoDBReadPolicy` grants every read action of a
/// table): they are only reported when nothing in the statement is used at all, and the
/// managed policies and log statements the tools add on their own never are.
fn judged(role: &perimeter_model::Role, u: &Unused, used: &[&str]) -> bool {
    let by = &u.granted_by;
    // The log-writing statements SAM and the Serverless Framework put in the roles they generate.
    if role.generated && u.action.to_ascii_lowercase().starts_with("logs:") {
        return false;
    }
    match by.source.as_str() {
        "sam-template" | "aws-managed" => {}
        _ => return true,
    }
    if super::BASIC_MANAGED_POLICIES.contains(&by.policy.as_str())
        || ATTACHED_BY_TOOLS.contains(&by.policy.as_str())
    {
        return false;
    }
    let policy = role
        .policies
        .iter()
        .find(|p| p.name == by.policy)
        .or_else(|| perimeter_iam::managed_policy(&by.policy).map(|m| &m.policy));
    let Some(policy) = policy else { return false };
    let statement = policy
        .statements
        .iter()
        .enumerate()
        .find(|(i, s)| match &s.sid {
            Some(sid) => *sid == by.statement,
            None => i.to_string() == by.statement,
        });
    let Some((_, statement)) = statement else {
        return false;
    };
    !statement.known_actions().any(|pattern| {
        used.iter()
            .any(|a| perimeter_iam::action_matches(pattern, a))
    })
}

/// `dynamodb:*` (used only for dynamodb:PutItem; 57 other actions) / `s3:DeleteObject`.
fn describe(u: &Unused) -> String {
    let mut s = format!("`{}`", u.action);
    if !u.used_for.is_empty() {
        s.push_str(&format!(" (used only for {}", u.used_for.join(", ")));
        if let Some(n) = u.unused_count {
            s.push_str(&format!("; {n} other actions"));
        }
        s.push(')');
    }
    s
}

/// The written element's own column, when a role statement element sits on that line.
fn find_column(app: &App, at: &Location) -> Option<Location> {
    app.roles
        .iter()
        .flat_map(|r| r.statements())
        .flat_map(|(_, s)| s.actions.iter().chain(s.not_actions.iter()))
        .map(|a| &a.location)
        .find(|l| l.file == at.file && l.line == at.line)
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::iam::testkit::{allow, app, function, role};
    use perimeter_model::{
        ArgValue, FunctionCode, HandlerRef, Language, ResourceArg, Sdk, SdkCall,
    };

    fn code(calls: Vec<SdkCall>) -> FunctionCode {
        FunctionCode {
            bundle: "src".into(),
            layers: vec![],
            language: Language::Python,
            handler: Some(HandlerRef {
                file: "src/app.py".into(),
                symbol: "handler".into(),
                location: Location::new("src/app.py", 4, 1),
            }),
            problem: None,
            files: vec!["src/app.py".into()],
            sdk_calls: calls,
            flows: vec![],
        }
    }

    fn put_item(line: u32) -> SdkCall {
        SdkCall {
            sdk: Sdk::Boto3,
            service: "dynamodb".into(),
            operation: "PutItem".into(),
            resources: vec![ResourceArg {
                param: "TableName".into(),
                value: ArgValue::EnvVar("TABLE".into()),
            }],
            location: Location::new("src/app.py", line, 5),
        }
    }

    fn run(app: &App) -> Vec<Finding> {
        let mut out = Vec::new();
        GrantedUnused.check(app, &mut out);
        out
    }

    #[test]
    fn reports_unused_grants_with_the_generated_policy() {
        let mut a = app();
        a.roles.push(role(
            "R",
            vec![
                allow(&["dynamodb:*"], &["*"], 20),
                allow(&["s3:GetObject", "s3:DeleteObject"], &["*"], 21),
                allow(&["logs:CreateLogStream", "logs:PutLogEvents"], &["*"], 22),
            ],
        ));
        let mut f = function("Fn", "R", 5);
        f.code = Some(code(vec![put_item(9)]));
        a.functions.push(f);
        let findings = run(&a);
        let lines: Vec<String> = findings
            .iter()
            .map(|f| {
                format!(
                    "{} {} {}",
                    f.location,
                    f.function.as_deref().unwrap_or("-"),
                    f.message
                )
            })
            .collect();
        insta::assert_snapshot!(lines.join("\n"), @r"
        template.yaml:20:3 Fn Statement 0 of policy `inline` on role `R` grants what the code of function `Fn` never uses: `dynamodb:*` (used only for dynamodb:PutItem; 79 other actions)
        template.yaml:21:3 Fn Statement 1 of policy `inline` on role `R` grants what the code of function `Fn` never uses: `s3:GetObject`, `s3:DeleteObject`
        ");
        let related = &findings[0].related[0];
        assert!(
            related.message.contains("dynamodb:PutItem"),
            "{}",
            related.message
        );
        assert!(
            related
                .message
                .contains(r#"{"Policies":[{"PolicyName":"RLeastPrivilege""#),
            "{}",
            related.message
        );
    }

    #[test]
    fn silent_when_any_function_of_the_role_is_not_fully_analyzed() {
        let mut a = app();
        a.roles.push(role("R", vec![allow(&["s3:*"], &["*"], 20)]));
        let mut f = function("Fn", "R", 5);
        f.code = Some(code(vec![put_item(9)]));
        a.functions.push(f);
        // A sibling without a found handler.
        let mut g = function("Other", "R", 30);
        let mut c = code(vec![]);
        c.handler = None;
        g.code = Some(c);
        a.functions.push(g);
        assert!(run(&a).is_empty());
        // And one with an unrecognized call.
        a.functions.pop();
        let mut weird = put_item(10);
        weird.operation = "@dynamic".into();
        if let Some(c) = a.functions[0].code.as_mut() {
            c.sdk_calls.push(weird);
        }
        assert!(run(&a).is_empty());
    }

    #[test]
    fn silent_without_code_facts_and_when_everything_is_used() {
        let mut a = app();
        a.roles
            .push(role("R", vec![allow(&["dynamodb:PutItem"], &["*"], 20)]));
        a.functions.push(function("Fn", "R", 5));
        assert!(run(&a).is_empty());
        a.functions[0].code = Some(code(vec![put_item(9)]));
        assert!(run(&a).is_empty());
    }

    #[test]
    fn shared_role_counts_every_user_and_is_reported_once() {
        let mut a = app();
        a.roles.push(role(
            "Shared",
            vec![allow(
                &["dynamodb:PutItem", "sqs:SendMessage", "sns:Publish"],
                &["*"],
                20,
            )],
        ));
        let mut f = function("Writer", "Shared", 5);
        f.code = Some(code(vec![put_item(9)]));
        let mut g = function("Sender", "Shared", 30);
        let mut send = put_item(12);
        send.service = "sqs".into();
        send.operation = "SendMessage".into();
        g.code = Some(code(vec![send]));
        a.functions.push(f);
        a.functions.push(g);
        let findings = run(&a);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].function, None);
        assert!(
            findings[0].message.contains("`sns:Publish`"),
            "{}",
            findings[0].message
        );
        assert!(
            !findings[0].message.contains("sqs:SendMessage"),
            "{}",
            findings[0].message
        );
        assert!(
            findings[0]
                .message
                .contains("the 2 functions of role `Shared`")
        );
    }
}
