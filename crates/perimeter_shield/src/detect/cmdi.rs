//! OS command injection, by a small shell-aware scanner.
//!
//! Candidate command positions are the start of the value and every point after a shell
//! separator (`;`, `|`, `&`, newline, backtick, `$(`, and for exotic commands a quote, `<`
//! or `^`). The word there is read (an optional `/bin/`-style or `C:\Windows\` prefix
//! dropped) and judged with what follows it:
//! - exotic commands (`whoami`, `uname`, `wget`, `netsh`, …) are attacks after a separator,
//!   and suspicious even at the start of a value;
//! - common commands that are also words or plain values (`id`, `dir`, `cat`, `sleep`,
//!   `type`) count only with a shell-looking argument (`-l`, `/etc`, `c:\`, `$HOME`,
//!   `%SYSTEMROOT%`, a number for `sleep`/`ping`) or at the end of the value after a
//!   separator, so "Tom & Jerry" or "cat food" stay clean.
//!
//! Command substitution, `${IFS}`, shellshock and `$'…'` tricks are matched directly.

use super::{
    AT, BACKTICK, BRACE, COLON, DOLLAR, GT, HASH, Hit, K_CMD, K_CMD_DIRECT, K_CMDW, K_SHELL_CALL,
    Kind, LT, PAREN, SEMI, Signals, View,
};
use regex::bytes::Regex;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;
use wide::u8x16;

pub(super) const EXOTIC: &[&str] = &[
    "whoami",
    "uname",
    "ifconfig",
    "ipconfig",
    "netstat",
    "nslookup",
    "wget",
    "curl",
    "bash",
    "zsh",
    "ksh",
    "csh",
    "tcsh",
    "powershell",
    "pwsh",
    "systeminfo",
    "sysinfo",
    "tasklist",
    "certutil",
    "bitsadmin",
    "netsh",
    "nc",
    "ncat",
    "netcat",
    "socat",
    "phpinfo",
    "printenv",
    "nohup",
    "crontab",
    "useradd",
    "usermod",
    "wmic",
    "taskkill",
    "getent",
    "lsb_release",
    "nmap",
    "traceroute",
    "tracert",
    "killall",
    "pkill",
    "mkfifo",
    "xterm",
    "gcc",
    "chmod",
    "chown",
    "cmd.exe",
    "powershell.exe",
    "rundll32",
    "regsvr32",
    "mshta",
    "cscript",
    "wscript",
    "telnet",
    "tftp",
    "busybox",
    "uptime",
    "passwd",
    "shutdown",
    "reboot",
    "ifup",
    "iptables",
    "dmesg",
    "lsof",
];

pub(super) const COMMON: &[&str] = &[
    "id", "ls", "dir", "pwd", "cat", "echo", "sleep", "ping", "sh", "rm", "touch", "env", "ver",
    "net", "sudo", "timeout", "expr", "eval", "exec", "find", "type", "more", "set", "copy", "del",
    "start", "cd", "cp", "mv", "mkdir", "head", "tail", "less", "grep", "awk", "sed", "xargs",
    "kill", "ps", "who", "w", "last", "host", "dig", "arp", "route", "perl", "python", "python2",
    "python3", "ruby", "php", "node", "ftp", "scp", "ssh", "which", "reg", "sc", "base64", "vi",
    "vim", "nano", "git", "hostname", "cmd", "system", "wait", "exit", "tar", "zip", "unzip",
    "chdir", "rd", "rmdir", "attrib", "icacls", "net1", "at", "schtasks", "whereis",
];

/// Commands that are not words of any language: a value that is nothing but one of them
/// (`ls`, `pwd`) is a probe, worth an alert.
const BARE: &[&str] = &[
    "ls", "pwd", "dir", "ipconfig", "ifconfig", "whoami", "uname",
];

/// Subcommands that make a common Windows/git command unambiguous.
const SUBCOMMANDS: &[(&str, &[&str])] = &[
    (
        "net",
        &[
            "user",
            "view",
            "localgroup",
            "share",
            "use",
            "start",
            "stop",
            "group",
            "session",
            "accounts",
        ],
    ),
    (
        "reg",
        &["add", "query", "delete", "save", "export", "import"],
    ),
    (
        "sc",
        &["query", "create", "config", "start", "stop", "delete"],
    ),
    ("git", &["clone", "pull", "fetch", "config", "checkout"]),
    (
        "netsh",
        &[
            "firewall",
            "advfirewall",
            "interface",
            "wlan",
            "winhttp",
            "http",
            "wfp",
            "portproxy",
        ],
    ),
    ("which", EXOTIC),
    ("which", COMMON),
];

