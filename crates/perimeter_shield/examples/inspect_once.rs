//! Runs one benchmark input through the shield `N` times, for `valgrind --tool=callgrind`
//! (an instruction count is the noise-free speed figure on a shared machine).
//! Usage: `inspect_once rest2k|rest-corpus|body|body-all|body-walk|body-prefilter|sentences|prose|source:NAME [N]`
//! (`body-all`: the clean body with every value scanned, no `max_values` cap; `body-walk`:
//! the same body parsed and walked, no value scanned; `body-prefilter`: every value through
//! the prefilter, no detector enabled; `sentences`:
//! the body of sentences with `&`, `;`, quotes and parentheses, every value scanned;
//! `source:generic`: the largest corpus event of that source).

#[path = "../benches/samples.rs"]
mod samples;

use perimeter_shield::{Config, Detectors, inspect_event, inspect_value};
use std::hint::black_box;

fn main() {
    let which = std::env::args().nth(1).unwrap_or_default();
    let n: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let mut cfg = Config::default();
    match which.as_str() {
        "body-all" | "sentences" => cfg.max_values = usize::MAX,
        "body-walk" => cfg.max_values = 0,
        "body-prefilter" => {
            cfg.max_values = usize::MAX;
            cfg.detectors = Detectors::all(false);
        }
        _ => {}
    }
    let event = match which.as_str() {
        "rest2k" => samples::apigw_rest_2k(),
        "rest1k" => samples::apigw_2k(),
        "rest-corpus" => samples::corpus()
            .into_iter()
            .find(|(name, _)| name.starts_with("apigateway-rest "))
            .map(|(_, b)| b)
            .unwrap_or_default(),
        "body" | "body-all" | "body-walk" | "body-prefilter" => samples::clean_body_event(),
        "sentences" => samples::prose_values_event(),
        // `source:NAME`: the largest sample event of that source in the corpus.
        w if w.starts_with("source:") => samples::corpus()
            .into_iter()
            .find(|(name, _)| name.starts_with(&format!("{} ", &w[7..])))
            .map(|(_, b)| b)
            .unwrap_or_default(),
        "prose" => {
            let text = samples::prose();
            for _ in 0..n {
                black_box(inspect_value(black_box(&text), &cfg));
            }
            println!("{} bytes x {n}", text.len());
            return;
        }
        _ => {
            eprintln!(
                "usage: inspect_once rest2k|rest1k|rest-corpus|body|body-all|body-walk|body-prefilter|sentences|prose|source:NAME [N]"
            );
            std::process::exit(2);
        }
    };
    let mut dets = 0;
    for _ in 0..n {
        dets = black_box(inspect_event(black_box(&event), &cfg))
            .detections
            .len();
    }
    println!("{} bytes x {n}, {dets} detections", event.len());
}
