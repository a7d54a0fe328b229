//! The prefilter's keyword automaton as a flat table walked by hand.
//!
//! The automaton itself is `aho-corasick`'s DFA over every trigger word; this module copies
//! it once into a table shaped for the one loop that runs over every byte of every value.
//! A step is five instructions, each with its load folded in where x86 allows: read the
//! byte, OR its special-character bits into the value's, add its input class to the
//! (premultiplied) state, mask the sum to the table's power-of-two size (no bounds check),
//! load the next state; a flag in the state's sign bit says "match state", one test and a
//! branch that is almost never taken, to an out-of-line handler. Walking the library's DFA
//! through its generic `Automaton` interface cost about 21 instructions per byte; this loop
//! costs about 8 to 10, for the same matches (a test walks both over the corpora and random
//! bytes and compares).
//!
//! The table's states are the library's times one bit, "the byte before this state's text
//! is a word byte", so that a word pattern (a SQL or command word, which only counts on its
//! own) found inside a longer word (`or` in `morning`, `tail` in `retail`) leaves the loop
//! in a state that is no match state. Those were most of the matches in clean text, each a
//! call out of the loop: on the bench body's records they fell from 7 to 3 per record, and
//! the values' scan from 0.95 to 0.88 ms. The bit doubles only the states whose text begins
//! a word pattern (1,662 states became 2,605).
//!
//! The right side of a whole word (a SQL or command word, not a prefix such as `sp_`) is
//! decided by the byte after it, so its state does not call out; the edges that leave it on
//! a byte that is no word byte do ([`AFTER_WORD_FLAG`]), and the handler finds the word
//! again from the text (and the end of the text is checked once). `del` in `delivery` and
//! `user` in `user17@example.com` were two of the bench record's three calls; 4% fewer
//! instructions on the bench body.
//!
//! Each step waits for the previous one's load: a value of a dozen bytes or more is walked
//! as two overlapping halves side by side ([`KeywordTable::walk_halves`]), which costs a few
//! instructions more than one walk but takes about half the time in a row; one walk per
//! value was clearly slower on the bench body (2.60 ms against 2.29 ms). From 24 bytes, three
//! parts ([`KeywordTable::walk_thirds`]): 1% faster on the bench body, whose notes are 58
//! bytes; from 16 bytes they were 10% slower (the set-up and the second meeting outweigh
//! the shorter chains), and four parts from 32 bytes were faster or slower from one run to
//! the next.

use aho_corasick::Anchored;
use aho_corasick::automaton::Automaton as _;
use aho_corasick::dfa::DFA;

/// Entries of [`KeywordTable::tables`]: a power of two, so that an index masked to it needs
/// no bounds check (one `and` instead of a compare and a branch on every byte). 1 MiB of
/// `u32`; only the rows of the states a text visits are read.
const TRANS_LEN: usize = 1 << 18;
const TRANS_MASK: usize = TRANS_LEN - 1;

/// Where [`KeywordTable::tables`] keeps the per-byte pairs, and the transitions.
const BYTES_AT: usize = 0;
const TRANS_AT: usize = 512;
const TABLES_LEN: usize = TRANS_AT + TRANS_LEN;

/// Marks a next state in [`KeywordTable::tables`] as a match state: above [`TRANS_MASK`], so
/// the mask that makes the next index drops it, and the sign bit of a `u32`, so testing for
/// it is one instruction.
const MATCH_FLAG: u32 = 1 << 31;

/// Bytes a walk steps over per turn of its loop.
const BLOCK: usize = 4;

/// Where a state in [`KeywordTable::tables`] keeps its depth, the length of the text it
/// stands for (the longest end of what was read that some pattern starts with): between
/// the index bits and [`MATCH_FLAG`], so the mask drops it too.
const DEPTH_SHIFT: u32 = 24;
const DEPTH_MASK: u32 = 0x7f;
const _: () = assert!(TRANS_MASK < 1 << DEPTH_SHIFT && (DEPTH_MASK << DEPTH_SHIFT) < MATCH_FLAG);

/// Marks an edge in [`KeywordTable::tables`] that leaves a state with whole words
/// ([`KeywordTable::whole_of`]) on a byte that is no word byte: the whole word that ended
/// just before, if any, is reported then ([`KeywordTable::word_before`]), not when its
/// state was reached, because only then is it known to end at a boundary (`del` in
/// `del x`, not in `delivery`). Set with [`MATCH_FLAG`], so the loops call out for it.
const AFTER_WORD_FLAG: u32 = 1 << 23;

/// Marks a next state that has whole words: at the end of the text (a boundary) they are
/// reported.
const ENDS_WORD_FLAG: u32 = 1 << 22;
const _: () = assert!(TRANS_MASK < ENDS_WORD_FLAG as usize && AFTER_WORD_FLAG < 1 << DEPTH_SHIFT);

/// How many bytes the two parts of [`KeywordTable::walk_halves`] share at least: more
/// makes them longer, fewer makes the first walk go on alone more often.
const OVERLAP: usize = 2;

