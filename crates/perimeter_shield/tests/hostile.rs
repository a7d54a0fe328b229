//! Hostile input: nothing panics, and work stays bounded by the configured caps.

use perimeter_shield::{Config, inspect_event, inspect_value};
use serde_json::json;

#[test]
fn deep_nesting() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let ins = inspect_event(deep.as_bytes(), &Config::default());
    assert!(ins.error.is_some());
    // Nesting within serde's limit but beyond max_depth: walked to the cap only.
    let mut v = json!("' OR 1=1 --");
    for _ in 0..100 {
        v = json!({ "a": v });
    }
    let ins = inspect_event(
        json!({"detail-type": "x", "detail": v})
            .to_string()
            .as_bytes(),
        &Config::default(),
    );
    assert!(
        ins.error
            .as_deref()
            .unwrap_or("")
            .contains("nesting deeper"),
        "{ins:?}"
    );
    let body = format!("{}1{}", "[".repeat(120), "]".repeat(120));
    let ins = inspect_event(
        json!({"httpMethod": "POST", "body": body})
            .to_string()
            .as_bytes(),
        &Config::default(),
    );
    assert_eq!(ins.source, "apigateway-rest");
}

#[test]
fn huge_strings_are_capped() {
    let cfg = Config {
        max_body: 64 * 1024,
        ..Config::default()
    };
    let big = "A".repeat(8 << 20);
    assert!(inspect_value(&big, &cfg).is_empty());
    let big_attack = format!("{}<script>alert(1)</script>", "a ".repeat(1 << 20));
    // The payload sits beyond max_body: not seen, by design (documented cap).
    assert!(inspect_value(&big_attack, &cfg).is_empty());
    let ins = inspect_event(
        json!({"httpMethod": "POST", "body": big})
            .to_string()
            .as_bytes(),
        &cfg,
    );
    assert!(ins.detections.is_empty());
    let too_big = Config {
        max_event: 1024,
        ..Config::default()
    };
    let ins = inspect_event(
        json!({"body": "x".repeat(4096)}).to_string().as_bytes(),
        &too_big,
    );
    assert!(ins.error.is_some());
}

#[test]
fn many_values_are_capped() {
    let items: Vec<_> = (0..50_000).map(|i| json!(format!("v{i}"))).collect();
    let cfg = Config {
        max_values: 1000,
        ..Config::default()
    };
    let ins = inspect_event(
        json!({"detail-type": "x", "detail": items})
            .to_string()
            .as_bytes(),
        &cfg,
    );
    assert_eq!(ins.values, 1000);
    assert!(ins.error.is_some());
}

#[test]
fn invalid_utf8_and_binary() {
    let mut bytes = br#"{"httpMethod":"GET","path":"/"#.to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe, 0xc0, 0xaf]);
    bytes.extend_from_slice(br#""}"#);
    let ins = inspect_event(&bytes, &Config::default());
    assert!(ins.error.is_some());
    let binary: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    let _ = inspect_event(&binary, &Config::default());
    let lossy = String::from_utf8_lossy(&binary).into_owned();
    let _ = inspect_value(&lossy, &Config::default());
    // Every encoding trick at once, on odd boundaries.
    for s in [
        "%",
        "%u",
        "%uZZZZ",
        "&#",
        "&#x",
        "&#99999999;",
        "\\u",
        "\\x4",
        "%c0",
        "%f8%80",
        "\u{fffd}%",
        "..%",
        "0x",
        "[::",
        "http://[",
        "http://@",
        "http://:80",
    ] {
        let _ = inspect_value(s, &Config::default());
    }
}

#[test]
fn bad_base64_bodies() {
    let ev = json!({"httpMethod": "POST", "path": "/", "isBase64Encoded": true, "body": "!!!not base64 <script>alert(1)</script>"});
    let ins = inspect_event(ev.to_string().as_bytes(), &Config::default());
    assert!(ins.error.as_deref().unwrap_or("").contains("base64"));
    // Still inspected as text.
    assert!(ins.detections.iter().any(|d| d.kind == "xss"));
    let ev = json!({"Records": [{"eventSource": "aws:kinesis", "kinesis": {"data": "%%%"}}]});
    let _ = inspect_event(ev.to_string().as_bytes(), &Config::default());
}

#[test]
fn gzip_bomb_in_cloudwatch_logs() {
    use base64::Engine as _;
    use std::io::Write as _;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // 200 MB of zeros compress to about 200 KB.
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..200 {
        enc.write_all(&chunk).unwrap();
    }
    let gz = enc.finish().unwrap();
    let data = base64::engine::general_purpose::STANDARD.encode(&gz);
    let ev = json!({"awslogs": {"data": data}});
    let cfg = Config {
        max_decompressed: 1 << 20,
        ..Config::default()
    };
    let ins = inspect_event(ev.to_string().as_bytes(), &cfg);
    assert_eq!(ins.source, "cloudwatch-logs");
    assert!(
        ins.error
            .as_deref()
            .unwrap_or("")
            .contains("decompresses to more than"),
        "{ins:?}"
    );
    // Not gzip at all.
    let ev = json!({"awslogs": {"data": "aGVsbG8="}});
    let ins = inspect_event(ev.to_string().as_bytes(), &Config::default());
    assert!(ins.error.as_deref().unwrap_or("").contains("gzip"));
}

#[test]
fn corpus_lines_never_panic() {
    // Every payload line, fed through the same engine: the libinjectionrs port and our
    // decoders must survive all of them (a cheap stand-in for fuzzing on our corpora).
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpora/payloads"
    );
    let cfg = Config::default();
    for f in [
        "sqli.txt",
        "xss.txt",
        "cmdi.txt",
        "code.txt",
        "nosqli.txt",
        "xxe.txt",
    ] {
        let data = std::fs::read(format!("{dir}/{f}")).expect("corpus present");
        for line in data.split(|&b| b == b'\n') {
            let s = String::from_utf8_lossy(line);
            let _ = inspect_value(&s, &cfg);
            // Truncated at every 7th byte, to hit tokenizer states mid-token.
            for cut in (1..line.len()).step_by(7).take(8) {
                let _ = inspect_value(&String::from_utf8_lossy(&line[..cut]), &cfg);
            }
        }
    }
}

