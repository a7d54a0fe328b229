//! The keys of an array's objects, remembered from one object to the next.
//!
//! A large JSON body is most often an array of records, and every record spells out the
//! same keys in the same order: `{"id":…,"name":…,"email":…}` thousands of times. Reading
//! a key costs the walker a search for its closing quote, the colon after it and the
//! check for keys that are attacks by themselves ([`crate::walk`]'s `plain_key`): about
//! half of what walking a record of short values costs. [`KeyMemo`] keeps, for each
//! position in the previous object, the exact bytes that key was read from (`"name":`,
//! or `\"name\":` in a body still escaped) and what the walker concluded; when the next
//! object has the same bytes at the same position, one 16-byte compare replaces all of
//! it. The same bytes parse the same way wherever they are, so a hit gives exactly the
//! key, the check's answer and the parser's position that reading them would have given;
//! anything else (a key with an escape, a longer key, whitespace before the colon,
//! another order, the last 16 bytes of the input) is read as before and remembered
//! instead.
//!
//! Only keys are remembered, never values: a key repeats because the records share a
//! shape, a value only if the data happens to.

use crate::json::Parser;
use wide::u8x16;

/// Keys remembered per object: records rarely have more, and the memo stays small on
/// the stack.
const MEMO_KEYS: usize = 16;

/// A mask no compare can fill (its bit 16 is beyond a 16-lane bitmask): an empty slot.
const NEVER: u32 = 1 << 16;

/// One remembered key: the input bytes it was read from, quotes and colon included.
#[derive(Clone, Copy)]
struct Slot<'a> {
    text: [u8; 16],
    /// The bytes of `text` that must match, one bit each.
    mask: u32,
    len: u8,
    key: &'a str,
    /// The walker's verdict on the key: no check needed.
    plain: bool,
}

const EMPTY: Slot<'static> = Slot {
    text: [0; 16],
    mask: NEVER,
    len: 0,
    key: "",
    plain: false,
};

/// The keys of the last object read at this level of an array, by position.
pub(crate) struct KeyMemo<'a> {
    slots: [Slot<'a>; MEMO_KEYS],
}

impl<'a> KeyMemo<'a> {
    pub fn new() -> Self {
        KeyMemo {
            slots: [EMPTY; MEMO_KEYS],
        }
    }

    /// When the input at `p` holds the bytes key number `n` of the previous object was
    /// read from (its quotes and the colon after it): the parser moved past them, and the
    /// key with the walker's verdict on it.
    #[inline(always)]
    pub fn recall<const E: bool>(
        &self,
        n: usize,
        p: &mut Parser<'a, E>,
    ) -> Option<(&'a str, bool)> {
        let slot = self.slots.get(n)?;
        let window = p.window16(p.offset())?;
        let same = u8x16::new(*window)
            .simd_eq(u8x16::new(slot.text))
            .to_bitmask();
        if same & slot.mask != slot.mask {
            return None;
        }
        p.pass(usize::from(slot.len));
        Some((slot.key, slot.plain))
    }

    /// Remembers `key` as key number `n`, read from its quotes and a colon right after
    /// (`\"key\":` when `E`, the input being a JSON string's escaped text), with the
    /// walker's verdict `plain`. A key too long for one compare is not remembered (and
    /// the slot no longer matches anything).
    pub fn remember<const E: bool>(&mut self, n: usize, key: &'a str, plain: bool) {
        let Some(slot) = self.slots.get_mut(n) else {
            return;
        };
        let quote: &[u8] = if E { b"\\\"" } else { b"\"" };
        let len = 2 * quote.len() + key.len() + 1;
        if len > 16 {
            *slot = EMPTY;
            return;
        }
        let mut text = [0u8; 16];
        let mut at = 0;
        for part in [quote, key.as_bytes(), quote, b":"] {
            text[at..at + part.len()].copy_from_slice(part);
            at += part.len();
        }
        *slot = Slot {
            text,
            mask: (1 << len) - 1,
            len: len as u8,
            key,
            plain,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_recalled_only_from_the_same_bytes() {
        let text = r#"{"name":1}{"name":2}{"name":3}"#;
        let mut memo = KeyMemo::new();
        memo.remember::<false>(0, "name", true);
        let mut p: Parser<'_> = Parser::streaming(text);
        p.pass(1);
        assert_eq!(memo.recall(0, &mut p), Some(("name", true)));
        assert_eq!(p.offset(), 8, "past the colon");
        // Another position, an empty slot: nothing.
        p.pass(3);
        assert_eq!(memo.recall(1, &mut p), None);
        assert_eq!(memo.recall(0, &mut p), Some(("name", true)));
        // Whitespace before the colon, a longer key, a shorter one: not the same bytes.
        for other in [r#"{"name" :3}"#, r#"{"named":4}"#, r#"{"nam":5}"#] {
            let padded = format!("{other}{}", " ".repeat(16));
            let mut p: Parser<'_> = Parser::streaming(&padded);
            p.pass(1);
            assert_eq!(memo.recall(0, &mut p), None, "{other}");
            assert_eq!(p.offset(), 1);
        }
    }

    #[test]
    fn escaped_keys_are_recalled_with_their_escaped_quotes() {
        let raw = r#"{\"id\":1,\"id\":2,\"id\\\":3}, and some more bytes"#;
        let mut memo = KeyMemo::new();
        memo.remember::<true>(0, "id", false);
        let mut p = Parser::escaped(raw);
        p.pass(1);
        assert_eq!(memo.recall(0, &mut p), Some(("id", false)));
        assert_eq!(&raw[p.offset()..p.offset() + 1], "1");
        p.pass(2);
        assert_eq!(memo.recall(0, &mut p), Some(("id", false)));
        p.pass(2);
        assert_eq!(memo.recall(0, &mut p), None, "an escape inside the key");
    }

    #[test]
    fn keys_too_long_or_too_near_the_end_are_read_as_before() {
        let mut memo = KeyMemo::new();
        memo.remember::<false>(0, "abcdefghijklm", true);
        let text = r#"{"abcdefghijklm":1,"x":2}"#;
        let mut p: Parser<'_> = Parser::streaming(text);
        p.pass(1);
        assert_eq!(memo.recall(0, &mut p), Some(("abcdefghijklm", true)));
        // 14 bytes: with its quotes and colon one byte over a compare.
        memo.remember::<false>(0, "abcdefghijklmn", true);
        let text = r#"{"abcdefghijklmn":1,"x":2}"#;
        let mut p: Parser<'_> = Parser::streaming(text);
        p.pass(1);
        assert_eq!(memo.recall(0, &mut p), None);
        // Fewer than 16 bytes left in the input: no compare.
        memo.remember::<false>(0, "x", true);
        let text = r#"{"x":1}"#;
        let mut p: Parser<'_> = Parser::streaming(text);
        p.pass(1);
        assert_eq!(memo.recall(0, &mut p), None);
        // Beyond the memo's slots.
        memo.remember::<false>(MEMO_KEYS, "x", true);
        let text = r#"{"x":1,                  }"#;
        let mut p: Parser<'_> = Parser::streaming(text);
        p.pass(1);
        assert_eq!(memo.recall(MEMO_KEYS, &mut p), None);
    }
}
