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