/// Whether `w` is in [`EXOTIC`] / [`COMMON`]: a hash lookup instead of comparing with
/// 150 words at every candidate position.
fn is_exotic(w: &str) -> bool {
    command_kind(w).0
}

fn is_common(w: &str) -> bool {
    command_kind(w).1
}

static MAP: LazyLock<WordMap> = LazyLock::new(|| {
    let mut m = WordMap::default();
    for w in EXOTIC {
        m.entry(w.as_bytes()).or_default().0 = true;
    }
    for w in COMMON {
        m.entry(w.as_bytes()).or_default().1 = true;
    }
    m
});

/// (in [`EXOTIC`], in [`COMMON`]) for `w`, in one lookup.
#[inline(always)]
fn command_kind(w: &str) -> (bool, bool) {
    command_kind_bytes(w.as_bytes())
}

/// [`command_kind`] of a word as bytes (no UTF-8 check: the map's keys are ASCII, so
/// anything else is simply not found).
#[inline(always)]
fn command_kind_bytes(w: &[u8]) -> (bool, bool) {
    if !may_be_command_bytes(w) {
        return (false, false);
    }
    MAP.get(w).copied().unwrap_or_default()
}

/// For each (first byte, second byte) pair, folded to five bits each, the lengths (bit
/// `len`, up to 31) of the [`EXOTIC`] and [`COMMON`] words starting with it (a one-letter
/// word's second byte is 0): most words of a value are no command, and this rejects them
/// without hashing. Folding only merges pairs, so it never rejects a command.
static FIRST_TWO_LEN: [u32; 1024] = pair_lengths(0, 1);

/// [`FIRST_TWO_LEN`] for the second and third bytes: a second sieve, for the words the
/// first lets through (`neil` starts like `net1`, but no command of four letters has `ei`
/// for its second and third).
static SECOND_THIRD_LEN: [u32; 1024] = pair_lengths(1, 2);

/// For each pair of bytes at offsets `a` and `b` of the command words (0 past a word's
/// end), folded to five bits each: the lengths of the words that have it.
const fn pair_lengths(a: usize, b: usize) -> [u32; 1024] {
    let mut t = [0u32; 1024];
    let lists: [&[&str]; 2] = [EXOTIC, COMMON];
    let mut l = 0;
    while l < lists.len() {
        let mut i = 0;
        while i < lists[l].len() {
            let w = lists[l][i].as_bytes();
            assert!(!w.is_empty() && w.len() < 32);
            let x = if w.len() > a { w[a] } else { 0 };
            let y = if w.len() > b { w[b] } else { 0 };
            t[pair_index(x, y)] |= 1 << w.len();
            i += 1;
        }
        l += 1;
    }
    t
}

const fn pair_index(first: u8, second: u8) -> usize {
    ((first & 31) as usize) << 5 | (second & 31) as usize
}

/// Whether `b` may be in [`EXOTIC`] or [`COMMON`], by [`FIRST_TWO_LEN`] and
/// [`SECOND_THIRD_LEN`]: `false` is exact.
#[inline]
fn may_be_command_bytes(b: &[u8]) -> bool {
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let len = 1u32.checked_shl(b.len() as u32).unwrap_or(0);
    !b.is_empty()
        && b.len() < 32
        && FIRST_TWO_LEN[pair_index(at(0), at(1))] & len != 0
        && SECOND_THIRD_LEN[pair_index(at(1), at(2))] & len != 0
}

/// Bytes after which a command may start (see [`detect`]'s candidate positions): a
/// separator, `(` of `$(`, a quote, `<` or `^`.
static CANDIDATE_AFTER: [bool; 256] = {
    let mut t = [false; 256];
    let bytes = CANDIDATE_BYTES;
    let mut i = 0;
    while i < bytes.len() {
        t[bytes[i] as usize] = true;
        i += 1;
    }
    t
};

/// The offset of the first byte at or after `from` that a command may follow
/// ([`CANDIDATE_AFTER`]): sixteen bytes at a time, one SIMD compare per such byte, then
/// byte by byte for the tail.
fn next_candidate_after(s: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(chunk) = s.get(i..i + 16).and_then(|c| c.as_array::<16>()) {
        let v = u8x16::new(*chunk);
        let hit = CANDIDATE_BYTES
            .iter()
            .fold(u8x16::splat(0), |m, &b| m | v.simd_eq(u8x16::splat(b)))
            .to_bitmask();
        if hit != 0 {
            return Some(i + hit.trailing_zeros() as usize);
        }
        i += 16;
    }
    s.get(i..)?
        .iter()
        .position(|&b| CANDIDATE_AFTER[b as usize])
        .map(|k| i + k)
}

/// The bytes of [`CANDIDATE_AFTER`].
const CANDIDATE_BYTES: &[u8] = b";|&\n\r`(\'\"<^";

