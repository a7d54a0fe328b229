//! LIFE rules over live-looking accounts. They judge what a live scan read (`App::live`),
//! which no IaC template holds, so the loader-backed harnesses skip them and this file runs
//! their fixtures (`tests/fixtures/LIFE*/bad*`, `good*`) and documented examples itself.
//!
//! Fixtures describe an account in a small YAML form (the one the rules' documentation
//! shows), built into the model here the way a live read fills it: one app per account and
//! region, functions with their deployed facts, roles with their trust, resources with the
//! function ARNs they notify:
//!
//! ```yaml
//! live: { account: "1", region: eu-west-1, regions-scanned: [eu-west-1], all-regions: false,
//!         metrics-days: 30 }
//! functions: [{ name, runtime, role, invocations, last-modified, url, on-failure }]
//! roles: [{ name, trust: [service…], admin: false }]
//! resources: [{ name, type, notifies: [arn…] }]
//! ```

use perimeter_load::doc::{self, Node};
use perimeter_model::{
    App, Attr, Deployed, Function, FunctionUrl, LiveScope, Location, Policy, PolicySource,
    Principal, PrincipalKind, Resource, ResourceKind, Role, SourceKind, Statement,
};
use perimeter_rules::rules::dep::{Date, set_today};
use perimeter_rules::rules::life::DEFAULT_REGIONS;
use perimeter_rules::{Family, Finding, Rule, registry};
use std::path::Path;

const TODAY: Date = Date::new(2026, 7, 1);

fn at(file: &str, node: &Node) -> Location {
    Location::new(file, node.line, node.column)
}

fn text<'a>(node: &'a Node, key: &str) -> Option<&'a str> {
    node.get(key).and_then(Node::as_str)
}

fn attr(file: &str, node: &Node, key: &str) -> Option<Attr<String>> {
    let value = node.get(key)?;
    Some(Attr::explicit(value.as_str()?.to_string(), at(file, value)))
}

/// Builds the app a live read of the described account would give.
fn build(file: &str, yaml: &str) -> App {
    let root = doc::parse_yaml(yaml)
        .unwrap_or_else(|e| panic!("{file}: {e}"))
        .unwrap_or_else(|| panic!("{file}: empty"));
    let live = root
        .get("live")
        .unwrap_or_else(|| panic!("{file}: no `live`"));
    let account = text(live, "account").unwrap_or("123456789012").to_string();
    let region = text(live, "region").unwrap_or("eu-west-1").to_string();
    let regions_scanned = if live.get("all-regions").and_then(Node::as_bool) == Some(true) {
        DEFAULT_REGIONS.iter().map(|r| r.to_string()).collect()
    } else {
        match live.get("regions-scanned") {
            Some(list) => list
                .items()
                .iter()
                .filter_map(|r| r.as_str().map(String::from))
                .collect(),
            None => vec![region.clone()],
        }
    };
    let mut app = App::new(file, format!("{account}/{region}"), SourceKind::Aws, file);
    app.live = Some(LiveScope {
        account_id: account.clone(),
        region: region.clone(),
        regions_scanned,
        captured_at: "2026-07-01T06:00:00Z".into(),
        metrics_days: live
            .get("metrics-days")
            .and_then(Node::as_i64)
            .unwrap_or(30) as u32,
        gaps: Vec::new(),
    });
    for node in root.get("functions").map(Node::items).unwrap_or_default() {
        let name = text(node, "name").expect("function name");
        let mut f = Function::new(name, at(file, node));
        if let Some(runtime) = attr(file, node, "runtime") {
            f.runtime = runtime;
        }
        if let Some(role) = text(node, "role") {
            f.role = Attr::explicit(
                format!("arn:aws:iam::{account}:role/{role}"),
                at(file, node),
            );
        }
        f.on_failure = attr(file, node, "on-failure");
        f.on_success = attr(file, node, "on-success");
        if let Some(auth) = attr(file, node, "url") {
            f.url = Some(FunctionUrl {
                auth_type: auth,
                cors: None,
                location: at(file, node),
            });
        }
        f.deployed = Some(Deployed {
            arn: format!("arn:aws:lambda:{region}:{account}:function:{name}"),
            last_modified: Some(
                text(node, "last-modified")
                    .unwrap_or("2026-06-01T10:00:00.000+0000")
                    .to_string(),
            ),
            code_sha256: None,
            code_size: None,
            state: Some("Active".into()),
            invocations: node
                .get("invocations")
                .and_then(Node::as_i64)
                .map(|n| n as u64),
            last_invoked: None,
        });
        app.functions.push(f);
    }
    for node in root.get("roles").map(Node::items).unwrap_or_default() {
        let name = text(node, "name").expect("role name");
        let mut role = Role::new(name, at(file, node), false);
        let mut trust = Statement::new(at(file, node));
        trust
            .actions
            .push(Attr::explicit("sts:AssumeRole".into(), at(file, node)));
        for service in node.get("trust").map(Node::items).unwrap_or_default() {
            trust.principals.push(Principal {
                kind: PrincipalKind::Service,
                value: Attr::explicit(
                    service.as_str().unwrap_or("").to_string(),
                    at(file, service),
                ),
            });
        }
        role.trust.push(trust);
        if node.get("admin").and_then(Node::as_bool) == Some(true) {
            let mut s = Statement::new(at(file, node));
            s.actions.push(Attr::explicit("*".into(), at(file, node)));
            s.resources.push(Attr::explicit("*".into(), at(file, node)));
            role.policies.push(Policy {
                name: "AdministratorAccess".into(),
                source: PolicySource::AwsManaged("AdministratorAccess".into()),
                location: at(file, node),
                statements: vec![s],
            });
        }
        app.roles.push(role);
    }
    for node in root.get("resources").map(Node::items).unwrap_or_default() {
        let name = text(node, "name").expect("resource name");
        let type_name = text(node, "type").unwrap_or("AWS::S3::Bucket");
        let kind = match type_name {
            "AWS::S3::Bucket" => ResourceKind::Bucket,
            "AWS::SNS::Topic" => ResourceKind::Topic,
            "AWS::SQS::Queue" => ResourceKind::Queue,
            _ => ResourceKind::Other,
        };
        let mut r = Resource::new(name, kind, type_name, at(file, node));
        r.name = Some(Attr::explicit(name.to_string(), at(file, node)));
        for target in node.get("notifies").map(Node::items).unwrap_or_default() {
            if let Some(t) = target.as_str() {
                r.notifies
                    .push(Attr::explicit(t.to_string(), at(file, target)));
            }
        }
        app.resources.push(r);
    }
    app
}

