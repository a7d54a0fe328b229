//! The detectors and the cheap prefilter in front of them.
//!
//! A value first goes through one pass over its bytes that both records which special
//! characters occur and walks a case-insensitive Aho-Corasick DFA over the trigger words of
//! every detector (SQL words only as whole words). A clean value stops there, with nothing
//! allocated. A value that triggers something and holds no encoding is first put to the
//! cheap first checks of the detectors it triggered ([`may_find`]: SQL's sign of SQL, the
//! command words at command positions): an apostrophe or a `;` in prose ends there. What
//! is left gets a lower-case copy and, when it holds encodings, a normalized view
//! ([`crate::decode::normalize`]); only the detectors it triggered run, each over both
//! views.

mod cmdi;
mod code;
mod deser;
mod keyword_table;
mod nosqli;
mod path;
pub mod sqli;
mod ssrf;
mod xss;
mod xxe;

use crate::{Config, Detection};
use serde::Serialize;
use std::sync::LazyLock;

/// What a detection is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Sqli,
    Nosqli,
    Cmdi,
    Code,
    PathTraversal,
    Ssrf,
    Xxe,
    Xss,
    Deserialization,
}

impl Kind {
    /// The kind's stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Sqli => "sqli",
            Kind::Nosqli => "nosqli",
            Kind::Cmdi => "cmdi",
            Kind::Code => "code",
            Kind::PathTraversal => "path-traversal",
            Kind::Ssrf => "ssrf",
            Kind::Xxe => "xxe",
            Kind::Xss => "xss",
            Kind::Deserialization => "deserialization",
        }
    }
}

/// One detector finding inside a view: byte range of the match in that view.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit {
    pub kind: Kind,
    pub confidence: f32,
    pub start: usize,
    pub end: usize,
}

impl Hit {
    pub fn new(kind: Kind, confidence: f32, start: usize, end: usize) -> Self {
        Hit {
            kind,
            confidence,
            start,
            end,
        }
    }
}

// Byte classes.
pub(crate) const QUOTE: u32 = 1; // ' "
pub(crate) const BACKTICK: u32 = 1 << 1;
pub(crate) const LT: u32 = 1 << 2;
pub(crate) const GT: u32 = 1 << 3;
pub(crate) const SEMI: u32 = 1 << 4;
pub(crate) const PIPE: u32 = 1 << 5;
pub(crate) const AMP: u32 = 1 << 6;
pub(crate) const DOLLAR: u32 = 1 << 7;
pub(crate) const PAREN: u32 = 1 << 8;
pub(crate) const BRACE: u32 = 1 << 9;
pub(crate) const BRACKET: u32 = 1 << 10;
pub(crate) const DOT: u32 = 1 << 11;
pub(crate) const SLASH: u32 = 1 << 12;
pub(crate) const BACKSLASH: u32 = 1 << 13;
pub(crate) const PERCENT: u32 = 1 << 14;
pub(crate) const EQ: u32 = 1 << 15;
pub(crate) const HASH: u32 = 1 << 16;
pub(crate) const STAR: u32 = 1 << 17;
pub(crate) const NEWLINE: u32 = 1 << 18;
pub(crate) const HIGH: u32 = 1 << 19; // non-ASCII or control bytes
pub(crate) const BANG: u32 = 1 << 20;
pub(crate) const COLON: u32 = 1 << 21;
pub(crate) const AT: u32 = 1 << 22;
pub(crate) const CARET: u32 = 1 << 23;
/// `+` and `-`: arithmetic or concatenation next to a quote is a SQL sign.
pub(crate) const ARITH: u32 = 1 << 24;

static CLASS: [u32; 256] = {
    let mut t = [0u32; 256];
    t[b'\'' as usize] = QUOTE;
    t[b'"' as usize] = QUOTE;
    t[b'`' as usize] = BACKTICK;
    t[b'<' as usize] = LT;
    t[b'>' as usize] = GT;
    t[b';' as usize] = SEMI;
    t[b'|' as usize] = PIPE;
    t[b'&' as usize] = AMP;
    t[b'$' as usize] = DOLLAR;
    t[b'(' as usize] = PAREN;
    t[b')' as usize] = PAREN;
    t[b'{' as usize] = BRACE;
    t[b'}' as usize] = BRACE;
    t[b'[' as usize] = BRACKET;
    t[b']' as usize] = BRACKET;
    t[b'.' as usize] = DOT;
    t[b'/' as usize] = SLASH;
    t[b'\\' as usize] = BACKSLASH;
    t[b'%' as usize] = PERCENT;
    t[b'=' as usize] = EQ;
    t[b'#' as usize] = HASH;
    t[b'*' as usize] = STAR;
    t[b'\n' as usize] = NEWLINE;
    t[b'\r' as usize] = NEWLINE;
    t[b'!' as usize] = BANG;
    t[b':' as usize] = COLON;
    t[b'@' as usize] = AT;
    t[b'^' as usize] = CARET;
    t[b'+' as usize] = ARITH;
    t[b'-' as usize] = ARITH;
    let mut i = 0;
    while i < 32 {
        if i != b'\n' as usize && i != b'\r' as usize && i != b'\t' as usize {
            t[i] = HIGH;
        }
        i += 1;
    }
    t[127] = HIGH;
    let mut i = 128;
    while i < 256 {
        t[i] = HIGH;
        i += 1;
    }
    t
};

