//! `perimeter rules` and `perimeter explain CODE`: the catalog and each rule's documentation.

use anyhow::{Result, bail};
use perimeter_rules::registry;
use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

/// Writes to standard output; a closed pipe (`perimeter rules | head`) is not an error.
fn emit(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// Prints the catalog as an aligned table or as JSON.
pub fn list(json: bool) -> Result<ExitCode> {
    let rules = registry();
    if json {
        let metas: Vec<_> = rules.iter().map(|r| r.meta()).collect();
        emit(&format!("{}\n", serde_json::to_string_pretty(&metas)?));
        return Ok(ExitCode::SUCCESS);
    }
    let width = rules.iter().map(|r| r.meta().name.len()).max().unwrap_or(0);
    let mut table = String::new();
    for rule in &rules {
        let meta = rule.meta();
        let _ = writeln!(
            table,
            "{:<8} {:<width$}  {:<8}  {}",
            meta.code,
            meta.name,
            meta.severity.as_str(),
            meta.summary
        );
    }
    emit(&table);
    Ok(ExitCode::SUCCESS)
}

/// Prints one rule's documentation.
pub fn explain(code_or_name: &str) -> Result<ExitCode> {
    let Some(rule) = perimeter_rules::find_rule(code_or_name) else {
        bail!("no rule named `{code_or_name}` (see `perimeter rules`)");
    };
    let meta = rule.meta();
    let level = |l: perimeter_rules::Level| format!("{l:?}").to_lowercase();
    emit(&format!(
        "# {} {}\n\nSeverity: {}  Likelihood: {}  Impact: {}  Confidence: {}\n\n{}",
        meta.code,
        meta.name,
        meta.severity,
        level(meta.likelihood),
        level(meta.impact),
        level(meta.confidence),
        meta.documentation()
    ));
    Ok(ExitCode::SUCCESS)
}
