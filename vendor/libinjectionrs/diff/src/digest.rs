// Inputs and digests shared by the differential tool (vendor/libinjectionrs/diff, `main.rs`) and the
// CI test crates/perimeter_shield/tests/libinjection_fork.rs, which both `include!` this file: the
// same seeded inputs and the same digest of (sqli detect, fingerprint, xss) on both sides. Std only.
//
// Changing anything here changes the digests: regenerate the fixture (see PERIMETER-PATCHES.md).

/// Seed of the generated inputs in the CI fixture.
pub const FIXTURE_SEED: u64 = 0x005e_ed0f_11b1_0c70;
/// Generated inputs in the CI fixture (the differential tool runs many more).
pub const FIXTURE_GENERATED: usize = 30_000;
/// Longest generated input.
pub const MAX_LEN: usize = 8 * 1024;

/// splitmix64: small, seeded, identical everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`), modulo bias is irrelevant here.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// FNV-1a 64.
pub struct Fnv(pub u64);

impl Default for Fnv {
    fn default() -> Self {
        Self::new()
    }
}

impl Fnv {
    pub fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    pub fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// What libinjection says about one input, as the shield asks it: `SqliState::new(input,
/// FLAG_NONE)`, `detect()`, then `get_fingerprint()` (of the state `detect` left), and
/// `detect_xss(input).is_injection()`. `None` where the call panicked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub sqli: Option<bool>,
    pub fingerprint: Option<Vec<u8>>,
    pub xss: Option<bool>,
}

impl Outcome {
    pub fn feed(&self, h: &mut Fnv) {
        h.bytes(&[match self.sqli {
            None => 2,
            Some(b) => u8::from(b),
        }]);
        match &self.fingerprint {
            None => h.bytes(&[0xfe]),
            Some(fp) => {
                h.bytes(fp);
                h.bytes(&[0xff]);
            }
        }
        h.bytes(&[match self.xss {
            None => 2,
            Some(b) => u8::from(b),
        }]);
    }
}

const QUOTES: &[&[u8]] = &[
    b"'", b"\"", b"`", b"\\'", b"''", b"\\\"", b"\\", b"'\"", b"`'",
];
const COMMENTS: &[&[u8]] = &[
    b"/*",
    b"*/",
    b"/**/",
    b"/*!",
    b"/*!50000",
    b"--",
    b"-- ",
    b"--x",
    b"#",
    b"/*/*",
    b"*/*",
    b"\n",
];
const WORDS: &[&[u8]] = &[
    b"UNION",
    b"SELECT",
    b"OR",
    b"AND",
    b"NOT",
    b"IN",
    b"LIKE",
    b"NOT IN",
    b"NOT LIKE",
    b"IS",
    b"NULL",
    b"FROM",
    b"WHERE",
    b"INTO OUTFILE",
    b"INTO DUMPFILE",
    b"USER",
    b"DATABASE",
    b"CURRENT_USER",
    b"COLLATE",
    b"utf8_bin",
    b"_latin1",
    b"IF",
    b"CASE",
    b"WHEN",
    b"sp_password",
    b"::int",
    b"1=1",
    b"@@version",
    b"@x",
    b"@",
    b"$$",
    b"$tag$",
    b"$1,000.00",
    b"Q'[",
    b"q'{",
    b"N'",
    b"X'41'",
    b"B'01'",
    b"E'x",
    b"U&'",
    b"0x41",
    b"0x",
    b"0b01",
    b"0b",
    b"1e5",
    b"1e",
    b"1.5f",
    b"1d",
    b".5",
    b"\\N",
    b"{",
    b"}",
    b"{``",
    b"[x]",
    b"[",
    b"]",
    b";",
    b")",
    b"(",
    b"<script>",
    b"<img src=x onerror=alert(1)>",
    b"javascript:",
    b"<!--",
    b"-->",
    b"<?",
    b"<svg/onload=",
    b"&#x3C;",
    b" style=",
    b"=",
    b"<>",
    b"<=>",
    b"!=",
    b"||",
    b"&&",
    b"-",
    b"+",
    b"~",
    b"!!",
    b":=",
    b"%",
    b"*",
    b"^",
    b"|",
    b"&",
    b",",
    b".",
    b":",
    b"?",
    b"DROP TABLE",
    b"ORDER BY",
    b"GROUP BY",
    b"HAVING",
    b"SLEEP(5)",
    b"BENCHMARK(",
    b"WAITFOR DELAY",
    b"EXEC",
    b"xp_cmdshell",
    b"CHAR(",
    b"CONCAT(",
    b"information_schema",
    b"LIMIT",
    b"OFFSET",
    b"DECLARE",
    b"BEGIN",
    b"END",
    b"and",
    b"or",
    b"union all select",
    b"Select",
    b"NoT",
    b"xor",
    b"DIV",
    b"MOD",
    b"REGEXP",
    b"SOUNDS LIKE",
    b"LOCALTIMESTAMP",
    b"PASSWORD",
    b"USER_NAME",
    b"IF EXISTS",
    b"CURRENT_DATE",
    b"<iframe",
    b"onload=",
    b"<a href=",
    b"vbscript:",
    b"data:text/html",
    b"<style>",
    b"<x:script>",
    b"`id`",
];
const NON_ASCII: &[&[u8]] = &[
    "é".as_bytes(),
    b"\xa0",
    b"\xff",
    b"\xc3",
    b"\x80",
    "\u{a0}".as_bytes(),
    b"\x00",
    "😀".as_bytes(),
    "\u{202e}".as_bytes(),
    b"\xe2\x80",
    b"\xf0\x9f",
    "ß".as_bytes(),
    b"\xfe\xff",
    "İ".as_bytes(),
    "ǅ".as_bytes(),
    "ﬁ".as_bytes(),
];
/// Bytes for random strings: SQL and HTML punctuation weighted up.
const ALPHABET: &[u8] =
    b"  aAbBeEnNqQuUxXsS01239.,;:'\"`()[]{}<>=!#$%&*+-/\\@^|~_?\n\t\r\xa0\xff\xc3\x00";

