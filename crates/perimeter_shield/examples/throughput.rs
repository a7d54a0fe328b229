//! Wall-clock throughput over the clean ~1 MiB JSON body, split by stage: the best of 7
//! batches of 30 inspections each, which moves less than criterion's medians on a shared,
//! loaded machine. Usage: `cargo run --release -p perimeter_shield --example throughput`.

#[path = "../benches/samples.rs"]
#[allow(dead_code)]
mod samples;

use perimeter_shield::{Config, Detectors, inspect_event};
use std::hint::black_box;
use std::time::Instant;

fn best_of(name: &str, event: &[u8], cfg: &Config) {
    let mut best = f64::MAX;
    for _ in 0..7 {
        let start = Instant::now();
        for _ in 0..30 {
            black_box(inspect_event(black_box(event), cfg));
        }
        best = best.min(start.elapsed().as_secs_f64() / 30.0);
    }
    println!(
        "{name:<48} {:>7.3} ms {:>8.1} MiB/s",
        best * 1e3,
        event.len() as f64 / best / f64::from(1 << 20)
    );
}

fn main() {
    let event = samples::clean_body_event();
    let every = Config {
        max_values: usize::MAX,
        ..Config::default()
    };
    let no_detector = Config {
        detectors: Detectors::all(false),
        ..every.clone()
    };
    let no_cmdi = Config {
        detectors: Detectors {
            cmdi: false,
            ..Detectors::default()
        },
        ..every.clone()
    };
    let walk_only = Config {
        max_values: 0,
        ..Config::default()
    };
    println!("clean JSON body event, {} bytes", event.len());
    best_of(
        "default config (first 10,000 values scanned)",
        &event,
        &Config::default(),
    );
    best_of("every value scanned", &event, &every);
    best_of("every value scanned, no cmdi", &event, &no_cmdi);
    best_of("every value prefiltered, no detector", &event, &no_detector);
    best_of("parse and walk only (no value scanned)", &event, &walk_only);
    // The same body under a key no source walks: parsing the event, the body string only
    // validated.
    let unwalked = serde_json::to_vec(&serde_json::json!({
        "resource": "/x", "path": "/x", "httpMethod": "POST",
        "headers": {"content-type": "application/json"},
        "unwalked": samples::clean_body(1 << 20),
    }))
    .unwrap_or_default();
    best_of(
        "event parse only (body validated, not walked)",
        &unwalked,
        &walk_only,
    );
}
