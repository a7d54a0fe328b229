// This module includes the auto-generated SQL data from build.rs

// perimeter patch: upstream's build.rs generated this data from ../libinjection-c (a git submodule of
// upstream's repository, absent from the published crate) and otherwise fell back to the committed
// copy. Outside upstream's repository it always fell back, so the build script is gone and the
// committed data is included unconditionally (same data, same behaviour, no serde_json build-dep).
include!("generated_data.rs");

// perimeter patch: keyword lookup without allocation. Upstream upper-cased every looked-up word
// into a new String and binary-searched the 9,352 keywords with memcmp (~13 string compares per
// word, and every word of every value is looked up, most of them twice). Now the word is
// upper-cased into a stack buffer while it is hashed, and found in an open-addressing table built
// at compile time. Equivalence: SQL_KEYWORDS is strictly sorted by bytes (asserted at compile time
// below), so upstream's binary search found an entry exactly when one is byte-equal to the
// upper-cased word, which is what the table answers. Words longer than the longest keyword (or
// empty) cannot be equal to any. Non-ASCII bytes are left as they are, as str::to_ascii_uppercase
// did, and no keyword has one (so an invalid UTF-8 word, which upstream's callers did not look up,
// is a Bareword here too).

/// Longest keyword, in bytes.
pub(crate) const MAX_KEYWORD_LEN: usize = max_keyword_len();
// perimeter patch (4): 2^15 slots (upstream port: 2^14), a quarter full instead of more than
// half: a word that is no keyword (most words) now probes ~1.5 slots instead of ~3.2.
const TABLE_BITS: u32 = 15;
const TABLE_MASK: usize = (1 << TABLE_BITS) - 1;
/// Slots: 0 is empty, otherwise index + 1 into SQL_KEYWORDS.
static KEYWORD_TABLE: [u16; 1 << TABLE_BITS] = build_keyword_table();

const fn max_keyword_len() -> usize {
    let mut max = 0;
    let mut i = 0;
    while i < SQL_KEYWORDS.len() {
        let n = SQL_KEYWORDS[i].word.len();
        if n > max {
            max = n;
        }
        i += 1;
    }
    max
}

/// `a < b` by bytes, as `str::cmp`.
const fn bytes_less(a: &[u8], b: &[u8]) -> bool {
    let mut i = 0;
    while i < a.len() && i < b.len() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
        i += 1;
    }
    a.len() < b.len()
}

const fn keywords_strictly_sorted() -> bool {
    let mut i = 1;
    while i < SQL_KEYWORDS.len() {
        if !bytes_less(SQL_KEYWORDS[i - 1].word.as_bytes(), SQL_KEYWORDS[i].word.as_bytes()) {
            return false;
        }
        i += 1;
    }
    true
}

// The hash table answers as the binary search did only over a strictly sorted table.
const _: () = assert!(keywords_strictly_sorted());
const _: () = assert!(SQL_KEYWORDS.len() < (1 << TABLE_BITS) / 3 * 2 && SQL_KEYWORDS.len() < u16::MAX as usize);
const _: () = assert!(MAX_KEYWORD_LEN <= 32);

const HASH_SEED: u64 = 0xcbf2_9ce4_8422_2325;

