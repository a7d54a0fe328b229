//! Inline suppressions: `# perimeter:ignore CODE[,CODE2] reason` in a comment.
//!
//! Files are scanned line by line for the marker; nothing is re-parsed. The marker counts only
//! inside a comment (`#`, `//` or `/*` before it on the line), so a string that merely mentions
//! it is not an ignore. A comment alone on its line covers the next line that is neither blank
//! nor a comment; a comment at the end of a line covers that line. Either way, when the covered
//! line is where a resource is declared, the ignore covers the whole resource (see `apply`).

use perimeter_model::LoadError;

/// The marker that starts an inline ignore.
pub const MARKER: &str = "perimeter:ignore";

/// One valid inline ignore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineIgnore {
    pub file: String,
    /// Line of the comment (1-based).
    pub line: u32,
    /// Column of the marker (1-based, characters).
    pub column: u32,
    /// Upper-case codes.
    pub codes: Vec<String>,
    pub reason: String,
    /// The line the ignore covers: the comment's own line for a trailing comment, else the
    /// next line that is not blank or a comment (`None` at the end of the file).
    pub target: Option<u32>,
}

/// Finds the inline ignores of one file; malformed ones (no code, no reason) are problems
/// and are not returned.
pub fn scan_inline(file: &str, text: &str) -> (Vec<InlineIgnore>, Vec<LoadError>) {
    let mut ignores = Vec::new();
    let mut problems = Vec::new();
    if !text.contains(MARKER) {
        return (ignores, problems);
    }
    let lines: Vec<&str> = text.lines().collect();
    for (index, line) in lines.iter().enumerate() {
        let Some(marker) = line.find(MARKER) else {
            continue;
        };
        let Some(comment_start) = comment_start(&line[..marker]) else {
            continue;
        };
        let rest = &line[marker + MARKER.len()..];
        // `perimeter:ignored`, `perimeter:ignore-all`: not our marker.
        if rest.chars().next().is_some_and(|c| !c.is_whitespace()) {
            continue;
        }
        let number = index as u32 + 1;
        let column = line[..marker].chars().count() as u32 + 1;
        let problem = |message: String| LoadError {
            file: file.to_string(),
            line: Some(number),
            column: Some(column),
            message,
        };
        let (codes, reason) = split_codes(rest);
        if codes.is_empty() || codes.iter().any(|c| !is_code(c)) {
            problems.push(problem(format!(
                "{MARKER} needs rule codes then a reason, e.g. `# {MARKER} AUTH001 internal tool behind VPN`"
            )));
            continue;
        }
        let codes: Vec<String> = codes.iter().map(|c| c.to_ascii_uppercase()).collect();
        if reason.is_empty() {
            problems.push(problem(format!(
                "{MARKER} {} has no reason: write why after the codes; the ignore is not applied",
                codes.join(",")
            )));
            continue;
        }
        let trailing = !line[..comment_start].trim().is_empty();
        let target = if trailing {
            Some(number)
        } else {
            lines
                .iter()
                .enumerate()
                .skip(index + 1)
                .find(|(_, l)| !l.trim().is_empty() && !is_comment_only(l))
                .map(|(i, _)| i as u32 + 1)
        };
        ignores.push(InlineIgnore {
            file: file.to_string(),
            line: number,
            column,
            codes,
            reason,
            target,
        });
    }
    (ignores, problems)
}

/// Byte offset of the comment opener closest before the marker, if any.
fn comment_start(before_marker: &str) -> Option<usize> {
    ["#", "//", "/*", "<!--"]
        .iter()
        .filter_map(|opener| before_marker.rfind(opener))
        .max()
}

fn is_comment_only(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('#') || t.starts_with("//") || t.starts_with("/*") || t.starts_with('*')
}

/// `AUTH001,SEC002 reason` or `AUTH001, SEC002 reason` → codes and reason.
fn split_codes(rest: &str) -> (Vec<&str>, String) {
    let mut codes = Vec::new();
    let mut remainder = rest.trim_start();
    loop {
        let end = remainder
            .find(char::is_whitespace)
            .unwrap_or(remainder.len());
        let token = &remainder[..end];
        codes.extend(token.split(',').filter(|c| !c.is_empty()));
        remainder = remainder[end..].trim_start();
        let more = token.ends_with(',') || remainder.starts_with(',');
        if !more || remainder.is_empty() {
            break;
        }
        remainder = remainder.trim_start_matches(',').trim_start();
    }
    let reason = remainder
        .trim()
        .trim_end_matches("*/")
        .trim_end_matches("-->")
        .trim()
        .trim_start_matches(['-', ':', '—', '–'])
        .trim();
    (codes, reason.to_string())
}

/// `AUTH001`: letters then digits.
fn is_code(code: &str) -> bool {
    let letters = code.chars().take_while(char::is_ascii_alphabetic).count();
    letters > 0 && letters < code.len() && code[letters..].chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_and_reasons() {
        let text = "\
Resources:
  # perimeter:ignore AUTH001,SEC002 public on purpose
  # another comment

  Fn:  # perimeter:ignore dow001 -- load tested
    x: 1 // perimeter:ignore IAM001, IAM002 reviewed by sec team */
  # perimeter:ignore AUTH003
  # perimeter:ignore because
  s: \"perimeter:ignore AUTH001 not a comment\"
  # perimeter:ignored AUTH001 x
";
        let (ignores, problems) = scan_inline("t.yaml", text);
        assert_eq!(ignores.len(), 3, "{ignores:?}");
        assert_eq!(ignores[0].codes, ["AUTH001", "SEC002"]);
        assert_eq!(ignores[0].reason, "public on purpose");
        assert_eq!(
            (ignores[0].line, ignores[0].column, ignores[0].target),
            (2, 5, Some(5))
        );
        assert_eq!(ignores[1].codes, ["DOW001"]);
        assert_eq!(ignores[1].reason, "load tested");
        assert_eq!(ignores[1].target, Some(5));
        assert_eq!(ignores[2].codes, ["IAM001", "IAM002"]);
        assert_eq!(ignores[2].reason, "reviewed by sec team");
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[0].line, Some(7));
        assert!(problems[0].message.contains("AUTH003 has no reason"));
        assert_eq!(problems[1].line, Some(8));
        assert!(problems[1].message.contains("needs rule codes"));
    }

    #[test]
    fn comment_at_end_of_file_targets_nothing() {
        let (ignores, _) = scan_inline("t.yaml", "a: 1\n# perimeter:ignore AUTH001 reason\n");
        assert_eq!(ignores[0].target, None);
    }
}
