//! Keeping secrets and terminal escapes out of the report.
//!
//! A code frame prints lines of the user's files, and those lines may hold the very secret a
//! SEC finding is about (or a neighbouring one). [`mask_value`] hides a `key: value` /
//! `KEY=value` line's value but for a short prefix, enough to recognise it. [`clean`] removes
//! control characters from any text taken from scanned files, so a hostile template cannot
//! move the cursor or recolour the terminal through our output.

/// Replaces control characters (ANSI escapes, carriage returns, NUL, …) by `?` and tabs by
/// one space (so character columns stay aligned with carets).
pub(crate) fn clean(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' => ' ',
            c if c.is_control() => '?',
            c => c,
        })
        .collect()
}

/// Like [`clean`] but keeps newlines (for multi-line messages).
pub(crate) fn clean_multiline(text: &str) -> String {
    text.split('\n').map(clean).collect::<Vec<_>>().join("\n")
}

/// Masks the value of a `key: value` or `key=value` line: everything after the first `:` or
/// `=` (and its spaces) becomes `*`, except a prefix of at most 4 characters: a third of the
/// value, and none for values under 6 characters, so a short password is not given away. A line
/// without a separator (a line of a multi-line string, a PEM block) is masked whole but for
/// its indentation.
pub(crate) fn mask_value(line: &str) -> String {
    mask_value_from(line, None)
}

/// [`mask_value`], but masking starts no later than `column` (0-based, in characters): the
/// secret a finding points at may come before the line's first separator
/// (`Client("sk_live_…", timeout=3)`).
pub(crate) fn mask_value_from(line: &str, column: Option<usize>) -> String {
    let chars: Vec<char> = line.chars().collect();
    let by_separator = match chars.iter().position(|&c| c == ':' || c == '=') {
        Some(sep) => {
            let mut i = sep + 1;
            while i < chars.len() && chars[i] == ' ' {
                i += 1;
            }
            i
        }
        None => chars.iter().position(|&c| c != ' ').unwrap_or(chars.len()),
    };
    // A column before the separator is the secret itself, unless what lies between is only a
    // key (`  DB_PASSWORD: …` located at its key): then the key stays readable.
    let key_like = |from: usize| {
        chars[from..by_separator.min(chars.len())].iter().all(|&c| {
            c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '"' | '\'' | ' ' | ':' | '=')
        })
    };
    let start = match column {
        Some(c) if c < by_separator && !key_like(c) => c,
        _ => by_separator,
    };
    let value_len = chars.len() - start;
    let has_separator = line.contains([':', '=']);
    let keep = if has_separator && value_len >= 6 {
        (value_len / 3).min(4)
    } else {
        0
    };
    let mut out: String = chars[..start + keep].iter().collect();
    out.extend(std::iter::repeat_n('*', value_len - keep));
    out
}

/// `true` when a line's key names something secret (`DB_PASSWORD: …`, `apiKey = …`): such a
/// line is masked in every code frame, whatever the finding.
pub(crate) fn looks_sensitive(line: &str) -> bool {
    let Some(sep) = line.find([':', '=']) else {
        return false;
    };
    let key: String = line[..sep]
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    const WORDS: [&str; 11] = [
        "password",
        "passwd",
        "pwd",
        "secret",
        "token",
        "apikey",
        "privatekey",
        "credential",
        "accesskey",
        "signingkey",
        "connectionstring",
    ];
    // `STRIPE_KEY`, `apiKey`, `signing_key`: a key ending in "key" names a key.
    WORDS.iter().any(|w| key.contains(w)) || key.ends_with("key")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_yaml_and_env_values() {
        assert_eq!(
            mask_value("      DB_PASSWORD: hunter2hunter2"),
            "      DB_PASSWORD: hunt**********"
        );
        assert_eq!(
            mask_value("API_KEY=AKIAIOSFODNN7EXAMPLE"),
            "API_KEY=AKIA****************"
        );
        // A short value keeps less than 4 characters.
        assert_eq!(mask_value("pw: abcdefgh"), "pw: ab******");
        assert_eq!(mask_value("pw: abc"), "pw: ***");
        assert_eq!(mask_value("  -----BEGIN KEY-----"), "  *******************");
        assert_eq!(mask_value("Environment:"), "Environment:");
    }

    #[test]
    fn a_secret_before_the_separator_is_masked_from_its_column() {
        let line = r#"stripe.Client("sk_live_4eC39HqLyjWDarjtT1zdp7dc", timeout=3)"#;
        let masked = mask_value_from(line, Some(15));
        assert!(!masked.contains("4eC39HqLyjWD"), "{masked}");
        assert!(masked.starts_with("stripe.Client(\""), "{masked}");
        // Located at a key: the key stays readable, the value is masked.
        let masked = mask_value_from("  DB_PASSWORD: hunter2hunter2", Some(2));
        assert!(masked.starts_with("  DB_PASSWORD: "), "{masked}");
        assert!(!masked.contains("hunter2"), "{masked}");
    }

    #[test]
    fn sensitive_keys() {
        assert!(looks_sensitive("  DB_PASSWORD: x"));
        assert!(looks_sensitive("\"apiKey\": \"x\""));
        assert!(looks_sensitive("GITHUB_TOKEN=x"));
        assert!(looks_sensitive("  STRIPE_KEY: sk_live_x"));
        assert!(!looks_sensitive("  KmsKeyArn: arn:aws:kms:x"));
        assert!(!looks_sensitive("  AuthType: NONE"));
        assert!(!looks_sensitive("  -----BEGIN KEY-----"));
    }

    #[test]
    fn control_characters_are_neutralised() {
        assert_eq!(clean("a\u{1b}[31mb\tc\r"), "a?[31mb c?");
        assert_eq!(clean_multiline("a\nb\u{7}"), "a\nb?");
    }
}
