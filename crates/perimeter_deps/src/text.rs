//! Line numbers for formats whose parser gives no spans: a table of line starts and a
//! forward-moving search, so finding every package's line in a lockfile is one pass over it.

/// Byte offsets of line starts, for offset → 1-based line.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr_newlines(text.as_bytes()));
        LineIndex { starts }
    }

    /// The 1-based line holding byte `offset`.
    pub(crate) fn line(&self, offset: usize) -> u32 {
        let i = self.starts.partition_point(|&s| s <= offset);
        i.max(1) as u32
    }
}

fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i + 1)
}

/// Finds needles in document order. Lockfile parsers visit packages in the order the file lists
/// them (serde_json keeps order, TOML arrays keep order), so each search starts where the last
/// one matched and the whole file is scanned about once.
pub(crate) struct Finder<'a> {
    text: &'a str,
    index: LineIndex,
    pos: usize,
}

impl<'a> Finder<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Finder {
            text,
            index: LineIndex::new(text),
            pos: 0,
        }
    }

    /// The line of the next occurrence of `needle` at or after the cursor (then the cursor moves
    /// past it); when there is none, the first occurrence anywhere; else `fallback`.
    pub(crate) fn line_of(&mut self, needle: &str, fallback: u32) -> u32 {
        if let Some(found) = self.text[self.pos..].find(needle) {
            let at = self.pos + found;
            self.pos = at + needle.len();
            return self.index.line(at);
        }
        match self.text.find(needle) {
            Some(at) => self.index.line(at),
            None => fallback,
        }
    }

    /// Moves the cursor to the next occurrence of `needle` (a section header), if any.
    pub(crate) fn skip_to(&mut self, needle: &str) {
        if let Some(found) = self.text[self.pos..].find(needle) {
            self.pos += found + needle.len();
        }
    }
}

/// `s` as a JSON string literal (quotes and escapes), as it appears in the file.
pub(crate) fn json_quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_one_based() {
        let index = LineIndex::new("a\nbc\n\nd");
        assert_eq!(index.line(0), 1);
        assert_eq!(index.line(2), 2);
        assert_eq!(index.line(5), 3);
        assert_eq!(index.line(6), 4);
    }

    #[test]
    fn finder_moves_forward_and_falls_back() {
        let mut f = Finder::new("x\n\"a\"\n\"b\"\n\"a\"\n");
        assert_eq!(f.line_of("\"a\"", 0), 2);
        assert_eq!(f.line_of("\"a\"", 0), 4);
        assert_eq!(f.line_of("\"b\"", 0), 3);
        assert_eq!(f.line_of("\"zz\"", 7), 7);
    }
}
