//! A strict, borrowing JSON parser for events and bodies.
//!
//! `serde_json::Value` copies every string and (with the workspace's `preserve_order`)
//! hashes every key into an `IndexMap`; for a scanner that only reads each value once that
//! is most of the cost. This parser keeps strings as slices of the input and allocates only
//! for strings that contain escapes (unescaped once) and for the arrays and objects
//! themselves. It accepts exactly RFC 8259 JSON (numbers, escapes and control characters
//! checked), so "is this JSON?" gets the same answer as before, and nesting is capped at
//! [`MAX_NESTING`] levels with an error rather than a deep recursion. Objects keep every
//! member in document order, duplicates included: each is inspected, and
//! [`Json::get`] returns the last, as most JSON libraries do.

use std::borrow::Cow;
use std::cell::OnceCell;

/// Strings with escapes at least this long (raw) are kept escaped in a tree
/// ([`Json::Esc`]): a JSON body sent as a string can then be walked straight from its
/// escaped text ([`Parser::escaped`]) without a 1 MB unescaped copy.
pub(crate) const LAZY_MIN: usize = 4096;

/// Nesting beyond this is a parse error (serde_json's limit, too).
pub(crate) const MAX_NESTING: usize = 128;

/// One parsed JSON value borrowing from the input.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json<'a> {
    Null,
    Bool(bool),
    /// The number's text, validated.
    Num(&'a str),
    Str(Cow<'a, str>),
    /// A long string with escapes, unescaped on the first [`Json::as_str`] (boxed: the
    /// other variants stay small).
    Esc(Box<EscStr<'a>>),
    Arr(Vec<Json<'a>>),
    Obj(Vec<(Cow<'a, str>, Json<'a>)>),
}

/// A string kept escaped ([`Json::Esc`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EscStr<'a> {
    /// The raw text between the quotes, validated.
    pub raw: &'a str,
    /// The length of the unescaped value.
    pub len: usize,
    pub value: OnceCell<String>,
}

/// Why parsing failed, with the byte offset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} at byte {at}")]
pub(crate) struct JsonError {
    pub what: &'static str,
    pub at: usize,
}

impl<'a> Json<'a> {
    /// The member `key` of an object (the last one when duplicated).
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Json::Obj(m) => m.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Element `i` of an array.
    pub fn at(&self, i: usize) -> Option<&Json<'a>> {
        match self {
            Json::Arr(a) => a.get(i),
            _ => None,
        }
    }

    /// Follows a `/a/b` pointer of object keys.
    pub fn pointer(&self, pointer: &str) -> Option<&Json<'a>> {
        pointer
            .split('/')
            .skip(1)
            .try_fold(self, |v, key| v.get(key))
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            Json::Esc(e) => Some(e.value.get_or_init(|| unescape_raw(e.raw))),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json<'a>]> {
        match self {
            Json::Arr(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[(Cow<'a, str>, Json<'a>)]> {
        match self {
            Json::Obj(m) => Some(m),
            _ => None,
        }
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Json::Obj(_))
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// Whether an object has member `key`.
    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
}

/// Parses a whole document (surrounding whitespace allowed).
pub(crate) fn parse(text: &str) -> Result<Json<'_>, JsonError> {
    let mut p: Parser<'_> = Parser {
        s: text.as_bytes(),
        text,
        i: 0,
        // Room for a typical event's widest object (a header map) without regrowing.
        members: Vec::with_capacity(32),
        items: Vec::with_capacity(16),
        lazy: true,
    };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.i != p.s.len() {
        return Err(p.err("trailing characters"));
    }
    Ok(v)
}

/// Parses JSON bytes; invalid UTF-8 is an error, as in serde_json.
pub(crate) fn parse_bytes(bytes: &[u8]) -> Result<Json<'_>, JsonError> {
    match std::str::from_utf8(bytes) {
        Ok(t) => parse(t),
        Err(e) => Err(JsonError {
            what: "invalid UTF-8",
            at: e.valid_up_to(),
        }),
    }
}