/// A fixed set of short command words. SipHash (the std default, built against HashDoS)
/// cost more than the rest of the lookup; the keys are our own constants, so a cheap
/// multiplicative hash is safe here (an attacker only chooses what is looked up).
type WordMap = HashMap<&'static [u8], (bool, bool), BuildHasherDefault<WordHasher>>;

#[derive(Default)]
struct WordHasher(u64);

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
        self.0 = h;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

fn is_sep(b: u8) -> bool {
    matches!(b, b';' | b'|' | b'&' | b'\n' | b'\r' | b'`')
}

/// Bytes of a command word: 1, or 2 for the directory separators `/` and `\\`.
static COMMAND_BYTE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b':' | b'-') {
            t[b] = 1;
        }
        b += 1;
    }
    t[b'/' as usize] = 2;
    t[b'\\' as usize] = 2;
    t
};

/// Reads the command word at `i` (after spaces and `+`): returns (word, end).
fn word_at(s: &[u8], i: usize) -> (&[u8], usize) {
    let (word, end) = word_range(s, i);
    (&s[word], end)
}

/// [`word_at`] as the word's range in `s` (so a caller holding `s` as a `str` slices it
/// without validating UTF-8 again: the word is ASCII).
#[inline(always)]
fn word_range(s: &[u8], mut i: usize) -> (std::ops::Range<usize>, usize) {
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'+' | b'{' | b'(') {
        i += 1;
    }
    let start = i;
    let mut slash = false;
    while let Some(&b) = s.get(i) {
        match COMMAND_BYTE[b as usize] {
            0 => break,
            2 => slash = true,
            _ => {}
        }
        i += 1;
    }
    let w = &s[start..i];
    // Drop a directory prefix (/bin/, usr/bin/, C:\Windows\System32\), but a URL or a
    // relative path is not a command.
    if slash && let Some(p) = w.iter().rposition(|&b| b == b'/' || b == b'\\') {
        let dir = &w[..=p];
        let is_dir = dir.starts_with(b"/")
            || dir.starts_with(b"\\")
            || dir.starts_with(b"usr/")
            || dir.starts_with(b"bin/")
            || (dir.len() > 2
                && dir[1] == b':'
                && !dir.starts_with(b"file:")
                && !w.windows(3).any(|x| x == b"://"));
        return (if is_dir { start + p + 1..i } else { i..i }, i);
    }
    (start..i, i)
}

/// The next argument after `i` (spaces and `+` skipped).
fn arg_at(s: &[u8], mut i: usize) -> &[u8] {
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'+') {
        i += 1;
    }
    let start = i;
    while i < s.len()
        && !matches!(
            s[i],
            b' ' | b'\t' | b'+' | b';' | b'|' | b'&' | b'\n' | b'\r' | b'`'
        )
    {
        i += 1;
    }
    &s[start..i]
}

fn shell_arg(cmd: &str, arg: &[u8]) -> bool {
    let Some(&first) = arg.first() else {
        return false;
    };
    if matches!(
        first,
        b'-' | b'/' | b'\\' | b'$' | b'%' | b'~' | b'>' | b'\'' | b'"'
    ) {
        return true;
    }
    if arg.len() >= 2 && first.is_ascii_alphabetic() && arg[1] == b':' {
        return true; // c:\ or c:/
    }
    if arg.starts_with(b"http://") || arg.starts_with(b"https://") || arg.starts_with(b"..") {
        return true;
    }
    if matches!(cmd, "sleep" | "ping" | "timeout" | "wait") && arg.iter().all(u8::is_ascii_digit) {
        return true;
    }
    let arg = std::str::from_utf8(arg).unwrap_or("");
    SUBCOMMANDS
        .iter()
        .any(|(c, subs)| *c == cmd && subs.contains(&arg))
}

static DIRECT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    super::re(
        r#"\(\s*\)\s*\{\s*:\s*;\s*\}\s*;|\$\{?ifs\b|\$\{(?:path|home|pwd):0:1\}|[;|&]\s*\$[a-z_]\w*\s*$|=\$['"][^'"]+['"]\s*;\s*\$[a-z_]|/bin/(?:ba|z|k|da)?sh\b|\bcmd(?:\.exe)?\s+/[ck]\b|\bpowershell(?:\.exe)?\s+-|\b(?:nc|ncat|netcat)\s+(?:-\w+\s+)*-[el]\b|>\s*/dev/tcp/|\b(?:wget|curl)\s+(?:-\S+\s+)*(?:https?|ftp)://"#,
    )
    .ok()
});

