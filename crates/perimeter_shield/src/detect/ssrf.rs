//! Server-side request forgery to instance metadata, link-local and loopback addresses.
//!
//! Hosts are taken from every `scheme://` authority in the value and from a value that is a
//! bare host. IPv4 literals are read the way `inet_aton` (and so most HTTP clients) read
//! them: one to four parts, each decimal, `0x` hex or `0` octal, so `2852039166`,
//! `0xa9fea9fe`, `0251.0376.0251.0376` and `169.254.43518` are all 169.254.169.254. IPv6
//! literals include IPv4-mapped forms and AWS's `fd00:ec2::254`. Metadata and link-local
//! targets block; loopback alerts (development URLs are common).

use super::{Hit, Kind, View};
use std::net::{Ipv4Addr, Ipv6Addr};

const METADATA_NAMES: &[&str] = &[
    "metadata.google.internal",
    "metadata.goog",
    "metadata",
    "instance-data",
    "instance-data.ec2.internal",
    "metadata.azure.com",
    "metadata.packet.net",
    "metadata.tencentyun.com",
];

const LOOPBACK_NAMES: &[&str] = &[
    "localhost",
    "localhost.localdomain",
    "ip6-localhost",
    "ip6-loopback",
    "localtest.me",
];

/// How bad a host is: `None` for ordinary hosts.
fn classify(host: &str) -> Option<f32> {
    let host = host.trim_end_matches('.');
    if host.is_empty() {
        return None;
    }
    if METADATA_NAMES.contains(&host) {
        return Some(0.95);
    }
    if LOOPBACK_NAMES.contains(&host) || host.ends_with(".localhost") {
        return Some(0.7);
    }
    // Wildcard DNS services that resolve an embedded address (169.254.169.254.nip.io).
    for suffix in [".nip.io", ".xip.io", ".sslip.io", ".traefik.me"] {
        if let Some(inner) = host.strip_suffix(suffix) {
            let inner = inner.rsplit_once(['.', '-']).map_or(inner, |_| inner);
            let dotted = inner.replace('-', ".");
            // Take the last four labels.
            let labels: Vec<&str> = dotted.rsplitn(5, '.').collect();
            let tail: Vec<&str> = labels.iter().take(4).rev().copied().collect();
            return classify(&tail.join("."));
        }
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return classify_v6(inner);
    }
    if host.contains(':') {
        return classify_v6(host);
    }
    parse_inet_aton(host).and_then(classify_v4)
}

fn classify_v4(ip: Ipv4Addr) -> Option<f32> {
    let o = ip.octets();
    if o == [169, 254, 169, 254] || o == [169, 254, 170, 2] || o == [100, 100, 100, 200] {
        Some(0.95)
    } else if o[0] == 169 && o[1] == 254 {
        Some(0.85)
    } else if o[0] == 127 || o == [0, 0, 0, 0] {
        Some(0.7)
    } else {
        None
    }
}

fn classify_v6(s: &str) -> Option<f32> {
    let s = s.split('%').next().unwrap_or(s); // zone id
    let ip: Ipv6Addr = s.parse().ok()?;
    if ip == "fd00:ec2::254".parse::<Ipv6Addr>().ok()?
        || ip == "fd00:ec2::23".parse::<Ipv6Addr>().ok()?
    {
        return Some(0.95);
    }
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    let seg = ip.segments();
    if seg[..6] == [0, 0, 0, 0, 0, 0] && seg[6] != 0 {
        // IPv4-compatible (deprecated) ::a.b.c.d
        return classify_v4(Ipv4Addr::from(u32::from(seg[6]) << 16 | u32::from(seg[7])));
    }
    if ip.is_loopback() || ip.is_unspecified() {
        return Some(0.7);
    }
    if seg[0] & 0xffc0 == 0xfe80 {
        return Some(0.8);
    }
    None
}