#[inline(always)]
const fn hash_step(h: u64, b: u8) -> u64 {
    (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
}

#[inline(always)]
const fn hash_slot(h: u64) -> usize {
    ((h ^ (h >> 29)) as usize) & TABLE_MASK
}

const fn build_keyword_table() -> [u16; 1 << TABLE_BITS] {
    let mut table = [0u16; 1 << TABLE_BITS];
    let mut i = 0;
    while i < SQL_KEYWORDS.len() {
        let w = SQL_KEYWORDS[i].word.as_bytes();
        let mut h = HASH_SEED;
        let mut j = 0;
        while j < w.len() {
            h = hash_step(h, w[j]);
            j += 1;
        }
        let mut slot = hash_slot(h);
        while table[slot] != 0 {
            slot = (slot + 1) & TABLE_MASK;
        }
        table[slot] = (i + 1) as u16;
        i += 1;
    }
    table
}

/// [`lookup_word`] on bytes: the token type of the keyword equal to `word` upper-cased (ASCII
/// letters only), `Bareword` when there is none.
#[inline]
pub fn lookup_word_bytes(word: &[u8]) -> TokenType {
    let n = word.len();
    if n == 0 || n > MAX_KEYWORD_LEN {
        return TokenType::Bareword;
    }
    // perimeter patch (4): most words are no keyword; KEY_FILTER rejects most of those
    // before the word is upper-cased and hashed.
    if !may_be_keyword(n, word[0].to_ascii_uppercase(), word[n - 1].to_ascii_uppercase()) {
        return TokenType::Bareword;
    }
    lookup_in_table(word)
}

/// The table lookup of `lookup_word_bytes` (1 <= word.len() <= MAX_KEYWORD_LEN).
// perimeter patch (4): out of line, so that the filter above inlines into its callers.
#[inline(never)]
fn lookup_in_table(word: &[u8]) -> TokenType {
    let n = word.len();
    let mut buf = [0u8; 32];
    let mut h = HASH_SEED;
    for (dst, &b) in buf.iter_mut().zip(word) {
        let u = b.to_ascii_uppercase();
        *dst = u;
        h = hash_step(h, u);
    }
    let upper = &buf[..n];
    let mut slot = hash_slot(h);
    loop {
        let entry = KEYWORD_TABLE[slot] as usize;
        if entry == 0 {
            return TokenType::Bareword;
        }
        let k = &SQL_KEYWORDS[entry - 1];
        if k.word.as_bytes() == upper {
            return keyword_token_type(k.token_type);
        }
        slot = (slot + 1) & TABLE_MASK;
    }
}

// perimeter patch (4): a filter in front of the table. Bit `key_bit(len, first, last)` is set
// for every keyword (its length, first and last byte). A word equal to a keyword once
// upper-cased has that keyword's length, first and last byte once upper-cased, so a clear bit
// means no keyword is equal: `Bareword`, as the table would answer. (Other triples can share a
// bit; they are then looked up as before.) 2^16 bits, ~900 of them set.
static KEY_FILTER: [u64; 1 << 10] = build_key_filter();

#[inline(always)]
const fn key_bit(len: usize, first: u8, last: u8) -> usize {
    let key = (len as u32) | (first as u32) << 8 | (last as u32) << 16;
    (key.wrapping_mul(0x9e37_79b1) >> 16) as usize
}

const fn build_key_filter() -> [u64; 1 << 10] {
    let mut filter = [0u64; 1 << 10];
    let mut i = 0;
    while i < SQL_KEYWORDS.len() {
        let w = SQL_KEYWORDS[i].word.as_bytes();
        if !w.is_empty() {
            let bit = key_bit(w.len(), w[0], w[w.len() - 1]);
            filter[bit >> 6] |= 1 << (bit & 63);
        }
        i += 1;
    }
    filter
}

/// False when no keyword has length `len`, first byte `first` and last byte `last`.
#[inline(always)]
fn may_be_keyword(len: usize, first: u8, last: u8) -> bool {
    let bit = key_bit(len, first, last);
    KEY_FILTER[bit >> 6] >> (bit & 63) & 1 != 0
}

// perimeter patch: a filter for `fold_tokens`' two-word merge, which looks up "A B" (A's and B's
// values joined by a space) for every pair of adjacent words. Bit `n` of MERGE_FIRST[c] is set
// when some keyword has a space at byte `n` and starts with byte `c`. If "A B" upper-cased equals a
// keyword k, then k[..len A] is A upper-cased and k[len A] is a space, so the bit for (A's first
// byte upper-cased, len A) is set: a clear bit means the lookup would answer `Bareword`.
static MERGE_FIRST: [u32; 256] = build_merge_first();

const fn build_merge_first() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < SQL_KEYWORDS.len() {
        let w = SQL_KEYWORDS[i].word.as_bytes();
        let mut j = 1;
        while j < w.len() {
            if w[j] == b' ' {
                table[w[0] as usize] |= 1 << j;
            }
            j += 1;
        }
        i += 1;
    }
    table
}

/// False when no keyword starts with `first` upper-cased followed by a space, i.e. when
/// `lookup_word_bytes` of `first`, a space and anything is `Bareword` (see MERGE_FIRST).
#[inline]
pub(crate) fn may_start_two_words(first: &[u8]) -> bool {
    match first.first() {
        // A keyword starting with a space would have bit 0 of its first byte's entry; none
        // does (j starts at 1 above), and an empty first word is left to the lookup.
        None => true,
        Some(&c) => first.len() < 32 && MERGE_FIRST[c.to_ascii_uppercase() as usize] >> first.len() & 1 != 0,
    }
}

// Additional helper functions can be added here
impl CharType {
    pub fn is_white(&self) -> bool {
        matches!(self, CharType::White)
    }
    
    pub fn is_word(&self) -> bool {
        matches!(self, CharType::Word | CharType::BWord)
    }
    
    pub fn is_string_start(&self) -> bool {
        matches!(self, CharType::String | CharType::BString | CharType::EString | 
                      CharType::NQString | CharType::QString | 
                      CharType::UString | CharType::XString)
    }
    
    pub fn is_operator(&self) -> bool {
        matches!(self, CharType::Op1 | CharType::Op2 | CharType::Unary)
    }
    
    pub fn is_number(&self) -> bool {
        matches!(self, CharType::Number)
    }
}

// Helper for getting character type
pub fn get_char_type(ch: u8) -> CharType {
    CHAR_MAP[ch as usize]
}