//! Decoding of attacker-controlled encodings, every one bounded.
//!
//! Attackers wrap payloads in encodings the application (or a web server in front of it)
//! undoes before the value reaches a sink: percent-encoding (repeated), IIS `%uXXXX`, overlong
//! UTF-8 (`%c0%ae` for `.`), full-width forms, HTML entities, JavaScript escapes. Detectors
//! see the raw value and one normalized view where all of these are undone. Base64 and gzip
//! (CloudWatch Logs) are decoded with output caps so a bomb stops early.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Percent-decoding rounds: enough for double and triple encoding, bounded for cost.
const PERCENT_ROUNDS: usize = 3;

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// One round of percent-decoding (`%XX`, IIS `%uXXXX`); `plus` turns `+` into a space (form
/// and query-string encoding). Returns `None` when nothing was decoded.
pub fn percent_decode_once(input: &[u8], plus: bool) -> Option<Vec<u8>> {
    if memchr::memchr(b'%', input).is_none() && !(plus && memchr::memchr(b'+', input).is_some()) {
        return None;
    }
    let mut out = Vec::with_capacity(input.len());
    let mut changed = false;
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        if b == b'%' {
            if let (Some(h), Some(l)) = (
                input.get(i + 1).copied().and_then(hex_val),
                input.get(i + 2).copied().and_then(hex_val),
            ) {
                out.push(h << 4 | l);
                i += 3;
                changed = true;
                continue;
            }
            if matches!(input.get(i + 1), Some(b'u' | b'U'))
                && let Some(cp) = input.get(i + 2..i + 6).and_then(|h| {
                    h.iter()
                        .try_fold(0u32, |acc, &c| hex_val(c).map(|v| acc << 4 | u32::from(v)))
                })
            {
                push_char(&mut out, cp);
                i += 6;
                changed = true;
                continue;
            }
        } else if b == b'+' && plus {
            out.push(b' ');
            i += 1;
            changed = true;
            continue;
        }
        out.push(b);
        i += 1;
    }
    changed.then_some(out)
}

fn push_char(out: &mut Vec<u8>, cp: u32) {
    let c = char::from_u32(cp).unwrap_or('\u{fffd}');
    let mut buf = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

/// Percent-decodes a form or query-string component (`+` is a space) into text.
pub fn form_component(input: &str) -> std::borrow::Cow<'_, str> {
    match percent_decode_once(input.as_bytes(), true) {
        Some(bytes) => std::borrow::Cow::Owned(String::from_utf8_lossy(&bytes).into_owned()),
        None => std::borrow::Cow::Borrowed(input),
    }
}

/// Folds overlong UTF-8 forms of ASCII (`c0 ae`, `e0 80 ae`, `f8 80 80 80 ae`, with any
/// continuation byte as IIS accepted) to the ASCII byte, drops NUL and other control bytes
/// except tab and newlines, and maps full-width and look-alike slashes and dots to ASCII.
fn fold_bytes(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        // Printable ASCII, tab and newlines stay as they are: copied a run at a time.
        let run = input[i..]
            .iter()
            .position(|&b| !KEPT_AS_IS[b as usize])
            .unwrap_or(input.len() - i);
        out.extend_from_slice(&input[i..i + run]);
        i += run;
        let Some(&b) = input.get(i) else {
            break;
        };
        let extra = match b {
            0xc0..=0xc1 => 1,
            0xe0 if input.get(i + 1).is_some_and(|&n| n < 0xa0) => 2,
            0xf0 if input.get(i + 1).is_some_and(|&n| n < 0x90) => 3,
            0xf8..=0xfb => 4,
            0xfc..=0xfd => 5,
            _ => 0,
        };
        if extra > 0 && i + extra < input.len() {
            let lead_bits = match extra {
                1 => 0x1f,
                2 => 0x0f,
                3 => 0x07,
                4 => 0x03,
                _ => 0x01,
            };
            let mut cp = u32::from(b & lead_bits);
            for k in 1..=extra {
                cp = cp << 6 | u32::from(input[i + k] & 0x3f);
            }
            if cp < 0x80 {
                push_folded_ascii(&mut out, cp as u8);
                i += extra + 1;
                continue;
            }
        }
        // Full-width forms U+FF01..U+FF5E (ef bc 81 .. ef bd 9e) and slash look-alikes.
        if b == 0xef
            && let (Some(&b1), Some(&b2)) = (input.get(i + 1), input.get(i + 2))
        {
            let cp =
                (u32::from(b & 0x0f) << 12) | (u32::from(b1 & 0x3f) << 6) | u32::from(b2 & 0x3f);
            if (0xff01..=0xff5e).contains(&cp) {
                out.push((cp - 0xfee0) as u8);
                i += 3;
                continue;
            }
        }
        if b == 0xe2
            && input.get(i + 1) == Some(&0x88)
            && let Some(&b2) = input.get(i + 2)
        {
            // U+2215 DIVISION SLASH, U+2216 SET MINUS
            match b2 {
                0x95 => {
                    out.push(b'/');
                    i += 3;
                    continue;
                }
                0x96 => {
                    out.push(b'\\');
                    i += 3;
                    continue;
                }
                _ => {}
            }
        }
        push_folded_ascii(&mut out, b);
        i += 1;
    }
    out
}

