//! Every action named in the SAM policy templates (a real, AWS-written list of ~400 actions)
//! is known to the embedded catalog, so it gets AWS's own access level. Skipped when the
//! shared corpora are not present.

use perimeter_iam::{LevelSource, access_level};
use std::path::Path;

fn actions_in(text: &str) -> Vec<String> {
    // The file is JSON; action names are the only strings shaped `service:Action`.
    let mut out = Vec::new();
    for piece in text.split('"') {
        let Some((service, name)) = piece.split_once(':') else {
            continue;
        };
        let service_ok = !service.is_empty()
            && service
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        let name_ok = !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '*')
            && name.starts_with(|c: char| c.is_ascii_uppercase());
        if service_ok && name_ok && !name.contains('*') {
            out.push(piece.to_string());
        }
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn sam_policy_template_actions_are_in_the_catalog() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpora/iac/sam-translator/policy_templates.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("corpus not found at {}, skipped", path.display());
        return;
    };
    let actions = actions_in(&text);
    assert!(actions.len() > 100, "only {} actions parsed", actions.len());
    let unknown: Vec<&String> = actions
        .iter()
        .filter(|a| access_level(a).1 == LevelSource::Unknown)
        .collect();
    println!(
        "{} actions, {} unknown to the catalog: {unknown:?}",
        actions.len(),
        unknown.len()
    );
    // AWS retires an action now and then; the templates may lag by a few.
    assert!(
        unknown.len() * 100 <= actions.len() * 2,
        "{} of {} unknown: {unknown:?}",
        unknown.len(),
        actions.len()
    );
}
