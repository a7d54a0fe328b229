//! SEC rules: secrets written into the app's configuration and code.
//!
//! Two rules split the evidence: SEC001 (`secret-in-environment`) fires when a value *looks*
//! like a secret (a vendor token format, a private key, a password in a URL, an AWS secret
//! key next to its key id, a random-looking token); SEC002 (`secret-like-environment-name`)
//! fires when only the *name* says secret (`DB_PASSWORD: hunter2-prod`) and the value is a
//! literal that is not a placeholder or a reference. A variable is reported by at most one of
//! them. SEC003 (`secret-in-code`) reports what the code stage's scan (`perimeter_secrets`)
//! found in the code bundles and layers functions deploy. The detection engine and
//! [`secrets::redact`] live in `perimeter_secrets`, re-exported as [`secrets`] here and as
//! `perimeter_rules::secrets` for reporters.

mod secret_in_code;
mod secret_in_environment;
mod secret_like_environment_name;
pub mod secrets;

use crate::{Finding, Rule, RuleMeta, Severity};
use perimeter_model::{App, EnvVar, Function};
use secrets::{
    SecretKind, ValueMatch, aws_secret_key_name, is_hex, literal_secret_candidate,
    looks_like_aws_secret_key, scan_value, secret_like_name,
};

/// The rules of this family.
pub fn rules() -> Vec<&'static dyn Rule> {
    vec![
        &secret_in_environment::SecretInEnvironment,
        &secret_like_environment_name::SecretLikeEnvironmentName,
        &secret_in_code::SecretInCode,
    ]
}

/// What the engine makes of one environment variable.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Verdict {
    /// The value looks like a secret (SEC001), with the severity to report.
    Value(ValueMatch, Severity),
    /// Only the name says secret, and the value is a plain literal (SEC002).
    Name,
    Nothing,
}

/// Judges `var` of `function`. An unresolved value is never judged.
pub(crate) fn judge(function: &Function, var: &EnvVar) -> Verdict {
    let Some(value) = var.value.as_str() else {
        return Verdict::Nothing;
    };
    if let Some(verdict) = judge_redacted(value) {
        return verdict;
    }
    let named_secret = secret_like_name(&var.name);
    let scanned = scan_value(value);
    if let Some(m) = &scanned
        && m.kind != SecretKind::HighEntropy
    {
        return Verdict::Value(m.clone(), Severity::High);
    }
    // A 40-character base64 value is an AWS secret key next to an access key id or under an
    // AWS secret-key name; anywhere else it is just a random-looking token.
    if looks_like_aws_secret_key(value)
        && (aws_secret_key_name(&var.name) || has_access_key_id(function))
    {
        let start = value.find(value.trim()).unwrap_or(0);
        let m = ValueMatch {
            kind: SecretKind::AwsSecretAccessKey,
            start,
            end: start + value.trim().len(),
        };
        return Verdict::Value(m, Severity::High);
    }
    if let Some(m) = scanned {
        // A random-looking token under a neutral name is only a lead (medium); hex-only
        // values under a neutral name are hashes and ids far more often than keys.
        if named_secret {
            return Verdict::Value(m, Severity::High);
        }
        if !is_hex(m.text(value)) {
            return Verdict::Value(m, Severity::Medium);
        }
    }
    if named_secret && literal_secret_candidate(value) {
        return Verdict::Name;
    }
    Verdict::Nothing
}

fn has_access_key_id(function: &Function) -> bool {
    function
        .environment
        .iter()
        .filter_map(|e| e.value.as_str())
        .any(|v| scan_value(v).is_some_and(|m| m.kind == SecretKind::AwsAccessKeyId))
}

/// Walks every variable of every function once: a variable inherited from SAM `Globals` or
/// the Serverless `provider` block appears in each function at the same place and is
/// reported once, naming how many functions share it.
pub(crate) fn each_variable<'a>(
    app: &'a App,
    mut visit: impl FnMut(&'a Function, &'a EnvVar, usize),
) {
    let mut seen = std::collections::HashSet::new();
    for function in &app.functions {
        for var in &function.environment {
            if !seen.insert((&var.location, &var.name)) {
                continue;
            }
            let sharing = app
                .functions
                .iter()
                .filter(|f| {
                    f.environment
                        .iter()
                        .any(|e| e.location == var.location && e.name == var.name)
                })
                .count();
            visit(function, var, sharing);
        }
    }
}

/// The finding of `meta` on variable `var` of `function`, shared by `sharing` functions:
/// "Environment variable `NAME` of function `Fn` (inherited by N functions) `says`.", at the
/// variable, keyed by its name. Both SEC rules report through it so their findings read and
/// fingerprint alike.
pub(crate) fn variable_finding(
    meta: &RuleMeta,
    app: &App,
    function: &Function,
    var: &EnvVar,
    sharing: usize,
    says: &str,
    remediation: &'static str,
) -> Finding {
    let message = format!(
        "Environment variable `{}` of function `{}`{} {says}.",
        var.name,
        function.id,
        sharing_note(sharing)
    );
    Finding::new(
        meta,
        &app.id,
        Some(&function.id),
        &function.id,
        &var.name,
        message,
        var.location.clone(),
        remediation,
    )
}

/// " (inherited by N functions)" when shared.
fn sharing_note(sharing: usize) -> String {
    if sharing > 1 {
        format!(" (inherited by {sharing} functions)")
    } else {
        String::new()
    }
}

/// Start of an environment value that a live snapshot redacted at capture
/// (`perimeter_load::snapshot::REDACTED_PREFIX`):
/// `perimeter:redacted:<verdict>:<kind>:<severity>:<stand-in>`. The verdict is this engine's,
/// made on the real value when the account was read ([`redaction_marker`]); the stand-in keeps
/// what [`redact`](secrets::redact) shows (first characters and length), so findings on a
/// snapshot read exactly as on the live value without the snapshot holding the secret.
pub const REDACTED_PREFIX: &str = "perimeter:redacted:";