// Keyword groups (bits in the second prefilter mask).
pub(crate) const K_SQL: u32 = 1;
pub(crate) const K_CMD: u32 = 1 << 1;
pub(crate) const K_CODE: u32 = 1 << 2;
pub(crate) const K_PATH: u32 = 1 << 3;
pub(crate) const K_SSRF: u32 = 1 << 4;
pub(crate) const K_XXE: u32 = 1 << 5;
pub(crate) const K_XSS: u32 = 1 << 6;
pub(crate) const K_DESER: u32 = 1 << 7;
pub(crate) const K_NOSQL: u32 = 1 << 8;
/// A SQL word standing alone (word boundaries on both sides) or a SQL comment/variable
/// marker: the signs [`sqli::detect`] wants before it runs the tokenizer.
pub(crate) const K_SQLW: u32 = 1 << 9;
/// The whole word `like`: every browser User-Agent says `(KHTML, like Gecko)` or `like Mac
/// OS X`, so alone it is no sign of SQL; next to a quote (`A' LIKE 'B`) it is.
pub(crate) const K_LIKE: u32 = 1 << 10;
/// Names of the calls that hand a string to a shell (`system`, `exec`, `popen`, `spawn`,
/// `eval`, …): without one, [`cmdi`]'s shell-call pattern cannot match, so it is not run.
pub(crate) const K_SHELL_CALL: u32 = 1 << 11;
/// The words [`cmdi`]'s direct patterns need besides `$` and `>` (`/bin/sh`, `cmd /c`,
/// `powershell -`, `nc -e`, `wget http://`): without one of them or those bytes, the
/// pattern is not run. Gates like these only skip a regex that could not match; they never
/// decide a verdict.
pub(crate) const K_CMD_DIRECT: u32 = 1 << 12;
/// A command word of [`cmdi`] ([`cmdi::EXOTIC`], [`cmdi::COMMON`]) as a whole word: a
/// command at a command position is always one (the bytes around a command word are no
/// word bytes), so without it [`cmdi`]'s candidate walk cannot report anything.
pub(crate) const K_CMDW: u32 = 1 << 13;

const KEYWORDS: &[(&str, u32)] = &[
    // SQL words that make a value worth tokenizing even without special characters.
    ("union", K_SQL),
    ("select", K_SQL),
    (" or ", K_SQL),
    (" and ", K_SQL),
    (" xor ", K_SQL),
    ("having", K_SQL),
    ("sleep", K_SQL | K_CMD),
    ("waitfor", K_SQL),
    ("benchmark", K_SQL),
    ("order by", K_SQL),
    ("group by", K_SQL),
    ("--", K_SQL | K_SQLW),
    ("/*", K_SQL | K_SQLW),
    ("@@", K_SQL | K_SQLW),
    (" like ", K_SQL),
    ("drop ", K_SQL),
    ("insert ", K_SQL),
    ("delete ", K_SQL),
    ("update ", K_SQL),
    ("exec", K_SQL | K_CODE | K_SHELL_CALL),
    ("null", K_SQL),
    ("0x", K_SQL | K_SSRF),
    // Shell.
    ("ifs", K_CMD),
    ("whoami", K_CMD),
    ("uname", K_CMD),
    ("ifconfig", K_CMD),
    ("ipconfig", K_CMD),
    ("netstat", K_CMD),
    ("netsh", K_CMD),
    ("sysinfo", K_CMD),
    ("wget", K_CMD | K_CMD_DIRECT),
    ("curl", K_CMD | K_CMD_DIRECT),
    ("ping", K_CMD),
    ("perl", K_CMD),
    ("python", K_CMD),
    ("which", K_CMD),
    ("net ", K_CMD),
    ("reg ", K_CMD),
    ("git ", K_CMD),
    ("dir", K_CMD),
    ("ls", K_CMD),
    ("cat ", K_CMD),
    ("type ", K_CMD),
    ("echo", K_CMD),
    ("pwd", K_CMD),
    (" -", K_CMD),
    ("nslookup", K_CMD),
    ("tasklist", K_CMD),
    ("/bin/", K_CMD | K_CMD_DIRECT),
    ("cmd", K_CMD | K_CMD_DIRECT),
    ("powershell", K_CMD | K_CMD_DIRECT),
    // Code injection.
    ("require", K_CODE),
    ("child_process", K_CODE),
    ("mainmodule", K_CODE),
    ("constructor", K_CODE),
    ("eval", K_CODE | K_SHELL_CALL),
    ("__", K_CODE),
    ("os.", K_CODE),
    ("subprocess", K_CODE),
    ("{{", K_CODE),
    ("${", K_CODE),
    ("#{", K_CODE),
    ("*{", K_CODE),
    ("{%", K_CODE),
    ("<%", K_CODE),
    ("<?", K_CODE),
    ("<!--#", K_CODE),
    ("#assign", K_CODE),
    ("runtime", K_CODE),
    ("processbuilder", K_CODE),
    ("java.lang", K_CODE),
    ("system(", K_CODE),
    ("phpinfo", K_CODE),
    ("passthru", K_CODE | K_SHELL_CALL),
    ("popen", K_CODE | K_SHELL_CALL),
    ("proc_open", K_CODE | K_SHELL_CALL),
    ("assert(", K_CODE),
    ("_memberaccess", K_CODE),
    ("function(", K_CODE),
    ("settimeout", K_CODE),
    ("import", K_CODE),
    // Only gates for `cmdi`'s patterns (no detector group): `system` and `spawn` as call
    // names. (`nc`, `ncat` and `netcat` count for [`K_CMD_DIRECT`] as whole words: see
    // [`NETCAT_WORDS`].)
    ("system", K_SHELL_CALL),
    ("spawn", K_SHELL_CALL),
    // Paths.
    ("..", K_PATH),
    // Base64 of `../` and `..\` (a base64-decoded file parameter).
    ("li4v", K_PATH),
    ("li5c", K_PATH),
    // PHP filter-chain parts (`convert.iconv.UTF8.CSISO2022KR`), sent alone or chained.
    ("convert.iconv.", K_PATH),
    ("convert.base64-", K_PATH),
    ("etc/", K_PATH),
    ("passwd", K_PATH),
    ("boot.ini", K_PATH),
    ("win.ini", K_PATH),
    ("system.ini", K_PATH),
    ("system32", K_PATH),
    ("winnt", K_PATH),
    ("c:", K_PATH),
    ("proc/self", K_PATH),
    ("file:", K_PATH),
    ("php://", K_PATH),
    ("expect://", K_PATH),
    ("phar://", K_PATH),
    ("zip://", K_PATH),
    ("data://", K_PATH),
    (".htaccess", K_PATH),
    (".htpasswd", K_PATH),
    ("web.config", K_PATH),
    (".ssh", K_PATH),
    (".aws/", K_PATH),
    ("id_rsa", K_PATH),
    ("/var/", K_PATH),
    ("/root/", K_PATH),
    ("/opt/", K_PATH),
    ("/usr/", K_PATH),
    ("/home/", K_PATH),
    ("/tmp/", K_PATH),
    ("/dev/", K_PATH),
    ("/sys/", K_PATH),
    ("/boot/", K_PATH),
    ("/proc/", K_PATH),
    ("/lib/", K_PATH),
    ("/bin/", K_PATH),
    ("/sbin/", K_PATH),
    ("shadow", K_PATH),
    ("{file}", K_PATH),
    ("error_log", K_PATH),
    ("access_log", K_PATH),
    ("httpd.conf", K_PATH),
    ("desktop.ini", K_PATH),
    ("php.ini", K_PATH),
    ("my.cnf", K_PATH),
    ("inetpub", K_PATH),
    ("etc", K_PATH),
    ("%c", K_PATH),
    ("%u", K_PATH),
    ("0x2", K_PATH),
    ("0x5", K_PATH),
    ("%2", K_PATH),
    ("%5c", K_PATH),
    (".log", K_PATH),
    ("%00", K_PATH),
    ("/.", K_PATH),
    ("\\", K_PATH),
    // SSRF (URLs are found by "://"; bare hosts by their names).
    ("://", K_SSRF),
    ("169.254", K_SSRF),
    ("metadata", K_SSRF),
    ("instance-data", K_SSRF),
    ("localhost", K_SSRF),
    ("[::", K_SSRF),
    ("fd00:ec2", K_SSRF),
    ("::ffff", K_SSRF),
    ("2852039166", K_SSRF),
    ("a9fe", K_SSRF),
    ("0251.", K_SSRF),
    // XXE.
    ("<!doctype", K_XXE),
    ("<!entity", K_XXE),
    ("<!element", K_XXE),
    ("<!attlist", K_XXE),
    ("xi:include", K_XXE),
    ("xmlns:xi", K_XXE),
    ("<xsl:", K_XXE),
    ("<!notation", K_XXE),
    ("+adw-", K_XSS),
    // XSS beyond '<'.
    ("script", K_XSS),
    ("javas", K_XSS),
    ("vbscript", K_XSS),
    ("data:", K_XSS),
    ("expression", K_XSS),
    ("alert", K_XSS),
    ("prompt", K_XSS),
    ("confirm", K_XSS),
    ("-moz-binding", K_XSS),
    // Deserialization.
    ("_$$nd_func$$_", K_DESER),
    ("ro0ab", K_DESER),
    ("aced0005", K_DESER),
    ("!!", K_DESER),
    ("!ruby/", K_DESER),
    ("python/", K_DESER),
    ("gasv", K_DESER),
    ("gan", K_DESER),
    ("gaj", K_DESER),
    ("y29z", K_DESER),
    ("y19fyn", K_DESER),
    ("y3bvc2l4", K_DESER),
    ("builtin", K_DESER),
    ("cos\n", K_DESER),
    ("cposix", K_DESER),
    ("aaeaaad", K_DESER),
    ("$type", K_DESER),
    ("@type", K_DESER),
    ("o:", K_DESER),
    // NoSQL.
    ("$where", K_NOSQL),
    ("$ne", K_NOSQL),
    ("$gt", K_NOSQL),
    ("$lt", K_NOSQL),
    ("$regex", K_NOSQL),
    ("$in", K_NOSQL),
    ("$nin", K_NOSQL),
    ("$exists", K_NOSQL),
    ("$or", K_NOSQL),
    ("$and", K_NOSQL),
    ("$nor", K_NOSQL),
    ("$not", K_NOSQL),
    ("$expr", K_NOSQL),
    ("$eq", K_NOSQL),
    ("$elemmatch", K_NOSQL),
    ("return", K_NOSQL),
    ("this.", K_NOSQL),
    ("==", K_NOSQL),
    ("db.", K_NOSQL),
    ("while", K_NOSQL),
    ("sleep(", K_NOSQL),
    ("$comment", K_NOSQL),
    ("/.*/", K_NOSQL),
];

