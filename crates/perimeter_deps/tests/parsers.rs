//! Every format parses its fixture into the expected packages (one snapshot per file), and every
//! dependency file in the shared corpora and the examples parses without error.

use perimeter_deps::{FileKind, parse, recognize};
use perimeter_model::Dependency;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// One line per package: `line ecosystem name version [range] [direct|transitive] [dev]`.
fn render(deps: &[Dependency]) -> String {
    deps.iter()
        .map(|d| {
            let mut s = format!(
                "{:>3} {} {} {}",
                d.location.line,
                d.ecosystem.osv_name(),
                d.name,
                if d.version.is_empty() {
                    "(any)"
                } else {
                    &d.version
                }
            );
            if !d.exact {
                s.push_str(" range");
            }
            match d.direct {
                Some(true) => s.push_str(" direct"),
                Some(false) => s.push_str(" transitive"),
                None => {}
            }
            if d.dev {
                s.push_str(" dev");
            }
            s.push('\n');
            s
        })
        .collect()
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            let name = entry.file_name();
            if name != "node_modules" && name != ".git" {
                files(&path, out);
            }
        } else if kind.is_file() {
            out.push(path);
        }
    }
}

#[test]
fn every_fixture_matches_its_snapshot() {
    let root = fixtures();
    let mut all = Vec::new();
    files(&root, &mut all);
    let mut checked = 0;
    for path in all {
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        assert!(recognize(&name).is_some(), "{rel} is not recognized");
        let bytes = std::fs::read(&path).unwrap();
        let deps = parse(&rel, &bytes).unwrap_or_else(|e| panic!("{rel}: {e}"));
        for d in &deps {
            assert_eq!(d.location.file, rel);
            assert!(d.location.line >= 1, "{rel}: {} has no line", d.name);
        }
        insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(rel.replace(['/', '.'], "_"), render(&deps));
        });
        checked += 1;
    }
    assert!(checked >= 18, "only {checked} fixtures");
}

#[test]
fn recognizes_names() {
    assert_eq!(recognize("package-lock.json"), Some(FileKind::Lockfile));
    assert_eq!(recognize("requirements-dev.txt"), Some(FileKind::Lockfile));
    assert_eq!(recognize("dev-requirements.txt"), Some(FileKind::Lockfile));
    assert_eq!(recognize("package.json"), Some(FileKind::Manifest));
    assert_eq!(recognize("Gemfile.lock"), Some(FileKind::Lockfile));
    assert_eq!(recognize("README.txt"), None);
    assert_eq!(recognize("tsconfig.json"), None);
}

#[test]
fn errors_name_the_file_and_line() {
    let err = parse("app/package-lock.json", b"{\n  \"packages\": {\n  oops\n}").unwrap_err();
    assert!(
        err.to_string().starts_with("app/package-lock.json:3:"),
        "{err}"
    );
    let err = parse("Cargo.lock", b"[[package]]\nname = \n").unwrap_err();
    assert!(err.to_string().starts_with("Cargo.lock:2:"), "{err}");
    let err = parse("pom.xml", b"<project><dependencies>\n</project>").unwrap_err();
    assert!(err.to_string().starts_with("pom.xml:2:"), "{err}");
    assert!(parse("x/package-lock.json", &[0xff, 0xfe]).is_err());
}

#[test]
fn hostile_input_is_an_error_not_a_panic() {
    let deep = "[".repeat(10_000);
    assert!(parse("package-lock.json", deep.as_bytes()).is_err());
    let yaml = format!("packages:\n  {}", "- ".repeat(500));
    let _ = parse("pnpm-lock.yaml", yaml.as_bytes());
    let _ = parse(
        "yarn.lock",
        b"__metadata:\n  version: 6\n\"a@npm:1\":\n  version: [\n",
    );
}

/// Every dependency file in the shared corpora and in our examples parses.
#[test]
fn corpora_and_examples_parse() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let roots = [
        manifest.join("../../../shared/corpora"),
        manifest.join("../../examples"),
    ];
    let mut all = Vec::new();
    for root in &roots {
        files(root, &mut all);
    }
    let mut parsed = 0;
    let mut packages = 0;
    let mut failures = Vec::new();
    for path in all {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if recognize(&name).is_none() {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let display = path.to_string_lossy().to_string();
        match parse(&display, &bytes) {
            Ok(deps) => {
                parsed += 1;
                packages += deps.len();
            }
            Err(e) => failures.push(e.to_string()),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The corpora hold ~900 dependency files when present (CI has them beside the checkout).
    if roots[0].is_dir() {
        assert!(parsed > 500, "only {parsed} files parsed");
        assert!(packages > 5_000, "only {packages} packages");
        eprintln!("{parsed} dependency files, {packages} packages");
    }
}

#[test]
fn installed_package_manifests_and_lockfile_precedence() {
    let installed = parse(
        "api.zip!/node_modules/lodash/package.json",
        br#"{"name": "lodash", "version": "4.17.15", "dependencies": {"x": "^1"}}"#,
    )
    .unwrap();
    assert_eq!(render(&installed), "  1 npm lodash 4.17.15\n");

    let mut all = parse(
        "src/package.json",
        br#"{"dependencies": {"lodash": "^4.17.0", "uuid": "^9.0.0"}}"#,
    )
    .unwrap();
    all.extend(
        parse(
            "src/package-lock.json",
            br#"{"lockfileVersion": 3, "packages": {"node_modules/lodash": {"version": "4.17.15"}}}"#,
        )
        .unwrap(),
    );
    all.extend(installed);
    let kept = perimeter_deps::prefer_lockfiles(all);
    // The range of lodash is superseded, the installed copy is the lockfile's; uuid has no lock.
    assert_eq!(
        render(&kept),
        "  1 npm uuid ^9.0.0 range direct\n  1 npm lodash 4.17.15 transitive\n"
    );
}
