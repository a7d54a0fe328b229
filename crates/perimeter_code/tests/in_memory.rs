//! `scan_archive`: a deployment package or layer held in memory (a live account's download)
//! read as the code stage reads an archive of a source tree, display paths prefixed by the
//! given id (`ARN!/entry`).

use perimeter_code::{ArchiveRole, CodeOptions, scan_archive};
use perimeter_model::{BundleKind, SinkKind};
use std::io::Write;
use zip::write::SimpleFileOptions;

const ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:orders";
const LAYER: &str = "arn:aws:lambda:us-east-1:123456789012:layer:deps:3";

fn zipped(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(*name, opts).expect("entry");
        zip.write_all(bytes).expect("write");
    }
    zip.finish().expect("finish").into_inner()
}

fn token() -> String {
    // Assembled so that this file holds no complete token.
    format!("ghp_{}{}", "Rk3jH8sLq9WmXt4Rv7Ub", "Yc2Nd5Fe8Gh1Jk4Lm7Pq")
}

#[test]
fn a_function_package_gives_handler_flows_secrets_and_dependencies() {
    let package = zipped(&[
        (
            "src/app.py",
            b"import os\nimport boto3\nfrom src import settings\n\ndef handler(event, context):\n    os.system('convert ' + event['body'])\n    boto3.client('sqs').send_message(QueueUrl=os.environ['Q'], MessageBody='x')\n"
                .to_vec(),
        ),
        (
            "src/settings.py",
            format!("GITHUB_TOKEN = \"{}\"\n", token()).into_bytes(),
        ),
        ("src/__init__.py", Vec::new()),
        ("requirements.txt", b"PyYAML==5.3\n".to_vec()),
        // Installed packages are skipped, as in a source tree.
        ("node_modules/x/index.js", b"eval(process.argv[2])\n".to_vec()),
    ]);
    let scanned = scan_archive(
        ARN,
        package,
        ArchiveRole::Function {
            handler: Some("src/app.handler"),
            runtime: Some("python3.12"),
        },
        &CodeOptions::default(),
    );
    assert!(scanned.errors.is_empty(), "{:?}", scanned.errors);
    let bundle = &scanned.bundle;
    assert_eq!(bundle.id, ARN);
    assert_eq!(bundle.kind, BundleKind::Archive);
    let files: Vec<&str> = bundle.files.iter().map(|f| f.path.as_str()).collect();
    assert!(
        files.contains(&format!("{ARN}!/src/app.py").as_str()),
        "{files:?}"
    );
    assert!(
        !files.iter().any(|f| f.contains("node_modules")),
        "{files:?}"
    );
    assert_eq!(bundle.secrets.len(), 1, "{:?}", bundle.secrets);
    assert_eq!(
        bundle.secrets[0].location.file,
        format!("{ARN}!/src/settings.py")
    );
    assert!(!bundle.secrets[0].redacted.contains(&token()));
    assert!(
        bundle
            .dependencies
            .iter()
            .any(|d| d.name.eq_ignore_ascii_case("pyyaml") && d.version == "5.3"),
        "{:?}",
        bundle.dependencies
    );

    let code = scanned.function.expect("function code");
    assert_eq!(code.bundle, ARN);
    let handler = code.handler.expect("handler resolved");
    assert_eq!(handler.file, format!("{ARN}!/src/app.py"));
    assert_eq!(handler.symbol, "handler");
    assert!(code.files.contains(&format!("{ARN}!/src/settings.py")));
    assert!(
        code.flows
            .iter()
            .any(|f| f.kind == SinkKind::OsCommand && f.location.line == 6),
        "{:?}",
        code.flows
    );
    assert!(
        code.sdk_calls
            .iter()
            .any(|c| c.service == "sqs" && c.operation == "SendMessage"),
        "{:?}",
        code.sdk_calls
    );
}

#[test]
fn a_layer_is_a_layer_bundle_without_function_code() {
    let layer = zipped(&[("python/requirements.txt", b"PyYAML==5.3\n".to_vec())]);
    let scanned = scan_archive(LAYER, layer, ArchiveRole::Layer, &CodeOptions::default());
    assert!(scanned.function.is_none());
    assert_eq!(scanned.bundle.kind, BundleKind::Layer);
    assert_eq!(
        scanned.bundle.dependencies[0].location.file,
        format!("{LAYER}!/python/requirements.txt")
    );
}

#[test]
fn a_missing_handler_and_a_zip_bomb_are_reported_not_fatal() {
    let package = zipped(&[
        (
            "app.py",
            b"def other(event, context):\n    return 1\n".to_vec(),
        ),
        ("data.bin", vec![0u8; 4 * 1024 * 1024]),
    ]);
    let scanned = scan_archive(
        ARN,
        package,
        ArchiveRole::Function {
            handler: Some("app.handler"),
            runtime: Some("python3.12"),
        },
        &CodeOptions::default(),
    );
    assert!(
        scanned
            .errors
            .iter()
            .any(|e| e.file == ARN && e.message.contains("zip bomb")),
        "{:?}",
        scanned.errors
    );
    let code = scanned.function.expect("function code");
    assert!(code.handler.is_none());
    assert!(code.problem.is_some());

    let garbage = scan_archive(
        ARN,
        b"not a zip".to_vec(),
        ArchiveRole::Layer,
        &CodeOptions::default(),
    );
    assert!(
        garbage
            .errors
            .iter()
            .any(|e| e.message.contains("not a readable zip")),
        "{:?}",
        garbage.errors
    );
}
