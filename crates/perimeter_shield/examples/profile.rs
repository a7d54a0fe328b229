//! Rough per-detector cost over the sample events (development aid for the benches).

use perimeter_shield::{Config, Detectors, inspect_event};
use std::time::Instant;

fn main() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpora/payloads/benign_events.jsonl"
    );
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let events: Vec<Vec<u8>> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|v| serde_json::to_vec(&v["event"]).unwrap_or_default())
        .collect();
    let total: usize = events.iter().map(Vec::len).sum();
    println!(
        "{} events, mean {} B",
        events.len(),
        total / events.len().max(1)
    );
    let start = Instant::now();
    for _ in 0..20 {
        for e in &events {
            std::hint::black_box(serde_json::from_slice::<serde_json::Value>(e).ok());
        }
    }
    println!(
        "parse    {:8.1} µs/event",
        start.elapsed().as_secs_f64() * 1e6 / (20 * events.len()) as f64
    );
    let none = Detectors::all(false);
    let variants: Vec<(&str, Detectors)> = vec![
        ("none", none),
        ("sqli", Detectors { sqli: true, ..none }),
        (
            "nosqli",
            Detectors {
                nosqli: true,
                ..none
            },
        ),
        ("cmdi", Detectors { cmdi: true, ..none }),
        ("code", Detectors { code: true, ..none }),
        (
            "path",
            Detectors {
                path_traversal: true,
                ..none
            },
        ),
        ("ssrf", Detectors { ssrf: true, ..none }),
        ("xxe", Detectors { xxe: true, ..none }),
        ("xss", Detectors { xss: true, ..none }),
        (
            "deser",
            Detectors {
                deserialization: true,
                ..none
            },
        ),
        ("all", Detectors::default()),
    ];
    for (name, d) in variants {
        let cfg = Config {
            detectors: d,
            ..Config::default()
        };
        let start = Instant::now();
        let rounds = 20;
        for _ in 0..rounds {
            for e in &events {
                std::hint::black_box(inspect_event(e, &cfg));
            }
        }
        let per = start.elapsed().as_secs_f64() * 1e6 / (rounds * events.len()) as f64;
        println!("{name:<8} {per:8.1} µs/event");
    }
}
