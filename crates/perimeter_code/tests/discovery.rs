//! The code stage on fixture apps in each language: handlers, files read, SDK calls.

mod common;

use common::{fixture, load_and_attach, render};
use perimeter_code::CodeOptions;

fn snapshot_app(name: &str) -> perimeter_code::CodeStats {
    let (model, stats) = load_and_attach(&fixture(name), &CodeOptions::default());
    insta::assert_snapshot!(name, render(&model));
    stats
}

#[test]
fn python_sam_app() {
    let stats = snapshot_app("sam-python");
    assert_eq!(stats.functions, 4);
    assert_eq!(stats.handlers_resolved, 3, "{:?}", stats.problems);
    assert!(
        stats
            .problems
            .iter()
            .any(|p| p.contains("no function 'no_such_handler'"))
    );
    assert_eq!(stats.unrecognized.len(), 1, "{:?}", stats.unrecognized);
}

#[test]
fn node_serverless_app() {
    let stats = snapshot_app("sls-node");
    assert_eq!(stats.functions, 5);
    assert_eq!(stats.handlers_resolved, 4, "{:?}", stats.problems);
    assert!(
        stats
            .problems
            .iter()
            .any(|p| p.contains("nope.js: file not found"))
    );
}

#[test]
fn go_sam_app() {
    let stats = snapshot_app("sam-go");
    assert_eq!(stats.handlers_resolved, 1, "{:?}", stats.problems);
    assert_eq!(stats.unrecognized.len(), 1, "{:?}", stats.unrecognized);
}

#[test]
fn java_sam_app() {
    let stats = snapshot_app("sam-java");
    assert_eq!(stats.handlers_resolved, 1, "{:?}", stats.problems);
}

/// Inline code (`ZipFile`/`InlineCode`) is a one-file bundle named `{template}#{FunctionId}`.
/// The loaders do not fill `Function::inline_code` yet: the test sets it as they will.
#[test]
fn inline_code_is_a_bundle_of_its_own() {
    use perimeter_model::{App, Attr, Function, Location, Model, SourceKind};
    let loc = Location::new("template.yaml", 5, 7);
    let mut f = Function::new("Inline", loc.clone());
    f.runtime = Attr::explicit("python3.12".to_string(), loc.clone());
    f.handler = Attr::explicit("index.handler".to_string(), loc.clone());
    f.inline_code = Some(Attr::explicit(
        "import boto3\n\ndef handler(event, context):\n    boto3.client('sqs').purge_queue(QueueUrl='q')\n"
            .to_string(),
        loc,
    ));
    let mut app = App::new(
        "template.yaml",
        "t",
        SourceKind::CloudFormation,
        "template.yaml",
    );
    app.functions.push(f);
    let mut model = Model {
        apps: vec![app],
        errors: Vec::new(),
    };
    let dir = tempfile::tempdir().expect("tempdir");
    perimeter_code::attach(&mut model, dir.path(), &CodeOptions::default());
    insta::assert_snapshot!(render(&model), @r#"
    app template.yaml
      bundle template.yaml#Inline (Inline)
        file template.yaml#Inline Python
      function Inline -> template.yaml#Inline (Python)
        handler handler at template.yaml#Inline:3:1
        reads template.yaml#Inline
        call template.yaml#Inline:4:5 Boto3 sqs.PurgeQueue [QueueUrl="q"]
    "#);
}

/// Files that are not UTF-8 are read with replacement characters and a note naming them;
/// a handler whose file is missing, in each language, says so.
#[test]
fn non_utf8_sources_and_missing_handlers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    std::fs::create_dir_all(p.join("py")).expect("mkdir");
    std::fs::write(
        p.join("py/app.py"),
        b"import boto3\n# caf\xe9\ndef handler(e, c):\n    boto3.client('sqs').list_queues()\n",
    )
    .expect("write");
    std::fs::create_dir_all(p.join("java/src/main/java/a")).expect("mkdir");
    std::fs::write(
        p.join("java/src/main/java/a/B.java"),
        "package a; class B { void other() {} }",
    )
    .expect("write");
    std::fs::create_dir_all(p.join("go")).expect("mkdir");
    std::fs::write(p.join("go/main.go"), "package main\nfunc main() {}\n").expect("write");
    std::fs::write(
        p.join("template.yaml"),
        "Transform: AWS::Serverless-2016-10-31
Resources:
  Py:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: py/, Handler: app.handler, Runtime: python3.12}
  Java:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: java/, Handler: a.B::handleRequest, Runtime: java21}
  JavaNoFile:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: java/, Handler: a.C::handleRequest, Runtime: java21}
  Go:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: go/, Handler: bootstrap, Runtime: provided.al2023}
",
    )
    .expect("write");
    let (model, stats) = load_and_attach(p, &CodeOptions::default());
    insta::assert_snapshot!(render(&model));
    assert_eq!(stats.handlers_resolved, 1);
}

/// An Azure Functions project: a Node.js v3 module whose single export is the function (no
/// `entryPoint`), and a named export from a shared `scriptFile`; the trigger's data is the
/// handler's second parameter `(context, req)`.
#[test]
fn azure_functions_project() {
    let (model, stats) = load_and_attach(&fixture("azure-node"), &CodeOptions::default());
    assert_eq!(stats.functions, 2);
    assert_eq!(stats.handlers_resolved, 2, "{:?}", stats.problems);
    let flows: Vec<String> = model.apps[0]
        .functions
        .iter()
        .flat_map(|f| f.code.iter().flat_map(|c| c.flows.iter()))
        .map(|t| format!("{:?} {} from {}", t.kind, t.location.file, t.source))
        .collect();
    insta::assert_snapshot!("azure-node", render(&model));
    assert_eq!(flows.len(), 2, "{flows:?}");
}

/// Google Cloud entry points are bare names: `main.py`'s function for Python, and for
/// Node.js an export or a Functions Framework registration of `package.json`'s `main`.
#[test]
fn google_cloud_entry_points() {
    let (model, stats) = load_and_attach(&fixture("gcp-mixed"), &CodeOptions::default());
    assert_eq!(stats.functions, 2);
    assert_eq!(stats.handlers_resolved, 2, "{:?}", stats.problems);
    insta::assert_snapshot!("gcp-mixed", render(&model));
    let flows = model.apps[0]
        .functions
        .iter()
        .flat_map(|f| f.code.iter().flat_map(|c| c.flows.iter()))
        .count();
    assert_eq!(flows, 2);
}