fn pick<'a>(rng: &mut Rng, set: &[&'a [u8]]) -> &'a [u8] {
    set[rng.below(set.len())]
}

fn insert(v: &mut Vec<u8>, at: usize, what: &[u8]) {
    let tail = v.split_off(at);
    v.extend_from_slice(what);
    v.extend_from_slice(&tail);
}

/// One mutation of `v` in place; `pool` gives material to splice in.
pub fn mutate_once(rng: &mut Rng, v: &mut Vec<u8>, pool: &[Vec<u8>]) {
    let at = rng.below(v.len() + 1);
    match rng.below(13) {
        // byte flip: a random byte, or one from the alphabet
        0 => {
            if !v.is_empty() {
                let i = rng.below(v.len());
                v[i] = if rng.chance(50) {
                    rng.next_u64() as u8
                } else {
                    ALPHABET[rng.below(ALPHABET.len())]
                };
            }
        }
        1 => {
            let q = pick(rng, QUOTES);
            insert(v, at, q)
        }
        2 => {
            let c = pick(rng, COMMENTS);
            insert(v, at, c)
        }
        3 | 4 => {
            let w = pick(rng, WORDS);
            let mut piece = Vec::new();
            if rng.chance(60) {
                piece.push(b' ');
            }
            piece.extend_from_slice(w);
            if rng.chance(60) {
                piece.push(b' ');
            }
            insert(v, at, &piece)
        }
        // truncation: keep a prefix or a suffix
        5 => {
            if rng.chance(50) {
                v.truncate(at);
            } else {
                v.drain(..at);
            }
        }
        // case changes
        6 => match rng.below(3) {
            0 => v.make_ascii_uppercase(),
            1 => v.make_ascii_lowercase(),
            _ => {
                for b in v.iter_mut() {
                    if b.is_ascii_alphabetic() && rng.chance(30) {
                        *b ^= 0x20;
                    }
                }
            }
        },
        7 => {
            let n = pick(rng, NON_ASCII);
            insert(v, at, n)
        }
        // delete a range
        8 => {
            let end = (at + 1 + rng.below(8)).min(v.len());
            if at < end {
                v.drain(at..end);
            }
        }
        // splice in part of another line
        9 => {
            if !pool.is_empty() {
                let other = &pool[rng.below(pool.len())];
                let a = rng.below(other.len() + 1);
                let b = a + rng.below(other.len() - a + 1);
                insert(v, at, &other[a..b]);
            }
        }
        // duplicate a range
        10 => {
            let end = (at + rng.below(16)).min(v.len());
            let piece = v[at..end].to_vec();
            insert(v, end, &piece);
        }
        // random alphabet bytes
        11 => {
            let n = 1 + rng.below(6);
            let piece: Vec<u8> = (0..n)
                .map(|_| ALPHABET[rng.below(ALPHABET.len())])
                .collect();
            insert(v, at, &piece)
        }
        // whitespace variants
        _ => {
            let w: &[u8] = match rng.below(6) {
                0 => b" ",
                1 => b"\t",
                2 => b"\x0b",
                3 => b"\r\n",
                4 => b"\x0c",
                _ => b"  ",
            };
            insert(v, at, w)
        }
    }
}

