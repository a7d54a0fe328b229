//! Keeps `docs/scoring.md` true: its weights table equals `weight.rs`, its compression figures
//! equal `compressed`, and each worked example (a `<!-- scores: PATH FUNCTION -->` marker
//! followed by a text block) is what the scorer prints today on that example.
//! `UPDATE_DOCS=1` rewrites the example blocks instead of comparing them.

use perimeter_score::{compressed, weight};
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn page() -> (PathBuf, String) {
    let path = repo().join("docs/scoring.md");
    let text = std::fs::read_to_string(&path).expect("docs/scoring.md");
    (path, text)
}

#[test]
fn weights_table_matches_the_code() {
    let (_, text) = page();
    for (name, points) in weight::ALL {
        let row = format!("| `{name}` | {points} |");
        assert!(text.contains(&row), "docs/scoring.md lacks the row {row}");
    }
}

#[test]
fn compression_figures_match_the_code() {
    let (_, text) = page();
    let figures = format!(
        "80 raw → {}, 110 → {}, 150 → {}, 230 → {}",
        compressed(80),
        compressed(110),
        compressed(150),
        compressed(230)
    );
    assert!(text.contains(&figures), "expected `{figures}` in the page");
}

/// The scores of one example tree, loaded as `perimeter scan` does.
fn scores_of(tree: &str) -> Vec<perimeter_score::FunctionScore> {
    let root = repo().join(tree);
    let mut model = perimeter_load::load_path(&root, &perimeter_load::LoadOptions::default())
        .unwrap_or_else(|e| panic!("{tree}: {e}"));
    perimeter_code::attach(&mut model, &root, &perimeter_code::CodeOptions::default());
    // Runtime end-of-life findings depend on the day: judge as of a fixed one.
    perimeter_rules::rules::dep::set_today(perimeter_rules::rules::dep::Date::new(2026, 11, 1));
    let findings = perimeter_rules::check(&model);
    perimeter_score::score(&model, &findings)
}

#[test]
fn worked_examples_are_real() {
    let (path, text) = page();
    let marker = "<!-- scores: ";
    let mut out = String::new();
    let mut rest = text.as_str();
    let mut checked = 0;
    let mut stale = Vec::new();
    while let Some(at) = rest.find(marker) {
        let line_end = at + rest[at..].find('\n').expect("marker line ends");
        let spec = rest[at + marker.len()..line_end]
            .trim_end_matches("-->")
            .trim();
        let (tree, function) = spec.split_once(' ').expect("PATH FUNCTION");
        let block_start = line_end + 1;
        assert!(
            rest[block_start..].starts_with("```text\n"),
            "a text block follows the marker for {spec}"
        );
        let body_start = block_start + "```text\n".len();
        let body_end = body_start + rest[body_start..].find("```").expect("block closes");
        let scores = scores_of(tree);
        let expected = scores
            .iter()
            .find(|s| s.function == function)
            .unwrap_or_else(|| panic!("{tree} has no function {function}"))
            .explain();
        if rest[body_start..body_end] != expected {
            stale.push(spec.to_string());
        }
        out.push_str(&rest[..body_start]);
        out.push_str(&expected);
        rest = &rest[body_end..];
        checked += 1;
    }
    out.push_str(rest);
    assert!(checked >= 3, "the page has its worked examples");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, out).expect("write docs/scoring.md");
    } else {
        assert!(
            stale.is_empty(),
            "docs/scoring.md examples differ from the scorer for {stale:?}; rerun with UPDATE_DOCS=1 and read the diff"
        );
    }
}
