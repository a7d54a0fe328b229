//! RubyGems' `Gem::Version` ordering: segments of digits and letters; a letter segment makes a
//! prerelease (`1.0.a` < `1.0`); trailing zeros do not count (`1.0` == `1`); `-` means `.pre.`.

use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Num(u64),
    Str(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GemVersion {
    /// Canonical segments (trailing zeros of the release and prerelease parts removed).
    segments: Vec<Segment>,
}

impl GemVersion {
    pub fn parse(text: &str) -> Option<GemVersion> {
        let text = text.trim().replace('-', ".pre.");
        if text.is_empty()
            || !text.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
            || !text.starts_with(|c: char| c.is_ascii_digit())
        {
            return None;
        }
        let mut raw = Vec::new();
        let mut chars = text.chars().peekable();
        while let Some(&c) = chars.peek() {
            if c.is_ascii_digit() {
                let mut n = String::new();
                while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    n.push(d);
                    chars.next();
                }
                raw.push(Segment::Num(n.parse().ok()?));
            } else if c.is_ascii_alphabetic() {
                let mut s = String::new();
                while let Some(&d) = chars.peek().filter(|d| d.is_ascii_alphabetic()) {
                    s.push(d);
                    chars.next();
                }
                raw.push(Segment::Str(s));
            } else {
                chars.next();
            }
        }
        // Split at the first string segment; drop trailing zeros of each part.
        let split = raw
            .iter()
            .position(|s| matches!(s, Segment::Str(_)))
            .unwrap_or(raw.len());
        let (release, pre) = raw.split_at(split);
        let trim = |part: &[Segment]| -> Vec<Segment> {
            let mut v = part.to_vec();
            while v.last() == Some(&Segment::Num(0)) {
                v.pop();
            }
            v
        };
        let mut segments = trim(release);
        segments.extend(trim(pre));
        Some(GemVersion { segments })
    }
}

impl Ord for GemVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let zero = Segment::Num(0);
        let limit = self.segments.len().max(other.segments.len());
        for i in 0..limit {
            let l = self.segments.get(i).unwrap_or(&zero);
            let r = other.segments.get(i).unwrap_or(&zero);
            let ord = match (l, r) {
                (Segment::Num(a), Segment::Num(b)) => a.cmp(b),
                (Segment::Str(a), Segment::Str(b)) => a.cmp(b),
                (Segment::Str(_), Segment::Num(_)) => Ordering::Less,
                (Segment::Num(_), Segment::Str(_)) => Ordering::Greater,
            };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for GemVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
