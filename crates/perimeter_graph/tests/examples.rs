//! Graph construction on the example apps (snapshots of the JSON), and path queries on a
//! hand-built model.

use perimeter_graph::{EdgeKind, NodeKind, PathKind, build};
use perimeter_model::{
    Api, ApiKind, App, Attr, Auth, Function, HttpRoute, Location, Model, Policy, PolicySource,
    Resource, ResourceKind, Role, SourceKind, Statement, Trigger, TriggerKind,
};
use std::path::Path;

fn load(example: &str) -> Model {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(example);
    let mut model = perimeter_load::load_path(&root, &perimeter_load::LoadOptions::default())
        .expect("example loads");
    perimeter_code::attach(&mut model, &root, &perimeter_code::CodeOptions::default());
    model
}

#[test]
fn vulnerable_sam_graph() {
    let graph = build(&load("vulnerable-sam"));
    insta::assert_json_snapshot!(graph);
}

#[test]
fn vulnerable_serverless_graph() {
    let graph = build(&load("vulnerable-serverless"));
    insta::assert_json_snapshot!(graph);
}

fn loc(line: u32) -> Location {
    Location::new("template.yaml", line, 1)
}

/// Public API → Orders function → OrdersRole with `dynamodb:*` on `${Table.Arn}` → Table.
fn hand_built() -> Model {
    let mut app = App::new("template.yaml", "shop", SourceKind::Sam, "template.yaml");
    let mut f = Function::new("Orders", loc(10));
    f.role = Attr::explicit("OrdersRole".to_string(), loc(11));
    f.triggers.push(Trigger {
        id: "Get".into(),
        kind: TriggerKind::Api,
        type_name: "Api".into(),
        location: loc(12),
        source: None,
        http: Some(HttpRoute {
            api: Some("ServerlessRestApi".into()),
            method: "GET".into(),
            path: "/orders".into(),
            auth: Attr::explicit(Auth::None, loc(13)),
            api_key_required: Attr::defaulted(false, loc(12)),
            private: Attr::defaulted(false, loc(12)),
            cors: None,
        }),
    });
    app.functions.push(f);
    app.apis
        .push(Api::new("ServerlessRestApi", ApiKind::Rest, loc(1)));
    let mut role = Role::new("OrdersRole", loc(20), false);
    let mut st = Statement::new(loc(22));
    st.actions
        .push(Attr::explicit("dynamodb:*".into(), loc(23)));
    st.resources
        .push(Attr::explicit("${Table.Arn}".into(), loc(24)));
    role.policies.push(Policy {
        name: "Data".into(),
        source: PolicySource::Inline,
        location: loc(21),
        statements: vec![st],
    });
    app.roles.push(role);
    app.resources.push(Resource::new(
        "Table",
        ResourceKind::Table,
        "AWS::DynamoDB::Table",
        loc(30),
    ));
    app.resources.push(Resource::new(
        "Other",
        ResourceKind::Table,
        "AWS::DynamoDB::Table",
        loc(40),
    ));
    Model {
        apps: vec![app],
        errors: Vec::new(),
    }
}

#[test]
fn public_api_to_table_path() {
    let graph = build(&hand_built());
    let table = "template.yaml#Table";
    assert_eq!(graph.node(table).map(|n| n.kind), Some(NodeKind::DataStore));
    for kind in [EdgeKind::CanRead, EdgeKind::CanWrite, EdgeKind::CanDelete] {
        assert!(
            graph
                .edges
                .iter()
                .any(|e| e.from == "template.yaml#OrdersRole" && e.to == table && e.kind == kind),
            "missing {kind:?}"
        );
    }
    // The policy names only Table: nothing reaches Other.
    assert!(!graph.edges.iter().any(|e| e.to == "template.yaml#Other"));
    let to_table: Vec<_> = graph.paths.iter().filter(|p| p.to == table).collect();
    assert!(!to_table.is_empty());
    let exfil = to_table
        .iter()
        .find(|p| p.kind == PathKind::Exfiltration)
        .expect("an exfiltration path");
    assert_eq!(exfil.from, "internet");
    assert_eq!(exfil.weakest.label, "no authentication");
    assert_eq!(exfil.weakest.from, "internet");
    let hops: Vec<&str> = exfil.steps.iter().map(|s| s.to.as_str()).collect();
    assert_eq!(
        hops,
        [
            "template.yaml#Orders/Get",
            "template.yaml#Orders",
            "template.yaml#OrdersRole",
            table
        ]
    );
    assert!(to_table.iter().any(|p| p.kind == PathKind::DataAccess));
    assert!(
        exfil.explanation.contains("no authentication"),
        "{}",
        exfil.explanation
    );
    // No escalation in dynamodb:*.
    assert!(!graph.paths.iter().any(|p| p.kind == PathKind::Privilege));
}

