//! Clean values cost no allocation: inspecting an event with ten times more clean string
//! values allocates (almost) the same number of times. Counted with a global allocator
//! wrapper, so the figure is deterministic (unlike timing).

use counting::ALLOCS;
use perimeter_shield::{Config, Verdict, inspect_event};
use std::sync::atomic::Ordering;

#[path = "support/counting.rs"]
mod counting;

/// A generic event with `n` clean values (strings of the kind that trigger no detector).
fn event(n: usize) -> Vec<u8> {
    let values: Vec<String> = (0..n)
        .map(|i| format!("Springfield Avenue {i} north wing"))
        .collect();
    serde_json::to_vec(&serde_json::json!({ "items": values, "city": "Springfield" }))
        .unwrap_or_default()
}

fn allocations(event: &[u8]) -> usize {
    let cfg = Config::default();
    // Lazily built automata are built on the first call: warm up first.
    let _ = inspect_event(event, &cfg);
    let before = ALLOCS.load(Ordering::Relaxed);
    let ins = inspect_event(event, &cfg);
    let after = ALLOCS.load(Ordering::Relaxed);
    assert_eq!(ins.verdict, Verdict::Pass, "{:?}", ins.detections);
    after - before
}

#[test]
fn clean_values_do_not_allocate_each() {
    let small = event(100);
    let large = event(1000);
    let (a, b) = (allocations(&small), allocations(&large));
    eprintln!("allocations: 100 values {a}, 1000 values {b}");
    // Growth of the parser's shared stacks and the path buffer is logarithmic; one
    // allocation per value would add 900.
    assert!(
        b.saturating_sub(a) <= 16,
        "100 values: {a} allocations, 1000 values: {b}"
    );
}
