//! End to end: `perimeter graph` in its three formats on the example apps, each output
//! checked for well-formedness (DOT: a small parser, and `dot` itself when installed;
//! Mermaid: the `flowchart LR` grammar subset it uses; JSON: the documented shape).

use std::path::{Path, PathBuf};
use std::process::Command;

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name)
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_perimeter"))
        .args(args)
        .output()
        .expect("perimeter runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Tokens of DOT: quoted strings (with `\"` escapes), punctuation, bare words.
fn dot_tokens(text: &str) -> Result<Vec<String>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '"' => {
                let mut s = String::from("\"");
                loop {
                    match chars.next() {
                        Some('\\') => {
                            let Some(n) = chars.next() else {
                                return Err("dangling escape".into());
                            };
                            s.push('\\');
                            s.push(n);
                        }
                        Some('"') => break,
                        Some('\n') | None => return Err(format!("unterminated string {s}")),
                        Some(c) => s.push(c),
                    }
                }
                tokens.push(s);
            }
            '{' | '}' | '[' | ']' | ';' | '=' | ',' => tokens.push(c.to_string()),
            '-' if chars.peek() == Some(&'>') => {
                chars.next();
                tokens.push("->".into());
            }
            c if c.is_alphanumeric() || c == '_' => {
                let mut s = c.to_string();
                while let Some(&n) = chars.peek() {
                    if n.is_alphanumeric() || n == '_' {
                        s.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                tokens.push(s);
            }
            c => return Err(format!("unexpected character {c:?}")),
        }
    }
    Ok(tokens)
}

/// Checks `digraph NAME { stmt; … }` where a statement is `a=b`, `ID [attrs]` or
/// `ID -> ID [attrs]`, and every edge end is a declared node.
fn check_dot(text: &str) {
    let tokens = dot_tokens(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(tokens.first().map(String::as_str), Some("digraph"));
    assert_eq!(tokens.get(2).map(String::as_str), Some("{"));
    assert_eq!(tokens.last().map(String::as_str), Some("}"));
    let body = &tokens[3..tokens.len() - 1];
    let mut nodes = std::collections::HashSet::new();
    for stmt in body.split(|t| t == ";").filter(|s| !s.is_empty()) {
        let attrs_ok = |rest: &[String]| {
            rest.is_empty()
                || (rest.first().map(String::as_str) == Some("[")
                    && rest.last().map(String::as_str) == Some("]")
                    && rest[1..rest.len() - 1]
                        .split(|t| t == ",")
                        .all(|kv| kv.len() == 3 && kv[1] == "="))
        };
        match stmt {
            [k, eq, _] if eq == "=" && !k.starts_with('"') => {}
            [kw, rest @ ..] if kw == "node" || kw == "edge" => assert!(attrs_ok(rest), "{stmt:?}"),
            [a, arrow, b, rest @ ..] if arrow == "->" => {
                assert!(
                    nodes.contains(a) && nodes.contains(b),
                    "undeclared end in {stmt:?}"
                );
                assert!(attrs_ok(rest), "{stmt:?}");
            }
            [id, rest @ ..] => {
                assert!(id.starts_with('"'), "{stmt:?}");
                assert!(attrs_ok(rest), "{stmt:?}");
                nodes.insert(id.clone());
            }
            [] => {}
        }
    }
    assert!(!nodes.is_empty());
    // The real parser, when the machine has Graphviz.
    if Command::new("dot").arg("-V").output().is_ok() {
        let mut child = Command::new("dot")
            .arg("-Tsvg")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("dot starts");
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(text.as_bytes())
            .expect("write to dot");
        assert!(
            child.wait().expect("dot ends").success(),
            "dot rejected:\n{text}"
        );
    }
}

/// Checks the Mermaid subset `render::mermaid` writes.
fn check_mermaid(text: &str) {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("flowchart LR"));
    let mut declared = std::collections::HashSet::new();
    for line in lines {
        let line = line.trim();
        let id: String = line
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        assert!(id.starts_with('n') && id.len() > 1, "bad id in {line}");
        let rest = &line[id.len()..];
        if let Some(edge) = rest.strip_prefix(" -->|\"") {
            let (label, to) = edge.split_once("\"| ").expect("edge label closes");
            assert!(!label.contains('"') && !label.contains('|'), "{line}");
            assert!(declared.contains(&id) && declared.contains(to), "{line}");
        } else {
            let shapes = [
                ("((\"", "\"))"),
                ("[(\"", "\")]"),
                ("{{\"", "\"}}"),
                (">\"", "\"]"),
                ("[\"", "\"]"),
            ];
            let (open, close) = shapes
                .iter()
                .find(|(o, _)| rest.starts_with(o))
                .unwrap_or_else(|| panic!("bad node {line}"));
            let label = rest
                .strip_prefix(open)
                .and_then(|r| r.strip_suffix(close))
                .unwrap_or_else(|| panic!("bad node {line}"));
            assert!(!label.contains('"'), "unescaped quote in {line}");
            declared.insert(id);
        }
    }
    assert!(!declared.is_empty());
}

