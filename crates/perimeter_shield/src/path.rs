//! JSON paths of walked values, kept in one reused buffer: a segment is appended before a
//! value is visited and cut off after, so visiting a clean value allocates nothing.

/// Bytes a key may hold to be written `.key` rather than `['key']`: one table lookup per
/// byte (this runs for every key of every walked object).
static PLAIN: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'$';
        b += 1;
    }
    t
};

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
            && key.bytes().all(|b| PLAIN[b as usize])
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
        // By hand: `write!` through `fmt` costs more than the rest of a clean value's visit.
        let len = self.buf.len();
        let mut digits = [0u8; 20];
        let mut n = i;
        let mut k = digits.len();
        loop {
            k -= 1;
            digits[k] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.buf.push('[');
        for &d in &digits[k..] {
            self.buf.push(char::from(d));
        }
        self.buf.push(']');
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
        let i = p.push_index(1234567);
        assert_eq!(p.as_str(), "$.Records[0][1234567]");
        p.cut(i);
        let l = p.push_key("user-agent");
        assert_eq!(p.as_str(), "$.Records[0].user-agent");
        p.cut(l);
        p.push_key("a b'c");
        assert_eq!(p.as_str(), "$.Records[0]['a b\\'c']");
    }
}