/// Shortest text walked as two halves ([`KeywordTable::walk_halves`]).
const TWO_HALVES_MIN: usize = 12;

/// Shortest text walked as three parts ([`KeywordTable::walk_thirds`]).
const THIRDS_MIN: usize = 24;

/// Walks side by side over a long text (see [`KeywordTable::scan`]).
const LANES: usize = 4;

/// Shortest text that may be walked in [`LANES`] (shorter ones never are: their pieces
/// would be shorter than a walk's warmup).
const LANES_MIN: usize = LANES * LANES * 16;

/// What a pattern ending at a match state means.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WordMatch {
    /// The pattern's length in bytes.
    pub len: usize,
    /// A prefix (only its left side must be a word boundary).
    pub prefix: bool,
    /// The pattern index, for the caller's own meaning of it.
    pub pattern: usize,
}

/// The matches of one match state.
#[derive(Debug, Clone, Copy)]
struct StateMatches {
    /// Groups of the patterns that count wherever they occur.
    groups: u32,
    /// Range in [`KeywordTable::words`] of the patterns that need a word-boundary check.
    words: (u32, u32),
}

pub(crate) struct KeywordTable {
    /// The two tables every step reads, in one allocation, so that one register holds the
    /// address of both in the walks' loops (two took one more than the loops have to
    /// spare: a reload from the stack on every turn):
    /// - from [`BYTES_AT`], per byte: its special-character class bits and its input
    ///   class. Two words, not one packed word, so that each is one instruction with its
    ///   load folded in: one ORs into the classes, the other adds to the state; side by
    ///   side, so that both are found from the byte without a shift (x86 scales an index
    ///   by 8);
    /// - from [`TRANS_AT`], `trans[state + input class]`: the next state, states
    ///   premultiplied by the row length, with its depth `<< DEPTH_SHIFT` and
    ///   [`MATCH_FLAG`] if it is a match state; zero past the last state.
    tables: Box<[u32; TABLES_LEN]>,
    /// The number of the first match state (they are numbered last, after the others).
    first_match: usize,
    /// log2 of the row length (a power of two).
    shift: u32,
    matches: Vec<StateMatches>,
    words: Vec<WordMatch>,
    /// By state number: the range in `whole_words` of the state's words that count only
    /// as whole words, a boundary on both sides (the SQL and command words, not the
    /// prefixes), reported on the next byte if it is no word byte ([`AFTER_WORD_FLAG`]) or
    /// at the text's end ([`ENDS_WORD_FLAG`]).
    whole_of: Vec<(u32, u32)>,
    whole_words: Vec<WordMatch>,
    /// The longest whole word.
    whole_max: usize,
    /// Per byte: a word byte.
    word: [bool; 256],
    /// The longest pattern's length (the deepest state stands for a whole pattern and the
    /// byte before it, so it is decided by `warmup + 1` bytes): how far before a point a
    /// walk must start for its state there to be exact.
    warmup: usize,
}

