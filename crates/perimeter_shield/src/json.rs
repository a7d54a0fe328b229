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
//!
//! Strings are scanned with SIMD compares (the `wide` crate: SSE2 on x86_64, NEON on
//! aarch64, plain code elsewhere; no `unsafe` here): sixteen bytes at a time to a string's
//! first special byte, and a long string with escapes (a JSON body sent as a string, an
//! escaped quote every eight bytes or so) 64 bytes at a time as bitmasks, simdjson's way
//! ([`Masks`], [`escaped_bits`]). Whatever needs a decision (the closing quote, a control
//! character, an escape other than `\"` and `\\`) is handed to the same byte-level code
//! as before, so values, errors and their offsets do not depend on the scanning.

use std::borrow::Cow;
use std::cell::OnceCell;
use wide::u8x16;

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
        // Room for a typical event's widest object (a header map) without regrowing.
        members: Vec::with_capacity(32),
        items: Vec::with_capacity(16),
        lazy: true,
        ..Parser::at(text, 0)
    };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.i != p.text.len() {
        return Err(p.err("trailing characters"));
    }
    Ok(v)
}

/// Parses JSON bytes; invalid UTF-8 is an error, as in serde_json.
///
/// The bytes are checked with `simdutf8` (16 or 32 bytes a step, the CPU's widest SIMD
/// picked at run time): `std`'s check reads a word at a time, about half an instruction per
/// byte, and took 0.35M instructions more on the 1 MiB bench event. Only on invalid input
/// does `std` run too, for the offset of the first bad byte.
pub(crate) fn parse_bytes(bytes: &[u8]) -> Result<Json<'_>, JsonError> {
    match simdutf8::basic::from_utf8(bytes) {
        Ok(t) => parse(t),
        Err(_) => Err(JsonError {
            what: "invalid UTF-8",
            at: std::str::from_utf8(bytes)
                .err()
                .map_or(0, |e| e.valid_up_to()),
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

/// One 64-byte block of a string's text, classified: bit `k` of each mask is byte `k`.
///
/// Long strings are scanned a block at a time (as simdjson does): three SIMD compares give
/// the backslashes, quotes and control characters of 64 bytes at once, which bytes are
/// escaped follows from the backslashes by arithmetic ([`escaped_bits`]), and the scan then
/// jumps from one byte that matters to the next with `trailing_zeros` instead of restarting
/// a byte or word loop after every escape (a JSON body sent as a string has one every
/// eight bytes or so).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Masks {
    bslash: u64,
    quote: u64,
    /// Bytes below 0x20, including the NUL padding past the end of the input.
    ctrl: u64,
}

/// The 64 bytes of `s` from `at`, or past the end of `s` a copy in `pad` with NULs after
/// the last byte (so the end of the input reads as a control character, which no string
/// may hold). A slice either way, so the common case stays four plain loads.
#[inline(always)]
fn window<'s>(s: &'s [u8], at: usize, pad: &'s mut [u8; 64]) -> &'s [u8; 64] {
    match s.get(at..at + 64).and_then(|b| b.as_array()) {
        Some(b) => b,
        None => last_window(s, at, pad),
    }
}

/// [`window`] at the end of the input, out of line.
#[cold]
#[inline(never)]
fn last_window<'s>(s: &[u8], at: usize, pad: &'s mut [u8; 64]) -> &'s [u8; 64] {
    let rest = s.get(at..).unwrap_or_default();
    let n = rest.len().min(64);
    pad[..n].copy_from_slice(&rest[..n]);
    pad[n..].fill(0);
    pad
}

/// A 64-byte window as four vectors.
#[inline(always)]
fn block(b: &[u8; 64]) -> [u8x16; 4] {
    std::array::from_fn(|k| {
        let mut a = [0u8; 16];
        a.copy_from_slice(&b[16 * k..16 * k + 16]);
        u8x16::new(a)
    })
}

/// The 64-bit mask of the lanes of four compare results.
#[inline(always)]
fn bits(m: [u8x16; 4]) -> u64 {
    m.iter()
        .enumerate()
        .fold(0, |acc, (k, v)| acc | u64::from(v.to_bitmask()) << (16 * k))
}

/// Classifies a block ([`Masks`]): control characters are rare (the end of the input, or
/// an error), so their mask is gathered only when the block has one.
#[inline(always)]
fn classify(v: [u8x16; 4]) -> Masks {
    // Whether any byte is below 0x20, on the smallest byte of each lane (three `min`s
    // and one compare for the block, not four of each).
    let low = v[0].min(v[1]).min(v[2].min(v[3]));
    let any_ctrl = low.min(u8x16::splat(0x1f)).simd_eq(low).to_bitmask() != 0;
    Masks {
        bslash: bits(v.map(|x| x.simd_eq(u8x16::splat(b'\\')))),
        quote: bits(v.map(|x| x.simd_eq(u8x16::splat(b'"')))),
        ctrl: if any_ctrl {
            bits(v.map(|x| x.min(u8x16::splat(0x1f)).simd_eq(x)))
        } else {
            0
        },
    }
}

