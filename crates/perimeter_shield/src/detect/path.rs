//! Path traversal and local file inclusion: `../` sequences (after every decoding the
//! normalized view undoes), well-known sensitive files (`/etc/passwd`, `win.ini`,
//! `/proc/self/environ`), Windows drive and UNC paths to system folders, and the PHP/URL
//! stream wrappers LFI uses (`php://filter`, `expect://`, `file://`).

use super::{Hit, Kind, View};
use regex::bytes::Regex;
use std::sync::LazyLock;

static TRAVERSAL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    super::re(r"(?:^|[/\\=:'\x22\s])\.{2,}(?:;[^/\\]*)?[/\\]|[/\\]\.{2,}[/\\]").ok()
});

static TARGET: LazyLock<Option<Regex>> = LazyLock::new(|| {
    super::re(
        r"(?:^|[/\\])etc[/\\]+(?:passwd|shadow|group|hosts|issue|hostname|motd|sudoers|crontab|master\.passwd|security|httpd|apache2|nginx|mysql|ssh|environment|profile|fstab|resolv\.conf)\b|(?:^|[/\\])proc[/\\]+(?:self|\d+)[/\\]|\bboot\.ini\b|\b(?:win|system)\.ini\b|(?:^|[/\\])(?:windows|winnt)[/\\]+(?:system32|win\.ini|repair|system\.ini|debug|panther)|(?:^|[/\\])\.(?:htaccess|htpasswd|env|git[/\\]config|aws[/\\]credentials|ssh[/\\]|bash_history|npmrc|docker[/\\]config)|\bid_(?:rsa|dsa|ecdsa|ed25519)\b|(?:^|[/\\])(?:web|applicationhost)\.config\b|(?:^|[/\\])var[/\\]+(?:log|run[/\\]secrets|lib[/\\]mysql|www)[/\\]|(?:^|[/\\])root[/\\]+\.|[/\\]inetpub[/\\]|(?:^|[/\\])usr[/\\]+local[/\\]|(?:^|[/\\])(?:dev[/\\]+(?:random|zero|urandom|stdin|tcp)|tmp[/\\]+sess_)",
    )
    .ok()
});

static WRAPPER: LazyLock<Option<Regex>> = LazyLock::new(|| {
    super::re(r"\bconvert\.(?:iconv\.|base64-(?:en|de)code)|\b(?:php://(?:filter|input|fd|memory|temp|stdin)|expect://|phar://|zip://|compress\.zlib://|data://text|glob://|file:/{1,3}[a-z/.~\\])|^[a-z]:[/\\]").ok()
});

/// Encoding-looking tokens a fuzzer wraps separators in (`%c0%af`, `%c1%8s`, `%uf025`,
/// `0x2f`, undecodable `%qf`, and percent runs before a hex pair, `%%32`, from broken
/// double encoders): in the skeleton view each becomes a `/`, since a server that decodes
/// them at all decodes them to separators or dots.
static JUNK: LazyLock<Option<Regex>> =
    LazyLock::new(|| super::re(r"%u[0-9a-f]{4}|%+[0-9a-z]{2}|0x[0-9a-f]{2}|%+|\\").ok());

/// Sensitive file names that need no leading directory to be recognized.
static LOOSE_TARGET: LazyLock<Option<Regex>> = LazyLock::new(|| {
    super::re(r"passwd|shadow|boot\.ini|win\.ini|system\.ini|desktop\.ini|system32|etc/+(?:issue|hosts|group|motd)|httpd\.conf|\.htaccess|\.htpasswd|web\.config|php\.ini|my\.cnf|error_log|access_log|id_rsa|\{file\}").ok()
});

/// A whole value that is an absolute path into a system directory.
static SYSTEM_PATH: LazyLock<Option<Regex>> = LazyLock::new(|| {
    super::re(r"^\s*(?:[a-z]:[/\\]|[/\\](?:etc|var/(?:log|www|lib|run|mail|spool|adm|backups|db|apache2?|nginx)|proc|root|boot|windows|winnt|inetpub|private/etc|usr/local/(?:etc|apache2?|nginx))[/\\])[\w ./\\~$-]*\s*$").ok()
});

/// A whole value that is an absolute path to a log, configuration, key or dot file: the
/// targets of local file inclusion lists.
static SENSITIVE_FILE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    super::re(r"^\s*(?:[a-z]:)?[/\\][\w ./\\~$-]*(?:\.(?:log|ini|conf|cnf|cfg|config|profile|history|htaccess|htpasswd|pem|key|bak|sql|sqlite|mdb|inc)|_log|[/\\]\.[a-z_]+rc|[/\\]\.(?:profile|bash_profile|bash_history|login|cshrc))(?:%00)?\s*$").ok()
});

/// Counts `..`-like segments (`..`, `...`, `.?`) in the skeleton view.
fn dot_segments(skeleton: &str) -> usize {
    skeleton
        .split('/')
        .filter(|seg| {
            (2..=3).contains(&seg.len())
                && seg.contains('.')
                && seg.bytes().all(|b| b == b'.' || b == b'?')
        })
        .count()
}

