//! The cost of the example's functions through their exposure (the formula itself is tested
//! with hand-computed figures in `perimeter_cost`).

use super::*;

#[test]
fn public_functions_of_an_example_have_a_cost_and_private_ones_none() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/vulnerable-serverless");
    let model = perimeter_load::load_path(&root, &perimeter_load::LoadOptions::default())
        .expect("example loads");
    let app = &model.apps[0];
    let public = app.function("createOrder").expect("createOrder");
    let est = function_cost(app, public, default_prices(), DEFAULT_ACCOUNT_CONCURRENCY)
        .expect("public function has a cost");
    assert!(est.per_hour > 0.0);
    assert!(
        est.assumptions[0].starts_with("the flood comes through api POST /orders"),
        "{:?}",
        est.assumptions
    );
    assert!(cost_reason(app, public).is_some_and(|r| r.contains("/h")));
    let queue_fed = app.function("fulfil").expect("fulfil");
    assert!(
        function_cost(
            app,
            queue_fed,
            default_prices(),
            DEFAULT_ACCOUNT_CONCURRENCY
        )
        .is_none()
    );
}