fn life_rules() -> Vec<&'static dyn Rule> {
    registry()
        .into_iter()
        .filter(|r| r.meta().family == Family::Life)
        .collect()
}

fn run(rule: &dyn Rule, app: &App) -> Vec<Finding> {
    let mut out = Vec::new();
    rule.check(app, &mut out);
    out
}

fn render(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {} {}\n",
                f.code, f.severity, f.resource, f.location, f.message
            )
        })
        .collect()
}

#[test]
fn fixtures_fire_on_bad_and_stay_silent_on_good() {
    set_today(TODAY);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let rules = life_rules();
    assert_eq!(rules.len(), 4);
    for rule in rules {
        let code = rule.meta().code;
        let mut names: Vec<String> = std::fs::read_dir(root.join(code))
            .unwrap_or_else(|e| panic!("tests/fixtures/{code}: {e}"))
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect();
        names.sort();
        assert!(
            names.iter().any(|n| n.starts_with("bad")),
            "{code}: no bad fixture"
        );
        assert!(
            names.iter().any(|n| n.starts_with("good")),
            "{code}: no good fixture"
        );
        for name in names {
            let rel = format!("{code}/{name}");
            let yaml = std::fs::read_to_string(root.join(&rel)).expect("fixture");
            let app = build(&rel, &yaml);
            let findings = run(rule, &app);
            if name.starts_with("good") {
                assert!(
                    findings.is_empty(),
                    "{rel}: expected nothing, got:\n{}",
                    render(&findings)
                );
                // The same account described as IaC (no live scope): always silent.
            } else {
                assert!(!findings.is_empty(), "{rel}: expected findings");
                insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
                    insta::assert_snapshot!(format!("{code}-{}", name.replace('.', "_")), render(&findings));
                });
            }
            let mut iac = app.clone();
            iac.live = None;
            assert!(
                run(rule, &iac).is_empty(),
                "{rel}: fires without a live scope"
            );
        }
    }
}

/// The `## Example` YAML blocks of a rule's documentation.
fn example_blocks(documentation: &str) -> Vec<String> {
    let mut in_example = false;
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in documentation.lines() {
        if line.starts_with("## ") {
            in_example = line.trim_end() == "## Example";
            continue;
        }
        if !in_example {
            continue;
        }
        match (&mut current, line.trim_start().starts_with("```")) {
            (None, true) if line.trim() == "```yaml" => current = Some(String::new()),
            (Some(_), true) => blocks.extend(current.take()),
            (Some(t), false) => {
                t.push_str(line);
                t.push('\n');
            }
            _ => {}
        }
    }
    blocks
}

#[test]
fn documented_examples_behave() {
    set_today(TODAY);
    for rule in life_rules() {
        let code = rule.meta().code;
        let blocks = example_blocks(&rule.meta().documentation());
        let [bad, good] = blocks.as_slice() else {
            panic!(
                "{code}: `## Example` must hold two yaml blocks, found {}",
                blocks.len()
            );
        };
        let bad_app = build(&format!("{code}/example-bad.yaml"), bad);
        assert!(
            !run(rule, &bad_app).is_empty(),
            "{code}: the bad example does not fire"
        );
        let good_app = build(&format!("{code}/example-good.yaml"), good);
        let found = run(rule, &good_app);
        assert!(
            found.is_empty(),
            "{code}: the good example fires:\n{}",
            render(&found)
        );
    }
}