/// The high bit of each byte of `x` (little-endian word) that may be `"`, `\\` or a control
/// character. Only the lowest flagged byte is exact (borrows run upwards), which is all the
/// callers use.
#[inline]
fn special_mask(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let quote = x ^ (ONES * u64::from(b'"'));
    let bslash = x ^ (ONES * u64::from(b'\\'));
    // A byte is zero in `v` ⇔ the high bit of (v - 1) & !v is set; bytes < 0x20 likewise
    // with `x - 0x20`.
    let hit = (quote.wrapping_sub(ONES) & !quote)
        | (bslash.wrapping_sub(ONES) & !bslash)
        | (x.wrapping_sub(ONES * 0x20) & !x);
    hit & HIGHS
}

/// The offset of the first `\\` in `s` from `from`, eight bytes at a time.
#[inline(always)]
fn next_backslash(s: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let mut i = from;
    while i + 8 <= s.len() {
        let mut chunk = [0u8; 8];
        chunk.copy_from_slice(&s[i..i + 8]);
        let x = u64::from_le_bytes(chunk) ^ (ONES * u64::from(b'\\'));
        // The lowest zero byte of `x` is exact (borrows only run upwards).
        let hit = x.wrapping_sub(ONES) & !x & (ONES << 7);
        if hit != 0 {
            return Some(i + (hit.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    s.get(i..)?.iter().position(|&b| b == b'\\').map(|k| i + k)
}

/// The parser, also driven step by step by the walker ([`crate::walk`]), which walks a body
/// while parsing it instead of building a tree first.
pub(crate) struct Parser<'a, const ESC: bool = false> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
    /// Members and items of the objects and arrays being parsed, innermost last: each
    /// container collects on top of these and moves its own out in one exact-size
    /// allocation when it closes, instead of growing a `Vec` of its own (4, 8, 16, …).
    members: Vec<(Cow<'a, str>, Json<'a>)>,
    items: Vec<Json<'a>>,
    /// Long string values with escapes become [`Json::Esc`] (tree parses of events).
    lazy: bool,
}

/// The unescaped value of a string's raw text (validated by the parser that kept it).
fn unescape_raw(raw: &str) -> String {
    let quoted = format!("\"{raw}\"");
    let mut p: Parser<'_> = Parser::streaming(&quoted);
    match p.string() {
        Ok(s) if p.i == quoted.len() => s.into_owned(),
        // Cannot happen for a validated raw text; stay safe.
        _ => String::new(),
    }
}

impl<'a> Parser<'a> {
    /// A parser for walking `text` while parsing: its container stacks start empty, as
    /// they only serve the rare subtree parsed into a tree ([`Parser::value`]).
    pub fn streaming(text: &'a str) -> Self {
        Parser {
            s: text.as_bytes(),
            text,
            i: 0,
            members: Vec::new(),
            items: Vec::new(),
            lazy: false,
        }
    }
}

/// `ESC`: the input is the escaped text of a JSON string holding JSON
/// ([`Parser::escaped`]); a separate instance so the plain parser pays nothing for it.
impl<'a> Parser<'a, true> {
    /// A streaming parser over `raw`, the still-escaped text of a JSON string whose value
    /// is JSON (an API Gateway body): `\"` reads as `"`, escaped whitespace as whitespace,
    /// and inner strings are borrowed when their raw text has no backslash. Anything less
    /// common (a `\u` escape outside a string, a container under [`Parser::value`], …)
    /// is an error with what `"unsupported"`: the caller then unescapes and parses as
    /// before, so a success here always means the same values as unescape-then-parse.
    pub fn escaped(raw: &'a str) -> Self {
        Parser {
            s: raw.as_bytes(),
            text: raw,
            i: 0,
            members: Vec::new(),
            items: Vec::new(),
            lazy: false,
        }
    }
}

impl<'a, const ESC: bool> Parser<'a, ESC> {
    pub fn err(&self, what: &'static str) -> JsonError {
        JsonError { what, at: self.i }
    }

    /// The next byte, not consumed (an escaped quote reads as `"`).
    pub fn peek(&self) -> Option<u8> {
        let b = self.s.get(self.i).copied();
        if ESC && b == Some(b'\\') && self.s.get(self.i + 1) == Some(&b'"') {
            return Some(b'"');
        }
        b
    }

    /// Consumes the next byte (after [`Parser::peek`]).
    pub fn bump(&mut self) {
        self.i += 1;
    }

    /// Opens the container at the next byte (`[` or `{`) at nesting `depth` (checked as
    /// [`Parser::value`] does) and skips the whitespace after it.
    pub fn open(&mut self, depth: usize) -> Result<(), JsonError> {
        if depth > MAX_NESTING {
            return Err(self.err("recursion limit exceeded"));
        }
        self.i += 1;
        self.ws();
        Ok(())
    }

    /// After the document: only whitespace may follow.
    pub fn finish(&mut self) -> Result<(), JsonError> {
        self.ws();
        if self.i != self.s.len() {
            return Err(self.err("trailing characters"));
        }
        Ok(())
    }

    pub fn ws(&mut self) {
        loop {
            match self.s.get(self.i) {
                Some(b' ' | b'\n' | b'\r' | b'\t') => self.i += 1,
                Some(b'\\')
                    if ESC && matches!(self.s.get(self.i + 1), Some(b'n' | b'r' | b't')) =>
                {
                    self.i += 2
                }
                _ => return,
            }
        }
    }

    pub fn value(&mut self, depth: usize) -> Result<Json<'a>, JsonError> {
        if ESC {
            match self.peek() {
                Some(b'"') => return Ok(Json::Str(self.esc_string()?)),
                Some(b'{' | b'[') => return Err(self.err("unsupported")),
                _ => {}
            }
        }
        match self.s.get(self.i) {
            Some(b'"') => self.string_value(),
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'n') => self.literal("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.err("expected a value")),
            None => Err(self.err("unexpected end")),
        }
    }

    fn literal(&mut self, word: &'static str, v: Json<'a>) -> Result<Json<'a>, JsonError> {
        if self.s[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(self.err("expected a literal"))
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<Json<'a>, JsonError> {
        let start = self.i;
        if self.s[self.i] == b'-' {
            self.i += 1;
        }
        match self.s.get(self.i) {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.err("bad number")),
        }
        if self.s.get(self.i) == Some(&b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(self.err("bad number"));
            }
        }
        if let Some(b'e' | b'E') = self.s.get(self.i) {
            self.i += 1;
            if let Some(b'+' | b'-') = self.s.get(self.i) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(self.err("bad number"));
            }
        }
        Ok(Json::Num(&self.text[start..self.i]))
    }

    fn array(&mut self, depth: usize) -> Result<Json<'a>, JsonError> {
        if depth > MAX_NESTING {
            return Err(self.err("recursion limit exceeded"));
        }
        self.i += 1;
        self.ws();
        if self.s.get(self.i) == Some(&b']') {
            self.i += 1;
            return Ok(Json::Arr(Vec::new()));
        }
        let base = self.items.len();
        loop {
            self.ws();
            let v = self.value(depth)?;
            self.items.push(v);
            self.ws();
            match self.s.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(Json::Arr(self.items.drain(base..).collect()));
                }
                _ => return Err(self.err("expected , or ]")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json<'a>, JsonError> {
        if depth > MAX_NESTING {
            return Err(self.err("recursion limit exceeded"));
        }
        self.i += 1;
        self.ws();
        if self.s.get(self.i) == Some(&b'}') {
            self.i += 1;
            return Ok(Json::Obj(Vec::new()));
        }
        let base = self.members.len();
        loop {
            self.ws();
            if self.s.get(self.i) != Some(&b'"') {
                return Err(self.err("expected a key"));
            }
            let k = self.string()?;
            self.ws();
            if self.s.get(self.i) != Some(&b':') {
                return Err(self.err("expected :"));
            }
            self.i += 1;
            self.ws();
            let v = self.value(depth)?;
            self.members.push((k, v));
            self.ws();
            match self.s.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Json::Obj(self.members.drain(base..).collect()));
                }
                _ => return Err(self.err("expected , or }")),
            }
        }
    }

    /// A string value: as [`Parser::string`], but in a lazy parse a long one with escapes
    /// is validated only and kept escaped ([`Json::Esc`]).
    fn string_value(&mut self) -> Result<Json<'a>, JsonError> {
        if !self.lazy {
            return Ok(Json::Str(self.string()?));
        }
        let start = self.i + 1;
        let end = self.special_from(start)?;
        if self.s[end] == b'"' {
            self.i = end + 1;
            return Ok(Json::Str(Cow::Borrowed(&self.text[start..end])));
        }
        // Validate to the closing quote without copying (the checks and errors of
        // `string`, in the same order), counting the bytes the escapes save.
        let s = self.s;
        let mut j = end;
        let mut saved = 0;
        loop {
            while j + 8 <= s.len() {
                let mut chunk = [0u8; 8];
                chunk.copy_from_slice(&s[j..j + 8]);
                let hit = special_mask(u64::from_le_bytes(chunk));
                if hit != 0 {
                    j += (hit.trailing_zeros() / 8) as usize;
                    break;
                }
                j += 8;
            }
            match s.get(j) {
                None => {
                    self.i = j;
                    return Err(self.err("unterminated string"));
                }
                Some(b'"') => break,
                Some(b'\\') => match s.get(j + 1) {
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                        saved += 1;
                        j += 2;
                    }
                    _ => {
                        self.i = j + 1;
                        let (_, n) = self.escape()?;
                        saved += self.i - j - n;
                        j = self.i;
                    }
                },
                Some(0..0x20) => {
                    self.i = j;
                    return Err(self.err("control character in string"));
                }
                Some(_) => j += 1,
            }
        }
        if j - start >= LAZY_MIN {
            self.i = j + 1;
            return Ok(Json::Esc(Box::new(EscStr {
                raw: &self.text[start..j],
                len: j - start - saved,
                value: OnceCell::new(),
            })));
        }
        self.i = start - 1;
        Ok(Json::Str(self.string()?))
    }

    /// In an escaped parse, the string at `\"`: borrowed when its raw text has no
    /// backslash, else unescaped twice (the outer string's escapes, then its own).
    fn esc_string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        let s = self.s;
        let start = self.i + 2;
        let mut slow = false;
        let mut i = start;
        let end = loop {
            // The text was validated as a string's (no raw quote or control character):
            // only backslashes matter, and one comparison per byte finds them.
            let Some(j) = next_backslash(s, i) else {
                self.i = s.len();
                return Err(self.err("unterminated string"));
            };
            match s.get(j + 1) {
                Some(b'"') => break j,
                Some(b'/') => {
                    slow = true;
                    i = j + 2;
                }
                Some(b'u') => {
                    i = self.plain_u(j + 2)?;
                    slow = true;
                }
                Some(b'\\') => {
                    // An escape of the inner string: the unit after `\\` is its letter.
                    slow = true;
                    let k = j + 2;
                    i = match (s.get(k), s.get(k + 1)) {
                        (Some(b'\\'), Some(b'"' | b'\\' | b'/')) => k + 2,
                        (Some(b'\\'), Some(b'u')) => self.plain_u(k + 2)?,
                        (Some(b'\\'), _) | (None, _) => return Err(self.err("unsupported")),
                        (Some(_), _) => k + 1,
                    };
                }
                _ => return Err(self.err("unsupported")),
            }
        };
        self.i = end + 2;
        let raw = &self.text[start..end];
        if !slow {
            return Ok(Cow::Borrowed(raw));
        }
        let quoted = format!("\"{}\"", unescape_raw(raw));
        let mut p: Parser<'_> = Parser::streaming(&quoted);
        match p.string() {
            Ok(v) if p.i == quoted.len() => Ok(Cow::Owned(v.into_owned())),
            _ => Err(self.err("unsupported")),
        }
    }

    /// After `\u` at `at` in an escaped parse: the offset past its four hex digits when
    /// the character is none the inner string gives a meaning (quote, backslash, control).
    fn plain_u(&mut self, at: usize) -> Result<usize, JsonError> {
        self.i = at;
        let cp = self.hex4()?;
        if cp == 0x22 || cp == 0x5c || cp < 0x20 {
            return Err(self.err("unsupported"));
        }
        Ok(self.i)
    }

    /// A string starting at the opening quote: borrowed when it has no escapes.
    pub fn string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        if ESC {
            return self.esc_string();
        }
        self.i += 1;
        let start = self.i;
        let end = self.special_from(start)?;
        if self.s[end] == b'"' {
            self.i = end + 1;
            return Ok(Cow::Borrowed(&self.text[start..end]));
        }
        // Escapes: unescape into an owned string. A body that is itself JSON sent as a
        // string (every API Gateway JSON body) has an escaped quote every eight bytes or
        // so, so per-escape overhead, not the scan, is what counts here. The output is a
        // zero-filled buffer written at a local offset `o` (kept in a register, unlike a
        // `Vec`'s length), with room for eight bytes checked once per step; plain runs are
        // copied eight bytes at a time (a word with a special byte is copied whole and the
        // offset advanced only past the bytes before it).
        let s = self.s;
        let mut out: Vec<u8> = vec![0; 2 * (end - start) + 64];
        out[..end - start].copy_from_slice(&s[start..end]);
        let mut o = end - start;
        let mut i = end;
        loop {
            // Room for a whole word, then up to seven bytes of it and a four-byte escape.
            if o + 16 > out.len() {
                out.resize(2 * out.len(), 0);
            }
            if i + 8 <= s.len() {
                let mut chunk = [0u8; 8];
                chunk.copy_from_slice(&s[i..i + 8]);
                out[o..o + 8].copy_from_slice(&chunk);
                let hit = special_mask(u64::from_le_bytes(chunk));
                if hit == 0 {
                    i += 8;
                    o += 8;
                    continue;
                }
                let k = (hit.trailing_zeros() / 8) as usize;
                i += k;
                o += k;
            }
            let Some(&b) = s.get(i) else {
                self.i = i;
                return Err(self.err("unterminated string"));
            };
            match b {
                b'"' => {
                    self.i = i + 1;
                    break;
                }
                b'\\' => match s.get(i + 1) {
                    Some(&c @ (b'"' | b'\\' | b'/')) => {
                        out[o] = c;
                        o += 1;
                        i += 2;
                    }
                    _ => {
                        self.i = i + 1;
                        let (bytes, n) = self.escape()?;
                        out[o..o + n].copy_from_slice(&bytes[..n]);
                        o += n;
                        i = self.i;
                    }
                },
                0..0x20 => {
                    self.i = i;
                    return Err(self.err("control character in string"));
                }
                _ => {
                    // Fewer than eight bytes left: byte by byte.
                    out[o] = b;
                    o += 1;
                    i += 1;
                }
            }
        }
        out.truncate(o);
        // The input is UTF-8 and escapes push whole chars, so this cannot fail; stay safe.
        Ok(Cow::Owned(match String::from_utf8(out) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        }))
    }

    /// The offset of the next `"` or `\` from `from`; a raw control character first is an
    /// error. Eight bytes at a time (SWAR): one pass finds the end and validates the span.
    #[inline(always)]
    fn special_from(&mut self, from: usize) -> Result<usize, JsonError> {
        let s = self.s;
        let mut i = from;
        while i + 8 <= s.len() {
            let mut chunk = [0u8; 8];
            chunk.copy_from_slice(&s[i..i + 8]);
            let hit = special_mask(u64::from_le_bytes(chunk));
            if hit != 0 {
                // The lowest flagged byte is exact (borrows only run upwards): no byte loop
                // to find it again.
                let j = i + (hit.trailing_zeros() / 8) as usize;
                if s[j] < 0x20 {
                    self.i = j;
                    return Err(self.err("control character in string"));
                }
                return Ok(j);
            }
            i += 8;
        }
        while let Some(&b) = s.get(i) {
            match b {
                b'"' | b'\\' => return Ok(i),
                0..0x20 => {
                    self.i = i;
                    return Err(self.err("control character in string"));
                }
                _ => i += 1,
            }
        }
        self.i = i;
        Err(self.err("unterminated string"))
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let h = self
            .s
            .get(self.i..self.i + 4)
            .ok_or_else(|| self.err("bad \\u escape"))?;
        let mut cp = 0u32;
        for &c in h {
            let d = (c as char)
                .to_digit(16)
                .ok_or_else(|| self.err("bad \\u escape"))?;
            cp = cp << 4 | d;
        }
        self.i += 4;
        Ok(cp)
    }

    /// The escape after a `\\` (consumed) as UTF-8: up to four bytes and their count.
    fn escape(&mut self) -> Result<([u8; 4], usize), JsonError> {
        let c = *self.s.get(self.i).ok_or_else(|| self.err("bad escape"))?;
        self.i += 1;
        let b = match c {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let mut cp = self.hex4()?;
                if (0xd800..0xdc00).contains(&cp) && self.s[self.i..].starts_with(b"\\u") {
                    let save = self.i;
                    self.i += 2;
                    let lo = self.hex4()?;
                    if (0xdc00..0xe000).contains(&lo) {
                        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    } else {
                        self.i = save;
                    }
                }
                // Lone surrogates become U+FFFD: still inspected, never an error.
                let ch = char::from_u32(cp).unwrap_or('\u{fffd}');
                let mut buf = [0u8; 4];
                let n = ch.encode_utf8(&mut buf).len();
                return Ok((buf, n));
            }
            _ => return Err(self.err("bad escape")),
        };
        Ok(([b, 0, 0, 0], 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Json<'_> {
        parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn agrees_with_serde_on_validity() {
        for s in [
            "{}",
            "[]",
            " [1, -0, 0.5, 1e9, -2.5E-3, true, false, null] ",
            r#"{"a":"b\"c\\\/\b\f\n\r\t\u00e9\ud83d\ude00","":{}}"#,
            r#""\ud800""#,
            "\"é ✓\"",
            "[\"a\",[[[]]]]",
            "01",
            "1.",
            ".5",
            "-",
            "1e",
            "+1",
            "[1,]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{a:1}",
            "\"\\x41\"",
            "\"a\nb\"",
            "\"abc",
            "[1] x",
            "tru",
            "nul",
            "",
            "   ",
            "{\"a\":[1,2}",
        ] {
            let serde = serde_json::from_str::<serde_json::Value>(s).is_ok();
            let ours = parse(s).is_ok();
            // Lone surrogates: serde rejects, we keep the string (as U+FFFD).
            if s == r#""\ud800""# {
                assert!(ours);
                continue;
            }
            assert_eq!(ours, serde, "{s:?}");
        }
    }

    #[test]
    fn borrows_clean_strings_and_unescapes_others() {
        let v = ok(r#"{"k":"plain","e":"a\"b\u0041","k":"last"}"#);
        assert!(matches!(
            v.as_object().unwrap()[0].1,
            Json::Str(Cow::Borrowed("plain"))
        ));
        assert_eq!(v.get("e").and_then(Json::as_str), Some("a\"bA"));
        assert_eq!(v.get("k").and_then(Json::as_str), Some("last"));
        let v = ok(r#"{"a":{"b":[{"c":true}]}}"#);
        assert_eq!(
            v.pointer("/a/b")
                .and_then(|b| b.at(0))
                .and_then(|c| c.get("c")),
            Some(&Json::Bool(true))
        );
        assert_eq!(ok("\"\\ud83d\\ude00\"").as_str(), Some("😀"));
    }

    #[test]
    fn escape_dense_and_long_strings_match_serde() {
        // A JSON body sent as a string (escaped quote every few bytes), long runs that go
        // through the 8-byte scan, and control characters at every offset of a word.
        let body =
            r#"{"records":[{"id":1,"name":"Customer 1 O'Neil","tags":["a","b"]}],"x":"\u00e9\n"}"#;
        let doc = serde_json::to_string(&serde_json::json!({ "body": body, "k": "plain" }))
            .unwrap_or_default();
        let ours = parse(&doc).ok();
        assert_eq!(
            ours.as_ref().and_then(|v| v.get("body")?.as_str()),
            Some(body)
        );
        for n in 0..20 {
            let long = format!("\"{}\\\"{}\"", "x".repeat(n), "y".repeat(17 - n % 9));
            let serde = serde_json::from_str::<String>(&long).ok();
            assert_eq!(
                parse(&long)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string)),
                serde
            );
            let ctl = format!("\"{}\u{1}{}\"", "x".repeat(n), "y".repeat(9));
            assert!(parse(&ctl).is_err(), "{ctl:?}");
            assert!(serde_json::from_str::<String>(&ctl).is_err());
        }
    }

    #[test]
    fn every_escape_at_every_offset_matches_serde() {
        // Each escape before, at and after the 8-byte steps of the unescaping loop, with
        // multi-byte characters before it and a long or short tail after it.
        for esc in [
            r#"\""#,
            r"\\",
            r"\/",
            r"\b",
            r"\f",
            r"\n",
            r"\r",
            r"\t",
            r"\u00e9",
            r"\u0041",
            r"\ud83d\ude00",
            r"\ud800x",
        ] {
            for n in 0..20 {
                let head = format!("{}{}", "é".repeat(n % 3), "x".repeat(n));
                let doc = format!("\"{head}{esc}{}{esc}\"", "y".repeat(20 - n));
                let ours = parse(&doc)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string));
                match serde_json::from_str::<String>(&doc) {
                    Ok(serde) => assert_eq!(ours, Some(serde), "{doc}"),
                    // Lone surrogates: serde rejects, we keep the string (as U+FFFD).
                    Err(_) => assert!(ours.is_some_and(|s| s.contains('\u{fffd}')), "{doc}"),
                }
            }
        }
    }

    /// Builds the tree of the document at `p` the way the walker drives the parser
    /// (`peek`, `open`, `string`, `value` for scalars), so the escaped mode is tested
    /// through the calls the walker really makes.
    fn driven<const E: bool>(
        p: &mut Parser<'_, E>,
        depth: usize,
    ) -> Result<Json<'static>, JsonError> {
        let own = |c: Cow<'_, str>| Cow::Owned(c.into_owned());
        match p.peek() {
            Some(b'"') => Ok(Json::Str(own(p.string()?))),
            Some(b'[') => {
                p.open(depth + 1)?;
                let mut items = Vec::new();
                if p.peek() == Some(b']') {
                    p.bump();
                    return Ok(Json::Arr(items));
                }
                loop {
                    p.ws();
                    items.push(driven(p, depth + 1)?);
                    p.ws();
                    match p.peek() {
                        Some(b',') => p.bump(),
                        Some(b']') => {
                            p.bump();
                            return Ok(Json::Arr(items));
                        }
                        _ => return Err(p.err("expected , or ]")),
                    }
                }
            }
            Some(b'{') => {
                p.open(depth + 1)?;
                let mut members = Vec::new();
                if p.peek() == Some(b'}') {
                    p.bump();
                    return Ok(Json::Obj(members));
                }
                loop {
                    p.ws();
                    if p.peek() != Some(b'"') {
                        return Err(p.err("expected a key"));
                    }
                    let k = own(p.string()?);
                    p.ws();
                    if p.peek() != Some(b':') {
                        return Err(p.err("expected :"));
                    }
                    p.bump();
                    p.ws();
                    members.push((k, driven(p, depth + 1)?));
                    p.ws();
                    match p.peek() {
                        Some(b',') => p.bump(),
                        Some(b'}') => {
                            p.bump();
                            return Ok(Json::Obj(members));
                        }
                        _ => return Err(p.err("expected , or }")),
                    }
                }
            }
            _ => match p.value(depth)? {
                Json::Num(n) => Ok(Json::Str(Cow::Owned(format!("#{n}")))),
                Json::Bool(b) => Ok(Json::Bool(b)),
                Json::Null => Ok(Json::Null),
                _ => Err(p.err("unexpected")),
            },
        }
    }

    /// The document in `raw` (the text of a JSON string) read in one pass, escaped.
    fn one_pass(raw: &str) -> Result<Json<'static>, JsonError> {
        let mut p = Parser::escaped(raw);
        p.ws();
        let v = driven(&mut p, 0)?;
        p.finish()?;
        Ok(v)
    }

    /// The same document unescaped first (serde's unescaping), then parsed; `None` when
    /// `raw` is not a valid string's text (the event parser never hands such a text on).
    fn two_pass(raw: &str) -> Option<Result<Json<'static>, JsonError>> {
        let text = serde_json::from_str::<String>(&format!("\"{raw}\"")).ok()?;
        let mut p: Parser<'_> = Parser::streaming(&text);
        p.ws();
        let v = driven(&mut p, 0).and_then(|v| p.finish().map(|()| v));
        Some(v)
    }

    /// One pass agrees with two whenever it succeeds; it may decline (an error, and the
    /// walker then unescapes and parses) only where it must, never on the common escapes.
    fn check_one_pass(raw: &str, must_succeed: bool) -> bool {
        let Some(two) = two_pass(raw) else {
            return false;
        };
        match one_pass(raw) {
            Ok(v) => {
                assert_eq!(Ok(v), two, "{raw}");
                true
            }
            Err(e) => {
                assert!(!must_succeed || two.is_err(), "{raw}: {e}");
                false
            }
        }
    }

    #[test]
    fn one_pass_escaped_parse_matches_unescape_then_parse() {
        // Escapes of the inner document's strings, as they look in the outer string.
        let inner = [
            r#"\\\""#,
            r"\\\\",
            r"\\/",
            r"\\b",
            r"\\f",
            r"\\n",
            r"\\r",
            r"\\t",
            r"\\u00e9",
            r"\\u0041",
            r"\\ud83d\\ude00",
            r"\\ud800x",
        ];
        // Escapes of the outer string inside an inner string: common ones stay one-pass.
        let outer_common = [r"\/", r"\u00e9", r"\u0041", "é", r"\ud83d\ude00"];
        let outer_rare = [
            r"\u0022", r"\u005c", r"\u0020", r"\u007b", r"\n", r"\t", r"\r", r"\b", r"\f",
            r"\ud800", r"\\", r#"\""#, r"\\u0022", r"\\u005C", r"\\u001f", r"\\x",
        ];
        let mut succeeded = 0;
        for n in 0..20 {
            let head = format!("{}{}", "é".repeat(n % 3), "x".repeat(n));
            for esc in inner.iter().chain(&outer_common).chain(&outer_rare) {
                let raw = format!(
                    r#"{{\"a{esc}\":[1,-2.5e3,true,null,\"{head}{esc}{}\"],\n \"k\":{{}},\t\"e\":[ ]}}"#,
                    "y".repeat(20 - n)
                );
                let common = inner.contains(esc) || outer_common.contains(esc);
                succeeded += usize::from(check_one_pass(&raw, common));
            }
        }
        assert!(succeeded >= 20 * 17, "{succeeded}");
        // Malformed and odd texts: every escape kind and stray byte inserted at every
        // offset of a document (inside strings, between tokens, splitting escapes), and
        // every prefix.
        let base = r#"{\"id\":12,\"name\":\"O'Neil \\\"Jr\\\" \\\\ é\",\"tags\":[\"a\",\"\\u00e9\"],\"ok\":false}"#;
        assert!(check_one_pass(base, true));
        let inserts = [
            r#"\""#,
            r"\\",
            r"\/",
            r"\n",
            r"\t",
            r"\r",
            r"\b",
            r"\f",
            r"\u0022",
            r"\u005c",
            r"\u0041",
            r"\u007d",
            r#"\\\""#,
            r"\\\\",
            r"\\n",
            r"\\u0041",
            r"\\u0022",
            "x",
            " ",
            ",",
            ":",
            "{",
            "]",
            "é",
            "1",
            r"\ud83d\ude00",
            r"\\ud83d",
            "\\",
        ];
        for at in (0..=base.len()).filter(|&i| base.is_char_boundary(i)) {
            for ins in inserts {
                check_one_pass(&format!("{}{ins}{}", &base[..at], &base[at..]), false);
            }
            check_one_pass(&base[..at], false);
        }
    }

    #[test]
    fn long_escaped_strings_stay_escaped_until_read() {
        let body = format!("{{\"k\":\"{}\"}}", "v".repeat(LAZY_MIN));
        let doc = serde_json::to_string(&serde_json::json!({ "body": body, "s": "a\"b" }))
            .unwrap_or_default();
        let v = ok(&doc);
        assert!(matches!(v.get("body"), Some(Json::Esc(e)) if e.len == body.len()));
        assert!(matches!(v.get("s"), Some(Json::Str(_))));
        assert_eq!(v.get("body").and_then(Json::as_str), Some(body.as_str()));
        // A bad escape far into a long string is still an error.
        let bad = format!("\"{}\\q\"", "\\\"".repeat(LAZY_MIN));
        assert!(parse(&bad).is_err());
    }

    #[test]
    fn escapes_near_the_end_of_a_grown_buffer_do_not_panic() {
        // A short first run sizes the buffer small; escapes after it must always fit.
        for n in 0..24 {
            for esc in [r"\ud83d\ude00", r"\u00e9", r"\u2713", r#"\""#] {
                let run = format!("{esc}{}", "y".repeat(n % 9));
                let doc = format!("\"ab{}{}\"", "x".repeat(n), run.repeat(40));
                let ours = parse(&doc)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string));
                assert_eq!(ours, serde_json::from_str::<String>(&doc).ok(), "{doc}");
            }
        }
    }

    #[test]
    fn nesting_is_capped_without_recursion_overflow() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(parse(&deep).unwrap_err().what, "recursion limit exceeded");
        let ok_deep = format!("{}{}", "[".repeat(MAX_NESTING), "]".repeat(MAX_NESTING));
        assert!(parse(&ok_deep).is_ok());
        assert!(parse_bytes(&[b'"', 0xff, b'"']).is_err());
    }
}
