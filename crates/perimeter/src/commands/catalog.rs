//! `perimeter rules` and `perimeter explain CODE`: the catalog and each rule's documentation.

use anyhow::{Result, bail};
use perimeter_rules::registry;
use std::process::ExitCode;

/// Prints the catalog as an aligned table or as JSON.
pub fn list(json: bool) -> Result<ExitCode> {
    let rules = registry();
    if json {
        let metas: Vec<_> = rules.iter().map(|r| r.meta()).collect();
        println!("{}", serde_json::to_string_pretty(&metas)?);
        return Ok(ExitCode::SUCCESS);
    }
    let width = rules.iter().map(|r| r.meta().name.len()).max().unwrap_or(0);
    for rule in &rules {
        let meta = rule.meta();
        println!(
            "{:<8} {:<width$}  {:<8}  {}",
            meta.code,
            meta.name,
            meta.severity.as_str(),
            meta.summary
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints one rule's documentation.
pub fn explain(code_or_name: &str) -> Result<ExitCode> {
    let Some(rule) = perimeter_rules::find_rule(code_or_name) else {
        bail!("no rule named `{code_or_name}` (see `perimeter rules`)");
    };
    let meta = rule.meta();
    println!("# {} {}\n", meta.code, meta.name);
    let level = |l: perimeter_rules::Level| format!("{l:?}").to_lowercase();
    println!(
        "Severity: {}  Likelihood: {}  Impact: {}  Confidence: {}\n",
        meta.severity,
        level(meta.likelihood),
        level(meta.impact),
        level(meta.confidence)
    );
    print!("{}", meta.documentation());
    Ok(ExitCode::SUCCESS)
}
