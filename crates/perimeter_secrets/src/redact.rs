//! The one way perimeter shows a secret: [`redact`].

/// Shows a secret without leaking it: at most its first four characters (fewer for short
/// values: two under 16 characters, none under 8) and its length, e.g. `AKIA… (20 chars)`.
pub fn redact(secret: &str) -> String {
    let n = secret.chars().count();
    let shown = match n {
        0..=7 => 0,
        8..=15 => 2,
        _ => 4,
    };
    let head: String = secret.chars().take(shown).collect();
    format!("{head}… ({n} chars)")
}