/// A call that hands its argument to a shell (PHP `system`/`exec`/`passthru`/…, Python
/// `os.system`/`os.popen`, Node `execSync`/`spawn`, Java `Runtime.exec`, an SSI
/// `<!--#exec cmd=`), or `eval` given a string: the argument is captured and judged below.
static SHELL_CALL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    super::re(
        r#"(?:\b(?:system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|execsync|spawn|spawnsync|execfile|eval)\s*\(\s*|<!--\s*#\s*exec\s+cmd\s*=\s*)(?:['"`]\s*([^'"`]{0,200})|(\$))"#,
    )
    .ok()
});

/// `system('id')`, `exec("sleep 5")`, `<!--#exec cmd="/usr/bin/id"-->`,
/// `system($_SERVER[...])`: code that runs an OS command is command injection too, whatever
/// the code detector also says. The string must start with a known command (so
/// `exec('SELECT 1')` or `eval('1+1')` stay with the other detectors); a variable handed
/// to a shell call (not `eval`) counts as well.
fn shell_call(lower: &str) -> Option<Hit> {
    let re = SHELL_CALL.as_ref()?;
    for c in re.captures_iter(lower.as_bytes()).take(8) {
        let whole = c.get(0)?;
        if c.get(2).is_some() {
            if !lower[whole.start()..].starts_with("eval") {
                return Some(Hit::new(Kind::Cmdi, 0.85, whole.start(), whole.end()));
            }
            continue;
        }
        let arg = c.get(1).map_or(&b""[..], |m| m.as_bytes());
        let (word, _) = word_at(arg, 0);
        let w = std::str::from_utf8(word).unwrap_or("");
        if !w.is_empty() && (is_exotic(w) || is_common(w)) {
            return Some(Hit::new(Kind::Cmdi, 0.9, whole.start(), whole.end()));
        }
    }
    None
}

/// A shell prompt pasted in front of a command (`root@host:~# git clone …`, `user@box:/tmp$
/// wget …`): what follows it is a command line.
static PROMPT: LazyLock<Option<Regex>> =
    LazyLock::new(|| super::re(r"^\s*[a-z_][a-z0-9_.-]*@[a-z0-9_.-]+:[^\s#$]*[#$]\s+").ok());

/// PHP's complex interpolation `{${…}}` / `${…}` calling a function that waits or runs a
/// process (`{${sleep(5)}}`, `${system('id')}`): the blind-injection timing probe of command
/// injection lists, evaluated wherever the string is interpolated.
static INTERP_CALL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    super::re(r"\$\{\s*@?\s*(?:sleep|usleep|system|exec|shell_exec|passthru|popen|proc_open)\s*\(")
        .ok()
});

static SUBST: LazyLock<Option<Regex>> =
    LazyLock::new(|| super::re(r"\$\(\s*[a-z/][^)]*\)|`\s*[a-z/][^`]*`").ok());

/// Which of the patterns above can match at all, from the view's prefilter signals: each
/// pattern needs certain bytes or words, and running a regex over every value with a `;` or
/// a parenthesis cost more than the rest of this detector. A gate only skips a pattern
/// that could not match, so results are the same as running them all.
struct Gates {
    direct: bool,
    shell_call: bool,
    prompt: bool,
    interp_call: bool,
    subst: bool,
}

impl Gates {
    /// Whether any pattern may run.
    fn any(&self) -> bool {
        self.direct || self.shell_call || self.prompt || self.interp_call || self.subst
    }

    fn of(sig: &Signals) -> Self {
        let has = |bits: u32| sig.class & bits == bits;
        Gates {
            // `$…` / `${IFS}` / `=$'…'` need `$`, `>/dev/tcp/` needs `>`, shellshock's
            // `() { :; };` needs all four of its bytes; the rest need a word of
            // [`K_CMD_DIRECT`].
            direct: sig.class & (DOLLAR | GT) != 0
                || has(PAREN | BRACE | COLON | SEMI)
                || sig.kw & K_CMD_DIRECT != 0,
            // A call name, then `(`; or SSI's `<!--#exec`.
            shell_call: sig.kw & K_SHELL_CALL != 0 && sig.class & (PAREN | LT) != 0,
            // `user@host:dir#` / `…$`.
            prompt: has(AT | COLON) && sig.class & (HASH | DOLLAR) != 0,
            // `${` … `(`.
            interp_call: has(DOLLAR | BRACE | PAREN),
            // `$(…)` or a backtick.
            subst: has(DOLLAR | PAREN) || sig.class & BACKTICK != 0,
        }
    }
}

pub(crate) fn detect(view: &View<'_>, hits: &mut Vec<Hit>) {
    if !may_hit(view.text.as_bytes(), &view.sig) {
        return;
    }
    detect_all(view, &Gates::of(&view.sig), hits);
}