/// The marker that replaces `var`'s value in a snapshot, or `None` when the value may be kept.
/// Values the detectors flag without a finding (a hex digest under a neutral name) are
/// redacted too, with verdict `none`: a snapshot never holds anything secret-shaped.
pub fn redaction_marker(function: &Function, var: &EnvVar) -> Option<String> {
    let value = var.value.as_str()?;
    if value.starts_with(REDACTED_PREFIX) {
        return None;
    }
    match judge(function, var) {
        Verdict::Value(m, severity) => Some(format!(
            "{REDACTED_PREFIX}secret:{:?}:{}:{}",
            m.kind,
            severity.as_str(),
            stand_in(m.text(value))
        )),
        Verdict::Name => Some(format!(
            "{REDACTED_PREFIX}name:-:-:{}",
            stand_in(value.trim())
        )),
        Verdict::Nothing => (scan_value(value).is_some() || looks_like_aws_secret_key(value))
            .then(|| format!("{REDACTED_PREFIX}none:-:-:{}", stand_in(value.trim()))),
    }
}

/// What a report may show of `value`: the stand-in of a redaction marker, else the value.
pub(crate) fn shown_value(value: &str) -> &str {
    match value.strip_prefix(REDACTED_PREFIX) {
        Some(rest) => rest.splitn(4, ':').nth(3).unwrap_or(""),
        None => value,
    }
}

/// The characters [`redact`](secrets::redact) shows, then `•` up to the original length.
fn stand_in(secret: &str) -> String {
    let n = secret.chars().count();
    let shown = match n {
        0..=7 => 0,
        8..=15 => 2,
        _ => 4,
    };
    secret
        .chars()
        .take(shown)
        .chain(std::iter::repeat_n('•', n - shown))
        .collect()
}

/// The verdict recorded in a redaction marker.
fn judge_redacted(value: &str) -> Option<Verdict> {
    let rest = value.strip_prefix(REDACTED_PREFIX)?;
    let mut parts = rest.splitn(4, ':');
    let (verdict, kind, severity) = (parts.next()?, parts.next()?, parts.next()?);
    let stand_in = parts.next().unwrap_or("");
    Some(match verdict {
        "secret" => {
            let kind = ALL_KINDS
                .iter()
                .copied()
                .find(|k| format!("{k:?}") == kind)
                .unwrap_or(SecretKind::HighEntropy);
            let severity = Severity::parse(severity).unwrap_or(Severity::High);
            let m = ValueMatch {
                kind,
                start: value.len() - stand_in.len(),
                end: value.len(),
            };
            Verdict::Value(m, severity)
        }
        "name" => Verdict::Name,
        _ => Verdict::Nothing,
    })
}

/// Every kind, to read a marker's kind back by name.
const ALL_KINDS: [SecretKind; 26] = [
    SecretKind::AwsAccessKeyId,
    SecretKind::AwsSecretAccessKey,
    SecretKind::PrivateKey,
    SecretKind::GitHubToken,
    SecretKind::GitLabToken,
    SecretKind::SlackToken,
    SecretKind::SlackWebhook,
    SecretKind::StripeKey,
    SecretKind::GoogleApiKey,
    SecretKind::TwilioApiKey,
    SecretKind::SendGridKey,
    SecretKind::NpmToken,
    SecretKind::OpenAiKey,
    SecretKind::AnthropicKey,
    SecretKind::ShopifyToken,
    SecretKind::MailgunKey,
    SecretKind::AzureStorageKey,
    SecretKind::PypiToken,
    SecretKind::DigitalOceanToken,
    SecretKind::HuggingFaceToken,
    SecretKind::PostmanKey,
    SecretKind::SquareToken,
    SecretKind::DiscordWebhook,
    SecretKind::Jwt,
    SecretKind::UrlCredentials,
    SecretKind::HighEntropy,
];

#[cfg(test)]
mod redaction_tests {
    use super::secrets::redact;
    use super::*;
    use crate::rules::iam::testkit::*;

    #[test]
    fn markers_keep_the_verdict_and_never_the_secret() {
        let key = "AKIA2OGYBAH6RHVLZ4QP";
        let f = {
            let mut f = function("F", "R", 3);
            f.environment.push(env("UPLOAD_KEY_ID", key, 4));
            f.environment.push(env("DB_PASSWORD", "hunter2-prod", 5));
            f.environment.push(env("TABLE", "orders", 6));
            f
        };
        let marker = redaction_marker(&f, &f.environment[0]).unwrap();
        assert!(!marker.contains(key));
        assert_eq!(
            marker,
            format!(
                "{REDACTED_PREFIX}secret:AwsAccessKeyId:high:AKIA{}",
                "•".repeat(16)
            )
        );
        let name = redaction_marker(&f, &f.environment[1]).unwrap();
        assert!(!name.contains("hunter2"));
        assert!(redaction_marker(&f, &f.environment[2]).is_none());
        // Judged back from the marker alone, with the same display.
        let redacted = env("UPLOAD_KEY_ID", &marker, 4);
        let Verdict::Value(m, severity) = judge(&f, &redacted) else {
            panic!("marker not recognised")
        };
        assert_eq!(m.kind, SecretKind::AwsAccessKeyId);
        assert_eq!(severity, Severity::High);
        assert_eq!(redact(m.text(&marker)), redact(key));
        assert_eq!(judge(&f, &env("DB_PASSWORD", &name, 5)), Verdict::Name);
        assert_eq!(redact(shown_value(&name)), redact("hunter2-prod"));
    }
}
