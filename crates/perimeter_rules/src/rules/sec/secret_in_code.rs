//! ## What it does
//! Flags secrets written into the code a function deploys: the handler's folder or archive,
//! and the layers it uses. Every file of the bundle is scanned (source, `.env`, JSON, YAML,
//! INI, shell, …; not vendored packages, lockfiles, minified bundles or binaries) for
//! provider formats — AWS access key ids and the secret key next to them, PEM/OpenSSH/PGP
//! private keys and Google service-account keys, GitHub, GitLab, Slack (tokens and webhooks),
//! Stripe, Twilio, SendGrid, Google API, npm, PyPI, OpenAI, Anthropic, Shopify, Mailgun,
//! DigitalOcean, Hugging Face, Postman, Square and Discord tokens, Azure storage keys, JWTs,
//! passwords in database and other URLs — and for literals assigned to secret-looking names
//! (`DB_PASSWORD = "…"`, `"apiKey": "…"`, `JWT_SECRET: …`).
//!
//! The finding points at the secret's first character, names the detector, shows the value
//! redacted (at most its first four characters and its length) and lists the functions that
//! ship the bundle. Severity follows the detector's confidence: vendor formats are high; a
//! random-looking literal under a secret name is medium; a human-chosen password, a JWT, a
//! Stripe test key or a URL password for `localhost` is low. Placeholders (`changeme`,
//! `<your-key>`, `${VAR}`, `{{…}}`, `xxxx`), environment lookups (`process.env.X`,
//! `os.environ[...]`) and published documentation examples (`AKIAIOSFODNN7EXAMPLE`) are not
//! reported; secrets in tests, fixtures, examples and documentation are one level lower.
//! Environment variables declared in the template are left to SEC001 and SEC002, which name
//! the variable.
//!
//! ## Why is this bad?
//! Code is copied everywhere: the repository and its history, CI caches, the deployment
//! bucket, every developer's laptop, and the function package that anyone with
//! `lambda:GetFunction` can download. A key in code cannot be rotated without a deployment,
//! is shared by every stage that deploys the same code, and is the first thing automated
//! scanners harvest from a leaked repository or package.
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
//! ```
//!
//! with `src/app.py`:
//! ```python
//! import psycopg
//!
//! conn = psycopg.connect(host="orders.cluster-c9ak.eu-west-1.rds.amazonaws.com",
//!                        user="orders", password="Gx7pQ2vLm9sK4wRt")
//!
//! def handler(event, context):
//!     return conn.execute("SELECT count(*) FROM orders").fetchone()[0]
//! ```
//!
//! Use instead:
//! ```yaml
//! AWSTemplateFormatVersion: '2010-09-09'
//! Transform: AWS::Serverless-2016-10-31
//! Resources:
//!   DbSecret:
//!     Type: AWS::SecretsManager::Secret
//!   Fn:
//!     Type: AWS::Serverless::Function
//!     Properties:
//!       Runtime: python3.12
//!       Handler: app.handler
//!       CodeUri: src/
//!       Environment:
//!         Variables:
//!           DB_SECRET_ARN: !Ref DbSecret
//!       Policies:
//!         - AWSSecretsManagerGetSecretValuePolicy:
//!             SecretArn: !Ref DbSecret
//! ```
//!
//! with `src/app.py`:
//! ```python
//! import json, os, boto3, psycopg
//!
//! creds = json.loads(boto3.client("secretsmanager").get_secret_value(
//!     SecretId=os.environ["DB_SECRET_ARN"])["SecretString"])
//! conn = psycopg.connect(host=creds["host"], user=creds["username"],
//!                        password=creds["password"])
//!
//! def handler(event, context):
//!     return conn.execute("SELECT count(*) FROM orders").fetchone()[0]
//! ```
//!
//! ## Remediation
//! Rotate the secret first: it is already exposed, in the repository history and in every
//! package built from it. Then keep it in AWS Secrets Manager or SSM Parameter Store
//! (SecureString), pass its ARN or name to the function, and read it at run time (the AWS
//! Parameters and Secrets Lambda Extension caches it). AWS access keys are never needed in a
//! function: grant its role the permissions instead. Keep test credentials obviously fake
//! (`…EXAMPLE`, `xxxx`) so they are not mistaken for real ones.
//!
//! ## References
//! - CWE-798: Use of Hard-coded Credentials
//! - CWE-540: Inclusion of Sensitive Information in Source Code
//! - https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html
//! - https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-retrieve