/// Whether [`detect`] may report anything in `text` (any case; `sig` its signals): false
/// when no pattern may run and no word at a command position is a command, as for most
/// values that reach this detector (an apostrophe, a `;` in prose). Cheap, and before any
/// lower-case copy: [`super::scan_signalled`] asks it first.
pub(super) fn may_hit(text: &[u8], sig: &Signals) -> bool {
    Gates::of(sig).any() || may_hit_without_patterns(text, sig)
}

/// [`detect`] without its early exit: every pattern `gate` lets run, every candidate.
fn detect_all(view: &View<'_>, gate: &Gates, hits: &mut Vec<Hit>) {
    let lower = view.lower;
    let s = lower.as_bytes();
    let mut best: Option<Hit> = None;
    let consider = |best: &mut Option<Hit>, conf: f32, start: usize, end: usize| {
        if best.is_none_or(|b| b.confidence < conf) {
            *best = Some(Hit::new(Kind::Cmdi, conf, start, end));
        }
    };
    if gate.direct
        && let Some(m) = DIRECT.as_ref().and_then(|r| r.find(lower.as_bytes()))
    {
        consider(&mut best, 0.9, m.start(), m.end());
    }
    // Candidate positions: (offset, after a real separator?, after a weak one?)
    let mut i = 0;
    let mut candidates = 0;
    while i <= s.len() && candidates < 64 {
        let (pos, strong_sep, weak_sep) = if i == 0 {
            // Start of value, after optional quote/`<`/`^`/spaces.
            let mut j = 0;
            while j < s.len() && start_skip(s[j]) {
                j += 1;
            }
            (j, false, j > 0)
        } else if !CANDIDATE_AFTER[s[i - 1] as usize] {
            // Straight to the next byte a command may follow.
            i = match next_candidate_after(s, i) {
                Some(k) => k + 1,
                None => s.len() + 1,
            };
            continue;
        } else if is_sep(s[i - 1]) || (i >= 2 && &s[i - 2..i] == b"$(") {
            (i, true, false)
        } else if matches!(s[i - 1], b'\'' | b'"' | b'<' | b'^') {
            (i, false, true)
        } else {
            i += 1;
            continue;
        };
        candidates += 1;
        let mut p = pos;
        while p < s.len() && (is_sep(s[p]) || matches!(s[p], b'$' | b'(')) {
            p += 1;
        }
        let strong_sep = strong_sep || p > pos;
        let (word, end) = word_range(s, p);
        if !word.is_empty() {
            let w = &lower[word];
            let (exotic, common) = command_kind(w);
            if exotic || common {
                let rest = &s[end..];
                let at_end = rest.iter().all(|b| {
                    b.is_ascii_whitespace() || is_sep(*b) || matches!(b, b'\'' | b'"' | b')' | b'#')
                });
                let arg = arg_at(s, end);
                // An argument must be separated from the word ("echo's" is English).
                let spaced = s.get(end).is_some_and(|b| matches!(b, b' ' | b'\t' | b'+'));
                let shellish = spaced && shell_arg(w, arg);
                let arg: &[u8] = if spaced { arg } else { b"" };
                // A quote right after the word closes a string (`echo's`, `"id" field`) unless
                // it closes the quote the value opened with: `'id'` is the command alone.
                let closes_opening = pos > 0
                    && end + 1 == s.len()
                    && matches!(s[end], b'\'' | b'"')
                    && s[pos - 1] == s[end];
                let at_end = at_end
                    && (end == s.len()
                        || !matches!(s[end], b'\'' | b'"')
                        || strong_sep
                        || closes_opening);
                // `dir|c:\`, `id;…`: the word is a whole command, ended by a separator.
                let piped = strong_sep
                    && rest
                        .iter()
                        .find(|b| !matches!(b, b' ' | b'\t'))
                        .is_some_and(|&b| matches!(b, b'|' | b';' | b'&'));
                let conf = match (strong_sep, weak_sep, exotic) {
                    (true, _, true) => 0.9,
                    (true, _, false) if at_end || shellish || piped => 0.9,
                    (false, true, true) => 0.85,
                    (false, true, false) if shellish => 0.8,
                    // `'id'`, `<id`, `^id`: a bare command after a quote or redirection,
                    // and nothing else in the value.
                    (false, true, false) if at_end && s.len() <= end + 2 => 0.6,
                    (false, false, true) if shellish || arg.is_empty() => 0.75,
                    (false, false, false) if shellish => 0.7,
                    _ => 0.0,
                };
                if conf > 0.0 {
                    consider(&mut best, conf, pos, end);
                }
            }
        }
        i = if i == 0 { p.max(1) } else { i + 1 };
    }
    if best.is_none_or(|b| b.confidence < 0.9)
        && gate.shell_call
        && let Some(h) = shell_call(lower)
    {
        consider(&mut best, h.confidence, h.start, h.end);
    }
    if best.is_none_or(|b| b.confidence < 0.8)
        && gate.prompt
        && let Some(m) = PROMPT.as_ref().and_then(|r| r.find(lower.as_bytes()))
    {
        let (word, end) = word_at(s, m.end());
        let w = std::str::from_utf8(word).unwrap_or("");
        let spaced = s.get(end).is_some_and(|b| matches!(b, b' ' | b'\t'));
        let conf = if is_exotic(w) {
            0.85
        } else if is_common(w) && spaced && shell_arg(w, arg_at(s, end)) {
            0.8
        } else {
            0.0
        };
        if conf > 0.0 {
            consider(&mut best, conf, m.start(), end);
        }
    }
    if best.is_none_or(|b| b.confidence < 0.85)
        && gate.interp_call
        && let Some(m) = INTERP_CALL.as_ref().and_then(|r| r.find(lower.as_bytes()))
    {
        consider(&mut best, 0.85, m.start(), m.end());
    }
    if best.is_none()
        && let Some((start, end)) = bare_command(s)
    {
        consider(&mut best, 0.6, start, end);
    }
    if best.is_none()
        && gate.subst
        && let Some(m) = SUBST.as_ref().and_then(|r| r.find(lower.as_bytes()))
    {
        consider(&mut best, 0.7, m.start(), m.end());
    }
    hits.extend(best);
}

