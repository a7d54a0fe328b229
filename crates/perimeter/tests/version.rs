//! `perimeter --version` names the date of the embedded AWS IAM catalog.

#[test]
fn version_names_the_iam_catalog_date() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_perimeter"))
        .arg("--version")
        .output()
        .expect("run perimeter");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert_eq!(
        text.trim(),
        format!(
            "perimeter {} (AWS IAM catalog {})",
            env!("CARGO_PKG_VERSION"),
            perimeter_iam::DATA_DATE
        )
    );
}