use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::{App, BundleKind, CodeBundle, Confidence, Function, SecretHit};
use std::collections::HashSet;

pub struct SecretInCode;

static META: RuleMeta = RuleMeta {
    code: "SEC003",
    name: "secret-in-code",
    family: Family::Sec,
    summary: "A secret written into the code or layer a function deploys",
    severity: Severity::High,
    likelihood: Level::High,
    impact: Level::High,
    confidence: Level::Medium,
    source: include_str!("secret_in_code.rs"),
};

const REMEDIATION: &str = "Rotate the secret, move it to Secrets Manager or SSM Parameter Store (SecureString), and read it at run time by ARN or name.";

impl Rule for SecretInCode {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        // Bundles may overlap (a layer folder inside a function's folder): one finding per spot.
        let mut seen = HashSet::new();
        for bundle in &app.code {
            let shipping = shipping_functions(app, bundle);
            let mut occurrences: std::collections::HashMap<(&str, &str, &str), usize> =
                std::collections::HashMap::new();
            for hit in &bundle.secrets {
                if in_environment(app, hit) || !seen.insert((&hit.location, hit.detector.as_str()))
                {
                    continue;
                }
                // The fingerprint must survive edits elsewhere in the file: detector, file and
                // redacted value, numbered when they repeat.
                let n = occurrences
                    .entry((
                        hit.detector.as_str(),
                        hit.location.file.as_str(),
                        hit.redacted.as_str(),
                    ))
                    .or_insert(0);
                *n += 1;
                let key = format!(
                    "{}\u{0}{}\u{0}{}\u{0}{n}",
                    hit.detector, hit.location.file, hit.redacted
                );
                out.push(finding(app, bundle, &shipping, hit, &key));
            }
        }
    }
}

/// A hit on a function's environment variable in the template (a Serverless service's folder
/// holds its `serverless.yml`): SEC001 and SEC002 report those, with the variable's name.
fn in_environment(app: &App, hit: &SecretHit) -> bool {
    app.functions
        .iter()
        .flat_map(|f| &f.environment)
        .flat_map(|e| [&e.location, &e.value.location])
        .any(|l| l.file == hit.location.file && l.line == hit.location.line)
}

/// Functions that deploy `bundle`, as their code or as a layer.
fn shipping_functions<'a>(app: &'a App, bundle: &CodeBundle) -> Vec<&'a Function> {
    app.functions
        .iter()
        .filter(|f| {
            f.code
                .as_ref()
                .is_some_and(|c| c.bundle == bundle.id || c.layers.contains(&bundle.id))
        })
        .collect()
}

fn severity(confidence: Confidence) -> Severity {
    match confidence {
        Confidence::High => Severity::High,
        Confidence::Medium => Severity::Medium,
        Confidence::Low => Severity::Low,
    }
}