/// The whole value, quotes and spaces aside, when it is one command that no language uses
/// as a word ([`BARE`], in any case): its range.
fn bare_command(s: &[u8]) -> Option<(usize, usize)> {
    let quote_or_space = |b: &u8| b.is_ascii_whitespace() || matches!(b, b'\'' | b'"');
    let start = s.iter().position(|b| !quote_or_space(b)).unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|b| !quote_or_space(b))
        .map_or(start, |e| e + 1);
    BARE.iter()
        .any(|w| w.as_bytes().eq_ignore_ascii_case(&s[start..end]))
        .then_some((start, end))
}

/// Whether [`detect`] can report anything in `s` (any case) when no pattern may run
/// ([`Gates::any`] is false): only a command word at a candidate position or a bare
/// command can. This looks at the word after every byte a command may follow (a superset
/// of the positions `detect` visits, so `false` is exact) and stops at the first that may
/// be a command; a word with a directory separator counts as one (the prefix rules are
/// [`word_range`]'s). Prose words are rejected by [`may_be_command_bytes`] without hashing.
fn may_hit_without_patterns(s: &[u8], sig: &Signals) -> bool {
    // A command at a command position, bare or not, is a whole word of [`K_CMDW`]; every
    // bare command is a trigger word of [`K_CMD`], too.
    sig.kw & K_CMDW != 0
        && (any_command_word(s) || sig.kw & K_CMD != 0 && bare_command(s).is_some())
}

/// Whether `word` (any case), read at a command position, may be a command: it is one,
/// or a directory separator follows it (then the prefix rules of [`word_range`] decide,
/// and this says yes).
fn is_command_word(word: &[u8], ends_in_slash: bool) -> bool {
    if ends_in_slash {
        return true;
    }
    if !may_be_command_bytes(word) {
        return false;
    }
    // Commands are shorter than 32 bytes (`may_be_command_bytes` checked the length).
    let mut buf = [0u8; 32];
    let Some(lower) = buf.get_mut(..word.len()) else {
        return true;
    };
    for (l, b) in lower.iter_mut().zip(word) {
        *l = b.to_ascii_lowercase();
    }
    let (exotic, common) = command_kind_bytes(lower);
    exotic || common
}

/// Whether a word at any command position of `s` may be a command.
fn any_command_word(s: &[u8]) -> bool {
    let at = |mut p: usize| {
        while p < s.len() && (is_sep(s[p]) || matches!(s[p], b'$' | b'(')) {
            p += 1;
        }
        while p < s.len() && matches!(s[p], b' ' | b'\t' | b'+' | b'{' | b'(') {
            p += 1;
        }
        let rest = &s[p..];
        let len = rest
            .iter()
            .position(|&b| COMMAND_BYTE[b as usize] != 1)
            .unwrap_or(rest.len());
        let slash = rest
            .get(len)
            .is_some_and(|&b| COMMAND_BYTE[b as usize] == 2);
        is_command_word(&rest[..len], slash)
    };
    let start = s.iter().position(|&b| !start_skip(b)).unwrap_or(s.len());
    if at(start) {
        return true;
    }
    let mut from = 0;
    while let Some(k) = next_candidate_after(s, from) {
        if at(k + 1) {
            return true;
        }
        from = k + 1;
    }
    false
}

