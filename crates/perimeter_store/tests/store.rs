//! The history and the diff on real loaded models: two versions of a SAM app, recorded,
//! reloaded and compared; drift between an IaC model and a "deployed" one built from it.

use perimeter_model::{Attr, Deployed, Model, SourceKind};
use perimeter_store::{
    Change, DiffMode, ScanSummary, Store, SummaryInput, ValueHasher, diff, summarize,
};
use std::path::Path;

const V1: &str = r#"
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: orders-api
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      MemorySize: 128
      Environment:
        Variables:
          TABLE: orders
          STAGE: !Ref Stage
      Policies:
        - Statement:
            - Effect: Allow
              Action: dynamodb:GetItem
              Resource: '*'
      Events:
        List:
          Type: Api
          Properties:
            Path: /orders
            Method: get
            Auth:
              Authorizer: AWS_IAM
  Old:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      CodeUri: old/
      Events:
        Work:
          Type: SQS
          Properties:
            Queue: !GetAtt Jobs.Arn
  Jobs:
    Type: AWS::SQS::Queue
"#;

const V2: &str = r#"
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: orders-api
      Runtime: python3.13
      Handler: app.handler
      CodeUri: src/
      MemorySize: 256
      Environment:
        Variables:
          TABLE: orders-v2
          STAGE: !Ref Stage
          DEBUG: "1"
      Policies:
        - Statement:
            - Effect: Allow
              Action: ['dynamodb:*', 'iam:PassRole']
              Resource: '*'
      Events:
        List:
          Type: Api
          Properties:
            Path: /orders
            Method: get
  Admin:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: admin.handler
      CodeUri: admin/
      FunctionUrlConfig:
        AuthType: NONE
"#;

fn load(dir: &Path, template: &str) -> Model {
    std::fs::write(dir.join("template.yaml"), template).unwrap();
    perimeter_load::load_path(dir, &perimeter_load::LoadOptions::default()).unwrap()
}

fn summary_of(source: &str, model: &Model, hasher: &ValueHasher) -> ScanSummary {
    // Runtime end-of-life findings depend on the day: judge as of a fixed one.
    perimeter_rules::rules::dep::set_today(perimeter_rules::rules::dep::Date::new(2026, 11, 1));
    let findings = perimeter_rules::check(model);
    let scores = perimeter_score::score(model, &findings);
    summarize(&SummaryInput {
        source,
        model,
        findings: &findings,
        scores: &scores,
        errors: 0,
        hasher,
        code_hash: &|_, _| None,
    })
}

fn kinds(changes: &[Change]) -> Vec<&'static str> {
    changes.iter().map(Change::kind).collect()
}

#[test]
fn records_lists_reloads_and_diffs_two_scans() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    let db_path = tmp.path().join("sub/history.sqlite3");
    let mut store = Store::open(&db_path).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        perimeter_store::SCHEMA_VERSION
    );

    let first = summary_of("app", &load(&a, V1), store.hasher());
    let second = summary_of("app", &load(&b, V2), store.hasher());
    let id1 = store.record(&first, "test").unwrap();
    let id2 = store.record(&second, "test").unwrap();
    assert!(id2 > id1);

    // Reopening migrates nothing and keeps the hash key (hashes stay comparable).
    drop(store);
    let store = Store::open(&db_path).unwrap();
    let listed = store.list(10).unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].id, id2);
    assert_eq!(listed[0].functions, 2);
    assert_eq!(listed[0].source, "app");
    assert!(listed[0].top_score >= listed[1].top_score);
    assert_eq!(store.latest_of("app", Some(id2)).unwrap(), Some(id1));
    assert_eq!(store.latest_of("other", None).unwrap(), None);

    let old = store.load(id1).unwrap();
    let new = store.load(id2).unwrap();
    assert_eq!(old, first);
    assert_eq!(new, second);

    // No value is stored, only keyed hashes.
    let raw = std::fs::read(&db_path).unwrap_or_default();
    let text = String::from_utf8_lossy(&raw);
    assert!(
        text.contains("orders-api"),
        "the summaries are not in the file"
    );
    assert!(
        !text.contains("orders-v2"),
        "an environment value was stored"
    );

    let d = diff(&old, &new, DiffMode::Changes);
    let k = kinds(&d.changes);
    for expected in [
        "function-removed",
        "function-added",
        "new-public-entry",
        "permissions-grown",
        "environment-changed",
        "runtime-changed",
        "setting-changed",
        "score-risen",
        "finding-new",
    ] {
        assert!(k.contains(&expected), "{expected} missing from {k:?}");
    }
    let env = d
        .changes
        .iter()
        .find_map(|c| match c {
            Change::EnvironmentChanged {
                added,
                removed,
                changed,
                ..
            } => Some((added.clone(), removed.clone(), changed.clone())),
            _ => None,
        })
        .unwrap();
    // STAGE is unresolved on both sides: never a change.
    assert_eq!(env, (vec!["DEBUG".into()], vec![], vec!["TABLE".into()]));
    let grown = d
        .changes
        .iter()
        .find_map(|c| match c {
            Change::PermissionsGrown { new_sensitive, .. } => Some(new_sensitive.clone()),
            _ => None,
        })
        .unwrap();
    assert!(grown.contains(&"iam:PassRole".to_string()), "{grown:?}");
    // The new public entries: the route that lost its authorizer, and the new function's URL.
    let public: Vec<String> = d
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::NewPublicEntry { entry, .. } => Some(entry.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(public.len(), 2, "{public:?}");

    // The same scan against itself: nothing.
    assert!(diff(&new, &new, DiffMode::Changes).is_empty());
    // And back: the reverse changes.
    let back = kinds(&diff(&new, &old, DiffMode::Changes).changes);
    assert!(
        back.contains(&"score-fallen") && back.contains(&"finding-fixed"),
        "{back:?}"
    );
}

