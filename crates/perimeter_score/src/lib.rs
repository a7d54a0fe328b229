//! Explainable per-function risk: a 0–100 score and the reason for every point.
//!
//! A function's risk is not the sum of its findings. It is what an attacker gets by reaching
//! it, read from the attack graph ([`perimeter_graph`]): **exposure** (who can start it, by the
//! shortest route in the graph: directly from the internet, through a bucket/queue/topic anyone
//! can write, through another function, or only after authenticating), **privilege** (what its
//! role lets it do), **data** (which data stores its role can read, write, delete or
//! administer: the graph's edges from the IAM engine's effective permissions), **blast radius**
//! (how many data stores and functions it reaches, and whether a function it starts can
//! escalate to account administrator), **weaknesses** (injection sinks fed by event data,
//! secrets, vulnerable dependencies, obsolete runtimes) and **operations** (no throttling, no
//! logs). Each factor adds a capped number of points, and **combinations** add more, with the
//! concrete facts in their text ("public, unauthenticated, and can read every item of
//! OrdersTable"). Every point comes with a [`Reason`] naming the findings or graph facts
//! behind it. Past 70 raw points the scale compresses ([`compress::compressed`]), so the worst
//! functions still rank apart. The formula, weights and tie-breaks are in `docs/scoring.md`.
//!
//! The scorer reads the model, the graph and the findings; it never re-runs rules.

mod compress;
pub mod cost;
mod describe;
mod factors;
mod findings;
pub mod weight;

pub use compress::compressed;

use perimeter_graph::Graph;
use perimeter_graph::reach::GraphIndex;
use perimeter_model::{Location, Model};
use perimeter_rules::Finding;
use serde::Serialize;

/// One contribution to a function's score.
#[derive(Debug, Clone, Serialize)]
pub struct Reason {
    /// Points this reason adds (the sum of a function's reasons is its score).
    pub points: u32,
    /// `exposure`, `privilege`, `data`, `blast`, `weakness`, `operations` or `combination`.
    pub factor: &'static str,
    pub text: String,
    /// Finding codes behind this reason (empty when it rests on graph facts alone).
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

impl FunctionScore {
    /// Plain-text explanation: `66 NotifyFunction`, then one line per reason with its points,
    /// factor, text and codes (the format of `docs/scoring.md`'s worked examples).
    pub fn explain(&self) -> String {
        let mut out = format!("{} {}\n", self.score, self.function);
        for r in &self.reasons {
            out.push_str(&format!("  {:>3} {:<11} {}", r.points, r.factor, r.text));
            if !r.codes.is_empty() {
                out.push_str(&format!(" [{}]", r.codes.join(", ")));
            }
            out.push('\n');
        }
        out
    }
}

/// Scores every function of every app, ranked (see [`rank`]). Builds the attack graph
/// (without its path search); use [`score_with_graph`] when you already have it.
pub fn score(model: &Model, findings: &[Finding]) -> Vec<FunctionScore> {
    let graph = perimeter_graph::build_without_paths(model);
    score_with_graph(model, &graph, findings)
}

/// Scores every function of every app against `graph` (built from `model` by
/// [`perimeter_graph::build`] or [`perimeter_graph::build_without_paths`]), ranked.
pub fn score_with_graph(model: &Model, graph: &Graph, findings: &[Finding]) -> Vec<FunctionScore> {
    let index = GraphIndex::new(graph);
    let routes = factors::Routes::new(&index);
    let mut scored: Vec<(factors::Rank, FunctionScore)> = Vec::new();
    for app in &model.apps {
        let app_findings = findings::AppFindings::new(app, findings);
        for function in &app.functions {
            let found = app_findings.of(app, function);
            scored.push(factors::score_function(
                app, function, &found, &index, &routes,
            ));
        }
    }
    rank(&mut scored);
    scored.into_iter().map(|(_, s)| s).collect()
}

/// The ranking: score, highest first; then raw points (before compression), highest first;
/// then exposure (public directly, public write, public through a function, authenticated,
/// event source, none); then app id and function id, alphabetically. Deterministic: no two
/// functions of a model share an (app, function) pair.
fn rank(scored: &mut [(factors::Rank, FunctionScore)]) {
    scored.sort_by(|(ra, a), (rb, b)| {
        b.score
            .cmp(&a.score)
            .then_with(|| rb.raw.cmp(&ra.raw))
            .then_with(|| rb.exposure.cmp(&ra.exposure))
            .then_with(|| (&a.app, &a.function).cmp(&(&b.app, &b.function)))
    });
}
