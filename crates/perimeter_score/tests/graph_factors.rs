//! Each factor read from the attack graph: exposure (direct, public write, through another
//! function, authenticated, event source), data reach, blast radius, escalation, and the
//! combinations with their concrete text; plus ranking determinism.

use perimeter_model::{
    App, Attr, Auth, Function, HttpRoute, Location, Model, Policy, PolicySource, Principal,
    PrincipalKind, Resource, ResourceKind, Role, SourceKind, Statement, Trigger, TriggerKind,
};
use perimeter_score::{FunctionScore, score, weight};

fn loc(line: u32) -> Location {
    Location::new("template.yaml", line, 1)
}

fn http(id: &str, path: &str, auth: Auth) -> Trigger {
    Trigger {
        id: id.into(),
        kind: TriggerKind::HttpApi,
        type_name: "HttpApi".into(),
        location: loc(1),
        source: None,
        http: Some(HttpRoute {
            api: None,
            method: "GET".into(),
            path: path.into(),
            auth: Attr::explicit(auth, loc(1)),
            api_key_required: Attr::defaulted(false, loc(1)),
            private: Attr::defaulted(false, loc(1)),
            cors: None,
        }),
    }
}

fn fed_by(id: &str, kind: TriggerKind, source: &str) -> Trigger {
    Trigger {
        id: id.into(),
        kind,
        type_name: "SQS".into(),
        location: loc(2),
        source: Some(Attr::explicit(source.to_string(), loc(2))),
        http: None,
    }
}

fn role(id: &str, grants: &[(&[&str], &[&str])]) -> Role {
    let mut role = Role::new(id, loc(3), false);
    let statements = grants
        .iter()
        .map(|(actions, resources)| {
            let mut s = Statement::new(loc(4));
            s.actions = actions
                .iter()
                .map(|a| Attr::explicit(a.to_string(), loc(4)))
                .collect();
            s.resources = resources
                .iter()
                .map(|r| Attr::explicit(r.to_string(), loc(4)))
                .collect();
            s
        })
        .collect();
    role.policies.push(Policy {
        name: "p".into(),
        source: PolicySource::Inline,
        location: loc(4),
        statements,
    });
    role
}

fn function(id: &str, role: &str, triggers: Vec<Trigger>) -> Function {
    let mut f = Function::new(id, loc(10));
    f.role = Attr::explicit(role.to_string(), loc(10));
    f.triggers = triggers;
    f
}

/// Public API → ApiFunction (reads OrdersTable, sends to OrdersQueue) → OrdersQueue → Worker
/// (writes UsersTable). Also: Internal (IAM-authenticated route, reads OrdersTable), Uploader
/// (triggered by a bucket anyone can write to), Cron (a queue nobody in the app writes).
fn app() -> App {
    let mut app = App::new("template.yaml", "shop", SourceKind::Sam, "template.yaml");
    for (id, kind, ty) in [
        ("OrdersTable", ResourceKind::Table, "AWS::DynamoDB::Table"),
        ("UsersTable", ResourceKind::Table, "AWS::DynamoDB::Table"),
        ("OrdersQueue", ResourceKind::Queue, "AWS::SQS::Queue"),
        ("JobsQueue", ResourceKind::Queue, "AWS::SQS::Queue"),
    ] {
        app.resources.push(Resource::new(id, kind, ty, loc(20)));
    }
    let mut drop = Resource::new("Drop", ResourceKind::Bucket, "AWS::S3::Bucket", loc(21));
    let mut put = Statement::new(loc(22));
    put.principals.push(Principal {
        kind: PrincipalKind::Everyone,
        value: Attr::explicit("*".into(), loc(22)),
    });
    put.actions
        .push(Attr::explicit("s3:PutObject".into(), loc(22)));
    drop.policy.push(put);
    app.resources.push(drop);

    app.roles.push(role(
        "ApiRole",
        &[
            (
                &["dynamodb:GetItem", "dynamodb:Scan"],
                &["${OrdersTable.Arn}"],
            ),
            (&["sqs:SendMessage"], &["${OrdersQueue.Arn}"]),
        ],
    ));
    app.roles.push(role(
        "WorkerRole",
        &[(&["dynamodb:PutItem"], &["${UsersTable.Arn}"])],
    ));
    app.roles.push(role(
        "ReaderRole",
        &[(&["dynamodb:GetItem"], &["${OrdersTable.Arn}"])],
    ));
    app.roles.push(role("NothingRole", &[]));

    app.functions.push(function(
        "ApiFunction",
        "ApiRole",
        vec![http("Get", "/orders", Auth::None)],
    ));
    app.functions.push(function(
        "Worker",
        "WorkerRole",
        vec![fed_by("Q", TriggerKind::Sqs, "OrdersQueue")],
    ));
    app.functions.push(function(
        "Internal",
        "ReaderRole",
        vec![http("Get", "/internal", Auth::Iam)],
    ));
    app.functions.push(function(
        "Uploader",
        "NothingRole",
        vec![fed_by("Up", TriggerKind::S3, "Drop")],
    ));
    app.functions.push(function(
        "Cron",
        "NothingRole",
        vec![fed_by("J", TriggerKind::Sqs, "JobsQueue")],
    ));
    app
}

fn model(app: App) -> Model {
    Model {
        apps: vec![app],
        errors: vec![],
    }
}

fn get<'a>(scores: &'a [FunctionScore], id: &str) -> &'a FunctionScore {
    scores.iter().find(|s| s.function == id).expect(id)
}

fn reason<'a>(s: &'a FunctionScore, factor: &str) -> Option<&'a perimeter_score::Reason> {
    s.reasons.iter().find(|r| r.factor == factor)
}

