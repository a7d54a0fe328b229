//! The tags a block leaves on a function: who, when, why, and the reserved concurrency to put
//! back. They are the kill switch's only state, kept on the function itself so that any later
//! run (another machine, the Lambda mode) can restore or re-apply without a database.

use std::collections::HashMap;

pub const TAG_BLOCKED_BY: &str = "perimeter:blocked-by";
pub const TAG_BLOCKED_AT: &str = "perimeter:blocked-at";
pub const TAG_REASON: &str = "perimeter:reason";
pub const TAG_PREVIOUS: &str = "perimeter:previous-concurrency";

/// Every tag a block sets (what a restore removes).
pub const ALL_TAGS: [&str; 4] = [TAG_BLOCKED_BY, TAG_BLOCKED_AT, TAG_REASON, TAG_PREVIOUS];

/// Value of [`TAG_PREVIOUS`] when the function had no reserved concurrency.
pub const NO_PREVIOUS: &str = "none";

/// AWS's limit on a tag value's length.
pub const MAX_TAG_VALUE: usize = 256;

/// What a block recorded on a function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockTags {
    pub by: String,
    pub at: String,
    pub reason: String,
    /// The reserved concurrency before the first block (`None`: there was none).
    pub previous: Option<i32>,
}

impl BlockTags {
    /// Reads the tags of a function; `None` when it carries no block. A block whose
    /// previous-concurrency tag was damaged is still a block: restoring it removes the
    /// reservation, which is what `none` would do.
    pub fn from_tags(tags: &HashMap<String, String>) -> Option<BlockTags> {
        let by = tags.get(TAG_BLOCKED_BY)?;
        let previous = tags
            .get(TAG_PREVIOUS)
            .and_then(|v| v.trim().parse::<i32>().ok())
            .filter(|n| *n >= 0);
        Some(BlockTags {
            by: by.clone(),
            at: tags.get(TAG_BLOCKED_AT).cloned().unwrap_or_default(),
            reason: tags.get(TAG_REASON).cloned().unwrap_or_default(),
            previous,
        })
    }

    /// The tags to write, values made acceptable to AWS.
    pub fn to_tags(&self) -> Vec<(&'static str, String)> {
        vec![
            (TAG_BLOCKED_BY, tag_value(&self.by)),
            (TAG_BLOCKED_AT, tag_value(&self.at)),
            (TAG_REASON, tag_value(&self.reason)),
            (
                TAG_PREVIOUS,
                self.previous
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| NO_PREVIOUS.to_string()),
            ),
        ]
    }
}

/// `text` as a tag value: AWS accepts letters, digits, spaces and `_ . : / = + - @`, at most
/// [`MAX_TAG_VALUE`] characters; anything else becomes a space (runs collapsed).
pub fn tag_value(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let keep =
            c.is_alphanumeric() || matches!(c, '_' | '.' | ':' | '/' | '=' | '+' | '-' | '@');
        if keep {
            out.push(c);
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    let trimmed = out.trim();
    trimmed
        .chars()
        .take(MAX_TAG_VALUE)
        .collect::<String>()
        .trim_end()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_to_the_allowed_characters_and_length() {
        assert_eq!(
            tag_value("score 92 > max-score 80; AUTH002 (public, unauthenticated)"),
            "score 92 max-score 80 AUTH002 public unauthenticated"
        );
        assert_eq!(tag_value(&"x".repeat(400)).len(), MAX_TAG_VALUE);
        assert_eq!(
            tag_value("arn:aws:sts::1:assumed-role/ci/jo@x.io"),
            "arn:aws:sts::1:assumed-role/ci/jo@x.io"
        );
    }

    #[test]
    fn round_trip_and_damaged_previous() {
        let block = BlockTags {
            by: "perimeter".into(),
            at: "2026-07-01T10:00:00Z".into(),
            reason: "AUTH002".into(),
            previous: Some(25),
        };
        let tags: HashMap<String, String> = block
            .to_tags()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        assert_eq!(BlockTags::from_tags(&tags), Some(block));
        let mut damaged = tags.clone();
        damaged.insert(TAG_PREVIOUS.into(), "lots".into());
        assert_eq!(
            BlockTags::from_tags(&damaged).and_then(|b| b.previous),
            None
        );
        assert_eq!(BlockTags::from_tags(&HashMap::new()), None);
    }
}
