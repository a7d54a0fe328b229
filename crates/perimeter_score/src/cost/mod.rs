//! Denial of wallet in dollars for the scorer: the cost model of [`perimeter_cost`] and its
//! application to each publicly reachable function (`perimeter_graph::cost`, which puts the
//! figure on the graph's function nodes), re-exported together so callers keep one path.

pub use perimeter_cost::*;

pub use perimeter_graph::cost::{cost_reason, exposure_cost, function_cost};

#[cfg(test)]
mod tests;
