//! Serverless variables: defaults, nesting, interpolation, cycles, the file sandbox, the
//! environment switch, and bounded work on hostile input.

use perimeter_load::doc::{self, Node};
use perimeter_load::serverless::variables::{resolve_document, unresolved_reason};
use perimeter_load::{LoadOptions, serverless};
use std::path::Path;
use std::time::{Duration, Instant};

fn yaml(text: &str) -> Node {
    doc::parse_yaml(text)
        .expect("valid YAML")
        .expect("not empty")
}

/// Resolves `text` as `svc/serverless.yml` under `root`.
fn resolve_in(root: &Path, text: &str, options: &LoadOptions) -> Node {
    resolve_document("svc/serverless.yml", &yaml(text), root, options)
}

fn resolve(text: &str, options: &LoadOptions) -> Node {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("svc")).expect("svc dir");
    resolve_in(dir.path(), text, options)
}

fn value<'n>(doc: &'n Node, key: &str) -> &'n Node {
    doc.get("v")
        .and_then(|v| v.get(key))
        .unwrap_or_else(|| panic!("no v.{key}"))
}

fn text<'n>(doc: &'n Node, key: &str) -> &'n str {
    let node = value(doc, key);
    node.as_str()
        .unwrap_or_else(|| panic!("v.{key} is not a string: {node:?}"))
}

fn reason<'n>(doc: &'n Node, key: &str) -> &'n str {
    let node = value(doc, key);
    unresolved_reason(node).unwrap_or_else(|| panic!("v.{key} should be unresolved: {node:?}"))
}

#[test]
fn defaults_apply_when_the_source_has_no_value() {
    let src = "custom:\n  fallback: from-self\nv:\n  quoted: ${opt:stage, 'dev'}\n  double: ${opt:stage, \"qa\"}\n  number: ${opt:region, 42}\n  nested: ${opt:stage, ${self:custom.fallback}}\n  bare: ${opt:stage, self:custom.fallback}\n  missing_then_default: ${self:custom.nope, 'x'}\n";
    let doc = resolve(src, &LoadOptions::default());
    assert_eq!(text(&doc, "quoted"), "dev");
    assert_eq!(text(&doc, "double"), "qa");
    assert_eq!(text(&doc, "number"), "42");
    assert_eq!(text(&doc, "nested"), "from-self");
    assert_eq!(text(&doc, "bare"), "from-self");
    assert_eq!(text(&doc, "missing_then_default"), "x");

    let options = LoadOptions {
        stage: Some("prod".to_string()),
        ..LoadOptions::default()
    };
    let doc = resolve(src, &options);
    assert_eq!(text(&doc, "quoted"), "prod");
}

#[test]
fn nested_and_interpolated_variables() {
    let src = "provider:\n  stage: ${opt:stage, 'dev'}\ncustom:\n  dev: {size: 512}\n  prod: {size: 2048}\n  name: orders\nv:\n  nested: ${self:custom.${self:provider.stage}.size}\n  inside: arn:aws:sqs:eu-west-1:1:${self:custom.name}-${sls:stage}\n  object: ${self:custom.dev}\n  cfn: arn:${AWS::Partition}:s3:::${Bucket}/${self:custom.name}\n";
    let doc = resolve(src, &LoadOptions::default());
    assert_eq!(text(&doc, "nested"), "512");
    assert_eq!(text(&doc, "inside"), "arn:aws:sqs:eu-west-1:1:orders-dev");
    assert_eq!(
        value(&doc, "object").get("size").and_then(Node::as_i64),
        Some(512)
    );
    // CloudFormation `Fn::Sub` placeholders are not framework variables.
    assert_eq!(
        text(&doc, "cfn"),
        "arn:${AWS::Partition}:s3:::${Bucket}/orders"
    );
}

#[test]
fn sls_stage_prefers_the_option_then_the_provider_then_dev() {
    let with_provider = "provider:\n  stage: qa\nv:\n  s: ${sls:stage}\n";
    assert_eq!(
        text(&resolve(with_provider, &LoadOptions::default()), "s"),
        "qa"
    );
    let options = LoadOptions {
        stage: Some("prod".to_string()),
        ..LoadOptions::default()
    };
    assert_eq!(text(&resolve(with_provider, &options), "s"), "prod");
    assert_eq!(
        text(
            &resolve("v:\n  s: ${sls:stage}\n", &LoadOptions::default()),
            "s"
        ),
        "dev"
    );
}

