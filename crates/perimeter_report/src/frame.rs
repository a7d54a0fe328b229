//! Code frames: a few lines of the scanned file around a finding, the offending line marked.
//!
//! Files are read from the scan root through a small cache (one read per file per report).
//! Anything odd (a path leaving the root, a missing, huge or binary file, a line number past
//! the end) yields no frame rather than an error: the frame is a convenience, the finding's
//! location is already printed.

use crate::redact::{clean, looks_sensitive, mask_value, mask_value_from};
use std::collections::HashMap;
use std::path::{Component, Path};

/// Files larger than this get no frame (templates are far smaller; this bounds the cost of a
/// hostile or generated file).
const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// One line of a rendered frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FrameLine {
    /// A source line: its 1-based number, text, and whether it is the offending line.
    Code {
        number: u32,
        text: String,
        marked: bool,
    },
    /// The caret under the offending line: number of spaces before `^`.
    Caret { offset: usize },
}

/// How many lines of context to show above and below, and the widest code line.
pub(crate) struct FrameStyle<'a> {
    pub context: u32,
    pub max_width: usize,
    /// The framed finding is about a secret: mask the marked line's value and the lines that
    /// continue it (a deeper-indented block scalar such as a PEM key). Other lines are masked
    /// only when their key looks secret or another secret finding points at them, so the
    /// context stays readable.
    pub mask_all: bool,
    /// Lines of this file that a secret finding points at: masked in every frame that shows
    /// them, whatever the finding being framed.
    pub secret_lines: &'a [u32],
}

/// Reads files under `root` once each.
pub(crate) struct Files<'a> {
    root: &'a Path,
    cache: HashMap<String, Option<Vec<String>>>,
}

impl<'a> Files<'a> {
    pub fn new(root: &'a Path) -> Self {
        Files {
            root,
            cache: HashMap::new(),
        }
    }

    /// The file's lines, or `None` when it cannot or should not be shown.
    fn lines(&mut self, file: &str) -> Option<&[String]> {
        if !self.cache.contains_key(file) {
            let lines = read_lines(self.root, file);
            self.cache.insert(file.to_string(), lines);
        }
        self.cache.get(file).and_then(|l| l.as_deref())
    }

    /// The frame around `line:column` of `file`, or `None`.
    pub fn frame(
        &mut self,
        file: &str,
        line: u32,
        column: u32,
        style: &FrameStyle,
    ) -> Option<Vec<FrameLine>> {
        let lines = self.lines(file)?;
        render(lines, line, column, style)
    }
}

fn read_lines(root: &Path, file: &str) -> Option<Vec<String>> {
    let rel = Path::new(file);
    // Locations come from our loaders, but a frame must never print a file outside the root.
    if rel
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return None;
    }
    let path = root.join(rel);
    let canonical_root = root.canonicalize().ok()?;
    let canonical = path.canonicalize().ok()?;
    if !canonical.starts_with(&canonical_root) {
        return None;
    }
    let meta = std::fs::metadata(&canonical).ok()?;
    if !meta.is_file() || meta.len() > MAX_FILE_BYTES {
        return None;
    }
    let bytes = std::fs::read(&canonical).ok()?;
    if bytes.contains(&0) {
        return None;
    }
    let text = String::from_utf8_lossy(&bytes);
    Some(text.lines().map(str::to_string).collect())
}

/// Renders the frame of `line:column` (1-based) over a file's lines.
pub(crate) fn render(
    lines: &[String],
    line: u32,
    column: u32,
    style: &FrameStyle,
) -> Option<Vec<FrameLine>> {
    if line == 0 || line as usize > lines.len() {
        return None;
    }
    let first = line.saturating_sub(style.context).max(1);
    let last = (line + style.context).min(lines.len() as u32);
    let column = column.max(1) as usize - 1;

    let continues_secret = secret_continuation(lines, line, style.mask_all);
    let prepared: Vec<(u32, Vec<char>)> = (first..=last)
        .map(|n| {
            let raw = clean(&lines[n as usize - 1]);
            let shown = if style.mask_all && n == line {
                mask_value_from(&raw, Some(column))
            } else if continues_secret.as_ref().is_some_and(|r| r.contains(&n))
                || style.secret_lines.contains(&n)
                || looks_sensitive(&raw)
            {
                mask_value(&raw)
            } else {
                raw
            };
            (n, shown.trim_end().chars().collect())
        })
        .collect();

    // One horizontal window for all framed lines, so the caret and the context stay aligned.
    let widest = prepared.iter().map(|(_, c)| c.len()).max().unwrap_or(0);
    let start = if widest <= style.max_width || column < style.max_width.saturating_sub(10) {
        0
    } else {
        column.saturating_sub(style.max_width / 2)
    };

    let mut out = Vec::new();
    for (n, chars) in prepared {
        let end = (start + style.max_width).min(chars.len());
        let mut text = String::new();
        if start > 0 {
            text.push('…');
        }
        if start < chars.len() {
            text.extend(&chars[start..end]);
        }
        if end < chars.len() {
            text.push('…');
        }
        let marked = n == line;
        out.push(FrameLine::Code {
            number: n,
            text,
            marked,
        });
        if marked {
            let offset = column.saturating_sub(start) + usize::from(start > 0);
            out.push(FrameLine::Caret {
                offset: offset.min(style.max_width + 1),
            });
        }
    }
    Some(out)
}

