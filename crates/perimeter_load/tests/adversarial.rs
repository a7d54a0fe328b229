//! Hostile inputs, generated in a temporary folder: every scan must end in bounded time,
//! without a panic, with a clear per-file error naming the file (and the line when there is
//! one), and a valid template next to the hostile file must still load.

use perimeter_load::{LoadOptions, load_path};
use perimeter_model::{LoadError, Model, SourceKind, Value};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// Longest any of these scans may take (dev profile, on a busy 2-core machine).
const TIME_LIMIT: Duration = Duration::from_secs(60);

const VALID: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
";

/// A fresh folder holding the valid template at `ok/template.yaml`.
fn tree() -> TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), "ok/template.yaml", VALID.as_bytes());
    dir
}

fn write(root: &Path, rel: &str, content: &[u8]) -> PathBuf {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(&path, content).expect("write");
    path
}

/// Scans `root` on another thread so that a hang fails the test instead of blocking it.
fn scan(root: &Path) -> (Model, Duration) {
    let root = root.to_path_buf();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let start = Instant::now();
        let model = load_path(&root, &LoadOptions::default());
        let _ = tx.send((model, start.elapsed()));
    });
    match rx.recv_timeout(TIME_LIMIT) {
        Ok((Ok(model), took)) => (model, took),
        Ok((Err(err), _)) => panic!("scan failed to start: {err}"),
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("scan took longer than {TIME_LIMIT:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("scan panicked"),
    }
}

/// The valid neighbour loaded, with its function.
fn assert_valid_loaded(model: &Model) {
    let app = model.apps.iter().find(|a| a.file == "ok/template.yaml");
    let app =
        app.unwrap_or_else(|| panic!("valid template not loaded; errors: {:?}", model.errors));
    assert_eq!(app.source, SourceKind::Sam);
    assert_eq!(app.functions.len(), 1, "functions of the valid template");
    assert!(
        !model.errors.iter().any(|e| e.file.starts_with("ok/")),
        "{:?}",
        model.errors
    );
}

/// The one error for `file`.
fn error_for<'m>(model: &'m Model, file: &str) -> &'m LoadError {
    let errs: Vec<_> = model.errors.iter().filter(|e| e.file == file).collect();
    assert_eq!(
        errs.len(),
        1,
        "expected one error for {file}, got {:?}",
        model.errors
    );
    assert!(
        !model.apps.iter().any(|a| a.file == file),
        "{file} should not load"
    );
    errs[0]
}

