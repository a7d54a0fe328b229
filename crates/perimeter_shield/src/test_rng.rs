//! A seeded xorshift generator for the randomized equivalence tests: the same texts on
//! every run, and no `rand` dependency for a few loops.

pub(crate) struct XorShift(pub u64);

impl XorShift {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A text of 1 to `max` bytes drawn from `alphabet`.
    pub fn bytes_of(&mut self, alphabet: &[u8], max: u64) -> Vec<u8> {
        let n = self.next() % max + 1;
        (0..n)
            .map(|_| alphabet[(self.next() % alphabet.len() as u64) as usize])
            .collect()
    }

    /// A text of 1 to `max` pieces drawn from `pieces`.
    pub fn text_of(&mut self, pieces: &[&str], max: u64) -> String {
        let n = self.next() % max + 1;
        (0..n)
            .map(|_| pieces[(self.next() % pieces.len() as u64) as usize])
            .collect()
    }
}
