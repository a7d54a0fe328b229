//! ## What it does
//! Flags function environment variables whose name says they hold a secret (`DB_PASSWORD`,
//! `JWT_SECRET`, `STRIPE_API_KEY`, `clientSecret`) and whose value is a plain literal: not a
//! placeholder, not a reference to Secrets Manager or SSM, not a URL, number or boolean, at
//! least six characters. Names that point to a secret rather than hold one
//! (`DB_PASSWORD_SECRET_ARN`, `API_KEY_NAME`, `TOKEN_URL`, `TOKENS_TABLE`,
//! `PASSWORD_MIN_LENGTH`) are not secret names. Values that look like a secret by themselves
//! are reported by SEC001 instead.
//!
//! Medium severity and confidence: the name is the only evidence. The value may be a
//! low-value shared secret for a test stage, or a human-chosen password that is real.
//!
//! ## Why is this bad?
//! A password written into the template is in the repository's history forever, in the
//! deployed stack, and readable by anyone who can call `lambda:GetFunctionConfiguration`.
//! Human-chosen secrets are also the ones that get reused across stages and services.
//!
//! ## Example
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Fn:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: nodejs20.x
//!       Handler: index.handler
//!       CodeUri: src/
//!       Environment:
//!         Variables:
//!           DB_PASSWORD: Tr0ub4dor-prod
//! ```
//!
//! Use instead:
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Fn:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: nodejs20.x
//!       Handler: index.handler
//!       CodeUri: src/
//!       Environment:
//!         Variables:
//!           DB_PASSWORD: '{{resolve:secretsmanager:prod/db:SecretString:password}}'
//! ```
//!
//! ## Remediation
//! Store the secret in AWS Secrets Manager or SSM Parameter Store (SecureString) and pass its
//! ARN or name; read it at run time. A `{{resolve:secretsmanager:…}}` dynamic reference keeps
//! it out of the template (though still in the function's configuration). Rotate a secret
//! that was committed.
//!
//! ## References
//! - CWE-798: Use of Hard-coded Credentials
//! - CWE-260: Password in Configuration File
//! - https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html

use super::secrets::redact;
use super::{Verdict, each_variable, judge, variable_finding};
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::App;

pub struct SecretLikeEnvironmentName;

static META: RuleMeta = RuleMeta {
    code: "SEC002",
    name: "secret-like-environment-name",
    family: Family::Sec,
    summary: "A secret-named environment variable set to a literal value",
    severity: Severity::Medium,
    likelihood: Level::Medium,
    impact: Level::High,
    confidence: Level::Medium,
    source: include_str!("secret_like_environment_name.rs"),
};

const REMEDIATION: &str = "Store the value in Secrets Manager or SSM Parameter Store (SecureString) and pass only its ARN or name.";

impl Rule for SecretLikeEnvironmentName {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        each_variable(app, |function, var, sharing| {
            if judge(function, var) != Verdict::Name {
                return;
            }
            let value = var.value.as_str().unwrap_or_default();
            let says = format!(
                "is named like a secret and set to a literal (`{}`)",
                redact(super::shown_value(value).trim())
            );
            out.push(variable_finding(
                &META,
                app,
                function,
                var,
                sharing,
                &says,
                REMEDIATION,
            ));
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::iam::testkit::*;

    #[test]
    fn literal_under_secret_name() {
        let a = app_with_env(vec![
            env("DB_PASSWORD", "Tr0ub4dor-prod", 7),
            env("jwtSecret", "my-signing-secret", 8),
        ]);
        let found = run(&SecretLikeEnvironmentName, &a);
        assert_eq!(found.len(), 2);
        assert!(found[0].message.contains("`Tr… (14 chars)`"));
        assert!(!found[0].message.contains("Tr0ub4dor"));
        assert_eq!(found[0].severity, Severity::Medium);
    }

    #[test]
    fn silent_on_references_placeholders_and_value_shaped() {
        let a = app_with_env(vec![
            env(
                "DB_PASSWORD_SECRET_ARN",
                "arn:aws:secretsmanager:us-east-1:1:secret:db",
                3,
            ),
            env("API_KEY_NAME", "prod-api-key", 4),
            env("DB_PASSWORD", "changeme", 5),
            env("TOKEN_URL", "https://auth.example.com/token", 6),
            env("TOKENS_TABLE", "tokens-prod", 7),
            env("API_KEY", "AKIA2OGYBAH6RHVLZ4QP", 8),
            env("DB_PASSWORD", "/prod/db/password", 9),
            env("TOKEN_TTL", "3600", 10),
            env("BUCKET", "my-secret-bucket", 11),
        ]);
        assert!(run(&SecretLikeEnvironmentName, &a).is_empty());
    }
}
