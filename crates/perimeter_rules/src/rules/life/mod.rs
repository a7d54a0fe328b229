//! LIFE rules: dead or obsolete things still deployed in a live account.
//!
//! They judge absence ("never invoked", "used by no function", "points at a deleted
//! function"), which only a live scan or a snapshot of one can tell: every rule here is silent
//! on IaC input (no [`App::live`](perimeter_model::App::live)), and speaks only about what the
//! scan read ([`LiveScope`]).

use crate::Rule;
use perimeter_model::{App, Function, LiveScope};

mod abandoned_deprecated_function;
mod trigger_to_deleted_function;
mod uninvoked_function;
mod unused_lambda_role;

pub use unused_lambda_role::DEFAULT_REGIONS;

/// The rules of this family.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![
        &uninvoked_function::UninvokedFunction,
        &unused_lambda_role::UnusedLambdaRole,
        &trigger_to_deleted_function::TriggerToDeletedFunction,
        &abandoned_deprecated_function::AbandonedDeprecatedFunction,
    ]
}

/// The scope of a live app; `None` for IaC input, where LIFE rules stay silent.
fn live(app: &App) -> Option<&LiveScope> {
    app.live.as_ref()
}

/// The AWS CLI command that deletes `function` (by ARN when known, so the region is implied).
fn delete_command(function: &Function, scope: &LiveScope) -> String {
    match &function.deployed {
        Some(d) if !d.arn.is_empty() => {
            format!("aws lambda delete-function --function-name {}", d.arn)
        }
        _ => format!(
            "aws lambda delete-function --function-name {} --region {}",
            function.name, scope.region
        ),
    }
}

/// The parts of a Lambda function ARN: `arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LambdaArn<'a> {
    pub region: &'a str,
    pub account: &'a str,
    pub name: &'a str,
}

pub(crate) fn parse_lambda_arn(arn: &str) -> Option<LambdaArn<'_>> {
    let mut parts = arn.split(':');
    if parts.next()? != "arn" {
        return None;
    }
    let _partition = parts.next()?;
    if parts.next()? != "lambda" {
        return None;
    }
    let region = parts.next()?;
    let account = parts.next()?;
    if parts.next()? != "function" {
        return None;
    }
    let name = parts.next()?;
    if region.is_empty() || account.is_empty() || name.is_empty() {
        return None;
    }
    Some(LambdaArn {
        region,
        account,
        name,
    })
}

/// `true` when `function` is the function `name` (its deployed ARN's name, else its name).
fn is_named(function: &Function, name: &str) -> bool {
    let deployed = function
        .deployed
        .as_ref()
        .and_then(|d| parse_lambda_arn(&d.arn))
        .is_some_and(|a| a.name == name);
    deployed || function.name == name
}

#[cfg(test)]
pub(crate) mod testing {
    //! Live-looking models for the LIFE unit tests.
    use perimeter_model::{
        App, Attr, Deployed, Function, LiveScope, Location, Principal, PrincipalKind, Role,
        SourceKind, Statement,
    };

    pub const ACCOUNT: &str = "123456789012";
    pub const REGION: &str = "eu-west-1";

    pub fn arn(name: &str) -> String {
        format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}")
    }

    pub fn loc(arn: &str) -> Location {
        Location::new(arn, 1, 1)
    }

    pub fn app(metrics_days: u32, regions: &[&str]) -> App {
        let mut app = App::new(
            format!("aws:{ACCOUNT}:{REGION}"),
            format!("{ACCOUNT}/{REGION}"),
            SourceKind::Aws,
            format!("aws:{ACCOUNT}:{REGION}"),
        );
        app.live = Some(LiveScope {
            account_id: ACCOUNT.into(),
            region: REGION.into(),
            regions_scanned: regions.iter().map(|r| r.to_string()).collect(),
            captured_at: "2026-07-01T00:00:00Z".into(),
            metrics_days,
            gaps: Vec::new(),
        });
        app
    }

    pub fn function(name: &str, role: &str, invocations: Option<u64>) -> Function {
        let arn = arn(name);
        let mut f = Function::new(name, loc(&arn));
        f.runtime = Attr::explicit("python3.13".into(), loc(&arn));
        f.role = Attr::explicit(format!("arn:aws:iam::{ACCOUNT}:role/{role}"), loc(&arn));
        f.deployed = Some(Deployed {
            arn,
            last_modified: Some("2026-06-01T10:00:00.000+0000".into()),
            code_sha256: None,
            code_size: None,
            state: Some("Active".into()),
            invocations,
            last_invoked: None,
        });
        f
    }

    pub fn role(name: &str, services: &[&str]) -> Role {
        let arn = format!("arn:aws:iam::{ACCOUNT}:role/{name}");
        let mut role = Role::new(name, loc(&arn), false);
        let mut trust = Statement::new(loc(&arn));
        trust
            .actions
            .push(Attr::explicit("sts:AssumeRole".into(), loc(&arn)));
        for s in services {
            trust.principals.push(Principal {
                kind: PrincipalKind::Service,
                value: Attr::explicit(s.to_string(), loc(&arn)),
            });
        }
        role.trust.push(trust);
        role
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_function_arns_only() {
        assert_eq!(
            parse_lambda_arn("arn:aws:lambda:eu-west-1:123456789012:function:thumbs:live"),
            Some(LambdaArn {
                region: "eu-west-1",
                account: "123456789012",
                name: "thumbs"
            })
        );
        assert_eq!(
            parse_lambda_arn("arn:aws:lambda:eu-west-1:1:layer:x:3"),
            None
        );
        assert_eq!(parse_lambda_arn("arn:aws:sqs:eu-west-1:1:function:x"), None);
        assert_eq!(parse_lambda_arn("MyFunction"), None);
    }
}