/// SQL words and functions, matched only as whole words (`or` in `morning` does not
/// count). Prose words that are also SQL (`if`, `end`, `call`, `set`, `with`, …) are left
/// out: a real injection always carries a stronger sign too (see `sqli::detect`).
const SQL_WORDS: &[&str] = &[
    "or",
    "and",
    "xor",
    "not",
    "is",
    "null",
    "like",
    "rlike",
    "regexp",
    "sounds",
    "between",
    "div",
    "mod",
    "eqv",
    "imp",
    "union",
    "select",
    "insert",
    "update",
    "delete",
    "drop",
    "exec",
    "execute",
    "declare",
    "waitfor",
    "sleep",
    "benchmark",
    "having",
    "where",
    "from",
    "into",
    "order",
    "group",
    "limit",
    "offset",
    "case",
    "iif",
    "cast",
    "convert",
    "collate",
    "create",
    "alter",
    "truncate",
    "procedure",
    "shutdown",
    "raiserror",
    "load",
    "load_file",
    "outfile",
    "dumpfile",
    "char",
    "chr",
    "nchar",
    "concat",
    "concat_ws",
    "group_concat",
    "substring",
    "substr",
    "ascii",
    "ord",
    "unhex",
    "char_length",
    "bit_length",
    "md5",
    "sha1",
    "elt",
    "make_set",
    "greatest",
    "ifnull",
    "isnull",
    "nullif",
    "coalesce",
    "randomblob",
    "extractvalue",
    "updatexml",
    "name_const",
    "multipoint",
    "geometrycollection",
    "linestring",
    "version",
    "user",
    "current_user",
    "system_user",
    "session_user",
    "database",
    "schema",
    "table",
    "information_schema",
    "schema_name",
    "table_name",
    "column_name",
    "sysobjects",
    "syscolumns",
    "rownum",
    "sysdate",
    "xmltype",
    "to_char",
    "pg_sleep",
    "xp_cmdshell",
];

/// The pattern index of `like` in the automaton: it gets its own group, [`K_LIKE`].
const LIKE_WORD: usize = KEYWORDS.len() + 6;
const _: () = assert!(matches!(
    SQL_WORDS[LIKE_WORD - KEYWORDS.len()].as_bytes(),
    b"like"
));

/// The pattern indices of [`cmdi`]'s command words in the automaton (after [`KEYWORDS`]
/// and [`SQL_WORDS`]): whole words, like the SQL words, in group [`K_CMDW`].
const CMD_WORDS: std::ops::Range<usize> = {
    let from = KEYWORDS.len() + SQL_WORDS.len();
    from..from + cmdi::EXOTIC.len() + cmdi::COMMON.len()
};