#[test]
fn authorizer_makes_auth_the_weakest_link_and_focus_keeps_the_neighbourhood() {
    let mut model = hand_built();
    if let Some(route) = model.apps[0].functions[0].triggers[0].http.as_mut() {
        route.auth = Attr::explicit(Auth::Cognito("Pool".into()), loc(13));
    }
    let graph = build(&model);
    assert!(!graph.paths.iter().any(|p| p.from == "internet"));
    let p = graph
        .paths
        .iter()
        .find(|p| p.from == "authenticated")
        .expect("a path from authenticated users");
    // With authentication in the way, the role's grant is the easiest step.
    assert_eq!(p.weakest.from, "template.yaml#OrdersRole");
    let focus = graph.focus("Orders");
    assert!(focus.node("template.yaml#Orders").is_some());
    assert!(focus.node("template.yaml#Other").is_none());
    assert_eq!(focus.paths.len(), graph.paths.len());
    assert!(graph.focus("Nobody").nodes.is_empty());
}

#[test]
fn escalation_reaches_the_account_and_publish_hops_to_the_next_function() {
    let mut model = hand_built();
    let app = &mut model.apps[0];
    let mut st = Statement::new(loc(50));
    st.actions
        .push(Attr::explicit("iam:PassRole".into(), loc(51)));
    st.actions
        .push(Attr::explicit("lambda:CreateFunction".into(), loc(51)));
    st.actions
        .push(Attr::explicit("lambda:InvokeFunction".into(), loc(51)));
    st.actions
        .push(Attr::explicit("sns:Publish".into(), loc(51)));
    st.resources.push(Attr::explicit("*".into(), loc(52)));
    app.roles[0].policies[0].statements.push(st);
    app.resources.push(Resource::new(
        "Events",
        ResourceKind::Topic,
        "AWS::SNS::Topic",
        loc(60),
    ));
    let mut worker = Function::new("Worker", loc(70));
    worker.triggers.push(Trigger {
        id: "Topic".into(),
        kind: TriggerKind::Sns,
        type_name: "SNS".into(),
        location: loc(71),
        source: Some(Attr::explicit("Events".into(), loc(72))),
        http: None,
    });
    app.functions.push(worker);
    let graph = build(&model);
    assert!(
        graph.paths.iter().any(|p| p.kind == PathKind::Privilege
            && p.from == "internet"
            && p.to == "account-admin")
    );
    // Orders' role may publish to Events, which triggers Worker; and may invoke Worker.
    assert!(
        graph
            .edges
            .iter()
            .any(|e| e.from == "template.yaml#OrdersRole"
                && e.to == "template.yaml#Events"
                && e.kind == EdgeKind::CanWrite)
    );
    assert!(graph.edges.iter().any(|e| e.from == "template.yaml#Events"
        && e.to == "template.yaml#Worker/Topic"
        && e.kind == EdgeKind::Triggers));
    assert!(
        graph
            .edges
            .iter()
            .any(|e| e.from == "template.yaml#OrdersRole"
                && e.to == "template.yaml#Worker"
                && e.kind == EdgeKind::CanInvoke)
    );
}