fn finding(
    app: &App,
    bundle: &CodeBundle,
    shipping: &[&Function],
    hit: &SecretHit,
    key: &str,
) -> Finding {
    let what = match bundle.kind {
        BundleKind::Layer => "layer",
        BundleKind::Archive => "package",
        BundleKind::Inline => "inline code",
        BundleKind::Folder => "code",
    };
    let names: Vec<String> = shipping.iter().map(|f| format!("`{}`", f.id)).collect();
    let shipped = match names.len() {
        0 => "no function in this template deploys it".to_string(),
        1 => format!("deployed by function {}", names[0]),
        n if n <= 5 => format!("deployed by functions {}", names.join(", ")),
        n => format!("deployed by {n} functions ({}, …)", names[..3].join(", ")),
    };
    let message = format!(
        "The {what} `{}` holds a secret: {} `{}` (detector `{}`); {shipped}.",
        bundle.root, hit.description, hit.redacted, hit.detector
    );
    let first = shipping.first();
    let mut f = Finding::new(
        &META,
        &app.id,
        first.map(|f| f.id.as_str()),
        first.map_or(bundle.root.as_str(), |f| f.id.as_str()),
        key,
        message,
        hit.location.clone(),
        REMEDIATION,
    )
    .with_severity(severity(hit.confidence));
    for function in shipping.iter().take(5) {
        f = f.with_related(
            format!("function `{}` deploys this {what}", function.id),
            function.location.clone(),
        );
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::iam::testkit::*;
    use perimeter_model::{FunctionCode, Language, Location};

    fn hit(detector: &str, confidence: Confidence, line: u32) -> SecretHit {
        SecretHit {
            detector: detector.into(),
            description: "Stripe secret key".into(),
            redacted: "sk_l… (32 chars)".into(),
            confidence,
            location: Location::new("src/app.py", line, 18),
        }
    }

    fn bundle(id: &str, kind: BundleKind, secrets: Vec<SecretHit>) -> CodeBundle {
        CodeBundle {
            id: id.into(),
            root: id.into(),
            kind,
            files: Vec::new(),
            dependencies: Vec::new(),
            secrets,
        }
    }

    fn code(bundle: &str, layers: &[&str]) -> FunctionCode {
        FunctionCode {
            bundle: bundle.into(),
            layers: layers.iter().map(|s| s.to_string()).collect(),
            language: Language::Python,
            handler: None,
            problem: None,
            files: Vec::new(),
            sdk_calls: Vec::new(),
            flows: Vec::new(),
        }
    }

    #[test]
    fn reports_each_hit_with_the_functions_that_ship_it() {
        let mut a = app();
        a.code.push(bundle(
            "src",
            BundleKind::Folder,
            vec![
                hit("stripe-key", Confidence::High, 3),
                hit("password-assignment", Confidence::Low, 9),
            ],
        ));
        a.code.push(bundle(
            "layers/common",
            BundleKind::Layer,
            vec![hit("jwt", Confidence::Medium, 4)],
        ));
        for (id, line) in [("Api", 10), ("Worker", 20)] {
            let mut f = function(id, "R", line);
            f.code = Some(code("src", &["layers/common"]));
            a.functions.push(f);
        }
        let found = run(&SecretInCode, &a);
        let summary: Vec<(Severity, u32)> = found
            .iter()
            .map(|f| (f.severity, f.location.line))
            .collect();
        assert_eq!(
            summary,
            vec![
                (Severity::High, 3),
                (Severity::Low, 9),
                (Severity::Medium, 4)
            ]
        );
        assert_eq!(
            found[0].message,
            "The code `src` holds a secret: Stripe secret key `sk_l… (32 chars)` (detector `stripe-key`); deployed by functions `Api`, `Worker`."
        );
        assert!(found[2].message.starts_with("The layer `layers/common`"));
        assert_eq!(found[0].related.len(), 2);
        assert_eq!(found[0].function.as_deref(), Some("Api"));
    }

    #[test]
    fn an_unused_bundle_is_still_reported_and_fingerprints_are_stable() {
        let mut a = app();
        a.code.push(bundle(
            "old",
            BundleKind::Archive,
            vec![hit("stripe-key", Confidence::High, 3)],
        ));
        let first = run(&SecretInCode, &a);
        assert!(
            first[0]
                .message
                .contains("no function in this template deploys it")
        );
        assert_eq!(first[0].resource, "old");
        // Moving the secret to another line keeps the fingerprint.
        a.code[0].secrets[0].location.line = 30;
        let moved = run(&SecretInCode, &a);
        assert_eq!(first[0].fingerprint, moved[0].fingerprint);
    }

    #[test]
    fn environment_variables_in_the_template_are_left_to_sec001() {
        let mut a = app();
        let mut f = function("Fn", "R", 3);
        f.code = Some(code("src", &[]));
        f.environment.push(perimeter_model::EnvVar {
            name: "STRIPE_KEY".into(),
            value: perimeter_model::Attr::explicit(
                "sk_live_x".to_string(),
                Location::new("src/app.py", 3, 18),
            ),
            location: Location::new("src/app.py", 3, 7),
        });
        a.functions.push(f);
        a.code.push(bundle(
            "src",
            BundleKind::Folder,
            vec![
                hit("stripe-key", Confidence::High, 3),
                hit("stripe-key", Confidence::High, 4),
            ],
        ));
        let found = run(&SecretInCode, &a);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].location.line, 4);
    }

    #[test]
    fn nothing_without_code_facts() {
        let mut a = app();
        a.functions.push(function("Fn", "R", 3));
        assert!(run(&SecretInCode, &a).is_empty());
    }
}