/// The pattern index of command word `name` ([`cmdi::EXOTIC`], then [`cmdi::COMMON`]) in
/// the automaton; past [`CMD_WORDS`] if it is none.
const fn cmd_word(name: &str) -> usize {
    let words: [&[&str]; 2] = [cmdi::EXOTIC, cmdi::COMMON];
    let mut index = CMD_WORDS.start;
    let mut list = 0;
    while list < 2 {
        let mut k = 0;
        while k < words[list].len() {
            if words[list][k].eq_ignore_ascii_case(name) {
                return index;
            }
            index += 1;
            k += 1;
        }
        list += 1;
    }
    index
}

/// The pattern indices of `nc`, `ncat` and `netcat`: besides [`K_CMDW`], a whole word of
/// these counts for [`K_CMD_DIRECT`], the gate of `cmdi`'s pattern for `nc -e`, which
/// needs one standing alone. (Counted anywhere, the `nc` in "lunch", "since" or "once" ran
/// that pattern over prose.)
const NETCAT_WORDS: [usize; 3] = [cmd_word("nc"), cmd_word("ncat"), cmd_word("netcat")];
const _: () = assert!(
    NETCAT_WORDS[0] < CMD_WORDS.end
        && NETCAT_WORDS[1] < CMD_WORDS.end
        && NETCAT_WORDS[2] < CMD_WORDS.end
);

/// The group of a whole command word of pattern index `p`.
fn cmd_word_group(p: usize) -> u32 {
    if NETCAT_WORDS.contains(&p) {
        K_CMDW | K_CMD_DIRECT
    } else {
        K_CMDW
    }
}

/// SQL word prefixes whose rest is any identifier (`sp_executesql`, `dbms_pipe`, …):
/// only the left boundary is checked.
const SQL_PREFIXES: &[&str] = &["sp_", "dbms_", "utl_", "json_"];

/// The keyword automaton: [`KEYWORDS`], then [`SQL_WORDS`], then [`SQL_PREFIXES`], as one
/// case-insensitive DFA (no prefilter: most values are short and the trigger words are too
/// common for one to pay off), copied into [`KEYWORD_TABLE`] for [`signals`].
static KEYWORD_DFA: LazyLock<Option<aho_corasick::dfa::DFA>> = LazyLock::new(|| {
    aho_corasick::dfa::DFA::builder()
        .ascii_case_insensitive(true)
        .prefilter(false)
        .build(keyword_patterns())
        .ok()
});

fn keyword_patterns() -> Vec<&'static str> {
    KEYWORDS
        .iter()
        .map(|(k, _)| *k)
        .chain(SQL_WORDS.iter().copied())
        .chain(cmdi::EXOTIC.iter().copied())
        .chain(cmdi::COMMON.iter().copied())
        .chain(SQL_PREFIXES.iter().copied())
        .collect()
}

static KEYWORD_TABLE: LazyLock<Option<keyword_table::KeywordTable>> = LazyLock::new(|| {
    let groups: Vec<u32> = KEYWORDS.iter().map(|(_, g)| *g).collect();
    keyword_table::KeywordTable::build(
        KEYWORD_DFA.as_ref()?,
        &keyword_patterns(),
        &groups,
        CMD_WORDS.end,
        &CLASS,
        &WORD_BYTE,
    )
});

/// Per byte: whether it is an ASCII letter, digit or `_`.
static WORD_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (b as u8).is_ascii_alphanumeric() || b == b'_' as usize;
        b += 1;
    }
    t
};

fn is_word_byte(b: u8) -> bool {
    WORD_BYTE[usize::from(b)]
}

/// Byte classes and keyword groups of `text`, in one pass over its bytes.
#[inline(always)]
fn signals(text: &str) -> Signals {
    let Some(table) = KEYWORD_TABLE.as_ref() else {
        // Building a fixed automaton cannot fail in practice; if it did, run everything.
        return Signals {
            class: u32::MAX,
            kw: u32::MAX,
        };
    };
    let bytes = text.as_bytes();
    let mut words = 0u32;
    let (class, kw) = table.scan(bytes, |w, i| {
        let start = i + 1 - w.len;
        if sql_word_counts(bytes, start, i, w.prefix) {
            words |= if w.pattern == LIKE_WORD {
                K_LIKE
            } else if CMD_WORDS.contains(&w.pattern) {
                cmd_word_group(w.pattern)
            } else {
                K_SQLW
            };
        }
    });
    Signals {
        class,
        kw: kw | words,
    }
}

/// Whether a SQL word found at `start..=end` of `bytes` stands alone (word boundaries on
/// both sides, only on the left for a prefix) and is not a DNS label.
fn sql_word_counts(bytes: &[u8], start: usize, end: usize, prefix: bool) -> bool {
    let before = start.checked_sub(1).and_then(|i| bytes.get(i)).copied();
    // Most words found are inside a longer one (`or` in `morning`): out first.
    if before.is_some_and(is_word_byte) {
        return false;
    }
    let after = bytes.get(end + 1).copied();
    let right = prefix || after.is_none_or(|n| !is_word_byte(n));
    // A DNS label (`abc123.execute-api.us-east-1.amazonaws.com`, the Host of every REST API
    // event) is no SQL word: `.` or `-` on both sides.
    let label = matches!(before, Some(b'.' | b'-')) && matches!(after, Some(b'.' | b'-'));
    right && !label
}

/// [`sql_word_counts`] as first written, with the plain ASCII predicates: the reference
/// its table and early return are tested against.
#[cfg(test)]
fn sql_word_counts_reference(bytes: &[u8], start: usize, end: usize, prefix: bool) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let left = start == 0 || !word(bytes[start - 1]);
    let right = prefix || bytes.get(end + 1).is_none_or(|&n| !word(n));
    let label = start > 0
        && matches!(bytes[start - 1], b'.' | b'-')
        && bytes
            .get(end + 1)
            .is_some_and(|&n| matches!(n, b'.' | b'-'));
    left && right && !label
}

