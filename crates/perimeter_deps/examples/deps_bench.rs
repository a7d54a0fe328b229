//! Dependency benchmarks (run by `bench/deps/run.sh`, release build; prints figures):
//!
//! 1. parse a generated package-lock.json (v3) of 50,000 packages;
//! 2. parse a generated yarn.lock and pnpm-lock.yaml of 50,000 packages;
//! 3. open the real OSV snapshots in `shared/advisories` (PyPI + Go, ~7,000 records);
//! 4. match a 10,000-package bundle (5,000 PyPI requirements + 5,000 Go modules, names drawn
//!    from the database and from made-up packages, as in real lockfiles where most packages
//!    have no advisory) against it.
//!
//! Usage: `deps_bench [ADVISORIES_DIR] [RUNS]`.

use perimeter_deps::{Database, annotate, parse};
use perimeter_model::{App, BundleKind, CodeBundle, Model, SourceKind};
use std::fmt::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        last = Some(f());
        times.push(start.elapsed());
    }
    (median(times), last.expect("runs > 0"))
}

fn package_lock(n: usize) -> String {
    let mut s = String::from(
        "{\n  \"name\": \"big\",\n  \"lockfileVersion\": 3,\n  \"requires\": true,\n  \"packages\": {\n    \"\": {\n      \"name\": \"big\",\n      \"dependencies\": {\n",
    );
    for i in 0..50 {
        let _ = writeln!(s, "        \"pkg-{i}\": \"^1.0.0\",");
    }
    s.push_str("        \"last\": \"1.0.0\"\n      }\n    }");
    for i in 0..n {
        let key = if i % 3 == 0 {
            format!("node_modules/pkg-{}/node_modules/@scope/dep-{i}", i / 3)
        } else {
            format!("node_modules/pkg-{i}")
        };
        let _ = write!(
            s,
            ",\n    \"{key}\": {{\n      \"version\": \"{}.{}.{}\",\n      \"resolved\": \"https://registry.npmjs.org/pkg-{i}/-/pkg-{i}-1.0.0.tgz\",\n      \"integrity\": \"sha512-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\",\n      \"dev\": {}\n    }}",
            i % 7,
            i % 13,
            i % 17,
            i % 5 == 0
        );
    }
    s.push_str("\n  }\n}\n");
    s
}

fn yarn_lock(n: usize) -> String {
    let mut s = String::from("# yarn lockfile v1\n\n");
    for i in 0..n {
        let _ = write!(
            s,
            "\"pkg-{i}@^1.0.0\", pkg-{i}@^1.1.0:\n  version \"1.{}.0\"\n  resolved \"https://registry.yarnpkg.com/pkg-{i}/-/pkg-{i}-1.0.0.tgz#abc\"\n  integrity sha512-AAAA==\n  dependencies:\n    other \"^1.0.0\"\n\n",
            i % 9
        );
    }
    s
}

fn pnpm_lock(n: usize) -> String {
    let mut s = String::from(
        "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n      pkg-0:\n        specifier: ^1.0.0\n        version: 1.0.0\n\npackages:\n\n",
    );
    for i in 0..n {
        let _ = write!(
            s,
            "  pkg-{i}@1.{}.0:\n    resolution: {{integrity: sha512-AAAA==}}\n    engines: {{node: '>=14'}}\n\n",
            i % 9
        );
    }
    s
}

fn main() {
    let mut args = std::env::args().skip(1);
    let advisories = args.next().map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/advisories")
    });
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);

    for (name, text) in [
        ("package-lock.json", package_lock(50_000)),
        ("yarn.lock", yarn_lock(50_000)),
        ("pnpm-lock.yaml", pnpm_lock(50_000)),
    ] {
        let (t, deps) = time(runs, || parse(name, text.as_bytes()).expect("parses"));
        println!(
            "parse {name:<18} {:>6} packages, {:>5.1} MB: {:>7.1} ms (median of {runs})",
            deps.len(),
            text.len() as f64 / 1e6,
            t.as_secs_f64() * 1e3
        );
    }

    let (t_open, db) = time(runs, || Database::open(&advisories).expect("advisories"));
    let records: usize = db.ecosystems().iter().map(|e| e.records).sum();
    println!(
        "open  {} ({records} records): {:.0} ms",
        advisories.display(),
        t_open.as_secs_f64() * 1e3
    );

    // Names from the database's records, and made-up ones (no advisory).
    let mut pypi = Vec::new();
    let mut go = Vec::new();
    for entry in walk(&advisories) {
        let Ok(text) = std::fs::read_to_string(&entry) else {
            continue;
        };
        let Ok(record) = serde_json::from_str::<perimeter_deps::OsvRecord>(&text) else {
            continue;
        };
        for a in record.affected {
            if let Some(p) = a.package {
                match p.ecosystem.as_str() {
                    "PyPI" => pypi.push(p.name),
                    "Go" => go.push(p.name),
                    _ => {}
                }
            }
        }
    }
    pypi.sort();
    pypi.dedup();
    go.sort();
    go.dedup();
    let mut requirements = String::new();
    let mut go_mod = String::from("module bench\n\ngo 1.22\n\nrequire (\n");
    for i in 0..5_000 {
        if i % 3 == 0 && !pypi.is_empty() {
            let _ = writeln!(
                requirements,
                "{}=={}.{}.{}",
                pypi[i % pypi.len()],
                i % 4,
                i % 10,
                i % 3
            );
        } else {
            let _ = writeln!(requirements, "made-up-package-{i}==1.{}.0", i % 20);
        }
        if i % 3 == 0 && !go.is_empty() {
            let _ = writeln!(go_mod, "\t{} v0.{}.{}", go[i % go.len()], i % 30, i % 5);
        } else {
            let _ = writeln!(
                go_mod,
                "\texample.com/made-up/mod{i} v1.{}.0 // indirect",
                i % 20
            );
        }
    }
    go_mod.push_str(")\n");
    let mut dependencies =
        parse("requirements.txt", requirements.as_bytes()).expect("requirements");
    dependencies.extend(parse("go.mod", go_mod.as_bytes()).expect("go.mod"));
    let count = dependencies.len();
    let mut app = App::new("t", "t", SourceKind::Sam, "t");
    app.code.push(CodeBundle {
        id: "b".into(),
        root: "b".into(),
        kind: BundleKind::Folder,
        files: Vec::new(),
        dependencies,
        secrets: Vec::new(),
    });
    let mut model = Model {
        apps: vec![app],
        errors: Vec::new(),
    };
    let (t_match, ()) = time(runs, || annotate(&mut model, &db));
    let deps = &model.apps[0].code[0].dependencies;
    let vulnerable = deps.iter().filter(|d| !d.advisories.is_empty()).count();
    let advisories: usize = deps.iter().map(|d| d.advisories.len()).sum();
    println!(
        "match {count} packages: {:.1} ms (median of {runs}); {vulnerable} vulnerable, {advisories} advisories",
        t_match.as_secs_f64() * 1e3
    );
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    out
}
