//! The `provider:` block: settings every function inherits, in their v1–v4 spellings.
//!
//! Only lookups live here (which key, which legacy alias); turning values into model
//! attributes is for the function, IAM and API modules.

use super::read::first;
use super::variables::unresolved_reason;
use crate::doc::Node;

/// The provider block of a resolved service document.
pub struct Provider<'n> {
    /// The block itself, when it is a mapping.
    pub node: Option<&'n Node>,
    /// `aws`, `google`, `azure`, … (`aws` when not said).
    pub name: String,
    pub stage: Option<String>,
    pub service: Option<String>,
}

impl<'n> Provider<'n> {
    pub fn new(doc: &'n Node, stage: Option<String>) -> Self {
        let raw = doc.get("provider");
        let node = raw.filter(|n| n.is_map());
        let name = match raw {
            Some(n) if n.is_map() => n.get("name").and_then(Node::as_str).unwrap_or("aws"),
            Some(n) => n.as_str().unwrap_or("aws"),
            None => "aws",
        }
        .to_string();
        let service = match doc.get("service") {
            Some(s) if s.is_map() => s.get("name").and_then(Node::as_str).map(str::to_string),
            Some(s) => s.as_str().map(str::to_string),
            None => None,
        };
        Provider {
            node,
            name,
            stage,
            service,
        }
    }

    pub fn is_aws(&self) -> bool {
        self.name.eq_ignore_ascii_case("aws")
    }

    pub fn get(&self, key: &str) -> Option<&'n Node> {
        self.node.and_then(|p| p.get(key))
    }

    /// A nested setting, e.g. `path(&["tracing", "lambda"])`.
    pub fn path(&self, keys: &[&str]) -> Option<&'n Node> {
        let mut current = self.node?;
        for k in keys {
            current = current.get(k)?;
        }
        Some(current)
    }

    /// `{service}-{stage}`, the prefix of every name the framework gives.
    pub fn prefix(&self) -> Option<String> {
        Some(format!(
            "{}-{}",
            self.service.as_deref()?,
            self.stage.as_deref()?
        ))
    }

    /// `provider.iam.role` as a mapping of settings, when it is one.
    fn iam_role_settings(&self) -> Option<&'n Node> {
        self.path(&["iam", "role"]).filter(|r| is_role_settings(r))
    }

    /// An existing role every function runs with: `iam.role` as a name, ARN or intrinsic,
    /// or the legacy `role:`.
    pub fn existing_role(&self) -> Option<&'n Node> {
        let r = self.path(&["iam", "role"]).filter(|r| !is_role_settings(r));
        r.or_else(|| self.get("role")).filter(|r| !r.is_null())
    }

    /// Statement lists for the generated role (`iam.role.statements`, legacy
    /// `iamRoleStatements`); both apply when both are written.
    pub fn statements(&self) -> Vec<&'n Node> {
        let mut out = Vec::new();
        out.extend(self.iam_role_settings().and_then(|r| r.get("statements")));
        out.extend(self.get("iamRoleStatements"));
        out
    }

    pub fn managed_policies(&self) -> Vec<&'n Node> {
        let mut out = Vec::new();
        out.extend(
            self.iam_role_settings()
                .and_then(|r| r.get("managedPolicies")),
        );
        out.extend(self.get("iamManagedPolicies"));
        out
    }

    pub fn permissions_boundary(&self) -> Option<&'n Node> {
        self.iam_role_settings()
            .and_then(|r| first(r, &["permissionsBoundary", "permissionBoundary"]))
            .or_else(|| self.get("rolePermissionsBoundary"))
    }

    /// `apiGateway` settings (v3+) or their v1 top-level spellings.
    pub fn api_gateway(&self, key: &str) -> Option<&'n Node> {
        self.path(&["apiGateway", key]).or_else(|| self.get(key))
    }
}

/// `iam.role: {statements, managedPolicies, …}` as opposed to a role name/ARN/intrinsic.
fn is_role_settings(node: &Node) -> bool {
    const KEYS: &[&str] = &[
        "name",
        "path",
        "statements",
        "managedPolicies",
        "permissionsBoundary",
        "permissionBoundary",
        "tags",
    ];
    node.is_map()
        && unresolved_reason(node).is_none()
        && node
            .entries()
            .iter()
            .any(|(k, _)| KEYS.contains(&k.name.as_str()))
}
