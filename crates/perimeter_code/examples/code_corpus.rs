//! Measures the code stage on real application trees (not a test):
//!
//! ```text
//! cargo run -p perimeter_code --example code_corpus -- [PATH ...]
//! ```
//!
//! Without paths it measures the Serverless Framework and SAM apps of
//! `../shared/corpora/iac` and the repository's examples. For each path it prints how many
//! functions had their code folder or archive found, how many handlers resolved, how many AWS
//! SDK calls were extracted and how many call sites looked like SDK calls but were not
//! recognized, and why handlers were not found.

use perimeter_code::{CodeOptions, attach};
use perimeter_load::LoadOptions;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    if paths.is_empty() {
        let corpora = manifest.join("../../../shared/corpora/iac");
        for sub in [
            "serverless-examples",
            "serverless-patterns",
            "serverless-rules",
        ] {
            paths.push(corpora.join(sub));
        }
        for ex in ["vulnerable-serverless", "vulnerable-sam", "clean-sam"] {
            paths.push(manifest.join("../../examples").join(ex));
        }
        paths.push(manifest.join("tests/fixtures"));
    }
    println!(
        "{:<28} {:>5} {:>9} {:>10} {:>8} {:>9} {:>9} {:>8} {:>12} {:>7}",
        "tree",
        "apps",
        "functions",
        "code found",
        "sources",
        "handlers",
        "sdk calls",
        "unrecog",
        "code errors",
        "ms"
    );
    for path in paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut model = match perimeter_load::load_path(&path, &LoadOptions::default()) {
            Ok(m) => m,
            Err(e) => {
                println!("{name}: {e}");
                continue;
            }
        };
        let before = model.errors.len();
        let t = Instant::now();
        let stats = attach(&mut model, &path, &CodeOptions::default());
        let ms = t.elapsed().as_millis();
        println!(
            "{:<28} {:>5} {:>9} {:>10} {:>8} {:>9} {:>9} {:>8} {:>12} {:>7}",
            name,
            model.apps.len(),
            stats.functions,
            stats.with_code,
            stats.with_source,
            stats.handlers_resolved,
            stats.sdk_calls,
            stats.unrecognized.len(),
            model.errors.len() - before,
            ms
        );
        let mut why: BTreeMap<String, usize> = BTreeMap::new();
        for p in &stats.problems {
            let kind = p.rsplit(": ").next().unwrap_or(p);
            let kind = kind.split('\'').next().unwrap_or(kind).trim().to_string();
            *why.entry(kind).or_default() += 1;
        }
        for (k, n) in why {
            println!("    not resolved: {n:>5}  {k}");
        }
        for u in stats.unrecognized.iter().take(10) {
            println!("    unrecognized: {u}");
        }
        for e in model.errors[before..].iter().take(5) {
            println!("    error: {}: {}", e.file, e.message);
        }
    }
}