/// Bytes skipped at the start of a value before its first word (see [`detect`]).
fn start_skip(b: u8) -> bool {
    matches!(b, b' ' | b'\'' | b'"' | b'<' | b'^' | b'+')
}

/// Builds this detector's patterns now (see [`crate::prepare`]).
pub(crate) fn prepare() {
    LazyLock::force(&DIRECT);
    LazyLock::force(&SHELL_CALL);
    LazyLock::force(&PROMPT);
    LazyLock::force(&INTERP_CALL);
    LazyLock::force(&SUBST);
    LazyLock::force(&MAP);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SIMD search finds what a byte loop finds, from every offset of texts that put
    /// candidate bytes on both sides of every 16-byte edge.
    #[test]
    fn candidate_search_matches_a_byte_loop() {
        let mut rng = crate::test_rng::XorShift(0x853c_49e6_748f_ea9bu64);
        for _ in 0..2_000 {
            let seed = rng.next();
            let len = (seed % 70) as usize;
            let text: Vec<u8> = (0..len)
                .map(|k| {
                    let r = seed.rotate_left(3 * k as u32);
                    if r.is_multiple_of(11) {
                        CANDIDATE_BYTES[(r / 11 % CANDIDATE_BYTES.len() as u64) as usize]
                    } else {
                        b"ab $)Z\xc3"[(r % 7) as usize]
                    }
                })
                .collect();
            for from in 0..=len + 1 {
                let want = text
                    .get(from..)
                    .and_then(|t| t.iter().position(|&b| CANDIDATE_AFTER[b as usize]))
                    .map(|k| from + k);
                assert_eq!(
                    next_candidate_after(&text, from),
                    want,
                    "{text:?} from {from}"
                );
            }
        }
    }

    /// Hits as (confidence, start, end).
    type Found = Vec<(f32, usize, usize)>;

    /// What `run` finds in the view of `text` (its signals, its lower-case copy).
    fn found_by(text: &str, run: impl Fn(&View<'_>, &mut Vec<Hit>)) -> Found {
        let lower = text.to_ascii_lowercase();
        let view = View {
            text,
            lower: &lower,
            sig: super::super::signals(text),
        };
        let mut hits = Vec::new();
        run(&view, &mut hits);
        hits.iter()
            .map(|h| (h.confidence, h.start, h.end))
            .collect()
    }

    /// What `detect` and `detect_all` find in `text`, in that order.
    fn both_ways(text: &str) -> (Found, Found) {
        (
            found_by(text, detect),
            found_by(text, |v, hits| detect_all(v, &Gates::of(&v.sig), hits)),
        )
    }

    /// The early exit (`may_hit_without_patterns`) changes nothing: `detect` says what
    /// the full candidate walk says on every payload and benign line, and on random texts
    /// of separators, quotes, slashes, spaces and command words.
    #[test]
    fn early_exit_matches_the_full_walk() {
        for line in crate::test_corpus::lines() {
            let (fast, full) = both_ways(&line);
            assert_eq!(fast, full, "{line:?}");
        }
        let pieces = [
            "id",
            "ls",
            "cat",
            "whoami",
            "sleep",
            "type",
            "echo's",
            "net",
            "user",
            "/bin/",
            "c:\\windows\\",
            "usr/bin/",
            "http://x/",
            "5",
            "-la",
            ";",
            "|",
            "&",
            "\n",
            "`",
            "$(",
            "$",
            "(",
            ")",
            "'",
            "\"",
            "<",
            "^",
            "+",
            "{",
            " ",
            " ",
            "\t",
            "\x0c",
            "a",
            "x",
            "morning",
            "call",
            "é",
        ];
        let mut rng = crate::test_rng::XorShift(0x9e37_79b9_7f4a_7c15u64);
        for _ in 0..100_000 {
            let text = rng.text_of(&pieces, 7);
            let (fast, full) = both_ways(&text);
            assert_eq!(fast, full, "{text:?}");
        }
    }

    /// The gates skip only patterns that could not match: with every gate open, the full
    /// walk finds the same on every payload and benign line, and on random texts of the
    /// words and bytes the gates look at (`nc` alone and inside words, `$`, `>`, `{`, …).
    #[test]
    fn gates_skip_only_patterns_that_cannot_match() {
        let open = Gates {
            direct: true,
            shell_call: true,
            prompt: true,
            interp_call: true,
            subst: true,
        };
        let same = |text: &str| {
            let gated = found_by(text, |v, hits| detect_all(v, &Gates::of(&v.sig), hits));
            let all = found_by(text, |v, hits| detect_all(v, &open, hits));
            assert_eq!(gated, all, "{text:?}");
        };
        for line in crate::test_corpus::lines() {
            same(&line);
        }
        let pieces = [
            "nc",
            "NC",
            "ncat",
            "netcat",
            "lunch",
            "since",
            ".",
            "-",
            "-e",
            "-l",
            "-lvp",
            " ",
            "\t",
            "\u{a0}",
            "é",
            "x",
            "4444",
            ";",
            "|",
            "&",
            "$",
            "${",
            "ifs",
            ">",
            "/dev/tcp/",
            "(",
            ")",
            "{",
            "}",
            ":",
            "system",
            "exec",
            "'",
            "id",
            "wget",
            "curl",
            "http://",
            "/bin/sh",
            "cmd",
            "/c",
            "powershell",
            "@",
            "#",
            "`",
        ];
        each_random_text(&pieces, 0x5851_f42d_4c95_7f2d, 100_000, 8, same);
    }

    /// Calls `f` with `count` seeded random texts of up to `max` of `pieces`.
    fn each_random_text(pieces: &[&str], seed: u64, count: usize, max: u64, f: impl Fn(&str)) {
        let mut rng = crate::test_rng::XorShift(seed);
        for _ in 0..count {
            f(&rng.text_of(pieces, max));
        }
    }

    /// The early exit says the same of a value and of its lower-case copy (the walk
    /// asks it of the value, before any copy), on every payload and benign line and on
    /// random mixed-case texts.
    #[test]
    fn early_exit_ignores_case() {
        let same = |text: &str| {
            let sig = super::super::signals(text);
            let lower = text.to_ascii_lowercase();
            assert_eq!(
                may_hit(text.as_bytes(), &sig),
                may_hit(lower.as_bytes(), &sig),
                "{text:?}"
            );
        };
        for line in crate::test_corpus::lines() {
            same(&line);
            same(&line.to_ascii_uppercase());
        }
        let pieces = [
            "Id",
            "LS",
            "Cat",
            "WhoAmI",
            "SLEEP",
            "Type",
            "Net",
            "User",
            "/Bin/",
            "C:\\Win\\",
            "5",
            "-la",
            ";",
            "|",
            "&",
            "'",
            "\"",
            "(",
            " ",
            "\t",
            "Neil",
            "PWD",
            "é",
            "\u{130}",
        ];
        each_random_text(&pieces, 0x6a09_e667_f3bc_c908, 50_000, 6, same);
    }

    /// `may_hit_without_patterns` looks for a bare command only in values with a
    /// [`K_CMD`] trigger word: every bare command, in any case and between quotes or
    /// spaces, has one.
    #[test]
    fn every_bare_command_is_a_cmd_trigger() {
        for w in BARE {
            for text in [w.to_string(), w.to_ascii_uppercase(), format!(" '{w}'\t")] {
                let sig = super::super::signals(&text);
                assert!(sig.kw & K_CMD != 0, "{text:?}");
                assert!(
                    bare_command(text.to_ascii_lowercase().as_bytes()).is_some(),
                    "{text:?}"
                );
            }
        }
    }

    /// Every command word is found as a whole word wherever a command may stand: alone,
    /// after a separator or a quote, behind a directory, in upper case.
    #[test]
    fn every_command_word_is_a_cmdw_trigger() {
        for w in EXOTIC.iter().chain(COMMON) {
            for text in [
                w.to_string(),
                format!("a;{w} -x"),
                format!("'{w}'"),
                format!("/usr/bin/{w}"),
                format!("c:\\windows\\{}", w.to_ascii_uppercase()),
            ] {
                assert!(super::super::signals(&text).kw & K_CMDW != 0, "{text:?}");
            }
        }
    }

    /// Words that only hold a command word (`details`, `xcatx`) are no trigger of it.
    #[test]
    fn words_holding_a_command_word_are_no_cmdw_trigger() {
        for text in [
            "details",
            "xcatx",
            "Springfield",
            "morning delivery",
            "Customer O'Neil",
        ] {
            assert!(super::super::signals(text).kw & K_CMDW == 0, "{text:?}");
        }
    }

    /// The pre-check never rejects a command, and does reject everyday words.
    #[test]
    fn may_be_command_keeps_every_command() {
        for w in EXOTIC.iter().chain(COMMON) {
            assert!(may_be_command_bytes(w.as_bytes()), "{w}");
            assert!(is_exotic(w) || is_common(w), "{w}");
        }
        let rejected = [
            "prefers",
            "call",
            "customer",
            "thanks",
            "delivery",
            "springfield",
            "neil",
        ]
        .iter()
        .filter(|w| !may_be_command_bytes(w.as_bytes()))
        .count();
        assert!(
            rejected >= 6,
            "only {rejected} of 7 everyday words rejected"
        );
    }
}
