//! ## What it does
//! Flags function identities on Google Cloud and Azure that hold a primitive or
//! administrator role: a GCP service account granted `roles/owner`, `roles/editor`,
//! `roles/iam.securityAdmin`, `roles/resourcemanager.projectIamAdmin` or any `*.admin` role;
//! an Azure managed identity assigned `Owner`, `Contributor`, `User Access Administrator`,
//! `Role Based Access Control Administrator` or another `… Administrator` / `… Owner` role.
//! The finding names the scope the role is granted on (project, subscription, resource group).
//!
//! A GCP function with no `service_account_email` runs as the project's default service
//! account, which many projects grant `roles/editor` automatically; that binding is not
//! declared in the configuration, so this rule does not assume it (set a dedicated service
//! account to be sure).
//!
//! ## Why is this bad?
//! Whoever controls the function's code or input (a vulnerable dependency, an injection, a
//! leaked deployment credential) gets the identity's permissions. `Editor` and `Contributor`
//! can read and change almost every resource of the project or subscription; `Owner` and the
//! IAM administrator roles can also grant themselves anything else. One exploited function
//! becomes a full takeover of the project or subscription.
//!
//! ## Example
//! ```hcl
//! resource "google_service_account" "fn" {
//!   account_id = "fn-runner"
//! }
//!
//! resource "google_project_iam_member" "fn" {
//!   project = "acme-prod"
//!   role    = "roles/editor"
//!   member  = "serviceAccount:${google_service_account.fn.email}"
//! }
//!
//! resource "google_cloudfunctions_function" "api" {
//!   name                  = "api"
//!   runtime               = "python312"
//!   entry_point           = "handler"
//!   trigger_http          = true
//!   service_account_email = google_service_account.fn.email
//! }
//! ```
//!
//! Use instead:
//! ```hcl
//! resource "google_service_account" "fn" {
//!   account_id = "fn-runner"
//! }
//!
//! resource "google_project_iam_member" "fn" {
//!   project = "acme-prod"
//!   role    = "roles/datastore.user"
//!   member  = "serviceAccount:${google_service_account.fn.email}"
//! }
//!
//! resource "google_cloudfunctions_function" "api" {
//!   name                  = "api"
//!   runtime               = "python312"
//!   entry_point           = "handler"
//!   trigger_http          = true
//!   service_account_email = google_service_account.fn.email
//! }
//! ```
//!
//! ## Remediation
//! Give each function its own identity and grant it predefined roles that cover only what its
//! code calls (`roles/datastore.user`, `roles/storage.objectViewer`, `Storage Blob Data
//! Reader`), on the narrowest scope (a bucket, a resource group) rather than the project or
//! subscription. Use GCP's IAM recommender or Azure's access reviews to find what is unused.
//!
//! ## References
//! - CWE-250: Execution with Unnecessary Privileges
//! - https://cloud.google.com/iam/docs/understanding-roles#basic
//! - https://cloud.google.com/functions/docs/securing/function-identity
//! - https://learn.microsoft.com/en-us/azure/role-based-access-control/built-in-roles
//! - https://learn.microsoft.com/en-us/azure/role-based-access-control/best-practices

use super::{describe_role, role_finding};
use crate::{Family, Finding, Level, Rule, RuleMeta, Severity};
use perimeter_model::App;

pub struct OverPrivilegedBinding;

static META: RuleMeta = RuleMeta {
    code: "IAM013",
    name: "over-privileged-identity-binding",
    family: Family::Iam,
    summary: "Function identity holds a primitive or administrator role (GCP, Azure)",
    severity: Severity::High,
    likelihood: Level::Medium,
    impact: Level::High,
    confidence: Level::High,
    source: include_str!("over_privileged_binding.rs"),
};

const REMEDIATION: &str = "Grant the function's identity predefined roles that cover only what its code calls, on the narrowest scope, instead of Owner/Editor/Contributor or administrator roles.";

/// What a role lets its holder do, when it is primitive or administrative.
pub(crate) fn privileged(role: &str) -> Option<&'static str> {
    let r = role.trim();
    let lower = r.to_ascii_lowercase();
    match lower.as_str() {
        "roles/owner" | "owner" => return Some("full control, including granting access"),
        "roles/editor" | "contributor" => {
            return Some("read and change almost every resource");
        }
        "user access administrator"
        | "role based access control administrator"
        | "roles/resourcemanager.projectiamadmin"
        | "roles/iam.securityadmin"
        | "roles/iam.serviceaccountadmin"
        | "roles/iam.serviceaccounttokencreator"
        | "roles/iam.serviceaccountuser" => {
            return Some("grant access or act as other identities");
        }
        _ => {}
    }
    if lower.starts_with("roles/") && lower.ends_with(".admin") {
        return Some("administer every resource of the service");
    }
    if !lower.starts_with("roles/")
        && (lower.ends_with(" administrator") || lower.ends_with(" owner"))
    {
        return Some("administer every resource of the service");
    }
    None
}

impl Rule for OverPrivilegedBinding {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, app: &App, out: &mut Vec<Finding>) {
        for role in &app.roles {
            let who = describe_role(app, role).replacen("role `", "identity `", 1);
            for binding in &role.bindings {
                let Some(name) = binding.role.as_str() else {
                    continue;
                };
                let Some(power) = privileged(name) else {
                    continue;
                };
                let scope = binding
                    .scope
                    .as_str()
                    .map(|s| format!("on `{s}`"))
                    .unwrap_or_else(|| "on a scope not known statically".to_string());
                let severity = if name.eq_ignore_ascii_case("roles/owner")
                    || name.eq_ignore_ascii_case("owner")
                    || power.starts_with("grant")
                {
                    Severity::Critical
                } else {
                    Severity::High
                };
                out.push(
                    role_finding(
                        &META,
                        app,
                        role,
                        &format!("{name}@{}", binding.scope.as_str().unwrap_or("?")),
                        format!("{who} holds `{name}` {scope}: it can {power}."),
                        binding.location.clone(),
                        REMEDIATION,
                    )
                    .with_severity(severity),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::auth::testing::*;
    use perimeter_model::{Attr, Role, RoleBinding};

    fn binding(role: &str, scope: &str) -> RoleBinding {
        RoleBinding {
            role: Attr::explicit(role.into(), loc(7)),
            scope: Attr::explicit(scope.into(), loc(7)),
            location: loc(7),
        }
    }

    #[test]
    fn primitive_and_admin_roles_only() {
        assert!(privileged("roles/editor").is_some());
        assert!(privileged("Contributor").is_some());
        assert!(privileged("roles/storage.admin").is_some());
        assert!(privileged("Key Vault Administrator").is_some());
        assert!(privileged("Storage Blob Data Owner").is_some());
        assert!(privileged("roles/storage.objectViewer").is_none());
        assert!(privileged("Storage Blob Data Reader").is_none());
        assert!(privileged("Reader").is_none());

        let mut app = app();
        let mut sa = Role::new("sa", loc(1), false);
        sa.bindings = vec![
            binding("roles/editor", "projects/p"),
            binding("roles/datastore.user", "projects/p"),
        ];
        let mut unknown = Role::new("u", loc(1), false);
        unknown.bindings = vec![RoleBinding {
            role: Attr::unresolved("var.role", loc(8)),
            scope: Attr::explicit("projects/p".into(), loc(8)),
            location: loc(8),
        }];
        app.roles.extend([sa, unknown]);
        let found = run(&OverPrivilegedBinding, &app);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("`roles/editor` on `projects/p`"));
        assert_eq!(found[0].severity, Severity::High);
    }
}