/// What one pass over a text found: its special-character classes, the groups of the
/// patterns found anywhere, and the patterns that need a word-boundary check, each with
/// the offset of its last byte.
impl KeywordTable {
    /// Copies `dfa` (built over patterns of which those with index `< plain` count
    /// anywhere, with their `groups[index]`, and the others are words: they need a boundary
    /// check; those from `prefix_from` on are prefixes). `class_of` gives each byte's
    /// special classes, `word` whether it is a word byte. `None` when the automaton does not
    /// fit the table (more than 127 input classes, or more than [`TRANS_LEN`] transitions).
    ///
    /// The table is the library's automaton times one bit: whether the byte before the
    /// state's text (the longest end of what was read that some pattern starts with) is a
    /// word byte. A word found inside a longer word (`or` in `morning`) then never makes a
    /// match state, so it costs no call out of the loop; every word the table does report
    /// still gets the caller's full boundary check.
    pub fn build(
        dfa: &DFA,
        patterns: &[&str],
        groups: &[u32],
        prefix_from: usize,
        class_of: &[u32; 256],
        word: &[bool; 256],
    ) -> Option<KeywordTable> {
        let (input, reps) = input_classes(patterns, word)?;
        // Rows padded to a power of two: a match state's index is then a shift away.
        let stride = reps.len().next_power_of_two();
        // Padding columns are never read; they repeat class 0 (a non-word byte).
        let rep = |c: usize| reps.get(c).copied().unwrap_or(reps[0]);
        let words_at = |c: usize| word[usize::from(rep(c))];
        let auto = Explored::explore(dfa, stride, &rep, &words_at)?;

        // The states whose text begins some word pattern: only theirs needs the bit (the
        // others keep it clear, so that they are one state, not two).
        let mut begins_word = vec![false; auto.len()];
        begins_word[0] = true;
        for p in patterns.get(groups.len()..).unwrap_or(&[]) {
            let mut k = 0;
            for &b in p.as_bytes() {
                k = auto.edges[k * stride + usize::from(input[usize::from(b)])] as usize;
                begins_word[k] = true;
            }
        }

        // The product's states, breadth first from (start, clear): at the start of a text
        // no word byte comes before.
        let mut order: Vec<(usize, bool)> = vec![(0, false)];
        let mut seen: Vec<u32> = vec![u32::MAX; auto.len() * 2];
        seen[0] = 0;
        let mut edges: Vec<u32> = Vec::with_capacity(auto.len() * stride);
        let mut i = 0;
        while i < order.len() {
            let (k, bit) = order[i];
            let d = auto.depth[k];
            for c in 0..stride {
                let e = auto.edges[k * stride + c] as usize;
                let de = auto.depth[e];
                // The byte before `e`'s text: unchanged if the text grew by this byte,
                // else a byte of `k`'s text followed by this one (`de <= d`).
                let after_word = begins_word[e]
                    && if de == d + 1 {
                        bit
                    } else if de > 0 {
                        auto.text_words[k] >> (d - de) & 1 != 0
                    } else {
                        words_at(c)
                    };
                let key = e * 2 + usize::from(after_word);
                if seen[key] == u32::MAX {
                    seen[key] = u32::try_from(order.len()).ok()?;
                    order.push((e, after_word));
                }
                edges.push(seen[key]);
            }
            i += 1;
        }

        if order.len() * stride > TRANS_LEN {
            return None;
        }

        // Each product state's matches: the groups of its automaton state, and those of its
        // words that begin after a non-word byte (or at the text's start); of these, the
        // whole words (made of word bytes only, not prefixes) apart.
        let is_whole = |p: usize| {
            p < prefix_from
                && patterns
                    .get(p)
                    .is_some_and(|w| w.bytes().all(|b| word[usize::from(b)]))
        };
        let mut words = Vec::new();
        let mut whole_words = Vec::new();
        let mut whole_range: Vec<(u32, u32)> = Vec::with_capacity(order.len());
        let mut found: Vec<Option<StateMatches>> = Vec::with_capacity(order.len());
        for &(k, after_word) in &order {
            let sid = auto.order[k];
            let whole_from = u32::try_from(whole_words.len()).ok()?;
            if !(dfa.is_special(sid) && dfa.is_match(sid)) {
                found.push(None);
                whole_range.push((whole_from, whole_from));
                continue;
            }
            let from = words.len();
            let mut g = 0;
            let d = auto.depth[k] as usize;
            for m in 0..dfa.match_len(sid) {
                let pid = dfa.match_pattern(sid, m);
                let p = pid.as_usize();
                if let Some(group) = groups.get(p) {
                    g |= group;
                    continue;
                }
                let len = dfa.pattern_len(pid);
                let inside_a_word = if len < d {
                    auto.text_words[k] >> (d - len - 1) & 1 != 0
                } else {
                    after_word
                };
                if !inside_a_word {
                    let w = WordMatch {
                        len,
                        prefix: p >= prefix_from,
                        pattern: p,
                    };
                    if is_whole(p) {
                        whole_words.push(w);
                    } else {
                        words.push(w);
                    }
                }
            }
            found.push((g != 0 || words.len() > from).then_some(StateMatches {
                groups: g,
                words: (u32::try_from(from).ok()?, u32::try_from(words.len()).ok()?),
            }));
            whole_range.push((whole_from, u32::try_from(whole_words.len()).ok()?));
        }
        let has_whole = |i: usize| whole_range[i].0 < whole_range[i].1;

        // Dense numbering: states without matches first (the start state stays 0).
        let mut dense = vec![0usize; order.len()];
        let mut next_id = 0;
        for pass in [false, true] {
            for (i, f) in found.iter().enumerate() {
                if f.is_some() == pass {
                    dense[i] = next_id;
                    next_id += 1;
                }
            }
        }
        let first_match = found.iter().filter(|f| f.is_none()).count();
        let premultiplied = |d: usize| u32::try_from(d * stride).ok().filter(|&p| p < MATCH_FLAG);
        // How many last bytes decide a state: its text, and the byte before if its bit is set.
        let depth = |i: usize| auto.depth[order[i].0] + u32::from(order[i].1);
        if (0..order.len()).any(|i| depth(i) > DEPTH_MASK) {
            return None;
        }
        let mut tables: Box<[u32; TABLES_LEN]> =
            vec![0u32; TABLES_LEN].into_boxed_slice().try_into().ok()?;
        for b in 0..256 {
            tables[BYTES_AT + 2 * b] = class_of[b];
            tables[BYTES_AT + 2 * b + 1] = u32::from(input[b]);
        }
        let trans = &mut tables[TRANS_AT..];
        let mut matches = vec![
            StateMatches {
                groups: 0,
                words: (0, 0)
            };
            order.len() - first_match
        ];
        // What an edge into each state stores, computed once per state, not per edge.
        let entry: Vec<u32> = (0..order.len())
            .map(|e| {
                let next = dense[e];
                let flag = if next >= first_match { MATCH_FLAG } else { 0 };
                let ends = if has_whole(e) { ENDS_WORD_FLAG } else { 0 };
                Some(premultiplied(next)? | depth(e) << DEPTH_SHIFT | flag | ends)
            })
            .collect::<Option<_>>()?;
        let mut whole_of = vec![(0, 0); order.len()];
        for i in 0..order.len() {
            let d = dense[i];
            let row = &mut trans[d * stride..(d + 1) * stride];
            let edges = &edges[i * stride..(i + 1) * stride];
            for (c, (slot, &e)) in row.iter_mut().zip(edges).enumerate() {
                // Leaving a state with whole words on a byte that is no word byte.
                let after = if has_whole(i) && !words_at(c) {
                    AFTER_WORD_FLAG | MATCH_FLAG
                } else {
                    0
                };
                *slot = entry[e as usize] | after;
            }
            if let Some(m) = found[i] {
                matches[d - first_match] = m;
            }
            whole_of[d] = whole_range[i];
        }
        Some(KeywordTable {
            tables,
            first_match,
            shift: stride.trailing_zeros(),
            // The deepest state is a whole pattern and the byte before it.
            warmup: patterns.iter().map(|p| p.len()).max()?,
            matches,
            words,
            whole_max: whole_words.iter().map(|w| w.len).max().unwrap_or(0),
            whole_of,
            whole_words,
            word: *word,
        })
    }