/// [`signals`] by walking the library's DFA directly: the reference the table is tested
/// against.
#[cfg(test)]
fn signals_reference(text: &str) -> Signals {
    use aho_corasick::automaton::Automaton as _;
    let bytes = text.as_bytes();
    let dfa = KEYWORD_DFA.as_ref().expect("keyword automaton");
    let mut sid = dfa
        .start_state(aho_corasick::Anchored::No)
        .expect("unanchored start");
    let mut class = 0u32;
    let mut kw = 0u32;
    for (i, &b) in bytes.iter().enumerate() {
        class |= CLASS[b as usize];
        sid = dfa.next_state(aho_corasick::Anchored::No, sid, b);
        if dfa.is_special(sid) && dfa.is_match(sid) {
            for m in 0..dfa.match_len(sid) {
                let p = dfa.match_pattern(sid, m).as_usize();
                if let Some((_, groups)) = KEYWORDS.get(p) {
                    kw |= groups;
                    continue;
                }
                let len = dfa.pattern_len(dfa.match_pattern(sid, m));
                let prefix = p >= CMD_WORDS.end;
                if sql_word_counts(bytes, i + 1 - len, i, prefix) {
                    kw |= if p == LIKE_WORD {
                        K_LIKE
                    } else if CMD_WORDS.contains(&p) {
                        cmd_word_group(p)
                    } else {
                        K_SQLW
                    };
                }
            }
        }
    }
    Signals { class, kw }
}

/// The prefilter result for one view.
pub(crate) struct Signals {
    pub class: u32,
    pub kw: u32,
}

/// Every class bit [`wanted_mask`] or normalizing can ask for: a value with none of them (and
/// no keyword group) wants no detector. (The classes of NoSQL, XXE and XSS, `$`, `&`, `;`,
/// `%` and `<`, are among these.)
const ANY_CLASS: u32 = SQLI_CLASSES | CMDI_CLASSES | PERCENT | HIGH;
/// Every keyword group [`wanted_mask`] looks at.
const ANY_GROUP: u32 = K_SQL | K_NOSQL | K_CMD | K_CODE | K_PATH | K_SSRF | K_XXE | K_XSS | K_DESER;

/// Builds every automaton and pattern the detectors compile on first use.
pub(crate) fn prepare() {
    LazyLock::force(&KEYWORD_TABLE);
    sqli::prepare();
    nosqli::prepare();
    cmdi::prepare();
    code::prepare();
    path::prepare();
    xss::prepare();
    deser::prepare();
}

/// The classes that call for SQLi and for command injection by themselves.
const SQLI_CLASSES: u32 =
    QUOTE | BACKTICK | SEMI | PAREN | EQ | HASH | STAR | BACKSLASH | PIPE | AMP | BANG;
const CMDI_CLASSES: u32 = SEMI | PIPE | AMP | BACKTICK | DOLLAR | NEWLINE | QUOTE | LT | CARET;

/// What class bit `bit` (or, with `groups`, keyword group bit `bit`) calls for by itself:
/// one bit per kind of [`ORDER`].
const fn bit_wants(bit: u32, groups: bool) -> u16 {
    let b = 1u32 << bit;
    let calls = if groups {
        [
            b & K_SQL,
            b & K_NOSQL,
            b & (K_CMD | K_CODE),
            b & K_CODE,
            b & K_PATH,
            b & K_SSRF,
            b & K_XXE,
            b & K_XSS,
            b & K_DESER,
        ]
    } else {
        [
            b & SQLI_CLASSES,
            b & DOLLAR,
            b & CMDI_CLASSES,
            0,
            0,
            0,
            0,
            b & LT,
            0,
        ]
    };
    let mut wants = 0;
    let mut i = 0;
    while i < calls.len() {
        if calls[i] != 0 {
            wants |= 1 << i;
        }
        i += 1;
    }
    wants
}

/// `table[k][v]`: what byte `k` of a 32-bit mask calls for when it is `v` (the OR of its
/// bits' [`bit_wants`]).
const fn wants_by_byte(groups: bool) -> [[u16; 256]; 4] {
    let mut table = [[0u16; 256]; 4];
    let mut k = 0;
    while k < 4 {
        let mut v = 0;
        while v < 256 {
            let mut bit = 0;
            while bit < 8 {
                if v & 1 << bit != 0 {
                    table[k][v] |= bit_wants(8 * k as u32 + bit, groups);
                }
                bit += 1;
            }
            v += 1;
        }
        k += 1;
    }
    table
}

static CLASS_WANTS: [[u16; 256]; 4] = wants_by_byte(false);
static GROUP_WANTS: [[u16; 256]; 4] = wants_by_byte(true);

/// Which detectors a view's signals call for: one bit per kind of [`ORDER`]. Each class
/// and group calls for its detectors by itself ([`bit_wants`]: four table lookups for
/// each mask, one per byte, instead of nine conditions); XXE also wants two classes
/// together (entity references: in markup, or alone as `&name;` / `%name;`).
fn wanted_mask(s: &Signals) -> u16 {
    let (c, k) = (s.class, s.kw);
    let by_byte = |table: &[[u16; 256]; 4], m: u32| {
        table[0][(m & 0xff) as usize]
            | table[1][(m >> 8 & 0xff) as usize]
            | table[2][(m >> 16 & 0xff) as usize]
            | table[3][(m >> 24) as usize]
    };
    let xxe = c & (AMP | LT) == (AMP | LT) || c & (AMP | PERCENT) != 0 && c & SEMI != 0;
    by_byte(&CLASS_WANTS, c) | by_byte(&GROUP_WANTS, k) | u16::from(xxe) << 6
}

const ORDER: [Kind; 9] = [
    Kind::Sqli,
    Kind::Nosqli,
    Kind::Cmdi,
    Kind::Code,
    Kind::PathTraversal,
    Kind::Ssrf,
    Kind::Xxe,
    Kind::Xss,
    Kind::Deserialization,
];

/// A view of the value as the detectors see it.
pub(crate) struct View<'a> {
    pub text: &'a str,
    /// `text` in ASCII lower case.
    pub lower: &'a str,
    pub sig: Signals,
}

thread_local! {
    /// Reused buffers for the lower-case copies of a value's raw and normalized views:
    /// most values that reach the detectors are short, and a fresh `String` for each cost
    /// an allocation and a free.
    static LOWER: std::cell::RefCell<(String, String)> =
        const { std::cell::RefCell::new((String::new(), String::new())) };
}

/// Buffers above this many bytes are given back after use, not kept for the next value.
const LOWER_KEEP: usize = 64 * 1024;

/// Writes `text` in ASCII lower case into `buf` and returns it.
fn lower_into<'b>(buf: &'b mut String, text: &str) -> &'b str {
    buf.clear();
    buf.push_str(text);
    buf.make_ascii_lowercase();
    buf
}

