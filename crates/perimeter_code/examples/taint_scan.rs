//! Prints the event-to-sink flows of handler files, or of every handler-like file under a
//! folder: `cargo run -p perimeter_code --example taint_scan -- PATH... [--handler NAME]`.
//! Used to look at precision on real code; prints counts at the end.

use perimeter_code::{lang, taint};
use perimeter_model::Language;
use std::path::{Path, PathBuf};

fn walk(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let Ok(entries) = std::fs::read_dir(path) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if name == "node_modules" || name.starts_with('.') {
                continue;
            }
            walk(&entry.path(), out);
        }
    } else {
        out.push(path.to_path_buf());
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut handler = None;
    let mut roots = Vec::new();
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        if a == "--handler" {
            handler = it.next();
        } else {
            roots.push(PathBuf::from(a));
        }
    }
    let mut files = Vec::new();
    for r in &roots {
        walk(r, &mut files);
    }
    files.sort();
    let (mut analyzed, mut flows_total) = (0, 0);
    for file in files {
        let display = file.to_string_lossy().to_string();
        let language = lang::language_of(&display);
        if matches!(
            language,
            Language::Other | Language::Ruby | Language::CSharp
        ) {
            continue;
        }
        let Ok(source) = std::fs::read_to_string(&file) else {
            continue;
        };
        if source.len() > 2_000_000 {
            continue;
        }
        let Some(tree) = lang::parse(language, &display, &source) else {
            continue;
        };
        analyzed += 1;
        let names: Vec<&str> = match &handler {
            Some(h) => vec![h.as_str()],
            None => match language {
                Language::Go => vec![""],
                Language::Java => vec!["handleRequest"],
                _ => vec!["handler", "lambda_handler", "main", "handle"],
            },
        };
        for name in names {
            for flow in taint::analyze(language, &display, &source, &tree, name) {
                flows_total += 1;
                println!(
                    "{}:{} {} {} <- {}",
                    flow.location.file,
                    flow.location.line,
                    flow.kind.rule_code(),
                    flow.sink,
                    flow.source
                );
                for step in &flow.steps {
                    println!("    {}: {}", step.location.line, step.note);
                }
            }
        }
    }
    eprintln!("{analyzed} files analyzed, {flows_total} flows");
}
