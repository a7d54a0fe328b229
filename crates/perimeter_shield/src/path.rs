//! JSON paths of walked values, kept in one reused buffer: a segment is appended before a
//! value is visited and cut off after, so visiting a clean value allocates nothing.

/// A `$.a.b[0]['x-y']` path under construction.
#[derive(Debug, Default)]
pub(crate) struct JsonPath {
    buf: String,
}

impl JsonPath {
    pub fn root() -> Self {
        JsonPath {
            buf: String::from("$"),
        }
    }

    /// Appends a key; returns the length to [`JsonPath::cut`] back to.
    pub fn push_key(&mut self, key: &str) -> usize {
        let len = self.buf.len();
        let plain = !key.is_empty()
            && key.len() <= 64
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'$')
            && !key.as_bytes()[0].is_ascii_digit();
        if plain {
            self.buf.push('.');
            self.buf.push_str(key);
        } else {
            self.buf.push_str("['");
            for c in crate::decode::truncate(key, 64).chars() {
                match c {
                    '\'' | '\\' => {
                        self.buf.push('\\');
                        self.buf.push(c);
                    }
                    c if c.is_control() => self.buf.push('?'),
                    c => self.buf.push(c),
                }
            }
            self.buf.push_str("']");
        }
        len
    }

    /// Appends an index; returns the length to cut back to.
    pub fn push_index(&mut self, i: usize) -> usize {
        use std::fmt::Write as _;
        let len = self.buf.len();
        let _ = write!(self.buf, "[{i}]");
        len
    }

    pub fn cut(&mut self, len: usize) {
        self.buf.truncate(len);
    }

    pub fn as_str(&self) -> &str {
        &self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders() {
        let mut p = JsonPath::root();
        p.push_key("Records");
        p.push_index(0);
        let l = p.push_key("user-agent");
        assert_eq!(p.as_str(), "$.Records[0].user-agent");
        p.cut(l);
        p.push_key("a b'c");
        assert_eq!(p.as_str(), "$.Records[0]['a b\\'c']");
    }
}
