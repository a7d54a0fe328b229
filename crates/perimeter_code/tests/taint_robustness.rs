//! The taint analysis never panics and stays bounded on hostile or odd input: very deep
//! expressions, long concatenation chains, recursive and mutually recursive functions,
//! syntax errors, and every handler-like source file under `../shared/corpora` (which holds
//! templates and manifests; when it holds no code, the generated inputs still run).

use perimeter_code::lang;
use perimeter_code::taint::analyze;
use perimeter_model::Language;
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Panics anywhere in the process, the analysis threads included (`analyze` survives a
/// panic of its worker and returns nothing, so the tests count them here).
static PANICS: AtomicUsize = AtomicUsize::new(0);
static HOOK: Once = Once::new();

fn run(language: Language, path: &str, source: &str, handler: &str) -> usize {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.fetch_add(1, Ordering::SeqCst);
            previous(info);
        }));
    });
    let Some(tree) = lang::parse(language, path, source) else {
        return 0;
    };
    let flows = analyze(language, path, source, &tree, handler).len();
    assert_eq!(
        PANICS.load(Ordering::SeqCst),
        0,
        "the analysis panicked on {path}"
    );
    flows
}

#[test]
fn deep_and_long_expressions_are_bounded() {
    let deep = format!(
        "import os\ndef handler(event, context):\n    x = {}event['a']{}\n    os.system(x)\n",
        "(".repeat(3000),
        ")".repeat(3000)
    );
    run(Language::Python, "deep.py", &deep, "handler");
    let chain = format!(
        "import os\ndef handler(event, context):\n    x = event['a']{}\n    os.system(x)\n",
        " + 'a'".repeat(20_000)
    );
    run(Language::Python, "chain.py", &chain, "handler");
    let js = format!(
        "const cp = require('child_process');\nexports.handler = async (e) => {{ cp.exec({}e.body{}); }};\n",
        "[".repeat(2000),
        "]".repeat(2000)
    );
    run(Language::JavaScript, "deep.js", &js, "handler");
    // Long member and call chains (callee names, wrapper chains).
    let members = format!(
        "const cp = require('child_process');\nconst w = m(h){};\nexports.handler = (e) => {{ a{}.exec(e.body); }};\n",
        ".use(x)".repeat(5000),
        ".b".repeat(50_000)
    );
    run(Language::JavaScript, "chain.js", &members, "handler");
    let py_members = format!(
        "def handler(event, context):\n    a{}(event)\n",
        ".b".repeat(50_000)
    );
    run(Language::Python, "chain.py", &py_members, "handler");
}

#[test]
fn recursion_and_fan_out_terminate() {
    // Mutual recursion, and a call tree that would be exponential without bounds.
    let mut src = String::from("import os\n");
    for i in 0..40 {
        src.push_str(&format!(
            "def f{i}(x):\n    f{}(x)\n    f{}(x)\n    f{}(x)\n    os.system(x)\n    return f{i}(x)\n",
            i + 1,
            (i + 2) % 40,
            (i + 7) % 40
        ));
    }
    src.push_str("def handler(event, context):\n    f0(event['cmd'])\n");
    let flows = run(Language::Python, "rec.py", &src, "handler");
    assert!(flows >= 1, "the first level's sink is still found");
    let js = "const cp = require('child_process');\nfunction a(x) { return b(x) + a(x); }\nfunction b(x) { cp.exec(x); return a(x); }\nexports.handler = (event) => a(event.body);\n";
    assert_eq!(run(Language::JavaScript, "rec.js", js, "handler"), 1);
}

#[test]
fn broken_and_unknown_inputs_give_nothing() {
    assert_eq!(
        run(
            Language::Python,
            "a.py",
            "def handler(event:\n  os.system(",
            "handler"
        ),
        0
    );
    assert_eq!(run(Language::Python, "a.py", "", "handler"), 0);
    assert_eq!(
        run(Language::JavaScript, "a.js", "exports.x = 1;", "handler"),
        0
    );
    assert_eq!(run(Language::Go, "a.go", "package main\n", ""), 0);
    assert_eq!(run(Language::Java, "A.java", "class A {}", ""), 0);
    // Handler without parameters, and a handler name that is not there.
    assert_eq!(
        run(
            Language::Python,
            "a.py",
            "def handler():\n    eval(x)\n",
            "handler"
        ),
        0
    );
    assert_eq!(
        run(
            Language::Python,
            "a.py",
            "def h(e, c):\n    eval(e)\n",
            "nope"
        ),
        0
    );
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if path.is_dir() {
            if name != "node_modules" && !name.starts_with('.') {
                walk(&path, out);
            }
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("py" | "js" | "mjs" | "cjs" | "ts" | "go" | "java")
        ) {
            out.push(path);
        }
    }
}

#[test]
fn corpora_sources_do_not_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora");
    if !root.is_dir() {
        eprintln!("corpora not found: skipped");
        return;
    }
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    let mut flows = 0;
    for path in &files {
        let Ok(source) = std::fs::read_to_string(path) else {
            continue;
        };
        if source.len() > 1_000_000 {
            continue;
        }
        let display = path.to_string_lossy().to_string();
        let language = lang::language_of(&display);
        for handler in ["handler", "lambda_handler", "main", ""] {
            flows += run(language, &display, &source, handler);
        }
    }
    eprintln!("{} source files in corpora, {flows} flows", files.len());
}

#[test]
fn handler_names_as_deployment_settings_say_them() {
    let py = "import os\ndef lambda_handler(event, context):\n    os.system(event['cmd'])\n";
    assert_eq!(run(Language::Python, "app.py", py, "app.lambda_handler"), 1);
    let java = "class App { public String handleRequest(java.util.Map<String,String> in, Object c) throws Exception { Runtime.getRuntime().exec(in.get(\"cmd\")); return \"\"; } }";
    assert_eq!(
        run(
            Language::Java,
            "App.java",
            java,
            "com.example.App::handleRequest"
        ),
        1
    );
    assert_eq!(run(Language::Java, "App.java", java, "com.example.App"), 1);
    let go = "package main\nimport (\"os/exec\"; \"github.com/aws/aws-lambda-go/lambda\")\nfunc run(e map[string]string) { exec.Command(\"sh\", \"-c\", e[\"cmd\"]).Run() }\nfunc main() { lambda.Start(run) }\n";
    assert_eq!(run(Language::Go, "main.go", go, "bootstrap"), 1);
    assert_eq!(run(Language::Go, "main.go", go, "main"), 1);
    assert_eq!(run(Language::Go, "main.go", go, ""), 1);
}

/// Every prefix of every fixture (cut every 61 bytes) is broken code: the analysis must not
/// panic on any of them, whatever handler name it is asked for.
#[test]
fn truncated_fixtures_do_not_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/taint_fixtures");
    let mut files = Vec::new();
    walk(&root, &mut files);
    assert!(!files.is_empty());
    let mut runs = 0;
    for path in files {
        let Ok(source) = std::fs::read_to_string(&path) else {
            continue;
        };
        let display = path.to_string_lossy().to_string();
        let language = lang::language_of(&display);
        let mut cut = 0;
        while cut < source.len() {
            if source.is_char_boundary(cut) {
                for handler in ["handler", "lambda_handler", ""] {
                    run(language, &display, &source[..cut], handler);
                    runs += 1;
                }
            }
            cut += 61;
        }
    }
    assert!(runs > 100);
}
