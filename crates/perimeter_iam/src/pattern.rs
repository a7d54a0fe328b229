//! IAM action names and IAM's wildcard matching.
//!
//! IAM compares action names case-insensitively; in a policy, `*` matches any run of
//! characters (including none) and `?` exactly one character. `*` alone is every action of
//! every service. The same matcher serves `Action`, `NotAction` and resource ARNs (where
//! case does matter, so callers that match ARNs use [`wildcard_match_case`]).

/// Splits `service:Name` into its two halves; `None` for `*` or a malformed string.
pub fn split_action(action: &str) -> Option<(&str, &str)> {
    let (service, name) = action.split_once(':')?;
    if service.is_empty() || name.is_empty() {
        return None;
    }
    Some((service, name))
}

/// The service prefix of an action (`s3` for `s3:GetObject`), lower-cased.
pub fn service_of(action: &str) -> Option<String> {
    split_action(action).map(|(s, _)| s.to_ascii_lowercase())
}

/// `true` when the string contains an IAM wildcard.
pub fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?'])
}

/// `true` for `*` (every action of every service) and `*:*`.
pub fn is_full_wildcard(action: &str) -> bool {
    let a = action.trim();
    a == "*" || a == "*:*"
}

/// `true` for `service:*` (every action of one service), with a concrete service.
pub fn is_service_wildcard(action: &str) -> bool {
    matches!(split_action(action.trim()), Some((s, "*")) if !has_wildcard(s))
}

/// Case-insensitive IAM wildcard match of a whole string (`*` any run, `?` one character).
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    glob(pattern, text, true)
}

/// Case-sensitive variant, for resource ARNs.
pub fn wildcard_match_case(pattern: &str, text: &str) -> bool {
    glob(pattern, text, false)
}

/// `true` when the action pattern `pattern` (as written in a policy) covers the concrete
/// action `action`.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    let pattern = pattern.trim();
    if pattern == "*" {
        return true;
    }
    wildcard_match(pattern, action.trim())
}

/// `true` when the statement's action list grants `action`: with `not_action == false` the
/// action must match one of `patterns`; with `not_action == true` (a `NotAction` list) it must
/// match none of them.
pub fn list_covers<'a>(
    patterns: impl IntoIterator<Item = &'a str>,
    not_action: bool,
    action: &str,
) -> bool {
    let any = patterns.into_iter().any(|p| action_matches(p, action));
    any != not_action
}

/// Iterative glob with single-star backtracking: linear in practice, no recursion, so a
/// hostile pattern of many stars cannot blow the stack.
fn glob(pattern: &str, text: &str, fold_case: bool) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let eq = |a: char, b: char| {
        if fold_case {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && eq(p[pi], t[ti]))) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_and_case() {
        assert!(action_matches("*", "s3:GetObject"));
        assert!(action_matches("s3:*", "S3:getobject"));
        assert!(action_matches("s3:Get*", "s3:GetObjectAcl"));
        assert!(action_matches("S3:GET*", "s3:GetObject"));
        assert!(!action_matches("s3:Get*", "s3:PutObject"));
        assert!(!action_matches("s3:Get*", "sqs:GetQueueUrl"));
        assert!(action_matches("s3:Get?bject", "s3:GetObject"));
        assert!(!action_matches("s3:Get?bject", "s3:GetOObject"));
        assert!(action_matches("iam:*Policy*", "iam:PutRolePolicy"));
        assert!(action_matches("iam:*Policy*", "iam:CreatePolicyVersion"));
        assert!(!action_matches("iam:*Policy*", "iam:PassRole"));
        assert!(action_matches("*:Get*", "dynamodb:GetItem"));
        assert!(!action_matches("s3:GetObject", "s3:GetObjectAcl"));
    }

    #[test]
    fn many_stars_do_not_explode() {
        let p = "*a".repeat(200);
        let t = "a".repeat(199);
        assert!(!wildcard_match(&p, &t));
        assert!(wildcard_match(&p, &"a".repeat(200)));
    }

    #[test]
    fn arn_matching_is_case_sensitive() {
        assert!(wildcard_match_case(
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::bucket/key"
        ));
        assert!(!wildcard_match_case(
            "arn:aws:s3:::Bucket/*",
            "arn:aws:s3:::bucket/key"
        ));
        // Backtracking across several stars.
        assert!(wildcard_match_case("a*b*c", "aXXbYYc"));
        assert!(!wildcard_match_case("a*b*c", "aXXbYY"));
    }

    #[test]
    fn not_action_lists() {
        assert!(list_covers(["iam:*"], true, "s3:GetObject"));
        assert!(!list_covers(["iam:*"], true, "iam:PassRole"));
        assert!(list_covers(["s3:Get*", "sqs:*"], false, "sqs:SendMessage"));
    }

    #[test]
    fn shapes() {
        assert_eq!(split_action("s3:GetObject"), Some(("s3", "GetObject")));
        assert_eq!(split_action("*"), None);
        assert_eq!(split_action("s3:"), None);
        assert!(is_service_wildcard("s3:*"));
        assert!(!is_service_wildcard("*:*"));
        assert!(!is_service_wildcard("s3:Get*"));
        assert!(is_full_wildcard("*"));
        assert!(is_full_wildcard("*:*"));
        assert_eq!(service_of("DynamoDB:GetItem").as_deref(), Some("dynamodb"));
    }
}
