//! Code injection: server-side JavaScript (`require('child_process')`, `process.mainModule`,
//! `constructor.constructor`, `eval(`), Python (`__import__`, `os.system`, dunder chains),
//! template injection (`{{…}}`, `${…}`, `#{…}`, `{%…%}`, `<%…%>`, FreeMarker), PHP calls,
//! server-side includes, Java/OGNL/EL, Log4Shell lookups.

use super::{Hit, Kind, View};
use regex::bytes::Regex;
use std::sync::LazyLock;

struct Rule {
    re: LazyLock<Option<Regex>>,
    confidence: f32,
}

macro_rules! rule {
    ($re:expr, $c:expr) => {
        Rule {
            re: LazyLock::new(|| super::re($re).ok()),
            confidence: $c,
        }
    };
}

static RULES: [Rule; 17] = [
    // Log4Shell and friends.
    rule!(
        r"\$\{\s*(?:jndi|lower|upper|env|sys|java|base64|date|main|ctx|::-)[^}]*[:}]",
        0.95
    ),
    // JavaScript.
    rule!(
        r#"require\s*\(\s*['"`]\s*(?:child_process|fs|net|vm|os|http)\b|\bchild_process\b|process\.mainmodule|constructor\s*\.\s*constructor|\[\s*['"`]constructor['"`]\s*\]|\bprocess\.(?:binding|dlopen|kill|exit)\s*\(|global\.process\b|__proto__"#,
        0.9
    ),
    rule!(
        r#"\b(?:eval|settimeout|setinterval|function)\s*\(\s*['"`]|\beval\s*\(\s*(?:atob|string\.fromcharcode|unescape|decodeuri|require|process|buffer)|\bnew\s+function\s*\("#,
        0.85
    ),
    // Python.
    rule!(
        r"__import__|\bos\s*\.\s*(?:system|popen|exec\w*|spawn\w*|remove|unlink)\s*\(|\bsubprocess\s*\.\s*\w+\s*\(|__(?:class|mro|subclasses|globals|builtins|base|bases|init|getattribute|reduce)__",
        0.9
    ),
    rule!(
        r"\b(?:exec|compile|execfile)\s*\(\s*['\x22]|\bpickle\.loads\s*\(|\bimportlib\b",
        0.8
    ),
    // Templates.
    rule!(
        r"\{\{[^}]*(?:__|\(|\[|\||\bconfig\b|\bself\b|\brequest\b|\blipsum\b|\bcycler\b|\bjoiner\b|\bnamespace\b|\bsettings\b|\b_self\b|\.env\b|constructor)[^}]*\}\}",
        0.9
    ),
    rule!(
        r"\{\{\s*-?\d+\s*[*+/-]\s*-?['\x22]?\d+['\x22]?\s*\}\}|\$\{\s*-?\d+\s*[*+/-]\s*\d+\s*\}|#\{\s*\d+\s*[*+/-]\s*\d+\s*\}|<%=?\s*\d+\s*[*+/-]\s*\d+\s*%>|\*\{\s*\d+\s*[*+/-]\s*\d+\s*\}|@\(\s*\d+\s*[*+]\s*\d+\s*\)",
        0.9
    ),
    rule!(
        r"\{%\s*(?:for|if|set|import|include|extends|block|macro|print|debug|load|raw|with)\b[^%]*%\}|\{%[^%]*(?:__|\()[^%]*%\}",
        0.85
    ),
    rule!(
        r"[#$*]\{[^}]*(?:\(|\bt\s*\(|\.getclass|\.forname|\bnew\s|@java|runtime|\.exec)[^}]*\}",
        0.9
    ),
    rule!(
        r"<%[=@!]?[^%]{0,200}(?:\(|\bsystem\b|\brequest\b|\bruntime\b|\bimport\b|\.exec|`)[^%]{0,200}%>",
        0.85
    ),
    rule!(
        r"[<\[]#\s*(?:assign|list|if|include|import|setting|attempt)\b|freemarker\.template\.utility|\?new\s*\(\s*\)|\bvelocity\b.*#set|#set\s*\(\s*\$",
        0.9
    ),
    // PHP.
    rule!(
        r#"<\?(?:php|=)|\b(?:system|passthru|shell_exec|proc_open|popen|pcntl_exec|php\w*|assert|create_function|call_user_func(?:_array)?|preg_replace|file_put_contents|fwrite|include|include_once|require_once|highlight_file|show_source|base64_decode|str_rot13|gzinflate|hexdec|dechex)\s*\("#,
        0.85
    ),
    // Server-side includes and ESI.
    rule!(
        r"<!--\s*#\s*(?:exec|include|echo|config|printenv|set|fsize|flastmod|if)\b|<esi:(?:include|vars|debug)",
        0.85
    ),
    // Java, OGNL, EL, SpEL.
    rule!(
        r"runtime\s*\.\s*getruntime\s*\(|\bjava\.lang\.(?:runtime|processbuilder|system|class)|\bnew\s+processbuilder|#_memberaccess|@ognl|ognlcontext|\bclass\.forname\s*\(|\.getclass\s*\(\s*\)\s*\.",
        0.9
    ),
    // Ruby.
    rule!(
        r"\b(?:kernel\.|io\.)?(?:spawn|syscall|fork)\s*\(|%x\(|\bkernel\s*\.\s*(?:exec|system|open)\b|\bobject\.const_get\b",
        0.8
    ),
    // Bare templates and expressions that only evaluate: alert, do not block.
    rule!(
        r"\{\{[^{}]{1,80}\}\}|\$\{[^{}]{1,80}\}|#\{[^{}]{1,80}\}|<%[^%]{1,80}%>",
        0.6
    ),
    // Statement-level injection into an eval'd string: `';<call>(…);//`.
    rule!(
        r#"['"`]\s*[;)]\s*[a-z_$][\w$.]*\s*\([^)]*\)\s*;?\s*(?://|#|--|['"`])"#,
        0.7
    ),
];

pub(crate) fn detect(view: &View<'_>, hits: &mut Vec<Hit>) {
    let lower = view.lower;
    let mut best: Option<Hit> = None;
    for rule in &RULES {
        if best.is_some_and(|b| b.confidence >= rule.confidence) {
            continue;
        }
        if let Some(m) = rule.re.as_ref().and_then(|r| r.find(lower.as_bytes())) {
            best = Some(Hit::new(Kind::Code, rule.confidence, m.start(), m.end()));
        }
    }
    hits.extend(best);
}

/// Builds this detector's patterns now (see [`crate::prepare`]).
pub(crate) fn prepare() {
    for rule in &RULES {
        LazyLock::force(&rule.re);
    }
}