    /// One pass over `bytes`: returns the OR of their special classes and of the groups of
    /// the patterns found anywhere; `on_word(word, end)` is called for each occurrence of a
    /// pattern that needs a boundary check, `end` being the offset of its last byte (an
    /// occurrence may be reported twice; callers only OR what they learn).
    ///
    /// Each step of a DFA waits for the previous one's load, so one walk cannot go faster
    /// than a load's latency per byte; a long text is cut in [`LANES`] pieces walked side
    /// by side ([`KeywordTable::scan_lanes`]).
    #[inline(always)]
    pub fn scan(&self, bytes: &[u8], mut on_word: impl FnMut(&WordMatch, usize)) -> (u32, u32) {
        let mut found = Found::default();
        let last = if bytes.len() < TWO_HALVES_MIN {
            self.walk(bytes, 0, bytes.len(), 0, &mut found, &mut on_word)
        } else if bytes.len() < THIRDS_MIN {
            self.walk_halves(bytes, &mut found, &mut on_word)
        } else if bytes.len() < LANES_MIN {
            self.walk_thirds(bytes, &mut found, &mut on_word)
        } else {
            self.scan_lanes(bytes, &mut found, &mut on_word)
        };
        if last & ENDS_WORD_FLAG != 0 {
            self.words_at_end(last, bytes.len(), &mut on_word);
        }
        (found.class, found.groups)
    }

    /// [`KeywordTable::scan`] for a long text: [`LANES`] walks side by side, each over a
    /// piece (or one walk if the pieces would be too short for their warmup to pay). A
    /// piece's walk starts [`KeywordTable::warmup`] bytes before the piece, so its state is
    /// exact from the piece's first byte on (a state depends only on the last `warmup + 1`
    /// bytes), and whatever it reports before that is a real occurrence too (a word it
    /// reports may be inside a longer one, which the caller's boundary check rejects).
    /// Returns the state at the end of the text.
    #[inline(never)]
    fn scan_lanes(
        &self,
        bytes: &[u8],
        found: &mut Found,
        on_word: &mut impl FnMut(&WordMatch, usize),
    ) -> u32 {
        let q = bytes.len() / LANES;
        if q < LANES * self.warmup.max(16) {
            return self.walk(bytes, 0, bytes.len(), 0, found, on_word);
        }
        let start: [usize; LANES] = std::array::from_fn(|k| (k * q).saturating_sub(self.warmup));
        let mut st = [0u32; LANES];
        let mut class = 0u32;
        // Every lane walks at least `q` bytes: side by side for those.
        for t in 0..q {
            for k in 0..LANES {
                let i = start[k] + t;
                st[k] = self.step(st[k], bytes[i], &mut class);
                if st[k] & MATCH_FLAG != 0 {
                    found.groups |= self.matched(st[k], i, bytes, on_word);
                }
            }
        }
        found.class |= class;
        // Then each lane to the end of its piece, alone; the last one's state is the
        // text's end's.
        let mut last = 0;
        for k in 0..LANES {
            let end = if k + 1 == LANES {
                bytes.len()
            } else {
                (k + 1) * q
            };
            last = self.walk(bytes, start[k] + q, end, st[k], found, on_word);
        }
        last
    }