/// Bytes [`fold_bytes`] never changes on their own: printable ASCII, tab, CR and LF.
static KEPT_AS_IS: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0x20;
    while b < 0x7f {
        t[b] = true;
        b += 1;
    }
    t[b'\t' as usize] = true;
    t[b'\n' as usize] = true;
    t[b'\r' as usize] = true;
    t
};

fn push_folded_ascii(out: &mut Vec<u8>, b: u8) {
    if b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r') || b == 0x7f {
        return;
    }
    out.push(b);
}

/// Decodes HTML character references (`&#60;`, `&#x3c;`, `&lt;`, …; `;` optional for
/// numeric ones as browsers accept).
fn html_entities(input: &str) -> Option<String> {
    if !input.contains('&') {
        return None;
    }
    let bytes = input.as_bytes();
    let mut out = String::with_capacity(input.len());
    let mut changed = false;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'&'
            && let Some((c, used)) = html_entity_at(&bytes[i..])
        {
            out.push(c);
            i += used;
            changed = true;
            continue;
        }
        // Copy up to the next `&` (past this byte): `&` is ASCII, so the run ends on a
        // char boundary.
        let end = memchr::memchr(b'&', &bytes[i + 1..]).map_or(bytes.len(), |k| i + 1 + k);
        out.push_str(input.get(i..end).unwrap_or("\u{fffd}"));
        i = end;
    }
    changed.then_some(out)
}

fn html_entity_at(s: &[u8]) -> Option<(char, usize)> {
    if s.get(1) == Some(&b'#') {
        let (radix, start) = if matches!(s.get(2), Some(b'x' | b'X')) {
            (16, 3)
        } else {
            (10, 2)
        };
        let mut end = start;
        while end < s.len() && end < start + 8 && (s[end] as char).is_digit(radix) {
            end += 1;
        }
        if end == start {
            return None;
        }
        let digits = std::str::from_utf8(&s[start..end]).ok()?;
        let cp = u32::from_str_radix(digits, radix).ok()?;
        let used = if s.get(end) == Some(&b';') {
            end + 1
        } else {
            end
        };
        return Some((char::from_u32(cp).unwrap_or('\u{fffd}'), used));
    }
    const NAMED: &[(&str, char)] = &[
        ("lt;", '<'),
        ("gt;", '>'),
        ("quot;", '"'),
        ("apos;", '\''),
        ("amp;", '&'),
        ("colon;", ':'),
        ("tab;", '\t'),
        ("newline;", '\n'),
        ("lpar;", '('),
        ("rpar;", ')'),
        ("sol;", '/'),
        ("period;", '.'),
        ("bsol;", '\\'),
    ];
    let rest = &s[1..];
    for (name, c) in NAMED {
        if rest.len() >= name.len() && rest[..name.len()].eq_ignore_ascii_case(name.as_bytes()) {
            return Some((*c, 1 + name.len()));
        }
    }
    None
}

