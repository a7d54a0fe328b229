//! The Markdown summary, fit for a pull-request comment (GitHub-flavoured Markdown).
//!
//! It holds the counts, the riskiest functions with their top reasons, and the findings
//! grouped by severity with `file:line` links; beyond the first few findings of a severity the
//! rest are folded in a `<details>` block. The whole comment stays under GitHub's 65,536
//! character limit: past a budget, findings are cut and a note says how many were left out.
//!
//! Names and messages come from scanned files: they are escaped so they cannot open HTML
//! tags, break a table, form links or images, or mention (`@user`) anyone.

use crate::{ReportInput, Summary, sorted_findings};
use perimeter_rules::{Finding, Severity};
use std::fmt::Write;
use std::path::{Component, Path};

/// GitHub's limit on a comment body, in characters.
pub const GITHUB_COMMENT_LIMIT: usize = 65_536;

/// Choices for [`markdown_with`].
#[derive(Debug, Clone)]
pub struct MarkdownOptions {
    /// Prefix that turns a finding's file (relative to the scan root) into a link, e.g.
    /// `https://github.com/org/repo/blob/<sha>/infra/`. `None`: locations are plain text.
    pub link_base: Option<String>,
    /// Functions listed in the ranking.
    pub top_functions: usize,
    /// Findings shown per severity before the rest are folded in `<details>`.
    pub open_findings: usize,
    /// The most characters the document may have (it is cut below, with a note).
    pub max_chars: usize,
}

impl Default for MarkdownOptions {
    fn default() -> Self {
        MarkdownOptions {
            link_base: None,
            top_functions: 10,
            open_findings: 5,
            max_chars: GITHUB_COMMENT_LIMIT,
        }
    }
}

impl MarkdownOptions {
    /// Defaults, with links when the environment says where the files are browsable:
    /// `PERIMETER_LINK_BASE`, or in GitHub Actions `GITHUB_SERVER_URL`, `GITHUB_REPOSITORY`
    /// and `GITHUB_SHA` (plus the scan root's path within `GITHUB_WORKSPACE`).
    pub fn from_env(root: &Path) -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let link_base = match var("PERIMETER_LINK_BASE") {
            Some(base) => Some(base),
            None => match (
                var("GITHUB_SERVER_URL"),
                var("GITHUB_REPOSITORY"),
                var("GITHUB_SHA"),
            ) {
                (Some(server), Some(repo), Some(sha)) => {
                    let workspace = var("GITHUB_WORKSPACE");
                    root_prefix(root, workspace.as_deref().map(Path::new)).map(|prefix| {
                        format!(
                            "{}/{repo}/blob/{sha}/{prefix}",
                            server.trim_end_matches('/')
                        )
                    })
                }
                _ => None,
            },
        };
        MarkdownOptions {
            link_base,
            ..MarkdownOptions::default()
        }
    }
}

