//! Helpers shared by the code-stage tests: load a fixture app, run the stage, render compactly.
#![allow(dead_code)] // Each test binary uses a part of these helpers.

use perimeter_code::{CodeOptions, CodeStats, attach};
use perimeter_load::LoadOptions;
use perimeter_model::{ArgValue, Model, SdkCall};
use std::fmt::Write;
use std::path::{Path, PathBuf};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn load_and_attach(root: &Path, options: &CodeOptions) -> (Model, CodeStats) {
    let mut model = perimeter_load::load_path(root, &LoadOptions::default()).expect("loads");
    let stats = attach(&mut model, root, options);
    (model, stats)
}

pub fn call_line(c: &SdkCall) -> String {
    let res: Vec<String> = c
        .resources
        .iter()
        .map(|r| {
            let v = match &r.value {
                ArgValue::EnvVar(v) => format!("env:{v}"),
                ArgValue::Literal(v) => format!("{v:?}"),
                ArgValue::Unknown => "?".to_string(),
            };
            format!("{}={v}", r.param)
        })
        .collect();
    format!(
        "{}:{}:{} {:?} {}.{} [{}]",
        c.location.file,
        c.location.line,
        c.location.column,
        c.sdk,
        c.service,
        c.operation,
        res.join(", ")
    )
}

/// Every function's code, the bundles and the errors, as text for a snapshot.
pub fn render(model: &Model) -> String {
    let mut s = String::new();
    for app in &model.apps {
        writeln!(s, "app {}", app.id).ok();
        for b in &app.code {
            writeln!(s, "  bundle {} ({:?})", b.id, b.kind).ok();
            for f in &b.files {
                writeln!(s, "    file {} {:?}", f.path, f.language).ok();
            }
        }
        for f in &app.functions {
            let Some(code) = &f.code else {
                writeln!(s, "  function {}: no code", f.id).ok();
                continue;
            };
            writeln!(
                s,
                "  function {} -> {} ({:?})",
                f.id, code.bundle, code.language
            )
            .ok();
            if let Some(h) = &code.handler {
                writeln!(s, "    handler {} at {}", h.symbol, h.location).ok();
            }
            if let Some(p) = &code.problem {
                writeln!(s, "    problem {p}").ok();
            }
            for file in &code.files {
                writeln!(s, "    reads {file}").ok();
            }
            for c in &code.sdk_calls {
                writeln!(s, "    call {}", call_line(c)).ok();
            }
        }
    }
    for e in &model.errors {
        writeln!(s, "error {}: {}", e.file, e.message).ok();
    }
    s
}
