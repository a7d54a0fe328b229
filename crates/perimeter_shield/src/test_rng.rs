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
}