#[test]
fn newer_schema_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("h.sqlite3");
    drop(Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("PRAGMA user_version = 99").unwrap();
    drop(conn);
    let err = Store::open(&path).err().expect("newer schema accepted");
    assert!(err.to_string().contains("newer"), "{err}");
}

/// A "deployed" copy of an IaC model, as a live read would give it.
fn deployed_from(iac: &Model) -> Model {
    let mut live = iac.clone();
    for app in &mut live.apps {
        app.id = "aws:123456789012:eu-west-1".into();
        app.name = "123456789012".into();
        app.source = SourceKind::Aws;
        for f in &mut app.functions {
            let logical = f.id.clone();
            let loc = f.location.clone();
            if f.name == f.id {
                f.name = format!("orders-stack-{logical}-AbC123");
            }
            f.id = f.name.clone();
            f.tags.push((
                "aws:cloudformation:logical-id".into(),
                Attr::explicit(logical, loc.clone()),
            ));
            f.tags.push((
                "aws:cloudformation:stack-name".into(),
                Attr::explicit("orders-stack".into(), loc.clone()),
            ));
            f.deployed = Some(Deployed {
                arn: format!("arn:aws:lambda:eu-west-1:123456789012:function:{}", f.name),
                last_modified: None,
                code_sha256: Some("abc=".into()),
                code_size: None,
                state: None,
                invocations: None,
                last_invoked: None,
            });
            // Deployed triggers name their source by ARN, with the name CloudFormation generated.
            for t in &mut f.triggers {
                if let Some(src) = &mut t.source {
                    src.value = perimeter_model::Value::Known(
                        "arn:aws:sqs:eu-west-1:123456789012:orders-stack-Jobs-XyZ".into(),
                    );
                }
            }
            for e in &mut f.environment {
                if !e.value.value.is_known() {
                    // What the stack resolved `!Ref Stage` to: unresolved in the IaC, so no drift.
                    e.value = Attr::explicit("prod".into(), loc.clone());
                }
            }
        }
    }
    live
}

#[test]
fn drift_matches_by_tags_and_names_and_ignores_unresolved_values() {
    let tmp = tempfile::tempdir().unwrap();
    let iac = load(tmp.path(), V1);
    let hasher = ValueHasher::new("k");
    let left = summary_of("iac", &iac, &hasher);

    let same = deployed_from(&iac);
    let d = diff(&left, &summary_of("aws", &same, &hasher), DiffMode::Drift);
    assert_eq!(d.matched, 2);
    assert!(d.is_empty(), "{:#?}", d.changes);
    let old = left.functions.iter().find(|f| f.id == "Old").unwrap();
    assert_eq!(old.triggers.len(), 1, "{:#?}", old.triggers);
    assert!(old.triggers[0].key_is_logical, "{:#?}", old.triggers);

    let mut changed = deployed_from(&iac);
    let app = &mut changed.apps[0];
    let orders = app
        .functions
        .iter_mut()
        .find(|f| f.name == "orders-api")
        .unwrap();
    orders.memory = Attr::explicit(1024, orders.location.clone());
    orders.environment.retain(|e| e.name != "TABLE");
    app.functions.retain(|f| f.name == "orders-api");
    // One more function in the same stack (drift), one from elsewhere in the account (not).
    let mut extra = app.functions[0].clone();
    extra.name = "orders-stack-Manual-1".into();
    extra.id = extra.name.clone();
    extra.tags[0].1.value = perimeter_model::Value::Known("Manual".into());
    app.functions.push(extra);
    let mut other = app.functions[0].clone();
    other.name = "someone-else".into();
    other.id = "someone-else".into();
    other.tags.clear();
    app.functions.push(other);
    let d = diff(
        &left,
        &summary_of("aws", &changed, &hasher),
        DiffMode::Drift,
    );
    let k = kinds(&d.changes);
    assert_eq!(d.matched, 1, "{k:?}");
    assert_eq!(d.unrelated, 1, "{k:?}");
    assert!(k.contains(&"setting-changed"), "{k:?}");
    assert!(k.contains(&"environment-changed"), "{k:?}");
    assert!(k.contains(&"function-removed"), "{k:?}");
    assert!(k.contains(&"function-added"), "{k:?}");
    // Scores and findings are not drift.
    assert!(
        !k.iter()
            .any(|k| k.starts_with("finding") || k.starts_with("score")),
        "{k:?}"
    );
}

#[test]
fn serverless_names_match_whatever_the_stage() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("serverless.yml"),
        "service: shop\nprovider:\n  name: aws\n  runtime: nodejs20.x\nfunctions:\n  hello:\n    handler: h.main\n",
    )
    .unwrap();
    let iac = perimeter_load::load_path(tmp.path(), &Default::default()).unwrap();
    let hasher = ValueHasher::new("k");
    let left = summary_of("iac", &iac, &hasher);
    let mut live = iac.clone();
    for app in &mut live.apps {
        app.source = SourceKind::Aws;
        app.id = "aws".into();
        for f in &mut app.functions {
            f.name = "shop-prod-hello".into();
        }
    }
    let d = diff(&left, &summary_of("aws", &live, &hasher), DiffMode::Drift);
    assert_eq!(d.matched, 1, "{:#?}", d.changes);
}