/// Decodes `\xHH` and `\uHHHH` escapes (JavaScript, Python, JSON-in-string).
fn backslash_escapes(input: &str) -> Option<String> {
    if !input.contains('\\') {
        return None;
    }
    let bytes = input.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut changed = false;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            let hex_len = match bytes.get(i + 1) {
                Some(b'x' | b'X') => 2,
                Some(b'u' | b'U') => 4,
                Some(&c @ (b'n' | b'r' | b't')) => {
                    // Written-out control characters (`\n` in a payload meant as a newline).
                    out.push(match c {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        _ => b'\t',
                    });
                    i += 2;
                    changed = true;
                    continue;
                }
                _ => 0,
            };
            if hex_len > 0
                && let Some(cp) = bytes.get(i + 2..i + 2 + hex_len).and_then(|h| {
                    h.iter()
                        .try_fold(0u32, |acc, &c| hex_val(c).map(|v| acc << 4 | u32::from(v)))
                })
            {
                push_char(&mut out, cp);
                i += 2 + hex_len;
                changed = true;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    changed.then(|| String::from_utf8_lossy(&out).into_owned())
}

/// Which of the bytes [`normalize`] starts from a text holds: `%`, a byte to fold (one
/// from 0x7f up, or a control character other than tab, newline and carriage return), `&`
/// and `\\`. The detectors' prefilter has found them already (its `PERCENT`, `HIGH`,
/// `AMP` and `BACKSLASH` classes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Present {
    pub percent: bool,
    pub to_fold: bool,
    pub amp: bool,
    pub backslash: bool,
}

#[cfg(test)]
impl Present {
    /// What `bytes` holds (the reference the prefilter's classes are tested against).
    pub(crate) fn of(bytes: &[u8]) -> Present {
        let [percent, to_fold, amp, backslash] =
            bytes.iter().fold([false; 4], |[p, f, a, b], &x| {
                [
                    p | (x == b'%'),
                    f | (x >= 0x7f || (x < 0x20 && !matches!(x, b'\t' | b'\n' | b'\r'))),
                    a | (x == b'&'),
                    b | (x == b'\\'),
                ]
            });
        Present {
            percent,
            to_fold,
            amp,
            backslash,
        }
    }
}

/// The normalized view of `raw`, which holds what `present` says: every bounded decoding
/// applied; `None` when it equals `raw` (the common case, and then nothing was allocated).
pub(crate) fn normalize(raw: &str, present: Present) -> Option<String> {
    let bytes = raw.as_bytes();
    // Only an `&` that starts a reference [`html_entities`] decodes, and only `\\` before
    // one of `xXuUnrt` an escape ([`backslash_escapes`]): "Smith & Sons", "R&D" or a
    // Windows path has nothing to decode. (Folding can make an `&` or `\\` of its own,
    // from full-width forms; then the folded text differs and all of it runs below.)
    let needs_entities = present.amp
        && memchr::memchr_iter(b'&', bytes).any(|i| {
            // A reference begins `&#` or `&` and a letter: most `&` end here.
            bytes
                .get(i + 1)
                .is_some_and(|&n| n == b'#' || n.is_ascii_alphabetic())
                && html_entity_at(&bytes[i..]).is_some()
        });
    let needs_escapes = present.backslash
        && memchr::memchr_iter(b'\\', bytes)
            .any(|i| bytes.get(i + 1).is_some_and(|n| b"xXuUnrt".contains(n)));
    if !(present.percent || present.to_fold || needs_entities || needs_escapes) {
        return None;
    }
    normalize_from(raw, present.percent, needs_entities || needs_escapes)
}

/// [`normalize`] past its quick exit. `may_decode`: whether an entity or an escape may be
/// decoded; when not, a text that folding leaves as it is has nothing to normalize.
fn normalize_from(raw: &str, needs_percent: bool, may_decode: bool) -> Option<String> {
    let bytes = raw.as_bytes();
    let cur = if needs_percent {
        let mut cur = bytes.to_vec();
        for _ in 0..PERCENT_ROUNDS {
            match percent_decode_once(&cur, false) {
                Some(next) => cur = next,
                None => break,
            }
            // Folding between rounds lets `%%32%65`-style and overlong forms settle.
            cur = fold_bytes(&cur);
        }
        fold_bytes(&cur)
    } else {
        let folded = fold_bytes(bytes);
        if !may_decode && folded == bytes {
            // Only folding could change it (non-ASCII text, mostly accents and
            // punctuation), and it did not.
            return None;
        }
        folded
    };
    let mut text = match String::from_utf8(cur) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    if let Some(t) = html_entities(&text) {
        text = t;
    }
    if let Some(t) = backslash_escapes(&text) {
        text = t;
    }
    if needs_percent && text.contains('%') {
        // Entities and escapes may have revealed another percent layer.
        if let Some(b) = percent_decode_once(text.as_bytes(), false) {
            text = String::from_utf8_lossy(&fold_bytes(&b)).into_owned();
        }
    }
    (text != raw).then_some(text)
}

