//! OS command injection: a shell separator (`;`, `|`, `&`, `&&`, `||`, newline, backtick,
//! `$(`) followed by a known binary, command substitution, `${IFS}` tricks, and direct calls
//! of shells. Words that are also English (`more`, `type`, `find`) count only with a
//! shell-looking argument, so "Q&A; more info" stays clean.

use super::{Hit, Kind, View};
use regex::Regex;
use std::sync::LazyLock;

/// Binaries that are almost never prose.
const STRONG: &str = r"id|whoami|uname|ifconfig|ipconfig|netstat|nslookup|wget|curl|ping|sleep|bash|sh|zsh|ksh|csh|dash|nc|ncat|netcat|socat|powershell|pwsh|cmd|cmd\.exe|systeminfo|tasklist|cat|ls|dir|pwd|echo|perl|python[23]?|ruby|php|node|telnet|certutil|bitsadmin|base64|chmod|chown|rm|touch|hostname|printenv|env|ver|net|sudo|nohup|reboot|shutdown|timeout|expr|eval|exec|xterm|mkfifo|crontab|passwd|useradd|wmic|reg|sc|taskkill|tftp|ftp|scp|ssh|gcc|awk|sed|xargs|getent|uptime|w|who|last|lsb_release|nmap|dig|host|arp|route|traceroute|tracert|killall|pkill|kill|ps|vi|vim|nano|less|tail|head|grep|find|type|more|set|copy|del|start|cd|cp|mv|mkdir";

static SEPARATED: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(&format!(
        r#"(?:^|[;|&\n\r`]|\$\()\s*(?:\{{\s*)?(?:[a-z]:\\[\w\\]*|/(?:usr/)?s?bin/)?(?:{STRONG})(?:$|[\s;|&`)<>'"$,{{}}]|%20|\$\{{?ifs)"#
    ))
    .ok()
});

/// English-looking commands: accept only when followed by end of value or a flag/path.
static STRONG_ONLY: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"^(?:find|type|more|set|copy|del|start|cd|host|head|tail|less|w|who|last|kill|ps|ver|net|sc|reg|env|echo|dir|ls|cat|vi|timeout|expr|eval|exec|id)$",
    )
    .ok()
});

static SUBST: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(&format!(
        r"\$\(\s*(?:/(?:usr/)?s?bin/)?(?:{STRONG})\b[^)]*\)|`\s*(?:/(?:usr/)?s?bin/)?(?:{STRONG})\b[^`]*`"
    ))
    .ok()
});
static IFS: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\$\{?ifs\b|\$\{?path:0:1\}|\$\{home:0:1\}").ok());
static SHELL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r#"/bin/(?:ba|z|k|da)?sh\b|\bcmd(?:\.exe)?\s+/[ck]\b|\bpowershell(?:\.exe)?\s+-|\b(?:nc|ncat|netcat)\s+-[el]|\bbash\s+-[ci]\b|>\s*/dev/tcp/|\b(?:wget|curl)\s+(?:-\S+\s+)*https?://"#).ok()
});

pub(crate) fn detect(view: &View<'_>, hits: &mut Vec<Hit>) {
    let lower = view.lower.as_str();
    if let Some(re) = SEPARATED.as_ref() {
        for m in re.find_iter(lower) {
            let s = m.as_str();
            let word = s
                .trim_start_matches(|c: char| {
                    matches!(c, ';' | '|' | '&' | '\n' | '\r' | '`' | '$' | '(' | '{')
                        || c.is_whitespace()
                })
                .trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
            let word = word.rsplit(['/', '\\']).next().unwrap_or(word);
            let word = word
                .split(|c: char| !c.is_ascii_alphanumeric() && c != '.')
                .next()
                .unwrap_or(word);
            let weak = STRONG_ONLY.as_ref().is_some_and(|r| r.is_match(word));
            let rest = &lower[m.end()..];
            let at_end = rest.trim().is_empty()
                || rest
                    .trim_start()
                    .starts_with([';', '|', '&', '`', '#', '\n']);
            let starts_value = m.start() == 0
                && !matches!(
                    lower.as_bytes().first(),
                    Some(b';' | b'|' | b'&' | b'\n' | b'`' | b'$')
                );
            if starts_value {
                // A value that merely starts with a command word is prose or a name
                // ("cat food"); only the forms below count there.
                continue;
            }
            let arg_like = rest
                .trim_start()
                .starts_with(['-', '/', '\\', '$', '.', '~', '\'', '"', '>', '<', 'c']);
            if !weak || at_end || arg_like {
                let conf = if weak && !at_end { 0.75 } else { 0.9 };
                hits.push(Hit::new(Kind::Cmdi, conf, m.start(), m.end()));
                return;
            }
        }
    }
    for (re, conf) in [(&IFS, 0.9), (&SHELL, 0.9), (&SUBST, 0.8)] {
        if let Some(m) = re.as_ref().and_then(|r| r.find(lower)) {
            hits.push(Hit::new(Kind::Cmdi, conf, m.start(), m.end()));
            return;
        }
    }
}
