//! Matching on real OSV data (PyPI and Go snapshots in `shared/advisories`) and on npm/Maven
//! records written from public advisories (`tests/osv/`), through the parsers and the database
//! as a scan uses them.

use perimeter_deps::{Database, annotate, matches, parse};
use perimeter_model::{
    Advisory, App, BundleKind, CodeBundle, Dependency, Ecosystem, Location, Model, SourceKind,
};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, UNIX_EPOCH};

fn shared(folder: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/advisories")
        .join(folder)
}

fn local(folder: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/osv")
        .join(folder)
}

fn pypi() -> &'static Database {
    static DB: OnceLock<Database> = OnceLock::new();
    DB.get_or_init(|| Database::open(&shared("osv-pypi")).expect("osv-pypi"))
}

fn go() -> &'static Database {
    static DB: OnceLock<Database> = OnceLock::new();
    DB.get_or_init(|| Database::open(&shared("osv-go")).expect("osv-go"))
}

fn npm() -> Database {
    Database::open(&local("npm")).unwrap()
}

fn deps(path: &str, text: &str) -> Vec<Dependency> {
    parse(path, text.as_bytes()).unwrap()
}

fn find<'a>(advisories: &'a [Advisory], id: &str) -> Option<&'a Advisory> {
    advisories.iter().find(|a| a.id == id)
}

#[test]
fn pinned_requirement_gets_the_advisory_and_its_fix() {
    let d = deps("requirements.txt", "requests==2.19.1\nrequests==2.31.0\n");
    let old = matches(pypi(), &d[0]);
    let a = find(&old, "PYSEC-2018-28").expect("requests 2.19.1 is affected by PYSEC-2018-28");
    assert_eq!(a.fixed.as_deref(), Some("2.20.0"));
    assert!(
        a.aliases.iter().any(|x| x == "CVE-2018-18074"),
        "{:?}",
        a.aliases
    );
    assert!(a.summary.contains("Authorization header"), "{}", a.summary);
    let new = matches(pypi(), &d[1]);
    assert!(find(&new, "PYSEC-2018-28").is_none());
}

#[test]
fn names_are_pep503_normalized() {
    // PyYAML is listed as `pyyaml`; full_load RCE fixed in 5.4 (PYSEC-2021-142).
    let d = deps("requirements.txt", "PyYAML==5.3.1\n");
    let found = matches(pypi(), &d[0]);
    assert!(!found.is_empty(), "PyYAML 5.3.1 has advisories");
    assert!(found.iter().all(|a| a.fixed.is_some()));
}

#[test]
fn ranges_match_when_they_admit_an_affected_version() {
    let d = deps(
        "requirements.txt",
        "requests>=2.0,<2.21\nrequests>=2.32.3\nrequests\n",
    );
    assert!(!d[0].exact);
    let found = matches(pypi(), &d[0]);
    let a = find(&found, "PYSEC-2018-28").expect("the range admits 2.19");
    assert_eq!(a.fixed.as_deref(), Some("2.20.0"));
    assert!(find(&matches(pypi(), &d[1]), "PYSEC-2018-28").is_none());
    assert!(
        matches(pypi(), &d[2]).is_empty(),
        "no requirement, nothing to judge"
    );
}

#[test]
fn go_modules_with_replace_and_pseudo_versions() {
    let go_mod = "module x\n\ngo 1.21\n\nrequire (\n\tgolang.org/x/text v0.3.7\n\tgolang.org/x/net v0.0.0-20200114155413-6afb5195e5aa\n)\n";
    let d = deps("go.mod", go_mod);
    let text = matches(go(), &d[0]);
    let a = find(&text, "GO-2022-1059").expect("x/text v0.3.7 is affected");
    assert_eq!(a.fixed.as_deref(), Some("0.3.8"));
    assert!(
        find(&text, "GO-2021-0113").is_none(),
        "fixed in 0.3.7 itself"
    );
    assert!(
        !matches(go(), &d[1]).is_empty(),
        "a 2020 pseudo-version of x/net is affected"
    );

    let replaced = deps(
        "go.mod",
        &format!("{go_mod}replace golang.org/x/text => golang.org/x/text v0.3.8\n"),
    );
    assert!(find(&matches(go(), &replaced[0]), "GO-2022-1059").is_none());
}

#[test]
fn npm_lockfile_advisories() {
    let db = npm();
    let lock = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/npm-v3/package-lock.json"),
    )
    .unwrap();
    let d = deps("package-lock.json", &lock);
    let by_name = |name: &str, version: &str| {
        d.iter()
            .find(|x| x.name == name && x.version == version)
            .map(|x| matches(&db, x))
            .unwrap()
    };
    let lodash = by_name("lodash", "4.17.15");
    let ids: Vec<&str> = lodash.iter().map(|a| a.id.as_str()).collect();
    // The withdrawn record that lists 4.17.15 is ignored.
    assert_eq!(ids, ["GHSA-35jh-r3h4-6jhm", "GHSA-p6mc-m468-83gw"]);
    assert_eq!(lodash[0].fixed.as_deref(), Some("4.17.21"));
    assert_eq!(lodash[0].severity.as_deref(), Some("HIGH"));
    assert_eq!(lodash[1].fixed.as_deref(), Some("4.17.19"));
    // Two affected ranges: the fix is the lowest one above the installed version.
    assert_eq!(
        by_name("minimist", "1.2.5")[0].fixed.as_deref(),
        Some("1.2.6")
    );
    assert_eq!(
        by_name("minimist", "0.0.8")[0].fixed.as_deref(),
        Some("0.2.4")
    );
    assert!(by_name("jest", "29.7.0").is_empty());
}