#[test]
fn params_functions_and_old_service_names() {
    let src = "service: {name: legacy}\nprovider:\n  stage: prod\nparams:\n  prod: {a: from-prod}\n  default: {b: from-default}\nstages:\n  prod:\n    params: {c: from-v4}\nv:\n  a: ${param:a}\n  b: ${param:b}\n  c: ${param:c}\n  none: ${param:zzz}\n  fn: ${strToBool(true)}\n  svc: ${self:service}-api\n";
    let doc = resolve(src, &LoadOptions::default());
    assert_eq!(text(&doc, "a"), "from-prod");
    assert_eq!(text(&doc, "b"), "from-default");
    assert_eq!(text(&doc, "c"), "from-v4");
    assert!(reason(&doc, "none").contains("dashboard"));
    assert!(reason(&doc, "fn").contains("not evaluated"));
    assert_eq!(text(&doc, "svc"), "legacy-api");
}

#[test]
fn cycles_are_unresolved_not_hangs() {
    let src = "custom:\n  a: ${self:custom.b}\n  b: ${self:custom.a}\n  me: ${self:custom.me}\n  deep: ${self:custom}\nv:\n  a: ${self:custom.a}\n  me: x-${self:custom.me}\n  deep: ${self:custom.deep}\n  ok: fine\n";
    let doc = resolve(src, &LoadOptions::default());
    assert!(
        reason(&doc, "a").contains("refers to itself"),
        "{}",
        reason(&doc, "a")
    );
    assert!(reason(&doc, "me").contains("refers to itself"));
    assert!(unresolved_reason(value(&doc, "deep")).is_some() || value(&doc, "deep").is_map());
    assert_eq!(text(&doc, "ok"), "fine");
}

#[test]
fn unresolvable_sources_stay_unresolved() {
    let src = "v:\n  ssm: ${ssm:/db/password}\n  cf: ${cf:stack.Output}\n  aws: ${aws:callerIdentity}\n  s3: ${s3:bucket/key}\n  other: ${vault:secret}\n  partial: arn:${ssm:/region}:x\n  default_after_ssm: ${ssm:/x, 'fallback'}\n";
    let doc = resolve(src, &LoadOptions::default());
    for key in [
        "ssm",
        "cf",
        "aws",
        "s3",
        "other",
        "partial",
        "default_after_ssm",
    ] {
        assert!(!reason(&doc, key).is_empty());
    }
    assert!(reason(&doc, "partial").contains("${ssm:/region}"));
}

#[test]
fn aws_account_region_and_partition_take_the_pseudo_parameter_shapes() {
    let src = "v:\n  account: ${aws:accountId}\n  region: ${aws:region}\n  partition: ${aws:partition}\n  arn: arn:${aws:partition}:sqs:${aws:region}:${aws:accountId}:jobs\n";
    let doc = resolve(src, &LoadOptions::default());
    assert_eq!(text(&doc, "account"), "${AWS::AccountId}");
    assert_eq!(text(&doc, "region"), "${AWS::Region}");
    assert_eq!(text(&doc, "partition"), "aws");
    assert_eq!(
        text(&doc, "arn"),
        "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:jobs"
    );
}

#[test]
fn environment_is_read_only_when_allowed() {
    let src =
        "v:\n  path: ${env:PATH}\n  with_default: ${env:PERIMETER_SURELY_UNSET_VARIABLE, 'd'}\n";
    let doc = resolve(src, &LoadOptions::default());
    assert!(reason(&doc, "path").contains("environment"));
    assert!(reason(&doc, "with_default").contains("environment"));

    let options = LoadOptions {
        resolve_env: true,
        ..LoadOptions::default()
    };
    let doc = resolve(src, &options);
    assert_eq!(
        text(&doc, "path"),
        std::env::var("PATH").expect("PATH is set")
    );
    assert_eq!(text(&doc, "with_default"), "d");
}

