//! Every action named in the SAM policy templates (a real, AWS-written list of ~400 actions)
//! gets its level from the override table or a known verb, not from the fallback. Skipped
//! when the shared corpora are not present.

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
fn sam_policy_template_actions_have_known_verbs() {
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
        .filter(|a| access_level(a).1 == LevelSource::Default)
        .collect();
    println!(
        "{} actions, {} by fallback: {unknown:?}",
        actions.len(),
        unknown.len()
    );
    // A few percent may fall back (and are then classed Write, the safe side).
    assert!(
        unknown.len() * 100 <= actions.len() * 3,
        "{} of {} by fallback: {unknown:?}",
        unknown.len(),
        actions.len()
    );
}
