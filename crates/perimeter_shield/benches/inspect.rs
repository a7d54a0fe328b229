//! Speed: per-event inspection time for one sample event of each source (from the shared
//! corpus), a ~2 KB API Gateway REST event, and throughput over clean JSON bodies.
//!
//! Run: `cargo bench -p perimeter_shield --bench inspect`.

#[path = "samples.rs"]
mod samples;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use perimeter_shield::{Config, Detectors, inspect_event, inspect_value};
use samples::{apigw_2k, apigw_rest_2k, clean_body_event, corpus, prose, prose_values_event};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let cfg = Config::default();
    let mut g = c.benchmark_group("event");
    for (name, bytes) in corpus() {
        g.bench_function(name, |b| b.iter(|| inspect_event(black_box(&bytes), &cfg)));
    }
    for ev in [apigw_2k(), apigw_rest_2k()] {
        g.bench_function(format!("apigateway-rest synthetic ({} B)", ev.len()), |b| {
            b.iter(|| inspect_event(black_box(&ev), &cfg))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("throughput");
    let ev = clean_body_event();
    g.throughput(Throughput::Bytes(ev.len() as u64));
    g.sample_size(20);
    g.bench_function("clean JSON body, 1 MiB (parse + walk + detect)", |b| {
        b.iter(|| inspect_event(black_box(&ev), &cfg))
    });
    // The default `max_values` (10,000) stops the detectors after the first 10,000 of the
    // body's 29,274 strings (the rest is only parsed, and the inspection says so): the
    // row below scans every one of them.
    let all = Config {
        max_values: usize::MAX,
        ..Config::default()
    };
    g.bench_function("clean JSON body, 1 MiB, every value scanned", |b| {
        b.iter(|| inspect_event(black_box(&ev), &all))
    });
    // Where the time goes: the same body with no value scanned (parsing the event and
    // walking the body only), and every value through the prefilter but no detector.
    let walk_only = Config {
        max_values: 0,
        ..Config::default()
    };
    g.bench_function("clean JSON body, 1 MiB, parse and walk only", |b| {
        b.iter(|| inspect_event(black_box(&ev), &walk_only))
    });
    let mut prefilter_only = all.clone();
    prefilter_only.detectors = Detectors::all(false);
    g.bench_function(
        "clean JSON body, 1 MiB, every value prefiltered, no detector",
        |b| b.iter(|| inspect_event(black_box(&ev), &prefilter_only)),
    );
    // Another clean body shape: sentences with `&`, `;`, quotes and parentheses.
    let prose_body = prose_values_event();
    g.throughput(Throughput::Bytes(prose_body.len() as u64));
    g.bench_function(
        "clean JSON body of sentences, 1 MiB, every value scanned",
        |b| b.iter(|| inspect_event(black_box(&prose_body), &all)),
    );
    let text = prose();
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("clean prose value, 1 MiB (detectors only)", |b| {
        b.iter(|| inspect_value(black_box(&text), &cfg))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
