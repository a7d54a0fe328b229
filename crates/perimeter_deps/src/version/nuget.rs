//! NuGet's `NuGetVersion` ordering: up to four numeric parts (missing ones are 0, so `1.0` ==
//! `1.0.0.0`), a release sorts after its prereleases, prerelease labels compare dot by dot
//! (numbers numerically and before words, words case-insensitively), build metadata ignored.

use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NuGetVersion {
    release: [u64; 4],
    pre: Vec<String>,
}

impl NuGetVersion {
    pub fn parse(text: &str) -> Option<NuGetVersion> {
        let text = text.trim();
        let text = text.split('+').next()?;
        let (release, pre) = match text.split_once('-') {
            Some((r, p)) => (r, Some(p)),
            None => (text, None),
        };
        let parts: Vec<&str> = release.split('.').collect();
        if parts.is_empty() || parts.len() > 4 {
            return None;
        }
        let mut numbers = [0u64; 4];
        for (slot, part) in numbers.iter_mut().zip(&parts) {
            *slot = part.parse().ok()?;
        }
        let pre = match pre {
            Some("") => return None,
            Some(p) => p.split('.').map(str::to_ascii_lowercase).collect(),
            None => Vec::new(),
        };
        Some(NuGetVersion {
            release: numbers,
            pre,
        })
    }
}

impl Ord for NuGetVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.release.cmp(&other.release).then_with(|| {
            match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => {
                    for (a, b) in self.pre.iter().zip(&other.pre) {
                        let ord = match (a.parse::<u64>(), b.parse::<u64>()) {
                            (Ok(x), Ok(y)) => x.cmp(&y),
                            (Ok(_), Err(_)) => Ordering::Less,
                            (Err(_), Ok(_)) => Ordering::Greater,
                            (Err(_), Err(_)) => a.cmp(b),
                        };
                        if ord != Ordering::Equal {
                            return ord;
                        }
                    }
                    self.pre.len().cmp(&other.pre.len())
                }
            }
        })
    }
}

impl PartialOrd for NuGetVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
