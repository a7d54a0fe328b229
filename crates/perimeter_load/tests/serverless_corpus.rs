//! Every Serverless Framework service file of the shared third-party corpora goes through
//! the document layer and the serverless loader: nothing panics, nearly every service that
//! declares functions loads them, and the counts are printed for the record
//! (`cargo test -p perimeter_load --test serverless_corpus -- --nocapture`).

use perimeter_load::{LoadOptions, doc, serverless};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn corpora() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora/iac");
    assert!(
        dir.is_dir(),
        "the shared corpora are missing at {}",
        dir.display()
    );
    dir
}

fn service_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            service_files(&path, out);
        } else if kind.is_file()
            && matches!(
                path.file_name().and_then(|n| n.to_str()),
                Some("serverless.yml" | "serverless.yaml" | "serverless.json")
            )
        {
            out.push(path);
        }
    }
}

#[test]
fn every_corpus_service_loads_without_panic() {
    let root = corpora();
    let mut files = Vec::new();
    service_files(&root, &mut files);
    assert!(
        files.len() >= 150,
        "expected the corpus's ~200 service files, found {}",
        files.len()
    );

    let options = LoadOptions::default();
    let started = Instant::now();
    let (mut parsed, mut loaded, mut functions, mut with_functions, mut loaded_functions_ok) =
        (0, 0, 0, 0, 0);
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    let mut triggers: BTreeMap<String, usize> = BTreeMap::new();
    let mut unresolved_handlers = 0;
    let mut other_types: BTreeMap<String, usize> = BTreeMap::new();
    let mut roles = 0;
    let mut apis = 0;
    let mut resources = 0;
    for path in &files {
        let rel = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = std::fs::read(path).expect("read corpus file");
        let text = match doc::decode(&bytes) {
            Ok(t) => t,
            Err(e) => {
                *errors.entry(format!("decode: {}", e.message)).or_default() += 1;
                continue;
            }
        };
        let node = if rel.ends_with(".json") {
            doc::parse_json(text)
        } else {
            doc::parse_yaml(text)
        };
        let node = match node {
            Ok(Some(n)) => n,
            Ok(None) => {
                *errors.entry("empty document".to_string()).or_default() += 1;
                continue;
            }
            Err(e) => {
                *errors.entry("parse error".to_string()).or_default() += 1;
                eprintln!("parse error {rel}: {e}");
                continue;
            }
        };
        parsed += 1;
        let declares_functions = node.get("functions").is_some_and(|f| !f.is_null());
        if declares_functions {
            with_functions += 1;
        }
        let file_started = Instant::now();
        match serverless::load(&rel, &node, &root, &options) {
            Ok(app) => {
                loaded += 1;
                functions += app.functions.len();
                roles += app.roles.len();
                apis += app.apis.len();
                resources += app.resources.len();
                if declares_functions && !app.functions.is_empty() {
                    loaded_functions_ok += 1;
                } else if declares_functions {
                    eprintln!("no functions loaded: {rel}");
                }
                for f in &app.functions {
                    if !f.handler.value.is_known()
                        && f.package_type.known().map(String::as_str) != Some("Image")
                    {
                        unresolved_handlers += 1;
                        eprintln!("unresolved handler {rel}#{}: {:?}", f.id, f.handler.value);
                    }
                    for t in &f.triggers {
                        *triggers.entry(format!("{:?}", t.kind)).or_default() += 1;
                        if t.kind == perimeter_model::TriggerKind::Other {
                            *other_types.entry(t.type_name.clone()).or_default() += 1;
                        }
                    }
                }
            }
            Err(e) => {
                if declares_functions && e.message.contains("is not supported") {
                    with_functions -= 1;
                }
                *errors.entry(format!("load: {}", e.message)).or_default() += 1;
            }
        }
        assert!(
            file_started.elapsed().as_secs() < 5,
            "{rel} took {:?}",
            file_started.elapsed()
        );
    }
    println!(
        "serverless corpus: {} files, {parsed} parsed, {loaded} loaded in {:?}",
        files.len(),
        started.elapsed()
    );
    println!(
        "  {with_functions} declare functions, {loaded_functions_ok} of them loaded >= 1 function"
    );
    println!(
        "  {functions} functions ({unresolved_handlers} with unresolved handler), {roles} roles, {apis} apis, {resources} resources"
    );
    println!("  errors by reason: {errors:?}");
    println!("  triggers by kind: {triggers:?}");
    println!("  other trigger types: {other_types:?}");

    assert!(
        parsed * 100 >= files.len() * 90,
        "too few files parse: {parsed}/{}",
        files.len()
    );
    // Services of providers perimeter does not read (openwhisk, kubeless, …) are a clear
    // load error; every other mapping loads.
    let unsupported: usize = errors
        .iter()
        .filter(|(reason, _)| reason.contains("is not supported"))
        .map(|(_, n)| n)
        .sum();
    assert!(
        (30..=60).contains(&unsupported),
        "unsupported providers: {unsupported}"
    );
    assert_eq!(
        loaded + unsupported,
        parsed,
        "every parsed mapping of a supported provider loads into an App"
    );
    assert!(
        loaded_functions_ok * 100 >= with_functions * 95,
        "{loaded_functions_ok}/{with_functions} services with functions loaded them"
    );
    // ~60 functions of unsupported providers are no longer counted.
    assert!(functions >= 250, "too few functions: {functions}");
    assert!(
        triggers.get("Api").copied().unwrap_or(0) >= 100,
        "too few http triggers: {triggers:?}"
    );
}

/// Other kinds of YAML documents (SAM and CloudFormation templates, Terraform-adjacent
/// files) given to the serverless loader as if they were services: odd shapes everywhere,
/// and still no panic, no error for a mapping, and no time blow-up.
#[test]
fn other_documents_never_panic() {
    let root = corpora();
    let mut files = Vec::new();
    collect_yaml(&root.join("sam-translator/input"), &mut files);
    collect_yaml(&root.join("serverless-rules"), &mut files);
    assert!(
        files.len() >= 500,
        "expected the SAM inputs, found {}",
        files.len()
    );
    let started = Instant::now();
    let mut loaded = 0;
    for path in &files {
        let rel = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        let Ok(bytes) = std::fs::read(path) else {
            continue;
        };
        let Ok(text) = doc::decode(&bytes) else {
            continue;
        };
        let Ok(Some(node)) = doc::parse_yaml(text) else {
            continue;
        };
        if serverless::load(&rel, &node, &root, &LoadOptions::default()).is_ok() {
            loaded += 1;
        } else {
            assert!(!node.is_map(), "{rel}: a mapping must load");
        }
    }
    println!(
        "other documents: {} files, {loaded} loaded as services in {:?}",
        files.len(),
        started.elapsed()
    );
}

fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => collect_yaml(&path, out),
            Ok(t)
                if t.is_file()
                    && matches!(
                        path.extension().and_then(|e| e.to_str()),
                        Some("yml" | "yaml")
                    ) =>
            {
                out.push(path)
            }
            _ => {}
        }
    }
}