/// JSON values are walked while they are parsed: a syntax error after an attack (or after
/// a nesting error) undoes that walk, and the whole text is scanned as one value, exactly as
/// when the text was parsed first and walked only if it parsed.
#[test]
fn json_broken_after_an_attack_is_scanned_as_text() {
    let cfg = Config::default();
    let ok = inspect_value(r#"{"a":"' OR 1=1 --","b":[1,"x"]}"#, &cfg);
    assert!(ok.iter().any(|d| d.path == "$.a"), "{ok:?}");
    let broken = inspect_value(r#"{"a":"' OR 1=1 --","b":[1,"x"}"#, &cfg);
    assert!(!broken.is_empty());
    assert!(broken.iter().all(|d| d.path == "$"), "{broken:?}");

    let deep = format!("{}\"x\"{}", "[".repeat(40), "]".repeat(40));
    let event = |body: &str| {
        json!({"resource": "/", "path": "/", "httpMethod": "POST", "body": body})
            .to_string()
            .into_bytes()
    };
    let ins = inspect_event(&event(&deep), &cfg);
    assert!(
        ins.error
            .as_deref()
            .unwrap_or("")
            .contains("nesting deeper")
    );
    let broken_deep = format!("{},", &deep[..deep.len() - 1]);
    let ins = inspect_event(&event(&broken_deep), &cfg);
    assert!(ins.error.is_none(), "{ins:?}");
    // The body counts as one value, as a body that is no JSON at all does.
    let text = inspect_event(&event("not json at all"), &cfg);
    assert_eq!(ins.values, text.values, "{ins:?}");
}

/// Seeded random events (a deterministic stand-in for a fuzzer): JSON bodies and header values
/// built from pieces that stress the string scanner's 8-byte steps and escape handling —
/// `\uXXXX` (ASCII, accented, surrogate pairs, lone surrogates), short escapes, multi-byte
/// UTF-8, quotes, stray backslashes — at random lengths around the word size and the 4 KiB
/// raw-body threshold, in API Gateway events, plain and base64. No input may panic.
#[test]
fn random_escaped_events_never_panic() {
    const PIECES: &[&str] = &[
        "a",
        "ab",
        "abcdefg",
        "' OR 1=1 --",
        "é",
        "€",
        "😀",
        "\\u00e9",
        "\\u20ac",
        "\\ud83d\\ude00",
        "\\ud800",
        "\\udc00x",
        "\\u0022",
        "\\u005c",
        "\\\"",
        "\\\\",
        "\\n",
        "\\t",
        "\\/",
        "\\b",
        "\\u0041",
        "\\u00",
        "\\",
        "\"",
        "{",
        "}",
        "[",
        "]",
        ":",
        ",",
        "$ne",
        "../",
        "<script>",
        "; ls",
        " ",
        "\\u0000",
        "0123456789",
    ];
    let cfg = Config::default();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        // xorshift64*: deterministic, so a failure reproduces.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    for round in 0..1_500 {
        let target = match round % 3 {
            0 => (next() % 24) as usize,
            1 => (next() % 300) as usize,
            _ => 3_900 + (next() % 600) as usize,
        };
        // Half the rounds keep the event valid JSON (no raw quote, no lone or cut escape) so
        // the deep paths run, not only the parse error.
        let valid_json = round % 2 == 0;
        let mut text = String::new();
        while text.len() < target {
            let piece = PIECES[(next() % PIECES.len() as u64) as usize];
            if valid_json && matches!(piece, "\"" | "\\" | "\\u00") {
                continue;
            }
            text.push_str(piece);
        }
        // As a JSON body (a string holding escaped JSON), as a raw header value, and base64.
        let body_json = format!("{{\"k\":\"{text}\",\"n\":[1,\"{text}\"]}}");
        let body_field = body_json.replace('\\', "\\\\").replace('"', "\\\"");
        for (body, b64) in [
            (body_field.clone(), false),
            (text.clone(), false),
            (
                base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &body_json),
                true,
            ),
        ] {
            let event = format!(
                "{{\"resource\":\"/x\",\"path\":\"/x\",\"httpMethod\":\"POST\",\
                 \"headers\":{{\"content-type\":\"application/json\",\"x-a\":\"{text}\"}},\
                 \"queryStringParameters\":{{\"q\":\"{text}\"}},\
                 \"requestContext\":{{\"stage\":\"p\"}},\"body\":\"{body}\",\"isBase64Encoded\":{b64}}}"
            );
            let _ = inspect_event(event.as_bytes(), &cfg);
        }
        let _ = inspect_value(&text, &cfg);
        let _ = inspect_value(&body_json, &cfg);
    }
}