/// The scan root as a path prefix within the repository (`""` or `"infra/"`), when it can be
/// known: a relative root without `..`, or an absolute one under the workspace.
fn root_prefix(root: &Path, workspace: Option<&Path>) -> Option<String> {
    let relative = if root.is_absolute() {
        root.strip_prefix(workspace?).ok()?
    } else {
        root
    };
    let mut prefix = String::new();
    for c in relative.components() {
        match c {
            Component::Normal(part) => {
                prefix.push_str(&url_path(part.to_str()?));
                prefix.push('/');
            }
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(prefix)
}

/// Renders the Markdown summary with links taken from the environment
/// ([`MarkdownOptions::from_env`]).
pub fn markdown(input: &ReportInput<'_>) -> String {
    markdown_with(input, &MarkdownOptions::from_env(input.root))
}

/// Room kept for what follows the findings (closing tags, the truncation note, errors line).
const TAIL_RESERVE: usize = 1_500;

/// Renders the Markdown summary.
pub fn markdown_with(input: &ReportInput<'_>, options: &MarkdownOptions) -> String {
    let s = Summary::of(input);
    let mut out = String::new();
    let _ = writeln!(out, "## perimeter: {}\n", headline(&s));
    out.push_str("| Severity | Findings |\n|---|---:|\n");
    for sev in Severity::ALL.iter().rev() {
        let _ = writeln!(
            out,
            "| {} {} | {} |",
            icon(*sev),
            sev.as_str(),
            s.count(*sev)
        );
    }
    let _ = writeln!(
        out,
        "\n{} in {} · {} with errors · {} suppressed{}\n",
        plural(s.functions, "function", "functions"),
        plural(s.apps, "app", "apps"),
        plural(s.files_with_errors, "file", "files"),
        s.suppressed,
        if input.iam_catalog_date.is_empty() {
            String::new()
        } else {
            format!(" · AWS IAM catalog of {}", text(input.iam_catalog_date))
        }
    );

    let ranked: Vec<_> = input
        .scores
        .iter()
        .filter(|f| f.score > 0)
        .take(options.top_functions)
        .collect();
    if !ranked.is_empty() {
        out.push_str("### Riskiest functions\n\n| # | Function | Score | Top reasons |\n|---:|---|---:|---|\n");
        for (i, f) in ranked.iter().enumerate() {
            let app = input
                .model
                .apps
                .iter()
                .find(|a| a.id == f.app)
                .map_or(f.app.as_str(), |a| a.name.as_str());
            let mut reasons: Vec<_> = f.reasons.iter().collect();
            reasons.sort_by_key(|r| std::cmp::Reverse(r.points));
            let reasons: Vec<String> = reasons
                .iter()
                .take(3)
                .map(|r| format!("+{} {}", r.points, text(&r.text)))
                .collect();
            let _ = writeln!(
                out,
                "| {} | **{}** ({}) | {} | {} |",
                i + 1,
                text(&f.name),
                text(app),
                f.score,
                reasons.join("<br>")
            );
        }
        let more = input.scores.len() - ranked.len();
        if more > 0 {
            let _ = writeln!(
                out,
                "\n{} more not listed.",
                plural(more, "function", "functions")
            );
        }
        out.push('\n');
    }

    let findings = sorted_findings(input.findings);
    let budget = options.max_chars.saturating_sub(TAIL_RESERVE);
    let mut left_out = 0usize;
    if !findings.is_empty() {
        out.push_str("### Findings\n");
        for sev in Severity::ALL.iter().rev() {
            let group: Vec<&&Finding> = findings.iter().filter(|f| f.severity == *sev).collect();
            if group.is_empty() {
                continue;
            }
            if left_out > 0 {
                left_out += group.len();
                continue;
            }
            let _ = writeln!(
                out,
                "\n#### {} {} ({})\n",
                icon(*sev),
                capitalised(sev.as_str()),
                group.len()
            );
            let mut folded = false;
            for (i, f) in group.iter().enumerate() {
                if i == options.open_findings {
                    let _ = writeln!(
                        out,
                        "<details><summary>{} more {} findings</summary>\n",
                        group.len() - i,
                        sev.as_str()
                    );
                    folded = true;
                }
                let line = finding_line(f, options.link_base.as_deref());
                if out.len() + line.len() > budget {
                    left_out += group.len() - i;
                    break;
                }
                out.push_str(&line);
            }
            if folded {
                out.push_str("\n</details>\n");
            }
        }
        out.push('\n');
    }
    if left_out > 0 {
        let _ = writeln!(
            out,
            "> [!NOTE]\n> {} not shown to keep this comment under GitHub's size limit; the JSON, SARIF and HTML reports list all.\n",
            plural(left_out, "finding", "findings")
        );
    }
    if s.errors > 0 {
        let _ = writeln!(
            out,
            "{} could not be read completely ({}); run `perimeter scan` locally for details.\n",
            plural(s.files_with_errors, "file", "files"),
            plural(s.errors, "error", "errors")
        );
    }
    let _ = writeln!(out, "<sub>perimeter {}</sub>", text(input.tool_version));
    // The reserve makes this unreachable in practice; a hard cut keeps the promise anyway.
    if out.len() > options.max_chars {
        let mut cut = options.max_chars.saturating_sub(40);
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push_str("\n\n… (truncated)\n");
    }
    out
}

fn headline(s: &Summary) -> String {
    if s.findings == 0 {
        return "no findings".to_string();
    }
    let counts: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .filter(|sev| s.count(**sev) > 0)
        .map(|sev| format!("{} {}", s.count(*sev), sev.as_str()))
        .collect();
    format!(
        "{} ({})",
        plural(s.findings, "finding", "findings"),
        counts.join(", ")
    )
}

/// `- 🔴 **AUTH002** message ([file:line](link))`, one line.
fn finding_line(f: &Finding, link_base: Option<&str>) -> String {
    let place = if f.location.line > 0 {
        format!("{}:{}", f.location.file, f.location.line)
    } else {
        f.location.file.clone()
    };
    let location = match link_base {
        Some(base) => {
            let anchor = if f.location.line > 0 {
                format!("#L{}", f.location.line)
            } else {
                String::new()
            };
            format!(
                "[{}]({}{}{anchor})",
                text(&place),
                base,
                url_path(&f.location.file)
            )
        }
        None => format!("`{}`", code_text(&place)),
    };
    format!(
        "- **{}** {} — {}\n",
        text(f.code),
        message(&f.message),
        location
    )
}

fn icon(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "🟣",
        Severity::High => "🔴",
        Severity::Medium => "🟠",
        Severity::Low => "🔵",
        Severity::Info => "⚪",
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Untrusted text as inert Markdown on one line: HTML is escaped, Markdown punctuation is
/// backslash-escaped (no emphasis, link, image, table cell or heading can form), and `@` is
/// followed by a zero-width space so nobody is mentioned.
pub(crate) fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '@' => out.push_str("@\u{200B}"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

/// A finding message: its `` `code` `` spans stay code spans (their content cannot contain a
/// backtick, so they cannot end early), the text between them goes through [`text`]. A stray
/// backtick from a scanned name only shifts which parts are code: both kinds are inert.
/// Cut to [`MESSAGE_CHARS`].
fn message(value: &str) -> String {
    let value: String = if value.chars().count() > MESSAGE_CHARS {
        let mut cut: String = value.chars().take(MESSAGE_CHARS - 1).collect();
        cut.push('…');
        cut
    } else {
        value.to_string()
    };
    let parts: Vec<&str> = value.split('`').collect();
    if parts.len().is_multiple_of(2) {
        // An odd number of backticks: no pairing to trust.
        return text(&value);
    }
    let mut out = String::with_capacity(value.len() + 8);
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 0 {
            out.push_str(&text(part));
        } else if !part.trim().is_empty() {
            out.push('`');
            out.push_str(&code_text(part));
            out.push('`');
        }
    }
    out
}

/// Longest finding message, in characters.
const MESSAGE_CHARS: usize = 300;

/// Text inside a code span (in a list item, never a table): backticks would end it, line
/// breaks would end the item.
fn code_text(value: &str) -> String {
    value
        .chars()
        .map(|c| match c {
            '`' => '\'',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

/// Percent-encodes a relative path for a URL, keeping `/` and unreserved characters.
fn url_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untrusted_text_is_inert() {
        assert_eq!(
            text("<script>[x](http://e) *a* |b| @team\n#h"),
            "&lt;script&gt;\\[x\\](http://e) \\*a\\* \\|b\\| @\u{200B}team #h"
        );
        assert_eq!(
            message("Function `a<b>*` runs `x` on *y*"),
            "Function `a<b>*` runs `x` on \\*y\\*"
        );
        assert_eq!(message("odd ` tick *"), "odd \\` tick \\*");
        assert_eq!(code_text("a`b|c\n"), "a'b|c ");
    }

    #[test]
    fn paths_are_percent_encoded() {
        assert_eq!(url_path("src/my app (1).py"), "src/my%20app%20%281%29.py");
    }

    #[test]
    fn root_prefix_within_the_repository() {
        assert_eq!(root_prefix(Path::new("."), None).as_deref(), Some(""));
        assert_eq!(
            root_prefix(Path::new("./infra/sam"), None).as_deref(),
            Some("infra/sam/")
        );
        assert_eq!(root_prefix(Path::new("../x"), None), None);
        assert_eq!(
            root_prefix(Path::new("/ws/repo/infra"), Some(Path::new("/ws/repo"))).as_deref(),
            Some("infra/")
        );
        assert_eq!(
            root_prefix(Path::new("/elsewhere"), Some(Path::new("/ws"))),
            None
        );
    }
}
