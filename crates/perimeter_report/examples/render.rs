//! Renders a report for a folder with the real pipeline, for eyeballing and timing:
//! `cargo run -p perimeter_report --example render -- ROOT [text|json|sarif] [--color]`.

use perimeter_report::{ReportInput, TextOptions, json, sarif, text};
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(root) = args.first().map(PathBuf::from) else {
        eprintln!("usage: render ROOT [text|json|sarif] [--color]");
        std::process::exit(2);
    };
    let format = args.get(1).map_or("text", String::as_str);
    let started = Instant::now();
    let model = match perimeter_load::load_path(&root, &perimeter_load::LoadOptions::default()) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let loaded = started.elapsed();
    let findings = perimeter_rules::check(&model);
    let scores = perimeter_score::score(&model, &findings);
    let rules = perimeter_rules::registry();
    let input = ReportInput {
        root: &root,
        model: &model,
        findings: &findings,
        scores: &scores,
        errors: &model.errors,
        suppressed: 0,
        rules: &rules,
        tool_version: env!("CARGO_PKG_VERSION"),
        iam_catalog_date: "2026-10-27",
    };
    let before = Instant::now();
    let out = match format {
        "json" => json(&input),
        "sarif" => sarif(&input),
        _ => text(
            &input,
            &TextOptions {
                color: args.iter().any(|a| a == "--color"),
                ..TextOptions::default()
            },
        ),
    };
    let rendered = before.elapsed();
    print!("{out}");
    eprintln!(
        "loaded in {loaded:?}, analysed in {:?}, rendered {} bytes in {rendered:?}",
        before - started - loaded,
        out.len()
    );
}
