//! semgrep-style fixtures for the taint analysis: every file under `tests/taint_fixtures/<lang>/`
//! is a real-looking handler whose sink lines are annotated on the line before:
//! `# ruleid: INJ004` (Python) or `// ruleid: INJ001` (others) must be reported there with
//! that rule's sink kind, `# ok: INJ004` must not. Any flow on a line without a `ruleid`
//! annotation for its code is a failure too. The handler is `handler` unless the file says
//! `handler: NAME` in an annotation line (`# handler: main`, or several: `# handler: a, b`); Go
//! finds it from `lambda.Start`,
//! Java uses `handleRequest`.
//!
//! Every mismatch of every file is listed together, then counts per language and kind are
//! printed (`cargo test -p perimeter_code --test taint_fixtures -- --nocapture`).

use perimeter_code::lang;
use perimeter_code::taint::analyze;
use perimeter_model::{Language, TaintFlow};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/taint_fixtures")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

struct Expect {
    /// (line, code) that must be reported.
    ruleid: BTreeSet<(u32, String)>,
    /// (line, code) that must not be.
    ok: BTreeSet<(u32, String)>,
    handler: Option<String>,
}

/// Reads the annotations: each applies to the next line that is not an annotation itself.
fn annotations(source: &str) -> Expect {
    let mut expect = Expect {
        ruleid: BTreeSet::new(),
        ok: BTreeSet::new(),
        handler: None,
    };
    let mut pending: Vec<(bool, String)> = Vec::new();
    for (i, line) in source.lines().enumerate() {
        let line_no = i as u32 + 1;
        let trimmed = line.trim_start();
        let comment = trimmed
            .strip_prefix('#')
            .or_else(|| trimmed.strip_prefix("//"))
            .map(str::trim);
        if let Some(c) = comment {
            if let Some(codes) = c.strip_prefix("ruleid:") {
                pending.extend(codes.split(',').map(|s| (true, s.trim().to_string())));
                continue;
            }
            if let Some(codes) = c.strip_prefix("ok:") {
                pending.extend(codes.split(',').map(|s| (false, s.trim().to_string())));
                continue;
            }
            if let Some(h) = c.strip_prefix("handler:") {
                expect.handler = Some(h.trim().to_string());
                continue;
            }
        }
        for (is_rule, code) in pending.drain(..) {
            if is_rule {
                expect.ruleid.insert((line_no, code));
            } else {
                expect.ok.insert((line_no, code));
            }
        }
    }
    expect
}

fn default_handler(language: Language) -> &'static str {
    match language {
        Language::Go => "",
        Language::Java => "handleRequest",
        _ => "handler",
    }
}

fn describe(flow: &TaintFlow) -> String {
    let steps: Vec<String> = flow
        .steps
        .iter()
        .map(|s| format!("{}: {}", s.location.line, s.note))
        .collect();
    format!(
        "{} {} <- {} [{}]",
        flow.kind.rule_code(),
        flow.sink,
        flow.source,
        steps.join(" | ")
    )
}

#[test]
fn annotated_fixtures_match_exactly() {
    let mut paths = Vec::new();
    files(&fixtures(), &mut paths);
    paths.sort();
    assert!(paths.len() >= 8, "fixtures missing: {}", paths.len());
    let mut problems = Vec::new();
    let mut counts: BTreeMap<(String, String, &str), usize> = BTreeMap::new();
    for path in &paths {
        let rel = path
            .strip_prefix(fixtures())
            .unwrap_or(path)
            .to_string_lossy()
            .to_string();
        let language = lang::language_of(&rel);
        let Ok(source) = std::fs::read_to_string(path) else {
            problems.push(format!("{rel}: unreadable"));
            continue;
        };
        let Some(tree) = lang::parse(language, &rel, &source) else {
            problems.push(format!("{rel}: does not parse"));
            continue;
        };
        let expect = annotations(&source);
        let handler = expect
            .handler
            .clone()
            .unwrap_or_else(|| default_handler(language).to_string());
        let mut flows = Vec::new();
        for name in handler.split(',') {
            flows.extend(analyze(language, &rel, &source, &tree, name.trim()));
        }
        let lang_name = rel.split('/').next().unwrap_or("").to_string();
        let mut found: BTreeMap<(u32, String), &TaintFlow> = BTreeMap::new();
        for flow in &flows {
            assert_eq!(flow.location.file, rel);
            assert!(
                flow.steps.len() >= 2,
                "{rel}: a flow has source and sink steps"
            );
            found.insert(
                (flow.location.line, flow.kind.rule_code().to_string()),
                flow,
            );
        }
        for key in &expect.ruleid {
            *counts
                .entry((lang_name.clone(), key.1.clone(), "ruleid"))
                .or_default() += 1;
            if !found.contains_key(key) {
                problems.push(format!("{rel}:{}: {} not reported", key.0, key.1));
            }
        }
        for key in &expect.ok {
            *counts
                .entry((lang_name.clone(), key.1.clone(), "ok"))
                .or_default() += 1;
        }
        for (key, flow) in &found {
            if !expect.ruleid.contains(key) {
                let why = if expect.ok.contains(key) {
                    "marked ok"
                } else {
                    "not annotated"
                };
                problems.push(format!(
                    "{rel}:{}: unexpected ({why}): {}",
                    key.0,
                    describe(flow)
                ));
            }
        }
    }
    let mut summary = String::new();
    for ((lang, code, what), n) in &counts {
        summary.push_str(&format!("{lang} {code} {what}: {n}\n"));
    }
    println!("{} fixture files\n{summary}", paths.len());
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn annotations_are_read_from_the_line_before() {
    let e = annotations("x\n# ruleid: INJ001, INJ004\n# ok: INJ006\nos.system(x)\n");
    assert!(e.ruleid.contains(&(4, "INJ001".to_string())));
    assert!(e.ruleid.contains(&(4, "INJ004".to_string())));
    assert!(e.ok.contains(&(4, "INJ006".to_string())));
}