/// A value that is one base64 token decoding to a traversal (`Li4vLi4v…` is `../../…`):
/// applications that take a base64 file name decode it before opening the file.
fn base64_traversal(text: &str) -> bool {
    let t = text.trim();
    if t.len() < 8
        || t.len() > 4096
        || !t
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_'))
    {
        return false;
    }
    let Some(bytes) = crate::decode::base64(t, 4096) else {
        return false;
    };
    let d = String::from_utf8_lossy(&bytes).to_ascii_lowercase();
    d.matches("../").count() + d.matches("..\\").count() >= 2
        || (d.contains("../") || d.contains("..\\"))
            && LOOSE_TARGET
                .as_ref()
                .is_some_and(|r| r.is_match(d.as_bytes()))
}

pub(crate) fn detect(view: &View<'_>, hits: &mut Vec<Hit>) {
    let lower = view.lower;
    if (lower.contains("li4v") || lower.contains("li5c")) && base64_traversal(view.text) {
        hits.push(Hit::new(Kind::PathTraversal, 0.9, 0, lower.len()));
        return;
    }
    let junk_count = lower.matches('%').count() + lower.matches("0x").count();
    // Hex literals of the traversal characters (`0x2e0x2e0x2f`) first, then `..2f` /
    // `..5c`: a hex separator that lost its `%`.
    let unhexed = lower
        .replace("0x2e", ".")
        .replace("0x2f", "/")
        .replace("0x5c", "/")
        .replace("..2f", "../")
        .replace("..5c", "../")
        .replace("2f", "/");
    let skeleton = JUNK
        .as_ref()
        .map(|r| {
            String::from_utf8_lossy(&r.replace_all(unhexed.as_bytes(), &b"/"[..])).into_owned()
        })
        .unwrap_or_default();
    let skeleton = skeleton.replace('\\', "/");
    let dots = dot_segments(&skeleton);
    let loose = LOOSE_TARGET
        .as_ref()
        .and_then(|r| r.find(skeleton.as_bytes()))
        .is_some();
    if dots >= 2 || (dots >= 1 && loose) || (loose && junk_count >= 2) {
        let conf = match (dots, loose) {
            (d, true) if d >= 1 => 0.95,
            (d, _) if d >= 2 => 0.85,
            _ => 0.8,
        };
        hits.push(Hit::new(Kind::PathTraversal, conf, 0, lower.len()));
        return;
    }
    let nul_suffix = lower.trim_end().ends_with("%00") || view.text.trim_end().ends_with('\0');
    let system = SYSTEM_PATH
        .as_ref()
        .is_some_and(|r| r.is_match(lower.as_bytes()));
    let sensitive = SENSITIVE_FILE
        .as_ref()
        .is_some_and(|r| r.is_match(lower.as_bytes()));
    if (system || sensitive) && nul_suffix {
        hits.push(Hit::new(Kind::PathTraversal, 0.9, 0, lower.len()));
        return;
    }
    if sensitive {
        hits.push(Hit::new(Kind::PathTraversal, 0.7, 0, lower.len()));
        return;
    }
    if system {
        let nul = view.text.contains('\0') || lower.contains("%00");
        hits.push(Hit::new(
            Kind::PathTraversal,
            if nul { 0.9 } else { 0.7 },
            0,
            lower.len(),
        ));
        return;
    }
    let mut traversals = 0usize;
    let mut first: Option<(usize, usize)> = None;
    if let Some(re) = TRAVERSAL.as_ref() {
        for m in re.find_iter(lower.as_bytes()).take(8) {
            traversals += 1;
            first.get_or_insert((m.start(), m.end()));
        }
    }
    let target = TARGET.as_ref().and_then(|r| r.find(lower.as_bytes()));
    let wrapper = WRAPPER.as_ref().and_then(|r| r.find(lower.as_bytes()));
    let (conf, range) = match (traversals, target, wrapper, first) {
        (n, Some(t), _, Some(f)) if n >= 1 => (0.95, (f.0, t.end())),
        (n, _, _, Some(f)) if n >= 2 => (0.9, (f.0, f.1)),
        (_, Some(t), Some(w), _) => (0.95, (w.start(), t.end())),
        (_, _, Some(w), _) => (0.85, (w.start(), w.end())),
        (_, Some(t), None, _) => {
            // A sensitive file named alone: strong when it is the whole value or absolute.
            let absolute = t.start() == 0 || lower[..t.start()].trim().is_empty();
            (if absolute { 0.85 } else { 0.6 }, (t.start(), t.end()))
        }
        (1, None, None, Some(f)) => (0.6, f),
        _ => return,
    };
    hits.push(Hit::new(Kind::PathTraversal, conf, range.0, range.1));
}

/// Builds this detector's patterns now (see [`crate::prepare`]).
pub(crate) fn prepare() {
    LazyLock::force(&TRAVERSAL);
    LazyLock::force(&TARGET);
    LazyLock::force(&WRAPPER);
    LazyLock::force(&JUNK);
    LazyLock::force(&LOOSE_TARGET);
    LazyLock::force(&SYSTEM_PATH);
    LazyLock::force(&SENSITIVE_FILE);
}