/// What [`crate::decode::normalize`] looks for, as the prefilter's classes `class` say.
fn present(class: u32) -> crate::decode::Present {
    crate::decode::Present {
        percent: class & PERCENT != 0,
        to_fold: class & HIGH != 0,
        amp: class & AMP != 0,
        backslash: class & BACKSLASH != 0,
    }
}

/// The detectors `sig` calls for ([`wanted_mask`]) that `config` enables, one bit per kind of
/// [`ORDER`].
fn to_run(sig: &Signals, config: &Config) -> u16 {
    wanted_mask(sig) & config.detectors.mask()
}

/// Whether the detectors of `run` may find anything in `value` (signals `sig`), by the
/// first checks they make themselves, before a lower-case copy or any other set-up: most
/// values that wake a detector (an apostrophe, a `;` or a parenthesis in prose) end here.
/// Exact: a detector asked here asks the same of the same text and signals first thing.
fn may_find(value: &str, sig: &Signals, run: u16) -> bool {
    let mut left = run;
    while left != 0 {
        let i = left.trailing_zeros() as usize;
        left &= left - 1;
        let may = match ORDER[i] {
            Kind::Sqli => sqli::sql_sign(value, sig),
            Kind::Cmdi => cmdi::may_hit(value.as_bytes(), sig),
            _ => true,
        };
        if may {
            return true;
        }
    }
    false
}

/// Runs the detectors of `run` (see [`to_run`]) over `view`.
fn run_view(view: &View<'_>, run: u16, hits: &mut Vec<Hit>) {
    let mut left = run;
    while left != 0 {
        let i = left.trailing_zeros() as usize;
        left &= left - 1;
        match ORDER[i] {
            Kind::Sqli => sqli::detect(view, hits),
            Kind::Nosqli => nosqli::detect(view, hits),
            Kind::Cmdi => cmdi::detect(view, hits),
            Kind::Code => code::detect(view, hits),
            Kind::PathTraversal => path::detect(view, hits),
            Kind::Ssrf => ssrf::detect(view, hits),
            Kind::Xxe => xxe::detect(view, hits),
            Kind::Xss => xss::detect(view, hits),
            Kind::Deserialization => deser::detect(view, hits),
        }
    }
}

/// The first half of scanning `value` (cut to `config.max_body`): its signals, or `None`
/// when they call for no detector and nothing to normalize (most clean values end here,
/// with nothing allocated). The detectors then run in [`scan_signalled`]; the caller sets
/// up what they need (the value's path) only for the values that get there.
pub(crate) fn prefilter(value: &str, config: &Config) -> Option<Signals> {
    let value = crate::decode::truncate(value, config.max_body);
    if value.len() < 2 {
        return None;
    }
    let sig = signals(value);
    // Nothing `wanted_mask` looks at, nothing to normalize.
    (sig.class & ANY_CLASS != 0 || sig.kw & ANY_GROUP != 0).then_some(sig)
}

/// Runs the detectors over `value` (cut to `config.max_body`), whose [`prefilter`] gave
/// `sig`; appends at most one detection per kind (the most confident) to `out`. `path`
/// renders the value's JSON path, called only on a detection.
pub(crate) fn scan_signalled(
    value: &str,
    sig: Signals,
    config: &Config,
    out: &mut Vec<Detection>,
    path: &mut dyn FnMut() -> String,
) {
    let value = crate::decode::truncate(value, config.max_body);
    let class = sig.class;
    let needs_normalizing = class & (PERCENT | AMP | BACKSLASH | HIGH) != 0;
    let run = to_run(&sig, config);
    if !needs_normalizing && run == 0 {
        return;
    }
    let normalized = if needs_normalizing {
        crate::decode::normalize(value, present(class))
    } else {
        None
    };
    if normalized.is_none() && !may_find(value, &sig, run) {
        return;
    }
    LOWER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut bufs) => {
            let (raw, norm) = &mut *bufs;
            scan_views(
                value,
                (sig, run),
                normalized.as_deref(),
                (raw, norm),
                config,
                out,
                path,
            );
            for buf in [raw, norm] {
                if buf.capacity() > LOWER_KEEP {
                    *buf = String::new();
                }
            }
        }
        // Not reentered in practice; stay correct if it ever is.
        Err(_) => scan_views(
            value,
            (sig, run),
            normalized.as_deref(),
            (&mut String::new(), &mut String::new()),
            config,
            out,
            path,
        ),
    });
}

/// The detectors over the raw view of `value` (whose signals are `sig`, calling for the
/// detectors `run`) and over its normalized text if it has one, the lower-case copies
/// written into `lower`; then the most confident hit of each kind goes to `out`.
fn scan_views(
    value: &str,
    (sig, run): (Signals, u16),
    normalized: Option<&str>,
    lower: (&mut String, &mut String),
    config: &Config,
    out: &mut Vec<Detection>,
    path: &mut dyn FnMut() -> String,
) {
    let mut hits: Vec<Hit> = Vec::new();
    let raw_view = View {
        text: value,
        lower: lower_into(lower.0, value),
        sig,
    };
    run_view(&raw_view, run, &mut hits);
    let raw_hits = hits.len();
    if let Some(norm) = normalized {
        let sig = signals(norm);
        let run = to_run(&sig, config);
        let view = View {
            text: norm,
            lower: lower_into(lower.1, norm),
            sig,
        };
        run_view(&view, run, &mut hits);
        emit(
            &raw_view,
            &hits[..raw_hits],
            &view,
            &hits[raw_hits..],
            config,
            out,
            path,
        );
    } else {
        emit(&raw_view, &hits, &raw_view, &[], config, out, path);
    }
}

fn emit(
    raw: &View<'_>,
    raw_hits: &[Hit],
    norm: &View<'_>,
    norm_hits: &[Hit],
    config: &Config,
    out: &mut Vec<Detection>,
    path: &mut dyn FnMut() -> String,
) {
    let mut best: Vec<(Hit, &str)> = Vec::new();
    let all = raw_hits
        .iter()
        .map(|h| (*h, raw.text))
        .chain(norm_hits.iter().map(|h| (*h, norm.text)));
    for (hit, text) in all {
        if hit.confidence < config.alert_threshold {
            continue;
        }
        match best.iter_mut().find(|(b, _)| b.kind == hit.kind) {
            Some(slot) if slot.0.confidence < hit.confidence => *slot = (hit, text),
            Some(_) => {}
            None => best.push((hit, text)),
        }
    }
    if best.is_empty() {
        return;
    }
    let p = path();
    for (hit, text) in best {
        out.push(Detection {
            kind: hit.kind.as_str(),
            path: p.clone(),
            confidence: hit.confidence,
            excerpt: excerpt(text, hit.start, hit.end),
        });
    }
}

