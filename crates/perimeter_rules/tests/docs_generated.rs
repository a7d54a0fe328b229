//! `docs/rules/` is generated from the rules' own documentation (their `//!` comments) and
//! must match it. Regenerate with:
//!
//! ```sh
//! UPDATE_DOCS=1 cargo test -p perimeter_rules --test docs_generated
//! ```

use perimeter_rules::{Level, RuleMeta, registry};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn docs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules")
}

fn level(l: Level) -> &'static str {
    match l {
        Level::Low => "low",
        Level::Medium => "medium",
        Level::High => "high",
    }
}

const HEADER: &str = "<!-- Generated from the rule's source by `UPDATE_DOCS=1 cargo test -p perimeter_rules --test docs_generated`. Do not edit. -->\n\n";

/// `docs/rules/<CODE>.md`.
fn render_rule(m: &RuleMeta) -> String {
    let mut out = String::from(HEADER);
    out.push_str(&format!("# {}: {}\n\n{}.\n\n", m.code, m.name, m.summary));
    out.push_str("| Code | Name | Family | Severity | Likelihood | Impact | Confidence |\n");
    out.push_str("|---|---|---|---|---|---|---|\n");
    out.push_str(&format!(
        "| {} | `{}` | {} | {} | {} | {} | {} |\n\n",
        m.code,
        m.name,
        m.family.prefix(),
        m.severity,
        level(m.likelihood),
        level(m.impact),
        level(m.confidence)
    ));
    out.push_str(m.documentation().trim_end());
    out.push('\n');
    out
}

/// `docs/rules/README.md`: the catalog.
fn render_index(metas: &[&RuleMeta]) -> String {
    let mut out = String::from(HEADER);
    out.push_str("# perimeter rules\n\n");
    out.push_str("Every rule has a code that is never reused, a kebab-case name, a default severity, and a page\n");
    out.push_str(
        "with what it detects, why it matters, a tested example, the fix and references.\n\n",
    );
    out.push_str("| Code | Name | Severity | Summary |\n|---|---|---|---|\n");
    for m in metas {
        out.push_str(&format!(
            "| [{code}]({code}.md) | `{}` | {} | {} |\n",
            m.name,
            m.severity,
            m.summary,
            code = m.code
        ));
    }
    out.push_str("\n## Exposure: what \"public\" means\n\n");
    out.push_str("The AUTH, DOW and LOG rules (and the risk score) share one definition of who can trigger a\n");
    out.push_str("function, from `perimeter_rules::exposure`:\n\n");
    out.push_str(&module_doc(EXPOSURE_SOURCE));
    out
}

/// The `//!` comment at the top of a source file, as Markdown.
fn module_doc(source: &str) -> String {
    let mut doc = String::new();
    for line in source.lines() {
        let Some(rest) = line.strip_prefix("//!") else {
            break;
        };
        doc.push_str(rest.strip_prefix(' ').unwrap_or(rest));
        doc.push('\n');
    }
    doc
}

const EXPOSURE_SOURCE: &str = include_str!("../src/exposure.rs");

fn expected() -> BTreeMap<String, String> {
    let rules = registry();
    let metas: Vec<&RuleMeta> = rules.iter().map(|r| r.meta()).collect();
    let mut files = BTreeMap::new();
    for m in &metas {
        files.insert(format!("{}.md", m.code), render_rule(m));
    }
    files.insert("README.md".to_string(), render_index(&metas));
    files
}

#[test]
fn docs_are_generated_from_the_rules() {
    let dir = docs_dir();
    let files = expected();
    let update = std::env::var("UPDATE_DOCS").is_ok_and(|v| v == "1");
    if update {
        std::fs::create_dir_all(&dir).expect("create docs/rules");
        // Pages of rules that no longer exist go away.
        for entry in std::fs::read_dir(&dir).expect("read docs/rules").flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if name.ends_with(".md") && !files.contains_key(&name) {
                std::fs::remove_file(entry.path()).expect("remove stale page");
            }
        }
        for (name, text) in &files {
            std::fs::write(dir.join(name), text).expect("write docs page");
        }
        return;
    }
    let mut stale = Vec::new();
    for (name, text) in &files {
        match std::fs::read_to_string(dir.join(name)) {
            Ok(on_disk) if &on_disk == text => {}
            Ok(_) => stale.push(format!("{name} differs")),
            Err(_) => stale.push(format!("{name} is missing")),
        }
    }
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if name.ends_with(".md") && !files.contains_key(&name) {
                stale.push(format!("{name} belongs to no rule"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "docs/rules is out of date ({}). Regenerate with:\n  UPDATE_DOCS=1 cargo test -p perimeter_rules --test docs_generated",
        stale.join(", ")
    );
}