const B64_CONFIG: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const B64_STANDARD: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::STANDARD, B64_CONFIG);
const B64_URL: GeneralPurpose = GeneralPurpose::new(&base64::alphabet::URL_SAFE, B64_CONFIG);

/// Decodes base64 (standard or URL-safe alphabet, padding optional, ASCII whitespace
/// ignored), decoding at most `limit` input bytes.
pub fn base64(input: &str, limit: usize) -> Option<Vec<u8>> {
    let mut s = input.trim();
    if s.len() > limit {
        s = s.get(..limit - limit % 4)?;
    }
    let cleaned;
    let s = if s.bytes().any(|b| b.is_ascii_whitespace()) {
        cleaned = s
            .bytes()
            .filter(|b| !b.is_ascii_whitespace())
            .collect::<Vec<u8>>();
        &cleaned[..]
    } else {
        s.as_bytes()
    };
    B64_STANDARD.decode(s).or_else(|_| B64_URL.decode(s)).ok()
}

/// Gunzips the first member of `data`, stopping after `limit` output bytes. Returns the
/// output and whether it was cut short. A stream read to its end must match its trailer
/// (CRC-32 and length), as `flate2`'s `GzDecoder` checks; one cut short is not checked.
pub fn gunzip(data: &[u8], limit: usize) -> Result<(Vec<u8>, bool), std::io::Error> {
    let deflate = data
        .get(gzip_header_len(data)?..)
        .ok_or_else(|| gzip_error("truncated gzip header"))?;
    let (out, truncated, used) = INFLATE.with(|cell| match cell.try_borrow_mut() {
        Ok(mut state) => {
            state.reset(false);
            inflate_capped(&mut state, deflate, limit)
        }
        // Not reentered in practice; stay correct if it ever is.
        Err(_) => inflate_capped(&mut flate2::Decompress::new(false), deflate, limit),
    })?;
    if truncated {
        return Ok((out, true));
    }
    let trailer = deflate
        .get(used..used + 8)
        .ok_or_else(|| gzip_error("gzip stream ends before its trailer"))?;
    let mut crc = flate2::Crc::new();
    crc.update(&out);
    let le = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    if le(&trailer[..4]) != crc.sum() || le(&trailer[4..]) != out.len() as u32 {
        return Err(gzip_error(
            "corrupt gzip stream: checksum or length does not match",
        ));
    }
    Ok((out, false))
}

thread_local! {
    /// One raw-deflate state per thread, reset (and its window zeroed) for each stream:
    /// setting one up per event (a 43 KB state, zeroed and moved) cost more than inflating
    /// a Kinesis record.
    static INFLATE: std::cell::RefCell<flate2::Decompress> =
        std::cell::RefCell::new(flate2::Decompress::new(false));
}

/// Inflates the raw deflate stream `input` into at most `limit + 1` bytes: (output cut to
/// `limit`, whether there was more, input bytes the stream used).
fn inflate_capped(
    state: &mut flate2::Decompress,
    input: &[u8],
    limit: usize,
) -> Result<(Vec<u8>, bool, usize), std::io::Error> {
    let cap = limit.saturating_add(1);
    let mut out: Vec<u8> = Vec::with_capacity(input.len().saturating_mul(4).max(256).min(cap));
    loop {
        if out.len() >= cap {
            out.truncate(limit);
            return Ok((out, true, state.total_in() as usize));
        }
        if out.len() == out.capacity() {
            out.reserve_exact(out.capacity().max(256).min(cap - out.len()));
        }
        let (in_before, out_before) = (state.total_in(), out.len());
        let rest = input.get(in_before as usize..).unwrap_or_default();
        let status = state
            .decompress_vec(rest, &mut out, flate2::FlushDecompress::None)
            .map_err(|e| gzip_error(&format!("corrupt deflate stream: {e}")))?;
        match status {
            flate2::Status::StreamEnd if out.len() <= limit => {
                return Ok((out, false, state.total_in() as usize));
            }
            // Ended on the byte past the cap: cut, as a capped read reports it.
            flate2::Status::StreamEnd => {
                out.truncate(limit);
                return Ok((out, true, state.total_in() as usize));
            }
            _ if state.total_in() == in_before && out.len() == out_before => {
                return Err(gzip_error("gzip stream ends early"));
            }
            _ => {}
        }
    }
}

