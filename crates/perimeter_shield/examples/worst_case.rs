//! Wall clock of ~1 MiB bodies built to cost the most: many short values that each call
//! for a detector and hold nothing, and many real attacks, against the clean bench body;
//! with the default configuration and with no cap on values. This is what an attacker can
//! make one inspection cost. Usage:
//! `cargo run --release -p perimeter_shield --example worst_case`.

#[path = "../benches/samples.rs"]
#[allow(dead_code)]
mod samples;

use perimeter_shield::{Config, inspect_event};
use serde_json::{Value, json};
use std::hint::black_box;
use std::time::Instant;

/// A REST event whose JSON body is an array of `values` cycled to about 1 MiB.
fn body_of(values: &[&str]) -> Vec<u8> {
    let mut items = Vec::new();
    let mut len = 2;
    for v in values.iter().cycle() {
        let item = Value::String((*v).to_string());
        len += item.to_string().len() + 1;
        if len > 1 << 20 {
            break;
        }
        items.push(item);
    }
    let body = Value::Array(items).to_string();
    serde_json::to_vec(
        &json!({"resource": "/x", "path": "/x", "httpMethod": "POST",
        "headers": {"content-type": "application/json"}, "body": body}),
    )
    .unwrap_or_default()
}

fn best_of(name: &str, event: &[u8], cfg: &Config) {
    let mut best = f64::MAX;
    let mut found = 0;
    for _ in 0..5 {
        let start = Instant::now();
        for _ in 0..4 {
            found = black_box(inspect_event(black_box(event), cfg))
                .detections
                .len();
        }
        best = best.min(start.elapsed().as_secs_f64() / 4.0);
    }
    println!(
        "{name:<52} {:>8.2} ms {:>8.1} MiB/s {found:>7} detections",
        best * 1e3,
        event.len() as f64 / best / f64::from(1 << 20)
    );
}

fn main() {
    let uncapped = Config {
        max_values: usize::MAX,
        ..Config::default()
    };
    let bodies = [
        (
            "clean records (the bench body)",
            samples::clean_body_event(),
        ),
        (
            "clean sentences with & ; ' ( )",
            samples::prose_values_event(),
        ),
        ("2-byte values", body_of(&["ab", "cd"])),
        (
            "short values wanting sqli+cmdi, clean",
            body_of(&["a'b", "x;y", "p|q", "a(b)"]),
        ),
        (
            "real attacks",
            body_of(&[
                "1' OR '1'='1",
                "admin'--",
                "1; DROP TABLE users",
                "<script>alert(1)</script>",
                "$(whoami)",
                "../../etc/passwd",
                "http://169.254.169.254/latest/meta-data/",
                "{\"$ne\": null}",
            ]),
        ),
    ];
    for (name, event) in &bodies {
        println!("{name}: {} bytes", event.len());
        best_of("  default config", event, &Config::default());
        best_of("  no cap on values", event, &uncapped);
    }
}