    /// [`KeywordTable::scan`] for a short text: two walks side by side, for half the load
    /// latencies in a row, over two parts of one length that overlap by at least
    /// [`OVERLAP`] bytes: the first from the start, the second (from the start state) to
    /// the end. If the first walk's final state stands for a text (its depth) no longer
    /// than the overlap, the second walk, having read that text, was in that same state
    /// there, exact from there on; what it reported before is a real occurrence too.
    /// Otherwise (the bytes before the end of the first part begin a long pattern) the
    /// first walk goes on alone until the second one has read its state's text too.
    ///
    /// Returns the state at the end of the text: the second walk's, or the first's if it
    /// had to go on to the end.
    #[inline(always)]
    fn walk_halves(
        &self,
        bytes: &[u8],
        found: &mut Found,
        on_word: &mut impl FnMut(&WordMatch, usize),
    ) -> u32 {
        let n = (bytes.len() + OVERLAP).div_ceil(2);
        // Two parts of `n` bytes (`n` is at most the length from 2 bytes on): one bounds
        // check, and a loop of a known count.
        let Some(from) = bytes.len().checked_sub(n) else {
            return self.walk(bytes, 0, bytes.len(), 0, found, on_word);
        };
        let (head, tail) = (&bytes[..n], &bytes[from..from + n]);
        let (mut a, mut b) = (0u32, 0u32);
        let mut class = 0;
        let mut groups = 0;
        for (t, (&x, &y)) in head.iter().zip(tail).enumerate() {
            a = self.step(a, x, &mut class);
            b = self.step(b, y, &mut class);
            if ((a | b) as i32) < 0 {
                groups |= self.matched_pair(a, t, b, from + t, bytes, on_word);
            }
        }
        found.class |= class;
        found.groups |= groups;
        self.walk_until_met(bytes, n, a, from, found, on_word)
            .unwrap_or(b)
    }

    /// [`KeywordTable::walk_halves`] in three parts of one length, for a longer text: the
    /// first from the start, the third to the end, the second in the middle, each pair
    /// overlapping by at least [`OVERLAP`] bytes (the parts are `(len + 2 * OVERLAP) / 3`
    /// long, rounded up). The first walk goes on until the second has read its state's
    /// text, the second until the third has; the third's state (or the second's, if it
    /// had to go on to the end) is the state at the end of the text.
    #[inline(always)]
    fn walk_thirds(
        &self,
        bytes: &[u8],
        found: &mut Found,
        on_word: &mut impl FnMut(&WordMatch, usize),
    ) -> u32 {
        let len = bytes.len();
        let n = (len + 2 * OVERLAP).div_ceil(3);
        let Some(last) = len.checked_sub(n) else {
            return self.walk(bytes, 0, len, 0, found, on_word);
        };
        let mid = last / 2;
        let (p0, p1, p2) = (&bytes[..n], &bytes[mid..mid + n], &bytes[last..last + n]);
        let (mut a, mut b, mut c) = (0u32, 0u32, 0u32);
        let mut class = 0;
        let mut groups = 0;
        for (t, ((&x, &y), &z)) in p0.iter().zip(p1).zip(p2).enumerate() {
            a = self.step(a, x, &mut class);
            b = self.step(b, y, &mut class);
            c = self.step(c, z, &mut class);
            if ((a | b | c) as i32) < 0 {
                // (State 0, the start, is no match state: the pair's second half is idle.)
                groups |= self.matched_pair(a, t, b, mid + t, bytes, on_word);
                groups |= self.matched_pair(c, last + t, 0, 0, bytes, on_word);
            }
        }
        found.class |= class;
        found.groups |= groups;
        // If the first walk goes on to the end, the state there is the later walks' too.
        let _ = self.walk_until_met(bytes, n, a, mid, found, on_word);
        self.walk_until_met(bytes, mid + n, b, last, found, on_word)
            .unwrap_or(c)
    }

    /// Goes on with a walk in state `st` from offset `at` of `bytes` until the walk that
    /// started at offset `next` from the start state (and walks to the end) has read the
    /// text the state stands for, and so is in the same state. Returns the walk's state
    /// if it reached the end of `bytes` first.
    #[inline(always)]
    fn walk_until_met(
        &self,
        bytes: &[u8],
        at: usize,
        mut st: u32,
        next: usize,
        found: &mut Found,
        on_word: &mut impl FnMut(&WordMatch, usize),
    ) -> Option<u32> {
        let mut i = at;
        while (st >> DEPTH_SHIFT & DEPTH_MASK) as usize > i - next {
            let Some(&x) = bytes.get(i) else {
                return Some(st);
            };
            st = self.step(st, x, &mut found.class);
            if st & MATCH_FLAG != 0 {
                found.groups |= self.matched(st, i, bytes, on_word);
            }
            i += 1;
        }
        None
    }

