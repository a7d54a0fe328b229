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
const TABLE_BITS: u32 = 14;
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