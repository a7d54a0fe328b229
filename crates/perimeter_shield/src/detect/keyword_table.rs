//! The prefilter's keyword automaton as a flat table walked by hand.
//!
//! The automaton itself is `aho-corasick`'s DFA over every trigger word; this module copies
//! it once into a table shaped for the one loop that runs over every byte of every value:
//! one lookup gives a byte both its special-character bits and its input class, the next
//! state is one load from a premultiplied table, and match states are numbered last so "is
//! there a match here" is one comparison. Walking the library's DFA through its generic
//! `Automaton` interface cost about 21 instructions per byte; this loop costs about 9, for
//! the same states, transitions and matches (a test walks both over the corpora and random
//! bytes and compares).

use aho_corasick::Anchored;
use aho_corasick::automaton::Automaton;
use aho_corasick::dfa::DFA;

/// Bits of a byte's entry that hold its special-character class (the rest is its input
/// class, shifted by this much).
const CLASS_BITS: u32 = 25;
const CLASS_MASK: u32 = (1 << CLASS_BITS) - 1;

/// Walks side by side over a long text (see [`KeywordTable::scan`]).
const LANES: usize = 4;

/// Shortest text walked as two halves ([`KeywordTable::scan_halves`]).
const TWO_HALVES_MIN: usize = 12;

/// How many of the second half-walk's states are kept for the first to meet.
const HALVES_RECORD: usize = 32;

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
    /// Per byte: its special-character class bits, and its input class `<< CLASS_BITS`.
    byte: [u32; 256],
    /// `trans[state + input class]`: the next state, states premultiplied by the number of
    /// input classes.
    trans: Vec<u32>,
    /// States at or above this one have matches.
    first_match: u32,
    /// log2 of the row length (a power of two).
    shift: u32,
    matches: Vec<StateMatches>,
    words: Vec<WordMatch>,
    /// The longest pattern's length minus one: how far before a point a walk must start
    /// for its state there to be exact.
    warmup: usize,
}

/// What one pass over a text found: its special-character classes, the groups of the
/// patterns found anywhere, and the patterns that need a word-boundary check, each with
/// the offset of its last byte.
impl KeywordTable {
    /// Copies `dfa` (built over patterns of which those with index `< plain` count
    /// anywhere, with their `groups[index]`, and the others need a boundary check; those
    /// from `prefix_from` on are prefixes). `class_of` gives each byte's special classes.
    /// `None` when the automaton does not fit the table (more than 127 input classes or
    /// 2^32 / 128 states): the caller then walks the DFA itself.
    pub fn build(
        dfa: &DFA,
        patterns: &[&str],
        groups: &[u32],
        prefix_from: usize,
        class_of: &[u32; 256],
    ) -> Option<KeywordTable> {
        // Input classes: every byte some pattern holds (either case: the automaton is
        // ASCII case-insensitive) is its own class; every other byte is class 0, which
        // behaves the same in every state (no pattern continues with it).
        let mut input = [0u8; 256];
        let mut reps = vec![None];
        for p in patterns {
            for &b in p.as_bytes() {
                let l = b.to_ascii_lowercase();
                if input[l as usize] == 0 {
                    let c = u8::try_from(reps.len()).ok().filter(|&c| c < 128)?;
                    input[l as usize] = c;
                    input[l.to_ascii_uppercase() as usize] = c;
                    reps.push(Some(l));
                }
            }
        }
        // A byte in no pattern stands for class 0.
        reps[0] = Some((0..=255u8).find(|&b| input[b as usize] == 0)?);
        let reps: Vec<u8> = reps.into_iter().collect::<Option<_>>()?;
        // Rows padded to a power of two: a match state's index is then a shift away.
        let stride = reps.len().next_power_of_two();

        // Every state reachable from the unanchored start, breadth first.
        // The library's state ids are offsets into its own table: a vector indexed by id
        // finds a state's number without hashing (this runs for every edge, once).
        let start = dfa.start_state(Anchored::No).ok()?;
        let mut seen: Vec<u32> = Vec::new();
        let mut number = |sid: usize, order: &mut Vec<_>, next| -> Option<usize> {
            if sid >= seen.len() {
                seen.resize(sid + 1, u32::MAX);
            }
            if seen[sid] == u32::MAX {
                seen[sid] = u32::try_from(order.len()).ok()?;
                order.push(next);
            }
            Some(seen[sid] as usize)
        };
        let mut order = Vec::new();
        number(start.as_usize(), &mut order, start)?;
        let mut edges: Vec<usize> = Vec::new();
        let mut k = 0;
        while k < order.len() {
            let sid = order[k];
            for c in 0..stride {
                // Padding columns are never read; they repeat class 0.
                let b = reps.get(c).copied().unwrap_or(reps[0]);
                let next = dfa.next_state(Anchored::No, sid, b);
                edges.push(number(next.as_usize(), &mut order, next)?);
            }
            k += 1;
        }
        // Dense numbering: states without matches first (the start state stays 0).
        let is_match = |sid| dfa.is_special(sid) && dfa.is_match(sid);
        let mut dense = vec![0usize; order.len()];
        let mut next_id = 0;
        for pass in [false, true] {
            for (i, &sid) in order.iter().enumerate() {
                if is_match(sid) == pass {
                    dense[i] = next_id;
                    next_id += 1;
                }
            }
        }
        let first_match = order.iter().filter(|&&sid| !is_match(sid)).count();
        let premultiplied = |d: usize| u32::try_from(d * stride).ok();
        let mut trans = vec![0u32; order.len() * stride];
        let mut matches = vec![
            StateMatches {
                groups: 0,
                words: (0, 0)
            };
            order.len() - first_match
        ];
        let mut words = Vec::new();
        for (i, &sid) in order.iter().enumerate() {
            let d = dense[i];
            for c in 0..stride {
                trans[d * stride + c] = premultiplied(dense[edges[i * stride + c]])?;
            }
            if is_match(sid) {
                let from = words.len();
                let mut g = 0;
                for m in 0..dfa.match_len(sid) {
                    let pid = dfa.match_pattern(sid, m);
                    let p = pid.as_usize();
                    if let Some(group) = groups.get(p) {
                        g |= group;
                    } else {
                        words.push(WordMatch {
                            len: dfa.pattern_len(pid),
                            prefix: p >= prefix_from,
                            pattern: p,
                        });
                    }
                }
                matches[d - first_match] = StateMatches {
                    groups: g,
                    words: (u32::try_from(from).ok()?, u32::try_from(words.len()).ok()?),
                };
            }
        }
        let mut byte = [0u32; 256];
        for b in 0..256 {
            debug_assert!(class_of[b] <= CLASS_MASK);
            byte[b] = class_of[b] & CLASS_MASK | u32::from(input[b]) << CLASS_BITS;
        }
        Some(KeywordTable {
            byte,
            trans,
            first_match: premultiplied(first_match)?,
            shift: stride.trailing_zeros(),
            warmup: patterns.iter().map(|p| p.len()).max()?.saturating_sub(1),
            matches,
            words,
        })
    }