/// The length of the gzip member header at the start of `data` (RFC 1952: magic, deflate,
/// no reserved flag, then the optional extra field, name, comment and header CRC).
fn gzip_header_len(data: &[u8]) -> Result<usize, std::io::Error> {
    const FHCRC: u8 = 2;
    const FEXTRA: u8 = 4;
    const FNAME: u8 = 8;
    const FCOMMENT: u8 = 16;
    let truncated = || gzip_error("truncated gzip header");
    let fixed = data.get(..10).ok_or_else(truncated)?;
    if fixed[..3] != [0x1f, 0x8b, 8] || fixed[3] & 0xe0 != 0 {
        return Err(gzip_error("invalid gzip header"));
    }
    let flags = fixed[3];
    let mut i = 10;
    if flags & FEXTRA != 0 {
        let len = data.get(i..i + 2).ok_or_else(truncated)?;
        i += 2 + usize::from(u16::from_le_bytes([len[0], len[1]]));
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            let rest = data.get(i..).ok_or_else(truncated)?;
            i += memchr::memchr(0, rest).ok_or_else(truncated)? + 1;
        }
    }
    if flags & FHCRC != 0 {
        let (head, stored) = (
            data.get(..i).ok_or_else(truncated)?,
            data.get(i..i + 2).ok_or_else(truncated)?,
        );
        let mut crc = flate2::Crc::new();
        crc.update(head);
        if u16::from_le_bytes([stored[0], stored[1]]) != crc.sum() as u16 {
            return Err(gzip_error("corrupt gzip header"));
        }
        i += 2;
    }
    Ok(i)
}

fn gzip_error(what: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string())
}