/// Longest excerpt, in bytes.
const EXCERPT_MAX: usize = 48;

/// The matched span, cut to [`EXCERPT_MAX`] bytes, with control characters shown as `·` and
/// long digit runs (card and account numbers, tokens) masked with `*`.
pub(crate) fn excerpt(text: &str, start: usize, end: usize) -> String {
    let mut s = start.min(text.len());
    while s > 0 && !text.is_char_boundary(s) {
        s -= 1;
    }
    let mut e = end.clamp(s, text.len()).min(s + EXCERPT_MAX);
    while e > s && !text.is_char_boundary(e) {
        e -= 1;
    }
    let span = &text[s..e];
    let mut out = String::with_capacity(span.len() + 2);
    let mut digits = 0usize;
    for c in span.chars() {
        if c.is_ascii_digit() {
            digits += 1;
        } else {
            digits = 0;
        }
        if c.is_control() {
            out.push('·');
        } else {
            out.push(c);
        }
    }
    // Mask digit runs of 6 or more.
    let chars: Vec<char> = out.chars().collect();
    let mut masked = String::with_capacity(out.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let mut j = i;
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
            if j - i >= 6 {
                masked.extend(std::iter::repeat_n('*', j - i));
            } else {
                masked.extend(&chars[i..j]);
            }
            i = j;
        } else {
            masked.push(chars[i]);
            i += 1;
        }
    }
    let _ = digits;
    if e < end.min(text.len()) {
        masked.push('…');
    }
    masked
}

/// Finds the first match of any of `needles` (lower-case) in `lower`; returns its range.
pub(crate) fn find_any(lower: &str, needles: &[&str]) -> Option<(usize, usize)> {
    needles
        .iter()
        .filter_map(|n| {
            memchr::memmem::find(lower.as_bytes(), n.as_bytes()).map(|i| (i, i + n.len()))
        })
        .min_by_key(|r| r.0)
}

/// Compiles a detector pattern over bytes with ASCII classes (`\w`, `\b`, `\s`): the
/// views are ASCII-lower-cased already, and ASCII word boundaries keep the fast lazy DFA
/// even on non-ASCII input (Unicode `\b` makes it give up on the first non-ASCII byte).
pub(crate) fn re(pattern: &str) -> Result<regex::bytes::Regex, regex::Error> {
    regex::bytes::RegexBuilder::new(pattern)
        .unicode(false)
        .build()
}