    /// One pass over `bytes`: returns the OR of their special classes and of the groups of
    /// the patterns found anywhere; `on_word(word, end)` is called for each occurrence of a
    /// pattern that needs a boundary check, `end` being the offset of its last byte (an
    /// occurrence may be reported twice; callers only OR what they learn).
    ///
    /// Each step of a DFA waits for the previous one's load, so one walk cannot go faster
    /// than a load's latency per byte; a long text is cut in [`LANES`] pieces walked side
    /// by side. A piece's walk starts [`KeywordTable::warmup`] bytes before the piece, so
    /// its state is exact from the piece's first byte on (an automaton's state depends only
    /// on the last `warmup` bytes), and whatever it reports before that is a real
    /// occurrence too.
    #[inline]
    pub fn scan(&self, bytes: &[u8], mut on_word: impl FnMut(&WordMatch, usize)) -> (u32, u32) {
        let q = bytes.len() / LANES;
        if q < LANES * self.warmup.max(16) {
            if bytes.len() >= TWO_HALVES_MIN {
                return self.scan_halves(bytes, &mut on_word);
            }
            return self.scan_from(bytes, 0, bytes.len(), 0, &mut on_word);
        }
        let (byte, trans, first_match) = (&self.byte, &self.trans[..], self.first_match);
        let start: [usize; LANES] = std::array::from_fn(|k| (k * q).saturating_sub(self.warmup));
        let mut st = [0u32; LANES];
        let mut acc = 0u32;
        let mut groups = 0u32;
        // Every lane walks at least `q` bytes: side by side for those.
        for t in 0..q {
            for k in 0..LANES {
                let i = start[k] + t;
                let e = byte[bytes[i] as usize];
                acc |= e;
                st[k] = self.step(trans, first_match, st[k], e, i, &mut groups, &mut on_word);
            }
        }
        // Then each lane to the end of its piece, alone.
        for k in 0..LANES {
            let end = if k + 1 == LANES {
                bytes.len()
            } else {
                (k + 1) * q
            };
            let (a, g) = self.scan_from(bytes, start[k] + q, end, st[k], &mut on_word);
            acc |= a;
            groups |= g;
        }
        (acc & CLASS_MASK, groups)
    }

