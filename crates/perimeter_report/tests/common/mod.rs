//! A realistic scan result built by hand (no loader, no rules): one SAM app with two
//! functions and a role, findings of several severities including a secret, two scores and
//! two per-file errors. The template on disk is `tests/fixtures/app/template.yaml`.

use perimeter_model::{App, Function, LoadError, Location, Model, Role, SourceKind};
use perimeter_report::ReportInput;
use perimeter_rules::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_score::{FunctionScore, Reason};
use std::path::{Path, PathBuf};

pub struct TestRule(pub RuleMeta);

impl Rule for TestRule {
    fn meta(&self) -> &RuleMeta {
        &self.0
    }
    fn check(&self, _app: &App, _out: &mut Vec<Finding>) {}
}

const fn meta(
    code: &'static str,
    name: &'static str,
    family: Family,
    severity: Severity,
    summary: &'static str,
    source: &'static str,
) -> RuleMeta {
    RuleMeta {
        code,
        name,
        family,
        summary,
        severity,
        likelihood: Level::High,
        impact: Level::High,
        confidence: Level::High,
        source,
    }
}

pub static AUTH002: TestRule = TestRule(meta(
    "AUTH002",
    "public-function-url",
    Family::Auth,
    Severity::High,
    "Function URL without authentication",
    "//! ## What it does\n//!\n//! Flags function URLs with `AuthType: NONE`.\n//!\n//! ## Why is this bad?\n//!\n//! Anyone on the internet can invoke the function.\n\nuse x;\n",
));
pub static IAM001: TestRule = TestRule(meta(
    "IAM001",
    "iam-admin-access",
    Family::Iam,
    Severity::Critical,
    "Role allows every action on every resource",
    "//! ## What it does\n//!\n//! Flags `Action: '*'` with `Resource: '*'`.\n",
));
pub static SEC001: TestRule = TestRule(meta(
    "SEC001",
    "plaintext-secret-in-environment",
    Family::Sec,
    Severity::High,
    "Secret in a plaintext environment variable",
    "",
));
pub static DEP002: TestRule = TestRule(meta(
    "DEP002",
    "deprecated-runtime",
    Family::Dep,
    Severity::Low,
    "Runtime past its end of support",
    "//! Runtimes past end of life get no security patches.\n",
));
pub static LOG003: TestRule = TestRule(meta(
    "LOG003",
    "environment-without-kms",
    Family::Log,
    Severity::Info,
    "Environment variables not encrypted with a customer key",
    "",
));

pub fn rules() -> Vec<&'static dyn Rule> {
    vec![&AUTH002, &DEP002, &IAM001, &LOG003, &SEC001]
}

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/app")
}

fn loc(line: u32, column: u32) -> Location {
    Location::new("template.yaml", line, column)
}

pub struct Scan {
    pub model: Model,
    pub findings: Vec<Finding>,
    pub scores: Vec<FunctionScore>,
    pub errors: Vec<LoadError>,
    pub rules: Vec<&'static dyn Rule>,
}

impl Scan {
    pub fn input<'a>(&'a self, root: &'a Path) -> ReportInput<'a> {
        ReportInput {
            root,
            model: &self.model,
            findings: &self.findings,
            scores: &self.scores,
            errors: &self.errors,
            suppressed: 2,
            rules: &self.rules,
            tool_version: "0.1.0",
            iam_catalog_date: "2026-10-27",
        }
    }
}

