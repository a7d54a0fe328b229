//! Path traversal and local file inclusion: `../` sequences (after every decoding the
//! normalized view undoes), well-known sensitive files (`/etc/passwd`, `win.ini`,
//! `/proc/self/environ`), Windows drive and UNC paths to system folders, and the PHP/URL
//! stream wrappers LFI uses (`php://filter`, `expect://`, `file://`).

use super::{Hit, Kind, View};
use regex::Regex;
use std::sync::LazyLock;

static TRAVERSAL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?:^|[/\\=:'\x22\s])\.{2,}(?:;[^/\\]*)?[/\\]|[/\\]\.{2,}(?:[/\\]|$)").ok()
});

static TARGET: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[/\\])etc[/\\]+(?:passwd|shadow|group|hosts|issue|hostname|motd|sudoers|crontab|master\.passwd|security|httpd|apache2|nginx|mysql|ssh|environment|profile|fstab|resolv\.conf)\b|(?:^|[/\\])proc[/\\]+(?:self|\d+)[/\\]|\bboot\.ini\b|\b(?:win|system)\.ini\b|(?:^|[/\\])(?:windows|winnt)[/\\]+(?:system32|win\.ini|repair|system\.ini|debug|panther)|(?:^|[/\\])\.(?:htaccess|htpasswd|env|git[/\\]config|aws[/\\]credentials|ssh[/\\]|bash_history|npmrc|docker[/\\]config)|\bid_(?:rsa|dsa|ecdsa|ed25519)\b|(?:^|[/\\])(?:web|applicationhost)\.config\b|(?:^|[/\\])var[/\\]+(?:log|run[/\\]secrets|lib[/\\]mysql|www)[/\\]|(?:^|[/\\])root[/\\]+\.|[/\\]inetpub[/\\]|(?:^|[/\\])usr[/\\]+local[/\\]|(?:^|[/\\])(?:dev[/\\]+(?:random|zero|urandom|stdin|tcp)|tmp[/\\]+sess_)",
    )
    .ok()
});

static WRAPPER: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"\b(?:php://(?:filter|input|fd|memory|temp|stdin)|expect://|phar://|zip://|compress\.zlib://|data://text|glob://|file:/{1,3}[a-z/.~\\])|^[a-z]:[/\\]").ok()
});

pub(crate) fn detect(view: &View<'_>, hits: &mut Vec<Hit>) {
    let lower = view.lower.as_str();
    let mut traversals = 0usize;
    let mut first: Option<(usize, usize)> = None;
    if let Some(re) = TRAVERSAL.as_ref() {
        for m in re.find_iter(lower).take(8) {
            traversals += 1;
            first.get_or_insert((m.start(), m.end()));
        }
    }
    let target = TARGET.as_ref().and_then(|r| r.find(lower));
    let wrapper = WRAPPER.as_ref().and_then(|r| r.find(lower));
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