    /// [`KeywordTable::scan`] for a short text: two walks side by side, one from the start
    /// and one from the middle (in the start state, so it may miss what began before the
    /// middle). The first then goes on past the middle only until its state equals the
    /// second's at the same byte; from there on they would agree. Two automaton states agree
    /// at the latest `warmup + 1` bytes after the middle, in practice after a byte or two, so
    /// a value costs about half its length in load latencies, not all of it. If the first
    /// walk reaches the end of the second's side-by-side part without agreeing, it walks the
    /// rest alone.
    fn scan_halves(&self, bytes: &[u8], on_word: &mut impl FnMut(&WordMatch, usize)) -> (u32, u32) {
        let (byte, trans, first_match) = (&self.byte, &self.trans[..], self.first_match);
        let mid = bytes.len() / 2;
        let (head, tail) = bytes.split_at(mid);
        let mut seen = [0u32; HALVES_RECORD];
        let (mut a, mut b) = (0u32, 0u32);
        let mut acc = 0u32;
        let mut groups = 0u32;
        for (t, (&x, &y)) in head.iter().zip(tail).enumerate() {
            let ex = byte[x as usize];
            let ey = byte[y as usize];
            acc |= ex | ey;
            a = self.step(trans, first_match, a, ex, t, &mut groups, on_word);
            b = self.step(trans, first_match, b, ey, mid + t, &mut groups, on_word);
            if let Some(slot) = seen.get_mut(t) {
                *slot = b;
            }
        }
        // The second walk read `tail[..mid]`; the first goes on from the middle.
        let side = mid.min(HALVES_RECORD);
        for (t, &x) in tail[..side].iter().enumerate() {
            let e = byte[x as usize];
            a = self.step(trans, first_match, a, e, mid + t, &mut groups, on_word);
            if a == seen[t] {
                // Agreed: the second walk's state is exact from here on.
                let (ra, rg) = self.scan_from(bytes, 2 * mid, bytes.len(), b, on_word);
                return ((acc | ra) & CLASS_MASK, groups | rg);
            }
        }
        // No agreement within what the second walk recorded: the first walks the rest.
        let (ra, rg) = self.scan_from(bytes, mid + side, bytes.len(), a, on_word);
        ((acc | ra) & CLASS_MASK, groups | rg)
    }

    /// [`KeywordTable::scan`] over `bytes[from..to]` by one walk starting in state `st`.
    #[inline]
    fn scan_from(
        &self,
        bytes: &[u8],
        from: usize,
        to: usize,
        mut st: u32,
        on_word: &mut impl FnMut(&WordMatch, usize),
    ) -> (u32, u32) {
        // Locals, so the loop keeps them in registers; the match path is out of line for
        // the same reason.
        let (byte, trans, first_match) = (&self.byte, &self.trans[..], self.first_match);
        let mut acc = 0u32;
        let mut groups = 0u32;
        let Some(part) = bytes.get(from..to) else {
            return (0, 0);
        };
        let mut it = part.iter();
        while let Some(&b) = it.next() {
            let e = byte[b as usize];
            acc |= e;
            st = self.step(
                trans,
                first_match,
                st,
                e,
                to - it.len() - 1,
                &mut groups,
                on_word,
            );
        }
        (acc & CLASS_MASK, groups)
    }

    /// One step of a walk from state `st` on a byte whose entry is `e`, the byte at offset
    /// `end`: the next state; a match state adds its groups to `groups` and reports its
    /// words. `trans` and `first_match` are the caller's copies, kept in its registers.
    #[allow(clippy::too_many_arguments)] // a hot-loop step: its state goes in and out by value
    #[inline(always)]
    fn step(
        &self,
        trans: &[u32],
        first_match: u32,
        st: u32,
        e: u32,
        end: usize,
        groups: &mut u32,
        on_word: &mut impl FnMut(&WordMatch, usize),
    ) -> u32 {
        let next = trans[(st + (e >> CLASS_BITS)) as usize];
        if next >= first_match {
            *groups |= self.matched(next, end, on_word);
        }
        next
    }

    /// The groups of match state `st` (reached at offset `end`), reporting its words.
    #[inline(never)]
    fn matched(&self, st: u32, end: usize, on_word: &mut impl FnMut(&WordMatch, usize)) -> u32 {
        let m = self.matches[((st - self.first_match) >> self.shift) as usize];
        for w in &self.words[m.words.0 as usize..m.words.1 as usize] {
            on_word(w, end);
        }
        m.groups
    }
}
