//! Words for scores: trigger summaries, what a data access lets an attacker do, and lists.

use perimeter_graph::EdgeKind;
use perimeter_graph::reach::DataReach;
use perimeter_model::{Function, TriggerKind};
use perimeter_rules::Finding;

/// What the accesses on a store let the attacker do, as a verb phrase: `read every item of
/// OrdersTable`, `write UsersTable`, `read and write every object in Uploads and change who can
/// access it`.
pub fn data_phrase(d: &DataReach) -> String {
    let name = &d.store.label;
    let has = |k: EdgeKind| d.kinds.contains(&k) || d.access == k;
    let mut verbs: Vec<String> = Vec::new();
    for (kind, verb) in [
        (EdgeKind::CanRead, "read"),
        (EdgeKind::CanWrite, "write"),
        (EdgeKind::CanDelete, "delete"),
    ] {
        if has(kind) {
            verbs.push(verb.to_string());
        }
    }
    let admin = has(EdgeKind::CanAdmin);
    if verbs.is_empty() {
        return format!("change who can access {name}");
    }
    // Reading is about the content: say what content; writing alone names the store.
    let object = if has(EdgeKind::CanRead) {
        match d.store.subtype.as_deref().unwrap_or("") {
            "table" => format!("every item of {name}"),
            "bucket" => format!("every object in {name}"),
            "stream" => format!("every record of {name}"),
            "secret" => format!("the secret {name}"),
            "parameter" => format!("the parameter {name}"),
            "key" => format!("with the key {name}"),
            _ => name.clone(),
        }
    } else {
        name.clone()
    };
    let verbs = list(&verbs);
    let verbs = if verbs == "read" && d.store.subtype.as_deref() == Some("key") {
        "decrypt".to_string()
    } else {
        verbs
    };
    if admin {
        format!("{verbs} {object} and change who can access it")
    } else {
        format!("{verbs} {object}")
    }
}

/// `a`, `a and b`, `a, b and c`, `a, b, c and 2 more`.
pub fn list(items: &[String]) -> String {
    match items.len() {
        0 => String::new(),
        1 => items[0].clone(),
        2..=3 => format!(
            "{} and {}",
            items[..items.len() - 1].join(", "),
            items[items.len() - 1]
        ),
        n => format!("{} and {} more", items[..3].join(", "), n - 3),
    }
}

/// Data phrases joined with `; ` (each may hold its own `and`), at most three then
/// `; and N more stores`.
pub fn data_list(phrases: &[String]) -> String {
    match phrases.len() {
        0..=3 => phrases.join("; "),
        n => format!("{}; and {} more stores", phrases[..3].join("; "), n - 3),
    }
}

/// Short trigger descriptions: `api GET /users (no auth)`, `function URL (auth NONE)`, `s3 Uploads`.
pub fn triggers(function: &Function, found: &[&Finding]) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(url) = &function.url {
        let auth = url.auth_type.as_str().unwrap_or("unresolved");
        out.push(format!("function URL (auth {auth})"));
    }
    // A function URL is described once, from `function.url`, even when a loader also lists it
    // as a trigger.
    let url_listed = function.url.is_some();
    for trigger in function
        .triggers
        .iter()
        .filter(|t| !(url_listed && t.kind == TriggerKind::FunctionUrl))
    {
        let kind = serde_json::to_string(&trigger.kind)
            .unwrap_or_default()
            .trim_matches('"')
            .to_string();
        let text = match &trigger.http {
            Some(route) => {
                let auth = match route.auth.known() {
                    Some(a) if a.is_none() && route.api_key_required.known() != Some(&true) => {
                        " (no auth)"
                    }
                    Some(a) if a.is_none() => " (api key)",
                    Some(_) => "",
                    None => " (auth unresolved)",
                };
                format!("{kind} {} {}{auth}", route.method, route.path)
            }
            None => match trigger.source.as_ref().and_then(|s| s.as_str()) {
                Some(source) => format!("{kind} {source}"),
                None => kind,
            },
        };
        out.push(text);
    }
    if found.iter().any(|f| f.code == "AUTH003") {
        out.push("resource policy open to anyone".into());
    }
    out
}
