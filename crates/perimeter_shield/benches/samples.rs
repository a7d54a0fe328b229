//! Sample inputs shared by the `inspect` bench and the `inspect_once` example (callgrind).

use perimeter_shield::{Config, inspect_event};
use serde_json::{Value, json};

pub fn corpus() -> Vec<(String, Vec<u8>)> {
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
pub fn apigw_2k() -> Vec<u8> {
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

/// A clean JSON body of at most `size` bytes: records of names, addresses, dates, prose.
/// (It used to overshoot `size`: a "1 MiB" body of 1.13 MB was over the default
/// `max_body`, so it was cut and scanned as one text value instead of parsed and walked.)
pub fn clean_body(size: usize) -> String {
    let mut items = Vec::new();
    let mut len = 0;
    let mut i = 0u64;
    loop {
        let rec = json!({"id": i, "name": format!("Customer {i} O'Neil"), "email": format!("user{i}@example.com"),
            "created": "2024-03-01T12:34:56Z", "city": "Springfield", "active": i.is_multiple_of(2),
            "notes": "Prefers morning delivery; call ahead (front desk) - thanks", "tags": ["retail", "priority"], "score": 4.5});
        // `{"records":[` … `]}` and a comma per record.
        let rec_len = rec.to_string().len() + 1;
        if len + rec_len + 14 > size {
            break;
        }
        len += rec_len;
        items.push(rec);
        i += 1;
    }
    json!({ "records": items }).to_string()
}

/// A clean ~1 MiB JSON body inside a REST event.
pub fn clean_body_event() -> Vec<u8> {
    serde_json::to_vec(
        &json!({"resource": "/x", "path": "/x", "httpMethod": "POST",
        "headers": {"content-type": "application/json"}, "body": clean_body(1 << 20)}),
    )
    .unwrap_or_default()
}

/// A clean ~1 MiB JSON body of another shape: an array of sentences, the punctuation of
/// real text in them (`&`, `;`, `'`, parentheses, dashes), which wakes more detectors than
/// the records of [`clean_body`] do.
pub fn prose_values_event() -> Vec<u8> {
    let sentences = [
        "Prefers morning delivery; call ahead (front desk) - thanks, O'Neil & sons",
        "Smith & Wesson Ltd. (est. 1852); 2-4 Main St., Springfield - side door",
        "Can't make it Tuesday; Thursday 3-5pm works (or Friday morning)",
        "Fragile: glass & ceramics - keep upright; do not stack (two boxes)",
        "R&D team offsite; bring laptops & chargers - we'll order lunch",
    ];
    let mut items = Vec::new();
    let mut len = 2;
    for (i, s) in sentences.iter().cycle().enumerate() {
        let item = Value::String(format!("{s} #{i}"));
        len += item.to_string().len() + 1;
        if len > 1 << 20 {
            break;
        }
        items.push(item);
    }
    serde_json::to_vec(
        &json!({"resource": "/x", "path": "/x", "httpMethod": "POST",
        "headers": {"content-type": "application/json"}, "body": Value::Array(items).to_string()}),
    )
    .unwrap_or_default()
}

/// 1 MiB of clean prose, one value.
pub fn prose() -> String {
    "The quick brown fox jumps over the lazy dog, again and again. ".repeat(16 * 1024)
}

/// The same request as a REST API really sends it: every header twice (`headers` and
/// `multiValueHeaders`), CloudFront's viewer headers, the full `requestContext`: ~2 KB.
pub fn apigw_rest_2k() -> Vec<u8> {
    let Ok(mut ev) = serde_json::from_slice::<Value>(&apigw_2k()) else {
        return Vec::new();
    };
    if let Some(h) = ev.get_mut("headers").and_then(Value::as_object_mut) {
        for (k, v) in [
            ("CloudFront-Forwarded-Proto", "https"),
            ("CloudFront-Is-Desktop-Viewer", "true"),
            ("CloudFront-Is-Mobile-Viewer", "false"),
            ("CloudFront-Viewer-Country", "US"),
            ("Via", "2.0 a1b2c3d4e5f6.cloudfront.net (CloudFront)"),
            (
                "X-Amz-Cf-Id",
                "cDehVQoZnx43VYQb9j2-nvCh-9z396Uhbp027Y2JvkCPNLmGJHqlaA==",
            ),
            (
                "X-Amzn-Trace-Id",
                "Root=1-5e66d96f-7491f09xmpl79d18acf3d050",
            ),
        ] {
            h.insert(k.to_string(), json!(v));
        }
        let multi: serde_json::Map<String, Value> =
            h.iter().map(|(k, v)| (k.clone(), json!([v]))).collect();
        ev["multiValueHeaders"] = Value::Object(multi);
    }
    ev["multiValueQueryStringParameters"] = json!({"expand": ["items"], "currency": ["USD"]});
    ev["stageVariables"] = Value::Null;
    ev["requestContext"]["domainName"] = json!("abc123.execute-api.us-east-1.amazonaws.com");
    ev["requestContext"]["protocol"] = json!("HTTP/1.1");
    ev["requestContext"]["requestTimeEpoch"] = json!(1_700_000_000_000u64);
    serde_json::to_vec(&ev).unwrap_or_default()
}
