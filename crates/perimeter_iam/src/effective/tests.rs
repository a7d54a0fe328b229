//! Policy evaluation against tricky documents.

use super::*;
use crate::parse::parse_policy_json;
use perimeter_model::{Location, PolicySource};

fn loc(line: u32) -> Location {
    Location::new("t.yaml", line, 1)
}

fn role_of_json(docs: &[&str]) -> Role {
    let mut r = Role::new("R", loc(1), false);
    for (i, d) in docs.iter().enumerate() {
        r.policies.push(
            parse_policy_json(
                d,
                &format!("p{i}"),
                PolicySource::Inline,
                &loc(i as u32 + 2),
            )
            .unwrap(),
        );
    }
    r
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
fn not_action_with_allow_grants_everything_else() {
    let r = role_of_json(&[
        r#"{"Statement":{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*"}}"#,
    ]);
    let p = EffectivePermissions::of_role(&r);
    assert!(p.is_allowed("s3:DeleteBucket"));
    assert!(p.is_allowed("lambda:UpdateFunctionCode"));
    assert!(!p.is_allowed("iam:PassRole"));
    assert!(!p.is_allowed("organizations:LeaveOrganization"));
    let total = catalog().actions().len();
    let iam = catalog().count("iam:*") + catalog().count("organizations:*");
    assert_eq!(p.allowed().len(), total - iam);
    let a = p.allowance("s3:GetObject").unwrap();
    assert!(a.statement.not_action && a.any_resource);
}

#[test]
fn deny_overrides_allow_including_through_wildcards() {
    let r = role_of_json(&[r#"{"Statement":[
        {"Effect":"Allow","Action":"s3:*","Resource":"*"},
        {"Effect":"Deny","Action":"s3:*Object*","Resource":"*"},
        {"Effect":"Deny","Action":"s3:PutBucketPolicy","Resource":"arn:aws:s3:::locked"}
    ]}"#]);
    let p = EffectivePermissions::of_role(&r);
    assert!(!p.is_allowed("s3:GetObject"));
    assert!(!p.is_allowed("s3:putobjectacl"));
    assert!(p.is_denied("s3:DeleteObjectVersion"));
    assert!(p.is_allowed("s3:ListBucket"));
    // A resource-scoped Deny removes the action on that resource only.
    assert!(p.is_allowed("s3:PutBucketPolicy"));
    assert!(!p.allows("s3:PutBucketPolicy", "arn:aws:s3:::locked"));
    assert!(p.allows("s3:PutBucketPolicy", "arn:aws:s3:::other"));
    assert!(p.grants_for("s3:PutBucketPolicy")[0].partially_denied);
    assert!(p.grants_for("s3:GetObject").is_empty());
}

#[test]
fn wildcards_in_the_middle_and_case() {
    let r = role_of_json(&[
        r#"{"Statement":{"Effect":"Allow","Action":["IAM:*policy*","Dynamodb:GET?TEM"],"Resource":"*"}}"#,
    ]);
    let p = EffectivePermissions::of_role(&r);
    assert!(p.is_allowed("iam:PutRolePolicy"));
    assert!(p.is_allowed("iam:CreatePolicyVersion"));
    assert!(p.is_allowed("iam:DeleteUserPolicy"));
    assert!(!p.is_allowed("iam:PassRole"));
    assert!(p.is_allowed("dynamodb:GetItem"));
    assert!(!p.is_allowed("dynamodb:BatchGetItem"));
    let expected = catalog().count("iam:*Policy*") + 1;
    assert_eq!(p.allowed().len(), expected);
    assert!(p.unknown_actions.is_empty());
}

#[test]
fn not_resource_and_resource_matching() {
    let r = role_of_json(&[r#"{"Statement":[
        {"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::secret/*"},
        {"Effect":"Allow","Action":"dynamodb:PutItem","Resource":"arn:aws:dynamodb:*:*:table/orders"}
    ]}"#]);
    let p = EffectivePermissions::of_role(&r);
    assert!(p.allows("s3:GetObject", "arn:aws:s3:::public/a.txt"));
    assert!(!p.allows("s3:GetObject", "arn:aws:s3:::secret/key"));
    assert!(p.allows(
        "dynamodb:PutItem",
        "arn:aws:dynamodb:us-east-1:1:table/orders"
    ));
    assert!(!p.allows(
        "dynamodb:PutItem",
        "arn:aws:dynamodb:us-east-1:1:table/other"
    ));
    assert!(!p.allows("dynamodb:PutItem", "*"));
    assert!(!p.allows(
        "dynamodb:GetItem",
        "arn:aws:dynamodb:us-east-1:1:table/orders"
    ));
    let g = p.grants_for("dynamodb:PutItem");
    assert_eq!(g.len(), 1);
    assert!(matches!(g[0].resources, ResourceScope::Only(_)));
    assert_eq!(g[0].policy_name(), "p0");
}

#[test]
fn unknown_actions_grant_nothing_and_are_reported() {
    let r = role_of_json(&[r#"{"Statement":[
        {"Effect":"Allow","Action":["s3:GetObjekt","dynamodb:PutItem","s3:Gte*","sqss:SendMessage"],"Resource":"*"}
    ]}"#]);
    let p = EffectivePermissions::of_role(&r);
    assert_eq!(p.allowed().len(), 1);
    let unknown: Vec<_> = p
        .unknown_actions
        .iter()
        .map(|u| (u.written.as_str().unwrap(), u.suggestion.as_deref()))
        .collect();
    assert_eq!(
        unknown,
        vec![
            ("s3:GetObjekt", Some("s3:GetObject")),
            ("s3:Gte*", None),
            ("sqss:SendMessage", Some("sqs:SendMessage")),
        ]
    );
}

#[test]
fn conditions_are_kept_not_evaluated() {
    let r = role_of_json(&[r#"{"Statement":[
        {"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}},
        {"Effect":"Deny","Action":"kms:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}
    ]}"#]);
    let p = EffectivePermissions::of_role(&r);
    assert!(p.is_allowed("kms:Decrypt"));
    let a = p.allowance("kms:Decrypt").unwrap();
    assert!(a.conditional);
    assert!(p.grants()[0].conditional && p.grants()[0].partially_denied);
    assert!(p.admin_grant().is_none());
}

#[test]
fn managed_policies_expand_to_real_actions() {
    let mut r = role(vec![stmt(Effect::Allow, &["sqs:SendMessage"], &["*"], 2)]);
    r.managed_policy_arns.push(Attr::explicit(
        "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess".into(),
        loc(9),
    ));
    let p = EffectivePermissions::of_role(&r);
    assert!(p.is_allowed("dynamodb:DeleteTable"));
    assert!(p.is_allowed("dynamodb:Scan"));
    assert!(!p.is_allowed("iam:PutRolePolicy"));
    let g = p.grants_for("dynamodb:DeleteTable");
    assert_eq!(g[0].policy_name(), "AmazonDynamoDBFullAccess");
    assert_eq!(g[0].location().line, 9);
    assert_eq!(p.allowance("dynamodb:Scan").unwrap().location().line, 9);
    // AWS's statements are not judged for typos.
    assert!(p.unknown_actions.is_empty());
    assert!(p.allowed().len() > catalog().count("dynamodb:*") / 2);
}

#[test]
fn admin_and_levels_and_sensitive() {
    let admin = role(vec![stmt(Effect::Allow, &["*"], &["*"], 2)]);
    let p = EffectivePermissions::of_role(&admin);
    assert_eq!(p.admin_grant().map(|a| a.location.line), Some(2));
    assert_eq!(p.allowed().len(), catalog().actions().len());
    let r = role(vec![
        stmt(
            Effect::Allow,
            &["s3:GetObject", "iam:PassRole", "s3:ListAllMyBuckets"],
            &["*"],
            2,
        ),
        stmt(Effect::Deny, &["s3:GetObject"], &["*"], 3),
    ]);
    let p = EffectivePermissions::of_role(&r);
    assert!(p.admin_grant().is_none());
    let list: Vec<_> = p
        .actions_with_level(AccessLevel::List)
        .iter()
        .map(|a| a.full_name.as_str())
        .collect();
    assert_eq!(list, vec!["s3:ListAllMyBuckets"]);
    let sensitive: Vec<_> = p
        .sensitive()
        .iter()
        .map(|(a, _)| a.full_name.as_str())
        .collect();
    assert_eq!(sensitive, vec!["iam:PassRole"]);
    let mut managed_admin = role(vec![]);
    managed_admin.managed_policy_arns.push(Attr::explicit(
        "arn:aws:iam::aws:policy/AdministratorAccess".into(),
        loc(7),
    ));
    managed_admin
        .managed_policy_arns
        .push(Attr::unresolved("Fn::ImportValue", loc(8)));
    let p = EffectivePermissions::of_role(&managed_admin);
    assert_eq!(p.admin_grant().map(|a| a.location.line), Some(7));
    assert_eq!(p.managed.len(), 1);
}

#[test]
fn unresolved_entries_grant_nothing() {
    let mut s = stmt(Effect::Allow, &[], &["*"], 2);
    s.actions.push(Attr::unresolved("Fn::If", loc(2)));
    let mut n = Statement::new(loc(3));
    n.not_actions = vec![
        Attr::explicit("iam:*".to_string(), loc(3)),
        Attr::unresolved("Fn::If", loc(3)),
    ];
    n.resources = vec![Attr::explicit("*".to_string(), loc(3))];
    let r = role(vec![s, n]);
    let p = EffectivePermissions::of_role(&r);
    assert!(p.allowed().is_empty());
    assert!(!not_action_allows(p.allows[1].statement, "s3:GetObject"));
}

#[test]
fn of_function_follows_the_role() {
    let mut app = App::new("a", "a", perimeter_model::SourceKind::Sam, "t.yaml");
    app.roles
        .push(role(vec![stmt(Effect::Allow, &["sns:Publish"], &["*"], 2)]));
    let mut f = Function::new("F", loc(1));
    f.role = Attr::explicit("R".into(), loc(1));
    app.functions.push(f);
    let p = EffectivePermissions::of_function(&app, &app.functions[0]);
    assert!(p.is_allowed("SNS:publish"));
    assert!(p.allows("sns:Publish", "arn:aws:sns:us-east-1:1:t"));
}
