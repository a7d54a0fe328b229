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
    // Innocuous neighbours stay readable: only the secret's value (and its continuation) is masked.
    assert!(out.contains("STAGE: prod"));
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
    assert!(out.ends_with("6 findings (1 critical, 2 high, 1 medium, 1 low, 1 info), 2 functions, 1 app, 2 files with errors, 2 suppressed (AWS IAM catalog of 2026-10-27)\n"));
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
        "0 findings (0 critical, 0 high, 0 medium, 0 low, 0 info), 0 functions, 0 apps, 0 files with errors, 2 suppressed (AWS IAM catalog of 2026-10-27)\n"
    );
}

#[test]
fn secret_lines_are_masked_in_every_frame_and_shared_spots_framed_once() {
    use perimeter_model::Location;
    use perimeter_rules::Finding;

    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("serverless.yml"),
        "functions:\n  pay:\n    environment:\n      STRIPE: sk_live_4eC39HqLyjWDarjtT1zdp7dc\n      STAGE: prod\n",
    )
    .expect("write");
    let mut scan = common::scan();
    let at = |line, column| Location::new("serverless.yml", line, column);
    scan.findings = vec![
        Finding::new(
            &common::SEC001.0,
            "serverless.yml",
            Some("pay"),
            "pay",
            "STRIPE",
            "Stripe live key in `STRIPE`.",
            at(4, 7),
            "",
        ),
        // Neither its key looks secret nor is it a SEC finding: masked because SEC001 points there.
        Finding::new(
            &common::LOG003.0,
            "serverless.yml",
            Some("pay"),
            "pay",
            "a",
            "First.",
            at(5, 7),
            "",
        ),
        Finding::new(
            &common::LOG003.0,
            "serverless.yml",
            Some("pay"),
            "pay",
            "b",
            "Second, same spot.",
            at(5, 7),
            "",
        ),
    ];
    let root = dir.path().to_path_buf();
    let out = text(&scan.input(&root), &TextOptions::default());
    assert!(!out.contains("sk_live_4eC39HqLyjWDarjtT1zdp7dc"), "{out}");
    assert!(
        out.contains("STRIPE: sk_l****************************"),
        "{out}"
    );
    assert_eq!(out.matches("> 5 |").count(), 1, "{out}");
    assert!(out.contains("Second, same spot."));
}

#[test]
fn table_fits_a_width() {
    let scan = common::scan();
    let root = common::root();
    let out = text(
        &scan.input(&root),
        &TextOptions {
            width: Some(80),
            ..TextOptions::default()
        },
    );
    let table: Vec<&str> = out.lines().skip(2).take_while(|l| !l.is_empty()).collect();
    assert!(table.len() > 3, "{out}");
    assert!(table.iter().all(|l| l.chars().count() <= 80), "{out}");
    // Cells wrap rather than vanish.
    assert!(out.contains("+35 role"), "{out}");
}