#[test]
fn yaml_alias_bomb_is_refused() {
    let dir = tree();
    let mut text = String::from(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\nMetadata:\n",
    );
    text.push_str("  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let p = format!("*a{}", i - 1);
        text.push_str(&format!("  a{i}: &a{i} [{}]\n", vec![p; 10].join(", ")));
    }
    write(dir.path(), "bomb/template.yaml", text.as_bytes());
    let (model, took) = scan(dir.path());
    let err = error_for(&model, "bomb/template.yaml");
    assert!(err.message.contains("alias expansion exceeds"), "{err}");
    // The budget runs out on line 11 (a5) at the latest: 10^5 nodes.
    assert!(err.line.is_some_and(|l| (6..=15).contains(&l)), "{err}");
    assert_valid_loaded(&model);
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn deep_nesting_is_refused_in_yaml_and_json() {
    let dir = tree();
    let depth = 100_000;
    let yaml = format!(
        "Resources:\n  X: {}{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    write(dir.path(), "deep/template.yaml", yaml.as_bytes());
    let json = format!(
        "{{\"Resources\": {{\"X\": {}{}}}}}",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    write(dir.path(), "deep/stack.json", json.as_bytes());
    // Deep mappings too, which a recursive parser would also overflow on.
    let maps = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
    write(
        dir.path(),
        "deep/maps.template.json",
        format!("{{\"Resources\": {maps}}}").as_bytes(),
    );
    let (model, _) = scan(dir.path());
    for file in [
        "deep/template.yaml",
        "deep/stack.json",
        "deep/maps.template.json",
    ] {
        let err = error_for(&model, file);
        // Our own depth guard, or the YAML parser's, which trips at the same depth.
        assert!(
            err.message.contains("nesting deeper than 256 levels")
                || err.message.contains("recursion limit exceeded"),
            "{err}"
        );
    }
    assert_eq!(error_for(&model, "deep/template.yaml").line, Some(2));
    assert_eq!(error_for(&model, "deep/stack.json").line, Some(1));
    assert_valid_loaded(&model);
}

#[test]
fn invalid_utf8_names_the_line() {
    let dir = tree();
    write(
        dir.path(),
        "latin1/template.yaml",
        b"AWSTemplateFormatVersion: '2010-09-09'\nDescription: caf\xe9 cr\xe8me\nResources: {}\n",
    );
    let utf16: Vec<u8> = "\u{feff}Resources: {}\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    write(dir.path(), "utf16/template.yaml", &utf16);
    let (model, _) = scan(dir.path());
    let err = error_for(&model, "latin1/template.yaml");
    assert!(err.message.contains("invalid UTF-8"), "{err}");
    assert_eq!(err.line, Some(2));
    let err = error_for(&model, "utf16/template.yaml");
    assert_eq!(err.message, "UTF-16 text: templates must be saved as UTF-8");
    assert_valid_loaded(&model);
}

#[test]
fn fifty_megabyte_files_are_not_read() {
    let dir = tree();
    let size = 50 * 1024 * 1024;
    // Sparse: a real header, then a hole, so the test writes a few bytes, not 50 MB.
    let big = write(
        dir.path(),
        "big/huge.template.json",
        b"{\"AWSTemplateFormatVersion\": \"2010-09-09\",",
    );
    fs::OpenOptions::new()
        .write(true)
        .open(&big)
        .and_then(|f| f.set_len(size))
        .expect("grow");
    // A large data file that does not look like a template is skipped silently.
    let data = write(dir.path(), "big/dataset.json", b"[");
    fs::OpenOptions::new()
        .write(true)
        .open(&data)
        .and_then(|f| f.set_len(size))
        .expect("grow");
    // Named like a template: an error even though its head says nothing.
    let named = write(dir.path(), "big2/template.yaml", b"# generated\n");
    fs::OpenOptions::new()
        .write(true)
        .open(&named)
        .and_then(|f| f.set_len(size))
        .expect("grow");

    let (model, took) = scan(dir.path());
    for file in ["big/huge.template.json", "big2/template.yaml"] {
        let err = error_for(&model, file);
        assert_eq!(
            err.message, "file is 50 MB, larger than the 20 MB limit for templates; not read",
            "{err}"
        );
        assert_eq!(err.line, None);
    }
    assert!(
        !model.errors.iter().any(|e| e.file == "big/dataset.json"),
        "{:?}",
        model.errors
    );
    assert_valid_loaded(&model);
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[cfg(unix)]
#[test]
fn symlinks_are_never_followed() {
    use std::os::unix::fs::symlink;
    let dir = tree();
    let outside = tempfile::tempdir().expect("temp dir");
    write(outside.path(), "secret/template.yaml", VALID.as_bytes());
    let root = dir.path();
    // A loop back to the root, a two-link file loop, a link to a folder outside the root, a
    // link to a template outside the root, and a dangling link.
    symlink(root, root.join("ok/loop")).expect("symlink");
    symlink(root.join("a.yaml"), root.join("b.yaml")).expect("symlink");
    symlink(root.join("b.yaml"), root.join("a.yaml")).expect("symlink");
    symlink(outside.path().join("secret"), root.join("escape")).expect("symlink");
    symlink(
        outside.path().join("secret/template.yaml"),
        root.join("linked.template.yaml"),
    )
    .expect("symlink");
    symlink(root.join("nowhere.yaml"), root.join("serverless.yml")).expect("symlink");

    let (model, _) = scan(root);
    assert_valid_loaded(&model);
    assert_eq!(
        model.apps.len(),
        1,
        "only the valid template: {:?}",
        model.apps.iter().map(|a| &a.file).collect::<Vec<_>>()
    );
    assert!(
        model.errors.is_empty(),
        "symlinks are skipped silently: {:?}",
        model.errors
    );
}

#[test]
fn binary_file_named_template_yaml() {
    let dir = tree();
    let mut bytes = b"\x7fELF\x02\x01\x01".to_vec();
    bytes.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    write(dir.path(), "bin/template.yaml", &bytes);
    let (model, _) = scan(dir.path());
    let err = error_for(&model, "bin/template.yaml");
    assert!(err.message.contains("binary content"), "{err}");
    assert_eq!(err.line, Some(1));
    assert_valid_loaded(&model);
}

#[test]
fn ten_thousand_functions_load() {
    let dir = tree();
    let n = 10_000;
    // One SAM template: half SAM functions with an API event each, half plain Lambda functions
    // sharing a role, so both the SAM expansion and the CloudFormation path carry the load.
    let mut text = String::from(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {}\n",
    );
    for i in 0..n {
        if i % 2 == 0 {
            text.push_str(&format!(
                "  Fn{i}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.h{i}\n      CodeUri: src/\n      Events:\n        Get:\n          Type: Api\n          Properties: {{Path: /f{i}, Method: get}}\n"
            ));
        } else {
            text.push_str(&format!(
                "  Fn{i}:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: nodejs20.x\n      Handler: index.h{i}\n      Role: !GetAtt Role.Arn\n      Code: {{ZipFile: x}}\n"
            ));
        }
    }
    write(dir.path(), "many/template.yaml", text.as_bytes());
    let (model, took) = scan(dir.path());
    assert!(model.errors.is_empty(), "{:?}", model.errors);
    let app = model
        .apps
        .iter()
        .find(|a| a.file == "many/template.yaml")
        .expect("many/template.yaml not loaded");
    assert_eq!(app.source, SourceKind::Sam);
    assert_eq!(app.functions.len(), n);
    let sam = app.function("Fn9998").expect("Fn9998");
    assert_eq!(sam.handler.as_str(), Some("app.h9998"));
    assert_eq!(sam.triggers.len(), 1);
    let plain = app.function("Fn9999").expect("Fn9999");
    assert_eq!(plain.handler.as_str(), Some("index.h9999"));
    assert_eq!(
        app.functions
            .iter()
            .map(|f| f.triggers.len())
            .sum::<usize>(),
        n / 2,
        "one Api event per SAM function"
    );
    assert_valid_loaded(&model);
    println!("10,000 functions loaded in {took:?}");
}

#[test]
fn serverless_self_reference_cycle_terminates() {
    let dir = tree();
    write(
        dir.path(),
        "cycle/serverless.yml",
        b"service: cyclic
provider:
  name: aws
  runtime: nodejs20.x
  timeout: ${self:custom.a}
custom:
  a: ${self:custom.b}
  b: ${self:custom.c, self:custom.a}
  c: ${self:custom.a}-suffix
  d: ${self:custom.d}
functions:
  hello:
    handler: handler.hello
    memorySize: ${self:custom.d}
    environment:
      A: ${self:custom.a}
",
    );
    let (model, took) = scan(dir.path());
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert_valid_loaded(&model);
    // Either the service loads with the cyclic values left unresolved, or it is refused with
    // an error naming the cycle; never a hang, a stack overflow or an invented value.
    match model.apps.iter().find(|a| a.file == "cycle/serverless.yml") {
        Some(app) => {
            let hello = app.function("hello").expect("function hello");
            let env_a = &hello.env("A").expect("env A").value;
            for (what, value) in [
                (
                    "timeout",
                    &hello.timeout.value.clone().map(|v| v.to_string()),
                ),
                ("memory", &hello.memory.value.clone().map(|v| v.to_string())),
                ("env A", &env_a.value),
            ] {
                match value {
                    // The reason names the variable that could not be resolved.
                    Value::Unresolved(reason) => {
                        assert!(reason.contains("${self:custom."), "{what}: {reason}")
                    }
                    Value::Known(v) => panic!("{what} resolved from a cycle to {v:?}"),
                }
            }
        }
        None => {
            let err = error_for(&model, "cycle/serverless.yml");
            assert!(
                err.message.contains("cycl") || err.message.contains("circular"),
                "{err}"
            );
        }
    }
}

#[test]
fn empty_files_and_bare_document_markers() {
    let dir = tree();
    write(dir.path(), "empty/template.yaml", b"");
    write(dir.path(), "empty/serverless.yml", b"");
    write(dir.path(), "empty/notes.yaml", b"");
    write(dir.path(), "dashes/template.yaml", b"---\n");
    write(dir.path(), "dashes/serverless.yml", b"---\n");
    write(dir.path(), "dashes/other.yml", b"---\n...\n");
    let (model, _) = scan(dir.path());
    for file in ["empty/template.yaml", "empty/serverless.yml"] {
        assert_eq!(
            error_for(&model, file).message,
            "empty file: no document in it"
        );
    }
    let err = error_for(&model, "dashes/template.yaml");
    assert_eq!(err.message, "empty document: no template in it");
    let err = error_for(&model, "dashes/serverless.yml");
    assert_eq!(
        err.message,
        "not a Serverless service: the document is empty, not a mapping"
    );
    write(dir.path(), "list/serverless.yml", b"\n\n- a\n- b\n");
    let (model, _) = scan(dir.path());
    let err = error_for(&model, "list/serverless.yml");
    assert_eq!(
        err.message,
        "not a Serverless service: the document is a list, not a mapping"
    );
    assert_eq!(err.line, Some(3));
    // Files that were never meant as templates stay silent.
    assert!(
        !model
            .errors
            .iter()
            .any(|e| e.file == "empty/notes.yaml" || e.file == "dashes/other.yml")
    );
    // A service declared in TypeScript is reported, never run.
    write(
        dir.path(),
        "ts/serverless.ts",
        b"process.exit(1); export default {};\n",
    );
    let (model, _) = scan(dir.path());
    let err = error_for(&model, "ts/serverless.ts");
    assert!(
        err.message
            .starts_with("Serverless service written in code: not read"),
        "{err}"
    );
    assert_eq!(model.errors.len(), 6, "{:?}", model.errors);
    assert_valid_loaded(&model);
}

#[test]
fn all_hostile_files_together_leave_the_scan_standing() {
    let dir = tree();
    let root = dir.path();
    write(root, "a/template.yaml", b"\x00\x01\x02");
    write(root, "b/template.yaml", b"Resources:\n  X: [unclosed\n");
    write(
        root,
        "c/serverless.yml",
        b"service: x\nprovider: {name: aws\n",
    );
    write(
        root,
        "d/stack.json",
        b"{\"Resources\": {\"X\": {\"Type\": \"AWS::SNS::Topic\"},}}",
    );
    write(
        root,
        "e/template.yaml",
        format!("Resources: {}", "[".repeat(10_000)).as_bytes(),
    );
    write(root, "f/template.yaml", b"");
    let (model, _) = scan(root);
    let files: Vec<_> = model.errors.iter().map(|e| e.file.as_str()).collect();
    assert_eq!(
        files,
        [
            "a/template.yaml",
            "b/template.yaml",
            "c/serverless.yml",
            "d/stack.json",
            "e/template.yaml",
            "f/template.yaml"
        ]
    );
    // Syntax errors carry a position.
    for err in &model.errors[1..5] {
        assert!(err.line.is_some(), "{err}");
    }
    assert_eq!(model.errors[3].line, Some(1));
    assert_valid_loaded(&model);
    assert_eq!(model.apps.len(), 1);
}