#[test]
fn files_inside_the_root_are_read_and_others_refused() {
    let outer = tempfile::tempdir().expect("temp dir");
    let root = outer.path().join("root");
    std::fs::create_dir_all(root.join("svc/config")).expect("dirs");
    std::fs::write(root.join("svc/config/dev.yml"), "size: 256\nlist: [a, b]\n").expect("write");
    std::fs::write(root.join("svc/values.json"), "{\"k\": \"json\"}").expect("write");
    std::fs::write(root.join("svc/key.pem"), "PUBLIC KEY").expect("write");
    std::fs::write(outer.path().join("secret.yml"), "token: s3cr3t\n").expect("write");
    #[cfg(unix)]
    std::os::unix::fs::symlink(outer.path().join("secret.yml"), root.join("svc/link.yml"))
        .expect("symlink");

    let src = "v:\n  yaml: ${file(./config/${opt:stage, 'dev'}.yml):size}\n  json: ${file(values.json):k}\n  text: ${file(./key.pem)}\n  whole: ${file(./config/dev.yml)}\n  escape: ${file(../../secret.yml):token}\n  absolute: ${file(/etc/hostname)}\n  link: ${file(./link.yml):token}\n  missing: ${file(./nope.yml):x, 'fallback'}\n";
    let doc = resolve_in(&root, src, &LoadOptions::default());
    assert_eq!(text(&doc, "yaml"), "256");
    assert_eq!(text(&doc, "json"), "json");
    assert_eq!(text(&doc, "text"), "PUBLIC KEY");
    assert_eq!(
        value(&doc, "whole").get("list").map(|l| l.items().len()),
        Some(2)
    );
    assert!(reason(&doc, "escape").contains("outside the scanned tree"));
    assert!(reason(&doc, "absolute").contains("absolute path"));
    #[cfg(unix)]
    assert!(reason(&doc, "link").contains("outside the scanned tree"));
    assert_eq!(text(&doc, "missing"), "fallback");
    // Values read from other files are placed where the variable is written.
    assert_eq!(value(&doc, "yaml").line, 2);
}

#[test]
fn a_file_including_itself_is_a_cycle() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("svc")).expect("svc dir");
    std::fs::write(
        dir.path().join("svc/loop.yml"),
        "a: ${file(./loop.yml):a}\n",
    )
    .expect("write");
    let doc = resolve_in(
        dir.path(),
        "v:\n  a: ${file(./loop.yml):a}\n",
        &LoadOptions::default(),
    );
    assert!(
        reason(&doc, "a").contains("refers to itself"),
        "{}",
        reason(&doc, "a")
    );
}

#[test]
fn hostile_documents_finish_fast() {
    // Each level doubles the size of the value of the one above: 2^40 without bounds.
    let mut src = String::from("custom:\n  l0: [x, y]\n");
    for i in 1..40 {
        let p = i - 1;
        src.push_str(&format!(
            "  l{i}: [\"${{self:custom.l{p}}}\", \"${{self:custom.l{p}}}\"]\n"
        ));
    }
    src.push_str("  s0: abcdefghij\n");
    for i in 1..40 {
        let p = i - 1;
        src.push_str(&format!(
            "  s{i}: ${{self:custom.s{p}}}${{self:custom.s{p}}}\n"
        ));
    }
    src.push_str("v:\n  big: ${self:custom.l39}\n  long: ${self:custom.s39}\n");
    let started = Instant::now();
    let doc = resolve(&src, &LoadOptions::default());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert!(unresolved_reason(value(&doc, "big")).is_some());
    assert!(unresolved_reason(value(&doc, "long")).is_some());

    // A long chain of variables referring to the next one.
    let mut chain = String::from("custom:\n");
    for i in 0..2000 {
        chain.push_str(&format!("  c{i}: ${{self:custom.c{}}}\n", i + 1));
    }
    chain.push_str("  c2000: end\nv:\n  c: ${self:custom.c0}\n");
    let started = Instant::now();
    let doc = resolve(&chain, &LoadOptions::default());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert!(reason(&doc, "c").contains("nested too deeply"));
}

#[test]
fn loader_never_fails_on_odd_shapes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let odd = [
        "service: x\nfunctions: 3\n",
        "service: x\nfunctions:\n  - a: {handler: h.h}\n  - ${file(./nope.yml)}\n",
        "service: x\nprovider: aws\nfunctions:\n  a:\n    events: [http, {http: 3}, {s3: {}}, {sqs: [1]}, {stream: {}}, 7, ~]\n",
        "service: x\nfunctions:\n  a:\n    handler: [1]\n    environment: [a, b]\n    url: {authorizer: [x]}\n    vpc: 1\n    layers: {a: 1}\n",
        "service: {name: old-style}\nprovider: {name: aws, iam: {role: {statements: 5}}}\nresources: [1, {Resources: 2}]\nfunctions: {a: ~}\n",
    ];
    for text in odd {
        let node = yaml(text);
        let app = serverless::load("serverless.yml", &node, dir.path(), &LoadOptions::default())
            .expect("loads");
        assert!(!app.name.is_empty());
    }
    assert!(
        serverless::load(
            "serverless.yml",
            &yaml("- a\n- b\n"),
            dir.path(),
            &LoadOptions::default()
        )
        .is_err()
    );
}