/// Whether `key` (lower-case) is a MongoDB query operator.
pub(crate) fn nosqli_operator(key: &str) -> bool {
    nosqli::OPERATORS.contains(&key)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`wanted_mask`] as one flag per kind of [`ORDER`].
    /// [`wanted_mask`] as first written, condition by condition: the reference its tables
    /// are tested against.
    fn wanted_mask_reference(s: &Signals) -> u16 {
        let c = s.class;
        let k = s.kw;
        let wants = [
            // sqli
            c & (QUOTE
                | BACKTICK
                | SEMI
                | PAREN
                | EQ
                | HASH
                | STAR
                | BACKSLASH
                | PIPE
                | AMP
                | BANG)
                != 0
                || k & K_SQL != 0,
            // nosqli
            c & DOLLAR != 0 || k & K_NOSQL != 0,
            // cmdi
            c & (SEMI | PIPE | AMP | BACKTICK | DOLLAR | NEWLINE | QUOTE | LT | CARET) != 0
                || k & (K_CMD | K_CODE) != 0,
            // code
            k & K_CODE != 0,
            // path
            k & K_PATH != 0,
            // ssrf
            k & K_SSRF != 0,
            // xxe (entity references: in markup, or alone as `&name;` / `%name;`)
            k & K_XXE != 0
                || c & (AMP | LT) == (AMP | LT)
                || c & (AMP | PERCENT) != 0 && c & SEMI != 0,
            // xss
            c & LT != 0 || k & K_XSS != 0,
            // deser
            k & K_DESER != 0,
        ];
        wants
            .iter()
            .enumerate()
            .fold(0, |m, (i, &w)| m | u16::from(w) << i)
    }

    /// The tables of `wanted_mask` say what its conditions say: for every single class
    /// and group bit, every pair of class bits, and seeded random masks.
    #[test]
    fn wanted_mask_matches_its_conditions() {
        let check = |class: u32, kw: u32| {
            let s = Signals { class, kw };
            assert_eq!(
                wanted_mask(&s),
                wanted_mask_reference(&s),
                "{class:#x} {kw:#x}"
            );
        };
        for i in 0..32 {
            check(1 << i, 0);
            check(0, 1 << i);
            for j in 0..32 {
                check(1 << i | 1 << j, 0);
            }
        }
        let mut rng = crate::test_rng::XorShift(0x1f83_d9ab_fb41_bd6b);
        for _ in 0..100_000 {
            let (a, b) = (rng.next(), rng.next());
            check(a as u32 & (a >> 32) as u32, b as u32 & (b >> 32) as u32);
        }
    }

    fn wanted(s: &Signals) -> [bool; 9] {
        let mask = wanted_mask(s);
        std::array::from_fn(|i| mask & 1 << i != 0)
    }

    fn same(text: &str) {
        let (a, b) = (signals(text), signals_reference(text));
        assert_eq!(
            (a.class, a.kw),
            (b.class, b.kw),
            "signals differ on {text:?}"
        );
    }

    /// The word check agrees with its plain version at every position of texts over word
    /// bytes, boundaries, DNS-label signs and non-ASCII bytes, for words and prefixes.
    #[test]
    fn sql_word_counts_matches_reference() {
        let alphabet = b"aZ09_ .-'\xc3\x80\x00";
        let mut rng = crate::test_rng::XorShift(0x2545_f491_4f6c_dd1d);
        for _ in 0..20_000 {
            let t = rng.bytes_of(&alphabet[..], 12);
            let len = t.len();
            for start in 0..len {
                for end in start..len {
                    for prefix in [false, true] {
                        assert_eq!(
                            sql_word_counts(&t, start, end, prefix),
                            sql_word_counts_reference(&t, start, end, prefix),
                            "{t:?} {start}..={end} prefix {prefix}"
                        );
                    }
                }
            }
        }
        for b in 0..=255u8 {
            assert_eq!(is_word_byte(b), b.is_ascii_alphanumeric() || b == b'_');
        }
    }

    /// The classes say exactly which of the bytes `normalize` starts from a text holds
    /// (so `scan_signalled` may hand it what the prefilter found).
    #[test]
    fn classes_say_what_normalize_looks_for() {
        for b in 0..=255u8 {
            let text = [b'a', b, b'z'];
            let want = crate::decode::Present::of(&text);
            assert_eq!(present(CLASS[usize::from(b)]), want, "byte {b:#04x}");
        }
    }

    /// The quick exit of `prefilter` is exact: any single class bit or group outside
    /// `ANY_CLASS` / `ANY_GROUP`, alone or with all the others outside, wants nothing.
    #[test]
    fn quick_exit_covers_every_wanted_bit() {
        let outside_class = !ANY_CLASS;
        let outside_group = !ANY_GROUP;
        for bit in 0..32 {
            for (class, kw) in [
                (1u32 << bit & outside_class, 0),
                (0, 1u32 << bit & outside_group),
            ] {
                let w = wanted(&Signals { class, kw });
                assert!(w.iter().all(|x| !x), "bit {bit} wants a detector");
            }
        }
        let all = wanted(&Signals {
            class: outside_class,
            kw: outside_group,
        });
        assert!(all.iter().all(|x| !x));
        // And every bit inside is needed by something (no dead weight in the lists).
        for bit in 0..32 {
            let (c, k) = (1u32 << bit, 1u32 << bit);
            if ANY_CLASS & c != 0 && c & (PERCENT | HIGH | AMP | SEMI) == 0 {
                assert!(
                    wanted(&Signals { class: c, kw: 0 }).iter().any(|x| *x),
                    "class bit {bit}"
                );
            }
            if ANY_GROUP & k != 0 {
                assert!(
                    wanted(&Signals { class: 0, kw: k }).iter().any(|x| *x),
                    "group bit {bit}"
                );
            }
        }
    }

    /// The enabled-detector bits are in `ORDER`'s order: with one detector on, its bit
    /// alone is set, and `enabled` says the same.
    #[test]
    fn detector_mask_follows_order() {
        for (i, kind) in ORDER.iter().enumerate() {
            let mut d = crate::Detectors::all(false);
            match kind {
                Kind::Sqli => d.sqli = true,
                Kind::Nosqli => d.nosqli = true,
                Kind::Cmdi => d.cmdi = true,
                Kind::Code => d.code = true,
                Kind::PathTraversal => d.path_traversal = true,
                Kind::Ssrf => d.ssrf = true,
                Kind::Xxe => d.xxe = true,
                Kind::Xss => d.xss = true,
                Kind::Deserialization => d.deserialization = true,
            }
            assert_eq!(d.mask(), 1 << i, "{kind:?}");
            assert!(ORDER.iter().all(|k| d.enabled(*k) == (k == kind)));
        }
        assert_eq!(crate::Detectors::all(true).mask(), (1 << ORDER.len()) - 1);
    }

    /// `may_find` only ever skips detectors that would find nothing: wherever it says
    /// no, running them over the value (and its lower-case copy) reports no hit, on every
    /// payload and benign line in its own case and upper-cased, with every detector on.
    #[test]
    fn may_find_skips_only_what_finds_nothing() {
        let config = Config::default();
        let (mut skipped, mut lines) = (0, 0);
        for line in crate::test_corpus::lines()
            .into_iter()
            .flat_map(|l| [l.to_ascii_uppercase(), l])
        {
            lines += 1;
            let sig = signals(&line);
            let run = to_run(&sig, &config);
            if may_find(&line, &sig, run) {
                continue;
            }
            skipped += 1;
            let lower = line.to_ascii_lowercase();
            let view = View {
                text: &line,
                lower: &lower,
                sig,
            };
            let mut hits = Vec::new();
            run_view(&view, run, &mut hits);
            assert!(hits.is_empty(), "{line:?}: {:?}", hits.len());
        }
        assert!(
            lines > 2000 && skipped > 100,
            "{skipped} of {lines} skipped"
        );
    }

    /// The hand-walked table finds exactly what the library's DFA finds: every line of
    /// every payload and benign file, every trigger word alone, in upper case and between
    /// word bytes, DNS labels, and seeded random texts over the bytes the patterns use.
    #[test]
    fn keyword_table_matches_the_dfa() {
        let mut files = 0;
        for entry in std::fs::read_dir(crate::test_corpus::DIR).expect("payload corpus") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "txt" || e == "jsonl") {
                files += 1;
                let text = std::fs::read(&path).expect("payload file");
                let text = String::from_utf8_lossy(&text);
                let lines: Vec<&str> = text.lines().collect();
                for line in &lines {
                    same(line);
                }
                // Long texts, walked in lanes: 40 lines at a time, and 1,000.
                for n in [40, 1000] {
                    for chunk in lines.chunks(n) {
                        same(&chunk.join(" "));
                    }
                }
            }
        }
        assert!(files >= 9, "payload corpus incomplete: {files} files");
        for p in keyword_patterns() {
            for t in [
                p.to_string(),
                p.to_ascii_uppercase(),
                format!("a{p}b"),
                format!("x {p} y"),
                format!("a.{p}.b"),
                format!("-{p}-"),
                format!("{p}{p}"),
            ] {
                same(&t);
            }
        }
        let alphabet: Vec<char> = keyword_patterns()
            .concat()
            .chars()
            .chain("AZ ._-'\"é\u{0}\u{7f}".chars())
            .collect();
        let mut rng = crate::test_rng::XorShift(0x9e37_79b9_7f4a_7c15u64);
        for round in 0..20_000 {
            let seed = rng.next();
            // Mostly short values; every 20th one long enough for the lanes, with its
            // patterns across lane boundaries wherever they fall.
            let len = if round % 20 == 0 {
                (seed % 3000) as usize
            } else {
                (seed % 40) as usize
            };
            let t: String = (0..len)
                .map(|k| {
                    let r = seed.rotate_left(k as u32 * 5) ^ (k as u64).wrapping_mul(0x2545_f491);
                    alphabet[(r % alphabet.len() as u64) as usize]
                })
                .collect();
            same(&t);
        }
    }
}