    /// [`KeywordTable::matched`] for the two walks of [`KeywordTable::walk_halves`], either
    /// of which (or both) reached a match state.
    // Cold, like `matched`: the loops that call it then keep their pointers and states in
    // registers and spill them only around a call, not on every byte (−4% instructions on
    // the clean bench body).
    #[cold]
    #[inline(never)]
    fn matched_pair(
        &self,
        a: u32,
        end_a: usize,
        b: u32,
        end_b: usize,
        text: &[u8],
        on_word: &mut impl FnMut(&WordMatch, usize),
    ) -> u32 {
        let mut groups = 0;
        for (st, end) in [(a, end_a), (b, end_b)] {
            if st & MATCH_FLAG != 0 {
                groups |= self.matched(st, end, text, on_word);
            }
        }
        groups
    }

    /// One walk over `text[from..to]` from state `st`: returns the state after it. Its
    /// loop holds only steps; a match calls the out-of-line [`KeywordTable::matched`], so
    /// the loop keeps its state in registers.
    #[inline(always)]
    fn walk(
        &self,
        text: &[u8],
        from: usize,
        to: usize,
        mut st: u32,
        found: &mut Found,
        on_word: &mut impl FnMut(&WordMatch, usize),
    ) -> u32 {
        let Some(part) = text.get(from..to) else {
            return st;
        };
        let mut class = 0;
        let mut groups = 0;
        let (blocks, tail) = part.as_chunks::<BLOCK>();
        for (k, block) in blocks.iter().enumerate() {
            for (j, &x) in block.iter().enumerate() {
                st = self.step(st, x, &mut class);
                if st & MATCH_FLAG != 0 {
                    groups |= self.matched(st, from + k * BLOCK + j, text, on_word);
                }
            }
        }
        let offset = from + blocks.len() * BLOCK;
        for (j, &x) in tail.iter().enumerate() {
            st = self.step(st, x, &mut class);
            if st & MATCH_FLAG != 0 {
                groups |= self.matched(st, offset + j, text, on_word);
            }
        }
        found.class |= class;
        found.groups |= groups;
        st
    }

    /// One step of a walk: the state after state `st` reads byte `x`, whose special
    /// classes go into `class`.
    #[inline(always)]
    fn step(&self, st: u32, x: u8, class: &mut u32) -> u32 {
        let x = usize::from(x);
        let t = &*self.tables;
        *class |= t[BYTES_AT + 2 * x];
        // The state's match flag is above the mask (and no add carries into it).
        let i = t[BYTES_AT + 2 * x + 1];
        t[TRANS_AT + (st.wrapping_add(i) as usize & TRANS_MASK)]
    }

    /// The groups of match state `st` (reached at offset `end` of `text`), reporting its
    /// words, and the whole word before `end` if `st` was reached leaving one.
    #[cold]
    #[inline(never)]
    fn matched(
        &self,
        st: u32,
        end: usize,
        text: &[u8],
        on_word: &mut impl FnMut(&WordMatch, usize),
    ) -> u32 {
        if st & AFTER_WORD_FLAG != 0 {
            self.word_before(end, text, on_word);
        }
        let number = (st as usize & TRANS_MASK) >> self.shift;
        let Some(m) = number
            .checked_sub(self.first_match)
            .and_then(|k| self.matches.get(k))
        else {
            return 0;
        };
        for w in self
            .words
            .get(m.words.0 as usize..m.words.1 as usize)
            .unwrap_or(&[])
        {
            on_word(w, end);
        }
        m.groups
    }

    /// At offset `end` of `text`, a byte that is no word byte read leaving a state with
    /// whole words: reports the whole word that ends just before it, if the word bytes
    /// there are one. The state that had it is gone, so the word is found again: the run
    /// of word bytes before `end` (a whole word begins and ends at a boundary, so it is
    /// all of that run), walked from the start state.
    fn word_before(&self, end: usize, text: &[u8], on_word: &mut impl FnMut(&WordMatch, usize)) {
        let mut start = end;
        while start > 0
            && text
                .get(start - 1)
                .is_some_and(|&b| self.word[usize::from(b)])
        {
            start -= 1;
            if end - start > self.whole_max {
                return;
            }
        }
        let Some(run) = text.get(start..end).filter(|r| !r.is_empty()) else {
            return;
        };
        let mut class = 0;
        let st = run.iter().fold(0u32, |st, &x| self.step(st, x, &mut class));
        for w in self.whole_words_of(st) {
            if w.len == run.len() {
                on_word(w, end - 1);
            }
        }
    }

    /// At the end of a text of `len` bytes, in state `st` (which has whole words): they
    /// end at a boundary, the text's end.
    #[cold]
    #[inline(never)]
    fn words_at_end(&self, st: u32, len: usize, on_word: &mut impl FnMut(&WordMatch, usize)) {
        for w in self.whole_words_of(st) {
            on_word(w, len - 1);
        }
    }

    /// The whole words of state `st` that begin after a boundary.
    fn whole_words_of(&self, st: u32) -> &[WordMatch] {
        let number = (st as usize & TRANS_MASK) >> self.shift;
        self.whole_of
            .get(number)
            .and_then(|&(a, b)| self.whole_words.get(a as usize..b as usize))
            .unwrap_or(&[])
    }
}

