//! The analysis every command that judges an app shares (`scan`, `watch`, `enforce`, the
//! Lambda mode): rules over the model, the configuration applied, functions scored.
//!
//! Where the model came from (files, a live account, a snapshot) does not matter here: the
//! model is the only input, and the scan root is only used to read files for inline ignores
//! and code frames.

use perimeter_config::Config;
use perimeter_model::{LoadError, Model};
use perimeter_rules::Finding;
use perimeter_score::FunctionScore;
use std::path::Path;

/// The judged model.
pub struct Analysis {
    /// Findings kept after the configuration (disabled rules, ignores), in rule order.
    pub findings: Vec<Finding>,
    /// How many findings the configuration suppressed.
    pub suppressed: usize,
    /// Function scores, highest first.
    pub scores: Vec<FunctionScore>,
    /// Load errors, then configuration problems (malformed or stale ignores).
    pub errors: Vec<LoadError>,
}

/// Runs the rules on `model`, applies `config` and scores each function. `base` is the folder
/// finding locations are relative to (`None` for live data, whose locations are ARNs).
pub fn analyze(model: &Model, config: &Config, base: Option<&Path>) -> Analysis {
    let findings = perimeter_rules::check(model);
    let read = |file: &str| base.and_then(|b| std::fs::read_to_string(b.join(file)).ok());
    let applied = perimeter_config::apply(config, model, findings, &read);
    let scores = perimeter_score::score(model, &applied.kept);
    let mut errors = model.errors.clone();
    errors.extend(applied.problems.iter().cloned());
    Analysis {
        suppressed: applied.suppressed.len(),
        findings: applied.kept,
        scores,
        errors,
    }
}