fn texts(s: &FunctionScore) -> Vec<&str> {
    s.reasons.iter().map(|r| r.text.as_str()).collect()
}

#[test]
fn direct_public_exposure_and_data_combination() {
    let scores = score(&model(app()), &[]);
    let api = get(&scores, "ApiFunction");
    let exposure = reason(api, "exposure").unwrap();
    assert_eq!(exposure.points, weight::PUBLIC_DIRECT);
    assert!(
        exposure.text.ends_with("http-api GET /orders (no auth)"),
        "{}",
        exposure.text
    );
    let data = reason(api, "data").unwrap();
    assert_eq!(data.points, weight::DATA_READ);
    assert_eq!(data.text, "can read every item of OrdersTable");
    assert!(
        texts(api).contains(&"public, unauthenticated, and can read every item of OrdersTable"),
        "{:?}",
        texts(api)
    );
}

#[test]
fn indirect_exposure_through_a_queue() {
    let scores = score(&model(app()), &[]);
    let worker = get(&scores, "Worker");
    let exposure = reason(worker, "exposure").unwrap();
    assert_eq!(exposure.points, weight::PUBLIC_CHAINED);
    assert_eq!(
        exposure.text,
        "reachable from the internet through ApiFunction → OrdersQueue"
    );
    assert!(
        texts(worker).contains(
            &"reachable from the internet through ApiFunction → OrdersQueue, and can write UsersTable"
        ),
        "{:?}",
        texts(worker)
    );
    assert_eq!(reason(worker, "data").unwrap().points, weight::DATA_WRITE);
    // Without the send permission, the queue is nobody's: an event source only.
    let mut app = app();
    app.roles[0].policies[0].statements.truncate(1);
    let scores = score(&model(app), &[]);
    let worker = get(&scores, "Worker");
    assert_eq!(
        reason(worker, "exposure").unwrap().points,
        weight::EVENT_SOURCE
    );
    assert!(reason(worker, "combination").is_none());
}

#[test]
fn public_write_authenticated_and_event_source_exposure() {
    let scores = score(&model(app()), &[]);
    let uploader = reason(get(&scores, "Uploader"), "exposure").unwrap();
    assert_eq!(uploader.points, weight::PUBLIC_WRITE);
    assert_eq!(uploader.text, "anyone can write to Drop, which triggers it");
    let internal = get(&scores, "Internal");
    assert_eq!(
        reason(internal, "exposure").unwrap().points,
        weight::AUTHENTICATED
    );
    // Authenticated and over nothing: no combination, the data counts alone.
    assert!(reason(internal, "combination").is_none());
    assert_eq!(
        get(&scores, "Cron").reasons[0].points,
        weight::EVENT_SOURCE,
        "a queue nobody in the app writes is an event source"
    );
}

#[test]
fn blast_radius_counts_what_the_functions_it_starts_reach() {
    let scores = score(&model(app()), &[]);
    let api = get(&scores, "ApiFunction");
    let blast = reason(api, "blast").unwrap();
    // OrdersTable, UsersTable (through Worker) and Worker: three items, two beyond the first.
    assert_eq!(blast.points, 2 * weight::BLAST_EACH);
    assert_eq!(
        blast.text,
        "blast radius: 2 data stores and 1 other function within reach (OrdersTable, UsersTable and Worker)"
    );
    assert!(
        reason(get(&scores, "Worker"), "blast").is_none(),
        "one store only"
    );
}

#[test]
fn escalation_from_the_graph_and_through_a_started_function() {
    let mut app = app();
    // Worker's role can now escalate: iam:PassRole with lambda:CreateFunction/InvokeFunction.
    app.roles[1] = role(
        "WorkerRole",
        &[
            (&["dynamodb:PutItem"], &["${UsersTable.Arn}"]),
            (
                &[
                    "iam:PassRole",
                    "lambda:CreateFunction",
                    "lambda:InvokeFunction",
                ],
                &["*"],
            ),
        ],
    );
    let scores = score(&model(app), &[]);
    let worker = get(&scores, "Worker");
    let privilege = reason(worker, "privilege").expect("escalation");
    // Past 70 raw points the reasons are scaled down together: 20 becomes a little less.
    assert!(worker.score > 70 && privilege.points <= weight::ESCALATION);
    assert!(
        privilege
            .text
            .starts_with("its role can escalate to account administrator ("),
        "{}",
        privilege.text
    );
    assert!(
        texts(worker).iter().any(|t| t.starts_with(
            "reachable from the internet through ApiFunction → OrdersQueue, and its role can escalate"
        )),
        "{:?}",
        texts(worker)
    );
    let api = get(&scores, "ApiFunction");
    assert!(
        api.reasons.iter().any(|r| r.factor == "blast"
            && r.text.starts_with(
                "it can start Worker, whose role can escalate to account administrator"
            )),
        "{:?}",
        texts(api)
    );
}

#[test]
fn every_point_explained_and_ranking_deterministic() {
    let m = model(app());
    let a = score(&m, &[]);
    let b = score(&m, &[]);
    let order = |s: &[FunctionScore]| {
        s.iter()
            .map(|x| (x.function.clone(), x.score))
            .collect::<Vec<_>>()
    };
    assert_eq!(order(&a), order(&b));
    for s in &a {
        assert_eq!(s.score, s.reasons.iter().map(|r| r.points).sum::<u32>());
    }
    for w in a.windows(2) {
        assert!(w[0].score >= w[1].score);
    }
    assert_eq!(a[0].function, "ApiFunction");
    // Uploader (25 + nothing) and Worker (20 + 10 + 10): Worker first; Cron and the like last.
    assert_eq!(a.last().unwrap().function, "Cron");
}