#[test]
fn dot_is_well_formed() {
    for app in ["vulnerable-sam", "vulnerable-serverless"] {
        let path = example(app);
        let (code, out, err) = run(&["graph", path.to_str().expect("utf-8"), "--format", "dot"]);
        assert_eq!(code, 0, "{err}");
        check_dot(&out);
        assert!(out.contains("\"internet\""), "{out}");
    }
}

#[test]
fn mermaid_is_well_formed() {
    for app in ["vulnerable-sam", "vulnerable-serverless"] {
        let path = example(app);
        let (code, out, err) = run(&[
            "graph",
            path.to_str().expect("utf-8"),
            "--format",
            "mermaid",
        ]);
        assert_eq!(code, 0, "{err}");
        check_mermaid(&out);
        assert!(out.contains("Internet (anyone)"));
    }
}

#[test]
fn json_has_the_documented_shape_and_focus_narrows_it() {
    let path = example("vulnerable-serverless");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("graph.json");
    let (code, _, err) = run(&[
        "graph",
        path.to_str().expect("utf-8"),
        "--format",
        "json",
        "--output",
        file.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&file).expect("written");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let nodes = v["nodes"].as_array().expect("nodes");
    let edges = v["edges"].as_array().expect("edges");
    let paths = v["paths"].as_array().expect("paths");
    for n in nodes {
        for key in ["id", "kind", "label", "app", "public"] {
            assert!(n.get(key).is_some(), "node without {key}: {n}");
        }
    }
    for e in edges {
        for key in ["from", "to", "kind", "label"] {
            assert!(e[key].is_string(), "edge without {key}: {e}");
        }
    }
    assert!(paths.iter().any(|p| p["kind"] == "exfiltration"
        && p["to"] == "serverless.yml#OrdersTable"
        && p["weakest"]["label"] == "no authentication"));

    let (code, out, err) = run(&[
        "graph",
        path.to_str().expect("utf-8"),
        "--format",
        "json",
        "--function",
        "fulfil",
    ]);
    assert_eq!(code, 0, "{err}");
    let focused: serde_json::Value = serde_json::from_str(&out).expect("json");
    let n = focused["nodes"].as_array().expect("nodes").len();
    assert!(n > 0 && n < nodes.len(), "{n} of {}", nodes.len());
    assert!(
        focused["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .any(|n| n["id"] == "serverless.yml#fulfil")
    );

    // Paths from a chosen start: the queue-fed function reaches the table through its role.
    let (code, out, err) = run(&[
        "graph",
        path.to_str().expect("utf-8"),
        "--format",
        "json",
        "--from",
        "serverless.yml#fulfil",
    ]);
    assert_eq!(code, 0, "{err}");
    let from: serde_json::Value = serde_json::from_str(&out).expect("json");
    let from_paths = from["paths"].as_array().expect("paths");
    assert!(!from_paths.is_empty());
    assert!(
        from_paths
            .iter()
            .all(|p| p["from"] == "serverless.yml#fulfil")
    );
    assert!(
        from_paths
            .iter()
            .any(|p| p["to"] == "serverless.yml#OrdersTable")
    );
    let (code, _, err) = run(&["graph", path.to_str().expect("utf-8"), "--from", "mars"]);
    assert_eq!(code, 2);
    assert!(err.contains("internet"), "{err}");

    let (code, _, err) = run(&["graph", path.to_str().expect("utf-8"), "--function", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("serverless.yml#fulfil"), "{err}");
}
