//! Denial of wallet in dollars on the graph's function nodes: the cost model of
//! [`perimeter_cost`], applied to each publicly reachable function through its public entry
//! points as [`perimeter_rules::exposure`] sees them. `perimeter_score::cost` re-exports this
//! module with the cost model (the graph sits below the scorer, so the scorer can read both).

use perimeter_cost::{
    CostEstimate, DEFAULT_ACCOUNT_CONCURRENCY, Prices, api_front, default_prices, estimate,
    function_inputs,
};
use perimeter_model::{App, Function};
use perimeter_rules::exposure::{Exposure, function_exposure};

/// The worst-case flood cost of `function` when anyone can invoke it (`None` otherwise): the
/// costliest of its public entry points, at `prices` and an account concurrency quota of
/// `account_concurrency` ([`DEFAULT_ACCOUNT_CONCURRENCY`] unless the user knows better).
pub fn function_cost(
    app: &App,
    function: &Function,
    prices: &'static Prices,
    account_concurrency: u32,
) -> Option<CostEstimate> {
    let exposure = function_exposure(app, function);
    exposure_cost(app, function, &exposure, prices, account_concurrency)
}

/// [`function_cost`] for a caller that already has the function's exposure (the graph
/// computes it once per function).
pub fn exposure_cost(
    app: &App,
    function: &Function,
    exposure: &Exposure,
    prices: &'static Prices,
    account_concurrency: u32,
) -> Option<CostEstimate> {
    let mut notes = Vec::new();
    let mut worst: Option<CostEstimate> = None;
    for entry in exposure.public_entry_points() {
        let api = api_front(app, entry.kind, entry.source.as_deref());
        let (inputs, n) = function_inputs(function, api, account_concurrency);
        notes = n;
        let mut est = estimate(&inputs, prices);
        est.assumptions
            .insert(0, format!("the flood comes through {}", entry.description));
        if worst.as_ref().is_none_or(|w| est.per_hour > w.per_hour) {
            worst = Some(est);
        }
    }
    let mut worst = worst?;
    worst.assumptions.extend(notes);
    Some(worst)
}

/// The sentence a score reason can carry for `function`, at the default prices and account
/// concurrency: `None` when the function is not public.
pub fn cost_reason(app: &App, function: &Function) -> Option<String> {
    function_cost(app, function, default_prices(), DEFAULT_ACCOUNT_CONCURRENCY).map(|e| e.summary())
}