#[test]
fn last_affected_without_fix() {
    let db = npm();
    let d = deps(
        "package.json",
        r#"{"dependencies": {"node-serialize": "0.0.4", "lodash": "^4.17.21"}}"#,
    );
    let ns = matches(&db, &d[0]);
    assert_eq!(ns[0].id, "GHSA-q4v7-4rhw-9hqm");
    assert_eq!(ns[0].fixed, None);
    assert_eq!(ns[0].severity.as_deref(), Some("CRITICAL"));
    assert!(
        matches(&db, &d[1]).is_empty(),
        "^4.17.21 admits no affected lodash"
    );
    let range = deps("package.json", r#"{"dependencies": {"lodash": "^4.17.0"}}"#);
    let found = matches(&db, &range[0]);
    assert_eq!(found.len(), 2, "^4.17.0 admits 4.17.0..4.17.20");
    assert_eq!(found[0].fixed.as_deref(), Some("4.17.21"));
}

#[test]
fn maven_ranges_with_qualifiers() {
    let db = Database::open(&local("maven")).unwrap();
    let pom = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/maven/pom.xml"),
    )
    .unwrap();
    let d = deps("pom.xml", &pom);
    let log4j = matches(&db, &d[0]);
    assert_eq!(log4j[0].id, "GHSA-jfh8-c2jp-5v3q");
    assert_eq!(log4j[0].fixed.as_deref(), Some("2.15.0"));
    let gradle = deps(
        "gradle.lockfile",
        "org.apache.logging.log4j:log4j-core:2.16.0=runtimeClasspath\norg.apache.logging.log4j:log4j-core:2.12.1=runtimeClasspath\norg.apache.logging.log4j:log4j-core:2.0-beta8=runtimeClasspath\n",
    );
    assert!(matches(&db, &gradle[0]).is_empty());
    assert_eq!(matches(&db, &gradle[1])[0].fixed.as_deref(), Some("2.12.2"));
    assert!(matches(&db, &gradle[2]).is_empty(), "2.0-beta8 < 2.0-beta9");
}

#[test]
fn zip_exports_read_like_folders() {
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("all.zip");
    let mut writer = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for entry in std::fs::read_dir(local("npm")).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        writer.start_file(name, options).unwrap();
        writer
            .write_all(&std::fs::read(entry.path()).unwrap())
            .unwrap();
    }
    writer.start_file("../escape.json", options).unwrap();
    writer.write_all(b"{}").unwrap();
    writer.start_file("junk.json", options).unwrap();
    writer.write_all(b"not json").unwrap();
    writer.finish().unwrap();

    let from_zip = Database::open(&zip_path).unwrap();
    let from_dir = npm();
    assert_eq!(from_zip.ecosystems(), from_dir.ecosystems());
    assert_eq!(from_zip.ecosystems()[0].records, 4);
    assert_eq!(from_zip.skipped(), (2, 1));
    // A folder holding the zip (as `db update` writes it) reads the same.
    assert_eq!(
        Database::open(dir.path()).unwrap().ecosystems(),
        from_dir.ecosystems()
    );
}

#[test]
fn age_comes_from_the_newest_record() {
    let db = npm();
    let updated = db.updated().unwrap();
    assert_eq!(updated, UNIX_EPOCH + Duration::from_secs(1_708_450_727)); // 2024-02-20T17:38:47Z
    let week_later = updated + Duration::from_secs(8 * 86_400);
    assert_eq!(db.age_at(week_later), Some(Duration::from_secs(8 * 86_400)));
    assert!(db.is_stale(Duration::from_secs(7 * 86_400)));
    let stats = pypi().ecosystems();
    assert_eq!(stats[0].ecosystem, Ecosystem::PyPI);
    assert!(stats[0].records > 2_500, "{stats:?}");
}

#[test]
fn missing_or_empty_database_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    assert!(Database::open(&dir.path().join("nope")).is_err());
    let err = Database::open(dir.path()).unwrap_err().to_string();
    assert!(err.contains("no OSV records"), "{err}");
}

#[test]
fn annotate_fills_every_bundle() {
    let mut app = App::new("t.yaml", "t", SourceKind::Sam, "t.yaml");
    app.code.push(CodeBundle {
        id: "src".into(),
        root: "src".into(),
        kind: BundleKind::Folder,
        files: Vec::new(),
        dependencies: deps("src/requirements.txt", "requests==2.19.1\nboto3==1.34.0\n"),
        secrets: Vec::new(),
    });
    let mut model = Model {
        apps: vec![app],
        errors: Vec::new(),
    };
    annotate(&mut model, pypi());
    let d = &model.apps[0].code[0].dependencies;
    assert!(find(&d[0].advisories, "PYSEC-2018-28").is_some());
    assert!(d[1].advisories.is_empty());
    assert_eq!(d[0].location, Location::new("src/requirements.txt", 1, 1));
}
