//! Value judgement (`scan_value`, names, shapes, redaction), as SEC001 and SEC002 use them.
//! Moved here with the engine from `perimeter_rules`.

use perimeter_secrets::names::*;
use perimeter_secrets::shape::*;
use perimeter_secrets::{SecretKind, redact, scan_value};

fn kind(v: &str) -> Option<SecretKind> {
    scan_value(v).map(|m| m.kind)
}

#[test]
fn vendor_shapes() {
    // Test tokens assembled at run time so that secret scanners do not flag this file.
    let gh = format!("ghp_{}", "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A");
    let cases: Vec<(String, SecretKind)> = vec![
        ("AKIA2OGYBAH6RHVLZ4QP".into(), SecretKind::AwsAccessKeyId),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIEow...".into(), SecretKind::PrivateKey),
        (gh, SecretKind::GitHubToken),
        (format!("xoxb-{}-{}", "2342342342", "Zk3jH8sLq9"), SecretKind::SlackToken),
        (format!("sk_live_{}", "4eC39HqLyjWDarjtT1zdp7dc"), SecretKind::StripeKey),
        (format!("AIza{}", "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"), SecretKind::GoogleApiKey),
        (format!("SG.{}.{}", "ngeVfQFYQlKU0ufo8x5d1A", "TwL2iGABf9DHoTf-09kqeF8tAmbihYzrnopKc-1s5cr"), SecretKind::SendGridKey),
        (format!("npm_{}", "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"), SecretKind::NpmToken),
        (format!("sk-proj-{}", "Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78"), SecretKind::OpenAiKey),
        (format!("SK{}", "7f3a9c2e41b86d05e9a4c7f21d3b8e60"), SecretKind::TwilioApiKey),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U".into(), SecretKind::Jwt),
        ("postgres://app:S3cr3tPassw0rd@db.internal:5432/app".into(), SecretKind::UrlCredentials),
        ("Zx8Qp2Lm5Vt9Rk3Wn7Yb4Hc6Jd1Fg0".into(), SecretKind::HighEntropy),
        ("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(), SecretKind::HighEntropy),
    ];
    for (value, want) in &cases {
        assert_eq!(kind(value), Some(*want), "{value}");
    }
}

#[test]
fn spans_point_at_the_secret() {
    let v = "mysql://root:hunter22x@localhost/db";
    let m = scan_value(v).unwrap();
    assert_eq!(m.text(v), "hunter22x");
}

#[test]
fn not_secrets() {
    for v in [
        "",
        "changeme",
        "AKIAIOSFODNN7EXAMPLE",
        "<your-api-key>",
        "${ssm:/prod/db/password}",
        "${env:API_KEY}",
        "{{resolve:secretsmanager:prod/db:SecretString:password}}",
        "{{resolve:ssm-secure:/prod/token}}",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
        "arn:aws:ssm:us-east-1:123456789012:parameter/prod/key",
        "/myapp/prod/db-password",
        "my-service-production-orders-table",
        "MyStackName2ProductionOrdersTable",
        "550e8400-e29b-41d4-a716-446655440000",
        "https://api.example.com/v1/token",
        "postgres://app:${DB_PASSWORD}@db/app",
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "arn:aws:lambda:us-east-1:123456789012:function:f",
        "us-east-1",
        "1234567890123456789012",
        "DB_PASSWORD_FROM_VAULT",
    ] {
        assert_eq!(kind(v), None, "{v}");
    }
}

#[test]
fn names() {
    for n in [
        "DB_PASSWORD",
        "PASSWORD",
        "JWT_SECRET",
        "jwtSecret",
        "API_KEY",
        "stripeApiKey",
        "GITHUB_TOKEN",
        "AUTH_TOKEN",
        "CLIENT_SECRET",
        "PRIVATE_KEY",
        "SECRET_KEY",
        "DB_PASS",
        "SLACK_WEBHOOK_SECRET",
        "AWS_SECRET_ACCESS_KEY",
        "SENDGRID_API_KEY",
        "ENCRYPTION_KEY",
        "MYSQL_PWD",
        "apiKey",
    ] {
        assert!(secret_like_name(n), "{n}");
    }
    for n in [
        "DB_PASSWORD_SECRET_ARN",
        "SECRET_NAME",
        "API_KEY_NAME",
        "TOKENS_TABLE",
        "TOKEN_URL",
        "TOKEN_TABLE",
        "PARTITION_KEY",
        "S3_KEY",
        "KMS_KEY",
        "KMS_KEY_ID",
        "API_KEY_ID",
        "SECRET_ARN",
        "DB_PASSWORD_PARAM",
        "PASSWORD_MIN_LENGTH",
        "TOKEN_TTL",
        "STRIPE_PUBLISHABLE_KEY",
        "RECAPTCHA_PUBLIC_KEY",
        "BUCKET",
        "TABLE_NAME",
        "AWS_ACCESS_KEY_ID",
        "TOKEN_ENDPOINT",
        "PASSTHROUGH",
        "OBJECT_KEY",
        "SSM_SECRET_PATH",
        "SECRETS_EXTENSION_HTTP_PORT",
        "USER_POOL_CLIENT_ID",
    ] {
        assert!(!secret_like_name(n), "{n}");
    }
    assert_eq!(name_words("stripeApiKey"), vec!["STRIPE", "API", "KEY"]);
    assert!(aws_secret_key_name("AWS_SECRET_ACCESS_KEY") && aws_secret_key_name("awsSecret"));
}

#[test]
fn literals_under_secret_names() {
    assert!(literal_secret_candidate("hunter2hunter2"));
    assert!(literal_secret_candidate("my-jwt-signing-secret"));
    for v in [
        "",
        "abc",
        "changeme",
        "${ssm:/x}",
        "https://x.y/z",
        "3600",
        "a b c d e f",
        "true",
        "MY_OTHER_VAR",
    ] {
        assert!(!literal_secret_candidate(v), "{v}");
    }
}

#[test]
fn aws_secret_key_shape() {
    assert!(looks_like_aws_secret_key(
        "k7Rt2PqW9zXv4LmN8sYb3HcJ6dFg1QwEr5Ty0U/+"
    ));
    assert!(!looks_like_aws_secret_key(
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    ));
    assert!(!looks_like_aws_secret_key("short"));
}

#[test]
fn redaction() {
    assert_eq!(redact("AKIA2OGYBAH6RHVLZ4QP"), "AKIA… (20 chars)");
    assert_eq!(redact("hunter22x"), "hu… (9 chars)");
    assert_eq!(redact("abc"), "… (3 chars)");
    assert_eq!(redact("ñandú-ñandú-ñandú"), "ñand… (17 chars)");
}

#[test]
fn encoded_text_is_not_a_secret() {
    assert!(is_encoded_text("SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg=="));
    assert!(is_encoded_text("eyJrZXkiOiJ2YWx1ZSJ9"));
    assert!(!is_encoded_text("Zx8Qp2Lm5Vt9Rk3Wn7Yb4Hc6Jd1Fg0"));
    assert_eq!(kind("VGhpcyBpcyBvbmx5IGEgdGVzdC4="), None);
    assert_eq!(kind("MessageReceiptHandle-10"), None);
}

#[test]
fn entropy() {
    assert_eq!(shannon_entropy(""), 0.0);
    assert_eq!(shannon_entropy("aaaa"), 0.0);
    assert!((shannon_entropy("abcd") - 2.0).abs() < 1e-9);
}