/// Cuts `s` to at most `max` bytes on a char boundary.
pub fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`normalize`] of a text, what it holds found by [`Present::of`].
    fn norm(raw: &str) -> Option<String> {
        normalize(raw, Present::of(raw.as_bytes()))
    }

    #[test]
    fn percent_double_and_overlong() {
        assert_eq!(norm("%252e%252e%252f").as_deref(), Some("../"));
        assert_eq!(norm("..%c0%af..%c0%afetc").as_deref(), Some("../../etc"));
        assert_eq!(norm("%uff0e%uff0e%u2215").as_deref(), Some("../"));
        assert_eq!(norm("..%00/").as_deref(), Some("../"));
        assert_eq!(norm("plain"), None);
    }

    /// The quick exits of `normalize` skip only texts its whole path leaves as they are:
    /// the two agree on every corpus line, and on random texts over the bytes the exits
    /// look at (references named and numeric, escapes, percents, full-width `&`).
    #[test]
    fn quick_exits_change_nothing() {
        let full = |t: &str| normalize_from(t, t.contains('%'), true);
        let mut lines = 0;
        for line in crate::test_corpus::byte_lines() {
            let t = String::from_utf8_lossy(&line);
            assert_eq!(norm(&t), full(&t), "{t:?}");
            lines += 1;
        }
        assert!(lines > 10_000, "{lines} lines");
        let pieces = [
            "&", "&#", "&#x", "#", ";", "lt", "LT;", "amp;", "quot", "colon;", "D", "x", "3c",
            "60", " ", "\\", "\\x", "\\u", "n", "%", "%3", "c", "\u{ff06}", "\u{e9}", "a",
        ];
        let mut rng = crate::test_rng::XorShift(0x0bad_5eed_1234_5678);
        for _ in 0..50_000 {
            let t = rng.text_of(&pieces, 8);
            assert_eq!(norm(&t), full(&t), "{t:?}");
        }
    }

    #[test]
    fn entities_and_escapes() {
        assert_eq!(norm("&lt;script&gt;").as_deref(), Some("<script>"));
        assert_eq!(norm("&#106;&#x61;va").as_deref(), Some("java"));
        assert_eq!(norm("\\x3cscript").as_deref(), Some("<script"));
        assert_eq!(norm("\\nid").as_deref(), Some("\nid"));
        // Nothing to decode: `&` before a space, `\\` before a letter no escape starts with.
        assert_eq!(norm("Smith & Sons; C:\\Data\\files"), None);
        assert_eq!(norm("a&&b || c\\"), None);
        // A full-width ampersand folds into an entity that then decodes.
        assert_eq!(norm("\u{ff06}lt;b").as_deref(), Some("<b"));
    }

    /// `gunzip` agrees with `flate2`'s `GzDecoder` (read through the same cap) on real
    /// streams of every size around the cap, with every header field, and on corrupted and
    /// cut copies of them: the same output and cut flag, or an error from both.
    #[test]
    fn gunzip_agrees_with_gzdecoder() {
        use std::io::{Read as _, Write as _};
        fn reference(data: &[u8], limit: usize) -> Option<(Vec<u8>, bool)> {
            let mut out = Vec::new();
            flate2::bufread::GzDecoder::new(data)
                .take(limit as u64 + 1)
                .read_to_end(&mut out)
                .ok()?;
            let cut = out.len() > limit;
            out.truncate(limit);
            Some((out, cut))
        }
        let mut rng = crate::test_rng::XorShift(0x9e37_79b9_7f4a_7c15);
        let mut next = move || rng.next();
        for round in 0..400 {
            let len = (next() % 5000) as usize;
            let plain: Vec<u8> = (0..len)
                .map(|k| b"ab cd\n{}"[(next() % 8) as usize] ^ (k as u8 & 1))
                .collect();
            let mut builder = flate2::GzBuilder::new();
            if round % 3 == 0 {
                builder = builder
                    .filename("events.json")
                    .comment("c")
                    .extra(vec![1, 2, 3]);
            }
            let mut enc = builder.write(Vec::new(), flate2::Compression::new((round % 10) as u32));
            enc.write_all(&plain).unwrap();
            let gz = enc.finish().unwrap();
            let limits = [0, 1, len.saturating_sub(1), len, len + 1, 10_000];
            let mut variants = vec![
                gz.clone(),
                gz[..gz.len() / 2].to_vec(),
                gz[..gz.len() - 1].to_vec(),
            ];
            let mut flipped = gz.clone();
            let at = (next() as usize) % flipped.len();
            flipped[at] ^= 1 << (next() % 8);
            variants.push(flipped);
            let mut trailing = gz.clone();
            trailing.extend_from_slice(b"garbage after the member");
            variants.push(trailing);
            for v in &variants {
                for &limit in &limits {
                    assert!(
                        gunzip(v, limit).ok() == reference(v, limit),
                        "round {round}, limit {limit}, {} bytes",
                        v.len()
                    );
                }
            }
        }
        // A header CRC (FHCRC), checked like flate2 checks it.
        let mut with_hcrc = vec![0x1f, 0x8b, 8, 2, 0, 0, 0, 0, 0, 3];
        let mut crc = flate2::Crc::new();
        crc.update(&with_hcrc);
        with_hcrc.extend_from_slice(&(crc.sum() as u16).to_le_bytes());
        let mut raw = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        raw.write_all(b"hello").unwrap();
        with_hcrc.extend_from_slice(&raw.finish().unwrap());
        let mut crc = flate2::Crc::new();
        crc.update(b"hello");
        with_hcrc.extend_from_slice(&crc.sum().to_le_bytes());
        with_hcrc.extend_from_slice(&5u32.to_le_bytes());
        assert_eq!(
            gunzip(&with_hcrc, 100).ok(),
            Some((b"hello".to_vec(), false))
        );
        assert_eq!(gunzip(&with_hcrc, 100).ok(), reference(&with_hcrc, 100));
        with_hcrc[10] ^= 1;
        assert!(gunzip(&with_hcrc, 100).is_err() && reference(&with_hcrc, 100).is_none());
    }

    #[test]
    fn gzip_is_capped() {
        use std::io::Write as _;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&vec![b'a'; 10_000_000]).unwrap();
        let gz = enc.finish().unwrap();
        let (out, cut) = gunzip(&gz, 1000).unwrap();
        assert_eq!(out.len(), 1000);
        assert!(cut);
        assert!(gunzip(b"not gzip", 1000).is_err());
    }

    #[test]
    fn bad_base64_is_none() {
        assert_eq!(base64("aGVsbG8=", 100).as_deref(), Some(&b"hello"[..]));
        assert_eq!(base64("aGVsbG8", 100).as_deref(), Some(&b"hello"[..]));
        assert!(base64("@@@", 100).is_none());
    }
}