/// The backslashes of the 64 bytes of `s` from `at` (none past the end).
#[inline(always)]
fn backslash_bits(s: &[u8], at: usize) -> u64 {
    match s.get(at..at.wrapping_add(64)).and_then(|b| b.as_array()) {
        Some(b) => bits(block(b).map(|x| x.simd_eq(u8x16::splat(b'\\')))),
        // The padded copy only at the end: zeroing one per block cost more than the test.
        None => last_backslash_bits(s, at),
    }
}

/// [`backslash_bits`] of the input's last bytes, out of line.
#[cold]
#[inline(never)]
fn last_backslash_bits(s: &[u8], at: usize) -> u64 {
    let mut pad = [0; 64];
    bits(block(window(s, at, &mut pad)).map(|x| x.simd_eq(u8x16::splat(b'\\'))))
}

/// The bytes escaped by the backslash before them, in a block that does not start inside
/// an escape: the byte after each odd-length run of backslashes, and every second
/// backslash of a run (simdjson's subtraction trick: a run starting on an even bit and one
/// starting on an odd bit borrow through differently). A backslash on bit 63 that starts
/// an escape escapes a byte of the next block, which this does not see: callers start
/// their next block at that backslash.
#[inline(always)]
fn escaped_bits(bslash: u64) -> u64 {
    const ODD_BITS: u64 = 0xAAAA_AAAA_AAAA_AAAA;
    let code = ((bslash << 1) | ODD_BITS).wrapping_sub(bslash) ^ ODD_BITS;
    code ^ bslash
}

/// The parser, also driven step by step by the walker ([`crate::walk`]), which walks a body
/// while parsing it instead of building a tree first.
pub(crate) struct Parser<'a, const ESC: bool = false> {
    /// The input, read through `as_bytes` (no second field for the bytes: the compiler
    /// then knows a byte just compared and the `str` sliced there are the same, and
    /// drops the slice's boundary check).
    text: &'a str,
    i: usize,
    /// Members and items of the objects and arrays being parsed, innermost last: each
    /// container collects on top of these and moves its own out in one exact-size
    /// allocation when it closes, instead of growing a `Vec` of its own (4, 8, 16, …).
    members: Vec<(Cow<'a, str>, Json<'a>)>,
    items: Vec<Json<'a>>,
    /// Long string values with escapes become [`Json::Esc`] (tree parses of events).
    lazy: bool,
    /// The escaped parse's backslash finder ([`Parser::next_backslash`]): the backslashes
    /// of the 64 bytes from `bs_at`, so finding the next one is a shift and a
    /// `trailing_zeros` while it lies in the same block.
    bs_at: usize,
    bs_mask: u64,
}

/// `bs_at` before any block is cached: no offset lies within 64 bytes after it.
const NO_BLOCK: usize = usize::MAX - 64;

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
        Parser::at(text, 0)
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
        Parser::at(raw, 0)
    }
}

impl<'a, const ESC: bool> Parser<'a, ESC> {
    /// A parser over `text` at offset `i`, its container stacks empty, strings kept as
    /// they are (not lazy), no backslash block cached.
    fn at(text: &'a str, i: usize) -> Self {
        Parser {
            text,
            i,
            members: Vec::new(),
            items: Vec::new(),
            lazy: false,
            bs_at: NO_BLOCK,
            bs_mask: 0,
        }
    }

    pub fn err(&self, what: &'static str) -> JsonError {
        JsonError { what, at: self.i }
    }

    /// An error at `at`, the parser moved there (as if it had read up to it).
    #[cold]
    fn err_at(&mut self, what: &'static str, at: usize) -> JsonError {
        self.i = at;
        self.err(what)
    }

    /// The next byte, not consumed (an escaped quote reads as `"`).
    pub fn peek(&self) -> Option<u8> {
        let b = self.text.as_bytes().get(self.i).copied();
        if ESC && b == Some(b'\\') && self.text.as_bytes().get(self.i + 1) == Some(&b'"') {
            return Some(b'"');
        }
        b
    }

    /// Consumes the next byte (after [`Parser::peek`] or [`Parser::byte`]).
    #[inline(always)]
    pub fn bump(&mut self) {
        self.i += 1;
    }

    /// The next byte as it is (an escaped quote is a backslash here).
    #[inline(always)]
    pub fn byte(&self) -> Option<u8> {
        self.text.as_bytes().get(self.i).copied()
    }

