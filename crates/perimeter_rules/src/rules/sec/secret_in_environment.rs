//! ## What it does
//! Flags function environment variables whose value looks like a real secret: an AWS access
//! key id (`AKIA…`/`ASIA…`) or the 40-character secret key next to it, a PEM private key,
//! GitHub, GitLab, Slack, Stripe, Google, Twilio, SendGrid, npm, PyPI, OpenAI, Anthropic,
//! Shopify, Mailgun, DigitalOcean, Hugging Face, Postman or Square tokens, a Slack or Discord
//! webhook, an Azure storage key, a JWT, a password inside a connection URL
//! (`postgres://user:pass@host`), or a random-looking token of 20 or more characters (high
//! Shannon entropy, not base64-encoded text). Vendor formats are high; a random-looking token
//! is high when the variable's name also says secret and medium otherwise, and a hex-only one
//! (hashes, commit ids, ETags look so) is reported only under a secret-like name.
//!
//! Placeholders (`changeme`, `<…>`, `${…}`, `xxx`, `example`, empty values) and references
//! to a secret store (`{{resolve:secretsmanager:…}}`, `{{resolve:ssm-secure:…}}`, `${ssm:…}`,
//! Secrets Manager and SSM ARNs, parameter paths) are not reported, nor are values that
//! cannot be known statically, nor published documentation examples and low-randomness
//! stand-ins (`ghp_1234567890abcdef…`). The detectors are the ones SEC003 runs over code. Messages show at most the first four characters and the
//! length of the secret. A secret-sounding name holding a plain literal is SEC002.
//!
//! ## Why is this bad?
//! Environment variables are configuration, not a vault: the value sits in plain text in the
//! template and its Git history, in the CloudFormation stack, in
//! `lambda:GetFunctionConfiguration` for anyone with read access to the function, in CI
//! logs, and in the memory of every dependency the function loads. A leaked key is used
//! within minutes of reaching a public repository.
//!
//! ## Example
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   Fn:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       Environment:
//!         Variables:
//!           UPLOAD_KEY_ID: AKIA2OGYBAH6RHVLZ4QP
//! ```
//!
//! Use instead:
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   UploadCredentials:
//!     Type: AWS::SecretsManager::Secret
//!   Fn:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       Environment:
//!         Variables:
//!           UPLOAD_SECRET_ARN: !Ref UploadCredentials
//!       Policies:
//!         - AWSSecretsManagerGetSecretValuePolicy:
//!             SecretArn: !Ref UploadCredentials
//! ```
//!
//! ## Remediation
//! Rotate the secret first: it is already exposed. Then keep it in AWS Secrets Manager or SSM
//! Parameter Store (SecureString), pass its ARN or name in the environment, and read it at run
//! time (the AWS Parameters and Secrets Lambda Extension caches it). AWS access keys in a
//! function are never needed: grant the function's role the permissions instead.
//!
//! ## References
//! - CWE-798: Use of Hard-coded Credentials
//! - CWE-312: Cleartext Storage of Sensitive Information
//! - https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-encryption
//! - https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html

use super::secrets::redact;
use super::{Verdict, each_variable, judge, variable_finding};
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::App;

pub struct SecretInEnvironment;

static META: RuleMeta = RuleMeta {
    code: "SEC001",
    name: "secret-in-environment",
    family: Family::Sec,
    summary: "A secret-looking value in a function's environment variables",
    severity: Severity::High,
    likelihood: Level::High,
    impact: Level::High,
    confidence: Level::High,
    source: include_str!("secret_in_environment.rs"),
};

const REMEDIATION: &str = "Rotate the secret, store it in Secrets Manager or SSM Parameter Store (SecureString), and pass only its ARN or name.";

impl Rule for SecretInEnvironment {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        each_variable(app, |function, var, sharing| {
            let Verdict::Value(m, severity) = judge(function, var) else {
                return;
            };
            let value = var.value.as_str().unwrap_or_default();
            let says = format!("holds {} (`{}`)", m.kind.label(), redact(m.text(value)));
            out.push(
                variable_finding(&META, app, function, var, sharing, &says, REMEDIATION)
                    .with_severity(severity),
            );
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::iam::testkit::*;
    use perimeter_model::{Attr, Origin};

    #[test]
    fn vendor_token_is_high_and_redacted() {
        let a = app_with_env(vec![env("UPLOAD_KEY_ID", "AKIA2OGYBAH6RHVLZ4QP", 7)]);
        let found = run(&SecretInEnvironment, &a);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::High);
        assert!(
            found[0]
                .message
                .contains("an AWS access key id (`AKIA… (20 chars)`)")
        );
        assert!(!found[0].message.contains("AKIA2OGYBAH6RHVLZ4QP"));
        assert_eq!(found[0].location.line, 7);
    }

    #[test]
    fn aws_secret_key_next_to_its_id() {
        let secret = "k7Rt2PqW9zXv4LmN8sYb3HcJ6dFg1QwEr5Ty0U/+";
        let a = app_with_env(vec![
            env("K", "AKIA2OGYBAH6RHVLZ4QP", 7),
            env("S", secret, 8),
        ]);
        let found = run(&SecretInEnvironment, &a);
        assert_eq!(found.len(), 2);
        assert!(found[1].message.contains("an AWS secret access key"));
        assert!(!found[1].message.contains(secret));
    }

    #[test]
    fn random_token_severity_follows_the_name() {
        let token = "Zx8Qp2Lm5Vt9Rk3Wn7Yb4Hc6Jd1Fg0";
        let a = app_with_env(vec![
            env("PARTNER_SECRET", token, 7),
            env("SOMETHING", token, 8),
        ]);
        let found = run(&SecretInEnvironment, &a);
        assert_eq!(
            found.iter().map(|f| f.severity).collect::<Vec<_>>(),
            vec![Severity::High, Severity::Medium]
        );
    }

    #[test]
    fn silent_on_placeholders_references_unresolved_and_name_only() {
        let mut unresolved = env("API_TOKEN", "", 9);
        unresolved.value = Attr::unresolved("Fn::ImportValue", loc(9));
        let a = app_with_env(vec![
            env(
                "DB_PASSWORD",
                "{{resolve:secretsmanager:prod/db:SecretString:password}}",
                4,
            ),
            env("API_KEY", "${ssm:/prod/api-key}", 5),
            env("AWS_KEY", "AKIAIOSFODNN7EXAMPLE", 6),
            env("DB_PASSWORD", "hunter2-prod", 7),
            env(
                "SECRET_ARN",
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf",
                8,
            ),
            unresolved,
        ]);
        assert!(run(&SecretInEnvironment, &a).is_empty());
    }

    #[test]
    fn inherited_variables_are_reported_once() {
        let mut a = app();
        for (i, id) in ["A", "B", "C"].iter().enumerate() {
            let mut f = function(id, "R", 10 + i as u32);
            let mut v = env(
                "SLACK_TOKEN",
                &format!("xoxb-{}-{}", "2342342342", "Zk3jH8sLq9"),
                4,
            );
            v.value.origin = Origin::Inherited;
            f.environment.push(v);
            a.functions.push(f);
        }
        let found = run(&SecretInEnvironment, &a);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("inherited by 3 functions"));
    }
}