/// The secret's own line and the deeper-indented lines right after it (its block-scalar
/// continuation), when `secret` is set.
fn secret_continuation(
    lines: &[String],
    line: u32,
    secret: bool,
) -> Option<std::ops::RangeInclusive<u32>> {
    if !secret {
        return None;
    }
    let indent = |text: &str| text.len() - text.trim_start().len();
    let first = &lines[line as usize - 1];
    // A PEM block in code sits at one indentation: mask through its END line.
    if first.contains("-----BEGIN") {
        let end = lines
            .iter()
            .enumerate()
            .skip(line as usize - 1)
            .take(512)
            .find(|(_, l)| l.contains("-----END"))
            .map_or(line, |(i, _)| i as u32 + 1);
        return Some(line..=end);
    }
    let base = indent(first);
    let mut end = line;
    while let Some(next) = lines.get(end as usize) {
        if next.trim().is_empty() || indent(next) <= base {
            break;
        }
        end += 1;
    }
    Some(line..=end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    const STYLE: FrameStyle = FrameStyle {
        context: 2,
        max_width: 40,
        mask_all: false,
        secret_lines: &[],
    };

    #[test]
    fn frame_marks_line_and_column() {
        let src = lines("a\nb\nc: d\ne\nf\ng");
        let frame = render(&src, 3, 4, &STYLE).expect("frame");
        assert_eq!(frame.len(), 6);
        assert_eq!(
            frame[2],
            FrameLine::Code {
                number: 3,
                text: "c: d".into(),
                marked: true
            }
        );
        assert_eq!(frame[3], FrameLine::Caret { offset: 3 });
        assert_eq!(
            frame[5],
            FrameLine::Code {
                number: 5,
                text: "f".into(),
                marked: false
            }
        );
    }

    #[test]
    fn frame_at_file_edges_and_out_of_range() {
        let src = lines("only");
        assert_eq!(render(&src, 1, 1, &STYLE).map(|f| f.len()), Some(2));
        assert!(render(&src, 2, 1, &STYLE).is_none());
        assert!(render(&src, 0, 1, &STYLE).is_none());
    }

    #[test]
    fn long_lines_are_windowed_around_the_column() {
        let long = format!("{}X{}", "a".repeat(100), "b".repeat(100));
        let src = vec![long];
        let frame = render(&src, 1, 101, &STYLE).expect("frame");
        let FrameLine::Code { text, .. } = &frame[0] else {
            panic!("code line")
        };
        assert!(text.starts_with('…') && text.ends_with('…'));
        let FrameLine::Caret { offset } = frame[1] else {
            panic!("caret")
        };
        assert_eq!(text.chars().nth(offset), Some('X'));
        assert!(text.chars().count() <= STYLE.max_width + 2);
    }

    #[test]
    fn secrets_are_masked() {
        let src = lines("Variables:\n  DB_PASSWORD: hunter2hunter2\n  STAGE: prod");
        let plain = render(&src, 3, 3, &STYLE).expect("frame");
        // A sensitive-looking key is masked even for an unrelated finding.
        assert!(plain.contains(&FrameLine::Code {
            number: 2,
            text: "  DB_PASSWORD: hunt**********".into(),
            marked: false
        }));
        let all = render(
            &src,
            3,
            3,
            &FrameStyle {
                mask_all: true,
                ..STYLE
            },
        )
        .expect("frame");
        assert!(all.contains(&FrameLine::Code {
            number: 3,
            text: "  STAGE: ****".into(),
            marked: true
        }));
        // The context line above is not a secret and stays readable.
        assert!(all.contains(&FrameLine::Code {
            number: 1,
            text: "Variables:".into(),
            marked: false
        }));
    }

    #[test]
    fn a_multi_line_secret_is_masked_whole() {
        let src =
            lines("Env:\n  KEY: |\n    -----BEGIN RSA PRIVATE KEY-----MIIEowIBAAKCAQEA\n  NEXT: 1");
        let frame = render(
            &src,
            2,
            3,
            &FrameStyle {
                mask_all: true,
                ..STYLE
            },
        )
        .expect("frame");
        let shown: Vec<String> = frame
            .iter()
            .filter_map(|l| match l {
                FrameLine::Code { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect();
        assert!(
            !shown
                .iter()
                .any(|t| t.contains("BEGIN RSA") || t.contains("MIIEow")),
            "{shown:?}"
        );
        assert!(shown.iter().any(|t| t == "  NEXT: 1"), "{shown:?}");
    }

    #[test]
    fn a_pem_block_in_code_is_masked_through_its_end() {
        let src = lines(
            "KEY = \"\"\"\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nq83nd9\n-----END RSA PRIVATE KEY-----\n\"\"\"\nprint(1)",
        );
        let frame = render(
            &src,
            2,
            1,
            &FrameStyle {
                mask_all: true,
                context: 5,
                ..STYLE
            },
        )
        .expect("frame");
        let shown: Vec<String> = frame
            .iter()
            .filter_map(|l| match l {
                FrameLine::Code { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect();
        assert!(
            !shown
                .iter()
                .any(|t| t.contains("MIIEow") || t.contains("q83nd9")),
            "{shown:?}"
        );
        assert!(shown.iter().any(|t| t == "print(1)"), "{shown:?}");
    }

    #[test]
    fn files_outside_root_or_missing_have_no_frame() {
        let dir = std::env::temp_dir();
        let mut files = Files::new(&dir);
        assert!(files.frame("../etc/passwd", 1, 1, &STYLE).is_none());
        assert!(files.frame("/etc/passwd", 1, 1, &STYLE).is_none());
        assert!(
            files
                .frame("perimeter-no-such-file.yaml", 1, 1, &STYLE)
                .is_none()
        );
    }
}