/// Input classes: every byte some pattern holds (either case: the automaton is ASCII
/// case-insensitive) is its own class; the other bytes behave the same in every state (no
/// pattern continues with them), and are two classes, word bytes and the rest (class 0).
/// Returns each byte's class and each class's representative byte.
fn input_classes(patterns: &[&str], word: &[bool; 256]) -> Option<([u8; 256], Vec<u8>)> {
    let mut input = [0u8; 256];
    let mut reps = vec![0u8];
    let mut add = |bytes: &mut dyn Iterator<Item = u8>, rep: u8, input: &mut [u8; 256]| {
        let c = u8::try_from(reps.len()).ok().filter(|&c| c < 128)?;
        for b in bytes {
            input[usize::from(b)] = c;
        }
        reps.push(rep);
        Some(())
    };
    for p in patterns {
        for &b in p.as_bytes() {
            let l = b.to_ascii_lowercase();
            if input[usize::from(l)] == 0 {
                add(&mut [l, l.to_ascii_uppercase()].into_iter(), l, &mut input)?;
            }
        }
    }
    let unused_words: Vec<u8> = (0..=255u8)
        .filter(|&b| input[usize::from(b)] == 0 && word[usize::from(b)])
        .collect();
    if let Some(&rep) = unused_words.first() {
        add(&mut unused_words.iter().copied(), rep, &mut input)?;
    }
    // A byte in no pattern and no word byte stands for class 0.
    reps[0] = (0..=255u8).find(|&b| input[usize::from(b)] == 0)?;
    Some((input, reps))
}

/// The library's automaton explored from its unanchored start, states numbered breadth
/// first (the start is 0).
struct Explored {
    /// The library's id of each state.
    order: Vec<aho_corasick::automaton::StateID>,
    /// `edges[state * stride + class]`: the next state.
    edges: Vec<u32>,
    /// The length of each state's text.
    depth: Vec<u32>,
    /// Per state, bit `i`: whether byte `i` of its text is a word byte.
    text_words: Vec<u128>,
}

impl Explored {
    /// `rep(class)` is a byte of each input class, `is_word(class)` whether its bytes are
    /// word bytes.
    fn explore(
        dfa: &DFA,
        stride: usize,
        rep: &dyn Fn(usize) -> u8,
        is_word: &dyn Fn(usize) -> bool,
    ) -> Option<Explored> {
        // The library's state ids are offsets into its own table: a vector indexed by id
        // finds a state's number without hashing (this runs for every edge, once).
        let start = dfa.start_state(Anchored::No).ok()?;
        let mut seen: Vec<u32> = Vec::new();
        let mut number = |sid: usize, order: &mut Vec<_>, next| -> Option<u32> {
            if sid >= seen.len() {
                seen.resize(sid + 1, u32::MAX);
            }
            if seen[sid] == u32::MAX {
                seen[sid] = u32::try_from(order.len()).ok()?;
                order.push(next);
            }
            Some(seen[sid])
        };
        let mut order = Vec::new();
        number(start.as_usize(), &mut order, start)?;
        let mut edges: Vec<u32> = Vec::new();
        let mut k = 0;
        while k < order.len() {
            let sid = order[k];
            for c in 0..stride {
                let next = dfa.next_state(Anchored::No, sid, rep(c));
                edges.push(number(next.as_usize(), &mut order, next)?);
            }
            k += 1;
        }
        // Breadth first, a state's distance from the start is the length of its text, and
        // the path that first reaches it spells that text.
        let mut depth = vec![u32::MAX; order.len()];
        let mut text_words = vec![0u128; order.len()];
        depth[0] = 0;
        for k in 0..order.len() {
            for c in 0..stride {
                let e = edges[k * stride + c] as usize;
                if depth[e] == u32::MAX {
                    depth[e] = depth[k] + 1;
                    // Bits past 127 are never read: such a state does not fit the table.
                    let bit = u128::from(is_word(c)).checked_shl(depth[k]).unwrap_or(0);
                    text_words[e] = text_words[k] | bit;
                }
            }
        }
        Some(Explored {
            order,
            edges,
            depth,
            text_words,
        })
    }

    fn len(&self) -> usize {
        self.order.len()
    }
}

/// What a walk has found so far.
#[derive(Default)]
struct Found {
    /// The special classes of the bytes read.
    class: u32,
    /// The groups of the patterns found.
    groups: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bytes of every trigger pattern, and `extra`: random texts over them are full of
    /// patterns, whole and cut.
    fn patterns_and(extra: &[u8]) -> Vec<u8> {
        let patterns = crate::detect::keyword_patterns().concat();
        patterns.bytes().chain(extra.iter().copied()).collect()
    }

    /// The state a walk from the start reaches over `text`, without its flag and depth.
    fn state_after(table: &KeywordTable, text: &[u8]) -> usize {
        let mut found = Found::default();
        table.walk(text, 0, text.len(), 0, &mut found, &mut |_, _| {}) as usize & TRANS_MASK
    }