/// `inet_aton`: 1–4 parts, each decimal, octal (leading 0) or hex (0x); the last part
/// fills the remaining bytes.
pub(crate) fn parse_inet_aton(s: &str) -> Option<Ipv4Addr> {
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() > 4 {
        return None;
    }
    let mut nums = Vec::with_capacity(4);
    for p in &parts {
        let v = if let Some(h) = p.strip_prefix("0x") {
            if h.is_empty() {
                0
            } else {
                u64::from_str_radix(h, 16).ok()?
            }
        } else if p.len() > 1 && p.starts_with('0') {
            u64::from_str_radix(&p[1..], 8).ok()?
        } else {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            p.parse::<u64>().ok()?
        };
        nums.push(v);
    }
    let n = nums.len();
    let mut addr: u64 = 0;
    for (i, v) in nums.iter().enumerate() {
        if i + 1 < n {
            if *v > 255 {
                return None;
            }
            addr |= v << (8 * (3 - i));
        } else {
            let bits = 8 * (4 - i);
            if bits < 64 && *v >= 1u64 << bits {
                return None;
            }
            addr |= v;
        }
    }
    u32::try_from(addr).ok().map(Ipv4Addr::from)
}

/// The host of the authority starting at `rest` (after `scheme://`).
fn authority_host(rest: &str) -> &str {
    let end = rest
        .find(|c: char| {
            matches!(
                c,
                '/' | '?' | '#' | '\\' | '\'' | '"' | '<' | '>' | ' ' | '\t' | '\n' | ')' | ','
            )
        })
        .unwrap_or(rest.len());
    let auth = &rest[..end];
    let auth = auth.rsplit_once('@').map_or(auth, |(_, h)| h);
    if auth.starts_with('[') {
        return auth.find(']').map_or(auth, |i| &auth[..=i]);
    }
    auth.rsplit_once(':').map_or(auth, |(h, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            auth
        }
    })
}

pub(crate) fn detect(view: &View<'_>, hits: &mut Vec<Hit>) {
    let lower = view.lower;
    let mut best: Option<Hit> = None;
    let mut consider = |conf: f32, start: usize, end: usize| {
        if best.is_none_or(|b| b.confidence < conf) {
            best = Some(Hit::new(Kind::Ssrf, conf, start, end));
        }
    };
    for (i, _) in lower.match_indices("://").take(16) {
        let rest = &lower[i + 3..];
        let host = authority_host(rest);
        if let Some(c) = classify(host) {
            let scheme_start = lower[..i]
                .rfind(|c: char| !c.is_ascii_alphanumeric() && c != '+' && c != '-' && c != '.')
                .map_or(0, |p| p + 1);
            consider(c, scheme_start, i + 3 + host.len());
        }
    }
    // A bare host (or `//host`): only metadata targets, since loopback names appear in
    // ordinary configuration values.
    let trimmed = lower.trim().trim_start_matches("//");
    if trimmed.len() <= 255 && !trimmed.contains(char::is_whitespace) {
        let host = authority_host(trimmed);
        if let Some(c) = classify(host)
            && c >= 0.85
        {
            consider(c, 0, lower.len());
        }
    }
    hits.extend(best);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inet_aton_forms() {
        for s in [
            "169.254.169.254",
            "2852039166",
            "0xa9fea9fe",
            "0251.0376.0251.0376",
            "169.254.43518",
            "0xa9.0xfe.0xa9.0xfe",
            "169.16689662",
        ] {
            assert_eq!(
                parse_inet_aton(s),
                Some(Ipv4Addr::new(169, 254, 169, 254)),
                "{s}"
            );
        }
        assert_eq!(parse_inet_aton("1.2.3.4.5"), None);
        assert_eq!(parse_inet_aton("256.1.1.1"), None);
        assert_eq!(parse_inet_aton("example"), None);
    }

    #[test]
    fn v6_forms() {
        assert_eq!(classify("[fd00:ec2::254]"), Some(0.95));
        assert_eq!(classify("[::ffff:169.254.169.254]"), Some(0.95));
        assert_eq!(classify("[::ffff:a9fe:a9fe]"), Some(0.95));
        assert_eq!(classify("[::1]"), Some(0.7));
        assert_eq!(classify("[2001:db8::1]"), None);
        assert_eq!(classify("169.254.169.254.nip.io"), Some(0.95));
    }
}
