//! Deployment archives: read in memory, and every limit gives a clear error naming the file.

mod common;

use common::{load_and_attach, render};
use perimeter_code::{ArchiveLimits, CodeOptions};
use std::io::Write;
use std::path::Path;
use zip::write::SimpleFileOptions;

const SERVERLESS: &str = "service: zipped
provider:
  name: aws
  runtime: python3.12
package:
  artifact: build/app.zip
functions:
  api:
    handler: handler.main
";

fn write_zip(path: &Path, entries: &[(&str, Vec<u8>)]) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    let file = std::fs::File::create(path).expect("create");
    let mut zip = zip::ZipWriter::new(file);
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(*name, opts).expect("entry");
        zip.write_all(bytes).expect("write");
    }
    zip.finish().expect("finish");
}

fn app(entries: &[(&str, Vec<u8>)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("serverless.yml"), SERVERLESS).expect("write");
    write_zip(&dir.path().join("build/app.zip"), entries);
    dir
}

fn handler() -> (&'static str, Vec<u8>) {
    (
        "handler.py",
        b"import boto3\nfrom lib import util\n\nsqs = boto3.client('sqs')\n\ndef main(event, context):\n    util.save(event)\n    sqs.send_message(QueueUrl='q', MessageBody='x')\n"
            .to_vec(),
    )
}

fn util() -> (&'static str, Vec<u8>) {
    (
        "lib/util.py",
        b"import os\nimport boto3\n\ndef save(e):\n    boto3.client('s3').put_object(Bucket=os.environ['B'], Key='k')\n".to_vec(),
    )
}

#[test]
fn serverless_artifact_is_read_in_memory() {
    let dir = app(&[handler(), util(), ("lib/__init__.py", Vec::new())]);
    let (model, stats) = load_and_attach(dir.path(), &CodeOptions::default());
    assert_eq!(stats.handlers_resolved, 1, "{}", render(&model));
    insta::assert_snapshot!(render(&model));
}

fn errors_of(dir: &Path, options: &CodeOptions) -> Vec<String> {
    let (model, _) = load_and_attach(dir, options);
    model
        .errors
        .iter()
        .map(|e| format!("{}: {}", e.file, e.message))
        .collect()
}

#[test]
fn zip_slip_entries_are_rejected() {
    let dir = app(&[handler(), ("../../evil.py", b"print('x')".to_vec())]);
    let errors = errors_of(dir.path(), &CodeOptions::default());
    assert_eq!(
        errors,
        ["build/app.zip: entry '../../evil.py' escapes the archive root (zip slip); rejected"]
    );
}

#[test]
fn zip_bombs_are_rejected_by_ratio() {
    let dir = app(&[handler(), ("data/zeros.py", vec![b'#'; 20 * 1024 * 1024])]);
    let errors = errors_of(dir.path(), &CodeOptions::default());
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("build/app.zip: entry 'data/zeros.py' expands")
            && errors[0].ends_with("(over the 200x limit): a zip bomb; rejected"),
        "{errors:?}"
    );
}

#[test]
fn too_many_entries_is_an_error() {
    let many: Vec<(String, Vec<u8>)> = (0..12).map(|i| (format!("m{i}.py"), Vec::new())).collect();
    let mut entries: Vec<(&str, Vec<u8>)> =
        many.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    entries.push(handler());
    let dir = app(&entries);
    let options = CodeOptions {
        archive: ArchiveLimits {
            max_entries: 10,
            ..ArchiveLimits::default()
        },
        ..CodeOptions::default()
    };
    let errors = errors_of(dir.path(), &options);
    assert_eq!(
        errors,
        ["build/app.zip: archive has 13 entries, over the 10-entry limit"]
    );
}

#[test]
fn total_size_is_capped() {
    let big = ("big.py", vec![b'x'; 64 * 1024]);
    let dir = app(&[handler(), util(), big]);
    let options = CodeOptions {
        archive: ArchiveLimits {
            max_total_bytes: 1000,
            ..ArchiveLimits::default()
        },
        ..CodeOptions::default()
    };
    let errors = errors_of(dir.path(), &options);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("build/app.zip: entries expand to more than 1000 bytes")),
        "{errors:?}"
    );
}

#[test]
fn corrupted_archive_is_an_error_and_the_stage_goes_on() {
    let dir = app(&[handler()]);
    let zip = dir.path().join("build/app.zip");
    let mut bytes = std::fs::read(&zip).expect("read");
    // Cut off the central directory.
    bytes.truncate(bytes.len() - 30);
    std::fs::write(&zip, bytes).expect("write");
    let (model, stats) = load_and_attach(dir.path(), &CodeOptions::default());
    let errors: Vec<String> = model
        .errors
        .iter()
        .map(|e| format!("{}: {}", e.file, e.message))
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("build/app.zip: not a readable zip archive"),
        "{errors:?}"
    );
    assert_eq!(stats.handlers_resolved, 0);
    let code = model.apps[0].functions[0].code.as_ref().expect("code");
    assert_eq!(
        code.problem.as_deref(),
        Some("build/app.zip!/handler.py: file not found")
    );
}

#[test]
fn oversized_archive_is_not_opened() {
    let dir = app(&[handler()]);
    let options = CodeOptions {
        archive: ArchiveLimits {
            max_archive_bytes: 10,
            ..ArchiveLimits::default()
        },
        ..CodeOptions::default()
    };
    let errors = errors_of(dir.path(), &options);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("over the 10-byte limit"), "{errors:?}");
}