pub fn scan() -> Scan {
    let app_id = "template.yaml";
    let mut app = App::new(app_id, "template", SourceKind::Sam, app_id);
    app.functions.push(Function::new("ApiFunction", loc(5, 3)));
    app.functions
        .push(Function::new("WorkerFunction", loc(18, 3)));
    app.roles.push(Role::new("AdminRole", loc(24, 3), false));
    let model = Model {
        apps: vec![app],
        errors: Vec::new(),
    };

    let findings = vec![
        // Deliberately not in report order: emitters sort.
        Finding::new(
            &DEP002.0,
            app_id,
            Some("WorkerFunction"),
            "WorkerFunction",
            "nodejs16.x",
            "Function `WorkerFunction` runs on nodejs16.x, which reached end of support on 2024-06-12.",
            loc(21, 16),
            "Move to nodejs22.x.",
        ),
        Finding::new(
            &AUTH002.0,
            app_id,
            Some("ApiFunction"),
            "ApiFunction",
            "url",
            "Function URL of `ApiFunction` accepts requests from anyone (AuthType: NONE).",
            loc(12, 19),
            "Set `AuthType: AWS_IAM` or put the function behind an authenticated API.",
        )
        .with_related(
            "`ApiFunction` runs with role `AdminRole`, which allows every action",
            loc(24, 3),
        ),
        Finding::new(
            &SEC001.0,
            app_id,
            Some("ApiFunction"),
            "ApiFunction",
            "AWS_SECRET_ACCESS_KEY",
            "Environment variable `AWS_SECRET_ACCESS_KEY` of `ApiFunction` holds an AWS secret access key (wJal…).",
            loc(16, 11),
            "Store the value in Secrets Manager and read it at run time.",
        ),
        Finding::new(
            &IAM001.0,
            app_id,
            None,
            "AdminRole",
            "everything",
            "Role `AdminRole` allows `*` on `*` (policy `everything`).",
            loc(37, 25),
            "Grant only the actions and resources the functions use.",
        )
        .with_related("used by `ApiFunction`", loc(10, 7))
        .with_related("used by `WorkerFunction`", loc(23, 7)),
        Finding::new(
            &LOG003.0,
            app_id,
            Some("ApiFunction"),
            "ApiFunction",
            "kms",
            "Environment of `ApiFunction` is encrypted with the AWS managed key only.",
            loc(14, 9),
            "Set `KmsKeyArn`.",
        ),
        // A code missing from the catalog, in a file that does not exist.
        Finding::new(
            &meta(
                "SIGN001",
                "unsigned-code",
                Family::Sign,
                Severity::Medium,
                "",
                "",
            ),
            app_id,
            Some("WorkerFunction"),
            "WorkerFunction",
            "",
            "Function `WorkerFunction` does not verify code signatures.",
            Location::new("src/gone.py", 3, 1),
            "",
        ),
    ];

    let scores = vec![
        FunctionScore {
            app: app_id.to_string(),
            function: "ApiFunction".to_string(),
            name: "ApiFunction".to_string(),
            score: 87,
            reasons: vec![
                Reason {
                    points: 30,
                    factor: "exposure",
                    text: "reachable from the internet without authentication (function URL)"
                        .to_string(),
                    codes: vec!["AUTH002"],
                },
                Reason {
                    points: 35,
                    factor: "privilege",
                    text: "role AdminRole allows every action on every resource".to_string(),
                    codes: vec!["IAM001"],
                },
                Reason {
                    points: 12,
                    factor: "weakness",
                    text: "plaintext secret".to_string(),
                    codes: vec!["SEC001"],
                },
                Reason {
                    points: 10,
                    factor: "combination",
                    text: "public and admin".to_string(),
                    codes: vec![],
                },
            ],
            triggers: vec!["function-url (no auth)".to_string()],
            location: loc(5, 3),
        },
        FunctionScore {
            app: app_id.to_string(),
            function: "WorkerFunction".to_string(),
            name: "WorkerFunction".to_string(),
            score: 20,
            reasons: vec![Reason {
                points: 20,
                factor: "privilege",
                text: "role AdminRole allows every action on every resource".to_string(),
                codes: vec!["IAM001"],
            }],
            triggers: vec![],
            location: loc(18, 3),
        },
    ];

    let errors = vec![
        LoadError {
            file: "broken/template.yaml".to_string(),
            line: Some(3),
            column: Some(7),
            message: "mapping values are not allowed in this context".to_string(),
        },
        LoadError {
            file: "huge.json".to_string(),
            line: None,
            column: None,
            message: "file is larger than 16 MiB".to_string(),
        },
    ];

    Scan {
        model,
        findings,
        scores,
        errors,
        rules: rules(),
    }
}
