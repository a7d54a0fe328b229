//! Speed: per-event inspection time for one sample event of each source (from the shared
//! corpus), a ~2 KB API Gateway REST event, and throughput over clean JSON bodies.
//!
//! Run: `cargo bench -p perimeter_shield --bench inspect`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use perimeter_shield::{Config, inspect_event, inspect_value};
use serde_json::{Value, json};
use std::hint::black_box;

fn corpus() -> Vec<(String, Vec<u8>)> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpora/payloads/benign_events.jsonl"
    );
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let cfg = Config::default();
    let mut seen = std::collections::BTreeMap::new();
    for line in text.lines() {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let bytes = serde_json::to_vec(&v["event"]).unwrap_or_default();
        let source = inspect_event(&bytes, &cfg).source;
        // The largest sample of each source: the worst case the corpus offers.
        let e = seen.entry(source).or_insert_with(Vec::new);
        if bytes.len() > e.len() {
            *e = bytes;
        }
    }
    seen.into_iter()
        .map(|(s, b)| (format!("{s} ({} B)", b.len()), b))
        .collect()
}

/// A realistic ~2 KB REST API event with a JSON body.
fn apigw_2k() -> Vec<u8> {
    let body = json!({"order": {"id": "ord-29f8a1", "customer": {"name": "Jane O'Connor", "email": "jane@example.com",
        "address": "12 Main St, Springfield, IL 62704"}, "items": [{"sku": "A-1001", "qty": 2, "note": "gift wrap, please"},
        {"sku": "B-2002", "qty": 1, "note": "leave at the door"}], "coupon": "SPRING-24", "comment": "Thanks! Delivery before 5pm if possible."}});
    let ev = json!({
        "resource": "/orders/{id}", "path": "/orders/ord-29f8a1", "httpMethod": "POST",
        "headers": {"Accept": "application/json", "Content-Type": "application/json", "Host": "abc123.execute-api.us-east-1.amazonaws.com",
            "User-Agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
            "Referer": "https://shop.example.com/cart", "Cookie": "session=3f9a8b7c6d5e4f3a2b1c; theme=dark; lang=en-US",
            "X-Forwarded-For": "203.0.113.7, 198.51.100.2", "X-Forwarded-Port": "443", "X-Forwarded-Proto": "https", "X-Request-Id": "c0ffee-1234"},
        "queryStringParameters": {"expand": "items", "currency": "USD"},
        "pathParameters": {"id": "ord-29f8a1"},
        "requestContext": {"accountId": "123456789012", "resourceId": "abc123", "stage": "prod", "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "identity": {"sourceIp": "203.0.113.7", "userAgent": "Mozilla/5.0"}, "resourcePath": "/orders/{id}", "httpMethod": "POST", "apiId": "abc123"},
        "body": body.to_string(), "isBase64Encoded": false
    });
    serde_json::to_vec(&ev).unwrap_or_default()
}

/// A clean JSON body of about `size` bytes: records of names, addresses, dates, prose.
fn clean_body(size: usize) -> String {
    let mut items = Vec::new();
    let mut len = 0;
    let mut i = 0u64;
    while len < size {
        let rec = json!({"id": i, "name": format!("Customer {i} O'Neil"), "email": format!("user{i}@example.com"),
            "created": "2024-03-01T12:34:56Z", "city": "Springfield", "active": i.is_multiple_of(2),
            "notes": "Prefers morning delivery; call ahead (front desk) - thanks", "tags": ["retail", "priority"], "score": 4.5});
        len += rec.to_string().len();
        items.push(rec);
        i += 1;
    }
    json!({ "records": items }).to_string()
}

fn bench(c: &mut Criterion) {
    let cfg = Config::default();
    let mut g = c.benchmark_group("event");
    for (name, bytes) in corpus() {
        g.bench_function(name, |b| b.iter(|| inspect_event(black_box(&bytes), &cfg)));
    }
    let ev = apigw_2k();
    g.bench_function(format!("apigateway-rest synthetic ({} B)", ev.len()), |b| {
        b.iter(|| inspect_event(black_box(&ev), &cfg))
    });
    g.finish();

    let mut g = c.benchmark_group("throughput");
    let body = clean_body(1 << 20);
    let ev = serde_json::to_vec(
        &json!({"resource": "/x", "path": "/x", "httpMethod": "POST",
        "headers": {"content-type": "application/json"}, "body": body}),
    )
    .unwrap_or_default();
    g.throughput(Throughput::Bytes(ev.len() as u64));
    g.sample_size(20);
    g.bench_function("clean JSON body, 1 MiB (parse + walk + detect)", |b| {
        b.iter(|| inspect_event(black_box(&ev), &cfg))
    });
    let text: String =
        "The quick brown fox jumps over the lazy dog, again and again. ".repeat(16 * 1024);
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("clean prose value, 1 MiB (detectors only)", |b| {
        b.iter(|| inspect_value(black_box(&text), &cfg))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