/// The `i`-th kind of generated input: mutated corpus lines mostly, some random strings,
/// some token soups, and now and then a long input (up to [`MAX_LEN`]).
pub fn generate(rng: &mut Rng, pool: &[Vec<u8>]) -> Vec<u8> {
    let kind = rng.below(100);
    let mut v = if kind < 78 && !pool.is_empty() {
        let mut v = pool[rng.below(pool.len())].clone();
        for _ in 0..1 + rng.below(4) {
            mutate_once(rng, &mut v, pool);
        }
        v
    } else if kind < 90 {
        let n = rng.below(64);
        (0..n)
            .map(|_| ALPHABET[rng.below(ALPHABET.len())])
            .collect()
    } else {
        let mut v = Vec::new();
        for _ in 0..1 + rng.below(8) {
            let set: &[&[u8]] = match rng.below(4) {
                0 => QUOTES,
                1 => COMMENTS,
                2 => NON_ASCII,
                _ => WORDS,
            };
            v.extend_from_slice(pick(rng, set));
            if rng.chance(50) {
                v.push(b' ');
            }
        }
        v
    };
    if rng.chance(2) && !v.is_empty() {
        let target = 256 + rng.below(MAX_LEN - 256);
        let seed = v.clone();
        while v.len() < target {
            v.extend_from_slice(&seed);
            if rng.chance(20) {
                mutate_once(rng, &mut v, pool);
            }
        }
    }
    v.truncate(MAX_LEN);
    v
}

/// Every line (split at `\n` only, as written) of every file of `dir`, by file name.
pub fn corpus_files(dir: &str) -> Vec<(String, Vec<Vec<u8>>)> {
    let mut files: Vec<(String, Vec<Vec<u8>>)> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("payload corpus {dir}: {e}"))
        .map(|entry| {
            let path = entry.expect("corpus entry").path();
            let text = std::fs::read(&path).expect("corpus file");
            let name = path
                .file_name()
                .expect("file name")
                .to_string_lossy()
                .into_owned();
            (
                name,
                text.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect(),
            )
        })
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

/// Every string value (not key) of a JSON value, in document order.
pub fn push_strings(v: &serde_json::Value, out: &mut Vec<Vec<u8>>) {
    match v {
        serde_json::Value::String(s) => out.push(s.as_bytes().to_vec()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| push_strings(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| push_strings(x, out)),
        _ => {}
    }
}

/// The string values of every event of a JSON-lines file, sorted (so the digest does not
/// depend on the JSON map's key order).
pub fn event_strings(lines: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for line in lines {
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(line) {
            push_strings(&v, &mut out);
        }
    }
    out.sort();
    out
}

/// The digest sets of the CI fixture, each `(name, inputs)`: one per corpus file (every line),
/// `benign_events.jsonl#strings` (its string values), and `generated` ([`FIXTURE_GENERATED`]
/// inputs from [`FIXTURE_SEED`], mutations of all corpus lines).
pub fn fixture_sets(dir: &str) -> Vec<(String, Vec<Vec<u8>>)> {
    let files = corpus_files(dir);
    let mut sets = Vec::new();
    let mut pool = Vec::new();
    for (name, lines) in &files {
        pool.extend(lines.iter().cloned());
        if name.ends_with(".jsonl") {
            sets.push((format!("{name}#strings"), event_strings(lines)));
        }
    }
    sets.extend(files);
    let mut rng = Rng::new(FIXTURE_SEED);
    let generated = (0..FIXTURE_GENERATED)
        .map(|_| generate(&mut rng, &pool))
        .collect();
    sets.push(("generated".to_string(), generated));
    sets.sort_by(|a, b| a.0.cmp(&b.0));
    sets
}

/// One fixture line per set: `name count digest`.
pub fn fixture_lines(dir: &str, outcome: &dyn Fn(&[u8]) -> Outcome) -> Vec<String> {
    fixture_sets(dir)
        .iter()
        .map(|(name, inputs)| {
            let mut h = Fnv::new();
            for input in inputs {
                outcome(input).feed(&mut h);
            }
            format!("{name} {} {:016x}", inputs.len(), h.0)
        })
        .collect()
}
