//! The text report: snapshot of the plain output, secrets masking, colours, limits.

mod common;

use perimeter_report::{TextOptions, text};

#[test]
fn plain_text_report() {
    let scan = common::scan();
    let root = common::root();
    let out = text(&scan.input(&root), &TextOptions::default());
    assert!(!out.contains('\u{1b}'), "plain output has no escape codes");
    insta::assert_snapshot!(out);
}

#[test]
fn secrets_never_reach_the_text_report() {
    let scan = common::scan();
    let root = common::root();
    let out = text(&scan.input(&root), &TextOptions::default());
    // The secret's line is framed twice (SEC001 on it, LOG003 next to it): both masked.
    assert!(!out.contains("wJalrXUtnFEMI/K7MDENG"), "{out}");
    assert!(!out.contains("correct-horse"), "{out}");
    assert!(out.contains("AWS_SECRET_ACCESS_KEY: wJal************************************"));
    // The SEC finding's frame masks even innocuous neighbours.
    assert!(out.contains("STAGE: ****"));
}

#[test]
fn colours_only_when_asked() {
    let scan = common::scan();
    let root = common::root();
    let out = text(
        &scan.input(&root),
        &TextOptions {
            color: true,
            ..TextOptions::default()
        },
    );
    assert!(out.contains('\u{1b}'));
}

#[test]
fn limits_and_missing_root() {
    let scan = common::scan();
    let root = std::path::Path::new("/nonexistent/perimeter-root");
    let options = TextOptions {
        max_findings: Some(2),
        max_functions: Some(1),
        ..TextOptions::default()
    };
    let out = text(&scan.input(root), &options);
    assert!(out.contains("… 4 more findings not shown"));
    assert!(out.contains("… 1 more functions not shown"));
    // No file could be read: no frame at all, and no panic.
    assert!(!out.contains(" | "));
    assert!(out.ends_with("6 findings (1 critical, 2 high, 1 medium, 1 low, 1 info), 2 functions, 1 app, 2 files with errors, 2 suppressed\n"));
}

#[test]
fn empty_scan() {
    let scan = common::Scan {
        model: Default::default(),
        findings: vec![],
        scores: vec![],
        errors: vec![],
        rules: vec![],
    };
    let root = common::root();
    let out = text(&scan.input(&root), &TextOptions::default());
    assert_eq!(
        out,
        "0 findings (0 critical, 0 high, 0 medium, 0 low, 0 info), 0 functions, 0 apps, 0 files with errors, 2 suppressed\n"
    );
}