    /// The offset of the next byte in the input.
    #[inline(always)]
    pub fn offset(&self) -> usize {
        self.i
    }

    /// Moves past `n` bytes the caller has compared itself (a key remembered by
    /// [`crate::key_memo::KeyMemo`], the same bytes as one already read).
    #[inline(always)]
    pub fn pass(&mut self, n: usize) {
        self.i += n;
    }

    /// The sixteen input bytes from offset `at`, if there are that many.
    #[inline(always)]
    pub fn window16(&self, at: usize) -> Option<&'a [u8; 16]> {
        self.text
            .as_bytes()
            .get(at..at.wrapping_add(16))
            .and_then(|b| b.as_array())
    }

    /// Consumes the next byte when it is `b` (not a quote: an escaped one is two bytes).
    /// The walker's fast path for compact JSON: where [`Parser::ws`] would skip nothing,
    /// `eat(b)` is `ws` then `peek() == Some(b)` then [`Parser::bump`].
    #[inline(always)]
    pub fn eat(&mut self, b: u8) -> bool {
        if self.text.as_bytes().get(self.i) == Some(&b) {
            self.i += 1;
            return true;
        }
        false
    }

    /// After an item or member of a container that `close` ends: `Ok(true)` past a `,`
    /// (another follows), `Ok(false)` past `close`, else the error `what`. Whitespace is
    /// skipped only when neither is the next byte (compact JSON has none).
    #[inline(always)]
    pub fn next_or_close(&mut self, close: u8, what: &'static str) -> Result<bool, JsonError> {
        match self.byte() {
            Some(b',') => {
                self.bump();
                return Ok(true);
            }
            Some(b) if b == close => {
                self.bump();
                return Ok(false);
            }
            _ => {}
        }
        self.ws();
        if self.eat(b',') {
            return Ok(true);
        }
        if self.eat(close) {
            return Ok(false);
        }
        Err(self.err(what))
    }

    /// Whether a string starts at the next byte (`peek() == Some(b'"')`, cheaper).
    #[inline(always)]
    pub fn at_quote(&self) -> bool {
        if ESC {
            self.text.as_bytes().get(self.i) == Some(&b'\\')
                && self.text.as_bytes().get(self.i + 1) == Some(&b'"')
        } else {
            self.text.as_bytes().get(self.i) == Some(&b'"')
        }
    }

    /// [`Parser::value`] of a scalar, validated and dropped: a number, `true`, `false`
    /// or `null`, with `value`'s errors and offsets, but no [`Json`] built (the walker
    /// scans strings only). Callers have seen that no string or container starts here.
    #[inline(always)]
    pub fn skip_scalar(&mut self) -> Result<(), JsonError> {
        match self.text.as_bytes().get(self.i) {
            Some(b't') => self.skip_literal(b"true"),
            Some(b'f') => self.skip_literal(b"false"),
            Some(b'n') => self.skip_literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.skip_number(),
            Some(_) => Err(self.err("expected a value")),
            None => Err(self.err("unexpected end")),
        }
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
        if self.i != self.text.len() {
            return Err(self.err("trailing characters"));
        }
        Ok(())
    }

    /// Skips whitespace (escaped `\\n`, `\\r`, `\\t` too in an escaped parse). Compact
    /// JSON has none between tokens: that case is decided on the next byte, inline.
    #[inline(always)]
    pub fn ws(&mut self) {
        match self.text.as_bytes().get(self.i) {
            Some(&b) if b > b' ' && b != b'\\' => {}
            Some(b'\\') if !ESC || self.text.as_bytes().get(self.i + 1) == Some(&b'"') => {}
            None => {}
            Some(_) => self.ws_loop(),
        }
    }

    fn ws_loop(&mut self) {
        loop {
            match self.text.as_bytes().get(self.i) {
                Some(b' ' | b'\n' | b'\r' | b'\t') => self.i += 1,
                Some(b'\\')
                    if ESC
                        && matches!(
                            self.text.as_bytes().get(self.i + 1),
                            Some(b'n' | b'r' | b't')
                        ) =>
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
        match self.text.as_bytes().get(self.i) {
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
        self.skip_literal(word.as_bytes()).map(|()| v)
    }

    #[inline]
    fn skip_literal(&mut self, word: &'static [u8]) -> Result<(), JsonError> {
        if self.text.as_bytes().get(self.i..self.i + word.len()) == Some(word) {
            self.i += word.len();
            Ok(())
        } else {
            Err(self.err("expected a literal"))
        }
    }

    /// The end of the run of ASCII digits of `s` from `i`.
    #[inline(always)]
    fn digits_end(s: &[u8], mut i: usize) -> usize {
        while s.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    }

    fn number(&mut self) -> Result<Json<'a>, JsonError> {
        let start = self.i;
        self.skip_number()?;
        Ok(Json::Num(&self.text[start..self.i]))
    }

    /// Validates the number at the next byte (a `-` or a digit) and moves past it.
    #[inline(always)]
    fn skip_number(&mut self) -> Result<(), JsonError> {
        // On a local offset (stored back once, or at the error): `self.i` behind `&mut
        // self` would be reloaded and stored at every digit.
        let s = self.text.as_bytes();
        let mut i = self.i + usize::from(s.get(self.i) == Some(&b'-'));
        i = match s.get(i) {
            Some(b'0') => i + 1,
            Some(b'1'..=b'9') => Self::digits_end(s, i + 1),
            _ => return Err(self.err_at("bad number", i)),
        };
        if s.get(i) == Some(&b'.') {
            let end = Self::digits_end(s, i + 1);
            if end == i + 1 {
                return Err(self.err_at("bad number", end));
            }
            i = end;
        }
        if let Some(b'e' | b'E') = s.get(i) {
            i += 1;
            if let Some(b'+' | b'-') = s.get(i) {
                i += 1;
            }
            let end = Self::digits_end(s, i);
            if end == i {
                return Err(self.err_at("bad number", end));
            }
            i = end;
        }
        self.i = i;
        Ok(())
    }

    fn array(&mut self, depth: usize) -> Result<Json<'a>, JsonError> {
        if depth > MAX_NESTING {
            return Err(self.err("recursion limit exceeded"));
        }
        self.i += 1;
        self.ws();
        if self.text.as_bytes().get(self.i) == Some(&b']') {
            self.i += 1;
            return Ok(Json::Arr(Vec::new()));
        }
        let base = self.items.len();
        loop {
            self.ws();
            let v = self.value(depth)?;
            self.items.push(v);
            self.ws();
            match self.text.as_bytes().get(self.i) {
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
        if self.text.as_bytes().get(self.i) == Some(&b'}') {
            self.i += 1;
            return Ok(Json::Obj(Vec::new()));
        }
        let base = self.members.len();
        loop {
            self.ws();
            if self.text.as_bytes().get(self.i) != Some(&b'"') {
                return Err(self.err("expected a key"));
            }
            let k = self.string()?;
            self.ws();
            if self.text.as_bytes().get(self.i) != Some(&b':') {
                return Err(self.err("expected :"));
            }
            self.i += 1;
            self.ws();
            let v = self.value(depth)?;
            self.members.push((k, v));
            self.ws();
            match self.text.as_bytes().get(self.i) {
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
        if self.text.as_bytes()[end] == b'"' {
            self.i = end + 1;
            return Ok(Json::Str(Cow::Borrowed(&self.text[start..end])));
        }
        let (j, saved) = self.validate_rest(end)?;
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

    /// Validates a string's text from `from` (a backslash, or any byte not inside an escape)
    /// to its closing quote without copying: its offset, and the bytes the escapes save
    /// when unescaped. The checks, errors and offsets are [`Parser::string`]'s, as if the
    /// text were read byte by byte: a block is scanned whole when nothing in it but `\"`
    /// and `\\` escapes, and stops at the first byte that needs a decision (the closing
    /// quote, a control character or the end, any other escape), which then gets the
    /// byte loop's treatment.
    fn validate_rest(&mut self, from: usize) -> Result<(usize, usize), JsonError> {
        let s = self.text.as_bytes();
        let mut j = from;
        let mut saved = 0;
        // The first bytes eight at a time, escape by escape, as `string` reads them: most
        // strings with an escape are short (event fields), and for them a block's setup
        // costs more than the whole string.
        while j < from + 64 {
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
                Some(b'"') => return Ok((j, saved)),
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
        // Then whole blocks: `j` is not inside an escape.
        let mut pad = [0; 64];
        loop {
            let m = classify(block(window(s, j, &mut pad)));
            let esc = escaped_bits(m.bslash);
            let stop = ((m.quote | m.ctrl) & !esc) | (esc & !(m.quote | m.bslash));
            // Every escaped byte before the first stop is a `"` or `\\`: one byte saved each.
            if stop == 0 {
                saved += esc.count_ones() as usize;
                // A backslash on the last byte that starts an escape: the next block starts
                // at it, so its escaped byte is judged with it.
                j += 64 - ((m.bslash & !esc) >> 63) as usize;
                continue;
            }
            let k = stop.trailing_zeros();
            saved += (esc & ((1u64 << k) - 1)).count_ones() as usize;
            let p = j + k as usize;
            if esc >> k & 1 == 0 {
                return match s.get(p) {
                    Some(b'"') => Ok((p, saved)),
                    Some(_) => {
                        self.i = p;
                        Err(self.err("control character in string"))
                    }
                    None => {
                        self.i = p;
                        Err(self.err("unterminated string"))
                    }
                };
            }
            // The escape at `p - 1`: a rarer letter, `\u`, or an error (at its offset).
            if let Some(b'/' | b'b' | b'f' | b'n' | b'r' | b't') = s.get(p) {
                saved += 1;
                j = p + 1;
            } else {
                self.i = p;
                let (_, n) = self.escape()?;
                saved += self.i - (p - 1) - n;
                j = self.i;
            }
        }
    }

    /// In an escaped parse, the offset of the first `\\` from `from`: a lookup in the cached
    /// backslash mask of the current 64-byte block, the next block's computed when it runs
    /// out (short inner strings end a few bytes apart, so most lookups stay in one block).
    #[inline(always)]
    fn next_backslash(&mut self, from: usize) -> Option<usize> {
        let mut at = from;
        loop {
            let off = at.wrapping_sub(self.bs_at);
            if off < 64 {
                let m = self.bs_mask >> off;
                if m != 0 {
                    return Some(at + m.trailing_zeros() as usize);
                }
                at = self.bs_at + 64;
            }
            if at >= self.text.len() {
                return None;
            }
            self.bs_at = at;
            self.bs_mask = backslash_bits(self.text.as_bytes(), at);
        }
    }

    /// In an escaped parse, the string at `\"`: borrowed when its raw text has no
    /// backslash, else unescaped twice (the outer string's escapes, then its own).
    #[inline(always)]
    fn esc_string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        // Most inner strings have no escape of their own: the next backslash is their
        // closing `\"`, found in the cached block, and the call stays this small.
        let start = self.i + 2;
        let t = self.text.as_bytes();
        if let Some(j) = self.next_backslash(start)
            && t.get(j) == Some(&b'\\')
            && t.get(j + 1) == Some(&b'"')
        {
            // Both ends sit next to ASCII bytes (after `\"`, at `\`), so this never fails;
            // split this way the boundary checks inline, unlike `get(start..j)`, and the
            // one at `j` folds away (the byte there was just compared, on the same text).
            if let Some((head, _)) = self.text.split_at_checked(j)
                && let Some((_, raw)) = head.split_at_checked(start)
            {
                self.i = j + 2;
                return Ok(Cow::Borrowed(raw));
            }
        }
        self.esc_string_slow(start)
    }

    /// [`Parser::esc_string`] for a string with escapes of its own (or an error).
    #[inline(never)]
    fn esc_string_slow(&mut self, start: usize) -> Result<Cow<'a, str>, JsonError> {
        let s = self.text.as_bytes();
        let mut slow = false;
        let mut i = start;
        let end = loop {
            // The text was validated as a string's (no raw quote or control character):
            // only backslashes matter, and one comparison per byte finds them.
            let Some(j) = self.next_backslash(i) else {
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
    #[inline(always)]
    pub fn string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        if ESC {
            // Inlined into the caller: the escaped parse's common case is a few instructions.
            return self.esc_string();
        }
        self.plain_string()
    }

    /// [`Parser::string`] of a plain (not escaped) text.
    fn plain_string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        self.i += 1;
        let start = self.i;
        let end = self.special_from(start)?;
        if self.text.as_bytes()[end] == b'"' {
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
        let s = self.text.as_bytes();
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
        let s = self.text.as_bytes();
        let mut i = from;
        // Sixteen bytes at a time (SIMD compares: exact for every byte), then words, then
        // bytes.
        while let Some(b) = s.get(i..i + 16).and_then(|b| b.as_array::<16>()) {
            let v = u8x16::new(*b);
            let hit = (v.simd_eq(u8x16::splat(b'"'))
                | v.simd_eq(u8x16::splat(b'\\'))
                | v.min(u8x16::splat(0x1f)).simd_eq(v))
            .to_bitmask();
            if hit != 0 {
                let j = i + hit.trailing_zeros() as usize;
                if s[j] < 0x20 {
                    self.i = j;
                    return Err(self.err("control character in string"));
                }
                return Ok(j);
            }
            i += 16;
        }
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
            .text
            .as_bytes()
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
        let c = *self
            .text
            .as_bytes()
            .get(self.i)
            .ok_or_else(|| self.err("bad escape"))?;
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
                if (0xd800..0xdc00).contains(&cp)
                    && self.text.as_bytes()[self.i..].starts_with(b"\\u")
                {
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

    /// The byte-loop validation `validate_rest` replaced (the oracle of its tests).
    fn validate_rest_scalar(p: &mut Parser<'_>, end: usize) -> Result<(usize, usize), JsonError> {
        let s = p.text.as_bytes();
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
                    p.i = j;
                    return Err(p.err("unterminated string"));
                }
                Some(b'"') => return Ok((j, saved)),
                Some(b'\\') => match s.get(j + 1) {
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                        saved += 1;
                        j += 2;
                    }
                    _ => {
                        p.i = j + 1;
                        let (_, n) = p.escape()?;
                        saved += p.i - j - n;
                        j = p.i;
                    }
                },
                Some(0..0x20) => {
                    p.i = j;
                    return Err(p.err("control character in string"));
                }
                Some(_) => j += 1,
            }
        }
    }

    /// A small deterministic generator (xorshift64*): the property tests need no crate.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// Random string texts, dense in what the scanner decides on: backslash runs, quotes,
    /// every escape letter, `\u` with good and bad hex, control bytes, multi-byte
    /// characters.
    fn random_text(rng: &mut Rng, len: usize) -> String {
        const PIECES: [&str; 24] = [
            "\\",
            "\\",
            "\\",
            "\"",
            "\"",
            "/",
            "u",
            "n",
            "a",
            "b",
            "f",
            "r",
            "t",
            "0",
            "x",
            "\u{1}",
            "\u{1f}",
            "é",
            "\\u00e9",
            "\\ud83d\\ude00",
            "\\ud800",
            "\\u12",
            "\\\"",
            "\\\\",
        ];
        let mut out = String::new();
        while out.len() < len {
            // Mostly plain bytes, so blocks are clean as often as not.
            if rng.below(3) == 0 {
                out.push_str(PIECES[rng.below(PIECES.len())]);
            } else {
                out.push('a');
            }
        }
        out
    }

    #[test]
    fn escaped_bits_match_a_byte_loop() {
        let sequential = |bslash: u64| {
            let mut esc = 0u64;
            let mut k = 0;
            while k < 64 {
                if bslash >> k & 1 == 1 {
                    esc |= 1u64.checked_shl(k + 1).unwrap_or(0);
                    k += 2;
                } else {
                    k += 1;
                }
            }
            esc
        };
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut cases: Vec<u64> = (0..1u64 << 16)
            .flat_map(|x| [x, x << 24, x << 48])
            .collect();
        cases.extend((0..20_000).map(|_| rng.next() & rng.next() | rng.next() & rng.next()));
        cases.extend([u64::MAX, u64::MAX >> 1, u64::MAX << 1, 1 << 63]);
        for b in cases {
            assert_eq!(escaped_bits(b), sequential(b), "{b:064b}");
        }
    }

    #[test]
    fn classify_matches_bytes_at_every_offset_and_end() {
        let mut rng = Rng(7);
        let bytes: Vec<u8> = (0..300)
            .map(|_| [b'\\', b'"', 0, 0x1f, 0x20, b'a', 0x80, 0xff, b'!', b']'][rng.below(10)])
            .collect();
        for len in [0, 1, 63, 64, 65, 127, 128, 129, 300] {
            for at in 0..=len {
                let s = &bytes[..len];
                let mut pad = [0; 64];
                let m = classify(block(window(s, at, &mut pad)));
                let bit = |f: &dyn Fn(u8) -> bool| {
                    (0..64).fold(0u64, |acc, k| {
                        let b = s.get(at + k).copied().unwrap_or(0);
                        acc | u64::from(f(b)) << k
                    })
                };
                let want = Masks {
                    bslash: bit(&|b| b == b'\\'),
                    quote: bit(&|b| b == b'"'),
                    ctrl: bit(&|b| b < 0x20),
                };
                assert_eq!(m, want, "{len} {at}");
                assert_eq!(backslash_bits(s, at), want.bslash);
            }
        }
    }

    #[test]
    fn block_validation_matches_the_byte_loop() {
        // Random texts of every length 0..200 and a few long ones, each starting at
        // several offsets (so block edges fall everywhere), closed or not: the same end
        // and saved count, or the same error at the same offset.
        let mut rng = Rng(0x5eed);
        let mut checked = 0;
        for len in (0..200).chain([255, 256, 257, 1000, 5000]) {
            for round in 0..12 {
                let text = random_text(&mut rng, len);
                let pad = "p".repeat(round * 7 % 70);
                let tail = if round % 3 == 0 { "" } else { "\"" };
                let doc = format!("{pad}{text}{tail}");
                // Every start the string parser can hand over: any byte not inside an escape.
                let starts: Vec<usize> = {
                    let b = doc.as_bytes();
                    let mut v = Vec::new();
                    let mut k = pad.len();
                    while k <= b.len() {
                        v.push(k);
                        k += if b.get(k) == Some(&b'\\') { 2 } else { 1 };
                    }
                    v
                };
                for &from in starts.iter().step_by(1 + len / 40) {
                    let mut a: Parser<'_> = Parser::streaming(&doc);
                    let mut b: Parser<'_> = Parser::streaming(&doc);
                    let new = a.validate_rest(from);
                    let old = validate_rest_scalar(&mut b, from);
                    assert_eq!(new, old, "{doc:?} from {from}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 10_000, "{checked}");
        // Texts of the common escapes only (a JSON body sent as a string), long enough for
        // the block phase, from every start in a 70-byte range: escapes straddle every
        // block edge.
        for len in 60..400 {
            let mut text = String::new();
            while text.len() < len {
                text.push_str(["\\\"", "\\\\", "a", "ab", "\\\\\\\""][rng.below(5)]);
            }
            let doc = format!("{text}\"");
            let b = doc.as_bytes();
            let mut from = 0;
            while from < 70.min(b.len()) {
                let mut a: Parser<'_> = Parser::streaming(&doc);
                let mut o: Parser<'_> = Parser::streaming(&doc);
                assert_eq!(
                    a.validate_rest(from),
                    validate_rest_scalar(&mut o, from),
                    "{doc:?} from {from}"
                );
                from += if b[from] == b'\\' { 2 } else { 1 };
            }
        }
    }

    #[test]
    fn lazy_string_values_keep_their_kind_and_length() {
        // Around LAZY_MIN and block edges: `Esc` exactly when the raw text is that long, its
        // `len` the unescaped length, errors as serde's.
        let mut rng = Rng(42);
        for extra in [0usize, 1, 2, 63, 64, 65] {
            for round in 0..8 {
                let mut text = random_text(&mut rng, 200);
                // Grow with plain text and `\"` escapes to just around the threshold.
                while text.len() + 2 < LAZY_MIN - 40 + extra {
                    text.push_str(if round % 2 == 0 { "ab\\\"" } else { "abcdefgh" });
                }
                let doc = format!("{{\"k\":\"{text}\"}}");
                let serde = serde_json::from_str::<serde_json::Value>(&doc);
                match parse(&doc) {
                    Ok(v) => {
                        let Some(Ok(want)) = serde.ok().map(|s| {
                            s.get("k")
                                .and_then(|k| k.as_str().map(str::to_string))
                                .ok_or(())
                        }) else {
                            // serde rejects lone surrogates, which we read as U+FFFD.
                            assert!(doc.contains("\\ud800"), "{doc}");
                            continue;
                        };
                        match v.get("k") {
                            Some(Json::Esc(e)) => {
                                assert!(e.raw.len() >= LAZY_MIN);
                                assert_eq!(e.len, want.len(), "{doc}");
                                assert_eq!(v.get("k").and_then(Json::as_str), Some(want.as_str()));
                            }
                            Some(Json::Str(s)) => {
                                assert!(text.len() < LAZY_MIN || !text.contains('\\'));
                                assert_eq!(s.as_ref(), want);
                            }
                            other => panic!("{other:?}"),
                        }
                    }
                    Err(_) => assert!(serde.is_err(), "{doc}"),
                }
            }
        }
    }

    /// The word-at-a-time backslash search the cached one replaced (its oracle).
    fn next_backslash_scalar(s: &[u8], from: usize) -> Option<usize> {
        s.get(from..)?
            .iter()
            .position(|&b| b == b'\\')
            .map(|k| from + k)
    }

    #[test]
    fn cached_backslash_search_matches_a_byte_loop() {
        let mut rng = Rng(99);
        for len in [0, 1, 5, 63, 64, 65, 128, 129, 500] {
            let text: String = (0..len)
                .map(|_| if rng.below(9) == 0 { '\\' } else { 'x' })
                .collect();
            let mut p = Parser::escaped(&text);
            // Forward, as the parser goes, with jumps, and backwards now and then.
            let mut at = 0;
            for _ in 0..400 {
                at = match rng.below(10) {
                    0 => rng.below(len + 70),
                    1..=3 => at + rng.below(80),
                    _ => at + rng.below(4),
                };
                let want = next_backslash_scalar(text.as_bytes(), at);
                assert_eq!(p.next_backslash(at), want, "{len} {at}");
            }
        }
    }

    #[test]
    fn random_escaped_bodies_read_in_one_pass() {
        // JSON documents with strings of random lengths (inner strings ending on every
        // side of a block edge), sent as a string: the one-pass parse must succeed and
        // agree with unescape-then-parse.
        let mut rng = Rng(2024);
        let words = [
            "a", "O'Neil", "é", "\"", "\\", "/", "\n", "x y", "{", "]", "\u{1}",
        ];
        for _ in 0..300 {
            let mut doc = serde_json::Map::new();
            for k in 0..rng.below(12) {
                let v: String = (0..rng.below(20))
                    .map(|_| words[rng.below(words.len())])
                    .collect();
                let arr: Vec<serde_json::Value> = (0..rng.below(4))
                    .map(|i| serde_json::json!([i, v.clone(), true, null, -1.5]))
                    .collect();
                doc.insert(
                    format!("k{k}{}", "z".repeat(rng.below(70))),
                    serde_json::json!({ "v": v, "a": arr }),
                );
            }
            let body = serde_json::Value::Object(doc).to_string();
            let outer = serde_json::to_string(&body).unwrap_or_default();
            let raw = &outer[1..outer.len() - 1];
            // Control characters and quotes in inner strings take the two-pass path; the
            // rest must succeed in one.
            let must = !body.contains("\\u0001");
            let ok = check_one_pass(raw, must);
            assert!(ok || !must, "{raw}");
        }
    }

    #[test]
    fn special_from_matches_a_byte_loop() {
        // The first `"`, `\\` or control byte from every start, or the end: sixteen, eight
        // and one byte at a time must all find the same one.
        let mut rng = Rng(5);
        for len in 0..100 {
            let text: String = (0..len)
                .map(|_| ['a', 'a', 'a', 'é', '"', '\\', '\u{1}', '\u{1f}', ' '][rng.below(9)])
                .collect();
            for from in (0..=text.len()).filter(|&k| text.is_char_boundary(k)) {
                let b = text.as_bytes();
                let want = match b[from..]
                    .iter()
                    .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
                {
                    Some(k) if b[from + k] < 0x20 => Err(("control character in string", from + k)),
                    Some(k) => Ok(from + k),
                    None => Err(("unterminated string", b.len())),
                };
                let mut p: Parser<'_> = Parser::streaming(&text);
                let got = p.special_from(from).map_err(|e| (e.what, e.at));
                assert_eq!(got, want, "{text:?} from {from}");
            }
        }
    }

    /// Random texts of the pieces scalars, separators and whitespace are made of.
    fn random_scalarish(rng: &mut Rng) -> String {
        const PIECES: [&str; 26] = [
            "-", "0", "1", "9", "42", ".", "e", "E", "+", "t", "true", "false", "null", "nul", "x",
            " ", "\n", "\\n", "\\t", "\\r", "\\", "\"", "\\\"", ",", "]", "\\u0020",
        ];
        let n = rng.below(8);
        (0..n).map(|_| PIECES[rng.below(PIECES.len())]).collect()
    }

    /// `skip_scalar` (the walker's) and `value` (the tree's) at the start of `text`, in
    /// both modes: the same error, offset and end wherever a scalar may start.
    fn check_skip_scalar<const E: bool>(text: &str) {
        let mut p: Parser<'_, E> = Parser::at(text, 0);
        if matches!(p.peek(), Some(b'"' | b'[' | b'{')) {
            return;
        }
        let mut q: Parser<'_, E> = Parser::at(text, 0);
        let skipped = p.skip_scalar();
        let parsed = q.value(0).map(drop);
        assert_eq!((skipped, p.i), (parsed, q.i), "{text:?} (escaped: {E})");
    }

    /// `ws` (inline first-byte test) against the plain loop, in both modes.
    fn check_ws<const E: bool>(text: &str) {
        for at in 0..=text.len() {
            let mut p: Parser<'_, E> = Parser::at(text, at);
            let mut q: Parser<'_, E> = Parser::at(text, at);
            p.ws();
            q.ws_loop();
            assert_eq!(p.i, q.i, "{text:?} at {at} (escaped: {E})");
        }
    }

    #[test]
    fn skipped_scalars_and_whitespace_match_the_plain_code() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        for _ in 0..50_000 {
            let text = random_scalarish(&mut rng);
            check_skip_scalar::<false>(&text);
            check_skip_scalar::<true>(&text);
            check_ws::<false>(&text);
            check_ws::<true>(&text);
        }
        for text in ["-0.5e+10", "1e", "-", "01", "truex", "nulll", "", "\\\"1"] {
            check_skip_scalar::<false>(text);
            check_skip_scalar::<true>(text);
        }
    }

    #[test]
    fn number_errors_keep_their_offsets() {
        for (doc, what, at) in [
            ("-", "bad number", 1),
            ("-x", "bad number", 1),
            ("1.", "bad number", 2),
            ("1.e5", "bad number", 2),
            ("1e", "bad number", 2),
            ("1e+", "bad number", 3),
            ("[1,-2.5E-x]", "bad number", 9),
            ("01", "trailing characters", 1),
            ("[1.5e3 x]", "expected , or ]", 7),
        ] {
            let e = parse(doc).err();
            assert_eq!(
                e.as_ref().map(|e| (e.what, e.at)),
                Some((what, at)),
                "{doc}"
            );
        }
        assert_eq!(parse("-0.5e+10"), Ok(Json::Num("-0.5e+10")));
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
