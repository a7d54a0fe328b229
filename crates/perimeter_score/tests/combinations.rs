//! Scores weigh combinations more than their parts, and explain every point.

use perimeter_model::{
    App, Attr, Function, Location, Model, Policy, PolicySource, Role, SourceKind, Statement,
};
use perimeter_rules::{Family, Finding, Level, RuleMeta, Severity};
use perimeter_score::score;

fn meta(code: &'static str) -> RuleMeta {
    RuleMeta {
        code,
        name: "test-rule",
        family: Family::Auth,
        summary: "",
        severity: Severity::High,
        likelihood: Level::High,
        impact: Level::High,
        confidence: Level::High,
        source: "",
    }
}

fn loc(line: u32) -> Location {
    Location::new("template.yaml", line, 1)
}

fn finding(code: &'static str, function: &str) -> Finding {
    Finding::new(
        &meta(code),
        "template.yaml",
        Some(function),
        function,
        "",
        "msg",
        loc(1),
        "",
    )
}

/// An app with three functions: `Both` (public + admin + writes a table), `PublicOnly`
/// (public, nothing else) and `AdminOnly` (admin, not public, no data).
fn app() -> App {
    let mut app = App::new("template.yaml", "t", SourceKind::Sam, "template.yaml");
    let mut table = perimeter_model::Resource::new(
        "Table",
        perimeter_model::ResourceKind::Table,
        "AWS::DynamoDB::Table",
        loc(2),
    );
    table.name = None;
    app.resources.push(table);
    let mut role = Role::new("WriterRole", loc(3), false);
    let mut statement = Statement::new(loc(4));
    statement
        .actions
        .push(Attr::explicit("dynamodb:PutItem".to_string(), loc(4)));
    statement
        .resources
        .push(Attr::explicit("${Table.Arn}".to_string(), loc(4)));
    role.policies.push(Policy {
        name: "p".into(),
        source: PolicySource::Inline,
        location: loc(4),
        statements: vec![statement],
    });
    app.roles.push(role);
    for (id, line) in [("Both", 10), ("PublicOnly", 20), ("AdminOnly", 30)] {
        let mut f = Function::new(id, loc(line));
        if id == "Both" {
            f.role = Attr::explicit("WriterRole".to_string(), loc(line));
        }
        app.functions.push(f);
    }
    app
}

#[test]
fn combination_outweighs_its_parts() {
    let model = Model {
        apps: vec![app()],
        errors: vec![],
    };
    let findings = vec![
        finding("AUTH002", "Both"),
        finding("IAM003", "Both"),
        finding("AUTH002", "PublicOnly"),
        finding("IAM003", "AdminOnly"),
    ];
    let scores = score(&model, &findings);
    let get = |id: &str| scores.iter().find(|s| s.function == id).unwrap();
    let (both, public, admin) = (get("Both"), get("PublicOnly"), get("AdminOnly"));
    assert_eq!(
        scores[0].function, "Both",
        "the combined function ranks first"
    );
    assert!(
        both.score > public.score + admin.score,
        "{} > {} + {}",
        both.score,
        public.score,
        admin.score
    );
    assert!(both.reasons.iter().any(|r| r.factor == "combination"));
    assert!(
        both.reasons
            .iter()
            .any(|r| r.factor == "data" && r.text.contains("Table"))
    );
    for s in &scores {
        assert_eq!(
            s.score,
            s.reasons.iter().map(|r| r.points).sum::<u32>(),
            "every point explained"
        );
        assert!(s.score <= 100);
    }
}

#[test]
fn a_function_with_nothing_wrong_scores_zero() {
    let model = Model {
        apps: vec![app()],
        errors: vec![],
    };
    let scores = score(&model, &[]);
    let quiet = scores.iter().find(|s| s.function == "PublicOnly").unwrap();
    assert_eq!(quiet.score, 0);
    assert!(quiet.reasons.is_empty());
}

#[test]
fn role_findings_count_for_every_function_using_the_role() {
    let mut app = app();
    app.functions[1].role = Attr::explicit("WriterRole".to_string(), loc(20));
    let model = Model {
        apps: vec![app],
        errors: vec![],
    };
    let role_finding = Finding::new(
        &meta("IAM001"),
        "template.yaml",
        None,
        "WriterRole",
        "",
        "m",
        loc(4),
        "",
    );
    let scores = score(&model, &[role_finding]);
    for id in ["Both", "PublicOnly"] {
        let s = scores.iter().find(|s| s.function == id).unwrap();
        assert!(
            s.reasons.iter().any(|r| r.codes.contains(&"IAM001")),
            "{id}: {:?}",
            s.reasons
        );
    }
}

#[test]
fn public_and_injectable_weighs_more_than_either() {
    let model = Model {
        apps: vec![app()],
        errors: vec![],
    };
    let findings = vec![
        finding("AUTH001", "PublicOnly"),
        finding("INJ001", "PublicOnly"),
        finding("INJ001", "AdminOnly"),
    ];
    let scores = score(&model, &findings);
    let get = |id: &str| scores.iter().find(|s| s.function == id).unwrap();
    let (both, inj_only) = (get("PublicOnly"), get("AdminOnly"));
    assert!(
        both.reasons
            .iter()
            .any(|r| r.factor == "combination" && r.text.contains("injectable")),
        "{:?}",
        both.reasons
    );
    assert!(inj_only.reasons.iter().any(|r| r.codes.contains(&"INJ001")));
    assert!(
        both.score > inj_only.score + 30,
        "{} vs {}",
        both.score,
        inj_only.score
    );
}

#[test]
fn code_findings_count_for_every_function_shipping_the_bundle() {
    use perimeter_model::{BundleKind, CodeBundle, FunctionCode, Language, SourceFile};
    let mut app = app();
    app.code.push(CodeBundle {
        id: "src".into(),
        root: "src".into(),
        kind: BundleKind::Folder,
        files: vec![SourceFile {
            path: "src/requirements.txt".into(),
            language: Language::Other,
            size: 10,
        }],
        dependencies: vec![],
        secrets: vec![],
    });
    for f in app.functions.iter_mut().take(2) {
        f.code = Some(FunctionCode {
            bundle: "src".into(),
            layers: vec![],
            language: Language::Python,
            handler: None,
            problem: None,
            files: vec![],
            sdk_calls: vec![],
            flows: vec![],
        });
    }
    let model = Model {
        apps: vec![app],
        errors: vec![],
    };
    let vulnerable = Finding::new(
        &meta("DEP002"),
        "template.yaml",
        None,
        "src",
        "",
        "m",
        Location::new("src/requirements.txt", 2, 1),
        "",
    );
    let scores = score(&model, &[vulnerable]);
    let get = |id: &str| scores.iter().find(|s| s.function == id).unwrap();
    for id in ["Both", "PublicOnly"] {
        assert!(
            get(id).reasons.iter().any(|r| r.codes.contains(&"DEP002")),
            "{id}"
        );
    }
    assert!(
        get("AdminOnly").reasons.is_empty(),
        "does not ship the bundle"
    );
}
