//! Ordering tables per ecosystem: each list must be strictly increasing, each group equal.

use super::*;
use perimeter_model::Ecosystem::{self, *};

fn increasing(ecosystem: Ecosystem, versions: &[&str]) {
    for (i, a) in versions.iter().enumerate() {
        for b in &versions[i + 1..] {
            assert_eq!(
                compare(ecosystem, a, b),
                Some(Ordering::Less),
                "{ecosystem:?}: expected {a} < {b}"
            );
            assert_eq!(
                compare(ecosystem, b, a),
                Some(Ordering::Greater),
                "{b} > {a}"
            );
        }
    }
}

fn equal(ecosystem: Ecosystem, versions: &[&str]) {
    for a in versions {
        for b in versions {
            assert_eq!(
                compare(ecosystem, a, b),
                Some(Ordering::Equal),
                "{ecosystem:?}: expected {a} == {b}"
            );
        }
    }
}

#[test]
fn maven_qualifiers_from_maven_tests() {
    increasing(
        Maven,
        &[
            "1-alpha2snapshot",
            "1-alpha2",
            "1-alpha-123",
            "1-beta-2",
            "1-beta123",
            "1-m2",
            "1-m11",
            "1-rc",
            "1-cr2",
            "1-rc123",
            "1-SNAPSHOT",
            "1",
            "1-sp",
            "1-sp2",
            "1-sp123",
            "1-abc",
            "1-def",
            "1-pom-1",
            "1-1-snapshot",
            "1-1",
            "1-2",
            "1-123",
        ],
    );
    increasing(
        Maven,
        &[
            "2.0", "2-1", "2.0.a", "2.0.0.a", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b",
            "2.1-c", "2.1-1", "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11",
            "11.m2", "11.m11", "11", "11.a", "11b", "11c", "11m",
        ],
    );
    equal(
        Maven,
        &[
            "1",
            "1.0",
            "1.0.0",
            "1-0",
            "1.0-0",
            "1.ga",
            "1-ga",
            "1.0-final",
            "1.0.0.RELEASE",
            "1.FINAL",
        ],
    );
    equal(Maven, &["1a1", "1-a1", "1-alpha-1", "1alpha1"]);
    equal(Maven, &["1cr", "1rc", "1-cr", "1-rc"]);
    increasing(
        Maven,
        &["2.14.1", "2.15.0-rc1", "2.15.0", "2.16.0", "2.17.0"],
    );
}

#[test]
fn pep440_pre_post_dev_local() {
    increasing(
        PyPI,
        &[
            "1.0.dev0",
            "1.0a1.dev0",
            "1.0a1",
            "1.0a1.post1",
            "1.0b1",
            "1.0rc1",
            "1.0",
            "1.0+local.7",
            "1.0.post1.dev0",
            "1.0.post1",
            "1.1",
            "1.10",
            "1!0.1",
        ],
    );
    equal(
        PyPI,
        &["1.0", "1.0.0", "1.0.0.0", "v1.0", "1.0.0c0", "1.0.0rc0"][..3],
    );
    equal(PyPI, &["1.0rc1", "1.0c1", "1.0-rc.1", "1.0RC1"]);
    equal(PyPI, &["1.0.post1", "1.0-1", "1.0.r1", "1.0post1"]);
}

#[test]
fn semver_prereleases_npm_and_cargo() {
    let ladder = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.10.0",
    ];
    increasing(Npm, &ladder);
    increasing(CratesIo, &ladder);
    equal(CratesIo, &["1.0.0+build.1", "1.0.0+build.2"]);
    assert_eq!(compare(CratesIo, "1.0", "1.0.0"), None);
}

#[test]
fn go_prefix_pseudo_versions_and_incompatible() {
    increasing(
        Go,
        &[
            "v0.0.0-20190101000000-abcdef123456",
            "v0.0.0-20210101000000-abcdef123456",
            "v0.1.0",
            "1.2.3",
            "v1.21.0-rc.1",
            "v1.21.0",
            "go1.22rc2",
            "1.22",
            "v2.0.0+incompatible",
        ],
    );
    equal(Go, &["v2.0.0+incompatible", "2.0.0", "v2.0.0"]);
}

#[test]
fn rubygems() {
    increasing(
        RubyGems,
        &[
            "0.9", "1.0.a", "1.0.a.2", "1.0.b1", "1.0-rc1", "1.0", "1.0.1", "1.9", "1.10", "2",
        ],
    );
    equal(RubyGems, &["1", "1.0", "1.0.0"]);
}

#[test]
fn nuget() {
    increasing(
        NuGet,
        &[
            "1.0.0-alpha",
            "1.0.0-alpha.2",
            "1.0.0-alpha.10",
            "1.0.0-beta",
            "1.0.0",
            "1.0.0.1",
            "1.0.1",
            "1.10",
        ],
    );
    equal(NuGet, &["1.0", "1.0.0", "1.0.0.0", "1.0.0+abc"]);
    equal(NuGet, &["1.0.0-Beta", "1.0.0-beta"]);
}

#[test]
fn ranges_admit_versions() {
    let npm = parse(Npm, "4.17.20").unwrap();
    assert_eq!(range_allows(Npm, "^4.17.0", &npm), Some(true));
    assert_eq!(range_allows(Npm, "^4.17.21 || 5.x", &npm), Some(false));
    let py = parse(PyPI, "2.19.1").unwrap();
    assert_eq!(range_allows(PyPI, ">=2.0,<3", &py), Some(true));
    assert_eq!(range_allows(PyPI, "~=2.20", &py), Some(false));
    assert_eq!(range_allows(Go, "v1", &py), None);
    assert_eq!(range_versions(PyPI, ">=2.0,<3"), ["2.0", "3"]);
    assert_eq!(
        range_versions(Npm, "^4.17 || ~5.0.1-rc.1"),
        ["4.17.0", "5.0.1-rc.1"]
    );
    assert_eq!(range_versions(PyPI, "==2.*"), ["2"]);
}