    /// A scan reports exactly the word patterns the library's automaton finds that begin
    /// the text or follow a byte that is no word byte (`or` in `x or y`, not in `morning`),
    /// and, for whole words (the SQL and command words, not the prefixes), end the text or
    /// precede such a byte (`del` in `del x`, not in `delivery`), at the same offsets; over
    /// seeded random texts of the patterns' bytes and word bytes, where most words found
    /// are inside longer ones, of every length a scan walks in one piece (exactly those
    /// reports), in halves or in lanes (those and maybe words inside longer ones, which the
    /// caller drops).
    #[test]
    fn a_scan_reports_the_words_that_stand_at_a_boundary() {
        use aho_corasick::Anchored;
        let table = crate::detect::KEYWORD_TABLE
            .as_ref()
            .expect("keyword table");
        let dfa = crate::detect::KEYWORD_DFA.as_ref().expect("automaton");
        let patterns = crate::detect::keyword_patterns();
        let plain = crate::detect::KEYWORDS.len();
        let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        let whole = |p: usize| p < crate::detect::CMD_WORDS.end && patterns[p].bytes().all(word);
        // The patterns themselves, separators, and word bytes that glue them into longer
        // words.
        let mut pieces = patterns.clone();
        pieces.extend([
            " ", " ", " ", " ", ".", "-", "'", "(", "x", "Q", "9", "_", "\u{e9}",
        ]);
        let mut rng = crate::test_rng::XorShift(0x3c6e_f372_fe94_f82b);
        let (mut kept, mut inside, mut before_word) = (0, 0, 0);
        for round in 0..20_000 {
            // Mostly short texts; every tenth as long as a scan walks in lanes.
            let max = if round % 10 == 0 { 200 } else { 8 };
            let text = rng.text_of(&pieces, max).into_bytes();
            let mut want = Vec::new();
            let mut sid = dfa.start_state(Anchored::No).expect("start");
            for (i, &b) in text.iter().enumerate() {
                sid = dfa.next_state(Anchored::No, sid, b);
                if !(dfa.is_special(sid) && dfa.is_match(sid)) {
                    continue;
                }
                for m in 0..dfa.match_len(sid) {
                    let pid = dfa.match_pattern(sid, m);
                    let p = pid.as_usize();
                    if p < plain {
                        continue;
                    }
                    let start = i + 1 - dfa.pattern_len(pid);
                    if start > 0 && word(text[start - 1]) {
                        inside += 1;
                    } else if whole(p) && text.get(i + 1).is_some_and(|&b| word(b)) {
                        before_word += 1;
                    } else {
                        want.push((p, i));
                        kept += 1;
                    }
                }
            }
            let mut got = Vec::new();
            table.scan(&text, |w, end| got.push((w.pattern, end)));
            if text.len() >= TWO_HALVES_MIN {
                // The walks that start inside the text may report a word inside a longer
                // one before they are exact (the caller's boundary check drops it), and a
                // word twice.
                got.retain(|&(p, end)| {
                    let start = end + 1 - patterns[p].len();
                    start == 0 || !word(text[start - 1])
                });
            }
            for v in [&mut want, &mut got] {
                v.sort_unstable();
                v.dedup();
            }
            assert_eq!(got, want, "{:?}", String::from_utf8_lossy(&text));
        }
        // Each kind occurs often enough for the comparison to mean something.
        assert!(
            kept > 1_000 && inside > 1_000 && before_word > 1_000,
            "{kept} kept, {inside} inside a word, {before_word} before a word byte"
        );
    }

    /// A state's depth bits say how many last bytes decide it: walking only those from the
    /// start reaches the same state (what [`KeywordTable::walk_halves`] relies on), and no
    /// fewer would do. Checked at every end of seeded random texts over the patterns' bytes.
    #[test]
    fn depth_is_how_many_last_bytes_decide_the_state() {
        let table = crate::detect::KEYWORD_TABLE
            .as_ref()
            .expect("keyword table");
        let alphabet = patterns_and(b"AZ ._-'");
        let mut rng = crate::test_rng::XorShift(0x51_7cc1_b727_220a);
        for _ in 0..2_000 {
            let text = rng.bytes_of(&alphabet[..], 40);
            let len = text.len();
            for end in 1..=len {
                let mut found = Found::default();
                let st = table.walk(&text[..end], 0, end, 0, &mut found, &mut |_, _| {});
                let depth = (st >> DEPTH_SHIFT & DEPTH_MASK) as usize;
                assert!(
                    depth <= end && depth <= table.warmup + 1,
                    "{text:?}[..{end}]"
                );
                let exact = st as usize & TRANS_MASK;
                assert_eq!(state_after(table, &text[end - depth..end]), exact);
                if depth > 0 {
                    assert_ne!(state_after(table, &text[end - depth + 1..end]), exact);
                }
            }
        }
    }
}
